/* codec.c: the codec table and the "none" codec (leaf service).
 *
 * The table lists the codecs this build has; a codec left out by
 * configuration (LZO=0 ...) is simply absent, and codec_find() says so.
 * Never prints.
 */
#include <string.h>

#include "codec.h"

static const struct codec_ops *const codec_table[] = {
	&codec_none,
	&codec_zlib,
#ifdef HAVE_LZO
	&codec_lzo,
#endif
#ifdef HAVE_SNAPPY
	&codec_snappy,
#endif
#ifdef HAVE_ZSTD
	&codec_zstd,
#endif
};

static const char *const codec_names[CODEC_NIDS] = {
	[CODEC_NONE] = "none",
	[CODEC_ZLIB] = "zlib",
	[CODEC_LZO] = "lzo",
	[CODEC_SNAPPY] = "snappy",
	[CODEC_ZSTD] = "zstd",
};

const struct codec_ops *codec_find(enum codec_id id)
{
	size_t i;

	for (i = 0; i < sizeof(codec_table) / sizeof(codec_table[0]); i++)
		if (codec_table[i]->id == id)
			return codec_table[i];
	return NULL;
}

const char *codec_name(enum codec_id id)
{
	return (unsigned)id < CODEC_NIDS ? codec_names[id] : "unknown";
}

int codec_state_init(struct codec_state *s, const struct codec_ops *ops,
		     struct mdf_err *err)
{
	s->ops = ops;
	s->priv = NULL;
	if (ops->init)
		return ops->init(s, err);
	return 0;
}

void codec_state_deinit(struct codec_state *s)
{
	if (s->ops && s->ops->fini)
		s->ops->fini(s);
	s->ops = NULL;
	s->priv = NULL;
}

static size_t none_bound(size_t len)
{
	return len;
}

/* "none" never compresses: every page is stored raw */
static size_t none_compress(struct codec_state *s, const void *src,
			    size_t len, void *dst, size_t cap)
{
	(void)s;
	(void)src;
	(void)len;
	(void)dst;
	(void)cap;
	return 0;
}

static int none_decompress(const void *src, size_t len, void *dst,
			   size_t dlen, struct mdf_err *err)
{
	if (len != dlen)
		return mdf_err_set(err, MDF_EFORMAT,
				   "raw block of %zu bytes, expected %zu", len, dlen);
	memcpy(dst, src, len);
	return 0;
}

const struct codec_ops codec_none = {
	.id		= CODEC_NONE,
	.name		= "none",
	.bound		= none_bound,
	.compress	= none_compress,
	.decompress	= none_decompress,
};
