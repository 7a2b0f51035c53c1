/* vmemmap_excl.c: -e, drop vmemmap pages that describe only excluded pfns
 * (the rule is in include/vmemmap_excl.h).  Set-up translates each 2 MiB
 * block of the vmemmap once through the arch walker; the apply step reads
 * the finished bitmaps of a non-cyclic run a word at a time.  Reads only
 * page tables, never page data; never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmemmap_excl.h"

enum {
	VX_BLOCK_PFNS = 4096 * 8,	/* pfns of one 4 KiB bitmap block */
	VX_MIN_WORDS = 2,		/* 64 struct pages fill less than a
					 * page only if SIZE(page) < 64; 1.7.2
					 * wants two words */
};

void vmemmap_excl_deinit(struct vmemmap_excl *vx)
{
	free(vx->chunk_paddr);
	vx->chunk_paddr = NULL;
}

/* The struct page address of pfn 0, if the memmap is one virtual array
 * (SPARSEMEM_VMEMMAP): every section with a memmap then decodes to the
 * same base.  MDF_ABSENT otherwise (FLATMEM, classic SPARSEMEM). */
static int vmemmap_base(const struct memmap *mm, uint64_t *base_ret)
{
	uint64_t i, base = 0;
	bool found = false;

	if (!mm->pfn_section_shift)
		return MDF_ABSENT;
	for (i = 0; i < mm->nr_sec; i++) {
		const struct memmap_sec *s = &mm->sec[i];

		if (s->state != MEMMAP_SEC_OK && s->state != MEMMAP_SEC_OFFLINE)
			continue;
		if (found && s->coded != base)
			return MDF_ABSENT;
		base = s->coded;
		found = true;
	}
	if (!found)
		return MDF_ABSENT;
	*base_ret = base;
	return 0;
}

int vmemmap_excl_init(struct vmemmap_excl *vx, const struct memmap *mm,
		      const struct arch *arch, uint64_t high_pfn,
		      struct mdf_err *err)
{
	const uint64_t chunk = 1ull << VX_CHUNK_SHIFT;
	uint64_t k, n, size = mm->struct_size;
	int rc;

	memset(vx, 0, sizeof(*vx));
	vx->struct_size = size;
	vx->page_shift = mm->page_shift;
	if (vmemmap_base(mm, &vx->base) != 0) {
		snprintf(err->msg, sizeof(err->msg),
			 "the memmap is not a virtually mapped array");
		return MDF_ABSENT;
	}
	if (vx->base & (chunk - 1)) {
		snprintf(err->msg, sizeof(err->msg),
			 "the vmemmap base %#llx is not 2 MiB aligned",
			 (unsigned long long)vx->base);
		return MDF_ABSENT;
	}
	/* 1.7.2 visits the PMD entries k while k * 2 MiB / SIZE(page), the
	 * first pfn each describes, is below high_pfn */
	for (n = 0; (n << VX_CHUNK_SHIFT) / size < high_pfn; n++)
		;
	vx->nchunk = n;
	/* its last group ends where the last visited entry begins, and a
	 * run must end at or below that pfn */
	vx->last_pfn = n ? ((n - 1) << VX_CHUNK_SHIFT) / size : 0;
	if (!n)
		return 0;
	vx->chunk_paddr = malloc(n * sizeof(*vx->chunk_paddr));
	if (!vx->chunk_paddr)
		return mdf_err_set(err, MDF_ENOMEM,
				   "out of memory for the vmemmap map (%llu blocks)",
				   (unsigned long long)n);
	for (k = 0; k < n; k++) {
		uint64_t va = vx->base + (k << VX_CHUNK_SHIFT), paddr, len;

		rc = arch_kvtop(arch, va, &paddr, &len, err);
		if (rc < 0)
			return mdf_err_wrap(err, "translating vmemmap %#llx",
					    (unsigned long long)va);
		if (rc == MDF_ABSENT) {
			vx->chunk_paddr[k] = VX_HOLE;
			continue;
		}
		if (len < chunk) {
			/* base pages: one physical page may back struct pages
			 * of several pfns (HVO), so nothing is safe to drop */
			vx->not_huge_va = va;
			snprintf(err->msg, sizeof(err->msg),
				 "vmemmap %#llx is mapped by %llu-byte pages, not 2 MiB blocks",
				 (unsigned long long)va, (unsigned long long)len);
			return MDF_ABSENT;
		}
		vx->chunk_paddr[k] = paddr;
	}
	return 0;
}

static inline uint64_t load_word(const uint8_t *bm, uint64_t w)
{
	uint64_t v;

	/* all ones and all zeros read the same in either byte order */
	memcpy(&v, bm + w * 8, 8);
	return v;
}

/* The pfns to clear, gathered before any bit changes: a cleared vmemmap
 * page must not turn a later bitmap word into a candidate (1.7.2 saves
 * the same list to a file and applies it afterwards).  One entry per run
 * of candidates at most, merged when physically contiguous: sized by the
 * excluded memory, 16 bytes per run. */
struct vx_list {
	struct { uint64_t pfn, n; } *r;
	size_t n, cap;
	bool oom;
};

static void list_add(struct vx_list *l, uint64_t pfn)
{
	if (l->n && l->r[l->n - 1].pfn + l->r[l->n - 1].n == pfn) {
		l->r[l->n - 1].n++;
		return;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		void *p = realloc(l->r, cap * sizeof(*l->r));

		if (!p) {
			l->oom = true;
			return;
		}
		l->r = p;
		l->cap = cap;
	}
	l->r[l->n].pfn = pfn;
	l->r[l->n].n = 1;
	l->n++;
}

/* The vmemmap pages wholly inside the struct pages of pfns [s, e]; returns
 * how many. */
static uint64_t find_run_pages(const struct vmemmap_excl *vx, uint64_t s,
			       uint64_t e, struct vx_list *l)
{
	const uint64_t psize = 1ull << vx->page_shift;
	uint64_t va = vx->base + s * vx->struct_size;
	uint64_t va_end = vx->base + (e + 1) * vx->struct_size;
	uint64_t n = 0;

	if (e > vx->last_pfn)
		return 0;
	va = (va + psize - 1) & ~(psize - 1);
	va_end &= ~(psize - 1);
	for (; va < va_end; va += psize) {
		uint64_t k = (va - vx->base) >> VX_CHUNK_SHIFT;

		if (k >= vx->nchunk || vx->chunk_paddr[k] == VX_HOLE)
			continue;
		list_add(l, (vx->chunk_paddr[k] +
			     ((va - vx->base) & ((1ull << VX_CHUNK_SHIFT) - 1))) >>
			    vx->page_shift);
		n++;
	}
	return n;
}

/* The run of candidate words that ends before word w, if long enough:
 * its vmemmap pages go on the list. */
static void run_end(const struct vmemmap_excl *vx, uint64_t w,
		    uint64_t *run, uint64_t *n, struct vx_list *l)
{
	if (*run >= VX_MIN_WORDS)
		*n += find_run_pages(vx, (w - *run) * 64, w * 64 - 1, l);
	*run = 0;
}

int vmemmap_excl_apply(const struct vmemmap_excl *vx, struct cycle *c,
		       uint64_t *n_ret, struct mdf_err *err)
{
	uint64_t nwords = (c->end - c->start + 63) / 64, w, run = 0;
	uint64_t n = 0, pfn, lo, hi, i = 0, next = 0;
	struct vx_list l = { 0 };
	size_t k;

	*n_ret = 0;
	if (c->start != 0 || c->empty || !vx->chunk_paddr)
		return 0;
	/* only the words of the input's ranges: a hole has no bit set in
	 * bm1 (never a candidate) and is never read */
	while (i < c->end - c->start && cycle_live_span(c, i, &lo, &hi)) {
		uint64_t w0 = lo / 64, w1 = (hi + 63) / 64;

		if (w1 > nwords)
			w1 = nwords;
		if (w0 < next)
			w0 = next;	/* a word two spans share: read once */
		if (w0 > next)
			run_end(vx, next, &run, &n, &l);
		for (w = w0; w < w1; w++) {
			bool cand = load_word(c->bm1, w) == UINT64_MAX &&
				    load_word(c->bm2, w) == 0;

			if (run && (!cand || w % (VX_BLOCK_PFNS / 64) == 0))
				run_end(vx, w, &run, &n, &l);
			if (cand)
				run++;
		}
		if (w1 > next)
			next = w1;
		i = hi;
	}
	run_end(vx, next, &run, &n, &l);
	if (l.oom) {
		free(l.r);
		return mdf_err_set(err, MDF_ENOMEM,
				   "out of memory for the list of unused vmemmap pages");
	}
	for (k = 0; k < l.n; k++)
		for (pfn = l.r[k].pfn; pfn < l.r[k].pfn + l.r[k].n; pfn++)
			if (pfn >= c->start && pfn < c->end)
				bm_clear(c->bm2, pfn - c->start);
	free(l.r);
	*n_ret = n;
	return 0;
}
