/* writer_elf.c: stage 8, ELF64 output (-E), shaped like makedumpfile's.
 *
 * Every source PT_LOAD becomes one or more PT_LOADs: a run of fewer than
 * 256 excluded pages stays in the segment with its contents, a longer run
 * ends the segment (counted in p_memsz, not p_filesz) and the next dumpable
 * page starts a new one (../shared/spec/formats.md section 8).  Zero pages
 * count as excluded when -d has bit 1.  The number of program headers must
 * be known before any data, so there are two page passes: pass 0 walks the
 * pages and only counts segments and bytes per PT_LOAD, pass 1 writes.
 * Both walk each PT_LOAD's pfns through the same state machine, window by
 * window, so pass 1 reproduces pass 0's layout; memory is one state per
 * source PT_LOAD plus one window bitmap.  Pages that are never read
 * (PG_offline, hwpoison) are written as zeros where a short run keeps
 * them.  Never prints.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "writer.h"

enum {
	PFN_EXCLUDED = 256,	/* a run this long leaves the segment */
	ELF_INCOMPLETE = 0x1,	/* e_flags of a dump cut short (crash) */
	EHDR_SIZE = sizeof(Elf64_Ehdr),
	PHDR_SIZE = sizeof(Elf64_Phdr),
	SHDR_SIZE = sizeof(Elf64_Shdr),
};

struct elf_load {
	/* the source PT_LOAD */
	uint64_t paddr, vaddr, memsz;
	uint32_t flags;
	uint64_t align;
	uint64_t pfn_start, pfn_end;	/* pfns walked */
	uint64_t head;			/* bytes of a partial first page */
	uint64_t tail;			/* bytes of a partial last page */
	/* walk state, both passes */
	uint64_t next;			/* next pfn to walk */
	bool done;
	uint64_t seg_paddr, seg_vaddr, seg_memsz, seg_filesz;
	uint64_t run, run_start;	/* pending excluded pages */
	uint8_t run_noread[PFN_EXCLUDED / 8];
	uint64_t nseg;			/* segments closed this pass */
	uint64_t filesz;		/* data bytes this pass */
	/* pass 0's totals, which place pass 1's output */
	uint64_t nseg0, filesz0;
	uint64_t first_phdr;		/* index of its first PT_LOAD header */
	uint64_t data_start;		/* file offset of its data */
	uint64_t seg_off;		/* file offset of the open segment */
	uint64_t data_off;		/* next data byte */
};

struct elf_writer {
	struct writer w;
	unsigned pass;
	uint64_t psz;
	unsigned shift;
	struct elf_load *loads;
	size_t nloads;
	uint64_t pfn_end;		/* end of the pfns any PT_LOAD covers */
	uint64_t nphdr;			/* PT_NOTE + PT_LOADs */
	uint64_t off_note, off_data;
	bool xnum;			/* e_phnum overflows: count in shdr 0 */
	/* per window */
	const struct cycle *cyc;	/* the cycle dump.c scans into */
	bool have_pages;		/* this pass delivers page results */
	uint8_t *noread;		/* pfns never to read, window-relative */
	uint64_t noread_bytes;
	struct range_sink ranges;
	/* pass 1 output */
	struct input_reader rd;		/* short runs of excluded pages */
	bool have_rd;
	uint8_t *zeros;			/* one page of zeros */
	uint8_t *cache;
	size_t clen, ccap;
	uint64_t coff;
	struct elf_load *cache_load;	/* whose data the cache holds */
	struct elf_load *fail_load;	/* data write that ran out of space */
	uint64_t fail_end;		/* bytes of it that reached the sink */
	/* --config: the ERASEINFO note after the source's notes, sized
	 * before any page is written (formats.md section 8) */
	uint64_t erase_desc;		/* bytes reserved for its text */
	uint64_t erase_note;		/* the whole note, 0: none */
	uint8_t *erase_page;		/* a page copy being erased */
};

/* "ERASEINFO" with its NUL, padded to 4 bytes */
#define ERASEINFO_NAME		"ERASEINFO"
enum { ERASEINFO_NAMESZ = 10, NHDR_SIZE = 12 };

static uint64_t round4(uint64_t n)
{
	return (n + 3) & ~3ull;
}

static int elf_create(const struct writer_params *p, struct writer **ret,
		      struct mdf_err *err)
{
	struct elf_writer *e = calloc(1, sizeof(*e));
	const struct input *in = p->in;
	size_t i;

	if (!e)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for the writer");
	e->w.ops = &writer_elf_ops;
	e->w.p = *p;
	e->psz = in->page_size;
	e->shift = in->page_shift;
	e->loads = calloc(in->nloads ? in->nloads : 1, sizeof(*e->loads));
	e->ccap = (size_t)in->page_size << (p->block_order >= 0 &&
					    p->block_order <= 12 ?
					    p->block_order : 4);
	if (e->ccap < 2 * e->psz)
		e->ccap = 2 * e->psz;
	e->cache = malloc(e->ccap);
	e->zeros = calloc(1, e->psz);
	if (p->erase && p->erase->ninst) {
		e->erase_desc = erase_info_reserve(p->erase);
		e->erase_page = malloc(e->psz);
	}
	if (e->erase_desc)
		e->erase_note = NHDR_SIZE + round4(ERASEINFO_NAMESZ) +
				round4(e->erase_desc);
	if (!e->loads || !e->cache || !e->zeros ||
	    (p->erase && p->erase->ninst && !e->erase_page)) {
		free(e->loads);
		free(e->cache);
		free(e->zeros);
		free(e->erase_page);
		free(e);
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for the writer");
	}
	for (i = 0; i < in->nloads; i++) {
		const struct input_load *l = &in->loads[i];
		struct elf_load *L = &e->loads[e->nloads];
		uint64_t end = l->paddr + l->memsz;

		/* makedumpfile skips PT_LOADs without a physical address */
		if (l->memsz == 0 || l->paddr == UINT64_MAX || end < l->paddr)
			continue;
		L->paddr = l->paddr;
		L->vaddr = l->vaddr;
		L->memsz = l->memsz;
		L->flags = l->flags;
		L->align = l->align;
		L->pfn_start = l->paddr >> e->shift;
		L->pfn_end = end >> e->shift;
		if (l->paddr & (e->psz - 1)) {
			L->head = e->psz - (l->paddr & (e->psz - 1));
			if (L->head > l->memsz)
				L->head = l->memsz;
			L->pfn_start++;
		}
		if (end & (e->psz - 1)) {
			L->tail = end & (e->psz - 1);
			L->pfn_end++;
		}
		if (L->pfn_end < L->pfn_start)
			L->pfn_end = L->pfn_start;
		if (L->pfn_end > e->pfn_end)
			e->pfn_end = L->pfn_end;
		e->nloads++;
	}
	if (!e->nloads) {
		free(e->loads);
		free(e->cache);
		free(e->zeros);
		free(e);
		return mdf_err_set(err, MDF_EFORMAT,
				   "the input has no PT_LOAD to write as ELF");
	}
	*ret = &e->w;
	return 0;
}

static void elf_destroy(struct writer *w)
{
	struct elf_writer *e = (struct elf_writer *)w;

	if (e->have_rd)
		input_reader_deinit(&e->rd);
	free(e->noread);
	free(e->loads);
	free(e->cache);
	free(e->zeros);
	free(e->erase_page);
	free(e);
}

static int elf_begin(struct writer *w, struct mdf_err *err)
{
	/* nothing is known before pass 0 has counted the segments */
	(void)w;
	(void)err;
	return 0;
}

static int elf_count_window(struct writer *w, const struct cycle *c,
			    struct mdf_err *err)
{
	(void)w;
	(void)c;
	(void)err;
	return 0;
}

/* ---- output (pass 1) ---- */

static int cache_flush(struct elf_writer *e, struct mdf_err *err)
{
	struct sink *s = e->w.p.sink;
	int rc;

	if (!e->clen)
		return 0;
	rc = sink_write_at(s, e->coff, e->cache, e->clen, err);
	if (rc < 0) {
		e->fail_load = e->cache_load;
		e->fail_end = e->coff + s->short_done;
		e->clen = 0;
		return rc;
	}
	e->coff += e->clen;
	e->clen = 0;
	return 0;
}

static int put_data(struct elf_writer *e, struct elf_load *L,
		    const void *buf, size_t len, struct mdf_err *err)
{
	int rc;

	if (e->clen && (e->coff + e->clen != L->data_off ||
			e->clen + len > e->ccap)) {
		rc = cache_flush(e, err);
		if (rc < 0)
			return rc;
	}
	if (!e->clen) {
		e->coff = L->data_off;
		e->cache_load = L;
	}
	memcpy(e->cache + e->clen, buf, len);
	e->clen += len;
	L->data_off += len;
	return 0;
}

static void encode_phdr(uint8_t *b, uint32_t type, uint32_t flags,
			uint64_t off, uint64_t vaddr, uint64_t paddr,
			uint64_t filesz, uint64_t memsz, uint64_t align)
{
	put_le32(b + offsetof(Elf64_Phdr, p_type), type);
	put_le32(b + offsetof(Elf64_Phdr, p_flags), flags);
	put_le64(b + offsetof(Elf64_Phdr, p_offset), off);
	put_le64(b + offsetof(Elf64_Phdr, p_vaddr), vaddr);
	put_le64(b + offsetof(Elf64_Phdr, p_paddr), paddr);
	put_le64(b + offsetof(Elf64_Phdr, p_filesz), filesz);
	put_le64(b + offsetof(Elf64_Phdr, p_memsz), memsz);
	put_le64(b + offsetof(Elf64_Phdr, p_align), align);
}

static int write_load_phdr(struct elf_writer *e, struct elf_load *L,
			   uint64_t filesz, uint64_t memsz, struct mdf_err *err)
{
	uint8_t ph[PHDR_SIZE];
	uint64_t idx = L->first_phdr + L->nseg;
	int rc;

	if (L->nseg >= L->nseg0)
		return mdf_err_set(err, MDF_EIO,
				   "PT_LOAD at %#llx has more segments than the first pass counted (%llu)",
				   (unsigned long long)L->paddr,
				   (unsigned long long)L->nseg0);
	/* a header follows its data to the sink: one on disk is complete */
	rc = cache_flush(e, err);
	if (rc < 0)
		return rc;
	encode_phdr(ph, PT_LOAD, L->flags, filesz ? L->seg_off : 0,
		    L->seg_vaddr, L->seg_paddr, filesz, memsz, L->align);
	return sink_write_at(e->w.p.sink, EHDR_SIZE + idx * PHDR_SIZE, ph,
			     sizeof(ph), err);
}

static void encode_ehdr(const struct elf_writer *e, uint32_t eflags,
			uint8_t *b)
{
	memset(b, 0, EHDR_SIZE);
	memcpy(b, ELFMAG, SELFMAG);
	b[EI_CLASS] = ELFCLASS64;
	b[EI_DATA] = ELFDATA2LSB;
	b[EI_VERSION] = EV_CURRENT;
	b[EI_OSABI] = ELFOSABI_NONE;
	put_le16(b + offsetof(Elf64_Ehdr, e_type), ET_CORE);
	put_le16(b + offsetof(Elf64_Ehdr, e_machine),
		 (uint16_t)e->w.p.in->e_machine);
	put_le32(b + offsetof(Elf64_Ehdr, e_version), EV_CURRENT);
	put_le64(b + offsetof(Elf64_Ehdr, e_phoff), EHDR_SIZE);
	put_le32(b + offsetof(Elf64_Ehdr, e_flags), eflags);
	put_le16(b + offsetof(Elf64_Ehdr, e_ehsize), EHDR_SIZE);
	put_le16(b + offsetof(Elf64_Ehdr, e_phentsize), PHDR_SIZE);
	put_le16(b + offsetof(Elf64_Ehdr, e_phnum),
		 e->xnum ? PN_XNUM : (uint16_t)e->nphdr);
	if (e->xnum) {
		/* more than 65534 headers: the real count is sh_info of a
		 * SHT_NULL section header right after them (elf(5)) */
		put_le64(b + offsetof(Elf64_Ehdr, e_shoff),
			 EHDR_SIZE + e->nphdr * PHDR_SIZE);
		put_le16(b + offsetof(Elf64_Ehdr, e_shentsize), SHDR_SIZE);
		put_le16(b + offsetof(Elf64_Ehdr, e_shnum), 1);
	}
}

static int write_ehdr(struct elf_writer *e, uint32_t eflags,
		      struct mdf_err *err)
{
	uint8_t b[EHDR_SIZE];

	encode_ehdr(e, eflags, b);
	return sink_write_at(e->w.p.sink, 0, b, sizeof(b), err);
}

/* --config applies to every byte written, not only to the pipeline's
 * pages: the short runs and partial pages the writer reads itself */
static const uint8_t *erased(struct elf_writer *e, uint64_t pfn,
			     const uint8_t *page)
{
	if (!e->w.p.erase || !erase_hit(e->w.p.erase, pfn))
		return page;
	memcpy(e->erase_page, page, e->psz);
	erase_apply(e->w.p.erase, pfn, e->erase_page, e->psz);
	return e->erase_page;
}

/* len bytes at paddr, within one page, already in buf */
static void erase_part(struct elf_writer *e, uint64_t paddr, uint8_t *buf,
		       uint64_t len)
{
	uint64_t pfn = paddr >> e->shift, at = paddr & (e->psz - 1);

	if (!e->w.p.erase || !erase_hit(e->w.p.erase, pfn) ||
	    at + len > e->psz)
		return;
	memset(e->erase_page, 0, e->psz);
	memcpy(e->erase_page + at, buf, len);
	erase_apply(e->w.p.erase, pfn, e->erase_page, e->psz);
	memcpy(buf, e->erase_page + at, len);
}

/* The ERASEINFO note: what was erased from written pages, padded with
 * zeros to the size reserved when the headers were placed */
static int write_erase_note(struct elf_writer *e, struct mdf_err *err)
{
	uint64_t at = e->off_note + round4(e->w.p.in->notes_len);
	uint8_t *note;
	char *text;
	size_t len;
	int rc;

	rc = erase_info_text(e->w.p.erase, &text, &len, err);
	if (rc < 0)
		return rc;
	note = calloc(1, e->erase_note);
	if (!note) {
		free(text);
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	}
	put_le32(note, ERASEINFO_NAMESZ);
	put_le32(note + 4, (uint32_t)e->erase_desc);
	put_le32(note + 8, 0);
	memcpy(note + NHDR_SIZE, ERASEINFO_NAME, ERASEINFO_NAMESZ);
	/* the reserve holds every instance with all its bytes */
	if (len > e->erase_desc)
		len = e->erase_desc;
	memcpy(note + NHDR_SIZE + round4(ERASEINFO_NAMESZ), text, len);
	free(text);
	rc = sink_write_at(e->w.p.sink, at, note, e->erase_note, err);
	free(note);
	return rc;
}

/* ELF header, the PT_NOTE header, room for the PT_LOAD headers, the notes
 * and each PT_LOAD's partial first page. */
static int write_headers(struct elf_writer *e, struct mdf_err *err)
{
	struct sink *s = e->w.p.sink;
	const struct input *in = e->w.p.in;
	uint8_t ph[PHDR_SIZE];
	size_t i;
	int rc;

	rc = write_ehdr(e, s->can_patch ? ELF_INCOMPLETE : 0, err);
	if (rc < 0)
		return rc;
	if (s->can_patch) {
		/* take the space of every header now: PT_NULL until its
		 * segment is written, and no ENOSPC when it is */
		uint8_t zeros[PHDR_SIZE * 64];
		uint64_t off = EHDR_SIZE + PHDR_SIZE, end = e->off_note;

		memset(zeros, 0, sizeof(zeros));
		while (off < end) {
			size_t n = end - off < sizeof(zeros) ?
				   (size_t)(end - off) : sizeof(zeros);

			rc = sink_write_at(s, off, zeros, n, err);
			if (rc < 0)
				return rc;
			off += n;
		}
	}
	if (e->xnum) {
		uint8_t sh[SHDR_SIZE];

		memset(sh, 0, sizeof(sh));
		put_le32(sh + offsetof(Elf64_Shdr, sh_type), SHT_NULL);
		put_le64(sh + offsetof(Elf64_Shdr, sh_size), 1);
		put_le32(sh + offsetof(Elf64_Shdr, sh_info), (uint32_t)e->nphdr);
		rc = sink_write_at(s, EHDR_SIZE + e->nphdr * PHDR_SIZE, sh,
				   sizeof(sh), err);
		if (rc < 0)
			return rc;
	}
	/* an ERASEINFO note grows p_filesz only, as makedumpfile does */
	encode_phdr(ph, PT_NOTE, 0, e->off_note, 0, 0,
		    e->off_data - e->off_note, in->notes_len, 0);
	rc = sink_write_at(s, EHDR_SIZE, ph, sizeof(ph), err);
	if (rc < 0)
		return rc;
	if (in->notes_len) {
		rc = sink_write_at(s, e->off_note, in->notes, in->notes_len, err);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < e->nloads; i++) {
		struct elf_load *L = &e->loads[i];

		if (!L->head)
			continue;
		/* the cache is empty here and larger than a page */
		rc = input_read_paddr(e->w.p.in, L->paddr, e->cache, L->head,
				      err);
		if (rc < 0)
			return rc;
		if (rc == MDF_ABSENT)
			memset(e->cache, 0, L->head);
		else
			erase_part(e, L->paddr, e->cache, L->head);
		e->coff = L->data_off;
		e->cache_load = L;
		e->clen = L->head;
		L->data_off += L->head;
		rc = cache_flush(e, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The contents of the short run before a dumpable page: read, except the
 * pages nobody may read, which become zeros. */
static int put_run(struct elf_writer *e, struct elf_load *L,
		   struct mdf_err *err)
{
	uint64_t i;
	int rc;

	for (i = 0; i < L->run; i++) {
		const uint8_t *page = e->zeros;

		if (!bm_test(L->run_noread, i)) {
			rc = input_read_page(&e->rd, L->run_start + i, &page, err);
			if (rc < 0)
				return rc;
			if (rc == MDF_ABSENT)
				page = e->zeros;
			else
				page = erased(e, L->run_start + i, page);
		}
		rc = put_data(e, L, page, e->psz, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- the walk ---- */

static uint64_t page_bytes(const struct elf_writer *e,
			   const struct elf_load *L, uint64_t pfn)
{
	return L->tail && pfn == L->pfn_end - 1 ? L->tail : e->psz;
}

static int close_segment(struct elf_writer *e, struct elf_load *L,
			 struct mdf_err *err)
{
	int rc;

	if (e->pass == 1) {
		rc = write_load_phdr(e, L, L->seg_filesz, L->seg_memsz, err);
		if (rc < 0)
			return rc;
	}
	L->nseg++;
	L->filesz += L->seg_filesz;
	return 0;
}

/* pages [a, b) are excluded */
static void add_excluded(struct elf_writer *e, struct elf_load *L,
			 uint64_t a, uint64_t b)
{
	uint64_t p;

	if (!L->run)
		L->run_start = a;
	for (p = a; p < b && L->run < PFN_EXCLUDED; p++, L->run++) {
		if (e->noread && bm_test(e->noread, p - e->cyc->start))
			bm_set(L->run_noread, L->run);
		else
			bm_clear(L->run_noread, L->run);
	}
	L->run += b - p;
	L->seg_memsz += (b - a) * e->psz;
	if (L->tail && a < L->pfn_end && b >= L->pfn_end)
		L->seg_memsz -= e->psz - L->tail;
}

static int add_dumpable(struct elf_writer *e, struct elf_load *L,
			uint64_t pfn, const uint8_t *data,
			struct mdf_err *err)
{
	uint64_t bytes = page_bytes(e, L, pfn);
	int rc;

	if (L->run >= PFN_EXCLUDED) {
		/* a long run ends the segment; the next starts here */
		if (e->pass == 1)
			e->w.elf_excluded += L->run;
		rc = close_segment(e, L, err);
		if (rc < 0)
			return rc;
		L->seg_paddr += L->seg_memsz;
		L->seg_vaddr += L->seg_memsz;
		L->seg_off += L->seg_filesz;
		L->seg_memsz = L->seg_filesz = 0;
	} else if (L->run) {
		/* a short run stays, with its contents */
		L->seg_filesz += L->run * e->psz;
		if (e->pass == 1) {
			rc = put_run(e, L, err);
			if (rc < 0)
				return rc;
		}
	}
	L->run = 0;
	L->seg_memsz += bytes;
	L->seg_filesz += bytes;
	if (e->pass == 1) {
		e->w.pages_written++;
		return put_data(e, L, data, bytes, err);
	}
	return 0;
}

static int finish_load(struct elf_writer *e, struct elf_load *L,
		       struct mdf_err *err)
{
	int rc;

	/* a trailing run is left out whatever its length */
	if (e->pass == 1)
		e->w.elf_excluded += L->run;
	L->run = 0;
	rc = close_segment(e, L, err);
	if (rc < 0)
		return rc;
	L->done = true;
	if (e->pass == 1 && (L->nseg != L->nseg0 || L->filesz != L->filesz0))
		return mdf_err_set(err, MDF_EIO,
				   "PT_LOAD at %#llx: %llu segments of %llu bytes, the first pass counted %llu of %llu bytes",
				   (unsigned long long)L->paddr,
				   (unsigned long long)L->nseg,
				   (unsigned long long)L->filesz,
				   (unsigned long long)L->nseg0,
				   (unsigned long long)L->filesz0);
	return 0;
}

/* Walk L's pfns up to end (inside the current window), taking dumpable
 * pages' results from r[*cur..n). */
static int walk(struct elf_writer *e, struct elf_load *L, uint64_t end,
		const struct pipe_result *r, size_t n, size_t *cur,
		struct mdf_err *err)
{
	const struct cycle *c = e->cyc;
	uint64_t p = L->next;
	int rc;

	if (L->done)
		return 0;
	if (p < c->start)
		return mdf_err_set(err, MDF_EIO,
				   "PT_LOAD at %#llx: pfns %#llx-%#llx were not walked",
				   (unsigned long long)L->paddr,
				   (unsigned long long)p,
				   (unsigned long long)c->start);
	if (end > L->pfn_end)
		end = L->pfn_end;
	while (p < end) {
		uint64_t q;

		if (p >= c->end || !bm_test(c->bm2, p - c->start)) {
			q = p < c->end ?
			    c->start + bm_next_set(c->bm2, p - c->start,
						   (end < c->end ? end : c->end) -
						   c->start) : end;
			add_excluded(e, L, p, q);
			p = q;
			continue;
		}
		if (e->have_pages) {
			while (*cur < n && r[*cur].pfn < p)
				(*cur)++;
			if (*cur >= n || r[*cur].pfn != p)
				return mdf_err_set(err, MDF_EIO,
						   "no page data for dumpable pfn %#llx",
						   (unsigned long long)p);
			if (r[*cur].zero)
				add_excluded(e, L, p, p + 1);
			else if ((rc = add_dumpable(e, L, p, r[*cur].data,
						    err)) < 0)
				return rc;
		} else {
			rc = add_dumpable(e, L, p, NULL, err);
			if (rc < 0)
				return rc;
		}
		p++;
	}
	L->next = p;
	if (p >= L->pfn_end)
		return finish_load(e, L, err);
	return 0;
}

/* Advance every PT_LOAD over [.., end) of the current window. */
static int walk_all(struct elf_writer *e, uint64_t end,
		    const struct pipe_result *r, size_t n,
		    struct mdf_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < e->nloads; i++) {
		struct elf_load *L = &e->loads[i];
		size_t cur = 0;

		if (L->done || L->pfn_start >= end || L->pfn_end <= e->cyc->start)
			continue;
		rc = walk(e, L, end, r, n, &cur, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void noread_add(void *ctx, enum page_class c, uint64_t start,
		       uint64_t n)
{
	struct elf_writer *e = ctx;
	uint64_t p;

	if (c != PC_OFFLINE && c != PC_HWPOISON)
		return;
	for (p = start; p < start + n; p++)
		if (p >= e->cyc->start && p < e->cyc->start + e->cyc->cap)
			bm_set(e->noread, p - e->cyc->start);
}

static void noread_absent(void *ctx, uint64_t pfn)
{
	(void)ctx;
	(void)pfn;
}

static int elf_pass_begin(struct writer *w, unsigned pass,
			  const struct cycle *c, struct writer_pass *ret,
			  struct mdf_err *err)
{
	struct elf_writer *e = (struct elf_writer *)w;
	uint64_t data = 0, seg = 0;
	size_t i;
	int rc;

	e->pass = pass;
	e->cyc = c;
	for (i = 0; i < e->nloads; i++) {
		struct elf_load *L = &e->loads[i];

		if (pass == 1) {
			L->nseg0 = L->nseg;
			L->filesz0 = L->filesz;
		}
		L->next = L->pfn_start;
		L->done = false;
		L->run = 0;
		L->nseg = 0;
		L->filesz = 0;
		L->seg_paddr = L->paddr;
		L->seg_vaddr = L->vaddr;
		L->seg_memsz = L->seg_filesz = L->head;
	}
	ret->pfn_end = e->pfn_end;
	ret->ranges = NULL;
	if (pass == 0) {
		e->have_pages = w->p.dump_level & 1;
		ret->work = e->have_pages ? PIPE_READ : PIPE_NONE;
		return 0;
	}

	/* pass 1: place everything, then write the headers */
	e->have_pages = true;
	ret->work = PIPE_READ;
	e->nphdr = 1;
	for (i = 0; i < e->nloads; i++)
		e->nphdr += e->loads[i].nseg0;
	e->xnum = e->nphdr >= PN_XNUM;
	e->off_note = EHDR_SIZE + e->nphdr * PHDR_SIZE +
		      (e->xnum ? SHDR_SIZE : 0);
	e->off_data = e->off_note + w->p.in->notes_len;
	if (e->erase_note)
		e->off_data = e->off_note + round4(w->p.in->notes_len) +
			      e->erase_note;
	for (i = 0; i < e->nloads; i++) {
		struct elf_load *L = &e->loads[i];

		L->first_phdr = 1 + seg;
		L->data_start = e->off_data + data;
		L->data_off = L->seg_off = L->data_start;
		seg += L->nseg0;
		data += L->filesz0;
	}
	e->noread_bytes = c->cap / 8;
	e->noread = calloc(1, e->noread_bytes);
	if (!e->noread)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for a bitmap");
	e->ranges.add = noread_add;
	e->ranges.absent_offline = noread_absent;
	e->ranges.ctx = e;
	ret->ranges = &e->ranges;
	rc = input_reader_init(&e->rd, w->p.in, err);
	if (rc < 0)
		return rc;
	e->have_rd = true;
	return write_headers(e, err);
}

static int elf_window(struct writer *w, const struct cycle *c,
		      struct mdf_err *err)
{
	struct elf_writer *e = (struct elf_writer *)w;

	(void)err;
	e->cyc = c;
	return 0;
}

static int elf_pages(struct writer *w, const struct pipe_result *r,
		     size_t n, struct mdf_err *err)
{
	struct elf_writer *e = (struct elf_writer *)w;

	if (!n)
		return 0;
	return walk_all(e, r[n - 1].pfn + 1, r, n, err);
}

static int elf_window_end(struct writer *w, const struct cycle *c,
			  struct mdf_err *err)
{
	struct elf_writer *e = (struct elf_writer *)w;
	int rc;

	rc = walk_all(e, c->end, NULL, 0, err);
	if (e->noread)
		memset(e->noread, 0, e->noread_bytes);
	return rc;
}

static int elf_pass_end(struct writer *w, unsigned pass, struct mdf_err *err)
{
	struct elf_writer *e = (struct elf_writer *)w;
	size_t i;

	for (i = 0; i < e->nloads; i++)
		if (!e->loads[i].done)
			return mdf_err_set(err, MDF_EIO,
					   "PT_LOAD at %#llx was not walked to its end",
					   (unsigned long long)e->loads[i].paddr);
	if (pass == 1)
		return cache_flush(e, err);
	return 0;
}

static int elf_finish(struct writer *w, struct mdf_err *err)
{
	struct elf_writer *e = (struct elf_writer *)w;
	struct sink *s = w->p.sink;
	int rc;

	rc = cache_flush(e, err);
	if (rc < 0)
		return rc;
	if (e->erase_note) {
		rc = write_erase_note(e, err);
		if (rc < 0)
			return rc;
	}
	if (s->can_patch) {
		rc = sink_sync(s, err);
		if (rc < 0)
			return rc;
		rc = write_ehdr(e, 0, err);
		if (rc < 0)
			return rc;
	}
	return sink_finish(s, err);
}

/* Out of space in pass 1: describe the data of each open segment that
 * reached the sink; the ELF header already says incomplete.  Headers go
 * to space taken by write_headers(), so they need no new room. */
static int elf_incomplete(struct writer *w, struct mdf_err *err)
{
	struct elf_writer *e = (struct elf_writer *)w;
	uint64_t *end;
	size_t i;

	(void)err;
	if (e->pass != 1 || !w->p.sink->can_patch)
		return 0;
	end = calloc(e->nloads, sizeof(*end));
	if (!end)
		return 0;
	for (i = 0; i < e->nloads; i++) {
		struct elf_load *L = &e->loads[i];

		if (L == e->fail_load)
			end[i] = e->fail_end;
		else if (L == e->cache_load && e->clen)
			end[i] = e->coff;	/* the rest never left the cache */
		else
			end[i] = L->data_off;
	}
	e->clen = 0;
	for (i = 0; i < e->nloads; i++) {
		struct elf_load *L = &e->loads[i];
		struct mdf_err e2;

		if (L->done || L->nseg >= L->nseg0 || end[i] <= L->seg_off)
			continue;
		write_load_phdr(e, L, end[i] - L->seg_off, end[i] - L->seg_off,
				&e2);
	}
	free(end);
	return 0;
}

const struct writer_ops writer_elf_ops = {
	.name		= "ELF",
	.create		= elf_create,
	.begin		= elf_begin,
	.count_window	= elf_count_window,
	.npasses	= 2,
	.pass_begin	= elf_pass_begin,
	.window		= elf_window,
	.pages		= elf_pages,
	.window_end	= elf_window_end,
	.pass_end	= elf_pass_end,
	.finish		= elf_finish,
	.incomplete	= elf_incomplete,
	.destroy	= elf_destroy,
};
