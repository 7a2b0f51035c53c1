/* classify.h: stage 5, struct page bytes + dump level -> page class.
 *
 * page_layout_init() resolves every kernel-version question once (which
 * markers exist, how page_type is encoded, where the compound order lives)
 * from VMCOREINFO; classify_page() then does no I/O and no version tests.
 * Rules: ../shared/spec/page-classes.md sections 2 and 4.
 */
#ifndef CLASSIFY_H
#define CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "mdf_err.h"
#include "vmcoreinfo.h"

/** Exclusive classes, in makedumpfile's first-match order (-d bits). */
enum page_class {
	PC_KEEP = 0,		/* dumped */
	PC_ZERO,		/* -d 1, decided on content, not here */
	PC_CACHE,		/* -d 2|4: page cache without PG_private */
	PC_CACHE_PRIVATE,	/* -d 4: page cache with PG_private */
	PC_USER,		/* -d 8: anon and hugetlb */
	PC_FREE,		/* -d 16: buddy free, unaccepted */
	PC_HWPOISON,		/* always, never read */
	PC_OFFLINE,		/* always, never read */
	PC_NCLASSES
};

/* dump level bits (cli.md section 4) */
enum {
	DL_EXCLUDE_ZERO = 1,
	DL_EXCLUDE_CACHE = 2,
	DL_EXCLUDE_CACHE_PRI = 4,
	DL_EXCLUDE_USER_DATA = 8,
	DL_EXCLUDE_FREE = 16,
	DL_MAX = 31,
};

/* what a struct page says, independent of the dump level */
enum {
	PI_TAIL		= 1u << 0,	/* tail of a compound page (or HVO fake head) */
	PI_HEAD		= 1u << 1,	/* compound head with a valid order */
	PI_BUDDY	= 1u << 2,	/* heads a free block of 2^buddy_order */
	PI_UNACCEPTED	= 1u << 3,	/* heads an unaccepted block */
	PI_CACHE	= 1u << 4,	/* page cache, not anon */
	PI_PRIVATE	= 1u << 5,	/* PG_private */
	PI_ANON		= 1u << 6,	/* anonymous (not slab) */
	PI_HUGETLB	= 1u << 7,	/* hugetlb head */
	PI_HWPOISON	= 1u << 8,
	PI_OFFLINE	= 1u << 9,	/* PageOffline */
	PI_SLAB		= 1u << 10,
	PI_FAKE_HEAD	= 1u << 11,	/* HVO alias of a head (also PI_TAIL) */
	PI_BAD_ORDER	= 1u << 12,	/* anomaly: impossible compound order */
	PI_BAD_BUDDY	= 1u << 13,	/* anomaly: impossible free order */
	PI_POISONED	= 1u << 14,	/* anomaly: flags == PAGE_POISON_PATTERN */
};

struct page_info {
	uint32_t bits;		/* PI_* */
	uint8_t order;		/* compound order if PI_HEAD */
	uint8_t buddy_order;	/* if PI_BUDDY / PI_UNACCEPTED */
};

enum order_loc {
	ORDER_NONE,		/* unknown: compound pages count as order 0 */
	ORDER_FIELD,		/* page[1] + order_off, order_width bytes */
	ORDER_FLAGS_BYTE,	/* 6.6+: low byte of page[1].flags */
};

enum hugetlb_test {
	HUGETLB_NONE,
	HUGETLB_DTOR,		/* page[1] + dtor_off (width) == dtor value */
	HUGETLB_DTOR_PTR,	/* < 4.4: page[1].lru.next == free_huge_page */
	HUGETLB_FLAG,		/* 6.6-6.8: page[1].flags & PG_hugetlb */
	HUGETLB_TYPE,		/* 6.9+: head page_type */
};

enum type_match {
	TYPE_EXACT,		/* <= 4.17 _mapcount markers (-128, -2) */
	TYPE_BITCLEAR,		/* 4.18-6.11: base bits set, flag bit clear */
	TYPE_TOPBYTE,		/* 6.12+: PGTY_* in the top byte */
};

struct page_type_test {
	bool known;
	enum type_match match;
	uint32_t value;		/* exported value, low 32 bits */
	uint32_t base, flag;	/* TYPE_BITCLEAR */
};

/** Where the PG_offline marker in page_layout.offline came from. */
enum offline_src {
	OFFLINE_UNKNOWN,	/* none: offline pages are kept (and read) */
	OFFLINE_EXPORTED,	/* NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE) */
	OFFLINE_DERIVED,	/* from the kernel version and other markers */
	OFFLINE_USER,		/* --offline-mapcount */
};

/** Command-line values that override what VMCOREINFO says. */
struct page_layout_user {
	bool have_offline;
	uint32_t offline;	/* --offline-mapcount, low 32 bits */
};

/** Everything classify_page() needs, resolved at setup. */
struct page_layout {
	unsigned size;		/* SIZE(page) */
	unsigned page_shift;
	unsigned off_flags, off_mapping, off_private, off_mapcount;
	unsigned off_compound_head;
	bool have_mapping, have_private, have_mapcount, have_compound_head;
	bool compound_info_mask;	/* 7.1+ compound_info encoding */

	uint64_t m_lru, m_private, m_swapcache, m_swapbacked, m_slab;
	uint64_t m_hwpoison, m_head, m_buddy_flag, m_hugetlb_flag;
	bool swapbacked_known;

	struct page_type_test buddy, offline, slab_type, hugetlb_type,
			      unaccepted;
	enum offline_src offline_src;
	unsigned max_order;		/* LENGTH(zone.free_area), MAX_ORDER */

	enum order_loc order_loc;
	unsigned order_off, order_width;
	enum hugetlb_test hugetlb;
	unsigned dtor_off, dtor_width;
	uint64_t dtor_value;
	bool can_classify;	/* enough keys for more than zero pages */
};

/** Resolve the layout.  Missing optional keys give warnings and the safe
 * fallback (pages kept); a missing required key is an error naming it. */
int page_layout_init(struct page_layout *pl, const struct vmcoreinfo *vi,
		     unsigned page_shift, struct mdf_warns *warns,
		     struct mdf_err *err);

/** As page_layout_init(), with the user's overrides (NULL: none). */
int page_layout_init_user(struct page_layout *pl, const struct vmcoreinfo *vi,
			  unsigned page_shift,
			  const struct page_layout_user *user,
			  struct mdf_warns *warns, struct mdf_err *err);

/** The PG_offline page_type value of a kernel that does not export
 * PAGE_OFFLINE_MAPCOUNT_VALUE, where the kernel source fixes it relative
 * to the exported markers: 0 with *value_ret and the rule applied in
 * rule_ret, or MDF_ABSENT with the reason in why (for a warning).
 * Never an error. */
int page_offline_derive(const struct vmcoreinfo *vi, uint32_t *value_ret,
			const char **rule_ret, char *why, size_t why_len);

/** Set t from an exported *_MAPCOUNT_VALUE (low 32 bits). */
void page_type_test_init(struct page_type_test *t, uint32_t value);

/** Classify the struct page sp of pfn, whose own virtual address is
 * sp_vaddr; next is the struct page of pfn + 1 or NULL if unavailable. */
void classify_page(const struct page_layout *pl, uint64_t pfn,
		   uint64_t sp_vaddr, const uint8_t *sp, const uint8_t *next,
		   struct page_info *ret);

/** The class a page gets at dump level dl and how many pfns the decision
 * covers (2^order for a head or free block).  PC_KEEP with *npages 1 for
 * kept pages; tails report PC_KEEP (they follow their head). */
enum page_class classify_decide(const struct page_layout *pl,
				const struct page_info *pi, unsigned dl,
				uint64_t *npages);

const char *page_class_name(enum page_class c);

#endif
