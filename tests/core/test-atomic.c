// SPDX-License-Identifier: GPL-2.0
/* Atomicity: every refused claim or reservation, -ENOMEM at each allocation. */
#include <stdlib.h>
#include "table-util.h"

START_TEST(every_refusal_is_atomic)
{
	struct busy b;
	struct apmx_owner v4 = VM(4, 4);
	struct kvm_s390_ap_masks before;
	struct kvm_s390_ap_refusal r;
	struct veto_log l;
	struct snap s;
	const struct {
		struct apmx_owner *who;
		const char *apm, *aqm, *adm;
		bool grant;
		int rc;
		u32 reason;
		unsigned int a, d;
	} cases[] = {
		/* conflict with another guest (v4 also wants free APQNs) */
		{ &v4, "0,2,9", "4,6", "", false, -EADDRINUSE, KVM_S390_AP_R_IN_USE, 2, 6 },
		/* a guest growing into another guest's APQN */
		{ &b.v1, "1,2,3", "5,6", "", false, -EADDRINUSE, KVM_S390_AP_R_IN_USE, 3, 5 },
		/* resetting */
		{ &v4, "3", "8", "", false, -EIO, KVM_S390_AP_R_QUARANTINED, 3, 8 },
		/* quarantined, as control domain, by its former user */
		{ &b.v1, "1,2", "5", "7", false, -EIO, KVM_S390_AP_R_QUARANTINED, 1, 7 },
		/* reserved by a grant, no grant presented */
		{ &v4, "11", "2", "", false, -EADDRINUSE, KVM_S390_AP_R_RESERVED, 11, 2 },
		/* not granted: (11,4) lies outside G */
		{ &v4, "11", "1,2,4", "", true, -EPERM, KVM_S390_AP_R_NOT_GRANTED, 11, 4 },
		/* granted, but another guest uses it */
		{ &v4, "10", "1", "", true, -EADDRINUSE, KVM_S390_AP_R_IN_USE, 10, 1 },
		/* reserved by another grant than the one presented: outside
		 * the caller's grant, so nothing about the other grant */
		{ &v4, "200", "200", "", true, -EPERM, KVM_S390_AP_R_NOT_GRANTED, 200, 200 },
		/* G reserves 11.0003 for control only: not as a usage queue */
		{ &v4, "11", "3", "", true, -EPERM, KVM_S390_AP_R_NOT_GRANTED, 11, 3 },
		/* G reserves 11.0001 for usage only: not as a control domain */
		{ &v4, "11", "2", "1", true, -EPERM, KVM_S390_AP_R_NOT_GRANTED, 11, 1 },
		/* outside the grant comes first: v2's 03.0005 is not
		 * named, nor the reset of 03.0008 */
		{ &v4, "3", "5", "", true, -EPERM, KVM_S390_AP_R_NOT_GRANTED, 3, 5 },
		{ &v4, "3", "8", "", true, -EPERM, KVM_S390_AP_R_NOT_GRANTED, 3, 8 },
	};
	unsigned int i;

	busy_fill(&b);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kvm_s390_ap_masks want = M(cases[i].apm, cases[i].aqm,
						  cases[i].adm);
		int rc;

		snap_take(&s);
		before = cases[i].who->held;
		rc = apmx_table_replace(&T, cases[i].who, &want,
					cases[i].grant ? &b.G : NULL,
					NULL, NULL, NULL, NULL, &r);
		ck_assert_msg(rc == cases[i].rc, "case %u: %d", i, rc);
		ck_assert_msg(r.reason == cases[i].reason &&
			      r.adapter == cases[i].a && r.domain == cases[i].d,
			      "case %u: reason %u at (%u,%u)", i, r.reason,
			      r.adapter, r.domain);
		snap_check(&s);
		ck_assert_mem_eq(&cases[i].who->held, &before, sizeof(before));
		snap_free(&s);
		/* and the same request as a reservation of a new grant */
		if (cases[i].reason != KVM_S390_AP_R_NOT_GRANTED) {
			struct apmx_owner g = GRANT(99, 99);

			snap_take(&s);
			ck_assert(apmx_table_reserve(&T, &g, &want, NULL,
						     NULL, &r) < 0);
			snap_check(&s);
			ck_assert(apmx_mask_empty(g.held.apm));
			snap_free(&s);
		}
	}
	/* veto */
	{
		struct kvm_s390_ap_masks want = M("0,1,2,50", "5,9", "");

		snap_take(&s);
		before = b.v1.held;
		veto_reset(&l, 50, 9);
		ck_assert_int_eq(apmx_table_replace(&T, &b.v1, &want, NULL,
						    veto_rec, &l, NULL, NULL,
						    &r), -EADDRNOTAVAIL);
		snap_check(&s);
		ck_assert_mem_eq(&b.v1.held, &before, sizeof(before));
		snap_free(&s);
	}
	assert_rows_tight();
}
END_TEST

/*
 * -ENOMEM at each allocation a claim makes: fail the 1st, 2nd, ... until
 * the call succeeds; every failure leaves the table bit-identical and
 * leaks nothing.  The claim needs exactly one new row per new adapter.
 */
static void enomem_each_allocation(bool reserving)
{
	struct busy b;
	struct apmx_owner v4 = VM(4, 4), g = GRANT(77, 77);
	struct apmx_owner *who = reserving ? &g : &v4;
	/* adapters 1 and 3 have rows; 0, 60, 61, 255 need new ones */
	struct kvm_s390_ap_masks want = M("0,1,3,60,61,255", "0,9", "100");
	struct kvm_s390_ap_refusal r;
	struct snap s;
	unsigned long n, fails = 0;
	int rc;

	busy_fill(&b);
	for (n = 1; ; n++) {
		snap_take(&s);
		shim_slab_reset();
		shim_slab_fail_nth(n);
		if (reserving)
			rc = apmx_table_reserve(&T, who, &want, NULL, NULL, &r);
		else
			rc = apmx_table_replace(&T, who, &want, NULL, NULL,
						NULL, NULL, NULL, &r);
		if (rc == 0) {
			ck_assert_uint_eq(shim_slab_failed(), 0);
			snap_free(&s);
			break;
		}
		fails++;
		ck_assert_int_eq(rc, -ENOMEM);
		ck_assert_uint_eq(shim_slab_failed(), 1);
		ck_assert_uint_eq(r.reason, KVM_S390_AP_OK);
		ck_assert_uint_eq(r.adapter, KVM_S390_AP_ID_NONE);
		ck_assert_uint_eq(r.domain, KVM_S390_AP_ID_NONE);
		snap_check(&s);
		ck_assert(apmx_mask_empty(who->held.apm));
		snap_free(&s);
		ck_assert_uint_lt(n, 100);
	}
	ck_assert_uint_eq(fails, 4);
	ck_assert_uint_eq(shim_slab_allocs(), 4);
	ck_assert_ptr_nonnull(T.rows[0]);
	ck_assert_ptr_nonnull(T.rows[255]);
	if (reserving)
		ck_assert_ptr_eq(slot(255, 100).reserver, &g);
	else
		ck_assert_ptr_eq(slot(255, 100).user, &v4);
	assert_rows_tight();
}

START_TEST(enomem_at_each_allocation_replace)
{
	enomem_each_allocation(false);
}
END_TEST

START_TEST(enomem_at_each_allocation_reserve)
{
	enomem_each_allocation(true);
}
END_TEST

Suite *atomic_suite(void)
{
	Suite *s = suite_create("atomic");
	TCase *tc = tcase_create("atomic");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_refusal_is_atomic);
	tcase_add_test(tc, enomem_at_each_allocation_replace);
	tcase_add_test(tc, enomem_at_each_allocation_reserve);
	suite_add_tcase(s, tc);
	return s;
}
