// SPDX-License-Identifier: GPL-2.0
/*
 * KVM/s390 AP matrix: zeroize a queue that leaves a guest.
 *
 * ZAPQ resets the queue and zeroizes its keys; TAPQ then verifies that the
 * reset completed (queue empty, interruptions disabled).  Waiting is
 * bounded (APMX_ZEROIZE_TRIES / APMX_VERIFY_TRIES times APMX_WAIT_MS) and
 * sleeps in msleep(), so callers must not hold a spinlock; see the lock
 * order in ap-matrix.h.  A queue whose reset cannot be verified is
 * quarantined in the ownership table and never handed on.
 *
 * Copyright IBM Corp. and the apmatrix developers
 */
#define KMSG_COMPONENT "kvm-s390"
#define pr_fmt(fmt) KMSG_COMPONENT ": " fmt

#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <asm/ap.h>
#include "ap-matrix.h"

static bool apmx_zapq(ap_qid_t qid, bool *gone)
{
	struct ap_queue_status st;
	unsigned int i;

	for (i = 0; i < APMX_ZEROIZE_TRIES; i++) {
		if (i)
			msleep(APMX_WAIT_MS);
		st = ap_zapq(qid);
		switch (st.response_code) {
		case AP_RESPONSE_NORMAL:
		case AP_RESPONSE_RESET_IN_PROGRESS:
			return true;
		case AP_RESPONSE_Q_NOT_AVAIL:
			/* not configured: nothing can reach it */
			*gone = true;
			return true;
		case AP_RESPONSE_BUSY:
		case AP_RESPONSE_OTHERWISE_CHANGED:
			continue;
		default:
			return false;
		}
	}
	return false;
}

/**
 * apmx_zeroize() - reset and zeroize one AP queue, and verify it
 * @apid: adapter id
 * @apqi: domain id
 *
 * Response codes: 00 and 02 (reset in progress) from ZAPQ go on to the
 * verification; 05 (busy) and 07 (otherwise changed) are retried; 01 (not
 * available) means the queue is not in the configuration, so nothing can
 * reach its keys.  TAPQ is polled until it reports 00 with an empty queue
 * and interruptions disabled; 02, 05 and 07 mean "not yet".  Anything else,
 * or running out of attempts, fails.
 *
 * Return: true if the queue is known to be zeroized.
 */
bool apmx_zeroize(unsigned int apid, unsigned int apqi)
{
	ap_qid_t qid = AP_MKQID(apid, apqi);
	struct ap_queue_status st;
	bool gone = false;
	unsigned int i;

	if (!apmx_zapq(qid, &gone))
		return false;
	if (gone)
		return true;
	for (i = 0; i < APMX_VERIFY_TRIES; i++) {
		st = ap_tapq(qid, NULL);
		switch (st.response_code) {
		case AP_RESPONSE_NORMAL:
			if (st.queue_empty && !st.irq_enabled)
				return true;
			break;
		case AP_RESPONSE_RESET_IN_PROGRESS:
		case AP_RESPONSE_BUSY:
		case AP_RESPONSE_OTHERWISE_CHANGED:
			break;
		default:
			return false;
		}
		msleep(APMX_WAIT_MS);
	}
	return false;
}

/**
 * apmx_zeroize_set() - zeroize every APQN of a set
 * @s: the APQNs
 * @release: the APQNs were released in the table (APMX_SLOT_RESETTING):
 *	     tell the table the outcome, which frees or quarantines them
 * @r: if not NULL, filled with the first APQN that failed
 *
 * Called without apmx_table_lock, which it takes per APQN.
 *
 * Return: the number of APQNs whose reset was not verified.
 */
unsigned int apmx_zeroize_set(const struct apmx_apqn_set *s, bool release,
			      struct kvm_s390_ap_refusal *r)
{
	unsigned int apid, apqi, failed = 0;
	bool ok;

	for (apid = 0; apid < APMX_NR_IDS; apid++) {
		apmx_for_each_id(apqi, s->row[apid]) {
			ok = apmx_zeroize(apid, apqi);
			if (!ok) {
				pr_warn("AP queue %02x.%04x: reset not verified, queue %s\n",
					apid, apqi,
					release ? "quarantined" : "kept");
				if (r && !failed)
					apmx_refusal_fill(r, KVM_S390_AP_R_QUARANTINED,
							  KVM_S390_AP_FIELD_APQN,
							  apid, apqi, NULL,
							  KVM_S390_AP_HOLDER_QUARANTINE);
				failed++;
			}
			if (release) {
				mutex_lock(&apmx_table_lock);
				apmx_table_reset_done(&apmx_table, apid, apqi, ok);
				mutex_unlock(&apmx_table_lock);
			}
		}
	}
	return failed;
}
