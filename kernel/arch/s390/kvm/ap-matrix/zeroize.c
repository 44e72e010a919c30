// SPDX-License-Identifier: GPL-2.0
/*
 * KVM/s390 AP matrix: zeroize the queues that leave a guest.
 *
 * ZAPQ resets a queue and zeroizes it: its pending requests and replies
 * are gone (the master keys of the adapter domain are not touched); TAPQ
 * then verifies that the reset completed (response 00, queue empty,
 * interruptions disabled).  A set of queues is reset all at once: every
 * ZAPQ is issued first, then all queues are polled together, with one
 * msleep() per round for the whole set, so the time a release takes does
 * not grow with the number of its queues (see apmx_zeroize_set() for the
 * bound).  Nothing here holds a lock while it waits; callers must not hold
 * apmx_table_lock or ap_perms_mutex (see the lock order in ap-matrix.h).
 * A queue whose reset cannot be verified is quarantined in the ownership
 * table and never handed on until apmx_zeroize_retry() verifies a reset.
 *
 * Response codes 01 and 03, as 6.1 tells them apart (drivers/s390/crypto/
 * ap_bus.c ap_queue_info(), ap_scan_domains(), ap_scan_adapter()): 01
 * (AP_RESPONSE_Q_NOT_AVAIL) means the APQN is not in the configuration,
 * and the AP bus's next scan removes its queue device; 03
 * (AP_RESPONSE_DECONFIGURED) means it is in the configuration but its
 * card or queue is deconfigured: the scan keeps the device and marks it
 * config=false, and when it is configured again the AP bus only moves the
 * queue's state machine to AP_SM_STATE_RESET_START (a RAPQ, for queues a
 * default driver initialized), which does not zeroize.  Neither resets
 * anything for us.
 */
#define KMSG_COMPONENT "kvm-s390"
#define pr_fmt(fmt) KMSG_COMPONENT ": " fmt

#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/ap.h>
#include "ap-matrix.h"

/* Where the reset of one queue stands. */
enum apmx_zq_state {
	APMX_ZQ_ZAPQ,		/* ZAPQ to issue (again) */
	APMX_ZQ_OTHER,		/* another reset (RAPQ) runs: poll, then ZAPQ */
	APMX_ZQ_VERIFY,		/* our ZAPQ was accepted: poll until done */
	APMX_ZQ_OK,		/* reset verified */
	APMX_ZQ_ABSENT,		/* not in the configuration (RC 01) */
	APMX_ZQ_FAILED,		/* reset not verified */
};

/* Why a reset was not verified. */
enum apmx_zq_why {
	APMX_ZQ_WHY_ZAPQ,	/* ZAPQ answered an error */
	APMX_ZQ_WHY_TAPQ,	/* TAPQ answered an error */
	APMX_ZQ_WHY_ZAPQS,	/* still busy after APMX_ZEROIZE_TRIES ZAPQs */
	APMX_ZQ_WHY_TAPQS,	/* not done after APMX_VERIFY_TRIES TAPQs */
};

/* One queue being reset: 7 bytes, so a set of n queues needs 7n bytes. */
struct apmx_zq {
	u8 apid;
	u8 apqi;
	u8 state;		/* enum apmx_zq_state */
	u8 why;			/* enum apmx_zq_why, when APMX_ZQ_FAILED */
	u8 rc;			/* last response code */
	u8 zapqs;		/* ZAPQs issued */
	u8 tapqs;		/* TAPQs issued */
};

/*
 * Under apmx_table_lock: the number of QUARANTINED slots in the table
 * (they are entered and left only here), and the quarantined APQNs whose
 * reset apmx_zeroize_retry() is running.
 */
static unsigned int apmx_quarantined;
static struct apmx_apqn_set apmx_retrying;
/*
 * Under apmx_table_lock: the APQNs, used by a guest or withheld, that
 * answered a ZAPQ or TAPQ issued since they were last free with a response
 * code other than 01 (apmx_zq_note()).  Such a queue was in the
 * configuration while its guest held it, so it may hold what the guest
 * left in it, whether or not the AP bus had a queue device for it then.
 * A mark goes when the slot is free again (apmx_reset_done()).
 */
static struct apmx_apqn_set apmx_zq_answered;
/*
 * Under apmx_table_lock: the APQNs another driver gave up without a
 * verified reset (apmx_zq_mark_leftover(): vfio_ap's remove, whose reset
 * 6.1 does not check), and how many.  Such a queue may hold what that
 * driver's guest left; a mark goes with the first reset of ours that is
 * verified (apmx_zq_note()).  Marks pin the module as quarantined slots
 * do: a reload would forget them.
 */
static struct apmx_apqn_set apmx_zq_leftover;
static unsigned int apmx_zq_leftovers;
/*
 * Under apmx_table_lock: the APQNs apmx_zeroize_retry_leftover() withholds
 * (RESETTING, nobody's) while it resets them, those of them whose queue
 * device a driver probed meanwhile (apmx_zq_note_probe_withheld()), and
 * those whose deferred vfio_ap probe was logged (apmx_zq_note_deferral()).
 */
static struct apmx_apqn_set apmx_zq_withheld;
static struct apmx_apqn_set apmx_zq_withheld_probed;
static struct apmx_apqn_set apmx_zq_withheld_logged;

static bool apmx_zq_fail(struct apmx_zq *q, enum apmx_zq_why why)
{
	q->state = APMX_ZQ_FAILED;
	q->why = why;
	return true;
}

/*
 * Advance the reset of @q as far as it goes without waiting: at most a
 * TAPQ that sees another reset end, a ZAPQ and a TAPQ that verifies it.
 * Each time it returns false @q has used up one ZAPQ (busy, or another
 * reset running) or one TAPQ (not done yet) of its budget, and needs a
 * wait; with no budget left it fails instead.  So a queue waits at most
 * APMX_ZEROIZE_MAX_WAITS times.
 *
 * Response codes, as 6.1 reads them (drivers/s390/crypto/ap_queue.c
 * ap_sm_reset_wait(), vfio_ap_ops.c vfio_ap_mdev_reset_queue()):
 * ZAPQ 00 starts the reset; 02 means a reset is already running, which
 * may be the AP bus's RAPQ and does not zeroize: wait until TAPQ reports
 * it ended, then ZAPQ again; 05 and 07 are retried; 01 (the queue is not
 * in the configuration, so nothing was reset and nothing can reach it
 * now) ends as APMX_ZQ_ABSENT, which its caller judges (apmx_zq_ok());
 * anything else fails (03: deconfigured, 04: checkstopped, and the codes
 * a ZAPQ must not answer).  The reset is verified by TAPQ 00 with the queue
 * empty and interruptions disabled; TAPQ 02, 05, 07 and 00 short of that
 * mean "not yet"; 01 ends as APMX_ZQ_ABSENT; anything else fails.
 *
 * Return: true when @q is finished (APMX_ZQ_OK, _ABSENT or _FAILED).
 */
static bool apmx_zq_step(struct apmx_zq *q)
{
	ap_qid_t qid = AP_MKQID(q->apid, q->apqi);
	struct ap_queue_status st;

	for (;;) {
		if (q->state == APMX_ZQ_ZAPQ) {
			/* never reached with the ZAPQs used up */
			st = ap_zapq(qid);
			q->zapqs++;
			q->rc = st.response_code;
			switch (st.response_code) {
			case AP_RESPONSE_NORMAL:
				q->state = APMX_ZQ_VERIFY;
				continue;
			case AP_RESPONSE_RESET_IN_PROGRESS:
			case AP_RESPONSE_BUSY:
			case AP_RESPONSE_OTHERWISE_CHANGED:
				if (q->rc == AP_RESPONSE_RESET_IN_PROGRESS)
					q->state = APMX_ZQ_OTHER;
				if (q->zapqs >= APMX_ZEROIZE_TRIES)
					return apmx_zq_fail(q, APMX_ZQ_WHY_ZAPQS);
				return false;
			case AP_RESPONSE_Q_NOT_AVAIL:
				q->state = APMX_ZQ_ABSENT;
				return true;
			default:
				return apmx_zq_fail(q, APMX_ZQ_WHY_ZAPQ);
			}
		}
		/* APMX_ZQ_OTHER or APMX_ZQ_VERIFY: poll */
		if (q->tapqs >= APMX_VERIFY_TRIES)
			return apmx_zq_fail(q, APMX_ZQ_WHY_TAPQS);
		st = ap_tapq(qid, NULL);
		q->tapqs++;
		q->rc = st.response_code;
		switch (st.response_code) {
		case AP_RESPONSE_NORMAL:
			if (q->state == APMX_ZQ_OTHER) {
				/* the other reset is over: now ours */
				q->state = APMX_ZQ_ZAPQ;
				continue;
			}
			if (st.queue_empty && !st.irq_enabled) {
				q->state = APMX_ZQ_OK;
				return true;
			}
			break;
		case AP_RESPONSE_RESET_IN_PROGRESS:
		case AP_RESPONSE_BUSY:
		case AP_RESPONSE_OTHERWISE_CHANGED:
			break;
		case AP_RESPONSE_Q_NOT_AVAIL:
			q->state = APMX_ZQ_ABSENT;
			return true;
		default:
			return apmx_zq_fail(q, APMX_ZQ_WHY_TAPQ);
		}
		if (q->tapqs >= APMX_VERIFY_TRIES)
			return apmx_zq_fail(q, APMX_ZQ_WHY_TAPQS);
		return false;
	}
}

/*
 * The reset of a withheld APQN ended: free its slot (@ok) or quarantine
 * it, and keep count of the quarantined slots.  The first one pins the
 * module, so that kvm_s390_apmx_exit() cannot forget it; the last one to
 * go unpins it (THIS_MODULE is NULL with KVM=y: then both do nothing).
 * A slot that is free again loses its mark in apmx_zq_answered.  Caller
 * holds apmx_table_lock.
 */
static void apmx_reset_done(unsigned int apid, unsigned int apqi, bool ok)
{
	struct apmx_slot s;
	bool was, now, withheld;

	apmx_table_lookup(&apmx_table, apid, apqi, &s);
	was = s.state & APMX_SLOT_QUARANTINED;
	withheld = s.state & (APMX_SLOT_RESETTING | APMX_SLOT_QUARANTINED);
	apmx_table_reset_done(&apmx_table, apid, apqi, ok);
	apmx_table_lookup(&apmx_table, apid, apqi, &s);
	now = s.state & APMX_SLOT_QUARANTINED;
	if (!was && now && !apmx_quarantined++)
		__module_get(THIS_MODULE);
	else if (was && !now && !--apmx_quarantined)
		module_put(THIS_MODULE);
	/* free again: the next holder starts with a clean record */
	if (withheld && !now)
		apmx_mask_clear(apmx_zq_answered.row[apid], apqi);
}

/*
 * Did a ZAPQ or TAPQ of @q answer with a response code other than 01?
 * apmx_zq_step() finishes @q at the first 01 it sees, so an 01 can only
 * have been the last answer: it was the only one unless @q issued more
 * than one instruction.
 */
static bool apmx_zq_answered_now(const struct apmx_zq *q)
{
	return q->zapqs + q->tapqs > 1 ||
	       (q->zapqs + q->tapqs && q->rc != AP_RESPONSE_Q_NOT_AVAIL);
}

/*
 * Record that the queue of @q answered other than 01 while it was used
 * or withheld (apmx_zq_answered); a free slot gets no mark.  Caller holds
 * apmx_table_lock.
 */
static void apmx_zq_note(const struct apmx_zq *q)
{
	struct apmx_slot s;

	lockdep_assert_held(&apmx_table_lock);
	if (q->state == APMX_ZQ_OK &&
	    apmx_set_test(&apmx_zq_leftover, q->apid, q->apqi)) {
		apmx_mask_clear(apmx_zq_leftover.row[q->apid], q->apqi);
		if (!--apmx_zq_leftovers)
			module_put(THIS_MODULE);
	}
	if (!apmx_zq_answered_now(q))
		return;
	apmx_table_peek(&apmx_table, q->apid, q->apqi, &s);
	if (s.state)
		apmx_mask_set(apmx_zq_answered.row[q->apid], q->apqi);
}

/**
 * apmx_zq_mark_leftover() - a queue another driver gave up may hold data
 * @apid: adapter id
 * @apqi: domain id
 *
 * Called when a driver that may have given the queue to a guest (vfio_ap)
 * is done with it and the queue does not answer TAPQ with 00 and an empty
 * queue: its reset did not happen or was not verified (6.1's vfio_ap
 * ignores the -EBUSY of its reset on remove, e.g. for a queue that left
 * the configuration).  Until a reset of ours is verified, the queue is
 * taken for one that may hold what that guest left (apmx_zq_may_hold()):
 * new to a guest, it stays out of the guest's CRYCB (vm->unclean); on
 * release while out of the configuration, it is quarantined.  While any
 * APQN is marked the module stays pinned (a reload would forget the mark).
 * A mark survives the queue going back to vfio_ap and being reset there:
 * only a reset of ours clears it (stricter, never looser).  Caller holds
 * apmx_table_lock.
 */
void apmx_zq_mark_leftover(unsigned int apid, unsigned int apqi)
{
	lockdep_assert_held(&apmx_table_lock);
	if (apmx_set_test(&apmx_zq_leftover, apid, apqi))
		return;
	apmx_mask_set(apmx_zq_leftover.row[apid], apqi);
	if (!apmx_zq_leftovers++)
		__module_get(THIS_MODULE);
}

/**
 * apmx_zq_is_leftover() - did another driver leave a queue unreset?
 * @apid: adapter id
 * @apqi: domain id
 *
 * Context: caller holds apmx_table_lock.
 *
 * Return: true if (@apid, @apqi) is marked (apmx_zq_mark_leftover()) and
 * no reset of ours was verified since.
 */
bool apmx_zq_is_leftover(unsigned int apid, unsigned int apqi)
{
	lockdep_assert_held(&apmx_table_lock);
	return apmx_set_test(&apmx_zq_leftover, apid, apqi);
}

/**
 * apmx_zq_note_probe_withheld() - note a probe of a withheld slot
 * @apid: adapter id
 * @apqi: domain id
 *
 * For the probes of the apmatrix driver and of vfio_ap, called on every
 * probe: while apmx_zeroize_retry_leftover() withholds (@apid, @apqi) for
 * its reset the slot is RESETTING in the table, but for no guest, grant
 * or release of ours, so the queue is nobody's: apmatrix's probe does not
 * bind it and vfio_ap's is deferred (queue-driver.c).  Such a probe is
 * recorded, and the retry probes the queue again once the slot is free;
 * for any other slot nothing is recorded.
 *
 * Context: caller holds apmx_table_lock.
 *
 * Return: true if the slot is withheld for a leftover retry (the probe is
 * recorded), false otherwise.
 */
bool apmx_zq_note_probe_withheld(unsigned int apid, unsigned int apqi)
{
	lockdep_assert_held(&apmx_table_lock);
	if (!apmx_set_test(&apmx_zq_withheld, apid, apqi))
		return false;
	apmx_mask_set(apmx_zq_withheld_probed.row[apid], apqi);
	return true;
}

/**
 * apmx_zq_note_deferral() - is this the first deferral to log?
 * @apid: adapter id
 * @apqi: domain id
 *
 * For vfio_ap's probe of a queue whose slot apmx_zeroize_retry_leftover()
 * withholds (apmx_zq_note_probe_withheld() answered true): the driver
 * core may probe it again while the reset runs (a bind through sysfs, its
 * deferred-probe retry after any other device bound), and each probe is
 * deferred again.  Only the first is worth a line in the kernel log: it
 * is recorded until the slot is no longer withheld for that retry.
 *
 * Context: caller holds apmx_table_lock.
 *
 * Return: true the first time for a withheld slot, false afterwards.
 */
bool apmx_zq_note_deferral(unsigned int apid, unsigned int apqi)
{
	lockdep_assert_held(&apmx_table_lock);
	if (apmx_set_test(&apmx_zq_withheld_logged, apid, apqi))
		return false;
	apmx_mask_set(apmx_zq_withheld_logged.row[apid], apqi);
	return true;
}

/*
 * May the queue of @q, which answered RC 01 (not in the configuration:
 * nothing was reset), still hold what a guest left in it when it is in
 * the configuration again (@release: what its guest left; else: what
 * anyone left before the guest claimed it)?  6.1 does not take RC 01 for
 * a reset either: vfio_ap_ops.c vfio_ap_mdev_reset_queue() fails it with
 * -EBUSY, and nothing of the AP bus zeroizes the queue when it returns
 * (ap_bus.c ap_scan_domains() gives it a new queue device; a default
 * driver's probe starts a RAPQ, ap_queue.c ap_sm_reset(), which does not
 * zeroize).
 *
 * It may if it answered any ZAPQ or TAPQ other than 01 while it was held
 * (apmx_zq_answered: it was in the configuration then, with or without a
 * queue device, e.g. before the AP bus's scan added one).  With the AP bus
 * it may also if its queue device existed while the table held it
 * (apmx_qdrv_present()); an APQN that had neither is a hole in its
 * guest's cross product, which the guest could reach only if it entered
 * the configuration and left it again between two scans of the AP bus (a
 * known limitation: such a queue is freed unreset).  Without the AP bus
 * (CONFIG_ZCRYPT=n) there are no queue devices: a queue new to its guest
 * may be one that is out of the configuration for a while and still
 * holds what it held, so it may; on release, one that never answered
 * other than 01 stayed out of its guest's reach for the whole hold (a new
 * queue not verified stays in vm->unclean, its adapter out of the CRYCB,
 * until a reset is verified, which answers 00), so it holds nothing of
 * the guest and is free again.  Caller holds apmx_table_lock.
 */
static bool apmx_zq_may_hold(const struct apmx_zq *q, bool release)
{
	lockdep_assert_held(&apmx_table_lock);
	if (apmx_set_test(&apmx_zq_answered, q->apid, q->apqi) ||
	    apmx_set_test(&apmx_zq_leftover, q->apid, q->apqi))
		return true;
	if (IS_ENABLED(CONFIG_ZCRYPT))
		return apmx_qdrv_present(q->apid, q->apqi);
	return !release;
}

/*
 * Is the outcome of @q good enough for the queue to go on, to another
 * guest (@release) or to the same one?  A verified reset is.  A queue not
 * in the configuration (RC 01) is if it stays with its guest, and, on
 * release, if it cannot hold anything of the guest (apmx_zq_may_hold():
 * a hole in the guest's cross product, or a queue that was never within
 * the guest's reach).  One that may still holds the guest's replies when
 * it comes back: it stays withheld until a reset is verified
 * (apmx_zeroize_retry()).  With @release the caller holds
 * apmx_table_lock.
 */
static bool apmx_zq_ok(struct apmx_zq *q, bool release)
{
	if (q->state != APMX_ZQ_ABSENT)
		return q->state == APMX_ZQ_OK;
	if (!release || !apmx_zq_may_hold(q, true))
		return true;
	q->state = APMX_ZQ_FAILED;
	q->why = APMX_ZQ_WHY_ZAPQ;
	return false;
}

static void apmx_zq_publish(struct apmx_zq *q)
{
	mutex_lock(&apmx_table_lock);
	apmx_zq_note(q);
	apmx_reset_done(q->apid, q->apqi, apmx_zq_ok(q, true));
	mutex_unlock(&apmx_table_lock);
}

/*
 * Reset the @n queues of @q together: each round advances every queue
 * that is not finished by one step, then sleeps once if any is left.
 * With @release, each outcome goes to the table as soon as it is known.
 */
static void apmx_zq_run(struct apmx_zq *q, unsigned int n, bool release)
{
	unsigned int i, pending;

	do {
		pending = 0;
		for (i = 0; i < n; i++) {
			if (q[i].state >= APMX_ZQ_OK)
				continue;
			if (!apmx_zq_step(&q[i]))
				pending++;
			else if (release)
				apmx_zq_publish(&q[i]);
			cond_resched();
		}
		if (pending)
			msleep(APMX_WAIT_MS);
	} while (pending);
}

/*
 * Fill @q with at most @max APQNs of @s in ascending (adapter, domain)
 * order, from *@pos (adapter * 256 + domain) on; advance *@pos.
 * Return: the number of entries filled, 0 at the end of @s.
 */
static unsigned int apmx_zq_fill(struct apmx_zq *q, unsigned int max,
				 const struct apmx_apqn_set *s,
				 unsigned int *pos)
{
	unsigned int apid, apqi, n = 0;

	while (n < max && *pos < APMX_NR_IDS * APMX_NR_IDS) {
		apid = *pos / APMX_NR_IDS;
		apqi = apmx_mask_next(s->row[apid], *pos % APMX_NR_IDS);
		if (apqi >= APMX_NR_IDS) {
			*pos = (apid + 1) * APMX_NR_IDS;
			continue;
		}
		q[n++] = (struct apmx_zq){ .apid = apid, .apqi = apqi,
					   .state = APMX_ZQ_ZAPQ };
		*pos = apid * APMX_NR_IDS + apqi + 1;
	}
	return n;
}

static const char * const apmx_zq_why_str[] = {
	[APMX_ZQ_WHY_ZAPQ]	= "ZAPQ RC",
	[APMX_ZQ_WHY_TAPQ]	= "TAPQ RC",
	[APMX_ZQ_WHY_ZAPQS]	= "out of ZAPQs, last RC",
	[APMX_ZQ_WHY_TAPQS]	= "out of TAPQs, last RC",
};

/*
 * Log the failures among the @n queues of @q, in ascending order, and
 * fill @r (if not NULL) with the first.  Without @release the queues are
 * held by the caller's guest: record their answers (apmx_zq_note()), and
 * add to @failed_set (if not NULL) those that answered RC 01 and may hold
 * what they held (no failure for a queue that stays, but no reset either:
 * not made clean by this).  Takes apmx_table_lock once for that, without
 * @release.  Return: the number of failures.
 */
static unsigned int apmx_zq_report(const struct apmx_zq *q, unsigned int n,
				   bool release, struct kvm_s390_ap_refusal *r,
				   struct apmx_apqn_set *failed_set)
{
	unsigned int i, failed = 0;

	if (!release) {
		mutex_lock(&apmx_table_lock);
		for (i = 0; i < n; i++) {
			apmx_zq_note(&q[i]);
			if (q[i].state == APMX_ZQ_ABSENT && failed_set &&
			    apmx_zq_may_hold(&q[i], false))
				apmx_mask_set(failed_set->row[q[i].apid],
					      q[i].apqi);
		}
		mutex_unlock(&apmx_table_lock);
	}
	for (i = 0; i < n; i++) {
		if (q[i].state == APMX_ZQ_OK || q[i].state == APMX_ZQ_ABSENT)
			continue;
		pr_warn_ratelimited("AP queue %02x.%04x: reset not verified, queue %s (%s %02x%s)\n",
				    q[i].apid, q[i].apqi,
				    release ? "quarantined" : "kept",
				    apmx_zq_why_str[q[i].why], q[i].rc,
				    q[i].why == APMX_ZQ_WHY_ZAPQ &&
				    q[i].rc == AP_RESPONSE_Q_NOT_AVAIL ?
				    ": not available" : "");
		if (failed_set)
			apmx_mask_set(failed_set->row[q[i].apid], q[i].apqi);
		/* a queue that stays with its guest is withheld by nobody */
		if (r && !failed)
			apmx_refusal_fill(r, KVM_S390_AP_R_QUARANTINED,
					  KVM_S390_AP_FIELD_APQN, q[i].apid,
					  q[i].apqi, NULL,
					  release ? KVM_S390_AP_HOLDER_QUARANTINE :
						    KVM_S390_AP_HOLDER_NONE);
		failed++;
	}
	return failed;
}

/**
 * apmx_zeroize() - reset and zeroize one AP queue, and verify it
 * @apid: adapter id
 * @apqi: domain id
 *
 * The reset of apmx_zeroize_set() for a single queue, which the table does
 * not hear of.  May sleep, at most APMX_ZEROIZE_MAX_WAITS times
 * APMX_WAIT_MS; the caller must not hold apmx_table_lock or
 * ap_perms_mutex.
 *
 * Return: true if the reset was verified.  False also for a queue that is
 * not in the configuration (ZAPQ RC 01): it was not reset.
 */
bool apmx_zeroize(unsigned int apid, unsigned int apqi)
{
	struct apmx_zq q = { .apid = apid, .apqi = apqi,
			     .state = APMX_ZQ_ZAPQ };

	if (apid >= APMX_NR_IDS || apqi >= APMX_NR_IDS)
		return false;
	apmx_zq_run(&q, 1, false);
	return q.state == APMX_ZQ_OK;
}

/**
 * apmx_zeroize_given_up() - reset a queue another driver gave up
 * @apid: adapter id
 * @apqi: domain id
 *
 * For a queue that a driver which may have given it to a guest (vfio_ap)
 * is done with: 6.1's vfio_ap_ops.c vfio_ap_mdev_remove_queue() ignores
 * the result of its reset, and vfio_ap_mdev_reset_queue() returns 0 for a
 * reset it did not see end, -EBUSY when another reset (the AP bus's RAPQ,
 * which does not zeroize) kept its ZAPQs from being performed.  A TAPQ
 * cannot tell a zeroized queue from one a RAPQ emptied, so reset it here,
 * as apmx_zeroize() does (ZAPQ, verified by TAPQ, another reset waited
 * for).  Only if that is not verified (RC 01: out of the configuration;
 * 03, 04, or no end within the budget) is the APQN marked
 * (apmx_zq_mark_leftover()); a verified reset clears an earlier mark.
 * The caller keeps anyone from claiming the queue meanwhile (vfio_ap's
 * remove: its vfio_ap bit, queue-driver.c).
 *
 * Context: may sleep (at most APMX_ZEROIZE_MAX_MS of msleep()); takes
 * apmx_table_lock, so the caller must hold no lock of ap-matrix.h, nor
 * vfio_ap's locks.
 *
 * Return: true if the reset was verified.
 */
bool apmx_zeroize_given_up(unsigned int apid, unsigned int apqi)
{
	struct apmx_zq q = { .apid = apid, .apqi = apqi,
			     .state = APMX_ZQ_ZAPQ };

	apmx_zq_run(&q, 1, false);
	mutex_lock(&apmx_table_lock);
	apmx_zq_note(&q);
	if (q.state != APMX_ZQ_OK)
		apmx_zq_mark_leftover(apid, apqi);
	mutex_unlock(&apmx_table_lock);
	return q.state == APMX_ZQ_OK;
}

/**
 * apmx_zeroize_retry_leftover() - reset a marked queue again
 * @apid: adapter id
 * @apqi: domain id
 * @r: filled when someone else has the APQN
 *
 * For an APQN marked by apmx_zq_mark_leftover() (another driver gave it
 * up and no reset of ours was verified since) that nobody has: no guest
 * of ours uses it, it is not withheld, the host's default drivers do not
 * own it (apmask/aqmask) or drive it, vfio_ap neither drives nor controls
 * it (apmx_qdrv_host_veto()).  The APQN is withheld in the table
 * (apmx_table_withhold()) while it is reset, so that nobody can claim,
 * reserve or bind it meanwhile, and free again afterwards whatever the
 * outcome: a verified reset clears the mark and, with the last one, drops
 * the module reference; otherwise both stay.  Without this a mark of a
 * queue that never goes to a guest again keeps kvm.ko pinned for good.
 * For the administrator (the queue driver's reset_quarantined).
 *
 * A queue device the AP bus adds meanwhile is nobody's yet: the apmatrix
 * driver does not bind it, vfio_ap's probe is deferred
 * (apmx_zq_note_probe_withheld()).  If a probe met the withheld slot, the
 * queue is probed again once the slot is free (apmx_qdrv_reprobe()), so
 * it ends with the driver the host's apmask and aqmask give it to, as if
 * it had appeared after the retry: vfio_ap, a default driver (the masks
 * cannot change meanwhile: the slot is withheld), or none.  A queue
 * device that no driver probed meanwhile (unbound by root, say) is left
 * as it is.
 *
 * Context: may sleep (ap_perms_mutex, taken killably, then
 * apmx_table_lock, dropped before the reset, which takes at most
 * APMX_ZEROIZE_MAX_MS of msleep(); then the queue's device lock for the
 * probe); the caller must hold no lock of the order in ap-matrix.h, nor a
 * device lock.
 *
 * Return: 0 if the reset was verified; -EIO if it ran and was not
 * verified (only then); -EINVAL if the APQN is not marked; -EINTR (killed
 * while waiting for ap_perms_mutex); -ENOMEM; or, with @r naming the APQN
 * and its holder, and nothing reset: -EBUSY if the slot is withheld
 * already (being reset or quarantined: KVM_S390_AP_R_QUARANTINED; the
 * table's -EIO) or vfio_ap has it, -EADDRINUSE if a guest uses it,
 * -EADDRNOTAVAIL if it is the host's.
 */
int apmx_zeroize_retry_leftover(unsigned int apid, unsigned int apqi,
				struct kvm_s390_ap_refusal *r)
{
	struct apmx_zq q = { .apid = apid, .apqi = apqi,
			     .state = APMX_ZQ_ZAPQ };
	bool probed;
	int rc;

	if (apid >= APMX_NR_IDS || apqi >= APMX_NR_IDS)
		return -EINVAL;
	rc = apmx_host_lock_killable();
	if (rc)
		return rc;
	mutex_lock(&apmx_table_lock);
	if (!apmx_set_test(&apmx_zq_leftover, apid, apqi)) {
		rc = -EINVAL;
		goto unlock;
	}
	/* never reset a queue under the host or vfio_ap */
	rc = apmx_qdrv_host_veto(NULL, apid, apqi, false, r);
	if (rc)
		goto unlock;
	rc = apmx_table_withhold(&apmx_table, apid, apqi, r);
	/* withheld by someone else: busy, not a failed reset of ours */
	if (rc == -EIO)
		rc = -EBUSY;
	if (!rc)
		apmx_mask_set(apmx_zq_withheld.row[apid], apqi);
unlock:
	mutex_unlock(&apmx_table_lock);
	apmx_host_unlock();
	if (rc)
		return rc;

	apmx_zq_run(&q, 1, false);

	mutex_lock(&apmx_table_lock);
	apmx_zq_note(&q);		/* verified: the mark and its pin go */
	apmx_reset_done(apid, apqi, true);	/* free again, as it was */
	apmx_mask_clear(apmx_zq_withheld.row[apid], apqi);
	probed = apmx_set_test(&apmx_zq_withheld_probed, apid, apqi);
	apmx_mask_clear(apmx_zq_withheld_probed.row[apid], apqi);
	apmx_mask_clear(apmx_zq_withheld_logged.row[apid], apqi);
	mutex_unlock(&apmx_table_lock);
	/* a queue device probed meanwhile: to the driver of the masks */
	if (probed)
		apmx_qdrv_reprobe(apid, apqi);
	return q.state == APMX_ZQ_OK ? 0 : -EIO;
}

/**
 * apmx_zeroize_set() - zeroize every APQN of a set, all at once
 * @s: the APQNs
 * @release: the APQNs were released in the table (APMX_SLOT_RESETTING):
 *	     tell the table each outcome as soon as it is known, which frees
 *	     or quarantines the APQN; else they are held by the caller's
 *	     guest (its claim, KVM_S390_RESET_AP_QUEUES), and which of them
 *	     answered other than RC 01 is recorded for their release
 * @r: if not NULL, filled with the first APQN (in ascending (adapter,
 *     domain) order) whose reset was not verified; untouched if none
 * @failed_set: if not NULL, set to the APQNs whose reset was not verified,
 *	also those that answered RC 01 (no failure without @release) and
 *	may hold what they held (apmx_zq_may_hold(): they answered other
 *	than 01 while held, or with the AP bus their queue was present,
 *	apmx_qdrv_present(); without the AP bus: all of them)
 *
 * Issues the ZAPQ of every APQN first, then polls them all with TAPQ,
 * sleeping once per round (APMX_WAIT_MS) while any is not finished; see
 * apmx_zq_step() for the response codes.  A queue uses at most
 * APMX_ZEROIZE_TRIES ZAPQs and APMX_VERIFY_TRIES TAPQs, and waits at most
 * APMX_ZEROIZE_MAX_WAITS (33) rounds.
 *
 * Worst-case wall time, whatever the size of @s: 33 msleep(20), i.e.
 * APMX_ZEROIZE_MAX_MS = 660 ms; msleep(20) sleeps 3 jiffies at HZ=100
 * (s390 defconfig), so about 1 s, plus at most 35 PQAP instructions per
 * queue.  That holds while the scratch memory (7 bytes per APQN, for sets
 * above APMX_ZEROIZE_BATCH) can be allocated; if it cannot, the set is
 * reset in batches of APMX_ZEROIZE_BATCH on the stack, one after another:
 * up to DIV_ROUND_UP(n, 32) times the bound above.
 *
 * Context: may sleep.  Takes apmx_table_lock once per finished APQN (with
 * @release) or once per batch (without), never across a sleep or an AP
 * instruction; the caller must hold neither apmx_table_lock nor
 * ap_perms_mutex, and should hold no lock that others wait for.
 *
 * Return: the number of APQNs whose reset was not verified.
 */
unsigned int apmx_zeroize_set(const struct apmx_apqn_set *s, bool release,
			      struct kvm_s390_ap_refusal *r,
			      struct apmx_apqn_set *failed_set)
{
	struct apmx_zq batch[APMX_ZEROIZE_BATCH];
	unsigned int n, max, pos = 0, failed = 0;
	struct apmx_zq *q = batch;

	if (failed_set)
		apmx_set_clear(failed_set);
	n = apmx_set_weight(s);
	max = ARRAY_SIZE(batch);
	if (n > max) {
		q = kvmalloc_array(n, sizeof(*q), GFP_KERNEL_ACCOUNT);
		if (q)
			max = n;
		else
			q = batch;	/* slower, but as correct */
	}
	while ((n = apmx_zq_fill(q, max, s, &pos))) {
		apmx_zq_run(q, n, release);
		failed += apmx_zq_report(q, n, release, failed ? NULL : r,
					 failed_set);
	}
	if (q != batch)
		kvfree(q);
	return failed;
}

/**
 * apmx_zeroize_retry_set() - reset quarantined queues again, all at once
 * @s: in: APQNs to retry; out: those that were quarantined and not being
 *     retried elsewhere, i.e. the ones this call reset
 *
 * The batched form of apmx_zeroize_retry(): one reset round for the whole
 * set (apmx_zeroize_set(), at most APMX_ZEROIZE_MAX_MS of msleep()), each
 * verified APQN freed in the table.  Context: as apmx_zeroize_retry().
 */
void apmx_zeroize_retry_set(struct apmx_apqn_set *s)
{
	unsigned int apid, apqi;
	struct apmx_slot sl;

	mutex_lock(&apmx_table_lock);
	for (apid = 0; apid < APMX_NR_IDS; apid++)
		apmx_for_each_id(apqi, s->row[apid]) {
			apmx_table_peek(&apmx_table, apid, apqi, &sl);
			if (!(sl.state & APMX_SLOT_QUARANTINED) ||
			    apmx_set_test(&apmx_retrying, apid, apqi))
				apmx_mask_clear(s->row[apid], apqi);
			else
				apmx_mask_set(apmx_retrying.row[apid], apqi);
		}
	mutex_unlock(&apmx_table_lock);
	apmx_zeroize_set(s, true, NULL, NULL);
	mutex_lock(&apmx_table_lock);
	for (apid = 0; apid < APMX_NR_IDS; apid++)
		apmx_for_each_id(apqi, s->row[apid])
			apmx_mask_clear(apmx_retrying.row[apid], apqi);
	mutex_unlock(&apmx_table_lock);
	apmx_aqic_orphans_reap();	/* pins of destroyed VMs (aqic.c) */
}

/**
 * apmx_zeroize_retry() - reset a quarantined queue again
 * @apid: adapter id
 * @apqi: domain id
 *
 * For an APQN that the table holds QUARANTINED (its reset failed, e.g.
 * its card was deconfigured or checkstopped), reset and verify it again,
 * as apmx_zeroize_set() does; if that is verified the APQN is free again
 * (a reservation on it stays).  For the queue driver's probe (the card is
 * back) and for the administrator.  Any other APQN is left alone: one
 * that a guest uses is never reset under it, one that is being reset is
 * left to that reset, as is one whose retry already runs.
 *
 * Context: may sleep (as apmx_zeroize()); takes apmx_table_lock, so the
 * caller must hold no lock of the order in ap-matrix.h.
 *
 * Return: 0 if the APQN is free afterwards: its reset ran here and was
 * verified (or, out of the configuration, the queue cannot hold anything
 * of a guest: apmx_zq_ok()), or it was neither quarantined nor used in
 * the first place (say another retry freed it meanwhile), and nothing
 * was reset; -EIO if the reset ran and was not verified (the queue is
 * still out of the configuration, deconfigured, busy or not done within
 * the budget): the APQN stays quarantined; -EBUSY, nothing reset, if a
 * guest uses the APQN or another reset withholds it (a release's, or
 * another retry of it); -EINVAL if @apid or @apqi is out of range.
 */
int apmx_zeroize_retry(unsigned int apid, unsigned int apqi)
{
	struct apmx_zq q = { .apid = apid, .apqi = apqi,
			     .state = APMX_ZQ_ZAPQ };
	struct apmx_slot s;
	bool retry;

	if (apid >= APMX_NR_IDS || apqi >= APMX_NR_IDS)
		return -EINVAL;
	mutex_lock(&apmx_table_lock);
	apmx_table_lookup(&apmx_table, apid, apqi, &s);
	retry = (s.state & APMX_SLOT_QUARANTINED) &&
		!apmx_set_test(&apmx_retrying, apid, apqi);
	if (retry)
		apmx_mask_set(apmx_retrying.row[apid], apqi);
	mutex_unlock(&apmx_table_lock);
	if (!retry)
		return s.user || s.state ? -EBUSY : 0;

	apmx_zq_run(&q, 1, false);

	mutex_lock(&apmx_table_lock);
	apmx_mask_clear(apmx_retrying.row[apid], apqi);
	apmx_zq_note(&q);
	apmx_reset_done(apid, apqi, apmx_zq_ok(&q, true));
	apmx_table_lookup(&apmx_table, apid, apqi, &s);
	mutex_unlock(&apmx_table_lock);
	if (q.state == APMX_ZQ_OK) {
		pr_notice("AP queue %02x.%04x: reset verified, no longer quarantined\n",
			  apid, apqi);
		apmx_aqic_orphans_reap();	/* pins of destroyed VMs (aqic.c) */
	} else {
		apmx_zq_report(&q, 1, true, NULL, NULL);
	}
	/* the reset ran: still quarantined means not verified */
	return s.state & APMX_SLOT_QUARANTINED ? -EIO : 0;
}
