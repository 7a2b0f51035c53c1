/* mdf_err.h: the one error type of the tool (base layer).
 *
 * A failing function returns a negative enum mdf_errc and fills a
 * struct mdf_err; each caller that adds meaning prepends its context with
 * mdf_err_wrap(), so main.c prints one line that reads outside-in.
 * Expected absence (hole, unmapped page) is the positive MDF_ABSENT and
 * carries no message.  Nothing here allocates.
 */
#ifndef MDF_ERR_H
#define MDF_ERR_H

#include <stdint.h>

enum mdf_errc {
	MDF_OK = 0,
	MDF_ENOMEM,
	MDF_EIO,
	MDF_EFORMAT,	/* malformed or inconsistent dump data */
	MDF_EUNSUPP,	/* valid but not supported (yet) */
	MDF_ENOSPC,	/* output device full or -L limit reached */
	MDF_EINTR,	/* interrupted by a signal */
	MDF_EINVAL,	/* bad command line / bad parameter */
	MDF_EMISMATCH,	/* -i VMCOREINFO release differs (exit 2) */
};

/** Expected absence: positive, no message. */
enum { MDF_ABSENT = 1 };

struct mdf_err {
	enum mdf_errc code;
	int sys_errno;		/* errno when the cause was a syscall, else 0 */
	uint64_t addr;		/* address involved, if any */
	char msg[512];		/* "outer context: inner context: root cause" */
};

/** Set the root cause; returns -code so callers can "return mdf_err_set()". */
int mdf_err_set(struct mdf_err *err, enum mdf_errc code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** Like mdf_err_set() and appends strerror(sys_errno). */
int mdf_err_sys(struct mdf_err *err, int sys_errno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** Prepend "context: " to the message; returns -err->code. */
int mdf_err_wrap(struct mdf_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mdf_err_clear(struct mdf_err *err);

/* Warnings gathered during setup and run; report.c prints them.  A fixed
 * array keeps this allocation free; further warnings are counted only. */
enum { MDF_WARN_MAX = 32 };
struct mdf_warns {
	unsigned n;		/* stored */
	unsigned dropped;	/* not stored: array full */
	char msg[MDF_WARN_MAX][256];
};
void mdf_warn(struct mdf_warns *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
