/* writer_test.c: the kdump-compressed and ELF writers on an in-memory
 * input, driven the way dump.c drives them, output kept in a memory sink
 * and taken apart byte by byte here. */
#include <elf.h>

#include "byteorder.h"
#include "fmt_kdump.h"
#include "harness.h"
#include "mem_input.h"
#include "pipeline.h"
#include "writer.h"

enum { PAGE = 4096, NPAGES = 1024 };

static uint8_t *mem;
static uint8_t notes[64];

/* page p: its pfn everywhere, except the zero pages (every 7th) */
static void make_memory(void)
{
	uint64_t p, i;

	mem = calloc(NPAGES, PAGE);
	for (p = 0; p < NPAGES; p++) {
		if (p % 7 == 3)
			continue;
		for (i = 0; i < PAGE; i += 8)
			put_le64(mem + p * PAGE + i, p * 0x100000001ull + i);
	}
}

static struct input *make_input(void)
{
	struct input *in = mem_input_create(mem, 0, (uint64_t)NPAGES * PAGE,
					    EM_X86_64);
	static const char vi[] = "OSRELEASE=6.1.0\n";

	/* one VMCOREINFO note: namesz 11, descsz, type 0 */
	memset(notes, 0, sizeof(notes));
	put_le32(notes, 11);
	put_le32(notes + 4, sizeof(vi) - 1);
	memcpy(notes + 12, "VMCOREINFO", 11);
	memcpy(notes + 24, vi, sizeof(vi) - 1);
	in->notes = notes;
	in->notes_len = 24 + 16;
	in->vmcoreinfo = (const char *)notes + 24;
	in->vmcoreinfo_len = sizeof(vi) - 1;
	in->vmcoreinfo_note_off = 24;
	in->nr_cpus = 1;
	return in;
}

/* excluded: a short run [100,110), a long run [300,600), a tail
 * [1000,1024) */
static bool excluded(uint64_t p)
{
	return (p >= 100 && p < 110) || (p >= 300 && p < 600) || p >= 1000;
}

static void make_cycle(struct cycle *c)
{
	uint64_t p;

	cycle_init(c, NPAGES, 64, NULL, NULL);
	c->start = 0;
	c->end = NPAGES;
	for (p = 0; p < NPAGES; p++) {
		bm_set(c->bm1, p);
		if (!excluded(p))
			bm_set(c->bm2, p);
	}
}

/* dump.c's loop, for one window that holds everything */
static int drive(struct writer *w, struct input *in, struct cycle *c,
		 unsigned level, const struct codec_ops *codec,
		 uint64_t noread_pfn, struct mdf_err *err)
{
	struct pipe_batch *b = calloc(1, sizeof(*b));
	unsigned pass;
	int rc;

	rc = w->ops->begin(w, err);
	if (rc == 0)
		rc = w->ops->count_window(w, c, err);
	for (pass = 0; rc == 0 && pass < w->ops->npasses; pass++) {
		struct writer_pass wp;
		struct pipeline pl;
		uint64_t i;

		rc = w->ops->pass_begin(w, pass, c, &wp, err);
		if (rc < 0)
			break;
		CHECK(wp.pfn_end == NPAGES);
		if (wp.ranges && noread_pfn)
			wp.ranges->add(wp.ranges->ctx, PC_OFFLINE, noread_pfn, 1);
		rc = pipeline_init(&pl, in, wp.work, level & 1, codec, 0, false,
				   err);
		if (rc < 0)
			break;
		rc = w->ops->window(w, c, err);
		b->n = 0;
		for (i = 0; rc == 0 && wp.work != PIPE_NONE && i < NPAGES; i++) {
			if (!bm_test(c->bm2, i))
				continue;
			b->pfn[b->n++] = i;
			if (b->n == PIPE_BATCH || i == NPAGES - 1) {
				rc = pipeline_run(&pl, b, err);
				if (rc == 0)
					rc = w->ops->pages(w, b->res, b->n, err);
				b->n = 0;
			}
		}
		if (rc == 0 && b->n) {
			rc = pipeline_run(&pl, b, err);
			if (rc == 0)
				rc = w->ops->pages(w, b->res, b->n, err);
		}
		if (rc == 0)
			rc = w->ops->window_end(w, c, err);
		if (rc == 0)
			rc = w->ops->pass_end(w, pass, err);
		pipeline_deinit(&pl);
	}
	if (rc == 0)
		rc = w->ops->finish(w, err);
	free(b);
	return rc;
}

static struct writer *create(const struct writer_ops *ops, struct sink *s,
			     struct input *in, unsigned level,
			     const struct codec_ops *codec)
{
	struct writer_params p;
	struct writer *w = NULL;
	struct mdf_err err;

	memset(&p, 0, sizeof(p));
	p.sink = s;
	p.in = in;
	p.max_mapnr = NPAGES;
	p.dump_level = level;
	p.codec = codec;
	p.block_order = 2;	/* small caches: many flushes */
	strcpy(p.utsname[0], "Linux");
	strcpy(p.utsname[2], "6.1.0");
	p.crashtime = 1234567;
	p.phys_base = 0x1000000;
	CHECK(ops->create(&p, &w, &err) == 0);
	return w;
}

TEST(kdump_layout)
{
	const struct codec_ops *codec = codec_find(CODEC_ZLIB);
	struct input *in = make_input();
	struct mdf_err err;
	struct cycle c;
	struct sink *s;
	struct writer *w;
	const struct kdump_disk_header *h;
	const struct kdump_sub_header *sh;
	const uint8_t *d;
	uint64_t table, data, n = 0, p, zero_off;
	size_t len;
	unsigned zeros = 0, comp = 0;

	make_cycle(&c);
	sink_mem_create(0, &s, &err);
	w = create(&writer_kdump_ops, s, in, 1, codec);
	CHECK(drive(w, in, &c, 1, codec, 0, &err) == 0);
	d = sink_mem_data(s, &len);
	h = (const void *)d;
	sh = (const void *)(d + PAGE);
	CHECK(memcmp(h->signature, "KDUMP   ", 8) == 0);
	CHECK_EQ(get_le32(&h->header_version), 6);
	CHECK_EQ(get_le32(&h->status), DUMP_DH_COMPRESSED_ZLIB); /* complete */
	CHECK_EQ(get_le32(&h->block_size), PAGE);
	CHECK_EQ(get_le32(&h->sub_hdr_size), 1);
	CHECK_EQ(get_le32(&h->bitmap_blocks), 2);
	CHECK_EQ(get_le32(&h->max_mapnr), NPAGES);
	CHECK_EQ(get_le32(&h->nr_cpus), 1);
	CHECK_EQ(get_le64(&h->timestamp_sec), 1234567);
	CHECK_STR(h->utsname[2], "6.1.0");
	CHECK_EQ(get_le64(&sh->phys_base), 0x1000000);
	CHECK_EQ(get_le32(&sh->dump_level), 1);
	CHECK_EQ(get_le64(&sh->max_mapnr_64), NPAGES);
	CHECK_EQ(get_le64(&sh->offset_note), PAGE + 104);
	CHECK_EQ(get_le64(&sh->size_note), 40);
	CHECK_EQ(get_le64(&sh->offset_vmcoreinfo), PAGE + 104 + 24);
	CHECK(memcmp(d + get_le64(&sh->offset_vmcoreinfo), "OSRELEASE=6.1.0\n", 16) == 0);
	/* bitmaps at block 2 and 3 */
	CHECK(memcmp(d + 2 * PAGE, c.bm1, NPAGES / 8) == 0);
	CHECK(memcmp(d + 3 * PAGE, c.bm2, NPAGES / 8) == 0);
	table = 4 * PAGE;
	for (p = 0; p < NPAGES; p++)
		n += !excluded(p);
	data = table + 24 * n;
	zero_off = data;
	/* every dumped page: zero block or its own data, in pfn order */
	for (p = 0; p < NPAGES; p++) {
		const struct kdump_page_desc *pd;
		uint8_t page[PAGE];
		uint64_t off;
		uint32_t size, flags;

		if (excluded(p))
			continue;
		pd = (const void *)(d + table);
		table += 24;
		off = get_le64(&pd->offset);
		size = get_le32(&pd->size);
		flags = get_le32(&pd->flags);
		if (p % 7 == 3) {
			CHECK_EQ(off, zero_off);
			CHECK_EQ(size, PAGE);
			zeros++;
			continue;
		}
		CHECK(off >= zero_off + PAGE && off + size <= len);
		if (flags) {
			CHECK_EQ(flags, DUMP_DH_COMPRESSED_ZLIB);
			CHECK(codec->decompress(d + off, size, page, PAGE, &err) == 0);
			comp++;
		} else {
			CHECK_EQ(size, PAGE);
			memcpy(page, d + off, PAGE);
		}
		CHECK(memcmp(page, mem + p * PAGE, PAGE) == 0);
	}
	CHECK(zeros > 90 && comp > 500);
	CHECK(d[zero_off] == 0 && memcmp(d + zero_off, d + zero_off + 1, PAGE - 1) == 0);
	CHECK_EQ(w->pages_written, n - zeros);
	writer_destroy(w);
	sink_destroy(s);
	cycle_deinit(&c);
	mem_input_destroy(in);
}

/* dump level 0: no zero block; the data starts right after the table */
TEST(kdump_level0_raw)
{
	struct input *in = make_input();
	struct mdf_err err;
	struct cycle c;
	struct sink *s;
	struct writer *w;
	const uint8_t *d;
	uint64_t n = 0, p;
	size_t len;

	make_cycle(&c);
	sink_mem_create(0, &s, &err);
	w = create(&writer_kdump_ops, s, in, 0, &codec_none);
	CHECK(drive(w, in, &c, 0, &codec_none, 0, &err) == 0);
	d = sink_mem_data(s, &len);
	for (p = 0; p < NPAGES; p++)
		n += !excluded(p);
	CHECK_EQ(get_le64(d + 4 * PAGE), 4 * PAGE + 24 * n);	/* desc 0 */
	CHECK_EQ(len, 4 * PAGE + 24 * n + n * PAGE);
	CHECK(memcmp(d + len - PAGE, mem + 999 * PAGE, PAGE) == 0);
	writer_destroy(w);
	sink_destroy(s);
	cycle_deinit(&c);
	mem_input_destroy(in);
}

/* no space in the middle: INCOMPLETE stays, descriptors only for data
 * that is there, none torn */
TEST(kdump_enospc)
{
	struct input *in = make_input();
	struct mdf_err err;
	struct cycle c;
	struct sink *s;
	struct writer *w;
	const uint8_t *d;
	uint64_t table = 4 * PAGE, p, good = 0, lost = 0;
	size_t len;

	make_cycle(&c);
	sink_mem_create(4 * PAGE + 200 * PAGE + 5000, &s, &err);
	w = create(&writer_kdump_ops, s, in, 0, &codec_none);
	CHECK(drive(w, in, &c, 0, &codec_none, 0, &err) == -MDF_ENOSPC);
	CHECK(s->nospace);
	CHECK(w->ops->incomplete(w, &err) == 0);
	d = sink_mem_data(s, &len);
	CHECK_EQ(get_le32(d + 424), DUMP_DH_COMPRESSED_INCOMPLETE);
	for (p = 0; p < NPAGES; p++) {
		uint64_t off, size;

		if (excluded(p))
			continue;
		if (table + 24 > len)
			break;
		off = get_le64(d + table);
		size = get_le32(d + table + 8);
		table += 24;
		if (!off) {
			/* a lost page: all of its descriptor is zero */
			CHECK(size == 0 && get_le64(d + table - 24 + 16) == 0);
			lost++;
			continue;
		}
		CHECK(off + size <= len);
		CHECK(memcmp(d + off, mem + p * PAGE, PAGE) == 0);
		good++;
	}
	CHECK(good > 50 && lost > 50);
	writer_destroy(w);
	sink_destroy(s);
	cycle_deinit(&c);
	mem_input_destroy(in);
}

struct phdr {
	uint32_t type;
	uint64_t off, paddr, vaddr, filesz, memsz;
};

static struct phdr get_phdr(const uint8_t *d, unsigned i)
{
	const uint8_t *b = d + 64 + 56 * i;
	struct phdr ph = {
		get_le32(b), get_le64(b + 8), get_le64(b + 24),
		get_le64(b + 16), get_le64(b + 32), get_le64(b + 40),
	};
	return ph;
}

/* makedumpfile's segments: a 10-page run stays (with its contents, a
 * never-read page as zeros), a 300-page run splits, a tail is memsz only */
TEST(elf_segments)
{
	struct input *in = make_input();
	struct mdf_err err;
	struct cycle c;
	struct sink *s;
	struct writer *w;
	const uint8_t *d;
	struct phdr n0, l1, l2;
	size_t len;
	uint64_t p;

	in->loads[0].vaddr = 0xffff880000000000ull;
	make_cycle(&c);
	sink_mem_create(0, &s, &err);
	w = create(&writer_elf_ops, s, in, 0, NULL);
	CHECK(drive(w, in, &c, 0, NULL, 105, &err) == 0);
	d = sink_mem_data(s, &len);
	CHECK(memcmp(d, ELFMAG, SELFMAG) == 0);
	CHECK_EQ(get_le16(d + 16), ET_CORE);
	CHECK_EQ(get_le16(d + 18), EM_X86_64);
	CHECK_EQ(get_le32(d + 48), 0);		/* e_flags: complete */
	CHECK_EQ(get_le16(d + 56), 3);		/* e_phnum */
	n0 = get_phdr(d, 0);
	l1 = get_phdr(d, 1);
	l2 = get_phdr(d, 2);
	CHECK_EQ(n0.type, PT_NOTE);
	CHECK_EQ(n0.off, 64 + 3 * 56);
	CHECK_EQ(n0.filesz, 40);
	CHECK(memcmp(d + n0.off, notes, 40) == 0);
	CHECK_EQ(l1.type, PT_LOAD);
	CHECK_EQ(l1.off, n0.off + 40);
	CHECK_EQ(l1.paddr, 0);
	CHECK_EQ(l1.filesz, 300 * PAGE);
	CHECK_EQ(l1.memsz, 600 * PAGE);
	CHECK_EQ(l2.type, PT_LOAD);
	CHECK_EQ(l2.paddr, 600 * PAGE);
	CHECK_EQ(l2.vaddr, 0xffff880000000000ull + 600 * PAGE);
	CHECK_EQ(l2.off, l1.off + l1.filesz);
	CHECK_EQ(l2.filesz, 400 * PAGE);
	CHECK_EQ(l2.memsz, 424 * PAGE);
	CHECK_EQ(len, l2.off + l2.filesz);
	for (p = 0; p < 300; p++) {
		const uint8_t *got = d + l1.off + p * PAGE;

		if (p == 105) {
			CHECK(got[0] == 0 && memcmp(got, got + 1, PAGE - 1) == 0);
			continue;
		}
		CHECK(memcmp(got, mem + p * PAGE, PAGE) == 0);
	}
	CHECK(memcmp(d + l2.off, mem + 600 * PAGE, 400 * PAGE) == 0);
	CHECK_EQ(w->elf_excluded, 300 + 24);
	writer_destroy(w);
	sink_destroy(s);
	cycle_deinit(&c);
	mem_input_destroy(in);
}

/* with -d 1 a long run of zero pages splits too; short runs of zero pages
 * stay as zeros */
TEST(elf_zero_pages)
{
	struct input *in = make_input();
	struct mdf_err err;
	struct cycle c;
	struct sink *s;
	struct writer *w;
	const uint8_t *d;
	size_t len;
	struct phdr l1;

	memset(mem + 700 * PAGE, 0, 260 * PAGE);	/* zero run [700, 960) */
	make_cycle(&c);
	sink_mem_create(0, &s, &err);
	w = create(&writer_elf_ops, s, in, 1, NULL);
	CHECK(drive(w, in, &c, 1, NULL, 0, &err) == 0);
	d = sink_mem_data(s, &len);
	CHECK_EQ(get_le16(d + 56), 4);		/* NOTE + 3 LOADs */
	l1 = get_phdr(d, 2);
	CHECK_EQ(l1.paddr, 600 * PAGE);
	CHECK_EQ(l1.filesz, 100 * PAGE);
	CHECK_EQ(l1.memsz, 360 * PAGE);
	CHECK_EQ(get_phdr(d, 3).paddr, 960 * PAGE);
	writer_destroy(w);
	sink_destroy(s);
	cycle_deinit(&c);
	mem_input_destroy(in);
	free(mem);
	make_memory();		/* the next case wants the pattern back */
}

static const struct harness_case cases[] = {
	CASE(kdump_layout),
	CASE(kdump_level0_raw),
	CASE(kdump_enospc),
	CASE(elf_segments),
	CASE(elf_zero_pages),
};

int main(void)
{
	int rc;

	make_memory();
	rc = harness_run("writer_test", cases, sizeof(cases) / sizeof(cases[0]));
	free(mem);
	return rc;
}
