/* vmcoreinfo_test.c: parsing rules of vmcoreinfo.md section 2. */
#include "harness.h"
#include "vmcoreinfo.h"

static const char text61[] =
	"OSRELEASE=6.1.0-56-amd64\n"
	"BUILD-ID=eb4fbcd037e7253717950bf2b93bd5566f47c56f\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffffb93fb000\n"
	"SYMBOL(log_buf_len)=ffffffff00000010\n"
	"SYMBOL(log_buf)=ffffffff00000020\n"
	"SIZE(page)=64\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page._count)=99\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=4294967039\n"
	"NUMBER(phys_base)=-541065216\n"
	"NUMBER(KERNELPACMASK)=0xffff000000000000\n"
	"LENGTH(zone.free_area)=11\n"
	"SIZE(page)=128\n"
	"garbage line without equals\n"
	"NUMBER(PG_lru)=notanumber\n"
	"KERNELOFFSET=36800000\n"
	"CRASHTIME=1763845123\n";

TEST(parses_every_kind)
{
	struct vmcoreinfo vi;
	struct mdf_err err;
	struct mdf_warns w = { 0 };

	CHECK(vmcoreinfo_parse(&vi, text61, sizeof(text61) - 1, &w, &err) == 0);
	CHECK_STR(vmci_str(&vi, VMCI_OSRELEASE), "6.1.0-56-amd64");
	CHECK_EQ(vmci_get(&vi, VMCI_PAGESIZE), 4096);
	CHECK_EQ(vmci_get(&vi, VMCI_SYMBOL_init_uts_ns), 0xffffffffb93fb000ull);
	CHECK_EQ(vmci_get(&vi, VMCI_LENGTH_zone_free_area), 11);
	CHECK_EQ(vmci_num(&vi, VMCI_NUMBER_phys_base), -541065216);
	CHECK_EQ(vmci_get(&vi, VMCI_NUMBER_KERNELPACMASK), 0xffff000000000000ull);
	CHECK_EQ(vmci_get(&vi, VMCI_KERNELOFFSET), 0x36800000);
	CHECK_EQ(vmci_get(&vi, VMCI_CRASHTIME), 1763845123);
	vmcoreinfo_deinit(&vi);
}

TEST(key_includes_equals_and_first_wins)
{
	struct vmcoreinfo vi;
	struct mdf_err err;

	CHECK(vmcoreinfo_parse(&vi, text61, sizeof(text61) - 1, NULL, &err) == 0);
	/* SYMBOL(log_buf)= must not match SYMBOL(log_buf_len)= */
	CHECK_EQ(vmci_get(&vi, VMCI_SYMBOL_log_buf), 0xffffffff00000020ull);
	CHECK_EQ(vmci_get(&vi, VMCI_SYMBOL_log_buf_len), 0xffffffff00000010ull);
	CHECK_EQ(vmci_get(&vi, VMCI_SIZE_page), 64);	/* first of two */
	/* the primary spelling beats the pre-4.6 alias */
	CHECK_EQ(vmci_get(&vi, VMCI_OFFSET_page__refcount), 52);
	vmcoreinfo_deinit(&vi);
}

TEST(alias_fills_when_primary_absent)
{
	static const char t[] = "OSRELEASE=4.4.0\nOFFSET(page._count)=28\n"
				"OFFSET(page.compound_info)=8\n";
	struct vmcoreinfo vi;
	struct mdf_err err;

	CHECK(vmcoreinfo_parse(&vi, t, sizeof(t) - 1, NULL, &err) == 0);
	CHECK(vmci_has(&vi, VMCI_OFFSET_page__refcount));
	CHECK_EQ(vmci_get(&vi, VMCI_OFFSET_page__refcount), 28);
	CHECK_EQ(vmci_get(&vi, VMCI_OFFSET_page_compound_head), 8);
	vmcoreinfo_deinit(&vi);
}

TEST(low_32_bits_of_negative_markers)
{
	struct vmcoreinfo vi;
	struct mdf_err err;

	CHECK(vmcoreinfo_parse(&vi, text61, sizeof(text61) - 1, NULL, &err) == 0);
	CHECK_EQ((uint32_t)vmci_get(&vi, VMCI_NUMBER_PAGE_BUDDY_MAPCOUNT_VALUE),
		 0xffffff7f);
	/* printed as a large positive by other compilers: same low bits */
	CHECK_EQ((uint32_t)vmci_get(&vi, VMCI_NUMBER_PAGE_OFFLINE_MAPCOUNT_VALUE),
		 0xfffffeff);
	vmcoreinfo_deinit(&vi);
}

TEST(malformed_lines_warn_not_fail)
{
	struct vmcoreinfo vi;
	struct mdf_err err;
	struct mdf_warns w = { 0 };

	CHECK(vmcoreinfo_parse(&vi, text61, sizeof(text61) - 1, &w, &err) == 0);
	CHECK(!vmci_has(&vi, VMCI_NUMBER_PG_lru));
	CHECK(vi.nbad == 2);
	CHECK(w.n == 1);
	CHECK(strstr(w.msg[0], "NUMBER(PG_lru)") != NULL);
	vmcoreinfo_deinit(&vi);
}

TEST(missing_key_is_absent_and_named)
{
	static const char t[] = "OSRELEASE=5.10.0\nPAGESIZE=4096\n";
	struct vmcoreinfo vi;
	struct mdf_err err;

	CHECK(vmcoreinfo_parse(&vi, t, sizeof(t) - 1, NULL, &err) == 0);
	CHECK(!vmci_has(&vi, VMCI_SIZE_page));
	CHECK(vmci_require(&vi, VMCI_SIZE_page, "for the test", &err) < 0);
	CHECK(strstr(err.msg, "SIZE(page)") != NULL);
	CHECK_EQ(vmcoreinfo_kernel_version(&vi), KERNEL_VERSION(5, 10, 0));
	vmcoreinfo_deinit(&vi);
}

TEST(not_vmcoreinfo_text)
{
	static const char t[] = "hello world\nfoo=bar\n";
	struct vmcoreinfo vi;
	struct mdf_err err;

	CHECK(vmcoreinfo_parse(&vi, t, sizeof(t) - 1, NULL, &err) < 0);
	CHECK(strstr(err.msg, "OSRELEASE") != NULL);
}

TEST(nul_padded_descriptor)
{
	static const char t[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\n\0\0\0SIZE(page)=1";
	struct vmcoreinfo vi;
	struct mdf_err err;

	CHECK(vmcoreinfo_parse(&vi, t, sizeof(t) - 1, NULL, &err) == 0);
	CHECK(!vmci_has(&vi, VMCI_SIZE_page));
	vmcoreinfo_deinit(&vi);
}

/* a -g file: link-time symbols, no KERNELOFFSET of its own */
TEST(linktime_file_relocated_and_completed_from_note)
{
	static const char gen[] =
		"OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\n"
		"SYMBOL(_stext)=ffffffff81000000\n"
		"SYMBOL(init_uts_ns)=ffffffff82bfb000\n"
		"SYMBOL(mem_section)=ffffffff8403f298\n"
		"SIZE(page)=64\n";
	static const char note[] =
		"OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\n"
		"SYMBOL(_stext)=ffffffffb7800000\n"
		"SYMBOL(mem_section)=ffff897c1ffd2000\n"
		"SYMBOL(prb)=ffffffffb92643e0\n"
		"SIZE(page)=128\n"
		"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n"
		"NUMBER(phys_base)=-541065216\n"
		"KERNELOFFSET=36800000\n";
	struct vmcoreinfo vi, n;
	struct mdf_err err;

	CHECK(vmcoreinfo_parse(&vi, gen, sizeof(gen) - 1, NULL, &err) == 0);
	CHECK(vmcoreinfo_parse(&n, note, sizeof(note) - 1, NULL, &err) == 0);
	CHECK(!vmcoreinfo_is_linktime(&vi));	/* not from a file */
	vi.from_file = true;
	CHECK(vmcoreinfo_is_linktime(&vi));
	vmcoreinfo_relocate(&vi, 0x36800000);
	CHECK_EQ(vmci_get(&vi, VMCI_SYMBOL__stext), 0xffffffffb7800000ull);
	CHECK_EQ(vmci_get(&vi, VMCI_SYMBOL_init_uts_ns), 0xffffffffb93fb000ull);
	CHECK_EQ(vmci_get(&vi, VMCI_SYMBOL_mem_section), 0xffffffffba83f298ull);
	vmcoreinfo_fill_from(&vi, &n);
	/* the file wins key by key; the note fills the rest */
	CHECK_EQ(vmci_get(&vi, VMCI_SIZE_page), 64);
	CHECK_EQ(vmci_get(&vi, VMCI_SYMBOL_mem_section), 0xffffffffba83f298ull);
	CHECK_EQ(vmci_get(&vi, VMCI_SYMBOL_prb), 0xffffffffb92643e0ull);
	CHECK_EQ(vmci_num(&vi, VMCI_NUMBER_PAGE_OFFLINE_MAPCOUNT_VALUE), -257);
	CHECK_EQ(vmci_num(&vi, VMCI_NUMBER_phys_base), -541065216);
	CHECK_EQ(vmci_get(&vi, VMCI_KERNELOFFSET), 0x36800000);
	CHECK(!vmcoreinfo_is_linktime(&vi));
	vmcoreinfo_deinit(&vi);
	vmcoreinfo_deinit(&n);
}

/* addresses below the kernel image (a hand-written direct-map address)
 * are not moved */
TEST(relocate_only_the_kernel_image)
{
	static const char t[] = "OSRELEASE=6.1.0\nSYMBOL(_stext)=ffffffff81000000\n"
				"SYMBOL(mem_map)=ffff888000001000\n";
	struct vmcoreinfo vi;
	struct mdf_err err;

	CHECK(vmcoreinfo_parse(&vi, t, sizeof(t) - 1, NULL, &err) == 0);
	vmcoreinfo_relocate(&vi, 0x200000);
	CHECK_EQ(vmci_get(&vi, VMCI_SYMBOL__stext), 0xffffffff81200000ull);
	CHECK_EQ(vmci_get(&vi, VMCI_SYMBOL_mem_map), 0xffff888000001000ull);
	vmcoreinfo_deinit(&vi);
}

static const struct harness_case cases[] = {
	CASE(parses_every_kind),
	CASE(key_includes_equals_and_first_wins),
	CASE(alias_fills_when_primary_absent),
	CASE(low_32_bits_of_negative_markers),
	CASE(malformed_lines_warn_not_fail),
	CASE(missing_key_is_absent_and_named),
	CASE(not_vmcoreinfo_text),
	CASE(nul_padded_descriptor),
	CASE(linktime_file_relocated_and_completed_from_note),
	CASE(relocate_only_the_kernel_image),
};
HARNESS_MAIN("vmcoreinfo", cases)
