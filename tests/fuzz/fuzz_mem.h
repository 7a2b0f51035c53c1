/* fuzz_mem.h: the "memory image" the page-table, memmap, classify and scan
 * fuzz targets read, decoded into a real struct input.
 *
 * Layout of one fuzz input (all integers little-endian):
 *
 *   VMCOREINFO text ........ up to the first NUL byte
 *   u16 e_machine .......... EM_X86_64, EM_AARCH64, ... (arch_find decides)
 *   u8  nq, u64 q[nq] ...... queries; each target says what they mean
 *   u8  nchunks ............ at most FUZZ_MAX_CHUNKS
 *   nchunks x { u64 paddr; u64 memsz; u32 filesz; u32 off; }
 *   data area: the rest; a chunk's data is at data area + off
 *
 * Chunks become PT_LOAD-like loads handed to input_set_ranges(), the code
 * every reader uses, so overlapping, wrapping, data-less, shared-data and
 * past-the-end chunks are normalised exactly as an ELF file's would be.
 * The fuzz buffer itself is the "file" (INPUT_MAP_WHOLE).
 * tests/tools/fuzzseed.c writes this format.
 */
#ifndef FUZZ_MEM_H
#define FUZZ_MEM_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "byteorder.h"
#include "input.h"
#include "vmcoreinfo.h"

enum { FUZZ_MAX_CHUNKS = 255, FUZZ_MAX_Q = 32, FUZZ_TEXT_MAX = 1 << 16 };

struct fuzz_mem {
	struct input *in;
	struct vmcoreinfo vi;
	bool have_vi;
	unsigned machine;
	unsigned nq;
	uint64_t q[FUZZ_MAX_Q];
	struct mdf_warns warns;
};

/* a hard stop the fuzzer reports as a crash: a broken invariant */
#define FUZZ_ASSERT(c)	do { if (!(c)) __builtin_trap(); } while (0)

/* FUZZ_DEBUG=1 in the environment: say where an input stopped (to check
 * that seeds get as far as they should) */
static inline void fuzz_debug(const char *where, const struct mdf_err *err)
{
	static int on = -1;

	if (on < 0)
		on = getenv("FUZZ_DEBUG") != NULL;
	if (on)
		fprintf(stderr, "fuzz: %s: %s\n", where, err ? err->msg : "");
}

struct fuzz_cursor {
	const uint8_t *p;
	size_t left;
};

static inline bool fuzz_take(struct fuzz_cursor *c, void *out, size_t n)
{
	if (c->left < n)
		return false;
	memcpy(out, c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

static inline uint64_t fuzz_u64(struct fuzz_cursor *c)
{
	uint8_t b[8] = { 0 };

	fuzz_take(c, b, 8);
	return get_le64(b);
}

static inline void fuzz_mem_destroy(struct fuzz_mem *m)
{
	if (m->have_vi)
		vmcoreinfo_deinit(&m->vi);
	if (m->in) {
		free(m->in->ranges);
		free(m->in->loads);
		free(m->in);
	}
	memset(m, 0, sizeof(*m));
}

/* 0: m is ready (the VMCOREINFO may still be absent); -1: not usable. */
static inline int fuzz_mem_create(struct fuzz_mem *m, const uint8_t *data,
				  size_t size)
{
	struct input_load loads[FUZZ_MAX_CHUNKS];
	struct fuzz_cursor c;
	struct mdf_err err;
	const uint8_t *nul;
	size_t text_len, i;
	uint8_t b2[2], n8;
	struct input *in;
	uint64_t off;

	memset(m, 0, sizeof(*m));
	nul = memchr(data, 0, size < FUZZ_TEXT_MAX ? size : FUZZ_TEXT_MAX);
	if (!nul)
		return -1;
	text_len = (size_t)(nul - data);
	c.p = nul + 1;
	c.left = size - text_len - 1;
	if (!fuzz_take(&c, b2, 2))
		return -1;
	m->machine = get_le16(b2);
	if (!fuzz_take(&c, &n8, 1))
		return -1;
	m->nq = n8 < FUZZ_MAX_Q ? n8 : FUZZ_MAX_Q;
	for (i = 0; i < n8; i++) {
		uint64_t v = fuzz_u64(&c);

		if (i < m->nq)
			m->q[i] = v;
	}
	if (!fuzz_take(&c, &n8, 1))
		return -1;
	/* n8 <= 255 == FUZZ_MAX_CHUNKS */
	for (i = 0; i < n8; i++) {
		uint8_t b4[4] = { 0 };

		loads[i].paddr = fuzz_u64(&c);
		loads[i].memsz = fuzz_u64(&c);
		fuzz_take(&c, b4, 4);
		loads[i].filesz = get_le32(b4);
		memset(b4, 0, 4);
		fuzz_take(&c, b4, 4);
		loads[i].off = get_le32(b4);
		loads[i].vaddr = 0;
	}
	/* offsets are into the data area, which follows the headers */
	off = (uint64_t)(c.p - data);
	for (i = 0; i < n8; i++)
		loads[i].off += off;

	in = calloc(1, sizeof(*in));
	if (!in)
		return -1;
	m->in = in;
	in->fd = -1;
	in->path = "fuzz";
	in->ops = &input_elf_ops;
	in->e_machine = m->machine;
	in->file_size = size;
	in->map = data;
	in->mapping = INPUT_MAP_WHOLE;
	in->page_size = 4096;
	in->page_shift = 12;
	in->warns = &m->warns;
	if (input_set_ranges(in, loads, n8, &err) < 0)
		goto fail;

	if (vmcoreinfo_parse(&m->vi, (const char *)data, text_len, &m->warns,
			     &err) == 0) {
		m->have_vi = true;
		if (vmci_has(&m->vi, VMCI_PAGESIZE) &&
		    input_set_page_size(in, (unsigned)vmci_get(&m->vi,
							       VMCI_PAGESIZE),
					&err) < 0)
			goto fail;
	}
	return 0;
fail:
	fuzz_mem_destroy(m);
	return -1;
}

/* The ranges input_set_ranges() made: sorted, disjoint, data in the file. */
static inline void fuzz_check_ranges(const struct input *in)
{
	size_t i;

	for (i = 0; i < in->nranges; i++) {
		const struct input_range *r = &in->ranges[i];

		FUZZ_ASSERT(r->memsz > 0);
		FUZZ_ASSERT(r->filesz <= r->memsz);
		FUZZ_ASSERT(r->paddr + r->memsz - 1 >= r->paddr);
		if (r->filesz && in->file_size)
			FUZZ_ASSERT(r->off <= in->file_size &&
				    r->filesz <= in->file_size - r->off);
		if (i)
			FUZZ_ASSERT(in->ranges[i - 1].paddr +
				    in->ranges[i - 1].memsz <= r->paddr);
	}
}

#endif
