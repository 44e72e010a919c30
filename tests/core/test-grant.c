// SPDX-License-Identifier: GPL-2.0
/* Grants: reservations, grant-covered claims, grants closing, resets. */
#include <stdlib.h>
#include "table-util.h"

START_TEST(grant_lifecycle)
{
	struct apmx_owner G = GRANT(50, 500), G2 = GRANT(51, 501);
	struct apmx_owner v1 = VM(1, 1), v2 = VM(2, 2), v3 = VM(3, 3);
	struct kvm_s390_ap_refusal r;

	ck_assert_int_eq(reserve(&G, M("1,2", "5,6", ""), &r), 0);
	assert_zero_refusal(&r);
	ck_assert_ptr_eq(slot(1, 5).reserver, &G);
	ck_assert_ptr_eq(slot(2, 6).reserver, &G);
	ck_assert_ptr_null(slot(1, 5).user);

	/* a VM uses part of the grant */
	ck_assert_int_eq(claim_g(&v1, M("1", "5", ""), &G, &r), 0);
	ck_assert_ptr_eq(slot(1, 5).user, &v1);
	ck_assert_ptr_eq(slot(1, 5).reserver, &G);
	/* one grant, two VMs: not the same APQN, but another one */
	ck_assert_int_eq(claim_g(&v2, M("1", "5", ""), &G, &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 1, 5, KVM_S390_AP_HOLDER_VM, &v1);
	ck_assert_int_eq(claim_g(&v2, M("2", "5", ""), &G, &r), 0);
	/* a grant covering less than the request: the first uncovered APQN */
	ck_assert_int_eq(claim_g(&v3, M("1,2", "6,7", ""), &G, &r), -EPERM);
	assert_refusal(&r, KVM_S390_AP_R_NOT_GRANTED, 1, 7,
		       KVM_S390_AP_HOLDER_NONE, NULL);
	/* control domains need the grant as well */
	ck_assert_int_eq(claim_g(&v3, M("1", "6", "8"), &G, &r), -EPERM);
	assert_refusal(&r, KVM_S390_AP_R_NOT_GRANTED, 1, 8,
		       KVM_S390_AP_HOLDER_NONE, NULL);
	/* without the grant, a reserved APQN names the grant */
	ck_assert_int_eq(claim(&v3, M("1", "6", ""), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_RESERVED, 1, 6,
		       KVM_S390_AP_HOLDER_GRANT, &G);
	/* with another grant, it lies outside that grant: no holder */
	ck_assert_int_eq(reserve(&G2, M("7", "7", ""), &r), 0);
	ck_assert_int_eq(claim_g(&v3, M("1,7", "6,7", ""), &G2, &r), -EPERM);
	assert_refusal(&r, KVM_S390_AP_R_NOT_GRANTED, 1, 6,
		       KVM_S390_AP_HOLDER_NONE, NULL);
	/* a second grant cannot reserve what the first reserves... */
	ck_assert_int_eq(reserve(&G2, M("2,7", "6,7", ""), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_RESERVED, 2, 6,
		       KVM_S390_AP_HOLDER_GRANT, &G);
	/* ...nor what a guest uses (the guest is named) */
	ck_assert_int_eq(reserve(&G2, M("1", "5", ""), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 1, 5, KVM_S390_AP_HOLDER_VM, &v1);
	/* G2 still reserves exactly (7,7) */
	ck_assert_ptr_eq(slot(7, 7).reserver, &G2);
	{
		struct kvm_s390_ap_masks m77 = M("7", "7", "");

		ck_assert_mem_eq(&G2.held, &m77, sizeof(m77));
	}

	/* the grant closes while the guests run: they keep their queues */
	apmx_table_unreserve(&T, &G);
	ck_assert(apmx_mask_empty(G.held.apm));
	ck_assert_ptr_eq(slot(1, 5).user, &v1);
	ck_assert_ptr_null(slot(1, 5).reserver);
	ck_assert_ptr_eq(slot(2, 5).user, &v2);
	ck_assert_ptr_null(slot(1, 6).reserver);
	ck_assert_uint_eq(slot(1, 6).state, 0);
	assert_rows_tight();
	/* a used APQN without a grant cannot be reserved */
	ck_assert_int_eq(reserve(&G2, M("1", "5", ""), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 1, 5, KVM_S390_AP_HOLDER_VM, &v1);
	/* v1 gives it back: resetting, not reservable until reset */
	ck_assert_int_eq(claim(&v1, NONE_M, &r), 0);
	ck_assert_int_eq(reserve(&G2, M("1", "5", ""), &r), -EIO);
	assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 1, 5,
		       KVM_S390_AP_HOLDER_QUARANTINE, NULL);
	apmx_table_reset_done(&T, 1, 5, true);
	ck_assert_int_eq(reserve(&G2, M("1", "5", ""), &r), 0);
	/* reserve replaces: (7,7) dropped, (1,5) reserved */
	ck_assert_ptr_null(T.rows[7]);
	ck_assert_ptr_eq(slot(1, 5).reserver, &G2);
	apmx_table_unreserve(&T, &G2);
	ck_assert_int_eq(claim(&v2, NONE_M, &r), 0);
	apmx_table_reset_done(&T, 2, 5, true);
	for (unsigned int a = 0; a < APMX_NR_IDS; a++)
		ck_assert_ptr_null(T.rows[a]);
	ck_assert_int_eq(shim_slab_live(), live0);
}
END_TEST

/* A guest's released APQN stays reserved by its grant through the reset. */
START_TEST(grant_survives_reset_of_its_queue)
{
	struct apmx_owner G = GRANT(50, 500), v1 = VM(1, 1), v2 = VM(2, 2);
	struct kvm_s390_ap_refusal r;

	ck_assert_int_eq(reserve(&G, M("4", "4", "9"), &r), 0);
	ck_assert_int_eq(claim_g(&v1, M("4", "4", "9"), &G, &r), 0);
	ck_assert_uint_eq(slot(4, 9).state, APMX_SLOT_CONTROL);
	ck_assert_int_eq(claim_g(&v1, NONE_M, &G, &r), 0);
	ck_assert_uint_eq(slot(4, 4).state, APMX_SLOT_RESETTING);
	ck_assert_ptr_eq(slot(4, 4).reserver, &G);
	ck_assert_int_eq(claim_g(&v2, M("4", "4", ""), &G, &r), -EIO);
	assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 4, 4,
		       KVM_S390_AP_HOLDER_QUARANTINE, NULL);
	apmx_table_reset_done(&T, 4, 4, true);
	apmx_table_reset_done(&T, 4, 9, true);
	ck_assert_ptr_eq(slot(4, 4).reserver, &G);
	ck_assert_int_eq(claim_g(&v2, M("4", "4", "9"), &G, &r), 0);
	/* a reservation may be vetoed, atomically */
	{
		struct apmx_owner G3 = GRANT(52, 502);
		struct kvm_s390_ap_masks want = M("5,6", "1", "");
		struct veto_log l;
		struct snap s;

		snap_take(&s);
		veto_reset(&l, 6, 1);
		ck_assert_int_eq(apmx_table_reserve(&T, &G3, &want, veto_rec,
						    &l, &r), -EADDRNOTAVAIL);
		ck_assert_uint_eq(l.n, 2);
		ck_assert(r.adapter == 6 && r.domain == 1);
		snap_check(&s);
		snap_free(&s);
		ck_assert(apmx_mask_empty(G3.held.apm));
	}
}
END_TEST

/* A grant gives exactly the kinds it grants, per APQN. */
START_TEST(grant_kinds_are_exact)
{
	struct apmx_owner G = GRANT(50, 500), v1 = VM(1, 1);
	struct kvm_s390_ap_refusal r;

	/* 05.0004 for control only, 05.0001 for usage only, 05.0002 both */
	ck_assert_int_eq(reserve(&G, M("5", "1,2", "2,4"), &r), 0);
	ck_assert_uint_eq(slot(5, 4).reserved, APMX_SLOT_CONTROL);
	ck_assert_uint_eq(slot(5, 1).reserved, APMX_SLOT_USAGE);
	ck_assert_uint_eq(slot(5, 2).reserved,
			  APMX_SLOT_USAGE | APMX_SLOT_CONTROL);
	/* a control domain granted is not a usage queue granted */
	ck_assert_int_eq(claim_g(&v1, M("5", "4", ""), &G, &r), -EPERM);
	assert_refusal(&r, KVM_S390_AP_R_NOT_GRANTED, 5, 4,
		       KVM_S390_AP_HOLDER_NONE, NULL);
	/* nor the reverse */
	ck_assert_int_eq(claim_g(&v1, M("5", "", "1"), &G, &r), -EPERM);
	assert_refusal(&r, KVM_S390_AP_R_NOT_GRANTED, 5, 1,
		       KVM_S390_AP_HOLDER_NONE, NULL);
	ck_assert(apmx_mask_empty(v1.held.apm));
	/* what it grants, it gives */
	ck_assert_int_eq(claim_g(&v1, M("5", "1,2", "2,4"), &G, &r), 0);
	/* held as control only: using it for usage needs the grant too */
	ck_assert_int_eq(claim_g(&v1, M("5", "1,2,4", "2,4"), &G, &r), -EPERM);
	assert_refusal(&r, KVM_S390_AP_R_NOT_GRANTED, 5, 4,
		       KVM_S390_AP_HOLDER_NONE, NULL);
	/* held for usage only: adding it as control needs the grant too */
	ck_assert_int_eq(claim_g(&v1, M("5", "1,2", "1,2,4"), &G, &r), -EPERM);
	assert_refusal(&r, KVM_S390_AP_R_NOT_GRANTED, 5, 1,
		       KVM_S390_AP_HOLDER_NONE, NULL);
	/* any other grant is no key to what v1 already holds */
	{
		struct apmx_owner G2 = GRANT(51, 501);

		ck_assert_int_eq(reserve(&G2, M("6", "1", ""), &r), 0);
		ck_assert_int_eq(claim_g(&v1, M("5", "1,2,4", "2,4"), &G2, &r),
				 -EPERM);
		assert_refusal(&r, KVM_S390_AP_R_NOT_GRANTED, 5, 4,
			       KVM_S390_AP_HOLDER_NONE, NULL);
		apmx_table_unreserve(&T, &G2);
	}
	ck_assert_uint_eq(slot(5, 4).state, APMX_SLOT_CONTROL);
	/* a re-reservation changes the kinds of the APQNs it keeps */
	ck_assert_int_eq(reserve(&G, M("5", "1,2,4", "2,4"), &r), 0);
	ck_assert_uint_eq(slot(5, 4).reserved,
			  APMX_SLOT_USAGE | APMX_SLOT_CONTROL);
	ck_assert_int_eq(claim_g(&v1, M("5", "1,2,4", "2,4"), &G, &r), 0);
	apmx_table_unreserve(&T, &G);
	ck_assert_uint_eq(slot(5, 4).reserved, 0);
	ck_assert_int_eq(claim(&v1, NONE_M, &r), 0);
	apmx_table_reset_done(&T, 5, 1, true);
	apmx_table_reset_done(&T, 5, 2, true);
	apmx_table_reset_done(&T, 5, 4, true);
	assert_rows_tight();
	ck_assert_ptr_null(T.rows[5]);
}
END_TEST

Suite *grant_suite(void)
{
	Suite *s = suite_create("grant");
	TCase *tc = tcase_create("grant");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, grant_lifecycle);
	tcase_add_test(tc, grant_survives_reset_of_its_queue);
	tcase_add_test(tc, grant_kinds_are_exact);
	suite_add_tcase(s, tc);
	return s;
}
