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
 * stays pinned.  AQIC is asynchronous (6.1's drivers/s390/crypto/
 * ap_queue.c ap_sm_setirq_wait() polls TAPQ until irq_enabled changes):
 * an accepted change lands later, and an AQIC while one is pending
 * answers RC 07.  A queue for which TAPQ does not show the interruptions
 * disabled within the budget (apmx_aqic_off()) keeps its entry, pin and
 * ISC registration, until a verified ZAPQ, which ends the queue's
 * interruptions
 * (apmx_aqic_reset_done()).  At VM destroy an entry whose queue's ZAPQ is
 * not verified either (the queue is then quarantined) gives up its ISC
 * registration, which cannot outlive the GISA, but not its pin: the
 * entry moves to a global list of orphans with the pin.  A FOLL_PIN pin
 * holds a reference on the page itself, not on the VMM's mapping, so the
 * page stays allocated after the memslot, the VMM's mm and the VM are
 * gone: the adapter can only write into a page nobody else can have.  The
 * orphan is dropped once a retry of the quarantined queue's reset is
 * verified (apmx_aqic_orphans_reap(), from zeroize.c); until then one
 * page per such queue is leaked, on purpose.
 *
 * Per VM (kvm_s390_apmx), under aqic_lock: a list of the queues whose
 * interruptions this code enabled (or could not see off), each with its
 * guest ISC, the NIB's guest address and its pinned page.  Each enabled
 * queue holds one pin of its page (two queues sharing a NIB page pin it
 * twice) and one registration of its guest ISC (kvm_s390_gisc_register()
 * counts them per ISC).
 *
 * Locking (ap-matrix.h, LOCK ORDER): the hook runs as 6.1's
 * arch/s390/kvm/priv.c handle_pqap() calls it: in the vCPU's KVM_RUN with
 * vcpu->mutex and kvm->srcu held and pqap_hook_rwsem held for reading, so
 * it may not take kvm->lock; it takes aqic_lock.  apmx_aqic_release()
 * takes pqap_hook_rwsem for reading, then aqic_lock, so the effective
 * matrix it reads cannot change meanwhile; its callers hold no kvm->lock
 * (it sleeps).  The orphans are under apmx_aqic_orphan_lock, which
 * apmx_aqic_orphans_reap() takes with no other lock held and which ranks
 * above apmx_table_lock (taken inside it to read a slot, never across a
 * sleep); apmx_aqic_orphan() takes it under aqic_lock.
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

/* AQICs to disable (as vfio_ap, 5), and sleeps in all to see it done */
#define APMX_AQIC_TRIES	5
#define APMX_AQIC_WAITS	8

/* queues of destroyed VMs whose interruptions may still be on: pins kept */
static LIST_HEAD(apmx_aqic_orphan_list);
DEFINE_MUTEX(apmx_aqic_orphan_lock);	/* lock 3b of ap-matrix.h */
static unsigned int apmx_aqic_orphan_count;

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

/**
 * apmx_aqic_status_word() - the GR1 value PQAP(AQIC) leaves for the guest
 * @st: the queue status to report
 *
 * The 4 bytes of struct ap_queue_status in bits 32-63 of GR1, as 6.1's
 * vfio_ap handle_pqap() copies them (big-endian): E, R and F in bits
 * 32-34, I in bit 39, the response code in bits 40-47, the rest 0.
 *
 * Return: the value for the guest's GR1.
 */
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
 * After an AQIC-off of @qid that answered @rc: poll TAPQ, at most
 * @waits sleeps of APMX_WAIT_MS in all.  Return 1 if the interruptions are
 * off (or the queue is not operational: it signals nothing), 0 to issue
 * the AQIC again, -1 if the budget is spent with them on.  After RC 00 (or
 * 02, a reset, which ends them too) the change lands later: wait for
 * irq_enabled to go off.  RC 07 says the controls did not change: either
 * they are off, or a change is pending; if an enable of ours may be
 * pending (@ours), off is not proof: issue the AQIC again after a sleep,
 * and at once when TAPQ shows the enable landed.
 */
static int apmx_aqic_settle(ap_qid_t qid, u8 rc, bool ours,
			    unsigned int *waits)
{
	bool pending = rc == AP_RESPONSE_OTHERWISE_CHANGED;
	struct ap_queue_status t;

	for (;;) {
		t = ap_tapq(qid, NULL);
		switch (t.response_code) {
		case AP_RESPONSE_NORMAL:
		case AP_RESPONSE_RESET_IN_PROGRESS:
		case AP_RESPONSE_BUSY:
			break;
		default:
			return 1;	/* not operational: no interruptions */
		}
		if (!t.irq_enabled && (!pending || !ours))
			return 1;
		if (t.irq_enabled && pending)
			return 0;	/* the pending enable landed */
		if (*waits == APMX_AQIC_WAITS)
			return -1;
		(*waits)++;
		msleep(APMX_WAIT_MS);
		if (pending)
			return 0;
	}
}

/*
 * Turn the interruptions of @qid off: AQIC with IR 0, again while the
 * queue is busy or a change is pending, then TAPQ until it reports them
 * off (as 6.1's vfio_ap_irq_disable() and vfio_ap_wait_for_irqclear(),
 * with AQIC asynchronous as ap_queue.c ap_sm_setirq_wait() has it).
 * @ours: this VM enabled them and the enable may not have landed yet.  A
 * queue that is not available, deconfigured or checkstopped signals
 * nothing.  At most APMX_AQIC_TRIES AQICs and APMX_AQIC_WAITS sleeps of
 * APMX_WAIT_MS (160 ms).  @st: the status of the last AQIC.
 *
 * Return: true if the interruptions are off; false if they may still be
 * on, and the adapter may still write the NIB.
 */
static bool apmx_aqic_off(ap_qid_t qid, bool ours, struct ap_queue_status *st)
{
	struct ap_qirq_ctrl ctrl = {};
	unsigned int i, waits = 0;
	int done;

	for (i = 0; i < APMX_AQIC_TRIES; i++) {
		*st = ap_aqic(qid, ctrl, 0);
		switch (st->response_code) {
		case AP_RESPONSE_NORMAL:
		case AP_RESPONSE_RESET_IN_PROGRESS:
		case AP_RESPONSE_OTHERWISE_CHANGED:
			done = apmx_aqic_settle(qid, st->response_code, ours,
						&waits);
			if (done)
				return done > 0;
			break;
		case AP_RESPONSE_BUSY:
			if (waits == APMX_AQIC_WAITS)
				return false;
			waits++;
			msleep(APMX_WAIT_MS);
			break;
		default:
			return true;	/* not operational */
		}
	}
	return false;
}

/*
 * The interruptions of @q may still be on: its entry stays.  "Not
 * verified off", not "still on": after an RC 07 TAPQ may show them off
 * while an enable of ours is still pending (apmx_aqic_settle()).
 */
static void apmx_aqic_kept(struct kvm *kvm, struct apmx_aqic_q *q)
{
	pr_warn_ratelimited("AP queue %02x.%04x: interruptions not verified off after AQIC; NIB page kept pinned until the queue is reset\n",
			    AP_QID_CARD(q->qid), AP_QID_QUEUE(q->qid));
	APMX_AQIC_EVENT(kvm, "AQIC %02x.%04x off not verified: pin kept",
			AP_QID_CARD(q->qid), AP_QID_QUEUE(q->qid));
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
			struct ap_queue_status t;

			if (apmx_aqic_off(qid, true, &t))
				apmx_aqic_free(kvm, old);
			else
				apmx_aqic_kept(kvm, old);
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
 * for a queue whose interruptions are off; the queue's entry is dropped
 * only if TAPQ shows them off (apmx_aqic_off()), else it stays.
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
		q = apmx_aqic_find(vm, qid);
		if (apmx_aqic_off(qid, q, &st)) {
			if (q)
				apmx_aqic_free(vcpu->kvm, q);
		} else if (q) {
			apmx_aqic_kept(vcpu->kvm, q);
		}
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
 * For each: AQIC off, then, once TAPQ shows it done, its pin and ISC
 * registration dropped; a queue whose interruptions may still be on keeps
 * them until apmx_aqic_reset_done() sees its ZAPQ verified.  Takes
 * pqap_hook_rwsem for reading and aqic_lock; the caller holds no
 * kvm->lock (this sleeps, at most APMX_AQIC_WAITS x APMX_WAIT_MS per
 * queue when the hardware is busy or slow).
 */
void apmx_aqic_release(struct kvm *kvm, struct kvm_s390_apmx *vm, bool all)
{
	struct apmx_aqic_q *q, *n;
	struct ap_queue_status st;
	unsigned int apid, apqi;

	down_read(&kvm->arch.crypto.pqap_hook_rwsem);
	mutex_lock(&vm->aqic_lock);
	list_for_each_entry_safe(q, n, &vm->aqic, node) {
		apid = AP_QID_CARD(q->qid);
		apqi = AP_QID_QUEUE(q->qid);
		if (!all && apmx_mask_test(vm->effective.apm, apid) &&
		    apmx_mask_test(vm->effective.aqm, apqi))
			continue;
		if (!apmx_aqic_off(q->qid, true, &st)) {
			apmx_aqic_kept(kvm, q);
			continue;
		}
		APMX_AQIC_EVENT(kvm, "AQIC %02x.%04x off: released", apid,
				apqi);
		apmx_aqic_free(kvm, q);
	}
	mutex_unlock(&vm->aqic_lock);
	up_read(&kvm->arch.crypto.pqap_hook_rwsem);
}

/**
 * apmx_aqic_reset_done() - drop the entries of queues whose ZAPQ was verified
 * @kvm: the VM
 * @vm: its AP matrix state
 * @reset: the APQNs apmx_zeroize_set() reset
 * @failed: those of them whose reset was not verified (its @failed_set)
 *
 * A verified ZAPQ ends a queue's interruptions (the AP bus enables them
 * again after its own resets, ap_queue.c ap_sm_reset_wait()), so the
 * entries apmx_aqic_release() had to keep can go.  Context: as
 * apmx_aqic_release().
 */
void apmx_aqic_reset_done(struct kvm *kvm, struct kvm_s390_apmx *vm,
			  const struct apmx_apqn_set *reset,
			  const struct apmx_apqn_set *failed)
{
	struct apmx_aqic_q *q, *n;
	unsigned int apid, apqi;

	down_read(&kvm->arch.crypto.pqap_hook_rwsem);
	mutex_lock(&vm->aqic_lock);
	list_for_each_entry_safe(q, n, &vm->aqic, node) {
		apid = AP_QID_CARD(q->qid);
		apqi = AP_QID_QUEUE(q->qid);
		if (!apmx_set_test(reset, apid, apqi) ||
		    apmx_set_test(failed, apid, apqi))
			continue;
		APMX_AQIC_EVENT(kvm, "AQIC %02x.%04x off: queue reset", apid,
				apqi);
		apmx_aqic_free(kvm, q);
	}
	mutex_unlock(&vm->aqic_lock);
	up_read(&kvm->arch.crypto.pqap_hook_rwsem);
}

/**
 * apmx_aqic_orphan() - the last entries of a VM being destroyed
 * @kvm: the VM
 * @vm: its AP matrix state
 *
 * For VM destroy, after apmx_aqic_release() and apmx_aqic_reset_done():
 * what is left are queues whose interruptions neither TAPQ showed
 * disabled nor a verified ZAPQ ended (quarantined).  Each gives up its
 * guest ISC registration (the GISA goes with the VM) and keeps its page
 * pin on the orphan list (see the top of this file).  Context: as
 * apmx_aqic_release().
 */
void apmx_aqic_orphan(struct kvm *kvm, struct kvm_s390_apmx *vm)
{
	struct apmx_aqic_q *q, *n;

	down_read(&kvm->arch.crypto.pqap_hook_rwsem);
	mutex_lock(&vm->aqic_lock);
	list_for_each_entry_safe(q, n, &vm->aqic, node) {
		WARN_ON_ONCE(kvm_s390_gisc_unregister(kvm, q->gisc));
		pr_err_ratelimited("AP queue %02x.%04x: interruptions may still be on at VM destroy; NIB page stays pinned until the queue's reset is verified\n",
				   AP_QID_CARD(q->qid), AP_QID_QUEUE(q->qid));
		mutex_lock(&apmx_aqic_orphan_lock);
		list_move(&q->node, &apmx_aqic_orphan_list);
		apmx_aqic_orphan_count++;
		mutex_unlock(&apmx_aqic_orphan_lock);
	}
	mutex_unlock(&vm->aqic_lock);
	up_read(&kvm->arch.crypto.pqap_hook_rwsem);
}

/**
 * apmx_aqic_orphans_reap() - drop the pins of orphans whose queue was reset
 *
 * An orphan's queue is quarantined in the table until a reset of it is
 * verified (apmx_zeroize_retry()); once its slot is no longer
 * quarantined nor being reset, the ZAPQ ended its interruptions and the
 * page is unpinned.  Context: may sleep; takes apmx_aqic_orphan_lock and,
 * inside it, apmx_table_lock; the caller holds no lock of ap-matrix.h.
 */
void apmx_aqic_orphans_reap(void)
{
	struct apmx_aqic_q *q, *n;
	struct apmx_slot sl;

	mutex_lock(&apmx_aqic_orphan_lock);
	list_for_each_entry_safe(q, n, &apmx_aqic_orphan_list, node) {
		mutex_lock(&apmx_table_lock);
		apmx_table_peek(&apmx_table, AP_QID_CARD(q->qid),
				AP_QID_QUEUE(q->qid), &sl);
		mutex_unlock(&apmx_table_lock);
		if (sl.state & (APMX_SLOT_QUARANTINED | APMX_SLOT_RESETTING))
			continue;
		list_del(&q->node);
		apmx_aqic_orphan_count--;
		unpin_user_pages_dirty_lock(&q->page, 1, true);
		pr_notice("AP queue %02x.%04x: reset verified, NIB page of a destroyed VM unpinned\n",
			  AP_QID_CARD(q->qid), AP_QID_QUEUE(q->qid));
		kfree(q);
	}
	mutex_unlock(&apmx_aqic_orphan_lock);
}

/**
 * apmx_aqic_orphans() - how many orphaned NIB pins are held
 *
 * Return: the number of entries on the orphan list, one page pin each.
 */
unsigned int apmx_aqic_orphans(void)
{
	unsigned int n;

	mutex_lock(&apmx_aqic_orphan_lock);
	n = apmx_aqic_orphan_count;
	mutex_unlock(&apmx_aqic_orphan_lock);
	return n;
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
