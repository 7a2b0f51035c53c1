/* reassemble.h: --reassemble, the parts of a --split dump back into one
 * kdump-compressed file (formats.md section 6).
 *
 * The parts must come from one run: identical main headers (the
 * INCOMPLETE bit aside), sub headers that differ only in their ranges and
 * eraseinfo, ranges that cover [0, max_mapnr) without gap or overlap in
 * any order.  The result is the file a direct dump with the same options
 * writes: part 1's headers, notes and bitmaps, one descriptor table, one
 * zero block, the page data copied as it is (never decompressed), and
 * every part's eraseinfo.  Bounded buffers; never prints.
 */
#ifndef REASSEMBLE_H
#define REASSEMBLE_H

#include <stdbool.h>
#include <stdint.h>

#include "mdf_err.h"
#include "sink.h"

struct reassemble_progress {
	void (*step)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
};

/** Join the n part files into out (created by the caller; closed here on
 * success).  *incomplete_ret: a part was incomplete, so is the result.
 * MDF_EFORMAT names the part and what is wrong with it. */
int reassemble_parts(char *const *parts, unsigned n, struct sink *out,
		     const struct reassemble_progress *prog,
		     bool *incomplete_ret, struct mdf_err *err);

#endif
