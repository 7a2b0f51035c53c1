/* pgtable.c: stage 3, the one page-table walker of every architecture.
 *
 * An arch describes its levels and decodes one entry (struct pgt_format);
 * this file reads the entries from the dump and follows them.  The number
 * of steps is bounded by the level count; an entry naming its own table
 * or a table outside memory ends the walk with MDF_ABSENT, never a loop.
 */
#include <stdio.h>

#include "arch.h"
#include "byteorder.h"

static int absent(struct mdf_err *err, const char *level, uint64_t vaddr,
		  uint64_t where, const char *why)
{
	snprintf(err->msg, sizeof(err->msg),
		 "%s %s for virtual address %#llx (entry at physical %#llx)",
		 level, why, (unsigned long long)vaddr,
		 (unsigned long long)where);
	err->addr = vaddr;
	return MDF_ABSENT;
}

int pgt_walk(const struct pgt_format *f, struct input *in, uint64_t root,
	     uint64_t vaddr, uint64_t *paddr_ret, uint64_t *len_ret,
	     const struct pgt_trace *tr, struct mdf_err *err)
{
	uint64_t table = root;
	unsigned i;

	for (i = 0; i < f->nlevels; i++) {
		const struct pgt_level *lv = &f->lv[i];
		uint64_t idx = (vaddr >> lv->shift) & ((1ull << lv->bits) - 1);
		uint64_t where = table + idx * 8;
		uint64_t addr, size;
		uint8_t b[8];
		int rc;

		rc = input_read_paddr(in, where, b, sizeof(b), err);
		if (rc < 0)
			return rc;
		if (rc == MDF_ABSENT)
			return absent(err, lv->name, vaddr, where,
				      "table is not in the dump");
		if (tr)
			tr->entry(tr->ctx, lv->name, where, get_le64(b));
		switch (f->decode(f, i, get_le64(b), &addr)) {
		case PGT_NONE:
			return absent(err, lv->name, vaddr, where, "not present");
		case PGT_TABLE:
			if (i + 1 == f->nlevels)
				return absent(err, lv->name, vaddr, where,
					      "is not a leaf at the last level");
			/* Linux never points a table at itself: the next
			 * level would read this table's entries as its own
			 * and translate to arbitrary memory */
			if (addr == table)
				return absent(err, lv->name, vaddr, where,
					      "points at its own table");
			table = addr;
			break;
		case PGT_LEAF:
			size = 1ull << lv->shift;
			*paddr_ret = addr + (vaddr & (size - 1));
			*len_ret = size - (vaddr & (size - 1));
			return 0;
		}
	}
	return absent(err, "page table", vaddr, table, "walk did not end");
}
