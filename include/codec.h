/* codec.h: leaf service, per-page compression (none, zlib, lzo, snappy, zstd).
 *
 * One const struct codec_ops per algorithm, chosen at run time with
 * codec_find().  A struct codec_state holds one worker's compressor state
 * (zlib stream, LZO work memory, zstd context): a pipeline worker owns one,
 * nothing here is shared between threads.  Uses only base (mdf_err); never
 * prints.  Parameters follow makedumpfile so that output sizes match it:
 * zlib level 1 stream, LZO1X-1, raw snappy block, one zstd frame at level 1
 * (../shared/spec/formats.md section 5.2).
 */
#ifndef CODEC_H
#define CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mdf_err.h"

/** The algorithms of -c, -l, -p and -z (the last one given wins). */
enum codec_id {
	CODEC_NONE,
	CODEC_ZLIB,		/* -c */
	CODEC_LZO,		/* -l */
	CODEC_SNAPPY,		/* -p */
	CODEC_ZSTD,		/* -z */
	CODEC_NIDS
};

struct codec_state;

struct codec_ops {
	enum codec_id id;
	const char *name;	/* "zlib", ... */
	char option;		/* 'c', 'l', 'p', 'z'; 0 for none */
	/* largest output compress() may produce for len input bytes */
	size_t (*bound)(size_t len);
	/* per-worker state; may be NULL when the codec needs none */
	int (*init)(struct codec_state *s, struct mdf_err *err);
	void (*fini)(struct codec_state *s);
	/* Compress len bytes into dst (cap >= bound(len)).  Returns the
	 * compressed size, or 0 when the codec failed; never an error: the
	 * caller then stores the page raw. */
	size_t (*compress)(struct codec_state *s, const void *src, size_t len,
			   void *dst, size_t cap);
	/* Decompress exactly dlen bytes (a page) from src; MDF_EFORMAT if the
	 * data is corrupt or does not decode to dlen bytes. */
	int (*decompress)(const void *src, size_t len, void *dst, size_t dlen,
			  struct mdf_err *err);
};

/** One worker's compressor.  Caller-owned; _init/_deinit pair. */
struct codec_state {
	const struct codec_ops *ops;
	void *priv;
};

/** The codec for id, or NULL when this build lacks it. */
const struct codec_ops *codec_find(enum codec_id id);
/** Name of id even when this build lacks it ("lzo"). */
const char *codec_name(enum codec_id id);

int codec_state_init(struct codec_state *s, const struct codec_ops *ops,
		     struct mdf_err *err);
void codec_state_deinit(struct codec_state *s);

/** Compress one block; 0 if the codec failed or the result would not be
 * smaller than len (makedumpfile then stores the page raw). */
static inline size_t codec_compress(struct codec_state *s, const void *src,
				    size_t len, void *dst, size_t cap)
{
	size_t n = s->ops->compress(s, src, len, dst, cap);

	return n < len ? n : 0;
}

/* One table per algorithm; a codec this build lacks is absent from
 * codec.c's table, not a stub. */
extern const struct codec_ops codec_none;
extern const struct codec_ops codec_zlib;
extern const struct codec_ops codec_lzo;
extern const struct codec_ops codec_snappy;
extern const struct codec_ops codec_zstd;

#endif
