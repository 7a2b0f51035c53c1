/* faultio_shim.c: an LD_PRELOAD library that injects I/O faults into one
 * file, for the fault-injection and never-read tests (tests/real/).
 *
 * The target file is FAULTIO_PATH (matched by device and inode, so any
 * path or fd to it counts).  Environment, all optional:
 *   FAULTIO_EIO=A-B[,A-B...]   pread/read touching file offsets [A, B)
 *                              (hex) fail with EIO
 *   FAULTIO_PROTECT=1          a mapping of the file gets the host pages
 *                              inside those ranges PROT_NONE, so touching
 *                              them through mmap is a SIGSEGV
 *   FAULTIO_SHORT=N            every read returns at most N bytes
 *   FAULTIO_EINTR=1            every other read first fails with EINTR
 *   FAULTIO_EIO_AFTER=N        reads fail with EIO once N bytes were read
 *   FAULTIO_TRUNCATE=N         after the file is mapped, truncate it to N
 *                              bytes (the mapping's tail then SIGBUSes)
 *   FAULTIO_TRUNCATE_ON_READ=N after 4 MiB were read, truncate it to N
 *   FAULTIO_LOG=FILE           at exit: "reads N bytes B eio E protected P"
 * Output faults join this file when the writers exist.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { MAX_RANGES = 4096 };

static struct {
	bool on;
	dev_t dev;
	ino_t ino;
	const char *path;
	uint64_t eio[MAX_RANGES][2];
	unsigned neio;
	bool protect, eintr;
	size_t shortn;
	uint64_t eio_after;
	long long truncate_to, truncate_on_read;
	/* counters */
	uint64_t reads, bytes, eios, protected_bytes, eintrs;
	unsigned flip;
} fi;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static ssize_t (*real_pread)(int, void *, size_t, off_t);
static ssize_t (*real_pread64)(int, void *, size_t, off_t);
static ssize_t (*real_read)(int, void *, size_t);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static void *(*real_mmap64)(void *, size_t, int, int, int, off_t);

static void fi_log(void)
{
	const char *p = getenv("FAULTIO_LOG");
	FILE *f;

	if (!p || !fi.on)
		return;
	f = fopen(p, "a");
	if (!f)
		return;
	fprintf(f, "reads %llu bytes %llu eio %llu protected %llu eintr %llu\n",
		(unsigned long long)fi.reads, (unsigned long long)fi.bytes,
		(unsigned long long)fi.eios,
		(unsigned long long)fi.protected_bytes,
		(unsigned long long)fi.eintrs);
	fclose(f);
}

__attribute__((constructor)) static void fi_init(void)
{
	const char *s;
	struct stat st;

	real_pread = dlsym(RTLD_NEXT, "pread");
	real_pread64 = dlsym(RTLD_NEXT, "pread64");
	real_read = dlsym(RTLD_NEXT, "read");
	real_mmap = dlsym(RTLD_NEXT, "mmap");
	real_mmap64 = dlsym(RTLD_NEXT, "mmap64");
	fi.path = getenv("FAULTIO_PATH");
	if (!fi.path || stat(fi.path, &st) < 0)
		return;
	fi.dev = st.st_dev;
	fi.ino = st.st_ino;
	fi.on = true;
	s = getenv("FAULTIO_EIO");
	while (s && *s && fi.neio < MAX_RANGES) {
		char *end;
		uint64_t a = strtoull(s, &end, 16), b;

		if (*end != '-')
			break;
		b = strtoull(end + 1, &end, 16);
		fi.eio[fi.neio][0] = a;
		fi.eio[fi.neio][1] = b;
		fi.neio++;
		s = *end == ',' ? end + 1 : end;
	}
	fi.protect = getenv("FAULTIO_PROTECT") != NULL;
	fi.eintr = getenv("FAULTIO_EINTR") != NULL;
	fi.shortn = getenv("FAULTIO_SHORT") ?
		    strtoull(getenv("FAULTIO_SHORT"), NULL, 0) : 0;
	fi.eio_after = getenv("FAULTIO_EIO_AFTER") ?
		       strtoull(getenv("FAULTIO_EIO_AFTER"), NULL, 0) : 0;
	fi.truncate_to = getenv("FAULTIO_TRUNCATE") ?
			 strtoll(getenv("FAULTIO_TRUNCATE"), NULL, 0) : -1;
	fi.truncate_on_read = getenv("FAULTIO_TRUNCATE_ON_READ") ?
			      strtoll(getenv("FAULTIO_TRUNCATE_ON_READ"), NULL, 0) :
			      -1;
	atexit(fi_log);
}

static bool is_target(int fd)
{
	struct stat st;

	return fi.on && fstat(fd, &st) == 0 && st.st_dev == fi.dev &&
	       st.st_ino == fi.ino;
}

/* 0: go on (len possibly shortened); -1: fail with errno set */
static int before_read(int fd, off_t off, size_t *len)
{
	unsigned i;
	int rc = 0;

	if (!is_target(fd))
		return 0;
	pthread_mutex_lock(&lock);
	fi.reads++;
	if (fi.eintr && (fi.flip++ & 1) == 0) {
		fi.eintrs++;
		errno = EINTR;
		rc = -1;
		goto out;
	}
	if (fi.eio_after && fi.bytes >= fi.eio_after) {
		fi.eios++;
		errno = EIO;
		rc = -1;
		goto out;
	}
	for (i = 0; off >= 0 && i < fi.neio; i++) {
		if ((uint64_t)off < fi.eio[i][1] &&
		    (uint64_t)off + *len > fi.eio[i][0]) {
			fi.eios++;
			errno = EIO;
			rc = -1;
			goto out;
		}
	}
	if (fi.shortn && *len > fi.shortn)
		*len = fi.shortn;
out:
	pthread_mutex_unlock(&lock);
	return rc;
}

static void after_read(int fd, ssize_t n)
{
	if (n > 0 && is_target(fd)) {
		pthread_mutex_lock(&lock);
		fi.bytes += (uint64_t)n;
		if (fi.truncate_on_read >= 0 && fi.bytes > (4u << 20) &&
		    truncate(fi.path, fi.truncate_on_read) == 0)
			fi.truncate_on_read = -1;
		pthread_mutex_unlock(&lock);
	}
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;

	if (before_read(fd, off, &len) < 0)
		return -1;
	n = real_pread ? real_pread(fd, buf, len, off) :
	    syscall(SYS_pread64, fd, buf, len, off);
	after_read(fd, n);
	return n;
}

ssize_t pread64(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;

	if (before_read(fd, off, &len) < 0)
		return -1;
	n = real_pread64 ? real_pread64(fd, buf, len, off) :
	    syscall(SYS_pread64, fd, buf, len, off);
	after_read(fd, n);
	return n;
}

ssize_t read(int fd, void *buf, size_t len)
{
	off_t off = is_target(fd) ? lseek(fd, 0, SEEK_CUR) : -1;
	ssize_t n;

	if (before_read(fd, off, &len) < 0)
		return -1;
	n = real_read ? real_read(fd, buf, len) : syscall(SYS_read, fd, buf, len);
	after_read(fd, n);
	return n;
}

static void after_map(void *p, size_t len, int fd, off_t off)
{
	long hp = sysconf(_SC_PAGESIZE);
	unsigned i;

	if (p == MAP_FAILED || !is_target(fd))
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; fi.protect && i < fi.neio; i++) {
		/* host pages wholly inside [a, b) of the file, in this map */
		uint64_t a = fi.eio[i][0], b = fi.eio[i][1];
		uint64_t lo = (uint64_t)off, hi = (uint64_t)off + len;

		if (a < lo)
			a = lo;
		if (b > hi)
			b = hi;
		a = (a + (uint64_t)hp - 1) & ~((uint64_t)hp - 1);
		b &= ~((uint64_t)hp - 1);
		if (a >= b)
			continue;
		if (mprotect((char *)p + (a - lo), b - a, PROT_NONE) == 0)
			fi.protected_bytes += b - a;
	}
	if (fi.truncate_to >= 0) {
		if (truncate(fi.path, fi.truncate_to) == 0)
			fi.truncate_to = -1;
	}
	pthread_mutex_unlock(&lock);
}

/* A sanitizer runtime maps memory before our constructor runs: then
 * the system call itself stands in for the next mmap. */
static void *sys_mmap(void *addr, size_t len, int prot, int flags, int fd,
		      off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = (real_mmap ? real_mmap : sys_mmap)(addr, len, prot, flags,
						     fd, off);

	after_map(p, len, fd, off);
	return p;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = (real_mmap64 ? real_mmap64 : sys_mmap)(addr, len, prot,
							 flags, fd, off);

	after_map(p, len, fd, off);
	return p;
}
