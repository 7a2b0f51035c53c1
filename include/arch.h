/* arch.h: stage 3, kernel virtual to physical translation per architecture.
 *
 * The architecture is chosen from the dump (ELF e_machine), never from the
 * host: every arch file is built everywhere.  An arch file holds layout facts
 * and decodes one page-table entry; arch/pgtable.c walks.  Reads go through
 * the input only.  Never prints.
 */
#ifndef ARCH_H
#define ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "input.h"
#include "mdf_err.h"
#include "vmcoreinfo.h"

struct arch;

struct arch_ops {
	const char *name;		/* "x86_64", "arm64" */
	unsigned e_machine;		/* EM_* */
	/* Read the layout from VMCOREINFO and the input; fill a->priv and the
	 * generic fields of struct arch. */
	int (*init)(struct arch *a, struct mdf_warns *warns,
		    struct mdf_err *err);
	/* Translate one kernel virtual address.  *len_ret: bytes from vaddr
	 * to the end of the page or block that maps it (same translation).
	 * MDF_ABSENT if not mapped (err->msg names the level). */
	int (*kvtop)(const struct arch *a, uint64_t vaddr, uint64_t *paddr_ret,
		     uint64_t *len_ret, struct mdf_err *err);
	void (*fini)(struct arch *a);
	/* Optional, for dumps without a VMCOREINFO note whose VMCOREINFO
	 * comes from a vmlinux (-x, or a -g file with -i): find the KASLR
	 * text offset and phys_base from CPU state the dump carries (QEMU
	 * notes).  vi holds link-time symbols.  MDF_ABSENT when the dump
	 * has nothing to find them with. */
	int (*kaslr_probe)(struct input *in, const struct vmcoreinfo *vi,
			   uint64_t *koff_ret, uint64_t *phys_base_ret,
			   struct mdf_err *err);
};

struct arch {
	const struct arch_ops *ops;
	struct input *in;
	const struct vmcoreinfo *vi;
	unsigned page_shift;
	uint64_t page_size;
	/* filled by init */
	uint64_t phys_base;		/* kdump sub header phys_base */
	unsigned section_size_bits;	/* default when not exported */
	unsigned max_physmem_bits;	/* default when not exported */
	uint64_t kvbase;		/* lowest kernel virtual address */
	void *priv;
	/* --vtop: told every page-table entry a translation reads (NULL:
	 * nobody is told; set only around one arch_kvtop()) */
	const struct pgt_trace *trace;
};

/** Pick the arch for a dump from its ELF e_machine (EM_NONE if the format
 * does not say) and its VMCOREINFO (may be NULL), which must agree.
 * MDF_EUNSUPP names the machine if unknown, MDF_EFORMAT if they differ. */
int arch_find(unsigned e_machine, const struct vmcoreinfo *vi,
	      const struct arch_ops **ret, struct mdf_err *err);
int arch_init(struct arch *a, const struct arch_ops *ops, struct input *in,
	      const struct vmcoreinfo *vi, struct mdf_warns *warns,
	      struct mdf_err *err);
void arch_deinit(struct arch *a);
/** ops->kaslr_probe, or MDF_ABSENT if the arch has none. */
int arch_kaslr_probe(const struct arch_ops *ops, struct input *in,
		     const struct vmcoreinfo *vi, uint64_t *koff_ret,
		     uint64_t *phys_base_ret, struct mdf_err *err);

static inline int arch_kvtop(const struct arch *a, uint64_t vaddr,
			     uint64_t *paddr_ret, uint64_t *len_ret,
			     struct mdf_err *err)
{
	return a->ops->kvtop(a, vaddr, paddr_ret, len_ret, err);
}

/** Read len bytes of kernel virtual memory.  0, MDF_ABSENT or negative. */
int arch_read_kvaddr(const struct arch *a, uint64_t vaddr, void *buf,
		     size_t len, struct mdf_err *err);
/** Read an unsigned long / u32 at a kernel virtual address. */
int arch_read_ulong(const struct arch *a, uint64_t vaddr, uint64_t *ret,
		    struct mdf_err *err);

/* ---- the generic page-table walker (arch/pgtable.c) ---- */

enum pgt_entry { PGT_NONE, PGT_TABLE, PGT_LEAF };

struct pgt_level {
	const char *name;	/* "PGD", "P4D", "PUD", "PMD", "PTE" */
	unsigned shift;		/* lowest vaddr bit of this level's index */
	unsigned bits;		/* index width */
};

struct pgt_format {
	unsigned nlevels;		/* top level first */
	struct pgt_level lv[6];
	/* Decode one entry at level i.  PGT_TABLE: *addr_ret is the next
	 * table's physical address; PGT_LEAF: the physical base of the block
	 * mapped at this level (aligned to 1 << lv[i].shift). */
	enum pgt_entry (*decode)(const struct pgt_format *f, unsigned level,
				 uint64_t pte, uint64_t *addr_ret);
	uint64_t entry_mask;	/* arch data for decode */
	uint64_t clear_mask;	/* bits to remove (SME C-bit) */
	unsigned table_shift;	/* table alignment */
};

/** Who is told each entry a walk reads: the level's name, the entry's
 * physical address and its raw value, top level first, before the entry
 * is decoded (so a walk that stops names the entry it stopped at). */
struct pgt_trace {
	void (*entry)(void *ctx, const char *level, uint64_t where,
		      uint64_t value);
	void *ctx;
};

/** Walk from the top table at root (physical).  MDF_ABSENT when an entry
 * is not present or a table is not in the dump; err->msg names the level.
 * tr may be NULL. */
int pgt_walk(const struct pgt_format *f, struct input *in, uint64_t root,
	     uint64_t vaddr, uint64_t *paddr_ret, uint64_t *len_ret,
	     const struct pgt_trace *tr, struct mdf_err *err);

extern const struct arch_ops arch_x86_64;
extern const struct arch_ops arch_arm64;

#endif
