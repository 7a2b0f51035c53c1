/* rearrange.c: -R, replaying a flattened stream into a regular file.
 *
 * Records are applied in stream order (a later record for the same bytes
 * wins), holes stay sparse, and reading stops at the end marker.  Standard
 * input that stays silent for REARRANGE_TIMEOUT_S seconds is an error, as
 * in makedumpfile.  Never prints.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byteorder.h"
#include "fmt_flat.h"
#include "rearrange.h"

enum { CHUNK = 1u << 20 };

/* Read exactly len bytes; *got says how many came before EOF. */
static int read_full(int fd, void *buf, size_t len, size_t *got,
		     struct mdf_err *err)
{
	uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int pr = poll(&pfd, 1, REARRANGE_TIMEOUT_S * 1000);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			*got = done;
			return mdf_err_set(err, MDF_EIO,
					   "no data on standard input for %d seconds",
					   REARRANGE_TIMEOUT_S);
		}
		n = read(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*got = done;
			return mdf_err_sys(err, errno, "reading standard input");
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	*got = done;
	return 0;
}

int rearrange_stream(int in_fd, struct sink *out, struct mdf_err *err)
{
	uint8_t hdr[FLAT_HEADER_SIZE];
	const struct flat_header *h = (const void *)hdr;
	struct flat_record rec;
	uint8_t *buf;
	size_t got;
	int rc;

	rc = read_full(in_fd, hdr, sizeof(hdr), &got, err);
	if (rc < 0)
		return mdf_err_wrap(err, "Can't get header of flattened format");
	if (got < sizeof(hdr))
		return mdf_err_set(err, MDF_EFORMAT,
				   "Can't get header of flattened format: the stream ends after %zu bytes",
				   got);
	if (strncmp(h->signature, FLAT_SIGNATURE, sizeof(h->signature)) != 0)
		return mdf_err_set(err, MDF_EFORMAT,
				   "Can't get signature of flattened format.");
	if (get_be64(&h->type) != FLAT_TYPE)
		return mdf_err_set(err, MDF_EFORMAT,
				   "Can't get type of flattened format.");

	buf = malloc(CHUNK);
	if (!buf)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for a buffer");
	for (;;) {
		uint64_t off, size, done;

		rc = read_full(in_fd, &rec, sizeof(rec), &got, err);
		if (rc < 0) {
			mdf_err_wrap(err, "Can't get data header of flattened format");
			goto out;
		}
		if (got < sizeof(rec)) {
			rc = mdf_err_set(err, MDF_EFORMAT,
					 "Can't get valid end header of flattened format: the stream ends without its end marker");
			goto out;
		}
		off = get_be64(&rec.offset);
		size = get_be64(&rec.size);
		if (off == FLAT_END_MARK && size == FLAT_END_MARK)
			break;
		if ((int64_t)off < 0 || (int64_t)size <= 0) {
			rc = mdf_err_set(err, MDF_EFORMAT,
					 "Can't get valid end header of flattened format: record (offset %lld, size %lld)",
					 (long long)off, (long long)size);
			goto out;
		}
		for (done = 0; done < size; ) {
			size_t n = size - done < CHUNK ? (size_t)(size - done) : CHUNK;

			rc = read_full(in_fd, buf, n, &got, err);
			if (rc == 0 && got < n)
				rc = mdf_err_set(err, MDF_EFORMAT,
						 "the stream ends inside a record of %llu bytes at offset %#llx",
						 (unsigned long long)size,
						 (unsigned long long)off);
			if (rc < 0) {
				mdf_err_wrap(err, "Can't get data of flattened format");
				goto out;
			}
			rc = sink_write_at(out, off + done, buf, n, err);
			if (rc < 0)
				goto out;
			done += n;
		}
	}
	rc = 0;
out:
	free(buf);
	return rc;
}
