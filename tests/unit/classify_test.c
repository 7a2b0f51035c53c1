/* classify_test.c: one row per kernel quirk (page-classes.md section 4).
 *
 * Each era is a VMCOREINFO text with the struct page layout of that
 * kernel; each row builds the struct page (and page[1]) bytes and checks
 * the class and the number of pfns at two dump levels.
 */
#include "byteorder.h"
#include "classify.h"
#include "harness.h"

/* a 64-byte struct page: flags 0, lru/compound_head 8, mapping 24,
 * private 40, _mapcount 48, _refcount 52; page[1] keeps dtor/order at
 * 16/17 until 6.2, folio offsets 6.3-6.5, flags byte from 6.6 */
#define COMMON								\
	"PAGESIZE=4096\nSIZE(page)=64\nOFFSET(page.flags)=0\n"		\
	"OFFSET(page.lru)=8\nOFFSET(page.mapping)=24\n"			\
	"OFFSET(page.private)=40\nOFFSET(page._mapcount)=48\n"		\
	"OFFSET(page._refcount)=52\nLENGTH(zone.free_area)=11\n"	\
	"NUMBER(PG_lru)=4\nNUMBER(PG_private)=13\n"			\
	"NUMBER(PG_swapcache)=10\nNUMBER(PG_swapbacked)=19\n"		\
	"NUMBER(PG_hwpoison)=23\nNUMBER(PG_head_mask)=65536\n"		\
	"OFFSET(page.compound_head)=8\n"

static const char era_4_14[] = "OSRELEASE=4.14.0\n" COMMON
	"NUMBER(PG_slab)=7\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-128\n"
	"OFFSET(page.compound_dtor)=16\nOFFSET(page.compound_order)=18\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\n";
static const char era_6_1[] = "OSRELEASE=6.1.0\n" COMMON
	"NUMBER(PG_slab)=9\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n"
	"OFFSET(page.compound_dtor)=16\nOFFSET(page.compound_order)=17\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\n";
static const char era_6_4[] = "OSRELEASE=6.4.0\n" COMMON
	"NUMBER(PG_slab)=9\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n"
	"OFFSET(folio._folio_dtor)=80\nOFFSET(folio._folio_order)=81\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\n";
static const char era_6_7[] = "OSRELEASE=6.7.0\n" COMMON
	"NUMBER(PG_slab)=9\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\nNUMBER(PG_hugetlb)=8\n";
static const char era_6_10[] = "OSRELEASE=6.10.0\n" COMMON
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n"
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-2049\n"
	"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-4097\n";
static const char era_6_11[] = "OSRELEASE=6.11.0\n" COMMON
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-1073741825\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-536870913\n"
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-67108865\n"
	"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-33554433\n";
static const char era_6_16[] = "OSRELEASE=6.16.0\n" COMMON
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240\n"
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n"
	"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n"
	"NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=-150994944\n";
static const char era_7_1[] = "OSRELEASE=7.1.0\n"
	"PAGESIZE=4096\nSIZE(page)=64\nOFFSET(page.flags)=0\n"
	"OFFSET(page.lru)=8\nOFFSET(page.mapping)=24\n"
	"OFFSET(page.private)=40\nOFFSET(page._mapcount)=48\n"
	"OFFSET(page._refcount)=52\nLENGTH(zone.free_area)=11\n"
	"NUMBER(PG_lru)=4\nNUMBER(PG_private)=13\n"
	"NUMBER(PG_swapcache)=10\nNUMBER(PG_swapbacked)=19\n"
	"NUMBER(PG_hwpoison)=23\nNUMBER(PG_head_mask)=65536\n"
	"OFFSET(page.compound_info)=8\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240\n"
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n"
	"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n";

enum { HEAD = 1 << 16, LRU = 1 << 4, PRIV = 1 << 13, SWAPCACHE = 1 << 10,
       SWAPBACKED = 1 << 19, HWPOISON = 1 << 23 };

#define SPV 0xffffea0000000000ull	/* struct page of pfn 0 */

struct page_img {
	uint8_t p[2][64];
};

static void set_flags(struct page_img *m, int i, uint64_t f)
{
	put_le64(m->p[i] + 0, f);
}
static void set_mapcount(struct page_img *m, int i, uint32_t v)
{
	put_le32(m->p[i] + 48, v);
}
static void blank(struct page_img *m)
{
	memset(m, 0, sizeof(*m));
	set_mapcount(m, 0, 0xffffffffu);
	set_mapcount(m, 1, 0xffffffffu);
}
/* make page 0 a head of order at pfn, page 1 its tail */
static void make_head(struct page_img *m, const char *era, uint64_t pfn,
		      unsigned order, bool compound_info_mask)
{
	set_flags(m, 0, HEAD | (uint64_t)(m->p[0][0] | m->p[0][1] << 8 |
					  m->p[0][2] << 16 | m->p[0][3] << 24));
	put_le64(m->p[1] + 8, compound_info_mask ? ~0x7fffull | 1 :
		 SPV + pfn * 64 + 1);
	if (strstr(era, "OFFSET(page.compound_order)=18"))
		put_le16(m->p[1] + 18, (uint16_t)order);
	else if (strstr(era, "OFFSET(page.compound_order)=17"))
		m->p[1][17] = (uint8_t)order;
	else if (strstr(era, "_folio_order"))
		m->p[1][81 - 64] = (uint8_t)order;
	else
		m->p[1][0] = (uint8_t)order;	/* flags byte */
}

static enum page_class run(const char *era, struct page_img *m, uint64_t pfn,
			   unsigned dl, uint64_t *n, uint32_t *bits)
{
	struct vmcoreinfo vi;
	struct page_layout pl;
	struct page_info pi;
	struct mdf_err err;
	enum page_class c;

	if (vmcoreinfo_parse(&vi, era, strlen(era), NULL, &err) ||
	    page_layout_init(&pl, &vi, 12, NULL, &err)) {
		fprintf(stderr, "  setup: %s\n", err.msg);
		return PC_NCLASSES;
	}
	classify_page(&pl, pfn, SPV + pfn * 64, m->p[0], m->p[1], &pi);
	c = classify_decide(&pl, &pi, dl, n);
	if (bits)
		*bits = pi.bits;
	vmcoreinfo_deinit(&vi);
	return c;
}

#define EXPECT(era, m, pfn, dl, cls, npages)				\
	do {								\
		uint64_t n_ = 0;					\
		CHECK_EQ(run(era, m, pfn, dl, &n_, NULL), cls);		\
		CHECK_EQ(n_, npages);					\
	} while (0)

static const char *const all_eras[] = { era_4_14, era_6_1, era_6_4, era_6_7,
	era_6_10, era_6_11, era_6_16, era_7_1 };
#define FOR_ERAS(e) for (size_t ei_ = 0; ei_ < sizeof(all_eras) / sizeof(all_eras[0]) && ((e) = all_eras[ei_]); ei_++)

static uint32_t buddy_value(const char *era)
{
	if (strstr(era, "=-128\n")) return 0xffffff80u;
	if (strstr(era, "BUDDY_MAPCOUNT_VALUE)=-129")) return 0xffffff7fu;
	if (strstr(era, "-1073741825")) return 0xbfffffffu;
	return 0xf0000000u;
}
static uint32_t offline_value(const char *era)
{
	if (strstr(era, "OFFLINE_MAPCOUNT_VALUE)=-257")) return 0xfffffeffu;
	if (strstr(era, "-536870913")) return 0xdfffffffu;
	return 0xf1000000u;
}

TEST(buddy_head_excludes_block_every_era)
{
	const char *e;
	struct page_img m;

	FOR_ERAS(e) {
		blank(&m);
		set_mapcount(&m, 0, buddy_value(e));
		put_le64(m.p[0] + 40, 3);		/* order 3 */
		EXPECT(e, &m, 0x1000, 31, PC_FREE, 8);
		EXPECT(e, &m, 0x1000, 15, PC_KEEP, 1);
		/* impossible order: kept */
		put_le64(m.p[0] + 40, 40);
		EXPECT(e, &m, 0x1000, 31, PC_KEEP, 1);
		/* misaligned block: kept */
		put_le64(m.p[0] + 40, 3);
		EXPECT(e, &m, 0x1001, 31, PC_KEEP, 1);
	}
}

TEST(pgty_low_bits_and_611_owner_bits)
{
	struct page_img m;

	blank(&m);
	/* 6.12+: low 24 bits carry data, the type is the top byte */
	set_mapcount(&m, 0, 0xf0000123u);
	EXPECT(era_6_16, &m, 0x10, 16, PC_FREE, 1);
	/* 6.11: the owner may use the low 16 bits */
	set_mapcount(&m, 0, 0xbfff1234u);
	EXPECT(era_6_11, &m, 0x10, 16, PC_FREE, 1);
	/* a mapped page (mapcount 0..) is no type */
	set_mapcount(&m, 0, 3);
	EXPECT(era_6_11, &m, 0x10, 31, PC_KEEP, 1);
	EXPECT(era_6_16, &m, 0x10, 31, PC_KEEP, 1);
	EXPECT(era_6_1, &m, 0x10, 31, PC_KEEP, 1);
}

TEST(offline_always_excluded)
{
	const char *e;
	struct page_img m;

	FOR_ERAS(e) {
		if (e == era_4_14)	/* not exported before 5.1 */
			continue;
		blank(&m);
		set_mapcount(&m, 0, offline_value(e));
		EXPECT(e, &m, 0x2000, 0, PC_OFFLINE, 1);
		EXPECT(e, &m, 0x2000, 31, PC_OFFLINE, 1);
		/* refcount 1 (hv-balloon, XEN) changes nothing */
		put_le32(m.p[0] + 52, 1);
		EXPECT(e, &m, 0x2000, 0, PC_OFFLINE, 1);
	}
	/* 4.14 has no marker: kept, with a warning at setup */
	blank(&m);
	set_mapcount(&m, 0, 0xfffffeffu);
	EXPECT(era_4_14, &m, 0x2000, 31, PC_KEEP, 1);
}

TEST(hwpoison_always_excluded_even_on_tails)
{
	struct page_img m;

	blank(&m);
	set_flags(&m, 0, HWPOISON);
	EXPECT(era_6_1, &m, 0x3000, 0, PC_HWPOISON, 1);
	/* a poisoned anon page counts as user at -d 8 (first match) */
	put_le64(m.p[0] + 24, 0xffff888000001001ull);
	EXPECT(era_6_1, &m, 0x3000, 8, PC_USER, 1);
	EXPECT(era_6_1, &m, 0x3000, 0, PC_HWPOISON, 1);
	/* a poisoned tail page is never read */
	blank(&m);
	set_flags(&m, 0, HWPOISON);
	put_le64(m.p[0] + 8, SPV + 0x10 * 64 + 1);
	EXPECT(era_6_1, &m, 0x3001, 0, PC_HWPOISON, 1);
}

TEST(anon_user_and_slab_guard)
{
	const char *e;
	struct page_img m;

	FOR_ERAS(e) {
		blank(&m);
		put_le64(m.p[0] + 24, 0xffff888000001001ull);	/* anon_vma | 1 */
		EXPECT(e, &m, 0x40, 8, PC_USER, 1);
		EXPECT(e, &m, 0x40, 7, PC_KEEP, 1);
		/* KSM: mapping & 3 == 3 */
		put_le64(m.p[0] + 24, 0xffff888000001003ull);
		EXPECT(e, &m, 0x40, 8, PC_USER, 1);
	}
	/* slab with an odd slab.slabs over mapping (6.2+): never user */
	blank(&m);
	put_le64(m.p[0] + 24, 0x5);
	set_flags(&m, 0, 1 << 9);
	EXPECT(era_6_1, &m, 0x40, 31, PC_KEEP, 1);
	blank(&m);
	put_le64(m.p[0] + 24, 0x5);
	set_mapcount(&m, 0, 0xffffefffu);		/* 6.10 slab type */
	EXPECT(era_6_10, &m, 0x40, 31, PC_KEEP, 1);
	set_mapcount(&m, 0, 0xf5000000u);		/* PGTY_slab */
	EXPECT(era_6_16, &m, 0x40, 31, PC_KEEP, 1);
}

TEST(page_cache_private_and_swapcache)
{
	const char *e;
	struct page_img m;

	FOR_ERAS(e) {
		blank(&m);
		set_flags(&m, 0, LRU);
		put_le64(m.p[0] + 24, 0xffff888000002000ull);	/* address_space */
		EXPECT(e, &m, 0x50, 2, PC_CACHE, 1);
		EXPECT(e, &m, 0x50, 4, PC_CACHE, 1);
		set_flags(&m, 0, LRU | PRIV);
		EXPECT(e, &m, 0x50, 2, PC_KEEP, 1);
		EXPECT(e, &m, 0x50, 4, PC_CACHE_PRIVATE, 1);
		/* PG_swapcache alone is PG_owner_priv_1 (fs checked): not cache */
		set_flags(&m, 0, SWAPCACHE);
		EXPECT(e, &m, 0x50, 31, PC_KEEP, 1);
		set_flags(&m, 0, SWAPCACHE | SWAPBACKED);
		EXPECT(e, &m, 0x50, 2, PC_CACHE, 1);
	}
}

TEST(compound_cache_head_excludes_folio)
{
	const char *e;
	struct page_img m;

	FOR_ERAS(e) {
		blank(&m);
		set_flags(&m, 0, LRU);
		put_le64(m.p[0] + 24, 0xffff888000002000ull);
		make_head(&m, e, 0x200, 2, e == era_7_1);
		EXPECT(e, &m, 0x200, 2, PC_CACHE, 4);
		/* the tail (page[1] as the page) follows its head */
		memcpy(m.p[0], m.p[1], 64);
		memset(m.p[1], 0, 64);
		EXPECT(e, &m, 0x201, 31, PC_KEEP, 1);
	}
}

TEST(hugetlb_five_ways)
{
	struct page_img m;

	/* 4.14/6.1: compound_dtor == HUGETLB_PAGE_DTOR in page[1] */
	blank(&m);
	make_head(&m, era_6_1, 0x400, 9, false);
	m.p[1][16] = 2;
	EXPECT(era_6_1, &m, 0x400, 8, PC_USER, 512);
	EXPECT(era_6_1, &m, 0x400, 23, PC_KEEP, 1);
	blank(&m);
	make_head(&m, era_4_14, 0x400, 9, false);
	put_le16(m.p[1] + 16, 2);
	EXPECT(era_4_14, &m, 0x400, 8, PC_USER, 512);
	/* 6.3-6.5: folio._folio_dtor */
	blank(&m);
	make_head(&m, era_6_4, 0x400, 9, false);
	m.p[1][80 - 64] = 2;
	EXPECT(era_6_4, &m, 0x400, 8, PC_USER, 512);
	/* 6.6-6.8: PG_hugetlb in page[1].flags, order in its low byte */
	blank(&m);
	make_head(&m, era_6_7, 0x400, 9, false);
	put_le64(m.p[1], 9 | 1 << 8);
	EXPECT(era_6_7, &m, 0x400, 8, PC_USER, 512);
	/* 6.9+: page type of the head */
	blank(&m);
	make_head(&m, era_6_10, 0x400, 9, false);
	set_mapcount(&m, 0, 0xfffff7ffu);
	EXPECT(era_6_10, &m, 0x400, 8, PC_USER, 512);
	blank(&m);
	make_head(&m, era_6_16, 0x400, 9, false);
	set_mapcount(&m, 0, 0xf4000000u);
	EXPECT(era_6_16, &m, 0x400, 8, PC_USER, 512);
	/* gigantic: order 18 */
	blank(&m);
	make_head(&m, era_6_16, 0x40000, 18, false);
	set_mapcount(&m, 0, 0xf4000000u);
	EXPECT(era_6_16, &m, 0x40000, 8, PC_USER, 1u << 18);
}

TEST(hvo_fake_head_is_a_tail)
{
	struct page_img m;
	uint32_t bits = 0;
	uint64_t n;

	/* struct page of pfn 0x440 is page-aligned (0x440 * 64 = 0x11000)
	 * and is a copy of the head of pfn 0x400; page[1] names 0x400 */
	blank(&m);
	set_flags(&m, 0, HEAD);
	put_le64(m.p[1] + 8, SPV + 0x400 * 64 + 1);
	m.p[1][17] = 9;
	m.p[1][16] = 2;
	CHECK_EQ(run(era_6_1, &m, 0x440, 0, &n, &bits), PC_KEEP);
	CHECK(bits & PI_FAKE_HEAD);
	CHECK(bits & PI_TAIL);
	/* the real head at 0x400 is not a fake */
	CHECK_EQ(run(era_6_1, &m, 0x400, 8, &n, &bits), PC_USER);
	CHECK(!(bits & PI_FAKE_HEAD));
	CHECK_EQ(n, 512);
}

TEST(garbage_head_order_is_kept)
{
	struct page_img m;
	uint32_t bits;
	uint64_t n;

	blank(&m);
	set_flags(&m, 0, HEAD | LRU);
	put_le64(m.p[0] + 24, 0xffff888000002000ull);
	m.p[1][17] = 63;			/* order 63 */
	put_le64(m.p[1] + 8, SPV + 1);
	CHECK_EQ(run(era_6_1, &m, 0, 2, &n, &bits), PC_CACHE);
	CHECK_EQ(n, 1);				/* never 2^63 pages */
	CHECK(bits & PI_BAD_ORDER);
	/* page[1] is not this head's tail: the order is not believed */
	blank(&m);
	set_flags(&m, 0, HEAD | LRU);
	put_le64(m.p[0] + 24, 0xffff888000002000ull);
	m.p[1][17] = 4;
	put_le64(m.p[1] + 8, 0xdead0001ull);
	CHECK_EQ(run(era_6_1, &m, 0x110, 2, &n, &bits), PC_CACHE);
	CHECK_EQ(n, 1);
	CHECK(bits & PI_BAD_ORDER);
	/* garbage flags everywhere: never excluded as more than 1 page */
	memset(&m, 0xff, sizeof(m));
	put_le64(m.p[0] + 8, 0);	/* not a tail */
	CHECK(run(era_6_1, &m, 0x200, 31, &n, &bits) != PC_NCLASSES);
	CHECK_EQ(n, 1);
}

TEST(poisoned_struct_page_is_kept)
{
	struct page_img m;
	uint32_t bits;
	uint64_t n;
	const char *e;

	/* an uninitialised memmap (all 0xff): its PG_hwpoison bit and
	 * compound_head bit 0 mean nothing; kept at every level */
	FOR_ERAS(e) {
		memset(&m, 0xff, sizeof(m));
		CHECK_EQ(run(e, &m, 0x2000, 0, &n, &bits), PC_KEEP);
		CHECK_EQ(bits, PI_POISONED);
		CHECK_EQ(run(e, &m, 0x2000, 31, &n, &bits), PC_KEEP);
		CHECK_EQ(n, 1);
	}
	/* one bit less is not the poison pattern: a real hwpoison tail */
	memset(&m, 0xff, sizeof(m));
	m.p[0][7] = 0x7f;
	CHECK_EQ(run(era_6_1, &m, 0x2000, 0, &n, &bits), PC_HWPOISON);
}

TEST(unaccepted_memory_is_free)
{
	struct page_img m;

	blank(&m);
	set_mapcount(&m, 0, 0xf7000000u);
	EXPECT(era_6_16, &m, 0x400, 16, PC_FREE, 1024);
	EXPECT(era_6_16, &m, 0x400, 15, PC_KEEP, 1);
}

TEST(missing_flags_offset_is_named)
{
	static const char t[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\nSIZE(page)=64\n";
	struct vmcoreinfo vi;
	struct page_layout pl;
	struct mdf_err err;

	CHECK(vmcoreinfo_parse(&vi, t, sizeof(t) - 1, NULL, &err) == 0);
	CHECK(page_layout_init(&pl, &vi, 12, NULL, &err) < 0);
	CHECK(strstr(err.msg, "OFFSET(page.flags)") != NULL);
	vmcoreinfo_deinit(&vi);
}

/* Hostile offsets (found by tests/fuzz/fuzz_vmcoreinfo.c): every field
 * classify_page() reads must lie inside SIZE(page), with no wrap-around in
 * the check; a field that does not fit is dropped, never read. */
TEST(hostile_offsets_stay_inside_struct_page)
{
	static const struct {
		const char *extra;
		bool setup_ok;
	} rows[] = {
		/* 8216: far outside; lru was used for the < 4.4 dtor test */
		{ "SYMBOL(free_huge_page)=52\nOFFSET(page.lru)=8216\n", true },
		{ "SYMBOL(free_huge_page)=52\nOFFSET(page.lru)=56\n", true },
		/* folio offsets below SIZE(page) would underflow */
		{ "NUMBER(HUGETLB_PAGE_DTOR)=2\nOFFSET(folio._folio_dtor)=3\n", true },
		{ "NUMBER(HUGETLB_PAGE_DTOR)=2\nOFFSET(page.compound_dtor)=4294967295\n", true },
		{ "OFFSET(page.compound_order)=18446744073709551615\n", true },
		{ "OFFSET(page.mapping)=18446744073709551612\n", true },
		{ "OFFSET(page._mapcount)=4294967294\n", true },
		{ "OFFSET(page.compound_head)=60\n", true },
		{ "OFFSET(page.flags)=4294967288\n", false },
		{ "OFFSET(page.flags)=57\n", false },
		{ "SIZE(page)=4294967360\n", false },
	};
	static const uint8_t ff[2][64] = {
		[0 ... 1] = { [0 ... 63] = 0xff } };
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[1024];
		struct vmcoreinfo vi;
		struct page_layout pl;
		struct page_info pi;
		struct mdf_err err;
		unsigned dl;
		int n;

		/* the row's keys come first: the first occurrence wins */
		n = snprintf(text, sizeof(text), "OSRELEASE=4.3.0\n%s"
			     "PAGESIZE=4096\nSIZE(page)=64\nOFFSET(page.flags)=0\n",
			     rows[i].extra);
		CHECK(vmcoreinfo_parse(&vi, text, (size_t)n, NULL, &err) == 0);
		if (!rows[i].setup_ok) {
			CHECK(page_layout_init(&pl, &vi, 12, NULL, &err) < 0);
			vmcoreinfo_deinit(&vi);
			continue;
		}
		CHECK(page_layout_init(&pl, &vi, 12, NULL, &err) == 0);
		CHECK(pl.off_flags + 8 <= pl.size);
		CHECK(!pl.have_mapping || pl.off_mapping + 8 <= pl.size);
		CHECK(!pl.have_mapcount || pl.off_mapcount + 4 <= pl.size);
		CHECK(!pl.have_compound_head || pl.off_compound_head + 8 <= pl.size);
		CHECK(pl.order_loc != ORDER_FIELD ||
		      pl.order_off + pl.order_width <= pl.size);
		CHECK((pl.hugetlb != HUGETLB_DTOR && pl.hugetlb != HUGETLB_DTOR_PTR) ||
		      pl.dtor_off + pl.dtor_width <= pl.size);
		/* all-ones struct pages: ASan would see any read outside */
		classify_page(&pl, 0, SPV, ff[0], ff[1], &pi);
		for (dl = 0; dl <= DL_MAX; dl++) {
			uint64_t np;

			CHECK(classify_decide(&pl, &pi, dl, &np) < PC_NCLASSES);
		}
		vmcoreinfo_deinit(&vi);
	}
}

static const struct harness_case cases[] = {
	CASE(buddy_head_excludes_block_every_era),
	CASE(pgty_low_bits_and_611_owner_bits),
	CASE(offline_always_excluded),
	CASE(hwpoison_always_excluded_even_on_tails),
	CASE(anon_user_and_slab_guard),
	CASE(page_cache_private_and_swapcache),
	CASE(compound_cache_head_excludes_folio),
	CASE(hugetlb_five_ways),
	CASE(hvo_fake_head_is_a_tail),
	CASE(garbage_head_order_is_kept),
	CASE(poisoned_struct_page_is_kept),
	CASE(unaccepted_memory_is_free),
	CASE(missing_flags_offset_is_named),
	CASE(hostile_offsets_stay_inside_struct_page),
};
HARNESS_MAIN("classify", cases)
