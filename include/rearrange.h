/* rearrange.h: -R, a flattened stream (fmt_flat.h) into a dump file.
 *
 * Reads the stream from a file descriptor (standard input), checks the
 * stream header, writes every record's payload at its offset through a
 * file sink, stops at the end marker and ignores whatever follows it (the
 * raw kdump target of RHEL appends padding).  Never prints.
 */
#ifndef REARRANGE_H
#define REARRANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "mdf_err.h"
#include "sink.h"

enum { REARRANGE_TIMEOUT_S = 600 };	/* makedumpfile's TIMEOUT_STDIN */

/** Replay the stream on in_fd into out.  0, or MDF_EFORMAT for a damaged
 * stream, MDF_EIO/MDF_ENOSPC when out cannot take it. */
int rearrange_stream(int in_fd, struct sink *out, struct mdf_err *err);

#endif
