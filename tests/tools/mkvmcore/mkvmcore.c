/* mkvmcore.c: text fixture -> sparse ELF vmcore + ground truth.
 *
 *   mkvmcore FIXTURE.txt OUT.elf OUT.gt      generate
 *   mkvmcore --eras                          list the kernel eras
 *
 * The fixture format is documented in fixtures/vmcore/README.md.  The
 * kernel memory image is built the way the kernel lays it out: page tables
 * (arch file), mem_section roots, a vmemmap of struct pages per the era
 * (mkvmcore_era.c), page contents.  Every byte goes through a page cache
 * and is written once at the end; pages never written stay holes, so a
 * terabyte of free memory costs a few megabytes of disk.  The ground truth
 * names the class of every pfn as run-length lines, plus the anomaly
 * counters the tool must report.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <elf.h>

#include "mkvmcore.h"

/* Fixed once the arch has set up the layout: pfns per section
 * (SECTION_SIZE_BITS - PAGE_SHIFT) and the vmemmap leaf (2 MiB, or a
 * page where the kernel maps the vmemmap with base pages). */
unsigned gen_page_shift = 12;
static unsigned pfn_section_shift = 15;
static uint64_t vblk = 2ull << 20;
static unsigned vblk_shift = 21;
#define PFN_SECTION_SHIFT	pfn_section_shift
#define PPS			(1ull << PFN_SECTION_SHIFT)
#define VBLK			vblk
#define VBLK_PTES		(vblk >> PAGE_SHIFT)
#define SECTION_MARKED_PRESENT	1ull
#define SECTION_HAS_MEM_MAP	2ull
#define SECTION_IS_ONLINE	4ull
#define SECTION_IS_EARLY	8ull
#define IMAGE_SIZE_DEFAULT	(4ull << 20)
#define BLK			(2ull << 20)	/* kernel image alignment */
#define MAX_LINES		4096

static const char *cur_file;
static int cur_line;

void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mkvmcore: ");
	if (cur_file)
		fprintf(stderr, "%s:%d: ", cur_file, cur_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p)
		die("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t sz)
{
	p = realloc(p, sz ? sz : 1);
	if (!p)
		die("out of memory");
	return p;
}

#define VEC_PUSH(arr, n, cap, val)					\
	do {								\
		if ((n) == (cap)) {					\
			(cap) = (cap) ? (cap) * 2 : 16;			\
			(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));\
		}							\
		(arr)[(n)++] = (val);					\
	} while (0)

void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = sb->cap - sb->len;

		va_start(ap, fmt);
		n = vsnprintf(sb->s ? sb->s + sb->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			die("vsnprintf failed");
		if ((size_t)n < room) {
			sb->len += (size_t)n;
			return;
		}
		sb->cap = (sb->cap + (size_t)n + 1) * 2;
		sb->s = xrealloc(sb->s, sb->cap);
	}
}

/* ------------------------------------------------------------------ */
/* classes: what a fixture can put in memory, and what the tool must
 * make of it (ground-truth class) */

enum cls {
	C_GAP,			/* not RAM inside a present section */
	C_KERNEL, C_VMEMMAP_SELF, C_SLAB, C_PGTABLE, C_GUARD, C_ZSMALLOC,
	C_PCP, C_OWNER_PRIV, C_COMPOUND,
	C_ANON, C_KSM, C_THP, C_HUGETLB,
	C_CACHE, C_CACHE_PRIVATE, C_SHMEM, C_SWAPCACHE, C_FOLIO,
	C_FREE, C_UNACCEPTED,
	C_OFFLINE, C_BALLOON,
	C_HWPOISON,
	C_POISON, C_BADORDER, C_BADBUDDY, C_GARBAGE,
	C_NCLS
};

/* ground-truth classes (written to the .gt file by name) */
enum gtc {
	G_KEPT, G_CACHE, G_CACHE_PRIVATE, G_USER, G_FREE, G_HWPOISON,
	G_OFFLINE, G_OFFLINE_EITHER, G_USER_HWPOISON, G_CACHE_HWPOISON,
	G_ANY, G_NODATA, G_HOLE, G_HOLE_OFFLINE, G_HOLE_OFFLINE_EITHER,
	G_NCLS
};

static const char *const gtc_name[G_NCLS] = {
	"kept", "cache", "cache_private", "user", "free", "hwpoison",
	"offline", "offline?", "user+hwpoison", "cache+hwpoison", "any",
	"nodata", "hole", "hole_offline", "hole_offline?",
};

enum unit { U_PAGE, U_FREE, U_ORDER, U_MAXBLOCK };

static const struct cls_info {
	const char *name;
	enum gtc gt;
	bool data;		/* page content is not zero by default */
	enum unit unit;
} cls_info[C_NCLS] = {
	[C_GAP] = { "gap", G_KEPT, false, U_PAGE },
	[C_KERNEL] = { "kernel", G_KEPT, true, U_PAGE },
	[C_VMEMMAP_SELF] = { "vmemmap_self", G_KEPT, true, U_PAGE },
	[C_SLAB] = { "slab", G_KEPT, true, U_PAGE },
	[C_PGTABLE] = { "pgtable", G_KEPT, true, U_PAGE },
	[C_GUARD] = { "guard", G_KEPT, false, U_PAGE },
	[C_ZSMALLOC] = { "zsmalloc", G_KEPT, true, U_PAGE },
	[C_PCP] = { "pcp", G_KEPT, false, U_PAGE },
	[C_OWNER_PRIV] = { "owner_priv", G_KEPT, true, U_PAGE },
	[C_COMPOUND] = { "compound", G_KEPT, true, U_ORDER },
	[C_ANON] = { "anon", G_USER, true, U_PAGE },
	[C_KSM] = { "ksm", G_USER, true, U_PAGE },
	[C_THP] = { "thp", G_USER, true, U_ORDER },
	[C_HUGETLB] = { "hugetlb", G_USER, true, U_ORDER },
	[C_CACHE] = { "cache", G_CACHE, true, U_PAGE },
	[C_CACHE_PRIVATE] = { "cache_private", G_CACHE_PRIVATE, true, U_PAGE },
	[C_SHMEM] = { "shmem", G_CACHE, true, U_PAGE },
	[C_SWAPCACHE] = { "swapcache", G_CACHE, true, U_PAGE },
	[C_FOLIO] = { "folio", G_CACHE, true, U_ORDER },
	[C_FREE] = { "free", G_FREE, false, U_FREE },
	[C_UNACCEPTED] = { "unaccepted", G_FREE, false, U_MAXBLOCK },
	[C_OFFLINE] = { "offline", G_OFFLINE, true, U_PAGE },
	[C_BALLOON] = { "balloon", G_OFFLINE, true, U_PAGE },
	[C_HWPOISON] = { "hwpoison", G_HWPOISON, true, U_PAGE },
	[C_POISON] = { "poison", G_KEPT, true, U_PAGE },
	[C_BADORDER] = { "badorder", G_KEPT, true, U_ORDER },
	[C_BADBUDDY] = { "badbuddy", G_KEPT, false, U_PAGE },
	[C_GARBAGE] = { "garbage", G_ANY, true, U_PAGE },
};

struct rule {
	uint64_t start, n;
	enum cls cls;
	unsigned order;		/* unit order; free: the largest order */
	bool order_set;
	int ref;		/* refcount (offline, balloon) */
	bool hvo;		/* hugetlb: vmemmap optimised */
	bool poisoned;		/* PG_hwpoison on top of the class */
	bool swapcache;		/* anon: in the swap cache */
	bool misalign;		/* badbuddy: valid order, wrong alignment */
	bool content_zero, content_data;
	bool content_head;	/* only each unit's first page has data */
	bool content_real;	/* whole pages of memory-like bytes (bench) */
	uint64_t val;		/* badbuddy private, badorder order, seed */
	bool have_val;
	int line;
};

struct seg {
	uint64_t start, end;
	unsigned rule;
};

enum sec_kind { S_OK, S_OFFLINE, S_ABSENT, S_NOMAP, S_BADPTR, S_STALE };

struct sec {
	uint64_t nr;
	enum sec_kind kind;
	bool mom;		/* memmap_on_memory */
	bool hotplug;		/* no SECTION_IS_EARLY */
	bool shared;		/* memmap shared with the template (skip) */
	bool any;		/* GT "any" (hostile entry) */
	bool gt_nomap;		/* unreachable through a patched root */
	uint64_t entry;		/* section_mem_map override, if set */
	bool have_entry;
	bool entry_loop;
};

struct range {
	uint64_t pa, size, nodata;
	uint64_t vaddr, off;	/* ELF */
	bool text;
};

struct vblk {
	uint64_t va, pa;
	uint64_t *pte;		/* NULL: one 2 MiB leaf */
	bool shared, mom;
};
#define VS_OWN		1ull
#define VS_ALIAS	2ull

struct patch {
	char va[80];
	unsigned level;
	char what[40];
	int line;
};

struct edit {
	bool drop;
	char key[128];
	char line[256];
};

struct gtov {
	uint64_t pfn, n;
	enum gtc c;
};

struct hvo_rec {
	uint64_t pfn;
	unsigned order;
};

struct probe {
	uint64_t va, pa;
	bool mapped;
};

struct gen {
	const struct gen_arch *arch;
	const struct era *era;
	struct era era_copy;	/* the era as the arch adjusted it */
	struct gen_layout L;
	bool seen_ram;		/* pagesize must come first */
	uint64_t base;		/* added to the pfns of pages and gt lines */
	bool hugetlb_config;
	char name[128];

	/* kernel image and memblock */
	uint64_t kernel_pa, kernel_size, image_size;
	bool kernel_real;	/* kernel content=real */
	uint64_t image_next, memblock_next, memblock_end;
	bool have_kernel;

	struct range *ram, *load;
	size_t n_ram, cap_ram, n_load, cap_load;
	bool textload;

	struct rule *rules;
	size_t n_rules, cap_rules;
	struct rule fill;
	struct seg *segs;
	size_t n_segs, cap_segs;

	struct sec *secs;
	size_t n_secs, cap_secs;
	bool share;
	uint64_t tmpl_pa[2];	/* shared memmap per zone (DMA32, Normal) */
	bool have_tmpl[2];

	struct { uint64_t pfn, n; } *holes;
	size_t n_holes, cap_holes;
	struct patch *patches;
	size_t n_patches, cap_patches;
	struct { unsigned idx; char what[40]; } *rootp;
	size_t n_rootp, cap_rootp;
	struct edit *edits;
	size_t n_edits, cap_edits;
	struct gtov *gtov;
	size_t n_gtov, cap_gtov;
	struct { char name[40]; uint64_t v; } *expects;
	size_t n_expects, cap_expects;
	struct hvo_rec *hvos;
	size_t n_hvos, cap_hvos;
	struct probe *probes;
	size_t n_probes, cap_probes;
	char **passthru;	/* lines copied to the .gt file */
	size_t n_passthru, cap_passthru;

	/* mem_section */
	unsigned per_root, nr_roots;
	uint64_t roots_pa;	/* root array */
	uint64_t *root_page;	/* nr_roots: pa of each root's page or 0 */
	uint64_t sym_mem_section;

	/* vmemmap */
	struct vblk *blks;
	size_t n_blks, cap_blks;
	int64_t *bhash;
	size_t bhash_cap;

	/* physical page cache */
	uint64_t *pkeys;
	uint8_t **pvals;
	size_t pcap, pcount;

	/* results */
	uint64_t max_mapnr;
	uint64_t cnt_nosection, cnt_offline, cnt_bad_order, cnt_bad_buddy,
		 cnt_poisoned;
	bool any_any;		/* some pfn's class is "any" */
	struct { uint64_t a, b; } *unread;	/* unreadable pfn intervals */
	size_t n_unread, cap_unread;
	uint64_t sym_free_huge_page;
};

struct gen_layout *gen_layout(struct gen *g)
{
	return &g->L;
}

const struct era *gen_era(struct gen *g)
{
	return g->era;
}

void gen_probe(struct gen *g, uint64_t va, bool mapped, uint64_t pa)
{
	VEC_PUSH(g->probes, g->n_probes, g->cap_probes,
		 ((struct probe){ va, mapped ? pa : 0, mapped }));
}

uint64_t gen_direct_va(struct gen *g, uint64_t pa)
{
	return g->L.page_offset + (pa - g->L.lm_phys);
}

bool gen_pa_is_ram(struct gen *g, uint64_t pa)
{
	size_t i;

	for (i = 0; i < g->n_ram; i++)
		if (pa >= g->ram[i].pa && pa - g->ram[i].pa < g->ram[i].size)
			return true;
	return false;
}

void gen_ram_bounds(struct gen *g, uint64_t *lo, uint64_t *hi)
{
	size_t i;

	*lo = UINT64_MAX;
	*hi = 0;
	for (i = 0; i < g->n_ram; i++) {
		if (g->ram[i].pa < *lo)
			*lo = g->ram[i].pa;
		if (g->ram[i].pa + g->ram[i].size > *hi)
			*hi = g->ram[i].pa + g->ram[i].size;
	}
}

/* ------------------------------------------------------------------ */
/* the physical page cache */

static size_t phash(uint64_t pfn, size_t cap)
{
	return (size_t)((pfn * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
}

static uint8_t *pcache_find(struct gen *g, uint64_t pfn)
{
	size_t i;

	if (!g->pcap)
		return NULL;
	for (i = phash(pfn, g->pcap);; i = (i + 1) & (g->pcap - 1)) {
		if (!g->pvals[i])
			return NULL;
		if (g->pkeys[i] == pfn)
			return g->pvals[i];
	}
}

static void pcache_insert(struct gen *g, uint64_t pfn, uint8_t *buf)
{
	size_t i;

	if ((g->pcount + 1) * 2 > g->pcap) {
		size_t ocap = g->pcap, j;
		uint64_t *ok = g->pkeys;
		uint8_t **ov = g->pvals;

		g->pcap = ocap ? ocap * 2 : 4096;
		g->pkeys = xcalloc(g->pcap, sizeof(*g->pkeys));
		g->pvals = xcalloc(g->pcap, sizeof(*g->pvals));
		for (j = 0; j < ocap; j++) {
			if (!ov[j])
				continue;
			for (i = phash(ok[j], g->pcap); g->pvals[i];
			     i = (i + 1) & (g->pcap - 1))
				;
			g->pkeys[i] = ok[j];
			g->pvals[i] = ov[j];
		}
		free(ok);
		free(ov);
	}
	for (i = phash(pfn, g->pcap); g->pvals[i]; i = (i + 1) & (g->pcap - 1))
		;
	g->pkeys[i] = pfn;
	g->pvals[i] = buf;
	g->pcount++;
}

uint8_t *phys_page(struct gen *g, uint64_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;
	uint8_t *p = pcache_find(g, pfn);

	if (!p) {
		p = xcalloc(1, PAGE_SIZE);
		pcache_insert(g, pfn, p);
	}
	return p;
}

void phys_write(struct gen *g, uint64_t pa, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len) {
		size_t in = PAGE_SIZE - (pa & (PAGE_SIZE - 1));
		size_t n = len < in ? len : in;

		memcpy(phys_page(g, pa & ~(PAGE_SIZE - 1)) + (pa & (PAGE_SIZE - 1)),
		       b, n);
		pa += n;
		b += n;
		len -= n;
	}
}

uint64_t phys_read64(struct gen *g, uint64_t pa)
{
	const uint8_t *p = pcache_find(g, pa >> PAGE_SHIFT);

	return p ? sp_get_u64(p, (int)(pa & (PAGE_SIZE - 1))) : 0;
}

void phys_write64(struct gen *g, uint64_t pa, uint64_t v)
{
	uint8_t b[8];

	sp_set_u64(b, 0, v);
	phys_write(g, pa, b, 8);
}

uint64_t palloc(struct gen *g, uint64_t size, uint64_t align)
{
	uint64_t pa = (g->memblock_next + align - 1) & ~(align - 1), p;

	if (!g->have_kernel)
		die("a 'kernel' line is needed before memory is laid out");
	if (pa + size > g->memblock_end)
		die("the kernel area (%#llx bytes) is too small: enlarge 'kernel'",
		    (unsigned long long)g->kernel_size);
	g->memblock_next = pa + size;
	for (p = pa; p < pa + size; p += PAGE_SIZE)
		phys_page(g, p);
	return pa;
}

uint64_t ialloc(struct gen *g, uint64_t size, uint64_t align)
{
	uint64_t pa = (g->image_next + align - 1) & ~(align - 1), p;

	if (pa + size > g->kernel_pa + g->image_size)
		die("kernel image too small");
	g->image_next = pa + size;
	for (p = pa & ~(PAGE_SIZE - 1); p < pa + size; p += PAGE_SIZE)
		phys_page(g, p);
	return pa;
}

/* ------------------------------------------------------------------ */
/* fixture parsing */

static uint64_t parse_num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		die("bad number '%s'", s);
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	case 'T': case 't': v <<= 40; end++; break;
	default: break;
	}
	if (*end)
		die("bad number '%s'", s);
	return v;
}

static int split(char *line, char **tok, int max)
{
	int n = 0;
	char *p = line;

	while (*p && n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static enum cls cls_by_name(const char *s)
{
	int i;

	for (i = 0; i < C_NCLS; i++)
		if (i != C_GAP && i != C_VMEMMAP_SELF &&
		    strcmp(cls_info[i].name, s) == 0)
			return (enum cls)i;
	die("unknown page class '%s'", s);
}

static enum gtc gtc_by_name(const char *s)
{
	int i;

	for (i = 0; i < G_NCLS; i++)
		if (strcmp(gtc_name[i], s) == 0)
			return (enum gtc)i;
	die("unknown ground-truth class '%s'", s);
}

/* class and options of a pages/fill line */
static void parse_class(struct rule *r, char **tok, int n)
{
	int i;

	r->cls = cls_by_name(tok[0]);
	r->ref = -1;
	for (i = 1; i < n; i++) {
		char *eq = strchr(tok[i], '=');
		const char *k = tok[i], *v = eq ? eq + 1 : NULL;

		if (eq)
			*eq = '\0';
		if (strcmp(k, "order") == 0 && v) {
			r->order = (unsigned)parse_num(v);
			r->order_set = true;
		} else if (strcmp(k, "ref") == 0 && v) {
			r->ref = (int)parse_num(v);
		} else if (strcmp(k, "hvo") == 0 && !v) {
			r->hvo = true;
		} else if (strcmp(k, "hwpoison") == 0 && !v) {
			r->poisoned = true;
		} else if (strcmp(k, "swapcache") == 0 && !v) {
			r->swapcache = true;
		} else if (strcmp(k, "misalign") == 0 && !v) {
			r->misalign = true;
		} else if (strcmp(k, "content") == 0 && v) {
			if (strcmp(v, "zero") == 0)
				r->content_zero = true;
			else if (strcmp(v, "data") == 0)
				r->content_data = true;
			else if (strcmp(v, "head") == 0)
				r->content_head = true;
			else if (strcmp(v, "real") == 0)
				r->content_data = r->content_real = true;
			else
				die("content=zero|data|head|real");
		} else if ((strcmp(k, "private") == 0 || strcmp(k, "value") == 0 ||
			    strcmp(k, "seed") == 0 || strcmp(k, "low") == 0) && v) {
			r->val = parse_num(v);
			r->have_val = true;
		} else {
			die("unknown option '%s' for class %s", k, tok[0]);
		}
	}
	if (cls_info[r->cls].unit == U_ORDER && !r->order_set)
		die("class %s needs order=N", tok[0]);
	/* data in every page of a huge page costs a disk block each: by
	 * default only the head page of 2 MiB+ compound pages has data */
	if (cls_info[r->cls].unit == U_ORDER && r->order >= 9 &&
	    !r->content_zero && !r->content_data)
		r->content_head = true;
}

static void parse_file(struct gen *g, const char *path, int depth)
{
	FILE *f = fopen(path, "r");
	const char *saved_file = cur_file;
	int saved_line = cur_line;
	char buf[1024];

	if (!f)
		die("can't open %s: %s", path, strerror(errno));
	if (depth > 4)
		die("includes nested too deeply");
	cur_file = path;
	cur_line = 0;
	while (fgets(buf, sizeof(buf), f)) {
		char *tok[32], *hash = strchr(buf, '#'), raw[1024];
		int n;

		cur_line++;
		if (hash)
			*hash = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		snprintf(raw, sizeof(raw), "%s", buf);
		n = split(buf, tok, 32);
		if (n == 0)
			continue;
		if (strcmp(tok[0], "include") == 0 && n == 2) {
			/* relative to the including file */
			char inc[1024];
			const char *slash = strrchr(path, '/');

			snprintf(inc, sizeof(inc), "%.*s%s",
				 slash ? (int)(slash - path + 1) : 0, path, tok[1]);
			parse_file(g, strdup(inc), depth + 1);
		} else if (strcmp(tok[0], "arch") == 0 && n == 2) {
			if (strcmp(tok[1], "x86_64") == 0)
				g->arch = &gen_arch_x86_64;
			else if (strcmp(tok[1], "arm64") == 0)
				g->arch = &gen_arch_arm64;
			else
				die("arch %s is not supported by the generator", tok[1]);
		} else if (strcmp(tok[0], "pagesize") == 0 && n == 2) {
			uint64_t ps = parse_num(tok[1]);

			if (g->seen_ram)
				die("pagesize must come before ram and load lines");
			if (ps != 4096 && ps != 16384 && ps != 65536)
				die("pagesize 4K, 16K or 64K");
			gen_page_shift = (unsigned)__builtin_ctzll(ps);
		} else if (strcmp(tok[0], "va_bits") == 0 && (n == 2 || n == 3)) {
			g->L.va_bits = (unsigned)parse_num(tok[1]);
			if (n == 3) {
				if (strncmp(tok[2], "hw=", 3) != 0)
					die("va_bits N [hw=N]");
				g->L.hw_va_bits = (unsigned)parse_num(tok[2] + 3);
			}
		} else if (strcmp(tok[0], "pa_bits") == 0 && n == 2) {
			g->L.pa_bits = (unsigned)parse_num(tok[1]);
		} else if (strcmp(tok[0], "phys_offset") == 0 && n == 2) {
			g->L.memstart = parse_num(tok[1]);
			g->L.set_memstart = true;
		} else if (strcmp(tok[0], "linear") == 0 && n == 2) {
			if (strcmp(tok[1], "block") == 0)
				g->L.linear = LIN_BLOCK;
			else if (strcmp(tok[1], "cont") == 0)
				g->L.linear = LIN_CONT;
			else if (strcmp(tok[1], "page") == 0)
				g->L.linear = LIN_PAGE;
			else
				die("linear block|cont|page");
		} else if (strcmp(tok[0], "pac") == 0 && n == 2) {
			g->L.pac = parse_num(tok[1]) != 0;
		} else if (strcmp(tok[0], "era") == 0 && n == 2) {
			g->era = era_find(tok[1]);
			if (!g->era)
				die("unknown era '%s' (mkvmcore --eras)", tok[1]);
		} else if (strcmp(tok[0], "config") == 0 && n >= 2) {
			int i;

			for (i = 1; i < n; i++) {
				if (strcmp(tok[i], "nohugetlb") == 0)
					g->hugetlb_config = false;
				else
					die("unknown config '%s'", tok[i]);
			}
		} else if (strcmp(tok[0], "paging") == 0 && n == 2) {
			g->L.paging = (unsigned)parse_num(tok[1]);
		} else if (strcmp(tok[0], "kaslr") == 0) {
			int i;

			for (i = 1; i < n; i++) {
				char *eq = strchr(tok[i], '=');

				if (!eq)
					die("kaslr text=|direct=|vmemmap=");
				*eq = '\0';
				if (strcmp(tok[i], "text") == 0) {
					g->L.kaslr = parse_num(eq + 1);
				} else if (strcmp(tok[i], "direct") == 0) {
					g->L.page_offset = parse_num(eq + 1);
					g->L.set_direct = true;
				} else if (strcmp(tok[i], "vmemmap") == 0) {
					g->L.vmemmap_base = parse_num(eq + 1);
					g->L.set_vmemmap = true;
				} else {
					die("kaslr text=|direct=|vmemmap=");
				}
			}
		} else if (strcmp(tok[0], "sme_mask") == 0 && n == 2) {
			g->L.sme_mask = parse_num(tok[1]);
		} else if (strcmp(tok[0], "kernel") == 0 && n >= 3 && n <= 5) {
			int t;

			g->kernel_pa = parse_num(tok[1]);
			g->kernel_size = parse_num(tok[2]);
			g->image_size = IMAGE_SIZE_DEFAULT;
			for (t = 3; t < n; t++) {
				if (strncmp(tok[t], "image=", 6) == 0)
					g->image_size = parse_num(tok[t] + 6);
				else if (strcmp(tok[t], "content=real") == 0)
					g->kernel_real = true;
				else
					die("kernel PADDR SIZE [image=SIZE] [content=real]");
			}
			if ((g->kernel_pa | g->image_size) & (BLK - 1) ||
			    g->kernel_size <= g->image_size)
				die("kernel: 2 MiB aligned, larger than the image");
			g->have_kernel = true;
		} else if (strcmp(tok[0], "ram") == 0 && n == 3) {
			struct range r = { parse_num(tok[1]), parse_num(tok[2]), 0, 0, 0, false };

			if ((r.pa | r.size) & (PAGE_SIZE - 1))
				die("ram must be page aligned");
			g->seen_ram = true;
			VEC_PUSH(g->ram, g->n_ram, g->cap_ram, r);
		} else if (strcmp(tok[0], "load") == 0 && (n == 3 || n == 4)) {
			struct range r = { parse_num(tok[1]), parse_num(tok[2]), 0, 0, 0, false };

			if (n == 4) {
				if (strncmp(tok[3], "nodata=", 7) != 0)
					die("load PADDR SIZE [nodata=BYTES]");
				r.nodata = parse_num(tok[3] + 7);
				if (r.nodata > r.size)
					die("nodata larger than the load");
			}
			g->seen_ram = true;
			VEC_PUSH(g->load, g->n_load, g->cap_load, r);
		} else if (strcmp(tok[0], "textload") == 0 && n == 1) {
			g->textload = true;
		} else if (strcmp(tok[0], "fill") == 0 && n >= 2) {
			memset(&g->fill, 0, sizeof(g->fill));
			parse_class(&g->fill, tok + 1, n - 1);
			g->fill.line = cur_line;
		} else if (strcmp(tok[0], "pages") == 0 && n >= 4) {
			struct rule r;

			memset(&r, 0, sizeof(r));
			r.start = g->base + parse_num(tok[1]);
			r.n = parse_num(tok[2]);
			r.line = cur_line;
			parse_class(&r, tok + 3, n - 3);
			if (!r.n)
				die("empty pages line");
			VEC_PUSH(g->rules, g->n_rules, g->cap_rules, r);
		} else if (strcmp(tok[0], "section") == 0 && n >= 3) {
			uint64_t nr = parse_num(tok[1]), cnt = 1, i;
			int k = 2;

			if (strncmp(tok[k], "count=", 6) == 0)
				cnt = parse_num(tok[k++] + 6);
			for (; k < n; k++) {
				for (i = 0; i < cnt; i++) {
					struct sec s;

					memset(&s, 0, sizeof(s));
					s.nr = nr + i;
					s.kind = S_OK;
					if (strcmp(tok[k], "offline") == 0)
						s.kind = S_OFFLINE;
					else if (strcmp(tok[k], "absent") == 0)
						s.kind = S_ABSENT;
					else if (strcmp(tok[k], "nomap") == 0)
						s.kind = S_NOMAP;
					else if (strcmp(tok[k], "badptr") == 0)
						s.kind = S_BADPTR;
					else if (strcmp(tok[k], "stale") == 0)
						s.kind = S_STALE;
					else if (strcmp(tok[k], "memmap_on_memory") == 0)
						s.mom = s.hotplug = true;
					else if (strcmp(tok[k], "hotplug") == 0)
						s.hotplug = true;
					else
						die("unknown section kind '%s'", tok[k]);
					/* merged into the section list later */
					VEC_PUSH(g->secs, g->n_secs, g->cap_secs, s);
				}
			}
		} else if (strcmp(tok[0], "vmemmap_hole") == 0 && n == 3) {
			VEC_PUSH(g->holes, g->n_holes, g->cap_holes,
				 ((typeof(*g->holes)){ parse_num(tok[1]), parse_num(tok[2]) }));
		} else if (strcmp(tok[0], "vmemmap_share") == 0 && n == 1) {
			g->share = true;
		} else if (strcmp(tok[0], "pgtable") == 0 && n == 4) {
			struct patch p;

			memset(&p, 0, sizeof(p));
			snprintf(p.va, sizeof(p.va), "%s", tok[1]);
			p.level = (unsigned)parse_num(tok[2]);
			snprintf(p.what, sizeof(p.what), "%s", tok[3]);
			p.line = cur_line;
			VEC_PUSH(g->patches, g->n_patches, g->cap_patches, p);
		} else if (strcmp(tok[0], "memsection") == 0 && n == 4 &&
			   strcmp(tok[1], "root") == 0) {
			typeof(*g->rootp) rp;

			rp.idx = (unsigned)parse_num(tok[2]);
			snprintf(rp.what, sizeof(rp.what), "%s", tok[3]);
			VEC_PUSH(g->rootp, g->n_rootp, g->cap_rootp, rp);
		} else if (strcmp(tok[0], "memsection") == 0 && n == 4 &&
			   strcmp(tok[1], "entry") == 0) {
			struct sec s;

			memset(&s, 0, sizeof(s));
			s.nr = parse_num(tok[2]);
			s.kind = S_OK;
			s.have_entry = true;
			if (strcmp(tok[3], "loop") == 0)
				s.entry_loop = true;
			else
				s.entry = parse_num(tok[3]);
			VEC_PUSH(g->secs, g->n_secs, g->cap_secs, s);
		} else if (strcmp(tok[0], "vmcoreinfo") == 0 && n == 3) {
			struct edit e;

			memset(&e, 0, sizeof(e));
			if (strcmp(tok[1], "drop") == 0) {
				e.drop = true;
				snprintf(e.key, sizeof(e.key), "%s", tok[2]);
			} else if (strcmp(tok[1], "set") == 0) {
				char *eq = strchr(tok[2], '=');

				if (!eq)
					die("vmcoreinfo set KEY=VALUE");
				snprintf(e.line, sizeof(e.line), "%s", tok[2]);
				*eq = '\0';
				snprintf(e.key, sizeof(e.key), "%s", tok[2]);
			} else {
				die("vmcoreinfo drop KEY | set KEY=VALUE");
			}
			VEC_PUSH(g->edits, g->n_edits, g->cap_edits, e);
		} else if (strcmp(tok[0], "gt") == 0 && n == 4) {
			VEC_PUSH(g->gtov, g->n_gtov, g->cap_gtov,
				 ((struct gtov){ g->base + parse_num(tok[1]),
						 parse_num(tok[2]),
						 gtc_by_name(tok[3]) }));
		} else if (strcmp(tok[0], "base") == 0 && n == 2) {
			g->base = parse_num(tok[1]);
		} else if (strcmp(tok[0], "expect") == 0 && n == 3) {
			typeof(*g->expects) x;

			snprintf(x.name, sizeof(x.name), "%s", tok[1]);
			x.v = parse_num(tok[2]);
			VEC_PUSH(g->expects, g->n_expects, g->cap_expects, x);
		} else if (strcmp(tok[0], "levels") == 0 || strcmp(tok[0], "run") == 0 ||
			   strcmp(tok[0], "mdf") == 0 || strcmp(tok[0], "scale") == 0 ||
			   strcmp(tok[0], "timeout") == 0 || strcmp(tok[0], "note") == 0 ||
			   strcmp(tok[0], "maxrss") == 0 || strcmp(tok[0], "lkdf") == 0) {
			/* for the test runner: copied to the .gt file */
			char *p = raw;

			while (*p == ' ' || *p == '\t')
				p++;
			VEC_PUSH(g->passthru, g->n_passthru, g->cap_passthru, strdup(p));
		} else {
			die("unknown or malformed line '%s'", tok[0]);
		}
	}
	fclose(f);
	cur_file = saved_file;
	cur_line = saved_line;
}

static void parse_fixture(struct gen *g, const char *path)
{
	g->L.paging = 4;
	g->hugetlb_config = true;
	g->arch = &gen_arch_x86_64;
	g->fill.cls = C_FREE;
	g->fill.ref = -1;
	parse_file(g, path, 0);
	if (!g->era)
		die("%s: no 'era' line", path);
	if (!g->have_kernel)
		die("%s: no 'kernel' line", path);
	if (!g->n_ram)
		die("%s: no 'ram' line", path);
}

/* ------------------------------------------------------------------ */
/* runs: later lines override earlier ones */

static void seg_insert(struct gen *g, uint64_t s, uint64_t e, unsigned rule)
{
	struct seg *out = NULL;
	size_t n = 0, cap = 0, i;
	bool placed = false;

	for (i = 0; i < g->n_segs; i++) {
		struct seg x = g->segs[i];

		if (x.end <= s || x.start >= e) {
			if (x.start >= e && !placed) {
				VEC_PUSH(out, n, cap, ((struct seg){ s, e, rule }));
				placed = true;
			}
			VEC_PUSH(out, n, cap, x);
			continue;
		}
		if (x.start < s)
			VEC_PUSH(out, n, cap, ((struct seg){ x.start, s, x.rule }));
		if (!placed) {
			VEC_PUSH(out, n, cap, ((struct seg){ s, e, rule }));
			placed = true;
		}
		if (x.end > e)
			VEC_PUSH(out, n, cap, ((struct seg){ e, x.end, x.rule }));
	}
	if (!placed)
		VEC_PUSH(out, n, cap, ((struct seg){ s, e, rule }));
	free(g->segs);
	g->segs = out;
	g->n_segs = n;
	g->cap_segs = cap;
}

static const struct seg *seg_find(const struct gen *g, uint64_t pfn)
{
	size_t lo = 0, hi = g->n_segs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pfn < g->segs[mid].start)
			hi = mid;
		else if (pfn >= g->segs[mid].end)
			lo = mid + 1;
		else
			return &g->segs[mid];
	}
	return NULL;
}

static bool range_in_ram(const struct gen *g, uint64_t s, uint64_t e)
{
	size_t i;

	for (i = 0; i < g->n_ram; i++)
		if (s >= g->ram[i].pa >> PAGE_SHIFT &&
		    e <= (g->ram[i].pa + g->ram[i].size) >> PAGE_SHIFT)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* sections */

static int sec_cmp(const void *a, const void *b)
{
	const struct sec *x = a, *y = b;

	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static struct sec *sec_find(struct gen *g, uint64_t nr)
{
	size_t lo = 0, hi = g->n_secs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (nr < g->secs[mid].nr)
			hi = mid;
		else if (nr > g->secs[mid].nr)
			lo = mid + 1;
		else
			return &g->secs[mid];
	}
	return NULL;
}

static bool sec_has_memmap(const struct sec *s)
{
	return s && (s->kind == S_OK || s->kind == S_OFFLINE ||
		     s->kind == S_STALE);
}

/* what the tool can use: OK or OFFLINE, reachable */
static bool sec_usable(const struct sec *s)
{
	return s && (s->kind == S_OK || s->kind == S_OFFLINE) && !s->gt_nomap;
}

static void build_sections(struct gen *g)
{
	struct sec *ov = g->secs;
	size_t n_ov = g->n_secs, i, j;

	g->secs = NULL;
	g->n_secs = g->cap_secs = 0;
	/* every section with RAM is present */
	for (i = 0; i < g->n_ram; i++) {
		uint64_t a = g->ram[i].pa >> (PAGE_SHIFT + PFN_SECTION_SHIFT);
		uint64_t b = (g->ram[i].pa + g->ram[i].size - 1) >>
			     (PAGE_SHIFT + PFN_SECTION_SHIFT);

		for (; a <= b; a++) {
			struct sec s;

			memset(&s, 0, sizeof(s));
			s.nr = a;
			s.kind = S_OK;
			VEC_PUSH(g->secs, g->n_secs, g->cap_secs, s);
		}
	}
	qsort(g->secs, g->n_secs, sizeof(*g->secs), sec_cmp);
	for (i = j = 0; i < g->n_secs; i++)
		if (!j || g->secs[j - 1].nr != g->secs[i].nr)
			g->secs[j++] = g->secs[i];
	g->n_secs = j;
	for (i = 0; i < n_ov; i++) {
		struct sec *s = sec_find(g, ov[i].nr);

		if (!s) {
			VEC_PUSH(g->secs, g->n_secs, g->cap_secs, ov[i]);
			qsort(g->secs, g->n_secs, sizeof(*g->secs), sec_cmp);
			continue;
		}
		if (ov[i].kind != S_OK)
			s->kind = ov[i].kind;
		s->mom |= ov[i].mom;
		s->hotplug |= ov[i].hotplug;
		if (ov[i].have_entry) {
			s->have_entry = true;
			s->entry = ov[i].entry;
			s->entry_loop = ov[i].entry_loop;
		}
	}
	free(ov);
	for (i = 0; i < g->n_secs; i++) {
		struct sec *s = &g->secs[i];

		if (s->kind == S_OFFLINE && !g->era->sec_online)
			die("offline sections need an era with SECTION_IS_ONLINE (4.13+)");
		if (s->mom && (s->kind != S_OK || g->era->sp_size != 64))
			die("memmap_on_memory needs an online section and 64-byte struct pages");
		if (s->mom && !range_in_ram(g, s->nr << PFN_SECTION_SHIFT,
					    (s->nr + 1) << PFN_SECTION_SHIFT))
			die("memmap_on_memory section %llu is not all RAM",
			    (unsigned long long)s->nr);
		if (s->have_entry)
			s->any = true;
	}
}

/* ------------------------------------------------------------------ */
/* vmemmap blocks */

static struct vblk *blk_find(struct gen *g, uint64_t va)
{
	uint64_t key = va >> vblk_shift;
	size_t i;

	if (!g->bhash_cap)
		return NULL;
	for (i = phash(key, g->bhash_cap);; i = (i + 1) & (g->bhash_cap - 1)) {
		if (g->bhash[i] < 0)
			return NULL;
		if (g->blks[g->bhash[i]].va >> vblk_shift == key)
			return &g->blks[g->bhash[i]];
	}
}

static struct vblk *blk_get(struct gen *g, uint64_t va)
{
	struct vblk *b = blk_find(g, va), nb;
	size_t i;

	if (b)
		return b;
	if ((g->n_blks + 1) * 2 > g->bhash_cap) {
		size_t j;

		g->bhash_cap = g->bhash_cap ? g->bhash_cap * 2 : 1024;
		free(g->bhash);
		g->bhash = xcalloc(g->bhash_cap, sizeof(*g->bhash));
		for (i = 0; i < g->bhash_cap; i++)
			g->bhash[i] = -1;
		for (j = 0; j < g->n_blks; j++) {
			for (i = phash(g->blks[j].va >> vblk_shift, g->bhash_cap);
			     g->bhash[i] >= 0; i = (i + 1) & (g->bhash_cap - 1))
				;
			g->bhash[i] = (int64_t)j;
		}
	}
	memset(&nb, 0, sizeof(nb));
	nb.va = va & ~(VBLK - 1);
	VEC_PUSH(g->blks, g->n_blks, g->cap_blks, nb);
	for (i = phash(va >> vblk_shift, g->bhash_cap); g->bhash[i] >= 0;
	     i = (i + 1) & (g->bhash_cap - 1))
		;
	g->bhash[i] = (int64_t)(g->n_blks - 1);
	return &g->blks[g->n_blks - 1];
}

static void blk_split(struct vblk *b)
{
	unsigned i;

	if (b->pte)
		return;
	if (b->shared)
		die("a shared vmemmap block cannot be split");
	b->pte = xcalloc(VBLK_PTES, sizeof(*b->pte));
	for (i = 0; i < VBLK_PTES; i++)
		b->pte[i] = (b->pa + i * PAGE_SIZE) | VS_OWN;
}

/* node 0, zone Normal (or DMA32 below 4 GiB) in the high flag bits */
static uint64_t zone_bits(uint64_t pfn)
{
	return (pfn < (4ull << 30 >> PAGE_SHIFT) ? 1ull : 2ull) << 62;
}

static uint64_t sp_va(const struct gen *g, uint64_t pfn)
{
	return g->L.vmemmap_base + pfn * g->era->sp_size;
}

/* physical address to write vmemmap byte va at, or 0 if not written */
static uint64_t vmm_pa(struct gen *g, uint64_t va)
{
	struct vblk *b = blk_find(g, va);
	uint64_t e;

	if (!b || b->shared)
		return 0;
	if (!b->pte)
		return b->pa + (va & (VBLK - 1));
	e = b->pte[(va >> PAGE_SHIFT) & (VBLK_PTES - 1)];
	if (!(e & VS_OWN))
		return 0;
	return (e & ~(PAGE_SIZE - 1)) + (va & (PAGE_SIZE - 1));
}

static void vmm_write(struct gen *g, uint64_t va, const uint8_t *buf,
		      size_t len)
{
	while (len) {
		size_t in = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		size_t n = len < in ? len : in;
		uint64_t pa = vmm_pa(g, va);

		if (pa)
			phys_write(g, pa, buf, n);
		va += n;
		buf += n;
		len -= n;
	}
}

static void sp_put(struct gen *g, uint64_t pfn, const uint8_t *sp)
{
	vmm_write(g, sp_va(g, pfn), sp, g->era->sp_size);
}

/* A section whose memmap equals every other such section's: all RAM, one
 * free run with blocks no larger than a section, online, nothing special.
 * Only with vmemmap_share. */
static bool sec_uniform_free(struct gen *g, const struct sec *s)
{
	uint64_t a = s->nr << PFN_SECTION_SHIFT, b = a + PPS;
	const struct seg *sg = seg_find(g, a);
	const struct rule *r;
	size_t i;

	if (!g->share || s->kind != S_OK || s->mom || s->have_entry)
		return false;
	if (!sg || sg->start > a || sg->end < b)
		return false;
	r = &g->rules[sg->rule];
	if (r->cls != C_FREE || r->poisoned || r->content_data ||
	    (r->order_set && r->order > 10))
		return false;
	for (i = 0; i < g->n_holes; i++)
		if (g->holes[i].pfn < b && g->holes[i].pfn + g->holes[i].n > a)
			return false;
	return true;
}

static void plan_vmemmap(struct gen *g)
{
	const struct era *e = g->era;
	size_t i;
	uint64_t f;

	for (i = 0; i < g->n_secs; i++) {
		struct sec *s = &g->secs[i];
		uint64_t va0, va1, va;
		unsigned z;

		if (!sec_has_memmap(s))
			continue;
		va0 = sp_va(g, s->nr << PFN_SECTION_SHIFT);
		va1 = sp_va(g, (s->nr + 1) << PFN_SECTION_SHIFT);
		z = zone_bits(s->nr << PFN_SECTION_SHIFT) >> 63;
		if (sec_uniform_free(g, s)) {
			if (va1 - va0 != VBLK || (va0 & (VBLK - 1)))
				die("vmemmap_share needs a section's memmap to be one vmemmap leaf");
			if (g->have_tmpl[z]) {
				struct vblk *b = blk_get(g, va0);

				b->pa = g->tmpl_pa[z];
				b->shared = true;
				s->shared = true;
				continue;
			}
		}
		for (va = va0 & ~(VBLK - 1); va < va1; va += VBLK) {
			struct vblk *b = blk_get(g, va);

			if (b->pa)
				continue;
			if (s->mom) {
				/* the block's memmap in its own first pfns */
				b->pa = (s->nr << (PFN_SECTION_SHIFT + PAGE_SHIFT)) +
					(va - (va0 & ~(VBLK - 1)));
				b->mom = true;
			} else {
				b->pa = palloc(g, VBLK, VBLK);
			}
		}
		if (sec_uniform_free(g, s) && !g->have_tmpl[z]) {
			g->tmpl_pa[z] = blk_find(g, va0)->pa;
			g->have_tmpl[z] = true;
		}
	}

	/* HVO: the vmemmap pages of each optimised hugetlb folio after the
	 * first map to the first (5.18-7.0: fake heads) or to one shared
	 * page of tails (7.1) */
	for (i = 0; i < g->n_rules; i++) {
		const struct rule *r = &g->rules[i];
		uint64_t tail_pa = 0;

		if (r->cls != C_HUGETLB || !r->hvo)
			continue;
		if (e->sp_size != 64 || (64ull << r->order) < 2 * PAGE_SIZE ||
		    e->version < KV(5, 18, 0))
			die("hvo needs a 5.18+ era, 64-byte struct pages and a folio whose struct pages fill two pages or more");
		if (e->compound_info) {
			uint8_t sp[64];
			uint64_t off;

			tail_pa = palloc(g, PAGE_SIZE, PAGE_SIZE);
			era_sp_blank(e, sp, 0);
			era_sp_tail(e, sp, 0, r->order);
			for (off = 0; off < PAGE_SIZE; off += 64)
				phys_write(g, tail_pa + off, sp, 64);
		}
		for (f = r->start; f < r->start + r->n; f += 1ull << r->order) {
			uint64_t va0 = sp_va(g, f), npg = ((64ull << r->order) >> PAGE_SHIFT);
			uint64_t k, head_pa;
			struct vblk *b = blk_get(g, va0);

			if (!b->pa)
				die("hvo folio at pfn %#llx has no memmap",
				    (unsigned long long)f);
			blk_split(b);
			head_pa = b->pte[(va0 >> PAGE_SHIFT) & (VBLK_PTES - 1)] &
				  ~(PAGE_SIZE - 1);
			for (k = 1; k < npg; k++) {
				uint64_t va = va0 + k * PAGE_SIZE;
				struct vblk *bb = blk_get(g, va);

				if (!bb->pa)
					die("hvo folio at pfn %#llx has no memmap",
					    (unsigned long long)f);
				blk_split(bb);
				bb->pte[(va >> PAGE_SHIFT) & (VBLK_PTES - 1)] =
					(e->compound_info ? tail_pa : head_pa) | VS_ALIAS;
			}
			if (!e->compound_info && e->hvo_fake_heads) {
				struct hvo_rec h = { f, r->order };

				VEC_PUSH(g->hvos, g->n_hvos, g->cap_hvos, h);
			}
		}
	}

	/* vmemmap holes: struct pages whose vmemmap page is not mapped */
	for (i = 0; i < g->n_holes; i++) {
		uint64_t va = sp_va(g, g->holes[i].pfn) & ~(PAGE_SIZE - 1);
		uint64_t end = sp_va(g, g->holes[i].pfn + g->holes[i].n);

		for (; va < end; va += PAGE_SIZE) {
			struct vblk *b = blk_find(g, va);

			if (!b)
				continue;
			blk_split(b);
			b->pte[(va >> PAGE_SHIFT) & (VBLK_PTES - 1)] = 0;
		}
	}

	for (i = 0; i < g->n_blks; i++) {
		struct vblk *b = &g->blks[i];
		unsigned k;

		if (!b->pte) {
			g->arch->map(g, b->va, b->pa, VBLK, VBLK);
			continue;
		}
		for (k = 0; k < VBLK_PTES; k++)
			if (b->pte[k])
				g->arch->map(g, b->va + k * PAGE_SIZE,
					     b->pte[k] & ~(PAGE_SIZE - 1),
					     PAGE_SIZE, PAGE_SIZE);
	}
}

/* ------------------------------------------------------------------ */
/* struct pages */

static uint64_t fake_kva(struct gen *g, uint64_t salt)
{
	/* a plausible kernel object address in the direct map */
	return gen_direct_va(g, g->kernel_pa) + 0x100000 +
	       ((salt * 0x140) & 0xfffc0);
}

static unsigned ctz64(uint64_t v)
{
	return v ? (unsigned)__builtin_ctzll(v) : 64;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* struct page of a single-page class */
static void build_single(struct gen *g, const struct rule *r, uint64_t pfn,
			 uint8_t *sp)
{
	const struct era *e = g->era;
	uint64_t kva = fake_kva(g, pfn);

	era_sp_blank(e, sp, zone_bits(pfn));
	switch (r->cls) {
	case C_GAP:
		/* memmap of a non-RAM range: reserved */
		era_sp_flag(e, sp, e->pg_reserved);
		sp_set_u32(sp, e->off_refcount, 1);
		break;
	case C_KERNEL:
		era_sp_flag(e, sp, e->pg_reserved);
		sp_set_u32(sp, e->off_refcount, 1);
		break;
	case C_VMEMMAP_SELF:
		/* PG_vmemmap_self_hosted is PG_owner_priv_1 (not swap
		 * cache: no PG_swapbacked, no PG_lru) */
		era_sp_flag(e, sp, e->pg_owner_priv_1);
		era_sp_flag(e, sp, e->pg_reserved);
		sp_set_u32(sp, e->off_refcount, 1);
		break;
	case C_SLAB:
		sp_set_u32(sp, e->off_refcount, 1);
		if (e->pg_slab >= 0)
			era_sp_flag(e, sp, e->pg_slab);
		else
			era_sp_type(e, sp, PT_SLAB, 0);
		/* struct slab overlays struct page: 6.2+ puts slab.slabs at
		 * mapping's offset, which can be odd (kernel 130d4df57390),
		 * before that slab_cache (a pointer) sat there; before 4.18
		 * SLUB's counters overlapped _mapcount and could read as the
		 * buddy marker.  Only the slab test may win. */
		if (e->version >= KV(6, 2, 0))
			sp_set_u64(sp, e->off_mapping, 0x2b);
		else
			sp_set_u64(sp, e->off_mapping, kva + 0x400);
		if (e->ty == TY_MAPCOUNT && e->tyv[PT_BUDDY]) {
			sp_set_u32(sp, e->off_mapcount, e->tyv[PT_BUDDY]);
			sp_set_u64(sp, e->off_private, 1);
		}
		break;
	case C_PGTABLE:
		sp_set_u32(sp, e->off_refcount, 1);
		if (e->tyv[PT_TABLE])
			era_sp_type(e, sp, PT_TABLE, 0);
		else
			era_sp_flag(e, sp, e->pg_reserved);
		break;
	case C_GUARD:
		if (e->tyv[PT_GUARD])
			era_sp_type(e, sp, PT_GUARD, 0);
		sp_set_u64(sp, e->off_private, 3);
		break;
	case C_ZSMALLOC:
		sp_set_u32(sp, e->off_refcount, 1);
		if (e->tyv[PT_ZSMALLOC])
			era_sp_type(e, sp, PT_ZSMALLOC,
				    r->have_val ? (uint32_t)r->val : 0x1234);
		sp_set_u64(sp, e->off_private, kva);
		break;
	case C_PCP:
		/* free on a per-cpu list: no buddy marker */
		sp_set_u64(sp, e->off_lru, kva);
		sp_set_u64(sp, e->off_lru + 8, kva + 0x40);
		sp_set_u64(sp, e->off_index, 2);	/* migratetype */
		break;
	case C_OWNER_PRIV:
		/* PG_checked/PG_pinned/PG_foreign alias PG_swapcache since
		 * 4.10, without PG_swapbacked: not swap cache */
		era_sp_flag(e, sp, e->pg_owner_priv_1);
		sp_set_u32(sp, e->off_refcount, 1);
		break;
	case C_ANON:
	case C_KSM:
		era_sp_flag(e, sp, e->pg_lru);
		era_sp_flag(e, sp, e->pg_swapbacked);
		if (r->swapcache)
			era_sp_flag(e, sp, e->pg_swapcache);
		sp_set_u64(sp, e->off_mapping, kva | (r->cls == C_KSM ? 3 : 1));
		sp_set_u64(sp, e->off_index, pfn);
		sp_set_u32(sp, e->off_refcount, 1);
		sp_set_u32(sp, e->off_mapcount, 0);
		break;
	case C_CACHE:
	case C_CACHE_PRIVATE:
		era_sp_flag(e, sp, e->pg_lru);
		if (r->cls == C_CACHE_PRIVATE) {
			era_sp_flag(e, sp, e->pg_private);
			sp_set_u64(sp, e->off_private, kva + 0x80);
		}
		sp_set_u64(sp, e->off_mapping, kva);
		sp_set_u64(sp, e->off_index, pfn & 0xffff);
		sp_set_u32(sp, e->off_refcount, 2);
		break;
	case C_SHMEM:
		era_sp_flag(e, sp, e->pg_lru);
		era_sp_flag(e, sp, e->pg_swapbacked);
		sp_set_u64(sp, e->off_mapping, kva);
		sp_set_u32(sp, e->off_refcount, 1);
		break;
	case C_SWAPCACHE:
		/* shmem page in the swap cache, off the LRU */
		era_sp_flag(e, sp, e->pg_swapcache);
		era_sp_flag(e, sp, e->pg_swapbacked);
		sp_set_u64(sp, e->off_private, 0x1234);	/* swap entry */
		sp_set_u32(sp, e->off_refcount, 1);
		break;
	case C_OFFLINE:
	case C_BALLOON:
		if (g->era->version >= KV(5, 1, 0))
			era_sp_type(e, sp, PT_OFFLINE, 0);
		else if (e->tyv[PT_BALLOON_OLD])
			era_sp_type(e, sp, PT_BALLOON_OLD, 0);
		else
			die("era %s has no balloon/offline pages", e->name);
		sp_set_u32(sp, e->off_refcount,
			   r->ref >= 0 ? (uint32_t)r->ref :
			   r->cls == C_BALLOON ? 1 : 0);
		if (r->cls == C_BALLOON) {
			/* movable balloon: mapping with PAGE_MAPPING_MOVABLE */
			sp_set_u64(sp, e->off_mapping, kva | 2);
			sp_set_u64(sp, e->off_lru, kva + 0x20);
			sp_set_u64(sp, e->off_lru + 8, kva + 0x60);
		}
		break;
	case C_HWPOISON:
		/* a poisoned kernel page (memory_failure() could not free it) */
		era_sp_flag(e, sp, e->pg_reserved);
		era_sp_flag(e, sp, e->pg_hwpoison);
		sp_set_u32(sp, e->off_refcount, 1);
		break;
	case C_POISON:
		memset(sp, 0xff, e->sp_size);
		return;
	case C_BADBUDDY:
		era_sp_type(e, sp, PT_BUDDY, 0);
		if (r->misalign) {
			/* a possible order the pfn is not aligned to */
			unsigned o = ctz64(pfn) + 1;

			if (o >= e->max_order)
				die("badbuddy misalign at pfn %#llx: pick a less aligned pfn",
				    (unsigned long long)pfn);
			sp_set_u64(sp, e->off_private, o);
		} else {
			sp_set_u64(sp, e->off_private, r->have_val ? r->val : 64);
		}
		break;
	case C_GARBAGE: {
		uint64_t s = (r->have_val ? r->val : 1) * 0x9e3779b97f4a7c15ull + pfn;
		unsigned k;

		if (!s)
			s = 1;
		for (k = 0; k < 8; k++)
			rng_next(&s);
		for (k = 0; k + 8 <= e->sp_size; k += 8)
			sp_set_u64(sp, (int)k, rng_next(&s));
		return;
	}
	default:
		die("internal: class %d is not a single-page class", r->cls);
	}
	if (r->poisoned)
		era_sp_flag(e, sp, e->pg_hwpoison);
}

/* a compound unit of 2^order pages at pfn */
static void emit_compound(struct gen *g, const struct rule *r, uint64_t pfn,
			  unsigned order)
{
	const struct era *e = g->era;
	uint8_t sp0[128], sp1[128], spt[128];
	uint64_t head_va = sp_va(g, pfn), kva = fake_kva(g, pfn), i;
	bool hugetlb = r->cls == C_HUGETLB;

	era_sp_blank(e, sp0, zone_bits(pfn));
	era_sp_blank(e, sp1, zone_bits(pfn));
	era_sp_blank(e, spt, zone_bits(pfn));
	/* the head's lru links (never bit 0: must not look like a tail) */
	sp_set_u64(sp0, e->off_lru, kva + 0x100);
	sp_set_u64(sp0, e->off_lru + 8, kva + 0x140);
	sp_set_u32(sp0, e->off_refcount, 1);
	switch (r->cls) {
	case C_HUGETLB:
		if (!g->hugetlb_config)
			die("hugetlb pages need CONFIG_HUGETLB_PAGE");
		sp_set_u64(sp0, e->off_mapping, kva);	/* hugetlbfs inode */
		break;
	case C_THP:
		era_sp_flag(e, sp0, e->pg_lru);
		era_sp_flag(e, sp0, e->pg_swapbacked);
		sp_set_u64(sp0, e->off_mapping, kva | 1);
		sp_set_u32(sp0, e->off_mapcount, 0);
		break;
	case C_FOLIO:
		era_sp_flag(e, sp0, e->pg_lru);
		sp_set_u64(sp0, e->off_mapping, kva);
		break;
	case C_COMPOUND:
	case C_BADORDER:
		break;
	default:
		die("internal: class %d is not compound", r->cls);
	}
	if (r->poisoned)
		era_sp_flag(e, sp0, e->pg_hwpoison);
	era_sp_head(e, sp0, sp1, head_va, order, hugetlb, g->sym_free_huge_page);
	if (r->cls == C_BADORDER) {
		/* an impossible order where the era keeps it */
		uint64_t bad = r->have_val ? r->val : 77;

		switch (e->ord) {
		case OL_LRU_PREV: sp_set_u64(sp1, e->off_lru + 8, bad); break;
		case OL_FIELD32: sp_set_u32(sp1, e->off_order, (uint32_t)bad); break;
		case OL_FIELD8: sp1[e->off_order] = (uint8_t)bad; break;
		case OL_FLAGS1:
			sp_set_u64(sp1, e->off_flags,
				   (sp_get_u64(sp1, e->off_flags) & ~0xffull) |
				   (bad & 0xff));
			break;
		}
	}
	era_sp_tail(e, spt, head_va, order);
	sp_put(g, pfn, sp0);
	if (order == 0)
		return;
	sp_put(g, pfn + 1, sp1);
	for (i = 2; i < (1ull << order); i++)
		sp_put(g, pfn + i, spt);
}

static unsigned flog2(uint64_t v)
{
	return 63 - (unsigned)__builtin_clzll(v);
}

static bool sec_skip(struct gen *g, uint64_t pfn)
{
	struct sec *s = sec_find(g, pfn >> PFN_SECTION_SHIFT);

	return !s || s->shared || !sec_has_memmap(s) || s->kind == S_OFFLINE;
}

static void emit_seg(struct gen *g, const struct seg *sg)
{
	const struct rule *r = &g->rules[sg->rule];
	const struct era *e = g->era;
	uint8_t sp[128];
	uint64_t p = sg->start;
	unsigned maxo;

	switch (cls_info[r->cls].unit) {
	case U_PAGE:
		for (; p < sg->end; p++) {
			if ((p & (PPS - 1)) == 0 && sec_skip(g, p)) {
				p += PPS - 1;
				continue;
			}
			build_single(g, r, p, sp);
			sp_put(g, p, sp);
		}
		break;
	case U_FREE:
		maxo = r->order_set ? r->order : e->max_order - 1;
		while (p < sg->end) {
			unsigned o = ctz64(p), l = flog2(sg->end - p);

			if (maxo <= PFN_SECTION_SHIFT && (p & (PPS - 1)) == 0 &&
			    sec_skip(g, p)) {
				p += PPS;
				continue;
			}
			if (o > l)
				o = l;
			if (o > maxo)
				o = maxo;
			era_sp_blank(e, sp, zone_bits(p));
			era_sp_type(e, sp, PT_BUDDY, 0);
			sp_set_u64(sp, e->off_private, o);
			sp_set_u64(sp, e->off_lru, fake_kva(g, p) + 0x200);
			sp_set_u64(sp, e->off_lru + 8, fake_kva(g, p) + 0x240);
			if (r->poisoned)
				era_sp_flag(e, sp, e->pg_hwpoison);
			sp_put(g, p, sp);
			era_sp_blank(e, sp, zone_bits(p));
			{
				uint64_t k;

				for (k = 1; k < (1ull << o); k++)
					sp_put(g, p + k, sp);
			}
			p += 1ull << o;
		}
		break;
	case U_MAXBLOCK:
		maxo = e->max_order - 1;
		if ((sg->start | sg->end) & ((1ull << maxo) - 1))
				die("line %d: unaccepted memory comes in aligned %llu-page blocks",
				    r->line, 1ull << maxo);
		for (; p < sg->end; p += 1ull << maxo) {
			uint64_t k;

			era_sp_blank(e, sp, zone_bits(p));
			era_sp_type(e, sp, PT_UNACCEPTED, 0);
			sp_put(g, p, sp);
			era_sp_blank(e, sp, zone_bits(p));
			for (k = 1; k < (1ull << maxo); k++)
				sp_put(g, p + k, sp);
		}
		break;
	case U_ORDER:
		if ((sg->start | sg->end) & ((1ull << r->order) - 1))
			die("line %d: %s order %u must cover aligned 2^order runs (run %#llx-%#llx)",
			    r->line, cls_info[r->cls].name, r->order,
			    (unsigned long long)sg->start,
			    (unsigned long long)sg->end);
		for (; p < sg->end; p += 1ull << r->order)
			emit_compound(g, r, p, r->order);
		break;
	}
}

static void emit_struct_pages(struct gen *g)
{
	size_t i;
	uint8_t sp[128];

	for (i = 0; i < g->n_segs; i++)
		emit_seg(g, &g->segs[i]);
	/* offline memory blocks: their memmap is poisoned (page_init_poison) */
	memset(sp, 0xff, sizeof(sp));
	for (i = 0; i < g->n_secs; i++) {
		uint64_t p;

		if (g->secs[i].kind != S_OFFLINE)
			continue;
		for (p = g->secs[i].nr << PFN_SECTION_SHIFT;
		     p < (g->secs[i].nr + 1) << PFN_SECTION_SHIFT; p++)
			sp_put(g, p, sp);
	}
}

/* ------------------------------------------------------------------ */
/* mem_section */

static uint64_t direct_va(struct gen *g, uint64_t pa)
{
	return gen_direct_va(g, pa);
}

static void build_mem_section(struct gen *g)
{
	const struct era *e = g->era;
	unsigned physbits = g->L.max_physmem_bits;
	uint64_t nr_sections = 1ull << (physbits - PFN_SECTION_SHIFT - PAGE_SHIFT);
	size_t i;

	g->per_root = (unsigned)(PAGE_SIZE / e->ms_size);
	g->nr_roots = (unsigned)(nr_sections / g->per_root);
	g->root_page = xcalloc(g->nr_roots, sizeof(*g->root_page));
	if (e->ms_pointer) {
		g->roots_pa = palloc(g, (uint64_t)g->nr_roots * 8, PAGE_SIZE);
		g->sym_mem_section = direct_va(g, g->roots_pa);
	} else {
		g->roots_pa = ialloc(g, (uint64_t)g->nr_roots * 8, PAGE_SIZE);
		g->sym_mem_section = g->arch->image_va(g, g->roots_pa);
	}
	for (i = 0; i < g->n_secs; i++) {
		struct sec *s = &g->secs[i];
		unsigned r = (unsigned)(s->nr / g->per_root);
		uint64_t at, v = 0;

		if (s->kind == S_ABSENT)
			continue;
		if (s->nr >= nr_sections)
			die("section %llu is beyond MAX_PHYSMEM_BITS",
			    (unsigned long long)s->nr);
		if (!g->root_page[r]) {
			g->root_page[r] = palloc(g, PAGE_SIZE, PAGE_SIZE);
			phys_write64(g, g->roots_pa + r * 8ull,
				     direct_va(g, g->root_page[r]));
		}
		at = g->root_page[r] + (s->nr % g->per_root) * e->ms_size;
		switch (s->kind) {
		case S_OK:
		case S_OFFLINE:
			v = g->L.vmemmap_base | SECTION_MARKED_PRESENT |
			    SECTION_HAS_MEM_MAP;
			if (e->sec_online && s->kind == S_OK)
				v |= SECTION_IS_ONLINE;
			if (e->sec_early && !s->hotplug)
				v |= SECTION_IS_EARLY;
			break;
		case S_NOMAP:
			v = SECTION_MARKED_PRESENT;
			break;
		case S_BADPTR:
			v = 0x1000 | SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP |
			    (e->sec_online ? SECTION_IS_ONLINE : 0);
			break;
		case S_STALE:
			/* hot-removed on 5.3-5.5: pointer bits left behind */
			v = g->L.vmemmap_base | SECTION_HAS_MEM_MAP;
			break;
		case S_ABSENT:
			break;
		}
		if (s->have_entry) {
			if (s->entry_loop)
				v = (direct_va(g, g->root_page[r]) -
				     (s->nr << PFN_SECTION_SHIFT) * e->sp_size) |
				    SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP |
				    (e->sec_online ? SECTION_IS_ONLINE : 0);
			else
				v = s->entry;
		}
		phys_write64(g, at, v);
		if (e->version >= KV(5, 3, 0))	/* mem_section.usage */
			phys_write64(g, at + 8, direct_va(g, g->root_page[r]) + 0x800);
	}
	for (i = 0; i < g->n_rootp; i++) {
		unsigned r = g->rootp[i].idx;
		const char *w = g->rootp[i].what;
		uint64_t v;
		size_t k;

		if (r >= g->nr_roots)
			die("memsection root %u: only %u roots", r, g->nr_roots);
		if (strcmp(w, "self") == 0)
			v = g->sym_mem_section;
		else if (strcmp(w, "outside") == 0)
			v = direct_va(g, (g->L.max_pa + (1ull << 31)) & ~((1ull << 30) - 1));
		else
			v = parse_num(w);
		phys_write64(g, g->roots_pa + r * 8ull, v);
		/* whatever the tool finds there, it is no usable memmap */
		for (k = 0; k < g->n_secs; k++)
			if (g->secs[k].nr / g->per_root == r)
				g->secs[k].gt_nomap = true;
	}
}

/* ------------------------------------------------------------------ */
/* hostile page-table patches: "vmemmap:PFN", "direct:PADDR" or a VA */

static uint64_t va_expr(struct gen *g, const char *s)
{
	if (strncmp(s, "vmemmap:", 8) == 0)
		return sp_va(g, parse_num(s + 8));
	if (strncmp(s, "direct:", 7) == 0)
		return direct_va(g, parse_num(s + 7));
	return parse_num(s);
}

/* ------------------------------------------------------------------ */
/* loads and the file layout */

static uint64_t load_data_end(const struct range *l)
{
	return l->pa + l->size - l->nodata;
}

/* is every byte of [pa, pa + len) backed by data in some load? */
static bool in_data(const struct gen *g, uint64_t pa, uint64_t len)
{
	size_t i;

	for (i = 0; i < g->n_load; i++)
		if (pa >= g->load[i].pa && pa + len <= load_data_end(&g->load[i]))
			return true;
	return false;
}

/* pfn in the 1st bitmap: both ends of a load rounded down */
static bool pfn_present(const struct gen *g, uint64_t pfn)
{
	size_t i;

	for (i = 0; i < g->n_load; i++)
		if (pfn >= g->load[i].pa >> PAGE_SHIFT &&
		    pfn < (g->load[i].pa + g->load[i].size) >> PAGE_SHIFT)
			return true;
	return false;
}

static bool pfn_data(const struct gen *g, uint64_t pfn)
{
	size_t i;

	for (i = 0; i < g->n_load; i++)
		if (pfn >= g->load[i].pa >> PAGE_SHIFT &&
		    pfn < load_data_end(&g->load[i]) >> PAGE_SHIFT)
			return true;
	return false;
}

static void layout_loads(struct gen *g)
{
	size_t i;

	if (!g->n_load) {
		for (i = 0; i < g->n_ram; i++)
			VEC_PUSH(g->load, g->n_load, g->cap_load, g->ram[i]);
	}
	g->L.max_pa = 0;
	for (i = 0; i < g->n_load; i++)
		if (g->load[i].pa + g->load[i].size > g->L.max_pa)
			g->L.max_pa = g->load[i].pa + g->load[i].size;
	for (i = 0; i < g->n_ram; i++)
		if (g->ram[i].pa + g->ram[i].size > g->L.max_pa)
			g->L.max_pa = g->ram[i].pa + g->ram[i].size;
	for (i = 0; i < g->n_load; i++)
		g->load[i].vaddr = direct_va(g, g->load[i].pa);
	if (g->textload) {
		struct range t = { g->kernel_pa, g->image_size, 0,
				   g->arch->image_va(g, g->kernel_pa), 0, true };

		VEC_PUSH(g->load, g->n_load, g->cap_load, t);
	}
}

/* ------------------------------------------------------------------ */
/* ground truth */

static void add_unread(struct gen *g, uint64_t a, uint64_t b)
{
	if (g->n_unread && g->unread[g->n_unread - 1].b >= a) {
		if (b > g->unread[g->n_unread - 1].b)
			g->unread[g->n_unread - 1].b = b;
		return;
	}
	VEC_PUSH(g->unread, g->n_unread, g->cap_unread,
		 ((typeof(*g->unread)){ a, b }));
}

/* which pfns' struct pages the tool cannot read: walk the vmemmap of
 * every usable section through the built tables */
static void find_unreadable(struct gen *g)
{
	unsigned sz = g->era->sp_size;
	size_t i;

	for (i = 0; i < g->n_secs; i++) {
		const struct sec *s = &g->secs[i];
		uint64_t va = sp_va(g, s->nr << PFN_SECTION_SHIFT);
		uint64_t end = sp_va(g, (s->nr + 1) << PFN_SECTION_SHIFT);

		if (!sec_usable(s) || s->any)
			continue;
		while (va < end) {
			uint64_t pa, leaf, chunk;
			bool ok = g->arch->translate(g, va, &pa, &leaf);

			if (!ok)
				leaf = PAGE_SIZE;
			chunk = leaf - (va & (leaf - 1));
			if (chunk > end - va)
				chunk = end - va;
			if (!ok || !in_data(g, pa, chunk)) {
				uint64_t a = (va - g->L.vmemmap_base) / sz;
				uint64_t b = (va + chunk - g->L.vmemmap_base + sz - 1) / sz;

				add_unread(g, a, b);
			}
			va += chunk;
		}
	}
}

static bool pfn_unread(const struct gen *g, uint64_t pfn)
{
	size_t lo = 0, hi = g->n_unread;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pfn < g->unread[mid].a)
			hi = mid;
		else if (pfn >= g->unread[mid].b)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static bool offline_exported(const struct gen *g)
{
	const struct era *e = g->era;
	size_t i;
	bool exp = e->exp_offline_always || (e->exp_offline && g->hugetlb_config);

	for (i = 0; i < g->n_edits; i++)
		if (strcmp(g->edits[i].key, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)") == 0)
			exp = !g->edits[i].drop;
	return exp;
}

static enum gtc rule_gt(const struct gen *g, const struct rule *r)
{
	enum gtc c = cls_info[r->cls].gt;

	if (c == G_OFFLINE && !offline_exported(g))
		c = G_OFFLINE_EITHER;
	if (r->poisoned && c == G_USER)
		c = G_USER_HWPOISON;
	else if (r->poisoned && c == G_CACHE)
		c = G_CACHE_HWPOISON;
	else if (r->poisoned && c == G_KEPT)
		c = G_HWPOISON;
	return c;
}

static bool pfn_cached_zero(struct gen *g, uint64_t pfn, bool *zero)
{
	const uint8_t *p = pcache_find(g, pfn);
	size_t i;

	if (!p)
		return false;
	*zero = true;
	for (i = 0; i < PAGE_SIZE; i++)
		if (p[i]) {
			*zero = false;
			break;
		}
	return true;
}

static bool seg_data(const struct rule *r)
{
	if (r->content_zero)
		return false;
	if (r->content_data || r->content_head)
		return true;
	return cls_info[r->cls].data;
}

/* does pfn of segment sg carry a content marker? */
static bool pfn_marked(const struct gen *g, const struct seg *sg, uint64_t pfn)
{
	const struct rule *r;

	if (!sg)
		return false;
	r = &g->rules[sg->rule];
	if (!seg_data(r))
		return false;
	return !r->content_head ||
	       ((pfn - sg->start) & ((1ull << r->order) - 1)) == 0;
}

/* First pfn of the free block or compound page that holds pfn (the
 * greedy decomposition emit_seg() makes), and its size. */
static uint64_t unit_head(const struct gen *g, const struct seg *sg,
			  uint64_t pfn, uint64_t *size)
{
	const struct rule *r = &g->rules[sg->rule];
	unsigned maxo, o;
	uint64_t q, a, b, m;

	switch (cls_info[r->cls].unit) {
	case U_ORDER:
		*size = 1ull << r->order;
		return sg->start + ((pfn - sg->start) & ~(*size - 1));
	case U_MAXBLOCK:
		*size = 1ull << (g->era->max_order - 1);
		return sg->start + ((pfn - sg->start) & ~(*size - 1));
	case U_FREE:
		break;
	default:
		*size = 1;
		return pfn;
	}
	maxo = r->order_set ? r->order : g->era->max_order - 1;
	m = 1ull << maxo;
	/* blocks grow up to alignment, then 2^maxo, then shrink */
	a = (sg->start + m - 1) & ~(m - 1);
	b = sg->end & ~(m - 1);
	if (a <= b && pfn >= a && pfn < b) {
		*size = m;
		return pfn & ~(m - 1);
	}
	for (q = pfn < a || a > b ? sg->start : b; q < sg->end; q += 1ull << o) {
		unsigned l = flog2(sg->end - q);

		o = ctz64(q);
		if (o > l)
			o = l;
		if (o > maxo)
			o = maxo;
		if (pfn < q + (1ull << o)) {
			*size = 1ull << o;
			return q;
		}
	}
	*size = 1;
	return pfn;
}

/* can the tool read the struct page of pfn and does it classify it? */
static bool pfn_visible(struct gen *g, uint64_t pfn)
{
	const struct sec *s = sec_find(g, pfn >> PFN_SECTION_SHIFT);

	return pfn_present(g, pfn) && pfn < g->max_mapnr && sec_usable(s) &&
	       s->kind == S_OK && !s->any && !pfn_unread(g, pfn);
}

/* class of pfn, whether its content is zero, whether its own struct page
 * is unreadable; counter: level-independent anomaly it adds to, or -1 */
static enum gtc gt_of(struct gen *g, uint64_t pfn, bool *zero, bool *unread,
		      int *counter)
{
	const struct sec *s = sec_find(g, pfn >> PFN_SECTION_SHIFT);
	const struct seg *sg = seg_find(g, pfn);
	const struct rule *r = sg ? &g->rules[sg->rule] : NULL;
	bool ram = r && r->cls != C_GAP;
	uint64_t head, size;
	enum gtc c;
	size_t i;

	*counter = -1;
	*zero = false;
	*unread = false;
	for (i = g->n_gtov; i-- > 0;)
		if (pfn >= g->gtov[i].pfn && pfn < g->gtov[i].pfn + g->gtov[i].n) {
			c = g->gtov[i].c;
			if (c == G_HOLE || c == G_HOLE_OFFLINE ||
			    c == G_HOLE_OFFLINE_EITHER)
				return c;
			if (!pfn_present(g, pfn) || pfn >= g->max_mapnr)
				return G_HOLE;
			if (!pfn_cached_zero(g, pfn, zero))
				*zero = !pfn_marked(g, sg, pfn);
			return c;
		}
	if (!pfn_present(g, pfn) || pfn >= g->max_mapnr) {
		if (ram && sec_usable(s) && s->kind == S_OK && !s->any &&
		    !pfn_unread(g, pfn)) {
			c = rule_gt(g, r);
			if (c == G_OFFLINE)
				return G_HOLE_OFFLINE;
			if (c == G_OFFLINE_EITHER)
				return G_HOLE_OFFLINE_EITHER;
		}
		return G_HOLE;
	}
	if (!pfn_data(g, pfn))
		return G_NODATA;
	if (!pfn_cached_zero(g, pfn, zero))
		*zero = !pfn_marked(g, sg, pfn);
	if (s && s->any)
		return G_ANY;
	if (!sec_usable(s)) {
		*counter = 0;		/* memmap_nosection */
		return G_KEPT;
	}
	if (s->kind == S_OFFLINE) {
		*counter = 2;		/* memmap_offline */
		return G_KEPT;
	}
	*unread = pfn_unread(g, pfn);
	if (!r)
		return G_KEPT;
	/* a block or compound page is decided by its head; the other
	 * struct pages look blank or are tails, and stay kept when the
	 * tool cannot see the head */
	head = unit_head(g, sg, pfn, &size);
	if (!pfn_visible(g, head))
		return G_KEPT;
	if (*unread && size == 1)
		return G_KEPT;
	return rule_gt(g, r);
}

static int u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void compute_max_mapnr(struct gen *g)
{
	uint64_t maxpfn = 0, nr_sec, end = 0;
	size_t i;

	for (i = 0; i < g->n_load; i++) {
		uint64_t e = (g->load[i].pa + g->load[i].size) >> PAGE_SHIFT;

		if (e > maxpfn)
			maxpfn = e;
	}
	/* the tool (like makedumpfile) lowers max_mapnr to the end of the
	 * last section below it that has a memmap */
	nr_sec = (maxpfn + PPS - 1) >> PFN_SECTION_SHIFT;
	for (i = 0; i < g->n_secs; i++)
		if (g->secs[i].nr < nr_sec &&
		    (g->secs[i].kind == S_OK || g->secs[i].kind == S_OFFLINE) &&
		    !g->secs[i].gt_nomap)
			end = (g->secs[i].nr + 1) << PFN_SECTION_SHIFT;
	g->max_mapnr = end && end < maxpfn ? end : maxpfn;
}

/* Every pfn where the class may change, sorted (may repeat); *end_ret:
 * the end of the ground truth (the highest RAM or PT_LOAD end). */
static uint64_t *gt_boundaries(struct gen *g, size_t *n_ret, uint64_t *end_ret)
{
	uint64_t *bd = NULL, gt_end = 0;
	size_t nb = 0, cb = 0, i, n0, k;

	for (i = 0; i < g->n_load; i++) {
		VEC_PUSH(bd, nb, cb, g->load[i].pa >> PAGE_SHIFT);
		VEC_PUSH(bd, nb, cb, (g->load[i].pa + g->load[i].size) >> PAGE_SHIFT);
		VEC_PUSH(bd, nb, cb, load_data_end(&g->load[i]) >> PAGE_SHIFT);
		if ((g->load[i].pa + g->load[i].size) >> PAGE_SHIFT > gt_end)
			gt_end = (g->load[i].pa + g->load[i].size) >> PAGE_SHIFT;
	}
	for (i = 0; i < g->n_ram; i++)
		if ((g->ram[i].pa + g->ram[i].size) >> PAGE_SHIFT > gt_end)
			gt_end = (g->ram[i].pa + g->ram[i].size) >> PAGE_SHIFT;
	for (i = 0; i < g->n_segs; i++) {
		const struct rule *r = &g->rules[g->segs[i].rule];
		uint64_t p;

		VEC_PUSH(bd, nb, cb, g->segs[i].start);
		VEC_PUSH(bd, nb, cb, g->segs[i].end);
		if (!r->content_head)
			continue;
		for (p = g->segs[i].start; p < g->segs[i].end; p += 1ull << r->order) {
			VEC_PUSH(bd, nb, cb, p);
			VEC_PUSH(bd, nb, cb, p + 1);
		}
	}
	for (i = 0; i < g->n_secs; i++) {
		VEC_PUSH(bd, nb, cb, g->secs[i].nr << PFN_SECTION_SHIFT);
		VEC_PUSH(bd, nb, cb, (g->secs[i].nr + 1) << PFN_SECTION_SHIFT);
	}
	for (i = 0; i < g->n_unread; i++) {
		VEC_PUSH(bd, nb, cb, g->unread[i].a);
		VEC_PUSH(bd, nb, cb, g->unread[i].b);
	}
	for (i = 0; i < g->n_gtov; i++) {
		VEC_PUSH(bd, nb, cb, g->gtov[i].pfn);
		VEC_PUSH(bd, nb, cb, g->gtov[i].pfn + g->gtov[i].n);
	}
	for (i = 0; i < g->pcap; i++)
		if (g->pvals[i]) {
			VEC_PUSH(bd, nb, cb, g->pkeys[i]);
			VEC_PUSH(bd, nb, cb, g->pkeys[i] + 1);
		}
	VEC_PUSH(bd, nb, cb, g->max_mapnr);
	VEC_PUSH(bd, nb, cb, 0);
	VEC_PUSH(bd, nb, cb, gt_end);
	/* a block or compound page takes its class from its head: the
	 * edges of the units around every boundary are boundaries too */
	n0 = nb;
	for (i = 0; i < n0; i++) {
		for (k = 0; k < 2; k++) {
			uint64_t x = bd[i] - k, size, h;
			const struct seg *sg;

			if (k && !bd[i])
				continue;
			sg = seg_find(g, x);
			if (!sg)
				continue;
			h = unit_head(g, sg, x, &size);
			VEC_PUSH(bd, nb, cb, h);
			VEC_PUSH(bd, nb, cb, h + size);
		}
	}
	qsort(bd, nb, sizeof(*bd), u64cmp);
	*n_ret = nb;
	*end_ret = gt_end;
	return bd;
}

/* "r START COUNT CLASS ZERO UNREAD" lines, one per run of equal pfns;
 * adds up the level-independent anomaly counters */
static void write_runs(struct gen *g, FILE *f)
{
	enum gtc run_c = G_NCLS;
	bool run_z = false, run_u = false;
	uint64_t run_s = 0, gt_end, counters[3] = { 0, 0, 0 };
	size_t nb, i;
	uint64_t *bd = gt_boundaries(g, &nb, &gt_end);

	for (i = 0; i + 1 < nb; i++) {
		uint64_t a = bd[i], b = bd[i + 1];
		enum gtc c;
		bool z, u;
		int cnt;

		if (a == b || a >= gt_end)
			continue;
		if (b > gt_end)
			b = gt_end;
		c = gt_of(g, a, &z, &u, &cnt);
		if (cnt >= 0)
			counters[cnt] += b - a;
		if (c == G_ANY)
			g->any_any = true;
		if (c == G_HOLE)
			z = false;
		if (c == run_c && z == run_z && u == run_u)
			continue;
		if (run_c != G_NCLS)
			fprintf(f, "r %llu %llu %s %d %d\n", (unsigned long long)run_s,
				(unsigned long long)(a - run_s), gtc_name[run_c],
				run_z, run_u);
		run_c = c;
		run_z = z;
		run_u = u;
		run_s = a;
	}
	if (run_c != G_NCLS)
		fprintf(f, "r %llu %llu %s %d %d\n", (unsigned long long)run_s,
			(unsigned long long)(gt_end - run_s), gtc_name[run_c],
			run_z, run_u);
	g->cnt_nosection = counters[0];
	g->cnt_offline = counters[2];
	free(bd);
}

/* the hostile heads the tool meets (in usable memory, readable) */
static void count_bad_heads(struct gen *g)
{
	size_t i;

	for (i = 0; i < g->n_segs; i++) {
		const struct rule *r = &g->rules[g->segs[i].rule];
		uint64_t p;

		if (r->cls != C_BADORDER && r->cls != C_BADBUDDY &&
		    r->cls != C_POISON)
			continue;
		for (p = g->segs[i].start; p < g->segs[i].end;
		     p += r->cls == C_BADORDER ? 1ull << r->order : 1) {
			bool z, u;
			int cnt;

			if (gt_of(g, p, &z, &u, &cnt) != G_KEPT || cnt >= 0 || u)
				continue;
			if (r->cls == C_BADORDER)
				g->cnt_bad_order++;
			else if (r->cls == C_BADBUDDY)
				g->cnt_bad_buddy++;
			else
				g->cnt_poisoned++;
		}
	}
}

static void write_gt(struct gen *g, const char *path)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		die("can't create %s: %s", path, strerror(errno));
	fprintf(f, "# mkvmcore ground truth (generated; see fixtures/vmcore/README.md)\n");
	fprintf(f, "case %s\nera %s\narch %s\n", g->name, g->era->name, g->arch->name);
	fprintf(f, "max_mapnr %llu\n", (unsigned long long)g->max_mapnr);
	fprintf(f, "page_size %llu\n", (unsigned long long)PAGE_SIZE);
	for (i = 0; i < g->n_probes; i++) {
		if (g->probes[i].mapped)
			fprintf(f, "xlat %llx %llx\n",
				(unsigned long long)g->probes[i].va,
				(unsigned long long)g->probes[i].pa);
		else
			fprintf(f, "xlat %llx -\n",
				(unsigned long long)g->probes[i].va);
	}
	fprintf(f, "offline_exported %d\n", offline_exported(g));
	for (i = 0; i < g->n_passthru; i++)
		fprintf(f, "%s\n", g->passthru[i]);
	for (i = 0; i < g->n_hvos; i++) {
		/* fake heads are visited only when the head is kept */
		const struct sec *s = sec_find(g, g->hvos[i].pfn >> PFN_SECTION_SHIFT);

		if (pfn_present(g, g->hvos[i].pfn) && sec_usable(s) &&
		    g->hvos[i].pfn < g->max_mapnr)
			fprintf(f, "hvo %llu %u\n", (unsigned long long)g->hvos[i].pfn,
				g->hvos[i].order);
	}
	write_runs(g, f);
	count_bad_heads(g);
	fprintf(f, "expect memmap_nosection %llu\n", (unsigned long long)g->cnt_nosection);
	fprintf(f, "expect memmap_offline %llu\n", (unsigned long long)g->cnt_offline);
	/* random struct pages can look like anything: no exact per-page
	 * anomaly counts then */
	if (!g->any_any) {
		fprintf(f, "expect bad_order %llu\n",
			(unsigned long long)g->cnt_bad_order);
		fprintf(f, "expect bad_buddy %llu\n",
			(unsigned long long)g->cnt_bad_buddy);
		fprintf(f, "expect memmap_poisoned %llu\n",
			(unsigned long long)g->cnt_poisoned);
	}
	for (i = 0; i < g->n_expects; i++)
		fprintf(f, "expect %s %llu\n", g->expects[i].name,
			(unsigned long long)g->expects[i].v);
	if (fclose(f) != 0)
		die("writing %s: %s", path, strerror(errno));
}

/* ------------------------------------------------------------------ */
/* VMCOREINFO */

static void build_vmcoreinfo(struct gen *g, struct sbuf *out)
{
	struct sbuf sb = { 0 };
	uint64_t uts_pa, nom_pa;
	char *line, *save = NULL;
	size_t i;
	const struct era *e = g->era;

	/* init_uts_ns: new_utsname after a kref before 5.11 */
	uts_pa = ialloc(g, PAGE_SIZE, PAGE_SIZE);
	{
		const char *fields[6] = { "Linux", "mkvmcore", e->osrelease,
			"#1 SMP PREEMPT_DYNAMIC (mkvmcore)",
			g->arch->uts_machine, "(none)" };
		unsigned off = e->version >= KV(5, 11, 0) ? 0 : 4;
		unsigned k;

		for (k = 0; k < 6; k++)
			phys_write(g, uts_pa + off + k * 65, fields[k],
				   strlen(fields[k]));
		gen_probe(g, g->arch->image_va(g, uts_pa), true, uts_pa);
	}
	nom_pa = ialloc(g, 64, 64);
	phys_write64(g, nom_pa, 1);
	g->sym_free_huge_page = g->arch->image_va(g, g->kernel_pa + 0x1234 * 16);
	era_vmcoreinfo(g, &sb, g->hugetlb_config, g->sym_mem_section,
		       g->nr_roots, g->arch->image_va(g, uts_pa),
		       g->arch->image_va(g, g->kernel_pa + g->L.stext_off),
		       g->arch->image_va(g, nom_pa), g->sym_free_huge_page);
	g->arch->vmcoreinfo(g, &sb);
	sb_printf(&sb, "CRASHTIME=1700000000\n");

	/* edits: drop or replace lines, append new keys before CRASHTIME */
	for (line = strtok_r(sb.s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		bool dropped = false;

		for (i = 0; i < g->n_edits; i++) {
			size_t kl = strlen(g->edits[i].key);

			if (strncmp(line, g->edits[i].key, kl) != 0 || line[kl] != '=')
				continue;
			if (g->edits[i].drop) {
				dropped = true;
			} else {
				sb_printf(out, "%s\n", g->edits[i].line);
				g->edits[i].key[0] = '\0';	/* done */
				dropped = true;
			}
			break;
		}
		if (strncmp(line, "CRASHTIME=", 10) == 0)
			for (i = 0; i < g->n_edits; i++)
				if (!g->edits[i].drop && g->edits[i].key[0])
					sb_printf(out, "%s\n", g->edits[i].line);
		if (!dropped)
			sb_printf(out, "%s\n", line);
	}
	/* restore keys for offline_exported() */
	for (i = 0; i < g->n_edits; i++)
		if (!g->edits[i].drop && !g->edits[i].key[0]) {
			char *eq = strchr(g->edits[i].line, '=');

			snprintf(g->edits[i].key, sizeof(g->edits[i].key), "%.*s",
				 (int)(eq - g->edits[i].line), g->edits[i].line);
		}
	free(sb.s);
}

/* ------------------------------------------------------------------ */
/* the ELF file */

static void pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write: %s", strerror(errno));
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
}

static void note_append(struct sbuf *sb, const char *name, uint32_t type,
			const void *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	uint8_t hdr[12], zero[4] = { 0 };

	sp_set_u32(hdr, 0, namesz);
	sp_set_u32(hdr, 4, descsz);
	sp_set_u32(hdr, 8, type);
	if (sb->cap < sb->len + 12 + namesz + descsz + 8) {
		sb->cap = (sb->len + 12 + namesz + descsz + 8) * 2;
		sb->s = xrealloc(sb->s, sb->cap);
	}
	memcpy(sb->s + sb->len, hdr, 12);
	sb->len += 12;
	memcpy(sb->s + sb->len, name, namesz);
	sb->len += namesz;
	memcpy(sb->s + sb->len, zero, (4 - namesz % 4) % 4);
	sb->len += (4 - namesz % 4) % 4;
	memcpy(sb->s + sb->len, desc, descsz);
	sb->len += descsz;
	memcpy(sb->s + sb->len, zero, (4 - descsz % 4) % 4);
	sb->len += (4 - descsz % 4) % 4;
}


/* content=real: a whole page that compresses like real memory (zlib
 * level 1 to roughly 30-50 %), neither random nor all-equal, made from
 * the pfn alone so that every run writes the same bytes.  Page cache
 * holds text, kernel text x86-like code, everything else structs of
 * pointers, small counters, flags and zero padding. */
static void real_text(uint8_t *p, size_t len, uint64_t *s)
{
	static const char *const words[] = {
		"the", "of", "and", "to", "in", "is", "for", "that", "with",
		"on", "as", "by", "at", "from", "this", "be", "are", "or",
		"kernel", "memory", "page", "file", "system", "data", "return",
		"struct", "int", "const", "static", "void", "if", "else",
		"error", "device", "buffer", "size_t", "unsigned", "long",
		"#include", "config", "value", "table", "user", "process",
		"0x0", "NULL", "init", "module", "driver", "network", "cache",
		"linux", "debian", "package", "version", "usr", "lib", "share",
	};
	const size_t nw = sizeof(words) / sizeof(words[0]);
	size_t i = 0;

	while (i < len) {
		uint64_t r = rng_next(s);
		const char *w = words[(r & 0xffff) % nw];
		size_t n = strlen(w);

		if (r >> 60 == 0) {	/* a number now and then */
			char num[24];

			n = (size_t)snprintf(num, sizeof(num), "%llu",
					     (unsigned long long)(r >> 20 & 0xfffff));
			w = num;
			if (i + n > len)
				n = len - i;
			memcpy(p + i, w, n);
		} else {
			if (i + n > len)
				n = len - i;
			memcpy(p + i, w, n);
		}
		i += n;
		if (i < len)
			p[i++] = (r >> 56 & 15) == 0 ? '\n' : ' ';
	}
}

static void real_code(uint8_t *p, size_t len, uint64_t *s)
{
	static const uint8_t ops[][4] = {
		{ 0x48, 0x89, 0xc7 }, { 0x48, 0x8b, 0x45 }, { 0xe8 },
		{ 0x0f, 0x1f, 0x44 }, { 0x55 }, { 0x5d }, { 0xc3 },
		{ 0x48, 0x83, 0xec }, { 0x85, 0xc0 }, { 0x74 }, { 0x75 },
		{ 0x31, 0xc0 }, { 0x41, 0x54 }, { 0x41, 0x5c }, { 0x48, 0x8d },
		{ 0xcc }, { 0x90 }, { 0x66, 0x90 }, { 0x89, 0x45 },
	};
	static const uint8_t oplen[] = { 3, 3, 1, 3, 1, 1, 1, 3, 2, 1, 1, 2,
					 2, 2, 2, 1, 1, 2, 2 };
	size_t i = 0;

	while (i < len) {
		uint64_t r = rng_next(s);
		unsigned k = (unsigned)((r & 0xff) % sizeof(oplen)), j, imm;

		for (j = 0; j < oplen[k] && i < len; j++)
			p[i++] = ops[k][j];
		/* an immediate or displacement of 0, 1 or 4 bytes */
		imm = (unsigned)(r >> 8 & 3);
		imm = imm == 3 ? 4 : imm == 2 ? 1 : 0;
		for (j = 0; j < imm && i < len; j++)
			p[i++] = (uint8_t)(r >> (16 + 8 * j));
	}
}

static void real_structs(uint8_t *p, size_t len, uint64_t *s)
{
	uint64_t base = 0xffff888000000000ull | (rng_next(s) & 0xfffff000ull);
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t r = rng_next(s), v;

		switch (r & 7) {
		case 0: case 1: case 2:
			v = 0;
			break;
		case 3: case 4:		/* a pointer near the others */
			v = base + ((r >> 8) & 0xfff8);
			break;
		case 5:			/* a small counter */
			v = (r >> 8) & 0x3ff;
			break;
		case 6:			/* flags */
			v = (r >> 8) & 0x10041;
			break;
		default:
			v = r >> 3;
			break;
		}
		memcpy(p + i, &v, 8);
	}
}

static void real_page(enum cls cls, uint64_t pfn, uint8_t *p, size_t len)
{
	uint64_t s = pfn * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;

	rng_next(&s);
	switch (cls) {
	case C_CACHE: case C_CACHE_PRIVATE: case C_SHMEM: case C_SWAPCACHE:
	case C_FOLIO:
		real_text(p, len, &s);
		break;
	case C_KERNEL:
		real_code(p, len, &s);
		break;
	default:
		real_structs(p, len, &s);
		break;
	}
}

static void write_page_to_loads(struct gen *g, int fd, uint64_t pa,
				const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < g->n_load; i++) {
		const struct range *l = &g->load[i];
		uint64_t a = pa > l->pa ? pa : l->pa;
		uint64_t b = pa + len < load_data_end(l) ? pa + len : load_data_end(l);

		if (a < b)
			pwrite_all(fd, buf + (a - pa), (size_t)(b - a),
				   l->off + (a - l->pa));
	}
}

static void write_elf(struct gen *g, const char *path, const struct sbuf *vi)
{
	struct sbuf notes = { 0 };
	uint8_t prstatus[512];
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	uint64_t off, fsize;
	size_t nph = g->n_load + 1, i;
	uint8_t *real = malloc(PAGE_SIZE);
	int fd;

	if (!real)
		die("out of memory");
	memset(prstatus, 0, sizeof(prstatus));
	prstatus[32] = 1;	/* pr_pid */
	note_append(&notes, "CORE", NT_PRSTATUS, prstatus,
		    g->arch->prstatus_size);
	note_append(&notes, "VMCOREINFO", 0, vi->s, (uint32_t)vi->len);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("can't create %s: %s", path, strerror(errno));
	ph = xcalloc(nph, sizeof(*ph));
	off = sizeof(eh) + nph * sizeof(*ph);
	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = off;
	ph[0].p_filesz = notes.len;
	off = (off + notes.len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	for (i = 0; i < g->n_load; i++) {
		struct range *l = &g->load[i];

		l->off = off + (l->pa & (PAGE_SIZE - 1));
		ph[i + 1].p_type = PT_LOAD;
		ph[i + 1].p_flags = PF_R | PF_W | PF_X;
		ph[i + 1].p_offset = l->off;
		ph[i + 1].p_vaddr = l->vaddr;
		ph[i + 1].p_paddr = l->pa;
		ph[i + 1].p_filesz = l->size - l->nodata;
		ph[i + 1].p_memsz = l->size;
		ph[i + 1].p_align = 0;
		off = (l->off + l->size - l->nodata + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	}
	fsize = off;
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = (Elf64_Half)g->arch->e_machine;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(*ph);
	eh.e_phnum = (Elf64_Half)nph;
	pwrite_all(fd, &eh, sizeof(eh), 0);
	pwrite_all(fd, ph, nph * sizeof(*ph), sizeof(eh));
	pwrite_all(fd, notes.s, notes.len, ph[0].p_offset);
	if (ftruncate(fd, (off_t)fsize) != 0)
		die("ftruncate %s: %s", path, strerror(errno));

	/* every non-zero page of the cache */
	for (i = 0; i < g->pcap; i++) {
		const uint8_t *p = g->pvals[i];
		size_t k;

		if (!p)
			continue;
		for (k = 0; k < PAGE_SIZE && !p[k]; k++)
			;
		if (k < PAGE_SIZE)
			write_page_to_loads(g, fd, g->pkeys[i] << PAGE_SHIFT, p,
					    PAGE_SIZE);
	}
	/* a marker at the start of every data page nobody else wrote */
	for (i = 0; i < g->n_segs; i++) {
		const struct rule *r = &g->rules[g->segs[i].rule];
		uint64_t p;

		if (!seg_data(r))
			continue;
		for (p = g->segs[i].start; p < g->segs[i].end;
		     p += r->content_head ? 1ull << r->order : 1) {
			uint8_t m[16];

			if (pcache_find(g, p))
				continue;
			if (r->content_real) {
				real_page(r->cls, p, real, PAGE_SIZE);
				memcpy(real, "mkvmcore", 8);
				sp_set_u64(real, 8, p);
				write_page_to_loads(g, fd, p << PAGE_SHIFT, real,
						    PAGE_SIZE);
				continue;
			}
			memcpy(m, "mkvmcore", 8);
			sp_set_u64(m, 8, p);
			write_page_to_loads(g, fd, p << PAGE_SHIFT, m, sizeof(m));
		}
	}
	if (close(fd) != 0)
		die("closing %s: %s", path, strerror(errno));
	free(real);
	free(ph);
	free(notes.s);
}

/* ------------------------------------------------------------------ */

static void build_rules(struct gen *g)
{
	size_t n_user = g->n_rules, i;
	struct rule *user = g->rules;

	g->rules = NULL;
	g->n_rules = g->cap_rules = 0;
	/* lowest priority: non-RAM pfns of present sections */
	for (i = 0; i < g->n_secs; i++) {
		uint64_t a = g->secs[i].nr << PFN_SECTION_SHIFT;
		size_t j = i;
		struct rule r;

		while (j + 1 < g->n_secs && g->secs[j + 1].nr == g->secs[j].nr + 1)
			j++;
		memset(&r, 0, sizeof(r));
		r.cls = C_GAP;
		r.start = a;
		r.n = ((g->secs[j].nr + 1) << PFN_SECTION_SHIFT) - a;
		VEC_PUSH(g->rules, g->n_rules, g->cap_rules, r);
		i = j;
	}
	for (i = 0; i < g->n_ram; i++) {
		struct rule r = g->fill;

		r.start = g->ram[i].pa >> PAGE_SHIFT;
		r.n = g->ram[i].size >> PAGE_SHIFT;
		VEC_PUSH(g->rules, g->n_rules, g->cap_rules, r);
	}
	for (i = 0; i < n_user; i++) {
		cur_line = user[i].line;
		if (!range_in_ram(g, user[i].start, user[i].start + user[i].n))
			die("pages %#llx+%#llx are not inside one ram range",
			    (unsigned long long)user[i].start,
			    (unsigned long long)user[i].n);
		if (user[i].start < (g->kernel_pa + g->kernel_size) >> PAGE_SHIFT &&
		    user[i].start + user[i].n > g->kernel_pa >> PAGE_SHIFT)
			die("pages overlap the kernel area");
		VEC_PUSH(g->rules, g->n_rules, g->cap_rules, user[i]);
	}
	cur_line = 0;
	free(user);
	{
		struct rule k;

		memset(&k, 0, sizeof(k));
		k.cls = C_KERNEL;
		k.content_data = k.content_real = g->kernel_real;
		k.start = g->kernel_pa >> PAGE_SHIFT;
		k.n = g->kernel_size >> PAGE_SHIFT;
		if (!range_in_ram(g, k.start, k.start + k.n))
			die("the kernel area is not inside one ram range");
		VEC_PUSH(g->rules, g->n_rules, g->cap_rules, k);
	}
	for (i = 0; i < g->n_secs; i++) {
		struct rule m;

		if (!g->secs[i].mom)
			continue;
		memset(&m, 0, sizeof(m));
		m.cls = C_VMEMMAP_SELF;
		m.start = g->secs[i].nr << PFN_SECTION_SHIFT;
		m.n = (PPS * g->era->sp_size) >> PAGE_SHIFT;
		VEC_PUSH(g->rules, g->n_rules, g->cap_rules, m);
	}
	for (i = 0; i < g->n_rules; i++)
		seg_insert(g, g->rules[i].start, g->rules[i].start + g->rules[i].n,
			   (unsigned)i);
	/* merge neighbours of one rule */
	{
		size_t j = 0;

		for (i = 0; i < g->n_segs; i++) {
			if (j && g->segs[j - 1].rule == g->segs[i].rule &&
			    g->segs[j - 1].end == g->segs[i].start)
				g->segs[j - 1].end = g->segs[i].end;
			else
				g->segs[j++] = g->segs[i];
		}
		g->n_segs = j;
	}
}

/* what memblock did not hand out is free memory once the kernel runs */
static void free_memblock_tail(struct gen *g)
{
	uint64_t a = (g->memblock_next + PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint64_t b = (g->kernel_pa + g->kernel_size) >> PAGE_SHIFT;
	struct rule r;

	if (a >= b)
		return;
	memset(&r, 0, sizeof(r));
	r.cls = C_FREE;
	r.start = a;
	r.n = b - a;
	VEC_PUSH(g->rules, g->n_rules, g->cap_rules, r);
	seg_insert(g, a, b, (unsigned)(g->n_rules - 1));
}

static void self_check(struct gen *g)
{
	uint64_t pa, leaf;

	if (!g->arch->translate(g, g->sym_mem_section, &pa, &leaf) ||
	    pa != g->roots_pa)
		die("internal: mem_section does not translate");
	if (!g->arch->translate(g, g->arch->image_va(g, g->kernel_pa), &pa, &leaf) ||
	    pa != g->kernel_pa)
		die("internal: _stext does not translate");
}

/* Translations the tool must reproduce, from what the generator meant to
 * map (not from walking its own tables): kernel image, linear map, the
 * mem_section array, vmemmap leaves, unmapped vmemmap and user addresses.
 * None when hostile entries were patched in. */
static void add_probes(struct gen *g)
{
	uint64_t stride, k;
	size_t i;

	if (g->n_patches || g->n_rootp) {
		g->n_probes = 0;
		return;
	}
	gen_probe(g, g->arch->image_va(g, g->kernel_pa + g->L.stext_off), true,
		  g->kernel_pa + g->L.stext_off);
	gen_probe(g, g->L.top_va, true, g->L.top_pa);
	gen_probe(g, g->arch->image_va(g, g->kernel_pa + g->image_size - 8),
		  true, g->kernel_pa + g->image_size - 8);
	gen_probe(g, g->sym_mem_section, true, g->roots_pa);
	for (i = 0; i < g->n_ram; i++) {
		const struct range *r = &g->ram[i];
		uint64_t mid = r->pa + ((r->size / 2) & ~(PAGE_SIZE - 1)) + 0x5a8;

		gen_probe(g, direct_va(g, r->pa), true, r->pa);
		gen_probe(g, direct_va(g, mid), true, mid);
		gen_probe(g, direct_va(g, r->pa + r->size - 1), true,
			  r->pa + r->size - 1);
	}
	/* vmemmap: at most about 256 leaves, every one when fewer */
	stride = g->n_blks / 256 + 1;
	for (k = 0; k < g->n_blks; k += stride) {
		const struct vblk *b = &g->blks[k];

		if (!b->pte) {
			gen_probe(g, b->va + 0x48, true, b->pa + 0x48);
			gen_probe(g, b->va + VBLK - 8, true, b->pa + VBLK - 8);
			continue;
		}
		for (i = 0; i < VBLK_PTES; i += 1 + VBLK_PTES / 16) {
			uint64_t e = b->pte[i], va = b->va + i * PAGE_SIZE + 0x40;

			gen_probe(g, va, e != 0, (e & ~(PAGE_SIZE - 1)) + 0x40);
		}
	}
	/* split leaves: the first HVO aliases and vmemmap holes of each */
	for (k = 0; k < g->n_blks && g->n_probes < 2048; k++) {
		const struct vblk *b = &g->blks[k];
		unsigned n = 0;

		for (i = 0; b->pte && i < VBLK_PTES && n < 4; i++)
			if (!(b->pte[i] & VS_OWN)) {
				gen_probe(g, b->va + i * PAGE_SIZE + 0x80,
					  b->pte[i] != 0,
					  (b->pte[i] & ~(PAGE_SIZE - 1)) + 0x80);
				n++;
			}
	}
	gen_probe(g, 0x1000, false, 0);		/* a user address */
}

int main(int argc, char **argv)
{
	struct gen *g;
	struct sbuf vi = { 0 };
	const char *base;
	size_t i;

	if (argc == 2 && strcmp(argv[1], "--eras") == 0) {
		era_list();
		return 0;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: mkvmcore FIXTURE.txt OUT.elf OUT.gt | --eras\n");
		return 2;
	}
	g = xcalloc(1, sizeof(*g));
	base = strrchr(argv[1], '/');
	base = base ? base + 1 : argv[1];
	snprintf(g->name, sizeof(g->name), "%s", base);
	if (strlen(g->name) > 4 && strcmp(g->name + strlen(g->name) - 4, ".txt") == 0)
		g->name[strlen(g->name) - 4] = '\0';
	parse_fixture(g, argv[1]);

	g->L.kimage_pa = g->kernel_pa;
	g->L.kimage_size = g->image_size;
	g->image_next = g->kernel_pa + PAGE_SIZE;	/* page 0: _stext */
	g->memblock_next = g->kernel_pa + g->image_size;
	g->memblock_end = g->kernel_pa + g->kernel_size;
	if ((g->kernel_size | g->image_size) & (PAGE_SIZE - 1))
		die("kernel: sizes must be page aligned");
	g->era_copy = *g->era;
	{
		/* OSRELEASE names the Debian architecture */
		static char rel[64];
		const char *dash = strrchr(g->era->osrelease, '-');
		int keep = dash ? (int)(dash - g->era->osrelease) :
			   (int)strlen(g->era->osrelease);

		snprintf(rel, sizeof(rel), "%.*s-%s", keep, g->era->osrelease,
			 g->arch->deb_arch);
		g->era_copy.osrelease = rel;
	}
	g->arch->setup(g, &g->era_copy);
	g->era = &g->era_copy;
	if (g->L.kaslr & (BLK - 1))
		die("KASLR text offset must be 2 MiB aligned");
	if (g->L.section_bits <= PAGE_SHIFT || g->L.max_physmem_bits < g->L.section_bits)
		die("internal: section geometry");
	pfn_section_shift = g->L.section_bits - PAGE_SHIFT;
	vblk = g->L.vblk;
	vblk_shift = (unsigned)__builtin_ctzll(vblk);
	if (vblk < PAGE_SIZE || vblk & (vblk - 1))
		die("internal: vmemmap leaf");

	build_sections(g);
	build_rules(g);
	layout_loads(g);

	/* page tables: top table in the image, then the image itself, the
	 * direct map of every RAM range */
	g->L.top_pa = ialloc(g, PAGE_SIZE, PAGE_SIZE);
	g->L.top_va = g->arch->image_va(g, g->L.top_pa);
	g->arch->map(g, g->arch->image_va(g, g->kernel_pa), g->kernel_pa,
		     g->image_size, g->L.image_leaf);
	for (i = 0; i < g->n_ram; i++)
		g->arch->map_ram(g, g->ram[i].pa, g->ram[i].size);
	build_mem_section(g);
	plan_vmemmap(g);
	build_vmcoreinfo(g, &vi);
	free_memblock_tail(g);
	emit_struct_pages(g);
	self_check(g);

	for (i = 0; i < g->n_patches; i++) {
		cur_line = g->patches[i].line;
		g->arch->patch(g, va_expr(g, g->patches[i].va), g->patches[i].level,
			       g->patches[i].what);
	}
	cur_line = 0;

	compute_max_mapnr(g);
	find_unreadable(g);
	add_probes(g);
	write_elf(g, argv[2], &vi);
	write_gt(g, argv[3]);
	free(vi.s);
	return 0;
}
