// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the apmx core as the kernel builds it: masks in the
 * architecture's bit order on a big-endian host, id lists, CRYCB limits,
 * the CRYCB bytes that kvm_arch_crypto_set_masks() really writes, and the
 * all-or-nothing rules of the global APQN ownership table.
 */
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/ap.h>
#include <asm/debug.h>
#include "apmx.h"
#include "ap-matrix.h"

/* Expect @len bytes at @a and @b to be equal; report the first difference. */
static void apmx_expect_bytes(struct kunit *test, const void *a,
			      const void *b, size_t len, const char *what)
{
	const u8 *x = a, *y = b;
	size_t i;

	for (i = 0; i < len; i++) {
		if (x[i] != y[i]) {
			KUNIT_FAIL(test, "%s: byte %zu is 0x%02x, expected 0x%02x",
				   what, i, x[i], y[i]);
			return;
		}
	}
}

/* ---- masks ---------------------------------------------------------------- */

static void apmx_test_mask_bit_order(struct kunit *test)
{
	u8 m[APMX_MASK_BYTES] = {};

	apmx_mask_set(m, 0);
	KUNIT_EXPECT_EQ(test, m[0], 0x80);
	apmx_mask_set(m, 7);
	KUNIT_EXPECT_EQ(test, m[0], 0x81);
	apmx_mask_set(m, 8);
	KUNIT_EXPECT_EQ(test, m[1], 0x80);
	apmx_mask_set(m, 255);
	KUNIT_EXPECT_EQ(test, m[31], 0x01);
	KUNIT_EXPECT_TRUE(test, apmx_mask_test(m, 7));
	KUNIT_EXPECT_FALSE(test, apmx_mask_test(m, 6));
	KUNIT_EXPECT_EQ(test, apmx_mask_weight(m), 4U);
	KUNIT_EXPECT_EQ(test, apmx_mask_next(m, 1), 7U);
	KUNIT_EXPECT_EQ(test, apmx_mask_next(m, 9), 255U);
	KUNIT_EXPECT_EQ(test, apmx_mask_last(m), 255);
	apmx_mask_clear(m, 255);
	KUNIT_EXPECT_EQ(test, apmx_mask_next(m, 9), (unsigned int)APMX_NR_IDS);
	KUNIT_EXPECT_EQ(test, apmx_mask_last(m), 8);
	apmx_mask_clear(m, 0);
	apmx_mask_clear(m, 7);
	apmx_mask_clear(m, 8);
	KUNIT_EXPECT_TRUE(test, apmx_mask_empty(m));
	KUNIT_EXPECT_EQ(test, apmx_mask_last(m), -1);
}

/*
 * The kernel hands masks to kvm_arch_crypto_set_masks() as unsigned long
 * arrays and tests them with the MSB-0 ("inverted") bitops: on s390 the
 * byte image must read back as the same ids through those.
 */
static void apmx_test_mask_matches_kernel_bitops(struct kunit *test)
{
	unsigned long ul[APMX_MASK_BYTES / sizeof(unsigned long)];
	u8 m[APMX_MASK_BYTES];
	struct rnd_state rs;
	unsigned int id, round;

	prandom_seed_state(&rs, 0x5390);
	for (round = 0; round < 16; round++) {
		prandom_bytes_state(&rs, m, sizeof(m));
		memcpy(ul, m, sizeof(ul));
		for (id = 0; id < APMX_NR_IDS; id++)
			KUNIT_ASSERT_EQ_MSG(test, apmx_mask_test(m, id),
					    !!test_bit_inv(id, ul),
					    "id %u, round %u", id, round);
	}
	memset(ul, 0, sizeof(ul));
	set_bit_inv(0, ul);
	set_bit_inv(66, ul);
	memcpy(m, ul, sizeof(m));
	KUNIT_EXPECT_EQ(test, apmx_mask_weight(m), 2U);
	KUNIT_EXPECT_TRUE(test, apmx_mask_test(m, 0));
	KUNIT_EXPECT_TRUE(test, apmx_mask_test(m, 66));
}

static void apmx_test_mask_clip_and(struct kunit *test)
{
	u8 a[APMX_MASK_BYTES], b[APMX_MASK_BYTES] = {}, c[APMX_MASK_BYTES];

	memset(a, 0xff, sizeof(a));
	apmx_mask_clip(a, 15);
	KUNIT_EXPECT_EQ(test, apmx_mask_weight(a), 16U);
	KUNIT_EXPECT_EQ(test, apmx_mask_last(a), 15);
	apmx_mask_set(b, 15);
	apmx_mask_set(b, 16);
	KUNIT_EXPECT_TRUE(test, apmx_mask_intersects(a, b));
	apmx_mask_and(c, a, b);
	KUNIT_EXPECT_EQ(test, apmx_mask_weight(c), 1U);
	KUNIT_EXPECT_TRUE(test, apmx_mask_test(c, 15));
	apmx_mask_clear(b, 15);
	KUNIT_EXPECT_FALSE(test, apmx_mask_intersects(a, b));
	memset(a, 0xff, sizeof(a));
	apmx_mask_clip(a, 255);
	KUNIT_EXPECT_EQ(test, apmx_mask_weight(a), 256U);
}

/* ---- id lists ------------------------------------------------------------- */

/*
 * The id-list vectors every implementation of the syntax passes
 * (apmx-idlist-vectors.h), one parameter each.
 */
struct apmx_idlist_vector {
	const char *input;
	unsigned int max;
	const char *canonical;	/* NULL: refused */
	int rc;
	size_t pos;
	const char *msg;
};

static const struct apmx_idlist_vector apmx_idlist_ok[] = {
#define APMX_IDLIST_OK(input, max, canonical)	{ input, max, canonical },
#define APMX_IDLIST_ERR(input, max, errname, pos, msg)
#include "apmx-idlist-vectors.h"
#undef APMX_IDLIST_OK
#undef APMX_IDLIST_ERR
};

static const struct apmx_idlist_vector apmx_idlist_err[] = {
#define APMX_IDLIST_OK(input, max, canonical)
#define APMX_IDLIST_ERR(input, max, errname, pos, msg)	\
	{ input, max, NULL, -(errname), pos, msg },
#include "apmx-idlist-vectors.h"
#undef APMX_IDLIST_OK
#undef APMX_IDLIST_ERR
};

/* The input as the case's name; '?' for non-printables and '#' (TAP). */
static void apmx_idlist_desc(const struct apmx_idlist_vector *v, char *desc)
{
	size_t i;

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\" max %u", v->input,
		 v->max);
	for (i = 0; desc[i]; i++)
		if (desc[i] < ' ' || desc[i] >= 0x7f || desc[i] == '#')
			desc[i] = '?';
}

KUNIT_ARRAY_PARAM(apmx_idlist_ok, apmx_idlist_ok, apmx_idlist_desc);
KUNIT_ARRAY_PARAM(apmx_idlist_err, apmx_idlist_err, apmx_idlist_desc);

static void apmx_test_idlist_ok(struct kunit *test)
{
	const struct apmx_idlist_vector *v = test->param_value;
	u8 m[APMX_MASK_BYTES], again[APMX_MASK_BYTES];
	char err[APMX_ERRMSG_LEN], buf[APMX_IDLIST_FMT_LEN];

	memset(m, 0xee, sizeof(m));
	strscpy(err, "stale", sizeof(err));
	KUNIT_ASSERT_EQ_MSG(test, apmx_idlist_parse(v->input, v->max, m, err,
						    sizeof(err)), 0,
			    "%s", err);
	KUNIT_EXPECT_STREQ(test, err, "");
	KUNIT_EXPECT_EQ(test, apmx_idlist_format(m, buf, sizeof(buf)),
			strlen(v->canonical));
	KUNIT_EXPECT_STREQ(test, buf, v->canonical);
	/* the canonical form parses to the same set */
	KUNIT_ASSERT_EQ(test, apmx_idlist_parse(buf, 255, again, NULL, 0), 0);
	apmx_expect_bytes(test, again, m, sizeof(m), "canonical form");
}

static void apmx_test_idlist_err(struct kunit *test)
{
	const struct apmx_idlist_vector *v = test->param_value;
	u8 m[APMX_MASK_BYTES], old[APMX_MASK_BYTES];
	char err[APMX_ERRMSG_LEN], at[40];

	memset(m, 0x3c, sizeof(m));
	memcpy(old, m, sizeof(m));
	KUNIT_EXPECT_EQ(test, apmx_idlist_parse(v->input, v->max, m, err,
						sizeof(err)), v->rc);
	KUNIT_EXPECT_STREQ(test, err, v->msg);
	snprintf(at, sizeof(at), "' at position %zu: ", v->pos);
	KUNIT_EXPECT_NOT_NULL(test, strstr(err, at));
	/* refusals leave the mask alone, with or without a message buffer */
	apmx_expect_bytes(test, m, old, sizeof(m), "refused parse");
	KUNIT_EXPECT_EQ(test, apmx_idlist_parse(v->input, v->max, m, NULL, 0),
			v->rc);
	apmx_expect_bytes(test, m, old, sizeof(m), "refused parse, no message");
}

/* ---- limits --------------------------------------------------------------- */

static void apmx_test_limits(struct kunit *test)
{
	struct kvm_s390_ap_masks m = {};
	struct kvm_s390_ap_refusal r;
	struct apmx_limits lim;

	apmx_limits_init(&lim, APMX_CRYCB_FORMAT2, true, 84, 84);
	KUNIT_EXPECT_EQ(test, lim.max_adapter, 84);
	KUNIT_EXPECT_EQ(test, lim.max_domain, 84);
	apmx_limits_init(&lim, APMX_CRYCB_FORMAT2, false, 84, 84);
	KUNIT_EXPECT_EQ(test, lim.max_adapter, KVM_S390_AP_APCB0_MAX_ADAPTER);
	KUNIT_EXPECT_EQ(test, lim.max_domain, KVM_S390_AP_APCB0_MAX_DOMAIN);
	apmx_limits_init(&lim, APMX_CRYCB_FORMAT1, true, 255, 255);
	KUNIT_EXPECT_EQ(test, lim.max_adapter, KVM_S390_AP_APCB0_MAX_ADAPTER);
	KUNIT_EXPECT_EQ(test, lim.max_domain, KVM_S390_AP_APCB0_MAX_DOMAIN);
	KUNIT_EXPECT_EQ(test, lim.format, APMX_CRYCB_FORMAT1);

	apmx_mask_set(m.apm, 63);
	apmx_mask_set(m.aqm, 15);
	apmx_mask_set(m.adm, 0);
	KUNIT_EXPECT_EQ(test, apmx_check_limits(&m, &lim, &r), 0);
	KUNIT_EXPECT_EQ(test, r.reason, (u32)KVM_S390_AP_OK);

	apmx_mask_set(m.adm, 16);
	apmx_mask_set(m.adm, 20);
	KUNIT_EXPECT_EQ(test, apmx_check_limits(&m, &lim, &r), -EINVAL);
	KUNIT_EXPECT_EQ(test, r.reason, (u32)KVM_S390_AP_R_ID_RANGE);
	KUNIT_EXPECT_EQ(test, r.field, KVM_S390_AP_FIELD_CONTROL);
	KUNIT_EXPECT_EQ(test, r.domain, 16);
	KUNIT_EXPECT_EQ(test, r.adapter, KVM_S390_AP_ID_NONE);

	/* adapters are checked first */
	apmx_mask_set(m.apm, 64);
	KUNIT_EXPECT_EQ(test, apmx_check_limits(&m, &lim, &r), -EINVAL);
	KUNIT_EXPECT_EQ(test, r.field, KVM_S390_AP_FIELD_ADAPTER);
	KUNIT_EXPECT_EQ(test, r.adapter, 64);
	KUNIT_EXPECT_EQ(test, r.domain, KVM_S390_AP_ID_NONE);
}

/* ---- the CRYCB as kvm_arch_crypto_set_masks() writes it -------------------- */

struct apmx_fake_vm {
	struct kvm *kvm;
	struct kvm_s390_crypto_cb *crycb;
};

/* A VM with no vCPU: enough for kvm_arch_crypto_{set,clear}_masks(). */
static void apmx_fake_vm_init(struct kunit *test, struct apmx_fake_vm *vm)
{
	vm->kvm = kvzalloc(sizeof(*vm->kvm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm->kvm);
	vm->crycb = kunit_kzalloc(test, sizeof(*vm->crycb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm->crycb);
	mutex_init(&vm->kvm->lock);
	xa_init(&vm->kvm->vcpu_array);
	vm->kvm->arch.dbf = debug_register("apmx-kunit", 1, 1,
					   7 * sizeof(long));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vm->kvm->arch.dbf);
	vm->kvm->arch.crypto.crycb = vm->crycb;
}

static void apmx_fake_vm_exit(struct apmx_fake_vm *vm)
{
	debug_unregister(vm->kvm->arch.dbf);
	kvfree(vm->kvm);
}

/* Set the masks exactly as the kernel does: unsigned long arrays. */
static void apmx_kernel_set_masks(struct kvm *kvm,
				  const struct kvm_s390_ap_masks *m)
{
	unsigned long apm[APMX_MASK_BYTES / sizeof(unsigned long)];
	unsigned long aqm[APMX_MASK_BYTES / sizeof(unsigned long)];
	unsigned long adm[APMX_MASK_BYTES / sizeof(unsigned long)];

	memcpy(apm, m->apm, sizeof(apm));
	memcpy(aqm, m->aqm, sizeof(aqm));
	memcpy(adm, m->adm, sizeof(adm));
	mutex_lock(&kvm->lock);
	kvm_arch_crypto_set_masks(kvm, apm, aqm, adm);
	mutex_unlock(&kvm->lock);
}

static void apmx_check_crycb(struct kunit *test, struct apmx_fake_vm *vm,
			     u8 format, const struct kvm_s390_ap_masks *req)
{
	static const u32 crycbd_fmt[] = {
		[APMX_CRYCB_FORMAT0] = CRYCB_FORMAT0,
		[APMX_CRYCB_FORMAT1] = CRYCB_FORMAT1,
		[APMX_CRYCB_FORMAT2] = CRYCB_FORMAT2,
	};
	struct kvm_s390_ap_masks eff;
	struct apmx_limits lim;
	u8 img[APMX_APCB1_BYTES];
	size_t n;

	apmx_limits_init(&lim, format, true, 255, 255);
	apmx_effective(req, &lim, &eff);
	n = apmx_crycb_image(format, &eff, img, sizeof(img));

	memset(vm->crycb, 0, sizeof(*vm->crycb));
	vm->kvm->arch.crypto.crycbd = crycbd_fmt[format];
	apmx_kernel_set_masks(vm->kvm, &eff);

	if (format == APMX_CRYCB_FORMAT2) {
		KUNIT_ASSERT_EQ(test, n, sizeof(vm->crycb->apcb1));
		apmx_expect_bytes(test, &vm->crycb->apcb1, img, n, "APCB1");
	} else {
		KUNIT_ASSERT_EQ(test, n, sizeof(vm->crycb->apcb0));
		apmx_expect_bytes(test, &vm->crycb->apcb0, img, n, "APCB0");
	}

	/* a request beyond the format is cut to the same image */
	if (format != APMX_CRYCB_FORMAT2) {
		u8 img2[APMX_APCB1_BYTES];

		KUNIT_EXPECT_EQ(test, apmx_crycb_image(format, req, img2,
						       sizeof(img2)), n);
		apmx_expect_bytes(test, img2, img, n, "clipped image");
	}

	mutex_lock(&vm->kvm->lock);
	kvm_arch_crypto_clear_masks(vm->kvm);
	mutex_unlock(&vm->kvm->lock);
	memset(img, 0, sizeof(img));
	apmx_expect_bytes(test, &vm->crycb->apcb0, img,
			  sizeof(vm->crycb->apcb0), "cleared APCB0");
	apmx_expect_bytes(test, &vm->crycb->apcb1, img,
			  sizeof(vm->crycb->apcb1), "cleared APCB1");
}

static void apmx_test_crycb_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct kvm_s390_apcb0),
			(size_t)APMX_APCB0_BYTES);
	KUNIT_EXPECT_EQ(test, sizeof(struct kvm_s390_apcb1),
			(size_t)APMX_APCB1_BYTES);
	KUNIT_EXPECT_EQ(test, offsetof(struct kvm_s390_crypto_cb, apcb1),
			(size_t)0x80);
}

static void apmx_test_crycb_set_masks(struct kunit *test)
{
	struct kvm_s390_ap_masks m = {};
	struct apmx_fake_vm vm;
	struct rnd_state rs;
	u8 format;
	int round;

	apmx_fake_vm_init(test, &vm);
	/* single ids at the byte and word edges */
	apmx_mask_set(m.apm, 0);
	apmx_mask_set(m.apm, 63);
	apmx_mask_set(m.apm, 64);
	apmx_mask_set(m.aqm, 7);
	apmx_mask_set(m.aqm, 15);
	apmx_mask_set(m.aqm, 255);
	apmx_mask_set(m.adm, 8);
	for (format = APMX_CRYCB_FORMAT0; format <= APMX_CRYCB_FORMAT2; format++)
		apmx_check_crycb(test, &vm, format, &m);

	/* and random matrices */
	prandom_seed_state(&rs, 0xc7ecb);
	for (round = 0; round < 32; round++) {
		prandom_bytes_state(&rs, &m, sizeof(m));
		for (format = APMX_CRYCB_FORMAT0; format <= APMX_CRYCB_FORMAT2;
		     format++)
			apmx_check_crycb(test, &vm, format, &m);
	}
	apmx_fake_vm_exit(&vm);
}

/* ---- the ownership table -------------------------------------------------- */

struct apmx_table_fixture {
	struct apmx_table t;
	struct apmx_owner a, b, g;
	struct apmx_apqn_set rel, clm;
};

static void apmx_ids(struct kvm_s390_ap_masks *m, const unsigned int *apm,
		     const unsigned int *aqm, const unsigned int *adm)
{
	memset(m, 0, sizeof(*m));
	for (; apm && *apm != ~0U; apm++)
		apmx_mask_set(m->apm, *apm);
	for (; aqm && *aqm != ~0U; aqm++)
		apmx_mask_set(m->aqm, *aqm);
	for (; adm && *adm != ~0U; adm++)
		apmx_mask_set(m->adm, *adm);
}

#define IDS(...) ((const unsigned int []){ __VA_ARGS__, ~0U })

static struct apmx_table_fixture *apmx_fixture(struct kunit *test)
{
	struct apmx_table_fixture *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, f);
	apmx_table_init(&f->t);
	f->a.type = KVM_S390_AP_HOLDER_VM;
	f->a.id = 1;
	f->a.pid = 100;
	f->b.type = KVM_S390_AP_HOLDER_VM;
	f->b.id = 2;
	f->b.pid = 200;
	f->g.type = KVM_S390_AP_HOLDER_GRANT;
	f->g.id = 3;
	f->g.pid = 300;
	return f;
}

/* Snapshot of adapters 0-7 (all domains): enough for these tests. */
#define SNAP_ADAPTERS 8
static struct apmx_slot *apmx_snapshot(struct kunit *test,
				       const struct apmx_table *t)
{
	struct apmx_slot *s;
	unsigned int a, d;

	s = kunit_kcalloc(test, SNAP_ADAPTERS * APMX_NR_IDS, sizeof(*s),
			  GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s);
	for (a = 0; a < SNAP_ADAPTERS; a++)
		for (d = 0; d < APMX_NR_IDS; d++)
			apmx_table_lookup(t, a, d, &s[a * APMX_NR_IDS + d]);
	return s;
}

static void apmx_expect_unchanged(struct kunit *test,
				  const struct apmx_table *t,
				  const struct apmx_slot *before)
{
	struct apmx_slot *now = apmx_snapshot(test, t);

	apmx_expect_bytes(test, now, before,
			  SNAP_ADAPTERS * APMX_NR_IDS * sizeof(*now),
			  "table slots");
}

static void apmx_test_table_conflict(struct kunit *test)
{
	struct apmx_table_fixture *f = apmx_fixture(test);
	struct kvm_s390_ap_masks want, held_b;
	struct kvm_s390_ap_refusal r;
	struct apmx_slot *before, s;

	apmx_ids(&want, IDS(1), IDS(2, 3), IDS(4));
	KUNIT_ASSERT_EQ(test, apmx_table_replace(&f->t, &f->a, &want, NULL,
						 NULL, NULL, &f->rel, &f->clm,
						 &r), 0);
	KUNIT_EXPECT_EQ(test, apmx_set_weight(&f->clm), 3U);
	KUNIT_EXPECT_EQ(test, apmx_set_weight(&f->rel), 0U);
	apmx_table_lookup(&f->t, 1, 2, &s);
	KUNIT_EXPECT_PTR_EQ(test, s.user, &f->a);
	KUNIT_EXPECT_TRUE(test, s.state & APMX_SLOT_USAGE);
	apmx_table_lookup(&f->t, 1, 4, &s);
	KUNIT_EXPECT_TRUE(test, s.state & APMX_SLOT_CONTROL);

	/* B asks for 0-2 x 3: (1,3) is A's; nothing of B's request lands */
	apmx_ids(&held_b, IDS(5), IDS(5), NULL);
	KUNIT_ASSERT_EQ(test, apmx_table_replace(&f->t, &f->b, &held_b, NULL,
						 NULL, NULL, NULL, NULL, &r), 0);
	before = apmx_snapshot(test, &f->t);
	apmx_ids(&want, IDS(0, 1, 2), IDS(3), NULL);
	KUNIT_EXPECT_EQ(test, apmx_table_replace(&f->t, &f->b, &want, NULL,
						 NULL, NULL, &f->rel, &f->clm,
						 &r), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, r.reason, (u32)KVM_S390_AP_R_IN_USE);
	KUNIT_EXPECT_EQ(test, r.adapter, 1);
	KUNIT_EXPECT_EQ(test, r.domain, 3);
	KUNIT_EXPECT_EQ(test, r.holder_type, KVM_S390_AP_HOLDER_VM);
	KUNIT_EXPECT_EQ(test, r.holder_id, 1ULL);
	KUNIT_EXPECT_EQ(test, r.holder_pid, 100);
	KUNIT_EXPECT_EQ(test, apmx_set_weight(&f->rel), 0U);
	KUNIT_EXPECT_EQ(test, apmx_set_weight(&f->clm), 0U);
	KUNIT_EXPECT_EQ(test, memcmp(&f->b.held, &held_b, sizeof(held_b)), 0);
	apmx_expect_unchanged(test, &f->t, before);

	/* a control domain of A is exclusive too */
	apmx_ids(&want, IDS(1), NULL, IDS(4));
	KUNIT_EXPECT_EQ(test, apmx_table_replace(&f->t, &f->b, &want, NULL,
						 NULL, NULL, NULL, NULL, &r),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, r.domain, 4);
	apmx_expect_unchanged(test, &f->t, before);
	apmx_table_destroy(&f->t);
}

static void apmx_test_table_release(struct kunit *test)
{
	struct apmx_table_fixture *f = apmx_fixture(test);
	struct kvm_s390_ap_masks want;
	struct kvm_s390_ap_refusal r;
	struct apmx_slot s;

	apmx_ids(&want, IDS(2), IDS(6, 7), NULL);
	KUNIT_ASSERT_EQ(test, apmx_table_replace(&f->t, &f->a, &want, NULL,
						 NULL, NULL, NULL, NULL, &r), 0);
	/* shrink: (2,7) is released and withheld until its reset is done */
	apmx_ids(&want, IDS(2), IDS(6), NULL);
	KUNIT_ASSERT_EQ(test, apmx_table_replace(&f->t, &f->a, &want, NULL,
						 NULL, NULL, &f->rel, &f->clm,
						 &r), 0);
	KUNIT_EXPECT_EQ(test, apmx_set_weight(&f->rel), 1U);
	KUNIT_EXPECT_TRUE(test, apmx_set_test(&f->rel, 2, 7));
	KUNIT_EXPECT_EQ(test, apmx_set_weight(&f->clm), 0U);
	apmx_table_lookup(&f->t, 2, 7, &s);
	KUNIT_EXPECT_NULL(test, s.user);
	KUNIT_EXPECT_TRUE(test, s.state & APMX_SLOT_RESETTING);

	apmx_ids(&want, IDS(2), IDS(7), NULL);
	KUNIT_EXPECT_EQ(test, apmx_table_replace(&f->t, &f->b, &want, NULL,
						 NULL, NULL, NULL, NULL, &r),
			-EIO);
	KUNIT_EXPECT_EQ(test, r.reason, (u32)KVM_S390_AP_R_QUARANTINED);

	apmx_table_reset_done(&f->t, 2, 7, true);
	KUNIT_EXPECT_EQ(test, apmx_table_replace(&f->t, &f->b, &want, NULL,
						 NULL, NULL, NULL, NULL, &r), 0);

	/* a reset that cannot be verified quarantines the queue for good */
	memset(&want, 0, sizeof(want));
	KUNIT_ASSERT_EQ(test, apmx_table_replace(&f->t, &f->b, &want, NULL,
						 NULL, NULL, &f->rel, NULL,
						 &r), 0);
	KUNIT_EXPECT_TRUE(test, apmx_set_test(&f->rel, 2, 7));
	apmx_table_reset_done(&f->t, 2, 7, false);
	apmx_table_lookup(&f->t, 2, 7, &s);
	KUNIT_EXPECT_TRUE(test, s.state & APMX_SLOT_QUARANTINED);
	apmx_ids(&want, IDS(2), IDS(7), NULL);
	KUNIT_EXPECT_EQ(test, apmx_table_replace(&f->t, &f->a, &want, NULL,
						 NULL, NULL, NULL, NULL, &r),
			-EIO);
	KUNIT_EXPECT_EQ(test, r.holder_type, KVM_S390_AP_HOLDER_QUARANTINE);
	apmx_table_destroy(&f->t);
}

static int apmx_veto_3_9(void *ctx, unsigned int apid, unsigned int apqi,
			 bool control, struct kvm_s390_ap_refusal *r)
{
	int *calls = ctx;

	(*calls)++;
	if (apid != 3 || apqi != 9)
		return 0;
	apmx_refusal_fill(r, KVM_S390_AP_R_HOST_OWNED, KVM_S390_AP_FIELD_APQN,
			  apid, apqi, NULL, KVM_S390_AP_HOLDER_HOST);
	return -EADDRNOTAVAIL;
}

static void apmx_test_table_veto(struct kunit *test)
{
	struct apmx_table_fixture *f = apmx_fixture(test);
	struct kvm_s390_ap_masks want;
	struct kvm_s390_ap_refusal r;
	struct apmx_slot *before;
	int calls = 0;

	before = apmx_snapshot(test, &f->t);
	apmx_ids(&want, IDS(1, 3), IDS(8, 9), NULL);
	KUNIT_EXPECT_EQ(test, apmx_table_replace(&f->t, &f->a, &want, NULL,
						 apmx_veto_3_9, &calls, NULL,
						 NULL, &r), -EADDRNOTAVAIL);
	KUNIT_EXPECT_EQ(test, calls, 4);
	KUNIT_EXPECT_EQ(test, r.reason, (u32)KVM_S390_AP_R_HOST_OWNED);
	KUNIT_EXPECT_EQ(test, r.adapter, 3);
	KUNIT_EXPECT_EQ(test, r.domain, 9);
	KUNIT_EXPECT_EQ(test, r.holder_type, KVM_S390_AP_HOLDER_HOST);
	KUNIT_EXPECT_TRUE(test, apmx_mask_empty(f->a.held.apm));
	apmx_expect_unchanged(test, &f->t, before);
	apmx_table_destroy(&f->t);
}

static void apmx_test_table_grant(struct kunit *test)
{
	struct apmx_table_fixture *f = apmx_fixture(test);
	struct kvm_s390_ap_masks res, want;
	struct kvm_s390_ap_refusal r;
	struct apmx_slot s;

	apmx_ids(&res, IDS(4), IDS(1, 2), NULL);
	KUNIT_ASSERT_EQ(test, apmx_table_reserve(&f->t, &f->g, &res, NULL, NULL,
						 &r), 0);
	/* without the grant: reserved by someone else */
	apmx_ids(&want, IDS(4), IDS(1), NULL);
	KUNIT_EXPECT_EQ(test, apmx_table_replace(&f->t, &f->a, &want, NULL,
						 NULL, NULL, NULL, NULL, &r),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, r.reason, (u32)KVM_S390_AP_R_RESERVED);
	KUNIT_EXPECT_EQ(test, r.holder_type, KVM_S390_AP_HOLDER_GRANT);
	KUNIT_EXPECT_EQ(test, r.holder_id, 3ULL);
	/* a grant covering less than the request */
	apmx_ids(&want, IDS(4), IDS(1, 3), NULL);
	KUNIT_EXPECT_EQ(test, apmx_table_replace(&f->t, &f->a, &want, &f->g,
						 NULL, NULL, NULL, NULL, &r),
			-EPERM);
	KUNIT_EXPECT_EQ(test, r.reason, (u32)KVM_S390_AP_R_NOT_GRANTED);
	KUNIT_EXPECT_EQ(test, r.domain, 3);
	/* a subset of the grant */
	apmx_ids(&want, IDS(4), IDS(1), NULL);
	KUNIT_EXPECT_EQ(test, apmx_table_replace(&f->t, &f->a, &want, &f->g,
						 NULL, NULL, NULL, NULL, &r), 0);
	/* the grant ends: the guest keeps what it uses */
	apmx_table_unreserve(&f->t, &f->g);
	apmx_table_lookup(&f->t, 4, 1, &s);
	KUNIT_EXPECT_PTR_EQ(test, s.user, &f->a);
	KUNIT_EXPECT_NULL(test, s.reserver);
	apmx_table_lookup(&f->t, 4, 2, &s);
	KUNIT_EXPECT_NULL(test, s.reserver);
	KUNIT_EXPECT_NULL(test, s.user);
	apmx_table_destroy(&f->t);
}

/* A grant reserves per kind: a control domain granted is no usage queue. */
static void apmx_test_table_grant_kinds(struct kunit *test)
{
	struct apmx_table_fixture *f = apmx_fixture(test);
	struct kvm_s390_ap_masks res, want;
	struct kvm_s390_ap_refusal r;
	struct apmx_slot s;

	apmx_ids(&res, IDS(5), NULL, IDS(4));
	KUNIT_ASSERT_EQ(test, apmx_table_reserve(&f->t, &f->g, &res, NULL, NULL,
						 &r), 0);
	apmx_table_lookup(&f->t, 5, 4, &s);
	KUNIT_EXPECT_EQ(test, s.reserved, (u8)APMX_SLOT_CONTROL);
	apmx_ids(&want, IDS(5), IDS(4), NULL);
	KUNIT_EXPECT_EQ(test, apmx_table_replace(&f->t, &f->a, &want, &f->g,
						 NULL, NULL, NULL, NULL, &r),
			-EPERM);
	KUNIT_EXPECT_EQ(test, r.reason, (u32)KVM_S390_AP_R_NOT_GRANTED);
	KUNIT_EXPECT_EQ(test, r.holder_type, KVM_S390_AP_HOLDER_NONE);
	/* as control domain, as granted */
	KUNIT_EXPECT_EQ(test, apmx_table_replace(&f->t, &f->a, &res, &f->g,
						 NULL, NULL, NULL, NULL, &r), 0);
	/* and not upgraded to usage under the same grant */
	apmx_ids(&want, IDS(5), IDS(4), IDS(4));
	KUNIT_EXPECT_EQ(test, apmx_table_replace(&f->t, &f->a, &want, &f->g,
						 NULL, NULL, NULL, NULL, &r),
			-EPERM);
	apmx_table_unreserve(&f->t, &f->g);
	apmx_table_destroy(&f->t);
}

/*
 * The AQIC answer the PQAP hook leaves in the guest's GR1 is the status
 * word 6.1's vfio_ap handle_pqap() leaves there: the 4 bytes of struct
 * ap_queue_status copied into GR1, shifted down by 32 (big-endian, so the
 * response code lands in bits 16-23 and E, R, F, I above it).
 */
static void apmx_test_aqic_status_word(struct kunit *test)
{
	static const u8 rcs[] = { 0x00, 0x01, 0x06, 0x07, 0x08 };
	struct ap_queue_status st;
	unsigned int i, bits;
	u64 gr1;

	for (i = 0; i < ARRAY_SIZE(rcs); i++) {
		for (bits = 0; bits < 16; bits++) {
			memset(&st, 0, sizeof(st));
			st.response_code = rcs[i];
			st.queue_empty = bits & 1;
			st.replies_waiting = !!(bits & 2);
			st.queue_full = !!(bits & 4);
			st.irq_enabled = !!(bits & 8);
			gr1 = 0;
			memcpy(&gr1, &st, sizeof(st));
			gr1 >>= 32;
			KUNIT_EXPECT_EQ(test, apmx_aqic_status_word(st), gr1);
			KUNIT_EXPECT_EQ(test, (apmx_aqic_status_word(st) >> 16) &
					0xff, (u64)rcs[i]);
		}
	}
}

static struct kunit_case apmx_test_cases[] = {
	KUNIT_CASE(apmx_test_mask_bit_order),
	KUNIT_CASE(apmx_test_mask_matches_kernel_bitops),
	KUNIT_CASE(apmx_test_mask_clip_and),
	KUNIT_CASE_PARAM(apmx_test_idlist_ok, apmx_idlist_ok_gen_params),
	KUNIT_CASE_PARAM(apmx_test_idlist_err, apmx_idlist_err_gen_params),
	KUNIT_CASE(apmx_test_limits),
	KUNIT_CASE(apmx_test_crycb_layout),
	KUNIT_CASE(apmx_test_crycb_set_masks),
	KUNIT_CASE(apmx_test_table_conflict),
	KUNIT_CASE(apmx_test_table_release),
	KUNIT_CASE(apmx_test_table_veto),
	KUNIT_CASE(apmx_test_table_grant),
	KUNIT_CASE(apmx_test_table_grant_kinds),
	KUNIT_CASE(apmx_test_aqic_status_word),
	{}
};

static struct kunit_suite apmx_test_suite = {
	.name = "kvm-s390-ap-matrix",
	.test_cases = apmx_test_cases,
};

kunit_test_suite(apmx_test_suite);
