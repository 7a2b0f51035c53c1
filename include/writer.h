/* writer.h: stage 8, the dump file formats (kdump-compressed, ELF).
 *
 * dump.c drives every writer the same way: begin(); a count pass over the
 * pfn windows (count_window() sees each window's bitmaps); then npasses
 * page passes, each over windows [0, pass.pfn_end): window(), pages() with
 * the pipeline's results in pfn order, window_end(); then finish(), or
 * incomplete() after the sink ran out of space.  Writers place bytes only
 * through sink_write_at(); they never print and never read the bitmaps of
 * a window after window_end().
 */
#ifndef WRITER_H
#define WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "bitmap.h"
#include "codec.h"
#include "erase.h"
#include "input.h"
#include "mdf_err.h"
#include "pipeline.h"
#include "sink.h"

/** What the header of a dump says about the crashed kernel. */
struct writer_params {
	struct sink *sink;
	struct input *in;		/* notes, PT_LOADs, page size */
	uint64_t max_mapnr;		/* pfns the bitmaps cover */
	unsigned dump_level;
	const struct codec_ops *codec;	/* kdump: the -c/-l/-p/-z codec or none */
	int block_order;		/* -b: write cache of 2^order pages */
	char utsname[6][65];		/* init_uts_ns.name, zeros if unknown */
	uint64_t crashtime;		/* VMCOREINFO CRASHTIME, 0 if absent */
	uint64_t phys_base;
	/* --config: what is erased from pages the writer reads itself (ELF
	 * short runs and partial pages), and the eraseinfo finish() writes;
	 * NULL or empty: none */
	struct erase_list *erase;
	/* erase directives of the input (re-filtering), written before the
	 * new ones, after the page data; NULL: none */
	const char *eraseinfo;
	size_t eraseinfo_len;
	/* --split (kdump-compressed): this part holds the pages of
	 * [split_start, split_end) and the bitmaps of all */
	bool split;
	uint64_t split_start, split_end;
	/* -e dropped vmemmap pages: kdump header status EXCLUDED_VMEMMAP */
	bool excluded_vmemmap;
};

/** One page pass, as the writer wants it. */
struct writer_pass {
	enum pipe_work work;		/* what the pipeline does per page */
	uint64_t pfn_end;		/* windows cover [0, pfn_end) */
	uint64_t pfn_start;		/* pages below it are not wanted */
	/* receives the exclusions of each window while it is scanned
	 * (the window's bitmaps are rebuilt, never reused); may be NULL */
	const struct range_sink *ranges;
};

struct writer;

struct writer_ops {
	const char *name;
	int (*create)(const struct writer_params *p, struct writer **ret,
		      struct mdf_err *err);
	/* headers that are known before any page */
	int (*begin)(struct writer *w, struct mdf_err *err);
	/* count pass: the classified bitmaps of one window */
	int (*count_window)(struct writer *w, const struct cycle *c,
			    struct mdf_err *err);
	unsigned npasses;
	/* c: the cycle dump.c scans into for this pass */
	int (*pass_begin)(struct writer *w, unsigned pass,
			  const struct cycle *c, struct writer_pass *ret,
			  struct mdf_err *err);
	int (*window)(struct writer *w, const struct cycle *c,
		      struct mdf_err *err);
	int (*pages)(struct writer *w, const struct pipe_result *r, size_t n,
		     struct mdf_err *err);
	int (*window_end)(struct writer *w, const struct cycle *c,
			  struct mdf_err *err);
	int (*pass_end)(struct writer *w, unsigned pass, struct mdf_err *err);
	/* all passes done: flush, mark the dump complete, close the sink */
	int (*finish)(struct writer *w, struct mdf_err *err);
	/* the sink ran out of space: keep what reached it readable and
	 * marked incomplete, close the sink */
	int (*incomplete)(struct writer *w, struct mdf_err *err);
	void (*destroy)(struct writer *w);
};

/** Common part of every writer (first member of each implementation). */
struct writer {
	const struct writer_ops *ops;
	struct writer_params p;
	uint64_t pages_written;		/* pages with data in the output */
	uint64_t elf_excluded;		/* -E: pages left out of PT_LOAD data */
};

extern const struct writer_ops writer_kdump_ops;
extern const struct writer_ops writer_elf_ops;

static inline void writer_destroy(struct writer *w)
{
	if (w)
		w->ops->destroy(w);
}

#endif
