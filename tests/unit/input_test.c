/* input_test.c: page reads through bounded mmap windows, the read()
 * fallback where mmap() fails, and the reader's statistics. */
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include "harness.h"
#include "input.h"

enum { NPAGES = 1024, PG = 4096 };	/* 4 MiB of data */

/* a file of NPAGES pages at offset 100 (not page-aligned, like QEMU's
 * cores); page i is filled with byte (i * 7) */
static int make_file(char *path)
{
	static uint8_t buf[PG];
	int fd = mkstemp(path), i;

	if (fd < 0)
		return -1;
	unlink(path);
	if (pwrite(fd, "hdr", 3, 0) != 3)
		return -1;
	for (i = 0; i < NPAGES; i++) {
		memset(buf, i * 7, PG);
		if (pwrite(fd, buf, PG, 100 + (off_t)i * PG) != PG)
			return -1;
	}
	return fd;
}

/* an input over that file: one range at physical 1 MiB */
static void fake_input(struct input *in, struct input_range *r, int fd,
		       size_t window, uint64_t file_size)
{
	memset(in, 0, sizeof(*in));
	memset(r, 0, sizeof(*r));
	r->paddr = 1 << 20;
	r->memsz = r->filesz = (uint64_t)NPAGES * PG;
	r->off = 100;
	in->ranges = r;
	in->nranges = 1;
	in->fd = fd;
	in->path = "test";
	in->page_size = PG;
	in->page_shift = 12;
	in->file_size = file_size;
	in->mapping = INPUT_MAP_WINDOW;
	in->window_size = window;
	in->host_page = PG;
	in->ops = &input_elf_ops;
	in->e_machine = EM_X86_64;
}

/* every page right, at most one window mapped, its size bounded */
TEST(windows_are_bounded)
{
	char path[] = "/tmp/input_testXXXXXX";
	struct mdf_err err = { 0 };
	struct input_reader rd;
	struct input_range r;
	struct input in;
	int fd = make_file(path), i, bad = 0;

	CHECK(fd >= 0);
	fake_input(&in, &r, fd, INPUT_WINDOW_FILE,
		   100 + (uint64_t)NPAGES * PG);
	CHECK_EQ(input_reader_init(&rd, &in, &err), 0);
	for (i = 0; i < NPAGES; i++) {
		const uint8_t *p;

		if (input_read_page(&rd, (1 << 8) + (uint64_t)i, &p, &err) != 0 ||
		    p[0] != (uint8_t)(i * 7) || p[PG - 1] != (uint8_t)(i * 7))
			bad++;
		if (rd.win_len > INPUT_WINDOW_FILE + PG)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(rd.pages_read, NPAGES);
	CHECK_EQ(rd.pages_mapped, NPAGES);
	CHECK_EQ(rd.pages_pread, 0);
	/* 4 MiB through 1 MiB windows */
	CHECK(rd.windows >= 4 && rd.windows <= 5);
	CHECK(!rd.no_mmap);
	input_reader_deinit(&rd);
	close(fd);
}

/* input_reader_read_paddr(): the bytes input_read_paddr() gives, through
 * the window (no pread), across page and window ends; beyond the range
 * it is MDF_ABSENT as input_read_paddr() says */
TEST(reader_read_paddr)
{
	char path[] = "/tmp/input_testXXXXXX";
	struct mdf_err err = { 0 };
	struct input_reader rd;
	struct input_range r;
	struct input in;
	static uint8_t a[3 * PG], b[3 * PG];
	static const uint64_t offs[] = { 0, 1, PG - 5, 255 * PG + 17,
					 (256 + 3) * PG, 1000 * PG };
	int fd = make_file(path), bad = 0;
	size_t i;

	CHECK(fd >= 0);
	fake_input(&in, &r, fd, INPUT_WINDOW_FILE,
		   100 + (uint64_t)NPAGES * PG);
	CHECK_EQ(input_reader_init(&rd, &in, &err), 0);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		uint64_t pa = (1 << 20) + offs[i];

		memset(a, 1, sizeof(a));
		memset(b, 2, sizeof(b));
		if (input_reader_read_paddr(&rd, pa, a, sizeof(a), &err) != 0 ||
		    input_read_paddr(&in, pa, b, sizeof(b), &err) != 0 ||
		    memcmp(a, b, sizeof(a)) != 0 ||
		    a[0] != (uint8_t)((offs[i] / PG) * 7))
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK(rd.windows >= 2);
	CHECK(!rd.no_mmap);
	CHECK_EQ(input_reader_read_paddr(&rd, (1 << 20) + (uint64_t)NPAGES * PG - 8,
					 a, 16, &err), MDF_ABSENT);
	CHECK_EQ(input_reader_read_paddr(&rd, 4096, a, 16, &err), MDF_ABSENT);
	input_reader_deinit(&rd);
	close(fd);
}

/* mmap() refused (here: a window no address space can hold): the reader
 * says so once and reads the same bytes with pread() */
TEST(mmap_failure_falls_back_to_read)
{
	char path[] = "/tmp/input_testXXXXXX";
	struct mdf_err err = { 0 };
	struct input_reader rd;
	struct input_range r;
	struct input in;
	int fd = make_file(path), i, bad = 0;

	CHECK(fd >= 0);
	fake_input(&in, &r, fd, (size_t)1 << 62, 0);
	CHECK_EQ(input_reader_init(&rd, &in, &err), 0);
	for (i = 0; i < 64; i++) {
		const uint8_t *p;

		if (input_read_page(&rd, (1 << 8) + (uint64_t)i * 16, &p, &err) != 0 ||
		    p[0] != (uint8_t)(i * 16 * 7) ||
		    p[PG - 1] != (uint8_t)(i * 16 * 7))
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK(rd.no_mmap);
	CHECK(rd.mmap_errno != 0);
	CHECK_EQ(rd.windows, 0);
	CHECK_EQ(rd.pages_mapped, 0);
	CHECK_EQ(rd.pages_pread, 64);
	input_reader_deinit(&rd);
	close(fd);
}

/* --non-mmap: read() only, never a window */
TEST(non_mmap_reads)
{
	char path[] = "/tmp/input_testXXXXXX";
	struct mdf_err err = { 0 };
	struct input_reader rd;
	struct input_range r;
	struct input in;
	const uint8_t *p;
	int fd = make_file(path);

	CHECK(fd >= 0);
	fake_input(&in, &r, fd, 0, 100 + (uint64_t)NPAGES * PG);
	in.mapping = INPUT_MAP_NONE;
	CHECK_EQ(input_reader_init(&rd, &in, &err), 0);
	CHECK_EQ(input_read_page(&rd, (1 << 8) + 5, &p, &err), 0);
	CHECK_EQ(p[0], 35);
	CHECK_EQ(rd.windows, 0);
	CHECK_EQ(rd.pages_pread, 1);
	/* outside the range: a hole, nothing read */
	CHECK_EQ(input_read_page(&rd, 5, &p, &err), MDF_ABSENT);
	CHECK_EQ(rd.pages_read, 1);
	input_reader_deinit(&rd);
	close(fd);
}

static const struct harness_case cases[] = {
	CASE(windows_are_bounded),
	CASE(reader_read_paddr),
	CASE(mmap_failure_falls_back_to_read),
	CASE(non_mmap_reads),
};
HARNESS_MAIN("input", cases)
