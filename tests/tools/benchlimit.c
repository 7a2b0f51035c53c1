/* benchlimit.c: the physical limits of one dump, for bench/bench.py.
 *
 *   benchlimit VMCORE.elf DUMPFILE CODEC
 *
 * DUMPFILE is a kdump-compressed file made from VMCORE (any codec): its
 * 2nd bitmap names the pages that must be dumped and its sub header the
 * dump level.  The tool maps the whole ELF file once and
 *   read:  touches every byte of those pages (mmap + touch, in pfn order);
 *   codec: compresses each of them that is not all zero (when the level
 *          excludes zero pages) with CODEC (c, l, p, z: the same library
 *          calls and parameters as the dump, through src/codec*.c),
 *          single-threaded, timing only the compress calls (wall);
 *          read_cpu_s and codec_cpu_s are the thread's CPU time of each
 *          loop, which a loaded machine does not inflate.
 * Prints one JSON object.  A benchmark helper, not a test: it checks
 * nothing but its own input.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "fmt_kdump.h"
#include "pipeline.h"

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of this thread: what the work costs on a loaded machine */
static double cpu(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static void die(const char *what)
{
	fprintf(stderr, "benchlimit: %s\n", what);
	exit(2);
}

struct load {
	uint64_t paddr, filesz, off;
};

static const uint8_t *page_at(const uint8_t *map, const struct load *ld,
			      size_t nld, uint64_t paddr, size_t psz)
{
	size_t i;

	for (i = 0; i < nld; i++)
		if (paddr >= ld[i].paddr && paddr - ld[i].paddr < ld[i].filesz &&
		    ld[i].filesz - (paddr - ld[i].paddr) >= psz)
			return map + ld[i].off + (paddr - ld[i].paddr);
	return NULL;
}

int main(int argc, char **argv)
{
	struct kdump_disk_header h;
	struct kdump_sub_header sh;
	const struct codec_ops *ops = NULL;
	struct codec_state cs;
	struct mdf_err err;
	struct load *ld;
	size_t nld = 0, psz, bmlen, i, cap;
	uint8_t *bm, *dst;
	const uint8_t *map;
	const Elf64_Ehdr *eh;
	struct stat st;
	uint64_t pfn, maxpfn, pages = 0, nonzero = 0, absent = 0, out = 0;
	uint64_t sum = 0;
	double t0, c0, t_read, t_codec = 0, c_read, c_codec;
	int fd, dfd;

	if (argc != 4)
		die("usage: benchlimit VMCORE.elf DUMPFILE c|l|p|z|none");
	switch (argv[3][0]) {
	case 'c': ops = codec_find(CODEC_ZLIB); break;
	case 'l': ops = codec_find(CODEC_LZO); break;
	case 'p': ops = codec_find(CODEC_SNAPPY); break;
	case 'z': ops = codec_find(CODEC_ZSTD); break;
	default: ops = NULL; break;
	}

	dfd = open(argv[2], O_RDONLY);
	if (dfd < 0 || pread(dfd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.signature, KDUMP_SIGNATURE, KDUMP_SIGNATURE_LEN) != 0)
		die("DUMPFILE is not kdump-compressed");
	psz = h.block_size;
	if (pread(dfd, &sh, sizeof(sh), (off_t)psz) != (ssize_t)sizeof(sh))
		die("short sub header");
	bmlen = (size_t)h.bitmap_blocks * psz / 2;
	maxpfn = sh.max_mapnr_64 ? sh.max_mapnr_64 : h.max_mapnr;
	bm = malloc(bmlen);
	if (!bm || pread(dfd, bm, bmlen, (off_t)((1 + h.sub_hdr_size) * psz +
						bmlen)) != (ssize_t)bmlen)
		die("can't read the 2nd bitmap");
	close(dfd);

	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0)
		die("can't open VMCORE");
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		die("can't map VMCORE");
	eh = (const Elf64_Ehdr *)map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		die("VMCORE is not ELF64");
	ld = calloc(eh->e_phnum ? eh->e_phnum : 1, sizeof(*ld));
	if (!ld)
		die("out of memory");
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(map + eh->e_phoff +
							    i * eh->e_phentsize);

		if (ph->p_type != PT_LOAD)
			continue;
		ld[nld].paddr = ph->p_paddr;
		ld[nld].filesz = ph->p_filesz;
		ld[nld].off = ph->p_offset;
		nld++;
	}

	/* read: every byte of every page that must be dumped */
	t0 = now();
	c0 = cpu();
	for (pfn = 0; pfn < maxpfn && pfn / 8 < bmlen; pfn++) {
		const uint64_t *p;
		size_t k;

		if (!(bm[pfn / 8] & (1u << (pfn % 8))))
			continue;
		p = (const uint64_t *)(const void *)page_at(map, ld, nld,
							    pfn * psz, psz);
		pages++;
		if (!p) {
			absent++;
			continue;
		}
		for (k = 0; k < psz / 8; k++)
			sum += p[k];
	}
	t_read = now() - t0;
	c_read = cpu() - c0;

	/* codec: the same pages, hot now, through the codec alone */
	cap = ops ? ops->bound(psz) : psz;
	dst = malloc(cap);
	if (!dst)
		die("out of memory");
	if (ops && codec_state_init(&cs, ops, &err) < 0)
		die(err.msg);
	c0 = cpu();
	for (pfn = 0; ops && pfn < maxpfn && pfn / 8 < bmlen; pfn++) {
		const uint8_t *p;
		double a;
		size_t n;

		if (!(bm[pfn / 8] & (1u << (pfn % 8))))
			continue;
		p = page_at(map, ld, nld, pfn * psz, psz);
		if (!p || ((sh.dump_level & 1) && page_is_zero(p, psz)))
			continue;
		nonzero++;
		a = now();
		n = codec_compress(&cs, p, psz, dst, cap);
		t_codec += now() - a;
		out += n ? n : psz;
	}
	c_codec = cpu() - c0;	/* the loop: codec plus a hot zero check */
	if (ops)
		codec_state_deinit(&cs);
	printf("{\"pages\": %llu, \"absent\": %llu, \"compressed_pages\": %llu, "
	       "\"read_s\": %.4f, \"read_MBps\": %.1f, \"codec\": \"%s\", "
	       "\"codec_s\": %.4f, \"codec_out_bytes\": %llu, \"sum\": %llu, "
	       "\"read_cpu_s\": %.4f, \"codec_cpu_s\": %.4f}\n",
	       (unsigned long long)pages, (unsigned long long)absent,
	       (unsigned long long)nonzero, t_read,
	       t_read > 0 ? (double)(pages - absent) * (double)psz / t_read / 1e6 : 0.0,
	       ops ? ops->name : "none", t_codec, (unsigned long long)out,
	       (unsigned long long)(sum & 0xffff), c_read, c_codec);
	munmap((void *)map, (size_t)st.st_size);
	close(fd);
	free(bm);
	free(ld);
	free(dst);
	return 0;
}
