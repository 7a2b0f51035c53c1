/* dumpcheck: read a dump we wrote back and compare it with its source.
 *
 *   dumpcheck [--report-json FILE] [--allow-incomplete] DUMP SOURCE
 *   dumpcheck --same DUMP1 DUMP2
 *
 * --same: two dumps of any format this tool reads (kdump-compressed,
 * flattened, ELF) hold the same memory map, dump level and pages: every
 * pfn has data in both or in neither, and the data is equal byte for byte
 * (codecs may differ).
 *
 * DUMP is kdump-compressed or ELF (our -E).  For kdump-compressed: the
 * header and sub header fields, the note copy and VMCOREINFO pointer, the
 * 1st bitmap against the source's RAM map, the 2nd bitmap against the
 * classification of the same run (--report-json: every pfn with data that
 * no class excluded, and no other), the page_desc table (zero block,
 * codec flags, data contiguous after the table), and every page it holds
 * decompressed and compared byte for byte with the source.  For ELF: every
 * PT_LOAD byte with file data equals the source (pages never read, offline
 * and hwpoison, may be zeros), every dumpable page lies in file data, and
 * what lies only in p_memsz was excluded.  A dump marked incomplete passes
 * only with --allow-incomplete; then lost pages are counted, and what is
 * there must still be right.  Prints a summary; exit 0 if all holds.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bitmap.h"
#include "byteorder.h"
#include "codec.h"
#include "fmt_kdump.h"
#include "input.h"

static const char *classes[] = {
	"zero", "cache", "cache_private", "user", "free", "hwpoison", "offline",
};
enum { NCLASS = sizeof(classes) / sizeof(classes[0]) };

static int failures;
static unsigned long fail_shown;

#define FAIL(...)							\
	do {								\
		failures++;						\
		if (fail_shown++ < 20) {				\
			fprintf(stderr, "dumpcheck: ");			\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
		}							\
	} while (0)

struct ctx {
	const char *dump, *source;
	int fd;
	uint64_t size;
	struct input *in;
	unsigned psz, shift;
	uint64_t max_mapnr;
	/* from --report-json: per pfn, class index + 1 (0: not excluded) */
	uint8_t *cls;
	uint64_t cls_len;
	bool have_json, allow_incomplete;
	unsigned dump_level;
};

static void die(const char *fmt, const char *a)
{
	fprintf(stderr, "dumpcheck: ");
	fprintf(stderr, fmt, a);
	fputc('\n', stderr);
	exit(2);
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n <= 0)
			return -1;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- --report-json: only the "ranges" object is needed ---- */

static void load_json(struct ctx *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf, *r;
	long len;
	unsigned i;

	if (!f)
		die("can't open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		die("can't read %s", path);
	fclose(f);
	if (!strstr(buf, "\"ranges_complete\": true"))
		die("%s: ranges are incomplete", path);
	r = strstr(buf, "\"dump_level\": ");
	if (r)
		c->dump_level = (unsigned)strtoul(r + 14, NULL, 10);
	r = strstr(buf, "\"ranges\": {");
	if (!r)
		die("%s has no ranges", path);
	for (i = 0; i < NCLASS; i++) {
		char key[64];
		char *p;

		snprintf(key, sizeof(key), "\"%s\": [", classes[i]);
		p = strstr(r, key);
		if (!p)
			die("no class %s in the report", classes[i]);
		p += strlen(key);
		while (*p == '[') {
			uint64_t a, n, q;

			a = strtoull(p + 1, &p, 10);
			n = strtoull(p + 1, &p, 10);
			for (q = a; q < a + n; q++) {
				if (q >= c->cls_len)
					die("excluded pfn beyond the dump in %s", path);
				c->cls[q] = (uint8_t)(i + 1);
			}
			p++;		/* ']' */
			if (*p == ',')
				p++;
		}
	}
	c->have_json = true;
	free(buf);
}

/* Expected bitmaps from the source's ranges (rounded like bitmap.c). */
static void source_bitmaps(const struct ctx *c, uint8_t *bm1, uint8_t *data)
{
	size_t i;

	for (i = 0; i < c->in->nranges; i++) {
		const struct input_range *r = &c->in->ranges[i];
		uint64_t a = r->paddr >> c->shift;
		uint64_t b = (r->paddr + r->memsz) >> c->shift;
		uint64_t d = (r->paddr + r->filesz) >> c->shift;
		uint64_t p;

		for (p = a; p < b && p < c->max_mapnr; p++) {
			bm_set(bm1, p);
			if (p < d)
				bm_set(data, p);
		}
	}
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static bool never_read(const struct ctx *c, uint64_t pfn)
{
	return c->have_json && pfn < c->cls_len &&
	       (c->cls[pfn] == 6 || c->cls[pfn] == 7);
}

/* ---- kdump-compressed ---- */

static int check_kdump(struct ctx *c)
{
	struct kdump_disk_header h;
	struct kdump_sub_header sh;
	uint64_t block, off_bm1, bmlen, off_table, n = 0, p, i;
	uint64_t data_start, data_next, zero_off = 0;
	uint64_t lost = 0, zero = 0, raw = 0, comp = 0;
	uint32_t status, codec_flag;
	uint8_t *bm1, *bm2, *want1, *data, *page, *out;
	const struct codec_ops *codec = NULL;
	struct input_reader rd;
	struct mdf_err err;
	bool incomplete;

	if (pread_all(c->fd, &h, sizeof(h), 0))
		die("%s: short header", c->dump);
	if (get_le32(&h.header_version) != KDUMP_HEADER_VERSION)
		FAIL("header_version %u, want 6", get_le32(&h.header_version));
	block = get_le32(&h.block_size);
	if (block != c->psz)
		die("block size differs from the source's page size (%s)", c->dump);
	status = get_le32(&h.status);
	incomplete = status & DUMP_DH_COMPRESSED_INCOMPLETE;
	if (incomplete && !c->allow_incomplete)
		FAIL("the header says INCOMPLETE (status %#x)", status);
	codec_flag = status & DUMP_DH_COMPRESSED_MASK;
	switch (codec_flag) {
	case 0: break;
	case DUMP_DH_COMPRESSED_ZLIB: codec = codec_find(CODEC_ZLIB); break;
	case DUMP_DH_COMPRESSED_LZO: codec = codec_find(CODEC_LZO); break;
	case DUMP_DH_COMPRESSED_SNAPPY: codec = codec_find(CODEC_SNAPPY); break;
	case DUMP_DH_COMPRESSED_ZSTD: codec = codec_find(CODEC_ZSTD); break;
	default: FAIL("more than one codec bit in status %#x", status);
	}
	if (codec_flag && !codec)
		die("%s: this build cannot decode its codec", c->dump);
	if (get_le32(&h.nr_cpus) != c->in->nr_cpus)
		FAIL("nr_cpus %u, the source has %u NT_PRSTATUS notes",
		     get_le32(&h.nr_cpus), c->in->nr_cpus);
	if (strcmp(h.utsname[0], "Linux") != 0)
		FAIL("utsname.sysname is \"%.65s\"", h.utsname[0]);
	if (c->in->vmcoreinfo) {
		const char *rel = strstr(c->in->vmcoreinfo, "OSRELEASE=");

		if (rel && strncmp(rel + 10, h.utsname[2], strlen(h.utsname[2])))
			FAIL("utsname.release \"%.65s\" is not VMCOREINFO's", h.utsname[2]);
	}

	if (pread_all(c->fd, &sh, sizeof(sh), block))
		die("%s: short sub header", c->dump);
	c->max_mapnr = get_le64(&sh.max_mapnr_64);
	if (get_le32(&h.max_mapnr) != (c->max_mapnr > UINT32_MAX ? UINT32_MAX :
				       c->max_mapnr))
		FAIL("max_mapnr %u and max_mapnr_64 %llu disagree",
		     get_le32(&h.max_mapnr), (unsigned long long)c->max_mapnr);
	if (c->have_json && get_le32(&sh.dump_level) != c->dump_level)
		FAIL("dump_level %u, the report says %u",
		     get_le32(&sh.dump_level), c->dump_level);
	c->dump_level = get_le32(&sh.dump_level);
	if (get_le64(&sh.size_note) != c->in->notes_len ||
	    (c->in->notes_len &&
	     get_le64(&sh.offset_note) != block + sizeof(sh)))
		FAIL("note copy at %#llx, %llu bytes; want %#llx, %zu",
		     (unsigned long long)get_le64(&sh.offset_note),
		     (unsigned long long)get_le64(&sh.size_note),
		     (unsigned long long)(block + sizeof(sh)), c->in->notes_len);
	if (c->in->notes_len) {
		uint8_t *notes = malloc(c->in->notes_len);

		if (!notes || pread_all(c->fd, notes, c->in->notes_len,
					get_le64(&sh.offset_note)) ||
		    memcmp(notes, c->in->notes, c->in->notes_len))
			FAIL("the note copy differs from the source's notes");
		free(notes);
	}
	if (c->in->vmcoreinfo) {
		uint64_t len = get_le64(&sh.size_vmcoreinfo);
		char *vi = malloc(len + 1);

		if (len != c->in->vmcoreinfo_len || !vi ||
		    pread_all(c->fd, vi, len, get_le64(&sh.offset_vmcoreinfo)) ||
		    memcmp(vi, c->in->vmcoreinfo, len))
			FAIL("offset_vmcoreinfo does not point at the VMCOREINFO text");
		free(vi);
	}
	if (get_le32(&h.sub_hdr_size) !=
	    (sizeof(sh) + c->in->notes_len + block - 1) / block)
		FAIL("sub_hdr_size %u", get_le32(&h.sub_hdr_size));

	bmlen = kdump_bitmap_len(c->max_mapnr, block);
	if ((uint64_t)get_le32(&h.bitmap_blocks) * block != 2 * bmlen)
		FAIL("bitmap_blocks %u, want %llu", get_le32(&h.bitmap_blocks),
		     (unsigned long long)(2 * bmlen / block));
	off_bm1 = (KDUMP_HEADER_BLOCKS + get_le32(&h.sub_hdr_size)) * block;
	off_table = off_bm1 + 2 * bmlen;
	bm1 = calloc(1, bmlen);
	bm2 = calloc(1, bmlen);
	want1 = calloc(1, bmlen);
	data = calloc(1, bmlen);
	page = malloc(block);
	out = malloc(block);
	if (!bm1 || !bm2 || !want1 || !data || !page || !out)
		die("out of memory (%s)", c->dump);
	if (pread_all(c->fd, bm1, bmlen, off_bm1) ||
	    pread_all(c->fd, bm2, bmlen, off_bm1 + bmlen))
		die("%s: short bitmaps", c->dump);
	source_bitmaps(c, want1, data);
	for (p = 0; p < bmlen * 8; p++) {
		bool b1 = bm_test(bm1, p), b2 = bm_test(bm2, p);

		if (b1 != bm_test(want1, p))
			FAIL("1st bitmap: pfn %#llx is %s, the source's RAM map says %s",
			     (unsigned long long)p, b1 ? "set" : "clear",
			     b1 ? "hole" : "RAM");
		if (b2 && !b1)
			FAIL("2nd bitmap: pfn %#llx set but not in the 1st",
			     (unsigned long long)p);
		if (c->have_json && p < c->max_mapnr) {
			bool want2 = bm_test(data, p) &&
				     (c->cls[p] == 0 || c->cls[p] == 1);

			if (b2 != want2)
				FAIL("2nd bitmap: pfn %#llx is %s, the classification says %s (class %s)",
				     (unsigned long long)p, b2 ? "set" : "clear",
				     want2 ? "dump it" : "exclude it",
				     c->cls[p] ? classes[c->cls[p] - 1] : "none");
		}
		n += b2;
	}

	data_start = off_table + n * sizeof(struct kdump_page_desc);
	data_next = data_start;
	if (c->dump_level & 1) {
		zero_off = data_start;
		data_next += block;
	}
	if (input_reader_init(&rd, c->in, &err))
		die("%s", err.msg);
	i = 0;
	for (p = bm_next_set(bm2, 0, c->max_mapnr); p < c->max_mapnr;
	     p = bm_next_set(bm2, p + 1, c->max_mapnr), i++) {
		struct kdump_page_desc d;
		uint64_t off;
		uint32_t size, flags;
		const uint8_t *src;
		int rc;

		if (pread_all(c->fd, &d, sizeof(d), off_table + i * sizeof(d))) {
			if (!incomplete)
				FAIL("page_desc %llu is past the end of the file",
				     (unsigned long long)i);
			lost++;
			continue;
		}
		off = get_le64(&d.offset);
		size = get_le32(&d.size);
		flags = get_le32(&d.flags);
		if (off == 0) {
			if (!incomplete)
				FAIL("pfn %#llx: page_desc never written",
				     (unsigned long long)p);
			lost++;
			continue;
		}
		if (size == 0 || size > block || (flags && flags != codec_flag) ||
		    off + size > c->size) {
			FAIL("pfn %#llx: bad page_desc offset %#llx size %u flags %#x",
			     (unsigned long long)p, (unsigned long long)off, size, flags);
			continue;
		}
		if (c->dump_level & 1 && off == zero_off) {
			if (size != block || flags)
				FAIL("pfn %#llx: zero block descriptor of %u bytes",
				     (unsigned long long)p, size);
			zero++;
		} else {
			/* pages follow the table contiguously, in pfn order */
			if (off != data_next)
				FAIL("pfn %#llx: data at %#llx, expected %#llx",
				     (unsigned long long)p, (unsigned long long)off,
				     (unsigned long long)data_next);
			data_next = off + size;
			if (flags)
				comp++;
			else
				raw++;
		}
		if (pread_all(c->fd, page, size, off)) {
			FAIL("pfn %#llx: can't read %u bytes at %#llx",
			     (unsigned long long)p, size, (unsigned long long)off);
			continue;
		}
		if (flags) {
			if (codec->decompress(page, size, out, block, &err)) {
				FAIL("pfn %#llx: %s", (unsigned long long)p, err.msg);
				continue;
			}
		} else {
			if (size != block) {
				FAIL("pfn %#llx: raw page of %u bytes",
				     (unsigned long long)p, size);
				continue;
			}
			memcpy(out, page, block);
		}
		rc = input_read_page(&rd, p, &src, &err);
		if (rc < 0)
			die("reading the source: %s", err.msg);
		if (rc == MDF_ABSENT) {
			FAIL("pfn %#llx is dumped but the source has no data",
			     (unsigned long long)p);
			continue;
		}
		if (memcmp(out, src, block))
			FAIL("pfn %#llx: page differs from the source",
			     (unsigned long long)p);
		if (c->have_json && c->cls[p] == 1 &&
		    !(c->dump_level & 1 && off == zero_off))
			FAIL("pfn %#llx is a zero page but not the zero block",
			     (unsigned long long)p);
	}
	input_reader_deinit(&rd);
	printf("kdump-compressed %s: status %#x, max_mapnr %#llx, %llu pages dumped: %llu compressed, %llu raw, %llu zero block, %llu lost; data ends at %#llx of %#llx\n",
	       c->dump, status, (unsigned long long)c->max_mapnr,
	       (unsigned long long)n, (unsigned long long)comp,
	       (unsigned long long)raw, (unsigned long long)zero,
	       (unsigned long long)lost, (unsigned long long)data_next,
	       (unsigned long long)c->size);
	if (!incomplete && data_next != c->size)
		FAIL("the file has %llu bytes after the last page",
		     (unsigned long long)(c->size - data_next));
	free(bm1);
	free(bm2);
	free(want1);
	free(data);
	free(page);
	free(out);
	return 0;
}

/* ---- ELF ---- */

struct seg {
	uint64_t off, paddr, filesz, memsz;
};

static int check_elf(struct ctx *c)
{
	Elf64_Ehdr eh;
	struct seg *seg;
	uint64_t nph, i, p, filebytes = 0, short_pages = 0;
	uint64_t max_pfn = 0, dumped = 0, memonly = 0;
	uint8_t *page, *covered;
	bool incomplete;
	int fd = c->fd;

	if (pread_all(fd, &eh, sizeof(eh), 0))
		die("%s: short ELF header", c->dump);
	if (get_le16(&eh.e_phentsize) != sizeof(Elf64_Phdr) ||
	    get_le64(&eh.e_phoff) != sizeof(eh))
		FAIL("e_phoff %#llx / e_phentsize %u",
		     (unsigned long long)get_le64(&eh.e_phoff),
		     get_le16(&eh.e_phentsize));
	incomplete = get_le32(&eh.e_flags) & 1;
	if (incomplete && !c->allow_incomplete)
		FAIL("e_flags says incomplete");
	nph = get_le16(&eh.e_phnum);
	if (nph == PN_XNUM) {
		Elf64_Shdr sh;

		if (pread_all(fd, &sh, sizeof(sh), get_le64(&eh.e_shoff)))
			die("%s: no section header 0", c->dump);
		nph = get_le32(&sh.sh_info);
	}
	seg = calloc(nph + 1, sizeof(*seg));
	page = malloc(c->psz);
	if (!seg || !page)
		die("out of memory (%s)", c->dump);
	for (i = 0; i < nph; i++) {
		Elf64_Phdr ph;

		if (pread_all(fd, &ph, sizeof(ph), sizeof(eh) + i * sizeof(ph)))
			die("%s: short program headers", c->dump);
		if (i == 0) {
			uint8_t *notes;

			if (get_le32(&ph.p_type) != PT_NOTE)
				FAIL("the first program header is not PT_NOTE");
			notes = malloc(c->in->notes_len + 1);
			if (get_le64(&ph.p_filesz) != c->in->notes_len || !notes ||
			    pread_all(fd, notes, c->in->notes_len,
				      get_le64(&ph.p_offset)) ||
			    memcmp(notes, c->in->notes, c->in->notes_len))
				FAIL("PT_NOTE differs from the source's notes");
			free(notes);
			continue;
		}
		if (get_le32(&ph.p_type) == PT_NULL && incomplete)
			continue;
		if (get_le32(&ph.p_type) != PT_LOAD) {
			FAIL("program header %llu is type %u",
			     (unsigned long long)i, get_le32(&ph.p_type));
			continue;
		}
		seg[i].off = get_le64(&ph.p_offset);
		seg[i].paddr = get_le64(&ph.p_paddr);
		seg[i].filesz = get_le64(&ph.p_filesz);
		seg[i].memsz = get_le64(&ph.p_memsz);
		if (seg[i].filesz > seg[i].memsz)
			FAIL("PT_LOAD %llu: p_filesz > p_memsz", (unsigned long long)i);
		if ((seg[i].paddr + seg[i].memsz + c->psz - 1) >> c->shift > max_pfn)
			max_pfn = (seg[i].paddr + seg[i].memsz + c->psz - 1) >> c->shift;
	}
	covered = calloc(1, max_pfn / 8 + 1);
	if (!covered)
		die("out of memory (%s)", c->dump);
	for (i = 1; i < nph; i++) {
		struct seg *s = &seg[i];
		uint64_t a;

		/* file data: equal to the source, page by page */
		for (a = 0; a < s->filesz; ) {
			uint64_t paddr = s->paddr + a;
			uint64_t pfn = paddr >> c->shift;
			size_t n = c->psz - (paddr & (c->psz - 1));
			struct mdf_err err;
			uint8_t *src = malloc(c->psz);
			int rc;

			if (n > s->filesz - a)
				n = (size_t)(s->filesz - a);
			if (!src)
				die("out of memory (%s)", c->dump);
			if (s->off + a + n > c->size) {
				if (!incomplete)
					FAIL("PT_LOAD %llu runs past the end of the file",
					     (unsigned long long)i);
				short_pages++;
				free(src);
				a += n;
				continue;
			}
			if (pread_all(fd, page, n, s->off + a))
				die("%s: read error", c->dump);
			rc = input_read_paddr(c->in, paddr, src, n, &err);
			if (rc < 0)
				die("reading the source: %s", err.msg);
			if (rc == MDF_ABSENT)
				memset(src, 0, n);
			if (memcmp(page, src, n)) {
				static const uint8_t zeros[65536];

				if (!(never_read(c, pfn) &&
				      !memcmp(page, zeros, n < sizeof(zeros) ? n : sizeof(zeros))))
					FAIL("PT_LOAD %llu: paddr %#llx differs from the source",
					     (unsigned long long)i,
					     (unsigned long long)paddr);
			}
			if (n == c->psz && pfn < max_pfn)
				bm_set(covered, pfn);
			filebytes += n;
			free(src);
			a += n;
		}
		/* memory without file data: excluded pages only */
		for (a = (s->paddr + s->filesz + c->psz - 1) >> c->shift;
		     a < (s->paddr + s->memsz) >> c->shift; a++) {
			memonly++;
			if (c->have_json && a < c->cls_len && !c->cls[a] &&
			    !incomplete) {
				struct mdf_err err;
				uint8_t *src = malloc(c->psz);
				int rc = input_read_paddr(c->in, a << c->shift,
							  src, c->psz, &err);

				/* not excluded by a class: must be zero,
				 * or memory the source has no data for */
				if (rc == 0 && !all_zero(src, c->psz))
					FAIL("pfn %#llx is left out but was not excluded",
					     (unsigned long long)a);
				free(src);
			}
		}
	}
	/* every page with data that no class excluded is in the file */
	for (i = 0; i < c->in->nranges && c->have_json && !incomplete; i++) {
		const struct input_range *r = &c->in->ranges[i];
		uint64_t a = (r->paddr + c->psz - 1) >> c->shift;
		uint64_t d = (r->paddr + r->filesz) >> c->shift;

		for (p = a; p < d; p++) {
			if (p < c->cls_len && c->cls[p])
				continue;
			if (p >= max_pfn || !bm_test(covered, p))
				FAIL("dumpable pfn %#llx is not in the ELF file data",
				     (unsigned long long)p);
			else
				dumped++;
		}
	}
	printf("ELF %s: %llu program headers, %llu bytes of file data, %llu dumpable pages present, %llu pages only in p_memsz, %llu pages cut off%s\n",
	       c->dump, (unsigned long long)nph, (unsigned long long)filebytes,
	       (unsigned long long)dumped, (unsigned long long)memonly,
	       (unsigned long long)short_pages, incomplete ? " (incomplete)" : "");
	free(seg);
	free(page);
	free(covered);
	return 0;
}

/* ---- --same ---- */

static struct input *open_dump(const char *path)
{
	struct input *in;
	struct mdf_err err;

	if (input_open(path, NULL, NULL, &in, &err))
		die("%s", err.msg);
	if (in->vmcoreinfo && !in->fixed_page_size) {
		const char *ps = strstr(in->vmcoreinfo, "PAGESIZE=");

		if (ps && input_set_page_size(in, (unsigned)atoi(ps + 9), &err))
			die("%s", err.msg);
	}
	return in;
}

static int same(const char *a, const char *b)
{
	struct input *x = open_dump(a), *y = open_dump(b);
	struct input_reader rx, ry;
	struct mdf_err err;
	uint64_t max, pfn, both = 0, none = 0;
	size_t i;

	if (x->page_size != y->page_size)
		die("the page sizes differ (%s)", b);
	if (x->nranges != y->nranges)
		FAIL("%zu and %zu memory ranges", x->nranges, y->nranges);
	for (i = 0; i < x->nranges && i < y->nranges; i++)
		if (x->ranges[i].paddr != y->ranges[i].paddr ||
		    x->ranges[i].memsz != y->ranges[i].memsz)
			FAIL("range %zu: %#llx+%#llx vs %#llx+%#llx", i,
			     (unsigned long long)x->ranges[i].paddr,
			     (unsigned long long)x->ranges[i].memsz,
			     (unsigned long long)y->ranges[i].paddr,
			     (unsigned long long)y->ranges[i].memsz);
	if (x->src_dump_level != y->src_dump_level)
		FAIL("dump levels %d and %d", x->src_dump_level, y->src_dump_level);
	max = input_max_pfn(x);
	if (input_max_pfn(y) != max)
		FAIL("max_mapnr %#llx and %#llx", (unsigned long long)max,
		     (unsigned long long)input_max_pfn(y));
	if (input_reader_init(&rx, x, &err) || input_reader_init(&ry, y, &err))
		die("%s", err.msg);
	for (pfn = 0; pfn < max; pfn++) {
		const uint8_t *p, *q;
		int r1 = input_read_page(&rx, pfn, &p, &err), r2;

		if (r1 < 0)
			die("%s", err.msg);
		r2 = input_read_page(&ry, pfn, &q, &err);
		if (r2 < 0)
			die("%s", err.msg);
		if (r1 != r2) {
			FAIL("pfn %#llx has data only in %s",
			     (unsigned long long)pfn, r1 ? b : a);
			continue;
		}
		if (r1) {
			none++;
			continue;
		}
		both++;
		if (memcmp(p, q, x->page_size))
			FAIL("pfn %#llx differs", (unsigned long long)pfn);
	}
	printf("same: %s (%s) and %s (%s): %llu pages compared, %llu without data in both\n",
	       a, x->ops->name, b, y->ops->name, (unsigned long long)both,
	       (unsigned long long)none);
	input_reader_deinit(&rx);
	input_reader_deinit(&ry);
	input_close(x);
	input_close(y);
	if (failures)
		printf("dumpcheck: %d differences\n", failures);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "report-json", required_argument, NULL, 'j' },
		{ "allow-incomplete", no_argument, NULL, 'i' },
		{ "same", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c = { 0 };
	const char *json = NULL;
	struct mdf_err err;
	struct stat st;
	char magic[8];
	bool same_mode = false;
	int o;

	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (o == 'j')
			json = optarg;
		else if (o == 'i')
			c.allow_incomplete = true;
		else if (o == 's')
			same_mode = true;
		else
			return 2;
	}
	if (same_mode) {
		if (argc - optind != 2)
			die("%s", "usage: dumpcheck --same DUMP1 DUMP2");
		return same(argv[optind], argv[optind + 1]);
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: dumpcheck [--report-json FILE] [--allow-incomplete] DUMP SOURCE\n");
		return 2;
	}
	c.dump = argv[optind];
	c.source = argv[optind + 1];
	c.fd = open(c.dump, O_RDONLY);
	if (c.fd < 0 || fstat(c.fd, &st) != 0)
		die("can't open %s", c.dump);
	c.size = (uint64_t)st.st_size;
	if (input_open(c.source, NULL, NULL, &c.in, &err))
		die("%s", err.msg);
	if (c.in->vmcoreinfo) {
		const char *ps = strstr(c.in->vmcoreinfo, "PAGESIZE=");

		if (ps && input_set_page_size(c.in, (unsigned)atoi(ps + 9), &err))
			die("%s", err.msg);
	}
	c.psz = c.in->page_size;
	c.shift = c.in->page_shift;
	c.cls_len = input_max_pfn(c.in);
	c.cls = calloc(1, c.cls_len + 1);
	if (!c.cls)
		die("out of memory (%s)", c.dump);
	if (json)
		load_json(&c, json);
	if (pread_all(c.fd, magic, sizeof(magic), 0))
		die("%s is too short", c.dump);
	if (!memcmp(magic, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN))
		check_kdump(&c);
	else if (!memcmp(magic, ELFMAG, SELFMAG))
		check_elf(&c);
	else
		die("%s is neither kdump-compressed nor ELF", c.dump);
	if (failures)
		printf("dumpcheck: %d problems in %s\n", failures, c.dump);
	input_close(c.in);
	free(c.cls);
	close(c.fd);
	return failures ? 1 : 0;
}
