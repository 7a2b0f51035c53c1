/* pipeline.c: stage 7, read -> zero check -> compress, per batch of pages.
 *
 * A batch is one unit of work: one worker reads its pages through its own
 * input_reader and writes the results into the batch's own slots, so
 * workers share nothing but the read-only input and the ring's lock.  The
 * caller collects batches strictly in submission order (the in-order
 * writer); with no threads a batch is done when it is submitted.
 * Never prints; reads only through input.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void *worker_main(void *arg);

static int worker_init(struct pipeline *p, struct pipe_worker *w,
		       struct mdf_err *err)
{
	int rc;

	w->p = p;
	rc = input_reader_init(&w->rd, p->in, err);
	if (rc < 0)
		return rc;
	w->have_rd = true;
	/* a worker reads one batch, then one N batches on: a window of a
	 * batch's span or two is all it uses, and what a file window
	 * touched counts in RSS once per worker */
	if (p->nthreads && p->in->window_size >
	    (size_t)PIPE_WINDOW_PAGES * p->page_size)
		w->rd.window_size = (size_t)PIPE_WINDOW_PAGES * p->page_size;
	if (p->codec) {
		rc = codec_state_init(&w->codec, p->codec, err);
		if (rc < 0)
			return rc;
		w->have_codec = true;
	}
	return 0;
}

long pipeline_usable_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

struct pipe_plan pipeline_plan(unsigned n, long ncpus)
{
	struct pipe_plan plan = { .workers = n, .help = false };

	if (n == 0 || ncpus <= 0)
		;
	else if (ncpus == 1)
		plan.workers = 1;
	else if (n < (unsigned long)ncpus)
		plan.help = true;
	else {
		plan.workers = (unsigned)(ncpus - 1);
		plan.help = true;
	}
	if (plan.workers > PIPE_MAX_THREADS)
		plan.workers = PIPE_MAX_THREADS;
	return plan;
}

int pipeline_init(struct pipeline *p, struct input *in, enum pipe_work work,
		  bool zero_check, const struct codec_ops *codec,
		  unsigned nthreads, bool help, struct mdf_err *err)
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
	/* nothing to do per page: no thread would have work */
	if (work == PIPE_NONE)
		nthreads = 0;
	if (nthreads > PIPE_MAX_THREADS)
		nthreads = PIPE_MAX_THREADS;
	p->nthreads = nthreads;
	p->nworkers = nthreads ? nthreads : 1;
	/* the caller's own reader and codec state, w[nthreads] */
	if (nthreads && help) {
		p->helping = true;
		p->nworkers++;
	}
	/* room for one batch filled, one written and two per thread
	 * (the one worked on and the next), in half-size batches so that
	 * a worker done before the main thread (helping, or writing) still
	 * finds one queued: the memory is fixed by N, never by the dump */
	p->batch_pages = PIPE_BATCH_PAGES;
	p->nbatch = nthreads ? 2 * (nthreads + 2) : 1;
	p->zeros = calloc(1, in->page_size);
	p->w = calloc(p->nworkers, sizeof(*p->w));
	p->ring = calloc(p->nbatch, sizeof(*p->ring));
	if (!p->zeros || !p->w || !p->ring) {
		rc = mdf_err_set(err, MDF_ENOMEM, "out of memory for the page pipeline");
		goto fail;
	}
	if (work == PIPE_NONE)
		return 0;
	p->own_slots = aligned_alloc(64, p->slot_size * PIPE_BATCH);
	if (!p->own_slots) {
		rc = mdf_err_set(err, MDF_ENOMEM, "out of memory for page buffers");
		goto fail;
	}
	for (i = 0; i < p->nbatch; i++) {
		/* with no threads the only batch uses the pipeline's slots */
		if (!nthreads)
			break;
		p->ring[i].slots = aligned_alloc(64, p->slot_size *
						 p->batch_pages);
		if (!p->ring[i].slots) {
			rc = mdf_err_set(err, MDF_ENOMEM,
					 "out of memory for page buffers");
			goto fail;
		}
	}
	for (i = 0; i < p->nworkers; i++) {
		rc = worker_init(p, &p->w[i], err);
		if (rc < 0)
			goto fail;
	}
	if (!nthreads)
		return 0;
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		rc = mdf_err_set(err, MDF_ENOMEM, "can't create the pipeline's lock");
		goto fail;
	}
	if (pthread_cond_init(&p->work_cv, NULL) != 0) {
		pthread_mutex_destroy(&p->lock);
		rc = mdf_err_set(err, MDF_ENOMEM, "can't create the pipeline's lock");
		goto fail;
	}
	if (pthread_cond_init(&p->done_cv, NULL) != 0) {
		pthread_cond_destroy(&p->work_cv);
		pthread_mutex_destroy(&p->lock);
		rc = mdf_err_set(err, MDF_ENOMEM, "can't create the pipeline's lock");
		goto fail;
	}
	p->have_lock = true;
	for (i = 0; i < nthreads; i++) {
		int e = pthread_create(&p->w[i].thread, NULL, worker_main,
				       &p->w[i]);

		if (e != 0) {
			rc = mdf_err_sys(err, e, "Can't create compression thread %u of %u",
					 i + 1, nthreads);
			goto fail;
		}
		p->w[i].started = true;
	}
	return 0;

fail:
	pipeline_deinit(p);
	return rc;
}

void pipeline_stop(struct pipeline *p)
{
	unsigned i;

	if (!p->have_lock)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; p->w && i < p->nworkers; i++)
		if (p->w[i].started) {
			pthread_join(p->w[i].thread, NULL);
			p->w[i].started = false;
		}
}

void pipeline_deinit(struct pipeline *p)
{
	unsigned i;

	pipeline_stop(p);
	if (p->have_lock) {
		pthread_cond_destroy(&p->done_cv);
		pthread_cond_destroy(&p->work_cv);
		pthread_mutex_destroy(&p->lock);
	}
	for (i = 0; p->w && i < p->nworkers; i++) {
		struct pipe_worker *w = &p->w[i];

		if (w->have_codec)
			codec_state_deinit(&w->codec);
		if (w->have_rd)
			input_reader_deinit(&w->rd);
		free(w->erased);
	}
	for (i = 0; p->ring && i < p->nbatch; i++)
		free(p->ring[i].slots);
	free(p->ring);
	free(p->own_slots);
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
	/* the workers read it from their next batch on: the lock orders
	 * this store before them */
	if (p->have_lock)
		pthread_mutex_lock(&p->lock);
	p->erase = el;
	if (p->have_lock)
		pthread_mutex_unlock(&p->lock);
	return 0;
}

/* Is ptr inside the whole-file mapping (valid until the input closes)? */
static bool stable_pointer(const struct input *in, const uint8_t *ptr)
{
	return in->map && ptr >= in->map && ptr < in->map + in->file_size;
}

/* One worker: every result of the batch, into slots. */
static int run_batch(struct pipeline *p, struct pipe_worker *w,
		     struct pipe_batch *b, uint8_t *slots)
{
	size_t psz = p->page_size, used = 0;
	unsigned i;

	/* results are packed in slots: what a batch touches is what its
	 * pages compressed to (used <= i * slot_size, so a slot's worth is
	 * always left) */
	for (i = 0; i < b->n; i++) {
		struct pipe_result *r = &b->res[i];
		uint8_t *slot;
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
		slot = slots + used;
		/* a run of consecutive pfns: one read where the input copies */
		if (i == 0 || b->pfn[i] != b->pfn[i - 1] + 1) {
			unsigned j = i + 1;

			while (j < b->n && b->pfn[j] == b->pfn[j - 1] + 1)
				j++;
			input_reader_hint(&w->rd, b->pfn[i], j - i);
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
			used += (n + 63) & ~(size_t)63;
			continue;
		}
		if (stable_pointer(p->in, page)) {
			r->data = page;
		} else {
			memcpy(slot, page, psz);
			r->data = slot;
			used += psz;
		}
	}
	return 0;
}

int pipeline_run(struct pipeline *p, struct pipe_batch *b,
		 struct mdf_err *err)
{
	struct pipe_worker *w = &p->w[0];

	if (b->n > PIPE_BATCH)
		return mdf_err_set(err, MDF_EINVAL, "a batch of %u pages", b->n);
	if (run_batch(p, w, b, b->slots ? b->slots : p->own_slots) < 0) {
		*err = w->err;
		return -(int)err->code;
	}
	return 0;
}

/* With the lock held and a batch queued: take the oldest, run it with
 * w's resources (the lock released meanwhile) and mark it done; returns
 * with the lock held. */
static void run_next_locked(struct pipeline *p, struct pipe_worker *w)
{
	struct pipe_batch *b = &p->ring[p->next++ % p->nbatch];

	pthread_mutex_unlock(&p->lock);
	b->rc = run_batch(p, w, b, b->slots);
	if (b->rc < 0)
		b->err = w->err;
	pthread_mutex_lock(&p->lock);
	b->state = PIPE_DONE;
}

static void *worker_main(void *arg)
{
	struct pipe_worker *w = arg;
	struct pipeline *p = w->p;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->next == p->tail)
			pthread_cond_wait(&p->work_cv, &p->lock);
		if (p->stop)
			break;
		run_next_locked(p, w);
		pthread_cond_broadcast(&p->done_cv);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct pipe_batch *pipeline_get(struct pipeline *p)
{
	struct pipe_batch *b;

	if (p->tail - p->head >= p->nbatch)
		return NULL;
	b = &p->ring[p->tail % p->nbatch];
	b->n = 0;
	b->state = PIPE_FREE;
	return b;
}

void pipeline_put(struct pipeline *p, struct pipe_batch *b)
{
	if (!p->nthreads) {
		struct pipe_worker *w = &p->w[0];

		b->rc = run_batch(p, w, b, b->slots ? b->slots : p->own_slots);
		if (b->rc < 0)
			b->err = w->err;
		b->state = PIPE_DONE;
		p->tail++;
		return;
	}
	pthread_mutex_lock(&p->lock);
	b->state = PIPE_QUEUED;
	p->tail++;
	pthread_cond_signal(&p->work_cv);
	pthread_mutex_unlock(&p->lock);
}

int pipeline_collect(struct pipeline *p, bool wait, struct pipe_batch **ret,
		     struct mdf_err *err)
{
	struct pipe_batch *b;
	bool done;

	*ret = NULL;
	if (p->head == p->tail)
		return 0;
	b = &p->ring[p->head % p->nbatch];
	if (p->nthreads) {
		pthread_mutex_lock(&p->lock);
		while (wait && b->state != PIPE_DONE) {
			/* help: the oldest batch no worker has taken yet (b
			 * itself, or one behind it), with w[nthreads] */
			if (p->helping && p->next != p->tail)
				run_next_locked(p, &p->w[p->nthreads]);
			else
				pthread_cond_wait(&p->done_cv, &p->lock);
		}
		done = b->state == PIPE_DONE;
		pthread_mutex_unlock(&p->lock);
		if (!done)
			return 0;
	}
	if (b->rc < 0) {
		*err = b->err;
		pipeline_recycle(p, b);
		return -(int)err->code;
	}
	*ret = b;
	return 0;
}

void pipeline_recycle(struct pipeline *p, struct pipe_batch *b)
{
	b->state = PIPE_FREE;
	b->n = 0;
	p->head++;
}

uint64_t pipeline_pages_read(const struct pipeline *p)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; p->w && i < p->nworkers; i++)
		n += p->w[i].pages_read;
	return n;
}
