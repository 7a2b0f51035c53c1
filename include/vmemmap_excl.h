/* vmemmap_excl.h: -e, drop the vmemmap pages whose struct pages describe
 * only excluded pfns (cli.md, formats.md DUMP_DH_EXCLUDED_VMEMMAP).
 *
 * Sits beside stage 6: it reads the page tables of the vmemmap through the
 * arch walker once at set-up, then clears bits of a finished 2nd bitmap
 * that spans every pfn (non-cyclic run, --work-dir).  x86_64 only, as in
 * makedumpfile 1.7.2.  Never prints; never reads page data.
 *
 * The rule (makedumpfile 1.7.2 find_vmemmap_x86_64() and
 * find_unused_vmemmap_pages(), restated):
 *  - candidates are runs of at least two 64-pfn bitmap words, inside one
 *    block of 32768 pfns (one 4 KiB block of bitmap), where every pfn is
 *    in memory (1st bitmap all ones) and excluded (2nd bitmap all zeros);
 *  - the vmemmap pages lying wholly inside the struct pages of a run are
 *    dropped; a vmemmap page shared with a kept or absent pfn never is;
 *  - the vmemmap must be mapped with 2 MiB (or larger) blocks: with any
 *    4 KiB mapping (HugeTLB vmemmap optimisation, memmap_on_memory) a
 *    physical page may back struct pages of other pfns, so -e is given up
 *    for the run (1.7.2: "vmemmap pmd not huge, abort");
 *  - a run must end at or below the first pfn described by the last
 *    2 MiB vmemmap block below the highest physical address (1.7.2's walk
 *    ends its last group there).
 */
#ifndef VMEMMAP_EXCL_H
#define VMEMMAP_EXCL_H
#include <stdint.h>
#include "arch.h"
#include "bitmap.h"
#include "memmap.h"

struct vmemmap_excl {
	uint64_t base;		/* struct page vaddr of pfn 0 */
	uint64_t struct_size;	/* SIZE(page) */
	unsigned page_shift;
	uint64_t nchunk;	/* 2 MiB vmemmap blocks for pfns below high_pfn */
	uint64_t *chunk_paddr;	/* nchunk entries, VX_HOLE if unmapped: 8 bytes
				 * per 2 MiB of vmemmap, 64 KiB per TiB of RAM */
	uint64_t last_pfn;	/* runs must end below this pfn */
	uint64_t not_huge_va;	/* set-up result: a 4 KiB-mapped vmemmap
				 * address, 0 if none */
};

enum { VX_CHUNK_SHIFT = 21 };
#define VX_HOLE UINT64_MAX

/**
 * Read the vmemmap mapping of pfns [0, high_pfn) (high_pfn: the end of the
 * highest physical range of the dump).  0 on success; MDF_ABSENT when -e
 * cannot be done on this dump (no virtually mapped memmap, a vmemmap
 * block mapped by 4 KiB pages: then vx->not_huge_va says where), with
 * err->msg saying why; negative on an I/O error.  vmemmap_excl_deinit() in all cases.
 */
int vmemmap_excl_init(struct vmemmap_excl *vx, const struct memmap *mm,
		      const struct arch *arch, uint64_t high_pfn,
		      struct mdf_err *err);
void vmemmap_excl_deinit(struct vmemmap_excl *vx);

/**
 * Clear in c->bm2 the vmemmap pages whose struct pages describe only
 * excluded pfns.  c must hold every pfn of the dump in one window starting
 * at pfn 0 (non-cyclic).  *n_ret: vmemmap pages dropped (1.7.2's
 * "Excluded %ld unused vmemmap pages").  The bits cleared are vmemmap
 * pages only; no other pfn changes.  0, or -MDF_ENOMEM.
 */
int vmemmap_excl_apply(const struct vmemmap_excl *vx, struct cycle *c,
		       uint64_t *n_ret, struct mdf_err *err);
#endif
