/* fuzz_kdump.c: a saved dump as INPUT (re-filtering, --dump-dmesg of a
 * saved dump, a --split part): input_open() on a memfd holding the fuzz
 * input, once with mmap windows and once with --non-mmap reads.  A
 * kdump-compressed file goes to input_kdump.c (header, sub header, notes
 * and VMCOREINFO, eraseinfo, both bitmaps, the page_desc table, pages in
 * every codec); a flattened stream goes to input_flat.c, which indexes its
 * records and opens the dump inside (kdump-compressed or ELF) through
 * vread.  Then --reassemble's checks on the file as a one-part set.
 *
 * Invariants: the ranges are normalised; a page read is as long as a
 * page and equals what read_paddr() gives for the same bytes; mask_data()
 * never clears a pfn whose page reads back with data (a page silently
 * dropped from the dump) and says how many it cleared; errors carry a
 * message.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_mem.h"
#include "reassemble.h"
#include "sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	WINDOWS = 4,		/* ranges whose start is looked at */
	WINDOW = 256,		/* pfns per window (a multiple of 8) */
	READ_BYTES = 2u << 20,	/* page bytes read per input, at most */
};

static int memfd = -1;
static char memfd_path[64];

/* One window of pfns [a, a + n): mask_data() against read_page(). */
static void window(struct input *in, struct input_reader *r, uint64_t a,
		   unsigned n, uint8_t *copy, uint64_t *budget)
{
	uint8_t bm[WINDOW / 8];
	struct mdf_err err;
	long cleared;
	unsigned i, nclear = 0;

	memset(bm, 0xff, sizeof(bm));
	cleared = input_mask_data(in, a, a + n, bm, &err);
	if (cleared < 0) {
		FUZZ_ASSERT(err.msg[0] != '\0');
		fuzz_debug("mask_data", &err);
	}
	for (i = 0; i < n && *budget >= in->page_size; i++) {
		bool kept = (bm[i >> 3] >> (i & 7)) & 1;
		const uint8_t *page;
		int rc = input_read_page(r, a + i, &page, &err);

		FUZZ_ASSERT(rc <= MDF_ABSENT);
		if (rc < 0) {
			FUZZ_ASSERT(err.msg[0] != '\0');
			continue;
		}
		if (cleared >= 0) {
			nclear += !kept;
			/* a pfn masked out has no data to lose */
			FUZZ_ASSERT(kept || rc == MDF_ABSENT);
		}
		if (rc != 0)
			continue;
		*budget -= in->page_size;
		memcpy(copy, page, in->page_size);
		/* the same bytes through the thread-safe path */
		rc = input_read_paddr(in, (a + i) << in->page_shift,
				      copy + in->page_size, in->page_size, &err);
		FUZZ_ASSERT(rc <= MDF_ABSENT);
		if (rc == 0)
			FUZZ_ASSERT(!memcmp(copy, copy + in->page_size,
					    in->page_size));
	}
	if (cleared >= 0 && i == n)
		FUZZ_ASSERT((unsigned long)cleared == nclear);
}

static void read_pages(struct input *in)
{
	struct input_reader r;
	struct mdf_err err;
	uint64_t budget = READ_BYTES, max = input_max_pfn(in);
	uint8_t *copy;
	size_t i;

	if (input_reader_init(&r, in, &err) < 0)
		return;
	copy = malloc(2 * (size_t)in->page_size);
	if (!copy)
		abort();
	for (i = 0; i < in->nranges && i < WINDOWS; i++) {
		uint64_t a = in->ranges[i].paddr >> in->page_shift;

		a &= ~(uint64_t)7;
		window(in, &r, a, WINDOW, copy, &budget);
	}
	/* and the last pfns, where bitmaps and tables end */
	if (max > WINDOW)
		window(in, &r, (max - WINDOW) & ~(uint64_t)7, WINDOW, copy,
		       &budget);
	free(copy);
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
		fuzz_debug("input_open", &err);
		return;
	}
	if (!in->container)
		FUZZ_ASSERT(in->file_size == size);
	if (in->is_kdump) {
		/* ranges from the 1st bitmap: sorted, inside max_mapnr; their
		 * data is reached through page_desc, not at a file offset */
		size_t i;

		for (i = 0; i < in->nranges; i++) {
			const struct input_range *g = &in->ranges[i];

			FUZZ_ASSERT(g->memsz > 0 && g->filesz == g->memsz);
			FUZZ_ASSERT((g->paddr + g->memsz) >> in->page_shift <=
				    in->max_mapnr);
			if (i)
				FUZZ_ASSERT(g[-1].paddr + g[-1].memsz < g->paddr);
		}
	} else {
		fuzz_check_ranges(in);
	}
	FUZZ_ASSERT(in->page_size >= 4096 && in->page_size <= (1u << 20) &&
		    in->page_size == 1u << in->page_shift);
	FUZZ_ASSERT(in->notes_len <= (65u << 20));
	FUZZ_ASSERT(!in->eraseinfo_len || in->eraseinfo);
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
	read_pages(in);
	input_close(in);
}

/* --reassemble with the input as the only part: its header checks. */
static void reassemble_one(void)
{
	char *parts[1] = { memfd_path };
	struct sink *out;
	struct mdf_err err;
	bool incomplete = false;
	int rc;

	if (sink_null_create(&out, &err) < 0)
		abort();
	rc = reassemble_parts(parts, 1, out, NULL, &incomplete, &err);
	if (rc < 0) {
		FUZZ_ASSERT(err.msg[0] != '\0');
		fuzz_debug("reassemble", &err);
	}
	sink_destroy(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memfd < 0) {
		memfd = memfd_create("fuzz_kdump", MFD_CLOEXEC);
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
	reassemble_one();
	return 0;
}
