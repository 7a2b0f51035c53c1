/* codec_lzo.c: LZO1X-1 for -l (leaf service).
 *
 * A raw LZO1X block per page; the worst case is len + len/16 + 64 + 3
 * (lzo's documented bound).  Each worker owns its LZO1X_1_MEM_COMPRESS
 * work memory.  Built only with HAVE_LZO (the Makefile asks pkg-config).
 */
#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#include <stdlib.h>

#include "codec.h"

static size_t lzo_bound(size_t len)
{
	return len + len / 16 + 64 + 3;
}

static int lzo_state_init(struct codec_state *s, struct mdf_err *err)
{
	if (lzo_init() != LZO_E_OK)
		return mdf_err_set(err, MDF_EIO, "lzo_init() failed");
	s->priv = malloc(LZO1X_1_MEM_COMPRESS);
	if (!s->priv)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for LZO work memory");
	return 0;
}

static void lzo_state_fini(struct codec_state *s)
{
	free(s->priv);
}

static size_t lzo_compress(struct codec_state *s, const void *src,
			   size_t len, void *dst, size_t cap)
{
	lzo_uint out = (lzo_uint)cap;

	if (lzo1x_1_compress(src, (lzo_uint)len, dst, &out, s->priv) != LZO_E_OK)
		return 0;
	return (size_t)out;
}

static int lzo_decompress(const void *src, size_t len, void *dst,
			  size_t dlen, struct mdf_err *err)
{
	lzo_uint out = (lzo_uint)dlen;
	int rc = lzo1x_decompress_safe(src, (lzo_uint)len, dst, &out, NULL);

	if (rc != LZO_E_OK || out != dlen)
		return mdf_err_set(err, MDF_EFORMAT,
				   "LZO block of %zu bytes does not decode to %zu bytes (error %d)",
				   len, dlen, rc);
	return 0;
}

const struct codec_ops codec_lzo = {
	.id		= CODEC_LZO,
	.name		= "lzo",
	.option		= 'l',
	.bound		= lzo_bound,
	.init		= lzo_state_init,
	.fini		= lzo_state_fini,
	.compress	= lzo_compress,
	.decompress	= lzo_decompress,
};
#else
typedef int codec_lzo_not_built;
#endif
