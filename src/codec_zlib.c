/* codec_zlib.c: zlib for -c (leaf service).
 *
 * makedumpfile deflates each page as one zlib stream (RFC 1950 header,
 * adler32 trailer) at level 1 (Z_BEST_SPEED) with zlib's default window and
 * memory level, exactly what compress2(level 1) produces; we keep one
 * deflate stream per worker and reset it between pages instead of
 * allocating one per page.  Reading uses uncompress(), which must yield
 * exactly one page.
 */
#include <stdlib.h>
#include <zlib.h>

#include "codec.h"

static size_t zlib_bound(size_t len)
{
	return compressBound((uLong)len);
}

static int zlib_init(struct codec_state *s, struct mdf_err *err)
{
	z_stream *z = calloc(1, sizeof(*z));
	int rc;

	if (!z)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for a zlib stream");
	rc = deflateInit(z, Z_BEST_SPEED);
	if (rc != Z_OK) {
		free(z);
		return mdf_err_set(err, rc == Z_MEM_ERROR ? MDF_ENOMEM : MDF_EIO,
				   "deflateInit failed: %s", zError(rc));
	}
	s->priv = z;
	return 0;
}

static void zlib_fini(struct codec_state *s)
{
	z_stream *z = s->priv;

	if (!z)
		return;
	deflateEnd(z);
	free(z);
}

static size_t zlib_compress(struct codec_state *s, const void *src,
			    size_t len, void *dst, size_t cap)
{
	z_stream *z = s->priv;
	size_t out;
	int rc;

	z->next_in = (Bytef *)(uintptr_t)src;
	z->avail_in = (uInt)len;
	z->next_out = dst;
	z->avail_out = (uInt)cap;
	rc = deflate(z, Z_FINISH);
	out = rc == Z_STREAM_END ? (size_t)z->total_out : 0;
	deflateReset(z);
	return out;
}

static int zlib_decompress(const void *src, size_t len, void *dst,
			   size_t dlen, struct mdf_err *err)
{
	uLongf out = (uLongf)dlen;
	int rc = uncompress(dst, &out, src, (uLong)len);

	if (rc != Z_OK || out != dlen)
		return mdf_err_set(err, MDF_EFORMAT,
				   "zlib block of %zu bytes does not decode to %zu bytes (%s)",
				   len, dlen, rc == Z_OK ? "short" : zError(rc));
	return 0;
}

const struct codec_ops codec_zlib = {
	.id		= CODEC_ZLIB,
	.name		= "zlib",
	.option		= 'c',
	.bound		= zlib_bound,
	.init		= zlib_init,
	.fini		= zlib_fini,
	.compress	= zlib_compress,
	.decompress	= zlib_decompress,
};
