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
 *   FAULTIO_LOG=FILE           at exit: "reads N bytes B eio E protected P
 *                              ... outsyncs S"
 *
 * Output faults, on the file FAULTIO_OUT (absolute path, matched through
 * /proc/self/fd, so it may not exist yet; "-" is standard output):
 *   FAULTIO_OUT_ENOSPC=N       writes fail with ENOSPC once N bytes were
 *                              written (the write crossing N is short)
 *   FAULTIO_OUT_EIO=N          the same with EIO
 *   FAULTIO_OUT_SHORT=N        every write stores at most N bytes
 *   FAULTIO_OUT_EINTR=1        every other write first fails with EINTR
 *   FAULTIO_OUT_SYNC_EIO=1     fsync/fdatasync of the file fail with EIO
 *   FAULTIO_OUT_SYNC_EIO_ONCE=1  only the first of them fails (the kernel
 *                              reports a writeback error once)
 *   FAULTIO_OUT_SIGNAL=N:SIG   once N bytes were written, raise SIG
 *                              (SIGINT, SIGTERM: an interrupted dump)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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
	/* output */
	const char *out;
	uint64_t out_enospc, out_eio, out_sig_at;
	size_t out_short;
	bool out_eintr, out_sync_eio, out_sync_eio_once;
	int out_sig;
	uint64_t out_bytes, out_writes, out_faults, out_syncs;
	unsigned out_flip;
} fi;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static ssize_t (*real_pread)(int, void *, size_t, off_t);
static ssize_t (*real_pread64)(int, void *, size_t, off_t);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static void *(*real_mmap64)(void *, size_t, int, int, int, off_t);

static void fi_log(void)
{
	const char *p = getenv("FAULTIO_LOG");
	FILE *f;

	if (!p || (!fi.on && !fi.out))
		return;
	f = fopen(p, "a");
	if (!f)
		return;
	fprintf(f, "reads %llu bytes %llu eio %llu protected %llu eintr %llu "
		"outwrites %llu outbytes %llu outfaults %llu outsyncs %llu\n",
		(unsigned long long)fi.reads, (unsigned long long)fi.bytes,
		(unsigned long long)fi.eios,
		(unsigned long long)fi.protected_bytes,
		(unsigned long long)fi.eintrs,
		(unsigned long long)fi.out_writes,
		(unsigned long long)fi.out_bytes,
		(unsigned long long)fi.out_faults,
		(unsigned long long)fi.out_syncs);
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
	real_write = dlsym(RTLD_NEXT, "write");
	real_pwrite = dlsym(RTLD_NEXT, "pwrite");
	real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
	real_fsync = dlsym(RTLD_NEXT, "fsync");
	real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
	fi.out = getenv("FAULTIO_OUT");
	if (fi.out) {
		const char *v;

		fi.out_enospc = (v = getenv("FAULTIO_OUT_ENOSPC")) ?
				strtoull(v, NULL, 0) : UINT64_MAX;
		fi.out_eio = (v = getenv("FAULTIO_OUT_EIO")) ?
			     strtoull(v, NULL, 0) : UINT64_MAX;
		fi.out_short = (v = getenv("FAULTIO_OUT_SHORT")) ?
			       strtoull(v, NULL, 0) : 0;
		fi.out_eintr = getenv("FAULTIO_OUT_EINTR") != NULL;
		fi.out_sync_eio = getenv("FAULTIO_OUT_SYNC_EIO") != NULL;
		fi.out_sync_eio_once = getenv("FAULTIO_OUT_SYNC_EIO_ONCE") != NULL;
		if ((v = getenv("FAULTIO_OUT_SIGNAL"))) {
			char *end;

			fi.out_sig_at = strtoull(v, &end, 0);
			fi.out_sig = *end == ':' ? atoi(end + 1) : 0;
		}
		atexit(fi_log);
	}
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
	if (!fi.out)
		atexit(fi_log);
}

static bool is_out(int fd)
{
	char link[64], target[4096];
	ssize_t n;

	if (!fi.out)
		return false;
	if (strcmp(fi.out, "-") == 0)
		return fd == 1;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return strcmp(target, fi.out) == 0;
}

/* 0: go on with *len (maybe shortened); -1: fail with errno set */
static int before_write(int fd, size_t *len, bool *raise_after)
{
	int rc = 0;

	*raise_after = false;
	if (!is_out(fd))
		return 0;
	pthread_mutex_lock(&lock);
	fi.out_writes++;
	if (fi.out_eintr && (fi.out_flip++ & 1) == 0) {
		fi.out_faults++;
		errno = EINTR;
		rc = -1;
		goto out;
	}
	if (fi.out_bytes >= fi.out_enospc || fi.out_bytes >= fi.out_eio) {
		fi.out_faults++;
		errno = fi.out_bytes >= fi.out_enospc ? ENOSPC : EIO;
		rc = -1;
		goto out;
	}
	/* the write that crosses the limit stores what fits */
	if (fi.out_enospc != UINT64_MAX && *len > fi.out_enospc - fi.out_bytes)
		*len = (size_t)(fi.out_enospc - fi.out_bytes);
	if (fi.out_eio != UINT64_MAX && *len > fi.out_eio - fi.out_bytes)
		*len = (size_t)(fi.out_eio - fi.out_bytes);
	if (fi.out_short && *len > fi.out_short)
		*len = fi.out_short;
	if (fi.out_sig && fi.out_bytes + *len >= fi.out_sig_at)
		*raise_after = true;
out:
	pthread_mutex_unlock(&lock);
	return rc;
}

static void after_write(int fd, ssize_t n, bool raise_after)
{
	int sig;

	if (n <= 0 || !is_out(fd))
		return;
	pthread_mutex_lock(&lock);
	fi.out_bytes += (uint64_t)n;
	sig = raise_after ? fi.out_sig : 0;
	if (sig)
		fi.out_sig = 0;		/* once */
	pthread_mutex_unlock(&lock);
	if (sig)
		raise(sig);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	bool sig;
	ssize_t n;

	if (before_write(fd, &len, &sig) < 0)
		return -1;
	n = real_write ? real_write(fd, buf, len) :
	    syscall(SYS_write, fd, buf, len);
	after_write(fd, n, sig);
	return n;
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	bool sig;
	ssize_t n;

	if (before_write(fd, &len, &sig) < 0)
		return -1;
	n = real_pwrite ? real_pwrite(fd, buf, len, off) :
	    syscall(SYS_pwrite64, fd, buf, len, off);
	after_write(fd, n, sig);
	return n;
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	bool sig;
	ssize_t n;

	if (before_write(fd, &len, &sig) < 0)
		return -1;
	n = real_pwrite64 ? real_pwrite64(fd, buf, len, off) :
	    syscall(SYS_pwrite64, fd, buf, len, off);
	after_write(fd, n, sig);
	return n;
}

static int sync_fault(int fd)
{
	bool fail;

	if (!fi.out || !is_out(fd))
		return 0;
	pthread_mutex_lock(&lock);
	fail = fi.out_sync_eio || (fi.out_sync_eio_once && !fi.out_syncs);
	fi.out_syncs++;
	if (fail)
		fi.out_faults++;
	pthread_mutex_unlock(&lock);
	if (fail) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int fsync(int fd)
{
	if (sync_fault(fd) < 0)
		return -1;
	return real_fsync ? real_fsync(fd) : (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
	if (sync_fault(fd) < 0)
		return -1;
	return real_fdatasync ? real_fdatasync(fd) :
	       (int)syscall(SYS_fdatasync, fd);
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
