/* memmap.h: stage 4, pfn to struct page (SPARSEMEM, -EXTREME, vmemmap,
 * FLATMEM; page-classes.md section 6).
 *
 * Set-up decodes mem_section once into a per-section table; afterwards
 * memmap_read() copies the struct pages of a pfn range.  Struct pages that
 * cannot be read (vmemmap hole, section without memmap, memory not in the
 * dump, section not online) are reported per pfn, counted, and the walk
 * goes on.  Reads go through the arch and input only; never prints.
 */
#ifndef MEMMAP_H
#define MEMMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "input.h"
#include "vmcoreinfo.h"

enum memmap_sec_state {
	MEMMAP_SEC_NONE,	/* not present */
	MEMMAP_SEC_NOMAP,	/* present but no memmap */
	MEMMAP_SEC_OFFLINE,	/* memmap exists, section not online */
	MEMMAP_SEC_BAD,		/* memmap pointer is not a kernel address */
	MEMMAP_SEC_OK,
};

/** Why a struct page is not available (per pfn, in avail[]). */
enum memmap_avail {
	MEMMAP_NO_SECTION = 0,	/* section absent, without memmap, or bad */
	MEMMAP_OK = 1,
	MEMMAP_UNMAPPED = 2,	/* vmemmap page not mapped or not in dump */
	MEMMAP_OFFLINE = 3,	/* section not online: struct pages untrusted */
};

enum { MEMMAP_MAX_EXTRA = 4096 };

struct memmap_sec {
	uint64_t coded;		/* struct page vaddr of pfn N = coded + N*size */
	uint8_t state;		/* enum memmap_sec_state */
};

struct memmap {
	const struct arch *arch;
	unsigned page_shift;
	unsigned pfn_section_shift;	/* 0 for FLATMEM */
	uint64_t struct_size;		/* SIZE(page) */
	uint64_t nr_sec;		/* sections covering [0, max_pfn) */
	struct memmap_sec *sec;		/* nr_sec entries: 16 bytes per
					 * section, 128 KiB per TiB of RAM */
	/* one bit per MEMMAP_CHUNK sections: set if any of them is more
	 * than not present.  Lets a scan skip the millions of empty
	 * sections between the banks of a 52-bit machine without reading
	 * (and faulting in) their entries. */
	uint64_t *used;
	/* sections with a memmap beyond max_pfn (memory the dump does not
	 * hold, e.g. unplugged virtio-mem): at most MEMMAP_MAX_EXTRA */
	struct memmap_extra {
		uint64_t nr;
		struct memmap_sec s;
	} *extra;
	unsigned n_extra;
	bool extra_truncated;
	uint64_t flat_base;		/* FLATMEM: vaddr of mem_map */
	uint64_t end_pfn;		/* end of the last section with memmap */
	bool online_known;		/* SECTION_IS_ONLINE meaningful */
	unsigned n_ok, n_nomap, n_offline, n_bad;
};

enum { MEMMAP_CHUNK_SHIFT = 10 };

int memmap_init(struct memmap *mm, const struct arch *arch,
		const struct vmcoreinfo *vi, uint64_t max_pfn,
		struct mdf_warns *warns, struct mdf_err *err);
void memmap_deinit(struct memmap *mm);

/** Copy the struct pages of pfns [pfn, pfn + n) into buf (n * struct_size
 * bytes); avail[i] gets an enum memmap_avail for each.  Returns the number
 * of available struct pages (>= 0) or a negative error (I/O only). */
long memmap_read(const struct memmap *mm, uint64_t pfn, uint64_t n,
		 uint8_t *buf, uint8_t *avail, struct mdf_err *err);

/** Per-thread state of memmap_read_ctx(): the reader its bytes go through
 * (NULL: input_read_paddr()) and the last vmemmap translation, so that a
 * walk costs one page-table walk per mapping (2 MiB or 4 KiB). */
struct memmap_ctx {
	struct input_reader *r;
	uint64_t va, pa, len;		/* [va, va + len) maps to pa; len 0: none */
};

/** memmap_read() with per-thread state (mc may be NULL). */
long memmap_read_ctx(const struct memmap *mm, struct memmap_ctx *mc,
		     uint64_t pfn, uint64_t n, uint8_t *buf, uint8_t *avail,
		     struct mdf_err *err);

/** End pfn of the last section with a memmap, beyond max_pfn included. */
uint64_t memmap_last_pfn(const struct memmap *mm);

/** Virtual address of the struct page of pfn, or 0 if it has none. */
uint64_t memmap_pfn_to_page(const struct memmap *mm, uint64_t pfn);

/** True if no pfn of [pfn, pfn + n) has a memmap (a hole of the machine,
 * not only of the dump): nothing there to classify or report. */
bool memmap_range_empty(const struct memmap *mm, uint64_t pfn, uint64_t n);

#endif
