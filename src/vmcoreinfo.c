/* vmcoreinfo.c: stage 2, VMCOREINFO parsing (vmcoreinfo.md section 2).
 *
 * Keys match including the '=' (SYMBOL(log_buf)= never matches
 * SYMBOL(log_buf_len)=); the first occurrence wins; NUMBER() accepts
 * signed decimal and 0x-hex.  Never prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmcoreinfo.h"

struct vmci_key {
	const char *key;
	enum vmci_id id;
	enum vmci_kind kind;
};

static const struct vmci_key vmci_keys[] = {
#define PLAIN(id, key, kind)	{ key, VMCI_##id, kind },
#define SYMBOL(n)		{ "SYMBOL(" #n ")", VMCI_SYMBOL_##n, VMCI_HEX },
#define SIZE(n)			{ "SIZE(" #n ")", VMCI_SIZE_##n, VMCI_DEC },
#define OFFSET(s, m)		{ "OFFSET(" #s "." #m ")", VMCI_OFFSET_##s##_##m, VMCI_DEC },
#define LENGTH(n)		{ "LENGTH(" #n ")", VMCI_LENGTH_##n, VMCI_DEC },
#define LENGTH2(s, m)		{ "LENGTH(" #s "." #m ")", VMCI_LENGTH_##s##_##m, VMCI_DEC },
#define NUMBER(n)		{ "NUMBER(" #n ")", VMCI_NUMBER_##n, VMCI_NUM },
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
};

/* other spellings of a key; the primary spelling wins when both exist */
static const struct vmci_key vmci_aliases[] = {
#define PLAIN(id, key, kind)
#define SYMBOL(n)
#define SIZE(n)
#define OFFSET(s, m)
#define LENGTH(n)
#define LENGTH2(s, m)
#define NUMBER(n)
#define ALIAS(id, key)		{ key, VMCI_##id, VMCI_DEC },
#include "vmcoreinfo.def"
#undef PLAIN
#undef SYMBOL
#undef SIZE
#undef OFFSET
#undef LENGTH
#undef LENGTH2
#undef NUMBER
#undef ALIAS
};

enum { NKEYS = sizeof(vmci_keys) / sizeof(vmci_keys[0]),
       NALIASES = sizeof(vmci_aliases) / sizeof(vmci_aliases[0]) };

const char *vmci_key_name(enum vmci_id id)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (vmci_keys[i].id == id)
			return vmci_keys[i].key;
	return "?";
}

int vmci_require(const struct vmcoreinfo *vi, enum vmci_id id,
		 const char *needed_for, struct mdf_err *err)
{
	if (vi->val[id].present)
		return 0;
	return mdf_err_set(err, MDF_EFORMAT,
			   "VMCOREINFO has no %s, which is needed %s",
			   vmci_key_name(id), needed_for);
}

static bool parse_u64(const char *s, int base, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}

static bool parse_num(const char *s, uint64_t *ret)
{
	char *end;
	long long v;

	if (!*s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_u64(s + 2, 16, ret);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!errno && !*end) {
		*ret = (uint64_t)v;
		return true;
	}
	/* values such as 0xffffff7f printed as large positives, or bare hex */
	if (!errno && parse_u64(s, 10, ret))
		return true;
	return parse_u64(s, 16, ret);
}

static const struct vmci_key *find_key(const struct vmci_key *tab, size_t n,
				       const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(tab[i].key, key) == 0)
			return &tab[i];
	return NULL;
}

static enum vmci_kind find_kind(enum vmci_id id)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (vmci_keys[i].id == id)
			return vmci_keys[i].kind;
	return VMCI_DEC;
}

static void parse_line(struct vmcoreinfo *vi, char *line, bool *alias_set,
		       struct mdf_warns *warns)
{
	const struct vmci_key *k;
	struct vmci_val *val;
	bool is_alias = false, ok;
	enum vmci_kind kind;
	char *eq = strchr(line, '=');
	uint64_t v = 0;

	if (!eq) {
		vi->nbad++;
		return;
	}
	*eq = '\0';
	k = find_key(vmci_keys, NKEYS, line);
	if (!k) {
		k = find_key(vmci_aliases, NALIASES, line);
		is_alias = true;
	}
	if (!k)
		return;		/* a key we do not use: kept in raw */
	kind = k->kind;
	if (is_alias)		/* an alias is written like its primary key */
		kind = find_kind(k->id);
	val = &vi->val[k->id];
	/* first match wins; the primary spelling beats an alias */
	if (val->present && !(alias_set[k->id] && !is_alias))
		return;
	switch (kind) {
	case VMCI_STRING:
		val->str = eq + 1;
		ok = true;
		break;
	case VMCI_DEC:
		ok = parse_u64(eq + 1, 10, &v);
		break;
	case VMCI_HEX:
		ok = parse_u64(eq + 1, 16, &v);
		break;
	default:
		ok = parse_num(eq + 1, &v);
	}
	if (!ok) {
		vi->nbad++;
		mdf_warn(warns, "ignoring malformed VMCOREINFO line: %s=%s",
			 line, eq + 1);
		return;
	}
	val->present = true;
	val->v = v;
	alias_set[k->id] = is_alias;
}

int vmcoreinfo_parse(struct vmcoreinfo *vi, const char *text, size_t len,
		     struct mdf_warns *warns, struct mdf_err *err)
{
	bool alias_set[VMCI_NKEYS] = { false };
	char *p, *line;

	memset(vi, 0, sizeof(*vi));
	vi->text = malloc(len + 1);
	vi->raw = malloc(len + 1);
	if (!vi->text || !vi->raw) {
		vmcoreinfo_deinit(vi);
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for VMCOREINFO");
	}
	memcpy(vi->raw, text, len);
	vi->raw[len] = '\0';
	vi->raw_len = len;
	memcpy(vi->text, text, len);
	vi->text[len] = '\0';
	/* the descriptor may be NUL-padded: stop at the first NUL */
	p = vi->text;
	while (p && *p) {
		line = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
		if (*line == '\0')
			continue;
		vi->nlines++;
		parse_line(vi, line, alias_set, warns);
	}
	if (!vi->val[VMCI_OSRELEASE].present && !vi->val[VMCI_PAGESIZE].present) {
		vmcoreinfo_deinit(vi);
		return mdf_err_set(err, MDF_EFORMAT,
				   "VMCOREINFO has neither OSRELEASE nor PAGESIZE: not VMCOREINFO text");
	}
	return 0;
}

int vmcoreinfo_load_file(struct vmcoreinfo *vi, const char *path,
			 struct mdf_warns *warns, struct mdf_err *err)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mdf_err_sys(err, errno, "Can't open the vmcoreinfo file(%s)",
				   path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) {
		close(fd);
		return mdf_err_set(err, MDF_EFORMAT,
				   "%s is not a VMCOREINFO text file (not a regular file under 1 MiB)",
				   path);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	rc = vmcoreinfo_parse(vi, buf, got, warns, err);
	free(buf);
	if (rc < 0)
		return mdf_err_wrap(err, "%s", path);
	vi->from_file = true;
	return 0;
}

void vmcoreinfo_deinit(struct vmcoreinfo *vi)
{
	free(vi->text);
	free(vi->raw);
	vi->text = NULL;
	vi->raw = NULL;
}

uint32_t vmcoreinfo_kernel_version(const struct vmcoreinfo *vi)
{
	const char *s = vmci_str(vi, VMCI_OSRELEASE);
	unsigned a = 0, b = 0, c = 0;

	if (!s || sscanf(s, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	if (b > 255)
		b = 255;
	if (c > 255)
		c = 255;
	return KERNEL_VERSION(a, b, c);
}

void vmcoreinfo_set(struct vmcoreinfo *vi, enum vmci_id id, uint64_t v)
{
	vi->val[id].present = true;
	vi->val[id].v = v;
	vi->val[id].str = NULL;
}

bool vmcoreinfo_is_linktime(const struct vmcoreinfo *vi)
{
	return vi->from_file && !vmci_has(vi, VMCI_KERNELOFFSET);
}

void vmcoreinfo_fill_from(struct vmcoreinfo *vi, const struct vmcoreinfo *note)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		enum vmci_id id = vmci_keys[i].id;

		if (vmci_keys[i].kind != VMCI_STRING && !vmci_has(vi, id) &&
		    vmci_has(note, id))
			vmcoreinfo_set(vi, id, vmci_get(note, id));
	}
}

void vmcoreinfo_relocate(struct vmcoreinfo *vi, uint64_t offset)
{
	uint64_t lo = 0;
	size_t i;

	if (vmci_has(vi, VMCI_SYMBOL__stext))
		lo = vmci_get(vi, VMCI_SYMBOL__stext) & ~((1ull << 30) - 1);
	for (i = 0; i < NKEYS; i++) {
		struct vmci_val *v = &vi->val[vmci_keys[i].id];

		if (strncmp(vmci_keys[i].key, "SYMBOL(", 7) != 0 ||
		    !v->present || v->v < lo)
			continue;
		v->v += offset;
	}
}
