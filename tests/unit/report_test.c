/* report_test.c: progress output on a terminal and under journald, and
 * makedumpfile's STEP timing line. */
#include "harness.h"
#include "opts.h"
#include "report.h"

static int64_t fake_now;

static int64_t fake_clock(void)
{
	return fake_now * 1000;	/* fake_now counts milliseconds */
}

/* a report whose progress goes to a temporary file */
static void setup(struct report *r, unsigned ml, bool tty)
{
	report_init(r, ml, false);
	r->prog = tmpfile();
	r->out = tmpfile();
	r->tty = tty;
	r->clock_us = fake_clock;
	fake_now = 1000000;
}

/* whole contents of f, NUL-terminated, caller frees */
static char *slurp(FILE *f)
{
	long n;
	char *s;

	fflush(f);
	n = ftell(f);
	s = calloc(1, (size_t)n + 1);
	rewind(f);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		s[0] = '\0';
	return s;
}

static unsigned count(const char *s, char c)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

static void teardown(struct report *r)
{
	fclose(r->prog);
	fclose(r->out);
	report_deinit(r);
}

/* journald: one whole line per 10 % step, however often we are called */
TEST(journal_lines_every_ten_percent)
{
	struct report r;
	uint64_t i;
	char *s;

	setup(&r, ML_PROGRESS, false);
	for (i = 0; i < 100000; i += 7) {
		report_progress(&r, "Copying data", i, 100000);
		fake_now += 1;
	}
	report_progress_done(&r, "Copying data");
	s = slurp(r.prog);
	CHECK_EQ(count(s, '\n'), 11);		/* 0 %, 10 % ... 100 % */
	CHECK_EQ(count(s, '\r'), 0);
	CHECK(strstr(s, "Copying data                                      : [  0.0 %]\n"));
	CHECK(strstr(s, ": [ 50.0 %]\n"));
	CHECK(strstr(s, ": [100.0 %]\n"));
	free(s);
	teardown(&r);
}

/* journald: a slow step still prints every REPORT_QUIET_MS */
TEST(journal_slow_step_keeps_talking)
{
	struct report r;
	char *s;

	setup(&r, ML_PROGRESS, false);
	report_progress(&r, "Copying data", 0, 1000);
	fake_now += REPORT_QUIET_MS - 1;
	report_progress(&r, "Copying data", 1, 1000);	/* too soon */
	fake_now += 1;
	report_progress(&r, "Copying data", 2, 1000);	/* 30 s later */
	fake_now += REPORT_QUIET_MS;
	report_progress(&r, "Copying data", 2, 1000);	/* no change */
	s = slurp(r.prog);
	CHECK_EQ(count(s, '\n'), 2);
	CHECK(strstr(s, ": [  0.2 %]\n"));
	free(s);
	teardown(&r);
}

/* terminal: makedumpfile's in-place line, at most once a second */
TEST(terminal_in_place_once_a_second)
{
	struct report r;
	uint64_t i;
	char *s;

	setup(&r, ML_PROGRESS, true);
	for (i = 0; i < 1000; i++) {
		report_progress(&r, "Excluding unnecessary pages", i, 1000);
		fake_now += 10;				/* 10 s in all */
	}
	report_progress_done(&r, "Excluding unnecessary pages");
	s = slurp(r.prog);
	/* first draw, one per second, the final one; no newline: the next
	 * phase overwrites the line */
	CHECK(count(s, '\r') >= 10 && count(s, '\r') <= 12);
	CHECK_EQ(count(s, '\n'), 0);
	CHECK(strstr(s, "\rExcluding unnecessary pages                       : [100.0 %] "));
	free(s);
	for (i = 0; i <= 1000; i += 250) {
		report_progress(&r, "Copying data", i, 1000);
		fake_now += 2000;
	}
	report_progress_done(&r, "Copying data");
	s = slurp(r.prog);
	CHECK(strstr(s, "eta: "));			/* while copying */
	CHECK_EQ(count(s, '\n'), 1);			/* the copy ends the line */
	CHECK(s[strlen(s) - 1] == '\n');
	free(s);
	teardown(&r);
}

/* a message in the middle of an in-place line starts a new line first */
TEST(terminal_message_closes_line)
{
	struct report r;
	char *s;

	setup(&r, ML_PROGRESS | ML_COMMON, true);
	r.out = r.prog;
	report_progress(&r, "Copying data", 1, 2);
	report_msg(&r, "hello");
	s = slurp(r.prog);
	CHECK(s[0] == '\r');
	CHECK(strstr(s, "eta: 0s\nhello\n"));
	free(s);
	r.out = tmpfile();
	teardown(&r);
}

/* STEP [label] : s.uuuuuu seconds, with the report bit only */
TEST(step_timing_line)
{
	struct report r;
	char *s;

	setup(&r, ML_REPORT, false);
	report_progress(&r, "Copying data", 0, 1);
	report_progress_done(&r, "Copying data");
	s = slurp(r.out);
	CHECK(strncmp(s, "STEP [Copying data               ] : 0.", 38) == 0);
	CHECK(strlen(s) == strlen("STEP [Copying data               ] : 0.000000 seconds\n"));
	free(s);
	s = slurp(r.prog);
	CHECK_EQ(strlen(s), 0);				/* no progress bit */
	free(s);
	teardown(&r);
}

static const struct harness_case cases[] = {
	CASE(journal_lines_every_ten_percent),
	CASE(journal_slow_step_keeps_talking),
	CASE(terminal_in_place_once_a_second),
	CASE(terminal_message_closes_line),
	CASE(step_timing_line),
};
HARNESS_MAIN("report", cases)
