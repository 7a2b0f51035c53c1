/* fuzz_classify.c: struct page classification over fuzzed bytes.
 *
 * Input: VMCOREINFO text, a NUL, u64 first pfn, u64 vaddr of its struct
 * page, then struct pages back to back (SIZE(page) bytes each).  Every
 * page is classified at every dump level.  Invariants: an offline or
 * poisoned page is never kept (it would be read), orders stay below the
 * limits, a decision covers at least its own pfn.
 */
#include "byteorder.h"
#include "classify.h"

#define FUZZ_ASSERT(c)	do { if (!(c)) __builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mdf_warns warns = { 0 };
	struct page_layout pl;
	struct vmcoreinfo vi;
	struct mdf_err err;
	const uint8_t *nul, *sp, *end;
	uint64_t pfn, vaddr;

	nul = memchr(data, 0, size);
	if (!nul || (size_t)(data + size - nul) < 17)
		return 0;
	if (vmcoreinfo_parse(&vi, (const char *)data, (size_t)(nul - data),
			     &warns, &err) < 0)
		return 0;
	if (page_layout_init(&pl, &vi, 12, &warns, &err) < 0)
		goto out;
	pfn = get_le64(nul + 1);
	vaddr = get_le64(nul + 9);
	end = data + size;
	for (sp = nul + 17; (size_t)(end - sp) >= pl.size;
	     sp += pl.size, pfn++, vaddr += pl.size) {
		const uint8_t *next = (size_t)(end - sp) >= 2ull * pl.size ?
				      sp + pl.size : NULL;
		struct page_info pi;
		unsigned dl;

		classify_page(&pl, pfn, vaddr, sp, next, &pi);
		if (pi.bits & PI_HEAD)
			FUZZ_ASSERT(pi.order >= 1 && pi.order < 64);
		if (pi.bits & (PI_BUDDY | PI_UNACCEPTED))
			FUZZ_ASSERT(pi.buddy_order < pl.max_order);
		for (dl = 0; dl <= DL_MAX; dl++) {
			uint64_t npages = 0;
			enum page_class c = classify_decide(&pl, &pi, dl, &npages);

			FUZZ_ASSERT(c < PC_NCLASSES && c != PC_ZERO);
			FUZZ_ASSERT(npages >= 1);
			/* an exclusion starts at this pfn and is aligned */
			if (npages > 1)
				FUZZ_ASSERT((pfn & (npages - 1)) == 0);
			if (pi.bits & PI_HWPOISON)
				FUZZ_ASSERT(c != PC_KEEP);
			if ((pi.bits & PI_OFFLINE) && !(pi.bits & PI_TAIL))
				FUZZ_ASSERT(c != PC_KEEP);
		}
	}
out:
	vmcoreinfo_deinit(&vi);
	return 0;
}
