/* fuzz_dmesg.c: the kernel log (--dump-dmesg) over fuzzed memory: the
 * character ring (<= 3.4), printk_log records (3.5-5.9) and the lockless
 * ring (5.10+), as the VMCOREINFO text selects.
 *
 * Input: a memory image (fuzz_mem.h); q[0] bit 0 asks for --partial-dmesg.
 * e_machine EM_NONE selects a stub arch that maps kernel virtual
 * STUB_KBASE + x to physical x (as tests/unit/dmesg_test.c does), so the
 * fuzzer works on the log structures rather than on page tables.
 * Invariants: load and write end; what is written is what the stats say.
 */
#include <elf.h>

#include "dmesg.h"
#include "fuzz_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STUB_KBASE	0xffffffff81000000ull

static int stub_kvtop(const struct arch *a, uint64_t vaddr,
		      uint64_t *paddr_ret, uint64_t *len_ret,
		      struct mdf_err *err)
{
	(void)a;
	if (vaddr < STUB_KBASE) {
		/* cheap: a hostile 2 GiB buffer asks this 2^19 times */
		strcpy(err->msg, "stub: not mapped");
		return MDF_ABSENT;
	}
	*paddr_ret = vaddr - STUB_KBASE;
	*len_ret = 4096 - (vaddr & 4095);
	return 0;
}

static const struct arch_ops stub_ops = {
	.name = "stub",
	.kvtop = stub_kvtop,
};

struct count_out {
	uint64_t bytes;
};

static int count_write(void *ctx, const void *buf, size_t len,
		       struct mdf_err *err)
{
	struct count_out *c = ctx;

	(void)err;
	/* the bytes must be readable: touch the first and the last */
	if (len)
		FUZZ_ASSERT(((const volatile uint8_t *)buf)[0] |
			    ((const volatile uint8_t *)buf)[len - 1] | 1);
	c->bytes += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct arch_ops *ops;
	struct dmesg_opts o = { 0 };
	struct count_out cnt = { 0 };
	struct dmesg_out out = { count_write, &cnt };
	struct dmesg_log *log;
	struct fuzz_mem m;
	struct mdf_err err;
	struct arch a;

	if (fuzz_mem_create(&m, data, size) < 0)
		return 0;
	if (!m.have_vi)
		goto out;
	if (m.machine == EM_NONE) {
		memset(&a, 0, sizeof(a));
		a.ops = &stub_ops;
		a.in = m.in;
		a.vi = &m.vi;
		a.page_shift = 12;
		a.page_size = 4096;
	} else if (arch_find(m.machine, &m.vi, &ops, &err) < 0) {
		fuzz_debug("no arch", &err);
		goto out;
	} else if (arch_init(&a, ops, m.in, &m.vi, &m.warns, &err) < 0) {
		fuzz_debug("arch_init", &err);
		goto out;
	}
	o.partial = m.nq && (m.q[0] & 1);
	if (dmesg_load(&a, &m.vi, &o, &m.warns, &log, &err) < 0) {
		fuzz_debug("dmesg_load", &err);
		FUZZ_ASSERT(err.msg[0] != '\0');
		goto out_arch;
	}
	if (dmesg_write(log, &out, &err) < 0)
		fuzz_debug("dmesg_write", &err);
	else
		FUZZ_ASSERT(dmesg_stats(log)->bytes == cnt.bytes);
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "fuzz: dmesg format %d: %llu records, %llu bytes\n",
			(int)dmesg_stats(log)->format,
			(unsigned long long)dmesg_stats(log)->records,
			(unsigned long long)cnt.bytes);
	dmesg_destroy(log);
out_arch:
	if (m.machine != EM_NONE)
		arch_deinit(&a);
out:
	fuzz_mem_destroy(&m);
	return 0;
}
