// SPDX-License-Identifier: GPL-2.0
/*
 * apmx table: the global APQN ownership table.
 *
 * t->rows[apid] points to 256 slots, one per APQI, or is NULL when every
 * slot of that adapter would be empty.  A row is allocated when a claim or
 * a reservation first needs it and freed as soon as its last slot becomes
 * empty, so between calls no empty row exists.  Every operation touches
 * only the rows of the adapters it names (the caller's requested and
 * previously held adapters): its cost does not depend on how many guests
 * or grants exist.
 *
 * Changes are done in two passes: the first checks every APQN and
 * allocates the missing rows, and may fail; the second applies the change
 * and cannot fail.  A refused call therefore leaves the table and the
 * owner exactly as they were.
 */
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "apmx.h"

#define APMX_SLOT_HELD		(APMX_SLOT_USAGE | APMX_SLOT_CONTROL)
#define APMX_SLOT_WITHHELD	(APMX_SLOT_RESETTING | APMX_SLOT_QUARANTINED)

/**
 * apmx_set_clear() - empty an APQN set
 * @s: the set
 */
void apmx_set_clear(struct apmx_apqn_set *s)
{
	memset(s, 0, sizeof(*s));
}

/**
 * apmx_set_test() - test an APQN for membership
 * @s: the set
 * @apid: adapter
 * @apqi: domain
 *
 * Return: true if (@apid, @apqi) is in @s; false for ids above 255.
 */
bool apmx_set_test(const struct apmx_apqn_set *s, unsigned int apid,
		   unsigned int apqi)
{
	return apid < APMX_NR_IDS && apmx_mask_test(s->row[apid], apqi);
}

/**
 * apmx_set_weight() - count the APQNs of a set
 * @s: the set
 *
 * Return: the number of APQNs in @s.
 */
unsigned int apmx_set_weight(const struct apmx_apqn_set *s)
{
	unsigned int apid, n = 0;

	for (apid = 0; apid < APMX_NR_IDS; apid++)
		n += apmx_mask_weight(s->row[apid]);
	return n;
}

/**
 * apmx_refusal_fill() - fill a refusal report
 * @r: the report, or NULL
 * @reason: KVM_S390_AP_R_*
 * @field: KVM_S390_AP_FIELD_*
 * @apid: the offending adapter or KVM_S390_AP_ID_NONE
 * @apqi: the offending domain or KVM_S390_AP_ID_NONE
 * @holder: who holds it, or NULL (then pid and id are 0)
 * @holder_type: KVM_S390_AP_HOLDER_*
 *
 * Every field of @r is written, the padding zeroed.
 */
void apmx_refusal_fill(struct kvm_s390_ap_refusal *r, u32 reason, u8 field,
		       unsigned int apid, unsigned int apqi,
		       const struct apmx_owner *holder, u8 holder_type)
{
	if (!r)
		return;
	memset(r, 0, sizeof(*r));
	r->reason = reason;
	r->adapter = apid;
	r->domain = apqi;
	r->field = field;
	r->holder_type = holder_type;
	if (holder) {
		r->holder_pid = holder->pid;
		r->holder_id = holder->id;
	}
}

/**
 * apmx_table_init() - initialise an empty table
 * @t: the table
 */
void apmx_table_init(struct apmx_table *t)
{
	memset(t, 0, sizeof(*t));
}

/**
 * apmx_table_destroy() - free every row of a table
 * @t: the table, empty afterwards
 *
 * Slots still used, reserved or withheld are dropped; the owners' @held
 * masks are not touched.  Only for teardown.
 */
void apmx_table_destroy(struct apmx_table *t)
{
	unsigned int apid;

	for (apid = 0; apid < APMX_NR_IDS; apid++) {
		kfree(t->rows[apid]);
		t->rows[apid] = NULL;
	}
}

/**
 * apmx_table_lookup() - read the slot of an APQN
 * @t: the table
 * @apid: adapter
 * @apqi: domain
 * @out: a copy of the slot; all zero for an unused APQN or ids above 255
 */
void apmx_table_lookup(const struct apmx_table *t, unsigned int apid,
		       unsigned int apqi, struct apmx_slot *out)
{
	if (apid < APMX_NR_IDS && apqi < APMX_NR_IDS && t->rows[apid])
		*out = t->rows[apid][apqi];
	else
		memset(out, 0, sizeof(*out));
}

static bool apmx_slot_empty(const struct apmx_slot *s)
{
	return !s->user && !s->reserver && !s->state && !s->reserved;
}

/* Free the row of @apid if all its slots are empty. */
static void apmx_row_put(struct apmx_table *t, unsigned int apid)
{
	struct apmx_slot *row = t->rows[apid];
	unsigned int apqi;

	if (!row)
		return;
	for (apqi = 0; apqi < APMX_NR_IDS; apqi++)
		if (!apmx_slot_empty(&row[apqi]))
			return;
	kfree(row);
	t->rows[apid] = NULL;
}

/* The APMX_SLOT_USAGE/_CONTROL flags @m gives (@apid, @apqi). */
static u8 apmx_flags(const struct kvm_s390_ap_masks *m, unsigned int apid,
		     unsigned int apqi)
{
	u8 f = 0;

	if (!apmx_mask_test(m->apm, apid))
		return 0;
	if (apmx_mask_test(m->aqm, apqi))
		f |= APMX_SLOT_USAGE;
	if (apmx_mask_test(m->adm, apqi))
		f |= APMX_SLOT_CONTROL;
	return f;
}

/* The domains @m uses on each of its adapters: aqm | adm. */
static void apmx_domains(const struct kvm_s390_ap_masks *m, u8 *dom)
{
	unsigned int i;

	for (i = 0; i < APMX_MASK_BYTES; i++)
		dom[i] = m->aqm[i] | m->adm[i];
}

/*
 * Allocate the missing rows of the adapters of @m that hold an APQN.  On
 * failure the rows allocated here (the empty ones of @m's adapters: no
 * other row is empty between calls) are freed again.
 */
static int apmx_rows_get(struct apmx_table *t,
			 const struct kvm_s390_ap_masks *m)
{
	u8 dom[APMX_MASK_BYTES];
	unsigned int apid;

	apmx_domains(m, dom);
	if (apmx_mask_empty(dom))
		return 0;
	apmx_for_each_id(apid, m->apm) {
		if (t->rows[apid])
			continue;
		t->rows[apid] = kcalloc(APMX_NR_IDS, sizeof(struct apmx_slot),
					GFP_KERNEL);
		if (!t->rows[apid])
			goto unwind;
	}
	return 0;

unwind:
	apmx_for_each_id(apid, m->apm)
		apmx_row_put(t, apid);
	return -ENOMEM;
}

/*
 * May @o (a guest with @grant, or a grant when @reserving) gain the kinds
 * @gain (APMX_SLOT_USAGE/_CONTROL) of the APQN whose slot is @s?  @newly:
 * @o does not hold the APQN at all yet.  Fills @r and returns an errno if
 * not.
 */
static int apmx_may_take(const struct apmx_slot *s, const struct apmx_owner *o,
			 const struct apmx_owner *grant, bool reserving,
			 bool newly, u8 gain, unsigned int apid,
			 unsigned int apqi, struct kvm_s390_ap_refusal *r)
{
	const u8 f = KVM_S390_AP_FIELD_APQN;

	/* first, so that nothing about others leaks outside the grant */
	if (!reserving && grant &&
	    (s->reserver != grant || (s->reserved & gain) != gain)) {
		apmx_refusal_fill(r, KVM_S390_AP_R_NOT_GRANTED, f, apid, apqi,
				  NULL, KVM_S390_AP_HOLDER_NONE);
		return -EPERM;
	}
	if (!newly)
		return 0;
	if (s->state & APMX_SLOT_WITHHELD) {
		apmx_refusal_fill(r, KVM_S390_AP_R_QUARANTINED, f, apid, apqi,
				  NULL, KVM_S390_AP_HOLDER_QUARANTINE);
		return -EIO;
	}
	if (s->user && s->user != o) {
		apmx_refusal_fill(r, KVM_S390_AP_R_IN_USE, f, apid, apqi,
				  s->user, s->user->type);
		return -EADDRINUSE;
	}
	if (s->reserver && s->reserver != grant) {
		apmx_refusal_fill(r, KVM_S390_AP_R_RESERVED, f, apid, apqi,
				  s->reserver, s->reserver->type);
		return -EADDRINUSE;
	}
	return 0;
}

/*
 * Pass 1 of a change of what @o holds (as a guest, or as a grant when
 * @reserving) from @o->held to @want: check every APQN for which @o gains
 * a kind (usage or control) in ascending (adapter, domain) order; @veto is
 * asked for APQNs @o newly takes or newly uses for usage (it held them as
 * a control domain only).
 */
static int apmx_check_change(const struct apmx_table *t,
			     const struct apmx_owner *o,
			     const struct kvm_s390_ap_masks *want,
			     const struct apmx_owner *grant, bool reserving,
			     apmx_veto_t veto, void *ctx,
			     struct kvm_s390_ap_refusal *r)
{
	static const struct apmx_slot none;
	const struct apmx_slot *s;
	u8 dom[APMX_MASK_BYTES];
	unsigned int apid, apqi;
	u8 was, now;
	int rc;

	apmx_domains(want, dom);
	apmx_for_each_id(apid, want->apm) {
		apmx_for_each_id(apqi, dom) {
			was = apmx_flags(&o->held, apid, apqi);
			now = apmx_flags(want, apid, apqi);
			if (!(now & ~was))
				continue;
			s = t->rows[apid] ? &t->rows[apid][apqi] : &none;
			rc = apmx_may_take(s, o, grant, reserving, !was,
					   now & ~was, apid, apqi, r);
			if (rc)
				return rc;
			/* kept for usage, or kept and still control only */
			if (!veto || (was && ((was & APMX_SLOT_USAGE) ||
					      !(now & APMX_SLOT_USAGE))))
				continue;
			apmx_refusal_fill(r, KVM_S390_AP_OK,
					  KVM_S390_AP_FIELD_APQN, apid, apqi,
					  NULL, KVM_S390_AP_HOLDER_NONE);
			rc = veto(ctx, apid, apqi, !(now & APMX_SLOT_USAGE), r);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static void apmx_refusal_none(struct kvm_s390_ap_refusal *r)
{
	apmx_refusal_fill(r, KVM_S390_AP_OK, KVM_S390_AP_FIELD_NONE,
			  KVM_S390_AP_ID_NONE, KVM_S390_AP_ID_NONE, NULL,
			  KVM_S390_AP_HOLDER_NONE);
}

/*
 * Everything that may refuse a change, before anything is changed: pass 1
 * (apmx_check_change()) and the allocation of the rows pass 2 writes to.
 */
static int apmx_prepare_change(struct apmx_table *t,
			       const struct apmx_owner *o,
			       const struct kvm_s390_ap_masks *want,
			       const struct apmx_owner *grant, bool reserving,
			       apmx_veto_t veto, void *ctx,
			       struct kvm_s390_ap_refusal *r)
{
	int rc;

	rc = apmx_check_change(t, o, want, grant, reserving, veto, ctx, r);
	if (rc)
		return rc;
	rc = apmx_rows_get(t, want);
	if (rc)
		apmx_refusal_none(r);
	return rc;
}

/**
 * apmx_table_replace() - replace what a guest uses, all or nothing
 * @t: the table
 * @o: the guest (type KVM_S390_AP_HOLDER_VM); @o->held is what it uses now
 * @want: what it shall use: usage @want->apm x @want->aqm and control
 *	@want->apm x @want->adm
 * @grant: the grant the caller presented, or NULL for a privileged caller
 * @veto: extra per-APQN policy, or NULL
 * @ctx: passed to @veto
 * @released: out: the APQNs @o gives up, or NULL
 * @claimed: out: the APQNs @o newly takes, or NULL
 * @r: the refusal report, or NULL
 *
 * See apmx.h for the rules.  @released and @claimed are cleared first and
 * stay empty on refusal.
 *
 * Return: 0, or -EIO, -EADDRINUSE, -EPERM, -ENOMEM or @veto's errno.
 */
int apmx_table_replace(struct apmx_table *t, struct apmx_owner *o,
		       const struct kvm_s390_ap_masks *want,
		       const struct apmx_owner *grant,
		       apmx_veto_t veto, void *ctx,
		       struct apmx_apqn_set *released,
		       struct apmx_apqn_set *claimed,
		       struct kvm_s390_ap_refusal *r)
{
	struct apmx_slot *s;
	u8 dom[APMX_MASK_BYTES];
	unsigned int apid, apqi;
	u8 now;
	int rc;

	if (released)
		apmx_set_clear(released);
	if (claimed)
		apmx_set_clear(claimed);
	rc = apmx_prepare_change(t, o, want, grant, false, veto, ctx, r);
	if (rc)
		return rc;

	/* pass 2: what @o keeps or gives up */
	apmx_domains(&o->held, dom);
	apmx_for_each_id(apid, o->held.apm) {
		apmx_for_each_id(apqi, dom) {
			/* held: @apid is in held.apm, @apqi in aqm | adm */
			now = apmx_flags(want, apid, apqi);
			s = &t->rows[apid][apqi];
			s->state &= ~APMX_SLOT_HELD;
			if (now) {
				s->state |= now;
				continue;
			}
			s->user = NULL;
			s->state |= APMX_SLOT_RESETTING;
			if (released)
				apmx_mask_set(released->row[apid], apqi);
		}
	}
	/* what @o newly takes */
	apmx_domains(want, dom);
	apmx_for_each_id(apid, want->apm) {
		apmx_for_each_id(apqi, dom) {
			if (apmx_flags(&o->held, apid, apqi))
				continue;
			s = &t->rows[apid][apqi];
			s->user = o;
			s->state |= apmx_flags(want, apid, apqi);
			if (claimed)
				apmx_mask_set(claimed->row[apid], apqi);
		}
	}
	o->held = *want;
	if (r)
		memset(r, 0, sizeof(*r));
	return 0;
}

/**
 * apmx_table_reset_done() - end the reset of a withheld APQN
 * @t: the table
 * @apid: adapter
 * @apqi: domain
 * @ok: the zeroize was verified
 *
 * A RESETTING or QUARANTINED slot becomes free (@ok) or QUARANTINED
 * (!@ok); a reservation on it stays.  Any other slot is left alone.  The
 * row is freed if it became empty.
 */
void apmx_table_reset_done(struct apmx_table *t, unsigned int apid,
			   unsigned int apqi, bool ok)
{
	struct apmx_slot *s;

	if (apid >= APMX_NR_IDS || apqi >= APMX_NR_IDS || !t->rows[apid])
		return;
	s = &t->rows[apid][apqi];
	if (!(s->state & APMX_SLOT_WITHHELD))
		return;
	s->state &= ~APMX_SLOT_WITHHELD;
	if (!ok)
		s->state |= APMX_SLOT_QUARANTINED;
	apmx_row_put(t, apid);
}

/* Make grant @g reserve exactly @want (pass 2: cannot fail). */
static void apmx_reserve_apply(struct apmx_table *t, struct apmx_owner *g,
			       const struct kvm_s390_ap_masks *want)
{
	struct kvm_s390_ap_masks old = g->held;
	u8 dom[APMX_MASK_BYTES];
	unsigned int apid, apqi;
	struct apmx_slot *s;

	apmx_domains(want, dom);
	apmx_for_each_id(apid, want->apm) {
		apmx_for_each_id(apqi, dom) {
			s = &t->rows[apid][apqi];
			s->reserver = g;
			s->reserved = apmx_flags(want, apid, apqi);
		}
	}
	g->held = *want;
	apmx_domains(&old, dom);
	apmx_for_each_id(apid, old.apm) {
		apmx_for_each_id(apqi, dom) {
			if (!apmx_flags(&old, apid, apqi) ||
			    apmx_flags(want, apid, apqi))
				continue;
			s = &t->rows[apid][apqi];
			if (s->reserver == g) {
				s->reserver = NULL;
				s->reserved = 0;
			}
		}
		apmx_row_put(t, apid);
	}
}

/**
 * apmx_table_reserve() - make a grant reserve exactly a set of APQNs
 * @t: the table
 * @g: the grant (type KVM_S390_AP_HOLDER_GRANT); @g->held is what it
 *	reserves now
 * @want: what it shall reserve: @want->apm x (@want->aqm | @want->adm)
 * @veto: extra per-APQN policy, or NULL
 * @ctx: passed to @veto
 * @r: the refusal report, or NULL
 *
 * See apmx.h for the rules.
 *
 * Return: 0, or -EIO, -EADDRINUSE, -ENOMEM or @veto's errno.
 */
int apmx_table_reserve(struct apmx_table *t, struct apmx_owner *g,
		       const struct kvm_s390_ap_masks *want,
		       apmx_veto_t veto, void *ctx,
		       struct kvm_s390_ap_refusal *r)
{
	int rc;

	rc = apmx_prepare_change(t, g, want, g, true, veto, ctx, r);
	if (rc)
		return rc;
	apmx_reserve_apply(t, g, want);
	if (r)
		memset(r, 0, sizeof(*r));
	return 0;
}

/**
 * apmx_table_unreserve() - drop every reservation of a grant
 * @t: the table
 * @g: the grant; @g->held is empty afterwards
 *
 * APQNs a guest uses stay with that guest.  Cannot fail.
 */
void apmx_table_unreserve(struct apmx_table *t, struct apmx_owner *g)
{
	static const struct kvm_s390_ap_masks none;

	apmx_reserve_apply(t, g, &none);
}
