/* split.h: --split, the pfn range of each part (formats.md section 6).
 *
 * The dumpable pages are counted per splitblock (--splitblock-size,
 * default 1 GiB of pfns) while the bitmaps are built; each part but the
 * last then takes whole splitblocks until it holds its share, total /
 * parts, as makedumpfile does.  A part may be empty ([max_mapnr,
 * max_mapnr)) when there are fewer splitblocks than parts.  Never prints.
 */
#ifndef SPLIT_H
#define SPLIT_H

#include <stdint.h>

#include "bitmap.h"
#include "mdf_err.h"

enum { SPLIT_DEFAULT_BLOCK_KIB = 1u << 20 };	/* 1 GiB */

struct split_plan {
	uint64_t max_mapnr;
	uint64_t block_pfns;		/* pfns per splitblock */
	uint64_t nblocks;
	/* dumpable pages per splitblock: max_mapnr / block_pfns entries,
	 * a few per TiB at the default size (as makedumpfile's table) */
	uint64_t *count;
	uint64_t total;
};

/** block_kib: --splitblock-size, 0 for the default.  MDF_EINVAL when it
 * is not a multiple of the page size. */
int split_plan_init(struct split_plan *p, uint64_t max_mapnr,
		    unsigned page_size, uint64_t block_kib,
		    struct mdf_err *err);
void split_plan_deinit(struct split_plan *p);

/** Count the 2nd-bitmap bits of one window. */
void split_plan_add(struct split_plan *p, const struct cycle *c);

/** [start, end) of nparts parts into ranges_ret[nparts][2]. */
void split_plan_ranges(const struct split_plan *p, unsigned nparts,
		       uint64_t (*ranges_ret)[2]);

#endif
