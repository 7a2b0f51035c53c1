/* xlat_test.c: the translation fixtures of fixtures/xlat (format in its
 * README.md): page-table memory as text, the VMCOREINFO lines the arch
 * needs, and the expected translation of each address.  One ok line per
 * case; the arch is chosen as the tool chooses it, from the machine the
 * file name names and the VMCOREINFO. */
#include <dirent.h>
#include <elf.h>

#include "arch.h"
#include "byteorder.h"
#include "harness.h"
#include "mem_input.h"

enum { MAX_RANGES = 8, MAX_BYTES = 64 << 20 };

struct fixture {
	struct input *in;
	uint8_t *mem;
	struct input_range r[MAX_RANGES];
	size_t nr;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static uint8_t *byte_at(struct fixture *fx, uint64_t pa)
{
	size_t i;

	for (i = 0; i < fx->nr; i++)
		if (pa >= fx->r[i].paddr && pa + 8 <= fx->r[i].paddr + fx->r[i].memsz)
			return fx->mem + fx->r[i].off + (pa - fx->r[i].paddr);
	return NULL;
}

/* The "range" lines of .data: the memory of the dump, zero-filled.
 * 0, or -1 with a message on stderr. */
static int load_ranges(struct fixture *fx, char *text, const char *name)
{
	uint64_t total = 0;
	char *line, *save = NULL;
	unsigned long long a, b;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, " range %llx %llx", &a, &b) != 2)
			continue;
		if (fx->nr == MAX_RANGES || b <= a ||
		    total + (b - a) > MAX_BYTES) {
			fprintf(stderr, "  %s: bad range %s\n", name, line);
			return -1;
		}
		fx->r[fx->nr].paddr = a;
		fx->r[fx->nr].memsz = fx->r[fx->nr].filesz = b - a;
		fx->r[fx->nr].off = total;
		total += b - a;
		fx->nr++;
	}
	if (!fx->nr) {
		fprintf(stderr, "  %s: no range\n", name);
		return -1;
	}
	fx->mem = calloc(1, total);
	fx->in = mem_input_create(fx->mem, fx->r[0].paddr, 0, EM_NONE);
	free(fx->in->ranges);
	fx->in->ranges = calloc(fx->nr, sizeof(*fx->in->ranges));
	memcpy(fx->in->ranges, fx->r, fx->nr * sizeof(fx->r[0]));
	fx->in->nranges = fx->nr;
	return 0;
}

static int store_words(struct fixture *fx, const char *path, const char *name)
{
	char *text = slurp(path), *line, *save = NULL;
	unsigned long long a, v;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		uint8_t *p;

		if (sscanf(line, " %llx %llx", &a, &v) != 2 ||
		    strncmp(line, "range", 5) == 0)
			continue;
		p = byte_at(fx, a);
		if (!p) {
			fprintf(stderr, "  %s: %#llx is outside every range\n",
				name, a);
			free(text);
			return -1;
		}
		put_le64(p, v);
	}
	free(text);
	return 0;
}

static unsigned machine_of(const char *name)
{
	if (strncmp(name, "arm64-", 6) == 0)
		return EM_AARCH64;
	if (strncmp(name, "x86_64-", 7) == 0)
		return EM_X86_64;
	return EM_NONE;
}

/* One case: 0 if every expectation holds. */
static int run_case(const char *dir, const char *name)
{
	char path[1400];
	struct fixture fx = { 0 };
	struct vmcoreinfo vi;
	const struct arch_ops *ops;
	struct mdf_err err;
	struct arch a;
	char *text, *line, *save = NULL;
	int bad = 0, n = 0;

	snprintf(path, sizeof(path), "%s/%s.data", dir, name);
	text = slurp(path);
	if (!text || load_ranges(&fx, text, name) < 0) {
		fprintf(stderr, "  %s: can't read %s\n", name, path);
		free(text);
		return -1;
	}
	free(text);
	if (store_words(&fx, path, name) < 0)
		return -1;
	fx.in->e_machine = machine_of(name);
	snprintf(path, sizeof(path), "%s/%s.sym", dir, name);
	text = slurp(path);
	if (!text || vmcoreinfo_parse(&vi, text, strlen(text), NULL, &err) < 0) {
		fprintf(stderr, "  %s: can't read %s\n", name, path);
		return -1;
	}
	free(text);
	fx.in->page_size = (unsigned)vmci_get(&vi, VMCI_PAGESIZE);
	fx.in->page_shift = (unsigned)__builtin_ctz(fx.in->page_size);
	if (arch_find(fx.in->e_machine, &vi, &ops, &err) < 0 ||
	    arch_init(&a, ops, fx.in, &vi, NULL, &err) < 0) {
		fprintf(stderr, "  %s: %s\n", name, err.msg);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s.expect", dir, name);
	text = slurp(path);
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long va, want = 0;
		char pa_s[32];
		uint64_t pa = 0, len;
		int rc;

		if (sscanf(line, " %llx %31s", &va, pa_s) != 2)
			continue;
		n++;
		rc = arch_kvtop(&a, va, &pa, &len, &err);
		if (strcmp(pa_s, "-") == 0) {
			if (rc != MDF_ABSENT) {
				fprintf(stderr, "  %s: %#llx: want not mapped, got %#llx (rc %d)\n",
					name, va, (unsigned long long)pa, rc);
				bad++;
			}
			continue;
		}
		want = strtoull(pa_s, NULL, 16);
		if (rc != 0 || pa != want) {
			fprintf(stderr, "  %s: %#llx: want %#llx, got %s%#llx\n",
				name, va, want, rc ? "not mapped: " : "",
				rc ? (unsigned long long)0 : (unsigned long long)pa);
			if (rc)
				fprintf(stderr, "    %s\n", err.msg);
			bad++;
		}
	}
	free(text);
	if (n == 0) {
		fprintf(stderr, "  %s: no expectations\n", name);
		bad++;
	}
	arch_deinit(&a);
	vmcoreinfo_deinit(&vi);
	mem_input_destroy(fx.in);
	free(fx.mem);
	return bad ? -1 : 0;
}

int main(void)
{
	const char *root = getenv("ROOT");
	char dir[1024];
	struct dirent **ents;
	int i, n, failed = 0, cases = 0;

	snprintf(dir, sizeof(dir), "%s/fixtures/xlat", root ? root : ".");
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		printf("not ok - xlat: can't list %s\n", dir);
		return 1;
	}
	for (i = 0; i < n; i++) {
		char *name = ents[i]->d_name;
		size_t len = strlen(name);

		if (len > 5 && strcmp(name + len - 5, ".data") == 0) {
			int rc;

			name[len - 5] = '\0';
			harness_case_failed = 0;
			rc = run_case(dir, name);
			printf("%s - xlat: %s\n", rc ? "not ok" : "ok", name);
			failed |= rc != 0;
			cases++;
		}
		free(ents[i]);
	}
	free(ents);
	if (!cases) {
		printf("not ok - xlat: no fixtures in %s\n", dir);
		return 1;
	}
	return failed;
}
