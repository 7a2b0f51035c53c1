/* erase.c: --config erase commands evaluated into physical byte ranges,
 * and their application to page copies (include/erase.h).
 *
 * Evaluation follows makedumpfile.conf(5): "a.b.c" walks members, through
 * pointers whatever the '.' says; a pointer target is what gets erased
 * (a char * string up to 1024 bytes, void * only with a size), nullify
 * zeroes the pointer itself.  Unlike makedumpfile, an object is translated
 * page by page, so one that is virtually but not physically contiguous
 * (vmalloc) is erased where it really is.  Lists are walked with a cycle
 * check and a bound: a corrupt dump ends a loop, never hangs it.  Reads
 * the dump only through the arch at setup; never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "byteorder.h"
#include "dwarfinfo.h"
#include "erase.h"
#include "vmcoreinfo.h"

enum {
	STRLEN_MAX = 1024,		/* char * strings, as makedumpfile */
	LOOP_MAX = 1 << 20,		/* elements of one loop */
	RANGES_MAX = 1 << 22,		/* 96 MiB of ranges */
};
#define ERASE_SIZE_MAX	(1ull << 30)	/* one object */

/* an object in the dump: runtime virtual address and type */
struct lval {
	uint64_t addr;
	struct dwi_type type;
};

struct sym {
	const char *name;
	struct dwi_query q;
};

struct ctx {
	const struct erase_env *env;
	struct dwarfinfo *di;
	struct erase_list *el;
	struct mdf_warns *warns;
	struct mdf_err *err;
	struct sym *syms;
	size_t nsyms;
	const struct erase_stmt *stmts0;	/* conf->stmts */
	const char ***texts;		/* [stmt][cmd]: el-owned copies */
	const char **slots;		/* the storage of texts[][] */
	bool ranges_full;
};

/* ---- the range list ---- */

static int add_inst(struct ctx *c, const char *expr, bool nullify,
		    uint32_t *ret)
{
	struct erase_list *el = c->el;

	if (el->ninst == el->capinst) {
		size_t cap = el->capinst ? el->capinst * 2 : 64;
		struct erase_inst *t = realloc(el->insts, cap * sizeof(*t));

		if (!t)
			return mdf_err_set(c->err, MDF_ENOMEM, "out of memory");
		el->insts = t;
		el->capinst = cap;
	}
	el->insts[el->ninst].expr = expr;
	el->insts[el->ninst].nullify = nullify;
	el->insts[el->ninst].applied = 0;
	*ret = (uint32_t)el->ninst++;
	return 0;
}

static int add_range(struct ctx *c, uint64_t paddr, uint32_t len,
		     uint32_t inst, uint8_t fill)
{
	struct erase_list *el = c->el;
	uint64_t mask = (1ull << el->page_shift) - 1;

	if (el->n == RANGES_MAX) {
		c->ranges_full = true;
		return 0;
	}
	if (el->n == el->cap) {
		size_t cap = el->cap ? el->cap * 2 : 256;
		struct erase_range *t = realloc(el->r, cap * sizeof(*t));

		if (!t)
			return mdf_err_set(c->err, MDF_ENOMEM, "out of memory");
		el->r = t;
		el->cap = cap;
	}
	el->r[el->n].pfn = paddr >> el->page_shift;
	el->r[el->n].off = (uint32_t)(paddr & mask);
	el->r[el->n].len = len;
	el->r[el->n].inst = inst;
	el->r[el->n].fill = fill;
	el->n++;
	return 0;
}

/* Erase [vaddr, vaddr + size) with fill as one instance of expr.  Parts
 * that are not mapped are left out (and said). */
static int erase_virt(struct ctx *c, const struct erase_cmd *cmd,
		      const char *expr, uint64_t vaddr, uint64_t size,
		      uint8_t fill)
{
	uint64_t page = 1ull << c->el->page_shift, missing = 0;
	uint32_t inst = 0;
	int rc;

	if (size == 0)
		return 0;
	if (size > ERASE_SIZE_MAX) {
		mdf_warn(c->warns, "Config error at %d: '%s' would erase %llu bytes; skipped as implausible",
			 cmd->line, expr, (unsigned long long)size);
		return 0;
	}
	rc = add_inst(c, expr, fill == 0, &inst);
	if (rc < 0)
		return rc;
	while (size) {
		uint64_t paddr, len, n;
		struct mdf_err e;

		rc = arch_kvtop(c->env->arch, vaddr, &paddr, &len, &e);
		if (rc < 0)
			return mdf_err_wrap(c->err, "%s", e.msg);
		n = page - (vaddr & (page - 1));
		if (n > size)
			n = size;
		if (rc == 0) {
			if (n > len)
				n = len;
			if (n > page - (paddr & (page - 1)))
				n = page - (paddr & (page - 1));
			rc = add_range(c, paddr, (uint32_t)n, inst, fill);
			if (rc < 0)
				return rc;
		} else {
			missing += n;
		}
		vaddr += n;
		size -= n;
	}
	if (missing)
		mdf_warn(c->warns, "line %d: %llu bytes of '%s' are not mapped in the dump and are not erased",
			 cmd->line, (unsigned long long)missing, expr);
	return 0;
}

/* ---- reading the dump ---- */

static int read_uint(struct ctx *c, uint64_t vaddr, unsigned size,
		     uint64_t *ret)
{
	uint8_t b[8];
	struct mdf_err e;
	int rc;

	if (size == 0 || size > 8)
		return MDF_ABSENT;
	rc = arch_read_kvaddr(c->env->arch, vaddr, b, size, &e);
	if (rc)
		return rc < 0 ? mdf_err_wrap(c->err, "%s", e.msg) : MDF_ABSENT;
	switch (size) {
	case 1: *ret = b[0]; break;
	case 2: *ret = get_le16(b); break;
	case 4: *ret = get_le32(b); break;
	case 8: *ret = get_le64(b); break;
	default: return MDF_ABSENT;
	}
	return 0;
}

static int read_ptr(struct ctx *c, uint64_t vaddr, uint64_t *ret)
{
	return read_uint(c, vaddr, 8, ret);
}

/* ---- expressions ---- */

static const struct sym *find_sym(const struct ctx *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsyms; i++)
		if (strcmp(c->syms[i].name, name) == 0)
			return &c->syms[i];
	return NULL;
}

/* A symbol of the vmlinux as an object in the dump.  MDF_ABSENT (with a
 * warning) if the kernel has no such variable. */
static int sym_lval(struct ctx *c, const char *name, int line,
		    struct lval *ret)
{
	const struct sym *s = find_sym(c, name);
	uint64_t addr;

	if (dwarfinfo_symbol(c->di, name, &addr, NULL) != 0) {
		mdf_warn(c->warns, "Config error at %d: Can't find symbol '%s'.",
			 line, name);
		return MDF_ABSENT;
	}
	if (!s || !s->q.found || !s->q.type.off) {
		mdf_warn(c->warns, "Config error at %d: '%s' has no type in the debug information.",
			 line, name);
		return MDF_ABSENT;
	}
	ret->addr = addr + c->env->koff;
	ret->type = s->q.type;
	return 0;
}

/* Follow parts[from..n) from v: members, through pointers.  MDF_ABSENT
 * with a warning when a member does not exist or a pointer is NULL or
 * unreadable (the object is not there to erase). */
static int walk(struct ctx *c, struct lval *v, char *const *parts,
		unsigned from, unsigned n, int line)
{
	unsigned i;
	int rc;

	for (i = from; i < n; i++) {
		struct dwi_type mt;
		uint64_t off;
		enum dwi_kind k = dwarfinfo_kind(c->di, v->type);

		if (k == DWI_POINTER) {
			uint64_t p;

			rc = read_ptr(c, v->addr, &p);
			if (rc)
				return rc < 0 ? rc : MDF_ABSENT;
			if (!p)
				return MDF_ABSENT;
			v->addr = p;
			v->type = dwarfinfo_target(c->di, v->type);
			k = dwarfinfo_kind(c->di, v->type);
		}
		if ((k != DWI_STRUCT && k != DWI_UNION) ||
		    dwarfinfo_member(c->di, v->type, parts[i], &mt, &off) != 0) {
			const char *tn = dwarfinfo_type_name(c->di, v->type);

			mdf_warn(c->warns, "Config error at %d: struct '%s' has no member with name '%s'.",
				 line, tn ? tn : "?", parts[i]);
			return MDF_ABSENT;
		}
		v->addr += off;
		v->type = mt;
	}
	return 0;
}

/* The object a path names: from the loop variable or a symbol. */
static int eval(struct ctx *c, const struct erase_path *p, const char *var,
		const struct lval *id, int line, struct lval *ret)
{
	int rc;

	if (var && strcmp(p->parts[0], var) == 0) {
		*ret = *id;
	} else {
		rc = sym_lval(c, p->parts[0], line, ret);
		if (rc)
			return rc;
	}
	return walk(c, ret, p->parts, 1, p->nparts, line);
}

static bool is_char(const struct ctx *c, struct dwi_type t)
{
	const char *n;

	if (dwarfinfo_kind(c->di, t) != DWI_BASE)
		return false;
	n = dwarfinfo_type_name(c->di, t);
	return n && strcmp(n, "char") == 0;
}

static uint64_t string_len(struct ctx *c, uint64_t vaddr)
{
	char buf[STRLEN_MAX];
	struct mdf_err e;

	if (arch_read_kvaddr(c->env->arch, vaddr, buf, sizeof(buf), &e) != 0)
		return 0;
	return strnlen(buf, sizeof(buf));
}

/* size sym.member: an integer of at most 8 bytes */
static int size_value(struct ctx *c, const struct erase_cmd *cmd,
		      const char *var, const struct lval *id, uint64_t *ret)
{
	struct lval v;
	uint64_t sz;
	enum dwi_kind k;
	int rc;

	rc = eval(c, &cmd->size_expr, var, id, cmd->line, &v);
	if (rc)
		return rc;
	k = dwarfinfo_kind(c->di, v.type);
	if ((k != DWI_BASE && k != DWI_ENUM) ||
	    dwarfinfo_size(c->di, v.type, &sz) != 0 || sz > 8) {
		mdf_warn(c->warns, "Config error at %d: size symbol/member '%s' is not of base type.",
			 cmd->line,
			 cmd->size_expr.parts[cmd->size_expr.nparts - 1]);
		return MDF_ABSENT;
	}
	rc = read_uint(c, v.addr, (unsigned)sz, ret);
	return rc < 0 ? rc : rc ? MDF_ABSENT : 0;
}

/* One erase command with the loop variable bound to id (or none). */
static int run_cmd(struct ctx *c, const struct erase_cmd *cmd,
		   const char *text, const char *var, const struct lval *id)
{
	struct lval v;
	uint64_t addr, size = 0, psz;
	struct dwi_type t;
	enum dwi_kind k;
	int rc;

	rc = eval(c, &cmd->target, var, id, cmd->line, &v);
	if (rc)
		return rc < 0 ? rc : 0;
	k = dwarfinfo_kind(c->di, v.type);
	if (cmd->size_kind == ERASE_NULLIFY) {
		/* only a pointer can be nullified */
		if (k != DWI_POINTER || dwarfinfo_size(c->di, v.type, &psz) != 0)
			return 0;
		return erase_virt(c, cmd, text, v.addr, psz, 0);
	}
	addr = v.addr;
	t = v.type;
	if (k == DWI_POINTER) {
		rc = read_ptr(c, v.addr, &addr);
		if (rc)
			return rc < 0 ? rc : 0;
		if (!addr)
			return 0;
		t = dwarfinfo_target(c->di, v.type);
	}
	switch (cmd->size_kind) {
	case ERASE_SIZE_BYTES:
		size = cmd->bytes;
		break;
	case ERASE_SIZE_EXPR:
		rc = size_value(c, cmd, var, id, &size);
		if (rc)
			return rc < 0 ? rc : 0;
		break;
	default:
		if (k == DWI_POINTER && dwarfinfo_kind(c->di, t) == DWI_VOID)
			return 0;	/* void *: needs size or nullify */
		if (k == DWI_POINTER && is_char(c, t))
			size = string_len(c, addr);
		else if (dwarfinfo_size(c->di, t, &size) != 0)
			return 0;
	}
	return erase_virt(c, cmd, text, addr, size, 'X');
}

static int run_body(struct ctx *c, const struct erase_stmt *st,
		    const struct lval *id)
{
	unsigned i;
	int rc;

	for (i = 0; i < st->ncmds; i++) {
		rc = run_cmd(c, &st->cmds[i], c->texts[st - c->stmts0][i],
			     st->var, id);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Brent's cycle check over node addresses, plus a hard bound */
struct cycle_guard {
	uint64_t saved;
	unsigned long steps, power, total;
};

static bool guard_stop(struct cycle_guard *g, uint64_t node)
{
	if (node == g->saved || ++g->total > LOOP_MAX)
		return true;
	if (++g->steps == g->power) {
		g->saved = node;
		g->power *= 2;
		g->steps = 0;
	}
	return false;
}

static int loop_array(struct ctx *c, const struct erase_stmt *st,
		      const struct lval *arr)
{
	struct dwi_type et = dwarfinfo_target(c->di, arr->type);
	uint64_t n, esize, i;
	bool ptrs = dwarfinfo_kind(c->di, et) == DWI_POINTER;
	int rc;

	if (dwarfinfo_array_len(c->di, arr->type, &n) != 0 ||
	    dwarfinfo_size(c->di, et, &esize) != 0 || !esize)
		return 0;
	if (n > LOOP_MAX)
		n = LOOP_MAX;
	for (i = 0; i < n; i++) {
		struct lval id = { arr->addr + i * esize, et };

		if (ptrs) {
			uint64_t p;

			/* makedumpfile skips the NULL slots */
			rc = read_ptr(c, id.addr, &p);
			if (rc < 0)
				return rc;
			if (rc || !p)
				continue;
		}
		rc = run_body(c, st, &id);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* for id in STRUCTVAR via NEXT: until NULL or back at the first node */
static int loop_via(struct ctx *c, const struct erase_stmt *st,
		    const struct lval *start, const char *next)
{
	struct dwi_type s = start->type, nt;
	struct cycle_guard g = { 0, 0, 1, 0 };
	uint64_t node = start->addr, off, first;
	int rc;

	if (dwarfinfo_kind(c->di, s) == DWI_POINTER) {
		rc = read_ptr(c, start->addr, &node);
		if (rc)
			return rc < 0 ? rc : 0;
		s = dwarfinfo_target(c->di, s);
	}
	if (dwarfinfo_member(c->di, s, next, &nt, &off) != 0 ||
	    dwarfinfo_kind(c->di, nt) != DWI_POINTER) {
		const char *tn = dwarfinfo_type_name(c->di, s);

		mdf_warn(c->warns, "Config error at %d: struct '%s' has no pointer member with name '%s'.",
			 st->line, tn ? tn : "?", next);
		return 0;
	}
	first = node;
	g.saved = 0;
	while (node) {
		struct lval id = { node, s };

		rc = run_body(c, st, &id);
		if (rc < 0)
			return rc;
		rc = read_ptr(c, node + off, &node);
		if (rc)
			return rc < 0 ? rc : 0;
		if (node == first || guard_stop(&g, node))
			break;
	}
	return 0;
}

static bool is_list_head(const struct ctx *c, struct dwi_type t)
{
	const char *n;

	if (dwarfinfo_kind(c->di, t) != DWI_STRUCT)
		return false;
	n = dwarfinfo_type_name(c->di, t);
	return n && strcmp(n, "list_head") == 0;
}

/* for id in LISTHEAD within STRUCT:MEMBER: the containing structs */
static int loop_within(struct ctx *c, const struct erase_stmt *st,
		       uint64_t head, const char *dir,
		       const struct dwi_query *sq)
{
	struct cycle_guard g = { 0, 0, 1, 0 };
	struct dwi_type mt, lt;
	uint64_t off, doff, node = 0;
	int rc;

	if (!sq->found) {
		mdf_warn(c->warns, "Config error at %d: Can't find structure: %s.",
			 st->line, st->within_struct);
		return 0;
	}
	if (dwarfinfo_member(c->di, sq->type, st->within_member, &mt, &off) != 0) {
		mdf_warn(c->warns, "Config error at %d: struct '%s' has no member with name '%s'.",
			 st->line, st->within_struct, st->within_member);
		return 0;
	}
	if (!is_list_head(c, mt)) {
		mdf_warn(c->warns, "Config error at %d: Member '%s' is not of 'list_head' type.",
			 st->line, st->within_member);
		return 0;
	}
	if (dwarfinfo_member(c->di, mt, dir, &lt, &doff) != 0)
		return 0;
	rc = read_ptr(c, head + doff, &node);
	if (rc)
		return rc < 0 ? rc : 0;
	while (node && node != head) {
		struct lval id = { node - off, sq->type };

		rc = run_body(c, st, &id);
		if (rc < 0)
			return rc;
		rc = read_ptr(c, node + doff, &node);
		if (rc)
			return rc < 0 ? rc : 0;
		if (guard_stop(&g, node))
			break;
	}
	return 0;
}

/* the object holding the last member of a path ("head" of "head.next") */
static int eval_parent(struct ctx *c, const struct erase_path *p, int line,
		       struct lval *ret)
{
	int rc = sym_lval(c, p->parts[0], line, ret);

	if (rc)
		return rc;
	return walk(c, ret, p->parts, 1, p->nparts - 1, line);
}

static int run_loop(struct ctx *c, const struct erase_stmt *st,
		    const struct dwi_query *sq)
{
	const struct erase_path *lp = &st->list;
	struct lval v, parent;
	enum dwi_kind k;
	int rc;

	rc = eval(c, lp, NULL, NULL, st->line, &v);
	if (rc)
		return rc < 0 ? rc : 0;
	k = dwarfinfo_kind(c->di, v.type);
	if (st->loop == ERASE_LOOP_WITHIN) {
		/* "head.next": walk from the list_head holding that pointer */
		if (lp->nparts > 1 &&
		    (strcmp(lp->parts[lp->nparts - 1], "next") == 0 ||
		     strcmp(lp->parts[lp->nparts - 1], "prev") == 0) &&
		    eval_parent(c, lp, st->line, &parent) == 0 &&
		    is_list_head(c, parent.type))
			return loop_within(c, st, parent.addr,
					   lp->parts[lp->nparts - 1], sq);
		if (is_list_head(c, v.type))
			return loop_within(c, st, v.addr, "next", sq);
		if (k == DWI_POINTER &&
		    is_list_head(c, dwarfinfo_target(c->di, v.type))) {
			uint64_t h;

			rc = read_ptr(c, v.addr, &h);
			if (rc || !h)
				return rc < 0 ? rc : 0;
			return loop_within(c, st, h, "next", sq);
		}
		mdf_warn(c->warns, "Warning: line %d: 'within' keyword not required for ArrayVar/StructVar.",
			 st->line);
	} else if (is_list_head(c, v.type)) {
		mdf_warn(c->warns, "Config error at %d: Use 'within' keyword to specify StructName:ListHeadMember.",
			 st->line);
		return 0;
	}
	if (k == DWI_ARRAY) {
		if (st->loop == ERASE_LOOP_VIA)
			mdf_warn(c->warns, "Warning: line %d: 'via' keyword not required for ArrayVar.",
				 st->line);
		return loop_array(c, st, &v);
	}
	if (k == DWI_STRUCT ||
	    (k == DWI_POINTER &&
	     dwarfinfo_kind(c->di, dwarfinfo_target(c->di, v.type)) == DWI_STRUCT))
		return loop_via(c, st, &v,
				st->loop == ERASE_LOOP_VIA ? st->via : "next");
	mdf_warn(c->warns, "Config error at %d: '%s' is not an array, a structure or a list_head.",
		 st->line, lp->text);
	return 0;
}

/* ---- setup: names, texts, the walk ---- */

static int add_sym(struct ctx *c, const char *name, size_t *cap)
{
	if (find_sym(c, name))
		return 0;
	if (c->nsyms == *cap) {
		size_t n = *cap ? *cap * 2 : 32;
		struct sym *t = realloc(c->syms, n * sizeof(*t));

		if (!t)
			return mdf_err_set(c->err, MDF_ENOMEM, "out of memory");
		c->syms = t;
		*cap = n;
	}
	memset(&c->syms[c->nsyms], 0, sizeof(c->syms[0]));
	c->syms[c->nsyms].name = name;
	c->nsyms++;
	return 0;
}

/* every symbol the commands name, and the "within" structs: one pass
 * over the debug information answers them all */
static int lookup_names(struct ctx *c, const struct erase_conf *conf,
			struct dwi_query **structs_ret)
{
	struct dwi_query *q = NULL, *structs;
	size_t cap = 0, i, j, nq;
	int rc;

	for (i = 0; i < conf->n; i++) {
		const struct erase_stmt *st = &conf->stmts[i];

		if (st->loop != ERASE_LOOP_NONE) {
			rc = add_sym(c, st->list.parts[0], &cap);
			if (rc < 0)
				return rc;
		}
		for (j = 0; j < st->ncmds; j++) {
			const struct erase_cmd *cmd = &st->cmds[j];

			if (!st->var || strcmp(cmd->target.parts[0], st->var)) {
				rc = add_sym(c, cmd->target.parts[0], &cap);
				if (rc < 0)
					return rc;
			}
			if (cmd->size_kind == ERASE_SIZE_EXPR &&
			    (!st->var || strcmp(cmd->size_expr.parts[0], st->var))) {
				rc = add_sym(c, cmd->size_expr.parts[0], &cap);
				if (rc < 0)
					return rc;
			}
		}
	}
	nq = c->nsyms + conf->n;
	q = calloc(nq ? nq : 1, sizeof(*q));
	if (!q)
		return mdf_err_set(c->err, MDF_ENOMEM, "out of memory");
	for (i = 0; i < c->nsyms; i++) {
		q[i].want = DWI_WANT_VARIABLE;
		q[i].name = c->syms[i].name;
	}
	structs = q + c->nsyms;
	for (i = 0; i < conf->n; i++) {
		structs[i].want = DWI_WANT_STRUCT_OR_TYPEDEF;
		/* a name no type has when the loop needs none */
		structs[i].name = conf->stmts[i].within_struct ?
				  conf->stmts[i].within_struct : "";
	}
	rc = dwarfinfo_lookup(c->di, q, nq, c->err);
	if (rc < 0) {
		free(q);
		return rc;
	}
	for (i = 0; i < c->nsyms; i++)
		c->syms[i].q = q[i];
	*structs_ret = q;
	return 0;
}

/* the eraseinfo names each command as written: keep copies in el */
static int copy_texts(struct ctx *c, const struct erase_conf *conf)
{
	size_t i, j, total = 0, ncmd = 0, at = 0;
	const char **slots;

	for (i = 0; i < conf->n; i++)
		for (j = 0; j < conf->stmts[i].ncmds; j++) {
			total += strlen(conf->stmts[i].cmds[j].target.text) + 1;
			ncmd++;
		}
	c->el->texts = malloc(total + 1);
	c->texts = calloc(conf->n ? conf->n : 1, sizeof(*c->texts));
	slots = calloc(ncmd ? ncmd : 1, sizeof(*slots));
	c->slots = slots;
	if (!c->el->texts || !c->texts || !slots)
		return mdf_err_set(c->err, MDF_ENOMEM, "out of memory");
	for (i = 0; i < conf->n; i++) {
		c->texts[i] = slots;
		for (j = 0; j < conf->stmts[i].ncmds; j++) {
			const char *t = conf->stmts[i].cmds[j].target.text;
			size_t len = strlen(t) + 1;

			memcpy(c->el->texts + at, t, len);
			*slots++ = c->el->texts + at;
			at += len;
		}
	}
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	const struct erase_range *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->inst < y->inst ? -1 : x->inst > y->inst;
}

int erase_resolve(const struct erase_conf *conf, const struct erase_env *env,
		  struct erase_list *el, struct mdf_warns *warns,
		  struct mdf_err *err)
{
	struct ctx c = { .env = env, .di = env->di, .el = el, .warns = warns,
			 .err = err, .stmts0 = conf->stmts };
	struct dwi_query *q = NULL;
	size_t i;
	int rc;

	memset(el, 0, sizeof(*el));
	el->page_shift = env->arch->page_shift;
	rc = copy_texts(&c, conf);
	if (rc < 0)
		goto out;
	rc = lookup_names(&c, conf, &q);
	if (rc < 0)
		goto out;
	for (i = 0; i < conf->n; i++) {
		const struct erase_stmt *st = &conf->stmts[i];

		if (st->loop == ERASE_LOOP_NONE)
			rc = run_body(&c, st, NULL);
		else
			rc = run_loop(&c, st, &q[c.nsyms + i]);
		if (rc < 0)
			goto out;
	}
	if (c.ranges_full)
		mdf_warn(warns, "the erase filter names more than %u ranges; the rest is not erased",
			 (unsigned)RANGES_MAX);
	if (el->n)
		qsort(el->r, el->n, sizeof(*el->r), range_cmp);
out:
	free(c.slots);
	free(c.texts);
	free(c.syms);
	free(q);
	if (rc < 0)
		erase_list_deinit(el);
	return rc;
}

void erase_list_deinit(struct erase_list *el)
{
	free(el->r);
	free(el->insts);
	free(el->texts);
	memset(el, 0, sizeof(*el));
}

/* index of the first range of pfn or later */
static size_t lower_bound(const struct erase_list *el, uint64_t pfn)
{
	size_t lo = 0, hi = el->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (el->r[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool erase_hit(const struct erase_list *el, uint64_t pfn)
{
	size_t i;

	if (!el || !el->n)
		return false;
	i = lower_bound(el, pfn);
	return i < el->n && el->r[i].pfn == pfn;
}

void erase_apply(struct erase_list *el, uint64_t pfn, uint8_t *page,
		 size_t page_size)
{
	size_t i;

	for (i = lower_bound(el, pfn); i < el->n && el->r[i].pfn == pfn; i++) {
		const struct erase_range *r = &el->r[i];

		if (r->off >= page_size || r->len > page_size - r->off)
			continue;
		memset(page + r->off, r->fill, r->len);
		__atomic_fetch_add(&el->insts[r->inst].applied, r->len,
				   __ATOMIC_RELAXED);
	}
}

int erase_info_text(const struct erase_list *el, char **text_ret,
		    size_t *len_ret, struct mdf_err *err)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	for (i = 0; i < el->ninst; i++) {
		const struct erase_inst *in = &el->insts[i];
		uint64_t n = __atomic_load_n(&in->applied, __ATOMIC_RELAXED);

		if (!n)
			continue;
		if (in->nullify)
			fprintf(f, "erase %s nullify\n", in->expr);
		else
			fprintf(f, "erase %s size %llu\n", in->expr,
				(unsigned long long)n);
	}
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	}
	*text_ret = buf;
	*len_ret = len;
	return 0;
}

int erase_setup(const char *config, const char *vmlinux,
		const struct vmcoreinfo *vi, const struct arch *arch,
		struct erase_list *el, struct mdf_warns *warns,
		struct mdf_err *err)
{
	struct erase_conf conf;
	struct erase_env env = { .arch = arch };
	struct dwarfinfo *di = NULL;
	const char *dump_rel = vmci_str(vi, VMCI_OSRELEASE);
	char rel[129];
	uint64_t stext;
	int rc;

	rc = erase_conf_parse(config, &conf, err);
	if (rc < 0)
		return rc;
	if (conf.warning[0])
		mdf_warn(warns, "%s", conf.warning);
	if (conf.error[0])
		mdf_warn(warns, "%s (the commands after it are not used)",
			 conf.error);
	if (conf.skipped[0])
		mdf_warn(warns, "%s: sections of kernel modules are skipped (module debug information is not supported): %s",
			 config, conf.skipped);
	rc = dwarfinfo_open(vmlinux, &di, err);
	if (rc < 0)
		goto out;
	rc = dwarfinfo_release(di, rel, sizeof(rel), err);
	if (rc < 0)
		goto out;
	if (dump_rel && strcmp(rel, dump_rel) != 0) {
		rc = mdf_err_set(err, MDF_EMISMATCH, "%s and %s don't match.",
				 vmlinux, dump_rel);
		goto out;
	}
	if (vmci_str(vi, VMCI_BUILD_ID) &&
	    dwarfinfo_build_id(di, rel, sizeof(rel)) == 0 &&
	    strcmp(rel, vmci_str(vi, VMCI_BUILD_ID)) != 0) {
		rc = mdf_err_set(err, MDF_EMISMATCH,
				 "%s has build-id %s but the dump's kernel has %s: not its debug information",
				 vmlinux, rel, vmci_str(vi, VMCI_BUILD_ID));
		goto out;
	}
	/* vmlinux symbols are link-time: measure the relocation */
	if (vmci_has(vi, VMCI_SYMBOL__stext) &&
	    dwarfinfo_symbol(di, "_stext", &stext, NULL) == 0)
		env.koff = vmci_get(vi, VMCI_SYMBOL__stext) - stext;
	else if (vmci_has(vi, VMCI_KERNELOFFSET))
		env.koff = vmci_get(vi, VMCI_KERNELOFFSET);
	env.di = di;
	rc = erase_resolve(&conf, &env, el, warns, err);
out:
	dwarfinfo_close(di);
	erase_conf_deinit(&conf);
	if (rc < 0)
		return mdf_err_wrap(err, "--config %s", config);
	return 0;
}

void erase_reset_applied(struct erase_list *el)
{
	size_t i;

	for (i = 0; el && i < el->ninst; i++)
		__atomic_store_n(&el->insts[i].applied, 0, __ATOMIC_RELAXED);
}

size_t erase_info_reserve(const struct erase_list *el)
{
	uint64_t *planned;
	size_t i, len = 0;

	if (!el || !el->ninst)
		return 0;
	planned = calloc(el->ninst, sizeof(*planned));
	if (!planned)	/* a bound that cannot be too small */
		return el->ninst * (strlen("erase  size 18446744073709551615\n") +
				    strlen(el->texts ? el->texts : "") + 256);
	for (i = 0; i < el->n; i++)
		planned[el->r[i].inst] += el->r[i].len;
	for (i = 0; i < el->ninst; i++) {
		char num[24];

		if (!planned[i])
			continue;
		len += strlen("erase ") + strlen(el->insts[i].expr);
		if (el->insts[i].nullify) {
			len += strlen(" nullify\n");
		} else {
			snprintf(num, sizeof(num), "%llu",
				 (unsigned long long)planned[i]);
			len += strlen(" size \n") + strlen(num);
		}
	}
	free(planned);
	return len;
}
