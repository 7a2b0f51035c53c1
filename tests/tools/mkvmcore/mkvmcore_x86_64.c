/* mkvmcore_x86_64.c: the x86_64 address space of a generated vmcore.
 *
 * 4- and 5-level page tables built the way the kernel builds its own
 * (../shared/spec/x86_64.md): the top table init_top_pgt lives in the
 * kernel image, the image is mapped at __START_KERNEL_map + KERNELOFFSET
 * with 2 MiB pages, the direct map at page_offset_base with 1 GiB pages,
 * the vmemmap at vmemmap_base with 2 MiB or 4 KiB pages.  Table pages come
 * from the memblock area.  Another architecture adds its own file with a
 * struct gen_arch.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkvmcore.h"

#define START_KERNEL_MAP	0xffffffff80000000ull
#define P_PRESENT	(1ull << 0)
#define P_RW		(1ull << 1)
#define P_ACCESSED	(1ull << 5)
#define P_DIRTY		(1ull << 6)
#define P_PSE		(1ull << 7)
#define P_GLOBAL	(1ull << 8)
#define P_NX		(1ull << 63)
#define ENTRY_MASK	0x000ffffffffff000ull
#define TABLE_FLAGS	(P_PRESENT | P_RW | P_ACCESSED | P_DIRTY)
#define LEAF_FLAGS	(P_PRESENT | P_RW | P_ACCESSED | P_DIRTY | P_GLOBAL)

static unsigned nlevels(struct gen *g)
{
	return gen_layout(g)->paging == 5 ? 5 : 4;
}

/* lowest vaddr bit of the index of level i (0 = top) */
static unsigned lv_shift(struct gen *g, unsigned i)
{
	return 12 + 9 * (nlevels(g) - 1 - i);
}

static void x86_setup(struct gen *g)
{
	struct gen_layout *l = gen_layout(g);
	const struct era *e = gen_era(g);

	if (l->paging != 4 && l->paging != 5)
		die("x86_64 paging must be 4 or 5 levels");
	if (l->paging == 5 && e->version < KV(4, 17, 0))
		die("5-level paging needs a 4.17+ era");
	if (!l->set_direct)
		l->page_offset = l->paging == 5 ?
			(e->version >= KV(4, 20, 0) ? 0xff11000000000000ull :
			 0xff10000000000000ull) : e->direct4;
	if (!l->set_vmemmap)
		l->vmemmap_base = l->paging == 5 ? 0xffd4000000000000ull :
				  e->vmemmap4;
	if (l->kaslr && !e->kaslr)
		die("era %s has no KASLR", e->name);
	/* _stext is linked at __START_KERNEL_map + 16 MiB and moved by
	 * KERNELOFFSET; phys_base makes __pa(_stext) the load address */
	l->phys_base = l->kimage_pa - (0x1000000ull + l->kaslr);
}

static uint64_t image_va(struct gen *g, uint64_t pa)
{
	const struct gen_layout *l = gen_layout(g);

	return pa - l->phys_base + START_KERNEL_MAP;
}

static uint64_t entry_addr(struct gen *g, uint64_t ent)
{
	return ent & ENTRY_MASK & ~gen_layout(g)->sme_mask;
}

static void x86_map_one(struct gen *g, uint64_t va, uint64_t pa,
			uint64_t leaf)
{
	const struct gen_layout *l = gen_layout(g);
	unsigned n = nlevels(g), i, leaf_lv;
	uint64_t table = l->top_pa;

	switch (leaf) {
	case 1ull << 12: leaf_lv = n - 1; break;
	case 1ull << 21: leaf_lv = n - 2; break;
	case 1ull << 30: leaf_lv = n - 3; break;
	default: die("x86_64: no %llu-byte pages", (unsigned long long)leaf);
	}
	if (pa & (leaf - 1) || va & (leaf - 1))
		die("x86_64: unaligned %llu-byte mapping %#llx -> %#llx",
		    (unsigned long long)leaf, (unsigned long long)va,
		    (unsigned long long)pa);
	for (i = 0; i < leaf_lv; i++) {
		uint64_t at = table + ((va >> lv_shift(g, i)) & 511) * 8;
		uint64_t ent = phys_read64(g, at);

		if (!(ent & P_PRESENT)) {
			uint64_t t = palloc(g, PAGE_SIZE, PAGE_SIZE);

			ent = t | TABLE_FLAGS | l->sme_mask;
			phys_write64(g, at, ent);
		} else if (ent & P_PSE && i > 0) {
			die("x86_64: %#llx is already mapped by a large page",
			    (unsigned long long)va);
		}
		table = entry_addr(g, ent);
	}
	phys_write64(g, table + ((va >> lv_shift(g, leaf_lv)) & 511) * 8,
		     pa | LEAF_FLAGS | (leaf > PAGE_SIZE ? P_PSE : 0) |
		     l->sme_mask | (va >= START_KERNEL_MAP ? 0 : P_NX));
}

static void x86_map(struct gen *g, uint64_t va, uint64_t pa, uint64_t size,
		    uint64_t leaf)
{
	uint64_t off;

	for (off = 0; off < size; off += leaf)
		x86_map_one(g, va + off, pa + off, leaf);
}

/* Walk like a dump reader would, but refuse a table that names itself
 * (the tool under test must do the same); *leaf_ret: the leaf size. */
static bool walk(struct gen *g, uint64_t va, uint64_t *pa_ret,
		 uint64_t *leaf_ret)
{
	const struct gen_layout *l = gen_layout(g);
	unsigned n = nlevels(g), i;
	uint64_t table = l->top_pa;

	for (i = 0; i < n; i++) {
		uint64_t ent = phys_read64(g, table + ((va >> lv_shift(g, i)) & 511) * 8);
		unsigned sh = lv_shift(g, i);
		uint64_t next;

		if (!(ent & P_PRESENT))
			return false;
		next = entry_addr(g, ent);
		if (i == n - 1 || ((i == n - 2 || i == n - 3) && (ent & P_PSE))) {
			next &= ~((1ull << sh) - 1);
			*pa_ret = next + (va & ((1ull << sh) - 1));
			if (leaf_ret)
				*leaf_ret = 1ull << sh;
			return true;
		}
		if (next == table)
			return false;
		table = next;
	}
	return false;
}

static bool x86_translate(struct gen *g, uint64_t va, uint64_t *pa,
			  uint64_t *leaf_ret)
{
	return walk(g, va, pa, leaf_ret);
}

static void x86_patch(struct gen *g, uint64_t va, unsigned level,
		      const char *what)
{
	const struct gen_layout *l = gen_layout(g);
	uint64_t table = l->top_pa, at, old, v;
	unsigned i;

	if (level >= nlevels(g))
		die("x86_64: level %u does not exist", level);
	for (i = 0; i < level; i++) {
		uint64_t ent = phys_read64(g, table + ((va >> lv_shift(g, i)) & 511) * 8);

		if (!(ent & P_PRESENT) || (i > 0 && (ent & P_PSE)))
			die("pgtable patch: %#llx has no level-%u table",
			    (unsigned long long)va, level);
		table = entry_addr(g, ent);
	}
	at = table + ((va >> lv_shift(g, level)) & 511) * 8;
	old = phys_read64(g, at);
	if (strcmp(what, "self") == 0) {
		v = table | TABLE_FLAGS | l->sme_mask;
	} else if (strcmp(what, "outside") == 0) {
		/* far beyond any memory of the dump, same entry kind */
		uint64_t far = (l->max_pa + (1ull << 31)) & ~((1ull << 30) - 1);

		v = far | (old & ~ENTRY_MASK) | l->sme_mask;
		if (!(old & P_PRESENT))
			v |= TABLE_FLAGS;
	} else {
		char *end;

		v = strtoull(what, &end, 0);
		if (*end)
			die("pgtable patch: bad value '%s'", what);
	}
	phys_write64(g, at, v);
}

static void x86_vmcoreinfo(struct gen *g, struct sbuf *sb)
{
	const struct gen_layout *l = gen_layout(g);
	const struct era *e = gen_era(g);

	if (e->number_phys_base)
		sb_printf(sb, "NUMBER(phys_base)=%lld\n", (long long)l->phys_base);
	sb_printf(sb, "SYMBOL(%s)=%llx\n",
		  e->init_top_pgt ? "init_top_pgt" : "init_level4_pgt",
		  (unsigned long long)l->top_va);
	if (e->exp_l5)
		sb_printf(sb, "NUMBER(pgtable_l5_enabled)=%d\n", l->paging == 5);
	if (e->kaslr)
		sb_printf(sb, "KERNELOFFSET=%llx\n", (unsigned long long)l->kaslr);
	if (e->version >= KV(4, 14, 0))
		sb_printf(sb, "NUMBER(KERNEL_IMAGE_SIZE)=%llu\n",
			  e->kaslr ? 1073741824ull : 536870912ull);
	if (e->exp_sme)
		sb_printf(sb, "NUMBER(sme_mask)=%llu\n",
			  (unsigned long long)l->sme_mask);
}

static uint64_t x86_kvbase(struct gen *g)
{
	return gen_layout(g)->paging == 5 ? 0xff00000000000000ull :
	       0xffff800000000000ull;
}

const struct gen_arch gen_arch_x86_64 = {
	.name		= "x86_64",
	.e_machine	= EM_X86_64,
	.setup		= x86_setup,
	.map		= x86_map,
	.patch		= x86_patch,
	.translate	= x86_translate,
	.vmcoreinfo	= x86_vmcoreinfo,
	.kvbase		= x86_kvbase,
	.image_va	= image_va,
};
