// SPDX-License-Identifier: GPL-2.0
/* The id-list syntax: parse, canonical format, errors (docs/id-list-syntax.md). */
#include <stdio.h>
#include <stdlib.h>
#include "core-tests.h"

/* Valid inputs and their canonical form. */
static const struct {
	const char *in;
	unsigned int max_id;
	const char *canon;
} good[] = {
	{ "", 255, "" },
	{ "0", 255, "0" },
	{ "255", 255, "255" },
	{ "15", 15, "15" },
	{ "1:3-5:16", 255, "1:3-5:16" },
	{ "1,3-5,16", 255, "1:3-5:16" },
	{ "1:2,3", 255, "1-3" },		/* separators may be mixed */
	{ "4,3", 255, "3-4" },			/* order does not matter */
	{ "3:4", 255, "3-4" },			/* a run of two is a range */
	{ "3:3:3", 255, "3" },			/* duplicates */
	{ "1-5:2-7", 255, "1-7" },		/* overlapping ranges */
	{ "7-7", 255, "7" },
	{ "0-255", 255, "0-255" },
	{ "010", 255, "10" },			/* never octal */
	{ "00", 255, "0" },
	{ "0008-0010", 255, "8-10" },
	{ "0x10:1", 255, "1:16" },		/* hex ids in a list */
	{ "0x0a-0x0C", 255, "10-12" },
	{ "0X1f:0xFF", 255, "31:255" },
	{ "0x10-0x10", 255, "16" },
	{ "0x10", 255, "16" },			/* a lone hex id is one id */
	{ "0x0a", 255, "10" },
	{ "0x5", 255, "5" },
	{ "0x80", 255, "128" },
	{ "0x0", 255, "0" },
	{ "0x00", 255, "0" },
	{ "0xf", 15, "15" },
	{ "0X0001", 15, "1" },
	{ "0xFf", 255, "255" },
	{ "0x0000000000000001", 63, "1" },
	{ "0x00000000000000000000000000000000"
	  "000000000000000000000000000000001", 255, "1" },
	{ "255", 1000, "255" },			/* max_id clamps to 255 */
	{ "0:0x0", 0, "0" },
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
	const char *msg;
} bad[] = {
	{ "256", 255, -ERANGE, "'256' at position 1: id 256 is above the highest id 255" },
	{ "16", 15, -ERANGE, "'16' at position 1: id 16 is above the highest id 15" },
	{ "1:64", 63, -ERANGE, "'64' at position 3: id 64 is above the highest id 63" },
	{ "-1", 255, -EINVAL, "'-1' at position 1: range start missing" },
	{ "4-3", 255, -EINVAL, "'4-3' at position 1: range start 4 is above end 3" },
	{ "1:2:4-3", 255, -EINVAL, "'4-3' at position 5: range start 4 is above end 3" },
	{ "16,5-3", 255, -EINVAL, "'5-3' at position 4: range start 5 is above end 3" },
	{ "3-", 255, -EINVAL, "'3-' at position 1: range end missing" },
	{ "1-2-3", 255, -EINVAL, "'1-2-3' at position 1: more than one '-'" },
	{ "-", 255, -EINVAL, "'-' at position 1: range start missing" },
	{ "0x", 255, -EINVAL, "'0x' at position 1: no hex digits after 0x" },
	{ "1:0x", 255, -EINVAL, "'0x' at position 3: no hex digits after 0x" },
	{ "1-0x", 255, -EINVAL, "'1-0x' at position 1: no hex digits after 0x" },
	{ "x-3", 255, -EINVAL, "'x-3' at position 1: 'x' is not a decimal digit" },
	{ "0x-3", 255, -EINVAL, "'0x-3' at position 1: no hex digits after 0x" },
	{ "1,,2", 255, -EINVAL, "'' at position 3: empty element (stray separator)" },
	{ "1::2", 255, -EINVAL, "'' at position 3: empty element (stray separator)" },
	{ "1:", 255, -EINVAL, "'' at position 3: empty element (stray separator)" },
	{ ":1", 255, -EINVAL, "'' at position 1: empty element (stray separator)" },
	{ ",", 255, -EINVAL, "'' at position 1: empty element (stray separator)" },
	{ "abc", 255, -EINVAL, "'abc' at position 1: 'a' is not a decimal digit" },
	{ "12a", 255, -EINVAL, "'12a' at position 1: 'a' is not a decimal digit" },
	{ "+1", 255, -EINVAL, "'+1' at position 1: '+' is not a decimal digit" },
	{ "0b1", 255, -EINVAL, "'0b1' at position 1: 'b' is not a decimal digit" },
	{ "\x01", 255, -EINVAL, "'\x01' at position 1: '?' is not a decimal digit" },
	{ "1;2", 255, -EINVAL, "'1;2' at position 1: ';' is not a decimal digit" },
	{ "99999999999999999999", 255, -ERANGE,
	  "'99999999999999999999' at position 1: id is above the highest id 255" },
	{ "65536", 255, -ERANGE, "'65536' at position 1: id is above the highest id 255" },
	/* values that wrap around 32 or 64 bits must not sneak in as 0 or 1 */
	{ "4294967296", 255, -ERANGE, "'4294967296' at position 1: id is above the highest id 255" },
	{ "18446744073709551617", 255, -ERANGE,
	  "'18446744073709551617' at position 1: id is above the highest id 255" },
	{ "1:0x100000001", 255, -ERANGE, "'0x100000001' at position 3: id is above the highest id 255" },
	{ "0x10000000000000000-1", 255, -EINVAL,
	  "'0x10000000000000000-1' at position 1: range start is above end 1" },
	{ "65535", 255, -ERANGE, "'65535' at position 1: id 65535 is above the highest id 255" },
	{ "0x1g", 255, -EINVAL, "'0x1g' at position 1: 'g' is not a hex digit" },
	{ "1:0x1g", 255, -EINVAL, "'0x1g' at position 3: 'g' is not a hex digit" },
	{ "0x1-0xg", 255, -EINVAL, "'0x1-0xg' at position 1: 'g' is not a hex digit" },
	{ "0x100:1", 255, -ERANGE, "'0x100' at position 1: id 256 is above the highest id 255" },
	{ " 1", 255, -EINVAL, "' 1' at position 1: blanks are not allowed" },
	{ "1 ", 255, -EINVAL, "'1 ' at position 1: blanks are not allowed" },
	{ "1: 2", 255, -EINVAL, "' 2' at position 3: blanks are not allowed" },
	{ "1\n", 255, -EINVAL, "'1\n' at position 1: blanks are not allowed" },
	{ "1\t-2", 255, -EINVAL, "'1\t-2' at position 1: blanks are not allowed" },
	{ " ", 255, -EINVAL, "' ' at position 1: blanks are not allowed" },
	{ "0x12 ", 255, -EINVAL, "'0x12 ' at position 1: blanks are not allowed" },
	{ "2-300", 255, -ERANGE, "'2-300' at position 1: id 300 is above the highest id 255" },
	{ "300-2", 255, -EINVAL, "'300-2' at position 1: range start 300 is above end 2" },
	{ "99999999999999999999-1", 255, -EINVAL,
	  "'99999999999999999999-1' at position 1: range start is above end 1" },
	{ "1-99999999999999999999", 255, -ERANGE,
	  "'1-99999999999999999999' at position 1: id is above the highest id 255" },
	{ "1:0", 0, -ERANGE, "'1' at position 1: id 1 is above the highest id 0" },
	/* a lone hex token is one id, never a mask */
	{ "0xffff", 255, -ERANGE, "'0xffff' at position 1: id 65535 is above the highest id 255" },
	{ "0x00010", 15, -ERANGE, "'0x00010' at position 1: id 16 is above the highest id 15" },
	{ "0x0000000000000000ff", 63, -ERANGE,
	  "'0x0000000000000000ff' at position 1: id 255 is above the highest id 63" },
	{ "0xffffffffffffffffffffffffffffffff"
	  "ffffffffffffffffffffffffffffffffff", 255, -ERANGE,
	  "'0xffffffffffffffffffffffffffffffffffffff...' at position 1: id is above the highest id 255" },
	{ "0x8000000000000000000000000000000000000000", 255, -ERANGE,
	  "'0x80000000000000000000000000000000000000...' at position 1: id is above the highest id 255" },
	{ "1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 255, -EINVAL,
	  "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' at position 3: 'a' is not a decimal digit" },
	/* the first bad element wins */
	{ "256:abc", 255, -ERANGE, "'256' at position 1: id 256 is above the highest id 255" },
	{ "abc:256", 255, -EINVAL, "'abc' at position 1: 'a' is not a decimal digit" },
};

START_TEST(bad_inputs_named)
{
	char err[APMX_ERRMSG_LEN];
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
