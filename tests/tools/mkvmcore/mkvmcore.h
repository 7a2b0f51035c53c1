/* mkvmcore.h: the test-time vmcore generator (tests/tools/mkvmcore/).
 *
 * mkvmcore reads a text fixture (fixtures/vmcore/<case>.txt, format in
 * fixtures/vmcore/README.md) and writes a sparse ELF vmcore whose kernel
 * memory image is consistent (VMCOREINFO, page tables, mem_section,
 * vmemmap, struct pages, page contents) plus a ground-truth file naming
 * every pfn's class.  It shares no code with the tool it tests.
 *
 * Files: mkvmcore.c (fixture, memory model, ground truth, ELF),
 * mkvmcore_era.c (struct page layouts and VMCOREINFO per kernel era),
 * mkvmcore_x86_64.c (address space and page tables; other arches add a
 * file with their own struct gen_arch).
 */
#ifndef MKVMCORE_H
#define MKVMCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	4096ull
#define KV(a, b, c)	(((a) << 16) | ((b) << 8) | (c))

struct gen;

/* ------------------------------------------------------------------ */
/* growable text buffer */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sb_printf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* fatal error: prints "mkvmcore: <fixture>:<line>: msg" and exits 2 */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ------------------------------------------------------------------ */
/* kernel eras: struct page layout and VMCOREINFO (mkvmcore_era.c) */

enum ord_loc {
	OL_LRU_PREV,	/* < 4.4: page[1].lru.prev (unsigned long) */
	OL_FIELD32,	/* 4.4-4.15 on 64-bit: unsigned int fields */
	OL_FIELD8,	/* 4.16-6.5: unsigned char fields */
	OL_FLAGS1,	/* 6.6+: low byte of page[1].flags */
};

enum hug_mark {
	HM_DTOR_PTR,	/* < 4.4: page[1].lru.next == free_huge_page */
	HM_DTOR,	/* 4.4-6.5: page[1] dtor field == HUGETLB_PAGE_DTOR */
	HM_FLAG,	/* 6.6-6.8: PG_hugetlb in page[1].flags */
	HM_TYPE,	/* 6.9+: page type of the head */
};

enum ty_enc {
	TY_MAPCOUNT,	/* <= 4.17: _mapcount holds a marker value */
	TY_BITCLEAR,	/* 4.18-6.10: base 0xf0000000, a type clears a bit */
	TY_BITCLEAR_HI,	/* 6.11: base 0x80000000, high bits */
	TY_PGTY,	/* 6.12+: PGTY_* in the top byte */
};

/* page types a struct page can carry */
enum ptype {
	PT_NONE, PT_BUDDY, PT_OFFLINE, PT_TABLE, PT_GUARD, PT_HUGETLB,
	PT_SLAB, PT_ZSMALLOC, PT_UNACCEPTED, PT_BALLOON_OLD, PT_NTYPES
};

struct era {
	const char *name;		/* "6.1" */
	const char *osrelease;
	unsigned version;		/* KV() */
	unsigned sp_size;		/* SIZE(page) */
	int off_flags, off_lru, off_ch, off_mapping, off_index, off_private;
	int off_mapcount, off_refcount;
	bool refcount_is_count;		/* OFFSET(page._count) (< 4.6) */
	bool export_ch;			/* OFFSET(page.compound_head) */
	bool compound_info;		/* 7.1: renamed, mask encoding */
	enum ord_loc ord;
	int off_dtor, off_order;	/* inside page[1] */
	bool folio_keys;		/* 6.3-6.5: OFFSET(folio._folio_*) */
	enum hug_mark hug;
	int hugetlb_dtor;
	/* page flag bit numbers, -1 if the era has none */
	int pg_lru, pg_active, pg_slab, pg_owner_priv_1, pg_reserved;
	int pg_private, pg_head, pg_swapcache, pg_swapbacked, pg_hwpoison;
	int pg_buddy, pg_hugetlb, pg_tail;
	bool export_swapbacked, export_pg_buddy;
	enum ty_enc ty;
	uint32_t tyv[PT_NTYPES];	/* _mapcount/page_type word per type */
	bool exp_offline;		/* exported when CONFIG_HUGETLB_PAGE */
	bool exp_offline_always;	/* 6.9+: exported unconditionally */
	bool exp_hugetlb_type, exp_slab_type, exp_unaccepted;
	unsigned max_order;		/* LENGTH(zone.free_area) */
	unsigned ms_size;		/* SIZE(mem_section) */
	bool ms_pointer;		/* 4.15+: root array is allocated */
	bool exp_section_bits, exp_physmem_bits;
	bool sec_online, sec_early;
	bool hvo_fake_heads;		/* 5.18-7.0 */
	/* x86_64 */
	bool init_top_pgt, number_phys_base, exp_l5, exp_sme, kaslr;
	bool exp_vmalloc_start;
	uint64_t direct4, vmemmap4;	/* default bases, 4-level */
};

const struct era *era_find(const char *name);
void era_list(void);

/* ------------------------------------------------------------------ */
/* the memory image */

/** Writable 4 KiB page of physical memory at pa (page aligned); zeroed
 * when first touched.  Pages never touched stay holes in the file. */
uint8_t *phys_page(struct gen *g, uint64_t pa);
void phys_write(struct gen *g, uint64_t pa, const void *buf, size_t len);
uint64_t phys_read64(struct gen *g, uint64_t pa);
void phys_write64(struct gen *g, uint64_t pa, uint64_t v);
/** Allocate from the kernel's memblock area (zeroed, never freed). */
uint64_t palloc(struct gen *g, uint64_t size, uint64_t align);

/* ------------------------------------------------------------------ */
/* architectures: address space, page tables, arch VMCOREINFO keys */

struct gen_arch {
	const char *name;
	unsigned e_machine;
	/* fill g's default bases and image placement for the paging mode */
	void (*setup)(struct gen *g);
	/* map [va, va + size) to pa with leaves of leaf bytes */
	void (*map)(struct gen *g, uint64_t va, uint64_t pa, uint64_t size,
		    uint64_t leaf);
	/* hostile patch of the entry at level (0 = top) that maps va:
	 * "self" (the table's own address), "outside" or a raw value */
	void (*patch)(struct gen *g, uint64_t va, unsigned level,
		      const char *what);
	/* translate va through the built tables like a dump reader (a table
	 * that names itself counts as not mapped); *leaf_ret: size of the
	 * page that maps va.  false if not mapped. */
	bool (*translate)(struct gen *g, uint64_t va, uint64_t *pa,
			  uint64_t *leaf_ret);
	/* virtual address of a physical address inside the kernel image */
	uint64_t (*image_va)(struct gen *g, uint64_t pa);
	/* append the arch's VMCOREINFO lines */
	void (*vmcoreinfo)(struct gen *g, struct sbuf *sb);
	/* lowest kernel virtual address (for "bad pointer" values) */
	uint64_t (*kvbase)(struct gen *g);
};

extern const struct gen_arch gen_arch_x86_64;

/* what the arch files may read of the generator state */
struct gen_layout {
	unsigned paging;		/* 4 or 5 levels (x86_64) */
	uint64_t page_offset;		/* direct map base */
	uint64_t vmemmap_base;
	uint64_t kaslr;			/* KERNELOFFSET */
	uint64_t kimage_pa;		/* physical address of _stext */
	uint64_t kimage_size;
	uint64_t phys_base;		/* derived */
	uint64_t sme_mask;
	uint64_t top_pa;		/* physical address of the top table */
	uint64_t top_va;		/* its kernel-image virtual address */
	uint64_t max_pa;		/* end of the highest RAM/PT_LOAD */
	bool set_direct, set_vmemmap;	/* fixture gave the base */
};

struct gen_layout *gen_layout(struct gen *g);
const struct era *gen_era(struct gen *g);

/* shared helpers for the era file */
void sp_set_u64(uint8_t *sp, int off, uint64_t v);
void sp_set_u32(uint8_t *sp, int off, uint32_t v);
uint64_t sp_get_u64(const uint8_t *sp, int off);

/* struct page composition (mkvmcore_era.c) */
void era_sp_blank(const struct era *e, uint8_t *sp, uint64_t zone_bits);
void era_sp_flag(const struct era *e, uint8_t *sp, int bit);
void era_sp_type(const struct era *e, uint8_t *sp, enum ptype t,
		 uint32_t low_bits);
void era_sp_tail(const struct era *e, uint8_t *sp, uint64_t head_va,
		 unsigned order);
/* page[0] and page[1] of a compound page of order; hugetlb marks it */
void era_sp_head(const struct era *e, uint8_t *sp0, uint8_t *sp1,
		 uint64_t head_va, unsigned order, bool hugetlb,
		 uint64_t free_huge_page);
/* VMCOREINFO text of the era; arch lines appended by the caller */
void era_vmcoreinfo(struct gen *g, struct sbuf *sb, bool hugetlb_config,
		    uint64_t sym_mem_section, unsigned nr_roots,
		    uint64_t sym_uts, uint64_t sym_stext,
		    uint64_t sym_node_online_map, uint64_t sym_free_huge_page);

#endif
