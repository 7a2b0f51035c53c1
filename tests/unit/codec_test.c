/* codec_test.c: every codec this build has, round trip and the raw rule. */
#include "codec.h"
#include "harness.h"

enum { PAGE = 4096 };

static void fill_text(uint8_t *p)
{
	size_t i;

	for (i = 0; i < PAGE; i++)
		p[i] = (uint8_t)("struct page in a crash dump "[i % 28]);
}

static void fill_random(uint8_t *p)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t i;

	for (i = 0; i < PAGE; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)x;
	}
}

/* compressible pages shrink and decode back; random pages do not shrink
 * (codec_compress() says 0: store raw) */
TEST(round_trip_all)
{
	static const enum codec_id ids[] = {
		CODEC_ZLIB, CODEC_LZO, CODEC_SNAPPY, CODEC_ZSTD,
	};
	uint8_t in[PAGE], back[2 * PAGE], *out;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct codec_ops *ops = codec_find(ids[i]);
		struct codec_state st;
		struct mdf_err err;
		size_t n;

		if (!ops) {
			printf("# %s not built in\n", codec_name(ids[i]));
			continue;
		}
		CHECK_EQ(ops->id, ids[i]);
		out = malloc(ops->bound(PAGE));
		CHECK(codec_state_init(&st, ops, &err) == 0);
		fill_text(in);
		n = codec_compress(&st, in, PAGE, out, ops->bound(PAGE));
		CHECK(n > 0 && n < PAGE / 4);
		memset(back, 0, sizeof(back));
		CHECK(ops->decompress(out, n, back, PAGE, &err) == 0);
		CHECK(memcmp(in, back, PAGE) == 0);
		/* the same state serves the next page */
		memset(in, 0, PAGE);
		n = codec_compress(&st, in, PAGE, out, ops->bound(PAGE));
		CHECK(n > 0 && n < 200);
		CHECK(ops->decompress(out, n, back, PAGE, &err) == 0);
		CHECK(memcmp(in, back, PAGE) == 0);
		fill_random(in);
		CHECK_EQ(codec_compress(&st, in, PAGE, out, ops->bound(PAGE)), 0);
		codec_state_deinit(&st);
		free(out);
	}
}

/* a damaged block is an error, never a crash or a short page */
TEST(corrupt_block_refused)
{
	static const enum codec_id ids[] = {
		CODEC_ZLIB, CODEC_LZO, CODEC_SNAPPY, CODEC_ZSTD,
	};
	uint8_t in[PAGE], back[2 * PAGE], *out;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct codec_ops *ops = codec_find(ids[i]);
		struct codec_state st;
		struct mdf_err err;
		size_t n;

		if (!ops)
			continue;
		out = malloc(ops->bound(PAGE));
		codec_state_init(&st, ops, &err);
		fill_text(in);
		n = codec_compress(&st, in, PAGE, out, ops->bound(PAGE));
		/* truncated */
		CHECK(ops->decompress(out, n / 2, back, PAGE, &err) < 0);
		CHECK(err.code == MDF_EFORMAT);
		/* decodes to less than a page */
		CHECK(ops->decompress(out, n, back, PAGE * 2, &err) < 0);
		codec_state_deinit(&st);
		free(out);
	}
}

/* zlib: a zlib stream (RFC 1950 header 0x78, level 1 marker 0x01) */
TEST(zlib_stream_format)
{
	const struct codec_ops *ops = codec_find(CODEC_ZLIB);
	uint8_t in[PAGE], out[PAGE + 64];
	struct codec_state st;
	struct mdf_err err;
	size_t n;

	CHECK(ops != NULL);
	codec_state_init(&st, ops, &err);
	fill_text(in);
	n = codec_compress(&st, in, PAGE, out, sizeof(out));
	CHECK(n > 2);
	CHECK_EQ(out[0], 0x78);
	CHECK_EQ(out[1], 0x01);
	codec_state_deinit(&st);
}

TEST(table)
{
	CHECK(codec_find(CODEC_NONE) == &codec_none);
	CHECK(codec_find(CODEC_ZLIB) == &codec_zlib);
	CHECK_STR(codec_name(CODEC_SNAPPY), "snappy");
	CHECK_STR(codec_name((enum codec_id)99), "unknown");
}

static const struct harness_case cases[] = {
	CASE(round_trip_all),
	CASE(corrupt_block_refused),
	CASE(zlib_stream_format),
	CASE(table),
};

HARNESS_MAIN("codec_test", cases)
