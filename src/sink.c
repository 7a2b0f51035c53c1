/* sink.c: the sinks behind sink_write_at() (leaf service).
 *
 * file: pwrite() on a regular file (holes stay sparse); flat: makedumpfile's
 * flattened stream, one record per positioned write; mem: a buffer for
 * unit tests, with an ENOSPC fault point; null: counts only (--dry-run).
 * sink_write_at() is the single place where the -L limit and a full device
 * are recognised.  Never prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "byteorder.h"
#include "fmt_flat.h"
#include "sink.h"

static int sink_alloc(const struct sink_ops *ops, const char *name, int fd,
		      struct sink **ret, struct mdf_err *err)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for the output");
	s->ops = ops;
	s->name = name;
	s->fd = fd;
	s->can_patch = true;
	*ret = s;
	return 0;
}

/* write() or pwrite() until done, EINTR retried; bytes stored */
static size_t full_write(int fd, bool positioned, uint64_t off,
			 const void *buf, size_t len, int *sys_errno)
{
	const uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = positioned ?
			pwrite(fd, p + done, len - done, (off_t)(off + done)) :
			write(fd, p + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			*sys_errno = errno;
			break;
		}
		if (n == 0) {
			*sys_errno = EIO;
			break;
		}
		done += (size_t)n;
	}
	return done;
}

/* ---- file ---- */

/* The file's writeback, in a thread of its own: every SINK_KICK_BYTES
 * written it starts the writeback of what is dirty (sync_file_range), and
 * every SINK_SYNC_BYTES it waits for it (fdatasync), while the dump goes
 * on being compressed and written.  So dirty pages never pile up in a
 * capture kernel's little memory, and the fdatasync() before the header
 * says "complete" waits for the last few MiB only, not for a device cache
 * flush of the whole dump (60 ms of a 115 MB dump here).  Started on the
 * first kick, in the process that writes (--split parts are forked); where
 * no thread can be started the kicks are done in place and the last
 * fdatasync() does it all.  (Linux AIO's IOCB_CMD_FDSYNC would need no
 * thread, but tearing its context down waits for an RCU grace period:
 * 30 ms here.) */
struct file_syncer {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cv;
	unsigned kicks;			/* asked for, not yet done */
	bool stop;
	int err;			/* errno of the first failed fdatasync */
	int fd;
};

static void kick_now(int fd)
{
	/* advisory: a file system without it is written back at the
	 * sync as before */
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

static void *syncer_main(void *arg)
{
	struct file_syncer *y = arg;
	uint64_t unsynced = 0;

	pthread_mutex_lock(&y->lock);
	for (;;) {
		unsigned n;
		int e = 0;

		while (!y->kicks && !y->stop)
			pthread_cond_wait(&y->cv, &y->lock);
		if (y->stop)
			break;
		/* kicks asked for while it synced: one is enough */
		n = y->kicks;
		y->kicks = 0;
		pthread_mutex_unlock(&y->lock);
		unsynced += (uint64_t)n * SINK_KICK_BYTES;
		if (unsynced < SINK_SYNC_BYTES) {
			kick_now(y->fd);
		} else {
			unsynced = 0;
			if (fdatasync(y->fd) != 0 && errno != EINVAL &&
			    errno != EROFS)
				e = errno;
		}
		pthread_mutex_lock(&y->lock);
		/* the kernel reports a writeback error once: keep it for
		 * file_sync() */
		if (e && !y->err)
			y->err = e;
	}
	pthread_mutex_unlock(&y->lock);
	return NULL;
}

/* Stop the syncer and wait for it; its error (0: none) */
static int syncer_stop(struct sink *s)
{
	struct file_syncer *y = s->priv;
	int e;

	if (!y)
		return 0;
	pthread_mutex_lock(&y->lock);
	y->stop = true;
	pthread_cond_signal(&y->cv);
	pthread_mutex_unlock(&y->lock);
	pthread_join(y->tid, NULL);
	e = y->err;
	pthread_cond_destroy(&y->cv);
	pthread_mutex_destroy(&y->lock);
	free(y);
	s->priv = NULL;
	return e;
}

static struct file_syncer *syncer_start(int fd)
{
	struct file_syncer *y = calloc(1, sizeof(*y));
	pthread_attr_t attr;
	bool ok;

	if (!y || pthread_attr_init(&attr) != 0) {
		free(y);
		return NULL;
	}
	/* it makes two system calls: no need of 8 MiB */
	(void)pthread_attr_setstacksize(&attr, 64u << 10);
	y->fd = fd;
	pthread_mutex_init(&y->lock, NULL);
	pthread_cond_init(&y->cv, NULL);
	ok = pthread_create(&y->tid, &attr, syncer_main, y) == 0;
	pthread_attr_destroy(&attr);
	if (!ok) {
		pthread_cond_destroy(&y->cv);
		pthread_mutex_destroy(&y->lock);
		free(y);
		return NULL;
	}
	return y;
}

static void file_kick(struct sink *s)
{
	struct file_syncer *y = s->priv;

	if (!y && !s->sync_inline) {
		y = syncer_start(s->fd);
		s->priv = y;
		s->sync_inline = !y;
	}
	if (!y) {
		kick_now(s->fd);
		return;
	}
	pthread_mutex_lock(&y->lock);
	y->kicks++;
	pthread_cond_signal(&y->cv);
	pthread_mutex_unlock(&y->lock);
}

static size_t file_pwrite(struct sink *s, uint64_t off, const void *buf,
			  size_t len, int *sys_errno)
{
	size_t n = full_write(s->fd, true, off, buf, len, sys_errno);

	s->unkicked += n;
	if (s->unkicked >= SINK_KICK_BYTES) {
		s->unkicked = 0;
		file_kick(s);
	}
	return n;
}

static int file_sync(struct sink *s, int *sys_errno)
{
	/* what is written after this (the header) is kicked in place */
	int e = syncer_stop(s);

	s->sync_inline = true;
	if (e) {
		*sys_errno = e;
		return -1;
	}
	if (fdatasync(s->fd) == 0)
		return 0;
	/* files that cannot be synced (pipes given as a path) need not be */
	if (errno == EINVAL || errno == EROFS)
		return 0;
	*sys_errno = errno;
	return -1;
}

static int file_reset(struct sink *s, struct mdf_err *err)
{
	/* an error of the writeback of what is now dropped is void */
	(void)syncer_stop(s);
	s->sync_inline = false;
	s->unkicked = 0;
	if (ftruncate(s->fd, 0) != 0)
		return mdf_err_sys(err, errno, "Can't truncate the dump file(%s)",
				   s->name);
	return 0;
}

static int file_finish(struct sink *s, struct mdf_err *err)
{
	int fd = s->fd, e = syncer_stop(s);

	s->fd = -1;
	if (e) {
		/* not synced since: what the syncer's fdatasync() found */
		close(fd);
		return mdf_err_sys(err, e, "Can't write the dump file(%s)",
				   s->name);
	}
	if (close(fd) != 0)
		return mdf_err_sys(err, errno, "Can't close the dump file(%s)",
				   s->name);
	return 0;
}

static void file_destroy(struct sink *s)
{
	(void)syncer_stop(s);
	if (s->fd >= 0)
		close(s->fd);
}

static const struct sink_ops sink_file_ops = {
	.name		= "file",
	.pwrite		= file_pwrite,
	.sync		= file_sync,
	.reset		= file_reset,
	.finish		= file_finish,
	.destroy	= file_destroy,
};

int sink_file_create(const char *path, bool force, struct sink **ret,
		     struct mdf_err *err)
{
	int flags = O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW;
	int fd, rc;

	if (!force)
		flags |= O_EXCL;
	fd = open(path, flags, 0600);
	if (fd < 0) {
		int e = errno;

		return mdf_err_set(err, e == ENOSPC ? MDF_ENOSPC : MDF_EIO,
				   "Can't open the dump file(%s). %s", path,
				   strerror(e));
	}
	/* -f on an existing file keeps its mode: a dump is private */
	if (force && fchmod(fd, 0600) != 0) {
		rc = mdf_err_sys(err, errno, "Can't make the dump file(%s) private",
				 path);
		close(fd);
		return rc;
	}
	rc = sink_alloc(&sink_file_ops, path, fd, ret, err);
	if (rc < 0)
		close(fd);
	return rc;
}

/* A file's identity before it exists: the real path of its directory and
 * its last name; and its device and inode where it exists. */
struct name_id {
	char *dir;
	const char *base;
	bool exists, chardev;
	dev_t dev;
	ino_t ino;
};

static void name_id_of(const char *path, struct name_id *id)
{
	const char *slash = strrchr(path, '/');
	char *d = slash ? strndup(path, (size_t)(slash - path) + 1) : NULL;
	struct stat st;

	id->base = slash ? slash + 1 : path;
	id->dir = realpath(d ? d : ".", NULL);
	free(d);
	id->exists = stat(path, &st) == 0;
	id->chardev = id->exists && S_ISCHR(st.st_mode);
	id->dev = id->exists ? st.st_dev : 0;
	id->ino = id->exists ? st.st_ino : 0;
}

static bool name_id_same(const struct name_id *a, const struct name_id *b)
{
	if (a->exists && b->exists)
		return a->dev == b->dev && a->ino == b->ino;
	return a->dir && b->dir && !strcmp(a->dir, b->dir) &&
	       !strcmp(a->base, b->base);
}

int sink_check_names(char *const *outs, unsigned nout, char *const *ins,
		     unsigned nin, struct mdf_err *err)
{
	struct name_id *id = calloc((size_t)nout + nin + 1, sizeof(*id));
	unsigned i, j;
	int rc = 0;

	if (!id)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory");
	for (i = 0; i < nout + nin; i++)
		name_id_of(i < nout ? outs[i] : ins[i - nout], &id[i]);
	for (i = 0; i < nout && rc == 0; i++)
		for (j = i + 1; j < nout + nin && rc == 0; j++) {
			/* /dev/null and other devices may repeat */
			if (id[i].chardev || !name_id_same(&id[i], &id[j]))
				continue;
			if (j < nout)
				rc = mdf_err_set(err, MDF_EINVAL,
						 "%s and %s are the same file: every dump file needs a name of its own",
						 outs[i], outs[j]);
			else
				rc = mdf_err_set(err, MDF_EINVAL,
						 "the dump file %s is the input %s: writing it would destroy what it is made from",
						 outs[i], ins[j - nout]);
		}
	for (i = 0; i < nout + nin; i++)
		free(id[i].dir);
	free(id);
	return rc;
}

/* ---- flattened stream ---- */

static size_t flat_pwrite(struct sink *s, uint64_t off, const void *buf,
			  size_t len, int *sys_errno)
{
	struct flat_record r;

	put_be64(&r.offset, off);
	put_be64(&r.size, len);
	if (full_write(s->fd, false, 0, &r, sizeof(r), sys_errno) != sizeof(r))
		return 0;
	s->written += sizeof(r);
	return full_write(s->fd, false, 0, buf, len, sys_errno);
}

static int flat_sync(struct sink *s, int *sys_errno)
{
	(void)s;
	(void)sys_errno;
	return 0;
}

static int flat_reset(struct sink *s, struct mdf_err *err)
{
	return mdf_err_set(err, MDF_EUNSUPP,
			   "the flattened stream on %s cannot be rewritten",
			   s->name);
}

static int flat_finish(struct sink *s, struct mdf_err *err)
{
	struct flat_record r;
	int e = 0;

	put_be64(&r.offset, FLAT_END_MARK);
	put_be64(&r.size, FLAT_END_MARK);
	if (full_write(s->fd, false, 0, &r, sizeof(r), &e) != sizeof(r))
		return mdf_err_set(err, e == ENOSPC ? MDF_ENOSPC : MDF_EIO,
				   "Can't write the dump file(%s). %s", s->name,
				   strerror(e));
	s->written += sizeof(r);
	return 0;
}

static void flat_destroy(struct sink *s)
{
	(void)s;	/* standard output is not ours to close */
}

static const struct sink_ops sink_flat_ops = {
	.name		= "flattened",
	.pwrite		= flat_pwrite,
	.sync		= flat_sync,
	.reset		= flat_reset,
	.finish		= flat_finish,
	.destroy	= flat_destroy,
};

int sink_flat_create(int fd, const char *name, struct sink **ret,
		     struct mdf_err *err)
{
	uint8_t hdr[FLAT_HEADER_SIZE];
	struct flat_header *h = (struct flat_header *)(void *)hdr;
	struct sink *s = NULL;
	int e = 0, rc;

	rc = sink_alloc(&sink_flat_ops, name, fd, &s, err);
	if (rc < 0)
		return rc;
	s->can_patch = false;
	memset(hdr, 0, sizeof(hdr));
	memcpy(h->signature, FLAT_SIGNATURE, sizeof(FLAT_SIGNATURE) - 1);
	put_be64(&h->type, FLAT_TYPE);
	put_be64(&h->version, FLAT_VERSION);
	if (full_write(fd, false, 0, hdr, sizeof(hdr), &e) != sizeof(hdr)) {
		free(s);
		return mdf_err_set(err, e == ENOSPC ? MDF_ENOSPC : MDF_EIO,
				   "Can't write the dump file(%s). %s", name,
				   strerror(e));
	}
	s->written = sizeof(hdr);
	*ret = s;
	return 0;
}

/* ---- memory ---- */

struct mem_sink {
	uint8_t *data;
	size_t size, cap;
	uint64_t stored;	/* bytes stored, for the fault point */
	uint64_t enospc_at;
};

static size_t mem_pwrite(struct sink *s, uint64_t off, const void *buf,
			 size_t len, int *sys_errno)
{
	struct mem_sink *m = s->priv;
	size_t n = len;

	if (m->enospc_at && m->stored + n > m->enospc_at)
		n = m->stored < m->enospc_at ? (size_t)(m->enospc_at - m->stored) : 0;
	if (off + n > m->cap) {
		size_t cap = m->cap ? m->cap : 65536;
		void *p;

		while (cap < off + n)
			cap *= 2;
		p = realloc(m->data, cap);
		if (!p) {
			*sys_errno = ENOMEM;
			return 0;
		}
		memset((uint8_t *)p + m->cap, 0, cap - m->cap);
		m->data = p;
		m->cap = cap;
	}
	memcpy(m->data + off, buf, n);
	if (n && off + n > m->size)
		m->size = (size_t)(off + n);
	m->stored += n;
	if (n < len)
		*sys_errno = ENOSPC;
	return n;
}

static int mem_sync(struct sink *s, int *sys_errno)
{
	(void)s;
	(void)sys_errno;
	return 0;
}

static int mem_reset(struct sink *s, struct mdf_err *err)
{
	struct mem_sink *m = s->priv;

	(void)err;
	if (m->data)
		memset(m->data, 0, m->cap);
	m->size = 0;
	m->stored = 0;
	return 0;
}

static int mem_finish(struct sink *s, struct mdf_err *err)
{
	(void)s;
	(void)err;
	return 0;
}

static void mem_destroy(struct sink *s)
{
	struct mem_sink *m = s->priv;

	if (m)
		free(m->data);
	free(m);
}

static const struct sink_ops sink_mem_ops = {
	.name		= "memory",
	.pwrite		= mem_pwrite,
	.sync		= mem_sync,
	.reset		= mem_reset,
	.finish		= mem_finish,
	.destroy	= mem_destroy,
};

int sink_mem_create(uint64_t enospc_at, struct sink **ret,
		    struct mdf_err *err)
{
	struct mem_sink *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		return mdf_err_set(err, MDF_ENOMEM, "out of memory for the output");
	m->enospc_at = enospc_at;
	rc = sink_alloc(&sink_mem_ops, "memory", -1, ret, err);
	if (rc < 0) {
		free(m);
		return rc;
	}
	(*ret)->priv = m;
	return 0;
}

const uint8_t *sink_mem_data(const struct sink *s, size_t *len_ret)
{
	const struct mem_sink *m = s->priv;

	*len_ret = m->size;
	return m->data;
}

/* ---- null ---- */

static size_t null_pwrite(struct sink *s, uint64_t off, const void *buf,
			  size_t len, int *sys_errno)
{
	(void)s;
	(void)off;
	(void)buf;
	(void)sys_errno;
	return len;
}

static int null_reset(struct sink *s, struct mdf_err *err)
{
	(void)s;
	(void)err;
	return 0;
}

static const struct sink_ops sink_null_ops = {
	.name		= "null",
	.pwrite		= null_pwrite,
	.sync		= mem_sync,
	.reset		= null_reset,
	.finish		= mem_finish,
	.destroy	= flat_destroy,
};

int sink_null_create(struct sink **ret, struct mdf_err *err)
{
	return sink_alloc(&sink_null_ops, "null", -1, ret, err);
}

/* ---- common ---- */

void sink_destroy(struct sink *s)
{
	if (!s)
		return;
	s->ops->destroy(s);
	free(s);
}

int sink_write_at(struct sink *s, uint64_t off, const void *buf, size_t len,
		  struct mdf_err *err)
{
	size_t want = len, done;
	int e = 0;

	s->short_done = 0;
	if (len == 0)
		return 0;	/* the flattened format has no empty records */
	if (s->limit && off + len > s->limit)
		want = off < s->limit ? (size_t)(s->limit - off) : 0;
	done = want ? s->ops->pwrite(s, off, buf, want, &e) : 0;
	s->written += done;
	if (done == len)
		return 0;
	s->short_done = done;
	if (done == want && want < len) {
		s->nospace = true;
		return mdf_err_set(err, MDF_ENOSPC,
				   "Can't write the dump file(%s). Size limit(%llu) reached.",
				   s->name, (unsigned long long)s->limit);
	}
	if (e == ENOSPC || e == EDQUOT || e == EFBIG) {
		s->nospace = true;
		mdf_err_set(err, MDF_ENOSPC, "Can't write the dump file(%s). %s",
			    s->name, strerror(e));
		err->sys_errno = e;
		return -MDF_ENOSPC;
	}
	mdf_err_set(err, MDF_EIO, "Can't write the dump file(%s). %s", s->name,
		    strerror(e ? e : EIO));
	err->sys_errno = e;
	return -MDF_EIO;
}

int sink_sync(struct sink *s, struct mdf_err *err)
{
	int e = 0;

	if (s->ops->sync(s, &e) == 0)
		return 0;
	if (e == ENOSPC || e == EDQUOT)
		s->nospace = true;
	return mdf_err_sys(err, e, "Can't write the dump file(%s)", s->name);
}

int sink_reset(struct sink *s, struct mdf_err *err)
{
	int rc = s->ops->reset(s, err);

	if (rc < 0)
		return rc;
	s->written = 0;
	s->nospace = false;
	s->short_done = 0;
	return 0;
}

int sink_finish(struct sink *s, struct mdf_err *err)
{
	return s->ops->finish(s, err);
}
