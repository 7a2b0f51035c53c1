/* fuzz_elf.c: ELF vmcore headers, program headers and notes through the
 * real input_open(), on a memfd holding the fuzz input, once mapped whole
 * and once with --non-mmap reads.  Then the VMCOREINFO note is parsed and
 * pages at the edges of every range are read.  Invariants: the ranges are
 * normalised and inside the file; every page read lies inside the file.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char memfd_path[64];

static void read_edges(struct input *in)
{
	struct input_reader r;
	struct mdf_err err;
	size_t i;

	if (input_reader_init(&r, in, &err) < 0)
		return;
	for (i = 0; i < in->nranges && i < 64; i++) {
		const struct input_range *g = &in->ranges[i];
		uint64_t pfns[3] = {
			g->paddr >> in->page_shift,
			(g->paddr + g->filesz) >> in->page_shift,
			(g->paddr + g->memsz - 1) >> in->page_shift,
		};
		uint8_t b[16];
		unsigned k;

		for (k = 0; k < 3; k++) {
			const uint8_t *page;
			int rc = input_read_page(&r, pfns[k], &page, &err);

			FUZZ_ASSERT(rc <= MDF_ABSENT);
			if (rc == 0 && in->mapping == INPUT_MAP_WHOLE &&
			    page != r.scratch) {
				/* a pointer into the file: the right bytes */
				uint64_t paddr = pfns[k] << in->page_shift;
				long ri = input_find_range(in, paddr);
				const struct input_range *h;

				FUZZ_ASSERT(ri >= 0);
				h = &in->ranges[ri];
				FUZZ_ASSERT(paddr - h->paddr < h->filesz &&
					    in->page_size <=
					    h->filesz - (paddr - h->paddr));
				FUZZ_ASSERT((uint64_t)(page - in->map) ==
					    h->off + (paddr - h->paddr));
				FUZZ_ASSERT(page + in->page_size <=
					    in->map + in->file_size);
			}
		}
		FUZZ_ASSERT(input_read_paddr(in, g->paddr + g->memsz - 8, b,
					     16, &err) <= MDF_ABSENT);
		FUZZ_ASSERT(input_find_range(in, g->paddr) == (long)i);
	}
	(void)input_max_pfn(in);
	input_reader_deinit(&r);
}

static void one(const char *path, enum input_access access, size_t size)
{
	struct input_open_opts io = { .access = access };
	struct mdf_warns warns = { 0 };
	struct vmcoreinfo vi;
	struct mdf_err err;
	struct input *in;

	if (input_open(path, &io, &warns, &in, &err) < 0) {
		FUZZ_ASSERT(err.msg[0] != '\0');
		return;
	}
	FUZZ_ASSERT(in->file_size == size);
	fuzz_check_ranges(in);
	/* PT_NOTEs may share bytes; their total is capped */
	FUZZ_ASSERT(in->notes_len <= (64u << 20));
	if (in->vmcoreinfo) {
		FUZZ_ASSERT(in->vmcoreinfo_note_off <= in->notes_len &&
			    in->vmcoreinfo_len <= in->notes_len -
			    in->vmcoreinfo_note_off);
		if (vmcoreinfo_parse(&vi, in->vmcoreinfo, in->vmcoreinfo_len,
				     &warns, &err) == 0) {
			if (vmci_has(&vi, VMCI_PAGESIZE))
				(void)input_set_page_size(in,
					(unsigned)vmci_get(&vi, VMCI_PAGESIZE),
					&err);
			vmcoreinfo_deinit(&vi);
		}
	}
	read_edges(in);
	input_close(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memfd < 0) {
		memfd = memfd_create("fuzz_elf", MFD_CLOEXEC);
		if (memfd < 0)
			abort();
		snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d",
			 memfd);
	}
	if (ftruncate(memfd, 0) < 0 ||
	    pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	one(memfd_path, INPUT_ACCESS_AUTO, size);
	one(memfd_path, INPUT_ACCESS_READ, size);
	return 0;
}
