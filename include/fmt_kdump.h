/* fmt_kdump.h: the kdump-compressed ("diskdump", signature "KDUMP   ") file
 * as it lies on disk, header version 6, LP64 layout.
 *
 * Source of every offset and constant: ../shared/spec/formats.md sections
 * 1-5 and 9 (makedumpfile diskdump_mod.h, crash diskdump.c).  The structs
 * are byte images: packed, fixed widths, and every multi-byte field is
 * stored and loaded little-endian through byteorder.h (the byte order of
 * the dumped machine; only little-endian dumps are read today), never by
 * assignment.  Writers and readers (tests/tools/dumpcheck.c) share them.
 *
 *   offset (blocks of block_size = page size)
 *   0          +------------------------------+
 *              | disk_dump_header (464 B)     |  status, sizes, utsname
 *              | zeros to the block end       |
 *   1          +------------------------------+
 *              | kdump_sub_header (104 B)     |  phys_base, dump_level, ...
 *              | ELF notes of the source      |  offset_note / size_note;
 *              |   (VMCOREINFO inside them)   |  offset_vmcoreinfo points in
 *   1+S        +------------------------------+  S = sub_hdr_size blocks
 *              | 1st bitmap: pfn has RAM      |  B/2 blocks each, bit p =
 *              | 2nd bitmap: pfn is in file   |  byte[p/8] & 1 << (p%8)
 *   1+S+B      +------------------------------+  B = bitmap_blocks
 *              | page_desc[N], 24 B each      |  one per 2nd-bitmap bit,
 *              |                              |  in pfn order
 *              +------------------------------+  not block aligned
 *              | page data: zero block first  |  offset/size/flags in the
 *              | (if -d has bit 1), then the  |  page_desc; flags 0 = raw
 *              | pages in pfn order           |
 *              +------------------------------+
 *              | eraseinfo (optional)         |
 *              +------------------------------+
 */
#ifndef FMT_KDUMP_H
#define FMT_KDUMP_H

#include <stddef.h>
#include <stdint.h>

#define KDUMP_SIGNATURE		"KDUMP   "	/* 8 bytes, no NUL */
#define KDUMP_SIGNATURE_LEN	8

enum {
	KDUMP_HEADER_VERSION	= 6,
	KDUMP_UTS_LEN		= 65,	/* one utsname field */
	KDUMP_HEADER_BLOCKS	= 1,	/* the main header's block */
};

/* disk_dump_header.status bits; page_desc.flags uses the codec bits */
enum {
	DUMP_DH_COMPRESSED_ZLIB		= 0x01,
	DUMP_DH_COMPRESSED_LZO		= 0x02,
	DUMP_DH_COMPRESSED_SNAPPY	= 0x04,
	DUMP_DH_COMPRESSED_INCOMPLETE	= 0x08,	/* ENOSPC or -L: pages missing */
	DUMP_DH_EXCLUDED_VMEMMAP	= 0x10,
	DUMP_DH_COMPRESSED_ZSTD		= 0x20,
	DUMP_DH_COMPRESSED_MASK		= 0x27,
};

/** disk_dump_header, LP64: 464 bytes at offset 0. */
struct kdump_disk_header {
	char signature[8];			/*   0 "KDUMP   " */
	uint32_t header_version;		/*   8 int32: 6 */
	char utsname[6][KDUMP_UTS_LEN];		/*  12 sysname ... domainname */
	uint8_t pad[6];				/* 402 */
	uint64_t timestamp_sec;			/* 408 CRASHTIME */
	uint64_t timestamp_usec;		/* 416 0 */
	uint32_t status;			/* 424 DUMP_DH_* */
	uint32_t block_size;			/* 428 int32: page size */
	uint32_t sub_hdr_size;			/* 432 int32: blocks */
	uint32_t bitmap_blocks;			/* 436 both bitmaps, blocks */
	uint32_t max_mapnr;			/* 440 min(max_mapnr, 2^32-1) */
	uint32_t total_ram_blocks;		/* 444 0 */
	uint32_t device_blocks;			/* 448 0 */
	uint32_t written_blocks;		/* 452 0 */
	uint32_t current_cpu;			/* 456 0 */
	uint32_t nr_cpus;			/* 460 int32: NT_PRSTATUS notes */
} __attribute__((packed));

/** kdump_sub_header, LP64, version 6: 104 bytes at offset block_size. */
struct kdump_sub_header {
	uint64_t phys_base;			/*   0 */
	uint32_t dump_level;			/*   8 int32 */
	uint32_t split;				/*  12 int32: 1 in --split parts */
	uint64_t start_pfn;			/*  16 truncated to 32 bits */
	uint64_t end_pfn;			/*  24 truncated to 32 bits */
	uint64_t offset_vmcoreinfo;		/*  32 VMCOREINFO text */
	uint64_t size_vmcoreinfo;		/*  40 */
	uint64_t offset_note;			/*  48 copy of the PT_NOTE bytes */
	uint64_t size_note;			/*  56 */
	uint64_t offset_eraseinfo;		/*  64 */
	uint64_t size_eraseinfo;		/*  72 */
	uint64_t start_pfn_64;			/*  80 */
	uint64_t end_pfn_64;			/*  88 */
	uint64_t max_mapnr_64;			/*  96 pfns the bitmaps cover */
} __attribute__((packed));

/** page_desc_t: 24 bytes on every ABI. */
struct kdump_page_desc {
	uint64_t offset;	/* file offset of the data; 0 = never written */
	uint32_t size;		/* stored bytes, <= block_size */
	uint32_t flags;		/* 0 raw, else one DUMP_DH_COMPRESSED_* codec bit */
	uint64_t page_flags;	/* 0 */
} __attribute__((packed));

_Static_assert(sizeof(struct kdump_disk_header) == 464, "disk_dump_header");
_Static_assert(offsetof(struct kdump_disk_header, timestamp_sec) == 408,
	       "timestamp");
_Static_assert(offsetof(struct kdump_disk_header, status) == 424, "status");
_Static_assert(offsetof(struct kdump_disk_header, nr_cpus) == 460, "nr_cpus");
_Static_assert(sizeof(struct kdump_sub_header) == 104, "kdump_sub_header");
_Static_assert(offsetof(struct kdump_sub_header, offset_vmcoreinfo) == 32,
	       "offset_vmcoreinfo");
_Static_assert(offsetof(struct kdump_sub_header, max_mapnr_64) == 96,
	       "max_mapnr_64");
_Static_assert(sizeof(struct kdump_page_desc) == 24, "page_desc");

/** Bytes of one bitmap for max_mapnr pfns: whole blocks. */
static inline uint64_t kdump_bitmap_len(uint64_t max_mapnr, uint64_t block)
{
	uint64_t bytes = (max_mapnr + 7) / 8;

	return (bytes + block - 1) / block * block;
}

#endif
