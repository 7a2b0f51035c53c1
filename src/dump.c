/* dump.c: the pipeline of one run, and the only module that knows all of
 * it: input -> VMCOREINFO -> arch -> memmap -> classify -> bitmaps ->
 * pages -> writer.  Set-up first (everything const afterwards), then the
 * passes over pfn windows.  main.c turns argv into options and calls
 * dump_run(); nothing here prints except through report.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "bitmap.h"
#include "classify.h"
#include "dmesg.h"
#include "dump.h"
#include "input.h"
#include "memmap.h"
#include "vmcoreinfo.h"

/* the newest kernel whose layout we know (vmcoreinfo.md) */
#define KVER_NEWEST	KERNEL_VERSION(7, 1, 255)
#define KVER_OLDEST	KERNEL_VERSION(2, 6, 15)

/* default bitmap budget per cycle when nothing else is known: both
 * bitmaps of a window fit in this many bytes (cli.md section 6) */
enum { DEFAULT_CYCLE_BYTES = 4u << 20 };

struct dump_ctx {
	const struct opts *o;
	struct report *rep;
	struct mdf_warns warns;

	struct input *in;
	struct vmcoreinfo vi;
	bool have_vi;
	struct arch arch;
	bool have_arch;
	struct memmap mm;
	bool have_mm;
	struct page_layout pl;
	unsigned dump_level;
	uint64_t max_mapnr;

	struct cycle cyc;
	struct dump_stats stats;
	FILE *trace;
	char utsname[6][65];
	bool have_utsname;
};

static void trace_read(void *ctx, uint64_t paddr, uint64_t len)
{
	FILE *f = ctx;

	fprintf(f, "%llx %llx\n", (unsigned long long)paddr,
		(unsigned long long)len);
}

static void dump_fini(struct dump_ctx *d)
{
	cycle_deinit(&d->cyc);
	if (d->have_mm)
		memmap_deinit(&d->mm);
	if (d->have_arch)
		arch_deinit(&d->arch);
	if (d->have_vi)
		vmcoreinfo_deinit(&d->vi);
	input_close(d->in);
	if (d->trace)
		fclose(d->trace);
}

/* Read init_uts_ns.name: a check that translation works (KASLR, phys_base)
 * and the strings for the dump header. */
static void read_utsname(struct dump_ctx *d)
{
	const struct vmcoreinfo *vi = &d->vi;
	struct mdf_err e;
	uint64_t addr;
	char buf[6 * 65];
	const char *rel;
	int rc, i;

	if (vmci_has(vi, VMCI_SYMBOL_init_uts_ns)) {
		addr = vmci_get(vi, VMCI_SYMBOL_init_uts_ns);
		/* name follows a kref (int) before 5.11-era layouts that
		 * export OFFSET(uts_namespace.name) */
		addr += vmci_has(vi, VMCI_OFFSET_uts_namespace_name) ?
			vmci_get(vi, VMCI_OFFSET_uts_namespace_name) : 4;
	} else if (vmci_has(vi, VMCI_SYMBOL_system_utsname)) {
		addr = vmci_get(vi, VMCI_SYMBOL_system_utsname);
	} else {
		mdf_warn(&d->warns, "VMCOREINFO has no SYMBOL(init_uts_ns): the dump header gets no utsname");
		return;
	}
	rc = arch_read_kvaddr(&d->arch, addr, buf, sizeof(buf), &e);
	if (rc) {
		mdf_warn(&d->warns, "can't read the kernel's utsname at %#llx: %s",
			 (unsigned long long)addr, e.msg);
		return;
	}
	for (i = 0; i < 6; i++) {
		memcpy(d->utsname[i], buf + i * 65, 65);
		d->utsname[i][64] = '\0';
	}
	d->have_utsname = true;
	rel = vmci_str(vi, VMCI_OSRELEASE);
	if (rel && strcmp(rel, d->utsname[2]) != 0)
		mdf_warn(&d->warns,
			 "the kernel's utsname release \"%.64s\" differs from VMCOREINFO OSRELEASE \"%s\": address translation may be wrong",
			 d->utsname[2], rel);
}

static int setup_vmcoreinfo(struct dump_ctx *d, struct mdf_err *err)
{
	const struct opts *o = d->o;
	int rc;

	if (o->vmcoreinfo_in) {
		rc = vmcoreinfo_load_file(&d->vi, o->vmcoreinfo_in, &d->warns, err);
		if (rc < 0)
			return rc;
		d->have_vi = true;
		/* the file must describe this dump's kernel */
		if (d->in->vmcoreinfo) {
			struct vmcoreinfo own;
			struct mdf_err e2;

			if (vmcoreinfo_parse(&own, d->in->vmcoreinfo,
					     d->in->vmcoreinfo_len, NULL, &e2) == 0) {
				const char *a = vmci_str(&d->vi, VMCI_OSRELEASE);
				const char *b = vmci_str(&own, VMCI_OSRELEASE);

				if (a && b && strcmp(a, b) != 0) {
					mdf_err_set(err, MDF_EMISMATCH,
						    "%s and %s don't match.", a, b);
					vmcoreinfo_deinit(&own);
					return -MDF_EMISMATCH;
				}
				/* symbols in a -g file are link-time: take
				 * the dump's KASLR offset */
				if (!vmci_has(&d->vi, VMCI_KERNELOFFSET) &&
				    vmci_has(&own, VMCI_KERNELOFFSET)) {
					d->vi.val[VMCI_KERNELOFFSET] =
						own.val[VMCI_KERNELOFFSET];
					d->vi.val[VMCI_KERNELOFFSET].str = NULL;
				}
				vmcoreinfo_deinit(&own);
			}
		}
		return 0;
	}
	if (!d->in->vmcoreinfo)
		return 0;
	rc = vmcoreinfo_parse(&d->vi, d->in->vmcoreinfo, d->in->vmcoreinfo_len,
			      &d->warns, err);
	if (rc < 0)
		return mdf_err_wrap(err, "the VMCOREINFO note of %s", d->in->path);
	d->have_vi = true;
	return 0;
}

static int dump_setup(struct dump_ctx *d, const char *vmcore,
		      struct mdf_err *err)
{
	const struct opts *o = d->o;
	struct input_open_opts io = { 0 };
	const struct arch_ops *aops;
	unsigned max_level = 0, i;
	uint32_t kver;
	int rc;
	/* --dump-dmesg reads kernel memory: it needs VMCOREINFO and the
	 * arch, but no struct pages */
	bool dmesg = o->mode == MODE_DUMP_DMESG;

	for (i = 0; i < o->n_levels; i++)
		if (o->dump_level[i] > max_level)
			max_level = o->dump_level[i];

	io.access = o->non_mmap ? INPUT_ACCESS_READ : INPUT_ACCESS_AUTO;
	if (o->trace_reads) {
		d->trace = fopen(o->trace_reads, "w");
		if (!d->trace)
			return mdf_err_sys(err, errno, "Can't open %s",
					   o->trace_reads);
		io.trace = trace_read;
		io.trace_ctx = d->trace;
	}
	rc = input_open(vmcore, &io, &d->warns, &d->in, err);
	if (rc < 0)
		return rc;

	rc = setup_vmcoreinfo(d, err);
	if (rc < 0)
		return rc;
	if (!d->have_vi) {
		if (max_level > DL_EXCLUDE_ZERO || dmesg)
			return mdf_err_set(err, MDF_EINVAL,
					   "%s doesn't contain vmcoreinfo.\nSpecify '-x' option or '-i' option.",
					   vmcore);
		mdf_warn(&d->warns,
			 "%s has no VMCOREINFO: no page can be classified; logically offline and hwpoison pages cannot be recognised",
			 vmcore);
		return 0;
	}
	if (vmci_has(&d->vi, VMCI_PAGESIZE)) {
		rc = input_set_page_size(d->in,
					 (unsigned)vmci_get(&d->vi, VMCI_PAGESIZE),
					 err);
		if (rc < 0)
			return mdf_err_wrap(err, "VMCOREINFO PAGESIZE");
	}
	kver = vmcoreinfo_kernel_version(&d->vi);
	if (!kver || kver < KVER_OLDEST || kver > KVER_NEWEST) {
		mdf_warn(&d->warns, "The kernel version is not supported.");
		mdf_warn(&d->warns, "The makedumpfile operation may be incomplete.");
	}

	rc = arch_find(d->in->e_machine, &d->vi, &aops, err);
	if (rc < 0)
		return rc;
	rc = arch_init(&d->arch, aops, d->in, &d->vi, &d->warns, err);
	if (rc < 0)
		goto no_classify;
	d->have_arch = true;
	read_utsname(d);
	if (dmesg)
		return 0;

	d->max_mapnr = input_max_pfn(d->in);
	rc = memmap_init(&d->mm, &d->arch, &d->vi, d->max_mapnr, &d->warns, err);
	if (rc < 0) {
		mdf_err_wrap(err, "finding struct pages");
		goto no_classify;
	}
	d->have_mm = true;
	/* makedumpfile lowers max_mapnr to the end of the last section with
	 * a memmap (covers mem= and firmware ranges above RAM) */
	if (d->mm.end_pfn && d->mm.end_pfn < d->max_mapnr)
		d->max_mapnr = d->mm.end_pfn;

	rc = page_layout_init(&d->pl, &d->vi, d->in->page_shift, &d->warns, err);
	if (rc < 0)
		return rc;
	if (o->have_offline_value) {
		page_type_test_init(&d->pl.offline, o->offline_value);
	}
	return 0;

no_classify:
	/* levels 0 and 1 need no struct page: go on, say what is lost */
	if (max_level > DL_EXCLUDE_ZERO || dmesg)
		return rc;
	if (!d->max_mapnr)
		d->max_mapnr = input_max_pfn(d->in);
	mdf_warn(&d->warns, "%s; pages are not classified, so logically offline and hwpoison pages cannot be recognised",
		 err->msg);
	mdf_err_clear(err);
	return 0;
}

static void debug_setup(struct dump_ctx *d)
{
	struct report *r = d->rep;
	size_t i;

	if (!(r->ml & ML_DEBUG))
		return;
	report_debug(r, "%s: %s input, %zu memory ranges, %u CPU notes",
		     d->in->path, d->in->ops->name, d->in->nranges, d->in->nr_cpus);
	report_debug(r, "               phys_start         phys_end       virt_start");
	for (i = 0; i < d->in->nranges; i++) {
		const struct input_range *g = &d->in->ranges[i];

		report_debug(r, "RANGE[%2zu] %16llx %16llx %16llx%s", i,
			     (unsigned long long)g->paddr,
			     (unsigned long long)(g->paddr + g->memsz),
			     (unsigned long long)g->vaddr,
			     g->filesz < g->memsz ? " (partly without data)" : "");
	}
	if (!d->have_vi)
		return;
	report_debug(r, "VMCOREINFO   : %u lines%s", d->vi.nlines,
		     d->o->vmcoreinfo_in ? " (from -i file)" : "");
	report_debug(r, "page_size    : %u", d->in->page_size);
	if (d->have_arch)
		report_debug(r, "phys_base    : %llx", (unsigned long long)d->arch.phys_base);
	report_debug(r, "max_mapnr    : %llx", (unsigned long long)d->max_mapnr);
	if (d->have_mm) {
		uint64_t nr, per = 1ull << d->mm.pfn_section_shift;

		report_debug(r, "sections     : %u with memmap, %u without, %u not online, %u bad",
			     d->mm.n_ok, d->mm.n_nomap, d->mm.n_offline, d->mm.n_bad);
		report_debug(r, "                       mem_map        pfn_start          pfn_end");
		for (nr = 0; d->mm.pfn_section_shift && nr < d->mm.nr_sec; nr++)
			report_debug(r, "mem_map[%4llu] %16llx %16llx %16llx",
				     (unsigned long long)nr,
				     (unsigned long long)memmap_pfn_to_page(&d->mm, nr * per),
				     (unsigned long long)(nr * per),
				     (unsigned long long)((nr + 1) * per));
	}
}

/* --vtop (cli.md section 10): one translation, printed before filtering */
static int print_vtop(struct dump_ctx *d, struct mdf_err *err)
{
	uint64_t paddr, len;
	int rc;

	if (!d->have_arch)
		return mdf_err_set(err, MDF_EINVAL,
				   "--vtop needs VMCOREINFO to translate addresses");
	rc = arch_kvtop(&d->arch, d->o->vtop, &paddr, &len, err);
	if (rc < 0)
		return rc;
	if (rc == MDF_ABSENT)
		return mdf_err_wrap(err, "Can't translate %llx",
				    (unsigned long long)d->o->vtop);
	report_msg(d->rep, "\nTranslating virtual address %llx to physical address.",
		   (unsigned long long)d->o->vtop);
	report_msg(d->rep, "VIRTUAL           PHYSICAL");
	report_msg(d->rep, "%16llx  %llx\n", (unsigned long long)d->o->vtop,
		   (unsigned long long)paddr);
	return 0;
}

/* Page data sits at the file offset of its PT_LOAD, which need not be
 * 8-byte aligned (the arm64 QEMU core's starts at 0x1b54): words are
 * loaded with memcpy, which compiles to plain unaligned loads. */
static bool page_is_zero(const uint8_t *p, size_t len)
{
	uint64_t w[8], first, last;
	size_t i;

	/* most non-zero pages differ in the first or last word */
	memcpy(&first, p, 8);
	memcpy(&last, p + len - 8, 8);
	if (first | last)
		return false;
	for (i = 0; i < len; i += sizeof(w)) {
		memcpy(w, p + i, sizeof(w));
		if (w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7])
			return false;
	}
	return true;
}

/* cycle window size in pfns from the memory budget: two bitmaps */
static uint64_t cycle_pfns(const struct dump_ctx *d)
{
	uint64_t bytes = DEFAULT_CYCLE_BYTES, pfns;

	if (d->o->cyclic_buffer_kib)
		bytes = d->o->cyclic_buffer_kib * 1024;
	pfns = bytes * 8 / 2;
	if (d->o->non_cyclic || d->o->work_dir || pfns > d->max_mapnr)
		pfns = d->max_mapnr;
	if (pfns < 64)
		pfns = 64;
	return pfns;
}

/* Pass 1: classify every window, count. */
static int count_pass(struct dump_ctx *d, const struct scan_env *env,
		      struct mdf_err *err)
{
	struct range_sink rs = report_range_sink(d->rep);
	uint64_t start;
	int rc;

	cycle_rewind(&d->cyc);
	for (start = 0; start < d->max_mapnr; start += d->cyc.cap) {
		report_progress(d->rep, "Excluding unnecessary pages", start,
				d->max_mapnr);
		rc = scan_cycle(env, &d->cyc, start, &d->stats,
				d->rep->want_ranges ? &rs : NULL, err);
		if (rc < 0)
			return mdf_err_wrap(err, "scanning pfns %#llx-%#llx",
					    (unsigned long long)start,
					    (unsigned long long)(start + d->cyc.cap));
	}
	/* memory the kernel had but the dump lacks (virtio-mem unplugged
	 * blocks QEMU leaves out): recognise offline pages, read nothing */
	if (env->mm && memmap_last_pfn(env->mm) > d->max_mapnr) {
		rc = scan_absent(env, &d->cyc, d->max_mapnr,
				 memmap_last_pfn(env->mm), &d->stats,
				 d->rep->want_ranges ? &rs : NULL, err);
		if (rc < 0)
			return mdf_err_wrap(err, "scanning struct pages beyond the dump");
	}
	report_progress_done(d->rep, "Excluding unnecessary pages");
	return 0;
}

/* Pass 2: every dumpable page, in pfn order (dry run: read and zero check). */
static int page_pass(struct dump_ctx *d, const struct scan_env *env,
		     bool reuse, struct mdf_err *err)
{
	struct input_reader rd;
	uint64_t start, done = 0;
	uint64_t total = d->stats.present;
	bool zero_filter = d->dump_level & DL_EXCLUDE_ZERO;
	int rc;

	rc = input_reader_init(&rd, d->in, err);
	if (rc < 0)
		return rc;
	cycle_rewind(&d->cyc);
	for (start = 0; start < d->max_mapnr; start += d->cyc.cap) {
		uint64_t i, n;

		if (!reuse) {
			rc = scan_cycle(env, &d->cyc, start, NULL, NULL, err);
			if (rc < 0)
				goto out;
		}
		n = d->cyc.end - d->cyc.start;
		for (i = bm_next_set(d->cyc.bm2, 0, n); i < n;
		     i = bm_next_set(d->cyc.bm2, i + 1, n)) {
			uint64_t pfn = d->cyc.start + i;
			const uint8_t *page;

			rc = input_read_page(&rd, pfn, &page, err);
			if (rc < 0)
				goto out;
			if (rc == MDF_ABSENT)
				continue;
			d->stats.pages_read++;
			if (zero_filter && page_is_zero(page, d->in->page_size)) {
				d->stats.excluded[PC_ZERO]++;
				report_add_range(d->rep, PC_ZERO, pfn, 1);
			}
			if ((++done & 0xffff) == 0)
				report_progress(d->rep, "Copying data", done, total);
		}
	}
	report_progress_done(d->rep, "Copying data");
	rc = 0;
out:
	input_reader_deinit(&rd);
	return rc;
}

static int run_create(struct dump_ctx *d, struct mdf_err *err)
{
	const struct opts *o = d->o;
	struct scan_env env;
	bool single;
	int rc;

	if (!o->dry_run)
		return mdf_err_set(err, MDF_EUNSUPP,
				   "writing a dump file is not implemented yet; use --dry-run");
	if (o->n_levels > 1)
		mdf_warn(&d->warns, "only the first dump level of %u is used by --dry-run",
			 o->n_levels);

	rc = dump_setup(d, o->args[0], err);
	if (rc < 0)
		return rc;
	report_warns(d->rep, &d->warns);
	d->warns.n = d->warns.dropped = 0;
	debug_setup(d);
	if (o->have_vtop) {
		rc = print_vtop(d, err);
		if (rc < 0)
			return rc;
	}
	if (!d->have_vi)
		d->max_mapnr = input_max_pfn(d->in);
	d->stats.max_mapnr = d->max_mapnr;

	rc = cycle_init(&d->cyc, cycle_pfns(d),
			d->have_mm ? (unsigned)d->mm.struct_size : 64, err);
	if (rc < 0)
		return rc;
	single = d->cyc.cap >= d->max_mapnr;
	report_debug(d->rep, "Buffer size for the cyclic mode: %llu",
		     (unsigned long long)(d->cyc.cap / 8 * 2));
	if (single)
		report_debug(d->rep, "There is enough free memory to be done in one cycle.");

	env.in = d->in;
	env.mm = d->have_mm ? &d->mm : NULL;
	env.pl = &d->pl;
	env.dump_level = d->dump_level;
	env.max_mapnr = d->max_mapnr;

	rc = count_pass(d, &env, err);
	if (rc < 0)
		return rc;
	rc = page_pass(d, &env, single, err);
	if (rc < 0)
		return rc;
	report_warns(d->rep, &d->warns);
	if (d->stats.memmap_unavailable || d->stats.bad_order ||
	    d->stats.bad_buddy || d->stats.memmap_offline)
		report_msg(d->rep,
			   "Kept unclassified: %llu pages without a readable struct page (first: pfn %#llx), %llu in offline sections, %llu with an impossible compound order, %llu with an impossible free order.",
			   (unsigned long long)d->stats.memmap_unavailable,
			   (unsigned long long)d->stats.first_unavailable,
			   (unsigned long long)d->stats.memmap_offline,
			   (unsigned long long)d->stats.bad_order,
			   (unsigned long long)d->stats.bad_buddy);
	if (d->stats.memmap_nosection)
		report_debug(d->rep,
			     "%llu pages in the dump belong to no memory section (firmware ranges); kept.",
			     (unsigned long long)d->stats.memmap_nosection);
	if (d->stats.offline_absent)
		report_debug(d->rep,
			     "%llu logically offline pages have struct pages but no memory in the dump; not read.",
			     (unsigned long long)d->stats.offline_absent);
	report_stats(d->rep, &d->stats, false, 0);
	if (o->report_json) {
		rc = report_json(d->rep, o->report_json, &d->stats, d->dump_level,
				 d->in->page_size, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* --dump-dmesg (dmesg.md, cli.md): the log to LOGFILE, or stdout with -F.
 * Like makedumpfile, an existing LOGFILE is refused before anything is
 * read unless -f, and the file is created only once the log is found. */
static int run_dmesg(struct dump_ctx *d, struct mdf_err *err)
{
	const struct opts *o = d->o;
	const char *path = o->flatten ? NULL : o->args[1];
	struct dmesg_opts dopts = { .partial = o->partial_dmesg };
	struct dmesg_fd f = { .fd = STDOUT_FILENO, .name = "STDOUT",
			      .limit = o->limit_size };
	struct dmesg_out out = { dmesg_fd_write, &f };
	const struct dmesg_stats *st;
	struct dmesg_log *log = NULL;
	int rc, rc2;

	if (path && !o->force && access(path, F_OK) == 0)
		return mdf_err_set(err, MDF_EIO,
				   "Can't open the dump file (%s). File exists", path);
	rc = dump_setup(d, o->args[0], err);
	if (rc < 0)
		return rc;
	report_warns(d->rep, &d->warns);
	d->warns.n = d->warns.dropped = 0;
	debug_setup(d);
	rc = dmesg_load(&d->arch, &d->vi, &dopts, &d->warns, &log, err);
	if (rc < 0)
		return mdf_err_wrap(err, "%s", "--dump-dmesg");
	report_warns(d->rep, &d->warns);
	if (path) {
		f.name = path;
		f.fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC |
			    (o->force ? 0 : O_EXCL), 0600);
		if (f.fd < 0) {
			dmesg_destroy(log);
			return mdf_err_sys(err, errno, "Can't open the dump file (%s)",
					   path);
		}
	}
	rc = dmesg_write(log, &out, err);
	st = dmesg_stats(log);
	report_debug(d->rep, "dmesg: format %d, %llu records written (%llu before the last clear, %llu lost, %llu inconsistent), %llu bytes; %llu buffer pages not in the dump read as zeros",
		     (int)st->format, (unsigned long long)st->records,
		     (unsigned long long)st->before_clear,
		     (unsigned long long)st->lost, (unsigned long long)st->bad,
		     (unsigned long long)st->bytes,
		     (unsigned long long)st->absent_pages);
	dmesg_destroy(log);
	if (path) {
		rc2 = close(f.fd);
		if (rc == 0 && rc2 < 0)
			rc = mdf_err_sys(err, errno, "Can't close the dump file (%s)",
					 path);
	}
	if (rc < 0)
		return rc;
	report_msg(d->rep, "\nThe dmesg log is saved to %s.", f.name);
	return 0;
}

int dump_run(const struct opts *o, struct report *r, struct mdf_err *err)
{
	struct dump_ctx *d;
	int rc;

	d = calloc(1, sizeof(*d));
	if (!d)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	d->o = o;
	d->rep = r;
	d->dump_level = opts_dump_level(o);
	r->want_ranges = o->report_json != NULL;

	switch (o->mode) {
	case MODE_CREATE:
		if (o->check_params) {
			rc = 0;
			break;
		}
		rc = run_create(d, err);
		break;
	case MODE_DUMP_DMESG:
		rc = o->check_params ? 0 : run_dmesg(d, err);
		break;
	default:
		rc = mdf_err_set(err, MDF_EUNSUPP,
				 "this mode is not implemented yet");
	}
	/* warnings gathered before a failure still explain it */
	if (rc < 0)
		report_warns(r, &d->warns);
	dump_fini(d);
	free(d);
	return rc;
}
