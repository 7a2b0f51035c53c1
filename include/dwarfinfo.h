/* dwarfinfo.h: kernel debug information from a vmlinux (ELF symbols and
 * DWARF through libelf/libdw).
 *
 * Used by -g (VMCOREINFO generated from debug information), by -x when the
 * dump has no VMCOREINFO note, and by the --config erase filter.  A leaf
 * service beside the pipeline: it reads only the vmlinux file, never the
 * dump, and never prints.  Addresses are link-time (no KASLR offset).
 */
#ifndef DWARFINFO_H
#define DWARFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mdf_err.h"

struct dwarfinfo;

/** A type (or variable) in the DWARF, by its global DIE offset.  off == 0
 * means "none"; .. void is a type of its own (DWI_VOID) with off == 0. */
struct dwi_type {
	uint64_t off;
};

enum dwi_kind {
	DWI_VOID,		/* no type (void, or the target of void *) */
	DWI_BASE,		/* int, char, unsigned long, _Bool, ... */
	DWI_ENUM,
	DWI_POINTER,
	DWI_STRUCT,
	DWI_UNION,
	DWI_ARRAY,
	DWI_FUNCTION,
	DWI_OTHER,
};

/** What a name lookup looks for. */
enum dwi_want {
	DWI_WANT_STRUCT,	/* struct NAME with a definition */
	DWI_WANT_UNION,
	DWI_WANT_ENUM,		/* enum NAME (the type) */
	DWI_WANT_TYPEDEF,
	DWI_WANT_STRUCT_OR_TYPEDEF,	/* "within NAME:": struct first */
	DWI_WANT_ENUMERATOR,	/* an enumeration constant */
	DWI_WANT_VARIABLE,	/* a global or file-scope variable */
};

/** One name to resolve; the result fields are written by the lookup. */
struct dwi_query {
	enum dwi_want want;
	const char *name;
	const char *scope;	/* enumerators: the enum type that must hold
				 * it ("pageflags"), NULL for any */
	/* results */
	bool found;
	struct dwi_type type;	/* the type; for a variable its type */
	int64_t value;		/* DWI_WANT_ENUMERATOR */
	const char *decl_file;	/* typedefs: the declaring source file */
};

/** Open a vmlinux (or any ELF with DWARF).  MDF_EFORMAT names what is
 * missing (no symbol table, no debug information). */
int dwarfinfo_open(const char *path, struct dwarfinfo **ret,
		   struct mdf_err *err);
void dwarfinfo_close(struct dwarfinfo *di);	/* NULL is a no-op */

/** The path given to dwarfinfo_open(). */
const char *dwarfinfo_path(const struct dwarfinfo *di);
/** ELF e_machine of the file (EM_X86_64, ...). */
unsigned dwarfinfo_machine(const struct dwarfinfo *di);

/** Value and size of a symbol of the ELF symbol table (global symbols
 * win over local ones of the same name).  0 or MDF_ABSENT. */
int dwarfinfo_symbol(const struct dwarfinfo *di, const char *name,
		     uint64_t *addr_ret, uint64_t *size_ret);

/** Copy len bytes of the file's initialised data at link-time address
 * addr (a variable's initial value, e.g. init_uts_ns).  0, MDF_ABSENT
 * (not in a section with file contents) or negative. */
int dwarfinfo_read(const struct dwarfinfo *di, uint64_t addr, void *buf,
		   size_t len, struct mdf_err *err);

/** Resolve n names in one pass over every compilation unit: a type or
 * variable defined at file scope, or an enumerator.  A name that is not
 * found has found == false (not an error). */
int dwarfinfo_lookup(struct dwarfinfo *di, struct dwi_query *q, size_t n,
		     struct mdf_err *err);

/** Remove typedefs and const/volatile/restrict/atomic qualifiers. */
struct dwi_type dwarfinfo_strip(const struct dwarfinfo *di, struct dwi_type t);
/** Kind of t after dwarfinfo_strip(). */
enum dwi_kind dwarfinfo_kind(const struct dwarfinfo *di, struct dwi_type t);
/** Name of t after stripping ("page" for struct page, "char", NULL if
 * anonymous or void). */
const char *dwarfinfo_type_name(const struct dwarfinfo *di, struct dwi_type t);
/** Size in bytes (arrays: all elements).  MDF_ABSENT if unknown (void,
 * incomplete types, arrays without bound). */
int dwarfinfo_size(const struct dwarfinfo *di, struct dwi_type t,
		   uint64_t *ret);
/** Pointer target or array element type (void: off 0). */
struct dwi_type dwarfinfo_target(const struct dwarfinfo *di, struct dwi_type t);
/** Number of elements of the first dimension of an array type.
 * MDF_ABSENT if it has no bound (extern int x[]). */
int dwarfinfo_array_len(const struct dwarfinfo *di, struct dwi_type t,
			uint64_t *ret);
/** Member of a struct or union (after stripping t), searched through
 * anonymous struct/union members as C does.  Returns its type and byte
 * offset from the start of t.  MDF_ABSENT if there is no such member. */
int dwarfinfo_member(const struct dwarfinfo *di, struct dwi_type t,
		     const char *name, struct dwi_type *type_ret,
		     uint64_t *off_ret);

/** Generate makedumpfile's -g VMCOREINFO text (vmcoreinfo.md section 7)
 * from the vmlinux: keys in makedumpfile's order, each written only when
 * the debug information has it.  *text_ret is malloc'ed, NUL-terminated.
 * Facts the DWARF cannot carry (page-type markers of kernels that keep
 * them in #defines) come from the kernel version; see the .c file. */
int dwarfinfo_gen_vmcoreinfo(struct dwarfinfo *di, char **text_ret,
			     size_t *len_ret, struct mdf_warns *warns,
			     struct mdf_err *err);

/** The kernel release the vmlinux was built as (init_uts_ns), for
 * checking it against a dump. */
int dwarfinfo_release(struct dwarfinfo *di, char *buf, size_t len,
		      struct mdf_err *err);

/** The GNU build-id of the vmlinux as lowercase hex (the kernel's
 * BUILD-ID= line).  MDF_ABSENT if it has none. */
int dwarfinfo_build_id(const struct dwarfinfo *di, char *hex, size_t len);

/** -g: generate and write to path (created mode 0600, replaced if it
 * exists, as makedumpfile replaces it). */
int dwarfinfo_write_vmcoreinfo(const char *vmlinux, const char *path,
			       struct mdf_warns *warns, struct mdf_err *err);

struct vmcoreinfo;
/** -x without a VMCOREINFO note: generate and parse into vi, marked
 * from_file (its symbols are link-time addresses). */
int dwarfinfo_load_vmcoreinfo(const char *vmlinux, struct vmcoreinfo *vi,
			      struct mdf_warns *warns, struct mdf_err *err);

#endif
