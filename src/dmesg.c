/* dmesg.c: the kernel log of a dump, for --dump-dmesg (dmesg.md).
 *
 * Sits beside the page pipeline: it needs only the arch (kernel virtual
 * reads) and VMCOREINFO.  Every buffer is copied once with a size checked
 * against hard limits, every index and length from the dump is checked
 * before use, and every walk is bounded, so a corrupt log gives an error or
 * a partial log, never a hang or a read outside a buffer.  Never prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byteorder.h"
#include "dmesg.h"

/* the kernel's LOG_BUF_LEN_MAX: log_buf_len= is capped at 2 GiB */
#define LOG_BUF_LEN_MAX		(1ull << 31)
/* lockless ring: at most 2^26 descriptors with a 2 GiB text ring
 * (PRB_AVGBITS 5); a little slack for odd configurations */
#define PRB_COUNT_BITS_MAX	28
#define PRB_SIZE_BITS_MAX	31
/* struct printk_ringbuffer is under 100 bytes; lockdep builds add little */
#define RB_SIZE_MAX		1024
/* special lpos values (kernel/printk/printk_ringbuffer.h): bit 0 set means
 * "no data block"; EMPTY_LINE_LPOS was called NO_LPOS before 6.10 */
#define FAILED_LPOS		0x1
#define EMPTY_LINE_LPOS		0x3
/* desc state in the top two bits of state_var */
enum desc_state {
	DESC_RESERVED = 0, DESC_COMMITTED = 1, DESC_FINALIZED = 2,
	DESC_REUSABLE = 3,
};
#define CALLER_CPU		0x80000000u
/* makedumpfile's caller column width (PID_CHARS_DEFAULT) */
#define CALLER_WIDTH		8

/* one record ready to print */
struct dmesg_rec {
	const uint8_t *text;
	uint64_t ts_nsec;
	uint32_t pos;		/* records format: chain position (for clear_idx) */
	uint32_t caller_id;
	uint16_t text_len;
};

struct dmesg_log {
	struct dmesg_stats st;
	bool has_caller;
	char trunc_msg[384];	/* why the chain stopped (st.truncated) */
	/* DMESG_PLAIN: the ring bytes in order */
	uint8_t *raw;
	size_t raw_len;
	/* DMESG_RECORDS / DMESG_LOCKLESS */
	uint8_t *buf;		/* log_buf, or the text data ring */
	uint8_t *descs, *infos;	/* lockless */
	struct dmesg_rec *recs;
	size_t nrecs, first;	/* records [first, nrecs) are written */
};

/* ---- reading the dump ---- */

static int read_kv(const struct arch *a, uint64_t vaddr, void *buf,
		   size_t len, const char *what, struct mdf_err *err)
{
	int rc;

	mdf_err_clear(err);
	rc = arch_read_kvaddr(a, vaddr, buf, len, err);
	if (rc < 0)
		return mdf_err_wrap(err, "Can't read %s at %#llx", what,
				    (unsigned long long)vaddr);
	if (rc == MDF_ABSENT) {
		if (err->msg[0]) {
			err->code = MDF_EFORMAT;
			return mdf_err_wrap(err, "Can't read %s at %#llx",
					    what, (unsigned long long)vaddr);
		}
		return mdf_err_set(err, MDF_EFORMAT,
				   "Can't read %s at %#llx: not in the dump",
				   what, (unsigned long long)vaddr);
	}
	return 0;
}

static int read_u32(const struct arch *a, uint64_t vaddr, uint32_t *ret,
		    const char *what, struct mdf_err *err)
{
	uint8_t b[4];
	int rc = read_kv(a, vaddr, b, sizeof(b), what, err);

	if (rc == 0)
		*ret = get_le32(b);
	return rc;
}

/* an unsigned long of the dumped kernel (4 or 8 bytes) */
static int read_long(const struct arch *a, uint64_t vaddr, unsigned lsize,
		     uint64_t *ret, const char *what, struct mdf_err *err)
{
	uint8_t b[8];
	int rc = read_kv(a, vaddr, b, lsize, what, err);

	if (rc == 0)
		*ret = get_le_width(b, lsize);
	return rc;
}

/* Copy len bytes at vaddr into a new buffer, page by page.  A page the
 * dump does not have reads as zeros and is counted in *absent: a filtered
 * kdump file leaves out zero pages, and the unused part of a log buffer is
 * zeros (makedumpfile reads excluded pages as zeros too).  A buffer none of
 * whose pages is in the dump is an error: the address is wrong. */
static int copy_kv(const struct arch *a, uint64_t vaddr, uint64_t len,
		   const char *what, uint8_t **ret, uint64_t *absent,
		   struct mdf_err *err)
{
	uint64_t ps = a->page_size ? a->page_size : 4096;
	uint64_t done = 0, pages = 0, missing = 0;
	char why[200] = "not in the dump";
	uint8_t *p;
	int rc;

	if (len > SIZE_MAX)
		return mdf_err_set(err, MDF_ENOMEM, "%s is too large (%llu bytes)",
				   what, (unsigned long long)len);
	/* zeroed and untouched where the dump has no page: a hostile size
	 * (up to the kernel's 2 GiB) costs memory only for pages it has */
	p = calloc(1, len ? (size_t)len : 1);
	if (!p)
		return mdf_err_set(err, MDF_ENOMEM,
				   "out of memory for %s (%llu bytes)", what,
				   (unsigned long long)len);
	while (done < len) {
		uint64_t va = vaddr + done;
		uint64_t n = ps - (va & (ps - 1));

		if (n > len - done)
			n = len - done;
		mdf_err_clear(err);
		{
			uint64_t pa, plen;

			rc = arch_kvtop(a, va, &pa, &plen, err);
			if (rc == 0 && input_find_range(a->in, pa) < 0)
				rc = MDF_ABSENT;
			if (rc == MDF_ABSENT) {
				if (!missing && err->msg[0])
					snprintf(why, sizeof(why), "%.199s",
						 err->msg);
				missing++;
				pages++;
				done += n;
				continue;
			}
		}
		rc = arch_read_kvaddr(a, va, p + done, (size_t)n, err);
		if (rc < 0) {
			free(p);
			return mdf_err_wrap(err, "Can't read %s at %#llx", what,
					    (unsigned long long)va);
		}
		if (rc == MDF_ABSENT) {
			if (!missing && err->msg[0])
				snprintf(why, sizeof(why), "%.199s", err->msg);
			memset(p + done, 0, (size_t)n);
			missing++;
		}
		pages++;
		done += n;
	}
	if (missing && missing == pages) {
		free(p);
		return mdf_err_set(err, MDF_EFORMAT, "Can't read %s at %#llx: %s",
				   what, (unsigned long long)vaddr, why);
	}
	*absent += missing;
	*ret = p;
	return 0;
}

/* the size of unsigned long: SIZE(atomic_long_t) where exported (5.10+),
 * else 8: every arch we read is 64-bit */
static unsigned long_size(const struct vmcoreinfo *vi)
{
	if (vmci_has(vi, VMCI_SIZE_atomic_long_t) &&
	    vmci_get(vi, VMCI_SIZE_atomic_long_t) == 4)
		return 4;
	return 8;
}

/* a field of width bytes at off lies inside size bytes (no overflow) */
static bool fits(uint64_t off, uint64_t width, uint64_t size)
{
	return off <= size && width <= size - off;
}

/* An OFFSET() key must exist and a field of width bytes there must fit in
 * a struct of size bytes: checked once, so every later read is in bounds. */
static int need_field(const struct vmcoreinfo *vi, enum vmci_id id,
		      unsigned width, uint64_t size, struct mdf_err *err)
{
	uint64_t off;
	int rc;

	rc = vmci_require(vi, id, "to read the kernel log", err);
	if (rc < 0)
		return rc;
	off = vmci_get(vi, id);
	if (!fits(off, width, size))
		return mdf_err_set(err, MDF_EFORMAT,
				   "VMCOREINFO %s=%llu does not fit a %llu-byte structure",
				   vmci_key_name(id), (unsigned long long)off,
				   (unsigned long long)size);
	return 0;
}

static int need_size(const struct vmcoreinfo *vi, enum vmci_id id,
		     uint64_t max, uint64_t *ret, struct mdf_err *err)
{
	int rc = vmci_require(vi, id, "to read the kernel log", err);

	if (rc < 0)
		return rc;
	*ret = vmci_get(vi, id);
	if (*ret == 0 || *ret > max)
		return mdf_err_set(err, MDF_EFORMAT,
				   "VMCOREINFO %s=%llu is not a plausible size",
				   vmci_key_name(id), (unsigned long long)*ret);
	return 0;
}

static int add_rec(struct dmesg_log *log, size_t *cap,
		   const struct dmesg_rec *r, struct mdf_err *err)
{
	if (log->nrecs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		struct dmesg_rec *n = realloc(log->recs, ncap * sizeof(*n));

		if (!n)
			return mdf_err_set(err, MDF_ENOMEM,
					   "out of memory for the log records");
		log->recs = n;
		*cap = ncap;
	}
	log->recs[log->nrecs++] = *r;
	return 0;
}

/* ---- <= 3.4: plain character ring (dmesg.md section 2) ---- */

static int load_plain(struct dmesg_log *log, const struct arch *a,
		      const struct vmcoreinfo *vi, const struct dmesg_opts *o,
		      struct mdf_warns *warns, struct mdf_err *err)
{
	unsigned lsize = long_size(vi);
	uint64_t buf_va = 0, log_end = 0, idx;
	uint32_t len32 = 0;
	int rc;

	log->st.format = DMESG_PLAIN;
	rc = read_long(a, vmci_get(vi, VMCI_SYMBOL_log_buf), lsize, &buf_va,
		       "log_buf", err);
	if (rc < 0)
		return rc;
	rc = read_u32(a, vmci_get(vi, VMCI_SYMBOL_log_buf_len), &len32,
		      "log_buf_len", err);
	if (rc < 0)
		return rc;
	/* log_end: unsigned long up to 2.6.24, unsigned since 2.6.25 */
	if (vmcoreinfo_kernel_version(vi) &&
	    vmcoreinfo_kernel_version(vi) < KERNEL_VERSION(2, 6, 25)) {
		rc = read_long(a, vmci_get(vi, VMCI_SYMBOL_log_end), lsize,
			       &log_end, "log_end", err);
	} else {
		uint32_t e32 = 0;

		rc = read_u32(a, vmci_get(vi, VMCI_SYMBOL_log_end), &e32,
			      "log_end", err);
		log_end = e32;
	}
	if (rc < 0)
		return rc;
	/* the kernel masks with log_buf_len - 1: a power of two */
	if (len32 == 0 || len32 > LOG_BUF_LEN_MAX || (len32 & (len32 - 1)))
		return mdf_err_set(err, MDF_EFORMAT,
				   "log_buf_len %u is not a power of two up to 2 GiB: the printk log_buf is most likely corrupted",
				   len32);
	if (o->partial)
		mdf_warn(warns, "--partial-dmesg: kernels before 3.5 keep no clear position; writing the whole log");

	log->raw = malloc(len32);
	if (!log->raw)
		return mdf_err_set(err, MDF_ENOMEM,
				   "out of memory for log_buf (%u bytes)", len32);
	if (log_end < len32) {
		log->raw_len = (size_t)log_end;
		return read_kv(a, buf_va, log->raw, log->raw_len, "log_buf",
			       err);
	}
	/* the ring is full: the oldest byte is the next one to be written */
	idx = log_end & (len32 - 1);
	log->raw_len = len32;
	rc = read_kv(a, buf_va + idx, log->raw, len32 - idx, "log_buf", err);
	if (rc < 0)
		return rc;
	return read_kv(a, buf_va, log->raw + (len32 - idx), (size_t)idx,
		       "log_buf", err);
}

/* ---- 3.5 - 5.9: struct printk_log records (dmesg.md section 3) ---- */

struct rec_layout {
	uint64_t hdr;		/* SIZE(printk_log) */
	uint64_t off_ts, off_len, off_text_len;
	bool has_dict, has_caller;
	uint64_t off_dict_len, off_caller;
};

static int rec_layout_init(struct rec_layout *l, const struct vmcoreinfo *vi,
			   struct mdf_err *err)
{
	int rc;

	memset(l, 0, sizeof(*l));
	rc = need_size(vi, VMCI_SIZE_printk_log, 4096, &l->hdr, err);
	if (rc < 0)
		return rc;
	if ((rc = need_field(vi, VMCI_OFFSET_printk_log_ts_nsec, 8, l->hdr, err)) < 0 ||
	    (rc = need_field(vi, VMCI_OFFSET_printk_log_len, 2, l->hdr, err)) < 0 ||
	    (rc = need_field(vi, VMCI_OFFSET_printk_log_text_len, 2, l->hdr, err)) < 0)
		return rc;
	l->off_ts = vmci_get(vi, VMCI_OFFSET_printk_log_ts_nsec);
	l->off_len = vmci_get(vi, VMCI_OFFSET_printk_log_len);
	l->off_text_len = vmci_get(vi, VMCI_OFFSET_printk_log_text_len);
	if (vmci_has(vi, VMCI_OFFSET_printk_log_dict_len) &&
	    need_field(vi, VMCI_OFFSET_printk_log_dict_len, 2, l->hdr, err) == 0) {
		l->has_dict = true;
		l->off_dict_len = vmci_get(vi, VMCI_OFFSET_printk_log_dict_len);
	}
	/* caller_id exists only with CONFIG_PRINTK_CALLER (5.1+), and then
	 * the kernel prints it: show it whenever its offset is known */
	if (vmci_has(vi, VMCI_OFFSET_printk_log_caller_id)) {
		rc = need_field(vi, VMCI_OFFSET_printk_log_caller_id, 4, l->hdr,
				err);
		if (rc < 0)
			return rc;
		l->has_caller = true;
		l->off_caller = vmci_get(vi, VMCI_OFFSET_printk_log_caller_id);
	}
	mdf_err_clear(err);
	return 0;
}

static void truncate_at(struct dmesg_log *log, uint64_t buf_va, uint32_t pos,
			const char *why)
{
	log->st.truncated = true;
	snprintf(log->trunc_msg, sizeof(log->trunc_msg),
		 "%s: the printk log_buf is most likely corrupted (log_buf = %#llx, idx = %#x)",
		 why, (unsigned long long)buf_va, pos);
}

/* Walk the chain from first to next.  Each position is visited once (a
 * bitmap at the 4-byte record alignment), so the walk ends; every header,
 * length and text is checked to lie inside the buffer. */
static int walk_records(struct dmesg_log *log, const struct rec_layout *l,
			uint64_t buf_va, uint32_t len, uint32_t first,
			uint32_t next, struct mdf_err *err)
{
	const uint8_t *buf = log->buf;
	uint8_t *seen;
	size_t cap = 0;
	uint32_t p = first;
	int rc = 0;

	seen = calloc(len / 32 + 1, 1);
	if (!seen)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	while (p != next) {
		struct dmesg_rec r;
		uint32_t at = p, rlen, tl, dl = 0;

		if ((p & 3) || p > len - l->hdr) {
			truncate_at(log, buf_va, p, "Index outside log_buf detected");
			break;
		}
		if (seen[p / 32] & (1u << (p / 4 % 8))) {
			truncate_at(log, buf_va, p, "Cycle when parsing dmesg detected");
			break;
		}
		seen[p / 32] |= (uint8_t)(1u << (p / 4 % 8));
		rlen = get_le16(buf + p + l->off_len);
		if (rlen == 0) {
			/* wrap marker: this record is stored at offset 0 */
			at = 0;
			rlen = get_le16(buf + l->off_len);
			if (p == 0 || rlen == 0) {
				truncate_at(log, buf_va, p,
					    "Wrap marker without a record at offset 0");
				break;
			}
			if (seen[0] & 1) {
				truncate_at(log, buf_va, p,
					    "Cycle when parsing dmesg detected");
				break;
			}
			seen[0] |= 1;
		}
		tl = get_le16(buf + at + l->off_text_len);
		if (l->has_dict)
			dl = get_le16(buf + at + l->off_dict_len);
		/* a length that would not advance, or text beyond the record */
		if (rlen < l->hdr || rlen > len - at ||
		    l->hdr + tl + dl > rlen) {
			truncate_at(log, buf_va, at,
				    "Record length outside log_buf detected");
			break;
		}
		r.text = buf + at + l->hdr;
		r.text_len = (uint16_t)tl;
		r.ts_nsec = get_le64(buf + at + l->off_ts);
		r.pos = p;
		r.caller_id = l->has_caller ? get_le32(buf + at + l->off_caller) : 0;
		rc = add_rec(log, &cap, &r, err);
		if (rc < 0)
			break;
		p = at + rlen;
	}
	free(seen);
	return rc;
}

static int load_records(struct dmesg_log *log, const struct arch *a,
			const struct vmcoreinfo *vi, const struct dmesg_opts *o,
			struct mdf_warns *warns, struct mdf_err *err)
{
	struct rec_layout l;
	uint64_t buf_va = 0;
	uint32_t len = 0, first = 0, next = 0, clear = 0;
	size_t i;
	int rc;

	log->st.format = DMESG_RECORDS;
	if (!vmci_has(vi, VMCI_SYMBOL_log_first_idx) ||
	    !vmci_has(vi, VMCI_SYMBOL_log_next_idx))
		return mdf_err_set(err, MDF_EFORMAT,
				   "Can't find variable-length record symbols: VMCOREINFO has neither SYMBOL(log_end) nor SYMBOL(log_first_idx) and SYMBOL(log_next_idx)");
	rc = rec_layout_init(&l, vi, err);
	if (rc < 0)
		return mdf_err_wrap(err, "Can't get necessary structures for extracting dmesg log");
	log->has_caller = l.has_caller;
	if ((rc = read_long(a, vmci_get(vi, VMCI_SYMBOL_log_buf), long_size(vi),
			    &buf_va, "log_buf", err)) < 0 ||
	    (rc = read_u32(a, vmci_get(vi, VMCI_SYMBOL_log_buf_len), &len,
			   "log_buf_len", err)) < 0 ||
	    (rc = read_u32(a, vmci_get(vi, VMCI_SYMBOL_log_first_idx), &first,
			   "log_first_idx", err)) < 0 ||
	    (rc = read_u32(a, vmci_get(vi, VMCI_SYMBOL_log_next_idx), &next,
			   "log_next_idx", err)) < 0)
		return rc;
	if (len < l.hdr || len > LOG_BUF_LEN_MAX)
		return mdf_err_set(err, MDF_EFORMAT,
				   "log_buf_len %u is impossible: the printk log_buf is most likely corrupted",
				   len);
	if (first > len - l.hdr || next > len - l.hdr)
		return mdf_err_set(err, MDF_EFORMAT,
				   "Index outside log_buf detected: log_first_idx %#x, log_next_idx %#x, log_buf_len %#x",
				   first, next, len);
	rc = copy_kv(a, buf_va, len, "log_buf", &log->buf,
		     &log->st.absent_pages, err);
	if (rc < 0)
		return rc;
	rc = walk_records(log, &l, buf_va, len, first, next, err);
	if (rc < 0)
		return rc;

	if (!o->partial)
		return 0;
	/* clear_idx is where "dmesg -C" left off, exported since kernel
	 * commit f468908bb55a in 4.6; the kernel moves it forward with
	 * log_first_idx, so it is on the chain */
	if (!vmci_has(vi, VMCI_SYMBOL_clear_idx)) {
		mdf_warn(warns, "--partial-dmesg: VMCOREINFO has no SYMBOL(clear_idx) (kernels before 4.6); writing the whole log");
		return 0;
	}
	rc = read_u32(a, vmci_get(vi, VMCI_SYMBOL_clear_idx), &clear,
		      "clear_idx", err);
	if (rc < 0)
		return rc;
	if (clear == next && !log->st.truncated) {
		log->first = log->nrecs;
		return 0;
	}
	for (i = 0; i < log->nrecs; i++)
		if (log->recs[i].pos == clear) {
			log->first = i;
			return 0;
		}
	mdf_warn(warns, "--partial-dmesg: clear_idx %#x is not the start of any record; writing the whole log",
		 clear);
	return 0;
}

/* ---- 5.10+: lockless ring buffer (dmesg.md section 4) ----
 * Since kernel commit 896fbe20b4e2 ("printk: use the lockless ringbuffer")
 * in 5.10.  struct prb_desc_ring grew a last_finalized_id (commit
 * f244b4dc53e5, 5.19): every offset comes from VMCOREINFO, none is assumed.
 */

struct prb_layout {
	unsigned lsize;			/* sizeof(long) */
	uint64_t off_counter;		/* atomic_long_t.counter */
	uint64_t desc_size, info_size;
	uint64_t off_sv, off_begin, off_next;	/* in struct prb_desc */
	uint64_t off_seq, off_ts, off_text_len;	/* in struct printk_info */
};

static int prb_layout_init(struct prb_layout *l, const struct vmcoreinfo *vi,
			   struct mdf_err *err)
{
	uint64_t lpos;
	int rc;

	memset(l, 0, sizeof(*l));
	l->lsize = long_size(vi);
	if (vmci_has(vi, VMCI_OFFSET_atomic_long_t_counter))
		l->off_counter = vmci_get(vi, VMCI_OFFSET_atomic_long_t_counter);
	if ((rc = need_size(vi, VMCI_SIZE_prb_desc, 4096, &l->desc_size, err)) < 0 ||
	    (rc = need_size(vi, VMCI_SIZE_printk_info, 4096, &l->info_size, err)) < 0 ||
	    (rc = vmci_require(vi, VMCI_OFFSET_prb_desc_state_var, "to read the kernel log", err)) < 0 ||
	    (rc = vmci_require(vi, VMCI_OFFSET_prb_desc_text_blk_lpos, "to read the kernel log", err)) < 0 ||
	    (rc = vmci_require(vi, VMCI_OFFSET_prb_data_blk_lpos_begin, "to read the kernel log", err)) < 0 ||
	    (rc = vmci_require(vi, VMCI_OFFSET_prb_data_blk_lpos_next, "to read the kernel log", err)) < 0)
		return rc;
	l->off_sv = vmci_get(vi, VMCI_OFFSET_prb_desc_state_var) + l->off_counter;
	lpos = vmci_get(vi, VMCI_OFFSET_prb_desc_text_blk_lpos);
	l->off_begin = lpos + vmci_get(vi, VMCI_OFFSET_prb_data_blk_lpos_begin);
	l->off_next = lpos + vmci_get(vi, VMCI_OFFSET_prb_data_blk_lpos_next);
	if (!fits(l->off_sv, l->lsize, l->desc_size) ||
	    !fits(l->off_begin, l->lsize, l->desc_size) ||
	    !fits(l->off_next, l->lsize, l->desc_size))
		return mdf_err_set(err, MDF_EFORMAT,
				   "VMCOREINFO prb_desc fields do not fit SIZE(prb_desc)=%llu",
				   (unsigned long long)l->desc_size);
	if ((rc = need_field(vi, VMCI_OFFSET_printk_info_seq, 8, l->info_size, err)) < 0 ||
	    (rc = need_field(vi, VMCI_OFFSET_printk_info_ts_nsec, 8, l->info_size, err)) < 0 ||
	    (rc = need_field(vi, VMCI_OFFSET_printk_info_text_len, 2, l->info_size, err)) < 0)
		return rc;
	l->off_seq = vmci_get(vi, VMCI_OFFSET_printk_info_seq);
	l->off_ts = vmci_get(vi, VMCI_OFFSET_printk_info_ts_nsec);
	l->off_text_len = vmci_get(vi, VMCI_OFFSET_printk_info_text_len);
	return 0;
}

/* --partial-dmesg: clear_seq is a u64 in 5.10-5.12 and a struct
 * latched_seq since 5.13 (kernel commit 7d7a23a91c91): read the latch
 * sequence (32-bit, at offset 0) and take val[seq & 1]. */
static int read_clear_seq(const struct arch *a, const struct vmcoreinfo *vi,
			  uint64_t *ret, struct mdf_err *err)
{
	uint64_t addr = vmci_get(vi, VMCI_SYMBOL_clear_seq);
	uint8_t b[8];
	uint32_t latch = 0;
	int rc;

	if (vmci_has(vi, VMCI_SIZE_latched_seq)) {
		rc = vmci_require(vi, VMCI_OFFSET_latched_seq_val,
				  "to read clear_seq", err);
		if (rc < 0)
			return rc;
		rc = read_u32(a, addr, &latch, "clear_seq.latch", err);
		if (rc < 0)
			return rc;
		addr += vmci_get(vi, VMCI_OFFSET_latched_seq_val) +
			(latch & 1) * 8;
	}
	rc = read_kv(a, addr, b, sizeof(b), "clear_seq", err);
	if (rc == 0)
		*ret = get_le64(b);
	return rc;
}

/* Where one record's text is in the data ring: 0 with *off and *size set, or 1 for
 * a record with no data block (FAILED_LPOS), or -1 if inconsistent. */
static int locate_text(const struct prb_layout *l, const uint8_t *text,
		       unsigned size_bits, uint64_t id, uint64_t begin,
		       uint64_t next, uint64_t *off, uint64_t *size)
{
	uint64_t lmask = l->lsize == 8 ? ~0ull : 0xffffffffull;
	uint64_t ring = 1ull << size_bits, wmask = lmask >> size_bits;
	uint64_t bw = begin >> size_bits, nw = next >> size_bits;

	if ((begin & 1) || (next & 1)) {
		if (begin == EMPTY_LINE_LPOS && next == EMPTY_LINE_LPOS) {
			*off = *size = 0;
			return 0;
		}
		return begin == FAILED_LPOS && next == FAILED_LPOS ? 1 : -1;
	}
	if ((begin | next) & (l->lsize - 1))
		return -1;
	if (bw == nw && begin < next) {
		*off = begin & (ring - 1);
		*size = next - begin;
	} else if (((bw + 1) & wmask) == nw) {
		/* a block that would wrap is stored at the ring start */
		*off = 0;
		*size = next & (ring - 1);
	} else {
		return -1;
	}
	if (*size < l->lsize || *size > ring - *off)
		return -1;
	/* every data block starts with the id of its descriptor */
	if (get_le_width(text + *off, l->lsize) != id)
		return -1;
	*off += l->lsize;
	*size -= l->lsize;
	return 0;
}

static int load_lockless(struct dmesg_log *log, const struct arch *a,
			 const struct vmcoreinfo *vi,
			 const struct dmesg_opts *o, struct mdf_warns *warns,
			 struct mdf_err *err)
{
	struct prb_layout l;
	uint64_t rb_size, rb_va = 0, off_dr, off_tr, descs_va, infos_va, data_va;
	uint64_t head, tail, n, i, count, ring, id_mask, clear_seq = 0;
	uint64_t f_cb, f_descs, f_infos, f_head, f_tail, f_sb, f_data;
	unsigned count_bits, size_bits, bits;
	uint8_t rb[RB_SIZE_MAX];
	bool partial = false;
	size_t cap = 0;
	int rc;

	log->st.format = DMESG_LOCKLESS;
	rc = prb_layout_init(&l, vi, err);
	if (rc < 0)
		return mdf_err_wrap(err, "Can't get necessary structures for extracting dmesg log");
	bits = l.lsize * 8;
	id_mask = (bits == 64 ? ~0ull : 0xffffffffull) >> 2;

	/* every field of struct printk_ringbuffer we use, checked to lie in
	 * SIZE(printk_ringbuffer) before the copy is read */
	if ((rc = need_size(vi, VMCI_SIZE_printk_ringbuffer, RB_SIZE_MAX, &rb_size, err)) < 0 ||
	    (rc = need_field(vi, VMCI_OFFSET_printk_ringbuffer_desc_ring, 1, rb_size, err)) < 0 ||
	    (rc = need_field(vi, VMCI_OFFSET_printk_ringbuffer_text_data_ring, 1, rb_size, err)) < 0)
		goto layout;
	off_dr = vmci_get(vi, VMCI_OFFSET_printk_ringbuffer_desc_ring);
	off_tr = vmci_get(vi, VMCI_OFFSET_printk_ringbuffer_text_data_ring);
	if ((rc = vmci_require(vi, VMCI_OFFSET_prb_desc_ring_count_bits, "to read the kernel log", err)) < 0 ||
	    (rc = vmci_require(vi, VMCI_OFFSET_prb_desc_ring_descs, "to read the kernel log", err)) < 0 ||
	    (rc = vmci_require(vi, VMCI_OFFSET_prb_desc_ring_infos, "to read the kernel log", err)) < 0 ||
	    (rc = vmci_require(vi, VMCI_OFFSET_prb_desc_ring_head_id, "to read the kernel log", err)) < 0 ||
	    (rc = vmci_require(vi, VMCI_OFFSET_prb_desc_ring_tail_id, "to read the kernel log", err)) < 0 ||
	    (rc = vmci_require(vi, VMCI_OFFSET_prb_data_ring_size_bits, "to read the kernel log", err)) < 0 ||
	    (rc = vmci_require(vi, VMCI_OFFSET_prb_data_ring_data, "to read the kernel log", err)) < 0)
		goto layout;
	f_cb = off_dr + vmci_get(vi, VMCI_OFFSET_prb_desc_ring_count_bits);
	f_descs = off_dr + vmci_get(vi, VMCI_OFFSET_prb_desc_ring_descs);
	f_infos = off_dr + vmci_get(vi, VMCI_OFFSET_prb_desc_ring_infos);
	f_head = off_dr + vmci_get(vi, VMCI_OFFSET_prb_desc_ring_head_id) + l.off_counter;
	f_tail = off_dr + vmci_get(vi, VMCI_OFFSET_prb_desc_ring_tail_id) + l.off_counter;
	f_sb = off_tr + vmci_get(vi, VMCI_OFFSET_prb_data_ring_size_bits);
	f_data = off_tr + vmci_get(vi, VMCI_OFFSET_prb_data_ring_data);
	if (!fits(f_cb, 4, rb_size) || !fits(f_sb, 4, rb_size) ||
	    !fits(f_descs, l.lsize, rb_size) || !fits(f_infos, l.lsize, rb_size) ||
	    !fits(f_head, l.lsize, rb_size) || !fits(f_tail, l.lsize, rb_size) ||
	    !fits(f_data, l.lsize, rb_size)) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "VMCOREINFO printk_ringbuffer fields do not fit SIZE(printk_ringbuffer)=%llu",
				 (unsigned long long)rb_size);
		goto layout;
	}

	/* prb is a pointer to the ring in use (static, or the one allocated
	 * at boot for log_buf_len=) */
	rc = read_long(a, vmci_get(vi, VMCI_SYMBOL_prb), l.lsize, &rb_va,
		       "prb", err);
	if (rc < 0)
		return rc;
	rc = read_kv(a, rb_va, rb, (size_t)rb_size, "the printk ring buffer",
		     err);
	if (rc < 0)
		return rc;
	count_bits = get_le32(rb + f_cb);
	size_bits = get_le32(rb + f_sb);
	descs_va = get_le_width(rb + f_descs, l.lsize);
	infos_va = get_le_width(rb + f_infos, l.lsize);
	data_va = get_le_width(rb + f_data, l.lsize);
	head = get_le_width(rb + f_head, l.lsize) & id_mask;
	tail = get_le_width(rb + f_tail, l.lsize) & id_mask;
	if (count_bits > PRB_COUNT_BITS_MAX || size_bits > PRB_SIZE_BITS_MAX ||
	    size_bits < 4 || count_bits >= bits - 2)
		return mdf_err_set(err, MDF_EFORMAT,
				   "the printk ring buffer has %u descriptor bits and %u text bits: it is most likely corrupted",
				   count_bits, size_bits);
	count = 1ull << count_bits;
	ring = 1ull << size_bits;
	if ((rc = copy_kv(a, descs_va, count * l.desc_size,
			  "the printk descriptors", &log->descs,
			  &log->st.absent_pages, err)) < 0 ||
	    (rc = copy_kv(a, infos_va, count * l.info_size,
			  "the printk record infos", &log->infos,
			  &log->st.absent_pages, err)) < 0 ||
	    (rc = copy_kv(a, data_va, ring, "the printk text ring",
			  &log->buf, &log->st.absent_pages, err)) < 0)
		return rc;

	if (o->partial) {
		if (vmci_has(vi, VMCI_SYMBOL_clear_seq)) {
			rc = read_clear_seq(a, vi, &clear_seq, err);
			if (rc < 0)
				return rc;
			partial = true;
		} else {
			mdf_warn(warns, "--partial-dmesg: VMCOREINFO has no SYMBOL(clear_seq); writing the whole log");
		}
	}

	/* ids tail..head inclusive; a sane ring holds at most count of them */
	n = ((head - tail) & id_mask) + 1;
	if (n > count) {
		mdf_warn(warns, "printk ring: tail_id %#llx and head_id %#llx are %llu records apart in a ring of %llu; reading the newest %llu",
			 (unsigned long long)tail, (unsigned long long)head,
			 (unsigned long long)n, (unsigned long long)count,
			 (unsigned long long)count);
		tail = (head - (count - 1)) & id_mask;
		n = count;
	}
	for (i = 0; i < n; i++) {
		uint64_t id = (tail + i) & id_mask;
		uint64_t slot = id & (count - 1);
		const uint8_t *d = log->descs + slot * l.desc_size;
		const uint8_t *inf = log->infos + slot * l.info_size;
		uint64_t sv = get_le_width(d + l.off_sv, l.lsize);
		uint64_t off, size, seq;
		unsigned state = (unsigned)(sv >> (bits - 2)) & 3;
		struct dmesg_rec r;
		int where;

		/* another generation of this slot, a writer still at work,
		 * or a record already given up */
		if ((sv & id_mask) != id ||
		    (state != DESC_COMMITTED && state != DESC_FINALIZED)) {
			log->st.lost++;
			continue;
		}
		where = locate_text(&l, log->buf, size_bits, id,
				    get_le_width(d + l.off_begin, l.lsize),
				    get_le_width(d + l.off_next, l.lsize),
				    &off, &size);
		if (where > 0) {
			log->st.lost++;
			continue;
		}
		if (where < 0) {
			log->st.bad++;
			continue;
		}
		seq = get_le64(inf + l.off_seq);
		if (partial && seq < clear_seq) {
			log->st.before_clear++;
			continue;
		}
		r.text = log->buf + off;
		r.text_len = get_le16(inf + l.off_text_len);
		if (r.text_len > size)
			r.text_len = (uint16_t)size;
		r.ts_nsec = get_le64(inf + l.off_ts);
		r.pos = 0;
		r.caller_id = 0;
		rc = add_rec(log, &cap, &r, err);
		if (rc < 0)
			return rc;
	}
	if (log->st.bad)
		mdf_warn(warns, "printk ring: %llu records with an inconsistent data block were skipped",
			 (unsigned long long)log->st.bad);
	return 0;
layout:
	return mdf_err_wrap(err, "Can't get necessary structures for extracting dmesg log");
}

/* ---- the entry points ---- */

int dmesg_load(const struct arch *a, const struct vmcoreinfo *vi,
	       const struct dmesg_opts *o, struct mdf_warns *warns,
	       struct dmesg_log **ret, struct mdf_err *err)
{
	struct dmesg_log *log;
	int rc;

	log = calloc(1, sizeof(*log));
	if (!log)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	/* decide by the keys present, not by the version (dmesg.md 1) */
	if (vmci_has(vi, VMCI_SYMBOL_prb)) {
		rc = load_lockless(log, a, vi, o, warns, err);
	} else if (!vmci_has(vi, VMCI_SYMBOL_log_buf) ||
		   !vmci_has(vi, VMCI_SYMBOL_log_buf_len)) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "Can't find some symbols for log_buf: VMCOREINFO has none of SYMBOL(prb), SYMBOL(log_buf) and SYMBOL(log_buf_len)");
	} else if (vmci_has(vi, VMCI_SYMBOL_log_end)) {
		rc = load_plain(log, a, vi, o, warns, err);
	} else {
		rc = load_records(log, a, vi, o, warns, err);
	}
	if (rc < 0) {
		dmesg_destroy(log);
		return rc;
	}
	log->st.records = log->nrecs - log->first;
	if (log->st.format == DMESG_RECORDS)
		log->st.before_clear = log->first;
	*ret = log;
	return 0;
}

const struct dmesg_stats *dmesg_stats(const struct dmesg_log *log)
{
	return &log->st;
}

void dmesg_destroy(struct dmesg_log *log)
{
	if (!log)
		return;
	free(log->raw);
	free(log->buf);
	free(log->descs);
	free(log->infos);
	free(log->recs);
	free(log);
}

/* ---- text output ---- */

enum { OBUF_SIZE = 64 * 1024, OBUF_SLACK = 64 };

struct obuf {
	uint8_t b[OBUF_SIZE];
	size_t n;
	const struct dmesg_out *out;
	uint64_t *bytes;
};

static int ob_flush(struct obuf *ob, struct mdf_err *err)
{
	int rc = 0;

	if (ob->n)
		rc = ob->out->write(ob->out->ctx, ob->b, ob->n, err);
	*ob->bytes += ob->n;
	ob->n = 0;
	return rc;
}

/* room for len more bytes */
static int ob_room(struct obuf *ob, size_t len, struct mdf_err *err)
{
	return ob->n + len > sizeof(ob->b) ? ob_flush(ob, err) : 0;
}

/* printable ASCII and the C locale's white space are copied, as
 * makedumpfile's isprint() || isspace() test in the C locale */
static bool keep_byte(uint8_t c)
{
	return (c >= 0x20 && c < 0x7f) || (c >= '\t' && c <= '\r');
}

/* makedumpfile's line: "[%5llu.%06llu] ", an optional caller column,
 * the text with '\n' followed by an indent as wide as the prefix, other
 * unprintable bytes as \xNN (unsigned: makedumpfile 1.7.2 sign-extends
 * bytes >= 0x80 on x86, "\xffffffc3"), and one '\n'. */
static int write_rec(struct obuf *ob, const struct dmesg_rec *r,
		     bool caller, struct mdf_err *err)
{
	static const char hex[] = "0123456789abcdef";
	char prefix[80];
	int plen, rc;
	size_t i;

	plen = snprintf(prefix, sizeof(prefix), "[%5llu.%06llu] ",
			(unsigned long long)(r->ts_nsec / 1000000000),
			(unsigned long long)(r->ts_nsec % 1000000000 / 1000));
	if (caller) {
		char cid[16];

		snprintf(cid, sizeof(cid), "%c%u",
			 (r->caller_id & CALLER_CPU) ? 'C' : 'T',
			 r->caller_id & ~CALLER_CPU);
		plen += snprintf(prefix + plen, sizeof(prefix) - (size_t)plen,
				 "[%*s] ", CALLER_WIDTH, cid);
	}
	rc = ob_room(ob, (size_t)plen, err);
	if (rc < 0)
		return rc;
	memcpy(ob->b + ob->n, prefix, (size_t)plen);
	ob->n += (size_t)plen;
	for (i = 0; i < r->text_len; i++) {
		uint8_t c = r->text[i];

		rc = ob_room(ob, (size_t)plen + 1, err);
		if (rc < 0)
			return rc;
		if (c == '\n') {
			ob->b[ob->n++] = '\n';
			memset(ob->b + ob->n, ' ', (size_t)plen);
			ob->n += (size_t)plen;
		} else if (keep_byte(c)) {
			ob->b[ob->n++] = c;
		} else {
			ob->b[ob->n++] = '\\';
			ob->b[ob->n++] = 'x';
			ob->b[ob->n++] = (uint8_t)hex[c >> 4];
			ob->b[ob->n++] = (uint8_t)hex[c & 15];
		}
	}
	rc = ob_room(ob, 1, err);
	if (rc < 0)
		return rc;
	ob->b[ob->n++] = '\n';
	return 0;
}

int dmesg_write(struct dmesg_log *log, const struct dmesg_out *out,
		struct mdf_err *err)
{
	struct obuf *ob;
	size_t i;
	int rc = 0;

	log->st.bytes = 0;
	if (log->st.format == DMESG_PLAIN) {
		/* the text already carries the kernel's own prefixes */
		if (log->raw_len) {
			rc = out->write(out->ctx, log->raw, log->raw_len, err);
			if (rc == 0)
				log->st.bytes = log->raw_len;
		}
		return rc;
	}
	ob = malloc(sizeof(*ob));
	if (!ob)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	ob->n = 0;
	ob->out = out;
	ob->bytes = &log->st.bytes;
	for (i = log->first; i < log->nrecs && rc == 0; i++)
		rc = write_rec(ob, &log->recs[i], log->has_caller, err);
	if (rc == 0)
		rc = ob_flush(ob, err);
	free(ob);
	if (rc == 0 && log->st.truncated)
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "%s; wrote the %zu record%s before it",
				 log->trunc_msg, log->nrecs - log->first,
				 log->nrecs - log->first == 1 ? "" : "s");
	return rc;
}

int dmesg_fd_write(void *ctx, const void *buf, size_t len,
		   struct mdf_err *err)
{
	struct dmesg_fd *f = ctx;
	const uint8_t *p = buf;
	bool over = false;

	if (f->limit && len > f->limit - f->written) {
		len = (size_t)(f->limit - f->written);
		over = true;
	}
	while (len) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mdf_err_sys(err, errno,
					   "Can't write the log file(%s)",
					   f->name);
		if (n == 0)
			return mdf_err_set(err, MDF_EIO,
					   "Can't write the log file(%s): write returned 0",
					   f->name);
		p += n;
		len -= (size_t)n;
		f->written += (uint64_t)n;
	}
	if (over)
		return mdf_err_set(err, MDF_ENOSPC,
				   "Can't write the log file(%s). Size limit(%llu) reached.",
				   f->name, (unsigned long long)f->limit);
	return 0;
}
