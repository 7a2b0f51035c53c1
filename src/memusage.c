/* memusage.c: the live-system side of --mem-usage (include/memusage.h).
 * Facts: MDF makedumpfile.c main() (4.11 check), is_crashkernel_mem_reserved()
 * (iomem "Crash kernel"), get_sys_kernel_vmcoreinfo(); kernel fs/proc/kcore.c
 * (valid p_paddr since 4.11, VMCOREINFO note since 4.19, commit
 * 23c85094fe18); kernel kernel/ksysfs.c vmcoreinfo_show() ("%lx %x"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "byteorder.h"
#include "memusage.h"
#include "vmcoreinfo.h"

bool memusage_is_live(const char *path)
{
	return strcmp(path, "/proc/kcore") == 0;
}

static bool crashkernel_reserved(void)
{
	FILE *f = fopen("/proc/iomem", "re");
	char line[256];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long long start, end;
		int n = 0;

		if (sscanf(line, " %llx-%llx : %n", &start, &end, &n) == 2 && n &&
		    strncmp(line + n, "Crash kernel\n", 13) == 0)
			found = true;
	}
	fclose(f);
	return found;
}

int memusage_check_system(bool force, struct mdf_err *err)
{
	struct utsname u;
	unsigned a = 0, b = 0, c = 0;

	if (uname(&u) < 0)
		return mdf_err_sys(err, errno, "uname");
	sscanf(u.release, "%u.%u.%u", &a, &b, &c);
	if (KERNEL_VERSION(a, b, c) < KERNEL_VERSION(4, 11, 0) && !force)
		return mdf_err_set(err, MDF_EINVAL,
				   "mem-usage not supported for this kernel.\nYou can try with -f if your kernel's kcore has valid p_paddr");
	if (!crashkernel_reserved())
		return mdf_err_set(err, MDF_EINVAL,
				   "No memory is reserved for crashkernel!");
	return 0;
}

int memusage_sys_vmcoreinfo(struct input *in, char **text_ret,
			    size_t *len_ret, struct mdf_err *err)
{
	FILE *f = fopen("/sys/kernel/vmcoreinfo", "re");
	unsigned long long paddr, size;
	uint32_t namesz, descsz;
	uint8_t *note;
	size_t desc;
	int rc;

	if (!f)
		return mdf_err_sys(err, errno, "Can't open /sys/kernel/vmcoreinfo");
	rc = fscanf(f, "%llx %llx", &paddr, &size);
	fclose(f);
	if (rc != 2 || size < 12 || size > (1u << 20))
		return mdf_err_set(err, MDF_EFORMAT,
				   "Cannot parse /sys/kernel/vmcoreinfo");
	note = malloc(size + 1);
	if (!note)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	rc = input_read_paddr(in, paddr, note, size, err);
	if (rc) {
		free(note);
		if (rc < 0)
			return mdf_err_wrap(err, "the VMCOREINFO note at %#llx", paddr);
		return mdf_err_set(err, MDF_EFORMAT,
				   "the VMCOREINFO note at physical %#llx is not in %s",
				   paddr, in->path);
	}
	/* an ELF note: n_namesz, n_descsz, n_type, "VMCOREINFO\0", text */
	namesz = get_le32(note);
	descsz = get_le32(note + 4);
	desc = 12 + ((namesz + 3) & ~3u);
	if (namesz != 11 || memcmp(note + 12, "VMCOREINFO", 11) != 0 ||
	    desc > size || descsz > size - desc) {
		free(note);
		return mdf_err_set(err, MDF_EFORMAT,
				   "no VMCOREINFO note at physical %#llx (from /sys/kernel/vmcoreinfo)",
				   paddr);
	}
	memmove(note, note + desc, descsz);
	note[descsz] = '\0';
	*text_ret = (char *)note;
	*len_ret = descsz;
	return 0;
}
