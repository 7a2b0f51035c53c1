/* harness.h: a tiny test harness, no external framework.
 *
 * A test file defines TEST(name) functions and a table; each case prints
 * "ok - <file>: <name>" or "not ok - ..." and tests/run.sh counts them.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_case_failed;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n",	\
				__FILE__, __LINE__, #cond);		\
			harness_case_failed = 1;			\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		uint64_t va_ = (uint64_t)(a), vb_ = (uint64_t)(b);	\
		if (va_ != vb_) {					\
			fprintf(stderr, "  %s:%d: %s == %s failed: %#" PRIx64 " != %#" PRIx64 "\n", \
				__FILE__, __LINE__, #a, #b, va_, vb_);	\
			harness_case_failed = 1;			\
		}							\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *sa_ = (a), *sb_ = (b);			\
		if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {		\
			fprintf(stderr, "  %s:%d: %s == \"%s\" failed: got \"%s\"\n", \
				__FILE__, __LINE__, #a, sb_ ? sb_ : "(null)", \
				sa_ ? sa_ : "(null)");			\
			harness_case_failed = 1;			\
		}							\
	} while (0)

#define TEST(name) static void name(void)

struct harness_case {
	const char *name;
	void (*fn)(void);
};
#define CASE(name) { #name, name }

static inline int harness_run(const char *file, const struct harness_case *c,
			      size_t n)
{
	size_t i;
	int failed = 0;

	for (i = 0; i < n; i++) {
		harness_case_failed = 0;
		c[i].fn();
		printf("%s - %s: %s\n", harness_case_failed ? "not ok" : "ok",
		       file, c[i].name);
		failed |= harness_case_failed;
	}
	return failed;
}

#define HARNESS_MAIN(file, cases)					\
	int main(void)							\
	{								\
		return harness_run(file, cases,				\
				   sizeof(cases) / sizeof(cases[0]));	\
	}

#endif
