/* version.h: the version printed by -v and written nowhere else. */
#ifndef VERSION_H
#define VERSION_H

#define MDF_VERSION		"2.0.0"
#define MDF_RELEASE_DATE	"22 Nov 2026"

#endif
