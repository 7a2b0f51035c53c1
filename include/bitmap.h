/* bitmap.h: stage 6, the two bitmaps over a bounded pfn window (a cycle).
 *
 * bm1: pfn has memory in the dump (1st bitmap); bm2: pfn will be dumped
 * (2nd bitmap, before zero-page detection).  scan_cycle() fills both for
 * one window from the input's ranges and the struct pages; exclusions
 * that run past the window end are carried into the next window.  Memory
 * is sized by the window, never by the size of the crashed machine.
 */
#ifndef BITMAP_H
#define BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"
#include "input.h"
#include "memmap.h"

static inline bool bm_test(const uint8_t *bm, uint64_t i)
{
	return bm[i >> 3] & (1u << (i & 7));
}
static inline void bm_set(uint8_t *bm, uint64_t i)
{
	bm[i >> 3] |= (uint8_t)(1u << (i & 7));
}
static inline void bm_clear(uint8_t *bm, uint64_t i)
{
	bm[i >> 3] &= (uint8_t)~(1u << (i & 7));
}
/** Number of set bits in [a, b). */
uint64_t bm_count(const uint8_t *bm, uint64_t a, uint64_t b);
/** Next set bit at or after i, or end. */
uint64_t bm_next_set(const uint8_t *bm, uint64_t i, uint64_t end);

/** Counters of one run (report.c prints them). */
struct dump_stats {
	uint64_t max_mapnr;		/* Total pages */
	uint64_t present;		/* pfns in the 1st bitmap */
	uint64_t excluded[PC_NCLASSES];	/* per class; [PC_ZERO] by content */
	uint64_t nodata;		/* present but without data in the input */
	/* anomalies: counted, reported, never fatal */
	uint64_t memmap_nosection;	/* present pfn in a section without memmap
					 * (firmware ranges): normal, kept */
	uint64_t memmap_unavailable;	/* present pfn whose struct page is unmapped
					 * or not in the dump: anomaly, kept */
	uint64_t first_unavailable;	/* its first pfn, for messages */
	uint64_t memmap_offline;	/* struct page in a section not online */
	uint64_t bad_order;		/* impossible compound order: kept */
	uint64_t bad_buddy;		/* impossible free order: kept */
	uint64_t memmap_poisoned;	/* struct page filled with the poison
					 * pattern (uninitialised memmap): kept */
	uint64_t offline_absent;	/* PageOffline pfns with no memory in the dump */
	uint64_t hvo_fake_heads;	/* HVO aliases seen as tails */
	uint64_t pages_read;		/* page data reads */
	uint64_t pages_mapped;		/* ... through an mmap window */
	uint64_t pages_pread;		/* ... with pread() */
	uint64_t mmap_windows;		/* mmap() calls for page data */
	uint64_t read_runs;		/* pread() calls for runs of pages */
	uint64_t write_bytes;
};

/** Receives every excluded range (for --report-json); may be NULL. */
struct range_sink {
	void (*add)(void *ctx, enum page_class c, uint64_t start, uint64_t n);
	/* PageOffline pfns that have no memory in the dump */
	void (*absent_offline)(void *ctx, uint64_t pfn);
	void *ctx;
};

/** What a scan needs; const after set-up. */
struct scan_env {
	struct input *in;
	const struct memmap *mm;	/* NULL: no struct pages (no VMCOREINFO) */
	const struct page_layout *pl;
	unsigned dump_level;
	uint64_t max_mapnr;
	/* --num-threads: scan_cycle() splits a window among this many
	 * threads (0, 1: the caller's only); the bitmaps and counters are
	 * the same for every value */
	unsigned nthreads;
	/* tests: split points at multiples of this (rounded up to 64)
	 * instead of the largest power of two the part size allows */
	uint64_t split_align;
};

enum { SCAN_MAX_PARTS = 64 };	/* most threads a window's scan uses */

/** How the pfn space is cut into windows (cli.md section 6, formats.md
 * section 10).  The budget is the memory of both bitmaps of a window:
 * min(60 % of MemFree, CYCLE_AUTO_MAX, both whole bitmaps), or what
 * --cyclic-buffer asks, cut to MemFree.  Non-cyclic runs (--non-cyclic,
 * --work-dir) use one window over all pfns, kept in a temporary file. */
struct cycle_plan {
	uint64_t bufsize;	/* bytes for both bitmaps of one window */
	uint64_t pfns;		/* window capacity in pfns */
	bool single;		/* one window covers every pfn */
	bool in_file;		/* bitmaps in a temporary file */
	bool truncated;		/* --cyclic-buffer was more than MemFree */
};

enum {
	CYCLE_AUTO_MAX = 4u << 20,	/* makedumpfile's 4 MiB */
	CYCLE_MIN_PFNS = 4096,		/* one struct page batch */
};

/** MemFree of the system we run on (the capture kernel) from
 * /proc/meminfo, in bytes; 0 if unknown. */
uint64_t cycle_host_mem_free(void);

/**
 * Plan the windows.  mem_free: MemFree of the running system in bytes, 0 if
 * unknown (no limit from it); user_bytes: --cyclic-buffer in bytes, 0 for
 * the automatic size; nsplit: number of output files (budget per file).
 */
void cycle_plan_make(uint64_t max_mapnr, uint64_t mem_free,
		     uint64_t user_bytes, unsigned nsplit, bool non_cyclic,
		     struct cycle_plan *ret);

struct scan_part;

/** One pfn window and its bitmaps. */
struct cycle {
	uint64_t start, end;		/* [start, end) pfns */
	uint64_t cap;			/* window capacity in pfns (multiple of 64) */
	uint8_t *bm1, *bm2;		/* cap / 8 bytes each; bit 0 = start */
	int file_fd;			/* non-cyclic: the unlinked bitmap file */
	size_t file_len;		/* its mapping (bm1, bm2); 0: heap */
	/* exclusion that ran past the previous window */
	uint64_t carry_end;
	enum page_class carry_class;
	/* no pfn of the window is in the dump: both bitmaps are zero and
	 * need no scan (a 52-bit machine's RAM can sit far above the rest,
	 * so most windows are such holes) */
	bool empty;
	bool zeroed;			/* bitmaps known to be all zero */
	/* scratch for struct pages */
	unsigned struct_size;
	uint8_t *spbuf, *avail;
	/* the input whose ranges bound where a bit can be set (set by
	 * scan_cycle(); NULL: anywhere), and the last live span found by
	 * cycle_next2() (single-threaded callers only) */
	const struct input *in;
	uint64_t span_from, span_lo, span_hi;	/* bitmap.c's live_at() */
	uint8_t *xbuf;			/* the same for the other scan threads */
	unsigned xparts;		/* how many xbuf holds */
	struct input_reader *rd;	/* one per scan thread: its mmap window */
	unsigned nrd;			/* initialised */
	struct scan_part *parts;	/* bitmap.c's: the window's parts */
	unsigned nparts;		/* room in parts */
};

/** Allocate a window of cap_pfns.  tmp_dir non-NULL: the bitmaps live in
 * an unlinked file kdump_bitmapXXXXXX there (mapped shared, so the kernel
 * can write them back instead of holding them in RAM); else on the heap. */
int cycle_init(struct cycle *c, uint64_t cap_pfns, unsigned struct_size,
	       const char *tmp_dir, struct mdf_err *err);
void cycle_deinit(struct cycle *c);
/** After fork(): keep this process's changes to a file-backed window to
 * itself (the mapping becomes private, copy-on-write), so that processes
 * that scan the same window at once (--split parts) do not see each
 * other's half-built bitmaps.  No-op for a heap window. */
int cycle_make_private(struct cycle *c, struct mdf_err *err);
/** Rewind before a pass over all windows. */
void cycle_rewind(struct cycle *c);

/* Bits are set only where the input has ranges: the helpers below read
 * only those parts of a window's bitmaps.  The rest was never written, and
 * reading it would make it resident all the same (a sparse machine:
 * virtio-mem's hotplug area, RAM far above the rest). */

/** The first live span [*lo, *hi) (window offsets) that ends after i:
 * where bits may be set, adjacent ranges merged; false if none. */
bool cycle_live_span(const struct cycle *c, uint64_t i, uint64_t *lo,
		     uint64_t *hi);
/** bm_count(c->bm2, a, b) reading only live spans. */
uint64_t cycle_count2(const struct cycle *c, uint64_t a, uint64_t b);
/** bm_next_set(c->bm2, i, end) reading only live spans (caches the span
 * in c: one search per span, not per page). */
uint64_t cycle_next2(struct cycle *c, uint64_t i, uint64_t end);

/** Fill bm1/bm2 of [start, min(start + cap, max_mapnr)).  With stats, add
 * to the counters (first pass); ranges, if given, receive exclusions. */
int scan_cycle(const struct scan_env *env, struct cycle *c, uint64_t start,
	       struct dump_stats *stats, const struct range_sink *ranges,
	       struct mdf_err *err);

/** Look at the struct pages of [start, end), pfns the dump has no memory
 * for (beyond max_mapnr): count PageOffline ones.  Never reads page data. */
int scan_absent(const struct scan_env *env, struct cycle *c, uint64_t start,
		uint64_t end, struct dump_stats *stats,
		const struct range_sink *ranges, struct mdf_err *err);

#endif
