/* pipeline.h: stage 7, dumpable pfns -> page results, in pfn order.
 *
 * The caller (dump.c) fills batches of ascending dumpable pfns; each page
 * is read through the input, checked for all-zero content and, for the
 * kdump-compressed writer, compressed.  Batches come back in the order
 * they were submitted, each with its results in its pfns' order, so the
 * output bytes never depend on how many threads did the work.
 *
 * With nthreads 0 a submitted batch is done at once in the caller's
 * thread.  With nthreads N >= 1, N worker threads take whole batches from
 * a bounded ring of 2 (N + 2) batches (one being filled, one being
 * written, and per thread one worked on and one queued next) while the
 * caller scans and writes: one in-order
 * writer, no allocation after init (each batch owns its output slots,
 * each worker its input_reader, codec state and erase buffer), memory
 * fixed by N.  Helping: while the caller waits for the oldest batch it
 * works on the next queued one itself (with worker resources of its own)
 * instead of sleeping, for a CPU the N workers leave idle.  Never
 * prints.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "erase.h"
#include "input.h"
#include "mdf_err.h"

enum {
	PIPE_BATCH = 256,	/* pages a batch can hold (pipeline_run()) */
	PIPE_BATCH_PAGES = 16,	/* pages per batch of pipeline_get(): at
				 * most 68 KiB of output slots touched;
				 * the ring holds 2 (N + 2) of them (64
				 * cost 0.3 MB more RSS per thread and
				 * were no faster; 32 in a ring of N + 2
				 * left a worker waiting for the main
				 * thread's batch 10-18 % of a -c run) */
	PIPE_WINDOW_PAGES = 64,	/* a worker's mmap window (threads) */
	PIPE_MAX_THREADS = 256,
};

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

enum pipe_state { PIPE_FREE, PIPE_QUEUED, PIPE_DONE };

/** A batch: the caller writes pfn[] and n (at most p->batch_pages) while
 * it holds the batch; a worker writes res[], slots, rc and err between
 * submission and PIPE_DONE; state is under the pipeline's lock. */
struct pipe_batch {
	unsigned n;
	uint64_t pfn[PIPE_BATCH];		/* in: ascending */
	struct pipe_result res[PIPE_BATCH];	/* out */
	uint8_t *slots;		/* batch_pages output slots of slot_size;
				 * NULL: the pipeline's own (pipeline_run) */
	enum pipe_state state;
	int rc;
	struct mdf_err err;
};

/** One worker's resources, touched only by the thread running it (the
 * caller's, with nthreads 0); read by others after pipeline_stop(). */
struct pipe_worker {
	struct input_reader rd;
	struct codec_state codec;
	bool have_rd, have_codec;
	uint8_t *erased;	/* --config: the copy of a page being erased */
	uint64_t pages_read;
	struct mdf_err err;
	struct pipeline *p;
	pthread_t thread;
	bool started;
};

struct pipeline {
	/* set by pipeline_init(), read-only afterwards */
	struct input *in;
	unsigned page_size;
	enum pipe_work work;
	bool zero_check;		/* dump level bit 1 */
	const struct codec_ops *codec;	/* PIPE_COMPRESS only */
	size_t slot_size;
	const uint8_t *zeros;		/* one page of zeros (absent pages) */
	unsigned nthreads;		/* worker threads, 0: the caller's */
	unsigned nworkers;		/* max(nthreads, 1), + 1 if helping */
	bool helping;			/* the caller runs queued batches while
					 * it waits; w[nthreads] is its own */
	unsigned batch_pages;		/* pfns per batch */
	unsigned nbatch;		/* batches in the ring */
	struct pipe_worker *w;
	struct pipe_batch *ring;
	uint8_t *own_slots;		/* pipeline_run() with b->slots NULL */
	struct erase_list *erase;	/* --config ranges, or NULL */
	/* head, tail: the caller only; next, stop and the batches' state:
	 * under lock (tail is also written under it) */
	uint64_t head;			/* oldest batch not recycled */
	uint64_t tail;			/* batches submitted */
	uint64_t next;			/* next batch for a worker */
	bool stop;
	bool have_lock;
	pthread_mutex_t lock;
	pthread_cond_t work_cv;		/* a batch was queued, or stop */
	pthread_cond_t done_cv;		/* a batch is done */
};

/** Set up the workers: nthreads worker threads (0: work in the caller's
 * thread) and their batches; help (with nthreads >= 1): the caller helps
 * them while it waits (pipeline_plan() says when that pays).
 * codec may be NULL unless work is PIPE_COMPRESS. */
int pipeline_init(struct pipeline *p, struct input *in, enum pipe_work work,
		  bool zero_check, const struct codec_ops *codec,
		  unsigned nthreads, bool help, struct mdf_err *err);
/** How --num-threads N runs on a machine with ncpus usable CPUs. */
struct pipe_plan {
	unsigned workers;		/* worker threads (0: none) */
	bool help;			/* the caller helps them */
};
/** N workers and the helping caller where that leaves no CPU without a
 * thread of ours; with N >= ncpus, ncpus - 1 workers and the helping
 * caller (a worker more would only take turns with the caller, which
 * still scans and writes); one worker on a single CPU; ncpus <= 0
 * (unknown): N workers.  Never more than PIPE_MAX_THREADS. */
struct pipe_plan pipeline_plan(unsigned n, long ncpus);
/** The CPUs this process may run on (its affinity mask, else the online
 * count); -1 when neither can be learnt. */
long pipeline_usable_cpus(void);
/** Stop and join the threads (idempotent); batches in flight are
 * dropped.  After it the workers' counters may be read. */
void pipeline_stop(struct pipeline *p);
void pipeline_deinit(struct pipeline *p);

/** A free batch to fill (n = 0), or NULL while every batch is in flight:
 * collect and recycle the oldest first. */
struct pipe_batch *pipeline_get(struct pipeline *p);
/** Hand a batch from pipeline_get() to the workers (with nthreads 0 it
 * is done before this returns). */
void pipeline_put(struct pipeline *p, struct pipe_batch *b);
/** The oldest submitted batch once it is done, waiting for it if wait;
 * *ret = NULL when none is in flight, or when !wait and it is not done.
 * A batch whose work failed returns its error (and is recycled). */
int pipeline_collect(struct pipeline *p, bool wait, struct pipe_batch **ret,
		     struct mdf_err *err);
/** Give back the batch pipeline_collect() returned. */
void pipeline_recycle(struct pipeline *p, struct pipe_batch *b);

/** --config: erase el's ranges from every page read, on a copy and before
 * the zero check and compression (formats.md section 5.2 rule 5).  el must
 * outlive the pipeline; NULL or an empty list is no filter. */
int pipeline_set_erase(struct pipeline *p, struct erase_list *el,
		       struct mdf_err *err);

/** Fill b->res[0..b->n) for b->pfn[0..b->n) now, in the caller's thread
 * with the first worker's resources (only while no batch is in flight;
 * results in b->slots, or the pipeline's own when NULL). */
int pipeline_run(struct pipeline *p, struct pipe_batch *b,
		 struct mdf_err *err);

/** Pages read so far by all workers. */
uint64_t pipeline_pages_read(const struct pipeline *p);

/** True if len bytes (a multiple of 64) are all zero; stops at the
 * first non-zero word. */
bool page_is_zero(const uint8_t *p, size_t len);

#endif
