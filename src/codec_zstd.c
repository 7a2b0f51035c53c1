/* codec_zstd.c: zstd for -z (leaf service).
 *
 * One zstd frame per page at level 1 through a per-worker ZSTD_CCtx
 * (ZSTD_compressCCtx, as makedumpfile).  Built only with HAVE_ZSTD.  With
 * ZSTD_SONAME (a dynamic build, see the Makefile) libzstd is loaded on
 * first use (dynload.h), so runs without -z do not map it.
 */
#ifdef HAVE_ZSTD
#include <zstd.h>

#include "codec.h"

#ifdef ZSTD_SONAME
#include "dynload.h"

#define ZSTD_FNS(X) X(ZSTD_createCCtx) X(ZSTD_freeCCtx) X(ZSTD_compressCCtx) \
	X(ZSTD_decompress) X(ZSTD_isError) X(ZSTD_getErrorName)
DYNLIB_DEFINE(zstd_lib, ZSTD_SONAME, ZSTD_FNS);
#define ZSTD_FN(f) DYNLIB_FN(zstd_lib, f)

static int zstd_ready(struct mdf_err *err)
{
	return dynlib_load(&zstd_lib, err);
}
#else
#define ZSTD_FN(f) (f)

static int zstd_ready(struct mdf_err *err)
{
	(void)err;
	return 0;
}
#endif

static size_t zstd_bound(size_t len)
{
	/* the header's macro: called before init, needs no library */
	return ZSTD_COMPRESSBOUND(len);
}

static int zstd_init(struct codec_state *s, struct mdf_err *err)
{
	int rc = zstd_ready(err);

	if (rc < 0)
		return rc;
	s->priv = ZSTD_FN(ZSTD_createCCtx)();
	if (!s->priv)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for a zstd context");
	return 0;
}

static void zstd_fini(struct codec_state *s)
{
	ZSTD_FN(ZSTD_freeCCtx)(s->priv);
}

static size_t zstd_compress_page(struct codec_state *s, const void *src,
				 size_t len, void *dst, size_t cap)
{
	size_t out = ZSTD_FN(ZSTD_compressCCtx)(s->priv, dst, cap,
							   src, len, 1);

	return ZSTD_FN(ZSTD_isError)(out) ? 0 : out;
}

static int zstd_decompress_page(const void *src, size_t len, void *dst,
				size_t dlen, struct mdf_err *err)
{
	size_t out;
	int rc = zstd_ready(err);
	bool bad;

	if (rc < 0)
		return rc;
	out = ZSTD_FN(ZSTD_decompress)(dst, dlen, src, len);
	bad = ZSTD_FN(ZSTD_isError)(out);
	if (bad || out != dlen)
		return mdf_err_set(err, MDF_EFORMAT,
				   "zstd frame of %zu bytes does not decode to %zu bytes (%s)",
				   len, dlen, bad ?
				   ZSTD_FN(ZSTD_getErrorName)(out) :
				   "short");
	return 0;
}

const struct codec_ops codec_zstd = {
	.id		= CODEC_ZSTD,
	.name		= "zstd",
	.option		= 'z',
	.bound		= zstd_bound,
	.init		= zstd_init,
	.fini		= zstd_fini,
	.compress	= zstd_compress_page,
	.decompress	= zstd_decompress_page,
};
#else
typedef int codec_zstd_not_built;
#endif
