/* codec_snappy.c: snappy for -p (leaf service).
 *
 * A raw snappy block per page (not the framing format), through the C API
 * of libsnappy; snappy keeps no state between calls.  Built only with
 * HAVE_SNAPPY.
 */
#ifdef HAVE_SNAPPY
#include <snappy-c.h>

#include "codec.h"

static size_t snappy_bound(size_t len)
{
	return snappy_max_compressed_length(len);
}

static size_t snappy_compress_page(struct codec_state *s, const void *src,
				   size_t len, void *dst, size_t cap)
{
	size_t out = cap;

	(void)s;
	if (snappy_compress(src, len, dst, &out) != SNAPPY_OK)
		return 0;
	return out;
}

static int snappy_decompress_page(const void *src, size_t len, void *dst,
				  size_t dlen, struct mdf_err *err)
{
	size_t out = 0;

	if (snappy_uncompressed_length(src, len, &out) != SNAPPY_OK ||
	    out != dlen)
		return mdf_err_set(err, MDF_EFORMAT,
				   "snappy block of %zu bytes does not decode to %zu bytes",
				   len, dlen);
	out = dlen;
	if (snappy_uncompress(src, len, dst, &out) != SNAPPY_OK || out != dlen)
		return mdf_err_set(err, MDF_EFORMAT,
				   "snappy block of %zu bytes is corrupt", len);
	return 0;
}

const struct codec_ops codec_snappy = {
	.id		= CODEC_SNAPPY,
	.name		= "snappy",
	.option		= 'p',
	.bound		= snappy_bound,
	.compress	= snappy_compress_page,
	.decompress	= snappy_decompress_page,
};
#else
typedef int codec_snappy_not_built;
#endif
