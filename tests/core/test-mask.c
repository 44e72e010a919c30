// SPDX-License-Identifier: GPL-2.0
/* Masks in architecture bit order: id n = bit 0x80 >> (n % 8) of byte n / 8. */
#include "core-tests.h"

static const u8 zero[APMX_MASK_BYTES];

/* Hand-worked positions: which byte and which bit each id lands in. */
START_TEST(bit_positions_by_hand)
{
	static const struct {
		unsigned int id, byte;
		u8 bits;
	} t[] = {
		{ 0, 0, 0x80 },		/* leftmost bit of byte 0 */
		{ 1, 0, 0x40 },
		{ 3, 0, 0x10 },
		{ 4, 0, 0x08 },
		{ 7, 0, 0x01 },		/* rightmost bit of byte 0 */
		{ 8, 1, 0x80 },
		{ 15, 1, 0x01 },	/* last APCB0 domain */
		{ 16, 2, 0x80 },
		{ 63, 7, 0x01 },	/* last APCB0 adapter */
		{ 64, 8, 0x80 },
		{ 100, 12, 0x08 },	/* 100 = 12 * 8 + 4 */
		{ 254, 31, 0x02 },
		{ 255, 31, 0x01 },	/* last id */
	};
	u8 m[APMX_MASK_BYTES];
	unsigned int i, b;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(m, 0, sizeof(m));
		apmx_mask_set(m, t[i].id);
		for (b = 0; b < APMX_MASK_BYTES; b++)
			ck_assert_msg(m[b] == (b == t[i].byte ? t[i].bits : 0),
				      "id %u: byte %u is 0x%02x", t[i].id, b,
				      m[b]);
		ck_assert(apmx_mask_test(m, t[i].id));
		ck_assert_uint_eq(apmx_mask_weight(m), 1);
	}
}
END_TEST

/* Every id: set, test, clear agree with the formula, alone and together. */
START_TEST(set_test_clear_every_id)
{
	u8 m[APMX_MASK_BYTES], all[APMX_MASK_BYTES];
	unsigned int id, other;

	memset(all, 0, sizeof(all));
	for (id = 0; id < APMX_NR_IDS; id++) {
		memset(m, 0, sizeof(m));
		apmx_mask_set(m, id);
		EXPECT((m[id / 8]) == (0x80 >> (id % 8)));
		for (other = 0; other < APMX_NR_IDS; other++)
			EXPECT(apmx_mask_test(m, other) == (other == id));
		apmx_mask_set(all, id);
		apmx_mask_set(all, id);		/* idempotent */
		EXPECT((apmx_mask_weight(all)) == (id + 1));
	}
	for (id = 0; id < sizeof(all); id++)
		EXPECT((all[id]) == (0xff));
	for (id = 0; id < APMX_NR_IDS; id += 2)
		apmx_mask_clear(all, id);
	for (id = 0; id < APMX_MASK_BYTES; id++)
		EXPECT((all[id]) == (0x55));
	apmx_mask_clear(all, 1);
	apmx_mask_clear(all, 1);
	EXPECT((all[0]) == (0x15));
}
END_TEST

/* Ids above 255 are never set and never written. */
START_TEST(out_of_range_ids)
{
	u8 m[APMX_MASK_BYTES + 8];

	memset(m, 0, sizeof(m));
	apmx_mask_set(m, 256);
	apmx_mask_set(m, 263);
	apmx_mask_set(m, 100000);
	ck_assert_mem_eq(m, zero, APMX_MASK_BYTES);
	ck_assert_uint_eq(m[APMX_MASK_BYTES], 0);
	memset(m, 0xff, sizeof(m));
	ck_assert(!apmx_mask_test(m, 256));
	ck_assert(!apmx_mask_test(m, ~0u));
	apmx_mask_clear(m, 256);
	ck_assert_uint_eq(m[APMX_MASK_BYTES], 0xff);
	ck_assert_uint_eq(apmx_mask_next(m, 256), APMX_NR_IDS);
	ck_assert_uint_eq(apmx_mask_next(m, ~0u), APMX_NR_IDS);
}
END_TEST

/*
 * The mask is the memory image of big-endian 64-bit words with id 0 in the
 * most significant bit, as the s390 kernel's set_bit_inv() sees it.  On a
 * big-endian host a plain load of the bytes gives that word; on a little-
 * endian host the byte-swapped one.  Both are checked against a byte-wise
 * assembly, so a byte-order mistake shows on one of the two hosts.
 */
START_TEST(words_are_big_endian_msb0)
{
	u8 m[APMX_MASK_BYTES];
	unsigned int id;
	u64 w;

	for (id = 0; id < APMX_NR_IDS; id++) {
		memset(m, 0, sizeof(m));
		apmx_mask_set(m, id);
		EXPECT(be64_of(m + id / 64 * 8) == 1ull << (63 - id % 64));
		memcpy(&w, m + id / 64 * 8, sizeof(w));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		EXPECT(w == 1ull << (63 - id % 64));
#else
		EXPECT(w == __builtin_bswap64(1ull << (63 - id % 64)));
#endif
	}
}
END_TEST

START_TEST(next_and_last_by_hand)
{
	u8 m[APMX_MASK_BYTES];

	memset(m, 0, sizeof(m));
	ck_assert_uint_eq(apmx_mask_next(m, 0), APMX_NR_IDS);
	ck_assert_int_eq(apmx_mask_last(m), -1);
	ids_of(m, 0, END);
	ck_assert_uint_eq(apmx_mask_next(m, 0), 0);
	ck_assert_uint_eq(apmx_mask_next(m, 1), APMX_NR_IDS);
	ck_assert_int_eq(apmx_mask_last(m), 0);
	ids_of(m, 7, 8, 9, 130, 255, END);
	ck_assert_uint_eq(apmx_mask_next(m, 0), 7);
	ck_assert_uint_eq(apmx_mask_next(m, 7), 7);
	ck_assert_uint_eq(apmx_mask_next(m, 8), 8);
	ck_assert_uint_eq(apmx_mask_next(m, 10), 130);
	ck_assert_uint_eq(apmx_mask_next(m, 131), 255);
	ck_assert_uint_eq(apmx_mask_next(m, 255), 255);
	ck_assert_int_eq(apmx_mask_last(m), 255);
	apmx_mask_clear(m, 255);
	ck_assert_int_eq(apmx_mask_last(m), 130);
	apmx_mask_clear(m, 130);
	ck_assert_int_eq(apmx_mask_last(m), 9);
}
END_TEST

/* next/last/weight/empty against brute force on random masks. */
START_TEST(scans_match_brute_force)
{
	static const unsigned int density[] = { 0, 2, 20, 200, 500, 990, 1000 };
	struct prng p;
	u8 m[APMX_MASK_BYTES];
	unsigned int round, from, id, expect, weight;
	int last;

	prng_seed(&p, 0x6d61736b);
	for (round = 0; round < 2000; round++) {
		prng_mask(&p, m, density[round % 7]);
		weight = 0;
		last = -1;
		for (id = 0; id < APMX_NR_IDS; id++) {
			if (m[id / 8] & (0x80 >> (id % 8))) {
				weight++;
				last = id;
			}
		}
		EXPECT((apmx_mask_weight(m)) == (weight));
		EXPECT((apmx_mask_last(m)) == (last));
		EXPECT(apmx_mask_empty(m) == (weight == 0));
		for (from = 0; from <= APMX_NR_IDS; from++) {
			for (expect = from; expect < APMX_NR_IDS; expect++)
				if (m[expect / 8] & (0x80 >> (expect % 8)))
					break;
			EXPECT((apmx_mask_next(m, from)) == (expect));
		}
	}
}
END_TEST

START_TEST(for_each_visits_ascending)
{
	u8 m[APMX_MASK_BYTES];
	unsigned int id, seen[8], n = 0;

	ids_of(m, 255, 0, 64, 63, 15, 16, END);
	apmx_for_each_id(id, m) {
		ck_assert_uint_lt(n, 8);
		seen[n++] = id;
	}
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(seen[0], 0);
	ck_assert_uint_eq(seen[1], 15);
	ck_assert_uint_eq(seen[2], 16);
	ck_assert_uint_eq(seen[3], 63);
	ck_assert_uint_eq(seen[4], 64);
	ck_assert_uint_eq(seen[5], 255);
	memset(m, 0, sizeof(m));
	apmx_for_each_id(id, m)
		ck_abort_msg("empty mask visited %u", id);
}
END_TEST

/* clip(max) keeps exactly ids 0..max, for every max. */
START_TEST(clip_every_limit)
{
	u8 m[APMX_MASK_BYTES];
	unsigned int max, id;

	for (max = 0; max < APMX_NR_IDS; max++) {
		memset(m, 0xff, sizeof(m));
		apmx_mask_clip(m, max);
		EXPECT((apmx_mask_weight(m)) == (max + 1));
		for (id = 0; id < APMX_NR_IDS; id++)
			EXPECT(apmx_mask_test(m, id) == (id <= max));
	}
	memset(m, 0xa5, sizeof(m));
	apmx_mask_clip(m, 1000);
	for (id = 0; id < APMX_MASK_BYTES; id++)
		EXPECT((m[id]) == (0xa5));
	/* the APCB0 limits by hand: 63 keeps bytes 0-7, 15 keeps bytes 0-1 */
	memset(m, 0xff, sizeof(m));
	apmx_mask_clip(m, 63);
	EXPECT((m[7]) == (0xff));
	EXPECT((m[8]) == (0));
	apmx_mask_clip(m, 15);
	EXPECT((m[1]) == (0xff));
	EXPECT((m[2]) == (0));
	apmx_mask_clip(m, 12);		/* ids 8..12: the left 5 bits */
	EXPECT((m[1]) == (0xf8));
}
END_TEST

START_TEST(and_and_intersects)
{
	u8 a[APMX_MASK_BYTES], b[APMX_MASK_BYTES], d[APMX_MASK_BYTES];
	u8 e[APMX_MASK_BYTES];
	struct prng p;
	unsigned int round, i;

	ids_of(a, 1, 2, 200, END);
	ids_of(b, 2, 3, 201, END);
	EXPECT(apmx_mask_intersects(a, b));
	apmx_mask_and(d, a, b);
	ids_of(e, 2, END);
	EXPECT_MEM_EQ(d, e, sizeof(d));
	apmx_mask_clear(b, 2);
	EXPECT(!apmx_mask_intersects(a, b));
	EXPECT(!apmx_mask_intersects(a, zero));
	apmx_mask_and(a, a, b);		/* dst aliases an operand */
	EXPECT(apmx_mask_empty(a));

	prng_seed(&p, 42);
	for (round = 0; round < 500; round++) {
		prng_mask(&p, a, 30);
		prng_mask(&p, b, 30);
		apmx_mask_and(d, a, b);
		for (i = 0; i < APMX_MASK_BYTES; i++)
			EXPECT((d[i]) == (a[i] & b[i]));
		EXPECT(apmx_mask_intersects(a, b) == !apmx_mask_empty(d));
		apmx_mask_and(b, a, b);
		EXPECT_MEM_EQ(b, d, sizeof(d));
	}
}
END_TEST

Suite *mask_suite(void)
{
	Suite *s = suite_create("mask");
	TCase *tc = tcase_create("mask");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, bit_positions_by_hand);
	tcase_add_test(tc, set_test_clear_every_id);
	tcase_add_test(tc, out_of_range_ids);
	tcase_add_test(tc, words_are_big_endian_msb0);
	tcase_add_test(tc, next_and_last_by_hand);
	tcase_add_test(tc, scans_match_brute_force);
	tcase_add_test(tc, for_each_visits_ascending);
	tcase_add_test(tc, clip_every_limit);
	tcase_add_test(tc, and_and_intersects);
	suite_add_tcase(s, tc);
	return s;
}
