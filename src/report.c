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
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "opts.h"
#include "report.h"

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void report_init(struct report *r, unsigned ml, bool to_stderr)
{
	memset(r, 0, sizeof(*r));
	r->ml = ml;
	r->out = to_stderr ? stderr : stdout;
	r->prog = stderr;
	r->tty = isatty(STDERR_FILENO);
	r->clock_us = now_us;
	r->start_us = now_us();
	r->last_permille = -1;
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

/* an in-place progress line must end before other output */
static void close_line(struct report *r)
{
	if (r->line_open) {
		fputc('\n', r->prog);
		fflush(r->prog);
		r->line_open = false;
	}
}

static void vmsg(struct report *r, unsigned bit, FILE *f, const char *fmt,
		 va_list ap)
{
	if (!(r->ml & bit))
		return;
	close_line(r);
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
	close_line(r);
	fwrite(text, 1, len, stdout);
	if (len && text[len - 1] != '\n')
		fputc('\n', stdout);
	fflush(stdout);
}

/* makedumpfile's ETA field (cli.md section 8), copying phase only */
static void format_eta(char *eta, size_t n, int64_t el, unsigned permille)
{
	int64_t rem = el * (1000 - (int64_t)permille) / (int64_t)permille;

	if (rem < 100)
		snprintf(eta, n, "eta: %llds", (long long)rem);
	else if (rem < 6000)
		snprintf(eta, n, "eta: %lldm%llds", (long long)(rem / 60),
			 (long long)(rem % 60));
	else if (rem < 48 * 3600)
		snprintf(eta, n, "eta: %lldh%lldm", (long long)(rem / 3600),
			 (long long)(rem / 60 % 60));
	else if (rem < 100 * 86400)
		snprintf(eta, n, "eta: %lldd%lldh", (long long)(rem / 86400),
			 (long long)(rem / 3600 % 24));
	else
		snprintf(eta, n, "eta: >100day");
}

static void draw(struct report *r, const char *label, unsigned permille,
		 bool final)
{
	static const char spinner[] = "/|\\-";
	char eta[32] = "";
	int64_t t = r->clock_us() / 1000;

	if (!r->tty) {
		/* journald, pipes, files: whole lines, no spinner.  One per
		 * 10 % step; a slow step still says something every
		 * REPORT_QUIET_MS so the log shows the dump is alive. */
		bool step = r->last_permille < 0 ||
			    permille / 100 != (unsigned)r->last_permille / 100;
		bool quiet = t - r->last_ms >= REPORT_QUIET_MS &&
			     permille != (unsigned)r->last_permille;

		if (!final && !step && !quiet)
			return;
		if (final && permille == (unsigned)r->last_permille)
			return;
		fprintf(r->prog, "%-50s: [%3u.%u %%]\n", label, permille / 10,
			permille % 10);
		r->last_permille = (int)permille;
		r->last_ms = t;
		fflush(r->prog);
		return;
	}
	if (!final && r->last_permille >= 0 && t - r->last_ms < 1000)
		return;
	r->last_ms = t;
	r->last_permille = (int)permille;
	if (strncmp(label, "Copying data", 12) == 0 && permille > 0 &&
	    permille < 1000)
		format_eta(eta, sizeof(eta), (t - r->start_us / 1000) / 1000,
			   permille);
	fprintf(r->prog, "\r%-50s: [%3u.%u %%] %c  %16s", label, permille / 10,
		permille % 10, spinner[r->spin++ & 3], eta);
	r->line_open = true;
	fflush(r->prog);
}

static void phase_start(struct report *r, const char *label)
{
	if (r->label == label)
		return;
	r->label = label;
	r->last_permille = -1;
	r->start_us = r->clock_us();
}

void report_progress(struct report *r, const char *label, uint64_t cur,
		     uint64_t total)
{
	unsigned permille;

	phase_start(r, label);
	if (!(r->ml & ML_PROGRESS))
		return;
	permille = total ? (unsigned)(cur * 1000 / total) : 1000;
	if (permille > 1000)
		permille = 1000;
	draw(r, label, permille, false);
}

void report_progress_done(struct report *r, const char *label)
{
	int64_t us;

	phase_start(r, label);
	if (r->ml & ML_PROGRESS) {
		draw(r, label, 1000, true);
		/* phases share one terminal line; the copy ends it */
		if (strncmp(label, "Copying data", 12) == 0)
			close_line(r);
	}
	if (r->ml & ML_REPORT) {
		us = r->clock_us() - r->start_us;
		close_line(r);
		fprintf(r->out, "STEP [%-27s] : %lld.%06lld seconds\n", label,
			(long long)(us / 1000000), (long long)(us % 1000000));
		fflush(r->out);
	}
	r->label = NULL;
}

void report_progress_end(struct report *r)
{
	close_line(r);
}

void report_progress_note(struct report *r, const char *fmt, ...)
{
	va_list ap;

	if (!(r->ml & ML_PROGRESS))
		return;
	/* ends an open line, or leaves a blank one, as makedumpfile does */
	fputc('\n', r->prog);
	r->line_open = false;
	va_start(ap, fmt);
	vfprintf(r->prog, fmt, ap);
	va_end(ap);
	fputc('\n', r->prog);
	fflush(r->prog);
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
	close_line(r);
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

/* Peak RSS of this process image so far: VmHWM, not getrusage(), whose
 * maxrss carries the RSS of the process that fork()ed us over exec(). */
static uint64_t peak_rss_kb(void)
{
	unsigned long long kib;
	struct rusage ru;
	char line[256];
	uint64_t ret = 0;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "VmHWM: %llu kB", &kib) == 1) {
				ret = kib;
				break;
			}
		fclose(f);
	}
	if (!ret && getrusage(RUSAGE_SELF, &ru) == 0)
		ret = (uint64_t)ru.ru_maxrss;
	return ret;
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
	fprintf(f, "  \"input\": {\n");
	fprintf(f, "    \"pages_read\": %llu,\n", (unsigned long long)st->pages_read);
	fprintf(f, "    \"pages_mapped\": %llu,\n", (unsigned long long)st->pages_mapped);
	fprintf(f, "    \"pages_pread\": %llu,\n", (unsigned long long)st->pages_pread);
	fprintf(f, "    \"mmap_windows\": %llu,\n",
		(unsigned long long)st->mmap_windows);
	fprintf(f, "    \"read_runs\": %llu\n  },\n",
		(unsigned long long)st->read_runs);
	fprintf(f, "  \"maxrss_kb\": %llu,\n", (unsigned long long)peak_rss_kb());
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
