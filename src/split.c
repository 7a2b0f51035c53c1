/* split.c: the pfn ranges of --split parts (split.h). */
#include <stdlib.h>
#include <string.h>

#include "split.h"

int split_plan_init(struct split_plan *p, uint64_t max_mapnr,
		    unsigned page_size, uint64_t block_kib,
		    struct mdf_err *err)
{
	uint64_t bytes;

	memset(p, 0, sizeof(*p));
	if (!block_kib)
		block_kib = SPLIT_DEFAULT_BLOCK_KIB;
	bytes = block_kib * 1024;
	if (block_kib > UINT64_MAX / 1024 || bytes % page_size)
		return mdf_err_set(err, MDF_EINVAL,
				   "The splitblock size(%llu KiB) is not a multiple of the page size(%u).",
				   (unsigned long long)block_kib, page_size);
	p->max_mapnr = max_mapnr;
	p->block_pfns = bytes / page_size;
	p->nblocks = (max_mapnr + p->block_pfns - 1) / p->block_pfns;
	p->count = calloc(p->nblocks ? p->nblocks : 1, sizeof(*p->count));
	if (!p->count)
		return mdf_err_set(err, MDF_ENOMEM,
				   "out of memory for %llu splitblocks",
				   (unsigned long long)p->nblocks);
	return 0;
}

void split_plan_deinit(struct split_plan *p)
{
	free(p->count);
	memset(p, 0, sizeof(*p));
}

void split_plan_add(struct split_plan *p, const struct cycle *c)
{
	uint64_t a = c->start;

	while (a < c->end) {
		uint64_t blk = a / p->block_pfns;
		uint64_t b = (blk + 1) * p->block_pfns;
		uint64_t n;

		if (b > c->end)
			b = c->end;
		n = cycle_count2(c, a - c->start, b - c->start);
		p->count[blk] += n;
		p->total += n;
		a = b;
	}
}

void split_plan_ranges(const struct split_plan *p, unsigned nparts,
		       uint64_t (*ranges_ret)[2])
{
	uint64_t need_each = nparts ? p->total / nparts : 0;
	uint64_t start = 0;
	unsigned i;

	for (i = 0; i < nparts; i++) {
		uint64_t end = start;

		if (i + 1 == nparts) {
			end = p->max_mapnr;
		} else {
			int64_t need = (int64_t)need_each;
			uint64_t blk = start / p->block_pfns;

			while (need > 0 && end < p->max_mapnr) {
				need -= (int64_t)p->count[blk++];
				end = blk * p->block_pfns;
			}
			if (end > p->max_mapnr)
				end = p->max_mapnr;
		}
		ranges_ret[i][0] = start;
		ranges_ret[i][1] = end;
		start = end;
	}
}
