/* fuzz_pgtable.c: page-table walks over fuzzed physical memory.
 *
 * Input: a memory image (fuzz_mem.h).  arch_init() reads the layout from
 * the VMCOREINFO text; every query is a kernel virtual address that is
 * translated and read.  A walk must end (MDF_ABSENT or a translation)
 * whatever the tables hold: self-references, tables outside memory,
 * leaves at every level.
 */
#include "fuzz_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct arch_ops *ops;
	struct fuzz_mem m;
	struct mdf_err err;
	struct arch a;
	unsigned i;

	if (fuzz_mem_create(&m, data, size) < 0)
		return 0;
	fuzz_check_ranges(m.in);
	if (!m.have_vi || arch_find(m.machine, &m.vi, &ops, &err) < 0) {
		fuzz_debug("no VMCOREINFO or arch", NULL);
		goto out;
	}
	if (arch_init(&a, ops, m.in, &m.vi, &m.warns, &err) < 0) {
		fuzz_debug("arch_init", &err);
		goto out;
	}
	for (i = 0; i < m.nq; i++) {
		uint64_t paddr = 0, len = 0, val;
		uint8_t buf[64];
		int rc;

		rc = arch_kvtop(&a, m.q[i], &paddr, &len, &err);
		FUZZ_ASSERT(rc <= MDF_ABSENT);
		if (rc)
			fuzz_debug("kvtop", &err);
		if (rc == 0) {
			/* the rest of the page or block that maps vaddr */
			FUZZ_ASSERT(len >= 1);
			FUZZ_ASSERT(len <= (1ull << 63));
		}
		rc = arch_read_kvaddr(&a, m.q[i], buf, sizeof(buf), &err);
		FUZZ_ASSERT(rc <= MDF_ABSENT);
		rc = arch_read_ulong(&a, m.q[i] ^ 0xfff, &val, &err);
		FUZZ_ASSERT(rc <= MDF_ABSENT);
	}
	arch_deinit(&a);
out:
	fuzz_mem_destroy(&m);
	return 0;
}
