/* codec_zstd.c: zstd for -z (leaf service).
 *
 * One zstd frame per page at level 1 through a per-worker ZSTD_CCtx
 * (ZSTD_compressCCtx, as makedumpfile).  Built only with HAVE_ZSTD.
 */
#ifdef HAVE_ZSTD
#include <zstd.h>

#include "codec.h"

static size_t zstd_bound(size_t len)
{
	return ZSTD_compressBound(len);
}

static int zstd_init(struct codec_state *s, struct mdf_err *err)
{
	s->priv = ZSTD_createCCtx();
	if (!s->priv)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for a zstd context");
	return 0;
}

static void zstd_fini(struct codec_state *s)
{
	ZSTD_freeCCtx(s->priv);
}

static size_t zstd_compress_page(struct codec_state *s, const void *src,
				 size_t len, void *dst, size_t cap)
{
	size_t out = ZSTD_compressCCtx(s->priv, dst, cap, src, len, 1);

	return ZSTD_isError(out) ? 0 : out;
}

static int zstd_decompress_page(const void *src, size_t len, void *dst,
				size_t dlen, struct mdf_err *err)
{
	size_t out = ZSTD_decompress(dst, dlen, src, len);

	if (ZSTD_isError(out) || out != dlen)
		return mdf_err_set(err, MDF_EFORMAT,
				   "zstd frame of %zu bytes does not decode to %zu bytes (%s)",
				   len, dlen, ZSTD_isError(out) ?
				   ZSTD_getErrorName(out) : "short");
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
