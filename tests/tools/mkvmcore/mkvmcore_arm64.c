/* mkvmcore_arm64.c: the arm64 address space of a generated vmcore.
 *
 * Built the way the kernel builds it (../shared/spec/arm64.md): 4K, 16K or
 * 64K granules with 2 to 5 levels from the running VA size; the linear map
 * at the bottom of the kernel half since 5.4 (the top half before), the
 * kernel image at KIMAGE_VADDR + KERNELOFFSET (kimage_voffset), the vmemmap
 * at VMEMMAP_START for the pfn at PHYS_OFFSET, swapper_pg_dir in the image.
 * Descriptors are encoded from the Arm architecture's formats, not from
 * the tool's decoder: 48-bit output addresses with the shareability field
 * in bits 9:8, 64K LPA (PA[51:48] in bits 15:12) and 4K/16K LPA2 (PA[51:50]
 * in bits 9:8, in table descriptors too), with the kernel's upper
 * attributes (DBM, contiguous hint, PXN/UXN, software dirty).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkvmcore.h"

#define EM_AARCH64_	183

/* descriptor bits (Arm ARM D8.3; kernel pgtable-hwdef.h names) */
#define D_VALID		(1ull << 0)
#define D_TABLE		(3ull)		/* table (levels 0-2), page (level 3) */
#define D_BLOCK		(1ull)
#define D_RDONLY	(1ull << 7)	/* AP[2] */
#define D_SH_INNER	(3ull << 8)	/* PTE_SHARED, when not LPA2 */
#define D_AF		(1ull << 10)
#define D_DBM		(1ull << 51)	/* PTE_WRITE */
#define D_CONT		(1ull << 52)
#define D_PXN		(1ull << 53)
#define D_UXN		(1ull << 54)
#define D_SW_DIRTY	(1ull << 55)	/* PTE_DIRTY (software) */
#define D_UXN_TABLE	(1ull << 60)	/* UXNTable */

#define SZ_2M		(2ull << 20)
#define SZ_128M		(128ull << 20)
#define SZ_256M		(256ull << 20)
#define SZ_1G		(1ull << 30)
#define SZ_2G		(2ull << 30)

enum oa_fmt {
	OA_48,		/* OA[47:PAGE_SHIFT] in place */
	OA_LPA,		/* 64K + 52-bit PA: OA[51:48] in bits 15:12 */
	OA_LPA2,	/* 4K/16K + LPA2: OA[49:PAGE_SHIFT] in place, [51:50]
			 * in bits 9:8 */
};

/* the geometry of this run (one vmcore per process) */
static struct {
	unsigned ps;		/* PAGE_SHIFT */
	unsigned va, hw;	/* VA_BITS, vabits_actual */
	unsigned levels;
	unsigned shift[5], bits[5];
	unsigned max_block;	/* largest block shift */
	enum oa_fmt oa;
	bool flipped;		/* 5.4+ layout */
	uint64_t kimage_vaddr, kimage_voffset;
	uint64_t modules_vaddr, modules_end, vmalloc_end;
	uint64_t vmemmap_start, vmemmap_end;
	uint64_t phys_offset;	/* NUMBER(PHYS_OFFSET): memstart_addr */
	uint64_t pac_mask;
	uint64_t ncont_pte, ncont_pmd;
} A;

static uint64_t genmask(unsigned h, unsigned l)
{
	return (~0ull >> (63 - h)) & (~0ull << l);
}

static unsigned levels_for(unsigned va, unsigned ps)
{
	return (va - ps + (ps - 3) - 1) / (ps - 3);
}

/* ---- descriptors ---- */

static uint64_t enc_addr(uint64_t pa)
{
	switch (A.oa) {
	case OA_LPA:
		if (pa >> 52)
			die("arm64: %#llx is beyond 52-bit PA",
			    (unsigned long long)pa);
		return (pa & genmask(47, 16)) | ((pa >> 48) & 0xf) << 12;
	case OA_LPA2:
		if (pa >> 52)
			die("arm64: %#llx is beyond 52-bit PA",
			    (unsigned long long)pa);
		return (pa & genmask(49, A.ps)) | ((pa >> 50) & 3) << 8;
	default:
		if (pa >> 48)
			die("arm64: %#llx needs 52-bit PA (pa_bits 52)",
			    (unsigned long long)pa);
		return pa & genmask(47, A.ps);
	}
}

static uint64_t dec_addr(uint64_t d)
{
	switch (A.oa) {
	case OA_LPA:
		return (d & genmask(47, 16)) | ((d >> 12) & 0xf) << 48;
	case OA_LPA2:
		return (d & genmask(49, A.ps)) | ((d >> 8) & 3) << 50;
	default:
		return d & genmask(47, A.ps);
	}
}

/* attributes of a kernel leaf: normal memory, accessed, writable (DBM)
 * and dirty, shareable (bits 9:8 unless LPA2 uses them), execute-never
 * unless kernel text */
static uint64_t leaf_attrs(bool text)
{
	uint64_t a = D_AF;

	if (A.oa != OA_LPA2)
		a |= D_SH_INNER;
	if (text)
		a |= D_RDONLY | D_UXN;
	else
		a |= D_DBM | D_SW_DIRTY | D_PXN | D_UXN;
	return a;
}

static uint64_t table_desc(uint64_t pa)
{
	return enc_addr(pa) | D_TABLE | D_UXN_TABLE;
}

static uint64_t index_at(uint64_t va, unsigned lv)
{
	return (va >> A.shift[lv]) & ((1ull << A.bits[lv]) - 1);
}

/* one leaf of 1 << shift bytes; cont: the contiguous hint */
static void map_one(struct gen *g, uint64_t va, uint64_t pa, unsigned shift,
		    uint64_t attrs)
{
	const struct gen_layout *l = gen_layout(g);
	uint64_t table = l->top_pa;
	unsigned lv, leaf_lv = A.levels;

	for (lv = 0; lv < A.levels; lv++)
		if (A.shift[lv] == shift)
			leaf_lv = lv;
	if (leaf_lv == A.levels ||
	    (shift != A.ps && (shift > A.max_block || leaf_lv == A.levels - 1)))
		die("arm64: no %llu-byte leaves with %llu-byte pages",
		    1ull << shift, (unsigned long long)PAGE_SIZE);
	if ((va | pa) & ((1ull << shift) - 1))
		die("arm64: unaligned %llu-byte mapping %#llx -> %#llx",
		    1ull << shift, (unsigned long long)va, (unsigned long long)pa);
	for (lv = 0; lv < leaf_lv; lv++) {
		uint64_t at = table + index_at(va, lv) * 8;
		uint64_t d = phys_read64(g, at);

		if (!(d & D_VALID)) {
			d = table_desc(palloc(g, PAGE_SIZE, PAGE_SIZE));
			phys_write64(g, at, d);
		} else if ((d & 3) != D_TABLE) {
			die("arm64: %#llx is already mapped by a block",
			    (unsigned long long)va);
		}
		table = dec_addr(d);
	}
	phys_write64(g, table + index_at(va, leaf_lv) * 8,
		     enc_addr(pa) | attrs |
		     (shift == A.ps ? D_TABLE : D_BLOCK));
}

static bool is_text(struct gen *g, uint64_t va)
{
	const struct gen_layout *l = gen_layout(g);

	return va >= A.kimage_vaddr + l->kaslr &&
	       va - (A.kimage_vaddr + l->kaslr) < l->kimage_size;
}

static void a64_map(struct gen *g, uint64_t va, uint64_t pa, uint64_t size,
		    uint64_t leaf)
{
	unsigned shift = (unsigned)__builtin_ctzll(leaf);
	uint64_t off;

	for (off = 0; off < size; off += leaf)
		map_one(g, va + off, pa + off, shift,
			leaf_attrs(is_text(g, va + off)));
}

/* The linear map of one memblock region: the largest leaf that the
 * region's alignment allows, as __create_pgd_mapping() picks them (PUD
 * blocks only with 4K pages: pud_sect_supported()), page by page with
 * rodata=full ("linear page"), the contiguous hint over aligned runs of
 * CONT_PTES / CONT_PMDS entries ("linear cont"). */
static void a64_map_ram(struct gen *g, uint64_t pa, uint64_t size)
{
	const struct gen_layout *l = gen_layout(g);
	uint64_t end = pa + size, p = pa;
	unsigned pmd = A.ps + (A.ps - 3), pud = pmd + (A.ps - 3);

	if (!gen_pa_is_ram(g, pa - 1))
		gen_probe(g, gen_direct_va(g, pa - PAGE_SIZE) + 0x10, false, 0);
	if (!gen_pa_is_ram(g, end))
		gen_probe(g, gen_direct_va(g, end) + 0x10, false, 0);
	while (p < end) {
		unsigned shift = A.ps;
		uint64_t n = 1, k, attrs = leaf_attrs(false), ncont;

		if (l->linear != LIN_PAGE) {
			if (A.ps == 12 && !(p & ((1ull << pud) - 1)) &&
			    end - p >= 1ull << pud)
				shift = pud;
			else if (!(p & ((1ull << pmd) - 1)) &&
				 end - p >= 1ull << pmd)
				shift = pmd;
		}
		ncont = shift == A.ps ? A.ncont_pte : shift == pmd ? A.ncont_pmd : 1;
		if (l->linear == LIN_CONT && ncont > 1 &&
		    !(p & ((ncont << shift) - 1)) && end - p >= ncont << shift) {
			n = ncont;
			attrs |= D_CONT;
		}
		for (k = 0; k < n; k++, p += 1ull << shift)
			map_one(g, gen_direct_va(g, p), p, shift, attrs);
	}
}

/* Walk like a dump reader; a table naming itself counts as not mapped. */
static bool a64_translate(struct gen *g, uint64_t va, uint64_t *pa_ret,
			  uint64_t *leaf_ret)
{
	uint64_t table = gen_layout(g)->top_pa;
	unsigned lv;

	if ((va >> A.hw) != (~0ull >> A.hw))
		return false;
	for (lv = 0; lv < A.levels; lv++) {
		uint64_t d = phys_read64(g, table + index_at(va, lv) * 8);
		uint64_t next, mask = (1ull << A.shift[lv]) - 1;
		bool last = lv == A.levels - 1;

		if (!(d & D_VALID))
			return false;
		next = dec_addr(d);
		if (last || (d & 3) == D_BLOCK) {
			if ((d & 3) == D_BLOCK &&
			    (last || A.shift[lv] > A.max_block))
				return false;
			*pa_ret = (next & ~mask) + (va & mask);
			if (leaf_ret)
				*leaf_ret = mask + 1;
			return true;
		}
		if (next == table)
			return false;
		table = next;
	}
	return false;
}

static void a64_patch(struct gen *g, uint64_t va, unsigned level,
		      const char *what)
{
	const struct gen_layout *l = gen_layout(g);
	uint64_t table = l->top_pa, at, old, v;
	unsigned lv;

	if (level >= A.levels)
		die("arm64: level %u does not exist", level);
	for (lv = 0; lv < level; lv++) {
		uint64_t d = phys_read64(g, table + index_at(va, lv) * 8);

		if ((d & 3) != D_TABLE)
			die("pgtable patch: %#llx has no level-%u table",
			    (unsigned long long)va, level);
		table = dec_addr(d);
	}
	at = table + index_at(va, level) * 8;
	old = phys_read64(g, at);
	if (strcmp(what, "self") == 0) {
		v = table_desc(table);
	} else if (strcmp(what, "outside") == 0) {
		uint64_t far = (l->max_pa + SZ_2G) & ~(SZ_1G - 1);

		v = enc_addr(far) | (old & ~enc_addr(genmask(51, A.ps)));
		if (!(old & D_VALID))
			v |= D_TABLE;
	} else {
		char *end;

		v = strtoull(what, &end, 0);
		if (*end)
			die("pgtable patch: bad value '%s'", what);
	}
	phys_write64(g, at, v);
}

static uint64_t a64_image_va(struct gen *g, uint64_t pa)
{
	(void)g;
	return pa + A.kimage_voffset;
}

static uint64_t a64_kvbase(struct gen *g)
{
	(void)g;
	return ~0ull << A.hw;
}

static void a64_vmcoreinfo(struct gen *g, struct sbuf *sb)
{
	const struct gen_layout *l = gen_layout(g);
	const struct era *e = gen_era(g);
	unsigned v = e->version;

	/* arch_crash_save_vmcoreinfo(); the region bounds as in the real
	 * Debian 6.1 core (../shared/vmcores/arm64-balloon), VMALLOC_START
	 * generic since 6.9 */
	sb_printf(sb, "NUMBER(VA_BITS)=%u\n", A.va);
	if (v >= KV(6, 0, 0)) {
		sb_printf(sb, "NUMBER(MODULES_VADDR)=0x%llx\n",
			  (unsigned long long)A.modules_vaddr);
		sb_printf(sb, "NUMBER(MODULES_END)=0x%llx\n",
			  (unsigned long long)A.modules_end);
		if (!e->exp_vmalloc_start)
			sb_printf(sb, "NUMBER(VMALLOC_START)=0x%llx\n",
				  (unsigned long long)l->vmalloc_start);
		sb_printf(sb, "NUMBER(VMALLOC_END)=0x%llx\n",
			  (unsigned long long)A.vmalloc_end);
		sb_printf(sb, "NUMBER(VMEMMAP_START)=0x%llx\n",
			  (unsigned long long)A.vmemmap_start);
		sb_printf(sb, "NUMBER(VMEMMAP_END)=0x%llx\n",
			  (unsigned long long)A.vmemmap_end);
	}
	sb_printf(sb, "NUMBER(kimage_voffset)=0x%llx\n",
		  (unsigned long long)A.kimage_voffset);
	sb_printf(sb, "NUMBER(PHYS_OFFSET)=0x%llx\n",
		  (unsigned long long)A.phys_offset);
	if (v >= KV(5, 9, 0))
		sb_printf(sb, "NUMBER(TCR_EL1_T1SZ)=0x%x\n", 64 - A.hw);
	sb_printf(sb, "KERNELOFFSET=%llx\n", (unsigned long long)l->kaslr);
	if (v >= KV(5, 7, 0))
		sb_printf(sb, "NUMBER(KERNELPACMASK)=0x%llx\n",
			  (unsigned long long)A.pac_mask);
}

/* ---- layout ---- */

static bool va_ok(unsigned ps, unsigned va)
{
	switch (ps) {
	case 12: return va == 39 || va == 48 || va == 52;
	case 14: return va == 36 || va == 47 || va == 48 || va == 52;
	default: return va == 42 || va == 48 || va == 52;
	}
}

static void geometry(struct gen *g, const struct era *e)
{
	struct gen_layout *l = gen_layout(g);
	unsigned ps = A.ps, lv, top_va;

	A.va = l->va_bits;
	A.hw = l->hw_va_bits ? l->hw_va_bits : A.va;
	if (!va_ok(ps, A.va))
		die("arm64: VA_BITS %u is not a configuration with %llu-byte pages",
		    A.va, (unsigned long long)PAGE_SIZE);
	if (A.va == 52 && ps != 16 && e->version < KV(6, 9, 0))
		die("arm64: 52-bit VA with 4K/16K pages (LPA2) needs a 6.9+ era");
	if (A.va == 52 && e->version < KV(5, 4, 0))
		die("arm64: 52-bit kernel VA needs a 5.4+ era");
	if (A.hw != A.va) {
		/* a 52-bit kernel falls back to VA_BITS_MIN: 47 with 16K
		 * pages (LPA2 kernels fold a level), 48 otherwise */
		if (A.va != 52 || A.hw != (ps == 14 ? 47u : 48u))
			die("arm64: hw=%u: only a 52-bit kernel on 48-bit hardware (47 with 16K pages)",
			    A.hw);
		if (e->version < KV(5, 11, 0))
			die("arm64: a 52-bit kernel on 48-bit hardware needs a 5.11+ era (single linear-map offset)");
	}
	/* 52-bit PA: 64K pages (LPA, any VA) or 4K/16K with 52-bit VA */
	if (!l->pa_bits)
		l->pa_bits = A.va == 52 ? 52 : 48;
	if (l->pa_bits != 48 && l->pa_bits != 52)
		die("arm64: pa_bits 48 or 52");
	if (l->pa_bits == 52 && ps != 16 && A.va != 52)
		die("arm64: 52-bit PA with 4K/16K pages needs 52-bit VA (LPA2)");
	if (ps == 16)
		A.oa = l->pa_bits == 52 ? OA_LPA : OA_48;
	else
		A.oa = A.hw == 52 ? OA_LPA2 : OA_48;

	A.levels = levels_for(A.hw, ps);
	for (lv = 0; lv < A.levels; lv++) {
		A.shift[lv] = ps + (A.levels - 1 - lv) * (ps - 3);
		A.bits[lv] = ps - 3;
	}
	/* the top table: a 52-bit 64K kernel keeps its 52-bit table on
	 * 48-bit hardware (TTBR1 points into it); LPA2 kernels fold the
	 * top level instead (one level fewer) */
	top_va = levels_for(A.va, ps) == A.levels ? A.va : A.hw;
	A.bits[0] = top_va - A.shift[0];
	A.max_block = ps + (ps == 12 ? 2 : 1) * (ps - 3);
	if (A.oa != OA_48)
		A.max_block += ps - 3;
	/* contiguous runs: 16 x 4K / 128 x 16K / 32 x 64K PTEs; 16 x 2M /
	 * 32 x 32M / 32 x 512M PMDs */
	A.ncont_pte = ps == 12 ? 16 : ps == 14 ? 128 : 32;
	A.ncont_pmd = ps == 12 ? 16 : 32;
}

static void a64_setup(struct gen *g, struct era *e)
{
	struct gen_layout *l = gen_layout(g);
	unsigned ps = PAGE_SHIFT, vmin, vmemmap_shift = PAGE_SHIFT - 6;
	uint64_t page_end, po, vmemmap_size, lo, hi, lin_size;

	A.ps = ps;
	if (e->version < KV(4, 19, 0))
		die("arm64 eras start at 4.19 (kimage_voffset and VA_BITS exported since 4.12)");
	if (!l->va_bits)
		die("arm64: a va_bits line is needed");
	if (l->set_direct || l->set_vmemmap || l->paging != 4 || l->sme_mask)
		die("arm64: kaslr takes only text=; no paging or sme_mask");
	geometry(g, e);
	A.flipped = e->version >= KV(5, 4, 0);

	/* the era on arm64: no PG_uncached before PG_hwpoison (the real
	 * arm64 6.1 core exports PG_hwpoison=22, x86_64 23); free lists up
	 * to the PMD size with 16K and 64K pages (ARCH_FORCE_MAX_ORDER) */
	e->pg_hwpoison--;
	if (ps == 14)
		e->max_order = 12;
	else if (ps == 16)
		e->max_order = 14;
	/* SECTION_SIZE_BITS 30 before Linux commit f0b13ee23241 ("arm64/
	 * sparsemem: reduce SECTION_SIZE_BITS") in v5.12, then 27 / 29 */
	l->section_bits = e->version < KV(5, 12, 0) ? 30 : ps == 16 ? 29 : 27;
	l->max_physmem_bits = l->pa_bits;
	/* the vmemmap: PMD blocks with 4K pages, base pages otherwise
	 * (vmemmap_populate()) */
	l->vblk = ps == 12 ? SZ_2M : PAGE_SIZE;
	l->image_leaf = ps == 12 ? SZ_2M : PAGE_SIZE;
	l->stext_off = 0x10000;

	gen_ram_bounds(g, &lo, &hi);
	if (!l->set_memstart)
		l->memstart = lo & ~(SZ_1G - 1);
	if (l->memstart & ((1ull << l->section_bits) - 1))
		die("arm64: phys_offset must be section aligned");
	if (l->memstart > lo)
		die("arm64: phys_offset above the lowest RAM");

	if (A.flipped) {
		/* asm/memory.h since Linux commit 14c127c957c1 ("arm64:
		 * mm: Flip kernel VA space") in v5.4 */
		vmin = A.va > 48 ? (ps == 14 ? 47 : 48) : A.va;
		page_end = ~0ull << (vmin - 1);
		po = ~0ull << A.va;
		/* the BPF JIT region sat before the modules until v5.13 */
		A.modules_vaddr = page_end + (e->version < KV(5, 13, 0) ? SZ_128M : 0);
		/* MODULES_VSIZE 2G since v6.5 */
		A.modules_end = A.modules_vaddr +
				(e->version >= KV(6, 5, 0) ? SZ_2G : SZ_128M);
		vmemmap_size = (page_end - po) >> vmemmap_shift;
		if (e->version < KV(5, 11, 0))
			A.vmemmap_start = 0 - vmemmap_size - SZ_2M;
		else if (e->version < KV(6, 9, 0))
			A.vmemmap_start = ~0ull << (A.va - vmemmap_shift);
		else	/* VMEMMAP_END = -SZ_1G */
			A.vmemmap_start = 0 - SZ_1G - vmemmap_size;
		l->page_offset = ~0ull << A.hw;
		lin_size = page_end - l->page_offset;
	} else {
		/* VA_START = -(1 << VA_BITS), the linear map in the top half */
		uint64_t va_start = ~0ull << A.va;

		po = ~0ull << (A.va - 1);
		A.modules_vaddr = va_start + (e->version >= KV(5, 0, 0) ? SZ_128M : 0);
		A.modules_end = A.modules_vaddr + SZ_128M;
		vmemmap_size = 1ull << (A.va - ps - 1 + 6);
		A.vmemmap_start = po - vmemmap_size;
		l->page_offset = po;
		lin_size = 1ull << (A.va - 1);
	}
	A.vmemmap_end = A.vmemmap_start + vmemmap_size;
	A.vmalloc_end = A.vmemmap_start - SZ_256M;
	l->vmalloc_start = A.modules_end;
	A.kimage_vaddr = A.modules_end;
	if (hi - l->memstart > lin_size)
		die("arm64: RAM up to %#llx does not fit the %llu-bit linear map from phys_offset %#llx",
		    (unsigned long long)hi, A.hw - 1ull,
		    (unsigned long long)l->memstart);
	l->lm_phys = l->memstart;
	/* memstart_addr moves down when a 52-bit kernel runs with fewer
	 * bits, so that the constant PAGE_OFFSET still works (Linux commit
	 * 7bc1a0f9e176 in v5.11); it may wrap */
	A.phys_offset = l->memstart;
	if (A.flipped && A.hw != A.va)
		A.phys_offset -= (~0ull << A.hw) - (~0ull << A.va);
	/* vmemmap = VMEMMAP_START - (memstart_addr >> PAGE_SHIFT), s64 */
	l->vmemmap_base = A.vmemmap_start -
			  (uint64_t)((int64_t)A.phys_offset >> ps) * 64;
	if (l->vmemmap_base & (l->vblk - 1))
		die("arm64: the vmemmap is not aligned to its leaves (phys_offset)");
	A.kimage_voffset = A.kimage_vaddr + l->kaslr - l->kimage_pa;
	A.pac_mask = l->pac ? ~0ull << A.hw : 0;

	/* probes only this arch can name: an address of the 52-bit space
	 * on 48-bit hardware (with PAC in use it reads as a signed pointer,
	 * so only without), a pointer signed with PAC */
	if (A.hw < 52 && A.va == 52 && !A.pac_mask)
		gen_probe(g, (~0ull << 52) + 0x1234, false, 0);
	if (A.pac_mask) {
		uint64_t stext = l->kimage_pa + l->stext_off;
		uint64_t va = stext + A.kimage_voffset;

		gen_probe(g, (va & ~A.pac_mask) | (0xa5c3ull << 48 & A.pac_mask) |
			  1ull << 55, true, stext);
	}
}

const struct gen_arch gen_arch_arm64 = {
	.name		= "arm64",
	.e_machine	= EM_AARCH64_,
	.uts_machine	= "aarch64",
	.deb_arch	= "arm64",
	.prstatus_size	= 392,
	.setup		= a64_setup,
	.map		= a64_map,
	.map_ram	= a64_map_ram,
	.patch		= a64_patch,
	.translate	= a64_translate,
	.vmcoreinfo	= a64_vmcoreinfo,
	.kvbase		= a64_kvbase,
	.image_va	= a64_image_va,
};
