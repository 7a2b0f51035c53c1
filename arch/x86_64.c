/* x86_64.c: stage 3, x86_64 layout facts and page-table entry decoding
 * (../shared/spec/x86_64.md).  4- and 5-level paging, 2 MiB and 1 GiB
 * leaves, KASLR through the exported runtime addresses, SME C-bit.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch.h"

#define __START_KERNEL_map	0xffffffff80000000ull
#define _PAGE_PRESENT		(1ull << 0)
#define _PAGE_PSE		(1ull << 7)
/* bits 51:12 hold the next table or frame (ENTRY_MASK) */
#define ENTRY_MASK		0x000ffffffffff000ull

struct x86_64_priv {
	struct pgt_format fmt;
	uint64_t root;		/* physical address of the top table */
	uint64_t sme_mask;
};

static enum pgt_entry x86_64_decode(const struct pgt_format *f,
				    unsigned level, uint64_t pte,
				    uint64_t *addr_ret)
{
	uint64_t addr;
	unsigned from_bottom = f->nlevels - 1 - level;

	if (!(pte & _PAGE_PRESENT))
		return PGT_NONE;
	addr = pte & f->entry_mask & ~f->clear_mask;
	if (from_bottom == 0) {
		*addr_ret = addr;
		return PGT_LEAF;
	}
	/* PS in a PMD (2 MiB) or PUD (1 GiB); bit 12 is then PAT */
	if ((from_bottom == 1 || from_bottom == 2) && (pte & _PAGE_PSE)) {
		*addr_ret = addr & ~((1ull << f->lv[level].shift) - 1);
		return PGT_LEAF;
	}
	*addr_ret = addr;
	return PGT_TABLE;
}

static int x86_64_init(struct arch *a, struct mdf_warns *warns,
		       struct mdf_err *err)
{
	const struct vmcoreinfo *vi = a->vi;
	struct x86_64_priv *p;
	bool l5 = false;
	uint64_t top_sym;
	size_t i;

	if (a->page_size != 4096)
		return mdf_err_set(err, MDF_EFORMAT,
				   "PAGESIZE %llu is impossible on x86_64",
				   (unsigned long long)a->page_size);
	p = calloc(1, sizeof(*p));
	if (!p)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	a->priv = p;

	/* phys_base: NUMBER (4.15+), else the kernel-text PT_LOAD that
	 * /proc/vmcore carries, else 0 with a warning */
	if (vmci_has(vi, VMCI_NUMBER_phys_base)) {
		a->phys_base = vmci_get(vi, VMCI_NUMBER_phys_base);
	} else if (a->in->have_phys_base) {
		/* a kdump-compressed input's sub header */
		a->phys_base = a->in->phys_base;
	} else {
		bool found = false;

		for (i = 0; i < a->in->nloads; i++) {
			const struct input_load *l = &a->in->loads[i];

			if (l->vaddr >= __START_KERNEL_map) {
				a->phys_base = l->paddr -
					       (l->vaddr - __START_KERNEL_map);
				found = true;
				break;
			}
		}
		if (!found)
			mdf_warn(warns,
				 "VMCOREINFO has no NUMBER(phys_base) and no kernel-text PT_LOAD: assuming phys_base 0");
	}
	if (vmci_has(vi, VMCI_SYMBOL_init_top_pgt))
		top_sym = vmci_get(vi, VMCI_SYMBOL_init_top_pgt);
	else if (vmci_has(vi, VMCI_SYMBOL_init_level4_pgt))
		top_sym = vmci_get(vi, VMCI_SYMBOL_init_level4_pgt);
	else
		return mdf_err_set(err, MDF_EFORMAT,
				   "VMCOREINFO has neither SYMBOL(init_top_pgt) nor SYMBOL(init_level4_pgt), needed to find the kernel page tables");
	if (top_sym < __START_KERNEL_map)
		return mdf_err_set(err, MDF_EFORMAT,
				   "SYMBOL(init_top_pgt)=%llx is not in the kernel image",
				   (unsigned long long)top_sym);
	p->root = top_sym - __START_KERNEL_map + a->phys_base;

	if (vmci_has(vi, VMCI_NUMBER_pgtable_l5_enabled))
		l5 = vmci_get(vi, VMCI_NUMBER_pgtable_l5_enabled) != 0;
	if (vmci_has(vi, VMCI_NUMBER_sme_mask))
		p->sme_mask = vmci_get(vi, VMCI_NUMBER_sme_mask);

	p->fmt.decode = x86_64_decode;
	p->fmt.entry_mask = ENTRY_MASK;
	p->fmt.clear_mask = p->sme_mask;
	p->fmt.table_shift = 12;
	{
		static const struct pgt_level l4[] = {
			{ "PGD", 39, 9 }, { "PUD", 30, 9 },
			{ "PMD", 21, 9 }, { "PTE", 12, 9 },
		};
		static const struct pgt_level l5v[] = {
			{ "PGD", 48, 9 }, { "P4D", 39, 9 }, { "PUD", 30, 9 },
			{ "PMD", 21, 9 }, { "PTE", 12, 9 },
		};
		const struct pgt_level *src = l5 ? l5v : l4;

		p->fmt.nlevels = l5 ? 5 : 4;
		for (i = 0; i < p->fmt.nlevels; i++)
			p->fmt.lv[i] = src[i];
	}
	a->section_size_bits = 27;
	a->max_physmem_bits = l5 ? 52 : 46;
	a->kvbase = l5 ? 0xff00000000000000ull : 0xffff800000000000ull;

	if (input_find_range(a->in, p->root) < 0)
		return mdf_err_set(err, MDF_EFORMAT,
				   "the top page table (physical %#llx from phys_base %#llx) is not in the dump",
				   (unsigned long long)p->root,
				   (unsigned long long)a->phys_base);
	return 0;
}

static int x86_64_kvtop(const struct arch *a, uint64_t vaddr,
			uint64_t *paddr_ret, uint64_t *len_ret,
			struct mdf_err *err)
{
	const struct x86_64_priv *p = a->priv;
	uint64_t paddr;
	int rc;

	/* non-canonical addresses have no translation */
	if (p->fmt.nlevels == 5) {
		if ((uint64_t)((int64_t)(vaddr << 7) >> 7) != vaddr)
			goto noncanon;
	} else if ((uint64_t)((int64_t)(vaddr << 16) >> 16) != vaddr) {
		goto noncanon;
	}
	rc = pgt_walk(&p->fmt, a->in, p->root, vaddr, &paddr, len_ret, err);
	if (rc)
		return rc;
	*paddr_ret = paddr & ~p->sme_mask;
	return 0;
noncanon:
	snprintf(err->msg, sizeof(err->msg),
		 "%#llx is not a canonical x86_64 address",
		 (unsigned long long)vaddr);
	return MDF_ABSENT;
}

static void x86_64_fini(struct arch *a)
{
	free(a->priv);
}

const struct arch_ops arch_x86_64 = {
	.name		= "x86_64",
	.e_machine	= EM_X86_64,
	.init		= x86_64_init,
	.kvtop		= x86_64_kvtop,
	.fini		= x86_64_fini,
};
