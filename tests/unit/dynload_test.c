/* dynload_test.c: a library loaded by SONAME on first use; a missing
 * library or symbol is an error naming it, answered the same each time. */
#include <string.h>

#include "dynload.h"
#include "harness.h"

TEST(loads_and_resolves)
{
	static const char *const names[] = { "strlen", "memcmp" };
	static void *fns[2];
	static struct dynlib lib = {
		.soname = "libc.so.6", .names = names, .fns = fns, .n = 2,
	};
	struct mdf_err err = { 0 };
	size_t (*my_strlen)(const char *);

	CHECK_EQ(dynlib_load(&lib, &err), 0);
	CHECK(fns[0] != NULL && fns[1] != NULL);
	my_strlen = (size_t (*)(const char *))fns[0];
	CHECK_EQ(my_strlen("four"), 4);
	CHECK_EQ(dynlib_load(&lib, NULL), 0);	/* once loaded, stays */
}

TEST(missing_library_is_a_clear_error)
{
	static const char *const names[] = { "snappy_compress" };
	static void *fns[1];
	static struct dynlib lib = {
		.soname = "libmdf-no-such-library.so.7", .names = names,
		.fns = fns, .n = 1,
	};
	struct mdf_err err = { 0 };

	CHECK_EQ(dynlib_load(&lib, &err), -MDF_EUNSUPP);
	CHECK(strstr(err.msg, "cannot load the shared library libmdf-no-such-library.so.7: ") != NULL);
	memset(&err, 0, sizeof(err));
	CHECK_EQ(dynlib_load(&lib, &err), -MDF_EUNSUPP);	/* same answer */
	CHECK(strstr(err.msg, "libmdf-no-such-library.so.7") != NULL);
	CHECK_EQ(dynlib_load(&lib, NULL), -MDF_EUNSUPP);
}

TEST(missing_symbol_is_a_clear_error)
{
	static const char *const names[] = { "strlen", "mdf_no_such_symbol" };
	static void *fns[2];
	static struct dynlib lib = {
		.soname = "libc.so.6", .names = names, .fns = fns, .n = 2,
	};
	struct mdf_err err = { 0 };

	CHECK_EQ(dynlib_load(&lib, &err), -MDF_EUNSUPP);
	CHECK(strstr(err.msg, "libc.so.6: it has no symbol mdf_no_such_symbol") != NULL);
}

static const struct harness_case cases[] = {
	CASE(loads_and_resolves),
	CASE(missing_library_is_a_clear_error),
	CASE(missing_symbol_is_a_clear_error),
};
HARNESS_MAIN("dynload", cases)
