/* memmap.c: stage 4, decoding mem_section and reading struct pages
 * (page-classes.md section 6).
 *
 * The section table is decoded once; afterwards struct pages are read per
 * translation block (a 2 MiB vmemmap PMD covers 32768 struct pages), so a
 * walk costs one page-table walk per block.  A vmemmap hole marks only the
 * struct pages in it as unavailable.  Never prints.
 */
#include <stdlib.h>
#include <string.h>

#include <endian.h>

#include "byteorder.h"
#include "memmap.h"

#define SECTION_MARKED_PRESENT	(1ull << 0)
#define SECTION_HAS_MEM_MAP	(1ull << 1)
#define SECTION_IS_ONLINE	(1ull << 2)
/* the kernel keeps at least 6 low bits of section_mem_map free for flags;
 * makedumpfile's 5-bit mask broke twice when flags were added */
#define SECTION_MAP_MASK	(~0x3full)

/* Bounds on what a (possibly hostile) dump can make us allocate and walk.
 * Sections: 16 bytes each, 2^25 of them: a 52-bit physical address space
 * in 128 MiB sections (arm64 LPA/LPA2, x86_64 5-level), where RAM can sit
 * at 2^50 and above.  The table is calloc()ed and only the entries of
 * roots that exist are written, so the untouched rest costs no memory.  Roots: a 5-level
 * x86_64 kernel has 2^18 (NR_SECTION_ROOTS, 2 MiB of pointers).  Beyond the
 * dump's last pfn, at most 2^16 section entries (8 TiB of x86_64 memory)
 * are looked at for offline memory the dump does not hold. */
enum {
	MEMMAP_MAX_SECTIONS = 1 << 25,
	MEMMAP_MAX_ROOTS = 1 << 20,
	MEMMAP_MAX_EXTRA_SCAN = 1 << 16,
};

/* Read nroots root pointers; a page of them that is absent reads as 0. */
static int read_roots(const struct arch *arch, uint64_t base,
		      uint64_t nroots, uint64_t *roots, struct mdf_err *err)
{
	uint64_t i = 0;

	while (i < nroots) {
		uint64_t addr = base + i * 8;
		uint64_t in_page = (arch->page_size - (addr & (arch->page_size - 1))) / 8;
		uint64_t n = nroots - i < in_page ? nroots - i : in_page;
		int rc;

		if (n == 0)
			n = 1;
		rc = arch_read_kvaddr(arch, addr, roots + i, n * 8, err);
		if (rc < 0)
			return rc;
		if (rc == MDF_ABSENT)
			memset(roots + i, 0, n * 8);
		else {
			uint64_t j;

			for (j = 0; j < n; j++)
				roots[i + j] = le64toh(roots[i + j]);
		}
		i += n;
	}
	return 0;
}

/* Decode one section entry at addr into s.  0 or negative error. */
static int decode_one(struct memmap *mm, const struct arch *arch,
		      uint64_t addr, uint64_t nr, struct memmap_sec *s,
		      struct mdf_err *err)
{
	uint64_t val, coded, first_pfn;
	int rc;

	s->state = MEMMAP_SEC_NONE;
	s->coded = 0;
	rc = arch_read_ulong(arch, addr, &val, err);
	if (rc < 0)
		return rc;
	if (rc == MDF_ABSENT)
		return 0;
	/* stale pointer bits of non-present sections are not trusted
	 * (5.3-5.5 hot-remove, kernel 1f503443e7df) */
	if (!(val & SECTION_MARKED_PRESENT))
		return 0;
	if (!(val & SECTION_HAS_MEM_MAP)) {
		s->state = MEMMAP_SEC_NOMAP;
		return 0;
	}
	coded = val & SECTION_MAP_MASK;
	first_pfn = nr << mm->pfn_section_shift;
	/* the first struct page must be a kernel virtual address */
	if (coded + first_pfn * mm->struct_size < arch->kvbase) {
		s->state = MEMMAP_SEC_BAD;
		return 0;
	}
	s->coded = coded;
	s->state = mm->online_known && !(val & SECTION_IS_ONLINE) ?
		   MEMMAP_SEC_OFFLINE : MEMMAP_SEC_OK;
	return 0;
}

/* Fill mm->sec from the mem_section roots (EXTREME) or array (static),
 * and mm->extra from present sections beyond them (EXTREME only). */
static int decode_sections(struct memmap *mm, const struct arch *arch,
			   const struct vmcoreinfo *vi, uint64_t base,
			   bool extreme, uint64_t per_root, uint64_t nr_roots,
			   struct mdf_err *err)
{
	uint64_t sz = vmci_get(vi, VMCI_SIZE_mem_section);
	uint64_t off = vmci_has(vi, VMCI_OFFSET_mem_section_section_mem_map) ?
		       vmci_get(vi, VMCI_OFFSET_mem_section_section_mem_map) : 0;
	uint64_t *roots = NULL;
	uint64_t nr;
	int rc = 0;

	mm->n_ok = mm->n_nomap = mm->n_offline = mm->n_bad = 0;
	mm->n_extra = 0;
	mm->extra_truncated = false;
	mm->end_pfn = 0;
	/* mm->sec is all "not present" (MEMMAP_SEC_NONE, 0) on entry;
	 * entries under a NULL root are skipped without being touched */
	if (extreme) {
		roots = calloc(nr_roots ? nr_roots : 1, sizeof(*roots));
		if (!roots)
			return mdf_err_set(err, MDF_ENOMEM, "out of memory");
		rc = read_roots(arch, base, nr_roots, roots, err);
		if (rc < 0)
			goto out;
	}
	for (nr = 0; nr < mm->nr_sec; nr++) {
		struct memmap_sec *s = &mm->sec[nr];
		uint64_t addr;

		if (extreme) {
			uint64_t root = roots[nr / per_root];

			/* a root without sections: its entries stay as
			 * calloc() left them (the caller clears them before
			 * a second try), untouched; a 52-bit machine has
			 * millions of them */
			if (!root) {
				nr = (nr / per_root + 1) * per_root - 1;
				continue;
			}
			s->state = MEMMAP_SEC_NONE;
			addr = root + (nr % per_root) * sz + off;
		} else {
			s->state = MEMMAP_SEC_NONE;
			addr = base + nr * sz + off;
		}
		rc = decode_one(mm, arch, addr, nr, s, err);
		if (rc < 0)
			goto out;
		if (s->state != MEMMAP_SEC_NONE)
			mm->used[(nr >> MEMMAP_CHUNK_SHIFT) / 64] |=
				1ull << ((nr >> MEMMAP_CHUNK_SHIFT) & 63);
		switch (s->state) {
		case MEMMAP_SEC_NOMAP: mm->n_nomap++; break;
		case MEMMAP_SEC_BAD: mm->n_bad++; break;
		case MEMMAP_SEC_OFFLINE: mm->n_offline++; break;
		case MEMMAP_SEC_OK: mm->n_ok++; break;
		default: break;
		}
		if (s->state == MEMMAP_SEC_OK || s->state == MEMMAP_SEC_OFFLINE)
			mm->end_pfn = (nr + 1) << mm->pfn_section_shift;
	}
	/* memory the kernel knew but the dump lacks: only to recognise
	 * offline pages there (never read), bounded for hostile roots */
	for (nr = mm->nr_sec; extreme && nr < nr_roots * per_root; nr++) {
		struct memmap_sec s;

		if (nr - mm->nr_sec >= MEMMAP_MAX_EXTRA_SCAN) {
			mm->extra_truncated = true;
			break;
		}
		if (!roots[nr / per_root]) {
			nr = (nr / per_root + 1) * per_root - 1;
			continue;
		}
		if (mm->n_extra == MEMMAP_MAX_EXTRA) {
			mm->extra_truncated = true;
			break;
		}
		rc = decode_one(mm, arch, roots[nr / per_root] +
				(nr % per_root) * sz + off, nr, &s, err);
		if (rc < 0)
			goto out;
		if (s.state != MEMMAP_SEC_OK && s.state != MEMMAP_SEC_OFFLINE)
			continue;
		if (!mm->extra) {
			mm->extra = calloc(MEMMAP_MAX_EXTRA, sizeof(*mm->extra));
			if (!mm->extra) {
				rc = mdf_err_set(err, MDF_ENOMEM, "out of memory");
				goto out;
			}
		}
		mm->extra[mm->n_extra].nr = nr;
		mm->extra[mm->n_extra].s = s;
		mm->n_extra++;
	}
out:
	free(roots);
	return rc;
}

static int memmap_setup(struct memmap *mm, const struct arch *arch,
			const struct vmcoreinfo *vi, uint64_t max_pfn,
			struct mdf_warns *warns, struct mdf_err *err);

int memmap_init(struct memmap *mm, const struct arch *arch,
		const struct vmcoreinfo *vi, uint64_t max_pfn,
		struct mdf_warns *warns, struct mdf_err *err)
{
	int rc = memmap_setup(mm, arch, vi, max_pfn, warns, err);

	/* a failure after the section table was allocated frees it: the
	 * caller owns mm only on success */
	if (rc < 0)
		memmap_deinit(mm);
	return rc;
}

static int memmap_setup(struct memmap *mm, const struct arch *arch,
			const struct vmcoreinfo *vi, uint64_t max_pfn,
			struct mdf_warns *warns, struct mdf_err *err)
{
	unsigned section_bits, physmem_bits;
	uint64_t base, per_root = 1, nr_mem_sections, nr_roots;
	bool extreme;
	int rc;

	memset(mm, 0, sizeof(*mm));
	mm->arch = arch;
	mm->page_shift = arch->page_shift;
	rc = vmci_require(vi, VMCI_SIZE_page, "to find struct pages", err);
	if (rc < 0)
		return rc;
	mm->struct_size = vmci_get(vi, VMCI_SIZE_page);
	if (mm->struct_size < 32 || mm->struct_size > 1024)
		return mdf_err_set(err, MDF_EFORMAT,
				   "SIZE(page)=%llu is not a plausible struct page size",
				   (unsigned long long)mm->struct_size);

	if (!vmci_has(vi, VMCI_SYMBOL_mem_section)) {
		if (!vmci_has(vi, VMCI_SYMBOL_mem_map))
			return mdf_err_set(err, MDF_EFORMAT,
					   "VMCOREINFO has neither SYMBOL(mem_section) nor SYMBOL(mem_map), needed to find struct pages");
		/* FLATMEM: one array from pfn 0 */
		rc = arch_read_ulong(arch, vmci_get(vi, VMCI_SYMBOL_mem_map),
				     &mm->flat_base, err);
		if (rc)
			return rc < 0 ? rc : mdf_err_set(err, MDF_EFORMAT,
				"mem_map is not readable: %s", err->msg);
		mm->end_pfn = max_pfn;
		return 0;
	}
	rc = vmci_require(vi, VMCI_SIZE_mem_section, "to walk mem_section", err);
	if (rc < 0)
		return rc;
	section_bits = vmci_has(vi, VMCI_NUMBER_SECTION_SIZE_BITS) ?
		       (unsigned)vmci_get(vi, VMCI_NUMBER_SECTION_SIZE_BITS) :
		       arch->section_size_bits;
	physmem_bits = vmci_has(vi, VMCI_NUMBER_MAX_PHYSMEM_BITS) ?
		       (unsigned)vmci_get(vi, VMCI_NUMBER_MAX_PHYSMEM_BITS) :
		       arch->max_physmem_bits;
	if (section_bits <= mm->page_shift || section_bits > 40 ||
	    physmem_bits < section_bits || physmem_bits > 64)
		return mdf_err_set(err, MDF_EFORMAT,
				   "implausible section geometry: SECTION_SIZE_BITS %u, MAX_PHYSMEM_BITS %u",
				   section_bits, physmem_bits);
	mm->pfn_section_shift = section_bits - mm->page_shift;
	nr_mem_sections = 1ull << (physmem_bits - section_bits);
	if (vmci_get(vi, VMCI_SIZE_mem_section) == 0 ||
	    vmci_get(vi, VMCI_SIZE_mem_section) > arch->page_size)
		return mdf_err_set(err, MDF_EFORMAT, "implausible SIZE(mem_section)=%llu",
				   (unsigned long long)vmci_get(vi, VMCI_SIZE_mem_section));
	per_root = arch->page_size / vmci_get(vi, VMCI_SIZE_mem_section);
	nr_roots = (nr_mem_sections + per_root - 1) / per_root;
	/* makedumpfile's rule: EXTREME if LENGTH(mem_section) is the root
	 * count or absent */
	extreme = !vmci_has(vi, VMCI_LENGTH_mem_section) ||
		  vmci_get(vi, VMCI_LENGTH_mem_section) == nr_roots;
	if (nr_roots > MEMMAP_MAX_ROOTS)
		return mdf_err_set(err, MDF_EFORMAT,
				   "implausible section geometry: %llu mem_section roots (SECTION_SIZE_BITS %u, MAX_PHYSMEM_BITS %u, SIZE(mem_section) %llu)",
				   (unsigned long long)nr_roots, section_bits,
				   physmem_bits,
				   (unsigned long long)vmci_get(vi, VMCI_SIZE_mem_section));

	/* rounded up without overflow: max_pfn may be anything */
	mm->nr_sec = (max_pfn >> mm->pfn_section_shift) +
		     ((max_pfn & ((1ull << mm->pfn_section_shift) - 1)) != 0);
	if (mm->nr_sec > nr_mem_sections)
		mm->nr_sec = nr_mem_sections;
	if (mm->nr_sec > MEMMAP_MAX_SECTIONS)
		return mdf_err_set(err, MDF_EFORMAT,
				   "the dump's memory reaches pfn %#llx, %llu memory sections: more than the %u this tool indexes (a corrupt program header?)",
				   (unsigned long long)max_pfn,
				   (unsigned long long)mm->nr_sec,
				   (unsigned)MEMMAP_MAX_SECTIONS);
	mm->sec = calloc(mm->nr_sec ? mm->nr_sec : 1, sizeof(*mm->sec));
	mm->used = calloc((mm->nr_sec >> MEMMAP_CHUNK_SHIFT) / 64 + 1,
			  sizeof(*mm->used));
	if (!mm->sec || !mm->used)
		return mdf_err_set(err, MDF_ENOMEM,
				   "out of memory for %llu sections",
				   (unsigned long long)mm->nr_sec);
	/* only the roots of the sections looked at: [0, nr_sec) and the
	 * bounded scan beyond (fewer reads, less memory) */
	if (nr_roots > (mm->nr_sec + MEMMAP_MAX_EXTRA_SCAN + per_root - 1) / per_root)
		nr_roots = (mm->nr_sec + MEMMAP_MAX_EXTRA_SCAN + per_root - 1) /
			   per_root;
	/* SECTION_IS_ONLINE exists since 4.13 (kernel 2d070eab2e82) */
	mm->online_known = vmcoreinfo_kernel_version(vi) >= KERNEL_VERSION(4, 13, 0);

	base = vmci_get(vi, VMCI_SYMBOL_mem_section);
	rc = decode_sections(mm, arch, vi, base, extreme, per_root, nr_roots,
			     err);
	if (rc < 0)
		goto fail;
	if (mm->n_ok + mm->n_offline == 0 && extreme) {
		/* SYMBOL(mem_section) from a vmlinux is the pointer's
		 * address (4.15+): dereference once and retry */
		uint64_t ptr;

		if (arch_read_ulong(arch, base, &ptr, err) == 0 && ptr) {
			memset(mm->sec, 0, mm->nr_sec * sizeof(*mm->sec));
			memset(mm->used, 0, ((mm->nr_sec >> MEMMAP_CHUNK_SHIFT) / 64 + 1) *
			       sizeof(*mm->used));
			rc = decode_sections(mm, arch, vi, ptr, extreme,
					     per_root, nr_roots, err);
			if (rc < 0)
				goto fail;
		}
	}
	if (mm->n_ok + mm->n_offline == 0) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "no memory section below pfn %#llx has a memmap: mem_section at %#llx is unreadable or corrupt",
				 (unsigned long long)max_pfn,
				 (unsigned long long)base);
		goto fail;
	}
	if (mm->n_bad)
		mdf_warn(warns,
			 "%u memory sections have a memmap pointer outside the kernel address space; their pages are kept unclassified",
			 mm->n_bad);
	return 0;

fail:
	/* a failed set-up owns nothing: the caller never calls deinit */
	memmap_deinit(mm);
	return rc;
}

void memmap_deinit(struct memmap *mm)
{
	free(mm->sec);
	free(mm->used);
	free(mm->extra);
	mm->sec = NULL;
	mm->used = NULL;
	mm->extra = NULL;
}

uint64_t memmap_last_pfn(const struct memmap *mm)
{
	if (mm->n_extra)
		return (mm->extra[mm->n_extra - 1].nr + 1) << mm->pfn_section_shift;
	return mm->end_pfn;
}

/* the section entry of section number nr, or NULL */
static const struct memmap_sec *find_sec(const struct memmap *mm, uint64_t nr)
{
	unsigned lo = 0, hi = mm->n_extra;

	if (nr < mm->nr_sec)
		return &mm->sec[nr];
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (mm->extra[mid].nr == nr)
			return &mm->extra[mid].s;
		if (mm->extra[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint64_t memmap_pfn_to_page(const struct memmap *mm, uint64_t pfn)
{
	const struct memmap_sec *s;

	if (!mm->pfn_section_shift)
		return pfn < mm->end_pfn ? mm->flat_base + pfn * mm->struct_size : 0;
	s = find_sec(mm, pfn >> mm->pfn_section_shift);
	if (!s || (s->state != MEMMAP_SEC_OK && s->state != MEMMAP_SEC_OFFLINE))
		return 0;
	return s->coded + pfn * mm->struct_size;
}

bool memmap_range_empty(const struct memmap *mm, uint64_t pfn, uint64_t n)
{
	uint64_t nr, last;

	if (!n)
		return true;
	if (!mm->pfn_section_shift)
		return pfn >= mm->end_pfn;
	last = (pfn + n - 1) >> mm->pfn_section_shift;
	for (nr = pfn >> mm->pfn_section_shift; nr <= last; nr++) {
		const struct memmap_sec *s;
		uint64_t chunk = nr >> MEMMAP_CHUNK_SHIFT;

		if (nr < mm->nr_sec &&
		    !(mm->used[chunk / 64] & (1ull << (chunk & 63)))) {
			nr = ((chunk + 1) << MEMMAP_CHUNK_SHIFT) - 1;
			continue;
		}
		s = find_sec(mm, nr);

		if (s && (s->state == MEMMAP_SEC_OK ||
			  s->state == MEMMAP_SEC_OFFLINE))
			return false;
	}
	return true;
}

/* Mark the struct pages touching bytes [a, b) of a run as unavailable. */
static void mark_bad(const struct memmap *mm, uint8_t *avail, uint64_t n,
		     uint64_t a, uint64_t b)
{
	uint64_t i = a / mm->struct_size;
	uint64_t end = (b + mm->struct_size - 1) / mm->struct_size;

	for (; i < end && i < n; i++)
		avail[i] = MEMMAP_UNMAPPED;
}

/* Read the struct pages of [pfn, pfn+n), all in one section (or FLATMEM). */
static long read_run(const struct memmap *mm, struct memmap_ctx *mc,
		     uint64_t vaddr, uint64_t n, uint8_t *buf, uint8_t *avail,
		     uint8_t ok_state, struct mdf_err *err)
{
	const struct arch *arch = mm->arch;
	uint64_t total = n * mm->struct_size, done = 0;
	long good = 0;
	uint64_t i;

	memset(avail, ok_state, n);
	while (done < total) {
		uint64_t paddr, len, chunk;
		int rc;

		if (mc && mc->len && vaddr + done >= mc->va &&
		    vaddr + done - mc->va < mc->len) {
			paddr = mc->pa + (vaddr + done - mc->va);
			len = mc->len - (vaddr + done - mc->va);
			rc = 0;
		} else {
			rc = arch_kvtop(arch, vaddr + done, &paddr, &len, err);
			if (rc < 0)
				return rc;
			if (rc == 0 && mc && len) {
				mc->va = vaddr + done;
				mc->pa = paddr;
				mc->len = len;
			}
		}
		if (rc == MDF_ABSENT)	/* skip to the next vmemmap page */
			len = arch->page_size -
			      ((vaddr + done) & (arch->page_size - 1));
		chunk = total - done < len ? total - done : len;
		if (rc == 0) {
			rc = mc && mc->r ?
			     input_reader_read_paddr(mc->r, paddr, buf + done,
						     chunk, err) :
			     input_read_paddr(arch->in, paddr, buf + done,
					      chunk, err);
			if (rc < 0)
				return rc;
		}
		if (rc == MDF_ABSENT) {
			memset(buf + done, 0, chunk);
			mark_bad(mm, avail, n, done, done + chunk);
		}
		done += chunk;
	}
	for (i = 0; i < n; i++)
		if (avail[i] == MEMMAP_OK)
			good++;
	return good;
}

long memmap_read(const struct memmap *mm, uint64_t pfn, uint64_t n,
		 uint8_t *buf, uint8_t *avail, struct mdf_err *err)
{
	return memmap_read_ctx(mm, NULL, pfn, n, buf, avail, err);
}

long memmap_read_ctx(const struct memmap *mm, struct memmap_ctx *mc,
		     uint64_t pfn, uint64_t n, uint8_t *buf, uint8_t *avail,
		     struct mdf_err *err)
{
	long good = 0;

	if (!mm->pfn_section_shift) {
		uint64_t m = pfn < mm->end_pfn ? mm->end_pfn - pfn : 0;

		if (m > n)
			m = n;
		if (m)
			good = read_run(mm, mc, mm->flat_base + pfn * mm->struct_size,
					m, buf, avail, MEMMAP_OK, err);
		if (good < 0)
			return good;
		memset(avail + m, MEMMAP_NO_SECTION, n - m);
		memset(buf + m * mm->struct_size, 0, (n - m) * mm->struct_size);
		return good;
	}
	while (n) {
		uint64_t nr = pfn >> mm->pfn_section_shift;
		uint64_t sec_end = (nr + 1) << mm->pfn_section_shift;
		uint64_t m = sec_end - pfn < n ? sec_end - pfn : n;
		const struct memmap_sec *s = find_sec(mm, nr);

		if (s && (s->state == MEMMAP_SEC_OK ||
			  s->state == MEMMAP_SEC_OFFLINE)) {
			long g = read_run(mm, mc, s->coded + pfn * mm->struct_size,
					  m, buf, avail,
					  s->state == MEMMAP_SEC_OK ?
					  MEMMAP_OK : MEMMAP_OFFLINE, err);
			if (g < 0)
				return g;
			good += g;
		} else {
			memset(avail, MEMMAP_NO_SECTION, m);
			memset(buf, 0, m * mm->struct_size);
		}
		pfn += m;
		n -= m;
		buf += m * mm->struct_size;
		avail += m;
	}
	return good;
}
