/* cpus_shim.so: LD_PRELOAD for the thread tests.
 *
 *   MDF_SHIM_CPUS=N   sched_getaffinity() says the process may run on
 *                     CPUs 0..N-1 (1 <= N <= CPU_SETSIZE)
 *
 * --num-threads is fitted to the CPUs the process may run on, so on a
 * small test machine N = 4 or 8 would run no more workers than N = 2;
 * with the shim the tests still get N workers and the helping main thread
 * (pipeline_plan() is unit-tested for the fitting itself).  Built by the
 * test scripts with cc -shared; not part of the tool.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
	static int (*real)(pid_t, size_t, cpu_set_t *);
	const char *v = getenv("MDF_SHIM_CPUS");
	long n = v ? strtol(v, NULL, 10) : 0;
	long i;

	if (n >= 1 && n <= CPU_SETSIZE && size >= sizeof(cpu_set_t)) {
		memset(set, 0, size);
		for (i = 0; i < n; i++)
			CPU_SET((int)i, set);
		return 0;
	}
	if (!real)
		real = (int (*)(pid_t, size_t, cpu_set_t *))dlsym(RTLD_NEXT,
							   "sched_getaffinity");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(pid, size, set);
}
