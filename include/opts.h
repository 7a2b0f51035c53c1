/* opts.h: the parsed command line; const once parsed.
 *
 * src/opts.c holds the one option table, used for parsing and --help.
 * Every option of makedumpfile (../shared/spec/cli.md) is parsed here; a
 * mode that is not implemented is refused by name in dump.c, never ignored.
 */
#ifndef OPTS_H
#define OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"
#include "mdf_err.h"

enum mdf_mode {
	MODE_CREATE,		/* VMCORE DUMPFILE (or -F, --split) */
	MODE_HELP,
	MODE_VERSION,
	MODE_GEN_VMCOREINFO,	/* -g FILE -x VMLINUX */
	MODE_REARRANGE,		/* -R DUMPFILE, stream on stdin */
	MODE_REASSEMBLE,	/* --reassemble D1 D2 ... OUT */
	MODE_DUMP_DMESG,	/* --dump-dmesg VMCORE LOGFILE */
	MODE_MEM_USAGE,		/* --mem-usage /proc/kcore */
	MODE_SHOW_VMCOREINFO,	/* --show-vmcoreinfo [VMCORE]: ours */
};

/* message level bits (cli.md section 7) */
enum {
	ML_PROGRESS = 1,
	ML_COMMON = 2,
	ML_ERROR = 4,
	ML_DEBUG = 8,
	ML_REPORT = 16,
	ML_DEFAULT = 7,
};

enum { OPTS_MAX_LEVELS = 32, OPTS_MAX_LIST = 64 };

struct opts {
	enum mdf_mode mode;
	enum codec_id codec;		/* last of -c -l -p -z wins */
	bool elf_out;			/* -E */
	unsigned dump_level[OPTS_MAX_LEVELS];	/* -d 11,31: retry list */
	unsigned n_levels;		/* 0: -d not given (level 0) */
	uint64_t limit_size;		/* -L, 0: none */
	const char *vmlinux;		/* -x */
	const char *vmcoreinfo_in;	/* -i */
	const char *vmcoreinfo_out;	/* -g */
	bool flatten;			/* -F */
	bool rearrange;			/* -R */
	bool force;			/* -f */
	bool exclude_vmemmap;		/* -e */
	bool exclude_xen_domu;		/* -X */
	int block_order;		/* -b, default 4 */
	bool split;			/* --split */
	bool reassemble;		/* --reassemble */
	uint64_t splitblock_kib;	/* --splitblock-size, 0: default */
	uint64_t cyclic_buffer_kib;	/* --cyclic-buffer, 0: automatic */
	bool non_cyclic;		/* --non-cyclic (older makedumpfile) */
	const char *work_dir;		/* --work-dir */
	bool non_mmap;			/* --non-mmap */
	bool mmap_files;		/* --mmap (ours): windows on files too */
	int num_threads;		/* --num-threads, 0: none */
	bool dump_dmesg;		/* --dump-dmesg */
	bool partial_dmesg;		/* --partial-dmesg */
	bool mem_usage;			/* --mem-usage */
	bool have_vtop;
	uint64_t vtop;			/* --vtop */
	const char *config;		/* --config */
	const char *eppic;		/* --eppic */
	unsigned message_level;		/* after -D / --show-stats */
	bool show_stats;
	bool check_params;
	bool dry_run;
	const char *diskset[OPTS_MAX_LIST];	/* --diskset */
	unsigned n_diskset;
	const char *xen_syms;		/* --xen-syms */
	const char *xen_vmcoreinfo;	/* --xen-vmcoreinfo */
	bool have_xen_phys_start;
	uint64_t xen_phys_start;	/* --xen_phys_start */
	const char *extension[OPTS_MAX_LIST];	/* --extension */
	unsigned n_extension;
	/* ours */
	const char *report_json;	/* --report-json FILE */
	const char *trace_reads;	/* --trace-reads FILE (tests) */
	bool show_vmcoreinfo;		/* --show-vmcoreinfo [VMCORE] */
	bool have_offline_value;
	uint32_t offline_value;		/* --offline-mapcount VALUE */

	char **args;			/* positionals */
	int nargs;
	char **argv;			/* the whole command line (-D prints it) */
	int argc;
	/* opts_parse() failed on a value (-d, --message-level, -L):
	 * makedumpfile prints no "Commandline parameter is invalid." then */
	bool value_error;
};

/** The dump level used for the first attempt. */
static inline unsigned opts_dump_level(const struct opts *o)
{
	return o->n_levels ? o->dump_level[0] : 0;
}

/** Parse and validate argv.  MDF_EINVAL with a message that main.c prints
 * before the two "invalid" lines makedumpfile prints. */
int opts_parse(struct opts *o, int argc, char **argv, struct mdf_err *err);

/** Print --help (option table) to f. */
void opts_print_help(FILE *f);

#endif
