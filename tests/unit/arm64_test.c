/* arm64_test.c: page tables built in memory for every granule and VA size
 * (arm64.md section 3): 2 to 5 levels, page and block leaves, 52-bit
 * output addresses in both encodings (64K LPA: PA[51:48] in bits 15:12;
 * 4K/16K LPA2: PA[51:50] in bits 9:8), a 52-bit kernel on 48-bit
 * hardware, KASLR through kimage_voffset, PAC-signed pointers, the old
 * and the flipped (5.4+) layout, section sizes by version, and hostile
 * tables.  The tables are written by this file's own encoder, and the
 * descriptor formats are also checked with literal descriptor values.
 */
#include "arch.h"
#include "byteorder.h"
#include "harness.h"
#include "mem_input.h"

/* "physical memory": 32 MiB of RAM where QEMU virt has it, and 32 MiB
 * with PA[51:48] = 0xb that only 52-bit output addresses reach */
#define LOW	0x40000000ull
#define HIGH	0x000b000000000000ull
#define HALF	(32ull << 20)

static uint8_t *mem;

static uint8_t *at(uint64_t pa)
{
	if (pa >= LOW && pa - LOW < HALF)
		return mem + (pa - LOW);
	if (pa >= HIGH && pa - HIGH < HALF)
		return mem + HALF + (pa - HIGH);
	fprintf(stderr, "  test bug: %#llx outside memory\n",
		(unsigned long long)pa);
	abort();
}

enum oa { OA48, LPA, LPA2 };

struct geo {
	unsigned page_shift;
	unsigned va_bits;	/* NUMBER(VA_BITS) */
	unsigned vabits;	/* 64 - TCR_EL1_T1SZ */
	unsigned nlevels;	/* spec table, arm64.md section 3 */
	unsigned top_bits;	/* index bits of the top table */
	enum oa oa;
};

/* Descriptor bits the kernel sets beside the address: AF, SH=inner (bits
 * 9:8, only without LPA2), PXN/UXN, DBM (bit 51: not an address bit) */
#define AF	(1ull << 10)
#define SH_IS	(3ull << 8)
#define DBM	(1ull << 51)
#define XN	(3ull << 53)

static uint64_t enc(const struct geo *g, uint64_t pa, unsigned type,
		    bool leaf)
{
	uint64_t d = type;

	switch (g->oa) {
	case LPA:	/* PA[47:16] in place, PA[51:48] in 15:12 */
		d |= (pa & 0x0000ffffffff0000ull) | ((pa >> 36) & 0xf000);
		break;
	case LPA2:	/* PA[49:PAGE_SHIFT] in place, PA[51:50] in 9:8 */
		d |= (pa & (0x0003ffffffffffffull & ~((1ull << g->page_shift) - 1))) |
		     ((pa >> 42) & 0x300);
		break;
	default:
		d |= pa & 0x0000fffffffff000ull;
		if (leaf)
			d |= SH_IS;
	}
	if (leaf)
		d |= AF | DBM | XN;
	return d;
}

static uint64_t dec_table(const struct geo *g, uint64_t d)
{
	switch (g->oa) {
	case LPA:
		return (d & 0x0000ffffffff0000ull) | ((d & 0xf000) << 36);
	case LPA2:
		return (d & 0x0003ffffffffffffull & ~((1ull << g->page_shift) - 1)) |
		       ((d & 0x300) << 42);
	default:
		return d & 0x0000fffffffff000ull & ~((1ull << g->page_shift) - 1);
	}
}

static uint64_t next_low, next_high;

static uint64_t alloc_table(const struct geo *g, bool high)
{
	uint64_t *next = high ? &next_high : &next_low;
	uint64_t size = 1ull << g->page_shift;
	uint64_t pa;

	*next = (*next + size - 1) & ~(size - 1);
	pa = *next;
	*next += size;
	memset(at(pa), 0, size);
	return pa;
}

static unsigned lv_shift(const struct geo *g, unsigned i)
{
	return g->page_shift + (g->nlevels - 1 - i) * (g->page_shift - 3);
}

static uint64_t lv_index(const struct geo *g, unsigned i, uint64_t va)
{
	unsigned bits = i == 0 ? g->top_bits : g->page_shift - 3;

	return (va >> lv_shift(g, i)) & ((1ull << bits) - 1);
}

/* Map va to pa with a leaf at level `leaf` (0 = top); intermediate
 * tables come from high memory when `high` (52-bit table addresses). */
static void map(const struct geo *g, uint64_t root, uint64_t va, uint64_t pa,
		unsigned leaf, bool high)
{
	uint64_t table = root;
	unsigned i;

	for (i = 0; i < leaf; i++) {
		uint8_t *e = at(table + lv_index(g, i, va) * 8);
		uint64_t d = get_le64(e);

		if (!d) {
			d = enc(g, alloc_table(g, high), 3, false);
			put_le64(e, d);
		}
		table = dec_table(g, d);
	}
	put_le64(at(table + lv_index(g, leaf, va) * 8),
		 enc(g, pa, leaf + 1 == g->nlevels ? 3 : 1, true));
}

struct setup {
	struct input *in;
	struct vmcoreinfo vi;
	struct arch a;
	struct mdf_warns w;
	struct mdf_err err;
};

/* an input with the two memory ranges; loads[0] gets vaddr lin_va */
static struct input *two_range_input(uint64_t lin_va)
{
	struct input *in = mem_input_create(mem, LOW, HALF, EM_AARCH64);
	struct input_range *r = calloc(2, sizeof(*r));

	r[0].paddr = LOW;
	r[0].memsz = r[0].filesz = HALF;
	r[1].paddr = HIGH;
	r[1].memsz = r[1].filesz = HALF;
	r[1].off = HALF;
	free(in->ranges);
	in->ranges = r;
	in->nranges = 2;
	in->loads[0].vaddr = lin_va;
	return in;
}

static int make_text(struct setup *s, const char *text, unsigned page_shift,
		     uint64_t lin_va)
{
	memset(&s->w, 0, sizeof(s->w));
	s->in = two_range_input(lin_va);
	s->in->page_size = 1u << page_shift;
	s->in->page_shift = page_shift;
	if (vmcoreinfo_parse(&s->vi, text, strlen(text), NULL, &s->err))
		return -1;
	if (arch_init(&s->a, &arch_arm64, s->in, &s->vi, &s->w, &s->err)) {
		vmcoreinfo_deinit(&s->vi);
		mem_input_destroy(s->in);
		return -1;
	}
	return 0;
}

static void unmake(struct setup *s)
{
	arch_deinit(&s->a);
	vmcoreinfo_deinit(&s->vi);
	mem_input_destroy(s->in);
}

/* A flipped-layout (5.4+) kernel: image at the start of the upper half of
 * the 48-bit (or smaller) kernel range, swapper_pg_dir inside it. */
struct kern {
	const char *release;
	uint64_t root;		/* swapper_pg_dir, physical */
	uint64_t stext;
	uint64_t swapper_va;
	uint64_t kimage_voffset;
	uint64_t pacmask;	/* 0: not exported */
	bool no_t1sz;
	int section_bits;	/* -1: not exported */
};

static void kern_default(struct kern *k, const struct geo *g, uint64_t kaslr)
{
	unsigned min = g->vabits < 48 ? g->vabits : 48;

	memset(k, 0, sizeof(*k));
	k->release = "6.10.0";
	k->root = alloc_table(g, false);
	/* 4K LPA2: the top table has 16 entries, all in this page */
	k->stext = (~0ull << (min - 1)) + 0x10000000 + kaslr;
	k->swapper_va = k->stext + 0x2000000;
	k->kimage_voffset = k->swapper_va - k->root;
	k->section_bits = -1;
}

static int make_geo(struct setup *s, const struct geo *g, const struct kern *k)
{
	char text[1024];
	int n;

	n = snprintf(text, sizeof(text),
		     "OSRELEASE=%s\nPAGESIZE=%u\nNUMBER(VA_BITS)=%u\n"
		     "SYMBOL(swapper_pg_dir)=%llx\nSYMBOL(_stext)=%llx\n"
		     "NUMBER(kimage_voffset)=0x%llx\nNUMBER(PHYS_OFFSET)=0x%llx\n"
		     "NUMBER(MAX_PHYSMEM_BITS)=%u\n",
		     k->release, 1u << g->page_shift, g->va_bits,
		     (unsigned long long)k->swapper_va,
		     (unsigned long long)k->stext,
		     (unsigned long long)k->kimage_voffset,
		     (unsigned long long)LOW, g->oa == OA48 ? 48 : 52);
	if (!k->no_t1sz)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "NUMBER(TCR_EL1_T1SZ)=0x%x\n", 64 - g->vabits);
	if (k->pacmask)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "NUMBER(KERNELPACMASK)=0x%llx\n",
			      (unsigned long long)k->pacmask);
	if (k->section_bits >= 0)
		snprintf(text + n, sizeof(text) - (size_t)n,
			 "NUMBER(SECTION_SIZE_BITS)=%d\n", k->section_bits);
	return make_text(s, text, g->page_shift, 0);
}

/* set-up that must work, or the rest of the case is meaningless */
#define MUST(call)							\
	do {								\
		if ((call) != 0) {					\
			fprintf(stderr, "  %s:%d: %s failed: %s\n",	\
				__FILE__, __LINE__, #call, s.err.msg);	\
			harness_case_failed = 1;			\
			return;						\
		}							\
	} while (0)

static int xlat(struct setup *s, uint64_t va, uint64_t *pa, uint64_t *len)
{
	return arch_kvtop(&s->a, va, pa, len, &s->err);
}

static void reset(void)
{
	memset(mem, 0, 2 * HALF);
	next_low = LOW + 0x100000;
	next_high = HIGH + 0x100000;
}

/* every granule x VA size of arm64.md section 3 */
static const struct geo geos[] = {
	{ 12, 39, 39, 3, 9, OA48 },
	{ 12, 48, 48, 4, 9, OA48 },
	{ 12, 52, 52, 5, 4, LPA2 },
	{ 14, 36, 36, 2, 11, OA48 },
	{ 14, 47, 47, 3, 11, OA48 },
	{ 14, 48, 48, 4, 1, OA48 },
	{ 14, 52, 52, 4, 5, LPA2 },
	{ 16, 42, 42, 2, 13, OA48 },
	{ 16, 48, 48, 3, 6, OA48 },
	{ 16, 52, 52, 3, 10, LPA },
};

/* the largest block level index (from the top) the granule allows */
static int max_block_level(const struct geo *g)
{
	/* block sizes: 4K 1G (2M), 16K/64K PMD only; one level more with
	 * 52-bit output addresses (4K L0, 16K L1, 64K L1) */
	unsigned hw_level = g->page_shift == 12 ? 1 : 2;	/* 0..3 */
	int top_hw = 4 - (int)g->nlevels;			/* -1..2 */

	if (g->oa != OA48)
		hw_level--;
	if ((int)hw_level < top_hw)
		return 0;
	return (int)hw_level - top_hw;
}

/* A kernel address in the lower half of the range: top index t (from
 * the first entry the running VA size uses), level 1 index i1, the
 * levels below from a pattern with non-zero indices. */
static uint64_t compose(const struct geo *g, uint64_t t, uint64_t i1)
{
	uint64_t base = ~0ull << g->vabits;
	uint64_t s1 = g->nlevels > 1 ? lv_shift(g, 1) : g->page_shift;
	uint64_t low = 0x5a5a5a5a5a5a5a5aull & ((1ull << s1) - 1) &
		       ~((1ull << g->page_shift) - 1);

	return base + (t << lv_shift(g, 0)) + (i1 << s1) + low;
}

static void check_geo(const struct geo *g)
{
	struct setup s;
	struct kern k;
	uint64_t pa, len, psz = 1ull << g->page_shift;
	uint64_t base = ~0ull << g->vabits;
	bool high = g->oa != OA48;
	uint64_t tgt = high ? HIGH : LOW;
	uint64_t page_pa = tgt + 0x4d0000 + (psz == 4096 ? 0x5000 : 0);
	unsigned pmd = g->nlevels - 2;
	uint64_t pmd_size = 1ull << lv_shift(g, pmd);
	int big = max_block_level(g);
	uint64_t big_size = 1ull << lv_shift(g, (unsigned)big);
	/* leaves at the top get their own top index, others share one and
	 * differ at level 1 */
	uint64_t va_page = compose(g, 0, 1);
	uint64_t va_pmd = pmd ? compose(g, 0, 2) & ~(pmd_size - 1) :
				compose(g, 2, 0) & ~(pmd_size - 1);
	uint64_t va_big = big ? compose(g, 0, 3) & ~(big_size - 1) :
				compose(g, 3, 0) & ~(big_size - 1);
	uint64_t marker = 0x1122334455667788ull;
	uint8_t buf[8];

	reset();
	kern_default(&k, g, 0x1230000ull << (g->page_shift - 12));
	/* the image maps swapper_pg_dir itself (checked at init) */
	map(g, k.root, k.swapper_va, k.root, g->nlevels - 1, false);
	/* a page, with bits 15:12 of its address set (LPA2 keeps them) */
	map(g, k.root, va_page, page_pa, g->nlevels - 1, high);
	put_le64(at(page_pa + 0x18), marker);
	/* a PMD block, and the largest block the granule has */
	map(g, k.root, va_pmd, tgt, pmd, high);
	if (big < (int)pmd)
		map(g, k.root, va_big, tgt, (unsigned)big, high);
	else
		big = -1;

	MUST(make_geo(&s, g, &k));
	CHECK_EQ(s.w.n, 0);
	CHECK(xlat(&s, va_page + 0x18, &pa, &len) == 0);
	CHECK_EQ(pa, page_pa + 0x18);
	CHECK_EQ(len, psz - 0x18);
	CHECK(arch_read_kvaddr(&s.a, va_page + 0x18, buf, 8, &s.err) == 0);
	CHECK_EQ(get_le64(buf), marker);
	CHECK(xlat(&s, va_pmd + 0x12340, &pa, &len) == 0);
	CHECK_EQ(pa, tgt + 0x12340);
	CHECK_EQ(len, pmd_size - 0x12340);
	if (big >= 0) {
		CHECK(xlat(&s, va_big + 0x5678, &pa, &len) == 0);
		CHECK_EQ(pa, tgt + 0x5678);
		CHECK_EQ(len, big_size - 0x5678);
	}
	/* the image: swapper_pg_dir translates to the root */
	CHECK(xlat(&s, k.swapper_va + 8, &pa, &len) == 0);
	CHECK_EQ(pa, k.root + 8);
	/* the next pages are not mapped: absent, with the level named */
	CHECK(xlat(&s, va_page + 2 * psz, &pa, &len) == MDF_ABSENT);
	CHECK(strstr(s.err.msg, "not present") != NULL);
	/* beyond the running VA size, or a user address: not the kernel's */
	if (g->vabits < 52)
		CHECK(xlat(&s, (base << 1) | (va_page & ~base), &pa, &len) ==
		      MDF_ABSENT);
	CHECK(xlat(&s, va_page & ~(1ull << 63), &pa, &len) == MDF_ABSENT);
	CHECK_EQ(s.a.kvbase, base);
	CHECK_EQ(s.a.phys_base, LOW);
	CHECK_EQ(s.a.max_physmem_bits, g->oa == OA48 ? 48 : 52);
	unmake(&s);
}

TEST(every_granule_and_va_size)
{
	size_t i;

	for (i = 0; i < sizeof(geos) / sizeof(geos[0]); i++) {
		int before = harness_case_failed;

		harness_case_failed = 0;
		check_geo(&geos[i]);
		if (harness_case_failed)
			fprintf(stderr, "  ^ %u KiB pages, VA_BITS %u\n",
				1u << (geos[i].page_shift - 10), geos[i].va_bits);
		harness_case_failed |= before;
	}
}

/* Blocks where the granule has none are invalid (the MMU faults), as is
 * a block descriptor at the last level. */
TEST(blocks_only_where_the_granule_allows)
{
	static const struct geo g4 = { 12, 48, 48, 4, 9, OA48 };
	static const struct geo g64 = { 16, 48, 48, 3, 6, OA48 };
	struct setup s;
	struct kern k;
	uint64_t pa, len;
	uint64_t va = 0xffff100000000000ull;

	reset();
	kern_default(&k, &g4, 0);
	/* level 0 block (512 GiB) without LPA2 */
	put_le64(at(k.root + lv_index(&g4, 0, va) * 8), LOW | 1 | AF);
	/* a "block" type at the PTE level */
	map(&g4, k.root, va + (1ull << 39), LOW, 3, false);
	MUST(make_geo(&s, &g4, &k));
	CHECK(xlat(&s, va, &pa, &len) == MDF_ABSENT);
	CHECK(strstr(s.err.msg, "PGD") != NULL);
	CHECK(xlat(&s, va + (1ull << 39), &pa, &len) == 0);
	CHECK_EQ(pa, LOW);
	{
		/* rewrite that PTE as type 01 */
		uint64_t t = LOW + 0x100000, d;
		unsigned i;

		for (i = 0; i < 3; i++) {
			d = get_le64(at(t + lv_index(&g4, i, va + (1ull << 39)) * 8));
			t = dec_table(&g4, d);
		}
		put_le64(at(t + lv_index(&g4, 3, va + (1ull << 39)) * 8),
			 LOW | 1 | AF);
	}
	CHECK(xlat(&s, va + (1ull << 39), &pa, &len) == MDF_ABSENT);
	CHECK(strstr(s.err.msg, "PTE") != NULL);
	unmake(&s);

	/* 64K, 48-bit: the top level (4 TiB) may not be a block */
	reset();
	kern_default(&k, &g64, 0);
	put_le64(at(k.root + lv_index(&g64, 0, va) * 8), LOW | 1 | AF);
	MUST(make_geo(&s, &g64, &k));
	CHECK(xlat(&s, va, &pa, &len) == MDF_ABSENT);
	unmake(&s);
}

/* Literal descriptors: the formats of arm64.md section 3 by value. */
TEST(lpa2_descriptors_by_value)
{
	/* 4K, 52-bit VA: 5 levels, shifts 48/39/30/21/12, 16-entry top */
	static const struct geo g = { 12, 52, 52, 5, 4, LPA2 };
	struct setup s;
	struct kern k;
	uint64_t pa, len;
	uint64_t va = 0xfff0000000000000ull;	/* index 0 everywhere */
	uint64_t t1 = LOW + 0x200000, t2 = HIGH + 0x3000, t3 = LOW + 0x204000;
	uint64_t t4 = LOW + 0x205000;

	reset();
	kern_default(&k, &g, 0);
	/* table at 0x40200000: plain */
	put_le64(at(k.root), 0x0000000040200003ull);
	/* table at 0x000b000000003000: PA[51:50]=10 in bits 9:8, PA[49:48]=11 */
	put_le64(at(t1), 0x0003000000003203ull);
	put_le64(at(t2), 0x0000000040204003ull);
	put_le64(at(t3), 0x0000000040205003ull);
	/* page at 0x000b00000000d000: bits 15:12 = 0xd are address bits
	 * (a 64K-style decoder would move them to PA[51:48]) */
	put_le64(at(t4), 0x0063000000000000ull | 0xd000 | 0x200 | AF | 3);
	MUST(make_geo(&s, &g, &k));
	CHECK(xlat(&s, va + 0x10, &pa, &len) == 0);
	CHECK_EQ(pa, 0x000b00000000d010ull);
	CHECK_EQ(len, 0x1000 - 0x10);
	/* a level 0 block (512 GiB) is legal with LPA2 */
	put_le64(at(t1 + 8), 0x0003000000000201ull | AF);
	CHECK(xlat(&s, va + (1ull << 39) + 0x123456, &pa, &len) == 0);
	CHECK_EQ(pa, HIGH + 0x123456);
	CHECK_EQ(len, (1ull << 39) - 0x123456);
	unmake(&s);
}

TEST(lpa_64k_descriptors_by_value)
{
	/* 64K, 52-bit VA and PA: 3 levels, shifts 42/29/16, 1024-entry top */
	static const struct geo g = { 16, 52, 52, 3, 10, LPA };
	struct setup s;
	struct kern k;
	uint64_t pa, len;
	uint64_t va = 0xfff0000000000000ull;

	reset();
	kern_default(&k, &g, 0);
	/* PMD table at 0x000b000000010000: PA[51:48]=0xb in bits 15:12 */
	put_le64(at(k.root), 0x000000000001b003ull);
	/* PTE table at 0x40400000 */
	put_le64(at(HIGH + 0x10000), 0x0000000040400003ull);
	/* page at 0x000b000000050000, DBM and XN set */
	put_le64(at(LOW + 0x400000), 0x006800000005b703ull);
	MUST(make_geo(&s, &g, &k));
	CHECK(xlat(&s, va + 0xabc, &pa, &len) == 0);
	CHECK_EQ(pa, 0x000b000000050abcull);
	/* a level 1 block (4 TiB) is legal with 52-bit PA */
	put_le64(at(k.root + 8), 0x000000000000b401ull);
	CHECK(xlat(&s, va + (1ull << 42) + 0x777, &pa, &len) == 0);
	CHECK_EQ(pa, HIGH + 0x777);
	unmake(&s);
}

/* A kernel built for 52 bits on hardware without them (TCR_EL1_T1SZ
 * 16 or 17): 64K keeps its 1024-entry top table and the hardware walks
 * its last 64 entries (TTBR1_BADDR_4852_OFFSET); 4K and 16K fold the top
 * level away and the descriptors are not LPA2 (bits 9:8 = SH). */
TEST(va52_kernel_on_48bit_hardware)
{
	static const struct geo g64 = { 16, 52, 48, 3, 10, OA48 };
	static const struct geo g4 = { 12, 52, 48, 4, 9, OA48 };
	static const struct geo g16 = { 14, 52, 47, 3, 11, OA48 };
	struct setup s;
	struct kern k;
	uint64_t pa, len;
	uint64_t va = 0xffff000000000000ull;

	/* 64K: the entry for 0xffff000000000000 is number 960 */
	reset();
	kern_default(&k, &g64, 0);
	put_le64(at(k.root + 960 * 8), 0x0000000040400003ull);
	put_le64(at(LOW + 0x400000), 0x0000000040510703ull | AF);
	put_le64(at(LOW + 0x510000), 0x0000000040520703ull | AF);
	MUST(make_geo(&s, &g64, &k));
	CHECK(xlat(&s, va + 0x44, &pa, &len) == 0);
	CHECK_EQ(pa, 0x40520044);
	CHECK_EQ(s.a.kvbase, va);
	unmake(&s);

	/* 4K with LPA2 built in but off: SH in bits 9:8 is not PA[51:50] */
	reset();
	kern_default(&k, &g4, 0);
	map(&g4, k.root, va + 0x7000, LOW + 0x9000, 3, false);
	MUST(make_geo(&s, &g4, &k));
	CHECK(xlat(&s, va + 0x7004, &pa, &len) == 0);
	CHECK_EQ(pa, LOW + 0x9004);
	unmake(&s);

	/* 16K falls back to 47 bits: 3 levels, 2048-entry top */
	reset();
	kern_default(&k, &g16, 0);
	map(&g16, k.root, 0xffff8000deadc000ull, LOW + 0x8000, 2, false);
	MUST(make_geo(&s, &g16, &k));
	CHECK(xlat(&s, 0xffff8000deadc123ull, &pa, &len) == 0);
	CHECK_EQ(pa, LOW + 0x8123);
	CHECK(xlat(&s, 0xffff0000deadc123ull, &pa, &len) == MDF_ABSENT);
	unmake(&s);
}

/* KASLR: the image anywhere, kimage_voffset says where; the tables map
 * swapper_pg_dir, so a wrong kimage_voffset is noticed. */
TEST(kaslr_kimage_voffset)
{
	static const struct geo g = { 12, 48, 48, 4, 9, OA48 };
	struct setup s;
	struct kern k;
	uint64_t pa, len;
	uint64_t kaslr = 0x5d9a83200000ull;

	reset();
	kern_default(&k, &g, kaslr);
	CHECK(k.stext == 0xffff800010000000ull + kaslr);
	map(&g, k.root, k.swapper_va, k.root, 3, false);
	map(&g, k.root, k.stext, LOW + 0x200000, 2, false);	/* 2 MiB */
	MUST(make_geo(&s, &g, &k));
	CHECK_EQ(s.w.n, 0);
	CHECK(xlat(&s, k.stext + 0x1234, &pa, &len) == 0);
	CHECK_EQ(pa, LOW + 0x201234);
	unmake(&s);

	/* the tables say swapper_pg_dir is elsewhere: warned */
	reset();
	kern_default(&k, &g, kaslr);
	map(&g, k.root, k.swapper_va, k.root + 0x10000, 3, false);
	MUST(make_geo(&s, &g, &k));
	CHECK_EQ(s.w.n, 1);
	CHECK(strstr(s.w.msg[0], "kimage_voffset") != NULL);
	unmake(&s);

	/* a kimage_voffset pointing outside memory is an error */
	reset();
	kern_default(&k, &g, kaslr);
	k.kimage_voffset -= 0x100000000ull;
	CHECK(make_geo(&s, &g, &k) < 0);
	CHECK(strstr(s.err.msg, "not in the dump") != NULL);
}

/* Signed pointers: the PAC sits in KERNELPACMASK's bits, bit 55 stays. */
TEST(pac_bits_are_stripped)
{
	static const struct geo g = { 12, 48, 48, 4, 9, OA48 };
	struct setup s;
	struct kern k;
	uint64_t pa, len;
	uint64_t va = 0xffff00001fed0380ull;
	uint64_t signed_va = (va & ~0xffff000000000000ull) |
			     0x3aff000000000000ull;	/* bit 55 set */

	reset();
	kern_default(&k, &g, 0);
	map(&g, k.root, va, LOW + 0x1ed0000, 3, false);
	k.pacmask = 0xffff000000000000ull;
	MUST(make_geo(&s, &g, &k));
	CHECK(xlat(&s, signed_va, &pa, &len) == 0);
	CHECK_EQ(pa, LOW + 0x1ed0380);
	unmake(&s);
	/* without KERNELPACMASK the same bits make a non-kernel address */
	k.pacmask = 0;
	MUST(make_geo(&s, &g, &k));
	CHECK(xlat(&s, signed_va, &pa, &len) == MDF_ABSENT);
	CHECK(xlat(&s, va, &pa, &len) == 0);
	unmake(&s);
}

/* Before 5.4 the linear map was the upper half and the image the lower
 * (Linux 14c127c957c1 flipped them); the root comes from kimage_voffset
 * in both, phys_base falls back to a linear PT_LOAD in both. */
TEST(old_and_flipped_layouts)
{
	static const struct geo g = { 12, 48, 48, 4, 9, OA48 };
	static const char old_fmt[] =
		"OSRELEASE=4.19.0\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\n"
		"SYMBOL(_stext)=ffff000008081000\n"
		"SYMBOL(swapper_pg_dir)=%llx\nNUMBER(kimage_voffset)=0x%llx\n";
	struct setup s;
	char text[512];
	uint64_t pa, len, root, swapper_va = 0xffff000009000000ull;
	uint64_t lin = 0xffff800000000000ull;	/* old PAGE_OFFSET */

	reset();
	root = alloc_table(&g, false);
	map(&g, root, swapper_va, root, 3, false);
	map(&g, root, lin + 0x5000, LOW + 0x5000, 3, false);
	snprintf(text, sizeof(text), old_fmt, (unsigned long long)swapper_va,
		 (unsigned long long)(swapper_va - root));
	/* no PHYS_OFFSET: from the PT_LOAD whose vaddr is linear */
	MUST(make_text(&s, text, 12, lin));
	CHECK_EQ(s.a.phys_base, LOW);
	CHECK_EQ(s.a.section_size_bits, 30);
	CHECK_EQ(s.a.kvbase, 0xffff000000000000ull);
	CHECK(xlat(&s, lin + 0x5008, &pa, &len) == 0);
	CHECK_EQ(pa, LOW + 0x5008);
	CHECK(xlat(&s, swapper_va, &pa, &len) == 0);
	CHECK_EQ(pa, root);
	CHECK_EQ(s.w.n, 0);
	unmake(&s);
	/* a PT_LOAD in the old image range is not linear: no phys_base
	 * from it, a warning instead */
	MUST(make_text(&s, text, 12, swapper_va));
	CHECK_EQ(s.w.n, 1);
	CHECK(strstr(s.w.msg[0], "PHYS_OFFSET") != NULL);
	unmake(&s);

	/* flipped: the linear map is the lower half; a /proc/vmcore
	 * PT_LOAD at 0xffff000000400000 for PA LOW+4M gives phys_base */
	{
		static const char new_fmt[] =
			"OSRELEASE=5.10.0\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\n"
			"SYMBOL(_stext)=ffff800010081000\n"
			"SYMBOL(swapper_pg_dir)=%llx\nNUMBER(kimage_voffset)=0x%llx\n";
		uint64_t sva = 0xffff800011000000ull;

		reset();
		root = alloc_table(&g, false);
		map(&g, root, sva, root, 3, false);
		map(&g, root, 0xffff000000005000ull, LOW + 0x5000, 3, false);
		snprintf(text, sizeof(text), new_fmt, (unsigned long long)sva,
			 (unsigned long long)(sva - root));
		MUST(make_text(&s, text, 12, 0xffff000000000000ull));
		CHECK_EQ(s.a.phys_base, LOW);
		CHECK_EQ(s.a.section_size_bits, 30);
		CHECK(xlat(&s, 0xffff000000005010ull, &pa, &len) == 0);
		CHECK_EQ(pa, LOW + 0x5010);
		CHECK_EQ(s.w.n, 0);
		unmake(&s);
	}

	/* no kimage_voffset and the tables in the (old) linear map, as
	 * before 4.6: the root is found through the linear map */
	{
		static const char pre_fmt[] =
			"OSRELEASE=4.4.0\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\n"
			"SYMBOL(_stext)=ffff800000081000\n"
			"NUMBER(PHYS_OFFSET)=0x40000000\n"
			"SYMBOL(swapper_pg_dir)=%llx\n";

		reset();
		root = alloc_table(&g, false);
		map(&g, root, lin + (root - LOW), root, 3, false);
		map(&g, root, lin + 0x3000, LOW + 0x3000, 3, false);
		snprintf(text, sizeof(text), pre_fmt,
			 (unsigned long long)(lin + (root - LOW)));
		MUST(make_text(&s, text, 12, 0));
		CHECK(xlat(&s, lin + 0x3001, &pa, &len) == 0);
		CHECK_EQ(pa, LOW + 0x3001);
		CHECK_EQ(s.w.n, 0);
		unmake(&s);
	}
}

/* NUMBER(SECTION_SIZE_BITS) appeared in 5.13; before it, 30 until 5.11,
 * 27 (4K, 16K) or 29 (64K) since 5.12. */
TEST(section_size_by_version)
{
	static const struct {
		const char *release;
		unsigned page_shift, va_bits, want;
	} rows[] = {
		{ "4.19.0", 12, 48, 30 }, { "5.11.22", 12, 48, 30 },
		{ "5.11.0", 16, 48, 30 }, { "5.12.0", 12, 48, 27 },
		{ "5.12.0", 14, 47, 27 }, { "5.12.0", 16, 48, 29 },
		{ "6.1.0-56-arm64", 16, 42, 29 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct geo g = { rows[i].page_shift, rows[i].va_bits,
				 rows[i].va_bits, 0, 0, OA48 };
		struct setup s;
		struct kern k;

		reset();
		kern_default(&k, &g, 0);
		k.release = rows[i].release;
		MUST(make_geo(&s, &g, &k));
		CHECK_EQ(s.a.section_size_bits, rows[i].want);
		CHECK_EQ(s.a.page_size, 1u << rows[i].page_shift);
		unmake(&s);
	}
}

/* Without TCR_EL1_T1SZ (5.4-5.8) a 52-bit build tells its running size
 * by the linear address of mem_section; without VA_BITS (< 4.12) the
 * image address tells it. */
TEST(va_size_without_the_numbers)
{
	static const struct geo g = { 16, 48, 48, 3, 6, OA48 };
	struct setup s;
	struct kern k;
	uint64_t pa, len;
	char text[512];

	reset();
	kern_default(&k, &g, 0);
	k.no_t1sz = true;
	map(&g, k.root, 0xffff000000010000ull, LOW + 0x20000, 2, false);
	MUST(make_geo(&s, &g, &k));
	CHECK(xlat(&s, 0xffff000000010008ull, &pa, &len) == 0);
	CHECK_EQ(pa, LOW + 0x20008);
	unmake(&s);

	snprintf(text, sizeof(text),
		 "OSRELEASE=5.6.0\nPAGESIZE=65536\nNUMBER(VA_BITS)=52\n"
		 "SYMBOL(mem_section)=ffff00001fed0380\n"
		 "SYMBOL(_stext)=ffff800010080000\n"
		 "SYMBOL(swapper_pg_dir)=ffff800011000000\n"
		 "NUMBER(kimage_voffset)=0x%llx\n",
		 (unsigned long long)(0xffff800011000000ull - k.root));
	MUST(make_text(&s, text, 16, 0));
	CHECK_EQ(s.a.kvbase, 0xffff000000000000ull);	/* 48 running */
	unmake(&s);
	snprintf(text, sizeof(text),
		 "OSRELEASE=5.6.0\nPAGESIZE=65536\nNUMBER(VA_BITS)=52\n"
		 "SYMBOL(mem_section)=fff000001fed0380\n"
		 "SYMBOL(_stext)=ffff800010080000\n"
		 "SYMBOL(swapper_pg_dir)=ffff800011000000\n"
		 "NUMBER(kimage_voffset)=0x%llx\n",
		 (unsigned long long)(0xffff800011000000ull - k.root));
	MUST(make_text(&s, text, 16, 0));
	CHECK_EQ(s.a.kvbase, 0xfff0000000000000ull);	/* 52 running */
	unmake(&s);

	/* no VA_BITS: 4.9's image at 0xffff000008080000 says 48 */
	snprintf(text, sizeof(text),
		 "OSRELEASE=4.9.0\nPAGESIZE=4096\n"
		 "SYMBOL(_stext)=ffff000008081000\n"
		 "SYMBOL(swapper_pg_dir)=ffff000009000000\n"
		 "NUMBER(PHYS_OFFSET)=0x40000000\n"
		 "NUMBER(kimage_voffset)=0x%llx\n",
		 (unsigned long long)(0xffff000009000000ull - k.root));
	MUST(make_text(&s, text, 12, 0));
	CHECK_EQ(s.a.kvbase, 0xffff000000000000ull);
	CHECK_EQ(s.w.n, 1);
	unmake(&s);
	/* and lowercase tcr_el1_t1sz is accepted (crash does) */
	snprintf(text, sizeof(text),
		 "OSRELEASE=6.1.0\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\n"
		 "NUMBER(tcr_el1_t1sz)=0x19\n"
		 "SYMBOL(_stext)=ffffffc008010000\n"
		 "SYMBOL(swapper_pg_dir)=ffffffc009000000\n"
		 "NUMBER(kimage_voffset)=0x%llx\n",
		 (unsigned long long)(0xffffffc009000000ull - k.root));
	MUST(make_text(&s, text, 12, 0));
	CHECK_EQ(s.a.kvbase, 0xffffff8000000000ull);	/* 39 running */
	unmake(&s);
}

TEST(hostile_tables_and_bad_numbers)
{
	static const struct geo g = { 12, 48, 48, 4, 9, OA48 };
	struct setup s;
	struct kern k;
	uint64_t pa, len, va = 0xffff000000000000ull;
	char text[512];

	reset();
	kern_default(&k, &g, 0);
	/* every level points at the top table: bounded */
	put_le64(at(k.root + lv_index(&g, 0, va) * 8), k.root | 3);
	MUST(make_geo(&s, &g, &k));
	CHECK(xlat(&s, va, &pa, &len) >= 0);
	/* a table outside memory */
	put_le64(at(k.root + lv_index(&g, 0, va) * 8), 0x7ffff000000ull | 3);
	CHECK(xlat(&s, va, &pa, &len) == MDF_ABSENT);
	CHECK(strstr(s.err.msg, "not in the dump") != NULL);
	unmake(&s);

	/* impossible numbers are refused by name */
	snprintf(text, sizeof(text), "OSRELEASE=6.1.0\nPAGESIZE=8192\n"
		 "NUMBER(VA_BITS)=48\nSYMBOL(swapper_pg_dir)=ffff800011000000\n");
	CHECK(make_text(&s, text, 13, 0) < 0);
	CHECK(strstr(s.err.msg, "PAGESIZE 8192") != NULL);
	snprintf(text, sizeof(text), "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
		 "NUMBER(VA_BITS)=60\nSYMBOL(swapper_pg_dir)=ffff800011000000\n");
	CHECK(make_text(&s, text, 12, 0) < 0);
	CHECK(strstr(s.err.msg, "VA_BITS 60") != NULL);
	snprintf(text, sizeof(text), "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
		 "NUMBER(VA_BITS)=48\nNUMBER(TCR_EL1_T1SZ)=0x8\n"
		 "SYMBOL(swapper_pg_dir)=ffff800011000000\n");
	CHECK(make_text(&s, text, 12, 0) < 0);
	CHECK(strstr(s.err.msg, "TCR_EL1_T1SZ") != NULL);
	snprintf(text, sizeof(text), "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
		 "NUMBER(VA_BITS)=48\nNUMBER(PHYS_OFFSET)=0x40000000\n");
	CHECK(make_text(&s, text, 12, 0) < 0);
	CHECK(strstr(s.err.msg, "swapper_pg_dir") != NULL);
	snprintf(text, sizeof(text), "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
		 "NUMBER(PHYS_OFFSET)=0x40000000\n"
		 "SYMBOL(swapper_pg_dir)=ffff800011000000\n");
	CHECK(make_text(&s, text, 12, 0) < 0);
	CHECK(strstr(s.err.msg, "VA_BITS") != NULL);
}

/* The dump names the machine; VMCOREINFO must agree with it. */
TEST(arch_from_the_dump)
{
	static const char arm[] = "OSRELEASE=6.1.0\nNUMBER(VA_BITS)=48\n"
				  "NUMBER(kimage_voffset)=0x1\n";
	static const char x86[] = "OSRELEASE=6.1.0\n"
				  "SYMBOL(init_top_pgt)=ffffffff82a0a000\n";
	const struct arch_ops *ops = NULL;
	struct vmcoreinfo va, vx;
	struct mdf_err err;

	CHECK(vmcoreinfo_parse(&va, arm, sizeof(arm) - 1, NULL, &err) == 0);
	CHECK(vmcoreinfo_parse(&vx, x86, sizeof(x86) - 1, NULL, &err) == 0);
	CHECK(arch_find(EM_AARCH64, &va, &ops, &err) == 0 && ops == &arch_arm64);
	CHECK(arch_find(EM_AARCH64, NULL, &ops, &err) == 0 && ops == &arch_arm64);
	CHECK(arch_find(EM_X86_64, &vx, &ops, &err) == 0 && ops == &arch_x86_64);
	CHECK(arch_find(EM_NONE, &va, &ops, &err) == 0 && ops == &arch_arm64);
	CHECK(arch_find(EM_NONE, &vx, &ops, &err) == 0 && ops == &arch_x86_64);
	CHECK(arch_find(EM_X86_64, &va, &ops, &err) == -MDF_EFORMAT);
	CHECK(strstr(err.msg, "x86_64") && strstr(err.msg, "arm64"));
	CHECK(arch_find(EM_ARM, NULL, &ops, &err) == -MDF_EUNSUPP);
	CHECK(strstr(err.msg, "32-bit") != NULL);
	CHECK(arch_find(EM_NONE, NULL, &ops, &err) == -MDF_EUNSUPP);
	vmcoreinfo_deinit(&va);
	vmcoreinfo_deinit(&vx);
}

static const struct harness_case cases[] = {
	CASE(every_granule_and_va_size),
	CASE(blocks_only_where_the_granule_allows),
	CASE(lpa2_descriptors_by_value),
	CASE(lpa_64k_descriptors_by_value),
	CASE(va52_kernel_on_48bit_hardware),
	CASE(kaslr_kimage_voffset),
	CASE(pac_bits_are_stripped),
	CASE(old_and_flipped_layouts),
	CASE(section_size_by_version),
	CASE(va_size_without_the_numbers),
	CASE(hostile_tables_and_bad_numbers),
	CASE(arch_from_the_dump),
};

int main(void)
{
	int rc;

	mem = aligned_alloc(65536, 2 * HALF);
	rc = harness_run("arm64", cases, sizeof(cases) / sizeof(cases[0]));
	free(mem);
	return rc;
}
