// SPDX-License-Identifier: GPL-2.0
/*
 * KVM/s390 AP matrix: the VM ioctls and the per-VM state.
 *
 * KVM_S390_SET_AP_MATRIX replaces a guest's AP matrix (before or after its
 * vCPUs run), KVM_S390_GET_AP_MATRIX reads it back, KVM_S390_CLEAR_AP_MATRIX
 * gives every queue back and KVM_S390_RESET_AP_QUEUES zeroizes the queues a
 * guest keeps (guest reset).  The global table and the CRYCB change under
 * the lock order of ap-matrix.h, both or neither.
 */
#define KMSG_COMPONENT "kvm-s390"
#define pr_fmt(fmt) KMSG_COMPONENT ": " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/container_of.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/kvm_host.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/printk.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/ap.h>
#include <asm/debug.h>
#include "ap-matrix.h"

#define APMX_EVENT(kvm, fmt, ...) \
	debug_sprintf_event((kvm)->arch.dbf, 3, fmt "\n", ##__VA_ARGS__)

static atomic64_t apmx_vm_ids = ATOMIC64_INIT(0);

static const char * const apmx_reason_str[] = {
	[KVM_S390_AP_OK]		= "ok",
	[KVM_S390_AP_R_ID_RANGE]	= "beyond the guest's limit",
	[KVM_S390_AP_R_HOST_OWNED]	= "owned by the host",
	[KVM_S390_AP_R_IN_USE]		= "used by another guest",
	[KVM_S390_AP_R_RESERVED]	= "reserved by a grant",
	[KVM_S390_AP_R_NOT_GRANTED]	= "not granted to the caller",
	[KVM_S390_AP_R_QUARANTINED]	= "being reset or quarantined",
	[KVM_S390_AP_R_VFIO_AP]		= "held by vfio_ap",
};

static const char * const apmx_holder_str[] = {
	[KVM_S390_AP_HOLDER_NONE]	= "nobody",
	[KVM_S390_AP_HOLDER_HOST]	= "host",
	[KVM_S390_AP_HOLDER_VM]		= "VM",
	[KVM_S390_AP_HOLDER_GRANT]	= "grant",
	[KVM_S390_AP_HOLDER_VFIO_AP]	= "vfio_ap",
	[KVM_S390_AP_HOLDER_QUARANTINE]	= "quarantine",
};

static const char *apmx_str(const char * const *tab, size_t n, u32 i)
{
	return i < n ? tab[i] : "?";
}

/* Log a refusal: the errno, the APQN or id, and who holds it. */
static void apmx_report(struct kvm *kvm, u64 vm_id, int rc,
			const struct kvm_s390_ap_refusal *r)
{
	const char *why = apmx_str(apmx_reason_str,
				   ARRAY_SIZE(apmx_reason_str), r->reason);
	const char *who = apmx_str(apmx_holder_str,
				   ARRAY_SIZE(apmx_holder_str), r->holder_type);

	if (r->reason == KVM_S390_AP_R_ID_RANGE) {
		pr_notice_ratelimited("VM %llu: AP matrix refused (%d): %s %u %s\n",
				      vm_id, rc,
				      r->field == KVM_S390_AP_FIELD_ADAPTER ?
				      "adapter" : "domain",
				      r->field == KVM_S390_AP_FIELD_ADAPTER ?
				      r->adapter : r->domain, why);
		APMX_EVENT(kvm, "AP matrix refused (%d): id %u/%u beyond limit",
			   rc, r->adapter, r->domain);
		return;
	}
	pr_notice_ratelimited("VM %llu: AP matrix refused (%d): APQN %02x.%04x %s, holder %s %llu (pid %d)\n",
			      vm_id, rc, r->adapter, r->domain, why, who,
			      r->holder_id, r->holder_pid);
	/* kvm's debug area keeps 6 arguments: the pid is in the message */
	APMX_EVENT(kvm, "AP matrix refused (%d): APQN %02x.%04x reason %u holder %u/%llu",
		   rc, r->adapter, r->domain, r->reason, r->holder_type,
		   r->holder_id);
}

static u8 apmx_crycb_format(struct kvm *kvm)
{
	switch (kvm->arch.crypto.crycbd & CRYCB_FORMAT_MASK) {
	case CRYCB_FORMAT2:
		return APMX_CRYCB_FORMAT2;
	case CRYCB_FORMAT1:
		return APMX_CRYCB_FORMAT1;
	default:
		return APMX_CRYCB_FORMAT0;
	}
}

/* The limits of @kvm's CRYCB on this host, also written to @out. */
static void apmx_vm_limits(struct kvm *kvm, struct apmx_limits *lim,
			   struct kvm_s390_ap_matrix *out)
{
	struct apmx_host_info host;

	apmx_host_info(&host);
	apmx_limits_init(lim, apmx_crycb_format(kvm), host.apxa, host.na,
			 host.nd);
	out->crycb_format = lim->format;
	out->max_adapter = lim->max_adapter;
	out->max_domain = lim->max_domain;
}

static bool apmx_masks_empty(const struct kvm_s390_ap_masks *m)
{
	return apmx_mask_empty(m->apm) &&
	       apmx_mask_empty(m->aqm) && apmx_mask_empty(m->adm);
}

/*
 * PQAP(AQIC) from a guest configured by ioctl (aqic.c): RC 01 for a queue
 * not in its effective matrix, else the answer of apmx_aqic().  Called by
 * 6.1's priv.c handle_pqap() with pqap_hook_rwsem held for reading, which
 * keeps the effective matrix as it is; it sets cc 3 for a non-zero
 * response code.
 */
static int apmx_handle_pqap(struct kvm_vcpu *vcpu)
{
	struct kvm_s390_apmx *vm = vcpu->kvm->arch.crypto.apmx;
	u64 gr0 = vcpu->run->s.regs.gprs[0];
	unsigned int apid = (gr0 >> 8) & 0xff, apqi = gr0 & 0xff;
	struct ap_queue_status st = { .response_code = AP_RESPONSE_Q_NOT_AVAIL };

	if (apmx_mask_test(vm->effective.apm, apid) &&
	    apmx_mask_test(vm->effective.aqm, apqi))
		st = apmx_aqic(vcpu, vm, apid, apqi);
	vcpu->run->s.regs.gprs[1] = apmx_aqic_status_word(st);
	return 0;
}

/*
 * Get @kvm's state, allocated on first use if @create; it stays until the
 * VM is destroyed, so the caller may use it after dropping kvm->lock.
 * Takes kvm->lock killably.  Returns the state, NULL (none and !@create)
 * or an ERR_PTR (-ENOMEM, -EINTR).
 */
static struct kvm_s390_apmx *apmx_vm_state(struct kvm *kvm, bool create)
{
	struct kvm_s390_apmx *vm;

	if (mutex_lock_killable(&kvm->lock))
		return ERR_PTR(-EINTR);
	vm = kvm->arch.crypto.apmx;
	if (vm || !create)
		goto out;
	vm = kvzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		vm = ERR_PTR(-ENOMEM);
		goto out;
	}
	mutex_init(&vm->op_lock);
	mutex_init(&vm->aqic_lock);
	INIT_LIST_HEAD(&vm->aqic);
	vm->pid = get_task_pid(current, PIDTYPE_TGID);
	vm->owner.type = KVM_S390_AP_HOLDER_VM;
	/* the initial namespace's number, for the kernel log only */
	vm->owner.pid = task_tgid_nr(current);
	vm->owner.id = atomic64_inc_return(&apmx_vm_ids);
	vm->pqap_hook = apmx_handle_pqap;
	vm->kvm = kvm;
	kvm->arch.crypto.apmx = vm;
out:
	mutex_unlock(&kvm->lock);
	return vm;
}

/**
 * apmx_owner_pid_vnr() - the pid of a holder, as the caller sees it
 * @o: a guest or a grant in the table
 *
 * Return: the thread group id of @o's creator in the caller's pid
 * namespace, or 0 if it is not visible there (or @o has none).
 */
pid_t apmx_owner_pid_vnr(const struct apmx_owner *o)
{
	struct pid *pid = NULL;

	if (o->type == KVM_S390_AP_HOLDER_VM)
		pid = container_of(o, struct kvm_s390_apmx, owner)->pid;
	else if (o->type == KVM_S390_AP_HOLDER_GRANT)
		pid = container_of(o, struct apmx_grant, owner)->pid;
	return pid ? pid_vnr(pid) : 0;
}

/**
 * apmx_refusal_localize() - what the caller may learn of a holder
 * @r: a refusal the table just filled (its pid is the initial pid
 *     namespace's)
 * @privileged: the caller has CAP_SYS_ADMIN
 *
 * A privileged caller gets the holder's pid in its own pid namespace (0
 * if not visible there); any other caller gets no pid.  An unprivileged
 * caller only ever sees a holder inside its own grant (anything else is
 * KVM_S390_AP_R_NOT_GRANTED first): a VM or the grant it was given,
 * whose ids it may know.  Caller holds apmx_table_lock, so the holder the
 * slot names is the one the table reported.
 */
void apmx_refusal_localize(struct kvm_s390_ap_refusal *r, bool privileged)
{
	const struct apmx_owner *o = NULL;
	struct apmx_slot s;

	lockdep_assert_held(&apmx_table_lock);
	if (r->holder_type != KVM_S390_AP_HOLDER_VM &&
	    r->holder_type != KVM_S390_AP_HOLDER_GRANT)
		return;
	apmx_table_lookup(&apmx_table, r->adapter, r->domain, &s);
	if (r->reason == KVM_S390_AP_R_IN_USE)
		o = s.user;
	else if (r->reason == KVM_S390_AP_R_RESERVED)
		o = s.reserver;
	r->holder_pid = privileged && o ? apmx_owner_pid_vnr(o) : 0;
}

/* A PQAP hook that is not ours means vfio_ap has the VM. */
static bool apmx_vfio_ap_attached(struct kvm *kvm, struct kvm_s390_apmx *vm)
{
	crypto_hook *hook = kvm->arch.crypto.pqap_hook;

	return hook && hook != &vm->pqap_hook;
}

/*
 * Write @eff into the CRYCB and install or remove the PQAP hook.  The
 * hook stays installed while the guest's requested matrix is not empty,
 * even if nothing of it is effective now: the VM belongs to apmatrix and
 * vfio_ap (which refuses a VM with a PQAP hook) cannot take it over.
 * Caller holds kvm->lock; takes pqap_hook_rwsem.  Cannot fail.
 */
void apmx_vm_commit(struct kvm *kvm, struct kvm_s390_apmx *vm,
		    const struct kvm_s390_ap_masks *eff)
{
	unsigned long apm[BITS_TO_LONGS(APMX_NR_IDS)];
	unsigned long aqm[BITS_TO_LONGS(APMX_NR_IDS)];
	unsigned long adm[BITS_TO_LONGS(APMX_NR_IDS)];

	BUILD_BUG_ON(sizeof(apm) != sizeof(eff->apm));
	lockdep_assert_held(&kvm->lock);
	down_write(&kvm->arch.crypto.pqap_hook_rwsem);
	vm->effective = *eff;
	if (!apmx_masks_empty(&vm->requested))
		kvm->arch.crypto.pqap_hook = &vm->pqap_hook;
	else if (kvm->arch.crypto.pqap_hook == &vm->pqap_hook)
		kvm->arch.crypto.pqap_hook = NULL;
	if (apmx_masks_empty(eff)) {
		kvm_arch_crypto_clear_masks(kvm);
	} else {
		/* the masks are MSB-0 images: copy bytes, no bit ops */
		memcpy(apm, eff->apm, sizeof(apm));
		memcpy(aqm, eff->aqm, sizeof(aqm));
		memcpy(adm, eff->adm, sizeof(adm));
		kvm_arch_crypto_set_masks(kvm, apm, aqm, adm);
	}
	up_write(&kvm->arch.crypto.pqap_hook_rwsem);
}

/*
 * @fresh = the usage queues of @want (apm x aqm) that @old does not give
 * for usage: the queues that reach the guest new, from the host's
 * drivers, from vfio_ap or as a control domain it held.
 */
static void apmx_new_usage(const struct kvm_s390_ap_masks *want,
			   const struct kvm_s390_ap_masks *old,
			   struct apmx_apqn_set *fresh)
{
	unsigned int apid, i;

	apmx_set_clear(fresh);
	apmx_for_each_id(apid, want->apm) {
		if (!apmx_mask_test(old->apm, apid)) {
			memcpy(fresh->row[apid], want->aqm, APMX_MASK_BYTES);
			continue;
		}
		for (i = 0; i < APMX_MASK_BYTES; i++)
			fresh->row[apid][i] = want->aqm[i] & ~old->aqm[i];
	}
}

/* @r = the first APQN of @s, reason QUARANTINED (reset not verified) */
static void apmx_report_unclean(const struct apmx_apqn_set *s,
				struct kvm_s390_ap_refusal *r)
{
	unsigned int apid, apqi;

	for (apid = 0; apid < APMX_NR_IDS; apid++) {
		apqi = apmx_mask_next(s->row[apid], 0);
		if (apqi < APMX_NR_IDS) {
			apmx_refusal_fill(r, KVM_S390_AP_R_QUARANTINED,
					  KVM_S390_AP_FIELD_APQN, apid, apqi,
					  NULL, KVM_S390_AP_HOLDER_NONE);
			return;
		}
	}
}

/* @s &= @m; true if @s changed */
static bool apmx_set_and(struct apmx_apqn_set *s, const struct apmx_apqn_set *m)
{
	unsigned int apid, i;
	bool changed = false;
	u8 b;

	for (apid = 0; apid < APMX_NR_IDS; apid++)
		for (i = 0; i < APMX_MASK_BYTES; i++) {
			b = s->row[apid][i] & m->row[apid][i];
			changed |= b != s->row[apid][i];
			s->row[apid][i] = b;
		}
	return changed;
}

/* @fresh |= the APQNs of @s that @want uses for usage (apm x aqm) */
static void apmx_keep_usage(const struct apmx_apqn_set *s,
			    const struct kvm_s390_ap_masks *want,
			    struct apmx_apqn_set *fresh)
{
	unsigned int apid, i;

	apmx_for_each_id(apid, want->apm)
		for (i = 0; i < APMX_MASK_BYTES; i++)
			fresh->row[apid][i] |= s->row[apid][i] & want->aqm[i];
}

/**
 * apmx_vm_effective() - what the guest may see now
 * @vm: the VM's state
 * @eff: out: its requested matrix clipped to its CRYCB format, without
 *	the adapters of queues gone from the host (apmx_qdrv_filter()) or
 *	of new queues whose reset was not verified (@vm->unclean) and,
 *	while new queues are being reset (@vm->settling), within what it
 *	saw before the change
 *
 * Caller holds kvm->lock.
 */
void apmx_vm_effective(const struct kvm_s390_apmx *vm,
		       struct kvm_s390_ap_masks *eff)
{
	unsigned int apid;

	lockdep_assert_held(&vm->kvm->lock);
	apmx_effective(&vm->requested, &vm->lim, eff);
	apmx_qdrv_filter(eff);
	/* the CRYCB cannot hide one APQN: the adapter of an unclean queue */
	apmx_for_each_id(apid, eff->apm)
		if (apmx_mask_intersects(vm->unclean.row[apid], eff->aqm))
			apmx_mask_clear(eff->apm, apid);
	if (!vm->settling)
		return;
	apmx_mask_and(eff->apm, eff->apm, vm->visible.apm);
	apmx_mask_and(eff->aqm, eff->aqm, vm->visible.aqm);
	apmx_mask_and(eff->adm, eff->adm, vm->visible.adm);
}

/*
 * The first APQN, in ascending (adapter, domain) order, for which @want
 * asks a kind (usage or control) that @held does not already give the
 * guest: what an unprivileged caller without a grant may not take.  A
 * control domain held is no usage domain held, nor the reverse.  Fills @r
 * and returns -EPERM, or 0.
 */
static int apmx_first_new(const struct kvm_s390_ap_masks *want,
			  const struct kvm_s390_ap_masks *held,
			  struct kvm_s390_ap_refusal *r)
{
	bool usage, control, had_apid;
	unsigned int apid, apqi;

	apmx_for_each_id(apid, want->apm) {
		had_apid = apmx_mask_test(held->apm, apid);
		for (apqi = 0; apqi < APMX_NR_IDS; apqi++) {
			usage = apmx_mask_test(want->aqm, apqi);
			control = apmx_mask_test(want->adm, apqi);
			if ((!usage || (had_apid &&
					apmx_mask_test(held->aqm, apqi))) &&
			    (!control || (had_apid &&
					  apmx_mask_test(held->adm, apqi))))
				continue;
			apmx_refusal_fill(r, KVM_S390_AP_R_NOT_GRANTED,
					  KVM_S390_AP_FIELD_APQN, apid, apqi,
					  NULL, KVM_S390_AP_HOLDER_NONE);
			return -EPERM;
		}
	}
	return 0;
}

/*
 * A privileged set that asks for quarantined APQNs retries their reset
 * first, in one round (apmx_zeroize_retry_set()), so that an administrator
 * always has a way
 * out of quarantine, also without an AP bus (ZCRYPT=n, no queue driver and
 * its reset_quarantined file).  Caller holds op_lock only.
 */
static void apmx_retry_quarantined(struct kvm_s390_apmx *vm,
				   const struct kvm_s390_ap_masks *want)
{
	unsigned int apid, i;

	/* every APQN asked for; apmx_zeroize_retry_set() keeps the quarantined */
	apmx_set_clear(&vm->fresh);
	apmx_for_each_id(apid, want->apm)
		for (i = 0; i < APMX_MASK_BYTES; i++)
			vm->fresh.row[apid][i] = want->aqm[i] | want->adm[i];
	apmx_zeroize_retry_set(&vm->fresh);
}

/*
 * Install (@on) or remove our PQAP hook; removing leaves a hook that is
 * not ours alone.  Caller holds kvm->lock and has checked that vfio_ap
 * has not got the VM.
 */
static void apmx_vm_hook(struct kvm *kvm, struct kvm_s390_apmx *vm, bool on)
{
	lockdep_assert_held(&kvm->lock);
	down_write(&kvm->arch.crypto.pqap_hook_rwsem);
	if (on)
		kvm->arch.crypto.pqap_hook = &vm->pqap_hook;
	else if (kvm->arch.crypto.pqap_hook == &vm->pqap_hook)
		kvm->arch.crypto.pqap_hook = NULL;
	up_write(&kvm->arch.crypto.pqap_hook_rwsem);
}

/*
 * Replace @kvm's matrix by @want, all or nothing, and fill the output
 * fields of @out.  Three steps, never kvm->lock inside ap_perms_mutex (a
 * VMM decides how long kvm->lock is held, and the whole AP bus waits for
 * ap_perms_mutex):
 *   1. kvm->lock: the CRYCB limits; the VM must not be vfio_ap's, and our
 *      PQAP hook claims it, so vfio_ap cannot take it meanwhile;
 *   2. ap_perms_mutex, apmx_table_lock: the queues are claimed and
 *      released in the table (released ones are withheld from then on);
 *   3. kvm->lock again: the CRYCB gets what the guest keeps, then, once
 *      the released and the new queues are reset (op_lock only), the
 *      whole matrix.
 * op_lock keeps the VM's matrix as it is from 1 to 3.
 */
static int apmx_vm_apply(struct kvm *kvm, const struct kvm_s390_ap_masks *want,
			 bool privileged, const struct apmx_grant *grant,
			 struct kvm_s390_ap_matrix *out)
{
	const struct kvm_s390_ap_refusal *log = &out->refusal;
	struct kvm_s390_ap_refusal logged;
	struct kvm_s390_ap_masks eff;
	struct kvm_s390_apmx *vm;
	struct apmx_limits lim;
	int rc;

	vm = apmx_vm_state(kvm, !apmx_masks_empty(want));
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	if (!vm) {
		/* nothing held, nothing wanted: the limits only */
		if (mutex_lock_killable(&kvm->lock))
			return -EINTR;
		apmx_vm_limits(kvm, &lim, out);
		mutex_unlock(&kvm->lock);
		return 0;
	}
	if (mutex_lock_killable(&vm->op_lock))
		return -EINTR;
	if (privileged)
		apmx_retry_quarantined(vm, want);

	/* 1. the VM */
	rc = mutex_lock_killable(&kvm->lock);
	if (rc)
		goto out_op;
	apmx_vm_limits(kvm, &lim, out);
	out->effective = vm->effective;
	if (apmx_masks_empty(want) && apmx_masks_empty(&vm->requested)) {
		/* nothing held, nothing wanted: not even vfio_ap matters */
		mutex_unlock(&kvm->lock);
		goto out_op;
	}
	if (apmx_vfio_ap_attached(kvm, vm)) {
		mutex_unlock(&kvm->lock);
		apmx_refusal_fill(&out->refusal, KVM_S390_AP_R_VFIO_AP,
				  KVM_S390_AP_FIELD_NONE, KVM_S390_AP_ID_NONE,
				  KVM_S390_AP_ID_NONE, NULL,
				  KVM_S390_AP_HOLDER_VFIO_AP);
		rc = -EBUSY;
		goto out_op;
	}
	apmx_vm_hook(kvm, vm, true);
	mutex_unlock(&kvm->lock);

	/* 2. the queues */
	rc = apmx_check_limits(want, &lim, &out->refusal);
	if (rc)
		goto out_unhook;
	/* without CAP_SYS_ADMIN or a grant: only keeping or shrinking */
	if (!privileged && !grant) {
		rc = apmx_first_new(want, &vm->owner.held, &out->refusal);
		if (rc)
			goto out_unhook;
	}
	rc = apmx_host_lock_killable();
	if (rc)
		goto out_unhook;
	apmx_set_clear(&vm->released);
	mutex_lock(&apmx_table_lock);
	rc = apmx_table_replace(&apmx_table, &vm->owner, want,
				grant ? &grant->owner : NULL, apmx_qdrv_host_veto,
				NULL, &vm->released, &vm->fresh,
				&out->refusal);
	if (!rc)
		apmx_qdrv_claimed(&vm->fresh);	/* what the queue driver knows */
	if (rc) {
		/* the log names the holder; the caller learns what it may */
		logged = out->refusal;
		log = &logged;
		apmx_refusal_localize(&out->refusal, privileged);
	}
	mutex_unlock(&apmx_table_lock);
	apmx_host_unlock();
	if (rc)
		goto out_unhook;

	/* 3. the CRYCB; the claim is made: see it through, not killably */
	mutex_lock(&kvm->lock);
	/*
	 * Usage queues new to the guest, and those still unclean: reset
	 * before it sees them.  Unclean queues it gives up are released.
	 */
	apmx_new_usage(want, &vm->requested, &vm->fresh);
	apmx_keep_usage(&vm->unclean, want, &vm->fresh);
	vm->settling = apmx_set_weight(&vm->fresh) != 0;
	if (!vm->settling)
		apmx_set_clear(&vm->unclean);	/* none of it is wanted */
	if (vm->settling)
		vm->visible = vm->effective;
	vm->requested = *want;
	vm->lim = lim;
	apmx_vm_effective(vm, &eff);
	apmx_vm_commit(kvm, vm, &eff);
	mutex_unlock(&kvm->lock);
	/* the queues it no longer sees: interruptions off, pins dropped */
	apmx_aqic_release(kvm, vm, false);
	/*
	 * The guest no longer sees the released queues nor yet the new ones,
	 * and nobody can claim either: reset them with no global lock and
	 * no kvm->lock held.
	 */
	apmx_zeroize_set(&vm->released, true, NULL, &vm->zfailed);
	/* queues whose interruptions stayed on: their ZAPQ ended them */
	apmx_aqic_reset_done(kvm, vm, &vm->released, &vm->zfailed);
	if (vm->settling) {
		/* a new queue whose reset fails stays out (vm->unclean) */
		apmx_zeroize_set(&vm->fresh, false, NULL, &vm->released);
		mutex_lock(&kvm->lock);
		vm->unclean = vm->released;
		vm->settling = false;
		apmx_vm_effective(vm, &eff);
		apmx_vm_commit(kvm, vm, &eff);
		mutex_unlock(&kvm->lock);
		/* the set stands; the report names the first unclean queue */
		apmx_report_unclean(&vm->released, &out->refusal);
	}
	APMX_EVENT(kvm, "AP matrix set: %u adapters, %u domains, %u control domains",
		   apmx_mask_weight(eff.apm), apmx_mask_weight(eff.aqm),
		   apmx_mask_weight(eff.adm));
	mutex_unlock(&vm->op_lock);
	/*
	 * Bind the queues to apmatrix (the driver core takes the device lock,
	 * outside every lock here); a held queue bound again is plugged in,
	 * so report the matrix as it is after that.
	 */
	apmx_qdrv_attach(want);
	mutex_lock(&kvm->lock);
	out->effective = vm->effective;
	mutex_unlock(&kvm->lock);
	return 0;

out_unhook:
	/* nothing changed; a VM that has no queues is free for vfio_ap */
	mutex_lock(&kvm->lock);
	if (apmx_masks_empty(&vm->requested))
		apmx_vm_hook(kvm, vm, false);
	mutex_unlock(&kvm->lock);
out_op:
	mutex_unlock(&vm->op_lock);
	if (rc && log->reason != KVM_S390_AP_OK)
		apmx_report(kvm, vm->owner.id, rc, log);
	return rc;
}

static int apmx_check_args(const struct kvm_s390_ap_matrix *arg)
{
	unsigned int i;

	if (arg->flags & ~KVM_S390_AP_MATRIX_F_ALL)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(arg->reserved); i++)
		if (arg->reserved[i])
			return -EINVAL;
	return 0;
}

static int apmx_ioctl_set(struct kvm *kvm, struct kvm_s390_ap_matrix __user *uarg)
{
	struct apmx_grant *grant = NULL;
	struct kvm_s390_ap_matrix arg;
	struct fd f = { NULL };
	int rc;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	rc = apmx_check_args(&arg);
	if (rc)
		return rc;
	memset(&arg.effective, 0, sizeof(arg.effective));
	memset(&arg.refusal, 0, sizeof(arg.refusal));
	/* fail before changing anything if the output cannot be written */
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags & KVM_S390_AP_MATRIX_F_GRANT) {
		/* the file reference keeps the grant alive during the call */
		grant = apmx_grant_fdget(arg.grant_fd, &f);
		if (IS_ERR(grant))
			return PTR_ERR(grant);
	}
	rc = apmx_vm_apply(kvm, &arg.requested, capable(CAP_SYS_ADMIN), grant,
			   &arg);
	if (grant)
		fdput(f);
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return rc ? rc : -EFAULT;
	return rc;
}

static int apmx_ioctl_get(struct kvm *kvm, struct kvm_s390_ap_matrix __user *uarg)
{
	struct kvm_s390_ap_matrix arg;
	struct kvm_s390_apmx *vm;
	struct apmx_limits lim;

	memset(&arg, 0, sizeof(arg));
	if (mutex_lock_killable(&kvm->lock))
		return -EINTR;
	apmx_vm_limits(kvm, &lim, &arg);
	if (apmx_aqic_available(kvm))
		arg.flags = KVM_S390_AP_MATRIX_F_AQIC;
	vm = kvm->arch.crypto.apmx;
	if (vm) {
		arg.requested = vm->requested;
		arg.effective = vm->effective;
	}
	mutex_unlock(&kvm->lock);
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

static int apmx_ioctl_clear(struct kvm *kvm)
{
	static const struct kvm_s390_ap_masks none;
	struct kvm_s390_ap_matrix out;

	memset(&out, 0, sizeof(out));
	return apmx_vm_apply(kvm, &none, false, NULL, &out);
}

/*
 * KVM_S390_RESET_AP_QUEUES: reset the usage queues the guest has now.
 * op_lock keeps the guest's matrix as it is meanwhile, so no queue can
 * have moved to another guest when its reset is issued; kvm->lock is held
 * only to read the matrix, not while the resets wait.
 */
static int apmx_ioctl_reset(struct kvm *kvm, struct kvm_s390_ap_refusal __user *uarg)
{
	struct kvm_s390_ap_refusal r;
	struct kvm_s390_apmx *vm;
	unsigned int apid;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	if (copy_to_user(uarg, &r, sizeof(r)))
		return -EFAULT;
	vm = apmx_vm_state(kvm, false);
	if (IS_ERR_OR_NULL(vm))
		return PTR_ERR_OR_ZERO(vm);
	if (mutex_lock_killable(&vm->op_lock))
		return -EINTR;
	rc = mutex_lock_killable(&kvm->lock);
	if (rc)
		goto out_op;
	/*
	 * Every usage queue the guest holds, also those out of its CRYCB
	 * now (gone, or unclean): none may keep a reply across the reset.
	 */
	apmx_set_clear(&vm->released);
	apmx_for_each_id(apid, vm->requested.apm)
		memcpy(vm->released.row[apid], vm->requested.aqm,
		       APMX_MASK_BYTES);
	mutex_unlock(&kvm->lock);
	/* the reset ends the guest's interruptions on all its queues */
	apmx_aqic_release(kvm, vm, true);
	if (apmx_zeroize_set(&vm->released, false, &r, &vm->fresh)) {
		/* zeroize.c logged every queue; the VM's debug area the first */
		rc = -EIO;
		APMX_EVENT(kvm, "AP queue reset: %02x.%04x not verified",
			   r.adapter, r.domain);
	}
	apmx_aqic_reset_done(kvm, vm, &vm->released, &vm->fresh);
	/* unclean queues whose reset is verified now may be seen */
	mutex_lock(&kvm->lock);
	if (apmx_set_and(&vm->unclean, &vm->fresh)) {
		struct kvm_s390_ap_masks eff;

		apmx_vm_effective(vm, &eff);
		apmx_vm_commit(kvm, vm, &eff);
	}
	mutex_unlock(&kvm->lock);
out_op:
	mutex_unlock(&vm->op_lock);
	if (copy_to_user(uarg, &r, sizeof(r)))
		return rc ? rc : -EFAULT;
	return rc;
}

/*
 * The AP matrix works only where the host has AP instructions and the
 * apmatrix queue driver's veto of apmask/aqmask edits is in force: without
 * it the host could take back queues that guests hold.  vfio_ap asks the
 * queue driver before it binds a queue or controls a domain.
 */
static bool apmx_usable(void)
{
	return ap_instructions_available() && apmx_qdrv_ready();
}

/**
 * kvm_s390_apmx_available() - value of KVM_CAP_S390_AP_MATRIX
 *
 * Return: 1 if the host has AP instructions and the apmatrix queue
 * driver is registered, or there is no AP bus (apmx_qdrv_ready()), else 0.
 */
int kvm_s390_apmx_available(void)
{
	return apmx_usable() ? 1 : 0;
}

/**
 * kvm_s390_apmx_vm_ioctl() - the AP matrix VM ioctls
 * @kvm: the VM
 * @ioctl: KVM_S390_{SET,GET,CLEAR}_AP_MATRIX or KVM_S390_RESET_AP_QUEUES
 * @argp: the user argument
 *
 * A set needs apmx_usable() (else -EOPNOTSUPP: nothing would stop the
 * host from taking the queues back); getting, clearing and resetting
 * what a guest has need AP instructions only.
 *
 * Return: 0 or a negative errno; see Documentation/virt/kvm/api.rst.
 */
long kvm_s390_apmx_vm_ioctl(struct kvm *kvm, unsigned int ioctl,
			    void __user *argp)
{
	if (!ap_instructions_available())
		return -EOPNOTSUPP;
	switch (ioctl) {
	case KVM_S390_SET_AP_MATRIX:
		if (!apmx_usable())
			return -EOPNOTSUPP;
		return apmx_ioctl_set(kvm, argp);
	case KVM_S390_GET_AP_MATRIX:
		return apmx_ioctl_get(kvm, argp);
	case KVM_S390_CLEAR_AP_MATRIX:
		return apmx_ioctl_clear(kvm);
	case KVM_S390_RESET_AP_QUEUES:
		return apmx_ioctl_reset(kvm, argp);
	default:
		return -ENOTTY;
	}
}

/**
 * kvm_s390_apmx_dev_ioctl() - the AP matrix system ioctls (/dev/kvm)
 * @ioctl: KVM_S390_CREATE_AP_GRANT
 * @argp: the user argument
 *
 * Return: 0 or a negative errno; -EINVAL for an unknown ioctl, as
 * kvm_arch_dev_ioctl().
 */
long kvm_s390_apmx_dev_ioctl(unsigned int ioctl, void __user *argp)
{
	if (ioctl != KVM_S390_CREATE_AP_GRANT)
		return -EINVAL;
	if (!apmx_usable())
		return -EOPNOTSUPP;
	return kvm_s390_apmx_create_grant(argp);
}

/**
 * kvm_s390_apmx_destroy() - give back every queue of a dying VM
 * @kvm: the VM, whose vCPUs are gone
 *
 * Called from kvm_arch_destroy_vm() before the GISA and the CRYCB page are
 * freed: the queues leave the table zeroized (or quarantined) whatever the
 * VMM did before it died.
 */
void kvm_s390_apmx_destroy(struct kvm *kvm)
{
	static const struct kvm_s390_ap_masks none;
	struct kvm_s390_apmx *vm = kvm->arch.crypto.apmx;
	struct kvm_s390_ap_refusal r;
	int rc;

	if (!vm)
		return;
	mutex_lock(&vm->op_lock);
	/* no pin nor guest ISC may outlive the VM: before the GISA goes */
	apmx_aqic_release(kvm, vm, true);
	mutex_lock(&kvm->lock);
	down_write(&kvm->arch.crypto.pqap_hook_rwsem);
	if (kvm->arch.crypto.pqap_hook == &vm->pqap_hook)
		kvm->arch.crypto.pqap_hook = NULL;
	up_write(&kvm->arch.crypto.pqap_hook_rwsem);
	apmx_set_clear(&vm->released);
	mutex_lock(&apmx_table_lock);
	rc = apmx_table_replace(&apmx_table, &vm->owner, &none, NULL, NULL,
				NULL, &vm->released, NULL, &r);
	mutex_unlock(&apmx_table_lock);
	WARN_ON_ONCE(rc);
	kvm->arch.crypto.apmx = NULL;
	mutex_unlock(&kvm->lock);
	/* the table withholds them: the resets need no lock but op_lock */
	apmx_zeroize_set(&vm->released, true, NULL, &vm->zfailed);
	/*
	 * Entries apmx_aqic_release() kept (TAPQ did not show their
	 * interruptions disabled): a verified ZAPQ ended them; the rest keep
	 * their pin as orphans.
	 */
	apmx_aqic_reset_done(kvm, vm, &vm->released, &vm->zfailed);
	apmx_aqic_orphan(kvm, vm);
	mutex_unlock(&vm->op_lock);
	mutex_destroy(&vm->op_lock);
	mutex_destroy(&vm->aqic_lock);
	put_pid(vm->pid);
	kvfree(vm);
}

/**
 * kvm_s390_apmx_exit() - free the ownership table on module exit
 *
 * Every VM and every grant is gone by now, and no queue is quarantined:
 * a quarantined queue pins the module (zeroize.c), so the table is empty.
 */
void kvm_s390_apmx_exit(void)
{
	mutex_lock(&apmx_table_lock);
	apmx_table_destroy(&apmx_table);
	mutex_unlock(&apmx_table_lock);
}
