/* fuzzseed.c: the seed corpus of the fuzz targets (tests/fuzz/), made at
 * test time from real vmcores and from a small synthetic machine.
 *
 *   fuzzseed OUTDIR [CORE...]
 *
 * Writes OUTDIR/<target>/<name> files and OUTDIR/vmcoreinfo.dict (every
 * key the parser knows, for libFuzzer's -dict).  From each core: its ELF
 * headers and notes (fuzz_elf), its VMCOREINFO (fuzz_vmcoreinfo), and memory
 * images (tests/fuzz/fuzz_mem.h) holding exactly the pages the tool reads
 * to translate a few addresses (fuzz_pgtable), to decode mem_section and
 * read struct pages around interesting pfns (fuzz_memmap, fuzz_scan), and
 * those struct pages alone (fuzz_classify).  The pages come from the
 * input's read trace, so the seeds follow the code as it changes.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "byteorder.h"
#include "classify.h"
#include "dmesg.h"
#include "input.h"
#include "memmap.h"
#include "vmcoreinfo.h"

enum { MAX_CHUNKS = 255, PAGE = 4096 };

static const char *outdir;

/* ---- a set of 4 KiB physical pages, filled by the read trace ---- */

struct pageset {
	uint64_t *pfn;
	size_t n, cap;
};

static struct pageset *tracing;

static void ps_add(struct pageset *ps, uint64_t pfn)
{
	if (ps->n && ps->pfn[ps->n - 1] == pfn)
		return;
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 256;
		ps->pfn = realloc(ps->pfn, ps->cap * sizeof(*ps->pfn));
		if (!ps->pfn)
			abort();
	}
	ps->pfn[ps->n++] = pfn;
}

static void trace_cb(void *ctx, uint64_t paddr, uint64_t len)
{
	uint64_t p;

	(void)ctx;
	if (!tracing || !len)
		return;
	for (p = paddr / PAGE; p <= (paddr + len - 1) / PAGE; p++)
		ps_add(tracing, p);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void ps_sort(struct pageset *ps)
{
	size_t i, j = 0;

	qsort(ps->pfn, ps->n, sizeof(*ps->pfn), cmp_u64);
	for (i = 0; i < ps->n; i++)
		if (!j || ps->pfn[j - 1] != ps->pfn[i])
			ps->pfn[j++] = ps->pfn[i];
	ps->n = j;
}

/* ---- writing files ---- */

static FILE *out_open(const char *target, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static void put(FILE *f, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, f) != n) {
		perror("write");
		exit(1);
	}
}

static void put64(FILE *f, uint64_t v)
{
	uint8_t b[8];

	put_le64(b, v);
	put(f, b, 8);
}

static void put32(FILE *f, uint32_t v)
{
	uint8_t b[4];

	put_le32(b, v);
	put(f, b, 4);
}

struct chunk {
	uint64_t paddr, len;		/* bytes of data */
	uint64_t memsz;			/* >= len */
	uint64_t data_off;		/* into the data area */
	bool shared;			/* data already in the area */
};

/* Runs of consecutive pages; small gaps are merged until they fit. */
static size_t make_chunks(const struct pageset *ps, struct chunk *c)
{
	uint64_t gap = 1;
	size_t n;

	for (;;) {
		size_t i;

		n = 0;
		for (i = 0; i < ps->n; i++) {
			if (n && ps->pfn[i] - (c[n - 1].paddr + c[n - 1].len) / PAGE < gap) {
				c[n - 1].len = (ps->pfn[i] + 1) * PAGE - c[n - 1].paddr;
				continue;
			}
			if (n == MAX_CHUNKS)
				break;
			memset(&c[n], 0, sizeof(c[n]));
			c[n].paddr = ps->pfn[i] * PAGE;
			c[n].len = PAGE;
			n++;
		}
		if (i == ps->n)
			break;
		gap *= 2;
	}
	return n;
}

/* A memory image (tests/fuzz/fuzz_mem.h).  getpage fills one page. */
struct image {
	const char *text;
	size_t text_len;
	unsigned machine;
	uint64_t q[32];
	unsigned nq;
	struct chunk extra;		/* a data-sharing "RAM" chunk, if len */
};

typedef void (*getpage_fn)(void *ctx, uint64_t paddr, uint8_t *buf);

static void write_image(const char *target, const char *name,
			const struct image *im, struct pageset *ps,
			getpage_fn get, void *ctx)
{
	static struct chunk c[MAX_CHUNKS + 1];
	uint8_t page[PAGE];
	size_t n, i;
	uint64_t off = 0, p;
	FILE *f;

	ps_sort(ps);
	n = make_chunks(ps, c);
	for (i = 0; i < n; i++) {
		c[i].memsz = c[i].len;
		c[i].data_off = off;
		off += c[i].len;
	}
	if (im->extra.len && n < MAX_CHUNKS)
		c[n++] = im->extra;
	f = out_open(target, name);
	put(f, im->text, im->text_len);
	put(f, "", 1);
	put(f, (uint8_t[2]){ (uint8_t)im->machine, (uint8_t)(im->machine >> 8) }, 2);
	put(f, (uint8_t[1]){ (uint8_t)im->nq }, 1);
	for (i = 0; i < im->nq; i++)
		put64(f, im->q[i]);
	put(f, (uint8_t[1]){ (uint8_t)n }, 1);
	for (i = 0; i < n; i++) {
		put64(f, c[i].paddr);
		put64(f, c[i].memsz);
		put32(f, (uint32_t)(c[i].len > UINT32_MAX ? UINT32_MAX : c[i].len));
		put32(f, (uint32_t)c[i].data_off);
	}
	for (i = 0; i < n; i++) {
		if (c[i].shared)
			continue;
		for (p = c[i].paddr; p < c[i].paddr + c[i].len; p += PAGE) {
			get(ctx, p, page);
			put(f, page, PAGE);
		}
	}
	fclose(f);
}

/* ---- seeds from a real core ---- */

static void core_page(void *ctx, uint64_t paddr, uint8_t *buf)
{
	struct input *in = ctx;
	struct mdf_err err;

	if (input_read_paddr(in, paddr, buf, PAGE, &err) != 0)
		memset(buf, 0, PAGE);
}

/* the ELF header, program headers and notes: everything before the data */
static void elf_seed(const char *core, const char *tag)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint64_t end, i;
	uint8_t *buf;
	FILE *in, *f;

	in = fopen(core, "rb");
	if (!in || fread(&eh, sizeof(eh), 1, in) != 1)
		goto out;
	end = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(ph);
	for (i = 0; i < eh.e_phnum; i++) {
		if (fseek(in, (long)(eh.e_phoff + i * sizeof(ph)), SEEK_SET) ||
		    fread(&ph, sizeof(ph), 1, in) != 1)
			goto out;
		if (ph.p_type == PT_NOTE && ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	}
	if (end > (256u << 10))
		end = 256u << 10;
	buf = malloc(end);
	if (!buf || fseek(in, 0, SEEK_SET) || fread(buf, 1, end, in) != end) {
		free(buf);
		goto out;
	}
	f = out_open("fuzz_elf", tag);
	put(f, buf, end);
	fclose(f);
	free(buf);
out:
	if (in)
		fclose(in);
}

/* first pfns of the page kinds worth a seed */
static size_t interesting(const struct memmap *mm, const struct page_layout *pl,
			  uint64_t max_pfn, uint64_t *ret, size_t max)
{
	static const uint32_t want[] = {
		PI_OFFLINE, PI_HUGETLB, PI_FAKE_HEAD, PI_BUDDY, PI_HEAD,
		PI_SLAB, PI_ANON, PI_CACHE, PI_HWPOISON,
	};
	enum { B = 4096 };
	uint8_t *sp = malloc((B + 1) * mm->struct_size), av[B + 1];
	bool found[sizeof(want) / sizeof(want[0])] = { false };
	size_t n = 0, k;
	uint64_t pfn, i;

	for (pfn = 0; pfn < max_pfn && n < max; pfn += B) {
		struct mdf_err err;

		if (memmap_read(mm, pfn, B + 1, sp, av, &err) < 0)
			continue;
		for (i = 0; i < B && n < max; i++) {
			struct page_info pi;

			if (av[i] != MEMMAP_OK)
				continue;
			classify_page(pl, pfn + i, memmap_pfn_to_page(mm, pfn + i),
				      sp + i * mm->struct_size,
				      av[i + 1] == MEMMAP_OK ?
				      sp + (i + 1) * mm->struct_size : NULL, &pi);
			for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
				if (found[k] || !(pi.bits & want[k]))
					continue;
				if (want[k] == PI_BUDDY && pi.buddy_order < 3)
					continue;
				found[k] = true;
				ret[n++] = pfn + i;
				break;
			}
		}
	}
	free(sp);
	return n;
}

static void core_seeds(const char *core, const char *tag)
{
	struct input_open_opts io = { .trace = trace_cb };
	struct mdf_warns warns = { 0 };
	const struct arch_ops *ops;
	struct pageset ps = { 0 };
	struct page_layout pl;
	struct vmcoreinfo vi;
	struct image im;
	struct mdf_err err;
	struct memmap mm;
	struct input *in;
	struct arch a;
	uint64_t max_pfn, pfns[16];
	size_t npf, k;
	char name[256];
	FILE *f;

	elf_seed(core, tag);
	tracing = NULL;
	if (input_open(core, &io, &warns, &in, &err) < 0) {
		fprintf(stderr, "fuzzseed: %s: %s\n", core, err.msg);
		return;
	}
	if (!in->vmcoreinfo ||
	    vmcoreinfo_parse(&vi, in->vmcoreinfo, in->vmcoreinfo_len, &warns,
			     &err) < 0)
		goto out_in;
	f = out_open("fuzz_vmcoreinfo", tag);
	put(f, in->vmcoreinfo, in->vmcoreinfo_len);
	fclose(f);
	if (!vmci_has(&vi, VMCI_PAGESIZE) ||
	    vmci_get(&vi, VMCI_PAGESIZE) != PAGE ||
	    input_set_page_size(in, PAGE, &err) < 0 ||
	    arch_find(in->e_machine, &vi, &ops, &err) < 0 ||
	    arch_init(&a, ops, in, &vi, &warns, &err) < 0)
		goto out_vi;
	max_pfn = input_max_pfn(in);
	if (memmap_init(&mm, &a, &vi, max_pfn, &warns, &err) < 0)
		goto out_arch;
	if (page_layout_init(&pl, &vi, in->page_shift, &warns, &err) < 0)
		goto out_mm;
	npf = interesting(&mm, &pl, mm.end_pfn < max_pfn ? mm.end_pfn : max_pfn,
			  pfns, 16);

	memset(&im, 0, sizeof(im));
	im.text = in->vmcoreinfo;
	im.text_len = strnlen(in->vmcoreinfo, in->vmcoreinfo_len);
	im.machine = in->e_machine;

	/* fuzz_pgtable: translate a few kernel addresses */
	{
		static const enum vmci_id syms[] = {
			VMCI_SYMBOL_init_uts_ns, VMCI_SYMBOL__stext,
			VMCI_SYMBOL_mem_section, VMCI_SYMBOL_swapper_pg_dir,
		};
		uint8_t b[64];
		uint64_t pa, len, v;

		ps.n = 0;
		tracing = &ps;
		im.nq = 0;
		for (k = 0; k < sizeof(syms) / sizeof(syms[0]); k++)
			if (vmci_has(&vi, syms[k]))
				im.q[im.nq++] = vmci_get(&vi, syms[k]);
		for (k = 0; k < npf && im.nq < 12; k++)
			im.q[im.nq++] = memmap_pfn_to_page(&mm, pfns[k]);
		for (k = 0; k < im.nq; k++) {
			(void)arch_kvtop(&a, im.q[k], &pa, &len, &err);
			(void)arch_read_kvaddr(&a, im.q[k], b, sizeof(b), &err);
			(void)arch_read_ulong(&a, im.q[k] ^ 0xfff, &v, &err);
		}
		tracing = NULL;
		write_image("fuzz_pgtable", tag, &im, &ps, core_page, in);
	}

	/* fuzz_dmesg: the pages the kernel log is copied from */
	{
		/* --partial-dmesg reads a superset (clear_seq too) */
		struct dmesg_opts o = { .partial = true };
		struct dmesg_log *log = NULL;

		ps.n = 0;
		tracing = &ps;
		im.nq = 1;
		im.q[0] = 0;
		if (dmesg_load(&a, &vi, &o, &warns, &log, &err) == 0) {
			tracing = NULL;
			write_image("fuzz_dmesg", tag, &im, &ps, core_page, in);
			im.q[0] = 1;	/* --partial-dmesg */
			snprintf(name, sizeof(name), "%s-partial", tag);
			write_image("fuzz_dmesg", name, &im, &ps, core_page, in);
		}
		tracing = NULL;
		dmesg_destroy(log);
	}

	/* fuzz_memmap: decode mem_section, read struct pages around each pfn */
	{
		struct memmap mm2;
		uint8_t *sp = malloc(65 * mm.struct_size), av[65];

		ps.n = 0;
		tracing = &ps;
		im.nq = 0;
		im.q[im.nq++] = max_pfn;
		if (memmap_init(&mm2, &a, &vi, max_pfn, &warns, &err) == 0) {
			for (k = 0; k < npf && im.nq + 2 <= 32; k++) {
				im.q[im.nq++] = pfns[k] & ~63ull;
				im.q[im.nq++] = 63;
				(void)memmap_read(&mm2, pfns[k] & ~63ull, 64, sp, av, &err);
			}
			memmap_deinit(&mm2);
		}
		tracing = NULL;
		free(sp);
		write_image("fuzz_memmap", tag, &im, &ps, core_page, in);
	}

	/* fuzz_scan and fuzz_classify: one window per interesting pfn */
	for (k = 0; k < npf; k++) {
		enum { W = 512 };
		uint64_t start = pfns[k] & ~(uint64_t)(W - 1);
		uint8_t *sp = malloc((W + 1) * mm.struct_size), av[W + 1];
		struct memmap mm2;
		uint64_t i;

		ps.n = 0;
		tracing = &ps;
		if (memmap_init(&mm2, &a, &vi, start + W, &warns, &err) == 0) {
			(void)memmap_read(&mm2, start, W + 1, sp, av, &err);
			memmap_deinit(&mm2);
		}
		tracing = NULL;
		im.nq = 3;
		im.q[0] = start;
		im.q[1] = W - 1;
		im.q[2] = 31 | (k % 8) << 5;
		/* the window's pages from the interesting one on "have
		 * data": they share the data area (cut at its end) */
		im.extra = (struct chunk){ .paddr = pfns[k] * PAGE,
					   .len = (start + W - pfns[k]) * PAGE,
					   .memsz = (start + W - pfns[k]) * PAGE,
					   .data_off = 0, .shared = true };
		snprintf(name, sizeof(name), "%s-%zu", tag, k);
		write_image("fuzz_scan", name, &im, &ps, core_page, in);
		memset(&im.extra, 0, sizeof(im.extra));

		/* the same struct pages alone, 64 of them */
		start = pfns[k] & ~63ull;
		if (memmap_read(&mm, start, 65, sp, av, &err) >= 0) {
			f = out_open("fuzz_classify", name);
			put(f, im.text, im.text_len);
			put(f, "", 1);
			put64(f, start);
			put64(f, memmap_pfn_to_page(&mm, start));
			for (i = 0; i < 65; i++)
				put(f, sp + i * mm.struct_size, mm.struct_size);
			fclose(f);
		}
		free(sp);
	}
out_mm:
	memmap_deinit(&mm);
out_arch:
	arch_deinit(&a);
out_vi:
	vmcoreinfo_deinit(&vi);
out_in:
	input_close(in);
	free(ps.pfn);
}

/* ---- a synthetic x86_64 machine: 4 or 5 levels, 4K/2M/1G leaves ---- */

#define KMAP		0xffffffff80000000ull
#define VMEMMAP		0xffffea0000000000ull
#define PHYS_BASE	0x1000000ull

struct synth {
	bool l5;
	uint64_t pfn[512];
	uint8_t *data[512];
	size_t n;
	uint64_t next_table;		/* bump allocator for tables */
};

static uint8_t *spage(struct synth *s, uint64_t paddr)
{
	uint64_t pfn = paddr / PAGE;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->pfn[i] == pfn)
			return s->data[i];
	if (s->n == 512)
		abort();
	s->pfn[s->n] = pfn;
	s->data[s->n] = calloc(1, PAGE);
	if (!s->data[s->n])
		abort();
	return s->data[s->n++];
}

static void synth_page(void *ctx, uint64_t paddr, uint8_t *buf)
{
	struct synth *s = ctx;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->pfn[i] == paddr / PAGE) {
			memcpy(buf, s->data[i], PAGE);
			return;
		}
	memset(buf, 0, PAGE);
}

/* map vaddr to paddr with a leaf at level shift 12, 21 or 30 */
static void smap(struct synth *s, uint64_t root, uint64_t vaddr,
		 uint64_t paddr, unsigned leaf_shift)
{
	static const unsigned shifts5[] = { 48, 39, 30, 21, 12 };
	const unsigned *sh = s->l5 ? shifts5 : shifts5 + 1;
	unsigned nl = s->l5 ? 5 : 4, i;
	uint64_t table = root;

	for (i = 0; i < nl; i++) {
		uint8_t *t = spage(s, table);
		unsigned idx = (vaddr >> sh[i]) & 511;
		uint64_t e = get_le64(t + idx * 8);

		if (sh[i] == leaf_shift) {
			put_le64(t + idx * 8, paddr | 1 | (leaf_shift > 12 ? 0x80 : 0));
			return;
		}
		if (!(e & 1)) {
			e = s->next_table | 1;
			s->next_table += PAGE;
			put_le64(t + idx * 8, e);
		}
		table = e & 0x000ffffffffff000ull;
	}
}

static const char synth_text[] =
	"OSRELEASE=6.1.0-synthetic\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffff80300000\n"
	"SYMBOL(_stext)=ffffffff80000000\n"
	"SYMBOL(mem_section)=ffffffff80200000\n"
	"LENGTH(mem_section)=%u\n"
	"SIZE(mem_section)=32\n"
	"OFFSET(mem_section.section_mem_map)=0\n"
	"NUMBER(SECTION_SIZE_BITS)=27\n"
	"NUMBER(MAX_PHYSMEM_BITS)=%u\n"
	"SIZE(page)=64\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\n"
	"OFFSET(page.lru)=8\n"
	"OFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\n"
	"OFFSET(page.compound_dtor)=16\n"
	"OFFSET(page.compound_order)=17\n"
	"OFFSET(page.compound_head)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"NUMBER(PG_lru)=4\n"
	"NUMBER(PG_private)=13\n"
	"NUMBER(PG_swapcache)=10\n"
	"NUMBER(PG_swapbacked)=19\n"
	"NUMBER(PG_slab)=9\n"
	"NUMBER(PG_hwpoison)=23\n"
	"NUMBER(PG_head_mask)=65536\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n"
	"NUMBER(phys_base)=16777216\n"
	"SYMBOL(init_top_pgt)=ffffffff80100000\n"
	"NUMBER(pgtable_l5_enabled)=%d\n"
	"NUMBER(sme_mask)=0\n";

/* struct page images of 6.1 (SIZE(page) 64) for the window's pfns */
static void synth_struct_pages(uint8_t *sp, uint64_t first_pfn, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		uint8_t *p = sp + i * 64;
		uint64_t pfn = first_pfn + i;

		put_le32(p + 48, 0xffffffffu);		/* _mapcount -1 */
		switch ((pfn / 16) % 8) {
		case 0:		/* buddy of order 4 at the aligned head */
			if (pfn % 16 == 0) {
				put_le32(p + 48, 0xffffff7fu);
				put_le64(p + 40, 4);
			}
			break;
		case 1:		/* balloon: offline */
			put_le32(p + 48, 0xfffffeffu);
			break;
		case 2:		/* anon */
			put_le64(p + 24, 0xffff888001234001ull);
			put_le64(p, 1ull << 4);
			break;
		case 3:		/* page cache with and without private */
			put_le64(p + 24, 0xffff888001234000ull);
			put_le64(p, 1ull << 4 | (pfn & 1 ? 1ull << 13 : 0));
			break;
		case 4:		/* slab */
			put_le64(p, 1ull << 9);
			break;
		case 5:		/* hugetlb-like compound of order 4 */
			if (pfn % 16 == 0) {
				put_le64(p, 1ull << 16);
			} else {
				put_le64(p + 8, VMEMMAP + (pfn & ~15ull) * 64 + 1);
				if (pfn % 16 == 1) {
					p[16] = 2;	/* dtor: hugetlb */
					p[17] = 4;	/* order */
				}
			}
			break;
		case 6:		/* hwpoison */
			if (pfn % 4 == 0)
				put_le64(p, 1ull << 23);
			break;
		default:	/* kept */
			break;
		}
	}
}

static void put_note(FILE *f, const char *name, uint32_t type,
		     const void *desc, uint32_t descsz)
{
	static const uint8_t pad[4];
	uint32_t namesz = (uint32_t)strlen(name) + 1;

	put32(f, namesz);
	put32(f, descsz);
	put32(f, type);
	put(f, name, namesz);
	put(f, pad, (4 - namesz % 4) % 4);
	put(f, desc, descsz);
	put(f, pad, (4 - descsz % 4) % 4);
}

/* The synthetic machine as a whole ELF vmcore: two PT_NOTEs (a CPU note,
 * VMCOREINFO), one PT_LOAD per run of pages, and a data-less PT_LOAD. */
static void synth_elf(const char *name, const char *text,
		      struct pageset *ps, struct synth *s)
{
	static struct chunk c[MAX_CHUNKS + 1];
	uint8_t prstatus[336] = { 0 }, page[PAGE];
	size_t n, i, nph, notes1, notes2;
	size_t tlen = strlen(text);
	uint64_t off, p;
	Elf64_Ehdr eh;
	FILE *f;

	ps_sort(ps);
	n = make_chunks(ps, c);
	nph = n + 3;
	notes1 = 12 + 8 + sizeof(prstatus);
	notes2 = 12 + 12 + ((tlen + 3) & ~(size_t)3);
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)nph;
	f = out_open("fuzz_elf", name);
	put(f, &eh, sizeof(eh));
	off = sizeof(eh) + nph * sizeof(Elf64_Phdr);
	{
		Elf64_Phdr ph = { .p_type = PT_NOTE, .p_offset = off,
				  .p_filesz = notes1, .p_memsz = notes1,
				  .p_align = 4 };

		put(f, &ph, sizeof(ph));
		ph.p_offset = off + notes1;
		ph.p_filesz = ph.p_memsz = notes2;
		put(f, &ph, sizeof(ph));
	}
	off = (off + notes1 + notes2 + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	for (i = 0; i < n; i++) {
		Elf64_Phdr ph = { .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
				  .p_offset = off, .p_paddr = c[i].paddr,
				  .p_vaddr = 0xffff888000000000ull + c[i].paddr,
				  .p_filesz = c[i].len, .p_memsz = c[i].len,
				  .p_align = PAGE };

		put(f, &ph, sizeof(ph));
		off += c[i].len;
	}
	{
		/* memory without data: QEMU's memsz > filesz */
		Elf64_Phdr ph = { .p_type = PT_LOAD, .p_offset = off,
				  .p_paddr = 0x100000000ull, .p_filesz = 0,
				  .p_memsz = 0x200000, .p_align = PAGE };

		put(f, &ph, sizeof(ph));
	}
	put_note(f, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
	put_note(f, "VMCOREINFO", 0, text, (uint32_t)tlen);
	memset(page, 0, sizeof(page));
	off = sizeof(eh) + nph * sizeof(Elf64_Phdr) + notes1 + notes2;
	put(f, page, (size_t)(((off + PAGE - 1) & ~(uint64_t)(PAGE - 1)) - off));
	for (i = 0; i < n; i++)
		for (p = c[i].paddr; p < c[i].paddr + c[i].len; p += PAGE) {
			synth_page(s, p, page);
			put(f, page, PAGE);
		}
	fclose(f);
}

static void synth_seeds(bool l5, unsigned vmemmap_leaf)
{
	struct synth s = { .l5 = l5, .next_table = 0x1400000 };
	uint64_t root = 0x1100000, pfn0 = 0x2000, v;
	struct pageset ps = { 0 };
	char text[sizeof(synth_text) + 16], name[64];
	uint8_t sp[65 * 64];
	struct image im;
	size_t i;
	FILE *f;

	/* kernel text: KMAP + x -> PHYS_BASE + x, 2 MiB leaves over 8 MiB */
	for (v = 0; v < (8u << 20); v += 2u << 20)
		smap(&s, root, KMAP + v, PHYS_BASE + v, 21);
	/* mem_section roots at KMAP + 0x200000, one section array page */
	put_le64(spage(&s, PHYS_BASE + 0x200000), KMAP + 0x201000);
	spage(&s, PHYS_BASE + 0x201000);
	put_le64(spage(&s, PHYS_BASE + 0x201000), VMEMMAP | 0x7);
	/* utsname */
	memcpy(spage(&s, PHYS_BASE + 0x300000) + 4 + 65 * 2, "6.1.0-synthetic", 16);
	/* vmemmap: struct pages of pfn0.. at 0x3000000 (4K, 2M or 1G leaf) */
	synth_struct_pages(sp, pfn0, 65);
	if (vmemmap_leaf == 12) {
		smap(&s, root, VMEMMAP + pfn0 * 64, 0x3000000, 12);
		smap(&s, root, VMEMMAP + pfn0 * 64 + PAGE, 0x3001000, 12);
	} else {
		uint64_t size = 1ull << vmemmap_leaf;
		uint64_t va = (VMEMMAP + pfn0 * 64) & ~(size - 1);

		smap(&s, root, va, 0x40000000 & ~(size - 1), vmemmap_leaf);
	}
	{
		uint64_t pa;

		if (vmemmap_leaf == 12)
			pa = 0x3000000;
		else
			pa = (0x40000000 & ~((1ull << vmemmap_leaf) - 1)) +
			     ((VMEMMAP + pfn0 * 64) & ((1ull << vmemmap_leaf) - 1));
		for (i = 0; i < sizeof(sp); i += 64)
			memcpy(spage(&s, pa + i) + (pa + i) % PAGE, sp + i, 64);
	}
	/* LENGTH(mem_section) is NR_SECTION_ROOTS: 2^(PHYSMEM - 27) / 128 */
	snprintf(text, sizeof(text), synth_text, l5 ? 1u << 18 : 1u << 12,
		 l5 ? 52 : 46, l5);
	memset(&im, 0, sizeof(im));
	im.text = text;
	im.text_len = strlen(text);
	im.machine = EM_X86_64;
	for (i = 0; i < s.n; i++)
		ps_add(&ps, s.pfn[i]);

	snprintf(name, sizeof(name), "synth-l%d-%u", l5 ? 5 : 4, vmemmap_leaf);
	im.nq = 4;
	im.q[0] = KMAP + 0x300000;
	im.q[1] = KMAP + 0x200000;
	im.q[2] = VMEMMAP + pfn0 * 64;
	im.q[3] = VMEMMAP + pfn0 * 64 + 0x1040;
	write_image("fuzz_pgtable", name, &im, &ps, synth_page, &s);
	synth_elf(name, text, &ps, &s);
	im.nq = 5;
	im.q[0] = pfn0 + 64;
	im.q[1] = pfn0;
	im.q[2] = 63;
	im.q[3] = pfn0 + 32;
	im.q[4] = 100;
	write_image("fuzz_memmap", name, &im, &ps, synth_page, &s);
	im.nq = 3;
	im.q[0] = pfn0;
	im.q[1] = 63;
	im.q[2] = 31 | (vmemmap_leaf % 8) << 5;
	im.extra = (struct chunk){ .paddr = pfn0 * PAGE, .len = 64 * PAGE,
				   .memsz = 64 * PAGE, .shared = true };
	write_image("fuzz_scan", name, &im, &ps, synth_page, &s);
	if (vmemmap_leaf == 12) {
		f = out_open("fuzz_classify", name);
		put(f, text, strlen(text));
		put(f, "", 1);
		put64(f, pfn0);
		put64(f, VMEMMAP + pfn0 * 64);
		put(f, sp, sizeof(sp));
		fclose(f);
		f = out_open("fuzz_vmcoreinfo", name);
		put(f, text, strlen(text));
		fclose(f);
	}
	for (i = 0; i < s.n; i++)
		free(s.data[i]);
	free(ps.pfn);
}

/* ---- synthetic kernel logs for fuzz_dmesg's stub arch ----
 * (kernel virtual 0xffffffff81000000 + x is physical x) */

#define DKV(x)	(0xffffffff81000000ull + (x))

static void dmesg_image(const char *name, const char *text, uint8_t *mem,
			size_t len)
{
	struct synth s = { 0 };
	struct pageset ps = { 0 };
	struct image im;
	size_t i;

	for (i = 0; i < len; i += PAGE) {
		memcpy(spage(&s, i), mem + i, PAGE);
		ps_add(&ps, i / PAGE);
	}
	memset(&im, 0, sizeof(im));
	im.text = text;
	im.text_len = strlen(text);
	im.machine = EM_NONE;
	im.nq = 1;
	im.q[0] = 0;
	write_image("fuzz_dmesg", name, &im, &ps, synth_page, &s);
	{
		char n2[64];

		im.q[0] = 1;	/* --partial-dmesg */
		snprintf(n2, sizeof(n2), "%s-partial", name);
		write_image("fuzz_dmesg", n2, &im, &ps, synth_page, &s);
	}
	for (i = 0; i < s.n; i++)
		free(s.data[i]);
	free(ps.pfn);
}

/* a 3.5-5.9 struct printk_log record at off; its padded length */
static uint32_t rec_put(uint8_t *buf, uint32_t off, uint64_t ts,
			const char *text, uint16_t dict)
{
	uint16_t tl = (uint16_t)strlen(text);
	uint32_t len = (uint32_t)((16 + tl + dict + 3) & ~3u);

	put_le64(buf + off, ts);
	put_le16(buf + off + 8, (uint16_t)len);
	put_le16(buf + off + 10, tl);
	put_le16(buf + off + 12, dict);
	buf[off + 14] = 0;		/* facility */
	buf[off + 15] = 6;		/* flags, level */
	memcpy(buf + off + 16, text, tl);
	memcpy(buf + off + 16 + tl, "SUBSYSTEM=pci", dict);
	return len;
}

static void synth_dmesg(void)
{
	enum { BUFPTR = 0x1000, LEN = 0x1008, FIRST = 0x1010, NEXT = 0x1014,
	       CLEAR = 0x1018, END = 0x1020, BUF = 0x2000, BUFLEN = 2048 };
	static uint8_t mem[3 * PAGE];
	char text[2048];
	uint32_t off = 0;
	int i;

	/* 3.5-5.9 records, wrapped once: a zero-length marker at the end */
	memset(mem, 0, sizeof(mem));
	put_le64(mem + BUFPTR, DKV(BUF));
	put_le32(mem + LEN, BUFLEN);
	for (i = 0; off + 64 < BUFLEN - 96; i++) {
		char line[64];

		snprintf(line, sizeof(line), "record %d: a kernel message\\%c", i,
			 i % 5 ? 'x' : '\n');
		off += rec_put(mem + BUF, off, 1000000ull * (uint64_t)i, line,
			       i % 3 ? 0 : 13);
	}
	put_le32(mem + FIRST, 64);
	put_le32(mem + NEXT, off);
	put_le32(mem + CLEAR, 128);
	snprintf(text, sizeof(text),
		 "OSRELEASE=4.19.0\nPAGESIZE=4096\n"
		 "SYMBOL(log_buf)=%llx\nSYMBOL(log_buf_len)=%llx\n"
		 "SYMBOL(log_first_idx)=%llx\nSYMBOL(log_next_idx)=%llx\n"
		 "SYMBOL(clear_idx)=%llx\nSIZE(printk_log)=16\n"
		 "OFFSET(printk_log.ts_nsec)=0\nOFFSET(printk_log.len)=8\n"
		 "OFFSET(printk_log.text_len)=10\nOFFSET(printk_log.dict_len)=12\n",
		 (unsigned long long)DKV(BUFPTR), (unsigned long long)DKV(LEN),
		 (unsigned long long)DKV(FIRST), (unsigned long long)DKV(NEXT),
		 (unsigned long long)DKV(CLEAR));
	dmesg_image("synth-records", text, mem, sizeof(mem));

	/* <= 3.4 plain character ring, wrapped */
	memset(mem, 0, sizeof(mem));
	put_le64(mem + BUFPTR, DKV(BUF));
	put_le32(mem + LEN, BUFLEN);
	for (i = 0; i < BUFLEN; i++)
		mem[BUF + i] = (uint8_t)(i % 61 == 60 ? '\n' : 'a' + i % 26);
	put_le32(mem + END, BUFLEN + 700);
	put_le32(mem + 0x1028, BUFLEN);
	snprintf(text, sizeof(text),
		 "OSRELEASE=3.2.0\nPAGESIZE=4096\n"
		 "SYMBOL(log_buf)=%llx\nSYMBOL(log_buf_len)=%llx\n"
		 "SYMBOL(log_end)=%llx\nSYMBOL(logged_chars)=%llx\n",
		 (unsigned long long)DKV(BUFPTR), (unsigned long long)DKV(LEN),
		 (unsigned long long)DKV(END), (unsigned long long)DKV(0x1028));
	dmesg_image("synth-plain", text, mem, sizeof(mem));
}

/* ---- flattened streams for fuzz_flat (fmt_flat.h) ---- */

/* a record header and size bytes of fill; the end marker has no payload */
static void flat_rec(FILE *f, uint64_t off, uint64_t size, uint8_t fill)
{
	uint8_t b[8], buf[512];
	uint64_t i;

	put_be64(b, off);
	put(f, b, 8);
	put_be64(b, size);
	put(f, b, 8);
	if (off == UINT64_MAX && size == UINT64_MAX)
		return;
	if (size > (1u << 20))
		abort();
	memset(buf, fill, sizeof(buf));
	for (i = 0; i < size; i += sizeof(buf))
		put(f, buf, size - i < sizeof(buf) ? (size_t)(size - i) : sizeof(buf));
}

static void synth_flat(void)
{
	uint8_t hdr[4096] = { 0 };
	FILE *f;

	memcpy(hdr, "makedumpfile", 12);
	put_be64(hdr + 16, 1);
	put_be64(hdr + 24, 1);
	f = out_open("fuzz_flat", "synth-records");
	put(f, hdr, sizeof(hdr));
	flat_rec(f, 0, 4096, 'h');		/* a header page */
	flat_rec(f, 8192, 300, 'a');		/* a hole before it */
	flat_rec(f, 8000, 400, 'b');		/* overlaps: later wins */
	flat_rec(f, 4096, 1, 'c');
	flat_rec(f, UINT64_MAX, UINT64_MAX, 0);	/* end marker */
	put(f, "trailing padding is ignored", 27);
	fclose(f);
	f = out_open("fuzz_flat", "synth-no-end");
	put(f, hdr, sizeof(hdr));
	flat_rec(f, 0, 100, 'x');
	fclose(f);
}

/* every key the parser knows, for libFuzzer -dict */
static void write_dict(void)
{
	char path[4096];
	unsigned id;
	FILE *f;

	snprintf(path, sizeof(path), "%s/vmcoreinfo.dict", outdir);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	for (id = 0; id < VMCI_NKEYS; id++)
		fprintf(f, "\"%s=\"\n", vmci_key_name((enum vmci_id)id));
	fprintf(f, "\"\\x0a\"\n\"=0x\"\n\"=-\"\n\"ffffffff\"\n");
	fclose(f);
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: fuzzseed OUTDIR [CORE...]\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) < 0 && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	write_dict();
	synth_seeds(false, 12);
	synth_seeds(false, 21);
	synth_seeds(true, 12);
	synth_seeds(true, 30);
	synth_dmesg();
	synth_flat();
	for (i = 2; i < argc; i++) {
		char tag[64];
		const char *b = strrchr(argv[i], '/');
		const char *dir = argv[i];

		/* name seeds after the scenario directory */
		if (b && b > argv[i]) {
			const char *d = b - 1;

			while (d > argv[i] && d[-1] != '/')
				d--;
			snprintf(tag, sizeof(tag), "%.*s", (int)(b - d), d);
		} else {
			snprintf(tag, sizeof(tag), "core%d", i - 1);
		}
		(void)dir;
		core_seeds(argv[i], tag);
	}
	return 0;
}
