/* opts.c: the command line (cli.md sections 1-3), parsed once.
 *
 * opt_table[] is the single source for getopt and for --help.  Validation
 * follows makedumpfile's check_param_for_*() rules; a rejected command line
 * gives MDF_EINVAL and main.c prints the two lines scripts expect.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

enum {
	OPT_SPLIT = 256, OPT_REASSEMBLE, OPT_SPLITBLOCK, OPT_CYCLIC_BUFFER,
	OPT_NON_CYCLIC, OPT_WORK_DIR, OPT_NON_MMAP, OPT_NUM_THREADS,
	OPT_DUMP_DMESG, OPT_PARTIAL_DMESG, OPT_MEM_USAGE, OPT_VTOP,
	OPT_CONFIG, OPT_EPPIC, OPT_MESSAGE_LEVEL, OPT_SHOW_STATS,
	OPT_CHECK_PARAMS, OPT_DRY_RUN, OPT_DISKSET, OPT_XEN_SYMS,
	OPT_XEN_VMCOREINFO, OPT_XEN_PHYS_START, OPT_EXTENSION, OPT_REPORT_JSON,
	OPT_TRACE_READS, OPT_SHOW_VMCOREINFO, OPT_OFFLINE_VALUE, OPT_MMAP,
};

struct opt_desc {
	const char *lname;	/* long name or NULL */
	int val;		/* short char or OPT_* */
	int has_arg;
	const char *arg;	/* argument name for --help */
	const char *help;
};

static const struct opt_desc opt_table[] = {
	{ NULL, 'c', 0, NULL, "compress each page with zlib" },
	{ NULL, 'l', 0, NULL, "compress each page with LZO" },
	{ NULL, 'p', 0, NULL, "compress each page with snappy" },
	{ NULL, 'z', 0, NULL, "compress each page with zstd (the last of -c -l -p -z wins)" },
	{ NULL, 'E', 0, NULL, "write an ELF dump instead of kdump-compressed" },
	{ NULL, 'd', 1, "DL[,DL...]", "dump level 0-31 (1 zero, 2 cache, 4 cache with private, 8 user, 16 free); a list retries on a full disk" },
	{ NULL, 'L', 1, "SIZE", "limit the dump to SIZE bytes (K, M, G, T, P, E suffixes)" },
	{ NULL, 'x', 1, "VMLINUX", "kernel debug information" },
	{ NULL, 'i', 1, "VMCOREINFO", "VMCOREINFO text file to use instead of the dump's" },
	{ NULL, 'g', 1, "VMCOREINFO", "write VMCOREINFO generated from -x VMLINUX" },
	{ NULL, 'F', 0, NULL, "write the flattened format to standard output" },
	{ NULL, 'R', 0, NULL, "rearrange a flattened stream from standard input into DUMPFILE" },
	{ NULL, 'f', 0, NULL, "overwrite an existing DUMPFILE" },
	{ NULL, 'e', 0, NULL, "exclude vmemmap pages that describe only excluded pages (needs --work-dir)" },
	{ NULL, 'X', 0, NULL, "exclude Xen user domain pages" },
	{ NULL, 'b', 1, "ORDER", "write cache of 2^ORDER pages" },
	{ NULL, 'D', 0, NULL, "print debugging messages" },
	{ NULL, 'v', 0, NULL, "print the version and the compiled-in codecs" },
	{ "help", 'h', 0, NULL, "print this help" },
	{ "split", OPT_SPLIT, 0, NULL, "split the dump into the DUMPFILEs given" },
	{ "reassemble", OPT_REASSEMBLE, 0, NULL, "join split DUMPFILEs into the last one" },
	{ "splitblock-size", OPT_SPLITBLOCK, 1, "KiB", "granularity of --split (default 1 GiB)" },
	{ "cyclic-buffer", OPT_CYCLIC_BUFFER, 1, "KiB", "bitmap buffer per cycle (default: automatic)" },
	{ "non-cyclic", OPT_NON_CYCLIC, 0, NULL, "process all pages in one cycle" },
	{ "work-dir", OPT_WORK_DIR, 1, "DIR", "keep whole bitmaps in a file in DIR" },
	{ "non-mmap", OPT_NON_MMAP, 0, NULL, "read the dump with read() only, also /proc/vmcore" },
	{ "mmap", OPT_MMAP, 0, NULL, "read a regular file through mmap() windows too (default: read(); /proc/vmcore: mmap())" },
	{ "num-threads", OPT_NUM_THREADS, 1, "N", "compress with N threads" },
	{ "dump-dmesg", OPT_DUMP_DMESG, 0, NULL, "write the kernel log of VMCORE to LOGFILE" },
	{ "partial-dmesg", OPT_PARTIAL_DMESG, 0, NULL, "with --dump-dmesg: only the log since the last clear" },
	{ "mem-usage", OPT_MEM_USAGE, 0, NULL, "show page usage of the running system (/proc/kcore)" },
	{ "vtop", OPT_VTOP, 1, "VADDR", "translate one kernel virtual address" },
	{ "config", OPT_CONFIG, 1, "FILE", "erase filter configuration (makedumpfile.conf(5))" },
	{ "eppic", OPT_EPPIC, 1, "MACRO", "eppic filter macro" },
	{ "message-level", OPT_MESSAGE_LEVEL, 1, "ML", "message level 0-31 (1 progress, 2 common, 4 error, 8 debug, 16 report)" },
	{ "show-stats", OPT_SHOW_STATS, 0, NULL, "print the report (adds 16 to the message level)" },
	{ "check-params", OPT_CHECK_PARAMS, 0, NULL, "only check the parameters" },
	{ "dry-run", OPT_DRY_RUN, 0, NULL, "do everything but write the dump" },
	{ "diskset", OPT_DISKSET, 1, "VMCORE", "sadump disk set member" },
	{ "xen-syms", OPT_XEN_SYMS, 1, "XEN-SYMS", "Xen hypervisor debug information" },
	{ "xen-vmcoreinfo", OPT_XEN_VMCOREINFO, 1, "FILE", "Xen VMCOREINFO text file" },
	{ "xen_phys_start", OPT_XEN_PHYS_START, 1, "ADDR", "Xen relocation base" },
	{ "extension", OPT_EXTENSION, 1, "FILE.so", "filter extension" },
	{ "report-json", OPT_REPORT_JSON, 1, "FILE", "write counts and excluded pfn ranges as JSON" },
	{ "trace-reads", OPT_TRACE_READS, 1, "FILE", "log every physical range read from the dump (testing)" },
	{ "show-vmcoreinfo", OPT_SHOW_VMCOREINFO, 0, NULL, "print the VMCOREINFO of VMCORE (default /proc/kcore) and exit" },
	{ "offline-mapcount", OPT_OFFLINE_VALUE, 1, "VALUE", "PG_offline page_type value, for kernels that do not export it" },
};

enum { NOPTS = sizeof(opt_table) / sizeof(opt_table[0]) };

void opts_print_help(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage:\n"
		"  makedumpfile [-c|-l|-p|-z|-E] [-d DL] [-x VMLINUX|-i VMCOREINFO] VMCORE DUMPFILE\n"
		"  makedumpfile -F [-c|-l|-p|-z|-E] [-d DL] VMCORE > STREAM\n"
		"  makedumpfile -R DUMPFILE < STREAM\n"
		"  makedumpfile --split [OPTION] VMCORE DUMPFILE1 DUMPFILE2 [DUMPFILE3 ..]\n"
		"  makedumpfile --reassemble DUMPFILE1 DUMPFILE2 [DUMPFILE3 ..] DUMPFILE\n"
		"  makedumpfile -g VMCOREINFO -x VMLINUX\n"
		"  makedumpfile --dump-dmesg [-x VMLINUX|-i VMCOREINFO] VMCORE LOGFILE\n"
		"  makedumpfile --mem-usage /proc/kcore\n\n"
		"Options:\n");
	for (i = 0; i < NOPTS; i++) {
		const struct opt_desc *d = &opt_table[i];
		char name[64];

		if (d->lname && d->val < 256)
			snprintf(name, sizeof(name), "-%c, --%s", d->val, d->lname);
		else if (d->lname)
			snprintf(name, sizeof(name), "--%s", d->lname);
		else
			snprintf(name, sizeof(name), "-%c", d->val);
		if (d->arg) {
			size_t n = strlen(name);

			snprintf(name + n, sizeof(name) - n, " %s", d->arg);
		}
		fprintf(f, "  %-28s %s\n", name, d->help);
	}
	fprintf(f, "\nSee makedumpfile(8) for details.\n");
}

static int invalid(struct mdf_err *err, const char *fmt, const char *a)
{
	mdf_err_set(err, MDF_EINVAL, fmt, a);
	return -MDF_EINVAL;
}

/* memparse(): number with base auto-detection and K/M/G/T/P/E suffix */
static bool parse_size(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'E': case 'e': shift += 10; /* fall through */
	case 'P': case 'p': shift += 10; /* fall through */
	case 'T': case 't': shift += 10; /* fall through */
	case 'G': case 'g': shift += 10; /* fall through */
	case 'M': case 'm': shift += 10; /* fall through */
	case 'K': case 'k': shift += 10;
		end++;
		break;
	default:
		break;
	}
	if (*end || v == 0 || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*ret = (uint64_t)v << shift;
	return true;
}

static bool parse_ulong(const char *s, int base, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || end == s || *end)
		return false;
	*ret = v;
	return true;
}

static int parse_levels(struct opts *o, const char *s, struct mdf_err *err)
{
	char buf[256];
	char *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	o->n_levels = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		/* makedumpfile uses atoi(): "abc" is level 0 */
		int l = atoi(tok);

		if (l < 0 || l > 31 || o->n_levels >= OPTS_MAX_LEVELS) {
			mdf_err_set(err, MDF_EINVAL, "Dump_level(%d) is invalid.", l);
			o->value_error = true;
			return -MDF_EINVAL;
		}
		o->dump_level[o->n_levels++] = (unsigned)l;
	}
	if (!o->n_levels) {
		mdf_err_set(err, MDF_EINVAL, "Dump_level(%s) is invalid.", s);
		o->value_error = true;
		return -MDF_EINVAL;
	}
	return 0;
}

static int validate(struct opts *o, struct mdf_err *err)
{
	bool comp = o->codec != CODEC_NONE;
	unsigned max_level = 0, i;

	for (i = 0; i < o->n_levels; i++)
		if (o->dump_level[i] > max_level)
			max_level = o->dump_level[i];

	switch (o->mode) {
	case MODE_GEN_VMCOREINFO:
		if (o->dry_run)
			return invalid(err, "%s", "--dry-run cannot be used with -g.");
		if (o->nargs != 0 || comp || max_level || o->elf_out ||
		    o->vmcoreinfo_in || o->xen_vmcoreinfo || o->flatten ||
		    o->rearrange || o->exclude_xen_domu ||
		    (!o->vmlinux && !o->xen_syms))
			return invalid(err, "%s", "");
		return 0;
	case MODE_REARRANGE:
		if (o->nargs != 1 || comp || o->n_levels || o->elf_out ||
		    o->vmcoreinfo_in || o->vmlinux || o->xen_syms ||
		    o->flatten || o->vmcoreinfo_out || o->exclude_xen_domu)
			return invalid(err, "%s", "");
		return 0;
	case MODE_REASSEMBLE:
		if (o->dry_run)
			return invalid(err, "%s", "--dry-run cannot be used with --reassemble.");
		if (o->nargs < 3 || comp || o->n_levels || o->elf_out ||
		    o->vmcoreinfo_in || o->vmlinux || o->xen_syms ||
		    o->flatten || o->vmcoreinfo_out || o->exclude_xen_domu ||
		    o->split)
			return invalid(err, "%s", "");
		return 0;
	case MODE_SHOW_VMCOREINFO:
		if (o->nargs > 1)
			return invalid(err, "%s", "");
		return 0;
	default:
		break;
	}

	/* create, --dump-dmesg, --mem-usage */
	if (o->dry_run && o->dump_dmesg)
		return invalid(err, "%s", "--dry-run cannot be used with --dump-dmesg.");
	if (o->split && o->elf_out)
		return invalid(err, "%s", "Options for splitting dumpfile cannot be used with Elf format.");
	if (o->num_threads && o->split)
		return invalid(err, "%s", "--num-threads cannot used with --split.");
	if (o->num_threads && o->elf_out)
		return invalid(err, "%s", "--num-threads cannot used with ELF format.");
	if (o->exclude_vmemmap && !o->work_dir)
		return invalid(err, "%s", "-e requires --work-dir");
	if (o->partial_dmesg && !o->dump_dmesg)
		return invalid(err, "%s", "");
	if (comp && o->elf_out)
		return invalid(err, "%s", "");
	if (o->vmcoreinfo_in && (o->vmlinux || o->xen_syms))
		return invalid(err, "%s", "");
	if (o->flatten && o->split)
		return invalid(err, "%s", "");
	if (o->config && !o->vmlinux)
		return invalid(err, "%s", "");
	if (o->mem_usage) {
		if (o->nargs != 1)
			return invalid(err, "%s", "");
		return 0;
	}
	if (o->dump_dmesg) {
		/* with -F the log goes to stdout */
		if (o->nargs != (o->flatten ? 1 : 2))
			return invalid(err, "%s", "");
		return 0;
	}
	if (o->n_diskset) {
		if (o->nargs < 1 || (o->nargs > 1 && !o->split))
			return invalid(err, "%s", "");
		return 0;
	}
	if (o->flatten) {
		if (o->nargs != 1)
			return invalid(err, "%s", "");
		return 0;
	}
	if (o->split) {
		if (o->nargs < 3)
			return invalid(err, "%s", "");
		return 0;
	}
	if (o->nargs != 2)
		return invalid(err, "%s", "");
	return 0;
}

int opts_parse(struct opts *o, int argc, char **argv, struct mdf_err *err)
{
	struct option lopts[NOPTS + 1];
	char sopts[128];
	size_t i, nl = 0, ns = 0;
	bool debug = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->block_order = 4;
	o->message_level = ML_DEFAULT;
	for (i = 0; i < NOPTS; i++) {
		const struct opt_desc *d = &opt_table[i];

		if (d->val < 256) {
			sopts[ns++] = (char)d->val;
			if (d->has_arg)
				sopts[ns++] = ':';
		}
		if (d->lname) {
			lopts[nl].name = d->lname;
			lopts[nl].has_arg = d->has_arg ? required_argument :
				no_argument;
			lopts[nl].flag = NULL;
			lopts[nl].val = d->val;
			nl++;
		}
	}
	sopts[ns] = '\0';
	memset(&lopts[nl], 0, sizeof(lopts[nl]));

	optind = 1;
	opterr = 1;	/* getopt names an unknown option, as in makedumpfile */
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->codec = CODEC_ZLIB; break;
		case 'l': o->codec = CODEC_LZO; break;
		case 'p': o->codec = CODEC_SNAPPY; break;
		case 'z': o->codec = CODEC_ZSTD; break;
		case 'E': o->elf_out = true; break;
		case 'd':
			if (parse_levels(o, optarg, err) < 0)
				return -MDF_EINVAL;
			break;
		case 'L':
			if (!parse_size(optarg, &o->limit_size)) {
				o->value_error = true;
				return invalid(err, "Limit size(%s) is invalid.", optarg);
			}
			break;
		case 'x': o->vmlinux = optarg; break;
		case 'i': o->vmcoreinfo_in = optarg; break;
		case 'g': o->vmcoreinfo_out = optarg; break;
		case 'F': o->flatten = true; break;
		case 'R': o->rearrange = true; break;
		case 'f': o->force = true; break;
		case 'e': o->exclude_vmemmap = true; break;
		case 'X': o->exclude_xen_domu = true; break;
		case 'b': o->block_order = atoi(optarg); break;
		case 'D': debug = true; break;
		case 'v':	/* -h wins over -v, whatever the order */
			if (o->mode != MODE_HELP)
				o->mode = MODE_VERSION;
			break;
		case 'h': o->mode = MODE_HELP; break;
		case OPT_SPLIT: o->split = true; break;
		case OPT_REASSEMBLE: o->reassemble = true; break;
		case OPT_SPLITBLOCK:
			/* 0 is 1.7.2's default, as if not given */
			if (!parse_ulong(optarg, 10, &o->splitblock_kib))
				return invalid(err, "Splitblock size(%s) is invalid.", optarg);
			break;
		case OPT_CYCLIC_BUFFER:
			/* 0 is 1.7.2's automatic size, as if not given */
			if (!parse_ulong(optarg, 10, &o->cyclic_buffer_kib))
				return invalid(err, "The cyclic buffer size(%s) is invalid.", optarg);
			break;
		case OPT_NON_CYCLIC: o->non_cyclic = true; break;
		case OPT_WORK_DIR: o->work_dir = optarg; break;
		case OPT_NON_MMAP: o->non_mmap = true; break;
		case OPT_MMAP: o->mmap_files = true; break;
		case OPT_NUM_THREADS:
			o->num_threads = atoi(optarg);
			if (o->num_threads < 0)
				o->num_threads = 0;
			break;
		case OPT_DUMP_DMESG: o->dump_dmesg = true; break;
		case OPT_PARTIAL_DMESG: o->partial_dmesg = true; break;
		case OPT_MEM_USAGE: o->mem_usage = true; break;
		case OPT_VTOP:
			if (!parse_ulong(optarg, 0, &o->vtop))
				return invalid(err, "Virtual address(%s) is invalid.", optarg);
			o->have_vtop = true;
			break;
		case OPT_CONFIG: o->config = optarg; break;
		case OPT_EPPIC: o->eppic = optarg; break;
		case OPT_MESSAGE_LEVEL: {
			int ml = atoi(optarg);

			if (ml < 0 || ml > 31) {
				mdf_err_set(err, MDF_EINVAL,
					    "Message_level(%d) is invalid.", ml);
				o->value_error = true;
				return -MDF_EINVAL;
			}
			o->message_level = (unsigned)ml;
			break;
		}
		case OPT_SHOW_STATS: o->show_stats = true; break;
		case OPT_CHECK_PARAMS: o->check_params = true; break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		case OPT_DISKSET:
			if (o->n_diskset >= OPTS_MAX_LIST)
				return invalid(err, "%s", "Too many --diskset options.");
			o->diskset[o->n_diskset++] = optarg;
			break;
		case OPT_XEN_SYMS: o->xen_syms = optarg; break;
		case OPT_XEN_VMCOREINFO: o->xen_vmcoreinfo = optarg; break;
		case OPT_XEN_PHYS_START:
			if (!parse_ulong(optarg, 0, &o->xen_phys_start))
				return invalid(err, "Xen physical start(%s) is invalid.", optarg);
			o->have_xen_phys_start = true;
			break;
		case OPT_EXTENSION:
			if (o->n_extension >= OPTS_MAX_LIST)
				return invalid(err, "%s", "Too many --extension options.");
			o->extension[o->n_extension++] = optarg;
			break;
		case OPT_REPORT_JSON: o->report_json = optarg; break;
		case OPT_TRACE_READS: o->trace_reads = optarg; break;
		case OPT_SHOW_VMCOREINFO: o->show_vmcoreinfo = true; break;
		case OPT_OFFLINE_VALUE: {
			char *end;
			long long sv;

			errno = 0;
			sv = strtoll(optarg, &end, 0);
			if (errno == ERANGE && optarg[0] != '-') {
				errno = 0;
				sv = (long long)strtoull(optarg, &end, 0);
			}
			if (errno || end == optarg || *end)
				return invalid(err, "Offline mapcount value(%s) is invalid.", optarg);
			o->offline_value = (uint32_t)sv;
			o->have_offline_value = true;
			break;
		}
		default:
			return invalid(err, "%s", "");
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	o->argv = argv;
	o->argc = argc;

	/* applied after parsing, so their order does not matter */
	if (debug)
		o->message_level |= ML_DEBUG;
	if (o->show_stats)
		o->message_level |= ML_REPORT;
	if (o->check_params)
		o->message_level = ML_DEFAULT;

	if (o->mode == MODE_HELP || o->mode == MODE_VERSION)
		return 0;
	if (o->vmcoreinfo_out)
		o->mode = MODE_GEN_VMCOREINFO;
	else if (o->rearrange)
		o->mode = MODE_REARRANGE;
	else if (o->reassemble)
		o->mode = MODE_REASSEMBLE;
	else if (o->show_vmcoreinfo)
		o->mode = MODE_SHOW_VMCOREINFO;
	else if (o->dump_dmesg)
		o->mode = MODE_DUMP_DMESG;
	else if (o->mem_usage)
		o->mode = MODE_MEM_USAGE;
	else
		o->mode = MODE_CREATE;
	return validate(o, err);
}
