/* pipeline.c: stage 7, read -> zero check -> compress, per batch of pages.
 *
 * A batch is cut into one contiguous slice per worker; each worker reads
 * its pages through its own input_reader and writes results into its own
 * slots, so workers share nothing but the read-only input.  With one
 * worker the slice is the whole batch and runs in the caller's thread.
 * Never prints; reads only through input.
 */
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

bool page_is_zero(const uint8_t *p, size_t len)
{
	size_t i;

	/* most non-zero pages differ in the first or last word */
	if (load64(p) | load64(p + len - 8))
		return false;
	for (i = 0; i < len; i += 64) {
		uint64_t acc = load64(p + i) | load64(p + i + 8) |
			       load64(p + i + 16) | load64(p + i + 24) |
			       load64(p + i + 32) | load64(p + i + 40) |
			       load64(p + i + 48) | load64(p + i + 56);
		if (acc)
			return false;
	}
	return true;
}

int pipeline_init(struct pipeline *p, struct input *in, enum pipe_work work,
		  bool zero_check, const struct codec_ops *codec,
		  unsigned nworkers, struct mdf_err *err)
{
	unsigned i;
	int rc;

	memset(p, 0, sizeof(*p));
	p->in = in;
	p->page_size = in->page_size;
	p->work = work;
	p->zero_check = zero_check;
	p->codec = work == PIPE_COMPRESS ? codec : NULL;
	p->slot_size = in->page_size;
	if (p->codec && p->codec->bound(in->page_size) > p->slot_size)
		p->slot_size = p->codec->bound(in->page_size);
	/* keep slots 64-byte aligned */
	p->slot_size = (p->slot_size + 63) & ~(size_t)63;
	p->nworkers = nworkers ? nworkers : 1;
	p->zeros = calloc(1, in->page_size);
	p->w = calloc(p->nworkers, sizeof(*p->w));
	if (!p->zeros || !p->w) {
		rc = mdf_err_set(err, MDF_ENOMEM, "out of memory for the page pipeline");
		goto fail;
	}
	if (work == PIPE_NONE)
		return 0;
	for (i = 0; i < p->nworkers; i++) {
		struct pipe_worker *w = &p->w[i];

		rc = input_reader_init(&w->rd, in, err);
		if (rc < 0)
			goto fail;
		w->have_rd = true;
		if (p->codec) {
			rc = codec_state_init(&w->codec, p->codec, err);
			if (rc < 0)
				goto fail;
			w->have_codec = true;
		}
		w->slots = aligned_alloc(64, p->slot_size * PIPE_BATCH);
		if (!w->slots) {
			rc = mdf_err_set(err, MDF_ENOMEM,
					 "out of memory for page buffers");
			goto fail;
		}
	}
	return 0;

fail:
	pipeline_deinit(p);
	return rc;
}

void pipeline_deinit(struct pipeline *p)
{
	unsigned i;

	for (i = 0; p->w && i < p->nworkers; i++) {
		struct pipe_worker *w = &p->w[i];

		if (w->have_codec)
			codec_state_deinit(&w->codec);
		if (w->have_rd)
			input_reader_deinit(&w->rd);
		free(w->slots);
		free(w->erased);
	}
	free(p->w);
	free((void *)p->zeros);
	memset(p, 0, sizeof(*p));
}

int pipeline_set_erase(struct pipeline *p, struct erase_list *el,
		       struct mdf_err *err)
{
	unsigned i;

	if (!el || !el->n || p->work == PIPE_NONE)
		return 0;
	for (i = 0; i < p->nworkers; i++) {
		p->w[i].erased = aligned_alloc(64, p->slot_size);
		if (!p->w[i].erased)
			return mdf_err_set(err, MDF_ENOMEM,
					   "out of memory for erased pages");
	}
	p->erase = el;
	return 0;
}

/* Is ptr inside the whole-file mapping (valid until the input closes)? */
static bool stable_pointer(const struct input *in, const uint8_t *ptr)
{
	return in->map && ptr >= in->map && ptr < in->map + in->file_size;
}

/* One worker: results [from, to) of the batch. */
static int run_slice(struct pipeline *p, struct pipe_worker *w,
		     struct pipe_batch *b, unsigned from, unsigned to)
{
	size_t psz = p->page_size;
	unsigned i;

	for (i = from; i < to; i++) {
		struct pipe_result *r = &b->res[i];
		uint8_t *slot = w->slots + (size_t)(i - from) * p->slot_size;
		const uint8_t *page;
		size_t n;
		int rc;

		r->pfn = b->pfn[i];
		r->codec = CODEC_NONE;
		r->zero = false;
		r->absent = false;
		r->size = (uint32_t)psz;
		if (p->work == PIPE_NONE) {
			r->data = NULL;
			continue;
		}
		rc = input_read_page(&w->rd, r->pfn, &page, &w->err);
		if (rc < 0)
			return mdf_err_wrap(&w->err, "reading pfn %#llx",
					    (unsigned long long)r->pfn);
		if (rc == MDF_ABSENT) {
			/* the bitmap said data, the input disagrees: the
			 * page is kept, as zeros, and the caller told */
			r->absent = true;
			r->zero = p->zero_check;
			r->data = p->zeros;
			continue;
		}
		w->pages_read++;
		/* never in the input's mapping: on the worker's copy */
		if (p->erase && erase_hit(p->erase, r->pfn)) {
			memcpy(w->erased, page, psz);
			erase_apply(p->erase, r->pfn, w->erased, psz);
			page = w->erased;
		}
		if (p->zero_check && page_is_zero(page, psz)) {
			r->zero = true;
			r->data = p->zeros;
			continue;
		}
		if (p->codec &&
		    (n = codec_compress(&w->codec, page, psz, slot,
					p->slot_size)) != 0) {
			r->data = slot;
			r->size = (uint32_t)n;
			r->codec = p->codec->id;
			continue;
		}
		if (stable_pointer(p->in, page)) {
			r->data = page;
		} else {
			memcpy(slot, page, psz);
			r->data = slot;
		}
	}
	return 0;
}

int pipeline_run(struct pipeline *p, struct pipe_batch *b,
		 struct mdf_err *err)
{
	unsigned per = (b->n + p->nworkers - 1) / p->nworkers, i;

	for (i = 0; i < p->nworkers; i++) {
		unsigned from = i * per, to = from + per;

		if (from >= b->n)
			break;
		if (to > b->n)
			to = b->n;
		if (run_slice(p, &p->w[i], b, from, to) < 0) {
			*err = p->w[i].err;
			return -(int)err->code;
		}
	}
	return 0;
}

uint64_t pipeline_pages_read(const struct pipeline *p)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; p->w && i < p->nworkers; i++)
		n += p->w[i].pages_read;
	return n;
}
