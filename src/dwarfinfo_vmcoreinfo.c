/* dwarfinfo_vmcoreinfo.c: makedumpfile's -g, VMCOREINFO text generated
 * from a vmlinux (vmcoreinfo.md sections 2 and 7).
 *
 * The rows below are makedumpfile's write_vmcoreinfo_data() keys in its
 * order, so a file we write reads like one it writes; a key is written only
 * when the debug information has it.  Symbols are link-time addresses: a
 * reader adds the dump's KERNELOFFSET.  Never prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dwarfinfo.h"
#include "vmcoreinfo.h"

enum gen_kind {
	GK_SYMBOL,	/* SYMBOL(a)=<hex address> */
	GK_SIZE,	/* SIZE(key)=sizeof a */
	GK_OFFSET,	/* OFFSET(a.b)=offsetof */
	GK_LENGTH_SYM,	/* LENGTH(a)=elements of array variable a */
	GK_LENGTH_MEM,	/* LENGTH(a.b)=elements of array member */
	GK_NUMBER,	/* NUMBER(a)=enumerator a of enum b */
	GK_SRCFILE,	/* SRCFILE(a)=file declaring typedef a */
	GK_HEAD_MASK,	/* NUMBER(PG_head_mask) */
	GK_PAGE_TYPES,	/* NUMBER(PAGE_*_MAPCOUNT_VALUE) */
	GK_NODE_ONLINE_MAP,	/* SYMBOL(node_online_map), a #define */
	GK_BUILD_ID,		/* BUILD-ID=, the vmlinux's GNU build-id */
};

/* which printk layout a row belongs to (makedumpfile writes one set) */
enum gen_cond { GC_ALWAYS, GC_PRB, GC_PRINTK_LOG, GC_LOG };

struct gen_row {
	enum gen_kind kind;
	const char *a, *b;
	const char *key;	/* key text when it differs from a/a.b */
	enum dwi_want want;	/* GK_SIZE: struct, typedef or enum */
	enum gen_cond cond;
};

#define SYM(n)		{ GK_SYMBOL, n, NULL, NULL, 0, GC_ALWAYS }
#define SZ(n)		{ GK_SIZE, n, NULL, NULL, DWI_WANT_STRUCT, GC_ALWAYS }
#define SZC(n, c)	{ GK_SIZE, n, NULL, NULL, DWI_WANT_STRUCT, c }
#define OFF(s, m)	{ GK_OFFSET, s, m, NULL, 0, GC_ALWAYS }
#define OFFC(s, m, c)	{ GK_OFFSET, s, m, NULL, 0, c }
#define NUM(n, e)	{ GK_NUMBER, n, e, NULL, 0, GC_ALWAYS }

static const struct gen_row gen_rows[] = {
	SYM("mem_map"), SYM("vmem_map"), SYM("mem_section"),
	SYM("pkmap_count"), SYM("system_utsname"), SYM("init_uts_ns"),
	SYM("_stext"), SYM("swapper_pg_dir"), SYM("init_level4_pgt"),
	SYM("level4_kernel_pgt"), SYM("init_top_pgt"), SYM("vmlist"),
	SYM("vmap_area_list"), SYM("node_online_map"), SYM("node_states"),
	SYM("node_data"), SYM("pgdat_list"), SYM("contig_page_data"),
	SYM("prb"), SYM("clear_seq"), SYM("log_buf"), SYM("log_buf_len"),
	SYM("log_end"), SYM("log_first_idx"), SYM("clear_idx"),
	SYM("log_next_idx"), SYM("max_pfn"), SYM("high_memory"),
	SYM("node_remap_start_vaddr"), SYM("node_remap_end_vaddr"),
	SYM("node_remap_start_pfn"), SYM("vmemmap_list"),
	SYM("mmu_psize_defs"), SYM("mmu_vmemmap_psize"), SYM("cpu_pgd"),
	SYM("demote_segment_4k"), SYM("cur_cpu_spec"), SYM("free_huge_page"),

	SZ("page"), SZ("mem_section"), SZ("pglist_data"), SZ("zone"),
	SZ("free_area"), SZ("list_head"), SZ("node_memblk_s"),
	{ GK_SIZE, "nodemask_t", NULL, NULL, DWI_WANT_TYPEDEF, GC_ALWAYS },
	{ GK_SIZE, "pageflags", NULL, NULL, DWI_WANT_ENUM, GC_ALWAYS },
	SZC("printk_ringbuffer", GC_PRB), SZC("prb_desc", GC_PRB),
	SZC("printk_info", GC_PRB), SZC("latched_seq", GC_PRB),
	SZC("printk_log", GC_PRINTK_LOG), SZC("log", GC_LOG),
	SZ("vmemmap_backing"), SZ("mmu_psize_def"),

	OFF("page", "flags"),
	/* renamed in 4.6: makedumpfile writes the name the kernel has */
	OFF("page", "_refcount"),
	OFF("page", "mapping"), OFF("page", "lru"), OFF("page", "_mapcount"),
	OFF("page", "private"), OFF("page", "compound_dtor"),
	OFF("page", "compound_order"), OFF("page", "compound_head"),
	OFF("folio", "_folio_dtor"), OFF("folio", "_folio_order"),
	OFF("mem_section", "section_mem_map"),
	OFF("pglist_data", "node_zones"), OFF("pglist_data", "nr_zones"),
	OFF("pglist_data", "node_mem_map"),
	OFF("pglist_data", "node_start_pfn"),
	OFF("pglist_data", "node_spanned_pages"),
	OFF("pglist_data", "pgdat_next"),
	OFF("zone", "free_pages"), OFF("zone", "free_area"),
	OFF("zone", "vm_stat"), OFF("zone", "spanned_pages"),
	OFF("free_area", "free_list"),
	OFF("list_head", "next"), OFF("list_head", "prev"),
	OFF("node_memblk_s", "start_paddr"), OFF("node_memblk_s", "size"),
	OFF("node_memblk_s", "nid"),
	OFF("vm_struct", "addr"),
	OFF("vmap_area", "va_start"), OFF("vmap_area", "list"),
	OFFC("printk_ringbuffer", "desc_ring", GC_PRB),
	OFFC("printk_ringbuffer", "text_data_ring", GC_PRB),
	OFFC("prb_desc_ring", "count_bits", GC_PRB),
	OFFC("prb_desc_ring", "descs", GC_PRB),
	OFFC("prb_desc_ring", "infos", GC_PRB),
	OFFC("prb_desc_ring", "head_id", GC_PRB),
	OFFC("prb_desc_ring", "tail_id", GC_PRB),
	OFFC("prb_desc", "state_var", GC_PRB),
	OFFC("prb_desc", "text_blk_lpos", GC_PRB),
	OFFC("prb_data_blk_lpos", "begin", GC_PRB),
	OFFC("prb_data_blk_lpos", "next", GC_PRB),
	OFFC("prb_data_ring", "size_bits", GC_PRB),
	OFFC("prb_data_ring", "data", GC_PRB),
	OFFC("printk_info", "ts_nsec", GC_PRB),
	OFFC("printk_info", "text_len", GC_PRB),
	OFFC("printk_info", "caller_id", GC_PRB),
	OFFC("atomic_long_t", "counter", GC_PRB),
	OFFC("latched_seq", "val", GC_PRB),
	OFFC("printk_log", "ts_nsec", GC_PRINTK_LOG),
	OFFC("printk_log", "len", GC_PRINTK_LOG),
	OFFC("printk_log", "text_len", GC_PRINTK_LOG),
	OFFC("printk_log", "caller_id", GC_PRINTK_LOG),
	OFFC("log", "ts_nsec", GC_LOG), OFFC("log", "len", GC_LOG),
	OFFC("log", "text_len", GC_LOG),
	OFF("vmemmap_backing", "phys"), OFF("vmemmap_backing", "virt_addr"),
	OFF("vmemmap_backing", "list"), OFF("mmu_psize_def", "shift"),
	OFF("cpu_spec", "mmu_features"), OFF("uts_namespace", "name"),

	{ GK_LENGTH_SYM, "node_data", NULL, NULL, 0, GC_ALWAYS },
	{ GK_LENGTH_SYM, "pgdat_list", NULL, NULL, 0, GC_ALWAYS },
	{ GK_LENGTH_SYM, "mem_section", NULL, NULL, 0, GC_ALWAYS },
	{ GK_LENGTH_SYM, "node_memblk", NULL, NULL, 0, GC_ALWAYS },
	{ GK_LENGTH_SYM, "node_remap_start_pfn", NULL, NULL, 0, GC_ALWAYS },
	{ GK_LENGTH_MEM, "zone", "free_area", NULL, 0, GC_ALWAYS },
	{ GK_LENGTH_MEM, "free_area", "free_list", NULL, 0, GC_ALWAYS },

	NUM("NR_FREE_PAGES", NULL), NUM("N_ONLINE", NULL),
	NUM("PG_lru", "pageflags"), NUM("PG_private", "pageflags"),
	{ GK_HEAD_MASK, "PG_head_mask", "pageflags", NULL, 0, GC_ALWAYS },
	NUM("PG_swapcache", "pageflags"), NUM("PG_swapbacked", "pageflags"),
	NUM("PG_buddy", "pageflags"), NUM("PG_slab", "pageflags"),
	NUM("PG_hwpoison", "pageflags"), NUM("PG_hugetlb", "pageflags"),
	{ GK_PAGE_TYPES, NULL, NULL, NULL, 0, GC_ALWAYS },
	NUM("HUGETLB_PAGE_DTOR", NULL),

	{ GK_SRCFILE, "pud_t", NULL, NULL, 0, GC_ALWAYS },

	/* Not written by makedumpfile: keys the kernel's own note has that
	 * the debug information can give, so that -i FILE serves every
	 * reader of this tool (--dump-dmesg, kallsyms) as the note would. */
	OFF("pglist_data", "node_id"),
	{ GK_NODE_ONLINE_MAP, "node_online_map", NULL, NULL, 0, GC_ALWAYS },
	SYM("printk_rb_static"),
	OFFC("printk_ringbuffer", "fail", GC_PRB),
	SZC("prb_desc_ring", GC_PRB), SZC("prb_data_blk_lpos", GC_PRB),
	OFFC("printk_info", "seq", GC_PRB), OFFC("printk_info", "dev_info", GC_PRB),
	SZC("dev_printk_info", GC_PRB),
	OFFC("dev_printk_info", "subsystem", GC_PRB),
	{ GK_LENGTH_MEM, "dev_printk_info", "subsystem", "printk_info_subsystem",
	  0, GC_PRB },
	OFFC("dev_printk_info", "device", GC_PRB),
	{ GK_LENGTH_MEM, "dev_printk_info", "device", "printk_info_device",
	  0, GC_PRB },
	SZC("prb_data_ring", GC_PRB),
	OFFC("prb_data_ring", "head_lpos", GC_PRB),
	OFFC("prb_data_ring", "tail_lpos", GC_PRB),
	{ GK_SIZE, "atomic_long_t", NULL, NULL, DWI_WANT_TYPEDEF, GC_PRB },
	SYM("kallsyms_names"), SYM("kallsyms_num_syms"),
	SYM("kallsyms_token_table"), SYM("kallsyms_token_index"),
	SYM("kallsyms_offsets"), SYM("kallsyms_relative_base"),
	SYM("kallsyms_addresses"),
	{ GK_BUILD_ID, NULL, NULL, NULL, 0, GC_ALWAYS },
};

enum { NROWS = sizeof(gen_rows) / sizeof(gen_rows[0]) };

/* Extra names the special rows need, looked up in the same pass. */
enum {
	X_UTS_NS, X_PG_HEAD, X_PG_COMPOUND, X_PAGE_COUNT,
	X_TY_BUDDY, X_TY_OFFLINE, X_TY_HUGETLB, X_TY_SLAB,
	X_PGTY_BUDDY, X_PGTY_OFFLINE, X_PGTY_HUGETLB, X_PGTY_SLAB,
	X_PGTY_UNACCEPTED, X_PRB, X_PRINTK_LOG, X_N_ONLINE, X_NODEMASK,
	NX
};

struct gen_ctx {
	struct dwarfinfo *di;
	FILE *f;
	struct dwi_query *q;	/* one per row (or unused), then NX extras */
	size_t nq;
	enum gen_cond printk;
};

static struct dwi_query *xq(struct gen_ctx *g, int x)
{
	return &g->q[NROWS + x];
}

static void set_q(struct dwi_query *q, enum dwi_want w, const char *name,
		  const char *scope)
{
	q->want = w;
	q->name = name;
	q->scope = scope;
}

/* the type a row talks about: its own query */
static void build_queries(struct gen_ctx *g)
{
	size_t i;

	for (i = 0; i < NROWS; i++) {
		const struct gen_row *r = &gen_rows[i];

		switch (r->kind) {
		case GK_SIZE:
			set_q(&g->q[i], r->want, r->a, NULL);
			break;
		case GK_OFFSET:
		case GK_LENGTH_MEM:
			set_q(&g->q[i], DWI_WANT_STRUCT_OR_TYPEDEF, r->a, NULL);
			break;
		case GK_LENGTH_SYM:
			set_q(&g->q[i], DWI_WANT_VARIABLE, r->a, NULL);
			break;
		case GK_NUMBER:
		case GK_HEAD_MASK:
			set_q(&g->q[i], DWI_WANT_ENUMERATOR, r->a, r->b);
			break;
		case GK_SRCFILE:
			set_q(&g->q[i], DWI_WANT_TYPEDEF, r->a, NULL);
			break;
		default:
			/* nothing to look up: a name no DIE has */
			set_q(&g->q[i], DWI_WANT_STRUCT, "", NULL);
		}
	}
	set_q(xq(g, X_UTS_NS), DWI_WANT_STRUCT, "uts_namespace", NULL);
	set_q(xq(g, X_PG_HEAD), DWI_WANT_ENUMERATOR, "PG_head", "pageflags");
	set_q(xq(g, X_PG_COMPOUND), DWI_WANT_ENUMERATOR, "PG_compound",
	      "pageflags");
	set_q(xq(g, X_PAGE_COUNT), DWI_WANT_STRUCT, "page", NULL);
	/* page types as an enum: 6.9 (kernel commit 46df8e73a4a3's era,
	 * "enum pagetype" with PG_buddy = 0x80 ...) and 6.12 (PGTY_buddy =
	 * 0xf0, kernel 4ffca5a96678c) */
	set_q(xq(g, X_TY_BUDDY), DWI_WANT_ENUMERATOR, "PG_buddy", "pagetype");
	set_q(xq(g, X_TY_OFFLINE), DWI_WANT_ENUMERATOR, "PG_offline", "pagetype");
	set_q(xq(g, X_TY_HUGETLB), DWI_WANT_ENUMERATOR, "PG_hugetlb", "pagetype");
	set_q(xq(g, X_TY_SLAB), DWI_WANT_ENUMERATOR, "PG_slab", "pagetype");
	set_q(xq(g, X_PGTY_BUDDY), DWI_WANT_ENUMERATOR, "PGTY_buddy", "pagetype");
	set_q(xq(g, X_PGTY_OFFLINE), DWI_WANT_ENUMERATOR, "PGTY_offline", "pagetype");
	set_q(xq(g, X_PGTY_HUGETLB), DWI_WANT_ENUMERATOR, "PGTY_hugetlb", "pagetype");
	set_q(xq(g, X_PGTY_SLAB), DWI_WANT_ENUMERATOR, "PGTY_slab", "pagetype");
	set_q(xq(g, X_PGTY_UNACCEPTED), DWI_WANT_ENUMERATOR, "PGTY_unaccepted",
	      "pagetype");
	set_q(xq(g, X_PRB), DWI_WANT_STRUCT, "printk_ringbuffer", NULL);
	set_q(xq(g, X_PRINTK_LOG), DWI_WANT_STRUCT, "printk_log", NULL);
	set_q(xq(g, X_N_ONLINE), DWI_WANT_ENUMERATOR, "N_ONLINE", "node_states");
	set_q(xq(g, X_NODEMASK), DWI_WANT_TYPEDEF, "nodemask_t", NULL);
}

static void put_symbol(struct gen_ctx *g, const char *name)
{
	uint64_t addr;

	if (dwarfinfo_symbol(g->di, name, &addr, NULL) == 0)
		fprintf(g->f, "SYMBOL(%s)=%llx\n", name, (unsigned long long)addr);
}

static void put_offset(struct gen_ctx *g, const struct dwi_query *q,
		       const char *s, const char *m)
{
	struct dwi_type t;
	uint64_t off;

	if (!q->found)
		return;
	if (dwarfinfo_member(g->di, q->type, m, &t, &off) == 0) {
		fprintf(g->f, "OFFSET(%s.%s)=%llu\n", s, m,
			(unsigned long long)off);
		return;
	}
	/* page._count became page._refcount in 4.6 (kernel 0139aa7b7fa1) */
	if (strcmp(s, "page") == 0 && strcmp(m, "_refcount") == 0 &&
	    dwarfinfo_member(g->di, q->type, "_count", &t, &off) == 0)
		fprintf(g->f, "OFFSET(page._count)=%llu\n",
			(unsigned long long)off);
}

static void put_length_sym(struct gen_ctx *g, const struct dwi_query *q)
{
	uint64_t n;

	if (!q->found || dwarfinfo_symbol(g->di, q->name, NULL, NULL) != 0)
		return;
	if (dwarfinfo_kind(g->di, q->type) == DWI_ARRAY &&
	    dwarfinfo_array_len(g->di, q->type, &n) == 0)
		fprintf(g->f, "LENGTH(%s)=%llu\n", q->name, (unsigned long long)n);
}

static void put_length_mem(struct gen_ctx *g, const struct dwi_query *q,
			   const char *s, const char *m, const char *key)
{
	struct dwi_type t;
	uint64_t off, n;

	if (q->found && dwarfinfo_member(g->di, q->type, m, &t, &off) == 0 &&
	    dwarfinfo_array_len(g->di, t, &n) == 0) {
		if (key)
			fprintf(g->f, "LENGTH(%s)=%llu\n", key,
				(unsigned long long)n);
		else
			fprintf(g->f, "LENGTH(%s.%s)=%llu\n", s, m,
				(unsigned long long)n);
	}
}

/* node_online_map is node_states[N_ONLINE] since 2.6.23; the kernel
 * exports the address of that element */
static void put_node_online_map(struct gen_ctx *g)
{
	uint64_t addr, sz;

	if (dwarfinfo_symbol(g->di, "node_online_map", NULL, NULL) == 0)
		return;		/* a real variable: makedumpfile's row */
	if (dwarfinfo_symbol(g->di, "node_states", &addr, NULL) != 0 ||
	    !xq(g, X_N_ONLINE)->found || !xq(g, X_NODEMASK)->found ||
	    dwarfinfo_size(g->di, xq(g, X_NODEMASK)->type, &sz) != 0)
		return;
	fprintf(g->f, "SYMBOL(node_online_map)=%llx\n",
		(unsigned long long)(addr + (uint64_t)xq(g, X_N_ONLINE)->value * sz));
}

static void put_size(struct gen_ctx *g, const struct dwi_query *q)
{
	uint64_t sz;

	if (q->found && dwarfinfo_size(g->di, q->type, &sz) == 0)
		fprintf(g->f, "SIZE(%s)=%llu\n", q->name, (unsigned long long)sz);
}

/* NUMBER(PAGE_*_MAPCOUNT_VALUE): the kernel exports the complement of the
 * page-type bit (4.18-6.11) or the type shifted into the top byte (6.12+).
 * From an enum when the kernel has one; older kernels keep the bits in
 * #defines, which DWARF does not carry, so the values of their era are
 * written (vmcoreinfo.md section 3.1): buddy -128 (2.6.39-4.17), -129
 * (4.18+); offline -257 (5.1+, kernel "mm: convert PG_balloon to
 * PG_offline"). */
static void put_page_types(struct gen_ctx *g, uint32_t kver)
{
	static const char *const names[] = {
		"PAGE_BUDDY_MAPCOUNT_VALUE", "PAGE_OFFLINE_MAPCOUNT_VALUE",
		"PAGE_HUGETLB_MAPCOUNT_VALUE", "PAGE_SLAB_MAPCOUNT_VALUE",
		"PAGE_UNACCEPTED_MAPCOUNT_VALUE",
	};
	int64_t v[5];
	bool have[5] = { false };
	int i;

	if (xq(g, X_PGTY_BUDDY)->found) {
		static const int pgty[] = { X_PGTY_BUDDY, X_PGTY_OFFLINE,
			X_PGTY_HUGETLB, X_PGTY_SLAB, X_PGTY_UNACCEPTED };

		for (i = 0; i < 5; i++) {
			const struct dwi_query *q = xq(g, pgty[i]);

			have[i] = q->found;
			v[i] = (int32_t)((uint32_t)q->value << 24);
		}
	} else if (xq(g, X_TY_BUDDY)->found) {
		static const int ty[] = { X_TY_BUDDY, X_TY_OFFLINE,
			X_TY_HUGETLB, X_TY_SLAB };

		for (i = 0; i < 4; i++) {
			const struct dwi_query *q = xq(g, ty[i]);

			have[i] = q->found;
			v[i] = (int32_t)~(uint32_t)q->value;
		}
	} else if (kver >= KERNEL_VERSION(4, 18, 0)) {
		have[0] = true;
		v[0] = -129;
		if (kver >= KERNEL_VERSION(5, 1, 0)) {
			have[1] = true;
			v[1] = -257;
		}
	} else if (kver >= KERNEL_VERSION(2, 6, 39)) {
		have[0] = true;
		v[0] = -128;
	}
	for (i = 0; i < 5; i++)
		if (have[i])
			fprintf(g->f, "NUMBER(%s)=%lld\n", names[i], (long long)v[i]);
}

static void put_row(struct gen_ctx *g, size_t i, uint32_t kver)
{
	const struct gen_row *r = &gen_rows[i];
	const struct dwi_query *q = &g->q[i];

	if (r->cond != GC_ALWAYS && r->cond != g->printk)
		return;
	switch (r->kind) {
	case GK_SYMBOL:
		put_symbol(g, r->a);
		break;
	case GK_SIZE:
		put_size(g, q);
		break;
	case GK_OFFSET:
		put_offset(g, q, r->a, r->b);
		break;
	case GK_LENGTH_SYM:
		put_length_sym(g, q);
		break;
	case GK_LENGTH_MEM:
		put_length_mem(g, q, r->a, r->b, r->key);
		break;
	case GK_NUMBER:
		if (q->found)
			fprintf(g->f, "NUMBER(%s)=%lld\n", r->a, (long long)q->value);
		break;
	case GK_HEAD_MASK:
		/* a #define of 1 << PG_head (PG_compound before 2.6.26) */
		if (q->found)
			fprintf(g->f, "NUMBER(PG_head_mask)=%lld\n",
				(long long)q->value);
		else if (xq(g, X_PG_HEAD)->found || xq(g, X_PG_COMPOUND)->found)
			fprintf(g->f, "NUMBER(PG_head_mask)=%llu\n",
				1ull << (xq(g, X_PG_HEAD)->found ?
					 xq(g, X_PG_HEAD)->value :
					 xq(g, X_PG_COMPOUND)->value));
		break;
	case GK_PAGE_TYPES:
		put_page_types(g, kver);
		break;
	case GK_NODE_ONLINE_MAP:
		put_node_online_map(g);
		break;
	case GK_BUILD_ID: {
		char id[129];

		if (dwarfinfo_build_id(g->di, id, sizeof(id)) == 0)
			fprintf(g->f, "BUILD-ID=%s\n", id);
		break;
	}
	case GK_SRCFILE:
		if (q->found && q->decl_file)
			fprintf(g->f, "SRCFILE(%s)=%s\n", r->a, q->decl_file);
		break;
	}
}

/* OSRELEASE: init_uts_ns.name.release as initialised in the file */
static int read_release(struct dwarfinfo *di, const struct dwi_query *uts_ns,
			char *rel, size_t len, struct mdf_err *err)
{
	struct dwi_type t;
	uint64_t addr, off = 4;	/* name after a kref before 5.11 layouts */
	int rc;

	if (dwarfinfo_symbol(di, "system_utsname", &addr, NULL) == 0) {
		off = 0;
	} else if (dwarfinfo_symbol(di, "init_uts_ns", &addr, NULL) == 0) {
		if (uts_ns->found)
			dwarfinfo_member(di, uts_ns->type, "name", &t, &off);
	} else {
		return mdf_err_set(err, MDF_EFORMAT,
				   "Can't get the symbol of system_utsname.");
	}
	/* struct new_utsname: sysname[65], nodename[65], release[65] */
	rc = dwarfinfo_read(di, addr + off + 2 * 65, rel, len, err);
	if (rc < 0)
		return rc;
	if (rc == MDF_ABSENT)
		return mdf_err_set(err, MDF_EFORMAT,
				   "the kernel release (init_uts_ns) is not initialised data in %s",
				   dwarfinfo_path(di));
	rel[len - 1] = '\0';
	return 0;
}

/* PAGESIZE: empty_zero_page is one page on every architecture; else the
 * host's page size, as makedumpfile uses */
static long page_size_of(struct gen_ctx *g)
{
	uint64_t sz;

	if (dwarfinfo_symbol(g->di, "empty_zero_page", NULL, &sz) == 0 &&
	    sz >= 4096 && sz <= (1u << 18) && !(sz & (sz - 1)))
		return (long)sz;
	return sysconf(_SC_PAGESIZE);
}

int dwarfinfo_gen_vmcoreinfo(struct dwarfinfo *di, char **text_ret,
			     size_t *len_ret, struct mdf_warns *warns,
			     struct mdf_err *err)
{
	struct gen_ctx g = { .di = di };
	char rel[65], *buf = NULL;
	size_t len = 0, i;
	uint32_t kver;
	unsigned a, b, c = 0;
	int rc;

	(void)warns;
	g.nq = NROWS + NX;
	g.q = calloc(g.nq, sizeof(*g.q));
	if (!g.q)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	build_queries(&g);
	rc = dwarfinfo_lookup(di, g.q, g.nq, err);
	if (rc < 0)
		goto out;
	if (!xq(&g, X_PAGE_COUNT)->found) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "%s has no struct page in its debug information",
				 dwarfinfo_path(di));
		goto out;
	}
	rc = read_release(di, xq(&g, X_UTS_NS), rel, sizeof(rel), err);
	if (rc < 0)
		goto out;
	kver = 0;
	if (sscanf(rel, "%u.%u.%u", &a, &b, &c) >= 2)
		kver = KERNEL_VERSION(a, b > 255 ? 255 : b, c > 255 ? 255 : c);
	g.printk = xq(&g, X_PRB)->found ? GC_PRB :
		   xq(&g, X_PRINTK_LOG)->found ? GC_PRINTK_LOG : GC_LOG;

	g.f = open_memstream(&buf, &len);
	if (!g.f) {
		rc = mdf_err_set(err, MDF_ENOMEM, "out of memory");
		goto out;
	}
	fprintf(g.f, "OSRELEASE=%s\n", rel);
	fprintf(g.f, "PAGESIZE=%ld\n", page_size_of(&g));
	for (i = 0; i < NROWS; i++)
		put_row(&g, i, kver);
	if (fclose(g.f) != 0 || !buf) {
		free(buf);
		rc = mdf_err_set(err, MDF_ENOMEM, "out of memory");
		goto out;
	}
	*text_ret = buf;
	*len_ret = len;
out:
	free(g.q);
	return rc;
}

static int generate(const char *vmlinux, char **text_ret, size_t *len_ret,
		    struct mdf_warns *warns, struct mdf_err *err)
{
	struct dwarfinfo *di;
	int rc;

	rc = dwarfinfo_open(vmlinux, &di, err);
	if (rc < 0)
		return rc;
	rc = dwarfinfo_gen_vmcoreinfo(di, text_ret, len_ret, warns, err);
	dwarfinfo_close(di);
	if (rc < 0)
		return mdf_err_wrap(err, "generating VMCOREINFO from %s", vmlinux);
	return 0;
}

int dwarfinfo_write_vmcoreinfo(const char *vmlinux, const char *path,
			       struct mdf_warns *warns, struct mdf_err *err)
{
	char *text;
	size_t len, done = 0;
	int fd, rc;

	rc = generate(vmlinux, &text, &len, warns, err);
	if (rc < 0)
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = mdf_err_sys(err, errno, "Can't open the vmcoreinfo file(%s)",
				 path);
		goto out;
	}
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = mdf_err_sys(err, n < 0 ? errno : ENOSPC,
					 "Can't write the vmcoreinfo file(%s)", path);
			close(fd);
			goto out;
		}
		done += (size_t)n;
	}
	if (close(fd) < 0)
		rc = mdf_err_sys(err, errno, "Can't write the vmcoreinfo file(%s)",
				 path);
out:
	free(text);
	return rc;
}

int dwarfinfo_load_vmcoreinfo(const char *vmlinux, struct vmcoreinfo *vi,
			      struct mdf_warns *warns, struct mdf_err *err)
{
	char *text;
	size_t len;
	int rc;

	rc = generate(vmlinux, &text, &len, warns, err);
	if (rc < 0)
		return rc;
	rc = vmcoreinfo_parse(vi, text, len, warns, err);
	free(text);
	if (rc < 0)
		return mdf_err_wrap(err, "VMCOREINFO generated from %s", vmlinux);
	vi->from_file = true;
	return 0;
}

int dwarfinfo_release(struct dwarfinfo *di, char *buf, size_t len,
		      struct mdf_err *err)
{
	struct dwi_query q;
	char rel[65];
	int rc;

	memset(&q, 0, sizeof(q));
	set_q(&q, DWI_WANT_STRUCT, "uts_namespace", NULL);
	rc = dwarfinfo_lookup(di, &q, 1, err);
	if (rc == 0)
		rc = read_release(di, &q, rel, sizeof(rel), err);
	if (rc == 0)
		snprintf(buf, len, "%s", rel);
	return rc;
}
