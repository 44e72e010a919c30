// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apmx table: the global APQN ownership table.
 *
 * t->rows[apid] is the adapter's struct apmx_row, six bitmaps over its
 * domains, or NULL when they would all be empty.  A row is allocated when
 * a claim or a reservation first needs it and freed as soon as its last
 * bit is cleared, so between calls no empty row exists.  Every operation
 * touches only the rows of the adapters it names (the caller's requested
 * and previously held adapters), a word at a time: a guest or a grant
 * holds the cross product of its masks, the same domains on each of its
 * adapters, so what it gains, keeps or gives up on an adapter is a few
 * word operations on its masks and the row.  Only the holder of a refused
 * APQN is looked for in the lists of owners.
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
#include <asm/unaligned.h>
#include "apmx.h"

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

/* ---- 256-bit word vectors: id d is bit 63 - d % 64 of word d / 64 ---- */

#define APMX_W		APMX_ROW_WORDS

/* An owner's masks as words: its adapters, usage and control domains. */
struct apmx_view {
	u64 apm[APMX_W];
	u64 use[APMX_W];
	u64 ctl[APMX_W];
};

/* The mask @mask (arch bit order: id 0 = bit 0x80 of byte 0) as words. */
static void apmx_words(const u8 *mask, u64 *w)
{
	unsigned int i;

	for (i = 0; i < APMX_W; i++)
		w[i] = get_unaligned_be64(mask + i * 8);
}

/* OR the words @w into the mask @mask */
static void apmx_words_or_mask(const u64 *w, u8 *mask)
{
	unsigned int i, j;

	for (i = 0; i < APMX_W; i++)
		for (j = 0; j < 8; j++)
			mask[i * 8 + j] |= (u8)(w[i] >> (56 - 8 * j));
}

static void apmx_view_of(const struct kvm_s390_ap_masks *m,
			 struct apmx_view *v)
{
	apmx_words(m->apm, v->apm);
	apmx_words(m->aqm, v->use);
	apmx_words(m->adm, v->ctl);
}

static u64 apmx_bit(unsigned int id)
{
	return 1ULL << (63 - id % 64);
}

static bool apmx_wtest(const u64 *w, unsigned int id)
{
	return w[id / 64] & apmx_bit(id);
}

/* The lowest id of word @i of a vector, whose value @x is not 0. */
static unsigned int apmx_wfirst(unsigned int i, u64 x)
{
	return i * 64 + __builtin_clzll(x);
}

/* The lowest id set in @w, or APMX_NR_IDS. */
static unsigned int apmx_wnext(const u64 *w)
{
	unsigned int i;

	for (i = 0; i < APMX_W; i++)
		if (w[i])
			return apmx_wfirst(i, w[i]);
	return APMX_NR_IDS;
}

static bool apmx_wempty(const u64 *w)
{
	return !(w[0] | w[1] | w[2] | w[3]);
}

/* Does @v hold at least one APQN? */
static bool apmx_holds(const struct apmx_view *v)
{
	unsigned int i;
	u64 apm = 0, dom = 0;

	for (i = 0; i < APMX_W; i++) {
		apm |= v->apm[i];
		dom |= v->use[i] | v->ctl[i];
	}
	return apm && dom;
}

/* The lowest id >= @from set in @w, or APMX_NR_IDS. */
static unsigned int apmx_wnext_from(const u64 *w, unsigned int from)
{
	unsigned int i = from / 64;
	u64 x;

	if (i >= APMX_W)
		return APMX_NR_IDS;
	x = w[i] & (~0ULL >> (from % 64));
	while (!x) {
		if (++i == APMX_W)
			return APMX_NR_IDS;
		x = w[i];
	}
	return apmx_wfirst(i, x);
}

/*
 * The domains @v holds on adapter @apid: usage in @use, control in @ctl
 * (all zero when @apid is not one of its adapters, or @v is NULL).
 */
static void apmx_on(const struct apmx_view *v, unsigned int apid, u64 *use,
		    u64 *ctl)
{
	unsigned int i;
	bool in = v && apmx_wtest(v->apm, apid);

	for (i = 0; i < APMX_W; i++) {
		use[i] = in ? v->use[i] : 0;
		ctl[i] = in ? v->ctl[i] : 0;
	}
}

/* ---- the lists of owners that hold something --------------------------- */

/* Put @o in the list @head iff @in (no change if it already is or is not). */
static void apmx_list_set(struct apmx_owner **head, struct apmx_owner *o,
			  bool in)
{
	if (in && !o->pprev) {
		o->next = *head;
		if (*head)
			(*head)->pprev = &o->next;
		*head = o;
		o->pprev = head;
	} else if (!in && o->pprev) {
		*o->pprev = o->next;
		if (o->next)
			o->next->pprev = o->pprev;
		o->next = NULL;
		o->pprev = NULL;
	}
}

/* The owner of @list that holds (@apid, @apqi), or NULL. */
static struct apmx_owner *apmx_holder(struct apmx_owner *list,
				      unsigned int apid, unsigned int apqi)
{
	struct apmx_owner *o;

	for (o = list; o; o = o->next)
		if (apmx_mask_test(o->held.apm, apid) &&
		    (apmx_mask_test(o->held.aqm, apqi) ||
		     apmx_mask_test(o->held.adm, apqi)))
			return o;
	return NULL;
}

/* ---- rows ----------------------------------------------------------------- */

static bool apmx_row_empty(const struct apmx_row *row)
{
	return apmx_wempty(row->use) && apmx_wempty(row->ctl) &&
	       apmx_wempty(row->res_use) && apmx_wempty(row->res_ctl) &&
	       apmx_wempty(row->resetting) && apmx_wempty(row->quarantined);
}

/* Free the row of @apid if it is empty. */
static void apmx_row_put(struct apmx_table *t, unsigned int apid)
{
	struct apmx_row *row = t->rows[apid];

	if (!row || !apmx_row_empty(row))
		return;
	kfree(row);
	t->rows[apid] = NULL;
}

/*
 * Allocate the missing rows of the adapters of @v if @v holds an APQN.  On
 * failure the rows allocated here (the empty ones of @v's adapters: no
 * other row is empty between calls) are freed again.
 */
static int apmx_rows_get(struct apmx_table *t, const struct apmx_view *v)
{
	unsigned int apid;

	if (!apmx_holds(v))
		return 0;
	for (apid = apmx_wnext_from(v->apm, 0); apid < APMX_NR_IDS;
	     apid = apmx_wnext_from(v->apm, apid + 1)) {
		if (t->rows[apid])
			continue;
		t->rows[apid] = kzalloc(sizeof(*t->rows[apid]), GFP_KERNEL);
		if (!t->rows[apid])
			goto unwind;
	}
	return 0;

unwind:
	for (apid = apmx_wnext_from(v->apm, 0); apid < APMX_NR_IDS;
	     apid = apmx_wnext_from(v->apm, apid + 1))
		apmx_row_put(t, apid);
	return -ENOMEM;
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
 * Slots still used, reserved or withheld are dropped; the owners are
 * forgotten without being touched (their @held masks and list links stay
 * as they were).  Only for teardown.
 */
void apmx_table_destroy(struct apmx_table *t)
{
	unsigned int apid;

	for (apid = 0; apid < APMX_NR_IDS; apid++) {
		kfree(t->rows[apid]);
		t->rows[apid] = NULL;
	}
	t->users = NULL;
	t->grants = NULL;
}

/**
 * apmx_table_lookup() - read the slot of an APQN
 * @t: the table
 * @apid: adapter
 * @apqi: domain
 * @out: the APQN's slot; all zero for an unused APQN or ids above 255
 *
 * A used or reserved APQN's user or reserver is found in the table's
 * lists of owners.
 */
void apmx_table_lookup(const struct apmx_table *t, unsigned int apid,
		       unsigned int apqi, struct apmx_slot *out)
{
	apmx_table_peek(t, apid, apqi, out);
	if (out->state & (APMX_SLOT_USAGE | APMX_SLOT_CONTROL))
		out->user = apmx_holder(t->users, apid, apqi);
	if (out->reserved)
		out->reserver = apmx_holder(t->grants, apid, apqi);
}

/**
 * apmx_table_peek() - read the state of an APQN's slot, not its holders
 * @t: the table
 * @apid: adapter
 * @apqi: domain
 * @out: as apmx_table_lookup() fills it, but @out->user and
 *	 @out->reserver are NULL: no list of owners is walked
 */
void apmx_table_peek(const struct apmx_table *t, unsigned int apid,
		     unsigned int apqi, struct apmx_slot *out)
{
	const struct apmx_row *row;

	memset(out, 0, sizeof(*out));
	if (apid >= APMX_NR_IDS || apqi >= APMX_NR_IDS || !t->rows[apid])
		return;
	row = t->rows[apid];
	if (apmx_wtest(row->use, apqi))
		out->state |= APMX_SLOT_USAGE;
	if (apmx_wtest(row->ctl, apqi))
		out->state |= APMX_SLOT_CONTROL;
	if (apmx_wtest(row->resetting, apqi))
		out->state |= APMX_SLOT_RESETTING;
	if (apmx_wtest(row->quarantined, apqi))
		out->state |= APMX_SLOT_QUARANTINED;
	if (apmx_wtest(row->res_use, apqi))
		out->reserved |= APMX_SLOT_USAGE;
	if (apmx_wtest(row->res_ctl, apqi))
		out->reserved |= APMX_SLOT_CONTROL;
}

/* ---- pass 1: may the change be made? -------------------------------------- */

/*
 * What a change from @was to @now means for the domains of one adapter:
 * @fail: the table refuses them (@not_granted, @withheld, @in_use,
 * @reserved: why), @ask: @veto is asked about them, @use: now used for
 * usage.
 */
struct apmx_verdict {
	u64 not_granted[APMX_W];
	u64 withheld[APMX_W];
	u64 in_use[APMX_W];
	u64 reserved[APMX_W];
	u64 fail[APMX_W];
	u64 ask[APMX_W];
	u64 use[APMX_W];
};

/*
 * The verdict on adapter @apid for an owner that goes from @was to @now
 * (@now holds @apid) with grant @g (NULL: privileged, or a reservation
 * when @reserving).  Checked are the APQNs for which the owner gains a
 * kind: with a grant, the grant must reserve each kind gained; APQNs not
 * held at all before must not be withheld, used, or reserved other than
 * by @g.  @veto is asked for APQNs newly taken and for those held before
 * as a control domain only and now used for usage.
 */
static void apmx_judge(const struct apmx_row *row, unsigned int apid,
		       const struct apmx_view *was,
		       const struct apmx_view *now,
		       const struct apmx_view *g, bool reserving,
		       struct apmx_verdict *v)
{
	u64 wu[APMX_W], wc[APMX_W], gu[APMX_W], gc[APMX_W];
	u64 gain_u, gain_c, newly;
	unsigned int i;

	apmx_on(was, apid, wu, wc);
	apmx_on(g, apid, gu, gc);
	for (i = 0; i < APMX_W; i++) {
		gain_u = now->use[i] & ~wu[i];
		gain_c = now->ctl[i] & ~wc[i];
		newly = (now->use[i] | now->ctl[i]) & ~(wu[i] | wc[i]);
		v->not_granted[i] = 0;
		if (!reserving && g)
			v->not_granted[i] = (gain_u & ~gu[i]) |
					    (gain_c & ~gc[i]);
		v->withheld[i] = 0;
		v->in_use[i] = 0;
		v->reserved[i] = 0;
		if (row) {
			v->withheld[i] = newly & (row->resetting[i] |
						  row->quarantined[i]);
			v->in_use[i] = newly & (row->use[i] | row->ctl[i]);
			v->reserved[i] = newly & (row->res_use[i] |
						  row->res_ctl[i]);
			/* @g's own reservation is no conflict */
			if (!reserving)
				v->reserved[i] &= ~(gu[i] | gc[i]);
		}
		v->fail[i] = v->not_granted[i] | v->withheld[i] |
			     v->in_use[i] | v->reserved[i];
		v->ask[i] = newly | (wc[i] & ~wu[i] & now->use[i]);
		v->use[i] = now->use[i];
	}
}

/* Fill @r with the table's refusal of (@apid, @apqi) by @v. */
static int apmx_refuse(const struct apmx_table *t, const struct apmx_verdict *v,
		       unsigned int apid, unsigned int apqi,
		       struct kvm_s390_ap_refusal *r)
{
	const u8 f = KVM_S390_AP_FIELD_APQN;
	const struct apmx_owner *h;

	/* first, so that nothing about others leaks outside the grant */
	if (apmx_wtest(v->not_granted, apqi)) {
		apmx_refusal_fill(r, KVM_S390_AP_R_NOT_GRANTED, f, apid, apqi,
				  NULL, KVM_S390_AP_HOLDER_NONE);
		return -EPERM;
	}
	if (apmx_wtest(v->withheld, apqi)) {
		apmx_refusal_fill(r, KVM_S390_AP_R_QUARANTINED, f, apid, apqi,
				  NULL, KVM_S390_AP_HOLDER_QUARANTINE);
		return -EIO;
	}
	if (apmx_wtest(v->in_use, apqi)) {
		h = apmx_holder(t->users, apid, apqi);
		apmx_refusal_fill(r, KVM_S390_AP_R_IN_USE, f, apid, apqi, h,
				  h ? h->type : KVM_S390_AP_HOLDER_NONE);
		return -EADDRINUSE;
	}
	h = apmx_holder(t->grants, apid, apqi);
	apmx_refusal_fill(r, KVM_S390_AP_R_RESERVED, f, apid, apqi, h,
			  h ? h->type : KVM_S390_AP_HOLDER_NONE);
	return -EADDRINUSE;
}

/*
 * Pass 1 of a change of what an owner holds (as a guest, or as a grant
 * when @reserving) from @was to @want: judge the adapters of @want in
 * ascending order; on each, @veto is asked in ascending domain order for
 * the APQNs it must be asked about below the first one the table refuses,
 * then that one is refused.  So the first offending APQN in ascending
 * (adapter, domain) order is named, whether the table or @veto refuses it.
 */
static int apmx_check_change(const struct apmx_table *t,
			     const struct apmx_view *was,
			     const struct apmx_view *now,
			     const struct apmx_view *g, bool reserving,
			     apmx_veto_t veto, void *ctx,
			     struct kvm_s390_ap_refusal *r)
{
	struct apmx_verdict v;
	unsigned int apid, apqi, stop, i;
	u64 ask;
	int rc;

	if (!apmx_holds(now))
		return 0;
	for (apid = apmx_wnext_from(now->apm, 0); apid < APMX_NR_IDS;
	     apid = apmx_wnext_from(now->apm, apid + 1)) {
		/* nothing there to refuse, no grant to check, nobody to ask */
		if (!t->rows[apid] && !g && !veto)
			continue;
		apmx_judge(t->rows[apid], apid, was, now, g, reserving, &v);
		stop = apmx_wnext(v.fail);
		for (i = 0; veto && i < APMX_W && i * 64 < stop; i++) {
			for (ask = v.ask[i]; ask; ask &= ~apmx_bit(apqi)) {
				apqi = apmx_wfirst(i, ask);
				if (apqi >= stop)
					break;
				apmx_refusal_fill(r, KVM_S390_AP_OK,
						  KVM_S390_AP_FIELD_APQN, apid,
						  apqi, NULL,
						  KVM_S390_AP_HOLDER_NONE);
				rc = veto(ctx, apid, apqi,
					  !apmx_wtest(v.use, apqi), r);
				if (rc)
					return rc;
			}
		}
		if (stop < APMX_NR_IDS)
			return apmx_refuse(t, &v, apid, stop, r);
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
			       const struct apmx_view *was,
			       const struct apmx_view *now,
			       const struct apmx_view *g, bool reserving,
			       apmx_veto_t veto, void *ctx,
			       struct kvm_s390_ap_refusal *r)
{
	int rc;

	rc = apmx_check_change(t, was, now, g, reserving, veto, ctx, r);
	if (rc)
		return rc;
	rc = apmx_rows_get(t, now);
	if (rc)
		apmx_refusal_none(r);
	return rc;
}

/* Pass 2 of apmx_table_replace() on adapter @apid: cannot fail. */
static void apmx_use_apply(struct apmx_row *row, unsigned int apid,
			   const struct apmx_view *was,
			   const struct apmx_view *now,
			   struct apmx_apqn_set *released,
			   struct apmx_apqn_set *claimed)
{
	u64 wu[APMX_W], wc[APMX_W], nu[APMX_W], nc[APMX_W];
	u64 rel[APMX_W], cl[APMX_W];
	unsigned int i;

	apmx_on(was, apid, wu, wc);
	apmx_on(now, apid, nu, nc);
	for (i = 0; i < APMX_W; i++) {
		row->use[i] = (row->use[i] & ~wu[i]) | nu[i];
		row->ctl[i] = (row->ctl[i] & ~wc[i]) | nc[i];
		rel[i] = (wu[i] | wc[i]) & ~(nu[i] | nc[i]);
		cl[i] = (nu[i] | nc[i]) & ~(wu[i] | wc[i]);
		row->resetting[i] |= rel[i];
	}
	if (released && !apmx_wempty(rel))
		apmx_words_or_mask(rel, released->row[apid]);
	if (claimed && !apmx_wempty(cl))
		apmx_words_or_mask(cl, claimed->row[apid]);
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
 * stay empty on refusal.  Costs a few word operations per adapter of
 * @want and of @o->held, plus on refusal one walk of the users or grants.
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
	struct apmx_view was, now, g;
	u64 apm[APMX_W];
	unsigned int apid, i;
	int rc;

	if (released)
		apmx_set_clear(released);
	if (claimed)
		apmx_set_clear(claimed);
	apmx_view_of(&o->held, &was);
	apmx_view_of(want, &now);
	if (grant)
		apmx_view_of(&grant->held, &g);
	rc = apmx_prepare_change(t, &was, &now, grant ? &g : NULL, false,
				 veto, ctx, r);
	if (rc)
		return rc;

	/* pass 2: on every adapter @o held or wants */
	for (i = 0; i < APMX_W; i++) {
		for (apm[i] = was.apm[i] | now.apm[i]; apm[i];
		     apm[i] &= ~apmx_bit(apid)) {
			apid = apmx_wfirst(i, apm[i]);
			/* no row: @o holds nothing there, before or after */
			if (t->rows[apid])
				apmx_use_apply(t->rows[apid], apid, &was, &now,
					       released, claimed);
		}
	}
	o->held = *want;
	apmx_list_set(&t->users, o, apmx_holds(&now));
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
	struct apmx_row *row;
	unsigned int i;
	u64 bit;

	if (apid >= APMX_NR_IDS || apqi >= APMX_NR_IDS || !t->rows[apid])
		return;
	row = t->rows[apid];
	i = apqi / 64;
	bit = apmx_bit(apqi);
	if (!((row->resetting[i] | row->quarantined[i]) & bit))
		return;
	row->resetting[i] &= ~bit;
	row->quarantined[i] &= ~bit;
	if (!ok)
		row->quarantined[i] |= bit;
	apmx_row_put(t, apid);
}

/**
 * apmx_table_withhold() - withhold a free APQN for a reset
 * @t: the table
 * @apid: adapter
 * @apqi: domain
 * @r: the refusal report, or NULL
 *
 * The APQN becomes RESETTING, as a released one does, so that nobody can
 * claim or reserve it until apmx_table_reset_done() ends the reset; a
 * reservation on it stays.  See apmx.h for the rules.  Allocates the row
 * of @apid if it has none; all or nothing.
 *
 * Return: 0, -EADDRINUSE (used by a guest), -EIO (withheld already),
 * -ENOMEM or -EINVAL (an id above 255).
 */
int apmx_table_withhold(struct apmx_table *t, unsigned int apid,
			unsigned int apqi, struct kvm_s390_ap_refusal *r)
{
	const u8 f = KVM_S390_AP_FIELD_APQN;
	const struct apmx_owner *h;
	struct apmx_row *row;
	u64 bit;
	unsigned int i;

	if (apid >= APMX_NR_IDS || apqi >= APMX_NR_IDS) {
		apmx_refusal_none(r);
		return -EINVAL;
	}
	i = apqi / 64;
	bit = apmx_bit(apqi);
	row = t->rows[apid];
	if (row && ((row->resetting[i] | row->quarantined[i]) & bit)) {
		apmx_refusal_fill(r, KVM_S390_AP_R_QUARANTINED, f, apid, apqi,
				  NULL, KVM_S390_AP_HOLDER_QUARANTINE);
		return -EIO;
	}
	if (row && ((row->use[i] | row->ctl[i]) & bit)) {
		h = apmx_holder(t->users, apid, apqi);
		apmx_refusal_fill(r, KVM_S390_AP_R_IN_USE, f, apid, apqi, h,
				  h ? h->type : KVM_S390_AP_HOLDER_NONE);
		return -EADDRINUSE;
	}
	if (!row) {
		row = kzalloc(sizeof(*row), GFP_KERNEL);
		if (!row) {
			apmx_refusal_none(r);
			return -ENOMEM;
		}
		t->rows[apid] = row;
	}
	row->resetting[i] |= bit;
	if (r)
		memset(r, 0, sizeof(*r));
	return 0;
}

/**
 * apmx_table_reset_done_set() - end the reset of a set of withheld APQNs
 * @t: the table
 * @s: the APQNs
 * @ok: the zeroize of every one of them was verified
 *
 * As apmx_table_reset_done() on each APQN of @s, a word at a time: the
 * RESETTING or QUARANTINED ones become free (@ok) or QUARANTINED (!@ok),
 * any other slot is left alone, and rows that became empty are freed.
 */
void apmx_table_reset_done_set(struct apmx_table *t,
			       const struct apmx_apqn_set *s, bool ok)
{
	struct apmx_row *row;
	unsigned int apid, i;
	u64 w[APMX_W], done;

	for (apid = 0; apid < APMX_NR_IDS; apid++) {
		row = t->rows[apid];
		if (!row)
			continue;
		apmx_words(s->row[apid], w);
		if (apmx_wempty(w))
			continue;
		for (i = 0; i < APMX_W; i++) {
			done = w[i] & (row->resetting[i] | row->quarantined[i]);
			row->resetting[i] &= ~done;
			row->quarantined[i] &= ~done;
			if (!ok)
				row->quarantined[i] |= done;
		}
		apmx_row_put(t, apid);
	}
}

/*
 * Make grant @g reserve exactly @want (pass 2: cannot fail); @was and
 * @now are @g->held and @want as words.
 */
static void apmx_reserve_apply(struct apmx_table *t, struct apmx_owner *g,
			       const struct kvm_s390_ap_masks *want,
			       const struct apmx_view *was,
			       const struct apmx_view *now)
{
	u64 wu[APMX_W], wc[APMX_W], nu[APMX_W], nc[APMX_W], apm[APMX_W];
	struct apmx_row *row;
	unsigned int apid, i, j;

	for (i = 0; i < APMX_W; i++) {
		for (apm[i] = was->apm[i] | now->apm[i]; apm[i];
		     apm[i] &= ~apmx_bit(apid)) {
			apid = apmx_wfirst(i, apm[i]);
			row = t->rows[apid];
			if (!row)
				continue;
			apmx_on(was, apid, wu, wc);
			apmx_on(now, apid, nu, nc);
			for (j = 0; j < APMX_W; j++) {
				row->res_use[j] = (row->res_use[j] & ~wu[j]) |
						  nu[j];
				row->res_ctl[j] = (row->res_ctl[j] & ~wc[j]) |
						  nc[j];
			}
			apmx_row_put(t, apid);
		}
	}
	g->held = *want;
	apmx_list_set(&t->grants, g, apmx_holds(now));
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
	struct apmx_view was, now;
	int rc;

	apmx_view_of(&g->held, &was);
	apmx_view_of(want, &now);
	rc = apmx_prepare_change(t, &was, &now, NULL, true, veto, ctx, r);
	if (rc)
		return rc;
	apmx_reserve_apply(t, g, want, &was, &now);
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
	static const struct apmx_view nothing;
	struct apmx_view was;

	apmx_view_of(&g->held, &was);
	apmx_reserve_apply(t, g, &none, &was, &nothing);
}
