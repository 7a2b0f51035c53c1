/* bitmap.c: stage 6, building the bitmaps of one pfn window.
 *
 * The 1st bitmap comes from the input's ranges; the 2nd starts as the pfns
 * that have data and loses every page classify_decide() excludes.  Struct
 * pages are read in batches of scan_batch() (+1 for the next page of a
 * compound head).  Never prints; I/O only through memmap and input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bitmap.h"

/* Struct pages per read: the buffer is sized for SCAN_BATCH_MAX but only
 * the part a batch uses is ever touched.  A small machine reads 1024 at a
 * time (64 KiB resident), a large one 4096 (a 1 TiB machine then makes a
 * quarter of the pread() calls: they cost ~8 us each in a VM). */
enum { SCAN_BATCH_MAX = 4096, SCAN_BATCH_SMALL = 1024 };

static uint64_t scan_batch(struct cycle *c, const struct input *in)
{
	uint64_t present = 0;
	size_t i;

	if (c->scan_batch)
		return c->scan_batch;
	for (i = 0; i < in->nranges; i++)
		present += in->ranges[i].memsz >> in->page_shift;
	/* up to 4 GiB of 4 KiB pages: the small batch */
	c->scan_batch = present <= (1ull << 20) ? SCAN_BATCH_SMALL :
			SCAN_BATCH_MAX;
	return c->scan_batch;
}

uint64_t bm_count(const uint8_t *bm, uint64_t a, uint64_t b)
{
	uint64_t n = 0;

	while (a < b && (a & 63)) {
		n += bm_test(bm, a);
		a++;
	}
	while (a + 64 <= b) {
		uint64_t w;

		memcpy(&w, bm + (a >> 3), 8);
		if (w)
			n += (uint64_t)__builtin_popcountll(w);
		a += 64;
	}
	while (a < b) {
		n += bm_test(bm, a);
		a++;
	}
	return n;
}

uint64_t bm_next_set(const uint8_t *bm, uint64_t i, uint64_t end)
{
	while (i < end) {
		if ((i & 63) == 0 && i + 64 <= end) {
			uint64_t w;

			memcpy(&w, bm + (i >> 3), 8);
			if (!w) {
				i += 64;
				continue;
			}
			return i + (uint64_t)__builtin_ctzll(w);
		}
		if (bm_test(bm, i))
			return i;
		i++;
	}
	return end;
}

uint64_t cycle_host_mem_free(void)
{
	unsigned long long kib;
	char line[256];
	uint64_t ret = 0;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %llu kB", &kib) == 1) {
			ret = (uint64_t)kib * 1024;
			break;
		}
	fclose(f);
	return ret;
}

void cycle_plan_make(uint64_t max_mapnr, uint64_t mem_free,
		     uint64_t user_bytes, unsigned nsplit, bool non_cyclic,
		     struct cycle_plan *ret)
{
	/* both whole bitmaps, per output file */
	uint64_t whole = (max_mapnr + 3) / 4, buf;
	struct cycle_plan p = { 0 };

	if (nsplit > 1) {
		whole /= nsplit;
		mem_free /= nsplit;
	}
	if (non_cyclic) {
		buf = whole;
		p.in_file = true;
	} else if (user_bytes) {
		buf = user_bytes;
		if (mem_free && buf > mem_free) {
			buf = mem_free;
			p.truncated = true;
		}
	} else {
		buf = CYCLE_AUTO_MAX;
		/* 60 % of free memory at most, for safety (makedumpfile) */
		if (mem_free && buf > mem_free / 10 * 6)
			buf = mem_free / 10 * 6;
		if (buf > whole)
			buf = whole;
	}
	p.bufsize = buf;
	p.pfns = buf * 4;
	if (p.pfns < CYCLE_MIN_PFNS)
		p.pfns = CYCLE_MIN_PFNS;
	if (buf >= whole || p.pfns >= max_mapnr) {
		p.single = true;
		p.pfns = max_mapnr ? max_mapnr : 1;
	}
	*ret = p;
}

/* Bitmaps of a non-cyclic run: an unlinked file in dir, mapped shared.
 * Sized by the whole machine on purpose: that is what --work-dir asks
 * for, and the page cache can write it back under memory pressure. */
static int cycle_map_file(struct cycle *c, const char *dir,
			  struct mdf_err *err)
{
	size_t len = (size_t)(c->cap / 8 * 2);
	char path[4096];
	void *p;
	int n, fd, rc;

	n = snprintf(path, sizeof(path), "%s/kdump_bitmapXXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return mdf_err_set(err, MDF_EINVAL,
				   "the bitmap directory name is too long: %s", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return mdf_err_sys(err, errno, "Can't open the bitmap file(%s)",
				   path);
	unlink(path);
	if (ftruncate(fd, (off_t)len) != 0) {
		rc = mdf_err_sys(err, errno,
				 "Can't make the bitmap file(%s) %zu bytes long",
				 path, len);
		goto fail;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		rc = mdf_err_sys(err, errno, "Can't map the bitmap file(%s)",
				 path);
		goto fail;
	}
	c->file_fd = fd;
	c->file_len = len;
	c->bm1 = p;
	c->bm2 = c->bm1 + c->cap / 8;
	return 0;
fail:
	close(fd);
	return rc;
}

int cycle_make_private(struct cycle *c, struct mdf_err *err)
{
	void *p;

	if (!c->file_len)
		return 0;
	p = mmap(c->bm1, c->file_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED, c->file_fd, 0);
	if (p == MAP_FAILED)
		return mdf_err_sys(err, errno,
				   "Can't map the bitmap file privately");
	return 0;
}

int cycle_init(struct cycle *c, uint64_t cap_pfns, unsigned struct_size,
	       const char *tmp_dir, struct mdf_err *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	cap_pfns = (cap_pfns + 63) & ~63ull;
	c->cap = cap_pfns;
	if (tmp_dir) {
		rc = cycle_map_file(c, tmp_dir, err);
		if (rc < 0) {
			cycle_deinit(c);
			return rc;
		}
	} else {
		c->bm1 = calloc(1, cap_pfns / 8);
		c->bm2 = calloc(1, cap_pfns / 8);
	}
	c->spbuf = malloc((size_t)(SCAN_BATCH_MAX + 1) *
			  (struct_size ? struct_size : 64));
	c->avail = malloc(SCAN_BATCH_MAX + 1);
	if (!c->bm1 || !c->bm2 || !c->spbuf || !c->avail) {
		cycle_deinit(c);
		return mdf_err_set(err, MDF_ENOMEM,
				   "out of memory for a %llu-page bitmap window",
				   (unsigned long long)cap_pfns);
	}
	c->zeroed = true;	/* calloc(), or a new file's zeros */
	return 0;
}

void cycle_deinit(struct cycle *c)
{
	if (c->file_len) {
		munmap(c->bm1, c->file_len);
		close(c->file_fd);
	} else {
		free(c->bm1);
		free(c->bm2);
	}
	free(c->spbuf);
	free(c->avail);
	memset(c, 0, sizeof(*c));
}

void cycle_rewind(struct cycle *c)
{
	c->carry_end = 0;
}

static bool window_has_ranges(const struct input *in, uint64_t start,
			      uint64_t end)
{
	size_t i;

	for (i = 0; i < in->nranges; i++) {
		const struct input_range *r = &in->ranges[i];

		if (r->paddr >> in->page_shift < end &&
		    (r->paddr + r->memsz) >> in->page_shift > start)
			return true;
	}
	return false;
}

/* Set the bits of [a, b) (window-relative). */
static void bm_set_range(uint8_t *bm, uint64_t a, uint64_t b)
{
	while (a < b && (a & 7))
		bm_set(bm, a++);
	if (a + 8 <= b) {
		memset(bm + (a >> 3), 0xff, (b - a) >> 3);
		a += (b - a) & ~7ull;
	}
	while (a < b)
		bm_set(bm, a++);
}

bool cycle_live_span(const struct cycle *c, uint64_t i, uint64_t *lo,
		     uint64_t *hi)
{
	const struct input *in = c->in;
	uint64_t at = c->start + i, psz, a = 0, b = 0;
	size_t k, lo_k, hi_k;
	unsigned shift;

	if (!in) {
		*lo = i;
		*hi = c->end - c->start;
		return i < *hi;
	}
	shift = in->page_shift;
	psz = (uint64_t)1 << shift;
	/* the first range whose last pfn (rounded up: a superset of what
	 * fill_present() sets) is at or after pfn at */
	lo_k = 0;
	hi_k = in->nranges;
	while (lo_k < hi_k) {
		size_t mid = lo_k + (hi_k - lo_k) / 2;
		const struct input_range *r = &in->ranges[mid];
		uint64_t e = r->paddr + r->memsz;

		e = e < r->paddr ? UINT64_MAX >> shift :
		    (e >> shift) + ((e & (psz - 1)) != 0);
		if (e <= at)
			lo_k = mid + 1;
		else
			hi_k = mid;
	}
	for (k = lo_k; k < in->nranges; k++) {
		const struct input_range *r = &in->ranges[k];
		uint64_t ra = r->paddr >> shift;
		uint64_t e = r->paddr + r->memsz;
		uint64_t rb = e < r->paddr ? UINT64_MAX >> shift :
			      (e >> shift) + ((e & (psz - 1)) != 0);

		if (b && ra > b)
			break;		/* a gap: the span ends */
		if (!b)
			a = ra;
		if (rb > b)
			b = rb;
		if (b >= c->end)
			break;
	}
	if (!b)
		return false;
	if (a < at)
		a = at;
	if (b > c->end)
		b = c->end;
	if (a >= b)
		return false;
	*lo = a - c->start;
	*hi = b - c->start;
	return true;
}

uint64_t cycle_count2(const struct cycle *c, uint64_t a, uint64_t b)
{
	uint64_t n = 0, lo, hi;

	while (a < b && cycle_live_span(c, a, &lo, &hi) && lo < b) {
		if (hi > b)
			hi = b;
		n += bm_count(c->bm2, lo, hi);
		a = hi;
	}
	return n;
}

/* True if a bit may be set at window offset i.  Caches the span found
 * and where the search started: [span_from, span_lo) is a gap. */
static inline bool live_at(struct cycle *c, uint64_t i)
{
	if (i < c->span_from || i >= c->span_hi) {
		uint64_t lo, hi;

		if (!cycle_live_span(c, i, &lo, &hi))
			lo = hi = UINT64_MAX;	/* no span from here on */
		c->span_from = i;
		c->span_lo = lo;
		c->span_hi = hi;
	}
	return i >= c->span_lo;
}

uint64_t cycle_next2(struct cycle *c, uint64_t i, uint64_t end)
{
	while (i < end) {
		uint64_t j, hi;

		if (!live_at(c, i)) {
			if (c->span_lo >= end)
				return end;
			i = c->span_lo;
			continue;
		}
		hi = c->span_hi < end ? c->span_hi : end;
		j = bm_next_set(c->bm2, i, hi);
		if (j < hi)
			return j;
		i = c->span_hi;
	}
	return end;
}

static void fill_present(const struct scan_env *env, struct cycle *c,
			 struct dump_stats *stats)
{
	const struct input *in = env->in;
	unsigned shift = in->page_shift;
	size_t i;

	c->in = in;
	c->span_from = c->span_lo = c->span_hi = 0;

	c->empty = !window_has_ranges(in, c->start, c->end);
	if (c->empty) {
		if (!c->zeroed) {
			memset(c->bm1, 0, c->cap / 8);
			memset(c->bm2, 0, c->cap / 8);
		}
		c->zeroed = true;
		return;
	}
	/* fresh bitmaps are zero already: writing zeros would make every
	 * page of them resident, where only those with bits set need be
	 * (a sparse machine: virtio-mem's hotplug area) */
	if (!c->zeroed) {
		memset(c->bm1, 0, c->cap / 8);
		memset(c->bm2, 0, c->cap / 8);
	}
	c->zeroed = false;
	for (i = 0; i < in->nranges; i++) {
		const struct input_range *r = &in->ranges[i];
		/* makedumpfile rounds both ends down: a page cut at the end
		 * of a range (0x9fc00 on x86) is not present */
		uint64_t a = r->paddr >> shift;
		uint64_t b = (r->paddr + r->memsz) >> shift;
		uint64_t d = (r->paddr + r->filesz) >> shift;

		if (a < c->start)
			a = c->start;
		if (b > c->end)
			b = c->end;
		if (d > b)
			d = b;
		if (a >= b)
			continue;
		bm_set_range(c->bm1, a - c->start, b - c->start);
		if (d > a)
			bm_set_range(c->bm2, a - c->start, d - c->start);
		if (stats) {
			stats->present += b - a;
			stats->nodata += b - (d > a ? d : a);
		}
	}
}

/* Clear bm2 for [pfn, pfn + n) inside the window; count what was set. */
static uint64_t exclude(struct cycle *c, uint64_t pfn, uint64_t n,
			enum page_class cls, struct dump_stats *stats,
			const struct range_sink *ranges)
{
	uint64_t end = pfn + n, p, cleared = 0, run = 0, run_start = 0;

	if (end > c->end) {
		c->carry_end = end;
		c->carry_class = cls;
		end = c->end;
	}
	if (c->empty)		/* no bit to clear */
		return end;
	p = pfn;
	while (p < end) {
		uint64_t seg_end;

		/* outside the live spans no bit is set: skip unread */
		if (!live_at(c, p - c->start)) {
			if (run && ranges)
				ranges->add(ranges->ctx, cls, run_start, run);
			run = 0;
			if (c->span_lo >= end - c->start)
				break;
			p = c->start + c->span_lo;
			continue;
		}
		seg_end = c->span_hi < end - c->start ? c->start + c->span_hi :
			  end;
		for (; p < seg_end; p++) {
			uint64_t i = p - c->start;

			if (bm_test(c->bm2, i)) {
				bm_clear(c->bm2, i);
				cleared++;
				if (!run)
					run_start = p;
				run++;
			} else if (run) {
				if (ranges)
					ranges->add(ranges->ctx, cls, run_start, run);
				run = 0;
			}
		}
	}
	if (run && ranges)
		ranges->add(ranges->ctx, cls, run_start, run);
	if (stats)
		stats->excluded[cls] += cleared;
	return end;
}

int scan_cycle(const struct scan_env *env, struct cycle *c, uint64_t start,
	       struct dump_stats *stats, const struct range_sink *ranges,
	       struct mdf_err *err)
{
	const struct memmap *mm = env->mm;
	const struct page_layout *pl = env->pl;
	uint64_t pfn, end, carry;
	long masked;

	c->start = start;
	c->end = start + c->cap < env->max_mapnr ? start + c->cap :
		 env->max_mapnr;
	fill_present(env, c, stats);
	if (!mm)
		goto mask;

	pfn = c->start;
	/* an exclusion from an earlier window; exclude() sets carry_end
	 * again if it runs past this window too */
	carry = c->carry_end;
	c->carry_end = 0;
	if (carry > pfn)
		pfn = exclude(c, pfn, carry - pfn, c->carry_class, stats,
			      ranges);
	end = c->end;
	/* a hole of the dump: only the count pass looks at struct pages
	 * there, and only where a memmap could show offline pages */
	if (c->empty && (!stats || memmap_range_empty(mm, pfn, end - pfn)))
		return 0;

	while (pfn < end) {
		uint64_t sb = scan_batch(c, env->in);
		uint64_t batch = end - pfn < sb ? end - pfn : sb;
		uint64_t i, next_pfn = pfn + batch, lo;
		long got;

		/* skip batches with no memory in the dump; the count pass
		 * looks at them only where a memmap could show offline
		 * pages the dump lacks */
		lo = live_at(c, pfn - c->start) ? pfn - c->start : c->span_lo;
		if ((lo >= next_pfn - c->start ||
		     bm_next_set(c->bm1, lo, next_pfn - c->start) ==
		     next_pfn - c->start) &&
		    (!stats || memmap_range_empty(mm, pfn, batch))) {
			pfn = next_pfn;
			continue;
		}
		got = memmap_read(mm, pfn, batch + 1, c->spbuf, c->avail, err);
		if (got < 0)
			return (int)got;
		for (i = 0; i < batch; i++) {
			uint64_t p = pfn + i, npages;
			const uint8_t *sp = c->spbuf + i * mm->struct_size;
			const uint8_t *next;
			struct page_info pi;
			enum page_class cls;
			bool present = live_at(c, p - c->start) &&
				       bm_test(c->bm1, p - c->start);

			if (c->avail[i] != MEMMAP_OK) {
				if (present && stats) {
					if (c->avail[i] == MEMMAP_OFFLINE)
						stats->memmap_offline++;
					else if (c->avail[i] == MEMMAP_NO_SECTION)
						stats->memmap_nosection++;
					else if (!stats->memmap_unavailable++)
						stats->first_unavailable = p;
				}
				continue;
			}
			next = c->avail[i + 1] == MEMMAP_OK ?
			       sp + mm->struct_size : NULL;
			classify_page(pl, p, memmap_pfn_to_page(mm, p), sp,
				      next, &pi);
			if (!present) {
				/* memory the dump does not hold: never read;
				 * note offline pages for the report */
				if ((pi.bits & PI_OFFLINE) && stats) {
					stats->offline_absent++;
					if (ranges)
						ranges->absent_offline(ranges->ctx, p);
				}
				continue;
			}
			if (stats) {
				if (pi.bits & PI_FAKE_HEAD)
					stats->hvo_fake_heads++;
				if (pi.bits & PI_BAD_ORDER)
					stats->bad_order++;
				if (pi.bits & PI_BAD_BUDDY)
					stats->bad_buddy++;
				if (pi.bits & PI_POISONED)
					stats->memmap_poisoned++;
			}
			cls = classify_decide(pl, &pi, env->dump_level, &npages);
			if (cls == PC_KEEP)
				continue;
			if (npages > env->max_mapnr - p)
				npages = env->max_mapnr - p;
			/* an exclusion may skip the rest of this batch */
			{
				uint64_t stop = exclude(c, p, npages, cls, stats,
							ranges);

				if (stop > p + 1) {
					if (stop >= next_pfn) {
						i = batch;
						next_pfn = stop;
					} else {
						i = stop - pfn - 1;
					}
				}
			}
		}
		pfn = next_pfn;
	}
mask:
	/* an earlier filter's exclusions and lost pages (re-filtering a
	 * kdump-compressed dump): after classifying, so that the classes
	 * count them as a direct dump would */
	masked = input_mask_data(env->in, c->start, c->end, c->bm2, err);
	if (masked < 0)
		return (int)masked;
	if (stats)
		stats->nodata += (uint64_t)masked;
	return 0;
}

int scan_absent(const struct scan_env *env, struct cycle *c, uint64_t start,
		uint64_t end, struct dump_stats *stats,
		const struct range_sink *ranges, struct mdf_err *err)
{
	const struct memmap *mm = env->mm;
	uint64_t pfn, sb = scan_batch(c, env->in);

	for (pfn = start; pfn < end; pfn += sb) {
		uint64_t batch = end - pfn < sb ? end - pfn : sb;
		uint64_t i;
		long got;

		got = memmap_read(mm, pfn, batch + 1, c->spbuf, c->avail, err);
		if (got < 0)
			return (int)got;
		if (got == 0)
			continue;
		for (i = 0; i < batch; i++) {
			const uint8_t *sp = c->spbuf + i * mm->struct_size;
			struct page_info pi;

			if (c->avail[i] != MEMMAP_OK)
				continue;
			classify_page(env->pl, pfn + i,
				      memmap_pfn_to_page(mm, pfn + i), sp,
				      c->avail[i + 1] == MEMMAP_OK ?
				      sp + mm->struct_size : NULL, &pi);
			if (!(pi.bits & PI_OFFLINE))
				continue;
			stats->offline_absent++;
			if (ranges)
				ranges->absent_offline(ranges->ctx, pfn + i);
		}
	}
	return 0;
}
