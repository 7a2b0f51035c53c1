/* scan_test.c: the struct page scan of scan_cycle() on an arm64 4K kernel
 * built in memory (as memmap_test.c), mostly free.  Free blocks are
 * excluded from their head alone: the struct pages of their tails are
 * never read.  The bitmaps and counters are the same for one window or
 * many (a free block crossing a window boundary), for one thread or
 * several (split points forced into free blocks), with a garbage order
 * (kept, its following pages classified) and a block across a hole of
 * the dump.
 */
#include "arch.h"
#include "bitmap.h"
#include "byteorder.h"
#include "classify.h"
#include "harness.h"
#include "mem_input.h"
#include "memmap.h"

#define RAM		0x40000000ull
#define NPFN		20000ull
#define PAGE_OFFSET	0xffff000000000000ull
#define VMEMMAP_START	0xfffffc0000000000ull
#define SWAPPER_VA	0xffff800011000000ull
#define SP		64
#define PSZ		4096ull
#define P0		(RAM / PSZ)
#define HOLE_A		12544ull	/* [HOLE_A, HOLE_B): no memory in the dump */
#define HOLE_B		13056ull
#define WIN		4224ull		/* windows: boundary at P0 + 3968 */

#define TBL	3ull
#define AF_SH	((1ull << 10) | (3ull << 8))

static uint8_t *mem;
static uint64_t next_pa, sp_backing;
static uint8_t *sp_read;		/* per pfn: struct page bytes read */

static uint8_t *at(uint64_t pa)
{
	if (pa < RAM || pa - RAM >= NPFN * PSZ)
		abort();
	return mem + (pa - RAM);
}

static uint64_t alloc(uint64_t size)
{
	uint64_t pa = (next_pa + PSZ - 1) & ~(PSZ - 1);

	size = (size + PSZ - 1) & ~(PSZ - 1);
	memset(at(pa), 0, size);
	next_pa = pa + size;
	return pa;
}

static uint64_t index_of(unsigned i, uint64_t va)
{
	unsigned shift = 12 + (3 - i) * 9;

	return (va >> shift) & 511;
}

static void map_page(uint64_t root, uint64_t va, uint64_t pa)
{
	uint64_t table = root;
	unsigned i;

	for (i = 0; i < 3; i++) {
		uint8_t *e = at(table + index_of(i, va) * 8);
		uint64_t d = get_le64(e);

		if (!d) {
			d = alloc(PSZ) | TBL;
			put_le64(e, d);
		}
		table = d & 0x0000fffffffff000ull;
	}
	put_le64(at(table + index_of(3, va) * 8), pa | TBL | AF_SH);
}

static uint64_t lin(uint64_t pa)
{
	return PAGE_OFFSET + (pa - RAM);
}

static void page(uint64_t r, uint64_t flags, uint64_t priv, uint32_t mapcount)
{
	uint8_t *sp = at(sp_backing + r * SP);

	put_le64(sp + 0, flags);
	put_le64(sp + 40, priv);
	put_le32(sp + 48, mapcount);
	put_le32(sp + 52, 1);
}

static void buddy(uint64_t r, uint64_t order)
{
	page(r, 0, order, 0xffffff7f);
}

/* free blocks (relative pfn, order), what -d 31 excludes */
static const struct { uint64_t r, order; } blocks[] = {
	{ 1024, 10 }, { 2048, 10 }, { 3072, 10 },	/* 3072: across WIN */
	{ 4096, 10 }, { 5120, 10 }, { 6144, 10 }, { 7168, 10 },
	{ 8200, 0 },
	{ 12288, 10 },					/* across the hole */
	{ 16384, 9 }, { 16896, 9 }, { 17408, 3 },
};

static bool is_free(uint64_t r)
{
	size_t i;

	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if (r >= blocks[i].r && r < blocks[i].r + (1ull << blocks[i].order))
			return true;
	return false;
}

static void build(char *text, size_t len)
{
	uint64_t root, roots_pa, secs_pa, va, r;
	uint64_t per_root = PSZ / 16, nr_roots = (1ull << (48 - 27)) / per_root;
	uint64_t sec_nr = RAM >> 27, vmemmap = VMEMMAP_START - P0 * SP;
	size_t i;

	next_pa = RAM + (NPFN - 512) * PSZ;
	root = alloc(PSZ);
	map_page(root, SWAPPER_VA, root);
	roots_pa = alloc(nr_roots * 8);
	for (va = 0; va < nr_roots * 8; va += PSZ)
		map_page(root, lin(roots_pa) + va, roots_pa + va);
	secs_pa = alloc(PSZ);
	map_page(root, lin(secs_pa), secs_pa);
	put_le64(at(roots_pa + (sec_nr / per_root) * 8), lin(secs_pa));
	put_le64(at(secs_pa + (sec_nr % per_root) * 16), vmemmap | 1 | 2 | 4);
	sp_backing = alloc(NPFN * SP);
	for (va = 0; va < NPFN * SP + PSZ; va += PSZ)
		map_page(root, (vmemmap + P0 * SP + va) & ~(PSZ - 1),
			 (sp_backing + va) & ~(PSZ - 1));
	for (r = 0; r < NPFN; r++)
		page(r, 0, 0, 0xffffffff);		/* kernel: kept */
	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		buddy(blocks[i].r, blocks[i].order);
	/* garbage orders: kept, and what follows is classified */
	buddy(8192, 50);		/* beyond MAX_ORDER */
	buddy(8196, 3);			/* not aligned */
	/* tails of free blocks hold whatever the allocator left there:
	 * a stale buddy marker must not matter (it is never read) */
	buddy(2048 + 512, 9);

	snprintf(text, len,
		 "OSRELEASE=6.1.0-56-arm64\nPAGESIZE=4096\n"
		 "NUMBER(VA_BITS)=48\nNUMBER(TCR_EL1_T1SZ)=0x10\n"
		 "NUMBER(PHYS_OFFSET)=0x%llx\nNUMBER(kimage_voffset)=0x%llx\n"
		 "SYMBOL(swapper_pg_dir)=%llx\nSYMBOL(_stext)=ffff800010000000\n"
		 "SYMBOL(mem_section)=%llx\nLENGTH(mem_section)=%llu\n"
		 "SIZE(mem_section)=16\nOFFSET(mem_section.section_mem_map)=0\n"
		 "NUMBER(MAX_PHYSMEM_BITS)=48\nNUMBER(SECTION_SIZE_BITS)=27\n"
		 "SIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
		 "OFFSET(page.mapping)=24\nOFFSET(page.lru)=8\n"
		 "OFFSET(page._mapcount)=48\nOFFSET(page.private)=40\n"
		 "OFFSET(page.compound_dtor)=16\nOFFSET(page.compound_order)=17\n"
		 "OFFSET(page.compound_head)=8\nLENGTH(zone.free_area)=11\n"
		 "NUMBER(PG_lru)=4\nNUMBER(PG_private)=13\n"
		 "NUMBER(PG_swapcache)=10\nNUMBER(PG_swapbacked)=19\n"
		 "NUMBER(PG_slab)=9\nNUMBER(PG_hwpoison)=22\n"
		 "NUMBER(PG_head_mask)=65536\n"
		 "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
		 "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n",
		 (unsigned long long)RAM,
		 (unsigned long long)(SWAPPER_VA - root),
		 (unsigned long long)SWAPPER_VA,
		 (unsigned long long)lin(roots_pa),
		 (unsigned long long)nr_roots);
}

/* every read of the dump: note the struct pages it covers */
static void trace(void *ctx, uint64_t paddr, uint64_t len)
{
	uint64_t a = sp_backing, b = sp_backing + NPFN * SP, r;

	(void)ctx;
	if (paddr + len <= a || paddr >= b)
		return;
	if (paddr < a) {
		len -= a - paddr;
		paddr = a;
	}
	if (paddr + len > b)
		len = b - paddr;
	for (r = (paddr - a) / SP; r < (paddr + len - a + SP - 1) / SP; r++)
		__atomic_store_n(&sp_read[r], 1, __ATOMIC_RELAXED);	/* scan threads */
}

struct world {
	struct vmcoreinfo vi;
	struct input *in;
	struct input_range ranges[2];
	struct arch a;
	struct memmap mm;
	struct page_layout pl;
	bool ok;
};

static void world_init(struct world *w)
{
	char text[4096];
	struct mdf_warns warns = { 0 };
	struct mdf_err err;

	memset(w, 0, sizeof(*w));
	build(text, sizeof(text));
	w->in = mem_input_create(mem, RAM, NPFN * PSZ, EM_AARCH64);
	/* two ranges around the hole */
	w->ranges[0].paddr = RAM;
	w->ranges[0].memsz = w->ranges[0].filesz = HOLE_A * PSZ;
	w->ranges[1].paddr = RAM + HOLE_B * PSZ;
	w->ranges[1].memsz = w->ranges[1].filesz = (NPFN - HOLE_B) * PSZ;
	w->ranges[1].off = HOLE_B * PSZ;
	w->in->ranges[0] = w->ranges[0];
	w->in->nranges = 1;
	free(w->in->ranges);
	w->in->ranges = w->ranges;
	w->in->nranges = 2;
	w->in->trace = trace;
	CHECK(vmcoreinfo_parse(&w->vi, text, strlen(text), NULL, &err) == 0);
	CHECK(arch_init(&w->a, &arch_arm64, w->in, &w->vi, &warns, &err) == 0);
	CHECK(memmap_init(&w->mm, &w->a, &w->vi, input_max_pfn(w->in), &warns,
			  &err) == 0);
	CHECK(page_layout_init(&w->pl, &w->vi, 12, &warns, &err) == 0);
	w->ok = !harness_case_failed;
}

static void world_deinit(struct world *w)
{
	memmap_deinit(&w->mm);
	arch_deinit(&w->a);
	vmcoreinfo_deinit(&w->vi);
	w->in->ranges = NULL;	/* ours, on the stack */
	mem_input_destroy(w->in);
}

/* Scan every window; bm2 of [P0, P0 + NPFN) into bm (NPFN bits). */
static int scan_all(struct world *w, uint64_t win, unsigned nthreads,
		    uint64_t split_align, uint8_t *bm, struct dump_stats *st)
{
	struct scan_env env = { 0 };
	struct mdf_err err;
	struct cycle c;
	uint64_t start, p;

	env.in = w->in;
	env.mm = &w->mm;
	env.pl = &w->pl;
	env.dump_level = 31;
	env.max_mapnr = input_max_pfn(w->in);
	env.nthreads = nthreads;
	env.split_align = split_align;
	memset(st, 0, sizeof(*st));
	memset(bm, 0, NPFN / 8 + 1);
	if (cycle_init(&c, win, SP, NULL, &err) < 0)
		return -1;
	cycle_rewind(&c);
	for (start = 0; start < env.max_mapnr; start += c.cap) {
		if (scan_cycle(&env, &c, start, st, NULL, &err) < 0) {
			fprintf(stderr, "  %s\n", err.msg);
			cycle_deinit(&c);
			return -1;
		}
		for (p = c.start; p < c.end; p++)
			if (p >= P0 && bm_test(c.bm2, p - c.start))
				bm_set(bm, p - P0);
	}
	cycle_deinit(&c);
	return 0;
}

static uint64_t want_free(void)
{
	uint64_t r, n = 0;

	for (r = 0; r < NPFN; r++)
		if (is_free(r) && !(r >= HOLE_A && r < HOLE_B))
			n++;
	return n;
}

TEST(free_block_tails_unread)
{
	static uint8_t bm[NPFN / 8 + 1];
	struct dump_stats st;
	struct world w;
	uint64_t r, tails = 0, unread = 0;
	size_t i;

	world_init(&w);
	if (!w.ok)
		return;
	memset(sp_read, 0, NPFN);
	CHECK(scan_all(&w, 1ull << 20, 0, 0, bm, &st) == 0);
	CHECK_EQ(st.excluded[PC_FREE], want_free());
	CHECK_EQ(st.excluded[PC_FREE], 6 * 1024 + 1024 + 1 + 512 + 1024 + 8);
	CHECK_EQ(st.bad_buddy, 2);
	for (r = 0; r < NPFN; r++) {
		bool present = !(r >= HOLE_A && r < HOLE_B);

		if (bm_test(bm, r) != (present && !is_free(r))) {
			fprintf(stderr, "  pfn +%llu: bm2 %d\n",
				(unsigned long long)r, bm_test(bm, r));
			harness_case_failed = 1;
			break;
		}
	}
	/* order-10 blocks that follow a free block: the head and one 4 KiB
	 * page of struct pages read, the other 960 never (after kept pages
	 * the reads grow to SCAN_BATCH and may cover a block: 1.7.2 reads
	 * a whole 4 KiB page of them too) */
	for (i = 1; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
		if (blocks[i].order != 10 || !is_free(blocks[i].r - 1))
			continue;
		for (r = blocks[i].r + 64; r < blocks[i].r + 1024; r++) {
			tails++;
			unread += !sp_read[r];
		}
		CHECK(sp_read[blocks[i].r]);
	}
	CHECK_EQ(unread, tails);
	/* the garbage orders' followers were read and classified */
	CHECK(sp_read[8193] && sp_read[8197] && sp_read[8300]);
	world_deinit(&w);
}

TEST(windows_and_threads_identical)
{
	static uint8_t ref[NPFN / 8 + 1], bm[NPFN / 8 + 1];
	static const uint64_t wins[] = { 1ull << 20, WIN, 4096 };
	static const unsigned threads[] = { 0, 1, 2, 3, 4, 8 };
	static const uint64_t aligns[] = { 0, 64, 192 };
	struct dump_stats rs, st;
	struct world w;
	size_t i, j, k;

	world_init(&w);
	if (!w.ok)
		return;
	/* the window boundary at P0 + 3968 lies inside a free block */
	CHECK(((P0 + 3968) % WIN) == 0 && is_free(3968) && is_free(3967));
	CHECK(scan_all(&w, 1ull << 20, 0, 0, ref, &rs) == 0);
	CHECK_EQ(rs.excluded[PC_FREE], want_free());
	for (i = 0; i < sizeof(wins) / sizeof(wins[0]); i++)
		for (j = 0; j < sizeof(threads) / sizeof(threads[0]); j++)
			for (k = 0; k < sizeof(aligns) / sizeof(aligns[0]); k++) {
				CHECK(scan_all(&w, wins[i], threads[j],
					       aligns[k], bm, &st) == 0);
				if (memcmp(ref, bm, sizeof(bm)) ||
				    memcmp(&rs, &st, sizeof(st))) {
					fprintf(stderr,
						"  window %llu, %u threads, split align %llu: differs\n",
						(unsigned long long)wins[i],
						threads[j],
						(unsigned long long)aligns[k]);
					harness_case_failed = 1;
				}
			}
	world_deinit(&w);
}

static const struct harness_case cases[] = {
	CASE(free_block_tails_unread),
	CASE(windows_and_threads_identical),
};

int main(void)
{
	int rc;

	mem = calloc(1, NPFN * PSZ);
	sp_read = calloc(1, NPFN);
	rc = harness_run("scan", cases, sizeof(cases) / sizeof(cases[0]));
	free(mem);
	free(sp_read);
	return rc;
}
