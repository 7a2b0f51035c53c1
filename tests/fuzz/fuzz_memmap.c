/* fuzz_memmap.c: mem_section decoding and struct page reads over fuzzed
 * memory (SPARSEMEM, -EXTREME, vmemmap, FLATMEM as the text says).
 *
 * Input: a memory image (fuzz_mem.h).  q[0] is max_pfn (0: from the
 * chunks, as dump.c does); then (pfn, count) pairs are read with
 * memmap_read().  Invariants: set-up ends, every pfn gets one availability
 * code, unavailable struct pages read as zero bytes.
 */
#include "fuzz_mem.h"
#include "memmap.h"

enum { MAX_READ = 512, MAX_STRUCT = 1024 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[(MAX_READ + 1) * MAX_STRUCT];
	static uint8_t avail[MAX_READ + 1];
	const struct arch_ops *ops;
	struct fuzz_mem m;
	struct mdf_err err;
	struct memmap mm;
	struct arch a;
	uint64_t max_pfn;
	unsigned i;

	if (fuzz_mem_create(&m, data, size) < 0)
		return 0;
	if (!m.have_vi || arch_find(m.machine, &m.vi, &ops, &err) < 0) {
		fuzz_debug("no VMCOREINFO or arch", NULL);
		goto out;
	}
	if (arch_init(&a, ops, m.in, &m.vi, &m.warns, &err) < 0) {
		fuzz_debug("arch_init", &err);
		goto out;
	}
	max_pfn = m.nq && m.q[0] ? m.q[0] : input_max_pfn(m.in);
	if (memmap_init(&mm, &a, &m.vi, max_pfn, &m.warns, &err) < 0) {
		fuzz_debug("memmap_init", &err);
		goto out_arch;
	}
	FUZZ_ASSERT(mm.struct_size >= 32 && mm.struct_size <= MAX_STRUCT);
	FUZZ_ASSERT(mm.n_extra <= MEMMAP_MAX_EXTRA);
	for (i = 1; i + 1 < m.nq; i += 2) {
		uint64_t pfn = m.q[i], n = m.q[i + 1] % MAX_READ + 1, j;
		long good;

		good = memmap_read(&mm, pfn, n, buf, avail, &err);
		if (good < 0)
			continue;
		FUZZ_ASSERT((uint64_t)good <= n);
		for (j = 0; j < n; j++) {
			FUZZ_ASSERT(avail[j] <= MEMMAP_OFFLINE);
			if (avail[j] == MEMMAP_UNMAPPED ||
			    avail[j] == MEMMAP_NO_SECTION) {
				uint64_t k;

				for (k = 0; k < mm.struct_size; k++)
					FUZZ_ASSERT(buf[j * mm.struct_size + k] == 0);
			}
		}
		(void)memmap_pfn_to_page(&mm, pfn);
	}
	(void)memmap_last_pfn(&mm);
	memmap_deinit(&mm);
out_arch:
	arch_deinit(&a);
out:
	fuzz_mem_destroy(&m);
	return 0;
}
