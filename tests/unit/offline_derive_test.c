/* offline_derive_test.c: the PG_offline marker of kernels that do not
 * export NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE) (classify.c offline_init()).
 *
 * One row per page_type era: the VMCOREINFO markers a kernel of that era
 * exports, with the offline line left out, and the value the kernel source
 * gives PG_offline.  Where the derivation is not certain the page must be
 * kept and the warning must say that balloon memory may be dumped.
 */
#include "byteorder.h"
#include "classify.h"
#include "harness.h"

/* a 64-byte struct page with _mapcount at 48 (classify_test.c's layout) */
#define LAYOUT								\
	"PAGESIZE=4096\nSIZE(page)=64\nOFFSET(page.flags)=0\n"		\
	"OFFSET(page.lru)=8\nOFFSET(page.mapping)=24\n"			\
	"OFFSET(page.private)=40\nOFFSET(page._mapcount)=48\n"		\
	"OFFSET(page._refcount)=52\nLENGTH(zone.free_area)=11\n"	\
	"NUMBER(PG_lru)=4\nNUMBER(PG_private)=13\n"			\
	"NUMBER(PG_head_mask)=65536\nOFFSET(page.compound_head)=8\n"

#define B129 "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
#define B611 "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-1073741825\n"
#define BPGTY "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n"

struct era_row {
	const char *name;
	const char *text;	/* VMCOREINFO without the offline line */
	bool derivable;
	uint32_t offline;	/* the kernel's PG_offline page_type value */
	const char *why;	/* a word of the reason when not derivable */
};

static const struct era_row rows[] = {
	/* 4.18-5.0: PG_balloon 0x100, the bit 5.1 renamed PG_offline */
	{ "4.19 LTS (PG_balloon)", "OSRELEASE=4.19.0-27-amd64\n" LAYOUT
	  "NUMBER(PG_slab)=7\n" B129, true, 0xfffffeffu, NULL },
	{ "4.18.0", "OSRELEASE=4.18.0\n" LAYOUT B129, true, 0xfffffeffu, NULL },
	{ "5.0.21", "OSRELEASE=5.0.21\n" LAYOUT B129, true, 0xfffffeffu, NULL },
	/* 5.1-6.8 built without CONFIG_HUGETLB_PAGE */
	{ "5.10 no HugeTLB", "OSRELEASE=5.10.0-35-amd64\n" LAYOUT
	  "NUMBER(PG_slab)=9\n" B129, true, 0xfffffeffu, NULL },
	{ "6.1 no HugeTLB", "OSRELEASE=6.1.0-56-amd64\n" LAYOUT
	  "NUMBER(PG_slab)=9\n" B129, true, 0xfffffeffu, NULL },
	{ "6.8 no HugeTLB", "OSRELEASE=6.8.12\n" LAYOUT
	  "NUMBER(PG_slab)=9\n" B129, true, 0xfffffeffu, NULL },
	/* 6.9+ export it unconditionally: only an edited note lacks it */
	{ "6.9 (hugetlb type)", "OSRELEASE=6.9.0\n" LAYOUT
	  "NUMBER(PG_slab)=9\n" B129
	  "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-2049\n",
	  true, 0xfffffeffu, NULL },
	{ "6.10 (slab type)", "OSRELEASE=6.10.14\n" LAYOUT B129
	  "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-2049\n"
	  "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-4097\n", true, 0xfffffeffu, NULL },
	{ "6.11 (high bits)", "OSRELEASE=6.11.0\n" LAYOUT B611
	  "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-67108865\n"
	  "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-33554433\n", true, 0xdfffffffu,
	  NULL },
	{ "6.12 (PGTY)", "OSRELEASE=6.12.48+deb13-amd64\n" LAYOUT BPGTY
	  "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n"
	  "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n", true, 0xf1000000u,
	  NULL },
	{ "6.16 (unaccepted)", "OSRELEASE=6.16.0\n" LAYOUT BPGTY
	  "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n"
	  "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n"
	  "NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=-150994944\n", true,
	  0xf1000000u, NULL },
	{ "7.1", "OSRELEASE=7.1.3\n" LAYOUT BPGTY
	  "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n"
	  "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n", true, 0xf1000000u,
	  NULL },

	/* not certain: the page is kept */
	{ "4.17 (_mapcount era)", "OSRELEASE=4.17.19\n" LAYOUT
	  "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-128\n", false, 0xffffff00u,
	  "older than page types" },
	{ "7.2 (unknown future)", "OSRELEASE=7.2.0\n" LAYOUT BPGTY, false,
	  0xf1000000u, "newer than" },
	{ "no OSRELEASE", LAYOUT B129, false, 0xfffffeffu, "OSRELEASE" },
	{ "no buddy marker", "OSRELEASE=6.1.0\n" LAYOUT "NUMBER(PG_slab)=9\n",
	  false, 0xfffffeffu, "no PAGE_BUDDY_MAPCOUNT_VALUE" },
	/* 6.1 by its release, 6.11 by its buddy marker: which one is it? */
	{ "buddy of another era", "OSRELEASE=6.1.0\n" LAYOUT B611, false,
	  0xfffffeffu, "PAGE_BUDDY_MAPCOUNT_VALUE=-1073741825" },
	/* a 6.10 whose slab marker moved (a vendor patch): not this era */
	{ "moved slab marker", "OSRELEASE=6.10.0\n" LAYOUT B129
	  "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-8193\n", false, 0xfffffeffu,
	  "PAGE_SLAB_MAPCOUNT_VALUE" },
	{ "unaccepted marker before 6.12", "OSRELEASE=6.11.0\n" LAYOUT B611
	  "NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=-150994944\n", false,
	  0xdfffffffu, "PAGE_UNACCEPTED_MAPCOUNT_VALUE" },
};

#define SPV 0xffffea0000000000ull

/* the class of a lone page whose page_type is v, and the layout's
 * offline source and warnings */
static enum page_class classify_type(const char *text,
				     const struct page_layout_user *user,
				     uint32_t v, enum offline_src *src,
				     struct mdf_warns *w)
{
	struct vmcoreinfo vi;
	struct page_layout pl;
	struct page_info pi;
	struct mdf_err err;
	uint8_t p[2][64];
	uint64_t n;
	enum page_class c;

	memset(p, 0, sizeof(p));
	put_le32(p[0] + 48, v);
	put_le32(p[1] + 48, 0xffffffffu);
	memset(w, 0, sizeof(*w));
	if (vmcoreinfo_parse(&vi, text, strlen(text), NULL, &err) ||
	    page_layout_init_user(&pl, &vi, 12, user, w, &err)) {
		fprintf(stderr, "  setup: %s\n", err.msg);
		return PC_NCLASSES;
	}
	classify_page(&pl, 0x2000, SPV + 0x2000 * 64, p[0], p[1], &pi);
	c = classify_decide(&pl, &pi, 31, &n);
	*src = pl.offline_src;
	vmcoreinfo_deinit(&vi);
	return c;
}

static const char *find_warn(const struct mdf_warns *w, const char *s)
{
	unsigned i;

	for (i = 0; i < w->n; i++)
		if (strstr(w->msg[i], s))
			return w->msg[i];
	return NULL;
}

TEST(derive_per_era)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct era_row *r = &rows[i];
		struct vmcoreinfo vi;
		struct mdf_err err;
		const char *rule = NULL;
		char why[128] = "";
		uint32_t v = 0;
		int rc;

		CHECK(vmcoreinfo_parse(&vi, r->text, strlen(r->text), NULL,
				       &err) == 0);
		rc = page_offline_derive(&vi, &v, &rule, why, sizeof(why));
		if (r->derivable) {
			if (rc != 0 || v != r->offline)
				fprintf(stderr, "  %s: rc %d value %#x (%s)\n",
					r->name, rc, v, why);
			CHECK_EQ(rc, 0);
			CHECK_EQ(v, r->offline);
			CHECK(rule != NULL);
		} else {
			if (rc != MDF_ABSENT || !strstr(why, r->why))
				fprintf(stderr, "  %s: rc %d why \"%s\"\n",
					r->name, rc, why);
			CHECK_EQ(rc, MDF_ABSENT);
			CHECK(strstr(why, r->why) != NULL);
		}
		vmcoreinfo_deinit(&vi);
	}
}

TEST(derived_marker_excludes_and_warns)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct era_row *r = &rows[i];
		struct mdf_warns w;
		enum offline_src src;
		enum page_class c;
		const char *msg;

		c = classify_type(r->text, NULL, r->offline, &src, &w);
		if (r->derivable) {
			CHECK_EQ(c, PC_OFFLINE);
			CHECK_EQ(src, OFFLINE_DERIVED);
			msg = find_warn(&w, "VALUE): derived");
			CHECK(msg != NULL);
			CHECK(msg && strstr(msg, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)"));
			CHECK(!find_warn(&w, "may be dumped"));
		} else {
			/* kept, and read: the loud case */
			CHECK_EQ(c, PC_KEEP);
			CHECK_EQ(src, OFFLINE_UNKNOWN);
			msg = find_warn(&w, "balloon memory may be dumped");
			CHECK(msg != NULL);
			CHECK(msg && strstr(msg, r->why));
			CHECK(!find_warn(&w, "VALUE): derived"));
		}
	}
}

TEST(derived_marker_matches_only_offline)
{
	struct mdf_warns w;
	enum offline_src src;

	/* 6.1: a buddy head stays free, a plain page stays kept */
	CHECK_EQ(classify_type(rows[4].text, NULL, 0xffffff7fu, &src, &w),
		 PC_FREE);
	CHECK_EQ(classify_type(rows[4].text, NULL, 0xffffffffu, &src, &w),
		 PC_KEEP);
	/* 6.11: the owner's low 16 bits do not hide the type */
	CHECK_EQ(classify_type(rows[8].text, NULL, 0xdfff1234u, &src, &w),
		 PC_OFFLINE);
	/* 6.12+: PGTY_offline with owner data in the low 24 bits */
	CHECK_EQ(classify_type(rows[9].text, NULL, 0xf1000042u, &src, &w),
		 PC_OFFLINE);
	CHECK_EQ(classify_type(rows[9].text, NULL, 0xf2000000u, &src, &w),
		 PC_KEEP);		/* PGTY_table */
	/* the 4.17 balloon value is not matched by guesswork */
	CHECK_EQ(classify_type(rows[12].text, NULL, 0xffffff00u, &src, &w),
		 PC_KEEP);
}

TEST(exported_marker_needs_no_derivation)
{
	static const char t[] = "OSRELEASE=6.1.0\n" LAYOUT B129
		"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n";
	struct mdf_warns w;
	enum offline_src src;

	CHECK_EQ(classify_type(t, NULL, 0xfffffeffu, &src, &w), PC_OFFLINE);
	CHECK_EQ(src, OFFLINE_EXPORTED);
	CHECK_EQ(w.n, 0);
}

TEST(user_value_wins)
{
	static const char exported[] = "OSRELEASE=6.1.0\n" LAYOUT B129
		"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n";
	static const char nomapcount[] = "OSRELEASE=6.1.0\n"
		"PAGESIZE=4096\nSIZE(page)=64\nOFFSET(page.flags)=0\n" B129;
	struct page_layout_user u = { .have_offline = true,
				      .offline = 0xffffff00u };
	struct mdf_warns w;
	enum offline_src src;

	/* 4.17 balloon pages, by hand: excluded, no warning about it */
	CHECK_EQ(classify_type(rows[12].text, &u, 0xffffff00u, &src, &w),
		 PC_OFFLINE);
	CHECK_EQ(src, OFFLINE_USER);
	CHECK(!find_warn(&w, "PAGE_OFFLINE_MAPCOUNT_VALUE"));
	/* a page-type value given for a 4.17 kernel is an exact _mapcount
	 * there: kmemcg's -512 has PG_offline's bit clear but is no match */
	u.offline = 0xfffffeffu;
	CHECK_EQ(classify_type(rows[12].text, &u, 0xfffffe00u, &src, &w),
		 PC_KEEP);
	CHECK_EQ(classify_type(rows[12].text, &u, 0xfffffeffu, &src, &w),
		 PC_OFFLINE);
	/* an unknown future kernel, by hand */
	u.offline = 0xf1000000u;
	CHECK_EQ(classify_type(rows[13].text, &u, 0xf1000000u, &src, &w),
		 PC_OFFLINE);
	CHECK(!find_warn(&w, "may be dumped"));
	/* over an exported value: the user's counts, with a warning (a
	 * 0x400 type bit: not a buddy page in this era) */
	u.offline = 0xfffffbffu;
	CHECK_EQ(classify_type(exported, &u, 0xfffffeffu, &src, &w), PC_KEEP);
	CHECK_EQ(classify_type(exported, &u, 0xfffffbffu, &src, &w),
		 PC_OFFLINE);
	CHECK(find_warn(&w, "overrides") != NULL);
	/* no _mapcount offset: nothing to compare with, said so */
	CHECK(classify_type(nomapcount, &u, 0xf1000000u, &src, &w) != PC_OFFLINE);
	CHECK(find_warn(&w, "--offline-mapcount is ignored") != NULL);
}

static const struct harness_case cases[] = {
	CASE(derive_per_era),
	CASE(derived_marker_excludes_and_warns),
	CASE(derived_marker_matches_only_offline),
	CASE(exported_marker_needs_no_derivation),
	CASE(user_value_wins),
};
HARNESS_MAIN("offline_derive", cases)
