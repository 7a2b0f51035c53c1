/* report.c: the only module that writes to the terminal.
 *
 * Message classes and streams as makedumpfile (cli.md section 7), its
 * progress line (section 8) and page-count report, plus our JSON report.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "opts.h"
#include "report.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void report_init(struct report *r, unsigned ml, bool to_stderr)
{
	memset(r, 0, sizeof(*r));
	r->ml = ml;
	r->out = to_stderr ? stderr : stdout;
	r->tty = isatty(STDERR_FILENO);
	r->start_ns = now_ns();
}

void report_deinit(struct report *r)
{
	int i;

	for (i = 0; i < PC_NCLASSES; i++)
		free(r->ranges[i].r);
	free(r->absent_offline.r);
	memset(r->ranges, 0, sizeof(r->ranges));
	memset(&r->absent_offline, 0, sizeof(r->absent_offline));
}

static void vmsg(struct report *r, unsigned bit, FILE *f, const char *fmt,
		 va_list ap)
{
	if (!(r->ml & bit))
		return;
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

void report_msg(struct report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(r, ML_COMMON, r->out, fmt, ap);
	va_end(ap);
}

void report_debug(struct report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(r, ML_DEBUG, r->out, fmt, ap);
	va_end(ap);
}

void report_error(struct report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(r, ML_ERROR, stderr, fmt, ap);
	va_end(ap);
}

void report_warns(struct report *r, const struct mdf_warns *w)
{
	unsigned i;

	for (i = 0; i < w->n; i++)
		report_msg(r, "%s", w->msg[i]);
	if (w->dropped)
		report_msg(r, "(%u more warnings not shown)", w->dropped);
}

void report_text(struct report *r, const char *text, size_t len)
{
	(void)r;
	fwrite(text, 1, len, stdout);
	if (len && text[len - 1] != '\n')
		fputc('\n', stdout);
	fflush(stdout);
}

/* eta_to_human_short() of makedumpfile */
static void eta_text(int64_t secs, char *buf, size_t len)
{
	if (secs < 100)
		snprintf(buf, len, "eta: %llds", (long long)secs);
	else if (secs < 100 * 60)
		snprintf(buf, len, "eta: %lldm%llds", (long long)(secs / 60),
			 (long long)(secs % 60));
	else if (secs < 48 * 3600)
		snprintf(buf, len, "eta: %lldh%lldm", (long long)(secs / 3600),
			 (long long)(secs / 60 % 60));
	else if (secs < 100 * 86400)
		snprintf(buf, len, "eta: %lldd%lldh", (long long)(secs / 86400),
			 (long long)(secs / 3600 % 24));
	else
		snprintf(buf, len, "eta: >100day");
}

static void draw(struct report *r, const char *label, uint64_t cur,
		 uint64_t total)
{
	static const char spinner[] = "/|\\-";
	unsigned permille;
	char eta[32] = " ";

	if (cur < total) {
		int64_t sec = (int64_t)time(NULL);

		if (sec - r->last_sec < 1)
			return;
		r->last_sec = sec;
		permille = (unsigned)(cur * 1000 / total);
	} else {
		permille = 1000;
	}
	if (permille && !strcmp(label, PROGRESS_COPY)) {
		/* remaining = elapsed / done - elapsed, in whole seconds */
		int64_t ms = (now_ns() - r->start_ns) / 1000000;

		eta_text(ms / permille - ms / 1000, eta, sizeof(eta));
	}
	fprintf(stderr, "\r%-50s: [%3u.%u %%] %c  %16s", label, permille / 10,
		permille % 10, spinner[r->spin++ & 3], eta);
	fflush(stderr);
	r->line_open = true;
}

static void phase(struct report *r, const char *label)
{
	if (r->label != label) {
		r->label = label;
		r->start_ns = now_ns();
	}
}

void report_progress(struct report *r, const char *label, uint64_t cur,
		     uint64_t total)
{
	phase(r, label);
	if (!(r->ml & ML_PROGRESS))
		return;
	if (!total)
		cur = total = 1;
	draw(r, label, cur < total ? cur : total, total);
}

void report_progress_done(struct report *r, const char *label)
{
	int64_t ns;

	phase(r, label);
	if (r->ml & ML_PROGRESS)
		draw(r, label, 1, 1);
	ns = now_ns() - r->start_ns;
	if (r->ml & ML_REPORT) {
		fprintf(r->out, "STEP [%-27s] : %lld.%06lld seconds\n", label,
			(long long)(ns / 1000000000),
			(long long)(ns / 1000 % 1000000));
		fflush(r->out);
	}
	r->label = NULL;
}

void report_progress_end(struct report *r)
{
	if (r->line_open && (r->ml & ML_PROGRESS)) {
		fputc('\n', stderr);
		fflush(stderr);
	}
	r->line_open = false;
}

void report_clear_ranges(struct report *r)
{
	int i;

	for (i = 0; i < PC_NCLASSES; i++)
		r->ranges[i].n = 0;
	r->absent_offline.n = 0;
	r->ranges_oom = false;
}

static void list_add(struct report *r, struct report_range_list *l,
		     uint64_t start, uint64_t n)
{
	if (l->n && l->r[l->n - 1][0] + l->r[l->n - 1][1] == start) {
		l->r[l->n - 1][1] += n;
		return;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		void *p = realloc(l->r, cap * sizeof(*l->r));

		if (!p) {
			r->ranges_oom = true;
			return;
		}
		l->r = p;
		l->cap = cap;
	}
	l->r[l->n][0] = start;
	l->r[l->n][1] = n;
	l->n++;
}

void report_add_range(struct report *r, enum page_class c, uint64_t start,
		      uint64_t n)
{
	if (!r->want_ranges || c >= PC_NCLASSES || r->ranges_oom)
		return;
	list_add(r, &r->ranges[c], start, n);
}

static void sink_absent(void *ctx, uint64_t pfn)
{
	struct report *r = ctx;

	if (r->want_ranges && !r->ranges_oom)
		list_add(r, &r->absent_offline, pfn, 1);
}

static void sink_add(void *ctx, enum page_class c, uint64_t start, uint64_t n)
{
	report_add_range(ctx, c, start, n);
}

struct range_sink report_range_sink(struct report *r)
{
	struct range_sink s = { sink_add, sink_absent, r };
	return s;
}

static uint64_t total_excluded(const struct dump_stats *st)
{
	uint64_t n = 0;
	int c;

	for (c = PC_ZERO; c < PC_NCLASSES; c++)
		n += st->excluded[c];
	return n;
}

void report_stats(struct report *r, const struct dump_stats *st,
		  bool elf, uint64_t elf_excluded)
{
	uint64_t hole = st->max_mapnr - st->present;
	uint64_t orig = st->present;
	uint64_t excl = total_excluded(st);
	uint64_t remain = orig - excl;
	FILE *f = r->out;

	if (!(r->ml & ML_REPORT))
		return;
	fprintf(f, "\n");
	fprintf(f, "Original pages  : 0x%016llx\n", (unsigned long long)orig);
	fprintf(f, "  Excluded pages   : 0x%016llx\n", (unsigned long long)excl);
	if (elf)
		fprintf(f, "     in ELF format : 0x%016llx\n",
			(unsigned long long)elf_excluded);
	fprintf(f, "    Pages filled with zero  : 0x%016llx\n",
		(unsigned long long)st->excluded[PC_ZERO]);
	fprintf(f, "    Non-private cache pages : 0x%016llx\n",
		(unsigned long long)st->excluded[PC_CACHE]);
	fprintf(f, "    Private cache pages     : 0x%016llx\n",
		(unsigned long long)st->excluded[PC_CACHE_PRIVATE]);
	fprintf(f, "    User process data pages : 0x%016llx\n",
		(unsigned long long)st->excluded[PC_USER]);
	fprintf(f, "    Free pages              : 0x%016llx\n",
		(unsigned long long)st->excluded[PC_FREE]);
	fprintf(f, "    Hwpoison pages          : 0x%016llx\n",
		(unsigned long long)st->excluded[PC_HWPOISON]);
	fprintf(f, "    Offline pages           : 0x%016llx\n",
		(unsigned long long)st->excluded[PC_OFFLINE]);
	fprintf(f, "  Remaining pages  : 0x%016llx\n", (unsigned long long)remain);
	if (elf)
		fprintf(f, "     in ELF format : 0x%016llx\n",
			(unsigned long long)(orig - elf_excluded));
	if (orig) {
		uint64_t shown = elf ? orig - elf_excluded : remain;

		fprintf(f, "  (The number of pages is reduced to %lld%%.)\n",
			(long long)(shown * 100 / orig));
	}
	fprintf(f, "Memory Hole     : 0x%016llx\n", (unsigned long long)hole);
	fprintf(f, "--------------------------------------------------\n");
	fprintf(f, "Total pages     : 0x%016llx\n", (unsigned long long)st->max_mapnr);
	fprintf(f, "Write bytes     : %llu\n", (unsigned long long)st->write_bytes);
	fprintf(f, "\n");
	fprintf(f, "Cache hit: 0, miss: 0\n");
	fprintf(f, "\n");
	fflush(f);
}

static void json_ranges(FILE *f, const struct report_range_list *l)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < l->n; i++)
		fprintf(f, "%s[%llu,%llu]", i ? "," : "",
			(unsigned long long)l->r[i][0],
			(unsigned long long)l->r[i][1]);
	fputc(']', f);
}

int report_json(struct report *r, const char *path,
		const struct dump_stats *st, unsigned dump_level,
		unsigned page_size, struct mdf_err *err)
{
	FILE *f;
	int fd, c;
	uint64_t excl = total_excluded(st);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return mdf_err_sys(err, e, "Can't open the report file(%s)", path);
	}
	fprintf(f, "{\n  \"format\": \"makedumpfile-report\",\n  \"version\": 1,\n");
	fprintf(f, "  \"dump_level\": %u,\n  \"page_size\": %u,\n", dump_level,
		page_size);
	fprintf(f, "  \"counts\": {\n");
	fprintf(f, "    \"total\": %llu,\n", (unsigned long long)st->max_mapnr);
	fprintf(f, "    \"hole\": %llu,\n",
		(unsigned long long)(st->max_mapnr - st->present));
	fprintf(f, "    \"original\": %llu,\n", (unsigned long long)st->present);
	fprintf(f, "    \"excluded\": %llu,\n", (unsigned long long)excl);
	fprintf(f, "    \"remaining\": %llu,\n",
		(unsigned long long)(st->present - excl));
	for (c = PC_ZERO; c < PC_NCLASSES; c++)
		fprintf(f, "    \"%s\": %llu,\n", page_class_name(c),
			(unsigned long long)st->excluded[c]);
	fprintf(f, "    \"nodata\": %llu,\n", (unsigned long long)st->nodata);
	fprintf(f, "    \"write_bytes\": %llu\n  },\n",
		(unsigned long long)st->write_bytes);
	fprintf(f, "  \"anomalies\": {\n");
	fprintf(f, "    \"memmap_nosection\": %llu,\n",
		(unsigned long long)st->memmap_nosection);
	fprintf(f, "    \"memmap_unavailable\": %llu,\n",
		(unsigned long long)st->memmap_unavailable);
	fprintf(f, "    \"memmap_offline\": %llu,\n",
		(unsigned long long)st->memmap_offline);
	fprintf(f, "    \"bad_order\": %llu,\n", (unsigned long long)st->bad_order);
	fprintf(f, "    \"bad_buddy\": %llu,\n", (unsigned long long)st->bad_buddy);
	fprintf(f, "    \"memmap_poisoned\": %llu,\n",
		(unsigned long long)st->memmap_poisoned);
	fprintf(f, "    \"offline_absent\": %llu,\n",
		(unsigned long long)st->offline_absent);
	fprintf(f, "    \"hvo_fake_heads\": %llu\n  },\n",
		(unsigned long long)st->hvo_fake_heads);
	fprintf(f, "  \"ranges_complete\": %s,\n",
		r->want_ranges && !r->ranges_oom ? "true" : "false");
	fprintf(f, "  \"ranges\": {\n");
	for (c = PC_ZERO; c < PC_NCLASSES; c++) {
		fprintf(f, "    \"%s\": ", page_class_name(c));
		json_ranges(f, &r->ranges[c]);
		fprintf(f, ",\n");
	}
	fprintf(f, "    \"offline_absent\": ");
	json_ranges(f, &r->absent_offline);
	fprintf(f, "\n  }\n}\n");
	if (fclose(f) != 0)
		return mdf_err_sys(err, errno, "writing %s", path);
	return 0;
}

void report_mem_usage(struct report *r, const struct dump_stats *st,
		      unsigned page_size)
{
	uint64_t orig = st->present;
	uint64_t kern = orig - total_excluded(st);

	report_msg(r, "\nTYPE\t\tPAGES\t\t\tEXCLUDABLE\tDESCRIPTION");
	report_msg(r, "----------------------------------------------------------------------");
	report_msg(r, "ZERO\t\t%-16llu\tyes\t\tPages filled with zero",
		   (unsigned long long)st->excluded[PC_ZERO]);
	report_msg(r, "NON_PRI_CACHE\t%-16llu\tyes\t\tCache pages without private flag",
		   (unsigned long long)st->excluded[PC_CACHE]);
	report_msg(r, "PRI_CACHE\t%-16llu\tyes\t\tCache pages with private flag",
		   (unsigned long long)st->excluded[PC_CACHE_PRIVATE]);
	report_msg(r, "USER\t\t%-16llu\tyes\t\tUser process pages",
		   (unsigned long long)st->excluded[PC_USER]);
	report_msg(r, "FREE\t\t%-16llu\tyes\t\tFree pages",
		   (unsigned long long)st->excluded[PC_FREE]);
	/* the trailing space is makedumpfile's */
	report_msg(r, "KERN_DATA\t%-16llu\tno\t\tDumpable kernel data ",
		   (unsigned long long)kern);
	report_msg(r, "\npage size:\t\t%-16u", page_size);
	report_msg(r, "Total pages on system:\t%-16llu", (unsigned long long)orig);
	report_msg(r, "Total size on system:\t%-16llu Byte",
		   (unsigned long long)orig * page_size);
}
