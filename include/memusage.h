/* memusage.h: --mem-usage, the page usage of the running system read from
 * /proc/kcore (cli.md section 9).
 *
 * The classification is the dump's at level 31 (dump.c runs the usual
 * passes); this module holds what is special about a live kernel: the
 * checks makedumpfile makes on the running system, and VMCOREINFO from
 * /sys/kernel/vmcoreinfo when the kcore has no note (before 4.19).  Reads
 * only /proc and /sys files and the input; never prints.
 */
#ifndef MEMUSAGE_H
#define MEMUSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "input.h"
#include "mdf_err.h"

/** True for the running kernel's /proc/kcore.  Any other file (a vmcore)
 * is shown as it is, without the checks of the running system. */
bool memusage_is_live(const char *path);

/** makedumpfile's preconditions, in its order: the running kernel is 4.11
 * or newer (kcore p_paddr is valid), unless force; /proc/iomem has a
 * "Crash kernel" range.  MDF_EINVAL with makedumpfile's message. */
int memusage_check_system(bool force, struct mdf_err *err);

/** The VMCOREINFO note of the running kernel through kcore, at the
 * physical address /sys/kernel/vmcoreinfo gives.  *text_ret is malloc'ed
 * (the note's descriptor). */
int memusage_sys_vmcoreinfo(struct input *in, char **text_ret,
			    size_t *len_ret, struct mdf_err *err);

#endif
