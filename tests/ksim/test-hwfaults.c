// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: fault injection of the hardware's answers (issue 12).  Over the
 * main scenarios -- a claim (SET on a new VM: its new queues are reset
 * before it sees them), a release (SET shrinking a matrix), the
 * RESET_AP_QUEUES ioctl and VM destroy -- the n-th ZAPQ and, separately,
 * the n-th TAPQ answers, for every n until the scenario no longer reaches
 * it, each status word 6.1's asm/ap.h ap_zapq()/ap_tapq() can return that
 * zeroize.c must judge: response codes 01 (not available), 02 (reset in
 * progress), 03 (deconfigured), 04 (checkstopped), 05 (busy), 06 (invalid
 * address), 07 (otherwise changed), and for TAPQ 00 with the queue not
 * empty, with replies waiting, or with interruptions still enabled.
 * ksim.c ksim_inject_*_nth() models the injection.
 *
 * A transient answer (02, 05, 07, 00 short of verified) is retried: the
 * outcome is the fault-free one.  A failure (03, 04, 06; 01 for a queue
 * whose device is there) leaves that one queue unverified: released, it
 * is quarantined (and freed by a retry once healthy); new to a guest, it
 * stays out of the guest's effective matrix (its adapter) and the SET
 * names it (R_QUARANTINED, no holder); in RESET_AP_QUEUES it is the
 * -EIO's queue (01 is no failure there: nothing of the guest can be in a
 * queue that is not in the configuration, and the guest keeps it).
 * Nothing is half-applied: who holds what is the fault-free outcome; every
 * other queue released or newly seen is zeroized.  Nothing leaks:
 * allocations, module references (a quarantined queue pins the module),
 * table rows.
 */
#include <stdlib.h>
#include <string.h>
#include "ksim-test.h"
#include "ksim-ap-bus.h"

#define STALE	0x51ull		/* what the queues hold before the scenario */

struct hwctx {
	struct kvm *kvm;
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_refusal r;
	long rc;
};

enum hw_scen { S_CLAIM, S_RELEASE, S_RESET, S_DESTROY };

static const char *const scen_name[] = {
	"claim", "release", "RESET_AP_QUEUES", "VM destroy",
};

struct answer {
	const char *name;
	u8 rc;
	bool empty, replies, irq;
	bool fails;		/* the reset of that queue cannot be verified */
	bool absent;		/* RC 01 */
};

static const struct answer zapq_answers[] = {
	{ .name = "ZAPQ 01", .rc = AP_RESPONSE_Q_NOT_AVAIL, .fails = true, .absent = true },
	{ .name = "ZAPQ 02", .rc = AP_RESPONSE_RESET_IN_PROGRESS },
	{ .name = "ZAPQ 03", .rc = AP_RESPONSE_DECONFIGURED, .fails = true },
	{ .name = "ZAPQ 04", .rc = AP_RESPONSE_CHECKSTOPPED, .fails = true },
	{ .name = "ZAPQ 05", .rc = AP_RESPONSE_BUSY },
	{ .name = "ZAPQ 06", .rc = AP_RESPONSE_INVALID_ADDRESS, .fails = true },
	{ .name = "ZAPQ 07", .rc = AP_RESPONSE_OTHERWISE_CHANGED },
};

static const struct answer tapq_answers[] = {
	{ .name = "TAPQ 01", .rc = AP_RESPONSE_Q_NOT_AVAIL, .fails = true, .absent = true },
	{ .name = "TAPQ 02", .rc = AP_RESPONSE_RESET_IN_PROGRESS },
	{ .name = "TAPQ 03", .rc = AP_RESPONSE_DECONFIGURED, .fails = true },
	{ .name = "TAPQ 04", .rc = AP_RESPONSE_CHECKSTOPPED, .fails = true },
	{ .name = "TAPQ 05", .rc = AP_RESPONSE_BUSY },
	{ .name = "TAPQ 06", .rc = AP_RESPONSE_INVALID_ADDRESS, .fails = true },
	{ .name = "TAPQ 07", .rc = AP_RESPONSE_OTHERWISE_CHANGED },
	{ .name = "TAPQ 00, queue not empty", .rc = AP_RESPONSE_NORMAL },
	{ .name = "TAPQ 00, replies waiting", .rc = AP_RESPONSE_NORMAL, .replies = true },
	{ .name = "TAPQ 00, interruptions enabled", .rc = AP_RESPONSE_NORMAL, .empty = true,
	  .irq = true },
};

/* the scenario's queues: adapters 1-2 x domains 1-2, devices present */
static const unsigned int qa[4] = { 1, 1, 2, 2 }, qd[4] = { 1, 2, 1, 2 };

static void prep(enum hw_scen s, struct hwctx *c)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
#if IS_ENABLED(CONFIG_ZCRYPT)
	for (i = 0; i < 4; i++)
		ksim_qdev_add(qa[i], qd[i], AP_DEVICE_TYPE_CEX7);
#endif
	c->kvm = ksim_vm_create(CRYCB_FORMAT2);
	if (s != S_CLAIM)
		ck_assert_int_eq(ksim_set(c->kvm, "1-2", "1-2", "", NULL), 0);
	for (i = 0; i < 4; i++)
		ksim_host.q[qa[i]][qd[i]].secret = STALE;
}

static void run(enum hw_scen s, struct hwctx *c)
{
	switch (s) {
	case S_CLAIM:
		c->rc = ksim_set(c->kvm, "1-2", "1-2", "", &c->m);
		break;
	case S_RELEASE:
		c->rc = ksim_set(c->kvm, "1", "1", "", &c->m);
		break;
	case S_RESET:
		c->rc = ksim_ioctl(c->kvm, KVM_S390_RESET_AP_QUEUES, &c->r);
		break;
	case S_DESTROY:
		ksim_vm_destroy(c->kvm);
		c->kvm = NULL;
		c->rc = 0;
		break;
	}
}

/* does the scenario's guest hold (a, d) afterwards? */
static bool held_after(enum hw_scen s, unsigned int a, unsigned int d)
{
	if (s == S_DESTROY)
		return false;
	if (s == S_RELEASE)
		return a == 1 && d == 1;
	return true;
}

/*
 * The outcome, @x the queue that got the answer @an (-1: none, the
 * fault-free run).
 */
static void verify(enum hw_scen s, const struct hwctx *c,
		   const struct answer *an, int x, const char *what)
{
	bool failed = an && an->fails && x >= 0;
	unsigned int xa = x >= 0 ? (unsigned int)x >> 8 : 0;
	unsigned int xd = x >= 0 ? (unsigned int)x & 0xff : 0;
	unsigned int i;

	ck_assert_msg(ksim_violations == 0 && ksim_warnings == 0,
		      "%s: rule violations:\n%s", what, ksim_printk_log());
	if (s == S_RESET)
		ck_assert_msg(c->rc == (failed && !an->absent ? -EIO : 0),
			      "%s: RESET_AP_QUEUES returned %ld", what, c->rc);
	else
		ck_assert_msg(c->rc == 0, "%s: returned %ld", what, c->rc);
	for (i = 0; i < 4; i++) {
		unsigned int a = qa[i], d = qd[i];
		const struct ksim_queue *q = &ksim_host.q[a][d];
		bool is_x = failed && a == xa && d == xd;
		struct apmx_slot sl;

		apmx_table_lookup(&apmx_table, a, d, &sl);
		if (held_after(s, a, d)) {
			/* ownership is the fault-free one: nothing half-applied */
			ck_assert_msg(sl.user &&
				      sl.user == &c->kvm->arch.crypto.apmx->owner &&
				      !(sl.state & (APMX_SLOT_QUARANTINED |
						    APMX_SLOT_RESETTING)),
				      "%s: %02x.%04x not the guest's", what, a, d);
		} else if (is_x && s != S_RESET) {
			ck_assert_msg(sl.state == APMX_SLOT_QUARANTINED && !sl.user,
				      "%s: %02x.%04x released unverified, not quarantined (state %x)",
				      what, a, d, sl.state);
		} else {
			ck_assert_msg(!sl.user && !sl.state,
				      "%s: %02x.%04x not free (state %x)", what,
				      a, d, sl.state);
			ck_assert_msg(q->secret == 0,
				      "%s: %02x.%04x freed without its zeroize",
				      what, a, d);
		}
	}
	if (s == S_CLAIM) {
		struct kvm_s390_apmx *vm = c->kvm->arch.crypto.apmx;

		for (i = 0; i < 4; i++) {
			unsigned int a = qa[i], d = qd[i];
			bool seen = apmx_mask_test(vm->effective.apm, a) &&
				    apmx_mask_test(vm->effective.aqm, d);

			/* unverified: its adapter stays out; the rest zeroized */
			if (failed && a == xa)
				ck_assert_msg(!seen, "%s: %02x.%04x seen with an unverified queue on its adapter",
					      what, a, d);
			else
				ck_assert_msg(seen && ksim_host.q[a][d].secret == 0,
					      "%s: %02x.%04x not seen zeroized",
					      what, a, d);
		}
		if (failed)
			ck_assert_refusal(&c->m.refusal, KVM_S390_AP_R_QUARANTINED,
					  xa, xd, KVM_S390_AP_HOLDER_NONE);
		else
			ck_assert_uint_eq(c->m.refusal.reason, KVM_S390_AP_OK);
		ksim_assert_crycb(c->kvm, &vm->effective);
	}
	if (s == S_RESET) {
		if (failed && !an->absent)
			ck_assert_refusal(&c->r, KVM_S390_AP_R_QUARANTINED, xa,
					  xd, KVM_S390_AP_HOLDER_NONE);
		for (i = 0; i < 4; i++)
			if (!(failed && qa[i] == xa && qd[i] == xd))
				ck_assert_msg(ksim_host.q[qa[i]][qd[i]].secret == 0,
					      "%s: %02x.%04x not zeroized", what,
					      qa[i], qd[i]);
	}
}

/* Everything back: VM gone, quarantined queues retried (healthy now). */
static void cleanup(struct hwctx *c, long live, const char *what)
{
	unsigned int i;

	if (c->kvm)
		ksim_vm_destroy(c->kvm);
	c->kvm = NULL;
	for (i = 0; i < 4; i++)
		if (!ksim_table_free(qa[i], qd[i]))
			ck_assert_msg(apmx_zeroize_retry(qa[i], qd[i]) == 0,
				      "%s: retry of %02x.%04x", what, qa[i], qd[i]);
	ck_assert_msg(ksim_table_used() == 0, "%s: table not empty", what);
	ck_assert_msg(ksim_module_refs == 0, "%s: %d module references", what,
		      ksim_module_refs);
	ck_assert_msg(shim_slab_live() == live, "%s: %ld allocations leaked",
		      what, shim_slab_live() - live);
}

/* every n for one answer; returns how many runs the fault fired in */
static unsigned int inject(enum hw_scen s, bool tapq, const struct answer *an)
{
	long live = shim_slab_live();
	struct hwctx c;
	unsigned int n;
	char what[128];

	for (n = 1; n < 200; n++) {
		snprintf(what, sizeof(what), "%s, %s at the %u. %s",
			 scen_name[s], an->name, n, tapq ? "TAPQ" : "ZAPQ");
		prep(s, &c);
		if (tapq)
			ksim_inject_tapq_nth(n, an->rc, an->empty, an->replies,
					     an->irq);
		else
			ksim_inject_zapq_nth(n, an->rc);
		run(s, &c);
		if (ksim_hw_fault_armed()) {
			/* fewer than n such instructions: the fault-free outcome */
			ksim_inject_zapq_nth(0, 0);
			ksim_inject_tapq_nth(0, 0, false, false, false);
			verify(s, &c, NULL, -1, what);
			cleanup(&c, live, what);
			ck_assert_msg(n > 1, "%s: never reached", what);
			return n - 1;
		}
		verify(s, &c, an, ksim_injected_apqn, what);
		cleanup(&c, live, what);
	}
	ck_abort_msg("%s: more than 199 instructions", scen_name[s]);
	return 0;
}

static void every_answer(enum hw_scen s)
{
	unsigned int i, fired = 0;

	unsigned int answers = 0;

	/*
	 * RC 01 too without the AP bus (CONFIG_ZCRYPT=n): no queue device
	 * says the queue was there, so zeroize.c must take it as one that
	 * may hold what it held (race --deconf-handover).
	 */
	for (i = 0; i < ARRAY_SIZE(zapq_answers); i++, answers++)
		fired += inject(s, false, &zapq_answers[i]);
	for (i = 0; i < ARRAY_SIZE(tapq_answers); i++, answers++)
		fired += inject(s, true, &tapq_answers[i]);
	/* each queue reset (3 released by the shrink, else 4) got each answer */
	ck_assert_uint_ge(fired, (s == S_RELEASE ? 3 : 4) * answers);
}

START_TEST(hw_claim)
{
	every_answer(S_CLAIM);
}
END_TEST

START_TEST(hw_release)
{
	every_answer(S_RELEASE);
}
END_TEST

START_TEST(hw_reset_ioctl)
{
	every_answer(S_RESET);
}
END_TEST

START_TEST(hw_destroy)
{
	every_answer(S_DESTROY);
}
END_TEST

Suite *ksim_suite_hwfaults(void)
{
	Suite *s = suite_create("hwfaults");
	TCase *tc = ksim_tcase("hwfaults");

	tcase_add_test(tc, hw_claim);
	tcase_add_test(tc, hw_release);
	tcase_add_test(tc, hw_reset_ioctl);
	tcase_add_test(tc, hw_destroy);
	suite_add_tcase(s, tc);
	return s;
}
