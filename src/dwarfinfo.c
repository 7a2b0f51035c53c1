/* dwarfinfo.c: symbols and DWARF types of a vmlinux (include/dwarfinfo.h).
 *
 * Names are resolved in batches: one walk over the top-level DIEs of every
 * compilation unit answers all queries of a caller (a 600 MB debug vmlinux
 * takes well under a second), instead of one walk per name.  DIEs are kept
 * as global offsets so no libdw type leaks into the header.  Reads only
 * the vmlinux; never prints.
 */
#include <dwarf.h>
#include <elf.h>
#include <stdio.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dwarfinfo.h"

#ifdef LIBDW_SONAME
/* A dynamic build does not link libdw (with it liblzma and libbz2, about
 * 0.4 MB of RSS at start-up): dwarfinfo_open(), the only way in, loads it
 * (dynload.h) and every call below goes through the address resolved;
 * the macros keep the call sites as libdw spells them. */
#include "dynload.h"

#define LIBDW_FNS(X) \
	X(dwarf_aggregate_size) \
	X(dwarf_attr) \
	X(dwarf_attr_integrate) \
	X(dwarf_begin_elf) \
	X(dwarf_child) \
	X(dwarf_decl_file) \
	X(dwarf_diecu) \
	X(dwarf_diename) \
	X(dwarf_dieoffset) \
	X(dwarf_end) \
	X(dwarf_errmsg) \
	X(dwarf_formref_die) \
	X(dwarf_formsdata) \
	X(dwarf_formstring) \
	X(dwarf_formudata) \
	X(dwarf_getlocation) \
	X(dwarf_hasattr) \
	X(dwarf_hasattr_integrate) \
	X(dwarf_next_unit) \
	X(dwarf_offdie) \
	X(dwarf_siblingof) \
	X(dwarf_tag) \
	X(dwarf_whatform)
DYNLIB_DEFINE(libdw_lib, LIBDW_SONAME, LIBDW_FNS);
#define LIBDW_FN(f) DYNLIB_FN(libdw_lib, f)
#define dwarf_aggregate_size LIBDW_FN(dwarf_aggregate_size)
#define dwarf_attr LIBDW_FN(dwarf_attr)
#define dwarf_attr_integrate LIBDW_FN(dwarf_attr_integrate)
#define dwarf_begin_elf LIBDW_FN(dwarf_begin_elf)
#define dwarf_child LIBDW_FN(dwarf_child)
#define dwarf_decl_file LIBDW_FN(dwarf_decl_file)
#define dwarf_diecu LIBDW_FN(dwarf_diecu)
#define dwarf_diename LIBDW_FN(dwarf_diename)
#define dwarf_dieoffset LIBDW_FN(dwarf_dieoffset)
#define dwarf_end LIBDW_FN(dwarf_end)
#define dwarf_errmsg LIBDW_FN(dwarf_errmsg)
#define dwarf_formref_die LIBDW_FN(dwarf_formref_die)
#define dwarf_formsdata LIBDW_FN(dwarf_formsdata)
#define dwarf_formstring LIBDW_FN(dwarf_formstring)
#define dwarf_formudata LIBDW_FN(dwarf_formudata)
#define dwarf_getlocation LIBDW_FN(dwarf_getlocation)
#define dwarf_hasattr LIBDW_FN(dwarf_hasattr)
#define dwarf_hasattr_integrate LIBDW_FN(dwarf_hasattr_integrate)
#define dwarf_next_unit LIBDW_FN(dwarf_next_unit)
#define dwarf_offdie LIBDW_FN(dwarf_offdie)
#define dwarf_siblingof LIBDW_FN(dwarf_siblingof)
#define dwarf_tag LIBDW_FN(dwarf_tag)
#define dwarf_whatform LIBDW_FN(dwarf_whatform)

static int libdw_ready(struct mdf_err *err)
{
	return dynlib_load(&libdw_lib, err);
}
#else
static int libdw_ready(struct mdf_err *err)
{
	(void)err;
	return 0;
}
#endif

struct dwi_sym {
	const char *name;	/* in the mapped string table */
	uint64_t value;
	uint64_t size;
	unsigned rank;		/* 0 global, 1 weak, 2 local: lower wins */
	size_t index;		/* symbol table order, for ties */
};

struct dwarfinfo {
	const char *path;
	int fd;
	Elf *elf;
	Dwarf *dw;
	unsigned machine;
	struct dwi_sym *syms;	/* sorted by name, then rank */
	size_t nsyms;
};

const char *dwarfinfo_path(const struct dwarfinfo *di)
{
	return di->path;
}

unsigned dwarfinfo_machine(const struct dwarfinfo *di)
{
	return di->machine;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct dwi_sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int load_symtab(struct dwarfinfo *di, struct mdf_err *err)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(di->elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			return mdf_err_set(err, MDF_EFORMAT,
					   "%s: can't read the symbol table: %s",
					   di->path, elf_errmsg(-1));
		n = sh.sh_size / sh.sh_entsize;
		di->syms = calloc(n ? n : 1, sizeof(*di->syms));
		if (!di->syms)
			return mdf_err_set(err, MDF_ENOMEM,
					   "out of memory for %zu symbols", n);
		for (i = 0; i < n; i++) {
			GElf_Sym s;
			const char *name;
			unsigned type, bind;

			if (!gelf_getsym(data, (int)i, &s))
				continue;
			type = GELF_ST_TYPE(s.st_info);
			bind = GELF_ST_BIND(s.st_info);
			if (s.st_shndx == SHN_UNDEF || type == STT_SECTION ||
			    type == STT_FILE)
				continue;
			name = elf_strptr(di->elf, sh.sh_link, s.st_name);
			if (!name || !*name)
				continue;
			di->syms[di->nsyms].name = name;
			di->syms[di->nsyms].value = s.st_value;
			di->syms[di->nsyms].size = s.st_size;
			di->syms[di->nsyms].rank = bind == STB_GLOBAL ? 0 :
						   bind == STB_WEAK ? 1 : 2;
			di->syms[di->nsyms].index = i;
			di->nsyms++;
		}
		qsort(di->syms, di->nsyms, sizeof(*di->syms), sym_cmp);
		return 0;
	}
	return mdf_err_set(err, MDF_EFORMAT, "%s has no symbol table (.symtab)",
			   di->path);
}

int dwarfinfo_open(const char *path, struct dwarfinfo **ret,
		   struct mdf_err *err)
{
	struct dwarfinfo *di;
	GElf_Ehdr eh;
	int rc;

	rc = libdw_ready(err);
	if (rc < 0)
		return mdf_err_wrap(err, "reading the DWARF of %s", path);
	di = calloc(1, sizeof(*di));
	if (!di)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	di->path = path;
	di->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (di->fd < 0) {
		rc = mdf_err_sys(err, errno, "Can't open the kernel file(%s)",
				 path);
		free(di);
		return rc;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		rc = mdf_err_set(err, MDF_EUNSUPP, "libelf is too old");
		goto fail;
	}
	di->elf = elf_begin(di->fd, ELF_C_READ_MMAP, NULL);
	if (!di->elf || elf_kind(di->elf) != ELF_K_ELF ||
	    !gelf_getehdr(di->elf, &eh)) {
		rc = mdf_err_set(err, MDF_EFORMAT, "%s is not an ELF file", path);
		goto fail;
	}
	di->machine = eh.e_machine;
	rc = load_symtab(di, err);
	if (rc < 0)
		goto fail;
	di->dw = dwarf_begin_elf(di->elf, DWARF_C_READ, NULL);
	if (!di->dw) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "%s has no DWARF debug information (%s): use the vmlinux of the kernel's debug package",
				 path, dwarf_errmsg(-1));
		goto fail;
	}
	*ret = di;
	return 0;
fail:
	dwarfinfo_close(di);
	return rc;
}

void dwarfinfo_close(struct dwarfinfo *di)
{
	if (!di)
		return;
	if (di->dw)
		dwarf_end(di->dw);
	free(di->syms);
	if (di->elf)
		elf_end(di->elf);
	if (di->fd >= 0)
		close(di->fd);
	free(di);
}

int dwarfinfo_symbol(const struct dwarfinfo *di, const char *name,
		     uint64_t *addr_ret, uint64_t *size_ret)
{
	size_t lo = 0, hi = di->nsyms;

	/* first entry >= name; ties are sorted global first */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(di->syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == di->nsyms || strcmp(di->syms[lo].name, name) != 0)
		return MDF_ABSENT;
	if (addr_ret)
		*addr_ret = di->syms[lo].value;
	if (size_ret)
		*size_ret = di->syms[lo].size;
	return 0;
}

int dwarfinfo_read(const struct dwarfinfo *di, uint64_t addr, void *buf,
		   size_t len, struct mdf_err *err)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(di->elf, scn)) != NULL) {
		GElf_Shdr sh;
		ssize_t n;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    sh.sh_type == SHT_NOBITS)
			continue;
		if (addr < sh.sh_addr || addr - sh.sh_addr >= sh.sh_size ||
		    len > sh.sh_size - (addr - sh.sh_addr))
			continue;
		n = pread(di->fd, buf, len,
			  (off_t)(sh.sh_offset + (addr - sh.sh_addr)));
		if (n < 0)
			return mdf_err_sys(err, errno, "reading %s", di->path);
		if ((size_t)n != len)
			return mdf_err_set(err, MDF_EFORMAT,
					   "%s is truncated at address %#llx",
					   di->path, (unsigned long long)addr);
		return 0;
	}
	return MDF_ABSENT;
}

/* ---- DIE helpers ---- */

static bool die_at(const struct dwarfinfo *di, struct dwi_type t,
		   Dwarf_Die *die)
{
	return t.off && dwarf_offdie(di->dw, (Dwarf_Off)t.off, die) != NULL;
}

static struct dwi_type die_type(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	Dwarf_Die t;
	struct dwi_type r = { 0 };

	if (dwarf_attr_integrate(die, DW_AT_type, &a) &&
	    dwarf_formref_die(&a, &t))
		r.off = dwarf_dieoffset(&t);
	return r;
}

static bool is_qualifier(int tag)
{
	return tag == DW_TAG_typedef || tag == DW_TAG_const_type ||
	       tag == DW_TAG_volatile_type || tag == DW_TAG_restrict_type ||
	       tag == DW_TAG_atomic_type;
}

struct dwi_type dwarfinfo_strip(const struct dwarfinfo *di, struct dwi_type t)
{
	Dwarf_Die die;
	int depth = 0;

	/* a bounded walk: a corrupt DWARF could loop */
	while (die_at(di, t, &die) && is_qualifier(dwarf_tag(&die)) &&
	       depth++ < 64)
		t = die_type(&die);
	return t;
}

enum dwi_kind dwarfinfo_kind(const struct dwarfinfo *di, struct dwi_type t)
{
	Dwarf_Die die;

	t = dwarfinfo_strip(di, t);
	if (!die_at(di, t, &die))
		return DWI_VOID;
	switch (dwarf_tag(&die)) {
	case DW_TAG_base_type: return DWI_BASE;
	case DW_TAG_enumeration_type: return DWI_ENUM;
	case DW_TAG_pointer_type: return DWI_POINTER;
	case DW_TAG_structure_type: return DWI_STRUCT;
	case DW_TAG_union_type: return DWI_UNION;
	case DW_TAG_array_type: return DWI_ARRAY;
	case DW_TAG_subroutine_type: return DWI_FUNCTION;
	default: return DWI_OTHER;
	}
}

const char *dwarfinfo_type_name(const struct dwarfinfo *di, struct dwi_type t)
{
	Dwarf_Die die;

	t = dwarfinfo_strip(di, t);
	if (!die_at(di, t, &die))
		return NULL;
	return dwarf_diename(&die);
}

int dwarfinfo_size(const struct dwarfinfo *di, struct dwi_type t,
		   uint64_t *ret)
{
	Dwarf_Die die, cu;
	Dwarf_Word size;
	uint8_t asz;

	t = dwarfinfo_strip(di, t);
	if (!die_at(di, t, &die))
		return MDF_ABSENT;
	if (dwarf_hasattr(&die, DW_AT_declaration))
		return MDF_ABSENT;
	if (dwarf_aggregate_size(&die, &size) == 0) {
		*ret = size;
		return 0;
	}
	if (dwarf_tag(&die) == DW_TAG_pointer_type &&
	    dwarf_diecu(&die, &cu, &asz, NULL)) {
		*ret = asz;
		return 0;
	}
	return MDF_ABSENT;
}

struct dwi_type dwarfinfo_target(const struct dwarfinfo *di, struct dwi_type t)
{
	Dwarf_Die die;
	struct dwi_type none = { 0 };

	t = dwarfinfo_strip(di, t);
	if (!die_at(di, t, &die))
		return none;
	return die_type(&die);
}

int dwarfinfo_array_len(const struct dwarfinfo *di, struct dwi_type t,
			uint64_t *ret)
{
	Dwarf_Die die, sub;
	Dwarf_Attribute a;
	Dwarf_Word u;
	Dwarf_Sword s;

	t = dwarfinfo_strip(di, t);
	if (!die_at(di, t, &die) || dwarf_tag(&die) != DW_TAG_array_type)
		return MDF_ABSENT;
	if (dwarf_child(&die, &sub) != 0)
		return MDF_ABSENT;
	do {
		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		if (dwarf_attr(&sub, DW_AT_count, &a) &&
		    dwarf_formudata(&a, &u) == 0) {
			*ret = u;
			return 0;
		}
		if (dwarf_attr(&sub, DW_AT_upper_bound, &a)) {
			/* a reference or expression is a VLA: unknown */
			if (dwarf_whatform(&a) == DW_FORM_sdata ||
			    dwarf_whatform(&a) == DW_FORM_implicit_const) {
				if (dwarf_formsdata(&a, &s) != 0)
					return MDF_ABSENT;
				*ret = s < 0 ? 0 : (uint64_t)s + 1;
				return 0;
			}
			if (dwarf_formudata(&a, &u) != 0)
				return MDF_ABSENT;
			/* an all-ones bound of a flexible array is -1 */
			*ret = u == (Dwarf_Word)-1 || u == 0xffffffffu ? 0 : u + 1;
			return 0;
		}
		return MDF_ABSENT;
	} while (dwarf_siblingof(&sub, &sub) == 0);
	return MDF_ABSENT;
}

static bool member_offset(Dwarf_Die *m, uint64_t *off)
{
	Dwarf_Attribute a;
	Dwarf_Word u;
	Dwarf_Op *expr;
	size_t n;

	if (!dwarf_attr(m, DW_AT_data_member_location, &a)) {
		*off = 0;	/* union members, or offset 0 */
		return true;
	}
	if (dwarf_formudata(&a, &u) == 0) {
		*off = u;
		return true;
	}
	/* DWARF 2 style: DW_OP_plus_uconst N */
	if (dwarf_getlocation(&a, &expr, &n) == 0 && n == 1 &&
	    expr[0].atom == DW_OP_plus_uconst) {
		*off = expr[0].number;
		return true;
	}
	return false;
}

static int find_member(const struct dwarfinfo *di, Dwarf_Die *agg,
		       const char *name, struct dwi_type *type_ret,
		       uint64_t *off_ret, int depth)
{
	Dwarf_Die m;

	if (depth > 16 || dwarf_child(agg, &m) != 0)
		return MDF_ABSENT;
	do {
		const char *mn;
		uint64_t off;

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		mn = dwarf_diename(&m);
		if (mn && strcmp(mn, name) == 0) {
			if (!member_offset(&m, &off))
				return MDF_ABSENT;
			*type_ret = die_type(&m);
			*off_ret = off;
			return 0;
		}
		if (!mn) {
			/* anonymous struct or union: C looks inside */
			struct dwi_type t = dwarfinfo_strip(di, die_type(&m));
			struct dwi_type it;
			Dwarf_Die inner;
			uint64_t ioff;
			int tag;

			if (!die_at(di, t, &inner))
				continue;
			tag = dwarf_tag(&inner);
			if (tag != DW_TAG_structure_type &&
			    tag != DW_TAG_union_type)
				continue;
			if (find_member(di, &inner, name, &it, &ioff,
					depth + 1) == 0 &&
			    member_offset(&m, &off)) {
				*type_ret = it;
				*off_ret = off + ioff;
				return 0;
			}
		}
	} while (dwarf_siblingof(&m, &m) == 0);
	return MDF_ABSENT;
}

int dwarfinfo_member(const struct dwarfinfo *di, struct dwi_type t,
		     const char *name, struct dwi_type *type_ret,
		     uint64_t *off_ret)
{
	Dwarf_Die die;
	int tag;

	t = dwarfinfo_strip(di, t);
	if (!die_at(di, t, &die))
		return MDF_ABSENT;
	tag = dwarf_tag(&die);
	if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type)
		return MDF_ABSENT;
	return find_member(di, &die, name, type_ret, off_ret, 0);
}

/* ---- the batch lookup ---- */

/* Query names hashed into a small table; queries with the same name chain
 * through next[] (a struct and a variable may share a name). */
struct lookup_tab {
	int *head;
	int *next;
	size_t mask;
	unsigned pending;	/* queries not yet final */
	bool want_enumerators;
	bool *final;		/* found in its best form */
	uint64_t *sym_addr;	/* variables: the symbol's address, or 0 */
};

static size_t name_hash(const char *s)
{
	size_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static bool tag_fits(enum dwi_want w, int tag)
{
	switch (w) {
	case DWI_WANT_STRUCT: return tag == DW_TAG_structure_type;
	case DWI_WANT_UNION: return tag == DW_TAG_union_type;
	case DWI_WANT_ENUM: return tag == DW_TAG_enumeration_type;
	case DWI_WANT_TYPEDEF: return tag == DW_TAG_typedef;
	case DWI_WANT_STRUCT_OR_TYPEDEF:
		return tag == DW_TAG_structure_type ||
		       tag == DW_TAG_union_type || tag == DW_TAG_typedef;
	case DWI_WANT_VARIABLE: return tag == DW_TAG_variable;
	case DWI_WANT_ENUMERATOR: return tag == DW_TAG_enumerator;
	}
	return false;
}

/* the address of a variable DIE's storage, 0 if not a plain address */
static uint64_t var_location(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	Dwarf_Op *expr;
	size_t n;

	if (!dwarf_attr(die, DW_AT_location, &a) ||
	    dwarf_getlocation(&a, &expr, &n) != 0 || n != 1 ||
	    expr[0].atom != DW_OP_addr)
		return 0;
	return expr[0].number;
}

static const char *decl_file(Dwarf_Die *die)
{
	Dwarf_Die cu;
	const char *f = dwarf_decl_file(die), *dir;
	size_t n;

	if (!f)
		return NULL;
	/* relative to the build directory, as makedumpfile prints it */
	if (dwarf_diecu(die, &cu, NULL, NULL)) {
		Dwarf_Attribute a;

		dir = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &a));
		n = dir ? strlen(dir) : 0;
		if (n && strncmp(f, dir, n) == 0 && f[n] == '/')
			f += n + 1;
	}
	while (f[0] == '.' && f[1] == '/')
		f += 2;
	return f;
}

static void consider(struct lookup_tab *lt,
		     struct dwi_query *q, Dwarf_Die *die, int tag,
		     const char *name, const char *scope)
{
	size_t h = name_hash(name) & lt->mask;
	int i;

	for (i = lt->head[h]; i >= 0; i = lt->next[i]) {
		struct dwi_query *x = &q[i];
		bool decl;

		if (lt->final[i] || !tag_fits(x->want, tag) ||
		    strcmp(x->name, name) != 0)
			continue;
		if (x->want == DWI_WANT_ENUMERATOR) {
			Dwarf_Attribute a;
			Dwarf_Sword v;

			/* PG_hugetlb is a page flag in enum pageflags and
			 * a page type in enum pagetype (6.9): the caller
			 * says which enum it means */
			if (x->scope && (!scope ||
					 strcmp(scope, x->scope) != 0))
				continue;
			if (!dwarf_attr(die, DW_AT_const_value, &a) ||
			    dwarf_formsdata(&a, &v) != 0)
				continue;
			x->value = v;
			x->found = true;
			lt->final[i] = true;
			lt->pending--;
			continue;
		}
		decl = dwarf_hasattr_integrate(die, DW_AT_declaration) &&
		       !dwarf_hasattr(die, DW_AT_location);
		if (x->want == DWI_WANT_VARIABLE) {
			uint64_t at = var_location(die);

			/* a declaration gives the type until the
			 * definition at the symbol's address is seen */
			if (decl || !at) {
				if (!x->found) {
					x->type = die_type(die);
					x->found = true;
				}
				continue;
			}
			if (lt->sym_addr[i] && at != lt->sym_addr[i])
				continue;	/* a static of another file */
			x->type = die_type(die);
			x->found = true;
			lt->final[i] = true;
			lt->pending--;
			continue;
		}
		if (tag != DW_TAG_typedef && dwarf_hasattr(die, DW_AT_declaration))
			continue;	/* struct foo; */
		if (tag == DW_TAG_typedef) {
			/* the line table is big: read it once, for a
			 * typedef query (SRCFILE) */
			if (x->want == DWI_WANT_TYPEDEF)
				x->decl_file = decl_file(die);
			/* "within NAME": a struct of that name wins */
			if (x->want == DWI_WANT_STRUCT_OR_TYPEDEF) {
				if (!x->found) {
					x->type.off = dwarf_dieoffset(die);
					x->found = true;
				}
				continue;
			}
		}
		x->type.off = dwarf_dieoffset(die);
		x->found = true;
		lt->final[i] = true;
		lt->pending--;
	}
}

static void scan_enum(struct lookup_tab *lt,
		      struct dwi_query *q, Dwarf_Die *en)
{
	const char *scope = dwarf_diename(en);
	Dwarf_Die e;

	if (dwarf_child(en, &e) != 0)
		return;
	do {
		const char *name;

		if (dwarf_tag(&e) != DW_TAG_enumerator)
			continue;
		name = dwarf_diename(&e);
		if (name)
			consider(lt, q, &e, DW_TAG_enumerator, name, scope);
	} while (dwarf_siblingof(&e, &e) == 0);
}

/* A walk reads all of .debug_info (170 MB for a distribution kernel)
 * through libelf's read-only mapping of the file.  Its pages are clean
 * copies of the page cache: dropping them from this process now and then
 * keeps the resident set small (in a kdump capture kernel memory is short);
 * what is touched again faults back in from the page cache. */
enum { RELEASE_EVERY = 64 };	/* compilation units */

static void release_pages(struct dwarfinfo *di)
{
	size_t size;
	char *map = elf_rawfile(di->elf, &size);
	long psz = sysconf(_SC_PAGESIZE);

	if (map && psz > 0 && !((uintptr_t)map & (uintptr_t)(psz - 1)))
		madvise(map, size, MADV_DONTNEED);
}

int dwarfinfo_lookup(struct dwarfinfo *di, struct dwi_query *q, size_t n,
		     struct mdf_err *err)
{
	struct lookup_tab lt = { 0 };
	Dwarf_Off off = 0, next;
	size_t hsz, size = 16, i, ncu = 0;
	int rc = 0;

	while (size < 2 * n)
		size *= 2;
	lt.head = malloc(size * sizeof(*lt.head));
	lt.next = malloc((n ? n : 1) * sizeof(*lt.next));
	lt.final = calloc(n ? n : 1, sizeof(*lt.final));
	lt.sym_addr = calloc(n ? n : 1, sizeof(*lt.sym_addr));
	if (!lt.head || !lt.next || !lt.final || !lt.sym_addr) {
		rc = mdf_err_set(err, MDF_ENOMEM, "out of memory");
		goto out;
	}
	lt.mask = size - 1;
	for (i = 0; i < size; i++)
		lt.head[i] = -1;
	for (i = 0; i < n; i++) {
		size_t h = name_hash(q[i].name) & lt.mask;

		q[i].found = false;
		q[i].type.off = 0;
		q[i].value = 0;
		q[i].decl_file = NULL;
		if (q[i].want == DWI_WANT_ENUMERATOR)
			lt.want_enumerators = true;
		if (q[i].want == DWI_WANT_VARIABLE)
			dwarfinfo_symbol(di, q[i].name, &lt.sym_addr[i], NULL);
		lt.next[i] = lt.head[h];
		lt.head[h] = (int)i;
	}
	lt.pending = (unsigned)n;

	while (lt.pending &&
	       dwarf_next_unit(di->dw, off, &next, &hsz, NULL, NULL, NULL,
			       NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (!dwarf_offdie(di->dw, off + hsz, &cu) ||
		    dwarf_child(&cu, &die) != 0) {
			off = next;
			continue;
		}
		do {
			int tag = dwarf_tag(&die);
			const char *name;

			if (tag == DW_TAG_enumeration_type && lt.want_enumerators)
				scan_enum(&lt, q, &die);
			if (tag != DW_TAG_structure_type &&
			    tag != DW_TAG_union_type &&
			    tag != DW_TAG_enumeration_type &&
			    tag != DW_TAG_typedef && tag != DW_TAG_variable)
				continue;
			name = dwarf_diename(&die);
			if (name)
				consider(&lt, q, &die, tag, name, NULL);
		} while (lt.pending && dwarf_siblingof(&die, &die) == 0);
		off = next;
		if (++ncu % RELEASE_EVERY == 0)
			release_pages(di);
	}
	release_pages(di);
out:
	free(lt.head);
	free(lt.next);
	free(lt.final);
	free(lt.sym_addr);
	return rc;
}

int dwarfinfo_build_id(const struct dwarfinfo *di, char *hex, size_t len)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(di->elf, scn)) != NULL) {
		GElf_Shdr sh;
		GElf_Nhdr nh;
		Elf_Data *d;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		while (off < d->d_size &&
		       (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			const uint8_t *id = (const uint8_t *)d->d_buf + desc_off;
			size_t i;

			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((const char *)d->d_buf + name_off, "GNU", 4) ||
			    !nh.n_descsz || nh.n_descsz * 2 + 1 > len)
				continue;
			for (i = 0; i < nh.n_descsz; i++)
				snprintf(hex + 2 * i, 3, "%02x", id[i]);
			return 0;
		}
	}
	return MDF_ABSENT;
}
