/* dmesg_test.c: the three printk log formats built in memory, read back
 * through a stub arch whose pages are swapped in pairs (so every buffer
 * read crosses non-contiguous pages), and compared with the text
 * makedumpfile's format gives: plain ring with wrap, printk_log records
 * with the wrap marker, clear_idx, caller column and corrupt chains, the
 * lockless ring with wrapping data blocks, FAILED/EMPTY records, reused
 * descriptors, clear_seq (u64 and latched) and corrupt records. */
#include <elf.h>
#include <stdarg.h>
#include <unistd.h>

#include "byteorder.h"
#include "dmesg.h"
#include "harness.h"
#include "mem_input.h"

#define MEM	(4u << 20)
#define KBASE64	0xffffffff81000000ull
#define KBASE32	0xc1000000ull

static uint8_t *mem;
static uint64_t kbase = KBASE64;
/* kernel pages [hole_lo, hole_hi) are not in the dump */
static uint64_t hole_lo, hole_hi;

/* kernel "virtual" offset k lives at physical page (k >> 12) ^ 1 */
static uint64_t k2p(uint64_t k)
{
	return (((k >> 12) ^ 1) << 12) | (k & 4095);
}

static int stub_kvtop(const struct arch *a, uint64_t vaddr,
		      uint64_t *paddr_ret, uint64_t *len_ret,
		      struct mdf_err *err)
{
	uint64_t k = vaddr - kbase;

	(void)a;
	if (vaddr < kbase || k >= MEM) {
		snprintf(err->msg, sizeof(err->msg),
			 "stub: %#llx not mapped", (unsigned long long)vaddr);
		return MDF_ABSENT;
	}
	if ((k >> 12) >= hole_lo && (k >> 12) < hole_hi) {
		err->msg[0] = '\0';	/* a page a filtered dump left out */
		return MDF_ABSENT;
	}
	*paddr_ret = k2p(k);
	*len_ret = 4096 - (k & 4095);
	return 0;
}

static const struct arch_ops stub_ops = {
	.name = "stub",
	.kvtop = stub_kvtop,
};

static void kw(uint64_t k, const void *src, size_t n)
{
	const uint8_t *s = src;
	size_t i;

	for (i = 0; i < n; i++)
		mem[k2p(k + i)] = s[i];
}

static void kw16(uint64_t k, uint16_t v) { uint8_t b[2]; put_le16(b, v); kw(k, b, 2); }
static void kw32(uint64_t k, uint32_t v) { uint8_t b[4]; put_le32(b, v); kw(k, b, 4); }
static void kw64(uint64_t k, uint64_t v) { uint8_t b[8]; put_le64(b, v); kw(k, b, 8); }
static void kwl(uint64_t k, uint64_t v, unsigned lsize)
{
	if (lsize == 4)
		kw32(k, (uint32_t)v);
	else
		kw64(k, v);
}

static uint64_t kv(uint64_t k) { return kbase + k; }

/* ---- harness: VMCOREINFO text, load, write into memory ---- */

struct membuf {
	char *p;
	size_t n;
	int fail_after;		/* calls before a simulated write error; -1 never */
};

static int mem_write(void *ctx, const void *buf, size_t len,
		     struct mdf_err *err)
{
	struct membuf *m = ctx;

	if (m->fail_after == 0)
		return mdf_err_set(err, MDF_EIO, "simulated write error");
	if (m->fail_after > 0)
		m->fail_after--;
	m->p = realloc(m->p, m->n + len + 1);
	memcpy(m->p + m->n, buf, len);
	m->n += len;
	m->p[m->n] = '\0';
	return 0;
}

struct run {
	int load_rc, write_rc;
	struct dmesg_stats st;
	struct mdf_warns warns;
	struct mdf_err err;
	struct membuf out;
};

static char vitext[8192];
static size_t vilen;

static void vi_reset(void)
{
	vilen = (size_t)snprintf(vitext, sizeof(vitext),
				 "OSRELEASE=6.1.0\nPAGESIZE=4096\n");
}

static void vi_add(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void vi_add(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vilen += (size_t)vsnprintf(vitext + vilen, sizeof(vitext) - vilen, fmt, ap);
	va_end(ap);
	vitext[vilen++] = '\n';
	vitext[vilen] = '\0';
}

/* replace the value of key in the VMCOREINFO text */
static void vi_set(const char *key, const char *value)
{
	char tmp[sizeof(vitext)], *p = strstr(vitext, key), *eol;

	if (!p || !(eol = strchr(p, '\n')))
		abort();
	vilen = (size_t)snprintf(tmp, sizeof(tmp), "%.*s%s=%s%s",
				 (int)(p - vitext), vitext, key, value, eol);
	memcpy(vitext, tmp, vilen + 1);
}

static void run_dmesg(struct run *r, bool partial)
{
	struct dmesg_opts o = { .partial = partial };
	struct dmesg_out out = { mem_write, &r->out };
	struct vmcoreinfo vi;
	struct dmesg_log *log = NULL;
	struct input *in;
	struct arch a;

	memset(r, 0, sizeof(*r));
	r->out.fail_after = -1;
	r->out.p = calloc(1, 1);
	in = mem_input_create(mem, 0, MEM, EM_X86_64);
	if (vmcoreinfo_parse(&vi, vitext, vilen, NULL, &r->err)) {
		r->load_rc = -99;
		mem_input_destroy(in);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.ops = &stub_ops;
	a.in = in;
	a.vi = &vi;
	a.page_shift = 12;
	a.page_size = 4096;
	r->load_rc = dmesg_load(&a, &vi, &o, &r->warns, &log, &r->err);
	if (r->load_rc == 0) {
		r->write_rc = dmesg_write(log, &out, &r->err);
		r->st = *dmesg_stats(log);
		dmesg_destroy(log);
	}
	if (r->load_rc || r->write_rc)
		fprintf(stderr, "  (error: %s)\n", r->err.msg);
	vmcoreinfo_deinit(&vi);
	mem_input_destroy(in);
}

static void run_free(struct run *r)
{
	free(r->out.p);
}

static bool warned(const struct run *r, const char *needle)
{
	unsigned i;

	for (i = 0; i < r->warns.n; i++)
		if (strstr(r->warns.msg[i], needle))
			return true;
	return false;
}

/* ---- pre-3.5 plain ring ---- */

enum { P_BUFPTR = 0x1000, P_LEN = 0x1008, P_END = 0x1010, P_BUF = 0x3ff8 };

static void plain_setup(const char *release, uint32_t len)
{
	memset(mem, 0, MEM);
	kbase = KBASE64;
	vilen = (size_t)snprintf(vitext, sizeof(vitext),
				 "OSRELEASE=%s\nPAGESIZE=4096\n", release);
	vi_add("SYMBOL(log_buf)=%llx", (unsigned long long)kv(P_BUFPTR));
	vi_add("SYMBOL(log_buf_len)=%llx", (unsigned long long)kv(P_LEN));
	vi_add("SYMBOL(log_end)=%llx", (unsigned long long)kv(P_END));
	vi_add("SYMBOL(logged_chars)=%llx", (unsigned long long)kv(0x1018));
	kw64(P_BUFPTR, kv(P_BUF));	/* the buffer straddles a page */
	kw32(P_LEN, len);
}

TEST(plain_not_yet_wrapped)
{
	struct run r;

	plain_setup("3.4.0", 32);
	kw(P_BUF, "<6>[    0.000000] hi\n<4>x\n", 26);
	kw32(P_END, 26);
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK_EQ(r.write_rc, 0);
	CHECK_EQ(r.st.format, DMESG_PLAIN);
	CHECK_STR(r.out.p, "<6>[    0.000000] hi\n<4>x\n");
	run_free(&r);
}

TEST(plain_wrapped_oldest_first)
{
	struct run r;

	plain_setup("3.4.0", 16);
	/* 36 bytes written: the last 16 are "[4..16) then [0..4)" */
	kw(P_BUF, "WXYZefghijklmnop", 16);
	kw32(P_END, 36);
	run_dmesg(&r, true);
	CHECK_EQ(r.load_rc, 0);
	CHECK_STR(r.out.p, "efghijklmnopWXYZ");
	CHECK(warned(&r, "--partial-dmesg"));
	run_free(&r);
}

TEST(plain_log_end_is_ulong_before_2_6_25)
{
	struct run r;

	plain_setup("2.6.24", 16);
	kw(P_BUF, "ABCDEFGHIJKLMNOP", 16);
	/* an unsigned long: 0x1_00000005 is past the buffer size (wrapped,
	 * oldest at 5); read as u32 it would be 5 bytes */
	kw64(P_END, 0x100000005ull);
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK_STR(r.out.p, "FGHIJKLMNOPABCDE");
	run_free(&r);

	plain_setup("2.6.25", 16);
	kw(P_BUF, "ABCDEFGHIJKLMNOP", 16);
	kw64(P_END, 0x100000005ull);
	run_dmesg(&r, false);
	CHECK_STR(r.out.p, "ABCDE");
	run_free(&r);
}

TEST(plain_bad_length_is_an_error)
{
	struct run r;

	plain_setup("3.4.0", 24);
	kw32(P_END, 3);
	run_dmesg(&r, false);
	CHECK(r.load_rc < 0);
	CHECK(strstr(r.err.msg, "power of two") != NULL);
	run_free(&r);
}

/* ---- 3.5-5.9 printk_log records ---- */

enum { R_BUFPTR = 0x2000, R_LEN = 0x2008, R_FIRST = 0x200c, R_NEXT = 0x2010,
       R_CLEAR = 0x2014, R_BUF = 0x5000 };
static unsigned rhdr;
static bool rcaller;

static void rec_setup(uint32_t len, bool caller, bool old_names)
{
	memset(mem, 0, MEM);
	kbase = KBASE64;
	vi_reset();
	rhdr = caller ? 20 : 16;
	rcaller = caller;
	vi_add("SYMBOL(log_buf)=%llx", (unsigned long long)kv(R_BUFPTR));
	vi_add("SYMBOL(log_buf_len)=%llx", (unsigned long long)kv(R_LEN));
	vi_add("SYMBOL(log_first_idx)=%llx", (unsigned long long)kv(R_FIRST));
	vi_add("SYMBOL(log_next_idx)=%llx", (unsigned long long)kv(R_NEXT));
	if (old_names) {
		/* 3.5-3.10 called the struct "log" */
		vi_add("SIZE(log)=%u", rhdr);
		vi_add("OFFSET(log.ts_nsec)=0");
		vi_add("OFFSET(log.len)=8");
		vi_add("OFFSET(log.text_len)=10");
		vi_add("OFFSET(log.dict_len)=12");
	} else {
		vi_add("SYMBOL(clear_idx)=%llx", (unsigned long long)kv(R_CLEAR));
		vi_add("SIZE(printk_log)=%u", rhdr);
		vi_add("OFFSET(printk_log.ts_nsec)=0");
		vi_add("OFFSET(printk_log.len)=8");
		vi_add("OFFSET(printk_log.text_len)=10");
		vi_add("OFFSET(printk_log.dict_len)=12");
	}
	if (caller)
		vi_add("OFFSET(printk_log.caller_id)=16");
	kw64(R_BUFPTR, kv(R_BUF));
	kw32(R_LEN, len);
}

/* a record at off; returns its padded length */
static uint32_t rec_put(uint32_t off, uint64_t ts, const char *text,
			size_t tl, uint16_t dl, uint32_t caller)
{
	uint32_t len = (uint32_t)((rhdr + tl + dl + 3) & ~3u);

	kw64(R_BUF + off, ts);
	kw16(R_BUF + off + 8, (uint16_t)len);
	kw16(R_BUF + off + 10, (uint16_t)tl);
	kw16(R_BUF + off + 12, dl);
	kw(R_BUF + off + 14, "\x00\x06", 2);
	if (rcaller)
		kw32(R_BUF + off + 16, caller);
	kw(R_BUF + off + rhdr, text, tl);
	kw(R_BUF + off + rhdr + tl, "DEVICE=x", dl);
	return len;
}

static void rec_marker(uint32_t off)
{
	uint8_t z[20] = { 0 };

	kw(R_BUF + off, z, rhdr);
}

static void rec_idx(uint32_t first, uint32_t next, uint32_t clear)
{
	kw32(R_FIRST, first);
	kw32(R_NEXT, next);
	kw32(R_CLEAR, clear);
}

TEST(records_format_and_escapes)
{
	static const char text[] = "a\tb\nc\x01\xc3\x7f\\";
	struct run r;
	uint32_t p = 0;

	rec_setup(4096, false, false);
	p += rec_put(p, 1000, text, sizeof(text) - 1, 8, 0);
	p += rec_put(p, 1234567891234ull, "second", 6, 0, 0);
	p += rec_put(p, 99999999999999ull, "", 0, 0, 0);
	rec_idx(0, p, 0);
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK_EQ(r.write_rc, 0);
	CHECK_EQ(r.st.format, DMESG_RECORDS);
	CHECK_EQ(r.st.records, 3);
	/* '\n' is followed by an indent as wide as the prefix; bytes >= 0x80
	 * are two hex digits (not makedumpfile's sign-extended \xffffffc3) */
	CHECK_STR(r.out.p,
		  "[    0.000001] a\tb\n"
		  "               c\\x01\\xc3\\x7f\\\n"
		  "[ 1234.567891] second\n"
		  "[99999.999999] \n");
	CHECK_EQ(r.st.bytes, strlen(r.out.p));
	run_free(&r);
}

TEST(records_wrap_marker)
{
	struct run r;
	uint32_t a, b, c;

	/* A at 48, B after it, a zero-length marker at 104, C and D at 0 */
	rec_setup(128, false, false);
	a = rec_put(48, 1000000, "first", 5, 0, 0);
	b = rec_put(48 + a, 2000000, "second record", 13, 0, 0);
	CHECK_EQ(48 + a + b, 104);
	rec_marker(104);
	c = rec_put(0, 3000000, "third", 5, 0, 0);
	c += rec_put(c, 4000000, "4th", 3, 0, 0);
	rec_idx(48, c, 104);
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK_EQ(r.write_rc, 0);
	CHECK_STR(r.out.p,
		  "[    0.001000] first\n"
		  "[    0.002000] second record\n"
		  "[    0.003000] third\n"
		  "[    0.004000] 4th\n");
	run_free(&r);

	/* --partial-dmesg: clear_idx may sit on the marker itself */
	run_dmesg(&r, true);
	CHECK_EQ(r.load_rc, 0);
	CHECK_EQ(r.st.before_clear, 2);
	CHECK_STR(r.out.p,
		  "[    0.003000] third\n"
		  "[    0.004000] 4th\n");
	run_free(&r);
}

TEST(records_partial_clear_idx)
{
	struct run r;
	uint32_t p = 0, second;

	rec_setup(4096, false, false);
	p += rec_put(p, 1000, "one", 3, 0, 0);
	second = p;
	p += rec_put(p, 2000, "two", 3, 0, 0);
	p += rec_put(p, 3000, "three", 5, 0, 0);

	rec_idx(0, p, second);
	run_dmesg(&r, true);
	CHECK_STR(r.out.p, "[    0.000002] two\n[    0.000003] three\n");
	CHECK_EQ(r.st.records, 2);
	run_free(&r);

	/* cleared after the last record: nothing to write */
	rec_idx(0, p, p);
	run_dmesg(&r, true);
	CHECK_EQ(r.load_rc, 0);
	CHECK_STR(r.out.p, "");
	run_free(&r);

	/* a clear_idx that starts no record: warn, write everything */
	rec_idx(0, p, second + 4);
	run_dmesg(&r, true);
	CHECK(warned(&r, "clear_idx"));
	CHECK_EQ(r.st.records, 3);
	run_free(&r);

	/* without --partial-dmesg clear_idx is ignored */
	rec_idx(0, p, second);
	run_dmesg(&r, false);
	CHECK_EQ(r.st.records, 3);
	run_free(&r);
}

TEST(records_3_5_names_and_no_clear_idx)
{
	struct run r;
	uint32_t p = 0;

	rec_setup(4096, false, true);
	p += rec_put(p, 5000000000ull, "old kernel", 10, 0, 0);
	rec_idx(0, p, 0);
	run_dmesg(&r, true);
	CHECK_EQ(r.load_rc, 0);
	CHECK_STR(r.out.p, "[    5.000000] old kernel\n");
	CHECK(warned(&r, "SYMBOL(clear_idx)"));
	run_free(&r);
}

TEST(records_caller_column)
{
	struct run r;
	uint32_t p = 0;

	rec_setup(4096, true, false);
	p += rec_put(p, 1000, "task", 4, 0, 1);
	p += rec_put(p, 2000, "cpu\nnext", 8, 0, 0x80000003u);
	p += rec_put(p, 3000, "big", 3, 0, 4194304);
	rec_idx(0, p, 0);
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK_STR(r.out.p,
		  "[    0.000001] [      T1] task\n"
		  "[    0.000002] [      C3] cpu\n"
		  "                          next\n"
		  "[    0.000003] [T4194304] big\n");
	run_free(&r);
}

TEST(records_cycle_writes_the_records_before_it)
{
	struct run r;
	uint32_t p = 0;

	rec_setup(256, false, false);
	p += rec_put(p, 1000, "one", 3, 0, 0);
	p += rec_put(p, 2000, "two", 3, 0, 0);
	rec_marker(p);		/* back to offset 0, which was printed */
	rec_idx(0, 200, 0);	/* next is never reached */
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK(r.st.truncated);
	CHECK(r.write_rc < 0);
	CHECK(strstr(r.err.msg, "Cycle when parsing dmesg detected") != NULL);
	CHECK_STR(r.out.p, "[    0.000001] one\n[    0.000002] two\n");
	run_free(&r);
}

TEST(records_corrupt_lengths)
{
	struct run r;
	uint32_t p;

	/* a record whose length runs to the end: next index is outside */
	rec_setup(128, false, false);
	p = rec_put(0, 1000, "one", 3, 0, 0);
	kw16(R_BUF + 8, 120);
	rec_idx(0, 64, 0);
	run_dmesg(&r, false);
	CHECK(r.write_rc < 0);
	CHECK(strstr(r.err.msg, "Index outside log_buf") != NULL);
	CHECK_STR(r.out.p, "[    0.000001] one\n");
	run_free(&r);

	/* a length shorter than the header would not advance */
	rec_setup(128, false, false);
	p = rec_put(0, 1000, "one", 3, 0, 0);
	kw16(R_BUF + 8, 4);
	rec_idx(0, p, 0);
	run_dmesg(&r, false);
	CHECK(r.write_rc < 0);
	CHECK(strstr(r.err.msg, "Record length") != NULL);
	CHECK_STR(r.out.p, "");
	run_free(&r);

	/* text longer than its record */
	rec_setup(128, false, false);
	p = rec_put(0, 1000, "one", 3, 0, 0);
	kw16(R_BUF + 10, 200);
	rec_idx(0, p, 0);
	run_dmesg(&r, false);
	CHECK(r.write_rc < 0);
	CHECK(strstr(r.err.msg, "Record length") != NULL);
	run_free(&r);

	/* a marker with nothing at offset 0 */
	rec_setup(128, false, false);
	rec_marker(40);
	rec_idx(40, 8, 0);
	run_dmesg(&r, false);
	CHECK(r.write_rc < 0);
	CHECK(strstr(r.err.msg, "Wrap marker") != NULL);
	run_free(&r);

	/* indexes outside the buffer, impossible buffer sizes */
	rec_setup(128, false, false);
	rec_idx(0, 4000, 0);
	run_dmesg(&r, false);
	CHECK(r.load_rc < 0);
	CHECK(strstr(r.err.msg, "Index outside log_buf") != NULL);
	run_free(&r);
	rec_setup(8, false, false);
	rec_idx(0, 0, 0);
	run_dmesg(&r, false);
	CHECK(r.load_rc < 0);
	run_free(&r);
}

TEST(records_long_text_crosses_the_output_buffer)
{
	enum { TL = 65000 };
	struct run r;
	char *text = malloc(TL);
	uint32_t p;
	size_t i;
	bool ok = true;

	memset(text, 1, TL);
	text[TL - 1] = 'Z';
	rec_setup(128 * 1024, false, false);
	p = rec_put(0, 1000, text, TL, 0, 0);
	p += rec_put(p, 2000, "after", 5, 0, 0);
	rec_idx(0, p, 0);
	run_dmesg(&r, false);
	CHECK_EQ(r.write_rc, 0);
	CHECK_EQ(r.out.n, 15 + (TL - 1) * 4 + 2 + 21);
	for (i = 15; i < 15 + (size_t)(TL - 1) * 4; i += 4)
		ok &= memcmp(r.out.p + i, "\\x01", 4) == 0;
	CHECK(ok);
	CHECK(strcmp(r.out.p + r.out.n - 23, "Z\n[    0.000002] after\n") == 0);
	run_free(&r);
	free(text);
}

/* ---- 5.10+ lockless ring ---- */

enum { L_PRB = 0x3000, L_RB = 0x3100, L_CLEAR = 0x3200, L_DESCS = 0x10000,
       L_INFOS = 0x20000, L_DATA = 0x30ff0 };

struct prb {
	unsigned lsize, count_bits, size_bits;
	unsigned dr_size;		/* 40 (5.10) or 48 (last_finalized_id) */
	uint64_t id_mask, lpos, k;	/* next data lpos, records made */
};

static struct prb pb;

static uint64_t prb_id(uint64_t k)
{
	/* the kernel's first id is -count: the ids wrap early on */
	return (k - (1ull << pb.count_bits)) & pb.id_mask;
}

static void prb_setup(unsigned lsize, unsigned count_bits, unsigned size_bits,
		      unsigned dr_size, int clear_kind)
{
	uint64_t tr = dr_size, rb_size = dr_size + 32 + lsize;

	memset(mem, 0, MEM);
	memset(&pb, 0, sizeof(pb));
	kbase = lsize == 4 ? KBASE32 : KBASE64;
	pb.lsize = lsize;
	pb.count_bits = count_bits;
	pb.size_bits = size_bits;
	pb.dr_size = dr_size;
	pb.id_mask = (lsize == 8 ? ~0ull : 0xffffffffull) >> 2;
	/* the kernel's first lpos is -size (BLK0_LPOS): lpos wraps early */
	pb.lpos = (0 - (1ull << size_bits)) & (lsize == 8 ? ~0ull : 0xffffffffull);
	vi_reset();
	vi_add("SYMBOL(prb)=%llx", (unsigned long long)kv(L_PRB));
	vi_add("SYMBOL(printk_rb_static)=%llx", (unsigned long long)kv(L_RB));
	if (clear_kind)
		vi_add("SYMBOL(clear_seq)=%llx", (unsigned long long)kv(L_CLEAR));
	vi_add("SIZE(printk_ringbuffer)=%llu", (unsigned long long)rb_size);
	vi_add("OFFSET(printk_ringbuffer.desc_ring)=0");
	vi_add("OFFSET(printk_ringbuffer.text_data_ring)=%llu", (unsigned long long)tr);
	vi_add("OFFSET(printk_ringbuffer.fail)=%llu", (unsigned long long)(tr + 32));
	vi_add("SIZE(prb_desc_ring)=%u", dr_size);
	vi_add("OFFSET(prb_desc_ring.count_bits)=0");
	vi_add("OFFSET(prb_desc_ring.descs)=%u", lsize);
	vi_add("OFFSET(prb_desc_ring.infos)=%u", 2 * lsize);
	vi_add("OFFSET(prb_desc_ring.head_id)=%u", 3 * lsize);
	vi_add("OFFSET(prb_desc_ring.tail_id)=%u", 4 * lsize);
	vi_add("SIZE(prb_desc)=%u", 3 * lsize);
	vi_add("OFFSET(prb_desc.state_var)=0");
	vi_add("OFFSET(prb_desc.text_blk_lpos)=%u", lsize);
	vi_add("SIZE(prb_data_blk_lpos)=%u", 2 * lsize);
	vi_add("OFFSET(prb_data_blk_lpos.begin)=0");
	vi_add("OFFSET(prb_data_blk_lpos.next)=%u", lsize);
	vi_add("SIZE(printk_info)=88");
	vi_add("OFFSET(printk_info.seq)=0");
	vi_add("OFFSET(printk_info.ts_nsec)=8");
	vi_add("OFFSET(printk_info.text_len)=16");
	vi_add("OFFSET(printk_info.caller_id)=20");
	vi_add("OFFSET(printk_info.dev_info)=24");
	vi_add("SIZE(dev_printk_info)=64");
	vi_add("OFFSET(dev_printk_info.subsystem)=0");
	vi_add("LENGTH(printk_info_subsystem)=16");
	vi_add("OFFSET(dev_printk_info.device)=16");
	vi_add("LENGTH(printk_info_device)=48");
	vi_add("SIZE(prb_data_ring)=%u", 4 * lsize);
	vi_add("OFFSET(prb_data_ring.size_bits)=0");
	vi_add("OFFSET(prb_data_ring.data)=%u", lsize);
	vi_add("OFFSET(prb_data_ring.head_lpos)=%u", 2 * lsize);
	vi_add("OFFSET(prb_data_ring.tail_lpos)=%u", 3 * lsize);
	vi_add("SIZE(atomic_long_t)=%u", lsize);
	vi_add("OFFSET(atomic_long_t.counter)=0");
	if (clear_kind == 2) {
		vi_add("SIZE(latched_seq)=24");
		vi_add("OFFSET(latched_seq.val)=8");
	}
	kwl(L_PRB, kv(L_RB), lsize);
	kw32(L_RB, count_bits);
	kwl(L_RB + lsize, kv(L_DESCS), lsize);
	kwl(L_RB + 2 * lsize, kv(L_INFOS), lsize);
	kw32(L_RB + tr, size_bits);
	kwl(L_RB + tr + lsize, kv(L_DATA), lsize);
	/* the never-used initial descriptor (DESC0_ID): reusable, no data */
	{
		uint64_t slot = (1ull << count_bits) - 1;
		uint64_t d = L_DESCS + slot * 3 * lsize;

		kwl(d, (3ull << (lsize * 8 - 2)) | prb_id((uint64_t)-1), lsize);
		kwl(d + lsize, 1, lsize);
		kwl(d + 2 * lsize, 1, lsize);
	}
}

enum rec_kind { NORMAL, EMPTY, FAILED };

/* add the next record the way the kernel's data_alloc() lays it out */
static void prb_add(const char *text, uint64_t ts, unsigned state,
		    enum rec_kind kind)
{
	uint64_t k = pb.k++, id = prb_id(k);
	uint64_t count = 1ull << pb.count_bits, ring = 1ull << pb.size_bits;
	uint64_t slot = k & (count - 1);
	uint64_t d = L_DESCS + slot * 3 * pb.lsize, inf = L_INFOS + slot * 88;
	uint64_t lmask = pb.lsize == 8 ? ~0ull : 0xffffffffull;
	size_t tl = strlen(text);
	uint64_t begin, next;

	if (kind == NORMAL) {
		uint64_t size = (pb.lsize + tl + pb.lsize - 1) & ~(uint64_t)(pb.lsize - 1);

		begin = pb.lpos;
		next = begin + size;
		if ((begin >> pb.size_bits) != ((next & lmask) >> pb.size_bits)) {
			/* wraps: stored at the ring start */
			kwl(L_DATA + (begin & (ring - 1)), id, pb.lsize);
			next = ((next & lmask) & ~(ring - 1)) + size;
			kwl(L_DATA, id, pb.lsize);
			kw(L_DATA + pb.lsize, text, tl);
		} else {
			kwl(L_DATA + (begin & (ring - 1)), id, pb.lsize);
			kw(L_DATA + (begin & (ring - 1)) + pb.lsize, text, tl);
		}
		pb.lpos = next & lmask;
		begin &= lmask;
		next &= lmask;
	} else {
		begin = next = kind == EMPTY ? 3 : 1;
	}
	kwl(d, ((uint64_t)state << (pb.lsize * 8 - 2)) | id, pb.lsize);
	kwl(d + pb.lsize, begin, pb.lsize);
	kwl(d + 2 * pb.lsize, next, pb.lsize);
	kw64(inf, k);				/* seq */
	kw64(inf + 8, ts);
	kw16(inf + 16, (uint16_t)tl);
	kw32(inf + 20, 0x80000000u | 7);	/* caller: never printed */
}

static void prb_ids(uint64_t tail_k, uint64_t head_k)
{
	kwl(L_RB + 4 * pb.lsize, prb_id(tail_k), pb.lsize);
	kwl(L_RB + 3 * pb.lsize, prb_id(head_k), pb.lsize);
}

static char *expect_lines(uint64_t from, uint64_t to)
{
	static char buf[8192];
	size_t n = 0;
	uint64_t k;

	buf[0] = '\0';
	for (k = from; k <= to; k++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "[    %llu.%06llu] message number %llu %s\n",
				      (unsigned long long)(k / 10),
				      (unsigned long long)(k % 10 * 100000),
				      (unsigned long long)k,
				      k % 3 ? "short" : "with a longer tail");
	return buf;
}

static void prb_fill(uint64_t n)
{
	char t[64];
	uint64_t k;

	for (k = 0; k < n; k++) {
		snprintf(t, sizeof(t), "message number %llu %s",
			 (unsigned long long)k, k % 3 ? "short" : "with a longer tail");
		prb_add(t, k * 100000000ull, 2, NORMAL);
	}
}

TEST(lockless_first_boot)
{
	struct run r;

	/* as after boot: tail is the initial descriptor, ids near -count */
	prb_setup(8, 4, 12, 48, 2);
	prb_fill(5);
	prb_ids((uint64_t)-1, 4);
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK_EQ(r.write_rc, 0);
	CHECK_EQ(r.st.format, DMESG_LOCKLESS);
	CHECK_EQ(r.st.records, 5);
	CHECK_EQ(r.st.lost, 1);		/* the initial descriptor */
	CHECK_STR(r.out.p, expect_lines(0, 4));
	run_free(&r);
}

TEST(lockless_wrapped_rings_and_reused_descriptors)
{
	struct run r;

	/* 8 descriptors, a 512-byte text ring, 30 records: both rings have
	 * wrapped several times, data blocks wrap, ids passed ID_MASK */
	prb_setup(8, 3, 9, 48, 0);
	prb_fill(30);
	prb_ids(22, 29);
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK_STR(r.out.p, expect_lines(22, 29));
	CHECK_EQ(r.st.lost, 0);
	CHECK_EQ(r.st.bad, 0);
	run_free(&r);

	/* a writer has already taken the tail's slot for record 30 (id
	 * mismatch, state reserved) before the tail moved on: skipped */
	prb_add("in flight", 3000000000ull, 0, NORMAL);
	prb_ids(22, 29);
	run_dmesg(&r, false);
	CHECK_STR(r.out.p, expect_lines(23, 29));
	CHECK_EQ(r.st.lost, 1);
	run_free(&r);
}

TEST(lockless_states_empty_and_failed)
{
	struct run r;

	prb_setup(8, 4, 12, 40, 1);
	prb_add("finalized", 1000, 2, NORMAL);
	prb_add("", 2000, 2, EMPTY);		/* EMPTY_LINE_LPOS: "" */
	prb_add("lost text", 3000, 2, FAILED);	/* FAILED_LPOS: skipped */
	prb_add("reusable", 4000, 3, NORMAL);
	prb_add("committed", 5000, 1, NORMAL);	/* not finalized: kept */
	prb_add("reserved", 6000, 0, NORMAL);	/* writer active: skipped */
	prb_ids(0, 5);
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK_STR(r.out.p,
		  "[    0.000001] finalized\n"
		  "[    0.000002] \n"
		  "[    0.000005] committed\n");
	CHECK_EQ(r.st.lost, 3);
	run_free(&r);
}

TEST(lockless_partial_u64_clear_seq)
{
	struct run r;

	/* 5.10-5.12: clear_seq is a plain u64 */
	prb_setup(8, 3, 9, 40, 1);
	prb_fill(30);
	prb_ids(22, 29);
	kw64(L_CLEAR, 25);
	run_dmesg(&r, true);
	CHECK_EQ(r.load_rc, 0);
	CHECK_STR(r.out.p, expect_lines(25, 29));
	CHECK_EQ(r.st.before_clear, 3);
	run_free(&r);

	/* cleared before everything still in the ring: the whole ring */
	kw64(L_CLEAR, 3);
	run_dmesg(&r, true);
	CHECK_STR(r.out.p, expect_lines(22, 29));
	run_free(&r);

	/* cleared after the last record: nothing */
	kw64(L_CLEAR, 30);
	run_dmesg(&r, true);
	CHECK_EQ(r.load_rc, 0);
	CHECK_STR(r.out.p, "");
	run_free(&r);
}

TEST(lockless_partial_latched_clear_seq_past_head_slot)
{
	struct run r;

	/* 5.13+: struct latched_seq { seqcount latch; u64 val[2]; }.  The
	 * pitfall: clear_seq 23 is slot 7, head 29 is slot 5; makedumpfile
	 * starts at id head - 5 + 7, after head, and walks 2^62 ids */
	prb_setup(8, 3, 9, 48, 2);
	prb_fill(30);
	prb_ids(22, 29);
	kw32(L_CLEAR, 7);		/* odd latch: val[1] is current */
	kw64(L_CLEAR + 8, 2);		/* val[0]: stale */
	kw64(L_CLEAR + 16, 23);		/* val[1] */
	run_dmesg(&r, true);
	CHECK_EQ(r.load_rc, 0);
	CHECK_STR(r.out.p, expect_lines(23, 29));
	run_free(&r);

	kw32(L_CLEAR, 8);		/* even latch: val[0] */
	run_dmesg(&r, true);
	CHECK_STR(r.out.p, expect_lines(22, 29));
	run_free(&r);
}

TEST(lockless_no_clear_seq_symbol)
{
	struct run r;

	prb_setup(8, 3, 9, 48, 0);
	prb_fill(4);
	prb_ids(0, 3);
	run_dmesg(&r, true);
	CHECK_STR(r.out.p, expect_lines(0, 3));
	CHECK(warned(&r, "SYMBOL(clear_seq)"));
	run_free(&r);
}

TEST(lockless_32bit_long)
{
	struct run r;

	/* 32-bit kernel: 4-byte longs, state in bits 31:30, lpos wrap */
	prb_setup(4, 3, 9, 20, 0);
	prb_fill(30);
	prb_ids(22, 29);
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK_STR(r.out.p, expect_lines(22, 29));
	run_free(&r);
	kbase = KBASE64;
}

TEST(lockless_corrupt_records_are_skipped)
{
	struct run r;
	uint64_t slot, d, begin, next;

	prb_setup(8, 3, 9, 48, 0);
	prb_fill(30);
	prb_ids(22, 29);
	/* record 24: its data block names another descriptor */
	slot = 24 & 7;
	d = L_DESCS + slot * 24;
	begin = get_le64(mem + k2p(d + 8));
	next = get_le64(mem + k2p(d + 16));
	kw64(L_DATA + ((begin >> 9) == (next >> 9) ? (begin & 511) : 0), 12345);
	/* record 26: begin and next several wraps apart */
	slot = 26 & 7;
	d = L_DESCS + slot * 24;
	kw64(d + 16, get_le64(mem + k2p(d + 8)) + 5 * 512);
	/* record 27: misaligned lpos */
	slot = 27 & 7;
	d = L_DESCS + slot * 24;
	kw64(d + 8, get_le64(mem + k2p(d + 8)) + 4);
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK_EQ(r.st.bad, 3);
	CHECK(warned(&r, "inconsistent"));
	{
		char want[8192];

		snprintf(want, sizeof(want), "%s", expect_lines(22, 23));
		strcat(want, expect_lines(25, 25));
		strcat(want, expect_lines(28, 29));
		CHECK_STR(r.out.p, want);
	}
	run_free(&r);
}

TEST(lockless_head_tail_too_far_apart)
{
	struct run r;

	prb_setup(8, 3, 9, 48, 0);
	prb_fill(30);
	/* a garbage tail: the walk is clamped to the ring size */
	kw64(L_RB + 32, 0x123456789ull);
	kw64(L_RB + 24, prb_id(29));
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK(warned(&r, "apart"));
	CHECK_STR(r.out.p, expect_lines(22, 29));
	run_free(&r);
}

TEST(lockless_pages_missing_from_the_dump_read_as_zeros)
{
	struct run r;

	/* 64 descriptors: the infos span two pages, the 16 KiB text ring
	 * five; the second info page and a text page hold no record, as
	 * zero pages a filtered dump leaves out */
	prb_setup(8, 6, 14, 48, 0);
	prb_fill(5);
	prb_ids((uint64_t)-1, 4);
	hole_lo = (L_INFOS >> 12) + 1;
	hole_hi = hole_lo + 1;
	run_dmesg(&r, false);
	CHECK_EQ(r.load_rc, 0);
	CHECK_EQ(r.st.absent_pages, 1);
	CHECK_STR(r.out.p, expect_lines(0, 4));
	run_free(&r);

	hole_lo = (L_DATA >> 12) + 3;
	hole_hi = hole_lo + 1;
	run_dmesg(&r, false);
	CHECK_EQ(r.st.absent_pages, 1);
	CHECK_STR(r.out.p, expect_lines(0, 4));
	run_free(&r);

	/* a text ring with no page in the dump is an error, not silence */
	hole_lo = L_DATA >> 12;
	hole_hi = hole_lo + 6;
	run_dmesg(&r, false);
	CHECK(r.load_rc < 0);
	CHECK(strstr(r.err.msg, "Can't read the printk text ring") != NULL);
	CHECK(strstr(r.err.msg, "not in the dump") != NULL);
	run_free(&r);
	hole_lo = hole_hi = 0;
}

TEST(lockless_impossible_sizes_and_missing_keys)
{
	struct run r;

	prb_setup(8, 3, 9, 48, 0);
	kw32(L_RB, 40);			/* count_bits */
	run_dmesg(&r, false);
	CHECK(r.load_rc < 0);
	CHECK(strstr(r.err.msg, "descriptor bits") != NULL);
	run_free(&r);

	prb_setup(8, 3, 9, 48, 0);
	kw64(L_PRB, 0x1234);		/* prb points nowhere */
	run_dmesg(&r, false);
	CHECK(r.load_rc < 0);
	CHECK(strstr(r.err.msg, "Can't read the printk ring buffer") != NULL);
	run_free(&r);

	/* an offset outside its structure */
	prb_setup(8, 3, 9, 48, 0);
	vi_set("OFFSET(printk_info.ts_nsec)", "9");
	vi_set("SIZE(printk_info)", "16");
	run_dmesg(&r, false);
	CHECK(r.load_rc < 0);
	CHECK(strstr(r.err.msg, "does not fit") != NULL);
	run_free(&r);

	/* structures smaller than one field of theirs */
	prb_setup(8, 3, 9, 48, 0);
	vi_set("SIZE(printk_ringbuffer)", "2");
	run_dmesg(&r, false);
	CHECK(r.load_rc < 0);
	CHECK(strstr(r.err.msg, "does not fit") != NULL);
	run_free(&r);
	prb_setup(8, 3, 9, 48, 0);
	vi_set("SIZE(prb_desc)", "4");
	run_dmesg(&r, false);
	CHECK(r.load_rc < 0);
	CHECK(strstr(r.err.msg, "SIZE(prb_desc)") != NULL);
	run_free(&r);
	prb_setup(8, 3, 9, 48, 0);
	vi_set("SIZE(printk_ringbuffer)", "100000");
	run_dmesg(&r, false);
	CHECK(r.load_rc < 0);
	CHECK(strstr(r.err.msg, "plausible") != NULL);
	run_free(&r);

	/* no printk keys at all */
	memset(mem, 0, MEM);
	vi_reset();
	run_dmesg(&r, false);
	CHECK(r.load_rc < 0);
	CHECK(strstr(r.err.msg, "Can't find some symbols for log_buf") != NULL);
	run_free(&r);

	/* records format without printk_log layout */
	vi_reset();
	vi_add("SYMBOL(log_buf)=%llx", (unsigned long long)kv(0));
	vi_add("SYMBOL(log_buf_len)=%llx", (unsigned long long)kv(8));
	vi_add("SYMBOL(log_first_idx)=%llx", (unsigned long long)kv(16));
	vi_add("SYMBOL(log_next_idx)=%llx", (unsigned long long)kv(24));
	run_dmesg(&r, false);
	CHECK(r.load_rc < 0);
	CHECK(strstr(r.err.msg, "SIZE(printk_log)") != NULL);
	run_free(&r);
}

/* Random damage to the rings: every run must end, with the log or an
 * error, and never read outside a buffer (run under make asan). */
TEST(random_corruption_ends_cleanly)
{
	unsigned seed = 12345, it, j, ok = 0, failed = 0;

	for (it = 0; it < 300; it++) {
		struct run r;
		bool lockless = it & 1;
		uint64_t base = lockless ? L_DESCS : R_BUF;
		uint64_t span = lockless ? 0x21000 : 512;

		if (lockless) {
			prb_setup(8, 3, 9, 48, 2);
			prb_fill(30);
			prb_ids(22, 29);
			kw32(L_CLEAR, 1);
			kw64(L_CLEAR + 16, 24);
		} else {
			uint32_t p = 0;

			rec_setup(512, false, false);
			while (p < 400)
				p += rec_put(p, p * 1000ull, "some text\n2nd", 14, 4, 0);
			rec_marker(p);
			rec_idx(72, 36, 144);	/* wrapped chain */
		}
		for (j = 0; j < 1 + it % 7; j++) {
			uint64_t k = base + rand_r(&seed) % span;
			uint8_t v = (uint8_t)rand_r(&seed);

			/* now and then the ring structure itself */
			if (lockless && it % 5 == 1)
				k = L_RB + rand_r(&seed) % 88;
			kw(k, &v, 1);
		}
		run_dmesg(&r, it % 3 == 0);
		if (r.load_rc == 0 && r.write_rc == 0)
			ok++;
		else if (r.load_rc < 0 || r.write_rc < 0)
			failed++;
		CHECK(r.load_rc <= 0 && r.write_rc <= 0);
		CHECK(r.st.bytes == r.out.n);
		run_free(&r);
	}
	fprintf(stderr, "  %u runs wrote a log, %u ended with an error\n", ok,
		failed);
	CHECK_EQ(ok + failed, 300);
	CHECK(ok > 0 && failed > 0);
}

TEST(output_errors_and_size_limit)
{
	struct dmesg_fd f;
	struct mdf_err err;
	char path[] = "/tmp/dmesg_testXXXXXX";
	char back[32];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	unlink(path);
	memset(&f, 0, sizeof(f));
	f.fd = fd;
	f.name = "log";
	f.limit = 10;
	CHECK_EQ(dmesg_fd_write(&f, "12345678", 8, &err), 0);
	CHECK(dmesg_fd_write(&f, "abcdef", 6, &err) == -MDF_ENOSPC);
	CHECK(strstr(err.msg, "Size limit(10) reached") != NULL);
	CHECK_EQ(f.written, 10);
	CHECK_EQ(pread(fd, back, sizeof(back), 0), 10);
	CHECK(memcmp(back, "12345678ab", 10) == 0);
	close(fd);

	/* a failing output stops dmesg_write() with its error */
	{
		struct run r;
		uint32_t p = 0;
		struct vmcoreinfo vi;
		struct dmesg_log *log = NULL;
		struct dmesg_opts o = { false };
		struct membuf m = { calloc(1, 1), 0, 0 };
		struct dmesg_out out = { mem_write, &m };
		struct input *in = mem_input_create(mem, 0, MEM, EM_X86_64);
		struct arch a = { .ops = &stub_ops, .in = in, .vi = &vi };

		rec_setup(4096, false, false);
		p += rec_put(p, 1000, "one", 3, 0, 0);
		rec_idx(0, p, 0);
		CHECK_EQ(vmcoreinfo_parse(&vi, vitext, vilen, NULL, &err), 0);
		memset(&r, 0, sizeof(r));
		CHECK_EQ(dmesg_load(&a, &vi, &o, &r.warns, &log, &err), 0);
		CHECK(dmesg_write(log, &out, &err) == -MDF_EIO);
		CHECK(strstr(err.msg, "simulated") != NULL);
		dmesg_destroy(log);
		vmcoreinfo_deinit(&vi);
		mem_input_destroy(in);
		free(m.p);
	}
}

static const struct harness_case cases[] = {
	CASE(plain_not_yet_wrapped),
	CASE(plain_wrapped_oldest_first),
	CASE(plain_log_end_is_ulong_before_2_6_25),
	CASE(plain_bad_length_is_an_error),
	CASE(records_format_and_escapes),
	CASE(records_wrap_marker),
	CASE(records_partial_clear_idx),
	CASE(records_3_5_names_and_no_clear_idx),
	CASE(records_caller_column),
	CASE(records_cycle_writes_the_records_before_it),
	CASE(records_corrupt_lengths),
	CASE(records_long_text_crosses_the_output_buffer),
	CASE(lockless_first_boot),
	CASE(lockless_wrapped_rings_and_reused_descriptors),
	CASE(lockless_states_empty_and_failed),
	CASE(lockless_partial_u64_clear_seq),
	CASE(lockless_partial_latched_clear_seq_past_head_slot),
	CASE(lockless_no_clear_seq_symbol),
	CASE(lockless_32bit_long),
	CASE(lockless_corrupt_records_are_skipped),
	CASE(lockless_head_tail_too_far_apart),
	CASE(lockless_pages_missing_from_the_dump_read_as_zeros),
	CASE(lockless_impossible_sizes_and_missing_keys),
	CASE(random_corruption_ends_cleanly),
	CASE(output_errors_and_size_limit),
};

int main(void)
{
	int rc;

	mem = calloc(1, MEM);
	if (!mem)
		return 1;
	rc = harness_run("dmesg_test", cases, sizeof(cases) / sizeof(cases[0]));
	free(mem);
	return rc;
}
