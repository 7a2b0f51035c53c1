/* input_elf.c: stage 1, ELF64 vmcores through libelf.
 *
 * QEMU dump-guest-memory cores, /proc/vmcore of a capture kernel and our
 * own -E output.  The program header table is found through e_phoff (QEMU
 * 7.2 puts section headers first), notes are walked with gelf_getnote().
 * Only little-endian ELF64 is accepted; anything else is refused by name.
 */
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"

static int elf_probe(const uint8_t *head, size_t len)
{
	return len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
}

/* "aarch64", or "ELF machine 0xb700" for one we do not name */
static const char *machine_name(unsigned m, char *buf, size_t len)
{
	switch (m) {
	case EM_X86_64: return "x86_64";
	case EM_AARCH64: return "aarch64";
	case EM_386: return "i386";
	case EM_ARM: return "arm";
	case EM_PPC64: return "ppc64";
	case EM_S390: return "s390x";
	case EM_RISCV: return "riscv";
	default:
		snprintf(buf, len, "ELF machine %#x", m);
		return buf;
	}
}

/* Collect every note; find VMCOREINFO and count NT_PRSTATUS. */
static int read_notes(struct input *in, Elf *elf, const GElf_Phdr *ph,
		      size_t nph, struct mdf_err *err)
{
	enum { NOTES_MAX = 64u << 20 };
	size_t i, total = 0;

	/* sum without wrapping: each term is checked against the cap first */
	for (i = 0; i < nph; i++) {
		if (ph[i].p_type != PT_NOTE)
			continue;
		if (ph[i].p_filesz > NOTES_MAX - total)
			return mdf_err_set(err, MDF_EFORMAT,
					   "PT_NOTE segments total more than %u bytes, more than any kernel writes",
					   (unsigned)NOTES_MAX);
		total += ph[i].p_filesz;
	}
	if (total == 0)
		return 0;
	in->notes = malloc(total);
	if (!in->notes)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for notes");

	for (i = 0; i < nph; i++) {
		Elf_Data *d;
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;
		size_t base = in->notes_len;

		if (ph[i].p_type != PT_NOTE || ph[i].p_filesz == 0)
			continue;
		if (in->file_size && (ph[i].p_offset > in->file_size ||
				      ph[i].p_filesz > in->file_size - ph[i].p_offset))
			return mdf_err_set(err, MDF_EFORMAT,
					   "PT_NOTE at offset %#llx runs past the end of the file",
					   (unsigned long long)ph[i].p_offset);
		d = elf_getdata_rawchunk(elf, (int64_t)ph[i].p_offset,
					 ph[i].p_filesz, ELF_T_NHDR);
		if (!d)
			return mdf_err_set(err, MDF_EFORMAT,
					   "can't read PT_NOTE at offset %#llx: %s",
					   (unsigned long long)ph[i].p_offset,
					   elf_errmsg(-1));
		memcpy(in->notes + base, d->d_buf, d->d_size);
		in->notes_len += d->d_size;
		while (off < d->d_size &&
		       (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			const char *name = (const char *)d->d_buf + name_off;

			if (nh.n_type == NT_PRSTATUS && nh.n_namesz == 5 &&
			    memcmp(name, "CORE", 5) == 0)
				in->nr_cpus++;
			/* compare with the NUL so VMCOREINFO_XEN never matches */
			if (nh.n_namesz == 11 &&
			    memcmp(name, "VMCOREINFO", 11) == 0 &&
			    !in->vmcoreinfo) {
				in->vmcoreinfo = (const char *)in->notes + base +
						 desc_off;
				in->vmcoreinfo_len = nh.n_descsz;
				in->vmcoreinfo_note_off = base + desc_off;
			}
		}
	}
	return 0;
}

/* A dump inside a container (flattened stream) has no file descriptor
 * libelf could read: copy the headers, the program header table and the
 * notes (all near the start) into memory for elf_memory(). */
enum { ELF_IMAGE_MAX = 80u << 20, ELF_MAX_PHDRS = 1u << 18 };

static int container_image(struct input *in, char **ret, size_t *len_ret,
			   struct mdf_err *err)
{
	Elf64_Ehdr eh;
	uint64_t end, phnum, i;
	char *img;
	int rc;

	if (in->file_size < sizeof(eh))
		return mdf_err_set(err, MDF_EFORMAT, "the ELF header is cut short");
	rc = input_pread_full(in, &eh, sizeof(eh), 0, err);
	if (rc < 0)
		return rc;
	phnum = eh.e_phnum;
	end = sizeof(eh);
	if (eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_shoff &&
	    eh.e_shoff < in->file_size)
		end = eh.e_shoff + sizeof(Elf64_Shdr) > end ?
		      eh.e_shoff + sizeof(Elf64_Shdr) : end;
	if (phnum == PN_XNUM && eh.e_shoff &&
	    eh.e_shoff + sizeof(Elf64_Shdr) <= in->file_size) {
		Elf64_Shdr sh0;

		rc = input_pread_full(in, &sh0, sizeof(sh0), eh.e_shoff, err);
		if (rc < 0)
			return rc;
		phnum = sh0.sh_info;
	}
	if (eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	    eh.e_phoff + phnum * sizeof(Elf64_Phdr) <= in->file_size &&
	    phnum * sizeof(Elf64_Phdr) <= ELF_IMAGE_MAX) {
		if (eh.e_phoff + phnum * sizeof(Elf64_Phdr) > end)
			end = eh.e_phoff + phnum * sizeof(Elf64_Phdr);
		for (i = 0; i < phnum; i++) {
			Elf64_Phdr ph;

			rc = input_pread_full(in, &ph, sizeof(ph),
					      eh.e_phoff + i * sizeof(ph), err);
			if (rc < 0)
				return rc;
			if (ph.p_type == PT_NOTE && ph.p_offset + ph.p_filesz > end &&
			    ph.p_offset + ph.p_filesz <= in->file_size)
				end = ph.p_offset + ph.p_filesz;
		}
	}
	if (end > ELF_IMAGE_MAX)
		return mdf_err_set(err, MDF_EUNSUPP,
				   "the ELF headers and notes inside the stream span %llu bytes, more than %u MiB",
				   (unsigned long long)end, ELF_IMAGE_MAX >> 20);
	img = malloc((size_t)end);
	if (!img)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for the ELF headers");
	rc = input_pread_full(in, img, (size_t)end, 0, err);
	if (rc < 0) {
		free(img);
		return rc;
	}
	*ret = img;
	*len_ret = (size_t)end;
	return 0;
}

static int elf_open(struct input *in, struct mdf_err *err)
{
	struct input_load *loads = NULL;
	GElf_Phdr *ph = NULL;
	GElf_Ehdr eh;
	char mbuf[32];
	size_t nph, i, nl = 0;
	char *image = NULL;
	size_t image_len = 0;
	Elf *elf;
	int rc;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return mdf_err_set(err, MDF_EUNSUPP, "libelf is too old");
	if (in->vread) {
		rc = container_image(in, &image, &image_len, err);
		if (rc < 0)
			return rc;
		elf = elf_memory(image, image_len);
	} else {
		elf = elf_begin(in->fd, ELF_C_READ, NULL);
	}
	if (!elf) {
		free(image);
		return mdf_err_set(err, MDF_EFORMAT, "not a readable ELF file: %s",
				   elf_errmsg(-1));
	}
	if (elf_kind(elf) != ELF_K_ELF) {
		rc = mdf_err_set(err, MDF_EFORMAT, "not an ELF file");
		goto out;
	}
	if (!gelf_getehdr(elf, &eh)) {
		rc = mdf_err_set(err, MDF_EFORMAT, "bad ELF header: %s",
				 elf_errmsg(-1));
		goto out;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64) {
		rc = mdf_err_set(err, MDF_EUNSUPP,
				 "32-bit (ELFCLASS32) %s dumps are not supported",
				 machine_name(eh.e_machine, mbuf, sizeof(mbuf)));
		goto out;
	}
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		rc = mdf_err_set(err, MDF_EUNSUPP,
				 "big-endian %s dumps are not supported",
				 machine_name(eh.e_machine, mbuf, sizeof(mbuf)));
		goto out;
	}
	if (eh.e_type != ET_CORE) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "ELF type %u is not a core file (ET_CORE)", eh.e_type);
		goto out;
	}
	in->e_machine = eh.e_machine;
	if (elf_getphdrnum(elf, &nph) != 0) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "can't get the number of program headers: %s",
				 elf_errmsg(-1));
		goto out;
	}
	if (nph == 0) {
		rc = mdf_err_set(err, MDF_EFORMAT, "the core has no program headers");
		goto out;
	}
	/* memory here and in the ranges grows with the count: a kernel
	 * writes one PT_LOAD per range of RAM, thousands at most */
	if (nph > ELF_MAX_PHDRS) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "%zu program headers: more than a vmcore has (at most %u are read)",
				 nph, (unsigned)ELF_MAX_PHDRS);
		goto out;
	}
	if (in->file_size && (uint64_t)nph * sizeof(Elf64_Phdr) > in->file_size) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "%zu program headers do not fit in a %llu-byte file",
				 nph, (unsigned long long)in->file_size);
		goto out;
	}
	ph = calloc(nph, sizeof(*ph));
	loads = calloc(nph, sizeof(*loads));
	if (!ph || !loads) {
		rc = mdf_err_set(err, MDF_ENOMEM, "out of memory for %zu program headers",
				 nph);
		goto out;
	}
	for (i = 0; i < nph; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph[i])) {
			rc = mdf_err_set(err, MDF_EFORMAT,
					 "can't read program header %zu: %s", i,
					 elf_errmsg(-1));
			goto out;
		}
		/* /proc/kcore marks vmalloc, module and vmemmap segments
		 * with p_paddr -1: no physical memory of their own (kernel
		 * fs/proc/kcore.c, since 4.11) */
		if (ph[i].p_type != PT_LOAD || ph[i].p_paddr == (GElf_Addr)-1)
			continue;
		loads[nl].paddr = ph[i].p_paddr;
		loads[nl].vaddr = ph[i].p_vaddr;
		loads[nl].memsz = ph[i].p_memsz;
		loads[nl].filesz = ph[i].p_filesz;
		loads[nl].off = ph[i].p_offset;
		loads[nl].flags = ph[i].p_flags;
		loads[nl].align = ph[i].p_align;
		nl++;
	}
	if (nl == 0) {
		rc = mdf_err_set(err, MDF_EFORMAT, "the core has no PT_LOAD segment");
		goto out;
	}
	rc = read_notes(in, elf, ph, nph, err);
	if (rc < 0)
		goto out;
	rc = input_set_ranges(in, loads, nl, err);
out:
	free(ph);
	free(loads);
	elf_end(elf);
	free(image);
	return rc;
}

const struct input_ops input_elf_ops = {
	.name		= "ELF",
	.probe		= elf_probe,
	.open		= elf_open,
	.read_page	= input_file_read_page,
};
