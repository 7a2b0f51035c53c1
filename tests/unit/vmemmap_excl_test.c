/* vmemmap_excl_test.c: the -e rule on hand-made bitmaps and a stub page
 * table: runs of two words or more inside one 32768-pfn block, pfns all in
 * memory and all excluded; whole vmemmap pages only; the last 2 MiB block
 * is never a candidate; clearing happens after all runs are found; 4 KiB
 * mapped vmemmap gives up; holes and a non-vmemmap memmap are handled.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vmemmap_excl.h"

#define BASE	0xffffea0000000000ull
#define CHUNK	(2ull << 20)
#define NSEC	8			/* sections of 32768 pfns: 1 GiB */
#define NPFN	(NSEC * 32768ull)

/* physical base of each 2 MiB vmemmap block (pfn 65536 + 512 k), or a
 * hole, or a block mapped by 4 KiB pages */
static uint64_t chunk_pa[NSEC];
static bool chunk_4k[NSEC];

static int stub_kvtop(const struct arch *a, uint64_t va, uint64_t *pa_ret,
		      uint64_t *len_ret, struct mdf_err *err)
{
	uint64_t k = (va - BASE) / CHUNK, off = (va - BASE) % CHUNK;

	(void)a;
	if (va < BASE || k >= NSEC || chunk_pa[k] == VX_HOLE) {
		snprintf(err->msg, sizeof(err->msg), "PMD not present");
		return MDF_ABSENT;
	}
	*pa_ret = chunk_pa[k] + off;
	*len_ret = chunk_4k[k] ? 4096 - (off & 4095) : CHUNK - off;
	return 0;
}

static const struct arch_ops stub_ops = { .name = "x86_64", .kvtop = stub_kvtop };

struct fixture {
	struct arch a;
	struct memmap mm;
	struct memmap_sec sec[NSEC];
	struct cycle c;
};

static void setup(struct fixture *f)
{
	unsigned i;

	memset(f, 0, sizeof(*f));
	f->a.ops = &stub_ops;
	f->mm.arch = &f->a;
	f->mm.page_shift = 12;
	f->mm.pfn_section_shift = 15;
	f->mm.struct_size = 64;
	f->mm.nr_sec = NSEC;
	f->mm.sec = f->sec;
	for (i = 0; i < NSEC; i++) {
		f->sec[i].coded = BASE;
		f->sec[i].state = MEMMAP_SEC_OK;
		chunk_pa[i] = (65536ull + 512 * i) << 12;
		chunk_4k[i] = false;
	}
	f->c.start = 0;
	f->c.end = f->c.cap = NPFN;
	f->c.bm1 = malloc(NPFN / 8);
	f->c.bm2 = malloc(NPFN / 8);
	memset(f->c.bm1, 0xff, NPFN / 8);	/* every pfn in memory */
	memset(f->c.bm2, 0xff, NPFN / 8);	/* and kept */
}

static void teardown(struct fixture *f)
{
	free(f->c.bm1);
	free(f->c.bm2);
}

static void exclude(struct fixture *f, uint64_t pfn, uint64_t n)
{
	while (n--)
		bm_clear(f->c.bm2, pfn++);
}

/* the pfn of the vmemmap page holding the struct page of pfn */
static uint64_t vm_pfn(uint64_t pfn)
{
	uint64_t off = pfn * 64;

	return (chunk_pa[off / CHUNK] + off % CHUNK) >> 12;
}

static uint64_t kept(const struct fixture *f)
{
	return bm_count(f->c.bm2, 0, NPFN);
}

TEST(runs_of_two_words_drop_whole_vmemmap_pages)
{
	struct fixture f;
	struct vmemmap_excl vx;
	struct mdf_err err;
	uint64_t n, before;

	setup(&f);
	CHECK_EQ(vmemmap_excl_init(&vx, &f.mm, &f.a, NPFN, &err), 0);
	CHECK_EQ(vx.base, BASE);
	CHECK_EQ(vx.nchunk, NSEC);
	CHECK_EQ(vx.last_pfn, (NSEC - 1) * 32768ull);
	exclude(&f, 4096, 128);		/* two words: two vmemmap pages */
	exclude(&f, 8192, 64);		/* one word: kept */
	exclude(&f, 32768 - 64, 128);	/* one word each side of a block */
	exclude(&f, 40960, 192);	/* three words, one pfn not in memory */
	bm_clear(f.c.bm1, 40960 + 100);
	exclude(&f, 7 * 32768 + 4096, 256);	/* the last block: kept */
	before = kept(&f);
	CHECK_EQ(vmemmap_excl_apply(&vx, &f.c, &n, &err), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(kept(&f), before - 2);
	CHECK(!bm_test(f.c.bm2, vm_pfn(4096)));
	CHECK(!bm_test(f.c.bm2, vm_pfn(4096 + 64)));
	CHECK_EQ(vm_pfn(4096 + 64), vm_pfn(4096) + 1);
	CHECK(bm_test(f.c.bm2, vm_pfn(8192)));
	CHECK(bm_test(f.c.bm2, vm_pfn(32768 - 64)));
	CHECK(bm_test(f.c.bm2, vm_pfn(32768)));
	CHECK(bm_test(f.c.bm2, vm_pfn(40960 + 128)));
	CHECK(bm_test(f.c.bm2, vm_pfn(7 * 32768 + 4096)));
	vmemmap_excl_deinit(&vx);
	teardown(&f);
}

/* A vmemmap page that is dropped must not make its own bitmap word a
 * candidate: all runs are found before any bit is cleared. */
TEST(clearing_waits_for_all_runs)
{
	struct fixture f;
	struct vmemmap_excl vx;
	struct mdf_err err;
	uint64_t n, p, w;

	setup(&f);
	CHECK_EQ(vmemmap_excl_init(&vx, &f.mm, &f.a, NPFN, &err), 0);
	exclude(&f, 4096, 128);
	p = vm_pfn(4096);	/* 65600, word 1025 */
	w = p / 64;
	/* word w excluded but for the two vmemmap pages, the next word
	 * excluded: a candidate pair only if the drop came first */
	exclude(&f, w * 64, 128);
	bm_set(f.c.bm2, p);
	bm_set(f.c.bm2, p + 1);
	CHECK_EQ(vmemmap_excl_apply(&vx, &f.c, &n, &err), 0);
	CHECK_EQ(n, 2);
	CHECK(!bm_test(f.c.bm2, p) && !bm_test(f.c.bm2, p + 1));
	CHECK(bm_test(f.c.bm2, vm_pfn(w * 64)));
	vmemmap_excl_deinit(&vx);
	teardown(&f);
}

TEST(holes_and_the_last_block)
{
	struct fixture f;
	struct vmemmap_excl vx;
	struct mdf_err err;
	uint64_t n;

	setup(&f);
	chunk_pa[3] = VX_HOLE;
	/* high_pfn inside block 5: blocks 0-5 visited, runs end in block 4 */
	CHECK_EQ(vmemmap_excl_init(&vx, &f.mm, &f.a, 5 * 32768 + 1, &err), 0);
	CHECK_EQ(vx.nchunk, 6);
	CHECK_EQ(vx.last_pfn, 5 * 32768ull);
	exclude(&f, 3 * 32768, 256);	/* unmapped vmemmap: nothing */
	exclude(&f, 4 * 32768, 256);	/* below the limit: 4 pages */
	exclude(&f, 5 * 32768, 256);	/* the last visited block: nothing */
	CHECK_EQ(vmemmap_excl_apply(&vx, &f.c, &n, &err), 0);
	CHECK_EQ(n, 4);
	CHECK(!bm_test(f.c.bm2, vm_pfn(4 * 32768 + 192)));
	CHECK(bm_test(f.c.bm2, vm_pfn(5 * 32768)));
	vmemmap_excl_deinit(&vx);
	teardown(&f);
}

TEST(base_pages_give_up)
{
	struct fixture f;
	struct vmemmap_excl vx;
	struct mdf_err err;

	setup(&f);
	chunk_4k[2] = true;
	CHECK_EQ(vmemmap_excl_init(&vx, &f.mm, &f.a, NPFN, &err), MDF_ABSENT);
	CHECK_EQ(vx.not_huge_va, BASE + 2 * CHUNK);
	CHECK(strstr(err.msg, "4096-byte pages") != NULL);
	vmemmap_excl_deinit(&vx);
	teardown(&f);
}

TEST(no_virtual_memmap_or_misaligned_base)
{
	struct fixture f;
	struct vmemmap_excl vx;
	struct mdf_err err;
	uint64_t n;

	setup(&f);
	f.sec[5].coded = BASE + 0x1000000;	/* classic SPARSEMEM */
	CHECK_EQ(vmemmap_excl_init(&vx, &f.mm, &f.a, NPFN, &err), MDF_ABSENT);
	CHECK_EQ(vx.not_huge_va, 0);
	vmemmap_excl_deinit(&vx);
	f.sec[5].coded = BASE;
	f.mm.pfn_section_shift = 0;		/* FLATMEM */
	CHECK_EQ(vmemmap_excl_init(&vx, &f.mm, &f.a, NPFN, &err), MDF_ABSENT);
	vmemmap_excl_deinit(&vx);
	f.mm.pfn_section_shift = 15;
	for (n = 0; n < NSEC; n++)
		f.sec[n].coded = BASE + 4096;
	CHECK_EQ(vmemmap_excl_init(&vx, &f.mm, &f.a, NPFN, &err), MDF_ABSENT);
	CHECK(strstr(err.msg, "not 2 MiB aligned") != NULL);
	vmemmap_excl_deinit(&vx);
	teardown(&f);
}

TEST(a_window_not_at_pfn_0_is_left_alone)
{
	struct fixture f;
	struct vmemmap_excl vx;
	struct mdf_err err;
	uint64_t n, before;

	setup(&f);
	CHECK_EQ(vmemmap_excl_init(&vx, &f.mm, &f.a, NPFN, &err), 0);
	exclude(&f, 4096, 128);
	before = kept(&f);
	f.c.start = 64;
	CHECK_EQ(vmemmap_excl_apply(&vx, &f.c, &n, &err), 0);
	CHECK_EQ(n, 0);
	f.c.start = 0;
	CHECK_EQ(kept(&f), before);
	vmemmap_excl_deinit(&vx);
	teardown(&f);
}

static const struct harness_case cases[] = {
	CASE(runs_of_two_words_drop_whole_vmemmap_pages),
	CASE(clearing_waits_for_all_runs),
	CASE(holes_and_the_last_block),
	CASE(base_pages_give_up),
	CASE(no_virtual_memmap_or_misaligned_base),
	CASE(a_window_not_at_pfn_0_is_left_alone),
};

HARNESS_MAIN("vmemmap_excl_test", cases)
