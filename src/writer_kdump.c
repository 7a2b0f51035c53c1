/* writer_kdump.c: stage 8, the kdump-compressed file (fmt_kdump.h).
 *
 * begin() writes the main header, the sub header and the source's ELF
 * notes; the count pass writes both bitmaps window by window and counts N,
 * the dumpable pages, which fixes where the page data starts; the page
 * pass appends one page_desc and the (compressed) data per page through
 * two write caches that are flushed as a pair, data first, so that a
 * descriptor on disk always points at data that reached the disk.  On a
 * seekable output the header says INCOMPLETE until finish() has synced
 * everything and rewrites it: an interrupted run never leaves a file that
 * claims to be complete.  Never prints.
 */
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "fmt_kdump.h"
#include "writer.h"

struct kdump_writer {
	struct writer w;
	uint64_t block;			/* block_size = page size */
	uint64_t sub_hdr_blocks;
	uint64_t bitmap_len;		/* bytes of one bitmap */
	uint64_t off_bitmap1, off_bitmap2, off_table, off_data;
	uint64_t ndumpable;		/* N: 2nd-bitmap bits, count pass */
	uint32_t status;		/* header status of a complete dump */
	uint32_t codec_flag;		/* page_desc.flags of compressed pages */
	bool zero_block;		/* dump level bit 1: shared zero page */
	struct kdump_page_desc zero_desc;
	/* write caches: descriptors and data, flushed as a pair */
	uint8_t *dcache, *pcache;
	size_t dlen, plen, dcap, pcap;
	uint64_t dcache_off, pcache_off;	/* file offsets of their starts */
	uint64_t data_off;			/* next data byte */
	uint64_t ndesc;				/* descriptors emitted */
	uint64_t nrange;			/* --split: dumpable in the part */
	/* the sub header, rewritten by finish() with the eraseinfo */
	struct kdump_sub_header sh;
	bool erasing;		/* --config given, or the input's eraseinfo */
};

static uint32_t codec_flag(enum codec_id id)
{
	switch (id) {
	case CODEC_ZLIB: return DUMP_DH_COMPRESSED_ZLIB;
	case CODEC_LZO: return DUMP_DH_COMPRESSED_LZO;
	case CODEC_SNAPPY: return DUMP_DH_COMPRESSED_SNAPPY;
	case CODEC_ZSTD: return DUMP_DH_COMPRESSED_ZSTD;
	default: return 0;
	}
}

static int kdump_create(const struct writer_params *p, struct writer **ret,
			struct mdf_err *err)
{
	struct kdump_writer *k = calloc(1, sizeof(*k));
	const struct input *in = p->in;
	int order = p->block_order;

	if (!k)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for the writer");
	k->w.ops = &writer_kdump_ops;
	k->w.p = *p;
	k->block = in->page_size;
	k->sub_hdr_blocks = (sizeof(struct kdump_sub_header) + in->notes_len +
			     k->block - 1) / k->block;
	k->bitmap_len = kdump_bitmap_len(p->max_mapnr, k->block);
	k->off_bitmap1 = (KDUMP_HEADER_BLOCKS + k->sub_hdr_blocks) * k->block;
	k->off_bitmap2 = k->off_bitmap1 + k->bitmap_len;
	k->off_table = k->off_bitmap2 + k->bitmap_len;
	k->codec_flag = p->codec ? codec_flag(p->codec->id) : 0;
	k->status = k->codec_flag;
	if (p->excluded_vmemmap)
		k->status |= DUMP_DH_EXCLUDED_VMEMMAP;
	k->zero_block = p->dump_level & 1;

	/* -b: caches of 2^order pages (makedumpfile's default 4) */
	if (order < 0 || order > 12)
		order = 4;
	k->pcap = (size_t)in->page_size << order;
	if (k->pcap < 2 * (size_t)in->page_size)
		k->pcap = 2 * (size_t)in->page_size;
	k->dcap = k->pcap / sizeof(struct kdump_page_desc) *
		  sizeof(struct kdump_page_desc);
	k->pcache = malloc(k->pcap);
	k->dcache = malloc(k->dcap);
	if (!k->pcache || !k->dcache) {
		free(k->pcache);
		free(k->dcache);
		free(k);
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for write caches");
	}
	*ret = &k->w;
	return 0;
}

static void kdump_destroy(struct writer *w)
{
	struct kdump_writer *k = (struct kdump_writer *)w;

	free(k->pcache);
	free(k->dcache);
	free(k);
}

static void build_header(const struct kdump_writer *k, uint32_t status,
			 struct kdump_disk_header *h)
{
	const struct writer_params *p = &k->w.p;

	memset(h, 0, sizeof(*h));
	memcpy(h->signature, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN);
	put_le32(&h->header_version, KDUMP_HEADER_VERSION);
	memcpy(h->utsname, p->utsname, sizeof(h->utsname));
	put_le64(&h->timestamp_sec, p->crashtime);
	put_le64(&h->timestamp_usec, 0);
	put_le32(&h->status, status);
	put_le32(&h->block_size, (uint32_t)k->block);
	put_le32(&h->sub_hdr_size, (uint32_t)k->sub_hdr_blocks);
	put_le32(&h->bitmap_blocks, (uint32_t)(2 * k->bitmap_len / k->block));
	/* obsolete 32-bit copy; readers of version 6 use max_mapnr_64 */
	put_le32(&h->max_mapnr, p->max_mapnr > UINT32_MAX ? UINT32_MAX :
		 (uint32_t)p->max_mapnr);
	put_le32(&h->nr_cpus, p->in->nr_cpus);
}

static int write_header(struct kdump_writer *k, uint32_t status,
			struct mdf_err *err)
{
	struct kdump_disk_header h;

	build_header(k, status, &h);
	return sink_write_at(k->w.p.sink, 0, &h, sizeof(h), err);
}

static int kdump_begin(struct writer *w, struct mdf_err *err)
{
	struct kdump_writer *k = (struct kdump_writer *)w;
	const struct writer_params *p = &w->p;
	const struct input *in = p->in;
	struct kdump_sub_header sh;
	uint64_t off_note = k->block + sizeof(sh);
	int rc;

	k->erasing = (p->erase && p->erase->ninst) || p->eraseinfo_len;

	/* a seekable output says INCOMPLETE until finish(); a stream is
	 * written once, in its final form */
	rc = write_header(k, p->sink->can_patch ?
			  k->status | DUMP_DH_COMPRESSED_INCOMPLETE : k->status,
			  err);
	if (rc < 0)
		return rc;

	memset(&sh, 0, sizeof(sh));
	put_le64(&sh.phys_base, p->phys_base);
	put_le32(&sh.dump_level, p->dump_level);
	put_le64(&sh.max_mapnr_64, p->max_mapnr);
	if (p->split) {
		/* the legacy fields keep 32 bits, as makedumpfile's do */
		put_le32(&sh.split, 1);
		put_le64(&sh.start_pfn, (uint32_t)p->split_start);
		put_le64(&sh.end_pfn, (uint32_t)p->split_end);
		put_le64(&sh.start_pfn_64, p->split_start);
		put_le64(&sh.end_pfn_64, p->split_end);
	}
	if (in->notes_len) {
		put_le64(&sh.offset_note, off_note);
		put_le64(&sh.size_note, in->notes_len);
		if (in->vmcoreinfo) {
			put_le64(&sh.offset_vmcoreinfo,
				 off_note + in->vmcoreinfo_note_off);
			put_le64(&sh.size_vmcoreinfo, in->vmcoreinfo_len);
		}
	}
	k->sh = sh;
	/* a stream holds each byte once: with eraseinfo to come, the sub
	 * header waits for finish() */
	if (p->sink->can_patch || !k->erasing) {
		rc = sink_write_at(p->sink, k->block, &sh, sizeof(sh), err);
		if (rc < 0)
			return rc;
	}
	if (in->notes_len)
		rc = sink_write_at(p->sink, off_note, in->notes, in->notes_len,
				   err);
	return rc;
}

/* The bitmaps of one window; windows start at multiples of 64 pfns. */
static int kdump_count_window(struct writer *w, const struct cycle *c,
			      struct mdf_err *err)
{
	struct kdump_writer *k = (struct kdump_writer *)w;
	uint64_t n = c->end - c->start;
	size_t bytes = (size_t)((n + 7) / 8);
	uint64_t at = c->start / 8;
	int rc;

	rc = sink_write_at(w->p.sink, k->off_bitmap1 + at, c->bm1, bytes, err);
	if (rc < 0)
		return rc;
	rc = sink_write_at(w->p.sink, k->off_bitmap2 + at, c->bm2, bytes, err);
	if (rc < 0)
		return rc;
	if (c->empty)
		return 0;
	k->ndumpable += bm_count(c->bm2, 0, n);
	if (w->p.split) {
		uint64_t a = w->p.split_start > c->start ? w->p.split_start : c->start;
		uint64_t b = w->p.split_end < c->end ? w->p.split_end : c->end;

		if (a < b)
			k->nrange += bm_count(c->bm2, a - c->start, b - c->start);
	}
	return 0;
}

/* After a short data write: keep the descriptors whose data all reached
 * the sink, and never leave half a descriptor behind. */
static void save_confirmed(struct kdump_writer *k, uint64_t data_end)
{
	struct sink *s = k->w.p.sink;
	size_t ok = 0, done;
	struct mdf_err e2;

	while (ok < k->dlen) {
		const struct kdump_page_desc *d =
			(const void *)(k->dcache + ok);

		if (get_le64(&d->offset) + get_le32(&d->size) > data_end)
			break;
		ok += sizeof(*d);
	}
	if (!ok || sink_write_at(s, k->dcache_off, k->dcache, ok, &e2) == 0)
		return;
	done = s->short_done;
	if (done % sizeof(struct kdump_page_desc)) {
		static const uint8_t zeros[sizeof(struct kdump_page_desc)];
		size_t torn = done % sizeof(struct kdump_page_desc);

		sink_write_at(s, k->dcache_off + done - torn, zeros, torn, &e2);
	}
}

static int flush_pair(struct kdump_writer *k, struct mdf_err *err)
{
	struct sink *s = k->w.p.sink;
	int rc;

	if (k->plen) {
		rc = sink_write_at(s, k->pcache_off, k->pcache, k->plen, err);
		if (rc < 0) {
			if (s->nospace)
				save_confirmed(k, k->pcache_off + s->short_done);
			k->plen = k->dlen = 0;
			return rc;
		}
		k->pcache_off += k->plen;
		k->plen = 0;
	}
	if (k->dlen) {
		rc = sink_write_at(s, k->dcache_off, k->dcache, k->dlen, err);
		if (rc < 0) {
			size_t torn = s->short_done %
				      sizeof(struct kdump_page_desc);

			if (s->nospace && torn) {
				static const uint8_t zeros[sizeof(struct kdump_page_desc)];
				struct mdf_err e2;

				sink_write_at(s, k->dcache_off + s->short_done - torn,
					      zeros, torn, &e2);
				s->nospace = true;
			}
			k->dlen = 0;
			return rc;
		}
		k->dcache_off += k->dlen;
		k->dlen = 0;
	}
	return 0;
}

static int kdump_pass_begin(struct writer *w, unsigned pass,
			    const struct cycle *c, struct writer_pass *ret,
			    struct mdf_err *err)
{
	struct kdump_writer *k = (struct kdump_writer *)w;

	(void)pass;
	(void)c;
	k->off_data = k->off_table +
		      k->ndumpable * sizeof(struct kdump_page_desc);
	k->dcache_off = k->off_table;
	k->pcache_off = k->off_data;
	k->data_off = k->off_data;
	k->dlen = k->plen = 0;
	k->ndesc = 0;
	if (k->zero_block) {
		/* one page of zeros first; every zero page points at it */
		memset(k->pcache, 0, k->block);
		k->plen = k->block;
		put_le64(&k->zero_desc.offset, k->off_data);
		put_le32(&k->zero_desc.size, (uint32_t)k->block);
		put_le32(&k->zero_desc.flags, 0);
		put_le64(&k->zero_desc.page_flags, 0);
		k->data_off += k->block;
	}
	ret->work = PIPE_COMPRESS;
	ret->pfn_start = w->p.split ? w->p.split_start : 0;
	ret->pfn_end = w->p.split ? w->p.split_end : w->p.max_mapnr;
	ret->ranges = NULL;
	(void)err;
	return 0;
}

static int kdump_window(struct writer *w, const struct cycle *c,
			struct mdf_err *err)
{
	(void)w;
	(void)c;
	(void)err;
	return 0;
}

static int kdump_pages(struct writer *w, const struct pipe_result *r,
		       size_t n, struct mdf_err *err)
{
	struct kdump_writer *k = (struct kdump_writer *)w;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		struct kdump_page_desc d;

		if (k->dlen + sizeof(d) > k->dcap ||
		    k->plen + r[i].size > k->pcap) {
			rc = flush_pair(k, err);
			if (rc < 0)
				return rc;
		}
		if (r[i].zero && k->zero_block) {
			d = k->zero_desc;
		} else {
			put_le64(&d.offset, k->data_off);
			put_le32(&d.size, r[i].size);
			put_le32(&d.flags, r[i].codec == CODEC_NONE ? 0 :
				 k->codec_flag);
			put_le64(&d.page_flags, 0);
			memcpy(k->pcache + k->plen, r[i].data, r[i].size);
			k->plen += r[i].size;
			k->data_off += r[i].size;
			w->pages_written++;
		}
		memcpy(k->dcache + k->dlen, &d, sizeof(d));
		k->dlen += sizeof(d);
		k->ndesc++;
	}
	return 0;
}

static int kdump_window_end(struct writer *w, const struct cycle *c,
			    struct mdf_err *err)
{
	(void)w;
	(void)c;
	(void)err;
	return 0;
}

static int kdump_pass_end(struct writer *w, unsigned pass,
			  struct mdf_err *err)
{
	struct kdump_writer *k = (struct kdump_writer *)w;
	int rc;

	(void)pass;
	rc = flush_pair(k, err);
	if (rc < 0)
		return rc;
	if (k->ndesc != (w->p.split ? k->nrange : k->ndumpable))
		return mdf_err_set(err, MDF_EIO,
				   "wrote %llu page descriptors but counted %llu dumpable pages",
				   (unsigned long long)k->ndesc,
				   (unsigned long long)(w->p.split ? k->nrange :
							k->ndumpable));
	return 0;
}

/* The erase directives after the last page data, the input's first
 * (re-filtering, makedumpfile's order) then --config's, and the sub
 * header pointing at them (formats.md section 5.3). */
static int write_eraseinfo(struct kdump_writer *k, struct mdf_err *err)
{
	const struct writer_params *p = &k->w.p;
	struct sink *s = p->sink;
	char *text = NULL;
	size_t len = 0;
	int rc = 0;

	if (p->erase) {
		rc = erase_info_text(p->erase, &text, &len, err);
		if (rc < 0)
			return rc;
	}
	if (p->eraseinfo_len)
		rc = sink_write_at(s, k->data_off, p->eraseinfo,
				   p->eraseinfo_len, err);
	if (rc == 0 && len)
		rc = sink_write_at(s, k->data_off + p->eraseinfo_len, text, len,
				   err);
	if (p->eraseinfo_len + len) {
		put_le64(&k->sh.offset_eraseinfo, k->data_off);
		put_le64(&k->sh.size_eraseinfo, p->eraseinfo_len + len);
	}
	free(text);
	if (rc == 0 && (p->eraseinfo_len + len || !s->can_patch))
		rc = sink_write_at(s, k->block, &k->sh, sizeof(k->sh), err);
	return rc;
}

static int kdump_finish(struct writer *w, struct mdf_err *err)
{
	struct kdump_writer *k = (struct kdump_writer *)w;
	struct sink *s = w->p.sink;
	int rc;

	if (k->erasing) {
		rc = write_eraseinfo(k, err);
		if (rc < 0)
			return rc;
	}
	if (s->can_patch) {
		/* everything else is durable before the header says so */
		rc = sink_sync(s, err);
		if (rc < 0)
			return rc;
		rc = write_header(k, k->status, err);
		if (rc < 0)
			return rc;
	}
	return sink_finish(s, err);
}

static int kdump_incomplete(struct writer *w, struct mdf_err *err)
{
	struct kdump_writer *k = (struct kdump_writer *)w;

	/* the header written by begin() already says INCOMPLETE; what the
	 * failing flush could not save is lost, and its descriptors are 0 */
	(void)err;
	k->dlen = k->plen = 0;
	return 0;
}

const struct writer_ops writer_kdump_ops = {
	.name		= "kdump-compressed",
	.create		= kdump_create,
	.begin		= kdump_begin,
	.count_window	= kdump_count_window,
	.npasses	= 1,
	.pass_begin	= kdump_pass_begin,
	.window		= kdump_window,
	.pages		= kdump_pages,
	.window_end	= kdump_window_end,
	.pass_end	= kdump_pass_end,
	.finish		= kdump_finish,
	.incomplete	= kdump_incomplete,
	.destroy	= kdump_destroy,
};
