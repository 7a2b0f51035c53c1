/* mdf_err.c: error and warning objects (base layer).  Never prints. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mdf_err.h"

static void vset(struct mdf_err *err, const char *fmt, va_list ap)
{
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int mdf_err_set(struct mdf_err *err, enum mdf_errc code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	err->sys_errno = 0;
	va_start(ap, fmt);
	vset(err, fmt, ap);
	va_end(ap);
	return -(int)code;
}

int mdf_err_sys(struct mdf_err *err, int sys_errno, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	switch (sys_errno) {
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		err->code = MDF_ENOSPC;
		break;
	case ENOMEM:
		err->code = MDF_ENOMEM;
		break;
	case EINTR:
		err->code = MDF_EINTR;
		break;
	default:
		err->code = MDF_EIO;
	}
	err->sys_errno = sys_errno;
	va_start(ap, fmt);
	vset(err, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	if (len < sizeof(err->msg) - 3)
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
			 strerror(sys_errno));
	return -(int)err->code;
}

int mdf_err_wrap(struct mdf_err *err, const char *fmt, ...)
{
	char old[sizeof(err->msg)];
	va_list ap;
	int n;

	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(err->msg) - 2) {
		size_t len = (size_t)n;

		err->msg[len++] = ':';
		err->msg[len++] = ' ';
		memcpy(err->msg + len, old, sizeof(err->msg) - len - 1);
		err->msg[sizeof(err->msg) - 1] = '\0';
	}
	if (err->code == MDF_OK)
		err->code = MDF_EIO;
	return -(int)err->code;
}

void mdf_err_clear(struct mdf_err *err)
{
	err->code = MDF_OK;
	err->sys_errno = 0;
	err->addr = 0;
	err->msg[0] = '\0';
}

void mdf_warn(struct mdf_warns *w, const char *fmt, ...)
{
	va_list ap;

	if (!w)
		return;
	if (w->n >= MDF_WARN_MAX) {
		w->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(w->msg[w->n], sizeof(w->msg[0]), fmt, ap);
	va_end(ap);
	w->n++;
}
