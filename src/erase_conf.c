/* erase_conf.c: makedumpfile.conf syntax (makedumpfile.conf(5), cli.md
 * section 11) into struct erase_conf.
 *
 * The file is a stream of space-separated tokens; '#' starts a comment,
 * tabs are spaces, a line starting with '[' opens a module section, and a
 * command may span lines but never a section boundary.  Error texts and
 * line numbers are makedumpfile's ("Config error at N: ...").  Sections of
 * kernel modules are skipped: module debug information is not supported.
 * Syntax only; nothing here reads a dump.  Never prints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erase.h"

struct tok {
	char *s;
	int line;
	bool section_start;	/* first token of a section */
};

struct parser {
	struct tok *t;
	size_t n, cap, pos;
	struct erase_conf *conf;
	bool failed;		/* out of memory */
};

static bool is_keyword(const char *s)
{
	static const char *const kw[] = {
		"erase", "size", "nullify", "for", "in", "within", "endfor",
	};
	size_t i;

	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strcmp(s, kw[i]) == 0)
			return true;
	return false;
}

static void conf_error(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void conf_error(struct parser *p, int line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (p->conf->error[0])
		return;		/* the first error is the one that stopped us */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->conf->error, sizeof(p->conf->error),
		 "Config error at %d: %s", line, msg);
}

static bool add_tok(struct parser *p, const char *s, size_t len, int line,
		    bool section_start)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct tok *t = realloc(p->t, cap * sizeof(*t));

		if (!t)
			return false;
		p->t = t;
		p->cap = cap;
	}
	p->t[p->n].s = strndup(s, len);
	if (!p->t[p->n].s)
		return false;
	p->t[p->n].line = line;
	p->t[p->n].section_start = section_start;
	p->n++;
	return true;
}

static void note_skipped(struct erase_conf *conf, const char *name)
{
	size_t len = strlen(conf->skipped);

	if (strstr(conf->skipped, name))
		return;
	snprintf(conf->skipped + len, sizeof(conf->skipped) - len, "%s%s",
		 len ? ", " : "", name);
}

/* Split the text into tokens, dropping comments and module sections. */
static int tokenize(struct parser *p, const char *text, struct mdf_err *err)
{
	const char *line = text;
	int lineno = 0;
	bool skip = false, section_start = false;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *hash = memchr(line, '#', len);
		size_t i = 0;

		lineno++;
		if (hash)
			len = (size_t)(hash - line);
		if (len && line[0] == '[') {
			const char *close = memchr(line, ']', len);

			if (!close) {
				/* makedumpfile skips to the next good one */
				if (!p->conf->error[0])
					snprintf(p->conf->warning,
						 sizeof(p->conf->warning),
						 "Config error at %d: Invalid module section entry.",
						 lineno);
				skip = true;
			} else {
				char name[128];

				snprintf(name, sizeof(name), "%.*s",
					 (int)(close - line - 1), line + 1);
				skip = strcmp(name, "vmlinux") != 0;
				if (skip)
					note_skipped(p->conf, name);
				section_start = true;
			}
			goto next;
		}
		while (!skip && i < len) {
			size_t j;

			while (i < len && (line[i] == ' ' || line[i] == '\t' ||
					   line[i] == '\r'))
				i++;
			j = i;
			while (j < len && line[j] != ' ' && line[j] != '\t' &&
			       line[j] != '\r')
				j++;
			if (j > i) {
				if (!add_tok(p, line + i, j - i, lineno,
					     section_start))
					return mdf_err_set(err, MDF_ENOMEM,
							   "out of memory");
				section_start = false;
			}
			i = j;
		}
next:
		if (!end)
			break;
		line = end + 1;
	}
	return 0;
}

/* The next token of the current command, or NULL at the end of the file
 * or of the section. */
static const struct tok *peek(const struct parser *p, bool new_cmd)
{
	if (p->pos >= p->n)
		return NULL;
	if (p->t[p->pos].section_start && !new_cmd)
		return NULL;
	return &p->t[p->pos];
}

static bool accept(struct parser *p, const char *kw)
{
	const struct tok *t = peek(p, false);

	if (t && strcmp(t->s, kw) == 0) {
		p->pos++;
		return true;
	}
	return false;
}

static int last_line(const struct parser *p)
{
	return p->pos ? p->t[p->pos - 1].line : 1;
}

static bool make_path(struct parser *p, const char *s, struct erase_path *ret)
{
	char *copy, *part, *save = NULL;
	unsigned n = 0;

	memset(ret, 0, sizeof(*ret));
	ret->text = strdup(s);
	copy = strdup(s);
	ret->parts = calloc(strlen(s) / 2 + 2, sizeof(*ret->parts));
	if (!ret->text || !copy || !ret->parts) {
		free(copy);
		p->failed = true;
		return false;
	}
	/* empty parts ("a..b") are skipped, as makedumpfile does */
	for (part = strtok_r(copy, ".", &save); part;
	     part = strtok_r(NULL, ".", &save)) {
		ret->parts[n] = strdup(part);
		if (!ret->parts[n]) {
			free(copy);
			p->failed = true;
			return false;
		}
		n++;
	}
	free(copy);
	ret->nparts = n;
	return n > 0;
}

static void path_deinit(struct erase_path *e)
{
	unsigned i;

	for (i = 0; i < e->nparts; i++)
		free(e->parts[i]);
	free(e->parts);
	free(e->text);
	memset(e, 0, sizeof(*e));
}

/* size N[K|M] or size sym.member */
static bool parse_size(struct parser *p, struct erase_cmd *c)
{
	const struct tok *t = peek(p, false);
	long long v;
	char suffix;
	int n;

	if (!t || is_keyword(t->s)) {
		conf_error(p, t ? t->line : last_line(p),
			   "expected size symbol after 'size' keyword.");
		return false;
	}
	p->pos++;
	n = sscanf(t->s, "%lld%c", &v, &suffix);
	if (n >= 1) {
		if (v < 0) {
			conf_error(p, t->line, "size value must be positive.");
			return false;
		}
		c->size_kind = ERASE_SIZE_BYTES;
		c->bytes = (uint64_t)v;
		if (n == 2 && (suffix == 'M' || suffix == 'm'))
			c->bytes <<= 20;
		else if (n == 2 && (suffix == 'K' || suffix == 'k'))
			c->bytes <<= 10;
		return true;
	}
	c->size_kind = ERASE_SIZE_EXPR;
	return make_path(p, t->s, &c->size_expr);
}

/* erase TARGET [nullify | size SIZE]; the 'erase' is consumed */
static bool parse_erase(struct parser *p, struct erase_stmt *st)
{
	const struct tok *t = peek(p, false);
	struct erase_cmd *c, *cmds;

	if (!t || is_keyword(t->s)) {
		conf_error(p, t ? t->line : last_line(p),
			   "expected kernel symbol after 'erase' command.");
		return false;
	}
	p->pos++;
	cmds = realloc(st->cmds, (st->ncmds + 1) * sizeof(*cmds));
	if (!cmds) {
		p->failed = true;
		return false;
	}
	st->cmds = cmds;
	c = &cmds[st->ncmds];
	memset(c, 0, sizeof(*c));
	c->line = t->line;
	if (!make_path(p, t->s, &c->target)) {
		path_deinit(&c->target);
		if (!p->failed)
			conf_error(p, t->line,
				   "expected kernel symbol after 'erase' command.");
		return false;
	}
	st->ncmds++;
	if (st->var && strcmp(c->target.parts[0], st->var) != 0) {
		conf_error(p, t->line, "unused iteration variable '%s'.", st->var);
		return false;
	}
	if (accept(p, "nullify")) {
		c->size_kind = ERASE_NULLIFY;
		return true;
	}
	if (accept(p, "size"))
		return parse_size(p, c);
	return true;
}

/* for VAR in LIST [via M | within S[:M]] erase... endfor */
static bool parse_for(struct parser *p, struct erase_stmt *st)
{
	const struct tok *t = peek(p, false);

	if (!t || is_keyword(t->s)) {
		conf_error(p, t ? t->line : last_line(p),
			   "expected iteration VAR entry after 'for' keyword.");
		return false;
	}
	p->pos++;
	if (strchr(t->s, '.')) {
		conf_error(p, t->line, "Invalid iteration variable entry.");
		return false;
	}
	st->var = strdup(t->s);
	if (!st->var) {
		p->failed = true;
		return false;
	}
	if (!accept(p, "in")) {
		t = peek(p, false);
		conf_error(p, t ? t->line : last_line(p), "expected token 'in'.");
		return false;
	}
	t = peek(p, false);
	if (!t || is_keyword(t->s)) {
		conf_error(p, t ? t->line : last_line(p),
			   "expected list symbol after 'in' keyword.");
		return false;
	}
	p->pos++;
	if (!make_path(p, t->s, &st->list)) {
		if (!p->failed)
			conf_error(p, t->line,
				   "expected list symbol after 'in' keyword.");
		return false;
	}
	st->loop = ERASE_LOOP_PLAIN;
	if (accept(p, "via")) {
		t = peek(p, false);
		if (!t) {
			conf_error(p, last_line(p),
				   "expected member name after 'via' keyword.");
			return false;
		}
		p->pos++;
		st->loop = ERASE_LOOP_VIA;
		st->via = strdup(t->s);
		if (!st->via) {
			p->failed = true;
			return false;
		}
	} else if (accept(p, "within")) {
		const char *colon;

		t = peek(p, false);
		if (!t || is_keyword(t->s)) {
			conf_error(p, t ? t->line : last_line(p),
				   "expected struct name after 'within' keyword.");
			return false;
		}
		p->pos++;
		colon = strchr(t->s, ':');
		if (colon && !colon[1]) {
			conf_error(p, t->line,
				   "expected list_head member after ':'.");
			return false;
		}
		if (colon == t->s || !t->s[0]) {
			conf_error(p, t->line,
				   "Invalid token found after 'within' keyword.");
			return false;
		}
		st->loop = ERASE_LOOP_WITHIN;
		st->within_struct = colon ? strndup(t->s, (size_t)(colon - t->s)) :
				    strdup(t->s);
		st->within_member = strdup(colon ? colon + 1 : "list");
		if (!st->within_struct || !st->within_member) {
			p->failed = true;
			return false;
		}
	}
	for (;;) {
		t = peek(p, false);
		if (!t) {
			conf_error(p, last_line(p), "No matching 'endfor' found.");
			return false;
		}
		p->pos++;
		if (strcmp(t->s, "endfor") == 0)
			return true;
		if (strcmp(t->s, "erase") != 0) {
			conf_error(p, t->line, "Invalid token '%s'.", t->s);
			return false;
		}
		if (!parse_erase(p, st))
			return false;
	}
}

static void stmt_deinit(struct erase_stmt *st)
{
	unsigned i;

	for (i = 0; i < st->ncmds; i++) {
		path_deinit(&st->cmds[i].target);
		path_deinit(&st->cmds[i].size_expr);
	}
	free(st->cmds);
	path_deinit(&st->list);
	free(st->var);
	free(st->via);
	free(st->within_struct);
	free(st->within_member);
}

static int parse_tokens(struct parser *p, struct mdf_err *err)
{
	struct erase_conf *conf = p->conf;

	while (!p->failed && !conf->error[0]) {
		const struct tok *t = peek(p, true);
		struct erase_stmt st, *stmts;
		bool ok;

		if (!t)
			break;
		p->pos++;
		memset(&st, 0, sizeof(st));
		st.line = t->line;
		if (strcmp(t->s, "erase") == 0) {
			ok = parse_erase(p, &st);
		} else if (strcmp(t->s, "for") == 0) {
			ok = parse_for(p, &st);
		} else {
			conf_error(p, t->line, "Invalid token '%s'.", t->s);
			ok = false;
		}
		if (!ok) {
			stmt_deinit(&st);
			break;
		}
		stmts = realloc(conf->stmts, (conf->n + 1) * sizeof(*stmts));
		if (!stmts) {
			stmt_deinit(&st);
			p->failed = true;
			break;
		}
		conf->stmts = stmts;
		conf->stmts[conf->n++] = st;
	}
	if (p->failed)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	return 0;
}

int erase_conf_parse_text(const char *text, struct erase_conf *conf,
			  struct mdf_err *err)
{
	struct parser p = { .conf = conf };
	size_t i;
	int rc;

	memset(conf, 0, sizeof(*conf));
	rc = tokenize(&p, text, err);
	if (rc == 0)
		rc = parse_tokens(&p, err);
	for (i = 0; i < p.n; i++)
		free(p.t[i].s);
	free(p.t);
	if (rc < 0)
		erase_conf_deinit(conf);
	return rc;
}

int erase_conf_parse(const char *path, struct erase_conf *conf,
		     struct mdf_err *err)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (!f)
		return mdf_err_sys(err, errno, "Can't open config file(%s)", path);
	for (;;) {
		size_t got;

		if (cap - len < 4096) {
			char *t;

			if (cap > (16u << 20)) {
				fclose(f);
				free(text);
				return mdf_err_set(err, MDF_EINVAL,
						   "config file %s is larger than 16 MiB",
						   path);
			}
			t = realloc(text, cap + 65536);
			if (!t) {
				fclose(f);
				free(text);
				return mdf_err_set(err, MDF_ENOMEM, "out of memory");
			}
			text = t;
			cap += 65536;
		}
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rc = mdf_err_sys(err, errno, "Can't read config file(%s)", path);
		fclose(f);
		free(text);
		return rc;
	}
	fclose(f);
	text[len] = '\0';
	if (memchr(text, '\0', len)) {
		free(text);
		return mdf_err_set(err, MDF_EINVAL,
				   "config file %s is not text (it has NUL bytes)",
				   path);
	}
	rc = erase_conf_parse_text(text, conf, err);
	free(text);
	if (rc < 0)
		return mdf_err_wrap(err, "%s", path);
	return 0;
}

void erase_conf_deinit(struct erase_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->n; i++)
		stmt_deinit(&conf->stmts[i]);
	free(conf->stmts);
	conf->stmts = NULL;
	conf->n = 0;
}
