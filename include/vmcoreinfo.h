/* vmcoreinfo.h: stage 2, VMCOREINFO text to typed facts.
 *
 * The text (from the ELF note, a kdump sub header or -i FILE) is parsed
 * once into a table indexed by enum vmci_id; every key is declared once in
 * vmcoreinfo.def.  A missing key is "absent", never zero.  Never prints.
 */
#ifndef VMCOREINFO_H
#define VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mdf_err.h"

enum vmci_kind { VMCI_STRING, VMCI_DEC, VMCI_HEX, VMCI_NUM };

enum vmci_id {
#define PLAIN(id, key, kind)	VMCI_##id,
#define SYMBOL(n)		VMCI_SYMBOL_##n,
#define SIZE(n)			VMCI_SIZE_##n,
#define OFFSET(s, m)		VMCI_OFFSET_##s##_##m,
#define LENGTH(n)		VMCI_LENGTH_##n,
#define LENGTH2(s, m)		VMCI_LENGTH_##s##_##m,
#define NUMBER(n)		VMCI_NUMBER_##n,
#define ALIAS(id, key)
#include "vmcoreinfo.def"
#undef PLAIN
#undef SYMBOL
#undef SIZE
#undef OFFSET
#undef LENGTH
#undef LENGTH2
#undef NUMBER
#undef ALIAS
	VMCI_NKEYS
};

struct vmci_val {
	bool present;
	uint64_t v;		/* NUMBER() values are int64 stored here */
	const char *str;	/* VMCI_STRING: NUL-terminated, in text */
};

struct vmcoreinfo {
	struct vmci_val val[VMCI_NKEYS];
	char *text;		/* owned copy, NUL-terminated, lines split */
	char *raw;		/* owned copy of the original bytes */
	size_t raw_len;
	bool from_file;		/* -i FILE rather than the dump's note */
	unsigned nlines, nbad;	/* lines seen / malformed lines */
};

/** Parse len bytes of VMCOREINFO text.  Malformed lines are counted and
 * warned about, never fatal.  The caller owns vi (vmcoreinfo_deinit()). */
int vmcoreinfo_parse(struct vmcoreinfo *vi, const char *text, size_t len,
		     struct mdf_warns *warns, struct mdf_err *err);
/** Read and parse a VMCOREINFO text file (-i). */
int vmcoreinfo_load_file(struct vmcoreinfo *vi, const char *path,
			 struct mdf_warns *warns, struct mdf_err *err);
void vmcoreinfo_deinit(struct vmcoreinfo *vi);

static inline bool vmci_has(const struct vmcoreinfo *vi, enum vmci_id id)
{
	return vi->val[id].present;
}
static inline uint64_t vmci_get(const struct vmcoreinfo *vi, enum vmci_id id)
{
	return vi->val[id].v;
}
static inline int64_t vmci_num(const struct vmcoreinfo *vi, enum vmci_id id)
{
	return (int64_t)vi->val[id].v;
}
static inline const char *vmci_str(const struct vmcoreinfo *vi,
				   enum vmci_id id)
{
	return vi->val[id].present ? vi->val[id].str : NULL;
}

/** Make id present with value v (a fact found elsewhere than the text). */
void vmcoreinfo_set(struct vmcoreinfo *vi, enum vmci_id id, uint64_t v);

/** True when vi is a -g style file (from -i or generated from -x): its
 * SYMBOL() values are link-time addresses and it carries no KERNELOFFSET
 * of its own.  A -i copy of a kernel note has KERNELOFFSET and runtime
 * symbols, and is used as it is (vmcoreinfo.md section 2, rule 5). */
bool vmcoreinfo_is_linktime(const struct vmcoreinfo *vi);

/** Fill every key vi lacks from the dump's own note (string keys
 * excepted): -i FILE wins key by key, the note completes it. */
void vmcoreinfo_fill_from(struct vmcoreinfo *vi, const struct vmcoreinfo *note);

/** Add offset to every SYMBOL() value inside the kernel image, i.e. at or
 * above SYMBOL(_stext) rounded down to 1 GiB (x86_64.md section 5). */
void vmcoreinfo_relocate(struct vmcoreinfo *vi, uint64_t offset);

/** "SIZE(page)" etc. for messages. */
const char *vmci_key_name(enum vmci_id id);

/** 0 if present, else an error naming the key and what needs it. */
int vmci_require(const struct vmcoreinfo *vi, enum vmci_id id,
		 const char *needed_for, struct mdf_err *err);

/** Kernel version from OSRELEASE as KERNEL_VERSION(a,b,c), 0 if unknown. */
uint32_t vmcoreinfo_kernel_version(const struct vmcoreinfo *vi);
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + (c))

#endif
