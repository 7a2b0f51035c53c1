/* report.h: messages, progress and statistics (report.c owns the terminal).
 *
 * Message classes follow makedumpfile's --message-level bits; with -F
 * everything but the dump goes to stderr.  The final report reproduces
 * makedumpfile's labels and hex format exactly (cli.md section 8), because
 * distribution scripts parse it.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bitmap.h"
#include "mdf_err.h"

struct report_range_list {
	uint64_t (*r)[2];	/* [start, count] */
	size_t n, cap;
};

struct report {
	unsigned ml;		/* message level bits */
	FILE *out;		/* common/debug/report stream */
	FILE *prog;		/* progress stream: stderr */
	bool tty;		/* progress redrawn in place (prog is a terminal);
				 * otherwise one line per step, for journald */
	int64_t (*clock_us)(void);	/* monotonic us; tests replace it */
	/* progress state */
	const char *label;
	int64_t last_ms;	/* last line or redraw */
	int64_t start_us;	/* phase start (ETA, STEP timing) */
	unsigned spin;
	int last_permille;
	bool line_open;		/* an in-place line needs a '\n' */
	/* --report-json ranges; allocated only when wanted */
	bool want_ranges;
	struct report_range_list ranges[PC_NCLASSES];
	struct report_range_list absent_offline;
	bool ranges_oom;
};

void report_init(struct report *r, unsigned ml, bool to_stderr);
void report_deinit(struct report *r);

void report_msg(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));	/* common (2) */
void report_debug(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));	/* debug (8) */
void report_error(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));	/* error (4), stderr */
void report_warns(struct report *r, const struct mdf_warns *w);
/** len bytes of text as they are, on stdout, ending in a newline
 * (--show-vmcoreinfo). */
void report_text(struct report *r, const char *text, size_t len);

/** Progress of a phase (bit 1, stderr).  On a terminal makedumpfile's
 * in-place line, redrawn at most once a second; otherwise (journald, a
 * pipe, a log file) a newline-terminated line at every 10 % step, and at
 * most every REPORT_QUIET_MS when a step takes longer. */
void report_progress(struct report *r, const char *label, uint64_t cur,
		     uint64_t total);
/** Force the 100 % line of the phase, and print its STEP timing (bit 16).
 * On a terminal the line stays open for the next phase to overwrite, but
 * for "Copying data", the last one. */
void report_progress_done(struct report *r, const char *label);
/** End an in-place progress line that is still open. */
void report_progress_end(struct report *r);
/** A line between progress phases (bit 1, stderr), after a blank line as
 * makedumpfile prints "\nExcluded %ld unused vmemmap pages\n". */
void report_progress_note(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* makedumpfile's phase labels */
#define PROGRESS_COPY		"Copying data"
#define PROGRESS_HOLES		"Checking for memory holes"
#define PROGRESS_UNN_PAGES	"Excluding unnecessary pages"
#define PROGRESS_ZERO_PAGES	"Excluding zero pages"

enum { REPORT_QUIET_MS = 30000 };

/** Forget the ranges gathered so far (a retry at another dump level). */
void report_clear_ranges(struct report *r);
/** The range sink that feeds --report-json. */
struct range_sink report_range_sink(struct report *r);
void report_add_range(struct report *r, enum page_class c, uint64_t start,
		      uint64_t n);

/** makedumpfile's page-count report (bit 16). elf_written: -E only. */
void report_stats(struct report *r, const struct dump_stats *st,
		  bool elf, uint64_t elf_excluded);
/** --mem-usage: makedumpfile's table (cli.md section 9), common messages. */
void report_mem_usage(struct report *r, const struct dump_stats *st,
		      unsigned page_size);
/** Our machine-readable report. */
int report_json(struct report *r, const char *path,
		const struct dump_stats *st, unsigned dump_level,
		unsigned page_size, struct mdf_err *err);

#endif
