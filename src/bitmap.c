/* bitmap.c: stage 6, building the bitmaps of one pfn window.
 *
 * The 1st bitmap comes from the input's ranges; the 2nd starts as the pfns
 * that have data and loses every page classify_decide() excludes.  Struct
 * pages are read on demand (+1 for the next page of a
 * compound head).  Never prints; I/O only through memmap and input.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bitmap.h"

enum {
	SCAN_BATCH = 4096,	/* most struct pages read at once */
	SCAN_BATCH_SMALL = 1024,	/* the same on machines up to 4 GiB */
	SCAN_SMALL = 63,	/* pfns read after a jump: with the next
				 * page, one 4 KiB page of 64-byte structs */
	SCAN_MIN_PART = 16384,	/* fewest pfns worth a part */
	SCAN_PARTS_PER_THREAD = 8,	/* parts taken in turn: used memory
				 * often sits in one end of a window */
	SCAN_ALIGN_MAX = 1u << 20,	/* split points: 4 GiB of 4K pages */
};

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
	c->struct_size = struct_size ? struct_size : 64;
	c->spbuf = malloc((size_t)(SCAN_BATCH + 1) * c->struct_size);
	c->avail = malloc(SCAN_BATCH + 1);
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
	unsigned k;

	if (c->file_len) {
		munmap(c->bm1, c->file_len);
		close(c->file_fd);
	} else {
		free(c->bm1);
		free(c->bm2);
	}
	free(c->spbuf);
	free(c->avail);
	free(c->xbuf);
	free(c->parts);
	for (k = 0; k < c->nrd; k++)
		input_reader_deinit(&c->rd[k]);
	free(c->rd);
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

/* Set (on) or clear the bits of [a, b) (window-relative). */
static void bm_fill(uint8_t *bm, uint64_t a, uint64_t b, bool on)
{
	while (a < b && (a & 7)) {
		if (on)
			bm_set(bm, a++);
		else
			bm_clear(bm, a++);
	}
	if (a + 8 <= b) {
		memset(bm + (a >> 3), on ? 0xff : 0, (b - a) >> 3);
		a += (b - a) & ~7ull;
	}
	while (a < b) {
		if (on)
			bm_set(bm, a++);
		else
			bm_clear(bm, a++);
	}
}

static void bm_set_range(uint8_t *bm, uint64_t a, uint64_t b)
{
	bm_fill(bm, a, b, true);
}

static void bm_clear_range(uint8_t *bm, uint64_t a, uint64_t b)
{
	bm_fill(bm, a, b, false);
}

/* The pfn after r's last, rounded up (a page cut at the range's end
 * counts): a superset of what fill_present() sets. */
static uint64_t range_end_up(const struct input_range *r, unsigned shift)
{
	uint64_t e = r->paddr + r->memsz;

	if (e < r->paddr)
		return UINT64_MAX >> shift;
	return (e >> shift) + ((e & (((uint64_t)1 << shift) - 1)) != 0);
}

bool cycle_live_span(const struct cycle *c, uint64_t i, uint64_t *lo,
		     uint64_t *hi)
{
	const struct input *in = c->in;
	uint64_t at = c->start + i, a = 0, b = 0;
	size_t k, lo_k, hi_k;
	unsigned shift;

	if (!in) {
		*lo = i;
		*hi = c->end - c->start;
		return i < *hi;
	}
	shift = in->page_shift;
	/* the first range whose end (rounded up) is after pfn at */
	lo_k = 0;
	hi_k = in->nranges;
	while (lo_k < hi_k) {
		size_t mid = lo_k + (hi_k - lo_k) / 2;

		if (range_end_up(&in->ranges[mid], shift) <= at)
			lo_k = mid + 1;
		else
			hi_k = mid;
	}
	for (k = lo_k; k < in->nranges; k++) {
		const struct input_range *r = &in->ranges[k];
		uint64_t ra = r->paddr >> shift;
		uint64_t rb = range_end_up(r, shift);

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

/* Next clear bit at or after i, or end. */
static uint64_t bm_next_clear(const uint8_t *bm, uint64_t i, uint64_t end)
{
	while (i < end) {
		if ((i & 63) == 0 && i + 64 <= end) {
			uint64_t w;

			memcpy(&w, bm + (i >> 3), 8);
			if (!~w) {
				i += 64;
				continue;
			}
			return i + (uint64_t)__builtin_ctzll(~w);
		}
		if (!bm_test(bm, i))
			return i;
		i++;
	}
	return end;
}

/* bm2 of [a, b) (absolute pfns in the window) back to what fill_present()
 * made of it: the pfns with data. */
static void refill_data(const struct scan_env *env, struct cycle *c,
			uint64_t a, uint64_t b)
{
	const struct input *in = env->in;
	unsigned shift = in->page_shift;
	uint64_t x = a - c->start, e = b - c->start, lo, hi;
	size_t i;

	if (c->empty)
		return;
	/* bits are set only in the live spans: clearing the gaps too
	 * would make their never-written pages resident */
	while (x < e && cycle_live_span(c, x, &lo, &hi) && lo < e) {
		if (lo < x)
			lo = x;
		if (hi > e)
			hi = e;
		bm_clear_range(c->bm2, lo, hi);
		x = hi;
	}
	for (i = 0; i < in->nranges; i++) {
		const struct input_range *r = &in->ranges[i];
		uint64_t ra = r->paddr >> shift;
		uint64_t rb = (r->paddr + r->memsz) >> shift;
		uint64_t d = (r->paddr + r->filesz) >> shift;

		if (d > rb)
			d = rb;
		if (ra < a)
			ra = a;
		if (d > b)
			d = b;
		if (d > ra)
			bm_set_range(c->bm2, ra - c->start, d - c->start);
	}
}

/* True if bm1 has a bit set in [a, b) (window offsets); reads only the
 * spans the input's ranges cover. */
static bool bm1_any(const struct cycle *c, uint64_t a, uint64_t b)
{
	uint64_t lo, hi;

	while (a < b && cycle_live_span(c, a, &lo, &hi) && lo < b) {
		if (hi > b)
			hi = b;
		if (bm_next_set(c->bm1, lo, hi) < hi)
			return true;
		a = hi;
	}
	return false;
}

/* Most struct pages per read: the buffers hold SCAN_BATCH, but a machine
 * of up to 4 GiB reads at most SCAN_BATCH_SMALL at once, so only 64 KiB of
 * them ever become resident (peak RSS in a capture kernel); a larger one
 * reads more at once, for fewer pread() calls. */
static uint64_t scan_max_read(const struct input *in)
{
	uint64_t present = 0;
	size_t i;

	for (i = 0; i < in->nranges; i++)
		present += in->ranges[i].memsz >> in->page_shift;
	return present <= (1ull << 20) ? SCAN_BATCH_SMALL : SCAN_BATCH;
}

/* What one scan thread reads struct pages with; the parts it takes use
 * them in turn. */
struct scan_worker {
	struct scan_shared *sh;
	uint8_t *spbuf, *avail;		/* max_read + 1 struct pages */
	uint64_t max_read;		/* most struct pages per read */
	struct memmap_ctx mc;		/* its reader, its last translation */
};

/* One pfn range of a window, scanned by whichever thread takes it.
 * Exclusions that run past its end are carried (carry_end), like those
 * past a window. */
struct scan_part {
	const struct scan_env *env;
	struct cycle *c;
	struct scan_worker *w;		/* while it is scanned */
	uint64_t start, end;		/* [start, end) */
	uint64_t from;			/* first pfn to classify */
	uint64_t carry_end;
	enum page_class carry_class;
	struct dump_stats st;		/* this part's counters */
	bool count;			/* st is wanted (the count pass) */
	const struct range_sink *ranges;
	struct mdf_err err;
	int rc;
};

/* The parts of a window and the next one to take. */
struct scan_shared {
	struct scan_part *parts;
	unsigned nparts;
	unsigned next;			/* __atomic */
};

/* Clear bm2 for [pfn, pfn + n) inside the part; count what was set. */
static uint64_t exclude(struct scan_part *sp, uint64_t pfn, uint64_t n,
			enum page_class cls)
{
	struct cycle *c = sp->c;
	uint64_t end = pfn + n, a, b, lo, hi, cleared = 0;

	if (end > sp->end) {
		sp->carry_end = end;
		sp->carry_class = cls;
		end = sp->end;
	}
	if (c->empty || pfn >= end)	/* no bit to clear */
		return end;
	/* only where the input has ranges can a bit be set: the gaps'
	 * bitmap pages stay untouched (not resident) */
	a = pfn - c->start;
	b = end - c->start;
	while (a < b && cycle_live_span(c, a, &lo, &hi) && lo < b) {
		if (hi > b)
			hi = b;
		if (sp->ranges) {
			uint64_t i = bm_next_set(c->bm2, lo, hi);

			while (i < hi) {
				uint64_t j = bm_next_clear(c->bm2, i, hi);

				sp->ranges->add(sp->ranges->ctx, cls,
						c->start + i, j - i);
				cleared += j - i;
				i = bm_next_set(c->bm2, j, hi);
			}
		} else if (sp->count) {
			cleared += bm_count(c->bm2, lo, hi);
		}
		bm_clear_range(c->bm2, lo, hi);
		a = hi;
	}
	sp->st.excluded[cls] += cleared;
	return end;
}

/* Classify [sp->from, sp->end).  Struct pages are read on demand: after an
 * exclusion jumped past what was read (the tail of a free block or a
 * compound page), the next read is small (SCAN_SMALL pfns, the head and
 * what follows), and reads grow by four up to SCAN_BATCH while the walk
 * goes on page by page.  The tail's struct pages are never read. */
static int scan_range(struct scan_part *sp, struct mdf_err *err)
{
	const struct scan_env *env = sp->env;
	struct cycle *c = sp->c;
	const struct memmap *mm = env->mm;
	const struct page_layout *pl = env->pl;
	struct dump_stats *stats = sp->count ? &sp->st : NULL;
	uint64_t pfn = sp->from, end = sp->end;
	uint64_t buf_pfn = pfn, buf_n = 0, want = SCAN_SMALL;

	while (pfn < end) {
		const uint8_t *spg, *next;
		struct page_info pi;
		enum page_class cls;
		uint64_t i, npages, stop, after = pfn + 1;
		bool present;

		if (pfn >= buf_pfn + buf_n) {
			uint64_t lim = end - pfn < SCAN_BATCH ? end :
				       pfn + SCAN_BATCH;
			long got;

			/* walked on page by page: read more at once; jumped:
			 * read little, the next block may be free too */
			if (buf_n && pfn == buf_pfn + buf_n)
				want = want * 4 + 3 < sp->w->max_read ?
				       want * 4 + 3 : sp->w->max_read;
			else
				want = SCAN_SMALL;
			/* no memory in the dump here: the count pass looks
			 * at struct pages only where a memmap could show
			 * offline pages the dump lacks */
			if (!bm1_any(c, pfn - c->start, lim - c->start) &&
			    (!stats || memmap_range_empty(mm, pfn, lim - pfn))) {
				pfn = buf_pfn = lim;
				buf_n = 0;
				continue;
			}
			buf_n = end - pfn < want ? end - pfn : want;
			got = memmap_read_ctx(mm, &sp->w->mc, pfn, buf_n + 1,
					      sp->w->spbuf, sp->w->avail, err);
			if (got < 0)
				return (int)got;
			buf_pfn = pfn;
		}
		i = pfn - buf_pfn;
		spg = sp->w->spbuf + i * mm->struct_size;
		present = bm_test(c->bm1, pfn - c->start);
		if (sp->w->avail[i] != MEMMAP_OK) {
			if (present && stats) {
				if (sp->w->avail[i] == MEMMAP_OFFLINE)
					stats->memmap_offline++;
				else if (sp->w->avail[i] == MEMMAP_NO_SECTION)
					stats->memmap_nosection++;
				else if (!stats->memmap_unavailable++)
					stats->first_unavailable = pfn;
			}
			pfn = after;
			continue;
		}
		next = sp->w->avail[i + 1] == MEMMAP_OK ?
		       spg + mm->struct_size : NULL;
		classify_page(pl, pfn, memmap_pfn_to_page(mm, pfn), spg, next,
			      &pi);
		if (!present) {
			/* memory the dump does not hold: never read; note
			 * offline pages for the report */
			if ((pi.bits & PI_OFFLINE) && stats) {
				stats->offline_absent++;
				if (sp->ranges)
					sp->ranges->absent_offline(sp->ranges->ctx,
								   pfn);
			}
			pfn = after;
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
		if (cls != PC_KEEP) {
			if (npages > env->max_mapnr - pfn)
				npages = env->max_mapnr - pfn;
			/* an exclusion skips the pages it covers, unread */
			stop = exclude(sp, pfn, npages, cls);
			if (stop > after)
				after = stop;
		}
		pfn = after;
	}
	return 0;
}

/* Take parts until none is left; each keeps its own result. */
static void scan_parts(struct scan_worker *w)
{
	struct scan_shared *sh = w->sh;
	unsigned k;

	while ((k = __atomic_fetch_add(&sh->next, 1, __ATOMIC_RELAXED)) <
	       sh->nparts) {
		struct scan_part *sp = &sh->parts[k];

		sp->w = w;
		sp->rc = scan_range(sp, &sp->err);
	}
}

static void *scan_thread(void *arg)
{
	scan_parts(arg);
	return NULL;
}

static void stats_add(struct dump_stats *d, const struct dump_stats *s)
{
	unsigned k;

	for (k = 0; k < PC_NCLASSES; k++)
		d->excluded[k] += s->excluded[k];
	if (!d->memmap_unavailable && s->memmap_unavailable)
		d->first_unavailable = s->first_unavailable;
	d->memmap_unavailable += s->memmap_unavailable;
	d->memmap_nosection += s->memmap_nosection;
	d->memmap_offline += s->memmap_offline;
	d->bad_order += s->bad_order;
	d->bad_buddy += s->bad_buddy;
	d->memmap_poisoned += s->memmap_poisoned;
	d->offline_absent += s->offline_absent;
	d->hvo_fake_heads += s->hvo_fake_heads;
}

/* Cut the window into parts for env->nthreads threads: bounds[0..m], up
 * to SCAN_PARTS_PER_THREAD parts a thread, which the threads take in
 * turn (an even cut would leave one thread all the used memory of a
 * window and the others free blocks they skip).  Split points are
 * multiples of a power of two (at least 64, so that no two parts share a
 * bitmap word), as large as the part size allows up to SCAN_ALIGN_MAX:
 * aligned free blocks and compound pages smaller than that never cross
 * one.  One part when exclusions go to a range sink (their order
 * matters) or the window has no memory. */
static unsigned plan_parts(const struct scan_env *env, const struct cycle *c,
			   const struct range_sink *ranges, uint64_t *bounds)
{
	uint64_t total = c->end - c->start, align = 64;
	unsigned n = env->nthreads, k, m = 0;

	bounds[0] = c->start;
	bounds[1] = c->end;
	if (n <= 1 || ranges || c->empty)
		return 1;
	if (n > SCAN_MAX_PARTS)
		n = SCAN_MAX_PARTS;
	n *= SCAN_PARTS_PER_THREAD;
	if (!env->split_align && total / n < SCAN_MIN_PART)
		n = (unsigned)(total / SCAN_MIN_PART);
	if (n <= 1)
		return 1;
	if (env->split_align)
		align = (env->split_align + 63) & ~63ull;
	else
		while (align * 2 <= total / n / 2 && align < SCAN_ALIGN_MAX)
			align *= 2;
	for (k = 1; k < n; k++) {
		uint64_t s = (c->start + total * k / n) / align * align;

		if (s > bounds[m] && s < c->end)
			bounds[++m] = s;
	}
	bounds[++m] = c->end;
	return m;
}

/* A reader per part, kept with the window (its mmap window is reused from
 * one window to the next). */
static int part_readers(struct cycle *c, struct input *in, unsigned n,
			struct mdf_err *err)
{
	unsigned k;

	if (c->nrd && c->rd[0].in != in) {
		for (k = 0; k < c->nrd; k++)
			input_reader_deinit(&c->rd[k]);
		c->nrd = 0;
	}
	if (!c->rd) {
		c->rd = calloc(SCAN_MAX_PARTS, sizeof(*c->rd));
		if (!c->rd)
			return mdf_err_set(err, MDF_ENOMEM,
					   "out of memory for scan readers");
	}
	for (; c->nrd < n; c->nrd++) {
		int rc = input_reader_init(&c->rd[c->nrd], in, err);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* One scan thread's scratch in xbuf: SCAN_BATCH_SMALL + 1 struct pages
 * and their availability bytes. */
static size_t xbuf_stride(const struct cycle *c)
{
	return (size_t)(SCAN_BATCH_SMALL + 1) * (c->struct_size + 1);
}

/* Scratch for scan threads 1..n (thread 0 uses the window's). */
static int part_buffers(struct cycle *c, unsigned n, struct mdf_err *err)
{
	size_t stride = xbuf_stride(c);

	if (n <= c->xparts)
		return 0;
	free(c->xbuf);
	c->xparts = 0;
	c->xbuf = malloc(stride * n);
	if (!c->xbuf)
		return mdf_err_set(err, MDF_ENOMEM,
				   "out of memory for %u scan threads", n + 1);
	c->xparts = n;
	return 0;
}

/* Room for m parts in the window (kept: the next window reuses it). */
static int part_room(struct cycle *c, unsigned m, struct mdf_err *err)
{
	struct scan_part *p;

	if (m <= c->nparts)
		return 0;
	p = realloc(c->parts, (size_t)m * sizeof(*p));
	if (!p)
		return mdf_err_set(err, MDF_ENOMEM,
				   "out of memory for %u scan parts", m);
	c->parts = p;
	c->nparts = m;
	return 0;
}

int scan_cycle(const struct scan_env *env, struct cycle *c, uint64_t start,
	       struct dump_stats *stats, const struct range_sink *ranges,
	       struct mdf_err *err)
{
	const struct memmap *mm = env->mm;
	const size_t stride = xbuf_stride(c);
	uint64_t bounds[SCAN_MAX_PARTS * SCAN_PARTS_PER_THREAD + 1];
	uint64_t carry, max_read;
	enum page_class carry_class;
	struct scan_worker w[SCAN_MAX_PARTS];
	struct scan_shared sh = { 0 };
	struct scan_part *parts;
	pthread_t tid[SCAN_MAX_PARTS];
	bool started[SCAN_MAX_PARTS] = { false };
	unsigned m, n, k;
	long masked;
	int rc = 0;

	c->start = start;
	c->end = start + c->cap < env->max_mapnr ? start + c->cap :
		 env->max_mapnr;
	fill_present(env, c, stats);
	if (!mm)
		goto mask;

	max_read = scan_max_read(env->in);
	m = plan_parts(env, c, ranges, bounds);
	/* threads: as asked, never more than parts */
	n = env->nthreads < SCAN_MAX_PARTS ? env->nthreads : SCAN_MAX_PARTS;
	if (n > m)
		n = m;
	if (n < 1)
		n = 1;
	rc = part_room(c, m, err);
	if (rc < 0)
		return rc;
	if (n > 1) {
		rc = part_buffers(c, n - 1, err);
		if (rc < 0)
			return rc;
	}
	if (env->in->is_procfs) {
		rc = part_readers(c, env->in, n, err);
		if (rc < 0)
			return rc;
	}
	parts = c->parts;
	sh.parts = parts;
	sh.nparts = m;
	for (k = 0; k < n; k++) {
		memset(&w[k], 0, sizeof(w[k]));
		w[k].sh = &sh;
		w[k].spbuf = k ? c->xbuf + stride * (k - 1) : c->spbuf;
		w[k].avail = k ? w[k].spbuf + (size_t)(SCAN_BATCH_SMALL + 1) *
					      c->struct_size : c->avail;
		/* the other threads read less at once: their buffers are
		 * peak RSS, a few more pread()s are not */
		w[k].max_read = k && max_read > SCAN_BATCH_SMALL ?
				SCAN_BATCH_SMALL : max_read;
		/* /proc/vmcore through the reader's mmap window (pread()
		 * there copies page by page from the old memory); a file
		 * with pread(): in a VM its page faults cost more than a
		 * copy, and free blocks make the reads sparse */
		w[k].mc.r = env->in->is_procfs ? &c->rd[k] : NULL;
	}
	for (k = 0; k < m; k++) {
		struct scan_part *sp = &parts[k];

		memset(sp, 0, offsetof(struct scan_part, err));
		sp->err.msg[0] = '\0';
		sp->env = env;
		sp->c = c;
		sp->w = &w[0];
		sp->start = sp->from = bounds[k];
		sp->end = bounds[k + 1];
		sp->count = stats != NULL;
		sp->ranges = ranges;
		sp->rc = 0;
	}
	/* an exclusion from an earlier window, over as many parts as it
	 * covers; exclude() carries it on past the last */
	carry = c->carry_end;
	carry_class = c->carry_class;
	c->carry_end = 0;
	for (k = 0; k < m && carry > parts[k].start; k++) {
		parts[k].from = exclude(&parts[k], parts[k].start,
					carry - parts[k].start, carry_class);
	}
	/* a hole of the dump: only the count pass looks at struct pages
	 * there, and only where a memmap could show offline pages */
	if (c->empty && (!stats || memmap_range_empty(mm, parts[0].from,
						       c->end - parts[0].from))) {
		c->carry_end = parts[0].carry_end;
		c->carry_class = parts[0].carry_class;
		if (stats)
			stats_add(stats, &parts[0].st);
		return 0;
	}
	if (m == 1) {
		parts[0].rc = scan_range(&parts[0], &parts[0].err);
	} else {
		/* no thread: its parts go to the others */
		for (k = 1; k < n; k++)
			started[k] = pthread_create(&tid[k], NULL, scan_thread,
						    &w[k]) == 0;
		scan_parts(&w[0]);
		for (k = 1; k < n; k++)
			if (started[k])
				pthread_join(tid[k], NULL);
	}
	/* in order: an exclusion that ran past a part into the next one
	 * makes that part wrong from its start; scan it again after it,
	 * as one thread would have (rare: split points are aligned) */
	for (k = 0; k < m; k++) {
		struct scan_part *sp = &parts[k];

		if (k && parts[k - 1].carry_end > sp->from && sp->from < sp->end) {
			/* what it found (an error too) is void: the single
			 * scan would not have read what it read */
			refill_data(env, c, sp->start, sp->end);
			memset(&sp->st, 0, sizeof(sp->st));
			sp->carry_end = 0;
			sp->w = &w[0];
			sp->from = exclude(sp, sp->start,
					   parts[k - 1].carry_end - sp->start,
					   parts[k - 1].carry_class);
			rc = scan_range(sp, err);
			if (rc < 0)
				return rc;
		} else if (sp->rc < 0) {
			*err = sp->err;
			return sp->rc;
		}
		if (stats)
			stats_add(stats, &sp->st);
	}
	c->carry_end = parts[m - 1].carry_end;
	c->carry_class = parts[m - 1].carry_class;
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
	uint64_t pfn, sb = scan_max_read(env->in);

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
