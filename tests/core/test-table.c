// SPDX-License-Identifier: GPL-2.0
/* The ownership table: claims, conflicts, control domains, resets, veto. */
#include <stdlib.h>
#include "table-util.h"

/* ---- the vfio-ap documentation's examples ------------------------------ */

START_TEST(vfio_ap_doc_example_valid_disjoint_domains)
{
	struct apmx_owner g1 = VM(100, 1), g2 = VM(200, 2);
	struct kvm_s390_ap_masks want;
	struct kvm_s390_ap_refusal r;
	unsigned int a, d;

	ck_assert_int_eq(claim(&g1, M("1,2", "5,6", ""), &r), 0);
	assert_zero_refusal(&r);
	ck_assert_int_eq(claim(&g2, M("1,2", "7", ""), &r), 0);
	assert_zero_refusal(&r);
	for (a = 1; a <= 2; a++) {
		for (d = 5; d <= 7; d++) {
			ck_assert_ptr_eq(slot(a, d).user, d == 7 ? &g2 : &g1);
			ck_assert_uint_eq(slot(a, d).state, APMX_SLOT_USAGE);
			ck_assert_ptr_null(slot(a, d).reserver);
		}
	}
	ck_assert_ptr_null(slot(1, 4).user);
	ck_assert_ptr_null(slot(3, 5).user);
	want = M("1,2", "7", "");
	ck_assert_mem_eq(&g2.held, &want, sizeof(want));
}
END_TEST

START_TEST(vfio_ap_doc_example_valid_disjoint_adapters)
{
	struct apmx_owner g1 = VM(100, 1), g2 = VM(200, 2);
	struct kvm_s390_ap_refusal r;

	ck_assert_int_eq(claim(&g1, M("1,2", "5,6", ""), &r), 0);
	ck_assert_int_eq(claim(&g2, M("3,4", "5,6", ""), &r), 0);
	ck_assert_ptr_eq(slot(2, 6).user, &g1);
	ck_assert_ptr_eq(slot(3, 5).user, &g2);
	ck_assert_ptr_eq(slot(4, 6).user, &g2);
}
END_TEST

START_TEST(vfio_ap_doc_example_invalid_overlap)
{
	struct apmx_owner g1 = VM(100, 1), g2 = VM(200, 2);
	struct kvm_s390_ap_refusal r;
	struct snap s;

	ck_assert_int_eq(claim(&g1, M("1,2", "5,6", ""), &r), 0);
	snap_take(&s);
	ck_assert_int_eq(claim(&g2, M("1", "6,7", ""), &r), -EADDRINUSE);
	/* the conflict is APQN (1,6), held by G1 */
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 1, 6, KVM_S390_AP_HOLDER_VM,
		       &g1);
	snap_check(&s);
	ck_assert(apmx_mask_empty(g2.held.apm));
	snap_free(&s);
}
END_TEST

/* The first conflict in ascending (adapter, domain) order, its holder. */
START_TEST(first_conflict_in_apqn_order)
{
	struct apmx_owner g1 = VM(1, 11), g2 = VM(2, 12), g3 = VM(3, 13);
	struct kvm_s390_ap_refusal r;

	ck_assert_int_eq(claim(&g1, M("5", "9", ""), &r), 0);
	ck_assert_int_eq(claim(&g3, M("3", "200,7", ""), &r), 0);
	ck_assert_int_eq(claim(&g2, M("3,5", "7,9,200", ""), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 3, 7, KVM_S390_AP_HOLDER_VM, &g3);
	/* adapter order beats domain order: (4,2) before (5,1) */
	ck_assert_int_eq(claim(&g1, M("5", "1,9", ""), &r), 0);
	ck_assert_int_eq(claim(&g3, M("4", "2", ""), &r), 0);
	ck_assert_int_eq(claim(&g2, M("4,5", "1,2", ""), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 4, 2, KVM_S390_AP_HOLDER_VM, &g3);
	/* a control-domain conflict at (0,0) comes first */
	ck_assert_int_eq(claim(&g3, M("0,4", "2", "0"), &r), 0);
	ck_assert_int_eq(claim(&g2, M("0,5", "1", "0"), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 0, 0, KVM_S390_AP_HOLDER_VM, &g3);
	/* id 255 on both axes */
	ck_assert_int_eq(claim(&g1, M("255", "255", ""), &r), 0);
	ck_assert_int_eq(claim(&g2, M("255", "254", "255"), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 255, 255, KVM_S390_AP_HOLDER_VM, &g1);
}
END_TEST

/*
 * Control domains are exclusive per APQN: nobody else may use or control
 * an APQN a guest controls, while the same guest may have an APQN both
 * ways.  (vfio_ap shares control domains; see docs/design.md.)
 */
START_TEST(control_domains_exclusive_per_apqn)
{
	struct apmx_owner g1 = VM(1, 1), g2 = VM(2, 2);
	struct kvm_s390_ap_refusal r;

	ck_assert_int_eq(claim(&g1, M("1", "", "5"), &r), 0);
	ck_assert_uint_eq(slot(1, 5).state, APMX_SLOT_CONTROL);
	ck_assert_ptr_eq(slot(1, 5).user, &g1);
	ck_assert_int_eq(claim(&g2, M("1", "5", ""), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 1, 5, KVM_S390_AP_HOLDER_VM, &g1);
	ck_assert_int_eq(claim(&g2, M("1", "", "5"), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 1, 5, KVM_S390_AP_HOLDER_VM, &g1);
	/* a usage APQN cannot be taken as control domain either */
	ck_assert_int_eq(claim(&g2, M("2", "6", ""), &r), 0);
	ck_assert_int_eq(claim(&g1, M("1,2", "", "5,6"), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 2, 6, KVM_S390_AP_HOLDER_VM, &g2);
	/* same domain on another adapter is another APQN */
	ck_assert_int_eq(claim(&g2, M("2", "5,6", ""), &r), 0);
	/* the same guest may use and control one APQN */
	ck_assert_int_eq(claim(&g1, M("1", "5", "5"), &r), 0);
	ck_assert_uint_eq(slot(1, 5).state, APMX_SLOT_USAGE | APMX_SLOT_CONTROL);
	ck_assert_ptr_eq(slot(1, 5).user, &g1);
}
END_TEST

/* replace() reports exactly the released and the newly claimed APQNs. */
START_TEST(replace_reports_released_and_claimed)
{
	struct apmx_owner g = VM(7, 70);
	struct kvm_s390_ap_masks want = M("1,2", "5,6", "");
	struct apmx_apqn_set *rel = malloc(sizeof(*rel));
	struct apmx_apqn_set *cl = malloc(sizeof(*cl));
	struct kvm_s390_ap_refusal r;

	memset(rel, 0xff, sizeof(*rel));
	memset(cl, 0xff, sizeof(*cl));
	ck_assert_int_eq(apmx_table_replace(&T, &g, &want, NULL, NULL, NULL,
					    rel, cl, &r), 0);
	ck_assert_uint_eq(apmx_set_weight(rel), 0);
	ck_assert_uint_eq(apmx_set_weight(cl), 4);
	ck_assert(apmx_set_test(cl, 1, 5) && apmx_set_test(cl, 2, 6));

	want = M("2,3", "6,7", "");
	ck_assert_int_eq(apmx_table_replace(&T, &g, &want, NULL, NULL, NULL,
					    rel, cl, &r), 0);
	/* released: (1,5) (1,6) (2,5); kept: (2,6) */
	ck_assert_uint_eq(apmx_set_weight(rel), 3);
	ck_assert(apmx_set_test(rel, 1, 5));
	ck_assert(apmx_set_test(rel, 1, 6));
	ck_assert(apmx_set_test(rel, 2, 5));
	/* claimed: (2,7) (3,6) (3,7) */
	ck_assert_uint_eq(apmx_set_weight(cl), 3);
	ck_assert(apmx_set_test(cl, 2, 7));
	ck_assert(apmx_set_test(cl, 3, 6));
	ck_assert(apmx_set_test(cl, 3, 7));
	ck_assert(!apmx_set_test(cl, 2, 6));
	ck_assert(!apmx_set_test(cl, 256, 6));
	ck_assert(!apmx_set_test(cl, 2, 256));
	/* released APQNs have no user and are resetting */
	ck_assert_ptr_null(slot(1, 5).user);
	ck_assert_uint_eq(slot(1, 5).state, APMX_SLOT_RESETTING);
	ck_assert_ptr_eq(slot(2, 6).user, &g);
	ck_assert_uint_eq(slot(2, 6).state, APMX_SLOT_USAGE);

	/* usage -> control only on a kept APQN: neither released nor claimed */
	want = M("2,3", "7", "6");
	ck_assert_int_eq(apmx_table_replace(&T, &g, &want, NULL, NULL, NULL,
					    rel, cl, &r), 0);
	ck_assert_uint_eq(apmx_set_weight(rel), 0);
	ck_assert_uint_eq(apmx_set_weight(cl), 0);
	ck_assert_uint_eq(slot(2, 6).state, APMX_SLOT_CONTROL);
	ck_assert_ptr_eq(slot(2, 6).user, &g);

	/* an empty matrix releases everything */
	ck_assert_int_eq(apmx_table_replace(&T, &g, &NONE_M, NULL, NULL, NULL,
					    rel, cl, &r), 0);
	ck_assert_uint_eq(apmx_set_weight(rel), 4);
	ck_assert_uint_eq(apmx_set_weight(cl), 0);
	ck_assert(apmx_mask_empty(g.held.apm));
	free(rel);
	free(cl);
}
END_TEST

/* Released APQNs are withheld until reset_done(); failed resets quarantine. */
START_TEST(resetting_and_quarantine)
{
	struct apmx_owner g1 = VM(1, 1), g2 = VM(2, 2);
	struct kvm_s390_ap_refusal r;
	struct snap s;

	ck_assert_int_eq(claim(&g1, M("1,2", "5,6", ""), &r), 0);
	ck_assert_int_eq(claim(&g1, M("2", "6", ""), &r), 0);
	/* (1,5) (1,6) (2,5) resetting: nobody gets them, not even g1 */
	snap_take(&s);
	ck_assert_int_eq(claim(&g2, M("1", "5", ""), &r), -EIO);
	assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 1, 5,
		       KVM_S390_AP_HOLDER_QUARANTINE, NULL);
	ck_assert_int_eq(claim(&g1, M("2", "5,6", ""), &r), -EIO);
	assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 2, 5,
		       KVM_S390_AP_HOLDER_QUARANTINE, NULL);
	snap_check(&s);
	snap_free(&s);

	/* reset_done on slots that are not withheld changes nothing */
	snap_take(&s);
	apmx_table_reset_done(&T, 2, 6, true);		/* in use */
	apmx_table_reset_done(&T, 3, 3, false);		/* free */
	apmx_table_reset_done(&T, 2, 7, false);		/* free, row exists */
	apmx_table_reset_done(&T, 256, 1, true);
	apmx_table_reset_done(&T, 1, 256, true);
	snap_check(&s);
	snap_free(&s);

	/* ok: free again; the row of adapter 1 goes when both are done */
	apmx_table_reset_done(&T, 1, 5, true);
	ck_assert_uint_eq(slot(1, 5).state, 0);
	ck_assert_ptr_nonnull(T.rows[1]);
	apmx_table_reset_done(&T, 1, 6, true);
	ck_assert_ptr_null(T.rows[1]);
	ck_assert_int_eq(claim(&g2, M("1", "5", ""), &r), 0);

	/* !ok: quarantined, refused, and stays so on a second failure */
	apmx_table_reset_done(&T, 2, 5, false);
	ck_assert_uint_eq(slot(2, 5).state, APMX_SLOT_QUARANTINED);
	ck_assert_int_eq(claim(&g2, M("1,2", "5", ""), &r), -EIO);
	assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 2, 5,
		       KVM_S390_AP_HOLDER_QUARANTINE, NULL);
	apmx_table_reset_done(&T, 2, 5, false);
	ck_assert_uint_eq(slot(2, 5).state, APMX_SLOT_QUARANTINED);
	/* a later verified reset releases a quarantined queue */
	apmx_table_reset_done(&T, 2, 5, true);
	ck_assert_uint_eq(slot(2, 5).state, 0);
	ck_assert_int_eq(claim(&g2, M("1,2", "5", ""), &r), 0);
	assert_rows_tight();
}
END_TEST


/*
 * apmx_table_withhold(): a free (or only reserved) APQN becomes RESETTING,
 * refused to every claim and reservation (-EIO, the APQN named) until
 * apmx_table_reset_done(); the reservation stays.  A used or withheld
 * APQN, ids above 255 and a row that cannot be allocated are refused with
 * the table unchanged.
 */
START_TEST(withhold_free_apqn)
{
	struct apmx_owner g1 = VM(1, 1), g2 = VM(2, 2), G = GRANT(3, 3);
	struct kvm_s390_ap_refusal r;
	struct snap s;

	ck_assert_int_eq(claim(&g1, M("1", "5", "7"), &r), 0);
	ck_assert_int_eq(reserve(&G, M("2", "4", ""), &r), 0);

	/* free, no row yet: withheld, the row allocated */
	ck_assert_ptr_null(T.rows[3]);
	memset(&r, 0xff, sizeof(r));
	ck_assert_int_eq(apmx_table_withhold(&T, 3, 9, &r), 0);
	assert_zero_refusal(&r);
	ck_assert_uint_eq(slot(3, 9).state, APMX_SLOT_RESETTING);
	ck_assert_int_eq(claim(&g2, M("3", "8,9", ""), &r), -EIO);
	assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 3, 9,
		       KVM_S390_AP_HOLDER_QUARANTINE, NULL);
	ck_assert_int_eq(reserve(&G, M("2,3", "4,9", ""), &r), -EIO);
	assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 3, 9,
		       KVM_S390_AP_HOLDER_QUARANTINE, NULL);

	/* refusals change nothing */
	snap_take(&s);
	ck_assert_int_eq(apmx_table_withhold(&T, 3, 9, &r), -EIO);
	assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 3, 9,
		       KVM_S390_AP_HOLDER_QUARANTINE, NULL);
	ck_assert_int_eq(apmx_table_withhold(&T, 1, 5, &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 1, 5, KVM_S390_AP_HOLDER_VM,
		       &g1);
	ck_assert_int_eq(apmx_table_withhold(&T, 1, 7, &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 1, 7, KVM_S390_AP_HOLDER_VM,
		       &g1);
	ck_assert_int_eq(apmx_table_withhold(&T, 256, 1, &r), -EINVAL);
	ck_assert_int_eq(apmx_table_withhold(&T, 1, 256, &r), -EINVAL);
	shim_slab_fail_nth(1);
	ck_assert_int_eq(apmx_table_withhold(&T, 4, 1, &r), -ENOMEM);
	ck_assert_uint_eq(r.adapter, KVM_S390_AP_ID_NONE);
	ck_assert_uint_eq(r.domain, KVM_S390_AP_ID_NONE);
	snap_check(&s);
	snap_free(&s);

	/* reserved: withheld, the reservation kept, the grant's guest refused */
	ck_assert_int_eq(apmx_table_withhold(&T, 2, 4, &r), 0);
	ck_assert_uint_eq(slot(2, 4).state, APMX_SLOT_RESETTING);
	ck_assert_ptr_eq(slot(2, 4).reserver, &G);
	ck_assert_int_eq(claim_g(&g2, M("2", "4", ""), &G, &r), -EIO);
	assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 2, 4,
		       KVM_S390_AP_HOLDER_QUARANTINE, NULL);

	/* given back: free again, the rows tight, claims work */
	apmx_table_reset_done(&T, 3, 9, true);
	ck_assert_uint_eq(slot(3, 9).state, 0);
	ck_assert_ptr_null(T.rows[3]);
	apmx_table_reset_done(&T, 2, 4, true);
	ck_assert_uint_eq(slot(2, 4).state, 0);
	ck_assert_ptr_eq(slot(2, 4).reserver, &G);
	ck_assert_int_eq(claim_g(&g2, M("2", "4", ""), &G, &r), 0);
	ck_assert_int_eq(claim(&g2, M("3", "9", ""), &r), 0);
	assert_rows_tight();
}
END_TEST

/* ---- veto ---------------------------------------------------------------- */

START_TEST(veto_asked_for_new_and_upgraded_apqns)
{
	struct apmx_owner g = VM(1, 1);
	struct kvm_s390_ap_masks want = M("3,1", "4", "2,4");
	struct kvm_s390_ap_refusal r;
	struct veto_log l;

	veto_reset(&l, 256, 256);
	ck_assert_int_eq(apmx_table_replace(&T, &g, &want, NULL, veto_rec, &l,
					    NULL, NULL, &r), 0);
	ck_assert(l.prefilled_ok);
	ck_assert_uint_eq(l.n, 4);
	ck_assert(l.apid[0] == 1 && l.apqi[0] == 2 && l.control[0]);
	ck_assert(l.apid[1] == 1 && l.apqi[1] == 4 && !l.control[1]);
	ck_assert(l.apid[2] == 3 && l.apqi[2] == 2 && l.control[2]);
	ck_assert(l.apid[3] == 3 && l.apqi[3] == 4 && !l.control[3]);
	assert_zero_refusal(&r);

	/* (1,2): control -> usage is asked again; (1,4) usage -> control not */
	want = M("1", "2", "4");
	veto_reset(&l, 256, 256);
	ck_assert_int_eq(apmx_table_replace(&T, &g, &want, NULL, veto_rec, &l,
					    NULL, NULL, &r), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert(l.apid[0] == 1 && l.apqi[0] == 2 && !l.control[0]);

	/* nothing new: not asked at all */
	veto_reset(&l, 256, 256);
	ck_assert_int_eq(apmx_table_replace(&T, &g, &want, NULL, veto_rec, &l,
					    NULL, NULL, &r), 0);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(veto_refusal_and_precedence)
{
	struct apmx_owner g1 = VM(1, 1), g2 = VM(2, 2);
	struct kvm_s390_ap_masks want;
	struct kvm_s390_ap_refusal r;
	struct veto_log l;
	struct snap s;

	ck_assert_int_eq(claim(&g1, M("1", "5", ""), &r), 0);
	snap_take(&s);
	/* the veto's errno and report are passed on */
	want = M("1", "4,6", "");
	veto_reset(&l, 1, 6);
	ck_assert_int_eq(apmx_table_replace(&T, &g2, &want, NULL, veto_rec,
					    &l, NULL, NULL, &r), -EADDRNOTAVAIL);
	ck_assert_uint_eq(r.reason, KVM_S390_AP_R_HOST_OWNED);
	ck_assert_uint_eq(r.holder_type, KVM_S390_AP_HOLDER_HOST);
	ck_assert(r.adapter == 1 && r.domain == 6);
	snap_check(&s);
	/* an earlier table conflict wins over a later veto */
	want = M("1", "5,6", "");
	veto_reset(&l, 1, 6);
	ck_assert_int_eq(apmx_table_replace(&T, &g2, &want, NULL, veto_rec,
					    &l, NULL, NULL, &r), -EADDRINUSE);
	ck_assert_uint_eq(r.domain, 5);
	ck_assert_uint_eq(l.n, 0);	/* (1,5) refused before asking */
	/* an earlier veto wins over a later table conflict */
	want = M("1", "4,5", "");
	veto_reset(&l, 1, 4);
	ck_assert_int_eq(apmx_table_replace(&T, &g2, &want, NULL, veto_rec,
					    &l, NULL, NULL, &r), -EADDRNOTAVAIL);
	ck_assert_uint_eq(r.domain, 4);
	snap_check(&s);
	snap_free(&s);
	ck_assert(apmx_mask_empty(g2.held.apm));
}
END_TEST

/* ---- helpers and teardown -------------------------------------------------- */

START_TEST(lookup_sets_and_fill_helpers)
{
	struct apmx_owner g = VM(-5, 0xffffffffffull);
	struct kvm_s390_ap_refusal r;
	struct apmx_apqn_set *s = malloc(sizeof(*s));
	struct apmx_slot out;

	ck_assert_int_eq(claim(&g, M("9", "9", ""), &r), 0);
	memset(&out, 0xff, sizeof(out));
	apmx_table_lookup(&T, 9, 256, &out);
	ck_assert(!out.user && !out.reserver && !out.state);
	memset(&out, 0xff, sizeof(out));
	apmx_table_lookup(&T, 300, 9, &out);
	ck_assert(!out.user && !out.reserver && !out.state);
	apmx_table_lookup(&T, 9, 9, &out);
	ck_assert_ptr_eq(out.user, &g);

	memset(s, 0xff, sizeof(*s));
	apmx_set_clear(s);
	ck_assert_uint_eq(apmx_set_weight(s), 0);
	apmx_mask_set(s->row[255], 255);
	apmx_mask_set(s->row[0], 0);
	ck_assert_uint_eq(apmx_set_weight(s), 2);
	ck_assert(apmx_set_test(s, 255, 255) && apmx_set_test(s, 0, 0));
	ck_assert(!apmx_set_test(s, 0, 1));
	free(s);

	memset(&r, 0xee, sizeof(r));
	apmx_refusal_fill(&r, KVM_S390_AP_R_IN_USE, KVM_S390_AP_FIELD_APQN,
			  3, 4, &g, KVM_S390_AP_HOLDER_VM);
	assert_refusal(&r, KVM_S390_AP_R_IN_USE, 3, 4, KVM_S390_AP_HOLDER_VM, &g);
	ck_assert_int_eq(r.holder_pid, -5);
	ck_assert(r.holder_id == 0xffffffffffull);
	memset(&r, 0xee, sizeof(r));
	apmx_refusal_fill(&r, KVM_S390_AP_R_VFIO_AP, KVM_S390_AP_FIELD_NONE,
			  KVM_S390_AP_ID_NONE, KVM_S390_AP_ID_NONE, NULL,
			  KVM_S390_AP_HOLDER_VFIO_AP);
	ck_assert_uint_eq(r.adapter, 0xffff);
	ck_assert_uint_eq(r.holder_pid, 0);
	ck_assert_uint_eq(r.holder_id, 0);
	ck_assert_uint_eq(r.pad, 0);
	apmx_refusal_fill(NULL, 1, 1, 1, 1, &g, 1);	/* no crash */
	/* NULL report pointers are fine everywhere */
	ck_assert_int_eq(claim(&g, M("9", "10", ""), NULL), 0);
	{
		struct apmx_owner gg = GRANT(1, 1);
		struct kvm_s390_ap_masks m = M("9", "11", "");

		ck_assert_int_eq(apmx_table_reserve(&T, &gg, &m, NULL, NULL,
						    NULL), 0);
		apmx_table_unreserve(&T, &gg);
	}
}
END_TEST

START_TEST(destroy_frees_everything)
{
	struct busy b;

	busy_fill(&b);
	ck_assert_int_gt(shim_slab_live(), live0);
	apmx_table_destroy(&T);
	ck_assert_int_eq(shim_slab_live(), live0);
	for (unsigned int a = 0; a < APMX_NR_IDS; a++)
		ck_assert_ptr_null(T.rows[a]);
	apmx_table_destroy(&T);		/* twice is fine */
}
END_TEST

/*
 * apmx_table_peek() reads every slot as apmx_table_lookup() does, except
 * that it names no user or reserver: used, reserved, withheld and free
 * slots, on adapters with and without a row.
 */
START_TEST(peek_is_lookup_without_holders)
{
	struct apmx_slot l, p;
	unsigned int a, d;
	struct busy b;

	busy_fill(&b);
	for (a = 0; a < APMX_NR_IDS; a++)
		for (d = 0; d < APMX_NR_IDS; d++) {
			apmx_table_lookup(&T, a, d, &l);
			apmx_table_peek(&T, a, d, &p);
			ck_assert_ptr_null(p.user);
			ck_assert_ptr_null(p.reserver);
			l.user = NULL;
			l.reserver = NULL;
			ck_assert_mem_eq(&p, &l, sizeof(p));
		}
	apmx_table_peek(&T, 256, 0, &p);
	ck_assert_uint_eq(p.state | p.reserved, 0);
}
END_TEST

/*
 * apmx_table_reset_done_set() is apmx_table_reset_done() on each APQN of
 * the set: withheld ones (resetting, quarantined), used, reserved and free
 * ones, with @ok true and false; the same slots, rows and allocations.
 * Rows with nothing in the set are left alone.
 */
START_TEST(reset_done_set_is_reset_done_on_each)
{
	static const unsigned int apqn[][2] = {
		/* none on adapter 10, which has a row */
		{ 1, 7 }, { 2, 7 }, { 3, 8 }, { 1, 5 }, { 11, 2 },
		{ 200, 200 }, { 50, 50 }, { 255, 255 },
	};
	struct apmx_apqn_set *set = calloc(1, sizeof(*set));
	struct apmx_slot *each = calloc(NSLOTS, sizeof(*each));
	bool rows[APMX_NR_IDS];
	struct busy b;
	unsigned int i, a, d;
	long live;
	struct snap s;
	int ok;

	ck_assert(set && each);
	for (i = 0; i < sizeof(apqn) / sizeof(apqn[0]); i++)
		apmx_mask_set(set->row[apqn[i][0]], apqn[i][1]);
	for (ok = 0; ok < 2; ok++) {
		busy_fill(&b);
		for (i = 0; i < sizeof(apqn) / sizeof(apqn[0]); i++)
			apmx_table_reset_done(&T, apqn[i][0], apqn[i][1], ok);
		for (a = 0; a < APMX_NR_IDS; a++) {
			rows[a] = T.rows[a];
			for (d = 0; d < APMX_NR_IDS; d++)
				apmx_table_lookup(&T, a, d, &each[a * 256 + d]);
		}
		live = shim_slab_live();
		apmx_table_destroy(&T);
		apmx_table_init(&T);

		busy_fill(&b);
		apmx_table_reset_done_set(&T, set, ok);
		snap_take(&s);
		for (a = 0; a < APMX_NR_IDS; a++) {
			ck_assert(rows[a] == !!T.rows[a]);
			ck_assert_mem_eq(&s.slots[a * 256], &each[a * 256],
					 256 * sizeof(*each));
		}
		ck_assert_int_eq(s.live, live);
		snap_free(&s);
		/* what changed: the withheld ones, nothing else */
		ck_assert_uint_eq(slot(2, 7).state,
				  ok ? 0 : APMX_SLOT_QUARANTINED);
		ck_assert_uint_eq(slot(1, 7).state,
				  ok ? 0 : APMX_SLOT_QUARANTINED);
		ck_assert_ptr_eq(slot(1, 5).user, &b.v1);
		ck_assert_ptr_eq(slot(11, 2).reserver, &b.G);
		ck_assert_ptr_eq(slot(10, 1).user, &b.v3);
		assert_rows_tight();
		apmx_table_destroy(&T);
		apmx_table_init(&T);
	}
	free(set);
	free(each);
}
END_TEST

Suite *table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("table");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, vfio_ap_doc_example_valid_disjoint_domains);
	tcase_add_test(tc, vfio_ap_doc_example_valid_disjoint_adapters);
	tcase_add_test(tc, vfio_ap_doc_example_invalid_overlap);
	tcase_add_test(tc, first_conflict_in_apqn_order);
	tcase_add_test(tc, control_domains_exclusive_per_apqn);
	tcase_add_test(tc, replace_reports_released_and_claimed);
	tcase_add_test(tc, resetting_and_quarantine);
	tcase_add_test(tc, withhold_free_apqn);
	tcase_add_test(tc, veto_asked_for_new_and_upgraded_apqns);
	tcase_add_test(tc, veto_refusal_and_precedence);
	tcase_add_test(tc, lookup_sets_and_fill_helpers);
	tcase_add_test(tc, destroy_frees_everything);
	tcase_add_test(tc, reset_done_set_is_reset_done_on_each);
	tcase_add_test(tc, peek_is_lookup_without_holders);
	suite_add_tcase(s, tc);
	return s;
}
