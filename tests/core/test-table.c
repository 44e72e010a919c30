// SPDX-License-Identifier: GPL-2.0
/*
 * The global APQN ownership table: claims, conflicts, grants, resets,
 * atomicity of every refusal, memory and cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "core-tests.h"

#define NSLOTS	(APMX_NR_IDS * APMX_NR_IDS)

static struct apmx_table T;
static long live0;

static void setup(void)
{
	shim_slab_reset();
	live0 = shim_slab_live();
	apmx_table_init(&T);
}

static void teardown(void)
{
	apmx_table_destroy(&T);
}

static struct apmx_owner owner(u8 type, s32 pid, u64 id)
{
	struct apmx_owner o;

	memset(&o, 0, sizeof(o));
	o.type = type;
	o.pid = pid;
	o.id = id;
	return o;
}

#define VM(pid, id)	owner(KVM_S390_AP_HOLDER_VM, pid, id)
#define GRANT(pid, id)	owner(KVM_S390_AP_HOLDER_GRANT, pid, id)

/* "1,2,5" -> mask; a plain strtoul loop, independent of the id-list parser */
static void list(u8 *mask, const char *s)
{
	char *end;

	memset(mask, 0, APMX_MASK_BYTES);
	while (*s) {
		apmx_mask_set(mask, strtoul(s, &end, 10));
		s = *end ? end + 1 : end;
	}
}

/* usage apm x aqm, control apm x adm */
static struct kvm_s390_ap_masks M(const char *apm, const char *aqm,
				  const char *adm)
{
	struct kvm_s390_ap_masks m;

	list(m.apm, apm);
	list(m.aqm, aqm);
	list(m.adm, adm);
	return m;
}

static const struct kvm_s390_ap_masks NONE_M;

static int claim(struct apmx_owner *o, struct kvm_s390_ap_masks m,
		 struct kvm_s390_ap_refusal *r)
{
	return apmx_table_replace(&T, o, &m, NULL, NULL, NULL, NULL, NULL, r);
}

static int claim_g(struct apmx_owner *o, struct kvm_s390_ap_masks m,
		   const struct apmx_owner *g, struct kvm_s390_ap_refusal *r)
{
	return apmx_table_replace(&T, o, &m, g, NULL, NULL, NULL, NULL, r);
}

static int reserve(struct apmx_owner *g, struct kvm_s390_ap_masks m,
		   struct kvm_s390_ap_refusal *r)
{
	return apmx_table_reserve(&T, g, &m, NULL, NULL, r);
}

static struct apmx_slot slot(unsigned int a, unsigned int d)
{
	struct apmx_slot s;

	apmx_table_lookup(&T, a, d, &s);
	return s;
}

static void assert_refusal(const struct kvm_s390_ap_refusal *r, u32 reason,
			   unsigned int a, unsigned int d, u8 holder_type,
			   const struct apmx_owner *holder)
{
	ck_assert_uint_eq(r->reason, reason);
	ck_assert_uint_eq(r->adapter, a);
	ck_assert_uint_eq(r->domain, d);
	ck_assert_uint_eq(r->field, KVM_S390_AP_FIELD_APQN);
	ck_assert_uint_eq(r->holder_type, holder_type);
	ck_assert_int_eq(r->holder_pid, holder ? holder->pid : 0);
	ck_assert_uint_eq(r->holder_id, holder ? holder->id : 0);
	ck_assert_uint_eq(r->pad, 0);
}

static void assert_zero_refusal(const struct kvm_s390_ap_refusal *r)
{
	static const struct kvm_s390_ap_refusal zero;

	ck_assert_mem_eq(r, &zero, sizeof(*r));
}

/* ---- snapshots: every slot via lookup, the row pointers, allocations ---- */

struct snap {
	struct apmx_slot *rows[APMX_NR_IDS];
	struct apmx_slot *slots;
	long live;
};

static void snap_take(struct snap *s)
{
	unsigned int a, d;

	s->slots = calloc(NSLOTS, sizeof(*s->slots));
	EXPECT((s->slots));
	memcpy(s->rows, T.rows, sizeof(s->rows));
	for (a = 0; a < APMX_NR_IDS; a++)
		for (d = 0; d < APMX_NR_IDS; d++)
			apmx_table_lookup(&T, a, d, &s->slots[a * 256 + d]);
	s->live = shim_slab_live();
}

static void snap_check(const struct snap *s)
{
	struct apmx_slot now;
	unsigned int a, d;

	for (a = 0; a < APMX_NR_IDS; a++) {
		EXPECT_MSG(T.rows[a] == s->rows[a], "row %u changed", a);
		for (d = 0; d < APMX_NR_IDS; d++) {
			const struct apmx_slot *o = &s->slots[a * 256 + d];

			apmx_table_lookup(&T, a, d, &now);
			EXPECT_MSG(now.user == o->user &&
				      now.reserver == o->reserver &&
				      now.state == o->state, "slot (%u,%u) changed", a, d);
		}
	}
	EXPECT((shim_slab_live()) == (s->live));
}

static void snap_free(struct snap *s)
{
	free(s->slots);
}

/* No row may be empty between calls, and unused adapters have none. */
static void assert_rows_tight(void)
{
	unsigned int a, d;
	bool used;

	for (a = 0; a < APMX_NR_IDS; a++) {
		if (!T.rows[a])
			continue;
		used = false;
		for (d = 0; d < APMX_NR_IDS; d++)
			used |= T.rows[a][d].user || T.rows[a][d].reserver ||
				T.rows[a][d].state;
		EXPECT_MSG(used, "row %u is empty but allocated", a);
	}
}

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

/* ---- veto ---------------------------------------------------------------- */

struct veto_log {
	unsigned int n;
	unsigned int apid[64], apqi[64];
	bool control[64];
	unsigned int refuse_apid, refuse_apqi;	/* 256: refuse nothing */
	bool prefilled_ok;
};

static int veto_rec(void *ctx, unsigned int apid, unsigned int apqi,
		    bool control, struct kvm_s390_ap_refusal *r)
{
	struct veto_log *l = ctx;

	if (l->n < 64) {
		l->apid[l->n] = apid;
		l->apqi[l->n] = apqi;
		l->control[l->n] = control;
	}
	l->n++;
	if (!r || r->adapter != apid || r->domain != apqi ||
	    r->field != KVM_S390_AP_FIELD_APQN || r->reason != KVM_S390_AP_OK)
		l->prefilled_ok = false;
	if (apid == l->refuse_apid && apqi == l->refuse_apqi) {
		apmx_refusal_fill(r, KVM_S390_AP_R_HOST_OWNED,
				  KVM_S390_AP_FIELD_APQN, apid, apqi, NULL,
				  KVM_S390_AP_HOLDER_HOST);
		return -EADDRNOTAVAIL;
	}
	return 0;
}

static void veto_reset(struct veto_log *l, unsigned int a, unsigned int d)
{
	memset(l, 0, sizeof(*l));
	l->refuse_apid = a;
	l->refuse_apqi = d;
	l->prefilled_ok = true;
}

/* Asked in order for new APQNs and usage upgrades only, with @control. */
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

/* ---- grants ---------------------------------------------------------------- */

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
	/* with another grant, the same */
	ck_assert_int_eq(reserve(&G2, M("7", "7", ""), &r), 0);
	ck_assert_int_eq(claim_g(&v3, M("1,7", "6,7", ""), &G2, &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_RESERVED, 1, 6,
		       KVM_S390_AP_HOLDER_GRANT, &G);
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

/* ---- atomicity ------------------------------------------------------------ */

/* A busy table: guests, grants, a resetting and a quarantined APQN. */
struct busy {
	struct apmx_owner v1, v2, v3, G, G2;
};

static void busy_fill(struct busy *b)
{
	struct kvm_s390_ap_refusal r;

	b->v1 = VM(1, 1);
	b->v2 = VM(2, 2);
	b->v3 = VM(3, 3);
	b->G = GRANT(10, 10);
	b->G2 = GRANT(20, 20);
	ck_assert_int_eq(claim(&b->v1, M("1,2", "5,6", "7"), &r), 0);
	ck_assert_int_eq(claim(&b->v2, M("3", "5,6,7,8", ""), &r), 0);
	ck_assert_int_eq(reserve(&b->G, M("10,11", "1,2", "3"), &r), 0);
	ck_assert_int_eq(claim_g(&b->v3, M("10", "1", ""), &b->G, &r), 0);
	ck_assert_int_eq(claim(&b->v2, M("3", "5,6,7", ""), &r), 0); /* 3.8 */
	ck_assert_int_eq(claim(&b->v1, M("1,2", "5,6", ""), &r), 0); /* x.7 */
	apmx_table_reset_done(&T, 1, 7, false);
	ck_assert_int_eq(reserve(&b->G2, M("200", "200", ""), &r), 0);
	/* now: 3.8 and 2.7 resetting, 1.7 quarantined */
}

/* Every refusal path leaves the table bit-identical and the owner as it was. */
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
		/* reserved by another grant than the one presented */
		{ &v4, "200", "200", "", true, -EADDRINUSE, KVM_S390_AP_R_RESERVED, 200, 200 },
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

/* ---- memory and cost -------------------------------------------------------- */

START_TEST(rows_allocated_on_use_freed_when_empty)
{
	struct apmx_owner g = VM(1, 1);
	struct kvm_s390_ap_refusal r;
	unsigned int a, d;

	/* adapters without domains hold no APQN: no row */
	ck_assert_int_eq(claim(&g, M("1,2,3", "", ""), &r), 0);
	for (a = 0; a < APMX_NR_IDS; a++)
		ck_assert_ptr_null(T.rows[a]);
	ck_assert_int_eq(shim_slab_live(), live0);
	/* and no row for domains without adapters */
	ck_assert_int_eq(claim(&g, M("", "1,2", "3"), &r), 0);
	ck_assert_int_eq(shim_slab_live(), live0);

	ck_assert_int_eq(claim(&g, M("7,8", "0,255", ""), &r), 0);
	ck_assert_int_eq(shim_slab_live(), live0 + 2);
	ck_assert_int_eq(claim(&g, M("8", "0,255", ""), &r), 0);
	ck_assert_ptr_nonnull(T.rows[7]);	/* resetting slots */
	apmx_table_reset_done(&T, 7, 0, true);
	ck_assert_ptr_nonnull(T.rows[7]);
	apmx_table_reset_done(&T, 7, 255, true);
	ck_assert_ptr_null(T.rows[7]);
	ck_assert_int_eq(shim_slab_live(), live0 + 1);
	/* every APQN of the machine, then nothing */
	{
		struct kvm_s390_ap_masks all;

		memset(&all, 0xff, sizeof(all));
		ck_assert_int_eq(claim(&g, all, &r), 0);
		ck_assert_int_eq(shim_slab_live(), live0 + 256);
		for (a = 0; a < APMX_NR_IDS; a += 51)
			for (d = 0; d < APMX_NR_IDS; d += 17)
				ck_assert_uint_eq(slot(a, d).state,
						  APMX_SLOT_USAGE | APMX_SLOT_CONTROL);
	}
	ck_assert_int_eq(claim(&g, NONE_M, &r), 0);
	for (a = 0; a < APMX_NR_IDS; a++)
		for (d = 0; d < APMX_NR_IDS; d++)
			apmx_table_reset_done(&T, a, d, true);
	for (a = 0; a < APMX_NR_IDS; a++)
		ck_assert_ptr_null(T.rows[a]);
	ck_assert_int_eq(shim_slab_live(), live0);
}
END_TEST

/*
 * A claim touches only the rows of the adapters it names: the rows of
 * every other adapter are replaced by unreadable memory during the claim.
 */
START_TEST(claim_touches_only_its_adapters)
{
	struct apmx_owner others[40], g = VM(999, 999), G = GRANT(5, 5);
	struct apmx_slot *saved[APMX_NR_IDS];
	struct kvm_s390_ap_refusal r;
	void *trap;
	unsigned int i, a;
	char apm[8];

	for (i = 0; i < 40; i++) {
		others[i] = VM(i, i);
		snprintf(apm, sizeof(apm), "%u", 10 + i);
		ck_assert_int_eq(claim(&others[i], M(apm, "1,2,3", "4"), &r), 0);
	}
	ck_assert_int_eq(reserve(&G, M("100", "1", ""), &r), 0);
	ck_assert_int_eq(claim(&g, M("5", "1", ""), &r), 0);
	trap = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(trap != MAP_FAILED);
	memcpy(saved, T.rows, sizeof(saved));
	for (a = 0; a < APMX_NR_IDS; a++)
		if (T.rows[a] && a != 5 && a != 6 && a != 100)
			T.rows[a] = trap;
	/* grow 5 -> 5,6, shrink to 6, then into the grant's APQN on 100 */
	ck_assert_int_eq(claim(&g, M("5,6", "1", ""), &r), 0);
	ck_assert_int_eq(claim(&g, M("6", "1", ""), &r), 0);
	ck_assert_int_eq(claim(&g, M("6,100", "1", ""), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_RESERVED, 100, 1,
		       KVM_S390_AP_HOLDER_GRANT, &G);
	ck_assert_int_eq(claim_g(&g, M("6,100", "1", ""), &G, &r), 0);
	for (a = 0; a < APMX_NR_IDS; a++)
		if (T.rows[a] == trap)
			T.rows[a] = saved[a];
	munmap(trap, 8192);
	ck_assert_ptr_eq(slot(6, 1).user, &g);
	ck_assert_ptr_eq(slot(100, 1).user, &g);
	ck_assert_uint_eq(slot(5, 1).state, APMX_SLOT_RESETTING);
	ck_assert_ptr_eq(slot(12, 4).user, &others[2]);
}
END_TEST

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
	tcase_add_test(tc, veto_asked_for_new_and_upgraded_apqns);
	tcase_add_test(tc, veto_refusal_and_precedence);
	tcase_add_test(tc, grant_lifecycle);
	tcase_add_test(tc, grant_survives_reset_of_its_queue);
	tcase_add_test(tc, every_refusal_is_atomic);
	tcase_add_test(tc, enomem_at_each_allocation_replace);
	tcase_add_test(tc, enomem_at_each_allocation_reserve);
	tcase_add_test(tc, rows_allocated_on_use_freed_when_empty);
	tcase_add_test(tc, claim_touches_only_its_adapters);
	tcase_add_test(tc, lookup_sets_and_fill_helpers);
	tcase_add_test(tc, destroy_frees_everything);
	suite_add_tcase(s, tc);
	return s;
}
