/* mem_input.h: an in-memory input for unit tests (drgn tests against mock
 * segments the same way): one physical range backed by a buffer. */
#ifndef MEM_INPUT_H
#define MEM_INPUT_H

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"

static inline struct input *mem_input_create(uint8_t *buf, uint64_t paddr,
					     uint64_t len, unsigned machine)
{
	struct input *in = calloc(1, sizeof(*in));
	struct input_range *r = calloc(1, sizeof(*r));
	struct input_load *l = calloc(1, sizeof(*l));

	r->paddr = paddr;
	r->memsz = r->filesz = len;
	l->paddr = paddr;
	l->memsz = l->filesz = len;
	in->ranges = r;
	in->nranges = 1;
	in->loads = l;
	in->nloads = 1;
	in->map = buf;
	in->mapping = INPUT_MAP_WHOLE;
	in->page_size = 4096;
	in->page_shift = 12;
	in->e_machine = machine;
	in->fd = -1;
	in->path = "mem";
	in->ops = &input_elf_ops;
	return in;
}

static inline void mem_input_destroy(struct input *in)
{
	free(in->ranges);
	free(in->loads);
	free(in);
}

#endif
