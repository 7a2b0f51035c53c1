/* fuzz_vmcoreinfo.c: VMCOREINFO text, as the note, a kdump sub header or
 * -i FILE gives it.  Parses, reads every key back, derives the kernel
 * version and resolves the struct page layout from it.
 */
#include <elf.h>

#include "classify.h"
#include "vmcoreinfo.h"

#define FUZZ_ASSERT(c)	do { if (!(c)) __builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mdf_warns warns = { 0 };
	struct page_layout pl;
	struct vmcoreinfo vi;
	struct mdf_err err;
	unsigned id;

	if (vmcoreinfo_parse(&vi, (const char *)data, size, &warns, &err) < 0) {
		FUZZ_ASSERT(err.msg[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT(vi.raw_len == size);
	for (id = 0; id < VMCI_NKEYS; id++) {
		const char *s = vmci_str(&vi, (enum vmci_id)id);

		/* strings point into the owned copy, NUL-terminated */
		if (s)
			FUZZ_ASSERT(s >= vi.text && s <= vi.text + size);
		FUZZ_ASSERT(vmci_key_name((enum vmci_id)id) != NULL);
	}
	(void)vmcoreinfo_kernel_version(&vi);
	if (page_layout_init(&pl, &vi, 12, &warns, &err) == 0) {
		/* every field classify_page() reads lies inside SIZE(page) */
		FUZZ_ASSERT(pl.off_flags + 8 <= pl.size);
		if (pl.have_mapping)
			FUZZ_ASSERT(pl.off_mapping + 8 <= pl.size);
		if (pl.have_private)
			FUZZ_ASSERT(pl.off_private + 8 <= pl.size);
		if (pl.have_mapcount)
			FUZZ_ASSERT(pl.off_mapcount + 4 <= pl.size);
		if (pl.have_compound_head)
			FUZZ_ASSERT(pl.off_compound_head + 8 <= pl.size);
		if (pl.order_loc == ORDER_FIELD)
			FUZZ_ASSERT(pl.order_off + pl.order_width <= pl.size);
		if (pl.hugetlb == HUGETLB_DTOR || pl.hugetlb == HUGETLB_DTOR_PTR)
			FUZZ_ASSERT(pl.dtor_off + pl.dtor_width <= pl.size);
		FUZZ_ASSERT(pl.max_order >= 1 && pl.max_order <= 64);
	}
	vmcoreinfo_deinit(&vi);
	return 0;
}
