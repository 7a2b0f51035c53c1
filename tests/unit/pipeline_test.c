/* pipeline_test.c: the page pipeline gives the same results in the same
 * order whatever runs it: the caller alone (0 threads), N worker threads,
 * and N threads with the caller helping while it waits, over an in-memory
 * input of zero, repetitive and incompressible pages. */
#include "harness.h"
#include "mem_input.h"
#include "pipeline.h"

#define NPAGES	3000u
#define PSZ	4096u

static uint8_t *mem;

/* what a run produced, page by page in submission order */
struct outcome {
	uint64_t pfn[NPAGES];
	uint32_t size[NPAGES];
	uint64_t sum[NPAGES];		/* FNV-1a of the bytes at data */
	uint8_t codec[NPAGES], zero[NPAGES];
	unsigned n;
	uint64_t helped;		/* pages the caller's resources read */
};

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	while (n--)
		h = (h ^ *p++) * 1099511628211ull;
	return h;
}

static void fill(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned pfn, i;

	for (pfn = 0; pfn < NPAGES; pfn++) {
		uint8_t *pg = mem + (size_t)pfn * PSZ;

		switch (pfn % 5) {
		case 0:		/* zero */
			memset(pg, 0, PSZ);
			break;
		case 1:		/* incompressible */
			for (i = 0; i < PSZ; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				pg[i] = (uint8_t)x;
			}
			break;
		default:	/* text-like, compresses */
			for (i = 0; i < PSZ; i++)
				pg[i] = (uint8_t)("kernel data "[(i + pfn) % 12]);
			pg[pfn % PSZ] = (uint8_t)pfn;
			break;
		}
	}
}

static void record(struct outcome *o, const struct pipe_batch *b)
{
	unsigned i;

	for (i = 0; i < b->n && o->n < NPAGES; i++, o->n++) {
		const struct pipe_result *r = &b->res[i];

		o->pfn[o->n] = r->pfn;
		o->size[o->n] = r->size;
		o->sum[o->n] = fnv(r->data, r->size);
		o->codec[o->n] = (uint8_t)r->codec;
		o->zero[o->n] = r->zero;
	}
}

/* The pfns dump.c would hand over: all but every 7th, in batches of
 * batch_pages, collected as dump.c's drain does. */
static int run(enum codec_id id, unsigned nthreads, bool help,
	       struct outcome *o)
{
	struct input *in = mem_input_create(mem, 0, (uint64_t)NPAGES * PSZ,
					    EM_X86_64);
	struct pipeline pl;
	struct pipe_batch *b = NULL, *done;
	struct mdf_err err;
	unsigned pfn;
	int rc;

	memset(o, 0, sizeof(*o));
	rc = pipeline_init(&pl, in, PIPE_COMPRESS, true, codec_find(id),
			   nthreads, help, &err);
	if (rc < 0)
		goto out;
	for (pfn = 0; pfn <= NPAGES && rc == 0; pfn++) {
		bool last = pfn == NPAGES;

		if (!last && pfn % 7 == 3)
			continue;
		if (!last) {
			if (!b)
				b = pipeline_get(&pl);
			b->pfn[b->n++] = pfn;
		}
		if (b && (b->n == pl.batch_pages || last)) {
			pipeline_put(&pl, b);
			b = NULL;
		}
		/* a full ring: wait for the oldest; the end: collect all */
		while (rc == 0 && (last || pl.tail - pl.head >= pl.nbatch)) {
			rc = pipeline_collect(&pl, true, &done, &err);
			if (rc < 0 || !done)
				break;
			record(o, done);
			pipeline_recycle(&pl, done);
		}
	}
	pipeline_stop(&pl);
	if (pl.helping)
		o->helped = pl.w[pl.nthreads].pages_read;
	CHECK_EQ(pl.helping, nthreads && help);
	CHECK_EQ(pipeline_pages_read(&pl), NPAGES - (NPAGES + 3) / 7);
	pipeline_deinit(&pl);
out:
	mem_input_destroy(in);
	return rc;
}

static void same(const struct outcome *a, const struct outcome *b)
{
	CHECK_EQ(a->n, b->n);
	CHECK(memcmp(a->pfn, b->pfn, sizeof(a->pfn)) == 0);
	CHECK(memcmp(a->size, b->size, sizeof(a->size)) == 0);
	CHECK(memcmp(a->sum, b->sum, sizeof(a->sum)) == 0);
	CHECK(memcmp(a->codec, b->codec, sizeof(a->codec)) == 0);
	CHECK(memcmp(a->zero, b->zero, sizeof(a->zero)) == 0);
}

static void every_way(enum codec_id id)
{
	static struct outcome ref, o;
	static const struct { unsigned n; bool help; } ways[] = {
		{ 1, false }, { 2, false }, { 1, true }, { 2, true }, { 5, true },
	};
	unsigned i, zeros = 0, raw = 0;

	if (!codec_find(id))
		return;
	CHECK(run(id, 0, false, &ref) == 0);
	CHECK_EQ(ref.n, NPAGES - (NPAGES + 3) / 7);
	for (i = 0; i < ref.n; i++) {
		zeros += ref.zero[i];
		raw += !ref.zero[i] && ref.codec[i] == CODEC_NONE;
	}
	/* all three kinds of page went through */
	CHECK(zeros > 0 && raw > 0 && zeros + raw < ref.n);
	for (i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		CHECK(run(id, ways[i].n, ways[i].help, &o) == 0);
		same(&ref, &o);
		/* one worker leaves batches queued while the caller waits:
		 * the caller takes some */
		if (ways[i].n == 1 && ways[i].help)
			CHECK(o.helped > 0);
		if (!ways[i].help)
			CHECK_EQ(o.helped, 0);
	}
}

TEST(lzo_same_every_way)
{
	every_way(CODEC_LZO);
}

TEST(zlib_same_every_way)
{
	every_way(CODEC_ZLIB);
}

/* --num-threads N on a machine of C CPUs: workers, and whether the main
 * thread helps */
TEST(plan_fits_the_cpus)
{
	static const struct {
		unsigned n;
		long cpus;
		unsigned workers;
		bool help;
	} t[] = {
		{ 0, 8, 0, false },	/* no threads asked: none */
		{ 0, -1, 0, false },
		{ 3, -1, 3, false },	/* CPUs unknown: as asked */
		{ 1, 1, 1, false },	/* one CPU: one worker */
		{ 4, 1, 1, false },
		{ 1, 2, 1, true },	/* fewer than CPUs: main helps */
		{ 3, 16, 3, true },
		{ 2, 2, 1, true },	/* as many: one CPU for main */
		{ 8, 2, 1, true },
		{ 16, 16, 15, true },
		{ 1000, 4096, PIPE_MAX_THREADS, true },
		{ 1000, 1, 1, false },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pipe_plan p = pipeline_plan(t[i].n, t[i].cpus);

		CHECK_EQ(p.workers, t[i].workers);
		CHECK_EQ(p.help, t[i].help);
	}
	CHECK(pipeline_usable_cpus() >= 1);
}

static const struct harness_case cases[] = {
	CASE(lzo_same_every_way),
	CASE(zlib_same_every_way),
	CASE(plan_fits_the_cpus),
};

int main(void)
{
	int rc;

	mem = aligned_alloc(4096, (size_t)NPAGES * PSZ);
	fill();
	rc = harness_run("pipeline", cases, sizeof(cases) / sizeof(cases[0]));
	free(mem);
	return rc;
}
