/* kvtop.c: translate kernel virtual addresses of a vmcore with our arch
 * code, for comparison with an independent reader (tests/tools/
 * xlatcheck.py compares with libkdumpfile).
 *
 *   kvtop CORE [VADDR...]
 *
 * Without addresses it translates a sample: every SYMBOL() of VMCOREINFO,
 * the struct page of every 61st pfn and of the first pfn of every memory
 * section, 256 addresses spread over the whole kernel range, and on arm64
 * linear-map addresses of every 4093rd page of RAM.  Prints "VADDR PADDR" or "VADDR -" (not mapped) per line, hex.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "input.h"
#include "memmap.h"
#include "vmcoreinfo.h"

static void one(const struct arch *a, uint64_t va)
{
	struct mdf_err err;
	uint64_t pa, len;
	int rc = arch_kvtop(a, va, &pa, &len, &err);

	if (rc < 0) {
		fprintf(stderr, "kvtop: %#llx: %s\n", (unsigned long long)va,
			err.msg);
		exit(1);
	}
	if (rc == MDF_ABSENT)
		printf("%llx -\n", (unsigned long long)va);
	else
		printf("%llx %llx\n", (unsigned long long)va,
		       (unsigned long long)pa);
}

static void sample(const struct arch *a, const struct vmcoreinfo *vi,
		   const struct memmap *mm, uint64_t max_pfn)
{
	uint64_t pfn, va;
	size_t i;
	int id;

	for (id = 0; id < VMCI_NKEYS; id++)
		if (vmci_has(vi, id) &&
		    strncmp(vmci_key_name(id), "SYMBOL(", 7) == 0 &&
		    vmci_get(vi, id) >= a->kvbase)
			one(a, vmci_get(vi, id));
	for (pfn = 0; pfn < max_pfn; pfn += 61)
		if ((va = memmap_pfn_to_page(mm, pfn)))
			one(a, va);
	for (i = 0; mm->pfn_section_shift && i < mm->nr_sec; i++)
		if ((va = memmap_pfn_to_page(mm, i << mm->pfn_section_shift)))
			one(a, va);
	/* across the whole kernel range: mapped or not at every level */
	for (i = 0; i < 256; i++)
		one(a, a->kvbase + i * ((0 - a->kvbase) / 256) + 0x1234 * i);
	/* arm64 linear map: PAGE_OFFSET (the lowest kernel address on a
	 * 5.4+ kernel) maps PHYS_OFFSET */
	if (a->in->e_machine == EM_AARCH64)
		for (i = 0; i < a->in->nranges; i++) {
			const struct input_range *r = &a->in->ranges[i];
			uint64_t off;

			for (off = 0; off < r->memsz; off += 4093 * a->page_size)
				one(a, a->kvbase + (r->paddr + off - a->phys_base));
		}
}

int main(int argc, char **argv)
{
	struct input *in;
	struct vmcoreinfo vi;
	const struct arch_ops *ops;
	struct arch a;
	struct memmap mm;
	struct mdf_err err;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: kvtop CORE [VADDR...]\n");
		return 2;
	}
	if (input_open(argv[1], NULL, NULL, &in, &err) < 0 || !in->vmcoreinfo ||
	    vmcoreinfo_parse(&vi, in->vmcoreinfo, in->vmcoreinfo_len, NULL,
			     &err) < 0 ||
	    input_set_page_size(in, (unsigned)vmci_get(&vi, VMCI_PAGESIZE),
				&err) < 0 ||
	    arch_find(in->e_machine, &vi, &ops, &err) < 0 ||
	    arch_init(&a, ops, in, &vi, NULL, &err) < 0 ||
	    memmap_init(&mm, &a, &vi, input_max_pfn(in), NULL, &err) < 0) {
		fprintf(stderr, "kvtop: %s: %s\n", argv[1], err.msg);
		return 1;
	}
	if (argc == 2)
		sample(&a, &vi, &mm, input_max_pfn(in));
	for (i = 2; i < argc; i++)
		one(&a, strtoull(argv[i], NULL, 16));
	memmap_deinit(&mm);
	arch_deinit(&a);
	vmcoreinfo_deinit(&vi);
	input_close(in);
	return 0;
}
