/* byteorder.h: dump-endian loads and stores (base layer).
 *
 * Dump data is read through these helpers, never by casting pointers, so
 * unaligned fields and a future big-endian dump are handled in one place.
 */
#ifndef BYTEORDER_H
#define BYTEORDER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <endian.h>

static inline uint16_t get_le16(const void *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}
static inline uint32_t get_le32(const void *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}
static inline uint64_t get_le64(const void *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}
static inline uint32_t get_be32(const void *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}
static inline uint64_t get_be64(const void *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}
static inline void put_le16(void *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}
static inline void put_le32(void *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}
static inline void put_le64(void *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}
static inline void put_be64(void *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

/** Read an unsigned field of width 1, 2, 4 or 8 bytes (little-endian). */
static inline uint64_t get_le_width(const void *p, unsigned width)
{
	switch (width) {
	case 1: return *(const uint8_t *)p;
	case 2: return get_le16(p);
	case 4: return get_le32(p);
	default: return get_le64(p);
	}
}

#endif
