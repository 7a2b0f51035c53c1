/* mkvmcore_era.c: struct page layouts and VMCOREINFO texts per kernel era.
 *
 * Facts from ../shared/spec/page-classes.md (sections 4 and 5) and
 * vmcoreinfo.md (sections 3, 4 and 6); the offsets of 4.16 and 6.1 are
 * those of real VMCOREINFO notes.  Page-flag bit numbers follow the
 * kernel's enum pageflags of the era on x86_64; where a number varied with
 * the configuration we picked one value, and since every number is
 * exported the tool must use the exported one anyway.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkvmcore.h"

/* page_type words: ~flag with base 0xf0000000 (4.18-6.10), ~flag with
 * base 0x80000000 (6.11), PGTY_x << 24 (6.12+) */
#define BC(f)	((uint32_t)~(uint32_t)(f))
#define PGTY(x)	((uint32_t)(x) << 24)

/* flag numbers 4.16-6.9 (real 4.16 and 6.1 VMCOREINFO: lru 4, slab 9,
 * swapcache 10, private 13, head 16, swapbacked 19, hwpoison 23) */
#define FLAGS_416(slab, hugetlb) \
	.pg_lru = 4, .pg_active = 5, .pg_slab = (slab), \
	.pg_owner_priv_1 = 10, .pg_reserved = 12, .pg_private = 13, \
	.pg_head = 16, .pg_swapcache = 10, .pg_swapbacked = 19, \
	.pg_hwpoison = 23, .pg_buddy = -1, .pg_hugetlb = (hugetlb), \
	.pg_tail = -1
/* 6.12+: PG_head moved to bit 6, PG_error and PG_slab gone */
#define FLAGS_612 \
	.pg_lru = 5, .pg_active = 8, .pg_slab = -1, .pg_owner_priv_1 = 10, \
	.pg_reserved = 13, .pg_private = 14, .pg_head = 6, \
	.pg_swapcache = 10, .pg_swapbacked = 17, .pg_hwpoison = 21, \
	.pg_buddy = -1, .pg_hugetlb = -1, .pg_tail = -1
/* the struct page since the 4.18 rework: lru/compound_head 8,
 * mapping 24, index 32, private 40, _mapcount 48, _refcount 52 */
#define LAYOUT_418 \
	.sp_size = 64, .off_flags = 0, .off_lru = 8, .off_ch = 8, \
	.off_mapping = 24, .off_index = 32, .off_private = 40, \
	.off_mapcount = 48, .off_refcount = 52, .export_ch = true
/* x86_64 keys and sections of 5.x/6.x kernels */
#define MODERN \
	.max_order = 11, .ms_size = 32, .ms_pointer = true, \
	.exp_physmem_bits = true, .sec_online = true, .sec_early = true, \
	.init_top_pgt = true, .number_phys_base = true, .exp_l5 = true, \
	.exp_sme = true, .kaslr = true, .export_swapbacked = true, \
	.direct4 = 0xffff888000000000ull, .vmemmap4 = 0xffffea0000000000ull
/* page types of 5.x-6.10 (6.1 page-flags.h: buddy 0x80, offline 0x100,
 * table 0x200, guard 0x400; 6.9 hugetlb 0x800; 6.10 slab 0x1000) */
#define TYPES_510 \
	[PT_BUDDY] = BC(0x80), [PT_OFFLINE] = BC(0x100), \
	[PT_TABLE] = BC(0x200), [PT_GUARD] = BC(0x400)

static const struct era eras[] = {
	{
		/* PG_buddy is a real page flag (2.6.17-2.6.36); no
		 * compound_head (PG_tail), hugetlb through the destructor
		 * pointer, order in page[1].lru.prev, 56-byte struct page.
		 * The text is what "makedumpfile -g" writes from the
		 * vmlinux of such a kernel (keys the kernel itself did not
		 * export yet come from DWARF). */
		.name = "2.6.32", .osrelease = "2.6.32-5-amd64",
		.version = KV(2, 6, 32), .sp_size = 56,
		.off_flags = 0, .off_refcount = 8, .off_mapcount = 12,
		.off_private = 16, .off_mapping = 24, .off_index = 32,
		.off_lru = 40, .off_ch = -1, .refcount_is_count = true,
		.ord = OL_LRU_PREV, .off_dtor = -1, .off_order = -1,
		.hug = HM_DTOR_PTR,
		.pg_lru = 5, .pg_active = 6, .pg_slab = 7,
		.pg_owner_priv_1 = 8, .pg_reserved = 10, .pg_private = 11,
		.pg_head = 14, .pg_tail = 15, .pg_swapcache = 16,
		.pg_buddy = 19, .pg_swapbacked = 20, .pg_hwpoison = 24,
		.pg_hugetlb = -1, .export_pg_buddy = true,
		.ty = TY_MAPCOUNT, .tyv = { [PT_BALLOON_OLD] = 0 },
		.max_order = 11, .ms_size = 16,
		.direct4 = 0xffff880000000000ull,
		.vmemmap4 = 0xffffea0000000000ull,
	},
	{
		/* 4.9 LTS: buddy -128 in _mapcount, old struct page layout
		 * (mapping 8, _mapcount 24, lru/compound_head 32), compound
		 * dtor/order as unsigned int (64-bit) at page[1]+40/+44,
		 * KASLR of the memory regions, no SECTION_IS_ONLINE yet,
		 * init_level4_pgt and SYMBOL(phys_base) */
		.name = "4.9", .osrelease = "4.9.0-19-amd64",
		.version = KV(4, 9, 320), .sp_size = 64,
		.off_flags = 0, .off_mapping = 8, .off_index = 16,
		.off_mapcount = 24, .off_refcount = 28, .off_lru = 32,
		.off_ch = 32, .off_private = 48, .export_ch = true,
		.ord = OL_FIELD32, .off_dtor = 40, .off_order = 44,
		.hug = HM_DTOR, .hugetlb_dtor = 2,
		.pg_lru = 5, .pg_active = 6, .pg_slab = 7,
		.pg_owner_priv_1 = 8, .pg_reserved = 10, .pg_private = 11,
		.pg_head = 14, .pg_swapcache = 15, .pg_swapbacked = 18,
		.pg_hwpoison = 22, .pg_buddy = -1, .pg_hugetlb = -1,
		.pg_tail = -1,
		.ty = TY_MAPCOUNT,
		.tyv = { [PT_BUDDY] = (uint32_t)-128,
			 [PT_BALLOON_OLD] = (uint32_t)-256 },
		.max_order = 11, .ms_size = 16, .kaslr = true,
		.direct4 = 0xffff880000000000ull,
		.vmemmap4 = 0xffffea0000000000ull,
	},
	{
		/* 4.19 LTS: page_type (buddy -129), the reworked struct
		 * page, u8 dtor/order; PG_balloon (-257) is not exported */
		.name = "4.19", .osrelease = "4.19.0-27-amd64",
		.version = KV(4, 19, 316), LAYOUT_418,
		.ord = OL_FIELD8, .off_dtor = 16, .off_order = 17,
		.hug = HM_DTOR, .hugetlb_dtor = 2, FLAGS_416(9, -1),
		.ty = TY_BITCLEAR,
		.tyv = { [PT_BUDDY] = BC(0x80), [PT_BALLOON_OLD] = BC(0x100),
			 [PT_TABLE] = BC(0x400) },
		.max_order = 11, .ms_size = 32, .ms_pointer = true,
		.sec_online = true, .init_top_pgt = true,
		.number_phys_base = true, .exp_l5 = true, .kaslr = true,
		.export_swapbacked = true,
		.direct4 = 0xffff880000000000ull,
		.vmemmap4 = 0xffffea0000000000ull,
	},
	{
		/* 5.10 LTS: PG_offline -257 exported (only with
		 * CONFIG_HUGETLB_PAGE), MAX_PHYSMEM_BITS, SECTION_IS_EARLY;
		 * no NUMBER(SECTION_SIZE_BITS) yet */
		.name = "5.10", .osrelease = "5.10.0-32-amd64",
		.version = KV(5, 10, 223), LAYOUT_418,
		.ord = OL_FIELD8, .off_dtor = 16, .off_order = 17,
		.hug = HM_DTOR, .hugetlb_dtor = 2, FLAGS_416(9, -1),
		.ty = TY_BITCLEAR, .tyv = { TYPES_510 }, .exp_offline = true,
		MODERN,
	},
	{
		/* 6.1: the real Debian 6.1 layout; HVO fake heads */
		.name = "6.1", .osrelease = "6.1.0-56-amd64",
		.version = KV(6, 1, 192), LAYOUT_418,
		.ord = OL_FIELD8, .off_dtor = 16, .off_order = 17,
		.hug = HM_DTOR, .hugetlb_dtor = 2, FLAGS_416(9, -1),
		.ty = TY_BITCLEAR, .tyv = { TYPES_510 }, .exp_offline = true,
		MODERN, .exp_section_bits = true, .hvo_fake_heads = true,
	},
	{
		/* 6.4: dtor and order exported as folio._folio_dtor/_order
		 * (offsets from the folio, i.e. page[1] + 16/17) */
		.name = "6.4", .osrelease = "6.4.0-4-amd64",
		.version = KV(6, 4, 13), LAYOUT_418,
		.ord = OL_FIELD8, .off_dtor = 16, .off_order = 17,
		.folio_keys = true,
		.hug = HM_DTOR, .hugetlb_dtor = 2, FLAGS_416(9, -1),
		.ty = TY_BITCLEAR, .tyv = { TYPES_510 }, .exp_offline = true,
		MODERN, .exp_section_bits = true, .hvo_fake_heads = true,
	},
	{
		/* 6.6: PG_hugetlb in page[1].flags, the order in the low
		 * byte of page[1].flags (folio._flags_1); page[1] flags
		 * therefore live above bit 7 (PG_hugetlb aliases
		 * PG_writeback, 15) */
		.name = "6.6", .osrelease = "6.6.15-2-amd64",
		.version = KV(6, 6, 15), LAYOUT_418,
		.ord = OL_FLAGS1, .off_dtor = -1, .off_order = -1,
		.hug = HM_FLAG, FLAGS_416(9, 15),
		.ty = TY_BITCLEAR, .tyv = { TYPES_510 }, .exp_offline = true,
		MODERN, .exp_section_bits = true, .hvo_fake_heads = true,
	},
	{
		/* 6.9: hugetlb is a page type of the head (-2049);
		 * PG_offline exported unconditionally */
		.name = "6.9", .osrelease = "6.9.12-1-amd64",
		.version = KV(6, 9, 12), LAYOUT_418,
		.ord = OL_FLAGS1, .off_dtor = -1, .off_order = -1,
		.hug = HM_TYPE, FLAGS_416(9, -1),
		.ty = TY_BITCLEAR,
		.tyv = { TYPES_510, [PT_HUGETLB] = BC(0x800) },
		.exp_offline = true, .exp_offline_always = true,
		.exp_hugetlb_type = true,
		MODERN, .exp_section_bits = true, .hvo_fake_heads = true,
		.exp_vmalloc_start = true,
	},
	{
		/* 6.10: slab is a page type (-4097), PG_slab gone */
		.name = "6.10", .osrelease = "6.10.11-1-amd64",
		.version = KV(6, 10, 11), LAYOUT_418,
		.ord = OL_FLAGS1, .off_dtor = -1, .off_order = -1,
		.hug = HM_TYPE, FLAGS_416(-1, -1),
		.ty = TY_BITCLEAR,
		.tyv = { TYPES_510, [PT_HUGETLB] = BC(0x800),
			 [PT_SLAB] = BC(0x1000) },
		.exp_offline = true, .exp_offline_always = true,
		.exp_hugetlb_type = true, .exp_slab_type = true,
		MODERN, .exp_section_bits = true, .hvo_fake_heads = true,
		.exp_vmalloc_start = true,
	},
	{
		/* 6.11: type bits moved high (base 0x80000000), the low 16
		 * bits belong to the owner (zsmalloc uses them) */
		.name = "6.11", .osrelease = "6.11.10-1-amd64",
		.version = KV(6, 11, 10), LAYOUT_418,
		.ord = OL_FLAGS1, .off_dtor = -1, .off_order = -1,
		.hug = HM_TYPE, FLAGS_416(-1, -1),
		.ty = TY_BITCLEAR_HI,
		.tyv = { [PT_BUDDY] = BC(0x40000000),
			 [PT_OFFLINE] = BC(0x20000000),
			 [PT_TABLE] = BC(0x10000000),
			 [PT_GUARD] = BC(0x08000000),
			 [PT_HUGETLB] = BC(0x04000000),
			 [PT_SLAB] = BC(0x02000000),
			 [PT_ZSMALLOC] = BC(0x01000000) },
		.exp_offline = true, .exp_offline_always = true,
		.exp_hugetlb_type = true, .exp_slab_type = true,
		MODERN, .exp_section_bits = true, .hvo_fake_heads = true,
		.exp_vmalloc_start = true,
	},
	{
		/* 6.12: PGTY_* in the top byte */
		.name = "6.12", .osrelease = "6.12.38-1-amd64",
		.version = KV(6, 12, 38), LAYOUT_418,
		.ord = OL_FLAGS1, .off_dtor = -1, .off_order = -1,
		.hug = HM_TYPE, FLAGS_612,
		.ty = TY_PGTY,
		.tyv = { [PT_BUDDY] = PGTY(0xf0), [PT_OFFLINE] = PGTY(0xf1),
			 [PT_TABLE] = PGTY(0xf2), [PT_GUARD] = PGTY(0xf3),
			 [PT_HUGETLB] = PGTY(0xf4), [PT_SLAB] = PGTY(0xf5),
			 [PT_ZSMALLOC] = PGTY(0xf6) },
		.exp_offline = true, .exp_offline_always = true,
		.exp_hugetlb_type = true, .exp_slab_type = true,
		MODERN, .exp_section_bits = true, .hvo_fake_heads = true,
		.exp_vmalloc_start = true,
	},
	{
		/* 6.16: unaccepted memory (TDX/SNP) as PGTY_unaccepted */
		.name = "6.16", .osrelease = "6.16.3-1-amd64",
		.version = KV(6, 16, 3), LAYOUT_418,
		.ord = OL_FLAGS1, .off_dtor = -1, .off_order = -1,
		.hug = HM_TYPE, FLAGS_612,
		.ty = TY_PGTY,
		.tyv = { [PT_BUDDY] = PGTY(0xf0), [PT_OFFLINE] = PGTY(0xf1),
			 [PT_TABLE] = PGTY(0xf2), [PT_GUARD] = PGTY(0xf3),
			 [PT_HUGETLB] = PGTY(0xf4), [PT_SLAB] = PGTY(0xf5),
			 [PT_ZSMALLOC] = PGTY(0xf6),
			 [PT_UNACCEPTED] = PGTY(0xf7) },
		.exp_offline = true, .exp_offline_always = true,
		.exp_hugetlb_type = true, .exp_slab_type = true,
		.exp_unaccepted = true,
		MODERN, .exp_section_bits = true, .hvo_fake_heads = true,
		.exp_vmalloc_start = true,
	},
	{
		/* 7.1: compound_head renamed compound_info, tails hold a
		 * mask (head = tail address & mask); HVO without fake heads */
		.name = "7.1", .osrelease = "7.1.0-1-amd64",
		.version = KV(7, 1, 0), LAYOUT_418, .compound_info = true,
		.ord = OL_FLAGS1, .off_dtor = -1, .off_order = -1,
		.hug = HM_TYPE, FLAGS_612,
		.ty = TY_PGTY,
		.tyv = { [PT_BUDDY] = PGTY(0xf0), [PT_OFFLINE] = PGTY(0xf1),
			 [PT_TABLE] = PGTY(0xf2), [PT_GUARD] = PGTY(0xf3),
			 [PT_HUGETLB] = PGTY(0xf4), [PT_SLAB] = PGTY(0xf5),
			 [PT_ZSMALLOC] = PGTY(0xf6),
			 [PT_UNACCEPTED] = PGTY(0xf7) },
		.exp_offline = true, .exp_offline_always = true,
		.exp_hugetlb_type = true, .exp_slab_type = true,
		.exp_unaccepted = true,
		MODERN, .exp_section_bits = true,
		.exp_vmalloc_start = true,
	},
};

const struct era *era_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(eras) / sizeof(eras[0]); i++)
		if (strcmp(eras[i].name, name) == 0)
			return &eras[i];
	return NULL;
}

void era_list(void)
{
	size_t i;

	for (i = 0; i < sizeof(eras) / sizeof(eras[0]); i++)
		printf("%s%s", i ? " " : "", eras[i].name);
	printf("\n");
}

/* ---- struct page composition ---- */

void sp_set_u64(uint8_t *sp, int off, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		sp[off + i] = (uint8_t)(v >> (8 * i));
}

void sp_set_u32(uint8_t *sp, int off, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		sp[off + i] = (uint8_t)(v >> (8 * i));
}

uint64_t sp_get_u64(const uint8_t *sp, int off)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | sp[off + i];
	return v;
}

/* an unallocated page: node/zone bits in flags, refcount 0, _mapcount -1
 * (page_type "no type") */
void era_sp_blank(const struct era *e, uint8_t *sp, uint64_t zone_bits)
{
	memset(sp, 0, e->sp_size);
	sp_set_u64(sp, e->off_flags, zone_bits);
	sp_set_u32(sp, e->off_mapcount, 0xffffffffu);
}

void era_sp_flag(const struct era *e, uint8_t *sp, int bit)
{
	if (bit < 0)
		die("era %s has no such page flag", e->name);
	sp_set_u64(sp, e->off_flags, sp_get_u64(sp, e->off_flags) | (1ull << bit));
}

void era_sp_type(const struct era *e, uint8_t *sp, enum ptype t,
		 uint32_t low_bits)
{
	uint32_t w;

	if (t == PT_BUDDY && e->pg_buddy >= 0) {
		era_sp_flag(e, sp, e->pg_buddy);
		return;
	}
	w = e->tyv[t];
	if (!w)
		die("era %s has no page type %d", e->name, (int)t);
	if (e->ty == TY_PGTY)
		w |= low_bits & 0x00ffffffu;
	else if (e->ty == TY_BITCLEAR_HI)
		w = (w & 0xffff0000u) | (low_bits & 0xffffu);
	sp_set_u32(sp, e->off_mapcount, w);
}

/* A tail page of the compound page whose head struct page is at head_va:
 * compound_head = head + 1 (4.4-7.0), the mask of 7.1 (kernel
 * 8c846c879e22: head = tail address & compound_info), or PG_tail plus
 * first_page in private (< 4.4). */
void era_sp_tail(const struct era *e, uint8_t *sp, uint64_t head_va,
		 unsigned order)
{
	if (e->off_ch < 0) {
		era_sp_flag(e, sp, e->pg_tail);
		sp_set_u64(sp, e->off_private, head_va);
		return;
	}
	if (e->compound_info)
		sp_set_u64(sp, e->off_ch,
			   ~(((uint64_t)e->sp_size << order) - 1) | 1);
	else
		sp_set_u64(sp, e->off_ch, head_va + 1);
}

void era_sp_head(const struct era *e, uint8_t *sp0, uint8_t *sp1,
		 uint64_t head_va, unsigned order, bool hugetlb,
		 uint64_t free_huge_page)
{
	era_sp_flag(e, sp0, e->pg_head);
	era_sp_tail(e, sp1, head_va, order);
	switch (e->ord) {
	case OL_LRU_PREV:
		sp_set_u64(sp1, e->off_lru + 8, order);
		break;
	case OL_FIELD32:
		sp_set_u32(sp1, e->off_order, order);
		sp_set_u32(sp1, e->off_dtor, hugetlb ? (uint32_t)e->hugetlb_dtor : 1);
		break;
	case OL_FIELD8:
		sp1[e->off_order] = (uint8_t)order;
		sp1[e->off_dtor] = hugetlb ? (uint8_t)e->hugetlb_dtor : 1;
		break;
	case OL_FLAGS1:
		sp_set_u64(sp1, e->off_flags,
			   (sp_get_u64(sp1, e->off_flags) & ~0xffull) | order);
		break;
	}
	if (!hugetlb)
		return;
	switch (e->hug) {
	case HM_DTOR_PTR:
		sp_set_u64(sp1, e->off_lru, free_huge_page);
		break;
	case HM_DTOR:
		break;		/* written with the order above */
	case HM_FLAG:
		era_sp_flag(e, sp1, e->pg_hugetlb);
		break;
	case HM_TYPE:
		era_sp_type(e, sp0, PT_HUGETLB, 0);
		break;
	}
}

/* ---- VMCOREINFO ---- */

static int32_t s32(uint32_t v)
{
	return (int32_t)v;
}

void era_vmcoreinfo(struct gen *g, struct sbuf *sb, bool hugetlb_config,
		    uint64_t sym_mem_section, unsigned nr_roots,
		    uint64_t sym_uts, uint64_t sym_stext,
		    uint64_t sym_node_online_map, uint64_t sym_free_huge_page)
{
	const struct era *e = gen_era(g);
	const struct gen_layout *l = gen_layout(g);
	unsigned v = e->version;

	sb_printf(sb, "OSRELEASE=%s\n", e->osrelease);
	if (v >= KV(5, 9, 0))
		sb_printf(sb, "BUILD-ID=%s\n",
			  "6d6b766d636f726567656e657261746f72000001");
	sb_printf(sb, "PAGESIZE=4096\n");
	sb_printf(sb, "SYMBOL(init_uts_ns)=%llx\n", (unsigned long long)sym_uts);
	if (v >= KV(5, 11, 0))
		sb_printf(sb, "OFFSET(uts_namespace.name)=0\n");
	sb_printf(sb, "SYMBOL(node_online_map)=%llx\n",
		  (unsigned long long)sym_node_online_map);
	sb_printf(sb, "SYMBOL(swapper_pg_dir)=%llx\n", (unsigned long long)l->top_va);
	sb_printf(sb, "SYMBOL(_stext)=%llx\n", (unsigned long long)sym_stext);
	sb_printf(sb, "SYMBOL(mem_section)=%llx\n", (unsigned long long)sym_mem_section);
	sb_printf(sb, "LENGTH(mem_section)=%u\n", nr_roots);
	sb_printf(sb, "SIZE(mem_section)=%u\n", e->ms_size);
	sb_printf(sb, "OFFSET(mem_section.section_mem_map)=0\n");
	if (e->exp_section_bits)
		sb_printf(sb, "NUMBER(SECTION_SIZE_BITS)=27\n");
	if (e->exp_physmem_bits)
		sb_printf(sb, "NUMBER(MAX_PHYSMEM_BITS)=%u\n",
			  l->paging == 5 ? 52 : 46);
	sb_printf(sb, "SIZE(page)=%u\n", e->sp_size);
	sb_printf(sb, "SIZE(pglist_data)=174208\nSIZE(zone)=1536\n"
		  "SIZE(free_area)=88\nSIZE(list_head)=16\n"
		  "SIZE(nodemask_t)=%u\n", v >= KV(4, 19, 0) ? 128 : 8);
	sb_printf(sb, "OFFSET(page.flags)=%d\n", e->off_flags);
	sb_printf(sb, "OFFSET(page.%s)=%d\n",
		  e->refcount_is_count ? "_count" : "_refcount", e->off_refcount);
	sb_printf(sb, "OFFSET(page.mapping)=%d\n", e->off_mapping);
	sb_printf(sb, "OFFSET(page.lru)=%d\n", e->off_lru);
	sb_printf(sb, "OFFSET(page._mapcount)=%d\n", e->off_mapcount);
	sb_printf(sb, "OFFSET(page.private)=%d\n", e->off_private);
	if ((e->ord == OL_FIELD32 || e->ord == OL_FIELD8) && !e->folio_keys) {
		sb_printf(sb, "OFFSET(page.compound_dtor)=%d\n", e->off_dtor);
		sb_printf(sb, "OFFSET(page.compound_order)=%d\n", e->off_order);
	}
	if (e->export_ch)
		sb_printf(sb, "OFFSET(page.%s)=%d\n",
			  e->compound_info ? "compound_info" : "compound_head",
			  e->off_ch);
	sb_printf(sb, "OFFSET(pglist_data.node_zones)=0\n"
		  "OFFSET(pglist_data.nr_zones)=171552\n"
		  "OFFSET(pglist_data.node_start_pfn)=171560\n"
		  "OFFSET(pglist_data.node_spanned_pages)=171576\n"
		  "OFFSET(pglist_data.node_id)=171584\n"
		  "OFFSET(zone.free_area)=256\nOFFSET(zone.vm_stat)=1344\n"
		  "OFFSET(zone.spanned_pages)=144\n"
		  "OFFSET(free_area.free_list)=0\n"
		  "OFFSET(list_head.next)=0\nOFFSET(list_head.prev)=8\n");
	if (e->folio_keys) {
		sb_printf(sb, "OFFSET(folio._folio_dtor)=%d\n",
			  e->sp_size + e->off_dtor);
		sb_printf(sb, "OFFSET(folio._folio_order)=%d\n",
			  e->sp_size + e->off_order);
	}
	sb_printf(sb, "LENGTH(zone.free_area)=%u\n", e->max_order);
	sb_printf(sb, "LENGTH(free_area.free_list)=%u\n",
		  v >= KV(5, 0, 0) ? 5u : 6u);
	sb_printf(sb, "NUMBER(NR_FREE_PAGES)=0\n");
	sb_printf(sb, "NUMBER(PG_lru)=%d\n", e->pg_lru);
	sb_printf(sb, "NUMBER(PG_private)=%d\n", e->pg_private);
	sb_printf(sb, "NUMBER(PG_swapcache)=%d\n", e->pg_swapcache);
	if (e->export_swapbacked)
		sb_printf(sb, "NUMBER(PG_swapbacked)=%d\n", e->pg_swapbacked);
	if (e->pg_slab >= 0)
		sb_printf(sb, "NUMBER(PG_slab)=%d\n", e->pg_slab);
	if (e->export_pg_buddy)
		sb_printf(sb, "NUMBER(PG_buddy)=%d\n", e->pg_buddy);
	sb_printf(sb, "NUMBER(PG_hwpoison)=%d\n", e->pg_hwpoison);
	sb_printf(sb, "NUMBER(PG_head_mask)=%llu\n", 1ull << e->pg_head);
	if (e->tyv[PT_BUDDY])
		sb_printf(sb, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=%d\n",
			  s32(e->tyv[PT_BUDDY]));
	if (e->exp_hugetlb_type)
		sb_printf(sb, "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=%d\n",
			  s32(e->tyv[PT_HUGETLB]));
	if (hugetlb_config && e->hug == HM_DTOR)
		sb_printf(sb, "NUMBER(HUGETLB_PAGE_DTOR)=%d\n", e->hugetlb_dtor);
	if (e->exp_offline_always || (e->exp_offline && hugetlb_config))
		sb_printf(sb, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=%d\n",
			  s32(e->tyv[PT_OFFLINE]));
	if (hugetlb_config && e->hug == HM_FLAG)
		sb_printf(sb, "NUMBER(PG_hugetlb)=%d\n", e->pg_hugetlb);
	if (e->exp_slab_type)
		sb_printf(sb, "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=%d\n",
			  s32(e->tyv[PT_SLAB]));
	if (e->exp_unaccepted)
		sb_printf(sb, "NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=%d\n",
			  s32(e->tyv[PT_UNACCEPTED]));
	if (e->hug == HM_DTOR_PTR && hugetlb_config)
		sb_printf(sb, "SYMBOL(free_huge_page)=%llx\n",
			  (unsigned long long)sym_free_huge_page);
	if (e->exp_vmalloc_start)
		sb_printf(sb, "NUMBER(VMALLOC_START)=0x%llx\n",
			  (unsigned long long)(l->paging == 5 ?
					       0xffa0000000000000ull :
					       0xffffc90000000000ull));
}
