/* dwarfinfo_test.c: this test program reads its own debug information
 * (it is built with -g like the tool) and checks every answer against
 * what the compiler says: sizeof, offsetof, array lengths, enum values and
 * symbol addresses.  Without debug information it skips. */
#include <stddef.h>

#include "dwarfinfo.h"
#include "harness.h"

/* shapes the kernel uses: anonymous unions and structs, nested members,
 * arrays of pointers, typedef'd structs, a list */
struct dwt_list {
	struct dwt_list *next, *prev;
};

typedef struct {
	long counter;
} dwt_atomic_t;

enum dwt_flags { DWT_A, DWT_B = 7, DWT_HEAD = 16, DWT_NEG = -129 };
enum dwt_other { DWT_C = 42 };
enum dwt_pageflags { PG_dwt_x = 3 };

struct dwt_page {
	unsigned long flags;
	union {
		struct {
			struct dwt_list lru;
			void *mapping;
		};
		struct {
			unsigned long compound_head;
			unsigned char compound_dtor;
			unsigned char compound_order;
		};
	};
	dwt_atomic_t refs;
	char name[24];
	struct dwt_page *pages[5];
	enum dwt_flags f;
};

struct dwt_page dwt_var;
struct dwt_page *dwt_ptr = &dwt_var;
char dwt_buf[333];
unsigned long dwt_flex_len = 3;
int dwt_init_int = 5;

static struct dwarfinfo *open_self(void)
{
	struct dwarfinfo *di;
	struct mdf_err err;

	if (dwarfinfo_open("/proc/self/exe", &di, &err) < 0)
		return NULL;
	return di;
}

static const char *skip_reason;

TEST(symbols_and_initial_data)
{
	struct dwarfinfo *di = open_self();
	struct mdf_err err;
	uint64_t addr, size;
	int v = 0;
	uint64_t buf_addr;

	if (!di)
		return;
	/* link-time addresses: a PIE is relocated like a KASLR kernel, so
	 * compare distances */
	CHECK(dwarfinfo_symbol(di, "dwt_var", &addr, &size) == 0);
	CHECK_EQ(size, sizeof(dwt_var));
	CHECK(dwarfinfo_symbol(di, "dwt_buf", &buf_addr, &size) == 0);
	CHECK_EQ(size, sizeof(dwt_buf));
	CHECK_EQ(buf_addr - addr, (uintptr_t)dwt_buf - (uintptr_t)&dwt_var);
	CHECK(dwarfinfo_symbol(di, "no_such_symbol_xyz", &addr, &size) == MDF_ABSENT);
	/* a variable's initial value, read from the file */
	CHECK(dwarfinfo_symbol(di, "dwt_init_int", &addr, NULL) == 0);
	CHECK(dwarfinfo_read(di, addr, &v, sizeof(v), &err) == 0);
	CHECK_EQ(v, 5);
	dwarfinfo_close(di);
}

TEST(types_members_arrays_enums)
{
	struct dwarfinfo *di = open_self();
	struct dwi_query q[] = {
		{ .want = DWI_WANT_STRUCT, .name = "dwt_page" },
		{ .want = DWI_WANT_TYPEDEF, .name = "dwt_atomic_t" },
		{ .want = DWI_WANT_VARIABLE, .name = "dwt_var" },
		{ .want = DWI_WANT_VARIABLE, .name = "dwt_ptr" },
		{ .want = DWI_WANT_VARIABLE, .name = "dwt_buf" },
		{ .want = DWI_WANT_ENUMERATOR, .name = "DWT_B" },
		{ .want = DWI_WANT_ENUMERATOR, .name = "DWT_NEG" },
		{ .want = DWI_WANT_ENUMERATOR, .name = "DWT_C", .scope = "dwt_flags" },
		{ .want = DWI_WANT_ENUMERATOR, .name = "DWT_C", .scope = "dwt_other" },
		{ .want = DWI_WANT_ENUM, .name = "dwt_flags" },
		{ .want = DWI_WANT_STRUCT, .name = "no_such_struct_xyz" },
	};
	struct dwi_type t;
	struct mdf_err err;
	uint64_t off, n;

	if (!di)
		return;
	CHECK(dwarfinfo_lookup(di, q, sizeof(q) / sizeof(q[0]), &err) == 0);
	CHECK(q[0].found && q[1].found && q[2].found && q[3].found && q[4].found);
	CHECK(!q[10].found);
	CHECK(dwarfinfo_size(di, q[0].type, &n) == 0);
	CHECK_EQ(n, sizeof(struct dwt_page));
	CHECK_EQ(dwarfinfo_kind(di, q[0].type), DWI_STRUCT);
	CHECK_STR(dwarfinfo_type_name(di, q[0].type), "dwt_page");

	/* members inside anonymous unions and structs */
	CHECK(dwarfinfo_member(di, q[0].type, "mapping", &t, &off) == 0);
	CHECK_EQ(off, offsetof(struct dwt_page, mapping));
	CHECK_EQ(dwarfinfo_kind(di, t), DWI_POINTER);
	CHECK_EQ(dwarfinfo_kind(di, dwarfinfo_target(di, t)), DWI_VOID);
	CHECK(dwarfinfo_member(di, q[0].type, "compound_order", &t, &off) == 0);
	CHECK_EQ(off, offsetof(struct dwt_page, compound_order));
	CHECK(dwarfinfo_member(di, q[0].type, "lru", &t, &off) == 0);
	CHECK_EQ(off, offsetof(struct dwt_page, lru));
	CHECK(dwarfinfo_member(di, t, "prev", &t, &off) == 0);
	CHECK_EQ(off, offsetof(struct dwt_list, prev));
	CHECK(dwarfinfo_member(di, q[0].type, "nope", &t, &off) == MDF_ABSENT);

	/* arrays: length and whole size; a typedef'd struct's member */
	CHECK(dwarfinfo_member(di, q[0].type, "pages", &t, &off) == 0);
	CHECK_EQ(off, offsetof(struct dwt_page, pages));
	CHECK(dwarfinfo_array_len(di, t, &n) == 0);
	CHECK_EQ(n, 5);
	CHECK(dwarfinfo_size(di, t, &n) == 0);
	CHECK_EQ(n, sizeof(dwt_var.pages));
	CHECK_EQ(dwarfinfo_kind(di, dwarfinfo_target(di, t)), DWI_POINTER);
	CHECK(dwarfinfo_member(di, q[1].type, "counter", &t, &off) == 0);
	CHECK_EQ(off, offsetof(dwt_atomic_t, counter));
	CHECK(dwarfinfo_size(di, q[1].type, &n) == 0);
	CHECK_EQ(n, sizeof(dwt_atomic_t));

	/* variables: their types */
	CHECK_EQ(dwarfinfo_kind(di, q[3].type), DWI_POINTER);
	CHECK_STR(dwarfinfo_type_name(di, dwarfinfo_target(di, q[3].type)),
		  "dwt_page");
	CHECK(dwarfinfo_array_len(di, q[4].type, &n) == 0);
	CHECK_EQ(n, sizeof(dwt_buf));
	CHECK_STR(dwarfinfo_type_name(di, dwarfinfo_target(di, q[4].type)),
		  "char");

	/* enumerators, signed, and scoped to their enum */
	CHECK(q[5].found);
	CHECK_EQ(q[5].value, DWT_B);
	CHECK_EQ(q[6].value, (uint64_t)(int64_t)DWT_NEG);
	CHECK(!q[7].found);
	CHECK(q[8].found);
	CHECK_EQ(q[8].value, DWT_C);
	CHECK(dwarfinfo_size(di, q[9].type, &n) == 0);
	CHECK_EQ(n, sizeof(enum dwt_flags));
	dwarfinfo_close(di);
}

TEST(not_an_elf_file)
{
	struct dwarfinfo *di;
	struct mdf_err err;

	CHECK(dwarfinfo_open("/proc/self/status", &di, &err) < 0);
	CHECK(strstr(err.msg, "not an ELF file") != NULL);
	CHECK(dwarfinfo_open("/nonexistent/vmlinux", &di, &err) < 0);
	CHECK(strstr(err.msg, "Can't open the kernel file") != NULL);
}

static const struct harness_case cases[] = {
	CASE(symbols_and_initial_data),
	CASE(types_members_arrays_enums),
	CASE(not_an_elf_file),
};

int main(void)
{
	struct dwarfinfo *di;
	struct mdf_err err;

	/* keep the variables alive for the debug information */
	dwt_buf[0] = (char)(dwt_flex_len + (unsigned long)dwt_init_int);
	dwt_ptr->f = DWT_HEAD;
	if (dwarfinfo_open("/proc/self/exe", &di, &err) < 0) {
		skip_reason = err.msg;
		printf("SKIP: dwarfinfo_test was built without debug information: %s\n",
		       skip_reason);
		return 77;
	}
	dwarfinfo_close(di);
	return harness_run("dwarfinfo", cases, sizeof(cases) / sizeof(cases[0]));
}
