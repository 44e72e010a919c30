/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksim: the simulated AP host and the controls the tests use.
 */
#ifndef _KSIM_HOST_H
#define _KSIM_HOST_H

#include "shim/ksim.h"
#include "ap-matrix.h"

#define KSIM_SCRIPT_LEN	16

/* One AP queue (APQN) of the simulated host. */
struct ksim_queue {
	bool exists;		/* in the configuration: else ZAPQ/TAPQ answer RC 01 */
	bool deconfigured;	/* in it, but deconfigured: ZAPQ/TAPQ answer RC 03 */
	u64 secret;		/* key material; only ZAPQ clears it */
	unsigned int reset_polls; /* TAPQ says 02 this often after a ZAPQ */
	bool reset_hangs;	/* TAPQ says 02 forever after a ZAPQ */
	bool irq_stays;		/* TAPQ keeps reporting irq_enabled */
	/* scripted response codes, used first (then normal behaviour) */
	u8 zapq_script[KSIM_SCRIPT_LEN];
	unsigned int zapq_script_len;
	u8 tapq_script[KSIM_SCRIPT_LEN];
	unsigned int tapq_script_len;
	/* state and counters */
	unsigned int resetting;	/* remaining 02 answers */
	unsigned int zapq_calls;
	unsigned int tapq_calls;
	/* a reset (ZAPQ or RAPQ) takes this long on the virtual clock */
	unsigned int reset_ms;
	unsigned long reset_end;	/* state: the running reset ends */
	bool reset_zeroizes;	/* the last reset started was a ZAPQ's */
	/* AQIC: interruptions enabled, to this indicator, these ISCs */
	bool irq_on;
	/*
	 * An accepted AQIC (RC 00) takes effect only after this many TAPQs
	 * (0: at once); meanwhile the old setting holds (the adapter keeps
	 * writing the old indicator) and a new AQIC answers RC 07.
	 */
	unsigned int irq_lag;
	unsigned int irq_pending;	/* state: TAPQs until the change lands */
	bool irq_want;			/* state: what the pending change sets */
	phys_addr_t ind;
	u8 gisc, isc;
	unsigned int aqic_calls;
};

struct ksim_host {
	bool ap_instr;		/* ap_instructions_available() */
	bool qci;		/* QCI works */
	bool apxa;
	u8 na, nd;
	u8 apmask[32];		/* default drivers' adapters, MSB-0 */
	u8 aqmask[32];		/* default drivers' domains, MSB-0 */
	struct ksim_queue q[256][256];
	/* called at the start of every ZAPQ (another thread, say) */
	void (*on_zapq)(unsigned int apid, unsigned int apqi);
};

extern struct ksim_host ksim_host;

/* Reset the whole simulation: host with APXA, Na=Nd=255, every queue
 * configured, empty apmask/aqmask, CAP_SYS_ADMIN, pid 1000, no faults.
 */
void ksim_reset(void);
/*
 * ksim_reset() but for the queues (ksim_host.q), which the caller resets
 * itself: the fuzz suite touches a few and resets only those.
 */
void ksim_reset_keep_queues(void);
/* ZAPQs and TAPQs issued on any queue, ever (never reset) */
extern unsigned long ksim_ap_instr_calls;
/* Free what the simulation allocated (table rows) and check leaks. */
void ksim_teardown(void);

/* locks */
extern unsigned int ksim_violations;	/* rule breaks seen */
unsigned int ksim_locks_held(void);
/* Pretend to be another thread: hide the held locks (nesting allowed). */
void ksim_thread_switch(void);
void ksim_thread_return(void);

/* caller */
extern KSIM_TLS bool ksim_cap_sys_admin;	/* per thread (credentials) */
extern struct task_struct ksim_task;

/* uaccess fault injection: the n-th call from now (1-based) faults */
void ksim_fail_copy_from_nth(unsigned int n);
void ksim_fail_copy_to_nth(unsigned int n);

/* logs: everything printk'ed / debug-event'ed since ksim_reset() */
const char *ksim_printk_log(void);
/* how often @what occurs in ksim_printk_log() */
unsigned int ksim_printk_count(const char *what);
const char *ksim_event_log(void);
void ksim_logs_clear(void);
extern unsigned int ksim_warnings;
extern unsigned long ksim_slept_ms;

/*
 * The virtual clock: msleep() advances it, nothing else does (never reset;
 * measure differences).  Lock holds are timed on it: the longest hold of
 * a lock of @rank (KSIM_RANK_*) since ksim_lock_hold_reset().
 */
extern unsigned long ksim_now_ms;
/* vfio_ap's matrix_dev->guests_lock and mdevs_lock (ksim-ap-bus.c) */
extern struct mutex ksim_vfio_guests_lock, ksim_vfio_mdevs_lock;
unsigned long ksim_lock_hold_max(int rank);
void ksim_lock_hold_reset(void);

/* -DKSIM_THREADS: hold while reading or changing ksim_host.q (no-ops else) */
void ksim_hw_lock(void);
void ksim_hw_unlock(void);
/*
 * The n-th ZAPQ / TAPQ from now (1-based, any queue) answers this status
 * word (ksim.c); ksim_injected_apqn is the queue it hit (apid << 8 | apqi,
 * -1 before).  ksim_hw_fault_armed(): one is armed and has not fired.
 */
void ksim_inject_zapq_nth(unsigned int n, u8 rc);
void ksim_inject_tapq_nth(unsigned int n, u8 rc, bool empty, bool replies,
			  bool irq);
bool ksim_hw_fault_armed(void);
extern int ksim_injected_apqn;
/* The n-th AQIC from now (1-based, any queue) answers @rc, changing nothing. */
void ksim_inject_aqic_nth(unsigned int n, u8 rc);

/*
 * Guest memory (ksim.c): every VM has KSIM_GUEST_PAGES pages at guest
 * frames 0 .. KSIM_GUEST_PAGES - 1 and nothing above.
 */
#define KSIM_GUEST_PAGES	8
struct page *ksim_guest_page(struct kvm *kvm, gfn_t gfn);
/* pins of all guest pages of all VMs */
unsigned int ksim_pins(void);
/* the n-th pin_user_pages_fast() from now (1-based) fails with -EFAULT */
void ksim_fail_pin_nth(unsigned int n);
/* references on the guest ISCs of @kvm's GISA, summed */
unsigned int ksim_gisc_refs(struct kvm *kvm);
/*
 * A guest's PQAP(AQIC) intercepted on a vCPU of @kvm, as
 * arch/s390/kvm/priv.c handle_pqap() calls the hook (vcpu->mutex and
 * kvm->srcu held, pqap_hook_rwsem read; cc 3 if the response code is not
 * 0): GR0 = @apqn with function code 3, GR1 = @gr1, GR2 = @nib.  Returns
 * the hook's return value (-EOPNOTSUPP without a hook: 6.1 answers RC 01
 * then, the caller checks *@gr1out); *@gr1out is GR1 afterwards.
 */
int ksim_vcpu_pqap(struct kvm *kvm, bool pv, unsigned int apqn, u64 gr1,
		   u64 nib, u64 *gr1out);
/* GR1 of AQIC: enable (IR) with guest ISC @isc, or disable */
#define KSIM_AQIC_ENABLE(isc)	((1ULL << (63 - 16)) | ((isc) & 7))
#define KSIM_AQIC_DISABLE	0ULL
/* the response code in a status word of GR1 */
#define KSIM_RC(gr1)		((unsigned int)(((gr1) >> 16) & 0xff))
#define KSIM_IRQ(gr1)		((unsigned int)(((gr1) >> 24) & 1))

/* The AP bus resets (apid, apqi) with RAPQ, which does not zeroize. */
void ksim_rapq(unsigned int apid, unsigned int apqi);

/* References on the module (__module_get() minus module_put()). */
extern int ksim_module_refs;

/* fds: grant files */
#define KSIM_MAX_FDS	32
void ksim_fail_fd_nth(unsigned int n);		/* get_unused_fd_flags */
void ksim_fail_anon_inode_nth(unsigned int n);	/* anon_inode_getfile */
int ksim_close(int fd);				/* 0 or -EBADF */
/* a uaccess, fd or anon-inode fault is armed and has not fired yet */
bool ksim_fault_armed(void);
unsigned int ksim_open_files(void);		/* files not released */
/* a file that is not a grant, at a valid fd */
int ksim_open_other(void);
long ksim_dev_ioctl(unsigned int ioctl, void *arg);

/* VMs */
struct kvm *ksim_vm_create(u32 crycb_format_bits);
/* the VMM closes the VM fd: the VM is destroyed with its last reference */
void ksim_vm_destroy(struct kvm *kvm);
void ksim_kvm_put(struct kvm *kvm);
long ksim_ioctl(struct kvm *kvm, unsigned int ioctl, void *arg);

/* helpers */
void ksim_masks(struct kvm_s390_ap_masks *m, const char *apm,
		const char *aqm, const char *adm);
void ksim_matrix(struct kvm_s390_ap_matrix *a, const char *apm,
		 const char *aqm, const char *adm);
void ksim_host_own(const char *apm, const char *aqm);
/* Is (apid, apqi) free in the table (all-zero slot)? */
bool ksim_table_free(unsigned int apid, unsigned int apqi);
/* Number of non-free slots in the table. */
unsigned int ksim_table_used(void);
void ksim_table_snapshot(struct apmx_slot *out);	/* 65536 slots */

#endif /* _KSIM_HOST_H */
