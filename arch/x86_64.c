/* x86_64.c: stage 3, x86_64 layout facts and page-table entry decoding
 * (../shared/spec/x86_64.md).  4- and 5-level paging, 2 MiB and 1 GiB
 * leaves, KASLR through the exported runtime addresses, SME C-bit.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "byteorder.h"

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

static void fmt_setup(struct pgt_format *fmt, bool l5, uint64_t sme_mask)
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
	unsigned i;

	fmt->decode = x86_64_decode;
	fmt->entry_mask = ENTRY_MASK;
	fmt->clear_mask = sme_mask;
	fmt->table_shift = 12;
	fmt->nlevels = l5 ? 5 : 4;
	for (i = 0; i < fmt->nlevels; i++)
		fmt->lv[i] = src[i];
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

	fmt_setup(&p->fmt, l5, p->sme_mask);
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
	rc = pgt_walk(&p->fmt, a->in, p->root, vaddr, &paddr, len_ret,
		      a->trace, err);
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

/* QEMU's per-CPU "QEMU" note (QEMU target/i386/arch_dump.c, struct
 * QEMUCPUState version 1): u32 version, u32 size, 18 general registers,
 * 10 segments of 24 bytes, then cr[0..4] */
enum { QEMU_CPUSTATE_CR0 = 8 + 18 * 8 + 10 * 24 };
#define X86_CR4_LA57		(1ull << 12)
#define KERNEL_IMAGE_SPAN	(1ull << 30)	/* KERNEL_IMAGE_SIZE with KASLR */
#define PMD_SIZE		(1ull << 21)

static bool qemu_cpu_state(const struct input *in, uint64_t *cr3,
			   uint64_t *cr4)
{
	size_t off = 0;

	while (off + 12 <= in->notes_len) {
		const uint8_t *n = in->notes + off;
		uint32_t namesz = get_le32(n), descsz = get_le32(n + 4);
		size_t name_off = off + 12;
		size_t desc_off = name_off + ((namesz + 3) & ~3u);
		size_t next = desc_off + ((descsz + 3) & ~3u);

		if (desc_off > in->notes_len || next > in->notes_len ||
		    next <= off)
			return false;
		if (namesz == 5 && memcmp(in->notes + name_off, "QEMU", 5) == 0 &&
		    descsz >= QEMU_CPUSTATE_CR0 + 5 * 8 &&
		    get_le32(in->notes + desc_off) == 1) {
			*cr3 = get_le64(in->notes + desc_off + QEMU_CPUSTATE_CR0 + 24);
			*cr4 = get_le64(in->notes + desc_off + QEMU_CPUSTATE_CR0 + 32);
			return true;
		}
		off = next;
	}
	return false;
}

/* With the page tables CR3 points at: the kernel image mapping starts at
 * the runtime _text (cleanup_highmap() clears the PMDs below it), so its
 * distance from the link-time _stext is the KASLR offset.  Checked by
 * reading the kernel release through the found offset. */
static int probe_root(struct input *in, const struct vmcoreinfo *vi,
		      const struct pgt_format *fmt, uint64_t root,
		      uint64_t *koff_ret, uint64_t *phys_base_ret,
		      struct mdf_err *err)
{
	uint64_t stext = vmci_get(vi, VMCI_SYMBOL__stext) & ~(PMD_SIZE - 1);
	uint64_t va, pa, len, koff, uts;
	const char *rel = vmci_str(vi, VMCI_OSRELEASE);
	char buf[65];
	int rc;

	for (va = __START_KERNEL_map; va < __START_KERNEL_map + KERNEL_IMAGE_SPAN;
	     va += PMD_SIZE) {
		rc = pgt_walk(fmt, in, root, va, &pa, &len, NULL, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
	}
	if (va >= __START_KERNEL_map + KERNEL_IMAGE_SPAN || va < stext)
		return MDF_ABSENT;
	koff = va - stext;
	uts = vmci_get(vi, VMCI_SYMBOL_init_uts_ns) + koff + 2 * 65 +
	      (vmci_has(vi, VMCI_OFFSET_uts_namespace_name) ?
	       vmci_get(vi, VMCI_OFFSET_uts_namespace_name) : 4);
	rc = pgt_walk(fmt, in, root, uts, &pa, &len, NULL, err);
	if (rc)
		return rc < 0 ? rc : MDF_ABSENT;
	if (len < sizeof(buf))
		return MDF_ABSENT;
	rc = input_read_paddr(in, pa, buf, sizeof(buf), err);
	if (rc)
		return rc < 0 ? rc : MDF_ABSENT;
	buf[64] = '\0';
	if (!rel || strcmp(buf, rel) != 0)
		return MDF_ABSENT;
	rc = pgt_walk(fmt, in, root, va, &pa, &len, NULL, err);
	if (rc)
		return rc < 0 ? rc : MDF_ABSENT;
	*koff_ret = koff;
	*phys_base_ret = pa - (va - __START_KERNEL_map);
	return 0;
}

static int x86_64_kaslr_probe(struct input *in, const struct vmcoreinfo *vi,
			      uint64_t *koff_ret, uint64_t *phys_base_ret,
			      struct mdf_err *err)
{
	struct pgt_format fmt;
	uint64_t cr3, cr4, root;
	int rc;

	if (!vmci_has(vi, VMCI_SYMBOL__stext) ||
	    !vmci_has(vi, VMCI_SYMBOL_init_uts_ns))
		return mdf_err_set(err, MDF_EFORMAT,
				   "VMCOREINFO has no SYMBOL(_stext) or SYMBOL(init_uts_ns)");
	if (!qemu_cpu_state(in, &cr3, &cr4))
		return MDF_ABSENT;
	fmt_setup(&fmt, cr4 & X86_CR4_LA57, 0);
	/* PCID bits and the no-flush bit are not part of the address; with
	 * PTI, user mode runs on the kernel PGD + 4 KiB */
	root = cr3 & ENTRY_MASK;
	rc = probe_root(in, vi, &fmt, root, koff_ret, phys_base_ret, err);
	if (rc == MDF_ABSENT && (root & 0x1000))
		rc = probe_root(in, vi, &fmt, root & ~0x1000ull, koff_ret,
				phys_base_ret, err);
	if (rc == MDF_ABSENT)
		return mdf_err_set(err, MDF_EFORMAT,
				   "the page tables at CR3 %#llx map no kernel image whose release is %s",
				   (unsigned long long)cr3,
				   vmci_str(vi, VMCI_OSRELEASE) ?
				   vmci_str(vi, VMCI_OSRELEASE) : "known");
	return rc;
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
	.kaslr_probe	= x86_64_kaslr_probe,
};
