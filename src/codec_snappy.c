/* codec_snappy.c: snappy for -p (leaf service).
 *
 * A raw snappy block per page (not the framing format), through the C API
 * of libsnappy; snappy keeps no state between calls.  Built only with
 * HAVE_SNAPPY.  With SNAPPY_SONAME (a dynamic build, see the Makefile)
 * the library is loaded on first use (dynload.h): libsnappy brings the
 * C++ runtime, whose start-up costs every run about 1.4 MB of RSS.
 */
#ifdef HAVE_SNAPPY
#include <snappy-c.h>

#include "codec.h"

#ifdef SNAPPY_SONAME
#include "dynload.h"

#define SNAPPY_FNS(X) X(snappy_compress) X(snappy_uncompress) \
	X(snappy_max_compressed_length) X(snappy_uncompressed_length)
DYNLIB_DEFINE(snappy_lib, SNAPPY_SONAME, SNAPPY_FNS);
#define SNAPPY_FN(f) DYNLIB_FN(snappy_lib, f)

static int snappy_ready(struct mdf_err *err)
{
	return dynlib_load(&snappy_lib, err);
}
#else
#define SNAPPY_FN(f) (f)

static int snappy_ready(struct mdf_err *err)
{
	(void)err;
	return 0;
}
#endif

static size_t snappy_bound(size_t len)
{
	/* called before init: without the library, a bound no block
	 * reaches (init then fails with the loader's reason) */
	if (snappy_ready(NULL) < 0)
		return 2 * len + 64;
	return SNAPPY_FN(snappy_max_compressed_length)(len);
}

static int snappy_init(struct codec_state *s, struct mdf_err *err)
{
	(void)s;
	return snappy_ready(err);
}

static size_t snappy_compress_page(struct codec_state *s, const void *src,
				   size_t len, void *dst, size_t cap)
{
	size_t out = cap;

	(void)s;
	if (SNAPPY_FN(snappy_compress)(src, len, dst, &out) !=
	    SNAPPY_OK)
		return 0;
	return out;
}

static int snappy_decompress_page(const void *src, size_t len, void *dst,
				  size_t dlen, struct mdf_err *err)
{
	size_t out = 0;
	int rc = snappy_ready(err);

	if (rc < 0)
		return rc;
	if (SNAPPY_FN(snappy_uncompressed_length)(src, len, &out) !=
	    SNAPPY_OK || out != dlen)
		return mdf_err_set(err, MDF_EFORMAT,
				   "snappy block of %zu bytes does not decode to %zu bytes",
				   len, dlen);
	out = dlen;
	if (SNAPPY_FN(snappy_uncompress)(src, len, dst, &out) !=
	    SNAPPY_OK || out != dlen)
		return mdf_err_set(err, MDF_EFORMAT,
				   "snappy block of %zu bytes is corrupt", len);
	return 0;
}

const struct codec_ops codec_snappy = {
	.id		= CODEC_SNAPPY,
	.name		= "snappy",
	.option		= 'p',
	.bound		= snappy_bound,
	.init		= snappy_init,
	.compress	= snappy_compress_page,
	.decompress	= snappy_decompress_page,
};
#else
typedef int codec_snappy_not_built;
#endif
