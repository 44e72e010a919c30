// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the ownership-table suites (test-table.c, test-grant.c,
 * test-atomic.c, test-cost.c): the table under test, owners, masks from
 * short lists, refusal checks, full-table snapshots, a recording veto and a
 * busy table.
 */
#include <stdio.h>
#include <stdlib.h>
#include "table-util.h"

struct apmx_table T;
long live0;

void setup(void)
{
	shim_slab_reset();
	live0 = shim_slab_live();
	apmx_table_init(&T);
}

void teardown(void)
{
	apmx_table_destroy(&T);
}

struct apmx_owner owner(u8 type, s32 pid, u64 id)
{
	struct apmx_owner o;

	memset(&o, 0, sizeof(o));
	o.type = type;
	o.pid = pid;
	o.id = id;
	return o;
}

/* "1,2,5" -> mask; a plain strtoul loop, independent of the id-list parser */
void list(u8 *mask, const char *s)
{
	char *end;

	memset(mask, 0, APMX_MASK_BYTES);
	while (*s) {
		apmx_mask_set(mask, strtoul(s, &end, 10));
		s = *end ? end + 1 : end;
	}
}

/* usage apm x aqm, control apm x adm */
struct kvm_s390_ap_masks M(const char *apm, const char *aqm,
				  const char *adm)
{
	struct kvm_s390_ap_masks m;

	list(m.apm, apm);
	list(m.aqm, aqm);
	list(m.adm, adm);
	return m;
}

const struct kvm_s390_ap_masks NONE_M;

int claim(struct apmx_owner *o, struct kvm_s390_ap_masks m,
		 struct kvm_s390_ap_refusal *r)
{
	return apmx_table_replace(&T, o, &m, NULL, NULL, NULL, NULL, NULL, r);
}

int claim_g(struct apmx_owner *o, struct kvm_s390_ap_masks m,
		   const struct apmx_owner *g, struct kvm_s390_ap_refusal *r)
{
	return apmx_table_replace(&T, o, &m, g, NULL, NULL, NULL, NULL, r);
}

int reserve(struct apmx_owner *g, struct kvm_s390_ap_masks m,
		   struct kvm_s390_ap_refusal *r)
{
	return apmx_table_reserve(&T, g, &m, NULL, NULL, r);
}

struct apmx_slot slot(unsigned int a, unsigned int d)
{
	struct apmx_slot s;

	apmx_table_lookup(&T, a, d, &s);
	return s;
}

void assert_refusal(const struct kvm_s390_ap_refusal *r, u32 reason,
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

void assert_zero_refusal(const struct kvm_s390_ap_refusal *r)
{
	static const struct kvm_s390_ap_refusal zero;

	ck_assert_mem_eq(r, &zero, sizeof(*r));
}

/* ---- snapshots: every slot via lookup, the row pointers, allocations ---- */
void snap_take(struct snap *s)
{
	unsigned int a, d;

	s->slots = calloc(NSLOTS, sizeof(*s->slots));
	s->bits = calloc(APMX_NR_IDS, sizeof(*s->bits));
	EXPECT(s->slots && s->bits);
	memcpy(s->rows, T.rows, sizeof(s->rows));
	for (a = 0; a < APMX_NR_IDS; a++)
		if (T.rows[a])
			s->bits[a] = *T.rows[a];
	s->users = T.users;
	s->grants = T.grants;
	for (a = 0; a < APMX_NR_IDS; a++)
		for (d = 0; d < APMX_NR_IDS; d++)
			apmx_table_lookup(&T, a, d, &s->slots[a * 256 + d]);
	s->live = shim_slab_live();
}

void snap_check(const struct snap *s)
{
	struct apmx_slot now;
	unsigned int a, d;

	EXPECT(T.users == s->users && T.grants == s->grants);
	for (a = 0; a < APMX_NR_IDS; a++) {
		EXPECT_MSG(T.rows[a] == s->rows[a], "row %u changed", a);
		EXPECT_MSG(!T.rows[a] || !memcmp(T.rows[a], &s->bits[a],
						 sizeof(s->bits[a])),
			   "row %u's bitmaps changed", a);
		for (d = 0; d < APMX_NR_IDS; d++) {
			const struct apmx_slot *o = &s->slots[a * 256 + d];

			apmx_table_lookup(&T, a, d, &now);
			EXPECT_MSG(now.user == o->user &&
				   now.reserver == o->reserver &&
				   now.state == o->state &&
				   now.reserved == o->reserved,
				   "slot (%u,%u) changed", a, d);
		}
	}
	EXPECT(shim_slab_live() == s->live);
}

void snap_free(struct snap *s)
{
	free(s->slots);
	free(s->bits);
}

/* No row may be empty between calls, and unused adapters have none. */
void assert_rows_tight(void)
{
	struct apmx_slot sl;
	unsigned int a, d;
	bool used;

	for (a = 0; a < APMX_NR_IDS; a++) {
		if (!T.rows[a])
			continue;
		used = false;
		for (d = 0; d < APMX_NR_IDS; d++) {
			apmx_table_lookup(&T, a, d, &sl);
			used |= sl.user || sl.reserver || sl.state;
		}
		EXPECT_MSG(used, "row %u is empty but allocated", a);
	}
}

int veto_rec(void *ctx, unsigned int apid, unsigned int apqi, bool control,
	     struct kvm_s390_ap_refusal *r)
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

void veto_reset(struct veto_log *l, unsigned int a, unsigned int d)
{
	memset(l, 0, sizeof(*l));
	l->refuse_apid = a;
	l->refuse_apqi = d;
	l->prefilled_ok = true;
}

/* Guests, grants, a resetting and a quarantined APQN. */
void busy_fill(struct busy *b)
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

