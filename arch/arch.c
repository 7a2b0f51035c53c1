/* arch.c: stage 3, the table of architectures and helpers shared by all.
 * The dump names its machine; the host never decides. */
#include <elf.h>
#include <string.h>

#include "arch.h"
#include "byteorder.h"

static const struct arch_ops *const arch_table[] = {
	&arch_x86_64,
};

int arch_find(unsigned e_machine, const struct arch_ops **ret,
	      struct mdf_err *err)
{
	size_t i;

	for (i = 0; i < sizeof(arch_table) / sizeof(arch_table[0]); i++) {
		if (arch_table[i]->e_machine == e_machine) {
			*ret = arch_table[i];
			return 0;
		}
	}
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
		/* a failed set-up owns nothing: the caller never deinits */
		arch_deinit(a);
		return mdf_err_wrap(err, "%s address translation", ops->name);
	}
	return 0;
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
