/* bitmap_test.c: window sizing from the memory budget (cli.md section 6)
 * and the non-cyclic bitmap file. */
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
};
HARNESS_MAIN("bitmap", cases)
