// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: AP adapter interruptions (PQAP AQIC) of guests configured by ioctl
 * (issue 13).  The guest's AQIC reaches the apmatrix PQAP hook as 6.1's
 * arch/s390/kvm/priv.c handle_pqap() calls it (ksim_vcpu_pqap()); the
 * simulated host answers the host AQIC as ap_aqic() would and checks that
 * its indicator lies in a pinned page for as long as interruptions are on.
 * Every path counts the pins of the guest pages and the guest ISC
 * registrations: nothing pinned or registered may outlive the queue's
 * enabled interruptions, whichever way they end.
 */
#include <string.h>
#include "ksim-test.h"
#include "ksim-ap-bus.h"

#define Q1	0x0401		/* 04.0001 */
/* aqic.c apmx_aqic_kept(): what the administrator reads */
#define KEPT_WARNING	"AP queue 04.0001: interruptions not verified off " \
			"after AQIC; NIB page kept pinned until the queue is reset"
#define Q2	0x0402		/* 04.0002 */
#define NIB(gfn, off)	((u64)(gfn) * PAGE_SIZE + (off))

static struct kvm *vm_with_queues(void)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);

	ck_assert_int_eq(ksim_set(kvm, "4", "1-2", "", NULL), 0);
	return kvm;
}

/* AQIC on @apqn; returns GR1 (the status word); asserts cc handling */
static u64 aqic(struct kvm *kvm, unsigned int apqn, u64 gr1, u64 nib)
{
	u64 out;

	ck_assert_int_eq(ksim_vcpu_pqap(kvm, false, apqn, gr1, nib, &out), 0);
	return out;
}

static struct ksim_queue *hwq(unsigned int apqn)
{
	return &ksim_host.q[apqn >> 8][apqn & 0xff];
}

static void assert_released(struct kvm *kvm)
{
	ck_assert_uint_eq(ksim_pins(), 0);
	ck_assert_uint_eq(ksim_gisc_refs(kvm), 0);
	ck_assert(!hwq(Q1)->irq_on);
	ck_assert(!hwq(Q2)->irq_on);
}

/* enable: the page is pinned long-term, the ISC registered, AQIC issued */
START_TEST(enable_then_disable)
{
	struct kvm *kvm = vm_with_queues();
	struct page *pg = ksim_guest_page(kvm, 2);
	u64 gr1;

	gr1 = aqic(kvm, Q1, KSIM_AQIC_ENABLE(3), NIB(2, 0x10));
	ck_assert_uint_eq(KSIM_RC(gr1), AP_RESPONSE_NORMAL);
	ck_assert_uint_eq(KSIM_IRQ(gr1), 1);
	ck_assert_uint_eq(gr1 >> 32, 0);
	ck_assert_uint_eq(pg->pins, 1);
	ck_assert_uint_eq(pg->gup_flags & (FOLL_WRITE | FOLL_LONGTERM),
			  FOLL_WRITE | FOLL_LONGTERM);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[3], 1);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.mask, 0x80 >> 3);
	ck_assert(hwq(Q1)->irq_on);
	ck_assert_uint_eq(hwq(Q1)->ind, page_to_phys(pg) + 0x10);
	ck_assert_uint_eq(hwq(Q1)->gisc, 3);
	ck_assert_uint_eq(hwq(Q1)->isc, KSIM_GAL_ISC);
	ck_assert_uint_eq(hwq(Q1)->aqic_calls, 1);

	gr1 = aqic(kvm, Q1, KSIM_AQIC_DISABLE, 0);
	ck_assert_uint_eq(KSIM_RC(gr1), AP_RESPONSE_NORMAL);
	ck_assert_uint_eq(KSIM_IRQ(gr1), 0);
	ck_assert(pg->dirty);
	assert_released(kvm);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.mask, 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/* enable twice: the hardware's RC 07 passes, the second pin is dropped */
START_TEST(enable_twice)
{
	struct kvm *kvm = vm_with_queues();

	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(2, 0))), 0);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(4),
				       NIB(3, 0))),
			  AP_RESPONSE_OTHERWISE_CHANGED);
	ck_assert_uint_eq(ksim_guest_page(kvm, 2)->pins, 1);
	ck_assert_uint_eq(ksim_guest_page(kvm, 3)->pins, 0);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[3], 1);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[4], 0);
	ck_assert_uint_eq(hwq(Q1)->ind, page_to_phys(ksim_guest_page(kvm, 2)));
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_DISABLE, 0)), 0);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/* disable without enable: the host AQIC's answer (07), nothing freed */
START_TEST(disable_without_enable)
{
	struct kvm *kvm = vm_with_queues();

	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_DISABLE, 0)),
			  AP_RESPONSE_OTHERWISE_CHANGED);
	ck_assert_uint_eq(hwq(Q1)->aqic_calls, 1);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/* a NIB that is 0 or outside guest memory: RC 06, no pin, no AQIC */
START_TEST(bad_nib)
{
	struct kvm *kvm = vm_with_queues();

	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3), 0)),
			  AP_RESPONSE_INVALID_ADDRESS);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(KSIM_GUEST_PAGES, 8))),
			  AP_RESPONSE_INVALID_ADDRESS);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       ~0ULL)),
			  AP_RESPONSE_INVALID_ADDRESS);
	ck_assert_uint_eq(hwq(Q1)->aqic_calls, 0);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/* the pin fails: RC 06, nothing registered, no AQIC */
START_TEST(pin_failure)
{
	struct kvm *kvm = vm_with_queues();

	ksim_fail_pin_nth(1);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(1, 0))),
			  AP_RESPONSE_INVALID_ADDRESS);
	ck_assert_uint_eq(hwq(Q1)->aqic_calls, 0);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/* no GISA (no AIV on the host): RC 08, the page unpinned again */
START_TEST(no_gisa)
{
	struct kvm *kvm = vm_with_queues();

	kvm->arch.gisa_int.origin = NULL;
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(1, 0))),
			  AP_RESPONSE_INVALID_GISA);
	ck_assert_uint_eq(hwq(Q1)->aqic_calls, 0);
	ck_assert_uint_eq(ksim_pins(), 0);
	kvm->arch.gisa_int.origin = &kvm->gisa_storage;
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/* the host AQIC fails (03: deconfigured): its answer, nothing kept */
START_TEST(host_aqic_fails)
{
	struct kvm *kvm = vm_with_queues();

	ksim_inject_aqic_nth(1, AP_RESPONSE_DECONFIGURED);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(1, 0))),
			  AP_RESPONSE_DECONFIGURED);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * Fault pass: fail the n-th allocation of an enable, for every n until the
 * enable no longer reaches it, then the pin: each failed enable answers
 * RC 06 and leaves nothing pinned, registered, allocated or enabled; the
 * first enable that reaches no fault works.
 */
START_TEST(enable_fault_pass)
{
	struct kvm *kvm = vm_with_queues();
	unsigned int n, rc;
	long live;

	for (n = 1; ; n++) {
		live = shim_slab_live();
		shim_slab_reset();
		shim_slab_fail_nth(n);
		rc = KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3), NIB(1, 0)));
		if (!shim_slab_failed())
			break;
		ck_assert_uint_eq(rc, AP_RESPONSE_INVALID_ADDRESS);
		ck_assert_int_eq(shim_slab_live(), live);
		ck_assert_uint_eq(hwq(Q1)->aqic_calls, 0);
		assert_released(kvm);
	}
	shim_slab_reset();
	ck_assert_uint_gt(n, 1);	/* an allocation was reached */
	ck_assert_uint_eq(rc, AP_RESPONSE_NORMAL);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_DISABLE, 0)), 0);
	assert_released(kvm);
	ksim_fail_pin_nth(1);
	rc = KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3), NIB(1, 0)));
	ck_assert_uint_eq(rc, AP_RESPONSE_INVALID_ADDRESS);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/* two queues, one NIB page: a pin each, released one by one */
START_TEST(shared_nib_page)
{
	struct kvm *kvm = vm_with_queues();
	struct page *pg = ksim_guest_page(kvm, 5);

	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(5, 1))), 0);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q2, KSIM_AQIC_ENABLE(3),
				       NIB(5, 2))), 0);
	ck_assert_uint_eq(pg->pins, 2);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[3], 2);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_DISABLE, 0)), 0);
	ck_assert_uint_eq(pg->pins, 1);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[3], 1);
	ck_assert(hwq(Q2)->irq_on);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q2, KSIM_AQIC_DISABLE, 0)), 0);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * The guest reset the queue itself (ZAPQ is not intercepted): the host
 * state is stale.  Enabling again works (the hardware says 00) and the
 * old pin and registration are dropped for the new ones.
 */
START_TEST(reenable_after_guest_reset)
{
	struct kvm *kvm = vm_with_queues();

	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(2, 0))), 0);
	ck_assert_uint_eq(ap_zapq(Q1).response_code, 0);
	ck_assert(!hwq(Q1)->irq_on);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(6),
				       NIB(3, 0))), 0);
	ck_assert_uint_eq(ksim_guest_page(kvm, 2)->pins, 0);
	ck_assert_uint_eq(ksim_guest_page(kvm, 3)->pins, 1);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[3], 0);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[6], 1);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_DISABLE, 0)), 0);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/* a queue the guest does not have: RC 01, nothing issued */
START_TEST(not_the_guests_queue)
{
	struct kvm *kvm = vm_with_queues();
	u64 gr1;

	gr1 = aqic(kvm, 0x0403, KSIM_AQIC_ENABLE(3), NIB(1, 0));
	ck_assert_uint_eq(KSIM_RC(gr1), AP_RESPONSE_Q_NOT_AVAIL);
	gr1 = aqic(kvm, 0x0501, KSIM_AQIC_ENABLE(3), NIB(1, 0));
	ck_assert_uint_eq(KSIM_RC(gr1), AP_RESPONSE_Q_NOT_AVAIL);
	ck_assert_uint_eq(ksim_host.q[4][3].aqic_calls, 0);
	ck_assert_uint_eq(ksim_host.q[5][1].aqic_calls, 0);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/* a protected (Secure Execution) guest: refused with RC 06, no pin */
START_TEST(protected_guest)
{
	struct kvm *kvm = vm_with_queues();
	u64 gr1;

	ck_assert_int_eq(ksim_vcpu_pqap(kvm, true, Q1, KSIM_AQIC_ENABLE(3),
					NIB(1, 0), &gr1), 0);
	ck_assert_uint_eq(KSIM_RC(gr1), AP_RESPONSE_INVALID_ADDRESS);
	ck_assert_uint_eq(hwq(Q1)->aqic_calls, 0);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

static void enable_both(struct kvm *kvm)
{
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(1, 0))), 0);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q2, KSIM_AQIC_ENABLE(2),
				       NIB(2, 0))), 0);
	ck_assert_uint_eq(ksim_pins(), 2);
	ck_assert_uint_eq(ksim_gisc_refs(kvm), 2);
}

START_TEST(reset_releases)
{
	struct kvm *kvm = vm_with_queues();
	struct kvm_s390_ap_refusal r;

	enable_both(kvm);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_RESET_AP_QUEUES, &r), 0);
	assert_released(kvm);
	/* the guest may enable again after its reset */
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(1, 0))), 0);
	ksim_vm_destroy(kvm);
	ck_assert_uint_eq(ksim_pins(), 0);
}
END_TEST

/* a set that drops a queue releases it; the kept one stays enabled */
START_TEST(shrink_releases)
{
	struct kvm *kvm = vm_with_queues();

	enable_both(kvm);
	ck_assert_int_eq(ksim_set(kvm, "4", "1", "", NULL), 0);
	ck_assert_uint_eq(ksim_pins(), 1);
	ck_assert_uint_eq(ksim_guest_page(kvm, 1)->pins, 1);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[3], 1);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[2], 0);
	ck_assert(hwq(Q1)->irq_on);
	ck_assert(!hwq(Q2)->irq_on);
	ksim_vm_destroy(kvm);
	ck_assert_uint_eq(ksim_pins(), 0);
}
END_TEST

START_TEST(clear_releases)
{
	struct kvm *kvm = vm_with_queues();

	enable_both(kvm);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(destroy_releases)
{
	struct kvm *kvm = vm_with_queues();

	enable_both(kvm);
	ksim_vm_destroy(kvm);
	ck_assert_uint_eq(ksim_pins(), 0);
	ck_assert(!hwq(Q1)->irq_on);
	ck_assert(!hwq(Q2)->irq_on);
}
END_TEST

/*
 * AQIC is asynchronous (6.1's drivers/s390/crypto/ap_queue.c
 * ap_sm_setirq_wait() polls TAPQ for the change): the guest disables
 * while its enable is still pending.  The host AQIC-off answers 07; the
 * pin stays until the enable has landed and a second AQIC-off is seen
 * done by TAPQ.
 */
START_TEST(disable_while_enable_pending)
{
	struct kvm *kvm = vm_with_queues();

	hwq(Q1)->irq_lag = 2;
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(2, 0))), 0);
	ck_assert(!hwq(Q1)->irq_on);
	ck_assert_uint_eq(hwq(Q1)->irq_pending, 2);
	aqic(kvm, Q1, KSIM_AQIC_DISABLE, 0);
	ck_assert_uint_ge(hwq(Q1)->aqic_calls, 3);	/* 07, then 00 */
	assert_released(kvm);
	ck_assert_uint_eq(hwq(Q1)->irq_pending, 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * The AQIC-off is accepted but never lands within the budget: the entry
 * (pin and ISC registration) is kept, the guest may not free it, and
 * RESET_AP_QUEUES's verified ZAPQ (which clears the registration) drops it.
 */
START_TEST(disable_never_lands_kept_until_reset)
{
	struct kvm *kvm = vm_with_queues();
	struct kvm_s390_ap_refusal r;

	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(2, 0))), 0);
	hwq(Q1)->irq_lag = 1000;
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_DISABLE, 0)), 0);
	ck_assert(hwq(Q1)->irq_on);
	ck_assert_uint_eq(ksim_guest_page(kvm, 2)->pins, 1);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[3], 1);
	ck_assert(strstr(ksim_printk_log(), KEPT_WARNING));
	/* again: still kept, still one pin */
	aqic(kvm, Q1, KSIM_AQIC_DISABLE, 0);
	ck_assert_uint_eq(ksim_guest_page(kvm, 2)->pins, 1);
	/* a set that keeps the queue keeps the entry too */
	ck_assert_int_eq(ksim_set(kvm, "4", "1-2", "", NULL), 0);
	ck_assert_uint_eq(ksim_pins(), 1);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_RESET_AP_QUEUES, &r), 0);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/* a set that drops a queue whose interruptions stay on: its ZAPQ frees */
START_TEST(shrink_stuck_freed_by_zapq)
{
	struct kvm *kvm = vm_with_queues();

	enable_both(kvm);
	hwq(Q2)->irq_lag = 1000;
	ck_assert_int_eq(ksim_set(kvm, "4", "1", "", NULL), 0);
	ck_assert_uint_eq(ksim_pins(), 1);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[2], 0);
	ck_assert(!hwq(Q2)->irq_on);
	ksim_vm_destroy(kvm);
	ck_assert_uint_eq(ksim_pins(), 0);
}
END_TEST

/* VM destroy with interruptions that stay on: the destroy's ZAPQ frees */
START_TEST(destroy_stuck_freed_by_zapq)
{
	struct kvm *kvm = vm_with_queues();

	enable_both(kvm);
	hwq(Q1)->irq_lag = 1000;
	hwq(Q2)->irq_lag = 1000;
	ksim_vm_destroy(kvm);
	ck_assert_uint_eq(ksim_pins(), 0);
	ck_assert(!hwq(Q1)->irq_on);
	ck_assert(!hwq(Q2)->irq_on);
}
END_TEST

/*
 * VM destroy where neither the AQIC-off nor the ZAPQ can be verified: the
 * queue is quarantined and the NIB page stays pinned (the pin, not the
 * VM's mm, keeps the page allocated: nobody else gets it while the
 * adapter may write it); the ISC registration goes with the GISA.  The
 * retry that verifies the queue's reset drops the pin.
 */
/* every ZAPQ the zeroize of one queue may issue answers 05 (busy) */
static void busy_zapqs(struct ksim_queue *q)
{
	memset(q->zapq_script, AP_RESPONSE_BUSY, APMX_ZEROIZE_TRIES);
	q->zapq_script_len = APMX_ZEROIZE_TRIES;
}

START_TEST(destroy_unverified_keeps_pin_until_retry)
{
	struct kvm *kvm = vm_with_queues();

	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(2, 0))), 0);
	hwq(Q1)->irq_lag = 1000;
	busy_zapqs(hwq(Q1));
	ksim_vm_destroy(kvm);
	ck_assert_uint_eq(ksim_pins(), 1);
	ck_assert_uint_eq(apmx_aqic_orphans(), 1);
	ck_assert(hwq(Q1)->irq_on);
	busy_zapqs(hwq(Q1));
	/* still busy: not verified */
	ck_assert_int_eq(apmx_zeroize_retry(4, 1), -EIO);
	ck_assert_uint_eq(ksim_pins(), 1);
	ck_assert_int_eq(apmx_zeroize_retry(4, 1), 0);
	ck_assert_uint_eq(ksim_pins(), 0);
	ck_assert_uint_eq(apmx_aqic_orphans(), 0);
}
END_TEST

#if IS_ENABLED(CONFIG_ZCRYPT)
/* the queue device goes away: its adapter leaves the CRYCB, released */
START_TEST(queue_removal_releases)
{
	struct kvm *kvm;

	ksim_qdev_add(4, 1, AP_DEVICE_TYPE_CEX7);
	ksim_qdev_add(4, 2, AP_DEVICE_TYPE_CEX7);
	kvm = vm_with_queues();
	enable_both(kvm);
	ksim_qdev_del(4, 1);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * A queue deconfigured and configured on again keeps its device (6.1's
 * ap_bus.c ap_scan_domains() only flips aq->config), so no remove runs
 * and the queue stays in the guest's matrix; the adapter comes back with
 * its interruptions off.  The guest must enable them again: that AQIC
 * answers 00 and replaces the stale entry's pin and registration.
 */
/*
 * The opening of the come-back tests: a VM with 04.0001 and 04.0002 as
 * queue devices, the guest enables 04.0001 (ISC 3, NIB in page 2), then
 * 04.0001 is deconfigured and configured on again with no scan between.
 */
static struct kvm *vm_q1_deconfigured_and_back(void)
{
	struct kvm *kvm;

	ksim_qdev_add(4, 1, AP_DEVICE_TYPE_CEX7);
	ksim_qdev_add(4, 2, AP_DEVICE_TYPE_CEX7);
	kvm = vm_with_queues();
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(3),
				       NIB(2, 0))), 0);
	ksim_qdev_config(4, 1, false);
	ck_assert_uint_eq(ap_tapq(Q1, NULL).response_code,
			  AP_RESPONSE_DECONFIGURED);
	ksim_qdev_config(4, 1, true);
	/* the scenario (the simulated adapter), not the kernel: */
	ck_assert_uint_eq(ap_tapq(Q1, NULL).response_code, AP_RESPONSE_NORMAL);
	ck_assert(!hwq(Q1)->irq_on);
	ck_assert_uint_eq(ap_tapq(Q1, NULL).irq_enabled, 0);
	return kvm;
}

START_TEST(deconfigured_comes_back_off)
{
	struct kvm *kvm = vm_q1_deconfigured_and_back();

	/* the kernel: the stale entry holds its pin until the guest acts */
	ck_assert_uint_eq(ksim_guest_page(kvm, 2)->pins, 1);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_ENABLE(5),
				       NIB(3, 0))), 0);
	ck_assert(hwq(Q1)->irq_on);
	ck_assert_uint_eq(ksim_guest_page(kvm, 2)->pins, 0);
	ck_assert_uint_eq(ksim_guest_page(kvm, 3)->pins, 1);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[3], 0);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[5], 1);
	ksim_vm_destroy(kvm);
	ck_assert_uint_eq(ksim_pins(), 0);
	ck_assert(!hwq(Q1)->irq_on);
}
END_TEST

/*
 * The guest disables instead, after the queue came back: AQIC-off
 * answers 07 and TAPQ shows them off, which cannot be told from an
 * enable of ours still pending (apmx_aqic_settle()), so the entry is
 * kept, pinned, until the queue's next verified ZAPQ (here the guest
 * reset's RESET_AP_QUEUES).
 */
START_TEST(disable_after_come_back_kept_until_reset)
{
	struct kvm *kvm = vm_q1_deconfigured_and_back();
	struct kvm_s390_ap_refusal r;

	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q1, KSIM_AQIC_DISABLE, 0)),
			  AP_RESPONSE_OTHERWISE_CHANGED);
	ck_assert_uint_eq(ksim_guest_page(kvm, 2)->pins, 1);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[3], 1);
	/* TAPQ showed them off: the warning may not say otherwise */
	ck_assert(strstr(ksim_printk_log(), KEPT_WARNING));
	ck_assert(!hwq(Q1)->irq_on);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_RESET_AP_QUEUES, &r), 0);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * A queue that leaves the configuration and is back before the AP bus
 * scans (no remove either): it too comes back with interruptions off,
 * and the guest's new enable replaces the stale entry.
 */
START_TEST(unconfigured_comes_back_off)
{
	struct kvm *kvm;

	ksim_qdev_add(4, 1, AP_DEVICE_TYPE_CEX7);
	ksim_qdev_add(4, 2, AP_DEVICE_TYPE_CEX7);
	kvm = vm_with_queues();
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q2, KSIM_AQIC_ENABLE(2),
				       NIB(1, 0x40))), 0);
	/* the scenario (the simulated adapter), not the kernel: */
	ck_assert(!ksim_qdev_unscanned(4, 2, false, false));
	ck_assert_uint_eq(ap_tapq(Q2, NULL).response_code,
			  AP_RESPONSE_Q_NOT_AVAIL);
	ck_assert(ksim_qdev_unscanned(4, 2, true, false));
	ck_assert(!hwq(Q2)->irq_on);
	/* the kernel: no remove ran, the stale entry keeps its pin */
	ck_assert_uint_eq(ksim_guest_page(kvm, 1)->pins, 1);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q2, KSIM_AQIC_ENABLE(2),
				       NIB(1, 0x40))), 0);
	ck_assert(hwq(Q2)->irq_on);
	ck_assert_uint_eq(ksim_guest_page(kvm, 1)->pins, 1);
	ck_assert_uint_eq(kvm->arch.gisa_int.alert.ref_count[2], 1);
	ck_assert_uint_eq(KSIM_RC(aqic(kvm, Q2, KSIM_AQIC_DISABLE, 0)), 0);
	assert_released(kvm);
	ksim_vm_destroy(kvm);
}
END_TEST
#endif

/* GET tells the VMM that interruptions are forwarded (with a GISA) */
START_TEST(get_reports_aqic)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix m;

	ksim_get(kvm, &m);
	ck_assert_uint_eq(m.flags, KVM_S390_AP_MATRIX_F_AQIC);
	kvm->arch.gisa_int.origin = NULL;
	ksim_get(kvm, &m);
	ck_assert_uint_eq(m.flags, 0);
	ksim_vm_destroy(kvm);
}
END_TEST

Suite *ksim_suite_aqic(void)
{
	Suite *s = suite_create("aqic");
	TCase *tc = ksim_tcase("aqic");

	tcase_add_test(tc, enable_then_disable);
	tcase_add_test(tc, enable_twice);
	tcase_add_test(tc, disable_without_enable);
	tcase_add_test(tc, bad_nib);
	tcase_add_test(tc, pin_failure);
	tcase_add_test(tc, no_gisa);
	tcase_add_test(tc, host_aqic_fails);
	tcase_add_test(tc, shared_nib_page);
	tcase_add_test(tc, enable_fault_pass);
	tcase_add_test(tc, reenable_after_guest_reset);
	tcase_add_test(tc, not_the_guests_queue);
	tcase_add_test(tc, protected_guest);
	tcase_add_test(tc, reset_releases);
	tcase_add_test(tc, shrink_releases);
	tcase_add_test(tc, clear_releases);
	tcase_add_test(tc, destroy_releases);
	tcase_add_test(tc, disable_while_enable_pending);
	tcase_add_test(tc, disable_never_lands_kept_until_reset);
	tcase_add_test(tc, shrink_stuck_freed_by_zapq);
	tcase_add_test(tc, destroy_stuck_freed_by_zapq);
	tcase_add_test(tc, destroy_unverified_keeps_pin_until_retry);
#if IS_ENABLED(CONFIG_ZCRYPT)
	tcase_add_test(tc, queue_removal_releases);
	tcase_add_test(tc, deconfigured_comes_back_off);
	tcase_add_test(tc, disable_after_come_back_kept_until_reset);
	tcase_add_test(tc, unconfigured_comes_back_off);
#endif
	tcase_add_test(tc, get_reports_aqic);
	suite_add_tcase(s, tc);
	return s;
}
