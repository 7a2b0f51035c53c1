/* dynload.h: a shared library loaded on first use (base layer).
 *
 * A dynamic build does not link the optional libraries of -p and -z
 * (snappy drags in the C++ runtime, about 1.4 MB of resident pages at
 * start-up) nor libdw (only -x needs it); their codec or module loads the
 * library by its SONAME, found by the Makefile in the Debian -dev
 * package's link, the first time it is needed.  A static build links them
 * as before and never uses this.  Thread-safe; never prints.
 */
#ifndef DYNLOAD_H
#define DYNLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "mdf_err.h"

/** One library: a static object per library, zero-initialised but for
 * soname, names and fns. */
struct dynlib {
	const char *soname;		/* "libsnappy.so.1" */
	const char *const *names;	/* symbols to resolve, n of them */
	void **fns;			/* their addresses, filled on load */
	size_t n;
	/* state, under dynload.c's lock */
	int state;			/* 0 not tried, 1 loaded, -1 failed */
	char why[200];			/* dlerror() of the failure */
};

/** Load lib once (later calls answer at once).  0, or MDF_EUNSUPP naming
 * the library and the loader's reason; err may be NULL. */
int dynlib_load(struct dynlib *lib, struct mdf_err *err);

/* DYNLIB_DEFINE(lib, SONAME, FNS): the static struct dynlib lib that
 * resolves every function of the X-macro list FNS (FNS(X) expands to
 * X(name) per function); one library per source file.  DYNLIB_FN(lib, f):
 * f's resolved address, with f's type. */
#define DYNLIB_IDX_(f) DYNLIB_IDX_##f,
#define DYNLIB_NAME_(f) #f,
#define DYNLIB_DEFINE(lib, soname_, FNS)				\
	enum { FNS(DYNLIB_IDX_) lib##_nfns };				\
	static const char *const lib##_names[] = { FNS(DYNLIB_NAME_) };	\
	static void *lib##_fns[lib##_nfns];				\
	static struct dynlib lib = {					\
		.soname = soname_, .names = lib##_names,		\
		.fns = lib##_fns, .n = lib##_nfns,			\
	}
#define DYNLIB_FN(lib, f) ((__typeof__(&f))lib##_fns[DYNLIB_IDX_##f])

#endif
