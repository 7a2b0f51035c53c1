/* arch.c: stage 3, the table of architectures and helpers shared by all.
 * The dump names its machine; the host never decides. */
#include <elf.h>
#include <string.h>

#include "arch.h"
#include "byteorder.h"

static const struct arch_ops *const arch_table[] = {
	&arch_x86_64,
	&arch_arm64,
};

static const char *machine_name(unsigned m)
{
	switch (m) {
	case EM_X86_64: return "x86_64";
	case EM_AARCH64: return "arm64";
	case EM_386: return "i386 (32-bit)";
	case EM_ARM: return "arm (32-bit)";
	case EM_PPC64: return "ppc64";
	case EM_S390: return "s390x";
	case EM_RISCV: return "riscv";
	case EM_LOONGARCH: return "loongarch";
	default: return NULL;
	}
}

/* Keys only one architecture's kernel exports (vmcoreinfo.md): the
 * machine the VMCOREINFO describes, or EM_NONE. */
static unsigned vmcoreinfo_machine(const struct vmcoreinfo *vi)
{
	if (!vi)
		return EM_NONE;
	if (vmci_has(vi, VMCI_NUMBER_kimage_voffset) ||
	    vmci_has(vi, VMCI_NUMBER_TCR_EL1_T1SZ) ||
	    vmci_has(vi, VMCI_NUMBER_PHYS_OFFSET))
		return EM_AARCH64;
	if (vmci_has(vi, VMCI_SYMBOL_init_top_pgt) ||
	    vmci_has(vi, VMCI_SYMBOL_init_level4_pgt) ||
	    vmci_has(vi, VMCI_NUMBER_phys_base))
		return EM_X86_64;
	return EM_NONE;
}

int arch_find(unsigned e_machine, const struct vmcoreinfo *vi,
	      const struct arch_ops **ret, struct mdf_err *err)
{
	unsigned vm = vmcoreinfo_machine(vi);
	const char *name;
	size_t i;

	if (e_machine == EM_NONE)
		e_machine = vm;
	else if (vm != EM_NONE && vm != e_machine)
		return mdf_err_set(err, MDF_EFORMAT,
				   "the dump header says %s but its VMCOREINFO describes an %s kernel",
				   machine_name(e_machine) ? machine_name(e_machine) : "another machine",
				   machine_name(vm));
	for (i = 0; i < sizeof(arch_table) / sizeof(arch_table[0]); i++) {
		if (arch_table[i]->e_machine == e_machine) {
			*ret = arch_table[i];
			return 0;
		}
	}
	if (e_machine == EM_NONE)
		return mdf_err_set(err, MDF_EUNSUPP,
				   "neither the dump header nor VMCOREINFO tells the machine");
	name = machine_name(e_machine);
	if (name)
		return mdf_err_set(err, MDF_EUNSUPP,
				   "%s dumps are not supported", name);
	return mdf_err_set(err, MDF_EUNSUPP,
			   "dumps of ELF machine %u are not supported", e_machine);
}

int arch_init(struct arch *a, const struct arch_ops *ops, struct input *in,
	      const struct vmcoreinfo *vi, struct mdf_warns *warns,
	      struct mdf_err *err)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->ops = ops;
	a->in = in;
	a->vi = vi;
	a->page_shift = in->page_shift;
	a->page_size = in->page_size;
	rc = ops->init(a, warns, err);
	if (rc < 0) {
		arch_deinit(a);
		return mdf_err_wrap(err, "%s address translation", ops->name);
	}
	return 0;
}

int arch_kaslr_probe(const struct arch_ops *ops, struct input *in,
		     const struct vmcoreinfo *vi, uint64_t *koff_ret,
		     uint64_t *phys_base_ret, struct mdf_err *err)
{
	int rc;

	if (!ops->kaslr_probe)
		return MDF_ABSENT;
	rc = ops->kaslr_probe(in, vi, koff_ret, phys_base_ret, err);
	if (rc < 0)
		return mdf_err_wrap(err, "finding the KASLR offset of the %s kernel",
				    ops->name);
	return rc;
}

void arch_deinit(struct arch *a)
{
	if (a->ops && a->ops->fini)
		a->ops->fini(a);
	a->priv = NULL;
}

int arch_read_kvaddr(const struct arch *a, uint64_t vaddr, void *buf,
		     size_t len, struct mdf_err *err)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t paddr, mlen;
		size_t n;
		int rc;

		rc = arch_kvtop(a, vaddr, &paddr, &mlen, err);
		if (rc)
			return rc;
		n = len < mlen ? len : (size_t)mlen;
		rc = input_read_paddr(a->in, paddr, p, n, err);
		if (rc) {
			if (rc == MDF_ABSENT)
				err->addr = vaddr;
			return rc;
		}
		p += n;
		vaddr += n;
		len -= n;
	}
	return 0;
}

int arch_read_ulong(const struct arch *a, uint64_t vaddr, uint64_t *ret,
		    struct mdf_err *err)
{
	uint8_t b[8];
	int rc = arch_read_kvaddr(a, vaddr, b, sizeof(b), err);

	if (rc == 0)
		*ret = get_le64(b);
	return rc;
}
