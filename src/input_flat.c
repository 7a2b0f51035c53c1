/* input_flat.c: stage 1, a flattened stream file (-F output saved as it
 * came, fmt_flat.h) read in place, without rearranging it first.
 *
 * An index of the records maps every byte of the logical file to the
 * stream byte that holds it (a later record for the same bytes wins, as
 * with -R; bytes no record wrote read as zeros); the dump inside, ELF or
 * kdump-compressed, is then opened through in->vread.  The index holds
 * one entry per record, never page data.  Never prints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "byteorder.h"
#include "fmt_flat.h"
#include "input.h"

/* a piece of the logical file: [off, off + len) is stream bytes at pos */
struct flat_seg {
	uint64_t off, len, pos;
	uint64_t seq;		/* record number: the larger wins */
};

struct flat {
	const uint8_t *map;	/* the stream file, if mapped */
	uint64_t map_len;
	struct flat_seg *seg;	/* sorted, disjoint */
	size_t nseg;
	uint64_t size;		/* logical file size */
};

struct seg_list {
	struct flat_seg *v;
	size_t n, cap;
};

static int flat_probe(const uint8_t *head, size_t len)
{
	const struct flat_header *h = (const void *)head;

	return len >= sizeof(*h) &&
	       strncmp(h->signature, FLAT_SIGNATURE, sizeof(h->signature)) == 0 &&
	       get_be64(&h->type) == FLAT_TYPE;
}

static int list_push(struct seg_list *l, const struct flat_seg *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		void *p = realloc(l->v, cap * sizeof(*l->v));

		if (!p)
			return -1;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = *s;
	return 0;
}

/* Append the piece [a, b) of x, merged with the last piece if it goes on. */
static int emit(struct seg_list *out, const struct flat_seg *x, uint64_t a,
		uint64_t b)
{
	struct flat_seg s;

	if (a >= b)
		return 0;
	if (out->n) {
		struct flat_seg *l = &out->v[out->n - 1];

		if (l->seq == x->seq && l->off + l->len == a) {
			l->len += b - a;
			return 0;
		}
	}
	s.off = a;
	s.len = b - a;
	s.pos = x->pos + (a - x->off);
	s.seq = x->seq;
	return list_push(out, &s);
}

static int cmp_rec(const void *a, const void *b)
{
	const struct flat_seg *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Records (in stream order) to sorted disjoint pieces.  Sorted by offset,
 * a record can only overlap a suffix of what is built so far; that suffix
 * is painted again with the record on top where it is newer. */
static int build_index(struct flat *f, struct flat_seg *rec, size_t n,
		       struct mdf_err *err)
{
	struct seg_list out = { 0 }, tmp = { 0 };
	size_t i, j, k;

	if (n)		/* a stream of no records: rec is NULL */
		qsort(rec, n, sizeof(*rec), cmp_rec);
	for (i = 0; i < n; i++) {
		const struct flat_seg *r = &rec[i];
		uint64_t end = r->off + r->len, pos;

		k = out.n;
		while (k && out.v[k - 1].off + out.v[k - 1].len > r->off)
			k--;
		if (k == out.n) {
			if (emit(&out, r, r->off, end) < 0)
				goto oom;
			continue;
		}
		tmp.n = 0;
		for (j = k; j < out.n; j++)
			if (list_push(&tmp, &out.v[j]) < 0)
				goto oom;
		out.n = k;
		for (j = 0; j < tmp.n; j++) {
			const struct flat_seg *t = &tmp.v[j];
			uint64_t b = t->off + t->len < r->off ?
				     t->off + t->len : r->off;

			if (emit(&out, t, t->off, b) < 0)
				goto oom;
		}
		pos = r->off;
		for (j = 0; j < tmp.n; j++) {
			const struct flat_seg *t = &tmp.v[j];
			uint64_t a = t->off > r->off ? t->off : r->off;
			uint64_t b = t->off + t->len < end ? t->off + t->len : end;

			if (a >= b)
				continue;
			if (emit(&out, r, pos, a) < 0 ||
			    emit(&out, t->seq > r->seq ? t : r, a, b) < 0)
				goto oom;
			pos = b;
		}
		if (emit(&out, r, pos, end) < 0)
			goto oom;
		for (j = 0; j < tmp.n; j++) {
			const struct flat_seg *t = &tmp.v[j];
			uint64_t a = t->off > end ? t->off : end;

			if (emit(&out, t, a, t->off + t->len) < 0)
				goto oom;
		}
	}
	free(tmp.v);
	f->seg = out.v;
	f->nseg = out.n;
	f->size = out.n ? out.v[out.n - 1].off + out.v[out.n - 1].len : 0;
	return 0;
oom:
	free(tmp.v);
	free(out.v);
	return mdf_err_set(err, MDF_ENOMEM, "out of memory for the index of the flattened stream");
}

/* Stream bytes, from the map or the file. */
static int raw_read(struct input *in, const struct flat *f, void *buf,
		    size_t len, uint64_t pos, struct mdf_err *err)
{
	uint8_t *p = buf;

	if (f->map) {
		memcpy(buf, f->map + pos, len);
		return 0;
	}
	while (len) {
		ssize_t n = pread(in->fd, p, len, (off_t)pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mdf_err_sys(err, errno, "reading %s", in->path);
		if (n == 0)
			return mdf_err_set(err, MDF_EFORMAT, "%s ends at %#llx",
					   in->path, (unsigned long long)pos);
		p += n;
		pos += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int flat_vread(struct input *in, void *buf, size_t len, uint64_t off,
		      struct mdf_err *err)
{
	const struct flat *f = in->vpriv;
	uint8_t *p = buf;
	size_t lo = 0, hi = f->nseg;

	if (off > f->size || len > f->size - off)
		return mdf_err_set(err, MDF_EFORMAT,
				   "%s: reading %zu bytes at %#llx, past the end of the dump the stream holds (%#llx)",
				   in->path, len, (unsigned long long)off,
				   (unsigned long long)f->size);
	/* the last piece starting at or before off */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->seg[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	lo = lo ? lo - 1 : 0;
	while (len) {
		const struct flat_seg *s = lo < f->nseg ? &f->seg[lo] : NULL;
		size_t n;
		int rc;

		if (!s || off < s->off) {
			/* a hole up to the next piece */
			n = s ? (size_t)(s->off - off < len ? s->off - off : len) : len;
			memset(p, 0, n);
		} else if (off >= s->off + s->len) {
			lo++;
			continue;
		} else {
			n = s->off + s->len - off < len ?
			    (size_t)(s->off + s->len - off) : len;
			rc = raw_read(in, f, p, n, s->pos + (off - s->off), err);
			if (rc < 0)
				return rc;
		}
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static bool flat_backed(const struct input *in, uint64_t off, uint64_t len)
{
	const struct flat *f = in->vpriv;
	size_t lo = 0, hi = f->nseg;

	if (off > f->size || len > f->size - off)
		return false;
	/* the last piece starting at or before off; pieces are disjoint
	 * and sorted, so the bytes are held iff they run on without a gap */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->seg[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return len == 0;
	for (lo--; len; lo++) {
		const struct flat_seg *s = &f->seg[lo];
		uint64_t n;

		if (lo >= f->nseg || s->off > off || off - s->off >= s->len)
			return false;
		n = s->len - (off - s->off);
		if (n >= len)
			return true;
		off += n;
		len -= n;
	}
	return true;
}

static void flat_close(struct input *in)
{
	struct flat *f = in->vpriv;

	if (!f)
		return;
	free(f->seg);
	free(f);
	in->vpriv = NULL;
}

static int flat_open(struct input *in, struct mdf_err *err)
{
	struct flat *f = calloc(1, sizeof(*f));
	struct seg_list rec = { 0 };
	uint64_t pos = FLAT_HEADER_SIZE, real = in->file_size;
	bool ended = false;
	int rc;

	if (!f)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	in->vpriv = f;
	in->vclose = flat_close;
	in->container = "flattened";
	/* memory the caller gave (INPUT_MAP_WHOLE, borrowed, never unmapped)
	 * is the stream's; the dump inside is read through vread */
	if (in->map) {
		f->map = in->map;
		f->map_len = in->file_size;
		in->map = NULL;
	}
	in->mapping = INPUT_MAP_NONE;
	if (!real)
		return mdf_err_set(err, MDF_EUNSUPP,
				   "a flattened stream must be a regular file to be read in place (use -R)");

	while (pos + sizeof(struct flat_record) <= real) {
		struct flat_record h;
		struct flat_seg s;
		uint64_t off, size;

		rc = raw_read(in, f, &h, sizeof(h), pos, err);
		if (rc < 0)
			goto fail;
		off = get_be64(&h.offset);
		size = get_be64(&h.size);
		if (off == FLAT_END_MARK && size == FLAT_END_MARK) {
			ended = true;
			break;
		}
		if ((int64_t)off < 0 || (int64_t)size <= 0 ||
		    size > real - pos - sizeof(h)) {
			rc = mdf_err_set(err, MDF_EFORMAT,
					 "record %zu at stream offset %#llx (offset %lld, size %lld) is damaged or cut short",
					 rec.n, (unsigned long long)pos,
					 (long long)off, (long long)size);
			goto fail;
		}
		s.off = off;
		s.len = size;
		s.pos = pos + sizeof(h);
		s.seq = rec.n;
		if (list_push(&rec, &s) < 0) {
			rc = mdf_err_set(err, MDF_ENOMEM,
					 "out of memory for the records of the flattened stream");
			goto fail;
		}
		pos = s.pos + size;
	}
	if (!ended) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "Can't get valid end header of flattened format: the stream ends without its end marker (cut short?)");
		goto fail;
	}
	rc = build_index(f, rec.v, rec.n, err);
	free(rec.v);
	rec.v = NULL;
	if (rc < 0)
		return rc;
	in->file_size = f->size;
	in->vread = flat_vread;
	in->vbacked = flat_backed;
	return input_open_inner(in, err);
fail:
	free(rec.v);
	return rc;
}

/* never called: open() hands the input to the format inside */
static int flat_read_page(struct input_reader *r, uint64_t pfn,
			  const uint8_t **ret, struct mdf_err *err)
{
	(void)r;
	(void)pfn;
	(void)ret;
	return mdf_err_set(err, MDF_EFORMAT, "flattened stream read without its inner format");
}

const struct input_ops input_flat_ops = {
	.name		= "flattened",
	.probe		= flat_probe,
	.open		= flat_open,
	.read_page	= flat_read_page,
};
