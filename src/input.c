/* input.c: stage 1, format probing and the physical memory map.
 *
 * Formats are tried in the order of input_formats[]; each probe looks only
 * at the first bytes.  Every format turns its file into normalised ranges
 * (sorted, non-overlapping) and reads pages through a per-thread reader.
 * Never prints; warnings go to in->warns.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "input.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

/* A flattened stream is a container: input_flat.c probes what it holds
 * with the same table (never another stream). */
static const struct input_ops *const input_formats[] = {
	&input_elf_ops,
	&input_kdump_ops,
	&input_flat_ops,
};

int input_pread_full(struct input *in, void *buf, size_t len, uint64_t off,
		     struct mdf_err *err)
{
	uint8_t *p = buf;

	if (in->vread)
		return in->vread(in, buf, len, off, err);
	while (len) {
		ssize_t n = pread(in->fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mdf_err_sys(err, errno,
					   "reading %zu bytes at offset %#llx of %s",
					   len, (unsigned long long)off, in->path);
		}
		if (n == 0)
			return mdf_err_set(err, MDF_EFORMAT,
					   "%s ends at offset %#llx (truncated file?)",
					   in->path, (unsigned long long)off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int cmp_load(const void *a, const void *b)
{
	const struct input_load *x = a, *y = b;

	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	/* at the same start the longer one first, so it wins */
	if (x->memsz != y->memsz)
		return x->memsz > y->memsz ? -1 : 1;
	return 0;
}

int input_set_ranges(struct input *in, const struct input_load *loads,
		     size_t n, struct mdf_err *err)
{
	struct input_load *sorted;
	struct input_range *r;
	size_t i, nr = 0;
	uint64_t end_prev = 0;

	in->loads = calloc(n ? n : 1, sizeof(*in->loads));
	sorted = calloc(n ? n : 1, sizeof(*sorted));
	r = calloc(n ? n : 1, sizeof(*r));
	if (!in->loads || !sorted || !r) {
		free(sorted);
		free(r);
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for %zu PT_LOADs", n);
	}
	memcpy(in->loads, loads, n * sizeof(*loads));
	in->nloads = n;
	memcpy(sorted, loads, n * sizeof(*loads));
	qsort(sorted, n, sizeof(*sorted), cmp_load);

	for (i = 0; i < n; i++) {
		struct input_load l = sorted[i];
		uint64_t end;

		if (l.memsz == 0)
			continue;
		if (l.paddr + l.memsz < l.paddr) {	/* wraps: clamp */
			l.memsz = UINT64_MAX - l.paddr;
			if (l.filesz > l.memsz)
				l.filesz = l.memsz;
			if (l.memsz == 0)	/* starts at 2^64 - 1 */
				continue;
		}
		if (l.filesz > l.memsz)
			l.filesz = l.memsz;
		/* overlaps with what we have: keep the part beyond it.  The
		 * kernel's /proc/vmcore describes the kernel image twice
		 * (text mapping and direct map); the bytes are the same. */
		if (nr && l.paddr < end_prev) {
			uint64_t skip = end_prev - l.paddr;

			if (skip >= l.memsz)
				continue;
			l.paddr += skip;
			l.vaddr += skip;
			l.memsz -= skip;
			l.off += skip;
			l.filesz = l.filesz > skip ? l.filesz - skip : 0;
		}
		/* data beyond the end of the file is lost (truncated core) */
		if (l.filesz && in->file_size &&
		    (l.off > in->file_size ||
		     l.filesz > in->file_size - l.off)) {
			uint64_t have = l.off < in->file_size ?
					in->file_size - l.off : 0;
			uint64_t lost = l.filesz - have;

			in->trunc_pages += (lost + 4095) / 4096;
			mdf_warn(in->warns,
				 "%s is truncated: the segment at physical %#llx needs %llu bytes past the end of the file; those pages are treated as missing",
				 in->path, (unsigned long long)l.paddr,
				 (unsigned long long)lost);
			l.filesz = have;
		}
		end = l.paddr + l.memsz;
		r[nr].paddr = l.paddr;
		r[nr].memsz = l.memsz;
		r[nr].filesz = l.filesz;
		r[nr].off = l.off;
		r[nr].vaddr = l.vaddr;
		nr++;
		end_prev = end;
	}
	free(sorted);
	in->ranges = r;
	in->nranges = nr;
	return 0;
}

long input_find_range(const struct input *in, uint64_t paddr)
{
	size_t lo = 0, hi = in->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct input_range *r = &in->ranges[mid];

		if (paddr < r->paddr)
			hi = mid;
		else if (paddr - r->paddr >= r->memsz)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

uint64_t input_max_pfn(const struct input *in)
{
	uint64_t max = in->max_mapnr;
	size_t i;

	for (i = 0; i < in->nranges; i++) {
		uint64_t end = (in->ranges[i].paddr + in->ranges[i].memsz) >>
			       in->page_shift;
		if (end > max)
			max = end;
	}
	return max;
}

/* Copy from file-backed bytes of one range; bytes past filesz are absent. */
static int range_copy(struct input *in, const struct input_range *r,
		      uint64_t paddr, void *buf, size_t len,
		      struct mdf_err *err)
{
	uint64_t rel = paddr - r->paddr;

	if (rel >= r->filesz || len > r->filesz - rel)
		return MDF_ABSENT;
	if (in->trace)
		in->trace(in->trace_ctx, paddr, len);
	if (in->mapping == INPUT_MAP_WHOLE) {
		memcpy(buf, in->map + r->off + rel, len);
		return 0;
	}
	return input_pread_full(in, buf, len, r->off + rel, err);
}

long input_mask_data(struct input *in, uint64_t start, uint64_t end,
		     uint8_t *bm2, struct mdf_err *err)
{
	if (!in->ops->mask_data || end <= start)
		return 0;
	return in->ops->mask_data(in, start, end, bm2, err);
}

int input_read_paddr(struct input *in, uint64_t paddr, void *buf,
		     size_t len, struct mdf_err *err)
{
	uint8_t *p = buf;

	if (in->ops->read_paddr)
		return in->ops->read_paddr(in, paddr, buf, len, err);
	while (len) {
		long i = input_find_range(in, paddr);
		const struct input_range *r;
		uint64_t avail;
		size_t n;
		int ret;

		if (i < 0)
			return MDF_ABSENT;
		r = &in->ranges[i];
		avail = r->memsz - (paddr - r->paddr);
		n = len < avail ? len : (size_t)avail;
		ret = range_copy(in, r, paddr, p, n, err);
		if (ret)
			return ret;
		p += n;
		paddr += n;
		len -= n;
	}
	return 0;
}

int input_set_page_size(struct input *in, unsigned page_size,
			struct mdf_err *err)
{
	unsigned shift = 0;

	if (page_size < 4096 || page_size > (1u << 20) ||
	    (page_size & (page_size - 1)))
		return mdf_err_set(err, MDF_EFORMAT,
				   "page size %u is not a power of two between 4 KiB and 1 MiB",
				   page_size);
	if (in->fixed_page_size && page_size != in->page_size)
		return mdf_err_set(err, MDF_EFORMAT,
				   "page size %u differs from the dump's block size %u",
				   page_size, in->page_size);
	while ((1u << shift) < page_size)
		shift++;
	in->page_size = page_size;
	in->page_shift = shift;
	return 0;
}

int input_reader_init(struct input_reader *r, struct input *in,
		      struct mdf_err *err)
{
	memset(r, 0, sizeof(*r));
	r->in = in;
	r->scratch = aligned_alloc(4096, in->page_size);
	if (!r->scratch)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for a read buffer");
	if (in->ops->reader_init) {
		int rc = in->ops->reader_init(r, err);

		if (rc < 0) {
			free(r->scratch);
			r->scratch = NULL;
			return rc;
		}
	}
	return 0;
}

void input_reader_deinit(struct input_reader *r)
{
	if (r->in && r->in->ops->reader_deinit)
		r->in->ops->reader_deinit(r);
	if (r->win)
		munmap((void *)r->win, r->win_len);
	free(r->scratch);
	free(r->run);
	memset(r, 0, sizeof(*r));
}

/* Map the window of the file that holds [off, off+len).  0, or 1 if mmap
 * is not possible (the caller falls back to pread).  A window never spans
 * more than window_size bytes (plus a page straddling its end), so the
 * memory mapped stays the same whatever the size of the dump; on
 * /proc/vmcore the kernel maps the old memory without reading it, so
 * excluded pages inside a window are never touched. */
static int reader_window(struct input_reader *r, uint64_t off, size_t len)
{
	struct input *in = r->in;
	uint64_t start, end;
	void *p;

	if (r->win && off >= r->win_off && off + len <= r->win_off + r->win_len)
		return 0;
	if (r->no_mmap)
		return 1;
	if (r->win) {
		munmap((void *)r->win, r->win_len);
		r->win = NULL;
	}
	/* from the page holding off (mmap wants page-aligned offsets) to
	 * window_size past it, one page more for a page of the dump that
	 * is not page-aligned in the file (QEMU's cores) */
	start = off & ~((uint64_t)in->host_page - 1);
	end = start + (r->window_size ? r->window_size : in->window_size) +
	      in->host_page;
	if (in->file_size && end > in->file_size)
		end = in->file_size;
	if (end <= start || end < off + len)
		return 1;
	p = mmap(NULL, (size_t)(end - start), PROT_READ, MAP_PRIVATE, in->fd,
		 (off_t)start);
	if (p == MAP_FAILED) {
		/* a kernel without mmap on /proc/vmcore (before 3.12), or
		 * a file system without it: read() from now on */
		r->no_mmap = true;
		r->mmap_errno = errno;
		return 1;
	}
	r->windows++;
	r->win = p;
	r->win_off = start;
	r->win_len = (size_t)(end - start);
	return 0;
}

/* pread() path: pfn from the current run, or a new run of the pages the
 * caller announced, as many as lie in range rg and fit the buffer.  0
 * with *ret set, 1 when the page is not part of a hint (read it alone),
 * or a negative error. */
static int read_hinted(struct input_reader *r, const struct input_range *rg,
		       uint64_t pfn, uint64_t rel, const uint8_t **ret,
		       struct mdf_err *err)
{
	struct input *in = r->in;
	size_t psz = in->page_size;
	uint64_t n, fit;
	int rc;

	if (r->run_n && pfn >= r->run_pfn && pfn - r->run_pfn < r->run_n) {
		r->pages_pread++;
		*ret = r->run + (pfn - r->run_pfn) * psz;
		return 0;
	}
	if (r->hint_n < 2 || pfn < r->hint_pfn ||
	    pfn - r->hint_pfn >= r->hint_n || psz > INPUT_RUN_BYTES)
		return 1;
	n = r->hint_n - (pfn - r->hint_pfn);
	fit = (rg->filesz - rel) / psz;		/* whole pages in range */
	if (n > fit)
		n = fit;
	if (n > INPUT_RUN_BYTES / psz)
		n = INPUT_RUN_BYTES / psz;
	if (n < 2)
		return 1;
	if (!r->run) {
		r->run = aligned_alloc(4096, INPUT_RUN_BYTES);
		if (!r->run)
			return 1;	/* page by page then */
	}
	r->run_n = 0;
	rc = input_pread_full(in, r->run, n * psz, rg->off + rel, err);
	if (rc)
		return rc < 0 ? rc : -MDF_EIO;
	/* traced page by page as they are handed out (above): the run
	 * holds only pages the caller announced */
	r->run_pfn = pfn;
	r->run_n = n;
	r->runs++;
	r->pages_pread++;
	*ret = r->run;
	return 0;
}

/* The range holding paddr: the reader's cursor when it still does, else
 * looked up (and the cursor moved); NULL outside every range. */
static const struct input_range *cursor_range(struct input_reader *r,
					      uint64_t paddr)
{
	const struct input *in = r->in;
	const struct input_range *rg;
	long i;

	rg = r->cur < in->nranges ? &in->ranges[r->cur] : NULL;
	if (rg && paddr >= rg->paddr && paddr - rg->paddr < rg->memsz)
		return rg;
	i = input_find_range(in, paddr);
	if (i < 0)
		return NULL;
	r->cur = (size_t)i;
	return &in->ranges[i];
}

int input_reader_read_paddr(struct input_reader *r, uint64_t paddr,
			    void *buf, size_t len, struct mdf_err *err)
{
	struct input *in = r->in;
	const struct input_range *rg;
	uint64_t rel;

	if (in->ops->read_paddr || in->mapping != INPUT_MAP_WINDOW || r->no_mmap)
		return input_read_paddr(in, paddr, buf, len, err);
	rg = cursor_range(r, paddr);
	if (!rg)
		return MDF_ABSENT;
	rel = paddr - rg->paddr;
	if (rel >= rg->filesz || len > rg->filesz - rel)
		return input_read_paddr(in, paddr, buf, len, err);
	if (reader_window(r, rg->off + rel, len) != 0)
		return input_read_paddr(in, paddr, buf, len, err);
	if (in->trace)
		in->trace(in->trace_ctx, paddr, len);
	memcpy(buf, r->win + (rg->off + rel - r->win_off), len);
	return 0;
}

int input_file_read_page(struct input_reader *r, uint64_t pfn,
			 const uint8_t **ret, struct mdf_err *err)
{
	struct input *in = r->in;
	uint64_t paddr = pfn << in->page_shift;
	size_t psz = in->page_size;
	const struct input_range *rg;
	uint64_t rel;
	int rc;

	/* fast path: the cursor's range holds the whole page */
	rg = cursor_range(r, paddr);
	if (!rg)
		goto slow;
	rel = paddr - rg->paddr;
	/* not rel + psz: a range ending at 2^64 would wrap */
	if (rel >= rg->filesz || psz > rg->filesz - rel)
		goto slow;
	r->pages_read++;
	if (in->trace)
		in->trace(in->trace_ctx, paddr, psz);
	switch (in->mapping) {
	case INPUT_MAP_WHOLE:
		*ret = in->map + rg->off + rel;
		return 0;
	case INPUT_MAP_WINDOW:
		if (reader_window(r, rg->off + rel, psz) == 0) {
			r->pages_mapped++;
			*ret = r->win + (rg->off + rel - r->win_off);
			return 0;
		}
		/* fall through */
	default:
		rc = read_hinted(r, rg, pfn, rel, ret, err);
		if (rc <= 0)
			return rc;
		rc = input_pread_full(in, r->scratch, psz, rg->off + rel, err);
		if (rc)
			return rc;
		r->pages_pread++;
		*ret = r->scratch;
		return 0;
	}

slow:
	/* page straddles ranges or is partly without data: assemble it,
	 * the missing bytes read as zero; no byte at all is a hole */
	{
		size_t done = 0;
		bool any = false;

		while (done < psz) {
			long i = input_find_range(in, paddr + done);
			size_t n;

			if (i < 0) {
				/* skip to the next range start or page end */
				size_t j;
				uint64_t next = paddr + psz;

				for (j = 0; j < in->nranges; j++)
					if (in->ranges[j].paddr > paddr + done &&
					    in->ranges[j].paddr < next)
						next = in->ranges[j].paddr;
				memset(r->scratch + done, 0, next - (paddr + done));
				done = next - paddr;
				continue;
			}
			rg = &in->ranges[i];
			rel = paddr + done - rg->paddr;
			n = psz - done;
			if (n > rg->memsz - rel)
				n = (size_t)(rg->memsz - rel);
			if (rel < rg->filesz) {
				size_t d = n;

				if (d > rg->filesz - rel)
					d = (size_t)(rg->filesz - rel);
				rc = range_copy(in, rg, paddr + done,
						r->scratch + done, d, err);
				if (rc < 0)
					return rc;
				memset(r->scratch + done + d, 0, n - d);
				any = true;
			} else {
				memset(r->scratch + done, 0, n);
			}
			done += n;
		}
		if (!any)
			return MDF_ABSENT;
		r->pages_read++;
		r->pages_pread++;
		*ret = r->scratch;
		return 0;
	}
}

int input_open(const char *path, const struct input_open_opts *opts,
	       struct mdf_warns *warns, struct input **ret,
	       struct mdf_err *err)
{
	enum input_access access;
	struct input *in;
	uint8_t head[64];
	struct statfs sfs;
	struct stat st;
	ssize_t n;
	size_t i, got;
	int rc;

	in = calloc(1, sizeof(*in));
	if (!in)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	in->path = path;
	in->warns = warns;
	in->page_size = 4096;
	in->page_shift = 12;
	in->trace = opts ? opts->trace : NULL;
	in->trace_ctx = opts ? opts->trace_ctx : NULL;
	in->src_dump_level = -1;
	in->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (in->fd < 0) {
		rc = mdf_err_sys(err, errno, "Can't open the dump memory(%s)", path);
		free(in);
		return rc;
	}
	if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode))
		in->file_size = (uint64_t)st.st_size;
	if (fstatfs(in->fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC)
		in->is_procfs = true;

	/* short reads and EINTR are not errors; a file may be shorter */
	for (got = 0; got < sizeof(head); got += (size_t)n) {
		n = pread(in->fd, head + got, sizeof(head) - got, (off_t)got);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0) {
			rc = mdf_err_sys(err, errno, "reading the header of %s",
					 path);
			goto fail;
		}
		if (n == 0)
			break;
	}
	for (i = 0; i < sizeof(input_formats) / sizeof(input_formats[0]); i++) {
		if (input_formats[i]->probe(head, got)) {
			in->ops = input_formats[i];
			break;
		}
	}
	if (!in->ops) {
		rc = mdf_err_set(err, MDF_EFORMAT,
				 "%s is not a dump this tool can read (neither ELF nor kdump-compressed)",
				 path);
		goto fail;
	}

	/* how to reach the data: see input.h.  Never the whole file at
	 * once: the pages touched would stay resident and peak RSS would
	 * grow with the size of the crashed machine. */
	in->mapping = INPUT_MAP_NONE;
	/* windows only with a known size: a page mapped past the end of a
	 * file or device is SIGBUS, where read() says where the data ends.
	 * By default only on procfs: a regular file is read faster with
	 * pread() runs (bench/RESULTS.md) and a truncated one then gives a
	 * clear error instead of SIGBUS. */
	access = opts ? opts->access : INPUT_ACCESS_AUTO;
	if (in->file_size && (access == INPUT_ACCESS_MMAP ||
			      (access == INPUT_ACCESS_AUTO && in->is_procfs))) {
		in->mapping = INPUT_MAP_WINDOW;
		in->window_size = in->is_procfs ? INPUT_WINDOW_PROCFS :
				  INPUT_WINDOW_FILE;
		in->host_page = (size_t)sysconf(_SC_PAGESIZE);
		if (in->host_page < 4096 || (in->host_page & (in->host_page - 1)))
			in->host_page = 4096;
	}

	rc = in->ops->open(in, err);
	if (rc < 0) {
		mdf_err_wrap(err, "%s (%s)", path, in->ops->name);
		goto fail;
	}
	*ret = in;
	return 0;

fail:
	input_close(in);
	return rc;
}

int input_open_inner(struct input *in, struct mdf_err *err)
{
	uint8_t head[64];
	size_t i, n = sizeof(head);
	int rc;

	if (in->file_size < n)
		n = (size_t)in->file_size;
	rc = input_pread_full(in, head, n, 0, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < sizeof(input_formats) / sizeof(input_formats[0]); i++) {
		if (input_formats[i] == &input_flat_ops ||
		    !input_formats[i]->probe(head, n))
			continue;
		in->ops = input_formats[i];
		rc = in->ops->open(in, err);
		if (rc < 0)
			return mdf_err_wrap(err, "the %s dump inside",
					    in->ops->name);
		return 0;
	}
	return mdf_err_set(err, MDF_EFORMAT,
			   "it holds neither an ELF nor a kdump-compressed dump");
}

void input_close(struct input *in)
{
	if (!in)
		return;
	if (in->ops && in->ops->close)
		in->ops->close(in);
	if (in->vclose)
		in->vclose(in);
	if (in->fd >= 0)
		close(in->fd);
	free(in->ranges);
	free(in->loads);
	free(in->notes);
	free(in);
}
