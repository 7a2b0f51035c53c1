/* x86_64_test.c: page-table walks over page tables built in memory:
 * 4- and 5-level, 4 KiB / 2 MiB / 1 GiB leaves, KASLR phys_base, SME,
 * and hostile tables (not present, self-referencing, outside memory). */
#include "arch.h"
#include "byteorder.h"
#include "harness.h"
#include "mem_input.h"

#define MEM	(64u << 20)		/* 64 MiB of "physical memory" */
#define KMAP	0xffffffff80000000ull
#define P	1ull			/* present */
#define PS	(1ull << 7)

static uint8_t *mem;

static void pte(uint64_t table, unsigned idx, uint64_t val)
{
	put_le64(mem + table + idx * 8, val);
}

static unsigned ix(uint64_t va, unsigned shift)
{
	return (va >> shift) & 511;
}

struct setup {
	struct input *in;
	struct vmcoreinfo vi;
	struct arch a;
};

static int make(struct setup *s, bool l5, uint64_t top_phys,
		uint64_t phys_base, uint64_t sme)
{
	char text[512];
	struct mdf_err err;
	int n;

	n = snprintf(text, sizeof(text),
		     "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
		     "SYMBOL(init_top_pgt)=%llx\nNUMBER(phys_base)=%lld\n"
		     "NUMBER(pgtable_l5_enabled)=%d\nNUMBER(sme_mask)=%llu\n",
		     (unsigned long long)(top_phys - phys_base + KMAP),
		     (long long)phys_base, l5, (unsigned long long)sme);
	s->in = mem_input_create(mem, 0, MEM, EM_X86_64);
	if (vmcoreinfo_parse(&s->vi, text, (size_t)n, NULL, &err))
		return -1;
	if (arch_init(&s->a, &arch_x86_64, s->in, &s->vi, NULL, &err)) {
		fprintf(stderr, "  %s\n", err.msg);
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

static int xlat(struct setup *s, uint64_t va, uint64_t *pa, uint64_t *len)
{
	struct mdf_err err;

	return arch_kvtop(&s->a, va, pa, len, &err);
}

TEST(four_level_all_leaf_sizes)
{
	struct setup s;
	uint64_t pa, len;
	/* tables at 1 MiB: PGD, PUD, PMD, PT */
	uint64_t pgd = 0x100000, pud = 0x101000, pmd = 0x102000, pt = 0x103000;
	uint64_t va4k = 0xffff888000201234ull;	/* direct map style */
	uint64_t va2m = 0xffff888000400000ull + 0x12345;
	uint64_t va1g = 0xffffea0040000000ull + 0x1234567;

	memset(mem, 0, MEM);
	pte(pgd, ix(va4k, 39), pud | P);
	pte(pud, ix(va4k, 30), pmd | P);
	pte(pmd, ix(va4k, 21), pt | P);
	pte(pt, ix(va4k, 12), 0x2ff000 | P | (1ull << 63));	/* NX */
	pte(pmd, ix(va2m, 21), 0x600000 | P | PS | (1ull << 12));	/* PAT */
	pte(pgd, ix(va1g, 39), 0x104000 | P);
	pte(0x104000, ix(va1g, 30), 0x40000000ull | P | PS);
	CHECK(make(&s, false, pgd, 0, 0) == 0);
	CHECK(xlat(&s, va4k, &pa, &len) == 0);
	CHECK_EQ(pa, 0x2ff234);
	CHECK_EQ(len, 0x1000 - 0x234);
	CHECK(xlat(&s, va2m, &pa, &len) == 0);
	CHECK_EQ(pa, 0x600000 + 0x12345);
	CHECK_EQ(len, 0x200000 - 0x12345);
	CHECK(xlat(&s, va1g, &pa, &len) == 0);
	CHECK_EQ(pa, 0x40000000ull + 0x1234567);
	unmake(&s);
}

TEST(five_level)
{
	struct setup s;
	uint64_t pa, len;
	uint64_t p5 = 0x200000, p4 = 0x201000, pud = 0x202000, pmd = 0x203000;
	uint64_t va = 0xff11000000000000ull + 0x3000000 + 0x42;

	memset(mem, 0, MEM);
	pte(p5, ix(va, 48), p4 | P);
	pte(p4, ix(va, 39), pud | P);
	pte(pud, ix(va, 30), pmd | P);
	pte(pmd, ix(va, 21), 0xa00000 | P | PS);
	CHECK(make(&s, true, p5, 0, 0) == 0);
	CHECK(xlat(&s, va, &pa, &len) == 0);
	CHECK_EQ(pa, 0xa00000 + 0x1000000 % 0x200000 + 0x42);
	/* a 4-level walk of the same tables must not find it */
	unmake(&s);
	CHECK(make(&s, false, p5, 0, 0) == 0);
	CHECK(xlat(&s, va, &pa, &len) != 0);
	unmake(&s);
}

TEST(kaslr_phys_base_negative)
{
	struct setup s;
	uint64_t pa, len;
	/* the kernel runs 0x20200000 below its link address (6.1 cores
	 * export NUMBER(phys_base)=-541065216): arithmetic is mod 2^64 */
	uint64_t phys_base = (uint64_t)-541065216;
	uint64_t pgd = 0x300000, pud = 0x301000, pmd = 0x302000;
	uint64_t va = 0xffffffffa0000000ull;

	memset(mem, 0, MEM);
	pte(pgd, ix(va, 39), pud | P);
	pte(pud, ix(va, 30), pmd | P);
	pte(pmd, ix(va, 21), 0x1e00000 | P | PS);
	CHECK(make(&s, false, pgd, phys_base, 0) == 0);
	CHECK_EQ(s.a.phys_base, phys_base);
	CHECK(xlat(&s, va + 0x10, &pa, &len) == 0);
	CHECK_EQ(pa, 0x1e00010);
	unmake(&s);
}

TEST(sme_cbit_is_stripped)
{
	struct setup s;
	uint64_t pa, len;
	uint64_t cbit = 1ull << 47;
	uint64_t pgd = 0x100000, pud = 0x101000, pmd = 0x102000;
	uint64_t va = 0xffff888000000000ull + 0x800000;

	memset(mem, 0, MEM);
	pte(pgd, ix(va, 39), pud | cbit | P);
	pte(pud, ix(va, 30), pmd | cbit | P);
	pte(pmd, ix(va, 21), 0x800000 | cbit | P | PS);
	CHECK(make(&s, false, pgd, 0, cbit) == 0);
	CHECK(xlat(&s, va, &pa, &len) == 0);
	CHECK_EQ(pa, 0x800000);
	unmake(&s);
}

TEST(hostile_tables_end_the_walk)
{
	struct setup s;
	struct mdf_err err;
	uint64_t pa, len;
	uint64_t pgd = 0x100000;
	uint64_t va = 0xffff888000000000ull;

	memset(mem, 0, MEM);
	/* not present: named by level */
	CHECK(make(&s, false, pgd, 0, 0) == 0);
	CHECK(arch_kvtop(&s.a, va, &pa, &len, &err) == MDF_ABSENT);
	CHECK(strstr(err.msg, "PGD") != NULL);
	/* every level points at the PGD itself: bounded, ends */
	pte(pgd, ix(va, 39), pgd | P);
	pte(pgd, ix(va, 30), pgd | P);
	pte(pgd, ix(va, 21), pgd | P);
	pte(pgd, ix(va, 12), pgd | P);
	CHECK(arch_kvtop(&s.a, va, &pa, &len, &err) == MDF_ABSENT);
	CHECK(strstr(err.msg, "points at its own table") != NULL);
	/* a PMD entry naming its own table is refused too: followed, the
	 * PMD's 2 MiB leaves would be read as PTEs (mkvmcore case
	 * hostile-pgtable) */
	memset(mem, 0, MEM);
	va += 0x1234000;			/* PMD index 9, PTE index 0x34 */
	pte(pgd, ix(va, 39), 0x101000 | P);
	pte(0x101000, ix(va, 30), 0x102000 | P);
	pte(0x102000, ix(va, 21), 0x102000 | P);
	pte(0x102000, ix(va, 12), 0x400000 | P | PS);	/* another 2 MiB leaf */
	CHECK(arch_kvtop(&s.a, va, &pa, &len, &err) == MDF_ABSENT);
	CHECK(strstr(err.msg, "PMD points at its own table") != NULL);
	/* a table outside memory */
	memset(mem, 0, MEM);
	pte(pgd, ix(va, 39), 0x7ffff000000ull | P);
	CHECK(arch_kvtop(&s.a, va, &pa, &len, &err) == MDF_ABSENT);
	CHECK(strstr(err.msg, "not in the dump") != NULL);
	/* non-canonical address */
	CHECK(arch_kvtop(&s.a, 0x0000900000000000ull, &pa, &len, &err) == MDF_ABSENT);
	unmake(&s);
}

struct seen {
	unsigned n;
	char level[6][4];
	uint64_t where[6], value[6];
};

static void seen_entry(void *ctx, const char *level, uint64_t where,
		       uint64_t value)
{
	struct seen *t = ctx;

	if (t->n < 6) {
		snprintf(t->level[t->n], sizeof(t->level[0]), "%s", level);
		t->where[t->n] = where;
		t->value[t->n] = value;
	}
	t->n++;
}

/* --vtop's entry lines: every entry read, top first, raw (C-bit kept),
 * 1.7.2's level names, and the walk that stops names where it stopped */
TEST(trace_names_each_entry_read)
{
	struct setup s;
	struct seen t;
	const struct pgt_trace tr = { seen_entry, &t };
	uint64_t pa, len, cbit = 1ull << 47;
	uint64_t p5 = 0x200000, p4 = 0x201000, pud = 0x202000, pmd = 0x203000;
	uint64_t pt = 0x204000;
	uint64_t va = 0xff11000000000000ull + 0x3000000 + 0x5042;

	memset(mem, 0, MEM);
	pte(p5, ix(va, 48), p4 | P);
	pte(p4, ix(va, 39), pud | P);
	pte(pud, ix(va, 30), pmd | P);
	pte(pmd, ix(va, 21), pt | cbit | P);
	pte(pt, ix(va, 12), 0xabc000 | cbit | P);
	CHECK(make(&s, true, p5, 0, cbit) == 0);
	memset(&t, 0, sizeof(t));
	s.a.trace = &tr;
	CHECK(xlat(&s, va, &pa, &len) == 0);
	CHECK_EQ(pa, 0xabc042);
	CHECK_EQ(t.n, 5);
	CHECK(strcmp(t.level[0], "PGD") == 0 && strcmp(t.level[1], "P4D") == 0 &&
	      strcmp(t.level[2], "PUD") == 0 && strcmp(t.level[3], "PMD") == 0 &&
	      strcmp(t.level[4], "PTE") == 0);
	CHECK_EQ(t.where[0], p5 + ix(va, 48) * 8);
	CHECK_EQ(t.where[4], pt + ix(va, 12) * 8);
	CHECK_EQ(t.value[3], pt | cbit | P);
	CHECK_EQ(t.value[4], 0xabc000 | cbit | P);
	/* 4-level names the top PGD, then PUD; a missing PMD entry is the
	 * last one told */
	unmake(&s);
	memset(mem, 0, MEM);
	va = 0xffff888000201234ull;
	pte(p5, ix(va, 39), pud | P);
	pte(pud, ix(va, 30), pmd | P);
	CHECK(make(&s, false, p5, 0, 0) == 0);
	memset(&t, 0, sizeof(t));
	s.a.trace = &tr;
	CHECK(xlat(&s, va, &pa, &len) == MDF_ABSENT);
	CHECK_EQ(t.n, 3);
	CHECK(strcmp(t.level[0], "PGD") == 0 && strcmp(t.level[1], "PUD") == 0 &&
	      strcmp(t.level[2], "PMD") == 0);
	CHECK_EQ(t.where[2], pmd + ix(va, 21) * 8);
	CHECK_EQ(t.value[2], 0);
	/* no trace: nobody is told */
	s.a.trace = NULL;
	memset(&t, 0, sizeof(t));
	CHECK(xlat(&s, va, &pa, &len) == MDF_ABSENT);
	CHECK_EQ(t.n, 0);
	unmake(&s);
}

TEST(top_table_outside_dump_is_an_error)
{
	struct input *in;
	struct vmcoreinfo vi;
	struct arch a;
	struct mdf_err err;
	static const char t[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
		"SYMBOL(init_top_pgt)=ffffffffc0000000\nNUMBER(phys_base)=0\n";

	in = mem_input_create(mem, 0, MEM, EM_X86_64);
	CHECK(vmcoreinfo_parse(&vi, t, sizeof(t) - 1, NULL, &err) == 0);
	CHECK(arch_init(&a, &arch_x86_64, in, &vi, NULL, &err) < 0);
	CHECK(strstr(err.msg, "not in the dump") != NULL);
	vmcoreinfo_deinit(&vi);
	mem_input_destroy(in);
}

static const struct harness_case cases[] = {
	CASE(four_level_all_leaf_sizes),
	CASE(five_level),
	CASE(kaslr_phys_base_negative),
	CASE(sme_cbit_is_stripped),
	CASE(hostile_tables_end_the_walk),
	CASE(trace_names_each_entry_read),
	CASE(top_table_outside_dump_is_an_error),
};

int main(void)
{
	int rc;

	mem = aligned_alloc(4096, MEM);
	rc = harness_run("x86_64", cases, sizeof(cases) / sizeof(cases[0]));
	free(mem);
	return rc;
}
