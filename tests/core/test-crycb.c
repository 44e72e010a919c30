// SPDX-License-Identifier: GPL-2.0
/*
 * CRYCB limits, effective masks and the APCB byte images, worked out by
 * hand from the architecture: a mask byte holds ids 8k..8k+7 from its
 * leftmost (0x80) to its rightmost (0x01) bit.  APCB0 (formats 0/1): apm 8
 * bytes at 0, aqm at 8, adm at 16 (2 bytes used each), 32 bytes in all.
 * APCB1 (format 2): apm at 0, aqm at 32, adm at 64 (32 bytes each), 128
 * bytes in all with 96..127 reserved.
 */
#include "core-tests.h"

static void masks_34x12c1(struct kvm_s390_ap_masks *m)
{
	ids_of(m->apm, 3, 4, END);
	ids_of(m->aqm, 1, 2, END);
	ids_of(m->adm, 1, END);
}

/*
 * Adapters {3,4}: ids 3 and 4 are bits 0x10 and 0x08 of byte 0 -> 0x18.
 * Domains {1,2}: bits 0x40 and 0x20 of byte 0 -> 0x60.  Control {1}: 0x40.
 */
START_TEST(golden_format2_3_4_x_1_2)
{
	static const u8 expect[APMX_APCB1_BYTES] = {
		[0] = 0x18,		/* apm byte 0: adapters 3, 4 */
		[32] = 0x60,		/* aqm byte 0: domains 1, 2 */
		[64] = 0x40,		/* adm byte 0: control domain 1 */
	};
	struct kvm_s390_ap_masks m;
	u8 buf[APMX_APCB1_BYTES + 16];
	unsigned int i;

	masks_34x12c1(&m);
	memset(buf, 0xaa, sizeof(buf));
	ck_assert_uint_eq(apmx_crycb_image(APMX_CRYCB_FORMAT2, &m, buf,
					   sizeof(buf)), APMX_APCB1_BYTES);
	ck_assert_mem_eq(buf, expect, APMX_APCB1_BYTES);
	for (i = APMX_APCB1_BYTES; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0xaa);	/* nothing beyond */
}
END_TEST

START_TEST(golden_format0_1_3_4_x_1_2)
{
	static const u8 expect[APMX_APCB0_BYTES] = {
		[0] = 0x18,		/* apm byte 0: adapters 3, 4 */
		[8] = 0x60,		/* aqm byte 0: domains 1, 2 */
		[16] = 0x40,		/* adm byte 0: control domain 1 */
	};
	struct kvm_s390_ap_masks m;
	u8 buf[APMX_APCB0_BYTES + 16];
	unsigned int fmt, i;

	masks_34x12c1(&m);
	for (fmt = APMX_CRYCB_FORMAT0; fmt <= APMX_CRYCB_FORMAT1; fmt++) {
		memset(buf, 0xaa, sizeof(buf));
		ck_assert_uint_eq(apmx_crycb_image(fmt, &m, buf, sizeof(buf)),
				  APMX_APCB0_BYTES);
		ck_assert_mem_eq(buf, expect, APMX_APCB0_BYTES);
		for (i = APMX_APCB0_BYTES; i < sizeof(buf); i++)
			ck_assert_uint_eq(buf[i], 0xaa);
		/*
		 * apcb0.apm is one __u64 on s390: big-endian, adapter n in bit
		 * 63 - n, so adapters 3 and 4 are 1 << 60 | 1 << 59.
		 */
		ck_assert(be64_of(buf) == (1ull << 60 | 1ull << 59));
		ck_assert(be64_of(buf + 8) == (1ull << 62 | 1ull << 61));
		ck_assert(be64_of(buf + 16) == 1ull << 62);
	}
}
END_TEST

/*
 * Edge ids.  Adapter 63 / domain 15: the rightmost bit (0x01) of byte 7 /
 * byte 1 of their masks.  Id 255: bit 0x01 of byte 31.  Adapter 64 and
 * domain 16: bit 0x80 of byte 8 / byte 2, beyond the APCB0.
 */
START_TEST(golden_edges)
{
	static const u8 f0_63_15[APMX_APCB0_BYTES] = {
		[7] = 0x01,		/* adapter 63: byte 7, bit 0x01 */
		[9] = 0x01,		/* domain 15: aqm at 8, byte 1 */
		[17] = 0x01,		/* control 15: adm at 16, byte 1 */
	};
	static const u8 f2_63_15[APMX_APCB1_BYTES] = {
		[7] = 0x01, [33] = 0x01, [65] = 0x01,
	};
	static const u8 f2_255[APMX_APCB1_BYTES] = {
		[31] = 0x01,		/* adapter 255: byte 31, bit 0x01 */
		[63] = 0x01,		/* domain 255: aqm at 32 + 31 */
		[95] = 0x01,		/* control 255: adm at 64 + 31 */
	};
	static const u8 f2_64_16[APMX_APCB1_BYTES] = {
		[8] = 0x80,		/* adapter 64: byte 8, bit 0x80 */
		[34] = 0x80,		/* domain 16: 32 + byte 2 */
		[66] = 0x80,		/* control 16: 64 + byte 2 */
	};
	static const u8 zero[APMX_APCB1_BYTES];
	struct kvm_s390_ap_masks m;
	u8 buf[APMX_APCB1_BYTES];

	ids_of(m.apm, 63, END);
	ids_of(m.aqm, 15, END);
	ids_of(m.adm, 15, END);
	ck_assert_uint_eq(apmx_crycb_image(0, &m, buf, sizeof(buf)), 32);
	ck_assert_mem_eq(buf, f0_63_15, APMX_APCB0_BYTES);
	ck_assert_uint_eq(apmx_crycb_image(1, &m, buf, sizeof(buf)), 32);
	ck_assert_mem_eq(buf, f0_63_15, APMX_APCB0_BYTES);
	ck_assert_uint_eq(apmx_crycb_image(2, &m, buf, sizeof(buf)), 128);
	ck_assert_mem_eq(buf, f2_63_15, APMX_APCB1_BYTES);

	ids_of(m.apm, 255, END);
	ids_of(m.aqm, 255, END);
	ids_of(m.adm, 255, END);
	ck_assert_uint_eq(apmx_crycb_image(2, &m, buf, sizeof(buf)), 128);
	ck_assert_mem_eq(buf, f2_255, APMX_APCB1_BYTES);
	memset(buf, 0xaa, sizeof(buf));
	ck_assert_uint_eq(apmx_crycb_image(0, &m, buf, sizeof(buf)), 32);
	ck_assert_mem_eq(buf, zero, APMX_APCB0_BYTES);	/* cannot hold 255 */

	ids_of(m.apm, 64, END);
	ids_of(m.aqm, 16, END);
	ids_of(m.adm, 16, END);
	ck_assert_uint_eq(apmx_crycb_image(2, &m, buf, sizeof(buf)), 128);
	ck_assert_mem_eq(buf, f2_64_16, APMX_APCB1_BYTES);
	memset(buf, 0xaa, sizeof(buf));
	ck_assert_uint_eq(apmx_crycb_image(1, &m, buf, sizeof(buf)), 32);
	ck_assert_mem_eq(buf, zero, APMX_APCB0_BYTES);	/* nor 64 / 16 */
}
END_TEST

START_TEST(image_bad_format_or_short_buffer)
{
	struct kvm_s390_ap_masks m;
	u8 buf[APMX_APCB1_BYTES], before[APMX_APCB1_BYTES];

	masks_34x12c1(&m);
	memset(buf, 0x77, sizeof(buf));
	memcpy(before, buf, sizeof(buf));
	ck_assert_uint_eq(apmx_crycb_image(3, &m, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(apmx_crycb_image(255, &m, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(apmx_crycb_image(2, &m, buf, APMX_APCB1_BYTES - 1), 0);
	ck_assert_uint_eq(apmx_crycb_image(0, &m, buf, APMX_APCB0_BYTES - 1), 0);
	ck_assert_mem_eq(buf, before, sizeof(buf));
	ck_assert_uint_eq(apmx_crycb_image(0, &m, buf, APMX_APCB0_BYTES), 32);
	ck_assert_uint_eq(apmx_crycb_image(2, &m, buf, APMX_APCB1_BYTES), 128);
}
END_TEST

static const struct {
	u8 format;
	bool apxa;
	u8 na, nd;
	u16 max_a, max_d;
} limits[] = {
	{ 2, true, 255, 255, 255, 255 },	/* format 2: the host's Na/Nd */
	{ 2, true, 85, 84, 85, 84 },
	{ 2, true, 15, 3, 15, 3 },
	{ 2, true, 0, 0, 63, 15 },		/* Na/Nd 0: AP bus defaults */
	{ 2, false, 200, 200, 63, 15 },		/* no APXA: host has 63/15 */
	{ 1, false, 0, 0, 63, 15 },		/* format 1: 63/15 */
	{ 1, false, 255, 255, 63, 15 },
	{ 1, true, 255, 255, 63, 15 },
	{ 1, true, 31, 7, 31, 7 },		/* clipped by Na/Nd */
	{ 0, false, 0, 0, 63, 15 },		/* format 0: 63/15 */
	{ 0, true, 255, 255, 63, 15 },
	{ 0, true, 40, 20, 40, 15 },
	{ 0, true, 100, 9, 63, 9 },
	{ 7, true, 255, 255, 63, 15 },		/* unknown format: APCB0 */
};

START_TEST(limits_table)
{
	struct apmx_limits lim;
	unsigned int i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		memset(&lim, 0xee, sizeof(lim));
		apmx_limits_init(&lim, limits[i].format, limits[i].apxa,
				 limits[i].na, limits[i].nd);
		ck_assert_msg(lim.max_adapter == limits[i].max_a &&
			      lim.max_domain == limits[i].max_d &&
			      lim.format == limits[i].format,
			      "row %u: %u/%u format %u", i, lim.max_adapter,
			      lim.max_domain, lim.format);
	}
}
END_TEST

static void fill_garbage(struct kvm_s390_ap_refusal *r)
{
	memset(r, 0xa5, sizeof(*r));
}

START_TEST(check_limits_each_field)
{
	struct kvm_s390_ap_refusal r, zero;
	struct kvm_s390_ap_masks m;
	struct apmx_limits lim;

	memset(&zero, 0, sizeof(zero));
	apmx_limits_init(&lim, 1, false, 0, 0);		/* 63 / 15 */

	ids_of(m.apm, 0, 63, END);
	ids_of(m.aqm, 0, 15, END);
	ids_of(m.adm, 15, END);
	fill_garbage(&r);
	ck_assert_int_eq(apmx_check_limits(&m, &lim, &r), 0);
	ck_assert_mem_eq(&r, &zero, sizeof(r));
	ck_assert_int_eq(apmx_check_limits(&m, &lim, NULL), 0);

	/* adapters first, the lowest offending id */
	ids_of(m.apm, 1, 200, 64, END);
	ids_of(m.aqm, 16, END);
	fill_garbage(&r);
	ck_assert_int_eq(apmx_check_limits(&m, &lim, &r), -EINVAL);
	ck_assert_uint_eq(r.reason, KVM_S390_AP_R_ID_RANGE);
	ck_assert_uint_eq(r.field, KVM_S390_AP_FIELD_ADAPTER);
	ck_assert_uint_eq(r.adapter, 64);
	ck_assert_uint_eq(r.domain, KVM_S390_AP_ID_NONE);
	ck_assert_uint_eq(r.holder_type, KVM_S390_AP_HOLDER_NONE);
	ck_assert_uint_eq(r.holder_pid, 0);
	ck_assert_uint_eq(r.holder_id, 0);
	ck_assert_uint_eq(r.pad, 0);
	ck_assert_int_eq(apmx_check_limits(&m, &lim, NULL), -EINVAL);

	/* then usage domains */
	ids_of(m.apm, 63, END);
	ids_of(m.aqm, 3, 17, 16, END);
	ids_of(m.adm, 99, END);
	fill_garbage(&r);
	ck_assert_int_eq(apmx_check_limits(&m, &lim, &r), -EINVAL);
	ck_assert_uint_eq(r.field, KVM_S390_AP_FIELD_DOMAIN);
	ck_assert_uint_eq(r.adapter, KVM_S390_AP_ID_NONE);
	ck_assert_uint_eq(r.domain, 16);
	ck_assert_uint_eq(r.reason, KVM_S390_AP_R_ID_RANGE);

	/* then control domains */
	ids_of(m.aqm, 15, END);
	fill_garbage(&r);
	ck_assert_int_eq(apmx_check_limits(&m, &lim, &r), -EINVAL);
	ck_assert_uint_eq(r.field, KVM_S390_AP_FIELD_CONTROL);
	ck_assert_uint_eq(r.adapter, KVM_S390_AP_ID_NONE);
	ck_assert_uint_eq(r.domain, 99);

	/* format 2 with the whole range: 255 passes */
	apmx_limits_init(&lim, 2, true, 255, 255);
	ids_of(m.apm, 255, END);
	ids_of(m.aqm, 255, END);
	ids_of(m.adm, 255, END);
	ck_assert_int_eq(apmx_check_limits(&m, &lim, &r), 0);
	/* a host with Na 84: 85 is refused even in format 2 */
	apmx_limits_init(&lim, 2, true, 84, 255);
	ids_of(m.apm, 84, 85, END);
	ck_assert_int_eq(apmx_check_limits(&m, &lim, &r), -EINVAL);
	ck_assert_uint_eq(r.adapter, 85);
}
END_TEST

START_TEST(effective_clips_to_format)
{
	struct kvm_s390_ap_masks in, out, expect;
	struct apmx_limits lim;

	ids_of(in.apm, 3, 63, 64, 200, END);
	ids_of(in.aqm, 1, 15, 16, END);
	ids_of(in.adm, 0, 15, 255, END);
	ids_of(expect.apm, 3, 63, END);
	ids_of(expect.aqm, 1, 15, END);
	ids_of(expect.adm, 0, 15, END);
	apmx_limits_init(&lim, 0, false, 0, 0);
	apmx_effective(&in, &lim, &out);
	ck_assert_mem_eq(&out, &expect, sizeof(out));
	apmx_limits_init(&lim, 1, true, 255, 255);
	apmx_effective(&in, &lim, &out);
	ck_assert_mem_eq(&out, &expect, sizeof(out));
	/* format 2 holds everything, whatever the host limits say */
	apmx_limits_init(&lim, 2, true, 15, 15);
	apmx_effective(&in, &lim, &out);
	ck_assert_mem_eq(&out, &in, sizeof(out));
	/* in place */
	apmx_limits_init(&lim, 1, false, 0, 0);
	apmx_effective(&in, &lim, &in);
	ck_assert_mem_eq(&in, &expect, sizeof(in));
}
END_TEST

/* Decode an image back into masks (only what the format can hold). */
static void decode(u8 format, const u8 *img, struct kvm_s390_ap_masks *m)
{
	memset(m, 0, sizeof(*m));
	if (format == 2) {
		memcpy(m->apm, img, 32);
		memcpy(m->aqm, img + 32, 32);
		memcpy(m->adm, img + 64, 32);
	} else {
		memcpy(m->apm, img, 8);
		memcpy(m->aqm, img + 8, 2);
		memcpy(m->adm, img + 16, 2);
	}
}

/* For random masks: image(m) decodes to effective(m), the rest is zero. */
START_TEST(image_is_effective_random)
{
	static const u8 zero[APMX_APCB1_BYTES];
	struct kvm_s390_ap_masks m, eff, back;
	struct apmx_limits lim;
	u8 img[APMX_APCB1_BYTES], img2[APMX_APCB1_BYTES];
	struct prng p;
	unsigned int round;
	u8 fmt;
	size_t n;

	prng_seed(&p, 0x6372796362);
	for (round = 0; round < 3000; round++) {
		fmt = round % 3;
		prng_mask(&p, m.apm, 1 + round % 500);
		prng_mask(&p, m.aqm, 1 + round % 300);
		prng_mask(&p, m.adm, 1 + round % 200);
		apmx_limits_init(&lim, fmt, true, 255, 255);
		apmx_effective(&m, &lim, &eff);
		memset(img, 0x5a, sizeof(img));
		n = apmx_crycb_image(fmt, &m, img, sizeof(img));
		EXPECT((n) == (fmt == 2 ? 128 : 32));
		decode(fmt, img, &back);
		EXPECT_MEM_EQ(&back, &eff, sizeof(back));
		if (fmt == 2) {
			EXPECT_MEM_EQ(img + 96, zero, 32);
		} else {
			EXPECT_MEM_EQ(img + 10, zero, 6);
			EXPECT_MEM_EQ(img + 18, zero, 14);
		}
		/* the image of the effective masks is the same image */
		memset(img2, 0xa5, sizeof(img2));
		EXPECT((apmx_crycb_image(fmt, &eff, img2,
						   sizeof(img2))) == (n));
		EXPECT_MEM_EQ(img2, img, n);
	}
}
END_TEST

Suite *crycb_suite(void)
{
	Suite *s = suite_create("crycb");
	TCase *tc = tcase_create("crycb");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, golden_format2_3_4_x_1_2);
	tcase_add_test(tc, golden_format0_1_3_4_x_1_2);
	tcase_add_test(tc, golden_edges);
	tcase_add_test(tc, image_bad_format_or_short_buffer);
	tcase_add_test(tc, limits_table);
	tcase_add_test(tc, check_limits_each_field);
	tcase_add_test(tc, effective_clips_to_format);
	tcase_add_test(tc, image_is_effective_random);
	suite_add_tcase(s, tc);
	return s;
}
