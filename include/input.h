/* input.h: stage 1, the dump we read (ELF vmcore, /proc/vmcore, ...).
 *
 * input_open() probes the formats in order and presents every input as a
 * physical memory map: sorted, non-overlapping ranges, each backed by file
 * bytes up to its filesz and "no data" after that.  Reading a hole is an
 * answer (MDF_ABSENT), never a crash.  This layer never prints and never
 * reads a byte of page data the caller did not ask for.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mdf_err.h"

struct input;
struct input_reader;

/** One range of physical memory present in the dump. */
struct input_range {
	uint64_t paddr;		/* first byte */
	uint64_t memsz;		/* bytes of physical memory described */
	uint64_t filesz;	/* bytes backed by data (<= memsz); rest: no data */
	uint64_t off;		/* file offset of paddr (formats with flat data) */
	uint64_t vaddr;		/* virtual address from the ELF phdr, or 0 */
};

/** A PT_LOAD exactly as the file has it (unsorted, may overlap). */
struct input_load {
	uint64_t paddr, vaddr, memsz, filesz, off;
	uint32_t flags;		/* p_flags, copied into ELF output */
	uint64_t align;		/* p_align */
};

enum input_access {
	INPUT_ACCESS_AUTO,	/* mmap windows on procfs, pread() on files */
	INPUT_ACCESS_READ,	/* --non-mmap: pread() only */
	INPUT_ACCESS_MMAP,	/* --mmap: mmap windows on files too */
};

struct input_open_opts {
	enum input_access access;
	/* debug/test hook: called for every read of dump bytes, with the
	 * physical address and length (page data, struct pages, tables). */
	void (*trace)(void *ctx, uint64_t paddr, uint64_t len);
	void *trace_ctx;
};

/** Per-format operations; see input.c for the probe order. */
struct input_ops {
	const char *name;
	/* 1: this format; 0: not this format.  head holds the first bytes. */
	int (*probe)(const uint8_t *head, size_t len);
	int (*open)(struct input *in, struct mdf_err *err);
	/* Pointer to one page of data at pfn, valid until the next call on r.
	 * MDF_ABSENT if the pfn has no data. */
	int (*read_page)(struct input_reader *r, uint64_t pfn,
			 const uint8_t **ret, struct mdf_err *err);
	void (*close)(struct input *in);
	/* Optional, for formats whose page data is not flat in the file
	 * (kdump-compressed): a thread-safe read of physical memory, as
	 * input_read_paddr(); per-reader state; and the pfns of a window
	 * that the format holds no data for, cleared from bm2 (bit 0 =
	 * pfn start), returning how many were cleared. */
	int (*read_paddr)(struct input *in, uint64_t paddr, void *buf,
			  size_t len, struct mdf_err *err);
	int (*reader_init)(struct input_reader *r, struct mdf_err *err);
	void (*reader_deinit)(struct input_reader *r);
	long (*mask_data)(struct input *in, uint64_t start, uint64_t end,
			  uint8_t *bm2, struct mdf_err *err);
};

/* How page data is reached.  /proc/vmcore (and files with --mmap) are
 * read through per-reader mmap windows, so what is mapped never grows
 * with the size of the dump; pages of /proc/vmcore touched through a
 * window do not count in RSS (the kernel maps the old memory with
 * remap_pfn_range()), nothing is copied.  WHOLE is for inputs that are
 * memory already (unit tests).  NONE (regular files by default,
 * --non-mmap, or mmap failed): pread(), one call per run of consecutive
 * pages the caller announced (input_reader_hint()), into a buffer of
 * INPUT_RUN_BYTES: on a file this costs less CPU than the page faults and
 * TLB shootdowns of windows, and the copy in the buffer is the only page
 * data in RSS (a window of a file stays resident until it moves on). */
enum input_mapping { INPUT_MAP_NONE, INPUT_MAP_WHOLE, INPUT_MAP_WINDOW };

enum {
	INPUT_WINDOW_FILE = 1u << 20,
	INPUT_WINDOW_PROCFS = 4u << 20,
	INPUT_RUN_BYTES = 64u << 10,	/* one pread() of a hinted run */
};

struct input {
	const struct input_ops *ops;
	const char *path;
	int fd;
	uint64_t file_size;
	bool is_procfs;		/* /proc/vmcore or /proc/kcore */

	/* the dumped machine, as the file says */
	unsigned e_machine;	/* EM_X86_64, EM_AARCH64, ... */
	unsigned page_size;	/* set by the caller once known (VMCOREINFO) */
	unsigned page_shift;

	/* physical memory map, normalised */
	struct input_range *ranges;
	size_t nranges;
	/* PT_LOADs as written (for phys_base / page_offset derivation) */
	struct input_load *loads;
	size_t nloads;

	/* all PT_NOTE bytes, concatenated */
	uint8_t *notes;
	size_t notes_len;
	/* VMCOREINFO descriptor text inside notes, or NULL */
	const char *vmcoreinfo;
	size_t vmcoreinfo_len;
	size_t vmcoreinfo_note_off;	/* offset of its descriptor in notes */
	unsigned nr_cpus;		/* NT_PRSTATUS notes */

	/* data access */
	enum input_mapping mapping;
	const uint8_t *map;		/* INPUT_MAP_WHOLE: caller's memory */
	size_t window_size;		/* INPUT_MAP_WINDOW */
	size_t host_page;		/* mmap offset alignment */
	void (*trace)(void *ctx, uint64_t paddr, uint64_t len);
	void *trace_ctx;

	uint64_t trunc_pages;		/* pages lost to a truncated file */
	struct mdf_warns *warns;	/* where format code puts warnings */
	void *priv;			/* format private data */

	/* an earlier dump as input (kdump-compressed; input_kdump.c) */
	bool is_kdump;			/* -E is refused for it */
	int src_dump_level;		/* its dump level, -1 if not filtered */
	uint64_t max_mapnr;		/* pfns its bitmaps cover, 0: ranges say */
	bool have_phys_base;
	uint64_t phys_base;		/* from its sub header */
	bool fixed_page_size;		/* page size is the format's block size */
	const char *eraseinfo;		/* erase directives to carry over */
	size_t eraseinfo_len;

	/* a container (flattened stream; input_flat.c): the format above
	 * reads the logical file through vread (holes read as zeros) and
	 * file_size is the logical size; vclose releases the container */
	int (*vread)(struct input *in, void *buf, size_t len, uint64_t off,
		     struct mdf_err *err);
	/* true if records hold every byte of [off, off + len): holes cost
	 * nothing in the container, so a format must not stream through
	 * a region of them (a tiny stream could claim terabytes) */
	bool (*vbacked)(const struct input *in, uint64_t off, uint64_t len);
	void (*vclose)(struct input *in);
	void *vpriv;
	const char *container;		/* "flattened", or NULL */
};

/** Per-thread read state: scratch page, mmap window, range cursor and
 * statistics (how the pages were reached: tests and -D check that
 * /proc/vmcore is really read through mmap). */
struct input_reader {
	struct input *in;
	uint8_t *scratch;		/* one page */
	size_t cur;			/* last range used */
	const uint8_t *win;		/* INPUT_MAP_WINDOW */
	uint64_t win_off;
	size_t win_len;
	size_t window_size;		/* 0: the input's window_size */
	bool no_mmap;			/* mmap failed once: read() from now on */
	int mmap_errno;			/* why it failed */
	uint64_t pages_read;		/* pages handed out */
	uint64_t pages_mapped;		/* ... of them through a window */
	uint64_t pages_pread;		/* ... of them copied with pread() */
	uint64_t windows;		/* mmap() calls */
	void *fmt;			/* format state (ops->reader_init) */
	/* pread() runs: pages [run_pfn, run_pfn + run_n) are in run */
	uint8_t *run;			/* INPUT_RUN_BYTES, on the first hint */
	uint64_t run_pfn, run_n;
	uint64_t hint_pfn, hint_n;	/* announced by input_reader_hint() */
	uint64_t runs;			/* pread() calls for runs */
};

/** The caller will read pfns [pfn, pfn + n) next, in order: a reader that
 * copies may fetch them with one read.  Only pages the caller means to
 * read may be announced (a hint is never a licence to read others). */
static inline void input_reader_hint(struct input_reader *r, uint64_t pfn,
				     uint64_t n)
{
	r->hint_pfn = pfn;
	r->hint_n = n;
}

int input_open(const char *path, const struct input_open_opts *opts,
	       struct mdf_warns *warns, struct input **ret,
	       struct mdf_err *err);
void input_close(struct input *in);	/* NULL is a no-op */

/** Tell the input the page size of the dumped kernel (from VMCOREINFO). */
int input_set_page_size(struct input *in, unsigned page_size,
			struct mdf_err *err);

int input_reader_init(struct input_reader *r, struct input *in,
		      struct mdf_err *err);
void input_reader_deinit(struct input_reader *r);

/** Copy len bytes at paddr into buf.  0, MDF_ABSENT (some byte has no data)
 * or a negative error.  Thread-safe (uses pread or the whole-file map). */
int input_read_paddr(struct input *in, uint64_t paddr, void *buf,
		     size_t len, struct mdf_err *err);

/** As input_read_paddr(), through r's mmap window where the input has
 * one (no system call while the bytes stay in the window); not
 * thread-safe: one reader per thread. */
int input_reader_read_paddr(struct input_reader *r, uint64_t paddr,
			    void *buf, size_t len, struct mdf_err *err);

/** One page of data; see struct input_ops.read_page. */
static inline int input_read_page(struct input_reader *r, uint64_t pfn,
				  const uint8_t **ret, struct mdf_err *err)
{
	return r->in->ops->read_page(r, pfn, ret, err);
}

/** Index of the range containing paddr, or -1. */
long input_find_range(const struct input *in, uint64_t paddr);

/** Highest pfn + 1 covered by any range (memsz), or the format's own
 * max_mapnr when it says more. */
uint64_t input_max_pfn(const struct input *in);

/** Clear the bits of window [start, end) in bm2 (bit 0 = start) whose pfn
 * the input holds no data for beyond what its ranges say (pages an earlier
 * filter excluded, or lost in an incomplete dump).  The number cleared, or
 * a negative error. */
long input_mask_data(struct input *in, uint64_t start, uint64_t end,
		     uint8_t *bm2, struct mdf_err *err);

/** Format helpers shared by the readers (input.c). */
int input_pread_full(struct input *in, void *buf, size_t len, uint64_t off,
		     struct mdf_err *err);
int input_file_read_page(struct input_reader *r, uint64_t pfn,
			 const uint8_t **ret, struct mdf_err *err);
int input_set_ranges(struct input *in, const struct input_load *loads,
		     size_t n, struct mdf_err *err);

extern const struct input_ops input_elf_ops;
extern const struct input_ops input_kdump_ops;
extern const struct input_ops input_flat_ops;

/** input_flat.c: the formats a flattened stream may hold (probed on the
 * logical file's first bytes); 0, or MDF_EFORMAT naming what it holds. */
int input_open_inner(struct input *in, struct mdf_err *err);

#endif
