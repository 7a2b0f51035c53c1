/* bitmap_test.c: window sizing from the memory budget (cli.md section 6),
 * the non-cyclic bitmap file, and the live-span readers (a gap of the
 * input's ranges is never read: there it is PROT_NONE). */
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bitmap.h"
#include "harness.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define TiB (1ull << 40)

/* 1 TiB of 4 KiB pages with plenty of free memory: 4 MiB for both
 * bitmaps, 16M pfns per window, 16 windows */
TEST(auto_budget_is_4mib)
{
	struct cycle_plan p;

	cycle_plan_make(TiB >> 12, 8 * GiB, 0, 1, false, &p);
	CHECK_EQ(p.bufsize, 4 * MiB);
	CHECK_EQ(p.pfns, 16 * MiB);
	CHECK(!p.single && !p.in_file && !p.truncated);
}

/* 60 % of MemFree when that is less: a capture kernel with 5 MiB free */
TEST(auto_budget_sixty_percent_of_free)
{
	struct cycle_plan p;

	cycle_plan_make(TiB >> 12, 5 * MiB, 0, 1, false, &p);
	CHECK_EQ(p.bufsize, 5 * MiB / 10 * 6);
	CHECK_EQ(p.pfns, p.bufsize * 4);
	CHECK(!p.single);
}

/* a small machine: both whole bitmaps are the budget, one cycle */
TEST(auto_budget_small_machine_single)
{
	struct cycle_plan p;

	cycle_plan_make(131031, 100 * MiB, 0, 1, false, &p);
	CHECK_EQ(p.bufsize, (131031 + 3) / 4);
	CHECK(p.single);
	CHECK_EQ(p.pfns, 131031);
}

/* MemFree unknown (no /proc): no limit from it */
TEST(auto_budget_free_unknown)
{
	struct cycle_plan p;

	cycle_plan_make(TiB >> 12, 0, 0, 1, false, &p);
	CHECK_EQ(p.bufsize, 4 * MiB);
}

/* split output: budget per file */
TEST(auto_budget_split)
{
	struct cycle_plan p;

	cycle_plan_make(1 << 20, 100 * MiB, 0, 4, false, &p);
	CHECK_EQ(p.bufsize, (1 << 20) / 4 / 4);
}

/* --cyclic-buffer: taken as asked, cut to MemFree with a notice */
TEST(user_buffer)
{
	struct cycle_plan p;

	cycle_plan_make(TiB >> 12, 8 * GiB, 1 * MiB, 1, false, &p);
	CHECK_EQ(p.bufsize, 1 * MiB);
	CHECK_EQ(p.pfns, 4 * MiB);
	CHECK(!p.truncated && !p.single);
	cycle_plan_make(TiB >> 12, 8 * MiB, 64 * MiB, 1, false, &p);
	CHECK(p.truncated);
	CHECK_EQ(p.bufsize, 8 * MiB);
	/* more than both bitmaps: one cycle of exactly max_mapnr */
	cycle_plan_make(1000, 8 * GiB, 1 * MiB, 1, false, &p);
	CHECK(p.single);
	CHECK_EQ(p.pfns, 1000);
	/* tiny: at least one struct page batch */
	cycle_plan_make(TiB >> 12, 8 * GiB, 16, 1, false, &p);
	CHECK_EQ(p.pfns, CYCLE_MIN_PFNS);
}

/* --non-cyclic / --work-dir: one window over everything, in a file */
TEST(non_cyclic)
{
	struct cycle_plan p;

	cycle_plan_make(TiB >> 12, 8 * MiB, 0, 1, true, &p);
	CHECK(p.single && p.in_file);
	CHECK_EQ(p.pfns, TiB >> 12);
}

/* whatever the size of the machine, the automatic budget stays bounded */
TEST(bounded_for_any_size)
{
	struct cycle_plan p;
	uint64_t pfns;

	for (pfns = 1; pfns < (1ull << 52); pfns <<= 3) {
		cycle_plan_make(pfns, 64 * GiB, 0, 1, false, &p);
		CHECK(p.bufsize <= CYCLE_AUTO_MAX);
		CHECK(p.pfns / 4 <= CYCLE_AUTO_MAX);
	}
}

/* the bitmap file: created in the directory, unlinked, usable, and gone
 * after deinit */
TEST(file_backed_cycle)
{
	char dir[] = "/tmp/bitmap_testXXXXXX";
	struct mdf_err err = { 0 };
	struct cycle c;
	struct stat st;
	int rc;

	CHECK(mkdtemp(dir) != NULL);
	rc = cycle_init(&c, 100000, 64, dir, &err);
	CHECK_EQ(rc, 0);
	if (rc == 0) {
		CHECK(c.file_len == c.cap / 8 * 2);
		CHECK(fstat(c.file_fd, &st) == 0 && st.st_nlink == 0);
		CHECK_EQ((uint64_t)st.st_size, c.file_len);
		bm_set(c.bm2, c.cap - 1);
		bm_set(c.bm1, 0);
		CHECK(bm_test(c.bm2, c.cap - 1) && !bm_test(c.bm1, c.cap - 1));
		CHECK_EQ(bm_count(c.bm1, 0, c.cap), 1);
		cycle_deinit(&c);
	}
	CHECK(rmdir(dir) == 0);		/* nothing left behind */
	rc = cycle_init(&c, 1000, 64, "/nonexistent/dir", &err);
	CHECK(rc < 0);
	CHECK(strstr(err.msg, "Can't open the bitmap file(/nonexistent/dir/kdump_bitmap") != NULL);
	cycle_deinit(&c);		/* safe after a failed init */
}

/* ranges with a gap: pfns [0, 1000) + [1000, 1500) (adjacent: one span),
 * [70000, 70100), and 5000 bytes from 100 bytes into pfn 100000 (ends
 * inside pfn 100001: rounded up).  bm2's second page (bits 32768-65535,
 * all inside the gap) is PROT_NONE: reading it would be a SIGSEGV. */
TEST(live_spans_skip_gaps_unread)
{
	static const struct input_range r[] = {
		{ .paddr = 0, .memsz = 1000ull << 12, .filesz = 1000ull << 12 },
		{ .paddr = 1000ull << 12, .memsz = 500ull << 12, .filesz = 500ull << 12 },
		{ .paddr = 70000ull << 12, .memsz = 100ull << 12, .filesz = 100ull << 12 },
		{ .paddr = (100000ull << 12) + 100, .memsz = 5000, .filesz = 5000 },
	};
	static const uint64_t set[] = { 0, 1, 63, 64, 999, 1000, 1499, 70000,
					70063, 70099, 100000, 100001 };
	struct input in;
	struct cycle c;
	uint64_t lo, hi, i, n = 0, pg = 4096;
	uint8_t *bm = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t k;

	CHECK(bm != MAP_FAILED);
	memset(&in, 0, sizeof(in));
	in.page_shift = 12;
	in.page_size = 4096;
	in.ranges = (struct input_range *)r;
	in.nranges = 4;
	memset(&c, 0, sizeof(c));
	c.start = 0;
	c.end = c.cap = 4 * pg * 8;
	c.bm2 = bm;
	c.in = &in;
	for (k = 0; k < sizeof(set) / sizeof(set[0]); k++)
		bm_set(bm, set[k]);
	CHECK(mprotect(bm + pg, pg, PROT_NONE) == 0);

	CHECK(cycle_live_span(&c, 0, &lo, &hi) && lo == 0 && hi == 1500);
	CHECK(cycle_live_span(&c, 1200, &lo, &hi) && lo == 1200 && hi == 1500);
	CHECK(cycle_live_span(&c, 1500, &lo, &hi) && lo == 70000 && hi == 70100);
	CHECK(cycle_live_span(&c, 70100, &lo, &hi) && lo == 100000 && hi == 100002);
	CHECK(!cycle_live_span(&c, 100002, &lo, &hi));
	CHECK_EQ(cycle_count2(&c, 0, c.end), sizeof(set) / sizeof(set[0]));
	CHECK_EQ(cycle_count2(&c, 64, 70064), 6);
	for (i = cycle_next2(&c, 0, c.end); i < c.end;
	     i = cycle_next2(&c, i + 1, c.end)) {
		CHECK(n < sizeof(set) / sizeof(set[0]) && i == set[n]);
		n++;
	}
	CHECK_EQ(n, sizeof(set) / sizeof(set[0]));
	/* backwards again (a second pass): the cache is not fooled */
	CHECK_EQ(cycle_next2(&c, 2, c.end), 63);
	CHECK_EQ(cycle_next2(&c, 1500, 70000), 70000);
	/* a window that starts inside the gap */
	c.start = 65536;
	c.end = 65536 + 8 * pg * 2;
	c.span_from = c.span_lo = c.span_hi = 0;
	CHECK(cycle_live_span(&c, 0, &lo, &hi) && lo == 70000 - 65536 &&
	      hi == 70100 - 65536);
	munmap(bm, 4 * pg);
}

static const struct harness_case cases[] = {
	CASE(auto_budget_is_4mib),
	CASE(auto_budget_sixty_percent_of_free),
	CASE(auto_budget_small_machine_single),
	CASE(auto_budget_free_unknown),
	CASE(auto_budget_split),
	CASE(user_buffer),
	CASE(non_cyclic),
	CASE(bounded_for_any_size),
	CASE(file_backed_cycle),
	CASE(live_spans_skip_gaps_unread),
};
HARNESS_MAIN("bitmap", cases)
