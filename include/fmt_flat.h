/* fmt_flat.h: makedumpfile's flattened stream (-F writes it, -R reads it).
 *
 * A seeking writer's positioned writes, serialised for a pipe
 * (../shared/spec/formats.md section 7).  Header fields and record headers
 * are big-endian; record payloads keep the dump's own byte order.
 *
 *   0     +-------------------------------------------+
 *         | "makedumpfile" NUL-padded to 16 bytes      |
 *   16    | type    int64 BE = 1                       |
 *   24    | version int64 BE = 1                       |
 *   32    | zeros                                      |
 *   4096  +-------------------------------------------+
 *         | offset int64 BE | size int64 BE | payload  |  repeated, in
 *         +-------------------------------------------+  write order
 *         | -1 | -1                                    |  end marker
 *         +-------------------------------------------+
 *
 * Records may repeat an offset (later wins) and are never empty; a reader
 * stops at the end marker and ignores what follows.
 */
#ifndef FMT_FLAT_H
#define FMT_FLAT_H

#include <stdint.h>

#define FLAT_SIGNATURE		"makedumpfile"

enum {
	FLAT_HEADER_SIZE	= 4096,
	FLAT_TYPE		= 1,	/* TYPE_FLAT_HEADER */
	FLAT_VERSION		= 1,
};

/** The stream header's meaningful bytes (then zeros up to 4096). */
struct flat_header {
	char signature[16];	/* "makedumpfile\0\0\0\0" */
	uint64_t type;		/* BE */
	uint64_t version;	/* BE */
} __attribute__((packed));

/** One record header; the end marker has offset == size == -1. */
struct flat_record {
	uint64_t offset;	/* int64 BE: target file offset */
	uint64_t size;		/* int64 BE: payload bytes that follow */
} __attribute__((packed));

#define FLAT_END_MARK	UINT64_MAX	/* -1 in both fields */

_Static_assert(sizeof(struct flat_header) == 32, "flat header");
_Static_assert(sizeof(struct flat_record) == 16, "flat record");

#endif
