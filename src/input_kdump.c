/* input_kdump.c: stage 1, a kdump-compressed dump as input (re-filtering,
 * --dump-dmesg of a saved dump, one part of a --split set).
 *
 * Header versions 1 to 6 of the LP64 little-endian layout (fmt_kdump.h,
 * ../shared/spec/formats.md sections 1-5 and 9).  The 1st bitmap becomes
 * the ranges; the 2nd says which pfns have a page_desc, whose index comes
 * from a prefix count per chunk of pfns plus a per-reader cursor.  Pages
 * are decompressed with the codecs' decompress().  A descriptor with
 * offset 0 (a page an incomplete dump lost) and pfns outside a split
 * part's range have no data.  Reads through input_pread_full() or the
 * whole-file map only; never prints.
 */
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byteorder.h"
#include "codec.h"
#include "fmt_kdump.h"
#include "input.h"

#define MAX_MAPNR	(1ull << 40)	/* pfns: 2^52 bytes of 4 KiB pages */

enum {
	CHUNK_SHIFT_MIN = 12,		/* prefix count per 4096 pfns... */
	MAX_CHUNKS = 1u << 16,		/* ...or more: at most 512 KiB of
					 * index (1 TiB of 4K pages at 4096) */
	DESC_CACHE = 256,		/* descriptors per fill, unmapped files */
	PAGE_CACHE = 32,		/* pages kept by read_paddr */
	MAX_RUNS = 1u << 20,		/* runs of RAM in the 1st bitmap */
	MAX_TEXT = 64u << 20,		/* notes, VMCOREINFO, eraseinfo */
	STREAM = 1u << 20,		/* bitmap bytes read at a time */
};

struct kd {
	uint64_t block;
	unsigned hv;			/* header_version */
	uint32_t status;
	bool incomplete;
	uint64_t max_mapnr;
	uint64_t bmlen;			/* bytes of one bitmap */
	uint64_t off_bm1, off_bm2, off_table;
	uint64_t start_pfn, end_pfn;	/* pfns that have descriptors */
	uint64_t ndesc;
	/* base[c]: descriptors of the pfns in [start_pfn, c << chunk_shift);
	 * at most MAX_CHUNKS entries: chunks grow with max_mapnr, so a
	 * header claiming petabytes costs no more index than 1 TiB */
	uint64_t *base;
	uint64_t nchunks;
	unsigned chunk_shift;
	size_t chunk_bytes;		/* 2nd-bitmap bytes of one chunk */
	char *eraseinfo;
	/* read_paddr() and mask_data(): one reader and a few pages */
	pthread_mutex_t lock;
	struct input_reader rd;
	bool have_rd;
	uint64_t cpfn[PAGE_CACHE];
	uint8_t *cdata;
	unsigned cnext;
};

/* per reader: what it read last */
struct kd_reader {
	uint8_t *cbuf;			/* compressed bytes, unmapped files */
	uint8_t *bits;			/* 2nd bitmap of one chunk */
	uint64_t bits_chunk;		/* UINT64_MAX: none */
	uint64_t cur_pfn, cur_idx;	/* the last index computed */
	bool have_cur;
	struct kdump_page_desc dc[DESC_CACHE];
	uint64_t dc_first, dc_n;
};

static int kdump_probe(const uint8_t *head, size_t len)
{
	return len >= KDUMP_SIGNATURE_LEN &&
	       memcmp(head, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN) == 0;
}

static unsigned popcount_bits(const uint8_t *bm, uint64_t a, uint64_t b)
{
	unsigned n = 0;

	while (a < b && (a & 7))
		n += (bm[a >> 3] >> (a & 7)) & 1, a++;
	while (a + 64 <= b) {
		uint64_t w;

		memcpy(&w, bm + (a >> 3), 8);
		n += (unsigned)__builtin_popcountll(w);
		a += 64;
	}
	while (a + 8 <= b) {
		n += (unsigned)__builtin_popcount(bm[a >> 3]);
		a += 8;
	}
	while (a < b)
		n += (bm[a >> 3] >> (a & 7)) & 1, a++;
	return n;
}

static bool bit(const uint8_t *bm, uint64_t i)
{
	return (bm[i >> 3] >> (i & 7)) & 1;
}

/* Bytes [off, off+len) of a bitmap region: from the map, or read. */
static int read_bytes(struct input *in, uint64_t off, void *buf, size_t len,
		      struct mdf_err *err)
{
	if (in->map && in->mapping == INPUT_MAP_WHOLE) {
		memcpy(buf, in->map + off, len);
		return 0;
	}
	return input_pread_full(in, buf, len, off, err);
}

/* The 2nd-bitmap bytes of chunk c (chunk_bytes, the last may be short). */
static int chunk_bits(struct input *in, struct kd_reader *kr, uint64_t c,
		      const uint8_t **ret, struct mdf_err *err)
{
	const struct kd *kd = in->priv;
	uint64_t off = c * kd->chunk_bytes;
	size_t len = kd->chunk_bytes;
	int rc;

	if (off + len > kd->bmlen)
		len = (size_t)(kd->bmlen - off);
	if (in->map && in->mapping == INPUT_MAP_WHOLE) {
		if (len == kd->chunk_bytes) {
			*ret = in->map + kd->off_bm2 + off;
			return 0;
		}
	} else if (kr->bits_chunk == c) {
		*ret = kr->bits;
		return 0;
	}
	memset(kr->bits, 0, kd->chunk_bytes);
	rc = read_bytes(in, kd->off_bm2 + off, kr->bits, len, err);
	if (rc < 0)
		return mdf_err_wrap(err, "reading the 2nd bitmap");
	kr->bits_chunk = c;
	*ret = kr->bits;
	return 0;
}

/* 1: pfn has a descriptor, *idx_ret its index; 0: it has none. */
static int desc_index(struct input *in, struct kd_reader *kr, uint64_t pfn,
		      uint64_t *idx_ret, struct mdf_err *err)
{
	const struct kd *kd = in->priv;
	uint64_t c = pfn >> kd->chunk_shift, cstart = c << kd->chunk_shift;
	uint64_t from, idx;
	const uint8_t *bits = NULL;
	int rc;

	if (pfn < kd->start_pfn || pfn >= kd->end_pfn)
		return 0;
	rc = chunk_bits(in, kr, c, &bits, err);
	if (rc < 0)
		return rc;
	if (!bit(bits, pfn - cstart))
		return 0;
	if (kr->have_cur && kr->cur_pfn <= pfn &&
	    kr->cur_pfn >> kd->chunk_shift == c) {
		idx = kr->cur_idx + popcount_bits(bits, kr->cur_pfn - cstart,
						  pfn - cstart);
	} else {
		from = kd->start_pfn > cstart ? kd->start_pfn : cstart;
		idx = kd->base[c] + popcount_bits(bits, from - cstart,
						  pfn - cstart);
	}
	kr->cur_pfn = pfn;
	kr->cur_idx = idx;
	kr->have_cur = true;
	*idx_ret = idx;
	return 1;
}

/* Descriptor idx.  MDF_ABSENT when it lies past the end of an incomplete
 * file. */
static int get_desc(struct input *in, struct kd_reader *kr, uint64_t idx,
		    struct kdump_page_desc *ret, struct mdf_err *err)
{
	const struct kd *kd = in->priv;
	uint64_t off = kd->off_table + idx * sizeof(*ret);
	uint64_t n;
	int rc;

	if (off + sizeof(*ret) > in->file_size) {
		if (kd->incomplete)
			return MDF_ABSENT;
		return mdf_err_set(err, MDF_EFORMAT,
				   "page_desc %llu lies past the end of the file",
				   (unsigned long long)idx);
	}
	if (in->map && in->mapping == INPUT_MAP_WHOLE) {
		memcpy(ret, in->map + off, sizeof(*ret));
		return 0;
	}
	if (idx < kr->dc_first || idx >= kr->dc_first + kr->dc_n) {
		n = (in->file_size - off) / sizeof(*ret);
		if (n > DESC_CACHE)
			n = DESC_CACHE;
		rc = input_pread_full(in, kr->dc, (size_t)n * sizeof(*ret), off,
				      err);
		if (rc < 0)
			return mdf_err_wrap(err, "reading page_desc %llu",
					    (unsigned long long)idx);
		kr->dc_first = idx;
		kr->dc_n = n;
	}
	*ret = kr->dc[idx - kr->dc_first];
	return 0;
}

static const struct codec_ops *flag_codec(uint32_t flags, enum codec_id *id)
{
	switch (flags) {
	case DUMP_DH_COMPRESSED_ZLIB: *id = CODEC_ZLIB; break;
	case DUMP_DH_COMPRESSED_LZO: *id = CODEC_LZO; break;
	case DUMP_DH_COMPRESSED_SNAPPY: *id = CODEC_SNAPPY; break;
	case DUMP_DH_COMPRESSED_ZSTD: *id = CODEC_ZSTD; break;
	default: *id = CODEC_NONE; return NULL;
	}
	return codec_find(*id);
}

static int kdump_read_page(struct input_reader *r, uint64_t pfn,
			   const uint8_t **ret, struct mdf_err *err)
{
	struct input *in = r->in;
	const struct kd *kd = in->priv;
	struct kd_reader *kr = r->fmt;
	struct kdump_page_desc d;
	const struct codec_ops *codec = NULL;
	const uint8_t *src;
	uint64_t idx, off;
	uint32_t size, flags;
	enum codec_id id;
	int rc;

	rc = desc_index(in, kr, pfn, &idx, err);
	if (rc <= 0)
		return rc < 0 ? rc : MDF_ABSENT;
	rc = get_desc(in, kr, idx, &d, err);
	if (rc)
		return rc;
	off = get_le64(&d.offset);
	size = get_le32(&d.size);
	flags = get_le32(&d.flags);
	if (off == 0)
		return MDF_ABSENT;	/* lost by an incomplete dump */
	if (kd->incomplete && (off > in->file_size ||
			       size > in->file_size - off))
		return MDF_ABSENT;	/* its data never reached the file */
	if (size == 0 || size > kd->block || off > in->file_size ||
	    size > in->file_size - off)
		return mdf_err_set(err, MDF_EFORMAT,
				   "pfn %#llx: page_desc (offset %#llx, size %u) points outside the file",
				   (unsigned long long)pfn,
				   (unsigned long long)off, size);
	if (flags) {
		codec = flag_codec(flags, &id);
		if (id == CODEC_NONE)
			return mdf_err_set(err, MDF_EFORMAT,
					   "pfn %#llx: page_desc flags %#x name no codec",
					   (unsigned long long)pfn, flags);
		if (!codec)
			return mdf_err_set(err, MDF_EUNSUPP,
					   "pfn %#llx is compressed with %s, which this build lacks",
					   (unsigned long long)pfn, codec_name(id));
	} else if (size != kd->block) {
		return mdf_err_set(err, MDF_EFORMAT,
				   "pfn %#llx: raw page of %u bytes, the block size is %llu",
				   (unsigned long long)pfn, size,
				   (unsigned long long)kd->block);
	}
	if (in->trace)
		in->trace(in->trace_ctx, pfn << in->page_shift, in->page_size);
	if (in->map && in->mapping == INPUT_MAP_WHOLE) {
		src = in->map + off;
	} else {
		uint8_t *buf = codec ? kr->cbuf : r->scratch;

		rc = input_pread_full(in, buf, size, off, err);
		if (rc < 0)
			return mdf_err_wrap(err, "reading pfn %#llx",
					    (unsigned long long)pfn);
		src = buf;
	}
	r->pages_read++;
	if (!codec) {
		*ret = src;
		return 0;
	}
	rc = codec->decompress(src, size, r->scratch, kd->block, err);
	if (rc < 0)
		return mdf_err_wrap(err, "pfn %#llx (%s)",
				    (unsigned long long)pfn, codec->name);
	*ret = r->scratch;
	return 0;
}

static int kdump_reader_init(struct input_reader *r, struct mdf_err *err)
{
	const struct kd *kd = r->in->priv;
	struct kd_reader *kr = calloc(1, sizeof(*kr));

	if (!kr || !(kr->cbuf = malloc(kd->block)) ||
	    !(kr->bits = malloc(kd->chunk_bytes))) {
		if (kr)
			free(kr->cbuf);
		free(kr);
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for a reader");
	}
	kr->bits_chunk = UINT64_MAX;
	r->fmt = kr;
	return 0;
}

static void kdump_reader_deinit(struct input_reader *r)
{
	struct kd_reader *kr = r->fmt;

	if (kr) {
		free(kr->cbuf);
		free(kr->bits);
	}
	free(kr);
	r->fmt = NULL;
}

/* One page through the cache; the caller holds kd->lock. */
static int cached_page(struct input *in, struct kd *kd, uint64_t pfn,
		       const uint8_t **ret, struct mdf_err *err)
{
	const uint8_t *p;
	unsigned i;
	int rc;

	for (i = 0; i < PAGE_CACHE; i++)
		if (kd->cpfn[i] == pfn) {
			*ret = kd->cdata + (size_t)i * kd->block;
			return 0;
		}
	rc = kdump_read_page(&kd->rd, pfn, &p, err);
	if (rc)
		return rc;
	/* allocated on first use: most runs never read_paddr() */
	if (!kd->cdata && !(kd->cdata = malloc((size_t)PAGE_CACHE * kd->block)))
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for a page cache");
	i = kd->cnext++ % PAGE_CACHE;
	memcpy(kd->cdata + (size_t)i * kd->block, p, kd->block);
	kd->cpfn[i] = pfn;
	*ret = kd->cdata + (size_t)i * kd->block;
	(void)in;
	return 0;
}

static int kdump_read_paddr(struct input *in, uint64_t paddr, void *buf,
			    size_t len, struct mdf_err *err)
{
	struct kd *kd = in->priv;
	uint8_t *out = buf;
	int rc = 0;

	pthread_mutex_lock(&kd->lock);
	while (len) {
		uint64_t pfn = paddr >> in->page_shift;
		size_t in_page = (size_t)(paddr & (kd->block - 1));
		size_t n = kd->block - in_page;
		const uint8_t *p = NULL;

		if (n > len)
			n = len;
		rc = cached_page(in, kd, pfn, &p, err);
		if (rc)
			break;
		memcpy(out, p + in_page, n);
		out += n;
		paddr += n;
		len -= n;
	}
	pthread_mutex_unlock(&kd->lock);
	return rc;
}

static long kdump_mask_data(struct input *in, uint64_t start, uint64_t end,
			    uint8_t *bm2, struct mdf_err *err)
{
	struct kd *kd = in->priv;
	struct kd_reader *kr;
	uint64_t pfn;
	long cleared = 0;
	int rc = 0;

	pthread_mutex_lock(&kd->lock);
	kr = kd->rd.fmt;
	for (pfn = start; pfn < end; pfn++) {
		uint64_t i = pfn - start, idx;
		struct kdump_page_desc d;

		if (!bit(bm2, i)) {
			/* skip whole empty bytes */
			if (!(i & 7) && !bm2[i >> 3] && pfn + 8 <= end)
				pfn += 7;
			continue;
		}
		rc = desc_index(in, kr, pfn, &idx, err);
		if (rc < 0)
			break;
		if (rc == 1 && kd->incomplete) {
			rc = get_desc(in, kr, idx, &d, err);
			if (rc < 0)
				break;
			if (rc == 0 && get_le64(&d.offset) != 0 &&
			    get_le64(&d.offset) <= in->file_size &&
			    get_le32(&d.size) <= in->file_size -
						 get_le64(&d.offset))
				continue;
		} else if (rc == 1) {
			continue;
		}
		rc = 0;
		bm2[i >> 3] &= (uint8_t)~(1u << (i & 7));
		cleared++;
	}
	pthread_mutex_unlock(&kd->lock);
	return rc < 0 ? rc : cleared;
}

/* utsname.machine to the ELF machine arch_find() knows; EM_NONE lets the
 * VMCOREINFO decide. */
static unsigned machine_of(const char *m)
{
	if (!strcmp(m, "x86_64"))
		return EM_X86_64;
	if (!strcmp(m, "aarch64") || !strcmp(m, "arm64"))
		return EM_AARCH64;
	if (!strncmp(m, "ppc64", 5))
		return EM_PPC64;
	if (!strcmp(m, "s390x"))
		return EM_S390;
	if (!strcmp(m, "riscv64"))
		return EM_RISCV;
	if (!strcmp(m, "loongarch64"))
		return EM_LOONGARCH;
	if (m[0] == 'i' && !strcmp(m + 2, "86"))
		return EM_386;
	if (!strncmp(m, "arm", 3))
		return EM_ARM;
	return EM_NONE;
}

static bool plausible_block(uint32_t b)
{
	return b >= 4096 && b <= (1u << 20) && !(b & (b - 1));
}

static int read_text(struct input *in, uint64_t off, uint64_t len,
		     const char *what, char **ret, struct mdf_err *err)
{
	char *p;
	int rc;

	if (len > MAX_TEXT || off > in->file_size || len > in->file_size - off)
		return mdf_err_set(err, MDF_EFORMAT,
				   "the %s (%llu bytes at %#llx) lies outside the file",
				   what, (unsigned long long)len,
				   (unsigned long long)off);
	p = malloc(len + 1);
	if (!p)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for the %s", what);
	rc = input_pread_full(in, p, (size_t)len, off, err);
	if (rc < 0) {
		free(p);
		return mdf_err_wrap(err, "reading the %s", what);
	}
	p[len] = '\0';
	*ret = p;
	return 0;
}

/* The note copy, and VMCOREINFO inside it (or read on its own and added
 * as a note, so that a re-filtered dump carries it too). */
static int read_notes(struct input *in, const struct kdump_sub_header *sh,
		      unsigned hv, struct mdf_err *err)
{
	uint64_t noff = 0, nsize = 0, voff = 0, vsize = 0;
	char *notes = NULL, *vi;
	size_t pos;
	int rc;

	if (hv >= 4) {
		noff = get_le64(&sh->offset_note);
		nsize = get_le64(&sh->size_note);
	}
	if (hv >= 3) {
		voff = get_le64(&sh->offset_vmcoreinfo);
		vsize = get_le64(&sh->size_vmcoreinfo);
	}
	if (nsize) {
		rc = read_text(in, noff, nsize, "ELF note copy", &notes, err);
		if (rc < 0)
			return rc;
		in->notes = (uint8_t *)notes;
		in->notes_len = (size_t)nsize;
	}
	if (vsize && voff >= noff && voff - noff < nsize &&
	    vsize <= nsize - (voff - noff)) {
		in->vmcoreinfo = notes + (voff - noff);
		in->vmcoreinfo_len = (size_t)vsize;
		in->vmcoreinfo_note_off = (size_t)(voff - noff);
	} else if (vsize) {
		/* append "VMCOREINFO" note: 12-byte header, name, text */
		size_t namesz = 11, hdr = 12 + 12, dsz = (size_t)vsize;
		size_t total = in->notes_len + hdr + ((dsz + 3) & ~(size_t)3);
		uint8_t *n;

		rc = read_text(in, voff, vsize, "VMCOREINFO", &vi, err);
		if (rc < 0)
			return rc;
		n = realloc(in->notes, total);
		if (!n) {
			free(vi);
			return mdf_err_set(err, MDF_ENOMEM, "out of memory for notes");
		}
		pos = in->notes_len;
		memset(n + pos, 0, total - pos);
		put_le32(n + pos, (uint32_t)namesz);
		put_le32(n + pos + 4, (uint32_t)dsz);
		put_le32(n + pos + 8, 0);
		memcpy(n + pos + 12, "VMCOREINFO", namesz);
		memcpy(n + pos + hdr, vi, dsz);
		free(vi);
		in->notes = n;
		in->notes_len = total;
		in->vmcoreinfo = (const char *)n + pos + hdr;
		in->vmcoreinfo_len = dsz;
		in->vmcoreinfo_note_off = pos + hdr;
	} else if (in->notes_len) {
		/* no pointer: look for the note itself */
		for (pos = 0; pos + 12 <= in->notes_len; ) {
			uint32_t nn = get_le32(in->notes + pos);
			uint32_t nd = get_le32(in->notes + pos + 4);
			size_t d = pos + 12 + ((nn + 3) & ~3u);

			if (d > in->notes_len || nd > in->notes_len - d)
				break;
			if (nn == 11 && !memcmp(in->notes + pos + 12, "VMCOREINFO", 11)) {
				in->vmcoreinfo = (const char *)in->notes + d;
				in->vmcoreinfo_len = nd;
				in->vmcoreinfo_note_off = d;
				break;
			}
			pos = d + ((nd + 3) & ~(size_t)3);
		}
	}
	return 0;
}

/* Is [off, off + len) of the file a hole (reads as zeros without being
 * stored)?  A sparse file may claim bitmaps of terabytes: their holes are
 * not read.  False when the file system cannot tell. */
static bool file_hole(const struct input *in, uint64_t off, uint64_t len)
{
	off_t d;

	/* a container's offsets are not the file's (and it must hold the
	 * bitmaps whole: kdump_open checks) */
	if (in->fd < 0 || in->vread ||
	    (in->map && in->mapping == INPUT_MAP_WHOLE))
		return false;
	d = lseek(in->fd, (off_t)off, SEEK_DATA);
	if (d < 0)
		return errno == ENXIO;	/* no data from off to the end */
	return (uint64_t)d >= off + len;
}

/* Bitmap bytes [off, off + len) into buf, or *hole and nothing read when
 * the file has a hole there. */
static int read_bitmap(struct input *in, uint64_t off, void *buf, size_t len,
		       bool *hole, struct mdf_err *err)
{
	*hole = file_hole(in, off, len);
	if (*hole)
		return 0;
	return read_bytes(in, off, buf, len, err);
}

/* base[] and ndesc from the 2nd bitmap, streamed. */
static int count_descs(struct input *in, struct kd *kd, struct mdf_err *err)
{
	uint8_t *buf;
	uint64_t c, done = 0, pos, span;
	size_t bufsz = STREAM;
	bool hole;
	int rc = 0;

	span = kd->nchunks * kd->chunk_bytes;
	/* whole chunks per read; a small dump streams less */
	if (bufsz < kd->chunk_bytes)
		bufsz = kd->chunk_bytes;
	if (span < bufsz)
		bufsz = (size_t)span;
	kd->base = calloc(kd->nchunks + 1, sizeof(*kd->base));
	buf = malloc(bufsz);
	if (!kd->base || !buf) {
		free(buf);
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for the 2nd bitmap index");
	}
	for (pos = 0; pos < span; pos += bufsz) {
		uint64_t len = span - pos;

		if (len > bufsz)
			len = bufsz;
		if (pos + len > kd->bmlen)
			len = kd->bmlen - pos;
		memset(buf, 0, bufsz);
		rc = read_bitmap(in, kd->off_bm2 + pos, buf, (size_t)len,
				 &hole, err);
		if (rc < 0) {
			mdf_err_wrap(err, "reading the 2nd bitmap");
			break;
		}
		for (c = pos / kd->chunk_bytes;
		     c < kd->nchunks && c * kd->chunk_bytes < pos + bufsz; c++) {
			uint64_t a = c << kd->chunk_shift;
			uint64_t b = a + (1ull << kd->chunk_shift);
			const uint8_t *bits = buf + (c * kd->chunk_bytes - pos);

			kd->base[c] = done;
			if (hole)
				continue;
			if (a < kd->start_pfn)
				a = kd->start_pfn;
			if (b > kd->end_pfn)
				b = kd->end_pfn;
			if (a < b)
				done += popcount_bits(bits, a - (c << kd->chunk_shift),
						      b - (c << kd->chunk_shift));
		}
	}
	free(buf);
	kd->base[kd->nchunks] = done;
	kd->ndesc = done;
	return rc;
}

/* The ranges: runs of set bits in the 1st bitmap, streamed. */
static int build_ranges(struct input *in, struct kd *kd, struct mdf_err *err)
{
	struct input_range *r = NULL;
	size_t n = 0, cap = 0;
	size_t bufsz = kd->bmlen < STREAM ? (size_t)kd->bmlen : STREAM;
	uint8_t *buf = malloc(bufsz ? bufsz : 1);
	uint64_t pos, run_start = 0, p;
	bool in_run = false, hole;
	int rc = 0;

	if (!buf)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for the 1st bitmap");
	for (pos = 0; pos * 8 < kd->max_mapnr && rc == 0; pos += bufsz) {
		uint64_t len = kd->bmlen - pos;

		if (len > bufsz)
			len = bufsz;
		rc = read_bitmap(in, kd->off_bm1 + pos, buf, (size_t)len,
				 &hole, err);
		if (rc < 0) {
			mdf_err_wrap(err, "reading the 1st bitmap");
			break;
		}
		/* a hole is no memory: it ends a run, or there is nothing
		 * to look at */
		if (hole && !in_run && (pos + len) * 8 < kd->max_mapnr)
			continue;
		if (hole)
			memset(buf, 0, (size_t)len);
		for (p = pos * 8; p < (pos + len) * 8 && p <= kd->max_mapnr; p++) {
			bool set = p < kd->max_mapnr && bit(buf, p - pos * 8);

			if (!(p & 7) && p + 8 <= kd->max_mapnr &&
			    buf[(p - pos * 8) >> 3] == (in_run ? 0xff : 0)) {
				p += 7;
				continue;
			}
			if (set == in_run)
				continue;
			if (set) {
				run_start = p;
				in_run = true;
				continue;
			}
			in_run = false;
			if (n == cap) {
				void *q;

				if (cap >= MAX_RUNS) {
					rc = mdf_err_set(err, MDF_EFORMAT,
							 "the 1st bitmap has more than %u runs of memory",
							 MAX_RUNS);
					break;
				}
				cap = cap ? cap * 2 : 64;
				q = realloc(r, cap * sizeof(*r));
				if (!q) {
					rc = mdf_err_set(err, MDF_ENOMEM,
							 "out of memory for memory ranges");
					break;
				}
				r = q;
			}
			r[n].paddr = run_start << in->page_shift;
			r[n].memsz = r[n].filesz = (p - run_start) << in->page_shift;
			r[n].off = 0;
			r[n].vaddr = 0;
			n++;
		}
	}
	/* a run reaching max_mapnr ends there */
	if (rc == 0 && in_run) {
		void *q = realloc(r, (n + 1) * sizeof(*r));

		if (!q) {
			rc = mdf_err_set(err, MDF_ENOMEM, "out of memory for memory ranges");
		} else {
			r = q;
			r[n].paddr = run_start << in->page_shift;
			r[n].memsz = r[n].filesz =
				(kd->max_mapnr - run_start) << in->page_shift;
			r[n].off = r[n].vaddr = 0;
			n++;
		}
	}
	free(buf);
	if (rc < 0) {
		free(r);
		return rc;
	}
	in->loads = calloc(n ? n : 1, sizeof(*in->loads));
	if (!in->loads) {
		free(r);
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for memory ranges");
	}
	for (p = 0; p < n; p++) {
		in->loads[p].paddr = r[p].paddr;
		in->loads[p].memsz = in->loads[p].filesz = r[p].memsz;
		in->loads[p].flags = PF_R | PF_W | PF_X;
	}
	in->nloads = n;
	in->ranges = r;
	in->nranges = n;
	return 0;
}

static int kdump_open(struct input *in, struct mdf_err *err)
{
	struct kdump_disk_header h;
	struct kdump_sub_header sh;
	uint32_t hv, block, sub_blocks, bm_blocks;
	struct kd *kd;
	char machine[KDUMP_UTS_LEN];
	unsigned shift = 0;
	int rc;

	if (in->file_size < sizeof(h))
		return mdf_err_set(err, MDF_EFORMAT,
				   "the file ends inside the kdump header");
	rc = input_pread_full(in, &h, sizeof(h), 0, err);
	if (rc < 0)
		return rc;
	hv = get_le32(&h.header_version);
	block = get_le32(&h.block_size);
	if (hv < 1 || hv > 64) {
		if (__builtin_bswap32(hv) >= 1 && __builtin_bswap32(hv) <= 64)
			return mdf_err_set(err, MDF_EUNSUPP,
					   "big-endian kdump-compressed dumps are not supported");
		return mdf_err_set(err, MDF_EFORMAT,
				   "header_version %u is not a kdump-compressed version (1-6)",
				   hv);
	}
	if (!plausible_block(block)) {
		uint32_t b32 = get_le32((const uint8_t *)&h + 416);

		if (plausible_block(b32))
			return mdf_err_set(err, MDF_EUNSUPP,
					   "32-bit kdump-compressed dumps (ILP32 header layout) are not supported");
		return mdf_err_set(err, MDF_EFORMAT,
				   "block_size %u is not a page size", block);
	}
	if (hv > KDUMP_HEADER_VERSION)
		mdf_warn(in->warns,
			 "%s: kdump header version %u is newer than 6; reading it as version 6",
			 in->path, hv);

	kd = calloc(1, sizeof(*kd));
	if (!kd)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	pthread_mutex_init(&kd->lock, NULL);
	in->priv = kd;
	kd->hv = hv > KDUMP_HEADER_VERSION ? KDUMP_HEADER_VERSION : hv;
	kd->block = block;
	kd->status = get_le32(&h.status);
	kd->incomplete = kd->status & DUMP_DH_COMPRESSED_INCOMPLETE;
	while ((1u << shift) < block)
		shift++;
	in->page_size = block;
	in->page_shift = shift;
	in->fixed_page_size = true;
	in->is_kdump = true;
	in->nr_cpus = get_le32(&h.nr_cpus);
	memcpy(machine, h.utsname[4], sizeof(machine));
	machine[sizeof(machine) - 1] = '\0';
	in->e_machine = machine_of(machine);

	sub_blocks = get_le32(&h.sub_hdr_size);
	bm_blocks = get_le32(&h.bitmap_blocks);
	memset(&sh, 0, sizeof(sh));
	if (sub_blocks < 1)
		return mdf_err_set(err, MDF_EFORMAT,
				   "sub_hdr_size is 0: the header has no sub header block (the bitmaps would overlap it)");
	if (in->file_size < 2 * (uint64_t)block)
		return mdf_err_set(err, MDF_EFORMAT,
				   "the file ends before the sub header");
	rc = input_pread_full(in, &sh, sizeof(sh), block, err);
	if (rc < 0)
		return mdf_err_wrap(err, "reading the sub header");
	kd->max_mapnr = kd->hv >= 6 ? get_le64(&sh.max_mapnr_64) :
			get_le32(&h.max_mapnr);
	if (kd->max_mapnr == 0)
		return mdf_err_set(err, MDF_EFORMAT, "max_mapnr is 0");
	if (kd->max_mapnr > (UINT64_MAX >> shift) >> 1)
		return mdf_err_set(err, MDF_EFORMAT, "max_mapnr %#llx is impossible",
				   (unsigned long long)kd->max_mapnr);
	/* no Linux machine has more: 52 physical address bits of 4 KiB
	 * pages (x86_64 5-level, arm64 LPA2) */
	if (kd->max_mapnr > MAX_MAPNR)
		return mdf_err_set(err, MDF_EFORMAT,
				   "max_mapnr %#llx is more pages than any machine has (at most %#llx)",
				   (unsigned long long)kd->max_mapnr,
				   (unsigned long long)MAX_MAPNR);
	/* the 2nd-bitmap index: chunks of 4096 pfns, larger past 1 TiB */
	kd->chunk_shift = CHUNK_SHIFT_MIN;
	while ((kd->max_mapnr + (1ull << kd->chunk_shift) - 1) >>
	       kd->chunk_shift > MAX_CHUNKS)
		kd->chunk_shift++;
	kd->chunk_bytes = (size_t)1 << (kd->chunk_shift - 3);
	kd->nchunks = (kd->max_mapnr + (1ull << kd->chunk_shift) - 1) >>
		      kd->chunk_shift;
	kd->bmlen = (uint64_t)bm_blocks * block / 2;
	if (kd->bmlen < (kd->max_mapnr + 7) / 8)
		return mdf_err_set(err, MDF_EFORMAT,
				   "%u bitmap blocks cannot hold two bitmaps of %llu pfns (an old one-bitmap diskdump?)",
				   bm_blocks, (unsigned long long)kd->max_mapnr);
	kd->off_bm1 = (uint64_t)(1 + sub_blocks) * block;
	kd->off_bm2 = kd->off_bm1 + kd->bmlen;
	kd->off_table = kd->off_bm2 + kd->bmlen;
	if (kd->off_table > in->file_size)
		return mdf_err_set(err, MDF_EFORMAT,
				   "the file (%llu bytes) ends inside the bitmaps, which end at %#llx",
				   (unsigned long long)in->file_size,
				   (unsigned long long)kd->off_table);

	/* the bitmaps are streamed below, at a cost that grows with
	 * max_mapnr: in a container, where holes cost nothing, only bytes
	 * it holds.  Writers write a bit for every pfn (makedumpfile 1.7.2
	 * leaves the padding to the block out of a -F stream). */
	if (in->vbacked) {
		uint64_t need = (kd->max_mapnr + 7) / 8;

		if (!in->vbacked(in, kd->off_bm1, need) ||
		    !in->vbacked(in, kd->off_bm2, need))
			return mdf_err_set(err, MDF_EFORMAT,
					   "the %s stream does not hold the bitmaps (%llu bytes each at %#llx and %#llx)",
					   in->container ? in->container : "container",
					   (unsigned long long)need,
					   (unsigned long long)kd->off_bm1,
					   (unsigned long long)kd->off_bm2);
	}

	kd->start_pfn = 0;
	kd->end_pfn = kd->max_mapnr;
	if (kd->hv >= 2 && get_le32(&sh.split)) {
		uint64_t a = kd->hv >= 6 ? get_le64(&sh.start_pfn_64) :
			     get_le64(&sh.start_pfn);
		uint64_t b = kd->hv >= 6 ? get_le64(&sh.end_pfn_64) :
			     get_le64(&sh.end_pfn);

		if (a > b || b > kd->max_mapnr)
			return mdf_err_set(err, MDF_EFORMAT,
					   "split part range [%#llx, %#llx) is not inside [0, %#llx)",
					   (unsigned long long)a,
					   (unsigned long long)b,
					   (unsigned long long)kd->max_mapnr);
		kd->start_pfn = a;
		kd->end_pfn = b;
		mdf_warn(in->warns,
			 "%s is one part of a split dump: only pfns %#llx-%#llx have data",
			 in->path, (unsigned long long)a, (unsigned long long)b);
	}
	in->src_dump_level = (int)get_le32(&sh.dump_level);
	if (in->src_dump_level < 0 || in->src_dump_level > 31) {
		mdf_warn(in->warns, "%s: dump_level %d in the sub header is not 0-31; taken as 0",
			 in->path, in->src_dump_level);
		in->src_dump_level = 0;
	}
	in->have_phys_base = true;
	in->phys_base = get_le64(&sh.phys_base);
	in->max_mapnr = kd->max_mapnr;

	rc = read_notes(in, &sh, kd->hv, err);
	if (rc < 0)
		return rc;
	if (kd->hv >= 5 && get_le64(&sh.size_eraseinfo)) {
		rc = read_text(in, get_le64(&sh.offset_eraseinfo),
			       get_le64(&sh.size_eraseinfo), "eraseinfo",
			       &kd->eraseinfo, err);
		if (rc < 0)
			return rc;
		in->eraseinfo = kd->eraseinfo;
		in->eraseinfo_len = (size_t)get_le64(&sh.size_eraseinfo);
	}
	rc = count_descs(in, kd, err);
	if (rc < 0)
		return rc;
	if (kd->off_table + kd->ndesc * sizeof(struct kdump_page_desc) >
	    in->file_size && !kd->incomplete)
		return mdf_err_set(err, MDF_EFORMAT,
				   "the page_desc table of %llu entries runs past the end of the file (truncated?)",
				   (unsigned long long)kd->ndesc);
	if (kd->incomplete)
		mdf_warn(in->warns,
			 "%s is an incomplete dump: the pages it lost are left out",
			 in->path);
	rc = build_ranges(in, kd, err);
	if (rc < 0)
		return rc;

	memset(kd->cpfn, 0xff, sizeof(kd->cpfn));
	rc = input_reader_init(&kd->rd, in, err);
	if (rc < 0)
		return rc;
	kd->have_rd = true;
	return 0;
}

static void kdump_close(struct input *in)
{
	struct kd *kd = in->priv;

	if (!kd)
		return;
	if (kd->have_rd)
		input_reader_deinit(&kd->rd);
	pthread_mutex_destroy(&kd->lock);
	free(kd->cdata);
	free(kd->base);
	free(kd->eraseinfo);
	free(kd);
	in->priv = NULL;
}

const struct input_ops input_kdump_ops = {
	.name		= "kdump-compressed",
	.probe		= kdump_probe,
	.open		= kdump_open,
	.read_page	= kdump_read_page,
	.close		= kdump_close,
	.read_paddr	= kdump_read_paddr,
	.reader_init	= kdump_reader_init,
	.reader_deinit	= kdump_reader_deinit,
	.mask_data	= kdump_mask_data,
};
