/* sink.h: leaf service, where the dump's bytes go.
 *
 * Writers place bytes with sink_write_at() only; the backend decides what a
 * positioned write means: pwrite() on a regular file, a record of the
 * flattened stream on standard output (the only backend that knows stdout
 * cannot seek), a growing buffer for unit tests, or nothing at all for
 * --dry-run.  One checker, sink_write_at(), enforces the -L limit and turns
 * ENOSPC into the "no space" state makedumpfile's retry and incomplete-dump
 * logic needs.  Uses only base; never prints.
 */
#ifndef SINK_H
#define SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mdf_err.h"

struct sink;

struct sink_ops {
	const char *name;
	/* Store len bytes at off; returns the bytes stored.  On a short
	 * count *sys_errno says why (ENOSPC, EIO, ...). */
	size_t (*pwrite)(struct sink *s, uint64_t off, const void *buf,
			 size_t len, int *sys_errno);
	/* Everything stored so far is durable before anything after it. */
	int (*sync)(struct sink *s, int *sys_errno);
	/* Forget everything written (a retry at another dump level). */
	int (*reset)(struct sink *s, struct mdf_err *err);
	/* End of the dump (flattened: the end marker). */
	int (*finish)(struct sink *s, struct mdf_err *err);
	void (*destroy)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	const char *name;	/* in messages: the path, or "STDOUT" */
	/* false when a reader may apply overlapping writes in any order
	 * (flattened stream): write every byte once, in its final form */
	bool can_patch;
	uint64_t limit;		/* -L: no byte at or beyond this offset; 0 none */
	uint64_t written;	/* bytes handed to the backend ("Write bytes") */
	bool nospace;		/* a write hit ENOSPC or the -L limit */
	size_t short_done;	/* bytes of the last failed write that were stored */
	int fd;			/* file and flattened sinks, else -1 */
	uint64_t unkicked;	/* file: bytes written since the last
				 * writeback was started */
	bool sync_inline;	/* file: no syncer thread (any more) */
	void *priv;
};

enum {
	SINK_KICK_BYTES = 2u << 20,	/* file: start writeback this often */
	SINK_SYNC_BYTES = 16u << 20,	/* ... and wait for it (sink.c) */
};

/** Create path for writing, mode 0600: exclusively unless force (then it
 * is truncated and its mode set to 0600).  A symbolic link at path is
 * never followed, with force neither. */
int sink_file_create(const char *path, bool force, struct sink **ret,
		     struct mdf_err *err);
/** Before anything is created: no two of the nout output paths name the
 * same file (another spelling, a hard link) and none names one of the nin
 * inputs, which -f would truncate.  MDF_EINVAL naming both. */
int sink_check_names(char *const *outs, unsigned nout, char *const *ins,
		     unsigned nin, struct mdf_err *err);
/** The flattened stream on fd (standard output): writes the stream header
 * now; sink_finish() writes the end marker. */
int sink_flat_create(int fd, const char *name, struct sink **ret,
		     struct mdf_err *err);
/** Bytes kept in memory (unit tests).  enospc_at: the store fails with
 * ENOSPC once this many bytes were stored (0: never). */
int sink_mem_create(uint64_t enospc_at, struct sink **ret,
		    struct mdf_err *err);
const uint8_t *sink_mem_data(const struct sink *s, size_t *len_ret);
/** Counts and discards (--dry-run: writes are counted as done). */
int sink_null_create(struct sink **ret, struct mdf_err *err);
void sink_destroy(struct sink *s);	/* NULL is a no-op */

/** Place len bytes at off.  MDF_ENOSPC (and s->nospace) when the device
 * is full or the -L limit stops the write: s->short_done bytes of it were
 * stored.  Other failures are MDF_EIO.  The message is makedumpfile's
 * "Can't write the dump file(NAME). REASON". */
int sink_write_at(struct sink *s, uint64_t off, const void *buf, size_t len,
		  struct mdf_err *err);
int sink_sync(struct sink *s, struct mdf_err *err);
int sink_reset(struct sink *s, struct mdf_err *err);
int sink_finish(struct sink *s, struct mdf_err *err);

#endif
