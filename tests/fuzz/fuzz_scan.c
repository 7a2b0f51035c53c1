/* fuzz_scan.c: the bitmap scan of pfn windows over fuzzed struct pages,
 * the path dump.c runs: arch, memmap, page layout, scan_cycle() over
 * windows with exclusions carried across, then scan_absent().
 *
 * Input: a memory image (fuzz_mem.h); q[0] first pfn, q[1] pfn count
 * (at most 1 << 16), q[2] dump level (low 5 bits) and window size.
 * Invariant, the safety rule: no page whose struct page says PG_offline
 * or hwpoison stays in the 2nd bitmap (the pages that are read), checked
 * against an independent per-pfn classification.
 */
#include "bitmap.h"
#include "fuzz_mem.h"

enum { MAX_PFNS = 1 << 16 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_window(const struct scan_env *env, const struct cycle *c)
{
	const struct memmap *mm = env->mm;
	uint8_t sp[2 * 1024], av[2];
	uint64_t pfn;

	for (pfn = c->start; pfn < c->end; pfn++) {
		uint64_t i = pfn - c->start;
		struct page_info pi;
		struct mdf_err err;

		/* the 2nd bitmap is a subset of the 1st */
		FUZZ_ASSERT(!bm_test(c->bm2, i) || bm_test(c->bm1, i));
		if (!bm_test(c->bm2, i))
			continue;
		if (memmap_read(mm, pfn, 2, sp, av, &err) < 0 ||
		    av[0] != MEMMAP_OK)
			continue;
		classify_page(env->pl, pfn, memmap_pfn_to_page(mm, pfn), sp,
			      av[1] == MEMMAP_OK ? sp + mm->struct_size : NULL,
			      &pi);
		if (pi.bits & PI_HWPOISON)
			FUZZ_ASSERT(0);
		if ((pi.bits & PI_OFFLINE) && !(pi.bits & PI_TAIL))
			FUZZ_ASSERT(0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct arch_ops *ops;
	struct dump_stats stats;
	struct page_layout pl;
	struct scan_env env;
	struct fuzz_mem m;
	struct mdf_err err;
	struct memmap mm;
	struct cycle cyc;
	struct arch a;
	uint64_t start, n, pfn, last;

	if (fuzz_mem_create(&m, data, size) < 0 || m.nq < 3)
		goto out;
	if (!m.have_vi || arch_find(m.machine, &m.vi, &ops, &err) < 0) {
		fuzz_debug("no VMCOREINFO or arch", NULL);
		goto out;
	}
	if (arch_init(&a, ops, m.in, &m.vi, &m.warns, &err) < 0) {
		fuzz_debug("arch_init", &err);
		goto out;
	}
	start = m.q[0];
	n = m.q[1] % MAX_PFNS + 1;
	if (start > UINT64_MAX - n)
		goto out_arch;
	if (memmap_init(&mm, &a, &m.vi, start + n, &m.warns, &err) < 0) {
		fuzz_debug("memmap_init", &err);
		goto out_arch;
	}
	if (page_layout_init(&pl, &m.vi, m.in->page_shift, &m.warns, &err) < 0) {
		fuzz_debug("page_layout_init", &err);
		goto out_mm;
	}
	if (cycle_init(&cyc, 64ull << ((m.q[2] >> 5) & 7), (unsigned)mm.struct_size, NULL,
		       &err) < 0)
		goto out_mm;
	env.in = m.in;
	env.mm = &mm;
	env.pl = &pl;
	env.dump_level = (unsigned)(m.q[2] & DL_MAX);
	env.max_mapnr = start + n;

	memset(&stats, 0, sizeof(stats));
	cycle_rewind(&cyc);
	for (pfn = start; pfn < start + n; pfn += cyc.cap) {
		if (scan_cycle(&env, &cyc, pfn, &stats, NULL, &err) < 0)
			break;
		FUZZ_ASSERT(cyc.start == pfn && cyc.end <= start + n);
		check_window(&env, &cyc);
	}
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "fuzz: scan %#llx+%llu: present %llu, excluded offline %llu free %llu user %llu, unavailable %llu\n",
			(unsigned long long)start, (unsigned long long)n,
			(unsigned long long)stats.present,
			(unsigned long long)stats.excluded[PC_OFFLINE],
			(unsigned long long)stats.excluded[PC_FREE],
			(unsigned long long)stats.excluded[PC_USER],
			(unsigned long long)stats.memmap_unavailable);
	/* struct pages beyond the dump, bounded like the window */
	last = memmap_last_pfn(&mm);
	if (last > start + n) {
		uint64_t stop = last - (start + n) > MAX_PFNS ?
				start + n + MAX_PFNS : last;

		(void)scan_absent(&env, &cyc, start + n, stop, &stats, NULL, &err);
	}
	cycle_deinit(&cyc);
out_mm:
	memmap_deinit(&mm);
out_arch:
	arch_deinit(&a);
out:
	fuzz_mem_destroy(&m);
	return 0;
}
