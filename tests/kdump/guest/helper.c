/* helper.c: the kdump test's workload in the first kernel (static, runs
 * from the busybox initramfs as root).
 *
 *   helper anon PATTERN_MB ZERO_MB POISON OUTFILE
 *   helper rss COMMAND [ARG...]
 *
 * Maps PATTERN_MB MiB of anonymous memory filled with a non-zero pattern,
 * ZERO_MB MiB written with zeroes (allocated zero-filled pages) and POISON
 * more pattern pages that are then poisoned with MADV_HWPOISON.  Writes
 * one line per page, "kind pfn" in hex (kind: anon, zero, poison), from
 * /proc/self/pagemap, then "done", and stays alive so the pages stay
 * allocated until the crash.
 *
 * rss runs COMMAND and prints its peak RSS from wait4() as
 * "helper rss: maxrss_kb=N exit=S".  The kernel's maxrss of a child
 * includes what the forking process held at exec(); this helper is small,
 * where busybox time, forked from the init shell, is not.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif

enum { PAGE = 4096 };

static uint64_t pfn_of(int pagemap, const void *va)
{
	uint64_t e = 0;

	if (pread(pagemap, &e, sizeof(e),
		  (off_t)((uintptr_t)va / PAGE * sizeof(e))) != sizeof(e))
		return UINT64_MAX;
	if (!(e >> 63))			/* not present */
		return UINT64_MAX;
	return e & ((1ull << 55) - 1);
}

static volatile sig_atomic_t sigbus_seen;

static void on_sigbus(int sig)
{
	(void)sig;
	sigbus_seen++;
}

static int anon(long pattern_mb, long zero_mb, long npoison, const char *out)
{
	size_t np = (size_t)pattern_mb * 256, nz = (size_t)zero_mb * 256;
	size_t n = np + nz + (size_t)npoison, i, j;
	uint64_t *pfns;
	struct sigaction sa;
	uint8_t *a;
	FILE *f;
	int pm;

	pm = open("/proc/self/pagemap", O_RDONLY);
	f = fopen(out, "w");
	pfns = calloc(n, sizeof(*pfns));
	if (pm < 0 || !f || !pfns) {
		perror("helper: open");
		return 1;
	}
	a = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED) {
		perror("helper: mmap");
		return 1;
	}
	/* 4 KiB pages only, so every page has its own pfn line */
	madvise(a, n * PAGE, MADV_NOHUGEPAGE);
	for (i = 0; i < n; i++) {
		uint64_t *w = (uint64_t *)(void *)(a + i * PAGE);

		if (i >= np && i < np + nz) {
			memset(w, 0, PAGE);	/* a real page, all zero */
			continue;
		}
		for (j = 0; j < PAGE / 8; j++)
			w[j] = 0x6b64756d70000000ull ^ (i << 16) ^ j;
	}
	for (i = 0; i < n; i++)
		pfns[i] = pfn_of(pm, a + i * PAGE);
	/* memory_failure() may send the caller a SIGBUS: survive it */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigaction(SIGBUS, &sa, NULL);
	for (i = np + nz; i < n; i++)
		if (madvise(a + i * PAGE, PAGE, MADV_HWPOISON) != 0)
			perror("helper: MADV_HWPOISON");
	for (i = 0; i < n; i++)
		fprintf(f, "%s %llx\n", i < np ? "anon" : i < np + nz ? "zero" :
			"poison", (unsigned long long)pfns[i]);
	fprintf(f, "done\n");
	fclose(f);
	printf("helper: pid %d: %ld MiB pattern, %ld MiB zero, %ld poisoned pages\n",
	       (int)getpid(), pattern_mb, zero_mb, npoison);
	fflush(stdout);
	for (;;)
		pause();
}

static int rss(char **argv)
{
	struct rusage ru;
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("helper: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		perror("helper: exec");
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) != pid) {
		perror("helper: wait4");
		return 1;
	}
	fprintf(stderr, "helper rss: maxrss_kb=%ld exit=%d\n", ru.ru_maxrss,
		WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "rss") == 0)
		return rss(argv + 2);
	if (argc == 6 && strcmp(argv[1], "anon") == 0)
		return anon(atol(argv[2]), atol(argv[3]), atol(argv[4]), argv[5]);
	fprintf(stderr, "usage: helper anon PATTERN_MB ZERO_MB POISON OUTFILE\n"
		"       helper rss COMMAND [ARG...]\n");
	return 2;
}
