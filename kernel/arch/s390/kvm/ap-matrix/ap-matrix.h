/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM/s390 AP matrix: kernel-internal interface.
 *
 * A VMM gives a guest AP queues with KVM_S390_SET_AP_MATRIX; the queues are
 * recorded in one global APQN ownership table (apmx.h) shared by every VM,
 * and written into the VM's CRYCB.  Files:
 *   vm.c       per-VM state, the VM ioctls, PQAP hook, VM teardown
 *   host.c     what the host offers: QCI limits, apmask/aqmask ownership;
 *              the global ownership table
 *   zeroize.c  ZAPQ + TAPQ of a queue that leaves a guest
 *   grant.c    grant file descriptors (KVM_S390_CREATE_AP_GRANT)
 *   queue-driver.c  the "apmatrix" AP queue driver: binding, the veto of
 *              apmask/aqmask edits, queues that come and go
 *   aqic.c     adapter interruptions (PQAP AQIC): NIB pins, guest ISCs
 *
 * LOCK ORDER (outermost first; release in reverse):
 *   0. kvm_s390_apmx.op_lock     per VM: one SET/CLEAR/RESET at a time,
 *                                held across the queue resets that follow
 *                                it (taken killably; nothing global is
 *                                held while a reset waits).
 *   1. ap_perms_mutex            AP bus: apmask/aqmask may not change while
 *                                a claim is checked against them
 *                                (apmx_host_lock()).
 *   2. kvm->lock                 the VM's apmx state and its CRYCB
 *                                (kvm_arch_crypto_set_masks() needs it).
 *   3. kvm->arch.crypto.pqap_hook_rwsem (write)
 *                                installing/removing the PQAP hook and
 *                                changing the effective matrix it reads.
 *                                (read) the PQAP hook, which 6.1's
 *                                priv.c handle_pqap() calls in KVM_RUN
 *                                with vcpu->mutex and kvm->srcu held
 *                                (vcpu->mutex ranks between 2 and 3; the
 *                                hook never takes kvm->lock), and
 *                                apmx_aqic_release().
 *   3a. kvm_s390_apmx.aqic_lock  per VM: the queues whose interruptions
 *                                are enabled (aqic.c), always under
 *                                pqap_hook_rwsem held for reading; may
 *                                sleep (AQIC and TAPQ retries), so never
 *                                taken with kvm->lock held by apmatrix.
 *                                An enable pins the NIB page under it:
 *                                pin_user_pages_fast() may take the
 *                                VMM's mmap_lock for reading, so
 *                                aqic_lock -> mmap_lock (nothing here
 *                                takes aqic_lock under mmap_lock).
 *   3b. apmx_aqic_orphan_lock    global: the NIB pins of destroyed VMs'
 *                                queues whose interruptions may still be
 *                                on (aqic.c); taken under op_lock (a
 *                                retry of a quarantined queue's reset)
 *                                or aqic_lock, takes apmx_table_lock only
 *                                to read a slot; unpins under it.
 *   4. apmx_table_lock           the global ownership table.
 * This is the order vfio_ap uses for 1-3 (ap_perms_mutex, kvm->lock,
 * pqap_hook_rwsem), so both can coexist.  apmatrix itself never takes
 * kvm->lock while it holds ap_perms_mutex: a VMM decides how long
 * kvm->lock is held (its other ioctls), and every AP bus probe and mask
 * edit of the host waits, uninterruptibly, for ap_perms_mutex; a set takes
 * kvm->lock, drops it, takes ap_perms_mutex with apmx_table_lock for the
 * claim, drops both, and takes kvm->lock again (vm.c apmx_vm_apply()).
 * The AP bus calls a driver's in_use() with ap_perms_mutex held; in_use
 * may take apmx_table_lock only.  vfio_ap calls
 * kvm_s390_apmx_vfio_ap_probe(), _probe_undo() and _control() holding its
 * own locks or some of them (its
 * probe: the device lock; its sysfs stores: ap_perms_mutex,
 * matrix_dev->guests_lock, the mdev's kvm->lock, matrix_dev->mdevs_lock),
 * and they take apmx_table_lock, innermost, and wait for nothing but a
 * GFP_KERNEL allocation.  _remove() resets the queue and may sleep
 * (APMX_ZEROIZE_MAX_MS): vfio_ap calls it holding the queue's device lock
 * only, after release_update_locks_for_mdev() (patch 0051), since every
 * vfio_ap mdev operation waits for guests_lock.  The queue driver's
 * reset_quarantined of a queue vfio_ap left unreset (zeroize.c
 * apmx_zeroize_retry_leftover()) takes ap_perms_mutex, then
 * apmx_table_lock for the veto and the withhold, and drops both before
 * the reset; afterwards, holding none of them, it may probe the queue
 * again (apmx_qdrv_reprobe(): the queue's device lock, under which the
 * AP bus takes ap_perms_mutex and the drivers' probes apmx_table_lock, as
 * for any probe).  Its quarantined and leftover files hold
 * apmx_table_lock for one pass over the 65536 APQNs (slot reads only, no
 * sleep).  Under apmx_table_lock
 * apmatrix takes no sleeping lock: no vfio_ap lock, no device lock, no
 * kvm->lock (only the AP bus's and the driver core's spinlocks).
 * Outside all of these: the AP bus's scan (ap_bus.c ap_scan_bus(), the
 * work item ap_scan_work, which runs holding none of them; 6.1 has no
 * scan mutex: the workqueue never runs a work item on two workers at
 * once, which serializes the scans), and inside
 * it a queue's device lock: the scan's device_register() probes and its
 * device_unregister() removes under the device lock, and queue-driver.c's
 * probe and remove take the locks 1-4 under it (ap_perms_mutex in the AP
 * bus's ap_device_probe()).  apmatrix never waits for a scan
 * (ap_bus_force_rescan()).
 *
 * WORST-CASE HOLD TIMES (nothing below sleeps except where said):
 *   op_lock          one reset of the released and new queues of a set,
 *                    twice (released, then new): 2 x 660 ms of msleep()
 *                    plus the PQAPs (below); one VM's VMM waits for it.
 *   ap_perms_mutex   one claim: O(|A| x |D|) table slots, no sleep but
 *                    the table's row allocations (GFP_KERNEL).
 *   kvm->lock        the CRYCB write (kvm_arch_crypto_set_masks() blocks
 *                    and kicks the VM's vCPUs); never across a reset.
 *   apmx_table_lock  one table operation, one reset_done, or the record
 *                    of one batch's answers (zeroize.c apmx_zq_report());
 *                    never across a sleep or an AP instruction.
 *   aqic_lock, pqap_hook_rwsem (read)
 *                    one AQIC enable, which sleeps: kzalloc(GFP_KERNEL_
 *                    ACCOUNT), pin_user_pages_fast() (its slow path takes
 *                    the VMM's mmap_lock: aqic_lock ranks above mmap_lock)
 *                    and, for a queue found not operational, the turn-off
 *                    below; per queue turned off at most APMX_AQIC_TRIES
 *                    (5) AQICs and APMX_AQIC_WAITS (8) sleeps of
 *                    APMX_WAIT_MS (160 ms) while the hardware answers
 *                    busy or the change is pending; a set
 *                    (pqap_hook_rwsem for writing) waits meanwhile.
 * Queue zeroize (zeroize.c: ZAPQ/TAPQ, sleeps in msleep()) runs with none of
 * the locks 1-4 held; the queues being zeroized are marked RESETTING in the
 * table meanwhile, so nobody can claim them.  A set is reset all at once:
 * whatever its size, at most APMX_ZEROIZE_MAX_WAITS (33) sleeps of
 * APMX_WAIT_MS (20 ms), i.e. 660 ms of msleep() (about 1 s at HZ=100),
 * plus at most 35 PQAPs per queue; that is the longest op_lock is held
 * across a reset (batches of APMX_ZEROIZE_BATCH, one after another, only
 * if the scratch memory cannot be allocated).  apmx_table_lock is taken
 * for one apmx_table_reset_done() per finished queue, never across a
 * sleep or an AP instruction.
 */
#ifndef _KVM_S390_AP_MATRIX_H
#define _KVM_S390_AP_MATRIX_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/kvm_host.h>
#include <asm/kvm_ap_matrix.h>
#include "apmx.h"

/*
 * Per-VM state, kvm->arch.crypto.apmx; NULL until the first AP matrix
 * ioctl, then kept until the VM is destroyed.
 */
struct kvm_s390_apmx {
	struct mutex op_lock;			/* lock 0: one AP op at a time */
	struct pid *pid;			/* of the first setter's process */
	struct apmx_owner owner;		/* this VM in the table */
	struct kvm_s390_ap_masks requested;	/* last successful set */
	struct kvm_s390_ap_masks effective;	/* what the CRYCB holds */
	struct apmx_limits lim;			/* of this VM's CRYCB */
	crypto_hook pqap_hook;			/* installed while non-empty */
	struct kvm *kvm;			/* back pointer (queue driver) */
	/* while queues new to the guest are reset: effective <= visible */
	bool settling;
	struct kvm_s390_ap_masks visible;
	/*
	 * Usage queues new to the guest whose reset was not verified: their
	 * adapters stay out of the effective matrix until a reset of them is
	 * (RESET_AP_QUEUES, or a later set); kvm->lock.
	 */
	struct apmx_apqn_set unclean;
	struct apmx_apqn_set released;		/* scratch, under op_lock */
	struct apmx_apqn_set fresh;		/* scratch, under op_lock */
	struct apmx_apqn_set zfailed;		/* scratch, under op_lock */
	/* lock 3a: the queues with interruptions on (aqic.c) */
	struct mutex aqic_lock;
	struct list_head aqic;
};

/* A grant: its reservation in the table lives as long as its file. */
struct apmx_grant {
	struct apmx_owner owner;
	struct pid *pid;			/* creator's thread group */
};

/* What QCI reports about the host. */
struct apmx_host_info {
	bool apxa;
	u8 na;		/* highest APID, 63 without APXA */
	u8 nd;		/* highest APQI, 15 without APXA */
};

/* The global ownership table and its lock (host.c). */
extern struct apmx_table apmx_table;
extern struct mutex apmx_table_lock;
extern struct mutex apmx_aqic_orphan_lock;

/* vm.c: hooks called from kvm-s390.c */
int kvm_s390_apmx_available(void);
long kvm_s390_apmx_vm_ioctl(struct kvm *kvm, unsigned int ioctl,
			    void __user *argp);
void kvm_s390_apmx_destroy(struct kvm *kvm);
void kvm_s390_apmx_exit(void);
long kvm_s390_apmx_dev_ioctl(unsigned int ioctl, void __user *argp);

/* host.c */
void apmx_host_info(struct apmx_host_info *info);
void apmx_host_lock(void);
int apmx_host_lock_killable(void);
void apmx_host_unlock(void);
int apmx_host_veto(void *ctx, unsigned int apid, unsigned int apqi,
		   bool control, struct kvm_s390_ap_refusal *r);

/* grant.c */
struct fd;
long kvm_s390_apmx_create_grant(struct kvm_s390_ap_grant __user *uarg);
struct apmx_grant *apmx_grant_fdget(int fd, struct fd *f);

/* vm.c: write @eff to the CRYCB; caller holds kvm->lock */
void apmx_vm_commit(struct kvm *kvm, struct kvm_s390_apmx *vm,
		    const struct kvm_s390_ap_masks *eff);
/* vm.c: the matrix @vm may see now; caller holds kvm->lock */
void apmx_vm_effective(const struct kvm_s390_apmx *vm,
		       struct kvm_s390_ap_masks *eff);
/* vm.c: @o's pid in the caller's pid namespace, 0 if it is not visible */
pid_t apmx_owner_pid_vnr(const struct apmx_owner *o);
/* vm.c: what the caller may learn of the holder in @r; table lock held */
void apmx_refusal_localize(struct kvm_s390_ap_refusal *r, bool privileged);

/* queue-driver.c: the apmatrix AP queue driver */
void kvm_s390_apmx_qdrv_init(void);
void kvm_s390_apmx_qdrv_exit(void);
void apmx_qdrv_filter(struct kvm_s390_ap_masks *eff);
void apmx_qdrv_attach(const struct kvm_s390_ap_masks *m);
void apmx_qdrv_reprobe(unsigned int apid, unsigned int apqi);
/* false while nothing vetoes mask edits: the AP matrix ioctls must fail */
bool apmx_qdrv_ready(void);
bool apmx_qdrv_present(unsigned int apid, unsigned int apqi);
void apmx_qdrv_claimed(const struct apmx_apqn_set *claimed);
int apmx_qdrv_veto(unsigned int apid, unsigned int apqi, bool control,
		   struct kvm_s390_ap_refusal *r);
int apmx_qdrv_host_veto(void *ctx, unsigned int apid, unsigned int apqi,
			bool control, struct kvm_s390_ap_refusal *r);

/* aqic.c: adapter interruptions (PQAP AQIC) */
struct ap_queue_status apmx_aqic(struct kvm_vcpu *vcpu,
				 struct kvm_s390_apmx *vm,
				 unsigned int apid, unsigned int apqi);
u64 apmx_aqic_status_word(struct ap_queue_status st);
void apmx_aqic_release(struct kvm *kvm, struct kvm_s390_apmx *vm, bool all);
void apmx_aqic_reset_done(struct kvm *kvm, struct kvm_s390_apmx *vm,
			  const struct apmx_apqn_set *reset,
			  const struct apmx_apqn_set *failed);
void apmx_aqic_orphan(struct kvm *kvm, struct kvm_s390_apmx *vm);
void apmx_aqic_orphans_reap(void);
unsigned int apmx_aqic_orphans(void);
bool apmx_aqic_available(struct kvm *kvm);

/*
 * zeroize.c: reset (ZAPQ) and verify (TAPQ) queues, all of a set at once.
 * Per queue at most APMX_ZEROIZE_TRIES ZAPQs (busy, or a reset such as the
 * AP bus's RAPQ already running) and APMX_VERIFY_TRIES TAPQs; a set sleeps
 * once per round, APMX_WAIT_MS, at most APMX_ZEROIZE_MAX_WAITS times
 * whatever its size (APMX_ZEROIZE_MAX_MS = 660 ms of msleep()).  The
 * table's QUARANTINED slots are entered and left only here; while any
 * exists, the module is pinned (kvm.ko cannot be unloaded and forget it).
 */
#define APMX_ZEROIZE_TRIES	10	/* ZAPQs per queue */
#define APMX_VERIFY_TRIES	25	/* TAPQs per queue */
#define APMX_WAIT_MS		20	/* one wait per round */
#define APMX_ZEROIZE_MAX_WAITS	(APMX_ZEROIZE_TRIES - 1 + APMX_VERIFY_TRIES - 1)
#define APMX_ZEROIZE_MAX_MS	(APMX_ZEROIZE_MAX_WAITS * APMX_WAIT_MS)
#define APMX_ZEROIZE_BATCH	32	/* queues per batch without scratch */
bool apmx_zeroize(unsigned int apid, unsigned int apqi);
unsigned int apmx_zeroize_set(const struct apmx_apqn_set *s, bool release,
			      struct kvm_s390_ap_refusal *r,
			      struct apmx_apqn_set *failed);
int apmx_zeroize_retry(unsigned int apid, unsigned int apqi);
void apmx_zq_mark_leftover(unsigned int apid, unsigned int apqi);
bool apmx_zq_is_leftover(unsigned int apid, unsigned int apqi);
bool apmx_zq_note_probe_withheld(unsigned int apid, unsigned int apqi);
bool apmx_zq_note_deferral(unsigned int apid, unsigned int apqi);
bool apmx_zeroize_given_up(unsigned int apid, unsigned int apqi);
int apmx_zeroize_retry_leftover(unsigned int apid, unsigned int apqi,
				struct kvm_s390_ap_refusal *r);
void apmx_zeroize_retry_set(struct apmx_apqn_set *s);

#endif /* _KVM_S390_AP_MATRIX_H */
