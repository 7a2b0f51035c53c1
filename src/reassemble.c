/* reassemble.c: --reassemble (reassemble.h).  Stage 8 beside the writers:
 * reads the part files with pread(), writes through a sink. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bitmap.h"
#include "byteorder.h"
#include "fmt_kdump.h"
#include "reassemble.h"

enum {
	COPY_BUF = 1u << 20,	/* page data copied at a time */
	DESC_BATCH = 4096,	/* descriptors read and written at a time */
	MAX_ERASEINFO = 64u << 20,
};

struct part {
	const char *path;
	int fd;
	uint64_t size;
	struct kdump_disk_header h;
	struct kdump_sub_header sh;
	uint64_t start, end;
};

static int pread_full(const struct part *p, void *buf, size_t len,
		      uint64_t off, struct mdf_err *err)
{
	uint8_t *q = buf;

	while (len) {
		ssize_t n = pread(p->fd, q, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mdf_err_sys(err, errno, "reading %s", p->path);
		if (n == 0)
			return mdf_err_set(err, MDF_EFORMAT,
					   "%s ends at %#llx (truncated?)",
					   p->path, (unsigned long long)off);
		q += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int open_part(struct part *p, const char *path, struct mdf_err *err)
{
	off_t size;
	int rc;

	p->path = path;
	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0)
		return mdf_err_sys(err, errno, "Can't open the dump file(%s)", path);
	size = lseek(p->fd, 0, SEEK_END);
	p->size = size > 0 ? (uint64_t)size : 0;
	rc = pread_full(p, &p->h, sizeof(p->h), 0, err);
	if (rc < 0)
		return rc;
	if (memcmp(p->h.signature, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN))
		return mdf_err_set(err, MDF_EFORMAT,
				   "%s is not a kdump-compressed file", path);
	if (get_le32(&p->h.header_version) != KDUMP_HEADER_VERSION)
		return mdf_err_set(err, MDF_EUNSUPP,
				   "%s: header version %u; --reassemble reads version 6",
				   path, get_le32(&p->h.header_version));
	rc = pread_full(p, &p->sh, sizeof(p->sh), get_le32(&p->h.block_size),
			err);
	if (rc < 0)
		return rc;
	if (!get_le32(&p->sh.split))
		return mdf_err_set(err, MDF_EFORMAT,
				   "%s is not a part of a split dump", path);
	p->start = get_le64(&p->sh.start_pfn_64);
	p->end = get_le64(&p->sh.end_pfn_64);
	return 0;
}

/* The fields every part shares: all but status' INCOMPLETE bit. */
static bool same_header(const struct part *a, const struct part *b)
{
	struct kdump_disk_header x = a->h, y = b->h;
	struct kdump_sub_header s = a->sh, t = b->sh;

	put_le32(&x.status, get_le32(&x.status) & ~DUMP_DH_COMPRESSED_INCOMPLETE);
	put_le32(&y.status, get_le32(&y.status) & ~DUMP_DH_COMPRESSED_INCOMPLETE);
	s.start_pfn = t.start_pfn = s.end_pfn = t.end_pfn = 0;
	s.start_pfn_64 = t.start_pfn_64 = s.end_pfn_64 = t.end_pfn_64 = 0;
	s.offset_eraseinfo = t.offset_eraseinfo = 0;
	s.size_eraseinfo = t.size_eraseinfo = 0;
	return !memcmp(&x, &y, sizeof(x)) && !memcmp(&s, &t, sizeof(s));
}

static int cmp_part(const void *a, const void *b)
{
	const struct part *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

/* Bytes [off, off+len) of p to out at the same offset. */
static int copy_same(const struct part *p, struct sink *out, uint64_t off,
		     uint64_t len, uint8_t *buf, struct mdf_err *err)
{
	while (len) {
		size_t n = len < COPY_BUF ? (size_t)len : COPY_BUF;
		int rc = pread_full(p, buf, n, off, err);

		if (rc < 0)
			return rc;
		rc = sink_write_at(out, off, buf, n, err);
		if (rc < 0)
			return rc;
		off += n;
		len -= n;
	}
	return 0;
}

struct layout {
	uint64_t block, max_mapnr, bmlen, off_bm2, off_table;
	uint64_t ntotal, data_start, zero_off;	/* zero_off 0: no zero block */
};

/* One part's descriptors and data, appended at *data_off. */
static int copy_part(const struct part *p, const struct layout *L,
		     struct sink *out, uint64_t *idx, uint64_t *data_off,
		     uint8_t *buf, struct kdump_page_desc *d, uint64_t nbits,
		     const struct reassemble_progress *prog,
		     struct mdf_err *err)
{
	uint64_t n = nbits, done = 0;
	int rc;

	while (done < n) {
		uint64_t m = n - done < DESC_BATCH ? n - done : DESC_BATCH;
		uint64_t src = L->off_table + done * sizeof(*d), i;
		/* a run of data contiguous in the part and in the output */
		uint64_t run_src = 0, run_len = 0, run_dst = 0;
		uint64_t have = p->size > src ? (p->size - src) / sizeof(*d) : 0;

		memset(d, 0, DESC_BATCH * sizeof(*d));
		if (have > m)
			have = m;
		if (have) {
			rc = pread_full(p, d, have * sizeof(*d), src, err);
			if (rc < 0)
				return rc;
		}
		for (i = 0; i < m; i++) {
			uint64_t off = get_le64(&d[i].offset);
			uint32_t size = get_le32(&d[i].size);

			if (off == 0)
				continue;	/* lost: stays lost */
			if (L->zero_off && off == L->zero_off) {
				put_le64(&d[i].offset, L->zero_off);
				continue;
			}
			if (size == 0 || size > L->block || off > p->size ||
			    size > p->size - off)
				return mdf_err_set(err, MDF_EFORMAT,
						   "%s: page_desc %llu (offset %#llx, size %u) points outside the file",
						   p->path,
						   (unsigned long long)(done + i),
						   (unsigned long long)off, size);
			if (run_len && (run_src + run_len != off ||
					run_len + size > COPY_BUF)) {
				rc = pread_full(p, buf, (size_t)run_len, run_src, err);
				if (rc == 0)
					rc = sink_write_at(out, run_dst, buf,
							   (size_t)run_len, err);
				if (rc < 0)
					return rc;
				run_len = 0;
			}
			if (!run_len) {
				run_src = off;
				run_dst = *data_off;
			}
			run_len += size;
			put_le64(&d[i].offset, *data_off);
			*data_off += size;
		}
		if (run_len) {
			rc = pread_full(p, buf, (size_t)run_len, run_src, err);
			if (rc == 0)
				rc = sink_write_at(out, run_dst, buf,
						   (size_t)run_len, err);
			if (rc < 0)
				return rc;
		}
		rc = sink_write_at(out, L->off_table + *idx * sizeof(*d), d,
				   (size_t)m * sizeof(*d), err);
		if (rc < 0)
			return rc;
		*idx += m;
		done += m;
		if (prog && prog->step)
			prog->step(prog->ctx, *idx, L->ntotal);
	}
	return 0;
}

int reassemble_parts(char *const *paths, unsigned n, struct sink *out,
		     const struct reassemble_progress *prog,
		     bool *incomplete_ret, struct mdf_err *err)
{
	struct part *p = calloc(n ? n : 1, sizeof(*p));
	uint8_t *buf = NULL;
	struct kdump_page_desc *d = NULL;
	struct kdump_disk_header h;
	struct kdump_sub_header sh;
	struct layout L;
	uint64_t idx = 0, data_off, pos, ei_len = 0;
	bool incomplete = false;
	unsigned i;
	int rc = 0;

	if (!p)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		p[i].fd = -1;
	for (i = 0; i < n; i++) {
		rc = open_part(&p[i], paths[i], err);
		if (rc < 0)
			goto out;
		if (i && !same_header(&p[0], &p[i])) {
			rc = mdf_err_set(err, MDF_EFORMAT,
					 "%s and %s are not parts of the same dump (their headers differ)",
					 p[0].path, p[i].path);
			goto out;
		}
		if (get_le32(&p[i].h.status) & DUMP_DH_COMPRESSED_INCOMPLETE)
			incomplete = true;
	}
	qsort(p, n, sizeof(*p), cmp_part);

	memset(&L, 0, sizeof(L));
	L.block = get_le32(&p[0].h.block_size);
	L.max_mapnr = get_le64(&p[0].sh.max_mapnr_64);
	L.bmlen = (uint64_t)get_le32(&p[0].h.bitmap_blocks) * L.block / 2;
	/* the zero block and runs of page data go through buf: a block is
	 * at most COPY_BUF (plausible page sizes end at 1 MiB); the sub
	 * header has a block of its own before the bitmaps */
	if (L.block < 4096 || L.block > COPY_BUF || (L.block & (L.block - 1)) ||
	    get_le32(&p[0].h.sub_hdr_size) < 1 ||
	    L.bmlen < (L.max_mapnr + 7) / 8) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "%s: block size %llu, %u sub header blocks or bitmaps of %llu bytes for %llu pfns are impossible",
				 p[0].path, (unsigned long long)L.block,
				 get_le32(&p[0].h.sub_hdr_size),
				 (unsigned long long)L.bmlen,
				 (unsigned long long)L.max_mapnr);
		goto out;
	}
	for (i = 0, pos = 0; i < n; i++) {
		if (p[i].start != pos || p[i].end < p[i].start ||
		    p[i].end > L.max_mapnr) {
			rc = mdf_err_set(err, MDF_EFORMAT,
					 "%s covers pfns %#llx-%#llx, but the parts so far end at %#llx (a part is missing or given twice)",
					 p[i].path, (unsigned long long)p[i].start,
					 (unsigned long long)p[i].end,
					 (unsigned long long)pos);
			goto out;
		}
		pos = p[i].end;
	}
	if (pos != L.max_mapnr) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "the parts end at pfn %#llx, the dump at %#llx (a part is missing)",
				 (unsigned long long)pos,
				 (unsigned long long)L.max_mapnr);
		goto out;
	}
	/* the buffers once the parts look right */
	buf = malloc(COPY_BUF);
	d = malloc(DESC_BATCH * sizeof(*d));
	if (!buf || !d) {
		rc = mdf_err_set(err, MDF_ENOMEM, "out of memory");
		goto out;
	}
	L.off_bm2 = (uint64_t)(1 + get_le32(&p[0].h.sub_hdr_size)) * L.block +
		    L.bmlen;
	L.off_table = L.off_bm2 + L.bmlen;
	for (i = 0; i < n; i++)
		if (p[i].size < L.off_table) {
			rc = mdf_err_set(err, MDF_EFORMAT,
					 "%s ends inside its bitmaps", p[i].path);
			goto out;
		}

	/* N over the whole dump, and each part's share, from part 1's
	 * 2nd bitmap (they are all the same) */
	{
		uint64_t a;

		for (a = 0; a < L.bmlen; a += COPY_BUF) {
			size_t m = L.bmlen - a < COPY_BUF ? (size_t)(L.bmlen - a) :
				   COPY_BUF;
			uint64_t first = a * 8, last = (a + m) * 8;

			rc = pread_full(&p[0], buf, m, L.off_bm2 + a, err);
			if (rc < 0)
				goto out;
			if (last > L.max_mapnr)
				last = L.max_mapnr;
			if (first < last)
				L.ntotal += bm_count(buf, 0, last - first);
		}
	}
	L.data_start = L.off_table + L.ntotal * sizeof(struct kdump_page_desc);
	if (get_le32(&p[0].sh.dump_level) & 1)
		L.zero_off = L.data_start;

	/* headers: INCOMPLETE until everything is there */
	h = p[0].h;
	put_le32(&h.status, get_le32(&h.status) | DUMP_DH_COMPRESSED_INCOMPLETE);
	rc = sink_write_at(out, 0, &h, sizeof(h), err);
	if (rc < 0)
		goto out;
	sh = p[0].sh;
	put_le32(&sh.split, 0);
	sh.start_pfn = sh.end_pfn = sh.start_pfn_64 = sh.end_pfn_64 = 0;
	sh.offset_eraseinfo = sh.size_eraseinfo = 0;
	rc = sink_write_at(out, L.block, &sh, sizeof(sh), err);
	if (rc < 0)
		goto out;
	/* notes and both bitmaps as they are */
	rc = copy_same(&p[0], out, L.block + sizeof(sh),
		       L.off_table - L.block - sizeof(sh), buf, err);
	if (rc < 0)
		goto out;

	data_off = L.data_start;
	if (L.zero_off) {
		memset(buf, 0, L.block);
		rc = sink_write_at(out, L.zero_off, buf, L.block, err);
		if (rc < 0)
			goto out;
		data_off += L.block;
	}
	for (i = 0; i < n; i++) {
		uint64_t a, cnt = 0;

		/* this part's descriptors: 2nd-bitmap bits in its range */
		for (a = p[i].start; a < p[i].end; ) {
			uint64_t lo = a / 8 / COPY_BUF * COPY_BUF * 8;
			uint64_t hi = lo + (uint64_t)COPY_BUF * 8;
			size_t m = L.bmlen - lo / 8 < COPY_BUF ?
				   (size_t)(L.bmlen - lo / 8) : COPY_BUF;

			if (hi > p[i].end)
				hi = p[i].end;
			rc = pread_full(&p[0], buf, m, L.off_bm2 + lo / 8, err);
			if (rc < 0)
				goto out;
			cnt += bm_count(buf, a - lo, hi - lo);
			a = hi;
		}
		rc = copy_part(&p[i], &L, out, &idx, &data_off, buf, d, cnt,
			       prog, err);
		if (rc < 0)
			goto out;
	}
	if (idx != L.ntotal) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "the parts hold %llu page descriptors, the 2nd bitmap %llu",
				 (unsigned long long)idx,
				 (unsigned long long)L.ntotal);
		goto out;
	}
	/* every part's eraseinfo, in order */
	for (i = 0; i < n; i++) {
		uint64_t eo = get_le64(&p[i].sh.offset_eraseinfo);
		uint64_t es = get_le64(&p[i].sh.size_eraseinfo);

		if (!es)
			continue;
		if (es > MAX_ERASEINFO || es > COPY_BUF || eo > p[i].size ||
		    es > p[i].size - eo) {
			rc = mdf_err_set(err, MDF_EFORMAT,
					 "%s: eraseinfo of %llu bytes at %#llx lies outside the file",
					 p[i].path, (unsigned long long)es,
					 (unsigned long long)eo);
			goto out;
		}
		rc = pread_full(&p[i], buf, (size_t)es, eo, err);
		if (rc == 0)
			rc = sink_write_at(out, data_off + ei_len, buf,
					   (size_t)es, err);
		if (rc < 0)
			goto out;
		ei_len += es;
	}
	if (ei_len) {
		put_le64(&sh.offset_eraseinfo, data_off);
		put_le64(&sh.size_eraseinfo, ei_len);
		rc = sink_write_at(out, L.block, &sh, sizeof(sh), err);
		if (rc < 0)
			goto out;
	}
	rc = sink_sync(out, err);
	if (rc < 0)
		goto out;
	if (!incomplete) {
		/* the parts' own header, complete */
		h = p[0].h;
		put_le32(&h.status, get_le32(&h.status) &
			 ~DUMP_DH_COMPRESSED_INCOMPLETE);
		rc = sink_write_at(out, 0, &h, sizeof(h), err);
		if (rc < 0)
			goto out;
	}
	rc = sink_finish(out, err);
	*incomplete_ret = incomplete;
out:
	for (i = 0; p && i < n; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	free(p);
	free(buf);
	free(d);
	return rc;
}
