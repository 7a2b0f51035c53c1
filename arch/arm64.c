/* arm64.c: stage 3, arm64 layout facts and descriptor decoding
 * (../shared/spec/arm64.md).  4K/16K/64K granules, 2 to 5 levels from
 * TCR_EL1_T1SZ, 52-bit output addresses (64K LPA and 4K/16K LPA2, which
 * differ), block mappings, KASLR through kimage_voffset, both virtual
 * layouts (the 5.4 flip), PAC bits in kernel pointers.  Reads only through
 * the input; never prints.
 */
#include <elf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch.h"

#ifndef EM_AARCH64
#define EM_AARCH64	183
#endif

/* descriptor bits [1:0] (pgtable-hwdef.h): 01 block, 11 table or page */
#define DESC_VALID	1ull
#define DESC_TYPE_MASK	3ull
#define DESC_TABLE	3ull
/* 64K + 52-bit PA (ARMv8.2-LPA): PA[51:48] in bits 15:12 */
#define LPA_HIGH_MASK	0xf000ull
#define LPA_HIGH_SHIFT	36
/* 4K/16K + LPA2: PA[51:50] in bits 9:8, PA[49:48] in place, since Linux
 * commit 352b0395b505 ("arm64: Enable 52-bit virtual addressing for 4k and
 * 16k granule configs") in v6.9.  makedumpfile and crash decode these with
 * the 64K rule above whenever MAX_PHYSMEM_BITS is 52 (arm64.md section 3). */
#define LPA2_HIGH_MASK	0x300ull
#define LPA2_HIGH_SHIFT	42

enum { SHIFT_4K = 12, SHIFT_16K = 14, SHIFT_64K = 16 };

#define GENMASK64(h, l)	((~0ull >> (63 - (h))) & (~0ull << (l)))

enum arm64_oa {
	OA_48,		/* bits 47:PAGE_SHIFT */
	OA_LPA,		/* 64K pages, 52-bit PA */
	OA_LPA2,	/* 4K/16K pages, LPA2 live (vabits_actual 52) */
};

struct arm64_priv {
	struct pgt_format fmt;	/* first: decode() finds the rest from it */
	enum arm64_oa oa;
	unsigned max_block_shift; /* largest block (section) a level may map */
	uint64_t root;		/* physical address of swapper_pg_dir */
	unsigned va_bits;	/* configured (NUMBER(VA_BITS)) */
	unsigned vabits_actual;	/* running (64 - TCR_EL1.T1SZ) */
	bool flipped;		/* 5.4+ layout: linear map in the lower half */
	uint64_t page_offset;
	uint64_t pac_mask;	/* NUMBER(KERNELPACMASK), 0 if absent */
};

static const struct arm64_priv *priv_of(const struct pgt_format *f)
{
	return (const struct arm64_priv *)(const void *)
	       ((const char *)f - offsetof(struct arm64_priv, fmt));
}

/* Output (or next-table) address of a descriptor (__pte_to_phys()). */
static uint64_t desc_addr(const struct arm64_priv *p, uint64_t d,
			  unsigned page_shift)
{
	switch (p->oa) {
	case OA_LPA:
		return (d & GENMASK64(47, 16)) |
		       ((d & LPA_HIGH_MASK) << LPA_HIGH_SHIFT);
	case OA_LPA2:
		return (d & GENMASK64(49, page_shift)) |
		       ((d & LPA2_HIGH_MASK) << LPA2_HIGH_SHIFT);
	default:
		/* with LPA2 compiled in but off at run time bits 9:8 are
		 * the shareability field, below PAGE_SHIFT: masked here */
		return d & GENMASK64(47, page_shift);
	}
}

static enum pgt_entry arm64_decode(const struct pgt_format *f,
				   unsigned level, uint64_t d,
				   uint64_t *addr_ret)
{
	const struct arm64_priv *p = priv_of(f);
	unsigned shift = f->lv[level].shift;
	bool last = level + 1 == f->nlevels;
	uint64_t addr;

	if (!(d & DESC_VALID))
		return PGT_NONE;
	addr = desc_addr(p, d, f->table_shift);
	if ((d & DESC_TYPE_MASK) == DESC_TABLE) {
		/* a table at upper levels, a page at the last one */
		*addr_ret = addr;
		return last ? PGT_LEAF : PGT_TABLE;
	}
	/* block: reserved at the last level and above the largest block
	 * size of the granule (the MMU faults on it; so do we) */
	if (last || shift > p->max_block_shift)
		return PGT_NONE;
	*addr_ret = addr & ~((1ull << shift) - 1);
	return PGT_LEAF;
}

/* Levels needed to translate va bits with this granule. */
static unsigned nr_levels(unsigned va, unsigned page_shift)
{
	unsigned per = page_shift - 3;

	return (va - page_shift + per - 1) / per;
}

static bool is_linear(const struct arm64_priv *p, uint64_t vaddr)
{
	if (p->flipped)
		return !(vaddr & (1ull << (p->vabits_actual - 1)));
	return (vaddr & (1ull << (p->va_bits - 1))) != 0;
}

/* __lm_to_phys(): linear-map virtual to physical, without the tables */
static uint64_t linear_to_phys(const struct arm64_priv *p, uint64_t phys_base,
			       uint64_t vaddr)
{
	if (p->flipped)
		return vaddr - p->page_offset + phys_base;
	return (vaddr & ~p->page_offset) + phys_base;
}

/* VA_BITS from the address of _stext (kernels before 4.12 do not export
 * it): the image sits at the start of the lower half of the kernel range
 * on 4.6-5.3, so the run of leading one bits is 64 - VA_BITS. */
static unsigned guess_va_bits(uint64_t stext)
{
	static const unsigned cand[] = { 36, 39, 42, 47, 48 };
	unsigned ones = 0;
	size_t i;

	while (ones < 64 && (stext & (1ull << (63 - ones))))
		ones++;
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++)
		if (64 - cand[i] == ones)
			return cand[i];
	return 0;
}

/* Section size when NUMBER(SECTION_SIZE_BITS) is absent: 30 until 5.11,
 * then 27 (4K/16K) or 29 (64K) since Linux commit f0b13ee23241
 * ("arm64/sparsemem: reduce SECTION_SIZE_BITS") in v5.12. */
static unsigned default_section_bits(uint32_t kver, unsigned page_shift)
{
	if (kver && kver < KERNEL_VERSION(5, 12, 0))
		return 30;
	return page_shift == SHIFT_64K ? 29 : 27;
}

static int arm64_geometry(struct arch *a, struct arm64_priv *p,
			  struct mdf_warns *warns, struct mdf_err *err)
{
	const struct vmcoreinfo *vi = a->vi;
	static const char *const names[] = { "PTE", "PMD", "PUD", "P4D" };
	unsigned ps = a->page_shift, top_va, i, n;

	if (vmci_has(vi, VMCI_NUMBER_VA_BITS)) {
		p->va_bits = (unsigned)vmci_get(vi, VMCI_NUMBER_VA_BITS);
	} else if (vmci_has(vi, VMCI_SYMBOL__stext) &&
		   (p->va_bits = guess_va_bits(vmci_get(vi, VMCI_SYMBOL__stext)))) {
		mdf_warn(warns, "VMCOREINFO has no NUMBER(VA_BITS): %u guessed from SYMBOL(_stext)",
			 p->va_bits);
	} else {
		return mdf_err_set(err, MDF_EFORMAT,
				   "VMCOREINFO has no NUMBER(VA_BITS), and SYMBOL(_stext) does not tell it");
	}
	if (vmci_has(vi, VMCI_NUMBER_TCR_EL1_T1SZ)) {
		uint64_t t1sz = vmci_get(vi, VMCI_NUMBER_TCR_EL1_T1SZ);

		p->vabits_actual = t1sz < 64 ? 64 - (unsigned)t1sz : 0;
	} else if (p->va_bits == 52 && vmci_has(vi, VMCI_SYMBOL_mem_section)) {
		/* 5.4-5.8: the linear map starts at -(1 << 52) or, on
		 * hardware without 52-bit VA, at -(1 << 48); mem_section
		 * is a linear-map address, so its bit 51 tells which */
		p->vabits_actual = vmci_get(vi, VMCI_SYMBOL_mem_section) &
				   (1ull << 51) ? 48 : 52;
	} else {
		p->vabits_actual = p->va_bits;
	}
	if (p->va_bits < ps + ps - 3 || p->va_bits > 52)
		return mdf_err_set(err, MDF_EFORMAT,
				   "VA_BITS %u is impossible with %u KiB pages",
				   p->va_bits, (unsigned)(a->page_size >> 10));
	if (p->vabits_actual < ps + ps - 3 || p->vabits_actual > p->va_bits)
		return mdf_err_set(err, MDF_EFORMAT,
				   "TCR_EL1_T1SZ gives %u virtual address bits, impossible with VA_BITS %u and %u KiB pages",
				   p->vabits_actual, p->va_bits,
				   (unsigned)(a->page_size >> 10));

	/* levels and their shifts: (PAGE_SHIFT - 3) index bits per level */
	n = nr_levels(p->vabits_actual, ps);
	p->fmt.nlevels = n;
	for (i = 0; i < n; i++) {
		unsigned from_bottom = n - 1 - i;

		p->fmt.lv[i].name = i == 0 ? "PGD" : names[from_bottom];
		p->fmt.lv[i].shift = ps + from_bottom * (ps - 3);
		p->fmt.lv[i].bits = ps - 3;
	}
	/* A kernel built for 52 bits that runs with fewer keeps the top
	 * table of its build when the level count is the same (64K: TTBR1
	 * points into it, TTBR1_BADDR_4852_OFFSET, since Linux commit
	 * b6d00d47e81a "arm64: mm: Introduce 52-bit Kernel VAs" in v5.4), and
	 * folds the top level away when it is not (4K: 5 -> 4 levels, 16K:
	 * 4 -> 3, LPA2 kernels of v6.9+). */
	top_va = nr_levels(p->va_bits, ps) == n ? p->va_bits : p->vabits_actual;
	p->fmt.lv[0].bits = top_va - p->fmt.lv[0].shift;
	p->fmt.table_shift = ps;
	p->fmt.decode = arm64_decode;

	/* MAX_PHYSMEM_BITS (5.9+ export it): 52-bit PA needs 52-bit VA
	 * on every granule we know */
	a->max_physmem_bits = p->va_bits == 52 ? 52 : 48;
	if (vmci_has(vi, VMCI_NUMBER_MAX_PHYSMEM_BITS))
		a->max_physmem_bits =
			(unsigned)vmci_get(vi, VMCI_NUMBER_MAX_PHYSMEM_BITS);
	if (ps != SHIFT_64K && p->vabits_actual == 52)
		p->oa = OA_LPA2;
	else if (ps == SHIFT_64K && a->max_physmem_bits == 52)
		p->oa = OA_LPA;
	else
		p->oa = OA_48;
	/* largest block: level 1 (4K) or 2 (16K/64K); one level higher
	 * with 52-bit output addresses */
	p->max_block_shift = ps + (ps == SHIFT_4K ? 2 : 1) * (ps - 3);
	if (p->oa != OA_48)
		p->max_block_shift += ps - 3;
	return 0;
}

/* phys_base: PHYS_OFFSET (memstart_addr), or from a linear-map PT_LOAD
 * of /proc/vmcore, or the lowest RAM address. */
static void arm64_phys_base(struct arch *a, struct arm64_priv *p,
			    struct mdf_warns *warns)
{
	const struct vmcoreinfo *vi = a->vi;
	uint64_t low = UINT64_MAX;
	size_t i;

	if (vmci_has(vi, VMCI_NUMBER_PHYS_OFFSET)) {
		a->phys_base = vmci_get(vi, VMCI_NUMBER_PHYS_OFFSET);
		return;
	}
	if (a->in->have_phys_base) {	/* a kdump-compressed input's */
		a->phys_base = a->in->phys_base;
		return;
	}
	for (i = 0; i < a->in->nloads; i++) {
		const struct input_load *l = &a->in->loads[i];

		if (l->paddr < low)
			low = l->paddr;
		if (l->vaddr >= a->kvbase && is_linear(p, l->vaddr)) {
			a->phys_base = l->paddr - linear_to_phys(p, 0, l->vaddr);
			return;
		}
	}
	a->phys_base = low == UINT64_MAX ? 0 : low;
	mdf_warn(warns,
		 "VMCOREINFO has no NUMBER(PHYS_OFFSET) and no PT_LOAD maps the linear region: assuming PHYS_OFFSET %#llx",
		 (unsigned long long)a->phys_base);
}

static int arm64_init(struct arch *a, struct mdf_warns *warns,
		      struct mdf_err *err)
{
	const struct vmcoreinfo *vi = a->vi;
	uint32_t kver = vmcoreinfo_kernel_version(vi);
	struct arm64_priv *p;
	uint64_t pgd, check, len;
	struct mdf_err e2;
	int rc;

	if (a->page_shift != SHIFT_4K && a->page_shift != SHIFT_16K &&
	    a->page_shift != SHIFT_64K)
		return mdf_err_set(err, MDF_EFORMAT,
				   "PAGESIZE %llu is impossible on arm64 (4K, 16K or 64K)",
				   (unsigned long long)a->page_size);
	p = calloc(1, sizeof(*p));
	if (!p)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	a->priv = p;
	rc = arm64_geometry(a, p, warns, err);
	if (rc < 0)
		return rc;
	if (vmci_has(vi, VMCI_NUMBER_KERNELPACMASK))
		p->pac_mask = vmci_get(vi, VMCI_NUMBER_KERNELPACMASK);

	/* 5.4 flipped the layout (Linux commit 14c127c957c1, "arm64: mm:
	 * Flip kernel VA space"): the image moved to the upper half, the
	 * linear map to the lower.  _stext tells which, else the version;
	 * a kernel without kimage_voffset (< 4.12) is older than the flip
	 * (and before 4.6 its image was in the upper-half linear map). */
	if (!vmci_has(vi, VMCI_NUMBER_kimage_voffset)) {
		p->flipped = false;
	} else if (vmci_has(vi, VMCI_SYMBOL__stext)) {
		unsigned b = (p->va_bits < 48 ? p->va_bits : 48) - 1;

		p->flipped = (vmci_get(vi, VMCI_SYMBOL__stext) >> b) & 1;
	} else {
		p->flipped = !kver || kver >= KERNEL_VERSION(5, 4, 0);
	}
	p->page_offset = p->flipped ? ~0ull << p->vabits_actual :
				      ~0ull << (p->va_bits - 1);
	a->kvbase = ~0ull << p->vabits_actual;
	a->section_size_bits = default_section_bits(kver, a->page_shift);
	rc = vmci_require(vi, VMCI_SYMBOL_swapper_pg_dir,
			  "to find the kernel page tables", err);
	if (rc < 0)
		return rc;
	arm64_phys_base(a, p, warns);

	pgd = vmci_get(vi, VMCI_SYMBOL_swapper_pg_dir);
	if (pgd < a->kvbase)
		return mdf_err_set(err, MDF_EFORMAT,
				   "SYMBOL(swapper_pg_dir)=%llx is not a kernel address",
				   (unsigned long long)pgd);
	/* the image is mapped at kimage_voffset (4.12+ export it; KASLR is
	 * in it); before 4.6 the image was in the linear map */
	if (vmci_has(vi, VMCI_NUMBER_kimage_voffset) && !is_linear(p, pgd))
		p->root = pgd - vmci_get(vi, VMCI_NUMBER_kimage_voffset);
	else
		p->root = linear_to_phys(p, a->phys_base, pgd);
	if (input_find_range(a->in, p->root) < 0)
		return mdf_err_set(err, MDF_EFORMAT,
				   "the top page table (swapper_pg_dir at physical %#llx) is not in the dump",
				   (unsigned long long)p->root);
	/* the tables map themselves: a wrong kimage_voffset shows here */
	if (pgt_walk(&p->fmt, a->in, p->root, pgd, &check, &len, NULL, &e2) == 0 &&
	    check != p->root)
		mdf_warn(warns,
			 "swapper_pg_dir is at physical %#llx by kimage_voffset but %#llx by the page tables: translations may be wrong",
			 (unsigned long long)p->root,
			 (unsigned long long)check);
	return 0;
}

static int arm64_kvtop(const struct arch *a, uint64_t vaddr,
		       uint64_t *paddr_ret, uint64_t *len_ret,
		       struct mdf_err *err)
{
	const struct arm64_priv *p = a->priv;
	uint64_t high = ~0ull << p->vabits_actual;

	/* kernel (TTBR1) addresses have bit 55 set; a pointer signed with
	 * pointer authentication carries its PAC in KERNELPACMASK's bits */
	if (vaddr & (1ull << 55))
		vaddr |= p->pac_mask;
	if ((vaddr & high) != high) {
		snprintf(err->msg, sizeof(err->msg),
			 "%#llx is not an arm64 kernel address (%u-bit kernel virtual addresses)",
			 (unsigned long long)vaddr, p->vabits_actual);
		err->addr = vaddr;
		return MDF_ABSENT;
	}
	return pgt_walk(&p->fmt, a->in, p->root, vaddr, paddr_ret, len_ret,
			a->trace, err);
}

static void arm64_fini(struct arch *a)
{
	free(a->priv);
}

const struct arch_ops arch_arm64 = {
	.name		= "arm64",
	.e_machine	= EM_AARCH64,
	.init		= arm64_init,
	.kvtop		= arm64_kvtop,
	.fini		= arm64_fini,
};
