// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: no secret survives a change of owner.  Queues leaving a guest
 * (shrink, clear, VM destroy) are zeroized with ZAPQ and verified with
 * TAPQ before anybody else can claim them; a queue whose reset cannot be
 * verified is quarantined; the reset ioctl zeroizes what a guest keeps.
 */
#include <stdlib.h>
#include <string.h>
#include "ksim-test.h"

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

START_TEST(zeroize_reset_in_progress_waits)
{
	struct ksim_queue *q = &ksim_host.q[4][1];

	ZAPQ(q, AP_RESPONSE_RESET_IN_PROGRESS);
	q->reset_polls = 3;
	ck_assert(apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->tapq_calls, 4);
	ck_assert_uint_eq(ksim_slept_ms, 3 * APMX_WAIT_MS);
}
END_TEST

START_TEST(zeroize_tapq_busy_changed_then_ok)
{
	struct ksim_queue *q = &ksim_host.q[4][1];

	TAPQ(q, AP_RESPONSE_BUSY, AP_RESPONSE_OTHERWISE_CHANGED,
	     AP_RESPONSE_RESET_IN_PROGRESS);
	ck_assert(apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->tapq_calls, 4);
}
END_TEST

START_TEST(zeroize_reset_hangs_fails_bounded)
{
	struct ksim_queue *q = &ksim_host.q[4][1];

	q->reset_hangs = true;
	ck_assert(!apmx_zeroize(4, 1));
	ck_assert_uint_eq(q->tapq_calls, APMX_VERIFY_TRIES);
	ck_assert_uint_eq(ksim_slept_ms, APMX_VERIFY_TRIES * APMX_WAIT_MS);
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
}
END_TEST

START_TEST(zeroize_tapq_hard_error_fails)
{
	struct ksim_queue *q = &ksim_host.q[4][1];

	TAPQ(q, AP_RESPONSE_CHECKSTOPPED);
	ck_assert(!apmx_zeroize(4, 1));
}
END_TEST

START_TEST(zeroize_unconfigured_queue_ok)
{
	ksim_host.q[4][1].exists = false;
	ck_assert(apmx_zeroize(4, 1));
	ck_assert_uint_eq(ksim_host.q[4][1].tapq_calls, 0);
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
	/* grow: one more adapter, one more domain */
	calls = a->set_masks_calls;
	ck_assert_int_eq(ksim_set(a, "1-2", "1-2", "", &out), 0);
	ck_assert_uint_eq(a->set_masks_calls, calls + 1);
	ksim_assert_crycb(a, &out.requested);
	ck_assert_uint_eq(ksim_host.q[1][1].zapq_calls, 0);
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
	ck_assert_uint_eq(ksim_host.q[1][2].zapq_calls, 1);
	ck_assert_uint_eq(ksim_host.q[2][1].zapq_calls, 1);
	ck_assert_uint_eq(ksim_host.q[2][2].zapq_calls, 1);
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
			  KVM_S390_AP_HOLDER_QUARANTINE);
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

Suite *ksim_suite_zeroize(void)
{
	Suite *s = suite_create("zeroize");
	TCase *tc = ksim_tcase("zeroize");

	tcase_add_test(tc, zeroize_normal);
	tcase_add_test(tc, zeroize_busy_and_changed_retried);
	tcase_add_test(tc, zeroize_busy_forever_fails_bounded);
	tcase_add_test(tc, zeroize_reset_in_progress_waits);
	tcase_add_test(tc, zeroize_tapq_busy_changed_then_ok);
	tcase_add_test(tc, zeroize_reset_hangs_fails_bounded);
	tcase_add_test(tc, zeroize_irq_stays_enabled_fails);
	tcase_add_loop_test(tc, zeroize_hard_errors_fail, 0, 3);
	tcase_add_test(tc, zeroize_tapq_hard_error_fails);
	tcase_add_test(tc, zeroize_unconfigured_queue_ok);
	tcase_add_test(tc, shrink_with_failed_reset_quarantines);
	tcase_add_test(tc, running_guest_grow_and_shrink);
	tcase_add_test(tc, vm_destroy_releases_everything);
	tcase_add_test(tc, vm_destroy_with_failed_reset_quarantines);
	tcase_add_test(tc, reset_ioctl_zeroizes_kept_queues);
	tcase_add_loop_test(tc, no_secret_survives_owner_change, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}
