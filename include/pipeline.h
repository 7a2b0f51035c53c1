/* pipeline.h: stage 7, dumpable pfns -> page results, in pfn order.
 *
 * The caller (dump.c) hands over a batch of ascending dumpable pfns; each is
 * read through the input, checked for all-zero content and, for the
 * kdump-compressed writer, compressed.  Results come back in the batch's
 * order, so the output bytes never depend on how the work was spread.
 * Every buffer belongs to a worker and is reused for every batch: no
 * allocation and no syscall per page beyond the input's own read.
 *
 * Today one worker runs in the caller's thread.  The shape is the one
 * --num-threads needs: a worker owns its input_reader, its codec state and
 * its output slots; a batch is split into contiguous slices, one per
 * worker, and consumed in order.  Never prints.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "erase.h"
#include "input.h"
#include "mdf_err.h"

enum { PIPE_BATCH = 256 };	/* pages per batch */

/** What a pass wants done to each page. */
enum pipe_work {
	PIPE_NONE,	/* nothing: the writer needs only the bitmaps */
	PIPE_READ,	/* read (and zero check if asked): data is the page */
	PIPE_COMPRESS,	/* read, zero check, compress */
};

/** The outcome for one pfn.  data stays valid until the next
 * pipeline_run() on the same pipeline. */
struct pipe_result {
	uint64_t pfn;
	const uint8_t *data;	/* compressed bytes, or the page itself */
	uint32_t size;		/* bytes at data */
	enum codec_id codec;	/* CODEC_NONE: stored raw */
	bool zero;		/* all zero (only when zero_check) */
	bool absent;		/* the input has no data: data is zeros */
};

struct pipe_batch {
	unsigned n;
	uint64_t pfn[PIPE_BATCH];		/* in: ascending */
	struct pipe_result res[PIPE_BATCH];	/* out */
};

/** One worker's resources.  Written only by its worker while a batch
 * runs; read by the consumer after pipeline_run() returns. */
struct pipe_worker {
	struct input_reader rd;
	struct codec_state codec;
	bool have_rd, have_codec;
	uint8_t *slots;		/* PIPE_BATCH output slots of slot_size */
	uint8_t *erased;	/* --config: the copy of a page being erased */
	uint64_t pages_read;
	struct mdf_err err;
};

struct pipeline {
	struct input *in;
	unsigned page_size;
	enum pipe_work work;
	bool zero_check;		/* dump level bit 1 */
	const struct codec_ops *codec;	/* PIPE_COMPRESS only */
	size_t slot_size;
	const uint8_t *zeros;		/* one page of zeros (absent pages) */
	unsigned nworkers;
	struct pipe_worker *w;
	struct erase_list *erase;	/* --config ranges, or NULL */
};

/** Set up nworkers (>= 1) workers.  codec may be NULL unless work is
 * PIPE_COMPRESS. */
int pipeline_init(struct pipeline *p, struct input *in, enum pipe_work work,
		  bool zero_check, const struct codec_ops *codec,
		  unsigned nworkers, struct mdf_err *err);
void pipeline_deinit(struct pipeline *p);

/** --config: erase el's ranges from every page read, on a copy and before
 * the zero check and compression (formats.md section 5.2 rule 5).  el must
 * outlive the pipeline; NULL or an empty list is no filter. */
int pipeline_set_erase(struct pipeline *p, struct erase_list *el,
		       struct mdf_err *err);

/** Fill b->res[0..b->n) for b->pfn[0..b->n). */
int pipeline_run(struct pipeline *p, struct pipe_batch *b,
		 struct mdf_err *err);

/** Pages read so far by all workers. */
uint64_t pipeline_pages_read(const struct pipeline *p);

/** True if len bytes (a multiple of 64) are all zero. */
bool page_is_zero(const uint8_t *p, size_t len);

#endif
