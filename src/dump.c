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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch.h"
#include "bitmap.h"
#include "classify.h"
#include "codec.h"
#include "dmesg.h"
#include "dump.h"
#include "dwarfinfo.h"
#include "erase.h"
#include "fmt_kdump.h"
#include "input.h"
#include "memmap.h"
#include "memusage.h"
#include "pipeline.h"
#include "rearrange.h"
#include "reassemble.h"
#include "sink.h"
#include "split.h"
#include "vmcoreinfo.h"
#include "version.h"
#include "vmemmap_excl.h"
#include "writer.h"

/* the newest kernel whose layout we know (vmcoreinfo.md) */
#define KVER_NEWEST	KERNEL_VERSION(7, 1, 255)
#define KVER_OLDEST	KERNEL_VERSION(2, 6, 15)

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
	uint64_t held_start;		/* window the cycle holds, or UINT64_MAX */
	uint64_t ndumpable;		/* 2nd-bitmap bits of the count pass */
	uint64_t absent_pages, first_absent;	/* dumpable, yet no data */
	const struct codec_ops *codec;
	struct pipe_plan threads;	/* --num-threads on this machine */
	struct dump_stats stats;
	FILE *trace;
	struct erase_list erase;	/* --config; n == 0: none */
	char utsname[6][65];
	bool have_utsname;

	/* --split: the count pass fills plan; a part writes [start, end) */
	struct split_plan *plan;
	bool split;
	uint64_t split_start, split_end;

	/* -e: the vmemmap map, when it could be read */
	struct vmemmap_excl vx;
	bool have_vx;
};

static void trace_read(void *ctx, uint64_t paddr, uint64_t len)
{
	FILE *f = ctx;

	fprintf(f, "%llx %llx\n", (unsigned long long)paddr,
		(unsigned long long)len);
}

static void dump_fini(struct dump_ctx *d)
{
	vmemmap_excl_deinit(&d->vx);
	cycle_deinit(&d->cyc);
	erase_list_deinit(&d->erase);
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

/* VMCOREINFO from -i FILE or generated from -x: a -g file has link-time
 * symbols and lacks what only the running kernel knew (vmcoreinfo.md
 * section 2 rule 5, x86_64.md section 5).  The relocation is measured,
 * not assumed: the dump's note has the runtime SYMBOL(_stext), and without
 * a note the arch finds where the kernel image is mapped.  So a copy of a
 * note, a -g file, and a -g file with KERNELOFFSET added all work.  Keys
 * the file lacks come from the note (as makedumpfile reads both).
 * -i FILE of another release exits 2. */
static int adopt_runtime(struct dump_ctx *d, struct mdf_err *err)
{
	const struct arch_ops *aops;
	struct vmcoreinfo own;
	struct mdf_err e2;
	uint64_t delta = 0, phys_base;
	int rc;

	if (d->in->vmcoreinfo &&
	    vmcoreinfo_parse(&own, d->in->vmcoreinfo, d->in->vmcoreinfo_len,
			     NULL, &e2) == 0) {
		const char *a = vmci_str(&d->vi, VMCI_OSRELEASE);
		const char *b = vmci_str(&own, VMCI_OSRELEASE);

		if (d->o->vmcoreinfo_in && a && b && strcmp(a, b) != 0) {
			mdf_err_set(err, MDF_EMISMATCH, "%s and %s don't match.",
				    a, b);
			vmcoreinfo_deinit(&own);
			return -MDF_EMISMATCH;
		}
		if (vmci_has(&own, VMCI_SYMBOL__stext) &&
		    vmci_has(&d->vi, VMCI_SYMBOL__stext))
			delta = vmci_get(&own, VMCI_SYMBOL__stext) -
				vmci_get(&d->vi, VMCI_SYMBOL__stext);
		else if (vmcoreinfo_is_linktime(&d->vi) &&
			 vmci_has(&own, VMCI_KERNELOFFSET))
			delta = vmci_get(&own, VMCI_KERNELOFFSET);
		vmcoreinfo_relocate(&d->vi, delta);
		vmcoreinfo_fill_from(&d->vi, &own);
		vmcoreinfo_deinit(&own);
		return 0;
	}
	rc = arch_find(d->in->e_machine, &d->vi, &aops, err);
	if (rc < 0)
		return rc;
	rc = arch_kaslr_probe(aops, d->in, &d->vi, &delta, &phys_base, err);
	if (rc < 0)
		return rc;
	if (rc == MDF_ABSENT) {
		if (vmcoreinfo_is_linktime(&d->vi))
			mdf_warn(&d->warns, "%s has no VMCOREINFO note and no CPU state to find the KASLR offset: assuming the kernel was not relocated",
				 d->in->path);
		return 0;
	}
	if (!vmci_has(&d->vi, VMCI_KERNELOFFSET))
		vmcoreinfo_set(&d->vi, VMCI_KERNELOFFSET, delta);
	if (!vmci_has(&d->vi, VMCI_NUMBER_phys_base))
		vmcoreinfo_set(&d->vi, VMCI_NUMBER_phys_base, phys_base);
	vmcoreinfo_relocate(&d->vi, delta);
	report_debug(d->rep, "the kernel image is mapped %#llx above the VMCOREINFO symbols, phys_base %#llx (CPU state in %s)",
		     (unsigned long long)delta, (unsigned long long)phys_base,
		     d->in->path);
	return 0;
}

static int setup_vmcoreinfo(struct dump_ctx *d, struct mdf_err *err)
{
	const struct opts *o = d->o;
	int rc;

	if (o->vmcoreinfo_in) {
		rc = vmcoreinfo_load_file(&d->vi, o->vmcoreinfo_in, &d->warns, err);
	} else if (d->in->vmcoreinfo) {
		rc = vmcoreinfo_parse(&d->vi, d->in->vmcoreinfo,
				      d->in->vmcoreinfo_len, &d->warns, err);
		if (rc < 0)
			return mdf_err_wrap(err, "the VMCOREINFO note of %s",
					    d->in->path);
	} else if (o->vmlinux) {
		/* a QEMU core without the vmcoreinfo device: the vmlinux
		 * describes the kernel instead */
		rc = dwarfinfo_load_vmcoreinfo(o->vmlinux, &d->vi, &d->warns, err);
	} else if (o->mode == MODE_MEM_USAGE && memusage_is_live(d->in->path)) {
		/* kcore has the note since 4.19; before, sysfs points at it */
		char *text;
		size_t len;

		rc = memusage_sys_vmcoreinfo(d->in, &text, &len, err);
		if (rc < 0)
			return rc;
		rc = vmcoreinfo_parse(&d->vi, text, len, &d->warns, err);
		free(text);
		if (rc < 0)
			return mdf_err_wrap(err, "/sys/kernel/vmcoreinfo");
		d->have_vi = true;
		return 0;
	} else {
		return 0;
	}
	if (rc < 0)
		return rc;
	d->have_vi = true;
	return d->vi.from_file ? adopt_runtime(d, err) : 0;
}

static int dump_setup(struct dump_ctx *d, const char *vmcore,
		      struct mdf_err *err)
{
	const struct opts *o = d->o;
	struct input_open_opts io = { 0 };
	const struct arch_ops *aops;
	struct page_layout_user user = { 0 };
	unsigned max_level = 0, i;
	uint32_t kver;
	int rc;
	/* --dump-dmesg reads kernel memory: it needs VMCOREINFO and the
	 * arch, but no struct pages */
	bool dmesg = o->mode == MODE_DUMP_DMESG;

	for (i = 0; i < o->n_levels; i++)
		if (o->dump_level[i] > max_level)
			max_level = o->dump_level[i];

	io.access = o->non_mmap ? INPUT_ACCESS_READ :
		    o->mmap_files ? INPUT_ACCESS_MMAP : INPUT_ACCESS_AUTO;
	if (o->trace_reads) {
		/* addresses only, but 0600 like every output */
		int tfd = open(o->trace_reads,
			       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		d->trace = tfd >= 0 ? fdopen(tfd, "w") : NULL;
		if (!d->trace) {
			int e = errno;

			if (tfd >= 0)
				close(tfd);
			return mdf_err_sys(err, e, "Can't open %s",
					   o->trace_reads);
		}
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

	user.have_offline = o->have_offline_value;
	user.offline = o->offline_value;
	rc = page_layout_init_user(&d->pl, &d->vi, d->in->page_shift, &user,
				   &d->warns, err);
	if (rc < 0)
		return rc;
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

/* -D: what makedumpfile prints about the input (its LOAD table, the
 * VMCOREINFO lines, which SUSE's kdump reads OSRELEASE= and CRASHTIME=
 * from, phys_base, max_mapnr), and our memory-section summary. */
static void debug_setup(struct dump_ctx *d)
{
	struct report *r = d->rep;
	const char *p, *end;
	size_t i;

	if (!(r->ml & ML_DEBUG))
		return;
	if (d->in->container)
		report_debug(r, "%s: a %s dump inside a %s stream", d->in->path,
			     d->in->ops->name, d->in->container);
	if (d->in->is_kdump) {
		report_debug(r, "%s: kdump-compressed, dump_level %d, %zu runs of memory",
			     d->in->path, d->in->src_dump_level, d->in->nranges);
	} else {
		report_debug(r, "               phys_start         phys_end       virt_start         virt_end");
		for (i = 0; i < d->in->nloads; i++) {
			const struct input_load *l = &d->in->loads[i];

			report_debug(r, "LOAD[%2zu] %16llx %16llx %16llx %16llx", i,
				     (unsigned long long)l->paddr,
				     (unsigned long long)(l->paddr + l->memsz),
				     (unsigned long long)l->vaddr,
				     (unsigned long long)(l->vaddr + l->memsz));
		}
		if (d->in->vmcoreinfo)
			report_debug(r, "Linux kdump");
	}
	if (!d->have_vi)
		return;
	report_debug(r, "VMCOREINFO   :");
	p = d->vi.raw;
	end = p ? p + d->vi.raw_len : p;
	while (p && p < end && *p) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : strnlen(p, (size_t)(end - p));

		if (len)
			report_debug(r, "  %.*s", (int)len, p);
		if (len > 9 && !strncmp(p, "PAGESIZE=", 9))
			report_debug(r, "page_size    : %u", d->in->page_size);
		p += len + 1;
	}
	if (d->have_arch)
		report_debug(r, "\nphys_base    : %llx (%s)\n",
			     (unsigned long long)d->arch.phys_base,
			     vmci_has(&d->vi, VMCI_NUMBER_phys_base) ? "vmcoreinfo" :
			     d->in->have_phys_base ? "sub header" : "pt_load");
	report_debug(r, "max_mapnr    : %llx", (unsigned long long)d->max_mapnr);
	if (d->pl.offline.known) {
		static const char *const src[] = {
			[OFFLINE_UNKNOWN] = "unknown", [OFFLINE_EXPORTED] = "exported",
			[OFFLINE_DERIVED] = "derived", [OFFLINE_USER] = "--offline-mapcount",
		};
		report_debug(r, "PG_offline   : %d (%s)", (int32_t)d->pl.offline.value,
			     src[d->pl.offline_src]);
	}
	if (d->have_mm)
		report_debug(r, "sections     : %u with memmap, %u without, %u not online, %u bad",
			     d->mm.n_ok, d->mm.n_nomap, d->mm.n_offline, d->mm.n_bad);
}

/* -D: makedumpfile's table of memory sections; a run of sections without
 * memmap is one line (a 52-bit machine has millions between its banks) */
static void debug_mem_map(struct dump_ctx *d)
{
	struct report *r = d->rep;
	uint64_t nr, per;

	if (!(r->ml & ML_DEBUG) || !d->have_mm || !d->mm.pfn_section_shift)
		return;
	per = 1ull << d->mm.pfn_section_shift;
	report_debug(r, "\n                       mem_map        pfn_start          pfn_end");
	for (nr = 0; nr < d->mm.nr_sec && nr * per < d->max_mapnr; nr++) {
		uint64_t end = nr + 1, e;

		while (memmap_range_empty(&d->mm, nr * per, per) &&
		       end < d->mm.nr_sec && end * per < d->max_mapnr &&
		       memmap_range_empty(&d->mm, end * per, per))
			end++;
		e = end * per < d->max_mapnr ? end * per : d->max_mapnr;
		if (end > nr + 1)
			report_debug(r, "mem_map[%4llu-%llu] %16x %16llx %16llx",
				     (unsigned long long)nr,
				     (unsigned long long)(end - 1), 0,
				     (unsigned long long)(nr * per),
				     (unsigned long long)e);
		else
			report_debug(r, "mem_map[%4llu] %16llx %16llx %16llx",
				     (unsigned long long)nr,
				     (unsigned long long)memmap_pfn_to_page(&d->mm, nr * per),
				     (unsigned long long)(nr * per),
				     (unsigned long long)e);
		nr = end - 1;
	}
}

/* -D: the eraseinfo the writer stored (tests read it) */
static int debug_eraseinfo(struct dump_ctx *d, struct mdf_err *err)
{
	char *text;
	size_t len;
	int rc;

	rc = erase_info_text(&d->erase, &text, &len, err);
	if (rc < 0)
		return rc;
	report_debug(d->rep, "eraseinfo (%zu bytes):\n%.*s", len, (int)len, text);
	free(text);
	return 0;
}

/* -D: where --config erases (tests read these lines) */
static void debug_erase(struct dump_ctx *d)
{
	size_t i;

	if (!(d->rep->ml & ML_DEBUG))
		return;
	for (i = 0; i < d->erase.n; i++)
		report_debug(d->rep, "erase: pfn %llx offset %#x %u bytes of %#x (%s)",
			     (unsigned long long)d->erase.r[i].pfn,
			     d->erase.r[i].off, d->erase.r[i].len,
			     d->erase.r[i].fill,
			     d->erase.insts[d->erase.r[i].inst].expr);
}

/* --vtop: one line per page-table entry read, as 1.7.2 prints them */
static void vtop_entry(void *ctx, const char *level, uint64_t where,
		       uint64_t value)
{
	report_msg(ctx, "  %s : %16llx => %16llx", level,
		   (unsigned long long)where, (unsigned long long)value);
}

/* --vtop (cli.md section 10): one translation, printed before filtering,
 * with the page-table entries it went through (x86_64.md) */
static int print_vtop(struct dump_ctx *d, struct mdf_err *err)
{
	const struct pgt_trace tr = { vtop_entry, d->rep };
	uint64_t paddr, len;
	int rc;

	if (!d->have_arch)
		return mdf_err_set(err, MDF_EINVAL,
				   "--vtop needs VMCOREINFO to translate addresses");
	report_msg(d->rep, "\nTranslating virtual address %llx to physical address.",
		   (unsigned long long)d->o->vtop);
	d->arch.trace = &tr;
	rc = arch_kvtop(&d->arch, d->o->vtop, &paddr, &len, err);
	d->arch.trace = NULL;
	if (rc < 0)
		return rc;
	if (rc == MDF_ABSENT) {
		/* as 1.7.2: on stderr, NOT_PADDR printed, the run goes on */
		report_error(d->rep, "Can't translate %llx: %s",
			     (unsigned long long)d->o->vtop,
			     err->msg[0] ? err->msg : "not mapped");
		mdf_err_clear(err);
		paddr = UINT64_MAX;
	}
	report_msg(d->rep, "VIRTUAL           PHYSICAL");
	report_msg(d->rep, "%16llx  %llx\n", (unsigned long long)d->o->vtop,
		   (unsigned long long)paddr);
	return 0;
}

/* Where a non-cyclic run keeps its bitmap file: --work-dir, else
 * $TMPDIR, else /tmp (cli.md sections 6 and 12). */
static const char *bitmap_dir(const struct opts *o)
{
	const char *dir = o->work_dir ? o->work_dir : getenv("TMPDIR");

	return dir && *dir ? dir : "/tmp";
}

/* Size the pfn windows from the memory budget and allocate them. */
static int setup_cycles(struct dump_ctx *d, struct mdf_err *err)
{
	const struct opts *o = d->o;
	bool non_cyclic = o->non_cyclic || o->work_dir;
	uint64_t mem_free = cycle_host_mem_free();
	struct cycle_plan plan;
	const char *dir = NULL;
	int rc;

	cycle_plan_make(d->max_mapnr, mem_free, o->cyclic_buffer_kib * 1024,
			o->split && o->nargs > 1 ? (unsigned)(o->nargs - 1) : 1,
			non_cyclic, &plan);
	if (plan.truncated) {
		report_msg(d->rep, "Specified buffer size is larger than free memory.");
		report_msg(d->rep, "The buffer size for the cyclic mode will be truncated to %llu byte.",
			   (unsigned long long)plan.bufsize);
	}
	if (plan.in_file)
		dir = bitmap_dir(o);
	rc = cycle_init(&d->cyc, plan.pfns,
			d->have_mm ? (unsigned)d->mm.struct_size : 64, dir, err);
	if (rc < 0)
		return rc;
	report_debug(d->rep, "Buffer size for the cyclic mode: %llu",
		     (unsigned long long)plan.bufsize);
	if (plan.in_file)
		report_debug(d->rep, "Non-cyclic mode: bitmaps of %llu pfns in a file in %s.",
			     (unsigned long long)d->cyc.cap, dir);
	else if (plan.single)
		report_debug(d->rep, "There is enough free memory to be done in one cycle.");
	else
		report_debug(d->rep, "%llu cycles of %llu pfns (MemFree %llu kB).",
			     (unsigned long long)((d->max_mapnr + d->cyc.cap - 1) / d->cyc.cap),
			     (unsigned long long)d->cyc.cap,
			     (unsigned long long)(mem_free >> 10));
	return 0;
}

/* Pass 1: classify every window, count; the writer sees each window's
 * bitmaps (kdump-compressed writes them here). */
static int count_pass(struct dump_ctx *d, const struct scan_env *env,
		      struct writer *w, struct mdf_err *err)
{
	struct range_sink rs = report_range_sink(d->rep);
	uint64_t start, vx_pages = 0;
	int rc;

	cycle_rewind(&d->cyc);
	d->ndumpable = 0;
	/* makedumpfile's 1st bitmap phase: the ranges are known already */
	report_progress(d->rep, PROGRESS_HOLES, 0, 1);
	report_progress_done(d->rep, PROGRESS_HOLES);
	for (start = 0; start < d->max_mapnr; start += d->cyc.cap) {
		report_progress(d->rep, PROGRESS_UNN_PAGES, start,
				d->max_mapnr);
		rc = scan_cycle(env, &d->cyc, start, &d->stats,
				d->rep->want_ranges ? &rs : NULL, err);
		if (rc < 0)
			return mdf_err_wrap(err, "scanning pfns %#llx-%#llx",
					    (unsigned long long)start,
					    (unsigned long long)(start + d->cyc.cap));
		d->held_start = start;
		if (d->have_vx) {
			rc = vmemmap_excl_apply(&d->vx, &d->cyc, &vx_pages, err);
			if (rc < 0)
				return rc;
		}
		if (!d->cyc.empty) {
			d->ndumpable += cycle_count2(&d->cyc, 0,
						     d->cyc.end - d->cyc.start);
			if (d->plan)
				split_plan_add(d->plan, &d->cyc);
		}
		rc = w ? w->ops->count_window(w, &d->cyc, err) : 0;
		if (rc < 0)
			return rc;
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
	report_progress_done(d->rep, PROGRESS_UNN_PAGES);
	if (d->have_vx && !d->split)	/* --split: the parent says it */
		report_progress_note(d->rep, "Excluded %llu unused vmemmap pages",
				     (unsigned long long)vx_pages);
	return 0;
}

/* A finished batch to the writer, in pfn order.  Pass 0 counts the zero
 * pages (the count pass cannot: it reads no data). */
static int deliver_batch(struct dump_ctx *d, const struct pipe_batch *b,
			 struct writer *w, unsigned pass, struct mdf_err *err)
{
	unsigned i;

	for (i = 0; pass == 0 && i < b->n; i++) {
		const struct pipe_result *r = &b->res[i];

		if (r->absent && !d->absent_pages++)
			d->first_absent = r->pfn;
		if (r->zero && r->pfn < d->max_mapnr) {
			d->stats.excluded[PC_ZERO]++;
			report_add_range(d->rep, PC_ZERO, r->pfn, 1);
		}
	}
	return w->ops->pages(w, b->res, b->n, err);
}

/* Write the batches the workers have finished, oldest first: all of them
 * (all), or until a batch is free to fill again. */
static int drain_batches(struct dump_ctx *d, struct pipeline *pl,
			 struct writer *w, unsigned pass, bool all,
			 struct mdf_err *err)
{
	struct pipe_batch *b;
	int rc;

	for (;;) {
		rc = pipeline_collect(pl, all || pl->tail - pl->head >= pl->nbatch,
				      &b, err);
		if (rc < 0 || !b)
			return rc;
		rc = deliver_batch(d, b, w, pass, err);
		pipeline_recycle(pl, b);
		if (rc < 0)
			return rc;
	}
}

/* How the workers reached the page data (mmap windows or read()): -D
 * and --report-json show it, the kdump test checks it. */
static void reader_stats(struct dump_ctx *d, const struct pipeline *pl)
{
	uint64_t mapped = 0, pread = 0, windows = 0, runs = 0;
	unsigned i;

	for (i = 0; i < pl->nworkers; i++) {
		const struct input_reader *rd = &pl->w[i].rd;

		if (!pl->w[i].have_rd)
			continue;
		mapped += rd->pages_mapped;
		pread += rd->pages_pread;
		windows += rd->windows;
		runs += rd->runs;
		if (rd->no_mmap) {
			errno = rd->mmap_errno;
			report_msg(d->rep, "Can't read the dump memory(%s) with mmap(): %m; read() was used instead.",
				   d->in->path);
		}
	}
	d->stats.pages_mapped += mapped;
	d->stats.pages_pread += pread;
	d->stats.mmap_windows += windows;
	d->stats.read_runs += runs;
	if (mapped + pread)
		report_debug(d->rep, "Page data: %llu pages through %llu mmap windows of %u KiB, %llu with read() (%llu reads of runs of up to %u KiB).",
			     (unsigned long long)mapped,
			     (unsigned long long)windows,
			     (unsigned)(d->in->window_size >> 10),
			     (unsigned long long)pread, (unsigned long long)runs,
			     (unsigned)(INPUT_RUN_BYTES >> 10));
}

/* A page pass: every window up to what the writer asks, dumpable pages
 * through the pipeline in pfn order.  Windows past max_mapnr (ELF keeps
 * PT_LOADs above the last memory section) have no struct pages. */
static int page_pass(struct dump_ctx *d, const struct scan_env *env,
		     struct writer *w, unsigned pass, struct mdf_err *err)
{
	const bool last = pass + 1 == w->ops->npasses;
	const char *label = last ? PROGRESS_COPY : PROGRESS_ZERO_PAGES;
	struct scan_env tail = *env;
	struct writer_pass wp = { 0 };
	struct pipeline pl;
	struct pipe_batch *b = NULL;
	uint64_t start, done = 0;
	int rc;

	rc = w->ops->pass_begin(w, pass, &d->cyc, &wp, err);
	if (rc < 0)
		return rc;
	rc = pipeline_init(&pl, d->in, wp.work, d->dump_level & DL_EXCLUDE_ZERO,
			   d->codec, d->threads.workers, d->threads.help, err);
	if (rc < 0)
		return rc;
	/* --config: the eraseinfo counts what the last pass writes */
	if (last)
		erase_reset_applied(&d->erase);
	rc = pipeline_set_erase(&pl, &d->erase, err);
	if (rc < 0)
		goto out;
	tail.mm = NULL;
	tail.max_mapnr = wp.pfn_end;
	cycle_rewind(&d->cyc);
	for (start = 0; start < wp.pfn_end; start = d->cyc.end) {
		const struct scan_env *e = start < d->max_mapnr ? env : &tail;
		uint64_t i, n, lo, vx_pages;

		/* one window holding everything: the count pass's bitmaps
		 * are still there, unless the writer wants the exclusions */
		if (d->held_start != start || wp.ranges) {
			rc = scan_cycle(e, &d->cyc, start, NULL, wp.ranges, err);
			if (rc == 0 && d->have_vx)
				rc = vmemmap_excl_apply(&d->vx, &d->cyc,
							&vx_pages, err);
			if (rc < 0)
				goto out;
			d->held_start = start;
			if (wp.work != PIPE_NONE) {
				report_progress_done(d->rep, PROGRESS_HOLES);
				report_progress_done(d->rep, PROGRESS_UNN_PAGES);
			}
		}
		rc = w->ops->window(w, &d->cyc, err);
		if (rc < 0)
			goto out;
		n = d->cyc.end - d->cyc.start;
		if (n > wp.pfn_end - start)
			n = wp.pfn_end - start;
		/* --split: a part writes the pages of its own range */
		lo = wp.pfn_start > start ? wp.pfn_start - start : 0;
		if (lo > n)
			lo = n;
		for (i = wp.work == PIPE_NONE || d->cyc.empty ? n :
			 cycle_next2(&d->cyc, lo, n);
		     i < n; i = cycle_next2(&d->cyc, i + 1, n)) {
			if (!b)
				b = pipeline_get(&pl);
			b->pfn[b->n++] = start + i;
			if (b->n == pl.batch_pages) {
				pipeline_put(&pl, b);
				b = NULL;
				rc = drain_batches(d, &pl, w, pass, false, err);
				if (rc < 0)
					goto out;
				done += pl.batch_pages;
				if (wp.work != PIPE_NONE && (done & 0xfff) == 0)
					report_progress(d->rep, label, done,
							d->ndumpable);
			}
		}
		if (b && b->n) {
			done += b->n;
			pipeline_put(&pl, b);
			b = NULL;
		}
		/* the writer reads this window's bitmaps with its pages */
		rc = drain_batches(d, &pl, w, pass, true, err);
		if (rc < 0)
			goto out;
		rc = w->ops->window_end(w, &d->cyc, err);
		if (rc < 0)
			goto out;
	}
	rc = w->ops->pass_end(w, pass, err);
	if (rc < 0)
		goto out;
	if (wp.work != PIPE_NONE) {
		report_progress_done(d->rep, label);
		if (last)
			report_progress_end(d->rep);
	}
out:
	pipeline_stop(&pl);
	d->stats.pages_read += pipeline_pages_read(&pl);
	reader_stats(d, &pl);
	pipeline_deinit(&pl);
	return rc;
}

/* Where the dump goes: nowhere (--dry-run), standard output (-F) or the
 * file, created exclusively unless -f. */
static int open_sink(struct dump_ctx *d, struct sink **ret,
		     struct mdf_err *err)
{
	const struct opts *o = d->o;
	int rc;

	if (o->dry_run)
		rc = sink_null_create(ret, err);
	else if (o->flatten)
		rc = sink_flat_create(STDOUT_FILENO, "STDOUT", ret, err);
	else
		rc = sink_file_create(o->args[1], o->force, ret, err);
	if (rc < 0)
		return rc;
	(*ret)->limit = o->limit_size;
	return 0;
}

/* One attempt at one dump level: the count pass, the writer's page
 * passes, and the finishing touches. */
static int write_dump(struct dump_ctx *d, struct scan_env *env,
		      struct sink *s, struct writer **wret,
		      struct mdf_err *err)
{
	const struct writer_ops *ops = d->o->elf_out ? &writer_elf_ops :
				       &writer_kdump_ops;
	struct writer_params wp;
	unsigned pass;
	int rc;

	memset(&wp, 0, sizeof(wp));
	wp.sink = s;
	wp.in = d->in;
	wp.max_mapnr = d->max_mapnr;
	wp.dump_level = d->dump_level;
	wp.codec = d->codec;
	wp.block_order = d->o->block_order;
	if (d->have_utsname)
		memcpy(wp.utsname, d->utsname, sizeof(wp.utsname));
	if (d->have_vi && vmci_has(&d->vi, VMCI_CRASHTIME))
		wp.crashtime = vmci_get(&d->vi, VMCI_CRASHTIME);
	if (d->have_arch)
		wp.phys_base = d->arch.phys_base;
	wp.erase = d->erase.n ? &d->erase : NULL;
	wp.eraseinfo = d->in->eraseinfo;
	wp.eraseinfo_len = d->in->eraseinfo_len;
	wp.split = d->split;
	wp.split_start = d->split_start;
	wp.split_end = d->split_end;
	wp.excluded_vmemmap = d->have_vx;

	rc = ops->create(&wp, wret, err);
	if (rc < 0)
		return rc;
	rc = (*wret)->ops->begin(*wret, err);
	if (rc < 0)
		return rc;
	rc = count_pass(d, env, *wret, err);
	if (rc < 0)
		return rc;
	for (pass = 0; pass < ops->npasses; pass++) {
		rc = page_pass(d, env, *wret, pass, err);
		if (rc < 0)
			return rc;
	}
	rc = (*wret)->ops->finish(*wret, err);
	if (rc == 0 && d->erase.n && (d->rep->ml & ML_DEBUG))
		rc = debug_eraseinfo(d, err);
	return rc;
}

static void reset_stats(struct dump_ctx *d)
{
	uint64_t max_mapnr = d->stats.max_mapnr;

	memset(&d->stats, 0, sizeof(d->stats));
	d->stats.max_mapnr = max_mapnr;
	d->absent_pages = 0;
	report_clear_ranges(d->rep);
}

/* The codec of -c/-l/-p/-z, or none when this build lacks it (the pages
 * are then stored raw, as makedumpfile does).  Its state is tried once
 * here: a dynamic build loads the codec's library now, so a missing one
 * is an error naming it before any output exists. */
static int pick_codec(struct dump_ctx *d, struct mdf_err *err)
{
	struct codec_state cs;
	int rc;

	enum codec_id id = d->o->elf_out ? CODEC_NONE : d->o->codec;

	d->codec = codec_find(id);
	if (!d->codec) {
		const char *n = codec_name(id);

		report_msg(d->rep, "'-%c' option is disabled, because this binary doesn't support %s compression.",
			   id == CODEC_LZO ? 'l' : id == CODEC_SNAPPY ? 'p' : 'z', n);
		report_msg(d->rep, "Try `make %s=1` when building.",
			   id == CODEC_LZO ? "LZO" : id == CODEC_SNAPPY ? "SNAPPY" : "ZSTD");
		d->codec = &codec_none;
	}
	rc = codec_state_init(&cs, d->codec, err);
	if (rc < 0)
		return mdf_err_wrap(err, "-%c (%s)", d->codec->option,
				    d->codec->name);
	codec_state_deinit(&cs);
	return 0;
}

/* Options that would change what the dump holds are refused by name
 * until they are implemented, never ignored (an erase filter that is
 * silently skipped would leak what it was meant to hide). */
static int check_unimplemented(const struct opts *o, struct mdf_err *err)
{
	const char *what = o->eppic ? "--eppic" :
			   o->n_extension ? "--extension" :
			   o->exclude_xen_domu ? "-X" :
			   o->n_diskset ? "--diskset" : NULL;

	if (what)
		return mdf_err_set(err, MDF_EUNSUPP,
				   "%s is not implemented yet", what);
	return 0;
}

/* What this makedumpfile does not offer at all is refused by name in
 * every mode, --check-params included, never ignored (cli.md section 2). */
static int check_unsupported(const struct opts *o, struct mdf_err *err)
{
	const char *xen = o->exclude_xen_domu ? "-X" :
			  o->xen_syms ? "--xen-syms" :
			  o->xen_vmcoreinfo ? "--xen-vmcoreinfo" :
			  o->have_xen_phys_start ? "--xen_phys_start" : NULL;

	if (o->eppic)
		return mdf_err_set(err, MDF_EUNSUPP,
				   "--eppic is not supported: this makedumpfile has no eppic interpreter (--config erases data)");
	if (o->n_extension)
		return mdf_err_set(err, MDF_EUNSUPP,
				   "--extension is not supported: this makedumpfile loads no filter plug-ins");
	if (xen)
		return mdf_err_set(err, MDF_EUNSUPP,
				   "%s is not supported: Xen hypervisor dumps are not supported",
				   xen);
	if (o->n_diskset)
		return mdf_err_set(err, MDF_EUNSUPP,
				   "--diskset is not supported: sadump dumps are not supported");
	return 0;
}

/* -E is refused for a kdump-compressed input (cli.md section 2). */
static int check_elf_input(const char *path, struct mdf_err *err)
{
	char sig[KDUMP_SIGNATURE_LEN];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;	/* input_open() reports it */
	n = pread(fd, sig, sizeof(sig), 0);
	close(fd);
	if (n == (ssize_t)sizeof(sig) &&
	    memcmp(sig, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN) == 0)
		return mdf_err_set(err, MDF_EINVAL,
				   "'-E' option is disabled, because %s is kdump compressed format.",
				   path);
	return 0;
}

static void report_anomalies(struct dump_ctx *d)
{
	report_warns(d->rep, &d->warns);
	if (d->stats.memmap_unavailable || d->stats.bad_order ||
	    d->stats.bad_buddy || d->stats.memmap_offline ||
	    d->stats.memmap_poisoned)
		report_msg(d->rep,
			   "Kept unclassified: %llu pages without a readable struct page (first: pfn %#llx), %llu in offline sections, %llu with an impossible compound order, %llu with an impossible free order, %llu with a poisoned (uninitialised) struct page.",
			   (unsigned long long)d->stats.memmap_unavailable,
			   (unsigned long long)d->stats.first_unavailable,
			   (unsigned long long)d->stats.memmap_offline,
			   (unsigned long long)d->stats.bad_order,
			   (unsigned long long)d->stats.bad_buddy,
			   (unsigned long long)d->stats.memmap_poisoned);
	if (d->absent_pages)
		report_msg(d->rep,
			   "%llu pages the input describes had no data when read (first: pfn %#llx); written as zeros.",
			   (unsigned long long)d->absent_pages,
			   (unsigned long long)d->first_absent);
	if (d->stats.memmap_nosection)
		report_debug(d->rep,
			     "%llu pages in the dump belong to no memory section (firmware ranges); kept.",
			     (unsigned long long)d->stats.memmap_nosection);
	if (d->stats.offline_absent)
		report_debug(d->rep,
			     "%llu logically offline pages have struct pages but no memory in the dump; not read.",
			     (unsigned long long)d->stats.offline_absent);
}

/* Re-filtering keeps what the input excluded: the level is ORed with the
 * input's (cli.md section 4). */
static unsigned refilter_level(struct dump_ctx *d, unsigned level)
{
	unsigned src = d->in->src_dump_level < 0 ? 0 :
		       (unsigned)d->in->src_dump_level;

	if ((level | src) != level)
		report_msg(d->rep, "dump_level is changed to %u, because %s was created by dump_level(%u).",
			   level | src, d->in->path, src);
	return level | src;
}

/* -e (x86_64 only, as makedumpfile 1.7.2): read the vmemmap mapping.
 * Where it cannot be used (4 KiB-mapped vmemmap, no vmemmap) the dump is
 * written without -e after 1.7.2's messages, as 1.7.2 does. */
static int setup_vmemmap_excl(struct dump_ctx *d, struct mdf_err *err)
{
	struct mdf_err e;
	int rc;

	if (!d->have_arch || d->arch.ops != &arch_x86_64)
		return mdf_err_set(err, MDF_EUNSUPP,
				   "-e is only for x86_64 (the vmemmap pages are found through x86_64 page tables): this dump is %s",
				   d->have_arch ? d->arch.ops->name :
				   "of an unknown architecture");
	if (!d->have_mm || d->cyc.cap < d->max_mapnr)
		return mdf_err_set(err, MDF_EINVAL,
				   "-e needs the struct pages and one bitmap over all pfns (--work-dir)");
	rc = vmemmap_excl_init(&d->vx, &d->mm, &d->arch,
			       input_max_pfn(d->in), &e);
	if (rc < 0) {
		*err = e;
		return mdf_err_wrap(err, "-e");
	}
	if (rc == MDF_ABSENT) {
		if (d->vx.not_huge_va)
			report_msg(d->rep, "vmemmap pmd not huge, abort");
		report_error(d->rep, "Can't find vmemmap pages (%s): the dump is written without -e.",
			     e.msg);
		vmemmap_excl_deinit(&d->vx);
		return 0;
	}
	report_debug(d->rep, "-e: vmemmap at %#llx, %llu blocks of 2 MiB; runs end at or below pfn %#llx",
		     (unsigned long long)d->vx.base,
		     (unsigned long long)d->vx.nchunk,
		     (unsigned long long)d->vx.last_pfn);
	d->have_vx = true;
	return 0;
}

/* Everything before the first page of a dump: the input, the layout,
 * the codec, the window; env is ready for the passes. */
static int create_setup(struct dump_ctx *d, struct scan_env *env,
			struct mdf_err *err)
{
	const struct opts *o = d->o;
	int i, nout = o->split ? o->nargs - 1 : 1;
	unsigned nscan;
	int rc;

	rc = check_unimplemented(o, err);
	if (rc < 0)
		return rc;
	/* makedumpfile checks this before any work */
	for (i = 0; i < nout && !o->dry_run && !o->flatten && !o->force; i++)
		if (access(o->args[1 + i], F_OK) == 0)
			return mdf_err_set(err, MDF_EIO,
					   "Can't open the dump file (%s). File exists",
					   o->args[1 + i]);
	if (o->elf_out) {
		rc = check_elf_input(o->args[0], err);
		if (rc < 0)
			return rc;
	}

	rc = dump_setup(d, o->args[0], err);
	if (rc < 0)
		return rc;
	if (o->elf_out && d->in->is_kdump)	/* inside a flattened stream */
		return mdf_err_set(err, MDF_EINVAL,
				   "'-E' option is disabled, because %s is kdump compressed format.",
				   o->args[0]);
	if (o->config) {
		if (!d->have_arch)
			return mdf_err_set(err, MDF_EINVAL,
					   "--config needs the dump's VMCOREINFO and address translation");
		rc = erase_setup(o->config, o->vmlinux, &d->vi, &d->arch,
				 &d->erase, &d->warns, err);
		if (rc < 0)
			return rc;
		debug_erase(d);
	}
	report_warns(d->rep, &d->warns);
	d->warns.n = d->warns.dropped = 0;
	debug_setup(d);
	debug_mem_map(d);
	if (o->have_vtop) {
		rc = print_vtop(d, err);
		if (rc < 0)
			return rc;
	}
	if (!d->have_vi)
		d->max_mapnr = input_max_pfn(d->in);
	d->stats.max_mapnr = d->max_mapnr;
	rc = pick_codec(d, err);
	if (rc < 0)
		return rc;
	d->threads = pipeline_plan((unsigned)o->num_threads, pipeline_usable_cpus());
	if (o->num_threads)
		report_debug(d->rep, "--num-threads %d: %u worker thread(s)%s read, check and compress pages; one writer keeps pfn order",
			     o->num_threads, d->threads.workers,
			     d->threads.help ? " and the main thread" : "");

	rc = setup_cycles(d, err);
	if (rc < 0)
		return rc;
	if (o->exclude_vmemmap) {
		rc = setup_vmemmap_excl(d, err);
		if (rc < 0)
			return rc;
	}

	env->in = d->in;
	env->mm = d->have_mm ? &d->mm : NULL;
	env->pl = &d->pl;
	env->max_mapnr = d->max_mapnr;
	/* the struct page scan is split among as many threads, and the
	 * main thread takes a part of its own where it helps the page
	 * pipeline */
	nscan = d->threads.workers + (d->threads.help ? 1 : 0);
	env->nthreads = nscan > SCAN_MAX_PARTS ? SCAN_MAX_PARTS : nscan;
	return 0;
}

static int run_create(struct dump_ctx *d, struct mdf_err *err)
{
	const struct opts *o = d->o;
	const char *name = o->flatten ? "STDOUT" : o->args[1];
	unsigned levels = o->n_levels ? o->n_levels : 1, attempt;
	struct writer *w = NULL;
	struct sink *s = NULL;
	struct scan_env env;
	int rc;

	rc = create_setup(d, &env, err);
	if (rc < 0)
		return rc;
	rc = open_sink(d, &s, err);
	if (rc < 0)
		return rc;
	for (attempt = 0; ; attempt++) {
		d->dump_level = refilter_level(d, o->n_levels ?
					       o->dump_level[attempt] : 0);
		env.dump_level = d->dump_level;
		d->held_start = UINT64_MAX;
		reset_stats(d);
		rc = write_dump(d, &env, s, &w, err);
		if (rc == 0)
			break;
		if (!s->nospace)
			goto out;
		/* the device is full or -L is reached (cli.md section 5) */
		report_msg(d->rep, "\n%s", err->msg);
		if (attempt + 1 < levels && s->can_patch) {
			report_msg(d->rep, "Retry to create a dumpfile by dump_level(%u).",
				   o->dump_level[attempt + 1]);
			writer_destroy(w);
			w = NULL;
			rc = sink_reset(s, err);
			if (rc < 0)
				goto out;
			continue;
		}
		if (w)
			w->ops->incomplete(w, err);
		if (!o->flatten)
			report_msg(d->rep, "This is an incomplete dumpfile, but might analyzable.");
		/* the classification is complete: tests check what was
		 * written against it */
		if (o->report_json)
			report_json(d->rep, o->report_json, &d->stats,
				    d->dump_level, d->in->page_size, err);
		/* said already: main.c prints nothing more */
		mdf_err_set(err, MDF_ENOSPC, "%s", "");
		rc = -MDF_ENOSPC;
		goto out;
	}

	d->stats.write_bytes = s->written;
	report_anomalies(d);
	report_stats(d->rep, &d->stats, o->elf_out, w->elf_excluded);
	if (o->report_json) {
		rc = report_json(d->rep, o->report_json, &d->stats, d->dump_level,
				 d->in->page_size, err);
		if (rc < 0)
			goto out;
	}
	report_msg(d->rep, "\nThe dumpfile is saved to %s.", name);
	rc = 0;
out:
	writer_destroy(w);
	sink_destroy(s);
	return rc;
}

/* What a --split part tells the parent, then nzero [start, count] pairs
 * of its zero pages (for --report-json). */
struct split_msg {
	int rc;
	bool nospace;
	struct mdf_err err;
	uint64_t zero, written, absent, first_absent, pages_read;
	uint64_t nzero;
};

static bool write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* One part, in a child process: the whole count pass (the part holds
 * both full bitmaps) and the pages of [a, b).  Never returns. */
static void split_child(struct dump_ctx *d, struct scan_env *env, int part,
			uint64_t a, uint64_t b, int fd)
{
	const struct opts *o = d->o;
	struct report_range_list *zl = &d->rep->ranges[PC_ZERO];
	struct split_msg m;
	struct writer *w = NULL;
	struct sink *s = NULL;
	struct mdf_err e2;

	memset(&m, 0, sizeof(m));
	/* one progress line, not one per part */
	if (part)
		d->rep->ml &= ~(unsigned)ML_PROGRESS;
	d->plan = NULL;
	d->split = true;
	d->split_start = a;
	d->split_end = b;
	m.rc = o->dry_run ? sink_null_create(&s, &m.err) :
	       sink_file_create(o->args[1 + part], o->force, &s, &m.err);
	/* the parts rebuild the window at once: --work-dir's file mapping
	 * must not be shared between them */
	if (m.rc == 0)
		m.rc = cycle_make_private(&d->cyc, &m.err);
	if (m.rc == 0) {
		s->limit = o->limit_size;
		d->held_start = UINT64_MAX;
		reset_stats(d);
		m.rc = write_dump(d, env, s, &w, &m.err);
		if (m.rc < 0 && s->nospace) {
			m.nospace = true;
			if (w)
				w->ops->incomplete(w, &e2);
		}
		m.written = s->written;
	}
	m.zero = d->stats.excluded[PC_ZERO];
	m.absent = d->absent_pages;
	m.first_absent = d->first_absent;
	m.pages_read = d->stats.pages_read;
	m.nzero = zl->n;
	if (!write_all(fd, &m, sizeof(m)) ||
	    (zl->n && !write_all(fd, zl->r, zl->n * sizeof(*zl->r))))
		_exit(2);
	writer_destroy(w);
	sink_destroy(s);
	_exit(0);
}

/* --split (formats.md section 6): the count pass here plans the ranges,
 * then one child process per part writes it; their outcome comes back
 * through a pipe each. */
static int run_split(struct dump_ctx *d, struct mdf_err *err)
{
	const struct opts *o = d->o;
	unsigned nparts = (unsigned)o->nargs - 1, i;
	uint64_t (*ranges)[2] = NULL;
	struct split_plan plan;
	struct scan_env env;
	pid_t *pid = NULL;
	int *fds = NULL;
	bool nospace = false, failed = false;
	int rc;

	rc = create_setup(d, &env, err);
	if (rc < 0)
		return rc;
	d->dump_level = refilter_level(d, opts_dump_level(o));
	env.dump_level = d->dump_level;
	rc = split_plan_init(&plan, d->max_mapnr, d->in->page_size,
			     o->splitblock_kib, err);
	if (rc < 0)
		return rc;
	ranges = calloc(nparts, sizeof(*ranges));
	pid = calloc(nparts, sizeof(*pid));
	fds = calloc(nparts, sizeof(*fds));
	if (!ranges || !pid || !fds) {
		rc = mdf_err_set(err, MDF_ENOMEM, "out of memory");
		goto out;
	}
	d->plan = &plan;
	d->held_start = UINT64_MAX;
	reset_stats(d);
	rc = count_pass(d, &env, NULL, err);
	d->plan = NULL;
	if (rc < 0)
		goto out;
	split_plan_ranges(&plan, nparts, ranges);
	for (i = 0; i < nparts; i++)
		report_debug(d->rep, "dumpfile %u: %s, pfn %#llx-%#llx", i + 1,
			     o->args[1 + i], (unsigned long long)ranges[i][0],
			     (unsigned long long)ranges[i][1]);

	fflush(NULL);
	for (i = 0; i < nparts; i++) {
		int p[2];

		pid[i] = -1;
		fds[i] = -1;
		if (pipe(p) != 0) {
			rc = mdf_err_sys(err, errno, "Can't create a pipe for --split");
			goto reap;
		}
		pid[i] = fork();
		if (pid[i] < 0) {
			rc = mdf_err_sys(err, errno, "Can't fork a process for %s",
					 o->args[1 + i]);
			close(p[0]);
			close(p[1]);
			goto reap;
		}
		if (pid[i] == 0) {
			close(p[0]);
			split_child(d, &env, (int)i, ranges[i][0], ranges[i][1],
				    p[1]);
		}
		close(p[1]);
		fds[i] = p[0];
	}
reap:
	for (i = 0; i < nparts && pid[i] != 0; i++) {
		struct split_msg m;
		int status;
		bool got = false;

		if (pid[i] < 0)
			break;
		if (read_all(fds[i], &m, sizeof(m))) {
			uint64_t (*zr)[2] = NULL, k;

			got = true;
			if (m.nzero && m.nzero < (1ull << 40) &&
			    (zr = malloc(m.nzero * sizeof(*zr))) &&
			    read_all(fds[i], zr, m.nzero * sizeof(*zr)))
				for (k = 0; k < m.nzero; k++)
					report_add_range(d->rep, PC_ZERO,
							 zr[k][0], zr[k][1]);
			free(zr);
		}
		close(fds[i]);
		while (waitpid(pid[i], &status, 0) < 0 && errno == EINTR)
			;
		if (rc < 0)
			continue;
		if (!got || !WIFEXITED(status) || WEXITSTATUS(status)) {
			failed = true;
			if (WIFSIGNALED(status))
				rc = mdf_err_set(err, MDF_EIO,
						 "the process writing %s was killed by signal %d",
						 o->args[1 + i], WTERMSIG(status));
			else
				rc = mdf_err_set(err, MDF_EIO,
						 "the process writing %s ended without its result",
						 o->args[1 + i]);
			continue;
		}
		d->stats.excluded[PC_ZERO] += m.zero;
		d->stats.write_bytes += m.written;
		d->stats.pages_read += m.pages_read;
		if (m.absent && !d->absent_pages)
			d->first_absent = m.first_absent;
		d->absent_pages += m.absent;
		if (m.rc < 0 && m.nospace) {
			nospace = true;
			report_msg(d->rep, "\n%s", m.err.msg);
		} else if (m.rc < 0 && !failed) {
			failed = true;
			*err = m.err;
			rc = m.rc;
		}
	}
	if (rc < 0)
		goto out;
	if (nospace) {
		report_msg(d->rep, "This is an incomplete dumpfile, but might analyzable.");
		mdf_err_set(err, MDF_ENOSPC, "%s", "");
		rc = -MDF_ENOSPC;
		goto out;
	}
	report_anomalies(d);
	report_stats(d->rep, &d->stats, false, 0);
	if (o->report_json) {
		rc = report_json(d->rep, o->report_json, &d->stats, d->dump_level,
				 d->in->page_size, err);
		if (rc < 0)
			goto out;
	}
	{
		char line[4096];
		size_t n = (size_t)snprintf(line, sizeof(line),
					    "\nThe dumpfiles are saved to ");

		for (i = 0; i < nparts && n < sizeof(line); i++)
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      i + 1 < nparts ? "%s, " : "and %s.",
					      o->args[1 + i]);
		report_msg(d->rep, "%s", line);
	}
out:
	split_plan_deinit(&plan);
	free(ranges);
	free(pid);
	free(fds);
	return rc;
}

static void reassemble_step(void *ctx, uint64_t done, uint64_t total)
{
	report_progress(ctx, PROGRESS_COPY, done, total);
}

/* --reassemble D1 ... Dn OUT (formats.md section 6). */
static int run_reassemble(struct dump_ctx *d, struct mdf_err *err)
{
	const struct opts *o = d->o;
	const char *out = o->args[o->nargs - 1];
	struct reassemble_progress prog = { reassemble_step, d->rep };
	struct sink *s = NULL;
	bool incomplete = false;
	int rc;

	if (!o->force && access(out, F_OK) == 0)
		return mdf_err_set(err, MDF_EIO,
				   "Can't open the dump file (%s). File exists", out);
	rc = sink_file_create(out, o->force, &s, err);
	if (rc < 0)
		return rc;
	s->limit = o->limit_size;
	rc = reassemble_parts(o->args, (unsigned)o->nargs - 1, s, &prog,
			      &incomplete, err);
	if (rc == 0) {
		report_progress_done(d->rep, PROGRESS_COPY);
		report_progress_end(d->rep);
	}
	if (rc < 0 && s->nospace) {
		report_msg(d->rep, "\n%s", err->msg);
		report_msg(d->rep, "This is an incomplete dumpfile, but might analyzable.");
		mdf_err_set(err, MDF_ENOSPC, "%s", "");
	} else if (rc < 0) {
		/* nothing worth keeping was written */
		unlink(out);
	}
	sink_destroy(s);
	if (rc < 0)
		return rc;
	if (incomplete) {
		report_msg(d->rep, "This is an incomplete dumpfile, but might analyzable.");
		return mdf_err_set(err, MDF_EFORMAT,
				   "a part is incomplete, so is %s", out);
	}
	report_msg(d->rep, "\nThe dumpfile is saved to %s.", out);
	return 0;
}

/* -R: the flattened stream on standard input into the dump file. */
static int run_rearrange(struct dump_ctx *d, struct mdf_err *err)
{
	const struct opts *o = d->o;
	struct sink *s = NULL;
	int rc;

	if (!o->force && access(o->args[0], F_OK) == 0)
		return mdf_err_set(err, MDF_EIO,
				   "Can't open the dump file (%s). File exists",
				   o->args[0]);
	rc = sink_file_create(o->args[0], o->force, &s, err);
	if (rc < 0)
		return rc;
	s->limit = o->limit_size;
	rc = rearrange_stream(STDIN_FILENO, s, err);
	if (rc == 0)
		rc = sink_finish(s, err);
	sink_destroy(s);
	if (rc < 0)
		return rc;
	report_msg(d->rep, "\nThe dumpfile is saved to %s.", o->args[0]);
	return 0;
}

/* --show-vmcoreinfo [VMCORE]: the note text as the kernel wrote it.  On
 * the running system it is /proc/kcore's note (4.19+, kernel 23c85094fe18)
 * or, before that, the note whose physical address and size
 * /sys/kernel/vmcoreinfo gives, read through /proc/kcore. */
static int run_show_vmcoreinfo(struct dump_ctx *d, struct mdf_err *err)
{
	static const char kcore[] = "/proc/kcore";
	static const char sys_note[] = "/sys/kernel/vmcoreinfo";
	const struct opts *o = d->o;
	const char *path = o->nargs ? o->args[0] : kcore;
	unsigned long long paddr = 0, size = 0;
	bool live = !o->nargs, have_sys = false;
	FILE *f;
	int rc;

	if (live && (f = fopen(sys_note, "r"))) {
		have_sys = fscanf(f, "%llx %llx", &paddr, &size) == 2 &&
			   size >= 24 && size <= (1u << 20);
		fclose(f);
	}
	rc = input_open(path, NULL, &d->warns, &d->in, err);
	if (rc < 0) {
		if (have_sys)
			return mdf_err_wrap(err, "%s puts the note at %#llx (%llu bytes), readable only through %s",
					    sys_note, paddr, size, kcore);
		return rc;
	}
	if (d->in->vmcoreinfo) {
		report_text(d->rep, d->in->vmcoreinfo, d->in->vmcoreinfo_len);
		return 0;
	}
	if (have_sys) {
		/* an ELF note: namesz, descsz, type, "VMCOREINFO\0" + pad, text */
		char *note = malloc(size);
		uint32_t namesz, descsz;

		if (!note)
			return mdf_err_set(err, MDF_ENOMEM, "out of memory");
		rc = input_read_paddr(d->in, paddr, note, size, err);
		if (rc == MDF_ABSENT)
			rc = mdf_err_set(err, MDF_EFORMAT, "%s has no memory at %#llx",
					 kcore, paddr);
		if (rc == 0) {
			memcpy(&namesz, note, 4);
			memcpy(&descsz, note + 4, 4);
			if (namesz != 11 || memcmp(note + 12, "VMCOREINFO", 11) ||
			    descsz > size - 24)
				rc = mdf_err_set(err, MDF_EFORMAT,
						 "no VMCOREINFO note at %#llx", paddr);
			else
				report_text(d->rep, note + 24, descsz);
		}
		free(note);
		if (rc < 0)
			return mdf_err_wrap(err, "the note %s points to", sys_note);
		return 0;
	}
	return mdf_err_set(err, MDF_EFORMAT, "%s has no VMCOREINFO note", path);
}

/* --mem-usage (cli.md section 9): level 31 over the running kernel's
 * /proc/kcore, or over a vmcore given instead, and makedumpfile's table.
 * The passes of a dry run count the classes and the zero pages. */
static int run_mem_usage(struct dump_ctx *d, struct mdf_err *err)
{
	const char *path = d->o->args[0];
	struct scan_env env = { 0 };
	struct writer *w = NULL;
	struct sink *s = NULL;
	int rc;

	if (memusage_is_live(path)) {
		rc = memusage_check_system(d->o->force, err);
		if (rc < 0)
			return rc;
	}
	d->dump_level = DL_EXCLUDE_ZERO | DL_EXCLUDE_CACHE |
			DL_EXCLUDE_CACHE_PRI | DL_EXCLUDE_USER_DATA |
			DL_EXCLUDE_FREE;
	rc = dump_setup(d, path, err);
	if (rc < 0)
		return rc;
	report_warns(d->rep, &d->warns);
	d->warns.n = d->warns.dropped = 0;
	if (!d->have_mm)
		return mdf_err_set(err, MDF_EFORMAT,
				   "%s: no struct pages to classify (VMCOREINFO is missing or incomplete)",
				   path);
	d->stats.max_mapnr = d->max_mapnr;
	d->codec = &codec_none;
	/* one window over all pfns, as makedumpfile's non-cyclic mode:
	 * the bitmaps in a file (cli.md section 6) */
	rc = cycle_init(&d->cyc, d->max_mapnr < 64 ? 64 : d->max_mapnr,
			(unsigned)d->mm.struct_size, bitmap_dir(d->o), err);
	if (rc < 0)
		return rc;
	env.in = d->in;
	env.mm = &d->mm;
	env.pl = &d->pl;
	env.dump_level = d->dump_level;
	env.max_mapnr = d->max_mapnr;
	d->held_start = UINT64_MAX;
	rc = sink_null_create(&s, err);
	if (rc < 0)
		return rc;
	rc = write_dump(d, &env, s, &w, err);
	writer_destroy(w);
	sink_destroy(s);
	if (rc < 0)
		return rc;
	report_warns(d->rep, &d->warns);
	report_mem_usage(d->rep, &d->stats, d->in->page_size);
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
			    O_NOFOLLOW | (o->force ? 0 : O_EXCL), 0600);
		/* an existing file (-f) keeps its mode through O_TRUNC:
		 * the log is 0600 like every output */
		if (f.fd >= 0 && o->force && fchmod(f.fd, 0600) != 0) {
			close(f.fd);
			f.fd = -1;
		}
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

/* The files a run writes never name each other or what it reads. */
static int check_output_names(const struct opts *o, struct mdf_err *err)
{
	unsigned n = o->nargs > 0 ? (unsigned)o->nargs : 0;

	switch (o->mode) {
	case MODE_CREATE:
		if (o->dry_run || o->flatten || n < 2)
			return 0;
		return sink_check_names(o->args + 1, n - 1, o->args, 1, err);
	case MODE_DUMP_DMESG:
		return n < 2 ? 0 : sink_check_names(o->args + 1, 1, o->args, 1, err);
	case MODE_REASSEMBLE:
		return n < 2 ? 0 : sink_check_names(o->args + n - 1, 1, o->args,
						     n - 1, err);
	default:
		return 0;
	}
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
	if (r->ml & ML_DEBUG) {
		char line[4096];
		size_t n = 0;
		int i;

		for (i = 0; i < o->argc && n < sizeof(line); i++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s ",
					      o->argv[i]);
		report_debug(r, "makedumpfile: version %s (released on %s)",
			     MDF_VERSION, MDF_RELEASE_DATE);
		report_debug(r, "command line: %s\n", n ? line : "");
	}

	rc = check_unsupported(o, err);
	if (rc < 0)
		goto out;
	/* --check-params: the command line only, in every mode; nothing is
	 * opened (RHEL's mkdumprd checks its core_collector line so) */
	if (o->check_params) {
		rc = o->mode == MODE_CREATE ? check_unimplemented(o, err) : 0;
		goto out;
	}
	rc = check_output_names(o, err);
	if (rc < 0)
		goto out;
	switch (o->mode) {
	case MODE_GEN_VMCOREINFO:
		if (o->check_params) {
			rc = 0;
			break;
		}
		if (!o->vmlinux) {
			rc = mdf_err_set(err, MDF_EUNSUPP,
					 "-g with --xen-syms is not supported");
			break;
		}
		rc = dwarfinfo_write_vmcoreinfo(o->vmlinux, o->vmcoreinfo_out,
						&d->warns, err);
		report_warns(r, &d->warns);
		if (rc == 0)
			report_msg(r, "\nThe vmcoreinfo is saved to %s.",
				   o->vmcoreinfo_out);
		break;
	case MODE_MEM_USAGE:
		rc = o->check_params ? 0 : run_mem_usage(d, err);
		break;
	case MODE_CREATE:
		rc = o->split ? run_split(d, err) : run_create(d, err);
		break;
	case MODE_SHOW_VMCOREINFO:
		rc = run_show_vmcoreinfo(d, err);
		break;
	case MODE_REARRANGE:
		rc = o->check_params ? 0 : run_rearrange(d, err);
		break;
	case MODE_REASSEMBLE:
		rc = o->check_params ? 0 : run_reassemble(d, err);
		break;
	case MODE_DUMP_DMESG:
		rc = o->check_params ? 0 : run_dmesg(d, err);
		break;
	default:
		rc = mdf_err_set(err, MDF_EUNSUPP,
				 "this mode is not implemented yet");
	}
out:
	/* warnings gathered before a failure still explain it */
	if (rc < 0)
		report_warns(r, &d->warns);
	dump_fini(d);
	free(d);
	return rc;
}
