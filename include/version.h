/* version.h: the version printed by -v and written nowhere else. */
#ifndef VERSION_H
#define VERSION_H

#define MDF_VERSION		"2.0.0"
#define MDF_RELEASE_DATE	"22 Nov 2026"

#ifndef HAVE_LZO
#define HAVE_LZO 0
#endif
#ifndef HAVE_SNAPPY
#define HAVE_SNAPPY 0
#endif
#ifndef HAVE_ZSTD
#define HAVE_ZSTD 0
#endif

#endif
