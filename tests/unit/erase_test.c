/* erase_test.c: makedumpfile.conf syntax (errors as makedumpfile 1.7.2
 * words them, checked against it by hand on the same files), and the
 * page-level application and eraseinfo text of a range list. */
#include "erase.h"
#include "harness.h"

static void parse(const char *text, struct erase_conf *c)
{
	struct mdf_err err;

	CHECK(erase_conf_parse_text(text, c, &err) == 0);
}

TEST(commands_and_loops)
{
	struct erase_conf c;

	parse("# comment line\n"
	      "erase init_uts_ns.name.release\n"
	      "erase log_buf size log_buf_len\t# tab and comment\n"
	      "erase a.b size 2K\n"
	      "erase a.c size 3m\n"
	      "erase p nullify\n"
	      "[vmlinux]\n"
	      "for t in init_task.tasks within task_struct:tasks\n"
	      "\terase t.comm\n"
	      "\terase t.mm size t.x\n"
	      "endfor\n"
	      "for s in mystruct via next erase s.private endfor\n"
	      "for e in myarray\nerase e\nendfor\n"
	      "for q in head within s1\n erase q.key\n endfor\n", &c);
	CHECK_STR(c.error, "");
	CHECK_EQ(c.n, 9);
	if (c.n == 9) {
		CHECK_STR(c.stmts[0].cmds[0].target.text, "init_uts_ns.name.release");
		CHECK_EQ(c.stmts[0].cmds[0].target.nparts, 3);
		CHECK_STR(c.stmts[0].cmds[0].target.parts[2], "release");
		CHECK_EQ(c.stmts[0].cmds[0].size_kind, ERASE_SIZE_TYPE);
		CHECK_EQ(c.stmts[1].cmds[0].size_kind, ERASE_SIZE_EXPR);
		CHECK_STR(c.stmts[1].cmds[0].size_expr.text, "log_buf_len");
		CHECK_EQ(c.stmts[2].cmds[0].bytes, 2048);
		CHECK_EQ(c.stmts[3].cmds[0].bytes, 3 << 20);
		CHECK_EQ(c.stmts[4].cmds[0].size_kind, ERASE_NULLIFY);
		CHECK_EQ(c.stmts[5].loop, ERASE_LOOP_WITHIN);
		CHECK_STR(c.stmts[5].var, "t");
		CHECK_STR(c.stmts[5].list.text, "init_task.tasks");
		CHECK_STR(c.stmts[5].within_struct, "task_struct");
		CHECK_STR(c.stmts[5].within_member, "tasks");
		CHECK_EQ(c.stmts[5].ncmds, 2);
		CHECK_EQ(c.stmts[5].cmds[1].line, 10);
		CHECK_EQ(c.stmts[6].loop, ERASE_LOOP_VIA);
		CHECK_STR(c.stmts[6].via, "next");
		CHECK_EQ(c.stmts[7].loop, ERASE_LOOP_PLAIN);
		/* "within s1" without a member: makedumpfile's default */
		CHECK_STR(c.stmts[8].within_member, "list");
	}
	erase_conf_deinit(&c);
}

/* one bad file per row: the error makedumpfile prints for it */
static const struct {
	const char *text;
	const char *error;
	size_t kept;		/* commands before the error */
} bad[] = {
	{ "for t in init_task.tasks within task_struct:tasks\n\terase t.comm\n",
	  "Config error at 2: No matching 'endfor' found.", 0 },
	{ "erase init_uts_ns\nfoo bar\n",
	  "Config error at 2: Invalid token 'foo'.", 1 },
	{ "erase init_uts_ns size -5\n",
	  "Config error at 1: size value must be positive.", 0 },
	{ "for a.b in x\nendfor\n",
	  "Config error at 1: Invalid iteration variable entry.", 0 },
	{ "for x y\n", "Config error at 1: expected token 'in'.", 0 },
	{ "for t in l within s:tasks\n erase init_uts_ns\nendfor\n",
	  "Config error at 2: unused iteration variable 't'.", 0 },
	{ "erase\n",
	  "Config error at 1: expected kernel symbol after 'erase' command.", 0 },
	{ "erase init_uts_ns size\n",
	  "Config error at 1: expected size symbol after 'size' keyword.", 0 },
	{ "for t in l within task_struct:\n erase t.comm\nendfor\n",
	  "Config error at 1: expected list_head member after ':'.", 0 },
	{ "for\n", "Config error at 1: expected iteration VAR entry after 'for' keyword.", 0 },
	{ "for t in\n", "Config error at 1: expected list symbol after 'in' keyword.", 0 },
	{ "for t in x within\n",
	  "Config error at 1: expected struct name after 'within' keyword.", 0 },
	{ "for t in x\nerase t.a\nfor u in y\n",
	  "Config error at 3: Invalid token 'for'.", 0 },
	/* a command never continues into the next section */
	{ "erase\n[vmlinux]\ninit_uts_ns\n",
	  "Config error at 1: expected kernel symbol after 'erase' command.", 0 },
};

TEST(syntax_errors_as_makedumpfile_words_them)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct erase_conf c;

		parse(bad[i].text, &c);
		if (strcmp(c.error, bad[i].error) != 0 || c.n != bad[i].kept) {
			fprintf(stderr, "  case %zu: got \"%s\" (%zu kept)\n", i,
				c.error, c.n);
			harness_case_failed = 1;
		}
		erase_conf_deinit(&c);
	}
}

TEST(sections)
{
	struct erase_conf c;

	/* a bad section line is skipped up to the next good one; module
	 * sections are skipped and named */
	parse("[vmlinux\nerase a\n[ext4]\nerase b\nerase c\n[vmlinux]\nerase d\n",
	      &c);
	CHECK_STR(c.error, "");
	CHECK_STR(c.warning, "Config error at 1: Invalid module section entry.");
	CHECK_STR(c.skipped, "ext4");
	CHECK_EQ(c.n, 1);
	if (c.n == 1)
		CHECK_STR(c.stmts[0].cmds[0].target.text, "d");
	erase_conf_deinit(&c);
}

/* a hand-made list: two instances over three pages */
static void make_list(struct erase_list *el, struct erase_range *r,
		      struct erase_inst *in)
{
	memset(el, 0, sizeof(*el));
	in[0] = (struct erase_inst){ "a.b", false, 0 };
	in[1] = (struct erase_inst){ "p", true, 0 };
	r[0] = (struct erase_range){ 5, 4000, 96, 0, 'X' };
	r[1] = (struct erase_range){ 6, 0, 10, 0, 'X' };
	r[2] = (struct erase_range){ 6, 100, 8, 1, 0 };
	r[3] = (struct erase_range){ 9, 0, 4096, 0, 'X' };
	el->r = r;
	el->n = 4;
	el->insts = in;
	el->ninst = 2;
	el->page_shift = 12;
}

TEST(apply_only_the_ranges_of_the_page)
{
	struct erase_list el;
	struct erase_range r[4];
	struct erase_inst in[2];
	static uint8_t page[4096];
	size_t i;

	make_list(&el, r, in);
	CHECK(!erase_hit(NULL, 5));
	CHECK(!erase_hit(&el, 4));
	CHECK(erase_hit(&el, 5));
	CHECK(erase_hit(&el, 6));
	CHECK(!erase_hit(&el, 7));
	CHECK(erase_hit(&el, 9));
	CHECK(!erase_hit(&el, 10));

	memset(page, 0xab, sizeof(page));
	erase_apply(&el, 6, page, sizeof(page));
	for (i = 0; i < sizeof(page); i++) {
		uint8_t want = i < 10 ? 'X' : (i >= 100 && i < 108) ? 0 : 0xab;

		if (page[i] != want) {
			CHECK_EQ(i, (size_t)-1);
			break;
		}
	}
	CHECK_EQ(in[0].applied, 10);
	CHECK_EQ(in[1].applied, 8);
	/* a page without ranges is untouched */
	memset(page, 0xab, sizeof(page));
	erase_apply(&el, 7, page, sizeof(page));
	CHECK_EQ(page[0], 0xab);
	CHECK_EQ(page[4095], 0xab);
}

TEST(eraseinfo_counts_written_bytes_only)
{
	struct erase_list el;
	struct erase_range r[4];
	struct erase_inst in[2];
	static uint8_t page[4096];
	struct mdf_err err;
	char *text;
	size_t len;

	make_list(&el, r, in);
	/* nothing written yet: no eraseinfo */
	CHECK(erase_info_text(&el, &text, &len, &err) == 0);
	CHECK_EQ(len, 0);
	free(text);
	erase_apply(&el, 5, page, sizeof(page));
	erase_apply(&el, 6, page, sizeof(page));
	CHECK(erase_info_text(&el, &text, &len, &err) == 0);
	CHECK_STR(text, "erase a.b size 106\nerase p nullify\n");
	CHECK_EQ(len, strlen(text));
	free(text);
}

static const struct harness_case cases[] = {
	CASE(commands_and_loops),
	CASE(syntax_errors_as_makedumpfile_words_them),
	CASE(sections),
	CASE(apply_only_the_ranges_of_the_page),
	CASE(eraseinfo_counts_written_bytes_only),
};
HARNESS_MAIN("erase", cases)
