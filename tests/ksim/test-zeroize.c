// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: no secret survives a change of owner.  Queues leaving a guest
 * (shrink, clear, VM destroy) are zeroized with ZAPQ and verified with
 * TAPQ before anybody else can claim them; a queue whose reset cannot be
 * verified is quarantined until a retry verifies it; the reset ioctl
 * zeroizes what a guest keeps.  A set is reset all at once (every ZAPQ,
 * then the TAPQs together, one wait per round) within a bound measured
 * on the virtual clock of msleep().
 */
#include <stdlib.h>
#include <string.h>
#include "ksim-test.h"
#include "ksim-ap-bus.h"

static void script(u8 *dst, unsigned int *len, const u8 *codes,
		   unsigned int n)
{
	memcpy(dst, codes, n);
	*len = n;
}

#define ZAPQ(q, ...) do {						\
	static const u8 c_[] = { __VA_ARGS__ };				\
	script((q)->zapq_script, &(q)->zapq_script_len, c_, sizeof(c_)); \
} while (0)
#define TAPQ(q, ...) do {						\
	static const u8 c_[] = { __VA_ARGS__ };				\
	script((q)->tapq_script, &(q)->tapq_script_len, c_, sizeof(c_)); \
} while (0)

/* ---- apmx_zeroize(): the response codes -------------------------------- */
START_TEST(zeroize_normal)
{
	struct ksim_queue *q = &ksim_host.q[4][1];

	q->secret = 42;
	ck_assert(apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->secret, 0);
	ck_assert_uint_eq(q->zapq_calls, 1);
	ck_assert_uint_eq(q->tapq_calls, 1);
	ck_assert_uint_eq(ksim_slept_ms, 0);
}
END_TEST

START_TEST(zeroize_busy_and_changed_retried)
{
	struct ksim_queue *q = &ksim_host.q[4][1];

	q->secret = 42;
	ZAPQ(q, AP_RESPONSE_BUSY, AP_RESPONSE_OTHERWISE_CHANGED,
	     AP_RESPONSE_NORMAL);
	ck_assert(apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->secret, 0);
	ck_assert_uint_eq(q->zapq_calls, 3);
	ck_assert_uint_eq(ksim_slept_ms, 2 * APMX_WAIT_MS);
}
END_TEST

START_TEST(zeroize_busy_forever_fails_bounded)
{
	struct ksim_queue *q = &ksim_host.q[4][1];

	q->secret = 42;
	ZAPQ(q, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5);
	ck_assert(!apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->zapq_calls, APMX_ZEROIZE_TRIES);
	ck_assert_uint_eq(q->secret, 42);
	ck_assert_uint_eq(ksim_slept_ms, (APMX_ZEROIZE_TRIES - 1) * APMX_WAIT_MS);
}
END_TEST

/* a reset that takes 60 ms: TAPQ says 02 until then */
START_TEST(zeroize_reset_takes_time)
{
	struct ksim_queue *q = &ksim_host.q[4][1];
	unsigned long t0 = ksim_now_ms;

	q->secret = 42;
	q->reset_ms = 60;
	ck_assert(apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->secret, 0);
	ck_assert_uint_eq(q->zapq_calls, 1);
	ck_assert_uint_eq(q->tapq_calls, 4);
	ck_assert_uint_eq(ksim_now_ms - t0, 60);
}
END_TEST

/*
 * ZAPQ RC 02: a reset is already running, e.g. the AP bus's RAPQ
 * (ap_queue.c ap_sm_reset()), which does not zeroize.  Wait until it is
 * done, then ZAPQ again (as 6.1's vfio_ap_mdev_reset_queue() does), then
 * verify.  _i 0: ZAPQ answers 02 (a RAPQ starts just before it), 1: the
 * AP bus started a RAPQ earlier.
 */
START_TEST(zeroize_rc02_is_rapq_zapq_again)
{
	struct ksim_queue *q = &ksim_host.q[4][1];
	unsigned long t0 = ksim_now_ms;

	q->secret = 42;
	q->reset_ms = 40;
	if (_i)
		ksim_rapq(4, 1);
	else
		ZAPQ(q, AP_RESPONSE_RESET_IN_PROGRESS);
	ck_assert(apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->secret, 0);
	ck_assert_uint_eq(q->zapq_calls, 2);
	/* 40 ms of RAPQ, then 40 ms of our ZAPQ */
	ck_assert_uint_eq(ksim_now_ms - t0, 80);
}
END_TEST

/* a RAPQ again at every ZAPQ: bounded by APMX_ZEROIZE_TRIES */
START_TEST(zeroize_rc02_forever_fails_bounded)
{
	struct ksim_queue *q = &ksim_host.q[4][1];

	q->secret = 42;
	ZAPQ(q, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2);
	ck_assert(!apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->secret, 42);
	ck_assert_uint_eq(q->zapq_calls, APMX_ZEROIZE_TRIES);
	ck_assert_uint_le(ksim_slept_ms, APMX_ZEROIZE_MAX_MS);
}
END_TEST

/* a RAPQ that takes all the TAPQs: our ZAPQ runs, but cannot be verified */
START_TEST(zeroize_rapq_uses_up_polls)
{
	struct ksim_queue *q = &ksim_host.q[4][1];

	q->secret = 42;
	q->reset_polls = APMX_VERIFY_TRIES - 1;
	ZAPQ(q, AP_RESPONSE_RESET_IN_PROGRESS);
	ck_assert(!apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->zapq_calls, 2);
	ck_assert_uint_eq(q->tapq_calls, APMX_VERIFY_TRIES);
	ck_assert_uint_eq(ksim_slept_ms, APMX_VERIFY_TRIES * APMX_WAIT_MS);
}
END_TEST

START_TEST(zeroize_tapq_busy_changed_then_ok)
{
	struct ksim_queue *q = &ksim_host.q[4][1];

	TAPQ(q, AP_RESPONSE_BUSY, AP_RESPONSE_OTHERWISE_CHANGED,
	     AP_RESPONSE_RESET_IN_PROGRESS);
	ck_assert(apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->tapq_calls, 4);
	ck_assert_uint_eq(ksim_slept_ms, 3 * APMX_WAIT_MS);
}
END_TEST

/* no sleep after the last poll: it would not change the verdict */
START_TEST(zeroize_reset_hangs_fails_bounded)
{
	struct ksim_queue *q = &ksim_host.q[4][1];

	q->reset_hangs = true;
	ck_assert(!apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->tapq_calls, APMX_VERIFY_TRIES);
	ck_assert_uint_eq(ksim_slept_ms, (APMX_VERIFY_TRIES - 1) * APMX_WAIT_MS);
}
END_TEST

START_TEST(zeroize_irq_stays_enabled_fails)
{
	ksim_host.q[4][1].irq_stays = true;
	ck_assert(!apmx_zeroize(4, 1));
}
END_TEST

/* ZAPQ 03 (deconfigured), 04 (checkstopped), 06: not verifiable */
START_TEST(zeroize_hard_errors_fail)
{
	static const u8 rc[] = { AP_RESPONSE_DECONFIGURED,
				 AP_RESPONSE_CHECKSTOPPED,
				 AP_RESPONSE_INVALID_ADDRESS };
	struct ksim_queue *q = &ksim_host.q[4][1];

	q->secret = 42;
	script(q->zapq_script, &q->zapq_script_len, &rc[_i], 1);
	ck_assert(!apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->zapq_calls, 1);
	ck_assert_uint_eq(ksim_slept_ms, 0);
}
END_TEST

START_TEST(zeroize_tapq_hard_error_fails)
{
	struct ksim_queue *q = &ksim_host.q[4][1];

	TAPQ(q, AP_RESPONSE_CHECKSTOPPED);
	ck_assert(!apmx_zeroize(4, 1));
}
END_TEST

/*
 * ZAPQ RC 01: the queue is not in the configuration (it left it; a
 * deconfigured one answers 03, zeroize_hard_errors_fail).  Nothing was
 * reset: what it holds is there again when it comes back.
 */
START_TEST(zeroize_not_available_is_not_zeroized)
{
	ksim_host.q[4][1].exists = false;
	ksim_host.q[4][1].secret = 42;
	ck_assert(!apmx_zeroize(4, 1));
	ck_assert_uint_eq(ksim_host.q[4][1].zapq_calls, 1);
	ck_assert_uint_eq(ksim_host.q[4][1].tapq_calls, 0);
	ck_assert_uint_eq(ksim_slept_ms, 0);
	ksim_host.q[4][1].exists = true;
	ck_assert_uint_eq(ksim_host.q[4][1].secret, 42);
	/* no such APQN */
	ck_assert(!apmx_zeroize(256, 1));
	ck_assert(!apmx_zeroize(4, 256));
	ck_assert_uint_eq(ksim_host.q[4][1].zapq_calls, 1);
}
END_TEST

/* the longest a single queue can take: busy 9 times, then never done */
START_TEST(zeroize_worst_case_single)
{
	struct ksim_queue *q = &ksim_host.q[4][1];
	unsigned long t0 = ksim_now_ms;

	ZAPQ(q, 5, 7, 5, 7, 5, 7, 5, 7, 5, 0);
	q->reset_hangs = true;
	ck_assert(!apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->zapq_calls, APMX_ZEROIZE_TRIES);
	ck_assert_uint_eq(q->tapq_calls, APMX_VERIFY_TRIES);
	ck_assert_uint_eq(ksim_now_ms - t0, APMX_ZEROIZE_MAX_MS);
	/* the figure the kernel-doc and the lock-order comment give */
	ck_assert_uint_eq(APMX_ZEROIZE_MAX_MS, 660);
}
END_TEST

/* ---- apmx_zeroize_set(): all ZAPQs first, then verify together --------- */

static struct apmx_apqn_set *set_of(const char *apm, const char *aqm)
{
	struct apmx_apqn_set *s = calloc(1, sizeof(*s));
	struct kvm_s390_ap_masks m;
	unsigned int a;

	ck_assert_ptr_nonnull(s);
	ksim_masks(&m, apm, aqm, "");
	apmx_for_each_id(a, m.apm)
		memcpy(s->row[a], m.aqm, APMX_MASK_BYTES);
	return s;
}

/* no lock but the VM's op_lock is held across a wait */
static void assert_no_global_lock_waited(void)
{
	ck_assert_uint_eq(ksim_lock_hold_max(KSIM_RANK_AP_PERMS), 0);
	ck_assert_uint_eq(ksim_lock_hold_max(KSIM_RANK_KVM), 0);
	ck_assert_uint_eq(ksim_lock_hold_max(KSIM_RANK_PQAP_HOOK), 0);
	ck_assert_uint_eq(ksim_lock_hold_max(KSIM_RANK_TABLE), 0);
}

/*
 * A release of 256 queues (one adapter x 256 domains, APXA, Na=Nd=255)
 * whose resets take 20 ms each: about one wait period, not 256.
 */
START_TEST(set_256_queues_reset_together)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	unsigned int d, z[256];
	unsigned long t0;

	ck_assert_int_eq(ksim_set(a, "7", "0-255", "", NULL), 0);
	for (d = 0; d < 256; d++) {
		ksim_host.q[7][d].secret = 0x1000 + d;
		ksim_host.q[7][d].reset_ms = 20;
		z[d] = ksim_host.q[7][d].zapq_calls;
	}
	ksim_lock_hold_reset();
	t0 = ksim_now_ms;
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_uint_le(ksim_now_ms - t0, 100);
	ck_assert_uint_le(ksim_lock_hold_max(KSIM_RANK_VM_OP), 100);
	assert_no_global_lock_waited();
	for (d = 0; d < 256; d++) {
		ck_assert_uint_eq(ksim_host.q[7][d].secret, 0);
		ck_assert_uint_eq(ksim_host.q[7][d].zapq_calls, z[d] + 1);
	}
	ck_assert_uint_eq(ksim_table_used(), 0);
	ksim_vm_destroy(a);
}
END_TEST

/*
 * The bound holds whatever the queues do: 256 queues, each with one of
 * the slow patterns; the set ends after APMX_ZEROIZE_MAX_MS, the queues
 * that made it are free, the others quarantined.
 */
START_TEST(set_worst_case_bound)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct ksim_queue *q;
	unsigned long t0;
	unsigned int d;

	ck_assert_int_eq(ksim_set(a, "7", "0-255", "", NULL), 0);
	ksim_zapq_counts_clear();	/* count the resets from here on */
	for (d = 0; d < 256; d++) {
		q = &ksim_host.q[7][d];
		q->secret = 0x1000 + d;
		switch (d % 5) {
		case 0:		/* the worst: busy 9 times, then hangs */
			ZAPQ(q, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0);
			q->reset_hangs = true;
			break;
		case 1:		/* RAPQs of 60 ms in the way, then fine */
			ZAPQ(q, 2, 2);
			q->reset_ms = 60;
			break;
		case 2:		/* interruptions never go off */
			q->irq_stays = true;
			break;
		case 3:		/* busy forever */
			ZAPQ(q, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5);
			break;
		case 4:		/* slow but fine */
			q->reset_ms = 200;
			break;
		}
	}
	ksim_lock_hold_reset();
	t0 = ksim_now_ms;
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_uint_eq(ksim_now_ms - t0, APMX_ZEROIZE_MAX_MS);
	ck_assert_uint_eq(ksim_lock_hold_max(KSIM_RANK_VM_OP),
			  APMX_ZEROIZE_MAX_MS);
	assert_no_global_lock_waited();
	for (d = 0; d < 256; d++) {
		q = &ksim_host.q[7][d];
		ck_assert_uint_le(q->zapq_calls, APMX_ZEROIZE_TRIES);
		ck_assert_uint_le(q->tapq_calls, APMX_VERIFY_TRIES);
		if (d % 5 == 1 || d % 5 == 4) {
			ck_assert_uint_eq(q->secret, 0);
			ck_assert(ksim_table_free(7, d));
		} else {
			ck_assert(!ksim_table_free(7, d));
		}
	}
	ksim_vm_destroy(a);
}
END_TEST

/*
 * Several failures: @r names the first in ascending (adapter, domain)
 * order, not the first to fail in time.  05.0003 fails last (its reset
 * hangs), 05.00c8 and 09.0001 at once.
 */
START_TEST(set_reports_first_failure)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct apmx_apqn_set *s = set_of("2:5:9", "1:3:200");
	struct kvm_s390_ap_refusal r;

	ksim_host.q[5][3].reset_hangs = true;
	ZAPQ(&ksim_host.q[5][200], AP_RESPONSE_CHECKSTOPPED);
	ksim_host.q[9][1].exists = false;
	memset(&r, 0xff, sizeof(r));
	/* 09.0001 is not in the configuration: for a queue that stays with
	 * its guest that is no failure, nothing can reach it; a queue that
	 * stays is withheld by nobody (holder none)
	 */
	ck_assert_uint_eq(apmx_zeroize_set(s, false, &r, NULL), 2);
	ck_assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 5, 3,
			  KVM_S390_AP_HOLDER_NONE);
	ck_assert_uint_eq(r.field, KVM_S390_AP_FIELD_APQN);
	ck_assert_uint_eq(ksim_host.q[2][200].zapq_calls, 1);
	ck_assert_uint_eq(ksim_host.q[9][200].zapq_calls, 1);
	/* the same through the reset ioctl */
	ksim_host.q[5][3].reset_hangs = false;
	ksim_host.q[9][1].exists = true;
	ck_assert_int_eq(ksim_set(a, "2:5:9", "1:3:200", "", NULL), 0);
	ksim_host.q[5][3].reset_hangs = true;
	ksim_host.q[9][1].irq_stays = true;
	ZAPQ(&ksim_host.q[5][200], AP_RESPONSE_CHECKSTOPPED);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_RESET_AP_QUEUES, &r), -EIO);
	ck_assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 5, 3,
			  KVM_S390_AP_HOLDER_NONE);
	ksim_host.q[5][3].reset_hangs = false;
	ksim_host.q[9][1].irq_stays = false;
	ksim_vm_destroy(a);
	free(s);
}
END_TEST

/* without scratch memory: batches on the stack, slower but as correct */
START_TEST(set_allocation_failure_falls_back)
{
	struct apmx_apqn_set *s = set_of("3", "0-255");
	struct kvm_s390_ap_refusal r;
	unsigned long t0;
	unsigned int d;

	for (d = 0; d < 256; d++) {
		ksim_host.q[3][d].secret = d + 1;
		ksim_host.q[3][d].reset_ms = 20;
	}
	ksim_host.q[3][50].irq_stays = true;
	ksim_host.q[3][40].reset_hangs = true;
	shim_slab_fail_nth(1);
	t0 = ksim_now_ms;
	ck_assert_uint_eq(apmx_zeroize_set(s, false, &r, NULL), 2);
	ck_assert_uint_eq(shim_slab_failed(), 1);
	ck_assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 3, 40,
			  KVM_S390_AP_HOLDER_NONE);
	for (d = 0; d < 256; d++)
		ck_assert_uint_eq(ksim_host.q[3][d].secret, 0);
	/* 8 batches: 7 of one wait, the one with 03.0028 and 03.0032 waits
	 * until their polls run out
	 */
	ck_assert_uint_eq(ksim_now_ms - t0,
			  (256 / APMX_ZEROIZE_BATCH - 1) * APMX_WAIT_MS +
			  (APMX_VERIFY_TRIES - 1) * APMX_WAIT_MS);
	/* with memory: all together */
	ksim_host.q[3][40].reset_hangs = false;
	ksim_host.q[3][50].irq_stays = false;
	t0 = ksim_now_ms;
	ck_assert_uint_eq(apmx_zeroize_set(s, false, NULL, NULL), 0);
	ck_assert_uint_eq(ksim_now_ms - t0, APMX_WAIT_MS);
	free(s);
}
END_TEST

/* ---- through the ioctls ------------------------------------------------ */

/* a failed reset quarantines the queue: reported, never handed on */
START_TEST(shrink_with_failed_reset_quarantines)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct apmx_slot s;

	ck_assert_int_eq(ksim_set(a, "4", "1-2", "", NULL), 0);
	ksim_host.q[4][2].secret = 7;
	ksim_host.q[4][2].reset_hangs = true;
	ck_assert_int_eq(ksim_set(a, "4", "1", "", NULL), 0);	/* the set stands */
	ck_assert(strstr(ksim_printk_log(),
			 "AP queue 04.0002: reset not verified, queue quarantined"));
	apmx_table_lookup(&apmx_table, 4, 2, &s);
	ck_assert_uint_eq(s.state, APMX_SLOT_QUARANTINED);
	ck_assert_ptr_null(s.user);
	ck_assert_int_eq(ksim_set(b, "4", "2", "", &out), -EIO);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_QUARANTINED, 4, 2,
			  KVM_S390_AP_HOLDER_QUARANTINE);
	ck_assert(strstr(ksim_printk_log(), "APQN 04.0002 being reset or quarantined"));
	/* a cannot take it back either */
	ck_assert_int_eq(ksim_set(a, "4", "1-2", "", &out), -EIO);
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
}
END_TEST

static struct kvm *thief;
static long thief_rc;
static struct kvm_s390_ap_matrix thief_out;
static u64 secret_seen;

/* another thread claims 2.2 just before its ZAPQ, still holding a secret */
static void steal(unsigned int apid, unsigned int apqi)
{
	char a[8], d[8];

	if (apid != 2 || apqi != 2)
		return;
	snprintf(a, sizeof(a), "%u", apid);
	snprintf(d, sizeof(d), "%u", apqi);
	ksim_host.on_zapq = NULL;
	ksim_thread_switch();
	thief_rc = ksim_set(thief, a, d, "", &thief_out);
	secret_seen = ksim_host.q[apid][apqi].secret;
	ksim_thread_return();
}

/* a running guest grown and shrunk; released queues go out zeroized */
START_TEST(running_guest_grow_and_shrink)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	unsigned int calls;

	thief = ksim_vm_create(CRYCB_FORMAT2);
	a->created_vcpus = 4;
	ck_assert_int_eq(ksim_set(a, "1", "1", "", NULL), 0);
	ksim_zapq_counts_clear();	/* count the resets from here on */
	/* grow: one more adapter, one more domain */
	calls = a->set_masks_calls;
	ck_assert_int_eq(ksim_set(a, "1-2", "1-2", "", &out), 0);
	/* twice: what it kept, then, once they are reset, the new queues */
	ck_assert_uint_eq(a->set_masks_calls, calls + 2);
	ksim_assert_crycb(a, &out.requested);
	ck_assert_uint_eq(ksim_host.q[1][1].zapq_calls, 0);
	ck_assert_uint_eq(ksim_host.q[2][2].zapq_calls, 1);
	ksim_zapq_counts_clear();	/* count the resets from here on */

	/* the guest uses 2.2 */
	ksim_host.q[2][2].secret = 0xdeadbeef;
	/* shrink: while 2.2 is zeroized, somebody tries to claim it */
	ksim_host.on_zapq = steal;
	ck_assert_int_eq(ksim_set(a, "1", "1", "", &out), 0);
	ksim_assert_crycb(a, &out.requested);
	ck_assert_uint_eq(secret_seen, 0xdeadbeef);	/* not yet zeroized */
	ck_assert_int_eq(thief_rc, -EIO);
	ck_assert_refusal(&thief_out.refusal, KVM_S390_AP_R_QUARANTINED, 2, 2,
			  KVM_S390_AP_HOLDER_QUARANTINE);
	/* after the set, the queues are free and clean */
	ck_assert_uint_eq(ksim_host.q[2][2].secret, 0);
	ck_assert_int_eq(ksim_set(thief, "2", "1-2", "", NULL), 0);
	/* once released by a, once reset for the thief (2.x) */
	ck_assert_uint_eq(ksim_host.q[1][2].zapq_calls, 1);
	ck_assert_uint_eq(ksim_host.q[2][1].zapq_calls, 2);
	ck_assert_uint_eq(ksim_host.q[2][2].zapq_calls, 2);
	ck_assert_uint_eq(ksim_host.q[1][1].zapq_calls, 0);
	ksim_vm_destroy(a);
	ksim_vm_destroy(thief);
}
END_TEST

/* whatever the VMM did: destroying the VM gives every queue back clean */
START_TEST(vm_destroy_releases_everything)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	unsigned int d;

	ck_assert_int_eq(ksim_set(a, "1-3", "1-4", "5-6", NULL), 0);
	ksim_zapq_counts_clear();	/* count the resets from here on */
	for (d = 1; d <= 4; d++)
		ksim_host.q[3][d].secret = d;
	ck_assert_uint_eq(ksim_table_used(), 18);
	ksim_vm_destroy(a);
	ck_assert_uint_eq(ksim_table_used(), 0);
	for (d = 1; d <= 4; d++) {
		ck_assert_uint_eq(ksim_host.q[3][d].secret, 0);
		ck_assert_uint_eq(ksim_host.q[3][d].zapq_calls, 1);
	}
	ck_assert_uint_eq(ksim_host.q[3][5].zapq_calls, 1);	/* control */
	ck_assert_int_eq(ksim_set(b, "1-3", "1-4", "5-6", NULL), 0);
	ksim_vm_destroy(b);
	/* a VM that never set anything */
	ksim_vm_destroy(ksim_vm_create(CRYCB_FORMAT1));
}
END_TEST

START_TEST(vm_destroy_with_failed_reset_quarantines)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);

	ck_assert_int_eq(ksim_set(a, "7", "7", "", NULL), 0);
	ksim_host.q[7][7].irq_stays = true;
	ksim_vm_destroy(a);
	ck_assert_uint_eq(ksim_table_used(), 1);
	ck_assert(!ksim_table_free(7, 7));
	ck_assert(strstr(ksim_printk_log(), "AP queue 07.0007: reset not verified"));
	/* kvm.ko cannot be unloaded while the table withholds a queue */
	ck_assert_int_eq(ksim_module_refs, 1);
	ksim_host.q[7][7].irq_stays = false;
	ck_assert_int_eq(apmx_zeroize_retry(7, 7), 0);
	ck_assert_int_eq(ksim_module_refs, 0);
	ck_assert_uint_eq(ksim_table_used(), 0);
}
END_TEST

/* released while the AP bus runs its own RAPQ (ZAPQ RC 02) */
START_TEST(release_during_rapq_zeroizes)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	unsigned int z;

	ck_assert_int_eq(ksim_set(a, "6", "9", "", NULL), 0);
	z = ksim_host.q[6][9].zapq_calls;
	ksim_host.q[6][9].secret = 0xfeed;
	ksim_host.q[6][9].reset_ms = 40;
	ksim_rapq(6, 9);
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_uint_eq(ksim_host.q[6][9].secret, 0);
	ck_assert_uint_eq(ksim_host.q[6][9].zapq_calls, z + 2);
	ck_assert(ksim_table_free(6, 9));
	ck_assert_int_eq(ksim_set(b, "6", "9", "", NULL), 0);
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
}
END_TEST

/*
 * A hole in a guest's cross product: 05.002c is in no configuration while
 * the guest holds it (every ZAPQ answers 01, nothing else) and never has
 * a queue device.
 *
 * With the AP bus it is a hole: adapter 5 stays in the guest's effective
 * matrix, and RC 01 is no failure of the guest's reset.  Without the AP
 * bus (CONFIG_ZCRYPT=n) nothing tells it from a queue that is out of the
 * configuration for a while and may hold what it held: unclean at the
 * claim, its adapter out of the effective matrix, named by the set.
 *
 * In both, released it is free at once, neither quarantined nor pinning
 * the module nor refusing the next VM: it never answered other than 01,
 * so its guest never reached it (without the AP bus its adapter was out
 * of the CRYCB the whole time).  Before, without the AP bus it stayed
 * quarantined until it was in the configuration and a reset of it was
 * verified: a hole that is never configured was withheld for good.
 */
START_TEST(hole_is_free_on_release_and_unclean_without_ap_bus)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_refusal r;

	ksim_host.q[5][44].exists = false;
	ck_assert_int_eq(ksim_set(a, "3,5", "4,44", "", &m), 0);
	ck_assert_int_eq(apmx_mask_test(m.effective.apm, 5),
			 IS_ENABLED(CONFIG_ZCRYPT));
	ck_assert(apmx_mask_test(m.effective.apm, 3));
	if (!IS_ENABLED(CONFIG_ZCRYPT))
		ck_assert_refusal(&m.refusal, KVM_S390_AP_R_QUARANTINED, 5, 44,
				  KVM_S390_AP_HOLDER_NONE);
	memset(&r, 0, sizeof(r));
	/* RC 01 is no error of the reset ioctl, nor a verified reset */
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_RESET_AP_QUEUES, &r), 0);
	ksim_get(a, &m);
	ck_assert_int_eq(apmx_mask_test(m.effective.apm, 5),
			 IS_ENABLED(CONFIG_ZCRYPT));
	ksim_vm_destroy(a);
	ck_assert(ksim_table_free(5, 44));
	ck_assert_uint_eq(ksim_table_used(), 0);
	ck_assert_int_eq(ksim_module_refs, 0);
	ck_assert_ptr_null(strstr(ksim_printk_log(), "05.002c: reset not verified"));
	/* the next VM gets it as the first did */
	ck_assert_int_eq(ksim_set(b, "3,5", "4,44", "", &m), 0);
	ck_assert_int_eq(apmx_mask_test(m.effective.apm, 5),
			 IS_ENABLED(CONFIG_ZCRYPT));
	/* in the configuration now: the guest's reset verifies it */
	ksim_host.q[5][44].exists = true;
	ck_assert_int_eq(ksim_ioctl(b, KVM_S390_RESET_AP_QUEUES, &r), 0);
	ksim_get(b, &m);
	ck_assert(apmx_mask_test(m.effective.apm, 5));
	ck_assert_int_eq(ksim_ioctl(b, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ck_assert_int_eq(ksim_module_refs, 0);
	ksim_vm_destroy(b);
}
END_TEST

/*
 * A queue that answered once is no hole.  02.0007 is out of the
 * configuration when the guest claims it (a hole with the AP bus, unclean
 * without), comes back, and the guest's reset verifies it (ZAPQ 00): the
 * guest sees it and uses it.  It leaves the configuration again and the
 * guest releases it: ZAPQ answers 01, nothing was reset, and it stays
 * quarantined with the guest's secret, in both builds (no queue device
 * existed here, with the AP bus or without).
 */
START_TEST(answered_while_held_then_absent_release_quarantines)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_refusal r;
	struct apmx_slot sl;

	ksim_host.q[2][7].exists = false;
	ck_assert_int_eq(ksim_set(a, "2", "7", "", &m), 0);
	ksim_host.q[2][7].exists = true;
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_RESET_AP_QUEUES, &r), 0);
	ksim_get(a, &m);
	ck_assert(apmx_mask_test(m.effective.apm, 2));
	ksim_host.q[2][7].secret = 0xa7;	/* the guest uses it */
	ksim_host.q[2][7].exists = false;
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	apmx_table_lookup(&apmx_table, 2, 7, &sl);
	ck_assert_uint_eq(sl.state, APMX_SLOT_QUARANTINED);
	ck_assert_int_eq(ksim_module_refs, 1);
	/* back: a retry resets it and frees it */
	ksim_host.q[2][7].exists = true;
	ck_assert_uint_eq(ksim_host.q[2][7].secret, 0xa7);
	ck_assert_int_eq(apmx_zeroize_retry(2, 7), 0);
	ck_assert_uint_eq(ksim_host.q[2][7].secret, 0);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ck_assert_int_eq(ksim_module_refs, 0);
	ksim_vm_destroy(a);
}
END_TEST

/*
 * ZAPQ RC 01: a queue released while it is out of the configuration was
 * not reset.  It stays withheld, with the AP bus and without it; when it
 * comes back it is reset (apmx_zeroize_retry(), from the queue driver's
 * probe, the admin or a privileged set) and only then free.  Its reset
 * at the claim answered 00 (it was in the configuration), and with the AP
 * bus its queue device existed too (before the scan removes it): either
 * says it may hold what the guest left in it.
 */
START_TEST(release_while_out_of_config_stays_withheld)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct apmx_slot s;

	ck_assert_int_eq(ksim_set(a, "4", "1-2", "", NULL), 0);
#if IS_ENABLED(CONFIG_ZCRYPT)
	/* the queue device is bound to apmatrix: it was there */
	ksim_qdev_add(4, 1, AP_DEVICE_TYPE_CEX7);
#endif
	ksim_host.q[4][1].secret = 0x5ec7e7;
	ksim_host.q[4][1].exists = false;	/* out of the configuration */
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	apmx_table_lookup(&apmx_table, 4, 1, &s);
	ck_assert_uint_eq(s.state, APMX_SLOT_QUARANTINED);
	ck_assert(ksim_table_free(4, 2));
	ck_assert(strstr(ksim_printk_log(),
			 "AP queue 04.0001: reset not verified, queue quarantined (ZAPQ RC 01"));
	ck_assert_int_eq(ksim_module_refs, 1);
	ck_assert_int_eq(ksim_set(b, "4", "1", "", &out), -EIO);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_QUARANTINED, 4, 1,
			  KVM_S390_AP_HOLDER_QUARANTINE);
	/* still away: the retry ran, not verified (EIO), still withheld */
	ck_assert_int_eq(apmx_zeroize_retry(4, 1), -EIO);
	ck_assert(!ksim_table_free(4, 1));
	ck_assert_int_eq(ksim_module_refs, 1);
	/* back: reset, then free */
	ksim_host.q[4][1].exists = true;
	ck_assert_uint_eq(ksim_host.q[4][1].secret, 0x5ec7e7);
	ck_assert_int_eq(apmx_zeroize_retry(4, 1), 0);
	ck_assert_uint_eq(ksim_host.q[4][1].secret, 0);
	ck_assert(ksim_table_free(4, 1));
	ck_assert_int_eq(ksim_module_refs, 0);
	ck_assert_int_eq(ksim_set(b, "4", "1", "", NULL), 0);
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
}
END_TEST

/*
 * ZAPQ RC 03: the queue's card is deconfigured (configured off) while the
 * guest holds the queue; the AP bus keeps the queue device (ap_bus.c
 * ap_scan_domains(), config=false).  Released, it is quarantined: nothing
 * was reset.  Configured on again, the AP bus probes nothing and resets
 * nothing that zeroizes (a queue bound to apmatrix is not even RAPQed):
 * it stays quarantined, the guest's secret in it, until a retry (the
 * admin's reset_quarantined, a privileged set) verifies a reset.
 */
START_TEST(release_while_deconfigured_stays_quarantined)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct apmx_slot s;

#if IS_ENABLED(CONFIG_ZCRYPT)
	ksim_qdev_add(4, 3, AP_DEVICE_TYPE_CEX7);
#endif
	ck_assert_int_eq(ksim_set(a, "4", "3", "", NULL), 0);
#if IS_ENABLED(CONFIG_ZCRYPT)
	ck_assert_ptr_eq(ksim_qdev_driver(4, 3), ksim_ap_driver("apmatrix"));
#endif
	ksim_host.q[4][3].secret = 0xdec0;
#if IS_ENABLED(CONFIG_ZCRYPT)
	ksim_qdev_config(4, 3, false);
#else
	ksim_host.q[4][3].deconfigured = true;
#endif
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	apmx_table_lookup(&apmx_table, 4, 3, &s);
	ck_assert_uint_eq(s.state, APMX_SLOT_QUARANTINED);
	ck_assert(strstr(ksim_printk_log(),
			 "AP queue 04.0003: reset not verified, queue quarantined (ZAPQ RC 03)"));
	/* configured on again: nothing resets it */
#if IS_ENABLED(CONFIG_ZCRYPT)
	ksim_qdev_config(4, 3, true);
	ck_assert_ptr_eq(ksim_qdev_driver(4, 3), ksim_ap_driver("apmatrix"));
#else
	ksim_host.q[4][3].deconfigured = false;
#endif
	apmx_table_lookup(&apmx_table, 4, 3, &s);
	ck_assert_uint_eq(s.state, APMX_SLOT_QUARANTINED);
	ck_assert_uint_eq(ksim_host.q[4][3].secret, 0xdec0);
	ck_assert_int_eq(apmx_zeroize_retry(4, 3), 0);
	ck_assert_uint_eq(ksim_host.q[4][3].secret, 0);
	ck_assert(ksim_table_free(4, 3));
	ck_assert_int_eq(ksim_module_refs, 0);
	ksim_vm_destroy(a);
}
END_TEST

static int retry_rc;
static unsigned int retry_apid, retry_apqi;

/* another thread retries (retry_apid, retry_apqi) during a ZAPQ */
static void retry_meanwhile(unsigned int apid, unsigned int apqi)
{
	ksim_host.on_zapq = NULL;
	ksim_thread_switch();
	retry_rc = apmx_zeroize_retry(retry_apid, retry_apqi);
	ksim_thread_return();
}

/* apmx_zeroize_retry() resets only what the table quarantined */
START_TEST(retry_only_quarantined)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	unsigned int z33, z34;

	/* free: nothing to do */
	ck_assert_int_eq(apmx_zeroize_retry(3, 3), 0);
	ck_assert_uint_eq(ksim_host.q[3][3].zapq_calls, 0);
	ck_assert_int_eq(apmx_zeroize_retry(256, 0), -EINVAL);
	ck_assert_int_eq(apmx_zeroize_retry(0, 256), -EINVAL);
	/* used by a guest: never reset under it (EBUSY) */
	ck_assert_int_eq(ksim_set(a, "3", "3-4", "", NULL), 0);
	z33 = ksim_host.q[3][3].zapq_calls;
	z34 = ksim_host.q[3][4].zapq_calls;
	ck_assert_int_eq(apmx_zeroize_retry(3, 3), -EBUSY);
	ck_assert_uint_eq(ksim_host.q[3][3].zapq_calls, z33);
	/* being reset by a release: left to it */
	retry_apid = 3;
	retry_apqi = 4;
	ksim_host.on_zapq = retry_meanwhile;
	retry_rc = 1;
	ck_assert_int_eq(ksim_set(a, "3", "3", "", NULL), 0);
	ck_assert_int_eq(retry_rc, -EBUSY);
	ck_assert_uint_eq(ksim_host.q[3][4].zapq_calls, z34 + 1);
	ck_assert(ksim_table_free(3, 4));
	/* quarantined, and another retry of it is running: not twice */
	ksim_host.q[3][3].irq_stays = true;
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert(!ksim_table_free(3, 3));
	ksim_host.q[3][3].irq_stays = false;
	retry_apqi = 3;
	ksim_host.on_zapq = retry_meanwhile;
	retry_rc = 1;
	ck_assert_int_eq(apmx_zeroize_retry(3, 3), 0);
	ck_assert_int_eq(retry_rc, -EBUSY);
	ck_assert_uint_eq(ksim_host.q[3][3].zapq_calls, z33 + 2);
	ck_assert(ksim_table_free(3, 3));
	ck_assert_int_eq(ksim_module_refs, 0);
	ksim_vm_destroy(a);
}
END_TEST

/* one module reference while any queue is quarantined, however many */
START_TEST(module_pinned_while_quarantined)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);

	ck_assert_int_eq(ksim_set(a, "1-2", "1-2", "", NULL), 0);
	ksim_host.q[1][1].irq_stays = true;
	ksim_host.q[2][2].irq_stays = true;
	ck_assert_int_eq(ksim_set(a, "1-2", "", "", NULL), 0);
	ck_assert_uint_eq(ksim_table_used(), 2);
	ck_assert_int_eq(ksim_module_refs, 1);
	/* a retry that fails again (EIO) changes nothing */
	ck_assert_int_eq(apmx_zeroize_retry(1, 1), -EIO);
	ck_assert_int_eq(ksim_module_refs, 1);
	ksim_host.q[1][1].irq_stays = false;
	ck_assert_int_eq(apmx_zeroize_retry(1, 1), 0);
	ck_assert_int_eq(ksim_module_refs, 1);
	ksim_host.q[2][2].irq_stays = false;
	ck_assert_int_eq(apmx_zeroize_retry(2, 2), 0);
	ck_assert_int_eq(ksim_module_refs, 0);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ksim_vm_destroy(a);
}
END_TEST

/* KVM_S390_RESET_AP_QUEUES: zeroize what the guest keeps (guest reset) */
START_TEST(reset_ioctl_zeroizes_kept_queues)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_refusal r;
	struct kvm_s390_ap_matrix before, after;

	memset(&r, 0xff, sizeof(r));
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_RESET_AP_QUEUES, &r), 0);
	ck_assert_uint_eq(r.reason, 0);
	ck_assert_int_eq(ksim_set(a, "1-2", "3", "4", NULL), 0);
	ksim_host.q[1][3].secret = 1;
	ksim_host.q[2][3].secret = 2;
	ksim_get(a, &before);
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_RESET_AP_QUEUES, &r), 0);
	ck_assert_uint_eq(ksim_host.q[1][3].secret, 0);
	ck_assert_uint_eq(ksim_host.q[2][3].secret, 0);
	ck_assert_uint_eq(ksim_host.q[1][4].zapq_calls, 0);	/* control */
	ksim_get(a, &after);
	ck_assert_mem_eq(&before, &after, sizeof(before));
	ck_assert_uint_eq(ksim_table_used(), 4);
	/* a failure is reported; the guest keeps the queue */
	ksim_host.q[2][3].reset_hangs = true;
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_RESET_AP_QUEUES, &r), -EIO);
	ck_assert_refusal(&r, KVM_S390_AP_R_QUARANTINED, 2, 3,
			  KVM_S390_AP_HOLDER_NONE);
	ck_assert(strstr(ksim_printk_log(), "AP queue 02.0003: reset not verified, queue kept"));
	ck_assert_ptr_nonnull(ksim_user(2, 3));
	ksim_host.q[2][3].reset_hangs = false;
	ksim_vm_destroy(a);
}
END_TEST

/* no secret survives a change of owner, whatever path releases the queue */
START_TEST(no_secret_survives_owner_change)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_refusal r;

	ck_assert_int_eq(ksim_set(a, "5-6", "9", "", NULL), 0);
	ksim_host.q[6][9].secret = 0xfeed;
	switch (_i) {
	case 0:		/* clear */
		ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
		break;
	case 1:		/* shrink by set */
		ck_assert_int_eq(ksim_set(a, "5", "9", "", NULL), 0);
		break;
	case 2:		/* VM destroy (the VMM was killed) */
		ksim_vm_destroy(a);
		a = NULL;
		break;
	case 3:		/* guest reset: the same guest keeps it, zeroized */
		ck_assert_int_eq(ksim_ioctl(a, KVM_S390_RESET_AP_QUEUES, &r), 0);
		ck_assert_uint_eq(ksim_host.q[6][9].secret, 0);
		ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
		break;
	}
	ck_assert_uint_eq(ksim_host.q[6][9].secret, 0);
	ck_assert_int_eq(ksim_set(b, "6", "9", "", NULL), 0);
	/* and a queue whose reset failed is never handed on, nor granted */
	ksim_host.q[6][9].secret = 0xbad;
	ksim_host.q[6][9].reset_hangs = true;
	ck_assert_int_eq(ksim_ioctl(b, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_int_eq(ksim_set(b, "6", "9", "", NULL), -EIO);
	{
		struct kvm_s390_ap_grant g;

		memset(&g, 0, sizeof(g));
		ksim_masks(&g.masks, "6", "9", "");
		ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g),
				 -EIO);
		ck_assert_refusal(&g.refusal, KVM_S390_AP_R_QUARANTINED, 6, 9,
				  KVM_S390_AP_HOLDER_QUARANTINE);
	}
	if (a)
		ksim_vm_destroy(a);
	ksim_vm_destroy(b);
}
END_TEST

/*
 * A quarantined queue has a way out without the AP bus too: a privileged
 * set that asks for it retries its reset first.
 */
START_TEST(privileged_set_retries_quarantine)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;

	ck_assert_int_eq(ksim_set(a, "7", "7", "", NULL), 0);
	ksim_host.q[7][7].reset_hangs = true;
	ksim_host.q[7][7].secret = 0x77;
	ksim_vm_destroy(a);
	ck_assert(!ksim_table_free(7, 7));
	/* still broken: the set is refused, the queue stays withheld */
	ck_assert_int_eq(ksim_set(b, "7", "7", "", &out), -EIO);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_QUARANTINED, 7, 7,
			  KVM_S390_AP_HOLDER_QUARANTINE);
	/* an unprivileged caller does not get a retry */
	ksim_host.q[7][7].reset_hangs = false;
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(ksim_set(b, "7", "7", "", &out), -EPERM);
	ck_assert(!ksim_table_free(7, 7));
	ksim_cap_sys_admin = true;
	/* fixed: the privileged set resets it, then gets it */
	ck_assert_int_eq(ksim_set(b, "7", "7", "", &out), 0);
	ck_assert_uint_eq(ksim_host.q[7][7].secret, 0);
	ck_assert_int_eq(ksim_module_refs, 0);
	ksim_vm_destroy(b);
}
END_TEST

Suite *ksim_suite_zeroize(void)
{
	Suite *s = suite_create("zeroize");
	TCase *tc = ksim_tcase("zeroize");

	tcase_add_test(tc, zeroize_normal);
	tcase_add_test(tc, zeroize_busy_and_changed_retried);
	tcase_add_test(tc, zeroize_busy_forever_fails_bounded);
	tcase_add_test(tc, zeroize_reset_takes_time);
	tcase_add_loop_test(tc, zeroize_rc02_is_rapq_zapq_again, 0, 2);
	tcase_add_test(tc, zeroize_rc02_forever_fails_bounded);
	tcase_add_test(tc, zeroize_rapq_uses_up_polls);
	tcase_add_test(tc, zeroize_tapq_busy_changed_then_ok);
	tcase_add_test(tc, zeroize_reset_hangs_fails_bounded);
	tcase_add_test(tc, zeroize_irq_stays_enabled_fails);
	tcase_add_loop_test(tc, zeroize_hard_errors_fail, 0, 3);
	tcase_add_test(tc, zeroize_tapq_hard_error_fails);
	tcase_add_test(tc, zeroize_not_available_is_not_zeroized);
	tcase_add_test(tc, zeroize_worst_case_single);
	tcase_add_test(tc, set_256_queues_reset_together);
	tcase_add_test(tc, set_worst_case_bound);
	tcase_add_test(tc, set_reports_first_failure);
	tcase_add_test(tc, set_allocation_failure_falls_back);
	tcase_add_test(tc, shrink_with_failed_reset_quarantines);
	tcase_add_test(tc, running_guest_grow_and_shrink);
	tcase_add_test(tc, vm_destroy_releases_everything);
	tcase_add_test(tc, vm_destroy_with_failed_reset_quarantines);
	tcase_add_test(tc, release_during_rapq_zeroizes);
	tcase_add_test(tc, release_while_out_of_config_stays_withheld);
	tcase_add_test(tc, release_while_deconfigured_stays_quarantined);
	tcase_add_test(tc, hole_is_free_on_release_and_unclean_without_ap_bus);
	tcase_add_test(tc, answered_while_held_then_absent_release_quarantines);
	tcase_add_test(tc, privileged_set_retries_quarantine);
	tcase_add_test(tc, retry_only_quarantined);
	tcase_add_test(tc, module_pinned_while_quarantined);
	tcase_add_test(tc, reset_ioctl_zeroizes_kept_queues);
	tcase_add_loop_test(tc, no_secret_survives_owner_change, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}
