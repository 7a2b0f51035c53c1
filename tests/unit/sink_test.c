/* sink_test.c: the -L/ENOSPC checker, the flattened stream and -R. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "byteorder.h"
#include "fmt_flat.h"
#include "harness.h"
#include "rearrange.h"
#include "sink.h"

TEST(mem_positioned_writes)
{
	struct sink *s;
	struct mdf_err err;
	const uint8_t *d;
	size_t len;

	CHECK(sink_mem_create(0, &s, &err) == 0);
	CHECK(sink_write_at(s, 100, "abc", 3, &err) == 0);
	CHECK(sink_write_at(s, 0, "xy", 2, &err) == 0);
	CHECK(sink_write_at(s, 101, "Z", 1, &err) == 0);	/* later wins */
	CHECK(sink_write_at(s, 50, "", 0, &err) == 0);	/* nothing */
	d = sink_mem_data(s, &len);
	CHECK_EQ(len, 103);
	CHECK(memcmp(d, "xy", 2) == 0 && d[2] == 0 && d[99] == 0);
	CHECK(memcmp(d + 100, "aZc", 3) == 0);
	CHECK_EQ(s->written, 6);
	CHECK(!s->nospace);
	sink_destroy(s);
}

/* -L: bytes below the limit are stored, the rest refused as "no space" */
TEST(limit)
{
	struct sink *s;
	struct mdf_err err;
	uint8_t buf[100];
	size_t len;

	memset(buf, 7, sizeof(buf));
	CHECK(sink_mem_create(0, &s, &err) == 0);
	s->limit = 150;
	CHECK(sink_write_at(s, 0, buf, 100, &err) == 0);
	CHECK(sink_write_at(s, 100, buf, 100, &err) == -MDF_ENOSPC);
	CHECK(s->nospace);
	CHECK_EQ(s->short_done, 50);
	CHECK(strstr(err.msg, "Size limit(150) reached.") != NULL);
	sink_mem_data(s, &len);
	CHECK_EQ(len, 150);
	CHECK(sink_reset(s, &err) == 0);
	CHECK(!s->nospace && s->written == 0);
	sink_destroy(s);
}

TEST(enospc_partial)
{
	struct sink *s;
	struct mdf_err err;
	uint8_t buf[100] = { 0 };

	CHECK(sink_mem_create(130, &s, &err) == 0);
	s->name = "dump";
	CHECK(sink_write_at(s, 0, buf, 100, &err) == 0);
	CHECK(sink_write_at(s, 1000, buf, 100, &err) == -MDF_ENOSPC);
	CHECK_EQ(s->short_done, 30);
	CHECK(s->nospace);
	CHECK_STR(err.msg, "Can't write the dump file(dump). No space left on device");
	sink_destroy(s);
}

/* a flattened stream through a pipe, rearranged back: same bytes; junk
 * after the end marker is ignored */
TEST(flat_stream_and_rearrange)
{
	struct sink *f, *m;
	struct mdf_err err;
	int fds[2];
	const uint8_t *d;
	size_t len;
	uint8_t hdr[FLAT_HEADER_SIZE];

	CHECK(pipe(fds) == 0);
	CHECK(sink_flat_create(fds[1], "STDOUT", &f, &err) == 0);
	CHECK(!f->can_patch);
	CHECK(sink_write_at(f, 8192, "page", 4, &err) == 0);
	CHECK(sink_write_at(f, 0, "head", 4, &err) == 0);
	CHECK(sink_write_at(f, 8193, "X", 1, &err) == 0);
	CHECK(sink_write_at(f, 9, "", 0, &err) == 0);	/* no empty record */
	CHECK(sink_finish(f, &err) == 0);
	CHECK(write(fds[1], "trailing junk", 13) == 13);
	close(fds[1]);
	/* 4096 + 3 records of 16 + 9 bytes + the end marker */
	CHECK_EQ(f->written, 4096 + 3 * 16 + 9 + 16);
	sink_destroy(f);

	CHECK(sink_mem_create(0, &m, &err) == 0);
	CHECK(rearrange_stream(fds[0], m, &err) == 0);
	close(fds[0]);
	d = sink_mem_data(m, &len);
	CHECK_EQ(len, 8196);
	CHECK(memcmp(d, "head", 4) == 0);
	CHECK(memcmp(d + 8192, "pXge", 4) == 0);
	sink_destroy(m);

	/* the stream header as makedumpfile writes it */
	CHECK(pipe(fds) == 0);
	CHECK(sink_flat_create(fds[1], "STDOUT", &f, &err) == 0);
	sink_destroy(f);
	close(fds[1]);
	CHECK(read(fds[0], hdr, sizeof(hdr)) == (ssize_t)sizeof(hdr));
	close(fds[0]);
	CHECK(memcmp(hdr, "makedumpfile\0\0\0\0", 16) == 0);
	CHECK_EQ(get_be64(hdr + 16), 1);
	CHECK_EQ(get_be64(hdr + 24), 1);
}

static int feed(const void *buf, size_t len, struct mdf_err *err)
{
	struct sink *m;
	int fds[2], rc;

	if (pipe(fds) != 0)
		return -1;
	if (write(fds[1], buf, len) != (ssize_t)len)
		return -1;
	close(fds[1]);
	sink_mem_create(0, &m, err);
	rc = rearrange_stream(fds[0], m, err);
	close(fds[0]);
	sink_destroy(m);
	return rc;
}

TEST(rearrange_refuses_damage)
{
	static uint8_t s[FLAT_HEADER_SIZE + 64];
	struct mdf_err err;

	memset(s, 0, sizeof(s));
	memcpy(s, "makedumpfile", 12);
	put_be64(s + 16, 1);
	/* no record at all: no end marker */
	CHECK(feed(s, FLAT_HEADER_SIZE, &err) == -MDF_EFORMAT);
	CHECK(strstr(err.msg, "end marker") != NULL);
	/* a record that promises more than the stream has */
	put_be64(s + FLAT_HEADER_SIZE, 0);
	put_be64(s + FLAT_HEADER_SIZE + 8, 1000);
	CHECK(feed(s, sizeof(s), &err) == -MDF_EFORMAT);
	/* a negative size that is not the end marker */
	put_be64(s + FLAT_HEADER_SIZE + 8, (uint64_t)-5);
	CHECK(feed(s, sizeof(s), &err) == -MDF_EFORMAT);
	/* wrong type */
	put_be64(s + 16, 2);
	CHECK(feed(s, sizeof(s), &err) == -MDF_EFORMAT);
	CHECK(strstr(err.msg, "type") != NULL);
	/* wrong signature */
	put_be64(s + 16, 1);
	s[0] = 'M';
	CHECK(feed(s, sizeof(s), &err) == -MDF_EFORMAT);
	CHECK(strstr(err.msg, "signature") != NULL);
	/* too short for a header */
	CHECK(feed(s, 100, &err) == -MDF_EFORMAT);
}

TEST(file_exclusive_0600)
{
	char path[] = "/tmp/sink_testXXXXXX";
	struct sink *s;
	struct mdf_err err;
	struct stat st;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	CHECK(sink_file_create(path, false, &s, &err) < 0);
	CHECK(strstr(err.msg, "File exists") != NULL);
	chmod(path, 0644);
	CHECK(sink_file_create(path, true, &s, &err) == 0);
	CHECK(sink_write_at(s, 4096, "x", 1, &err) == 0);
	CHECK(sink_finish(s, &err) == 0);
	sink_destroy(s);
	CHECK(stat(path, &st) == 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	CHECK_EQ(st.st_size, 4097);
	unlink(path);
}

static const struct harness_case cases[] = {
	CASE(mem_positioned_writes),
	CASE(limit),
	CASE(enospc_partial),
	CASE(flat_stream_and_rearrange),
	CASE(rearrange_refuses_damage),
	CASE(file_exclusive_0600),
};

HARNESS_MAIN("sink_test", cases)
