/* fault_shim.so: LD_PRELOAD fault injection for the writer tests.
 *
 * Counts the bytes written to regular files (write, pwrite, pwrite64) and
 *   MDF_SHIM_ENOSPC_AFTER=N  stores at most N bytes, then fails with ENOSPC
 *                            (a full disk, where no small tmpfs can be
 *                            mounted);
 *   MDF_SHIM_KILL_AFTER=N    kills the process with SIGKILL once N bytes
 *                            were written (an interrupted run).
 * Built by the test scripts with cc -shared; not part of the tool.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static uint64_t total;

static uint64_t env_u64(const char *name)
{
	const char *v = getenv(name);

	return v ? strtoull(v, NULL, 0) : 0;
}

/* how much of len may be stored now; -1 with errno set for none */
static ssize_t allow(int fd, size_t len)
{
	uint64_t enospc = env_u64("MDF_SHIM_ENOSPC_AFTER");
	uint64_t kill_at = env_u64("MDF_SHIM_KILL_AFTER");
	struct stat st;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return (ssize_t)len;
	if (kill_at && total + len > kill_at)
		raise(SIGKILL);
	if (enospc && total + len > enospc) {
		if (total >= enospc) {
			errno = ENOSPC;
			return -1;
		}
		return (ssize_t)(enospc - total);
	}
	return (ssize_t)len;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	static ssize_t (*real)(int, const void *, size_t);
	ssize_t n = allow(fd, len), r;

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (n < 0)
		return -1;
	r = real(fd, buf, (size_t)n);
	if (r > 0)
		total += (uint64_t)r;
	return r;
}

static ssize_t do_pwrite(const char *sym, int fd, const void *buf, size_t len,
			 off_t off)
{
	ssize_t (*real)(int, const void *, size_t, off_t);
	ssize_t n = allow(fd, len), r;

	real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, sym);
	if (n < 0)
		return -1;
	r = real(fd, buf, (size_t)n, off);
	if (r > 0)
		total += (uint64_t)r;
	return r;
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	return do_pwrite("pwrite", fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	return do_pwrite("pwrite64", fd, buf, len, off);
}
