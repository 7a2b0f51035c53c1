/* memmap_test.c: struct pages found and classified on arm64 kernels with
 * 4K, 16K and 64K pages, built in memory: RAM at 0x40000000 (pfn 0x40000
 * with 4K pages), page tables, the SPARSEMEM_EXTREME roots and sections in
 * the linear map, a vmemmap mapped page by page, and struct pages of every
 * class.  memmap_init() and scan_cycle() must find each class exactly, over
 * more pfns than one scan batch, with the section size taken from
 * VMCOREINFO or from the arch's default for the kernel version.
 */
#include "arch.h"
#include "bitmap.h"
#include "byteorder.h"
#include "classify.h"
#include "harness.h"
#include "mem_input.h"
#include "memmap.h"

#define RAM		0x40000000ull
#define NPFN		5000ull			/* more than a scan batch */
#define PAGE_OFFSET	0xffff000000000000ull	/* 48-bit, 5.4+ layout */
#define VMEMMAP_START	0xfffffc0000000000ull
#define SWAPPER_VA	0xffff800011000000ull
#define SP		64			/* SIZE(page) */

/* descriptor bits: table/page, block, AF, inner shareable */
#define TBL	3ull
#define AF_SH	((1ull << 10) | (3ull << 8))

static uint8_t *mem;
static unsigned ps;		/* page shift */
static uint64_t psz, next_pa;

static uint8_t *at(uint64_t pa)
{
	if (pa < RAM || pa - RAM >= NPFN * psz)
		abort();
	return mem + (pa - RAM);
}

/* kernel memory from the top of RAM, zeroed (the buffer is shared by the
 * cases: only what a case allocates is cleared, so 64K pages cost little) */
static uint64_t alloc(uint64_t size)
{
	uint64_t pa = (next_pa + psz - 1) & ~(psz - 1);

	size = (size + psz - 1) & ~(psz - 1);
	memset(at(pa), 0, size);
	next_pa = pa + size;
	return pa;
}

static unsigned nlevels(void)
{
	return (48 - ps + (ps - 3) - 1) / (ps - 3);
}

static uint64_t index_of(unsigned i, uint64_t va)
{
	unsigned n = nlevels();
	unsigned shift = ps + (n - 1 - i) * (ps - 3);
	unsigned bits = i == 0 ? 48 - shift : ps - 3;

	return (va >> shift) & ((1ull << bits) - 1);
}

/* map one page va -> pa through tables under root */
static void map_page(uint64_t root, uint64_t va, uint64_t pa)
{
	uint64_t table = root;
	unsigned i, n = nlevels();

	for (i = 0; i + 1 < n; i++) {
		uint8_t *e = at(table + index_of(i, va) * 8);
		uint64_t d = get_le64(e);

		if (!d) {
			d = alloc(psz) | TBL;
			put_le64(e, d);
		}
		table = d & 0x0000fffffffff000ull & ~(psz - 1);
	}
	put_le64(at(table + index_of(n - 1, va) * 8), pa | TBL | AF_SH);
}

static uint64_t lin(uint64_t pa)
{
	return PAGE_OFFSET + (pa - RAM);
}

/* struct page writers (6.1 layout: flags 0, compound_head 8, mapping 24,
 * private 40, _mapcount 48, _refcount 52) */
static uint64_t vmemmap, sp_backing;

/* struct pages are contiguous in the memory backing the vmemmap */
static uint8_t *sp_of(uint64_t pfn)
{
	return at(sp_backing + (pfn - (RAM >> ps)) * SP);
}

static void page(uint64_t pfn, uint64_t flags, uint64_t mapping,
		 uint64_t priv, uint32_t mapcount)
{
	uint8_t *sp = sp_of(pfn);

	put_le64(sp + 0, flags);
	put_le64(sp + 24, mapping);
	put_le64(sp + 40, priv);
	put_le32(sp + 48, mapcount);
	put_le32(sp + 52, 1);
}

enum { PG_lru = 4, PG_slab = 9, PG_private = 13 };

struct want {
	uint64_t free, offline, user, cache, cache_private;
};

/* Build the kernel image for this page size; returns what -d 31 must
 * exclude.  text gets the VMCOREINFO. */
static struct want build(char *text, size_t len, bool export_section_bits)
{
	uint64_t p0 = RAM >> ps, pfn, root, roots_pa, secs_pa, va;
	unsigned section_bits = ps == 16 ? 29 : 27;
	uint64_t per_root = psz / 16, nr_roots;
	uint64_t sec_nr = RAM >> section_bits;
	struct want w = { 0 };
	int n;

	next_pa = RAM + 4700 * psz;	/* kernel data at the top of RAM */
	nr_roots = (1ull << (48 - section_bits)) / per_root;
	vmemmap = VMEMMAP_START - p0 * SP;

	root = alloc(psz);
	map_page(root, SWAPPER_VA, root);
	/* roots array and one page of sections, in the linear map */
	roots_pa = alloc(nr_roots * 8);
	for (va = 0; va < nr_roots * 8; va += psz)
		map_page(root, lin(roots_pa) + va, roots_pa + va);
	secs_pa = alloc(psz);
	map_page(root, lin(secs_pa), secs_pa);
	put_le64(at(roots_pa + (sec_nr / per_root) * 8), lin(secs_pa));
	put_le64(at(secs_pa + (sec_nr % per_root) * 16),
		 vmemmap | 1 | 2 | 4);	/* present, has memmap, online */
	/* the vmemmap of [p0, p0 + NPFN): page by page */
	sp_backing = alloc(NPFN * SP);
	for (va = 0; va < NPFN * SP + psz; va += psz)
		map_page(root, (vmemmap + p0 * SP + va) & ~(psz - 1),
			 (sp_backing + va) & ~(psz - 1));

	/* struct pages: all kernel pages (kept) but these */
	for (pfn = p0; pfn < p0 + NPFN; pfn++)
		page(pfn, 0, 0, 0, 0xffffffff);
	page(p0 + 16, 0, 0, 4, 0xffffff7f);		/* buddy order 4 */
	w.free += 16;
	page(p0 + 4096, 0, 0, 6, 0xffffff7f);		/* order 6, 2nd batch */
	w.free += 64;
	for (pfn = p0 + 1000; pfn < p0 + 1100; pfn++)	/* balloon */
		page(pfn, 0, 0, 0, 0xfffffeff);
	w.offline += 100;
	for (pfn = p0 + 2000; pfn < p0 + 2050; pfn++)	/* anon */
		page(pfn, 1ull << PG_lru, lin(RAM + 0x1230) | 1, 0, 0);
	w.user += 50;
	for (pfn = p0 + 3000; pfn < p0 + 3070; pfn++)	/* file */
		page(pfn, 1ull << PG_lru, lin(RAM + 0x4560), 0, 0);
	w.cache += 70;
	for (pfn = p0 + 3100; pfn < p0 + 3110; pfn++)	/* buffer heads */
		page(pfn, (1ull << PG_lru) | (1ull << PG_private),
		     lin(RAM + 0x4560), lin(RAM + 0x7890), 0);
	w.cache_private += 10;
	for (pfn = p0 + 3200; pfn < p0 + 3205; pfn++)	/* slab: kept */
		page(pfn, 1ull << PG_slab, 0, 0, 0);
	for (pfn = p0 + 4990; pfn < p0 + 5000; pfn++)	/* last batch: anon */
		page(pfn, 0, lin(RAM) | 1, 0, 0);
	w.user += 10;

	n = snprintf(text, len,
		     "OSRELEASE=6.1.0-56-arm64\nPAGESIZE=%llu\n"
		     "NUMBER(VA_BITS)=48\nNUMBER(TCR_EL1_T1SZ)=0x10\n"
		     "NUMBER(PHYS_OFFSET)=0x%llx\nNUMBER(kimage_voffset)=0x%llx\n"
		     "SYMBOL(swapper_pg_dir)=%llx\nSYMBOL(_stext)=ffff800010000000\n"
		     "SYMBOL(mem_section)=%llx\nLENGTH(mem_section)=%llu\n"
		     "SIZE(mem_section)=16\nOFFSET(mem_section.section_mem_map)=0\n"
		     "NUMBER(MAX_PHYSMEM_BITS)=48\n"
		     "SIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
		     "OFFSET(page.mapping)=24\nOFFSET(page.lru)=8\n"
		     "OFFSET(page._mapcount)=48\nOFFSET(page.private)=40\n"
		     "OFFSET(page.compound_dtor)=16\nOFFSET(page.compound_order)=17\n"
		     "OFFSET(page.compound_head)=8\nLENGTH(zone.free_area)=%u\n"
		     "NUMBER(PG_lru)=4\nNUMBER(PG_private)=13\n"
		     "NUMBER(PG_swapcache)=10\nNUMBER(PG_swapbacked)=19\n"
		     "NUMBER(PG_slab)=9\nNUMBER(PG_hwpoison)=22\n"
		     "NUMBER(PG_head_mask)=65536\n"
		     "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
		     "NUMBER(HUGETLB_PAGE_DTOR)=2\n"
		     "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n",
		     (unsigned long long)psz, (unsigned long long)RAM,
		     (unsigned long long)(SWAPPER_VA - root),
		     (unsigned long long)SWAPPER_VA,
		     (unsigned long long)lin(roots_pa),
		     (unsigned long long)nr_roots,
		     ps == 16 ? 14 : ps == 14 ? 12 : 11);
	if (export_section_bits)
		snprintf(text + n, len - (size_t)n,
			 "NUMBER(SECTION_SIZE_BITS)=%u\n", section_bits);
	return w;
}

static void scan(unsigned page_shift, bool export_section_bits)
{
	char text[4096];
	struct vmcoreinfo vi;
	struct mdf_warns warns = { 0 };
	struct mdf_err err;
	struct input *in;
	struct arch a;
	struct memmap mm;
	struct page_layout pl;
	struct cycle c;
	struct scan_env env;
	struct dump_stats st = { 0 };
	struct want w;
	uint64_t p0;

	ps = page_shift;
	psz = 1ull << ps;
	p0 = RAM >> ps;
	w = build(text, sizeof(text), export_section_bits);
	in = mem_input_create(mem, RAM, NPFN * psz, EM_AARCH64);
	CHECK(vmcoreinfo_parse(&vi, text, strlen(text), NULL, &err) == 0);
	CHECK(input_set_page_size(in, (unsigned)psz, &err) == 0);
	if (arch_init(&a, &arch_arm64, in, &vi, &warns, &err) < 0) {
		fprintf(stderr, "  %s\n", err.msg);
		harness_case_failed = 1;
		goto out_vi;
	}
	CHECK_EQ(warns.n, 0);
	if (memmap_init(&mm, &a, &vi, input_max_pfn(in), &warns, &err) < 0) {
		fprintf(stderr, "  %s\n", err.msg);
		harness_case_failed = 1;
		goto out_arch;
	}
	CHECK_EQ(mm.pfn_section_shift, (ps == 16 ? 29u : 27u) - ps);
	CHECK_EQ(mm.n_ok, 1);
	CHECK_EQ(memmap_pfn_to_page(&mm, p0 + 7), VMEMMAP_START + 7 * SP);
	CHECK(page_layout_init(&pl, &vi, ps, &warns, &err) == 0);
	CHECK(cycle_init(&c, p0 + NPFN, SP, &err) == 0);
	env.in = in;
	env.mm = &mm;
	env.pl = &pl;
	env.dump_level = 31;
	env.max_mapnr = input_max_pfn(in);
	CHECK_EQ(env.max_mapnr, p0 + NPFN);
	CHECK(scan_cycle(&env, &c, 0, &st, NULL, &err) == 0);
	CHECK_EQ(st.present, NPFN);
	CHECK_EQ(st.excluded[PC_FREE], w.free);
	CHECK_EQ(st.excluded[PC_OFFLINE], w.offline);
	CHECK_EQ(st.excluded[PC_USER], w.user);
	CHECK_EQ(st.excluded[PC_CACHE], w.cache);
	CHECK_EQ(st.excluded[PC_CACHE_PRIVATE], w.cache_private);
	CHECK_EQ(st.memmap_unavailable + st.bad_order + st.bad_buddy, 0);
	/* exactly those pfns left the 2nd bitmap */
	CHECK(bm_test(c.bm2, p0 + 15) && !bm_test(c.bm2, p0 + 16) &&
	      !bm_test(c.bm2, p0 + 31) && bm_test(c.bm2, p0 + 32));
	CHECK(!bm_test(c.bm2, p0 + 4096 + 63) && bm_test(c.bm2, p0 + 4096 + 64));
	CHECK(!bm_test(c.bm2, p0 + 1099) && bm_test(c.bm2, p0 + 1100));
	CHECK(bm_test(c.bm2, p0 + 3200) && !bm_test(c.bm2, p0 + 4999));
	CHECK(!bm_test(c.bm1, p0 - 1) && bm_test(c.bm1, p0));
	cycle_deinit(&c);
	memmap_deinit(&mm);
out_arch:
	arch_deinit(&a);
out_vi:
	vmcoreinfo_deinit(&vi);
	mem_input_destroy(in);
}

TEST(pages_4k_section_bits_exported) { scan(12, true); }
TEST(pages_16k_section_bits_exported) { scan(14, true); }
TEST(pages_64k_section_bits_exported) { scan(16, true); }
/* 6.1 without NUMBER(SECTION_SIZE_BITS): 27 or 29 from the arch */
TEST(pages_16k_section_bits_by_version) { scan(14, false); }
TEST(pages_64k_section_bits_by_version) { scan(16, false); }

static const struct harness_case cases[] = {
	CASE(pages_4k_section_bits_exported),
	CASE(pages_16k_section_bits_exported),
	CASE(pages_64k_section_bits_exported),
	CASE(pages_16k_section_bits_by_version),
	CASE(pages_64k_section_bits_by_version),
};

int main(void)
{
	int rc;

	/* 5000 pages of 64 KiB; untouched pages are never backed */
	mem = calloc(1, NPFN << 16);
	rc = harness_run("memmap", cases, sizeof(cases) / sizeof(cases[0]));
	free(mem);
	return rc;
}
