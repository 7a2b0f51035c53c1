/* dynload.c: load a shared library by SONAME on first use (base layer).
 *
 * The answer of the first attempt is kept: a library that is missing
 * fails the same way each time, without another dlopen().  The state is
 * read with acquire semantics, so the common case (loaded) takes no lock.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "dynload.h"

static pthread_mutex_t dynload_lock = PTHREAD_MUTEX_INITIALIZER;

static void dynlib_try(struct dynlib *lib)
{
	void *h;
	size_t i;

	/* RTLD_LOCAL: its symbols serve only the pointers resolved here */
	h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();

		snprintf(lib->why, sizeof(lib->why), "%s", e ? e : "dlopen failed");
		__atomic_store_n(&lib->state, -1, __ATOMIC_RELEASE);
		return;
	}
	for (i = 0; i < lib->n; i++) {
		lib->fns[i] = dlsym(h, lib->names[i]);
		if (!lib->fns[i]) {
			snprintf(lib->why, sizeof(lib->why),
				 "it has no symbol %s", lib->names[i]);
			dlclose(h);
			__atomic_store_n(&lib->state, -1, __ATOMIC_RELEASE);
			return;
		}
	}
	/* never dlclose()d: the pointers live as long as the process */
	__atomic_store_n(&lib->state, 1, __ATOMIC_RELEASE);
}

int dynlib_load(struct dynlib *lib, struct mdf_err *err)
{
	int st = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE);

	if (st == 0) {
		pthread_mutex_lock(&dynload_lock);
		if (__atomic_load_n(&lib->state, __ATOMIC_ACQUIRE) == 0)
			dynlib_try(lib);
		pthread_mutex_unlock(&dynload_lock);
		st = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE);
	}
	if (st > 0)
		return 0;
	if (!err)
		return -MDF_EUNSUPP;
	return mdf_err_set(err, MDF_EUNSUPP,
			   "cannot load the shared library %s: %s",
			   lib->soname, lib->why);
}
