// SPDX-License-Identifier: GPL-2.0
/*
 * Random operations on the ownership table against a brute-force model
 * that follows the rules of apmx.h APQN by APQN: claims (with and without
 * grants, with a random veto), reservations, unreservations, resets and
 * injected allocation failures.  After every operation the return code,
 * the refusal report, the released and claimed sets, every slot, the rows
 * and the owners' masks must match the model.
 */
#include <stdlib.h>
#include "core-tests.h"

#define NU	12
#define NG	4	/* guests */
#define NGR	2	/* grants */

/* the ids operations use: both ends of every byte-ish boundary */
static const unsigned int U[NU] = { 0, 1, 2, 3, 4, 5, 6, 7, 63, 64, 254, 255 };

struct mslot {
	int user;	/* guest index or -1 */
	int reserver;	/* grant index or -1 */
	u8 state;
	u8 reserved;	/* kinds the grant reserves */
};

struct model {
	struct mslot s[NU][NU];
	struct kvm_s390_ap_masks held[NG], gheld[NGR];
};

static struct apmx_table T;
static struct apmx_owner guests[NG], grants[NGR];
static struct model md;
static bool vetoed[NU][NU];
static int uidx[APMX_NR_IDS];	/* id -> index in U, or -1 */

static int veto_model(void *ctx, unsigned int a, unsigned int d, bool control,
		      struct kvm_s390_ap_refusal *r)
{
	(void)ctx;
	(void)control;
	if (uidx[a] < 0 || uidx[d] < 0 || !vetoed[uidx[a]][uidx[d]])
		return 0;
	apmx_refusal_fill(r, KVM_S390_AP_R_HOST_OWNED, KVM_S390_AP_FIELD_APQN,
			  a, d, NULL, KVM_S390_AP_HOLDER_HOST);
	return -EADDRNOTAVAIL;
}

static u8 mflags(const struct kvm_s390_ap_masks *m, int ai, int di)
{
	u8 f = 0;

	if (!(m->apm[U[ai] / 8] & (0x80 >> (U[ai] % 8))))
		return 0;
	if (m->aqm[U[di] / 8] & (0x80 >> (U[di] % 8)))
		f |= APMX_SLOT_USAGE;
	if (m->adm[U[di] / 8] & (0x80 >> (U[di] % 8)))
		f |= APMX_SLOT_CONTROL;
	return f;
}

static void set_add(struct apmx_apqn_set *s, int ai, int di)
{
	s->row[U[ai]][U[di] / 8] |= 0x80 >> (U[di] % 8);
}

static bool slot_empty(const struct mslot *s)
{
	return s->user < 0 && s->reserver < 0 && !s->state;
}

static bool mrow_empty(int ai)
{
	for (int di = 0; di < NU; di++)
		if (!slot_empty(&md.s[ai][di]))
			return false;
	return true;
}

/* How many rows a change to @want must allocate. */
static unsigned int rows_needed(const struct kvm_s390_ap_masks *want)
{
	unsigned int n = 0;

	for (int ai = 0; ai < NU; ai++) {
		bool any = false;

		for (int di = 0; di < NU; di++)
			any |= mflags(want, ai, di) != 0;
		if (any && mrow_empty(ai))
			n++;
	}
	return n;
}

static void refuse(struct kvm_s390_ap_refusal *r, u32 reason, int ai, int di,
		   u8 type, s32 pid, u64 id)
{
	memset(r, 0, sizeof(*r));
	r->reason = reason;
	r->adapter = U[ai];
	r->domain = U[di];
	r->field = KVM_S390_AP_FIELD_APQN;
	r->holder_type = type;
	r->holder_pid = pid;
	r->holder_id = id;
}

/* The model's check of one newly taken / upgraded APQN; 0 if fine. */
static int mcheck(int ai, int di, bool newly, u8 gain, bool veto,
		  bool reserving, int self, int grant,
		  struct kvm_s390_ap_refusal *r)
{
	const struct mslot *s = &md.s[ai][di];

	if (!reserving && grant >= 0 &&
	    (s->reserver != grant || (s->reserved & gain) != gain)) {
		refuse(r, KVM_S390_AP_R_NOT_GRANTED, ai, di,
		       KVM_S390_AP_HOLDER_NONE, 0, 0);
		return -EPERM;
	}
	if (newly) {
		if (s->state & (APMX_SLOT_RESETTING | APMX_SLOT_QUARANTINED)) {
			refuse(r, KVM_S390_AP_R_QUARANTINED, ai, di,
			       KVM_S390_AP_HOLDER_QUARANTINE, 0, 0);
			return -EIO;
		}
		if (s->user >= 0 && (reserving || s->user != self)) {
			refuse(r, KVM_S390_AP_R_IN_USE, ai, di,
			       KVM_S390_AP_HOLDER_VM, guests[s->user].pid,
			       guests[s->user].id);
			return -EADDRINUSE;
		}
		if (s->reserver >= 0 && s->reserver != grant) {
			refuse(r, KVM_S390_AP_R_RESERVED, ai, di,
			       KVM_S390_AP_HOLDER_GRANT,
			       grants[s->reserver].pid, grants[s->reserver].id);
			return -EADDRINUSE;
		}
	}
	if (veto && vetoed[ai][di]) {
		refuse(r, KVM_S390_AP_R_HOST_OWNED, ai, di,
		       KVM_S390_AP_HOLDER_HOST, 0, 0);
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/* Pass 1 of the model: check in (adapter, domain) order. */
static int mcheck_all(const struct kvm_s390_ap_masks *old,
		      const struct kvm_s390_ap_masks *want, bool reserving,
		      int self, int grant, struct kvm_s390_ap_refusal *r)
{
	for (int ai = 0; ai < NU; ai++) {
		for (int di = 0; di < NU; di++) {
			u8 nf = mflags(want, ai, di), of = mflags(old, ai, di);
			bool newly = nf && !of;
			bool upgrade = of && !(of & APMX_SLOT_USAGE) &&
				       (nf & APMX_SLOT_USAGE);
			u8 gain = nf & ~of;
			int rc;

			if (!gain)
				continue;
			rc = mcheck(ai, di, newly, gain, newly || upgrade,
				    reserving, self, grant, r);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int mreplace(int g, const struct kvm_s390_ap_masks *want, int grant,
		    bool nomem, struct apmx_apqn_set *rel,
		    struct apmx_apqn_set *cl, struct kvm_s390_ap_refusal *r)
{
	int rc;

	memset(rel, 0, sizeof(*rel));
	memset(cl, 0, sizeof(*cl));
	memset(r, 0, sizeof(*r));
	rc = mcheck_all(&md.held[g], want, false, g, grant, r);
	if (rc)
		return rc;
	if (nomem && rows_needed(want)) {
		r->adapter = KVM_S390_AP_ID_NONE;
		r->domain = KVM_S390_AP_ID_NONE;
		return -ENOMEM;
	}
	for (int ai = 0; ai < NU; ai++) {
		for (int di = 0; di < NU; di++) {
			struct mslot *s = &md.s[ai][di];
			u8 nf = mflags(want, ai, di);
			u8 of = mflags(&md.held[g], ai, di);

			if (of && !nf) {
				s->user = -1;
				s->state = APMX_SLOT_RESETTING;
				set_add(rel, ai, di);
			} else if (of && nf) {
				s->state = nf;
			} else if (nf) {
				s->user = g;
				s->state = nf;
				set_add(cl, ai, di);
			}
		}
	}
	md.held[g] = *want;
	return 0;
}

static int mreserve(int j, const struct kvm_s390_ap_masks *want, bool nomem,
		    struct kvm_s390_ap_refusal *r)
{
	int rc;

	memset(r, 0, sizeof(*r));
	rc = mcheck_all(&md.gheld[j], want, true, -1, j, r);
	if (rc)
		return rc;
	if (nomem && rows_needed(want)) {
		r->adapter = KVM_S390_AP_ID_NONE;
		r->domain = KVM_S390_AP_ID_NONE;
		return -ENOMEM;
	}
	for (int ai = 0; ai < NU; ai++) {
		for (int di = 0; di < NU; di++) {
			struct mslot *s = &md.s[ai][di];

			if (mflags(want, ai, di)) {
				s->reserver = j;
				s->reserved = mflags(want, ai, di);
			} else if (mflags(&md.gheld[j], ai, di) &&
				   s->reserver == j) {
				s->reserver = -1;
				s->reserved = 0;
			}
		}
	}
	md.gheld[j] = *want;
	return 0;
}

static void mreset_done(int ai, int di, bool ok)
{
	struct mslot *s = &md.s[ai][di];

	if (s->state & (APMX_SLOT_RESETTING | APMX_SLOT_QUARANTINED))
		s->state = ok ? 0 : APMX_SLOT_QUARANTINED;
}

static int owner_index(const struct apmx_owner *o, struct apmx_owner *tab,
		       int n)
{
	if (!o)
		return -1;
	for (int i = 0; i < n; i++)
		if (o == &tab[i])
			return i;
	return -2;
}

static void compare(long live0)
{
	unsigned int a, d, rows = 0;
	struct apmx_slot s;

	for (a = 0; a < APMX_NR_IDS; a++) {
		int ai = uidx[a];

		if (T.rows[a])
			rows++;
		if (ai < 0) {
			EXPECT(!(T.rows[a]));
			continue;
		}
		EXPECT_MSG(!T.rows[a] == mrow_empty(ai), "row %u", a);
		for (d = 0; d < APMX_NR_IDS; d++) {
			int di = uidx[d];

			apmx_table_lookup(&T, a, d, &s);
			if (di < 0) {
				EXPECT(!s.user && !s.reserver && !s.state && !s.reserved);
				continue;
			}
			EXPECT_MSG(owner_index(s.user, guests, NG) ==
				      md.s[ai][di].user &&
				      owner_index(s.reserver, grants, NGR) ==
				      md.s[ai][di].reserver &&
				      s.state == md.s[ai][di].state &&
				      s.reserved == md.s[ai][di].reserved, "slot (%u,%u): %d/%d/%x, model %d/%d/%x", a, d, owner_index(s.user, guests, NG), owner_index(s.reserver, grants, NGR), s.state, md.s[ai][di].user, md.s[ai][di].reserver, md.s[ai][di].state);
		}
	}
	EXPECT((shim_slab_live()) == (live0 + rows));
	for (int i = 0; i < NG; i++)
		EXPECT_MEM_EQ(&guests[i].held, &md.held[i], sizeof(md.held[i]));
	for (int i = 0; i < NGR; i++)
		EXPECT_MEM_EQ(&grants[i].held, &md.gheld[i], sizeof(md.gheld[i]));
}

static void random_masks(struct prng *p, struct kvm_s390_ap_masks *m)
{
	unsigned int pa = 100 + prng_below(p, 300);
	unsigned int pq = 50 + prng_below(p, 300);
	unsigned int pc = prng_below(p, 200);

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < NU; i++) {
		if (prng_below(p, 1000) < pa)
			apmx_mask_set(m->apm, U[i]);
		if (prng_below(p, 1000) < pq)
			apmx_mask_set(m->aqm, U[i]);
		if (prng_below(p, 1000) < pc)
			apmx_mask_set(m->adm, U[i]);
	}
}

static void run_model(u64 seed, unsigned int ops)
{
	struct apmx_apqn_set *rel = malloc(sizeof(*rel));
	struct apmx_apqn_set *cl = malloc(sizeof(*cl));
	struct apmx_apqn_set *mrel = malloc(sizeof(*mrel));
	struct apmx_apqn_set *mcl = malloc(sizeof(*mcl));
	struct kvm_s390_ap_refusal r, mr;
	struct kvm_s390_ap_masks want;
	unsigned int op, kinds[4] = { 0 }, refused = 0, nomems = 0;
	struct prng p;
	long live0;
	int i, rc, mrc;

	EXPECT(rel && cl && mrel && mcl);
	for (i = 0; i < APMX_NR_IDS; i++)
		uidx[i] = -1;
	for (i = 0; i < NU; i++)
		uidx[U[i]] = i;
	shim_slab_reset();
	live0 = shim_slab_live();
	apmx_table_init(&T);
	memset(&md, 0, sizeof(md));
	for (int ai = 0; ai < NU; ai++)
		for (int di = 0; di < NU; di++)
			md.s[ai][di].user = md.s[ai][di].reserver = -1;
	for (i = 0; i < NG; i++) {
		memset(&guests[i], 0, sizeof(guests[i]));
		guests[i].type = KVM_S390_AP_HOLDER_VM;
		guests[i].pid = 1000 + i;
		guests[i].id = 1 + i;
	}
	for (i = 0; i < NGR; i++) {
		memset(&grants[i], 0, sizeof(grants[i]));
		grants[i].type = KVM_S390_AP_HOLDER_GRANT;
		grants[i].pid = 2000 + i;
		grants[i].id = 100 + i;
	}
	prng_seed(&p, seed);
	for (op = 0; op < ops; op++) {
		unsigned int kind = prng_below(&p, 100);
		bool nomem = prng_below(&p, 100) < 5;

		memset(vetoed, 0, sizeof(vetoed));
		if (prng_below(&p, 100) < 20)
			vetoed[prng_below(&p, NU)][prng_below(&p, NU)] = true;
		random_masks(&p, &want);
		shim_slab_reset();
		if (nomem)
			shim_slab_fail_nth(1);
		memset(&r, 0xcc, sizeof(r));
		if (kind < 55) {		/* a guest sets its matrix */
			int g = prng_below(&p, NG);
			int grant = prng_below(&p, 3) == 0 ?
				    (int)prng_below(&p, NGR) : -1;

			if (prng_below(&p, 10) == 0)
				memset(&want, 0, sizeof(want));
			kinds[0]++;
			mrc = mreplace(g, &want, grant, nomem, mrel, mcl, &mr);
			memset(rel, 0xff, sizeof(*rel));
			memset(cl, 0xff, sizeof(*cl));
			rc = apmx_table_replace(&T, &guests[g], &want,
						grant >= 0 ? &grants[grant] : NULL,
						veto_model, NULL, rel, cl, &r);
			EXPECT_MEM_EQ(rel, mrel, sizeof(*rel));
			EXPECT_MEM_EQ(cl, mcl, sizeof(*cl));
		} else if (kind < 70) {		/* a grant is (re)made */
			int j = prng_below(&p, NGR);

			kinds[1]++;
			mrc = mreserve(j, &want, nomem, &mr);
			rc = apmx_table_reserve(&T, &grants[j], &want,
						veto_model, NULL, &r);
		} else if (kind < 75) {		/* a grant is closed */
			int j = prng_below(&p, NGR);
			static const struct kvm_s390_ap_masks none;

			kinds[2]++;
			memset(vetoed, 0, sizeof(vetoed));
			mrc = mreserve(j, &none, false, &mr);
			apmx_table_unreserve(&T, &grants[j]);
			rc = 0;
			memset(&r, 0, sizeof(r));
		} else {			/* resets finish */
			int n = 1 + prng_below(&p, 8);

			kinds[3]++;
			while (n--) {
				int ai = prng_below(&p, NU);
				int di = prng_below(&p, NU);
				bool ok = prng_below(&p, 10) < 8;

				mreset_done(ai, di, ok);
				apmx_table_reset_done(&T, U[ai], U[di], ok);
			}
			mrc = rc = 0;
			memset(&r, 0, sizeof(r));
			memset(&mr, 0, sizeof(mr));
		}
		EXPECT_MSG(rc == mrc, "seed %llx op %u: rc %d, model %d", (unsigned long long)seed, op, rc, mrc);
		EXPECT_MSG(!memcmp(&r, &mr, sizeof(r)), "seed %llx op %u: report %u (%u,%u) %u, model %u (%u,%u) %u", (unsigned long long)seed, op, r.reason, r.adapter, r.domain, r.holder_type, mr.reason, mr.adapter, mr.domain, mr.holder_type);
		refused += rc != 0;
		nomems += rc == -ENOMEM;
		compare(live0);
	}
	/* the random walk did exercise every kind of operation and refusal */
	EXPECT(kinds[0] && kinds[1] && kinds[2] && kinds[3]);
	EXPECT((refused) > (ops / 20));
	EXPECT((nomems) > (0));
	apmx_table_destroy(&T);
	EXPECT((shim_slab_live()) == (live0));
	free(rel);
	free(cl);
	free(mrel);
	free(mcl);
}

START_TEST(random_ops_match_model)
{
	static const u64 seeds[] = { 1, 0xa9, 0x5eed, 0xdeadbeef };

	run_model(seeds[_i], 2500);
}
END_TEST

Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, random_ops_match_model, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}
