/* classify.c: stage 5, the per-struct-page decision (page-classes.md).
 *
 * page_layout_init() turns VMCOREINFO into a struct page_layout once;
 * classify_page() reads only the struct page bytes it is given (and the
 * next struct page for a compound head).  No I/O, no version tests in the
 * per-page path.  Never prints.
 */
#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "classify.h"

/* the largest compound order we believe: gigantic hugetlb pages are order
 * 18 (1 GiB of 4 KiB pages) or 24 (16 GiB); beyond this it is garbage */
enum { MAX_COMPOUND_ORDER = 26 };

static uint64_t bit(const struct vmcoreinfo *vi, enum vmci_id id)
{
	uint64_t n;

	if (!vmci_has(vi, id))
		return 0;
	n = vmci_get(vi, id);
	return n < 64 ? 1ull << n : 0;
}

void page_type_test_init(struct page_type_test *t, uint32_t v)
{
	uint32_t flag = ~v;

	t->known = true;
	t->value = v;
	if ((v & 0x00ffffffu) == 0 && v >= 0xf0000000u) {
		/* 6.12+ PGTY_* << 24 (kernel 4ffca5a96678); the low 24 bits
		 * may carry per-type data */
		t->match = TYPE_TOPBYTE;
	} else if (flag >= 0x80u && !(flag & (flag - 1)) &&
		   flag != 0x80000000u) {
		/* one cleared bit: the kernel's PageType() test, base
		 * 0xf0000000 until 6.10, 0x80000000 in 6.11 where the
		 * low 16 bits became reusable by the owner */
		t->match = TYPE_BITCLEAR;
		t->flag = flag;
		t->base = flag >= 0x01000000u ? 0x80000000u : 0xf0000000u;
		/* -128 (flag 0x7f...) is not a single bit; handled below */
	} else {
		t->match = TYPE_EXACT;
	}
}

static void type_test(struct page_type_test *t, const struct vmcoreinfo *vi,
		      enum vmci_id id)
{
	t->known = vmci_has(vi, id);
	if (t->known)
		page_type_test_init(t, (uint32_t)vmci_get(vi, id));
}

static bool type_is(const struct page_type_test *t, uint32_t word)
{
	if (!t->known)
		return false;
	switch (t->match) {
	case TYPE_TOPBYTE:
		return (word >> 24) == (t->value >> 24);
	case TYPE_BITCLEAR:
		return (word & (t->base | t->flag)) == t->base;
	default:
		return word == t->value;
	}
}

/* The page_type eras in which PG_offline sits at a fixed place relative to
 * PG_buddy, whose marker every kernel since 3.9 exports.  The other typed
 * markers, where exported, must have their value of the same era: a kernel
 * that moved any of them is not one these rules describe.  0 in a column:
 * not exported in that era. */
static const struct offline_era {
	uint32_t from, to;		/* KERNEL_VERSION, to exclusive */
	uint32_t buddy, offline;
	uint32_t hugetlb, slab, unaccepted;
	const char *rule;
} offline_eras[] = {
	/* since 6e292b9be7f4 ("mm: split page_type out from _mapcount") in
	 * v4.18: PG_buddy 0x80, PG_balloon 0x100; "mm: convert PG_balloon to
	 * PG_offline" in v5.1 kept the bit; d99e3140a4d3 (v6.9) added
	 * PG_hugetlb 0x800 and 46df8e73a4a3 (v6.10) PG_slab 0x1000, both
	 * exported as ~bit like the others */
	{ KERNEL_VERSION(4, 18, 0), KERNEL_VERSION(6, 11, 0),
	  0xffffff7fu, 0xfffffeffu, 0xfffff7ffu, 0xffffefffu, 0,
	  "PG_offline is PG_buddy<<1 in 4.18-6.10" },
	/* 8db00ad56461 ("mm: allow reuse of the lower 16 bit of the page type
	 * with an actual type") in v6.11: buddy 0x40000000, offline
	 * 0x20000000, hugetlb 0x04000000, slab 0x02000000 */
	{ KERNEL_VERSION(6, 11, 0), KERNEL_VERSION(6, 12, 0),
	  0xbfffffffu, 0xdfffffffu, 0xfbffffffu, 0xfdffffffu, 0,
	  "PG_offline is PG_buddy>>1 in 6.11" },
	/* 4ffca5a96678 ("mm: support only one page_type per page") in v6.12:
	 * PGTY_buddy 0xf0, PGTY_offline 0xf1, PGTY_hugetlb 0xf4, PGTY_slab
	 * 0xf5, PGTY_unaccepted 0xf7 (exported from 6.16), << 24; unchanged
	 * up to the newest kernel we know, 7.1 */
	{ KERNEL_VERSION(6, 12, 0), KERNEL_VERSION(7, 2, 0),
	  0xf0000000u, 0xf1000000u, 0xf4000000u, 0xf5000000u, 0xf7000000u,
	  "PGTY_offline is PGTY_buddy+1 since 6.12" },
};

int page_offline_derive(const struct vmcoreinfo *vi, uint32_t *value_ret,
			const char **rule_ret, char *why, size_t why_len)
{
	static const enum vmci_id others[] = {
		VMCI_NUMBER_PAGE_HUGETLB_MAPCOUNT_VALUE,
		VMCI_NUMBER_PAGE_SLAB_MAPCOUNT_VALUE,
		VMCI_NUMBER_PAGE_UNACCEPTED_MAPCOUNT_VALUE,
	};
	uint32_t kver = vmcoreinfo_kernel_version(vi);
	const char *rel = vmci_str(vi, VMCI_OSRELEASE);
	const struct offline_era *e = NULL;
	uint32_t buddy;
	size_t i;

	if (!kver) {
		snprintf(why, why_len, "no kernel version in OSRELEASE");
		return MDF_ABSENT;
	}
	for (i = 0; i < sizeof(offline_eras) / sizeof(offline_eras[0]); i++)
		if (kver >= offline_eras[i].from && kver < offline_eras[i].to)
			e = &offline_eras[i];
	if (!e) {
		snprintf(why, why_len, "kernel %.40s is %s", rel,
			 kver < offline_eras[0].from ?
			 "older than page types (4.18)" :
			 "newer than the page types we know");
		return MDF_ABSENT;
	}
	if (!vmci_has(vi, VMCI_NUMBER_PAGE_BUDDY_MAPCOUNT_VALUE)) {
		snprintf(why, why_len, "no PAGE_BUDDY_MAPCOUNT_VALUE to check against");
		return MDF_ABSENT;
	}
	buddy = (uint32_t)vmci_get(vi, VMCI_NUMBER_PAGE_BUDDY_MAPCOUNT_VALUE);
	if (buddy != e->buddy) {
		snprintf(why, why_len,
			 "PAGE_BUDDY_MAPCOUNT_VALUE=%d, not kernel %.40s's %d",
			 (int32_t)buddy, rel, (int32_t)e->buddy);
		return MDF_ABSENT;
	}
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		const uint32_t want[] = { e->hugetlb, e->slab, e->unaccepted };
		uint32_t v;

		if (!vmci_has(vi, others[i]))
			continue;
		v = (uint32_t)vmci_get(vi, others[i]);
		if (v != want[i]) {
			snprintf(why, why_len, "%s=%d, not kernel %.40s's",
				 vmci_key_name(others[i]), (int32_t)v, rel);
			return MDF_ABSENT;
		}
	}
	*value_ret = e->offline;
	*rule_ret = e->rule;
	return 0;
}

/* The PG_offline marker: the user's, the exported one, or one derived
 * where the kernel source leaves no doubt (page-classes.md 4.8).  Without
 * any, offline pages are kept: the one case where we read memory we
 * should not, said loudly. */
static void offline_init(struct page_layout *pl, const struct vmcoreinfo *vi,
			 const struct page_layout_user *user,
			 struct mdf_warns *warns)
{
	bool exported = vmci_has(vi, VMCI_NUMBER_PAGE_OFFLINE_MAPCOUNT_VALUE);
	uint32_t kver = vmcoreinfo_kernel_version(vi);
	const char *rule;
	char why[128];
	uint32_t v;

	if (user && user->have_offline) {
		if (!pl->have_mapcount) {
			mdf_warn(warns, "--offline-mapcount is ignored: VMCOREINFO lacks OFFSET(page._mapcount)");
			return;
		}
		if (exported && (uint32_t)vmci_get(vi, VMCI_NUMBER_PAGE_OFFLINE_MAPCOUNT_VALUE) != user->offline)
			mdf_warn(warns, "--offline-mapcount %d overrides the exported NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=%d",
				 (int32_t)user->offline,
				 (int32_t)vmci_get(vi, VMCI_NUMBER_PAGE_OFFLINE_MAPCOUNT_VALUE));
		page_type_test_init(&pl->offline, user->offline);
		/* before page types (6e292b9be7f4, v4.18) _mapcount held one
		 * exact marker (balloon -256, kmemcg -512): a bit test of the
		 * user's value would match the others */
		if (kver && kver < KERNEL_VERSION(4, 18, 0))
			pl->offline.match = TYPE_EXACT;
		pl->offline_src = OFFLINE_USER;
		return;
	}
	if (!pl->have_mapcount)
		return;		/* warned about with the other typed pages */
	if (exported) {
		pl->offline_src = OFFLINE_EXPORTED;
		return;
	}
	if (page_offline_derive(vi, &v, &rule, why, sizeof(why)) == 0) {
		page_type_test_init(&pl->offline, v);
		pl->offline_src = OFFLINE_DERIVED;
		mdf_warn(warns,
			 "VMCOREINFO lacks NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE): derived %d (%#x) for kernel %.40s from PAGE_BUDDY_MAPCOUNT_VALUE (%s); logically offline pages are excluded",
			 (int32_t)v, v, vmci_str(vi, VMCI_OSRELEASE), rule);
		return;
	}
	mdf_warn(warns,
		 "VMCOREINFO lacks NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE) and it can't be derived (%s): logically offline pages are kept, so balloon memory may be dumped; see --offline-mapcount",
		 why);
}

int page_layout_init(struct page_layout *pl, const struct vmcoreinfo *vi,
		     unsigned page_shift, struct mdf_warns *warns,
		     struct mdf_err *err)
{
	return page_layout_init_user(pl, vi, page_shift, NULL, warns, err);
}

int page_layout_init_user(struct page_layout *pl, const struct vmcoreinfo *vi,
			  unsigned page_shift,
			  const struct page_layout_user *user,
			  struct mdf_warns *warns, struct mdf_err *err)
{
	uint32_t kver = vmcoreinfo_kernel_version(vi);
	int rc;

	memset(pl, 0, sizeof(*pl));
	pl->page_shift = page_shift;
	rc = vmci_require(vi, VMCI_SIZE_page, "to classify pages", err);
	if (rc < 0)
		return rc;
	rc = vmci_require(vi, VMCI_OFFSET_page_flags, "to classify pages", err);
	if (rc < 0)
		return rc;
	pl->size = (unsigned)vmci_get(vi, VMCI_SIZE_page);
	pl->off_flags = (unsigned)vmci_get(vi, VMCI_OFFSET_page_flags);
	if (pl->off_flags + 8 > pl->size)
		return mdf_err_set(err, MDF_EFORMAT,
				   "OFFSET(page.flags)=%u lies outside SIZE(page)=%u",
				   pl->off_flags, pl->size);

#define FIELD(var, have, id, width)					\
	do {								\
		if (vmci_has(vi, id) &&					\
		    vmci_get(vi, id) + (width) <= pl->size) {		\
			pl->var = (unsigned)vmci_get(vi, id);		\
			pl->have = true;				\
		}							\
	} while (0)
	FIELD(off_mapping, have_mapping, VMCI_OFFSET_page_mapping, 8);
	FIELD(off_private, have_private, VMCI_OFFSET_page_private, 8);
	FIELD(off_mapcount, have_mapcount, VMCI_OFFSET_page__mapcount, 4);
	FIELD(off_compound_head, have_compound_head,
	      VMCI_OFFSET_page_compound_head, 8);
#undef FIELD
	/* 7.1 renamed compound_head to compound_info and made it a mask
	 * (kernels d50569612c29, 8c846c879e22) */
	pl->compound_info_mask = vi->raw &&
		strstr(vi->raw, "OFFSET(page.compound_info)=") != NULL;

	pl->m_lru = bit(vi, VMCI_NUMBER_PG_lru);
	pl->m_private = bit(vi, VMCI_NUMBER_PG_private);
	pl->m_swapcache = bit(vi, VMCI_NUMBER_PG_swapcache);
	pl->m_swapbacked = bit(vi, VMCI_NUMBER_PG_swapbacked);
	pl->swapbacked_known = pl->m_swapbacked != 0;
	/* makedumpfile's rule when PG_swapbacked is not exported but
	 * PG_swapcache sits below PG_private: swapbacked = private + 6 */
	if (!pl->swapbacked_known && pl->m_swapcache && pl->m_private &&
	    pl->m_swapcache < pl->m_private) {
		pl->m_swapbacked = pl->m_private << 6;
		pl->swapbacked_known = true;
	}
	pl->m_slab = bit(vi, VMCI_NUMBER_PG_slab);
	pl->m_hwpoison = bit(vi, VMCI_NUMBER_PG_hwpoison);
	pl->m_head = vmci_has(vi, VMCI_NUMBER_PG_head_mask) ?
		     vmci_get(vi, VMCI_NUMBER_PG_head_mask) : 0;
	pl->m_buddy_flag = bit(vi, VMCI_NUMBER_PG_buddy);
	pl->m_hugetlb_flag = bit(vi, VMCI_NUMBER_PG_hugetlb);

	type_test(&pl->buddy, vi, VMCI_NUMBER_PAGE_BUDDY_MAPCOUNT_VALUE);
	type_test(&pl->offline, vi, VMCI_NUMBER_PAGE_OFFLINE_MAPCOUNT_VALUE);
	type_test(&pl->slab_type, vi, VMCI_NUMBER_PAGE_SLAB_MAPCOUNT_VALUE);
	type_test(&pl->hugetlb_type, vi, VMCI_NUMBER_PAGE_HUGETLB_MAPCOUNT_VALUE);
	type_test(&pl->unaccepted, vi, VMCI_NUMBER_PAGE_UNACCEPTED_MAPCOUNT_VALUE);
	if (!pl->have_mapcount) {
		pl->buddy.known = pl->offline.known = false;
		pl->slab_type.known = pl->hugetlb_type.known = false;
		pl->unaccepted.known = false;
	}
	offline_init(pl, vi, user, warns);
	/* the page-type value wins over a PG_buddy flag from DWARF
	 * (6.10 made PG_buddy an enum; makedumpfile git 306eddf) */
	if (pl->buddy.known)
		pl->m_buddy_flag = 0;
	pl->max_order = vmci_has(vi, VMCI_LENGTH_zone_free_area) ?
			(unsigned)vmci_get(vi, VMCI_LENGTH_zone_free_area) : 11;
	if (pl->max_order == 0 || pl->max_order > MAX_COMPOUND_ORDER)
		pl->max_order = 11;

	/* where a head's order lives (page-classes.md 4.1) */
	if (vmci_has(vi, VMCI_OFFSET_folio__folio_order) &&
	    vmci_get(vi, VMCI_OFFSET_folio__folio_order) >= pl->size &&
	    vmci_get(vi, VMCI_OFFSET_folio__folio_order) < 2ull * pl->size) {
		/* 6.3-6.5: offsets from the folio start (kernel 1c5509be58f6) */
		pl->order_loc = ORDER_FIELD;
		pl->order_off = (unsigned)vmci_get(vi, VMCI_OFFSET_folio__folio_order) -
				pl->size;
		pl->order_width = 1;
	} else if (vmci_has(vi, VMCI_OFFSET_page_compound_order)) {
		pl->order_loc = ORDER_FIELD;
		pl->order_off = (unsigned)vmci_get(vi, VMCI_OFFSET_page_compound_order);
		/* u16 until 4.16 (kernel 036e7aa49fb2), u8 after */
		pl->order_width = kver && kver < KERNEL_VERSION(4, 16, 0) ? 2 : 1;
	} else if (kver >= KERNEL_VERSION(6, 6, 0) || pl->hugetlb_type.known ||
		   pl->m_hugetlb_flag) {
		/* 6.6+: folio._flags_1 low byte (kernel ebc1baf5c9b4) */
		pl->order_loc = ORDER_FLAGS_BYTE;
	} else {
		pl->order_loc = ORDER_NONE;
	}
	if (pl->order_loc == ORDER_FIELD &&
	    pl->order_off + pl->order_width > pl->size)
		pl->order_loc = ORDER_NONE;

	/* how hugetlb heads are marked, newest test first */
	if (pl->hugetlb_type.known) {
		pl->hugetlb = HUGETLB_TYPE;
	} else if (pl->m_hugetlb_flag) {
		pl->hugetlb = HUGETLB_FLAG;
	} else if (vmci_has(vi, VMCI_NUMBER_HUGETLB_PAGE_DTOR) &&
		   (vmci_has(vi, VMCI_OFFSET_folio__folio_dtor) ||
		    vmci_has(vi, VMCI_OFFSET_page_compound_dtor))) {
		pl->hugetlb = HUGETLB_DTOR;
		pl->dtor_value = vmci_get(vi, VMCI_NUMBER_HUGETLB_PAGE_DTOR);
		if (vmci_has(vi, VMCI_OFFSET_folio__folio_dtor)) {
			pl->dtor_off = (unsigned)vmci_get(vi, VMCI_OFFSET_folio__folio_dtor) -
				       pl->size;
			pl->dtor_width = 1;
		} else {
			pl->dtor_off = (unsigned)vmci_get(vi, VMCI_OFFSET_page_compound_dtor);
			pl->dtor_width = kver && kver < KERNEL_VERSION(4, 16, 0) ? 2 : 1;
		}
		if (pl->dtor_off + pl->dtor_width > pl->size)
			pl->hugetlb = HUGETLB_NONE;
	} else if (vmci_has(vi, VMCI_SYMBOL_free_huge_page) &&
		   vmci_has(vi, VMCI_OFFSET_page_lru)) {
		pl->hugetlb = HUGETLB_DTOR_PTR;
		pl->dtor_off = (unsigned)vmci_get(vi, VMCI_OFFSET_page_lru);
		pl->dtor_width = 8;
		pl->dtor_value = vmci_get(vi, VMCI_SYMBOL_free_huge_page);
		if (pl->dtor_off + 16 <= pl->size) {
			/* order in lru.prev (< 4.4) */
			pl->order_loc = ORDER_FIELD;
			pl->order_off = pl->dtor_off + 8;
			pl->order_width = 8;
		}
	}

	pl->can_classify = true;
	if (!pl->have_mapcount || !pl->have_private)
		mdf_warn(warns,
			 "VMCOREINFO lacks OFFSET(page._mapcount) or OFFSET(page.private): free, offline and typed pages cannot be recognised and are kept");
	else if (!pl->buddy.known && !pl->m_buddy_flag)
		mdf_warn(warns,
			 "VMCOREINFO has no NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE): free pages are not recognised and are kept");
	if (!pl->have_mapping)
		mdf_warn(warns,
			 "VMCOREINFO has no OFFSET(page.mapping): user pages are not recognised and are kept");
	if (!pl->m_head || !pl->have_compound_head)
		mdf_warn(warns,
			 "VMCOREINFO lacks NUMBER(PG_head_mask) or OFFSET(page.compound_head): compound pages are treated page by page");
	return 0;
}

static uint64_t rd_ulong(const uint8_t *sp, unsigned off)
{
	return get_le64(sp + off);
}

void classify_page(const struct page_layout *pl, uint64_t pfn,
		   uint64_t sp_vaddr, const uint8_t *sp, const uint8_t *next,
		   struct page_info *ret)
{
	uint64_t flags = rd_ulong(sp, pl->off_flags);
	uint32_t type = pl->have_mapcount ? get_le32(sp + pl->off_mapcount) :
			0xffffffffu;
	uint32_t bits = 0;
	bool slab;

	ret->order = 0;
	ret->buddy_order = 0;

	/* an uninitialised memmap (page_init_poison() fills it with 0xff,
	 * the kernel's PagePoisoned()): no field means anything, least of
	 * all the PG_hwpoison bit; keep the page */
	if (flags == ~0ull) {
		ret->bits = PI_POISONED;
		return;
	}

	slab = (flags & pl->m_slab) || type_is(&pl->slab_type, type);
	if (slab)
		bits |= PI_SLAB;
	if (flags & pl->m_hwpoison)
		bits |= PI_HWPOISON;

	if (pl->have_compound_head &&
	    (rd_ulong(sp, pl->off_compound_head) & 1)) {
		ret->bits = bits | PI_TAIL;
		return;
	}

	if ((flags & pl->m_head) && pl->m_head) {
		/* HVO fake head (5.18-7.0): an aligned struct page that is a
		 * copy of the head; the next struct page names a different
		 * head (kernel page_fixed_fake_head()) */
		if (next && pl->have_compound_head && !pl->compound_info_mask &&
		    (sp_vaddr & ((1ull << pl->page_shift) - 1)) == 0) {
			uint64_t ch = rd_ulong(next, pl->off_compound_head);

			if ((ch & 1) && ch - 1 != sp_vaddr) {
				ret->bits = bits | PI_TAIL | PI_FAKE_HEAD;
				return;
			}
		}
		if (next) {
			uint64_t order = 0;
			bool valid = true;

			switch (pl->order_loc) {
			case ORDER_FIELD:
				order = get_le_width(next + pl->order_off,
						     pl->order_width);
				break;
			case ORDER_FLAGS_BYTE:
				order = rd_ulong(next, pl->off_flags) & 0xff;
				break;
			default:
				break;
			}
			/* a real head of order >= 1 has page[1] as its tail */
			if (order && pl->have_compound_head) {
				uint64_t ch = rd_ulong(next, pl->off_compound_head);

				if (!(ch & 1) ||
				    (!pl->compound_info_mask && ch - 1 != sp_vaddr))
					valid = false;
			}
			if (order >= MAX_COMPOUND_ORDER ||
			    (pfn & ((1ull << order) - 1)) != 0)
				valid = false;
			if (!valid) {
				bits |= PI_BAD_ORDER;
			} else if (order) {
				bits |= PI_HEAD;
				ret->order = (uint8_t)order;
			}
			switch (pl->hugetlb) {
			case HUGETLB_DTOR:
			case HUGETLB_DTOR_PTR:
				if (get_le_width(next + pl->dtor_off,
						 pl->dtor_width) == pl->dtor_value)
					bits |= PI_HUGETLB;
				break;
			case HUGETLB_FLAG:
				if (rd_ulong(next, pl->off_flags) &
				    pl->m_hugetlb_flag)
					bits |= PI_HUGETLB;
				break;
			default:
				break;
			}
		}
	}
	if (pl->hugetlb == HUGETLB_TYPE && type_is(&pl->hugetlb_type, type))
		bits |= PI_HUGETLB;

	if (!slab && pl->have_private) {
		bool buddy = type_is(&pl->buddy, type) ||
			     (flags & pl->m_buddy_flag);

		if (buddy || type_is(&pl->unaccepted, type)) {
			uint64_t order = buddy ? rd_ulong(sp, pl->off_private) :
					 pl->max_order - 1;

			if (order >= pl->max_order ||
			    (pfn & ((1ull << order) - 1)) != 0) {
				bits |= PI_BAD_BUDDY;
			} else {
				bits |= buddy ? PI_BUDDY : PI_UNACCEPTED;
				ret->buddy_order = (uint8_t)order;
			}
		}
		if (type_is(&pl->offline, type))
			bits |= PI_OFFLINE;
	}

	if (pl->have_mapping && !slab &&
	    (rd_ulong(sp, pl->off_mapping) & 1))	/* PAGE_MAPPING_ANON */
		bits |= PI_ANON;
	if (!(bits & PI_ANON) &&
	    ((flags & pl->m_lru) ||
	     ((flags & pl->m_swapcache) &&
	      (!pl->swapbacked_known || (flags & pl->m_swapbacked)))))
		bits |= PI_CACHE;
	if (flags & pl->m_private)
		bits |= PI_PRIVATE;
	ret->bits = bits;
}

enum page_class classify_decide(const struct page_layout *pl,
				const struct page_info *pi, unsigned dl,
				uint64_t *npages)
{
	uint32_t b = pi->bits;
	uint64_t span = b & PI_HEAD ? 1ull << pi->order : 1;

	(void)pl;
	*npages = 1;
	if (b & PI_TAIL) {
		/* follows its head, but a poisoned page is never read */
		return b & PI_HWPOISON ? PC_HWPOISON : PC_KEEP;
	}
	if ((dl & DL_EXCLUDE_FREE) && (b & (PI_BUDDY | PI_UNACCEPTED))) {
		*npages = 1ull << pi->buddy_order;
		return PC_FREE;
	}
	*npages = span;
	if ((dl & DL_EXCLUDE_CACHE) && (b & PI_CACHE) && !(b & PI_PRIVATE))
		return PC_CACHE;
	if ((dl & DL_EXCLUDE_CACHE_PRI) && (b & PI_CACHE))
		return b & PI_PRIVATE ? PC_CACHE_PRIVATE : PC_CACHE;
	if ((dl & DL_EXCLUDE_USER_DATA) && (b & (PI_ANON | PI_HUGETLB)))
		return PC_USER;
	if (b & PI_HWPOISON)
		return PC_HWPOISON;
	if (b & PI_OFFLINE)
		return PC_OFFLINE;
	*npages = 1;
	return PC_KEEP;
}

const char *page_class_name(enum page_class c)
{
	static const char *const names[PC_NCLASSES] = {
		[PC_KEEP] = "kept",
		[PC_ZERO] = "zero",
		[PC_CACHE] = "cache",
		[PC_CACHE_PRIVATE] = "cache_private",
		[PC_USER] = "user",
		[PC_FREE] = "free",
		[PC_HWPOISON] = "hwpoison",
		[PC_OFFLINE] = "offline",
	};
	return c < PC_NCLASSES ? names[c] : "?";
}
