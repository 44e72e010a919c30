// SPDX-License-Identifier: GPL-2.0
/* The id-list syntax: parse, canonical format, errors (docs/id-list-syntax.md). */
#include <stdio.h>
#include <stdlib.h>
#include "core-tests.h"

/*
 * The shared vectors (apmx-idlist-vectors.h), the same table the KUnit
 * suite, the tools and QEMU's parser pass.
 */
static const struct {
	const char *in;
	unsigned int max_id;
	const char *canon;
} good[] = {
#define APMX_IDLIST_OK(input, max, canonical)	{ input, max, canonical },
#define APMX_IDLIST_ERR(input, max, errname, pos, msg)
#include "apmx-idlist-vectors.h"
#undef APMX_IDLIST_OK
#undef APMX_IDLIST_ERR
};

START_TEST(good_inputs_canonical)
{
	char err[APMX_ERRMSG_LEN], out[APMX_IDLIST_FMT_LEN];
	u8 m[APMX_MASK_BYTES], again[APMX_MASK_BYTES];
	unsigned int i;
	int rc;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(m, 0xee, sizeof(m));
		strcpy(err, "stale");
		rc = apmx_idlist_parse(good[i].in, good[i].max_id, m, err,
				       sizeof(err));
		ck_assert_msg(rc == 0, "'%s': %d %s", good[i].in, rc, err);
		ck_assert_str_eq(err, "");
		ck_assert_uint_eq(apmx_idlist_format(m, out, sizeof(out)),
				  strlen(good[i].canon));
		ck_assert_msg(!strcmp(out, good[i].canon), "'%s' -> '%s', not '%s'",
			      good[i].in, out, good[i].canon);
		/* the canonical form parses to the same set */
		ck_assert_int_eq(apmx_idlist_parse(out, 255, again, NULL, 0), 0);
		ck_assert_mem_eq(m, again, sizeof(m));
	}
}
END_TEST

/* Specific sets, checked id by id rather than through the formatter. */
START_TEST(good_inputs_exact_ids)
{
	u8 m[APMX_MASK_BYTES], e[APMX_MASK_BYTES];

	ck_assert_int_eq(apmx_idlist_parse("0x0a", 255, m, NULL, 0), 0);
	ids_of(e, 10, END);
	ck_assert_mem_eq(m, e, sizeof(m));
	ck_assert_int_eq(apmx_idlist_parse("0x10", 255, m, NULL, 0), 0);
	ids_of(e, 16, END);
	ck_assert_mem_eq(m, e, sizeof(m));
	ck_assert_int_eq(apmx_idlist_parse("0x5:0", 255, m, NULL, 0), 0);
	ids_of(e, 0, 5, END);
	ck_assert_mem_eq(m, e, sizeof(m));
	ck_assert_int_eq(apmx_idlist_parse("3-5,255,0x40", 255, m, NULL, 0), 0);
	ids_of(e, 3, 4, 5, 64, 255, END);
	ck_assert_mem_eq(m, e, sizeof(m));
	/* NULL is the empty set */
	memset(m, 0xff, sizeof(m));
	ck_assert_int_eq(apmx_idlist_parse(NULL, 255, m, NULL, 0), 0);
	ck_assert(apmx_mask_empty(m));
}
END_TEST

/* Bad inputs: errno, the exact message (token and position), no change. */
static const struct {
	const char *in;
	unsigned int max_id;
	int rc;
	size_t pos;
	const char *msg;
} bad[] = {
#define APMX_IDLIST_OK(input, max, canonical)
#define APMX_IDLIST_ERR(input, max, errname, pos, msg)	\
	{ input, max, -(errname), pos, msg },
#include "apmx-idlist-vectors.h"
#undef APMX_IDLIST_OK
#undef APMX_IDLIST_ERR
};

START_TEST(bad_inputs_named)
{
	char err[APMX_ERRMSG_LEN], at[40];
	u8 m[APMX_MASK_BYTES], before[APMX_MASK_BYTES];
	unsigned int i;
	int rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(m, 0x3c, sizeof(m));
		memcpy(before, m, sizeof(m));
		memset(err, 0, sizeof(err));
		rc = apmx_idlist_parse(bad[i].in, bad[i].max_id, m, err,
				       sizeof(err));
		ck_assert_msg(rc == bad[i].rc, "'%s': rc %d, not %d (%s)",
			      bad[i].in, rc, bad[i].rc, err);
		ck_assert_msg(!strcmp(err, bad[i].msg), "'%s': got \"%s\"",
			      bad[i].in, err);
		/* the message names the position the vector gives */
		snprintf(at, sizeof(at), "' at position %zu: ", bad[i].pos);
		ck_assert_msg(strstr(err, at) != NULL, "'%s': %s", bad[i].in,
			      err);
		ck_assert_uint_lt(strlen(err), APMX_ERRMSG_LEN - 1);
		ck_assert_mem_eq(m, before, sizeof(m));
		/* without a message buffer: same errno, mask untouched */
		ck_assert_int_eq(apmx_idlist_parse(bad[i].in, bad[i].max_id,
						   m, NULL, 0), bad[i].rc);
		ck_assert_mem_eq(m, before, sizeof(m));
	}
}
END_TEST

/* Message buffers of any size are NUL-terminated and never overrun. */
START_TEST(short_error_buffers)
{
	const char *full = "'4-3' at position 1: range start 4 is above end 3";
	char err[64];
	u8 m[APMX_MASK_BYTES];
	size_t len;

	for (len = 1; len < sizeof(err); len++) {
		memset(err, 'Z', sizeof(err));
		EXPECT((apmx_idlist_parse("4-3", 255, m, err, len)) == (-EINVAL));
		EXPECT((strlen(err)) == (len - 1 < strlen(full) ?
				  len - 1 : strlen(full)));
		EXPECT(!strncmp(err, full, strlen(err)));
		EXPECT(((u8)err[len]) == ('Z'));
	}
	memset(err, 'Z', sizeof(err));
	EXPECT((apmx_idlist_parse("4-3", 255, m, err, 0)) == (-EINVAL));
	EXPECT(((u8)err[0]) == ('Z'));
	/* success clears a stale message */
	strcpy(err, "old");
	EXPECT((apmx_idlist_parse("1", 255, m, err, sizeof(err))) == (0));
	ck_assert_str_eq(err, "");
}
END_TEST

/* parse(format(m)) == m for random masks of every density. */
START_TEST(round_trip_random_masks)
{
	static const unsigned int density[] = { 1, 10, 100, 333, 500, 900, 999 };
	char out[APMX_IDLIST_FMT_LEN];
	u8 m[APMX_MASK_BYTES], back[APMX_MASK_BYTES];
	struct prng p;
	unsigned int round;
	size_t len;

	prng_seed(&p, 0x726f756e64);
	for (round = 0; round < 20000; round++) {
		prng_mask(&p, m, density[round % 7]);
		len = apmx_idlist_format(m, out, sizeof(out));
		EXPECT((len) == (strlen(out)));
		EXPECT((len) < (APMX_IDLIST_FMT_LEN));
		memset(back, 0x55, sizeof(back));
		EXPECT_MSG(apmx_idlist_parse(out, 255, back, NULL, 0) == 0, "%s", out);
		EXPECT_MEM_EQ(back, m, sizeof(m));
	}
}
END_TEST

/*
 * Random lists built from a model (decimal and hex ids, ranges, both
 * separators, duplicates, leading zeros) parse to the model's set.
 */
START_TEST(random_lists_match_model)
{
	char s[4096];
	u8 m[APMX_MASK_BYTES], model[APMX_MASK_BYTES];
	struct prng p;
	unsigned int round, n, i, a, b, id;
	size_t pos;

	prng_seed(&p, 0x6c697374);
	for (round = 0; round < 5000; round++) {
		memset(model, 0, sizeof(model));
		pos = 0;
		n = 1 + prng_below(&p, 12);
		for (i = 0; i < n; i++) {
			a = prng_below(&p, 256);
			b = a + prng_below(&p, 256 - a);
			if (i)
				s[pos++] = prng_below(&p, 2) ? ':' : ',';
			switch (prng_below(&p, 5)) {
			case 0:
				pos += sprintf(s + pos, "%u", a);
				b = a;
				break;
			case 1:
				pos += sprintf(s + pos, "0x%x", a);
				b = a;
				break;
			case 2:
				pos += sprintf(s + pos, "%u-%u", a, b);
				break;
			case 3:
				pos += sprintf(s + pos, "0x%X-%03u", a, b);
				break;
			default:
				pos += sprintf(s + pos, "00%u-0x00%x", a, b);
				break;
			}
			for (id = a; id <= b; id++)
				model[id / 8] |= 0x80 >> (id % 8);
		}
		s[pos] = '\0';
		EXPECT_MSG(apmx_idlist_parse(s, 255, m, NULL, 0) == 0, "%s", s);
		EXPECT_MSG(!memcmp(m, model, sizeof(m)), "%s", s);
	}
}
END_TEST

/*
 * The longest canonical string: a dynamic program over all 2^256 sets
 * (cost of a run: its first id, "-" and last id if longer than one, and a
 * separator) gives the maximum, which must fit APMX_IDLIST_FMT_LEN; the
 * set "0-1:3-4:...:255" reaches it.
 */
static unsigned int digits(unsigned int v)
{
	return v >= 100 ? 3 : v >= 10 ? 2 : 1;
}

START_TEST(longest_canonical_form)
{
	/* best[st]: most characters from id i on; st: 0 outside a run,
	 * 1 run of one so far, 2 longer run
	 */
	int best[APMX_NR_IDS + 1][3];
	char out[APMX_IDLIST_FMT_LEN];
	u8 m[APMX_MASK_BYTES];
	int i, st, in, out_len, closing;

	for (st = 0; st < 3; st++)
		best[APMX_NR_IDS][st] = st == 2 ? 1 + digits(APMX_NR_IDS - 1) : 0;
	for (i = APMX_NR_IDS - 1; i >= 0; i--) {
		for (st = 0; st < 3; st++) {
			closing = st == 2 ? 1 + (int)digits(i - 1) : 0;
			out_len = closing + best[i + 1][0];
			in = st == 0 ? (int)digits(i) + 1 + best[i + 1][1] :
				       best[i + 1][2];
			best[i][st] = in > out_len ? in : out_len;
		}
	}
	ck_assert_int_eq(best[0][0] - 1, APMX_IDLIST_FMT_LEN - 1);

	memset(m, 0, sizeof(m));
	for (i = 0; i < APMX_NR_IDS; i++)
		if (i % 3 != 2)
			apmx_mask_set(m, i);
	ck_assert_uint_eq(apmx_idlist_format(m, out, sizeof(out)),
			  APMX_IDLIST_FMT_LEN - 1);
	ck_assert_uint_eq(strlen(out), APMX_IDLIST_FMT_LEN - 1);
	ck_assert(!strncmp(out, "0-1:3-4:6-7:", 12));
	ck_assert(!strcmp(out + strlen(out) - 12, ":252-253:255"));
}
END_TEST

/* Short output buffers: NUL-terminated prefix, full length returned. */
START_TEST(format_short_buffers)
{
	char out[32];
	u8 m[APMX_MASK_BYTES];
	size_t len;

	ids_of(m, 0, 3, 4, 5, 16, 255, END);
	EXPECT((apmx_idlist_format(m, NULL, 0)) == (strlen("0:3-5:16:255")));
	for (len = 1; len < 20; len++) {
		memset(out, 'Z', sizeof(out));
		EXPECT((apmx_idlist_format(m, out, len)) == (12));
		EXPECT((strlen(out)) == (len - 1 < 12 ? len - 1 : 12));
		EXPECT(!strncmp(out, "0:3-5:16:255", strlen(out)));
		EXPECT(((u8)out[len]) == ('Z'));
	}
	memset(m, 0, sizeof(m));
	strcpy(out, "stale");
	EXPECT((apmx_idlist_format(m, out, sizeof(out))) == (0));
	ck_assert_str_eq(out, "");
}
END_TEST

Suite *idlist_suite(void)
{
	Suite *s = suite_create("idlist");
	TCase *tc = tcase_create("idlist");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, good_inputs_canonical);
	tcase_add_test(tc, good_inputs_exact_ids);
	tcase_add_test(tc, bad_inputs_named);
	tcase_add_test(tc, short_error_buffers);
	tcase_add_test(tc, round_trip_random_masks);
	tcase_add_test(tc, random_lists_match_model);
	tcase_add_test(tc, longest_canonical_form);
	tcase_add_test(tc, format_short_buffers);
	suite_add_tcase(s, tc);
	return s;
}
