/* fuzz_flat.c: -R, the flattened stream reader (rearrange_stream()), fed
 * from a memfd into a memory sink capped at LIMIT bytes.
 *
 * An independent model replays the same bytes: stream header, records
 * (offset, size big-endian, later records win), end marker, anything after
 * it ignored.  Invariants: a stream the model accepts is accepted and the
 * output equals the model's byte for byte; a stream the model rejects is
 * rejected with a message; nothing is written at or beyond LIMIT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "byteorder.h"
#include "fmt_flat.h"
#include "rearrange.h"
#include "sink.h"

#define FUZZ_ASSERT(c)	do { if (!(c)) __builtin_trap(); } while (0)

enum { LIMIT = 1 << 18 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;

/* 1: accepted, model[] and *len_ret hold the result; 0: rejected */
static int model(const uint8_t *d, size_t n, uint8_t *out, size_t *len_ret)
{
	size_t p = FLAT_HEADER_SIZE, len = 0;

	if (n < FLAT_HEADER_SIZE ||
	    strncmp((const char *)d, FLAT_SIGNATURE, 16) != 0 ||
	    get_be64(d + 16) != FLAT_TYPE)
		return 0;
	for (;;) {
		uint64_t off, sz;

		if (n - p < 16)
			return 0;		/* no end marker */
		off = get_be64(d + p);
		sz = get_be64(d + p + 8);
		p += 16;
		if (off == FLAT_END_MARK && sz == FLAT_END_MARK)
			break;
		if ((int64_t)off < 0 || (int64_t)sz <= 0 || sz > n - p)
			return 0;		/* bad or cut record */
		if (off >= LIMIT || sz > LIMIT - off)
			return 0;		/* the sink refuses: -L */
		memcpy(out + off, d + p, sz);
		if (off + sz > len)
			len = off + sz;
		p += sz;
	}
	*len_ret = len;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t want[LIMIT];
	const uint8_t *got;
	struct mdf_err err;
	struct sink *s;
	size_t want_len = 0, got_len = 0;
	int ok, rc;

	if (memfd < 0 && (memfd = memfd_create("fuzz_flat", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(memfd, 0) < 0 ||
	    pwrite(memfd, data, size, 0) != (ssize_t)size ||
	    lseek(memfd, 0, SEEK_SET) != 0)
		abort();
	memset(want, 0, sizeof(want));
	ok = model(data, size, want, &want_len);
	if (sink_mem_create(0, &s, &err) < 0)
		abort();
	s->limit = LIMIT;
	rc = rearrange_stream(memfd, s, &err);
	if (ok) {
		FUZZ_ASSERT(rc == 0);
		got = sink_mem_data(s, &got_len);
		FUZZ_ASSERT(got_len == want_len);
		FUZZ_ASSERT(!want_len || memcmp(got, want, want_len) == 0);
	} else {
		FUZZ_ASSERT(rc < 0 && err.msg[0] != '\0');
	}
	FUZZ_ASSERT(s->written <= (uint64_t)size);
	sink_destroy(s);
	return 0;
}
