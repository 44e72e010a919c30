// SPDX-License-Identifier: GPL-2.0
/*
 * KVM/s390 AP matrix: adapter interruptions (PQAP AQIC) of guests
 * configured by ioctl.
 *
 * With APIE the guest's AP instructions run in SIE, but PQAP(AQIC) is
 * intercepted (IC.3 is not set) and reaches the VM's PQAP hook.  To
 * enable a queue's interruptions the host pins the page of the guest's
 * notification indicator byte (NIB), registers the guest ISC in the
 * guest's GISA (kvm_s390_gisc_register(), which returns the host ISC of
 * the GIB alert) and issues AQIC for the queue with the host ISC, the
 * GISA and the host address of the NIB: the adapter then sets the NIB and
 * raises the guest's adapter interruption itself.  The guest gets the
 * status word of the host AQIC.  Disabling, and every way a queue leaves
 * the guest (a set or clear that drops it, RESET_AP_QUEUES, the queue's
 * device going away, VM destroy), issues AQIC to turn the interruptions
 * off, waits for TAPQ to show them off and only then drops the pin and
 * the registration: while the adapter may still write the NIB, its page
 * stays pinned.
 *
 * Per VM (kvm_s390_apmx), under aqic_lock: a list of the queues whose
 * interruptions this code enabled, each with its guest ISC, the NIB's
 * guest address and its pinned page.  Each enabled queue holds one pin of
 * its page (two queues sharing a NIB page pin it twice) and one
 * registration of its guest ISC (kvm_s390_gisc_register() counts them per
 * ISC).
 *
 * Locking (ap-matrix.h, LOCK ORDER): the hook runs as 6.1's
 * arch/s390/kvm/priv.c handle_pqap() calls it: in the vCPU's KVM_RUN with
 * vcpu->mutex and kvm->srcu held and pqap_hook_rwsem held for reading, so
 * it may not take kvm->lock; it takes aqic_lock.  apmx_aqic_release()
 * takes pqap_hook_rwsem for reading, then aqic_lock, so the effective
 * matrix it reads cannot change meanwhile; its callers hold no kvm->lock
 * (it sleeps).  Nothing here takes apmx_table_lock.
 */
#define KMSG_COMPONENT "kvm-s390"
#define pr_fmt(fmt) KMSG_COMPONENT ": " fmt

#include <linux/delay.h>
#include <linux/io.h>
#include <linux/kvm_host.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <asm/ap.h>
#include <asm/debug.h>
#include "../kvm-s390.h"
#include "ap-matrix.h"

#define APMX_AQIC_EVENT(kvm, fmt, ...) \
	debug_sprintf_event((kvm)->arch.dbf, 3, fmt "\n", ##__VA_ARGS__)

/* AQICs to disable, and TAPQs to see it done, as vfio_ap (5 each) */
#define APMX_AQIC_TRIES	5

/**
 * struct apmx_aqic_q - a queue whose interruptions apmatrix enabled
 * @node: in kvm_s390_apmx.aqic
 * @qid: the APQN
 * @gisc: the guest ISC, registered once in the guest's GISA for this queue
 * @nib: guest address of the notification indicator byte
 * @page: its page, pinned once for this queue
 */
struct apmx_aqic_q {
	struct list_head node;
	ap_qid_t qid;
	u8 gisc;
	gpa_t nib;
	struct page *page;
};

/* @st as PQAP leaves it in GR1: the status word in bits 32-63 */
u64 apmx_aqic_status_word(struct ap_queue_status st)
{
	return (u64)st.queue_empty << 31 | (u64)st.replies_waiting << 30 |
	       (u64)st.queue_full << 29 | (u64)st.irq_enabled << 24 |
	       (u64)st.response_code << 16;
}

static struct apmx_aqic_q *apmx_aqic_find(struct kvm_s390_apmx *vm,
					  ap_qid_t qid)
{
	struct apmx_aqic_q *q;

	list_for_each_entry(q, &vm->aqic, node)
		if (q->qid == qid)
			return q;
	return NULL;
}

/*
 * Drop what @q holds: its guest ISC registration and the pin of its NIB
 * page (dirty: the adapter may have written the NIB).  Only once the
 * queue's interruptions are off.  Caller holds aqic_lock.
 */
static void apmx_aqic_free(struct kvm *kvm, struct apmx_aqic_q *q)
{
	list_del(&q->node);
	WARN_ON_ONCE(kvm_s390_gisc_unregister(kvm, q->gisc));
	unpin_user_pages_dirty_lock(&q->page, 1, true);
	kfree(q);
}

/*
 * Turn the interruptions of @qid off: AQIC with IR 0, again while the
 * queue is busy or being reset, then TAPQ until it reports them off (as
 * 6.1's vfio_ap_irq_disable() and vfio_ap_wait_for_irqclear()).  A queue
 * that is not available, deconfigured or checkstopped signals nothing.
 * At most APMX_AQIC_TRIES - 1 sleeps of APMX_WAIT_MS in each loop.
 * Returns the status of the last AQIC.
 */
static struct ap_queue_status apmx_aqic_off(ap_qid_t qid)
{
	struct ap_qirq_ctrl ctrl = {};
	struct ap_queue_status st, t;
	int i;

	for (i = 0; ; i++) {
		st = ap_aqic(qid, ctrl, 0);
		if ((st.response_code != AP_RESPONSE_BUSY &&
		     st.response_code != AP_RESPONSE_RESET_IN_PROGRESS) ||
		    i == APMX_AQIC_TRIES - 1)
			break;
		msleep(APMX_WAIT_MS);
	}
	if (st.response_code != AP_RESPONSE_NORMAL &&
	    st.response_code != AP_RESPONSE_OTHERWISE_CHANGED &&
	    st.response_code != AP_RESPONSE_RESET_IN_PROGRESS)
		return st;
	for (i = 0; ; i++) {
		t = ap_tapq(qid, NULL);
		switch (t.response_code) {
		case AP_RESPONSE_NORMAL:
		case AP_RESPONSE_RESET_IN_PROGRESS:
		case AP_RESPONSE_BUSY:
			if (!t.irq_enabled)
				return st;
			break;
		default:
			return st;	/* not operational: no interruptions */
		}
		if (i == APMX_AQIC_TRIES - 1)
			break;
		msleep(APMX_WAIT_MS);
	}
	pr_warn("AP queue %02x.%04x: interruptions still enabled after AQIC\n",
		AP_QID_CARD(qid), AP_QID_QUEUE(qid));
	return st;
}

/*
 * AQIC with IR 1 from the guest: pin the NIB's page, register the guest
 * ISC, issue the host AQIC.  The pin is taken with pin_user_pages_fast()
 * on the host virtual address gfn_to_hva() gives for the NIB, in the
 * VMM's mm (the vCPU thread's current->mm), with FOLL_LONGTERM: the
 * adapter writes the page for as long as interruptions are on, so the
 * page must be a long-term pin (not in ZONE_MOVABLE or CMA, not migrated,
 * seen as DMA-pinned by fork and writeback), as vfio_pin_pages() takes
 * it for vfio_ap.  gfn_to_page() would only take a page reference
 * (FOLL_GET, not long-term), which does not keep the page in place.
 * Answers as 6.1's vfio_ap_irq_enable(): RC 06 for a NIB of 0, outside
 * the guest's memory or whose page cannot be pinned, RC 08 if the guest
 * ISC cannot be registered (no GISA), else the host AQIC's status.
 */
static struct ap_queue_status apmx_aqic_on(struct kvm_vcpu *vcpu,
					   struct kvm_s390_apmx *vm,
					   ap_qid_t qid, u8 gisc, gpa_t nib)
{
	struct ap_queue_status st = { .response_code = AP_RESPONSE_INVALID_ADDRESS };
	struct kvm *kvm = vcpu->kvm;
	struct ap_qirq_ctrl ctrl = {};
	struct apmx_aqic_q *q, *old;
	unsigned long hva;
	int nisc;

	/* 6.1 has no AP for protected guests: they poll */
	if (kvm_s390_pv_cpu_is_protected(vcpu))
		return st;
	if (!nib)
		return st;
	hva = gfn_to_hva(kvm, gpa_to_gfn(nib));
	if (kvm_is_error_hva(hva))
		return st;
	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q)
		return st;
	if (pin_user_pages_fast(hva, 1, FOLL_WRITE | FOLL_LONGTERM,
				&q->page) != 1)
		goto out_free;
	nisc = kvm_s390_gisc_register(kvm, gisc);
	if (nisc < 0) {
		st.response_code = AP_RESPONSE_INVALID_GISA;
		goto out_unpin;
	}
	ctrl.gisc = gisc;
	ctrl.isc = nisc;
	ctrl.ir = 1;
	ctrl.gisa = virt_to_phys(kvm->arch.gisa_int.origin) >> 4;
	st = ap_aqic(qid, ctrl, page_to_phys(q->page) | offset_in_page(nib));
	old = apmx_aqic_find(vm, qid);
	switch (st.response_code) {
	case AP_RESPONSE_NORMAL:
		/* an older setting the hardware dropped (a guest reset) */
		if (old)
			apmx_aqic_free(kvm, old);
		q->qid = qid;
		q->gisc = gisc;
		q->nib = nib;
		list_add(&q->node, &vm->aqic);
		APMX_AQIC_EVENT(kvm, "AQIC %02x.%04x on: gisc %u nib %llx",
				AP_QID_CARD(qid), AP_QID_QUEUE(qid), gisc,
				(unsigned long long)nib);
		return st;
	case AP_RESPONSE_OTHERWISE_CHANGED:
		/* enabled already (or changing): the setting in force stays */
		break;
	default:
		/* not operational: whatever was enabled is turned off too */
		if (old) {
			apmx_aqic_off(qid);
			apmx_aqic_free(kvm, old);
		}
		break;
	}
	WARN_ON_ONCE(kvm_s390_gisc_unregister(kvm, gisc));
out_unpin:
	unpin_user_pages_dirty_lock(&q->page, 1, false);
out_free:
	kfree(q);
	APMX_AQIC_EVENT(kvm, "AQIC %02x.%04x on refused: rc %02x",
			AP_QID_CARD(qid), AP_QID_QUEUE(qid), st.response_code);
	return st;
}

/**
 * apmx_aqic() - PQAP(AQIC) of a guest for one of its queues
 * @vcpu: the vCPU that issued it (GR1: the interruption controls, GR2:
 *	the NIB's guest address)
 * @vm: the VM's AP matrix state
 * @apid: adapter of a queue in the guest's effective matrix
 * @apqi: its domain
 *
 * Called by the PQAP hook, with pqap_hook_rwsem held for reading (6.1's
 * handle_pqap()), vcpu->mutex and kvm->srcu held; takes aqic_lock.
 * Disabling answers the host AQIC's status, as 6.1's vfio_ap does, also
 * for a queue whose interruptions are off.
 *
 * Return: the queue status for the guest's GR1.
 */
struct ap_queue_status apmx_aqic(struct kvm_vcpu *vcpu,
				 struct kvm_s390_apmx *vm,
				 unsigned int apid, unsigned int apqi)
{
	u64 gr1 = vcpu->run->s.regs.gprs[1];
	ap_qid_t qid = AP_MKQID(apid, apqi);
	struct ap_queue_status st;
	struct apmx_aqic_q *q;

	lockdep_assert_held(&vcpu->kvm->arch.crypto.pqap_hook_rwsem);
	mutex_lock(&vm->aqic_lock);
	if ((gr1 >> (63 - 16)) & 1) {
		st = apmx_aqic_on(vcpu, vm, qid, gr1 & 0x07,
				  vcpu->run->s.regs.gprs[2]);
	} else {
		st = apmx_aqic_off(qid);
		q = apmx_aqic_find(vm, qid);
		if (q)
			apmx_aqic_free(vcpu->kvm, q);
	}
	mutex_unlock(&vm->aqic_lock);
	return st;
}

/**
 * apmx_aqic_release() - turn off the interruptions of queues that go
 * @kvm: the VM
 * @vm: its AP matrix state
 * @all: every queue (RESET_AP_QUEUES, VM destroy), else those no longer
 *	in the effective matrix (after a set, a clear, a queue removal)
 *
 * For each: AQIC off, then its pin and ISC registration dropped.  Takes
 * pqap_hook_rwsem for reading and aqic_lock; the caller holds no
 * kvm->lock (this sleeps, at most 2 x (APMX_AQIC_TRIES - 1) x
 * APMX_WAIT_MS per queue when the hardware is busy).
 */
void apmx_aqic_release(struct kvm *kvm, struct kvm_s390_apmx *vm, bool all)
{
	struct apmx_aqic_q *q, *n;
	unsigned int apid, apqi;

	down_read(&kvm->arch.crypto.pqap_hook_rwsem);
	mutex_lock(&vm->aqic_lock);
	list_for_each_entry_safe(q, n, &vm->aqic, node) {
		apid = AP_QID_CARD(q->qid);
		apqi = AP_QID_QUEUE(q->qid);
		if (!all && apmx_mask_test(vm->effective.apm, apid) &&
		    apmx_mask_test(vm->effective.aqm, apqi))
			continue;
		apmx_aqic_off(q->qid);
		APMX_AQIC_EVENT(kvm, "AQIC %02x.%04x off: released", apid,
				apqi);
		apmx_aqic_free(kvm, q);
	}
	mutex_unlock(&vm->aqic_lock);
	up_read(&kvm->arch.crypto.pqap_hook_rwsem);
}

/**
 * apmx_aqic_available() - may the VMM offer AP interruptions
 * @kvm: the VM
 *
 * Return: true if the VM has a GISA (the host has the adapter-interruption
 * virtualization facility), which AQIC forwarding needs
 * (kvm_s390_gisc_register()).  Protected guests are still refused.
 */
bool apmx_aqic_available(struct kvm *kvm)
{
	return kvm->arch.gisa_int.origin;
}
