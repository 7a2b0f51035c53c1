/* dmesg.h: the kernel log of a dump (--dump-dmesg; ../shared/spec/dmesg.md).
 *
 * dmesg_load() picks the log format from the VMCOREINFO keys present
 * (pre-3.5 character ring, 3.5-5.9 struct printk_log records, 5.10+
 * lockless ring), copies the buffers through arch_read_kvaddr() and checks
 * every index, length and id before use; dmesg_write() formats the records
 * the way makedumpfile does.  Reads only through the arch, so every input
 * format works unchanged; never prints; the caller owns the output.
 */
#ifndef DMESG_H
#define DMESG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "mdf_err.h"
#include "vmcoreinfo.h"

enum dmesg_format {
	DMESG_PLAIN,		/* <= 3.4: character ring, copied verbatim */
	DMESG_RECORDS,		/* 3.5 - 5.9: struct printk_log records */
	DMESG_LOCKLESS,		/* 5.10+: struct printk_ringbuffer */
};

struct dmesg_opts {
	bool partial;		/* --partial-dmesg: records since the last clear */
};

/** Where the text goes.  write() returns 0, or a negative code with err set. */
struct dmesg_out {
	int (*write)(void *ctx, const void *buf, size_t len,
		     struct mdf_err *err);
	void *ctx;
};

/** What dmesg_load() found (bytes: what dmesg_write() wrote). */
struct dmesg_stats {
	enum dmesg_format format;
	uint64_t records;	/* records to be written */
	uint64_t before_clear;	/* --partial-dmesg: older than the last clear */
	uint64_t lost;		/* lockless: no data (FAILED_LPOS), reserved,
				 * reusable or overwritten descriptors */
	uint64_t bad;		/* lockless: inconsistent records, skipped */
	uint64_t absent_pages;	/* buffer pages not in the dump, read as
				 * zeros (a filtered dump drops zero pages) */
	uint64_t bytes;		/* written */
	bool truncated;		/* the record chain is corrupt after the
				 * records found: dmesg_write() fails */
};

struct dmesg_log;

/** Find and copy the log.  0 with *ret set (dmesg_destroy()), or a negative
 * code: missing VMCOREINFO keys, unreadable memory, impossible sizes.  A
 * 3.5-5.9 chain that is corrupt part-way still loads (stats.truncated): the
 * records before the corruption are kept and dmesg_write() reports it.
 * Problems that lose nothing essential become warnings. */
int dmesg_load(const struct arch *a, const struct vmcoreinfo *vi,
	       const struct dmesg_opts *o, struct mdf_warns *warns,
	       struct dmesg_log **ret, struct mdf_err *err);

const struct dmesg_stats *dmesg_stats(const struct dmesg_log *log);

/** Write the log as text.  0, or a negative code: the output failed, or the
 * chain was truncated (MDF_EFORMAT, after every good record was written). */
int dmesg_write(struct dmesg_log *log, const struct dmesg_out *out,
		struct mdf_err *err);

void dmesg_destroy(struct dmesg_log *log);	/* NULL is a no-op */

/** A ready-made output: a file descriptor with makedumpfile's -L limit
 * (bytes up to the limit are written, then MDF_ENOSPC). */
struct dmesg_fd {
	int fd;
	const char *name;	/* for messages */
	uint64_t limit;		/* 0: none */
	uint64_t written;
};
int dmesg_fd_write(void *ctx, const void *buf, size_t len,
		   struct mdf_err *err);

#endif
