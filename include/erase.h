/* erase.h: the --config erase filter (makedumpfile.conf(5), cli.md
 * section 11, formats.md sections 5.2 and 5.3).
 *
 * Three steps.  erase_conf_parse() turns the file into commands (syntax
 * only).  erase_resolve() evaluates them against the kernel's debug
 * information and the dump's memory, at setup: the result is a list of
 * physical byte ranges, each with its fill byte ('X', or 0 for nullify),
 * split at page boundaries and sorted by address.  The page pipeline then
 * calls erase_hit() per dumpable pfn and, on a hit, erase_apply() on its own
 * copy of the page, before the zero check and compression: the input
 * mapping is never written.  erase_info_text() gives the eraseinfo the
 * writers store.  Never prints.
 */
#ifndef ERASE_H
#define ERASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mdf_err.h"

struct arch;
struct dwarfinfo;

/* ---- the parsed file ---- */

/** "sym.member.member": parts[0] is a symbol or the loop variable. */
struct erase_path {
	char *text;		/* as written, for the eraseinfo */
	char **parts;
	unsigned nparts;
};

enum erase_size_kind {
	ERASE_SIZE_TYPE,	/* from the type (strings: strlen, max 1024) */
	ERASE_SIZE_BYTES,	/* size N[K|M] */
	ERASE_SIZE_EXPR,	/* size sym.member: an integer in the dump */
	ERASE_NULLIFY,		/* pointer set to 0 */
};

struct erase_cmd {
	struct erase_path target;
	enum erase_size_kind size_kind;
	uint64_t bytes;		/* ERASE_SIZE_BYTES */
	struct erase_path size_expr;	/* ERASE_SIZE_EXPR */
	int line;
};

enum erase_loop_kind {
	ERASE_LOOP_NONE,	/* a single erase command */
	ERASE_LOOP_PLAIN,	/* for id in ARRAY (a struct: via next) */
	ERASE_LOOP_VIA,		/* for id in STRUCTVAR via NEXT */
	ERASE_LOOP_WITHIN,	/* for id in LISTHEAD within STRUCT:MEMBER */
};

struct erase_stmt {
	enum erase_loop_kind loop;
	char *var;		/* loop variable */
	struct erase_path list;	/* what the loop walks */
	char *via;		/* ERASE_LOOP_VIA member */
	char *within_struct;	/* ERASE_LOOP_WITHIN */
	char *within_member;	/* default "list" */
	struct erase_cmd *cmds;
	unsigned ncmds;
	int line;
};

struct erase_conf {
	struct erase_stmt *stmts;
	size_t n;
	/* makedumpfile stops reading at the first syntax error and keeps
	 * the commands before it; so do we, and say why here */
	char error[256];	/* "" or "Config error at N: ..." */
	char warning[256];	/* a bad section line, skipped */
	char skipped[256];	/* module sections skipped: "a, b" */
};

/** Parse a makedumpfile.conf.  Only I/O and memory errors fail; a syntax
 * error ends the parse with conf->error set and the commands before it
 * kept. */
int erase_conf_parse(const char *path, struct erase_conf *conf,
		     struct mdf_err *err);
/** The same from a string (tests). */
int erase_conf_parse_text(const char *text, struct erase_conf *conf,
			  struct mdf_err *err);
void erase_conf_deinit(struct erase_conf *conf);

/* ---- the resolved ranges ---- */

/** One erase of one command instance (one loop iteration). */
struct erase_inst {
	const char *expr;	/* the command's target text */
	bool nullify;
	uint64_t applied;	/* bytes erased in written pages (atomic) */
};

/** Bytes [off, off + len) of page pfn become fill. */
struct erase_range {
	uint64_t pfn;
	uint32_t off, len;
	uint32_t inst;		/* index into insts */
	uint8_t fill;
};

struct erase_list {
	struct erase_range *r;	/* sorted by pfn, then off */
	size_t n, cap;
	struct erase_inst *insts;	/* in command order */
	size_t ninst, capinst;
	unsigned page_shift;
	char *texts;		/* owns the insts' expr strings */
};

/** What resolution reads: the debug information (link-time), the KASLR
 * offset to add to its symbols, and the dump through the arch. */
struct erase_env {
	struct dwarfinfo *di;
	const struct arch *arch;
	uint64_t koff;
};

/** Evaluate conf into el (erase_list_deinit() it).  A command that cannot
 * be resolved (unknown symbol, unreadable pointer) is skipped with a
 * warning naming its line, as makedumpfile does; only memory errors fail. */
int erase_resolve(const struct erase_conf *conf, const struct erase_env *env,
		  struct erase_list *el, struct mdf_warns *warns,
		  struct mdf_err *err);
void erase_list_deinit(struct erase_list *el);

struct vmcoreinfo;
/** All of --config at setup: parse the file, open the vmlinux (its
 * release must be the dump's: MDF_EMISMATCH otherwise), measure the KASLR
 * offset against the dump's VMCOREINFO, resolve.  Syntax errors and
 * skipped sections become warnings, as in makedumpfile. */
int erase_setup(const char *config, const char *vmlinux,
		const struct vmcoreinfo *vi, const struct arch *arch,
		struct erase_list *el, struct mdf_warns *warns,
		struct mdf_err *err);

/** Does any range touch pfn?  Cheap (binary search); false for NULL. */
bool erase_hit(const struct erase_list *el, uint64_t pfn);

/** Overwrite the ranges of pfn in page (the caller's copy) and count the
 * bytes for the eraseinfo.  Safe to call from several threads. */
void erase_apply(struct erase_list *el, uint64_t pfn, uint8_t *page,
		 size_t page_size);

/** Forget the bytes counted so far (a writer that reads pages twice, or a
 * retry at another dump level, starts again). */
void erase_reset_applied(struct erase_list *el);

/** The longest eraseinfo text the list can produce: every instance with
 * all its bytes.  A writer that must size the text before the pages are
 * written (ELF notes) reserves this and pads with zeros. */
size_t erase_info_reserve(const struct erase_list *el);

/** The eraseinfo text: one "erase EXPR size N\n" or "erase EXPR
 * nullify\n" line per command instance that erased bytes of written pages
 * (formats.md section 5.3).  *text_ret is malloc'ed; *len_ret may be 0. */
int erase_info_text(const struct erase_list *el, char **text_ret,
		    size_t *len_ret, struct mdf_err *err);

#endif
