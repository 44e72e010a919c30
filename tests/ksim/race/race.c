// SPDX-License-Identifier: GPL-2.0
/*
 * ksim race (issue 12): the real kernel files of arch/s390/kvm/ap-matrix/
 * with the shim's locks backed by pthread mutexes and rwlocks
 * (-DKSIM_THREADS, ksim.c), under ThreadSanitizer.  RACE_THREADS threads
 * of one VMM process race for real for a bounded time over a small set of
 * APQNs (4 adapters x 4 domains): each has its VMs (create, SET with and
 * without a grant, GET, CLEAR, RESET_AP_QUEUES, destroy), creates and
 * closes shared grants, turns its CAP_SYS_ADMIN on and off, takes queues
 * out of the configuration (RC 01) and back, deconfigures and configures
 * them (RC 03), slows their resets down, starts the AP bus's
 * RAPQ, retries quarantined queues, and "runs its guest": with kvm->lock
 * (the CRYCB cannot change meanwhile, as kvm_arch_crypto_set_masks()
 * blocks the vCPUs) it uses every queue of its effective usage matrix,
 * which then holds its secret -- and must find each one either zeroized
 * or holding its own secret, never another guest's.
 *
 * Built four times (mk/fuzz.mk).  race (CONFIG_ZCRYPT=y) has the simulated
 * AP bus (ksim-ap-bus.c, thread-safe with -DKSIM_THREADS as 6.1 locks it),
 * the zcrypt driver and the apmatrix queue driver, and the threads also
 * edit apmask/aqmask (relative edits, "+N"/"-N", which the AP bus parses
 * under ap_perms_mutex, and whole masks; it asks the drivers' in_use()
 * there, then revises the bindings), remove and add queue devices (the AP bus's scan:
 * apmatrix's remove unplugs a held queue, its probe plugs it in again or
 * resets a quarantined one), and check under ap_perms_mutex and the table
 * lock that the host owns no queue that a guest uses, a grant reserves or
 * the table withholds.  With the AP bus a queue leaves the configuration
 * (RC 01) before the scan removes its device, and comes back before the
 * scan only while it still has one (a queue without a device that comes
 * and goes between two scans is the known limitation of
 * docs/robustness.md); a deconfigured queue (RC 03) keeps its device, as
 * ap_bus.c ap_scan_domains() does.  race-nozcrypt (CONFIG_ZCRYPT=n) has
 * no AP bus: the queues come and go at the hardware level only
 * (RACE_DECONF), which is what the --deconf-handover test is about.
 * race-broken is race with -DKSIM_BREAK_PERMS_LOCK; race-unfixed is race
 * with zeroize.c's record of answered queues undone (mk/fuzz.mk edits a
 * copy of zeroize.c), which --scan-window must catch.
 *
 * At the end, with the threads joined: no rule broken (ksim_violations:
 * lock order against ap-matrix.h, the lockdep-like inversion check of
 * ksim.c, sleeping under the table lock, fd and file references ...), no
 * guest ever saw another's secret, CRYCB == effective and held ==
 * requested for every VM, the table's users are exactly the VMs' held
 * matrices, nothing RESETTING, and (AP bus) the masks-vs-holders check;
 * after teardown no allocation, pid, file, module, kvm or queue device
 * reference left.  ThreadSanitizer reports any data race
 * (TSAN_OPTIONS=halt_on_error=1 exitcode=66).
 *
 *   race [SECONDS]           the race (default 20 s); RACE_DECONF=0: no
 *                            queue out of the configuration or
 *                            deconfigured; RACE_NO_MASK=1,
 *                            RACE_NO_QDEV=1: no mask edits, no queue
 *                            device removals/additions (to bisect);
 *                            RACE_NO_MASK_CHECK=1: no masks-vs-holders
 *                            check (then only TSan can stop race-broken)
 *   race --scan-window       (AP bus) single-threaded, deterministic: a
 *                            queue used before the AP bus's scan added
 *                            its device must not be freed unreset when it
 *                            answers RC 01 on release; exit status 1 if
 *                            a check fails (race-unfixed must fail it)
 *   race-broken [SECONDS]    (-DKSIM_BREAK_PERMS_LOCK) the same with the
 *                            AP bus's mask edit missing ap_perms_mutex:
 *                            must fail (ThreadSanitizer or the masks
 *                            check)
 *   race --selftest-order    takes kvm->lock then apmx_table_lock, then
 *                            the reverse: both the order check and the
 *                            inversion check must fire
 *   race --leftover-probe    (AP bus) four threads, 400 rounds: root's
 *                            reset_quarantined of a queue vfio_ap left
 *                            unreset races the scan adding its device,
 *                            another queue's binds and the driver core's
 *                            deferred-probe retry; every round must end
 *                            with vfio_ap; exit status 1 if one does not
 *   race --deconf-handover   single-threaded, deterministic: a queue out
 *                            of the configuration (RC 01) or deconfigured
 *                            (RC 03) while its guest releases it, or while
 *                            a guest claims it, must not be taken for
 *                            reset (race-nozcrypt; in race the devices
 *                            stay meanwhile: the scan has not run); exit
 *                            status 1 if a check fails (7 of 8 did before
 *                            zeroize.c's fix of RC 01 without the AP bus)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../ksim-host.h"
#include "../ksim-task.h"
#include "../ksim-ap-bus.h"

#define RACE_THREADS	16
#define NA		4
#define ND		4
#define NGRANTS		4
#define VMS_PER_THREAD	2

struct worker {
	unsigned int id;
	unsigned int seed;
	struct kvm *kvm[VMS_PER_THREAD];
	u64 marker[VMS_PER_THREAD];
	unsigned long ops, sets_ok, refused, uses;
	unsigned long masks_ok, masks_vetoed, qdev_ops, mask_checks;
	unsigned long aqics, aqics_on;
};

static struct worker workers[RACE_THREADS];
static int grant_fd[NGRANTS];		/* shared; -1: none (atomics) */
static volatile int stop;
static unsigned int secret_leaks;	/* atomics */
static u64 next_marker;
/*
 * Queues also leave the configuration (RC 01) and are deconfigured (RC 03)
 * while held, and come back; RACE_DECONF=0 turns that off.  With
 * CONFIG_ZCRYPT=n this handed a guest's secret on until zeroize.c took
 * RC 01 as no reset there (--deconf-handover).
 */
static bool deconf;
extern unsigned int ksim_lock_pairs;
static unsigned int deconf_failed;

static void fail(const char *what)
{
	fprintf(stderr, "race INVARIANT: %s\n", what);
	exit(1);
}

static unsigned int rnd(struct worker *w, unsigned int n)
{
	return rand_r(&w->seed) % n;
}

static void rnd_masks(struct worker *w, struct kvm_s390_ap_masks *m)
{
	unsigned int i, bits = rand_r(&w->seed);

	memset(m, 0, sizeof(*m));
	for (i = 0; i < NA; i++)
		if (bits & (1u << i))
			apmx_mask_set(m->apm, i);
	for (i = 0; i < ND; i++)
		if (bits & (1u << (i + 4)))
			apmx_mask_set(m->aqm, i);
	for (i = 0; i < ND; i++)
		if ((bits & (1u << (i + 8))) && (bits & (1u << 12)))
			apmx_mask_set(m->adm, i);
}

static struct kvm *vm_of(struct worker *w, unsigned int *slot)
{
	*slot = rnd(w, VMS_PER_THREAD);
	if (!w->kvm[*slot]) {
		w->kvm[*slot] = ksim_vm_create(rnd(w, 2) ? CRYCB_FORMAT2 :
						   CRYCB_FORMAT1);
		w->marker[*slot] = __atomic_add_fetch(&next_marker, 1,
						      __ATOMIC_SEQ_CST) << 8 | 0x5e;
	}
	return w->kvm[*slot];
}

/* the guest runs: it uses its queues (see the head comment) */
static void guest_use(struct worker *w, unsigned int slot)
{
	struct kvm *kvm = w->kvm[slot];
	struct kvm_s390_apmx *vm;
	unsigned int a, d;

	if (!kvm)
		return;
	mutex_lock(&kvm->lock);
	vm = kvm->arch.crypto.apmx;
	if (vm) {
		ksim_hw_lock();
		for (a = 0; a < NA; a++)
			for (d = 0; d < ND; d++) {
				struct ksim_queue *q = &ksim_host.q[a][d];

				/* RC 01 or 03: the guest's NQAP fails too */
				if (!apmx_mask_test(vm->effective.apm, a) ||
				    !apmx_mask_test(vm->effective.aqm, d) ||
				    !q->exists || q->deconfigured)
					continue;
				if (q->secret && q->secret != w->marker[slot]) {
					__atomic_add_fetch(&secret_leaks, 1,
							   __ATOMIC_SEQ_CST);
					fprintf(stderr, "race: %02x.%04x: thread %u's guest sees secret %llx\n",
						a, d, w->id,
						(unsigned long long)q->secret);
				}
				q->secret = w->marker[slot];
				w->uses++;
			}
		ksim_hw_unlock();
	}
	mutex_unlock(&kvm->lock);
}

/*
 * The guest's PQAP(AQIC) on one of its vCPUs: enable (a random NIB in its
 * memory, a random ISC) or disable a random queue's interruptions, while
 * other threads remove queue devices (whose release turns them off), edit
 * masks and reset; each VM's destroy checks no pin nor ISC is left.
 */
static void op_aqic(struct worker *w)
{
	unsigned int slot = rnd(w, VMS_PER_THREAD);
	struct kvm *kvm = w->kvm[slot];
	bool on = rnd(w, 2);
	unsigned int a = rnd(w, NA), d = rnd(w, ND), i, n = 0;
	struct kvm_s390_apmx *vm;
	u64 gr1;

	if (!kvm)
		return;
	/* mostly a queue the guest has now (it may go before the PQAP) */
	mutex_lock(&kvm->lock);
	vm = kvm->arch.crypto.apmx;
	if (!rnd(w, 4))
		vm = NULL;	/* now and then any queue */
	for (i = 0; vm && i < NA * ND; i++)
		if (apmx_mask_test(vm->effective.apm, i / ND) &&
		    apmx_mask_test(vm->effective.aqm, i % ND) && !rnd(w, ++n)) {
			a = i / ND;
			d = i % ND;
		}
	mutex_unlock(&kvm->lock);
	if (ksim_vcpu_pqap(kvm, false, a << 8 | d,
			   on ? KSIM_AQIC_ENABLE(rnd(w, 8)) : KSIM_AQIC_DISABLE,
			   rnd(w, KSIM_GUEST_PAGES) * PAGE_SIZE + 8, &gr1))
		return;		/* no hook: the VM holds nothing */
	w->aqics++;
	if (on && KSIM_RC(gr1) == AP_RESPONSE_NORMAL)
		w->aqics_on++;
}

static void op_set(struct worker *w)
{
	struct kvm_s390_ap_matrix m;
	unsigned int slot;
	struct kvm *kvm = vm_of(w, &slot);
	long rc;

	memset(&m, 0, sizeof(m));
	rnd_masks(w, &m.requested);
	if (!rnd(w, 3)) {
		m.flags = KVM_S390_AP_MATRIX_F_GRANT;
		m.grant_fd = __atomic_load_n(&grant_fd[rnd(w, NGRANTS)],
					     __ATOMIC_SEQ_CST);
	}
	rc = ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, &m);
	if (!rc)
		w->sets_ok++;
	else if (rc != -EADDRINUSE && rc != -EPERM && rc != -EIO &&
		 rc != -EBADF && rc != -EINVAL &&
		 (!IS_ENABLED(CONFIG_ZCRYPT) || rc != -EADDRNOTAVAIL)) {
		fprintf(stderr, "race: SET: %ld\n", rc);
		fail("SET: unexpected errno");
	}
	else
		w->refused++;
	guest_use(w, slot);
}

static void op_grant(struct worker *w)
{
	struct kvm_s390_ap_grant g;
	int old;

	memset(&g, 0, sizeof(g));
	rnd_masks(w, &g.masks);
	if (ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g))
		return;
	old = __atomic_exchange_n(&grant_fd[rnd(w, NGRANTS)], g.fd,
				  __ATOMIC_SEQ_CST);
	if (old >= 0)
		ksim_close(old);
}

static void op_grant_close(struct worker *w)
{
	int old = __atomic_exchange_n(&grant_fd[rnd(w, NGRANTS)], -1,
				      __ATOMIC_SEQ_CST);

	if (old >= 0)
		ksim_close(old);
}

/*
 * A queue leaves the configuration (RC 01) or comes back, is configured
 * off (RC 03) or on again, or its resets slow down.  Back twice as often
 * as away, so that most queues are usable most of the time.
 */
static void op_queue(struct worker *w)
{
	unsigned int a = rnd(w, NA), d = rnd(w, ND);
	struct ksim_queue *q = &ksim_host.q[a][d];
	unsigned int how = rnd(w, 10);
	bool rc01 = how < 3, off = deconf && (how == 0 || how == 3);

#if IS_ENABLED(CONFIG_ZCRYPT)
	/*
	 * The AP bus: a queue out of the configuration keeps its device
	 * until the next scan (op_qdev) and comes back before that only
	 * with it; a deconfigured one keeps it anyway.
	 */
	if (how < 6) {
		if (rc01)
			ksim_qdev_unscanned(a, d, !off, false);
		else
			ksim_qdev_config(a, d, !off);
		return;
	}
#endif
	ksim_hw_lock();
	if (how < 6 && rc01) {
		q->exists = !off;		/* out of the configuration */
		if (off) {
			q->irq_on = false;	/* back only after a reset */
			q->irq_pending = 0;
		}
	} else if (how < 6) {
		q->deconfigured = off;		/* configured off */
		if (off) {
			q->irq_on = false;	/* as ksim_qdev_config() */
			q->irq_pending = 0;
		}
	} else {
		q->reset_ms = rnd(w, 3) * 20;	/* slow resets */
	}
	ksim_hw_unlock();
}

#if IS_ENABLED(CONFIG_ZCRYPT)
/*
 * echo +ID > /sys/bus/ap/apmask (or aqmask, or -ID): one of the raced ids
 * (adapters or domains 0-3) given to the host or taken from it, a
 * relative edit, which the AP bus parses against the mask as it is under
 * ap_perms_mutex (ap_bus.c ap_parse_bitmap_str()); or, half of the time,
 * the whole mask with that id flipped, in the absolute (hex) form, as a
 * tool that read the mask before writes it (another thread may edit the
 * mask between the read and the store, as two administrators would).  The
 * AP bus's in_use() veto decides.
 */
static void op_mask(struct worker *w)
{
	bool adapters = rnd(w, 2), relative = rnd(w, 2);
	unsigned int id = rnd(w, adapters ? NA : ND);
	char list[APMX_NR_IDS * 4];
	u8 m[APMX_MASK_BYTES];
	int rc;

	mutex_lock(&ap_perms_mutex);
	memcpy(m, adapters ? ksim_host.apmask : ksim_host.aqmask, sizeof(m));
	mutex_unlock(&ap_perms_mutex);
	if (relative) {
		snprintf(list, sizeof(list), "%c%u\n",
			 apmx_mask_test(m, id) ? '-' : '+', id);
		rc = adapters ? ksim_apmask_write(list) :
				ksim_aqmask_write(list);
	} else {
		if (apmx_mask_test(m, id))
			apmx_mask_clear(m, id);
		else
			apmx_mask_set(m, id);
		apmx_idlist_format(m, list, sizeof(list));
		rc = adapters ? ksim_apmask_store(list) :
				ksim_aqmask_store(list);
	}
	if (rc == -EBUSY)
		w->masks_vetoed++;
	else if (rc)
		fail("mask store: unexpected errno");
	else
		w->masks_ok++;
}

/* the AP bus's scan: a queue device vanishes, or (re)appears */
static void op_qdev(struct worker *w)
{
	unsigned int a = rnd(w, NA), d = rnd(w, ND);

	if (rnd(w, 2))
		ksim_qdev_del(a, d);
	else
		ksim_qdev_add(a, d, AP_DEVICE_TYPE_CEX7);
	w->qdev_ops++;
}

/*
 * Masks vs holders, while everything races: with ap_perms_mutex (no mask
 * edit, claim or reservation meanwhile) and the table lock, no APQN the
 * host owns (apmask x aqmask) is used by a guest, reserved by a grant or
 * withheld (being reset, quarantined).
 */
static void check_masks(struct worker *w)
{
	unsigned int a, d;
	struct apmx_slot sl;

	mutex_lock(&ap_perms_mutex);
	mutex_lock(&apmx_table_lock);
	for (a = 0; a < NA; a++)
		for (d = 0; d < ND; d++) {
			if (!apmx_mask_test(ksim_host.apmask, a) ||
			    !apmx_mask_test(ksim_host.aqmask, d))
				continue;
			apmx_table_peek(&apmx_table, a, d, &sl);
			if (sl.user || sl.reserver || sl.state) {
				fprintf(stderr, "race: %02x.%04x: host-owned and held (user %p, reserver %p, state %x)\n",
					a, d, (void *)sl.user,
					(void *)sl.reserver, sl.state);
				fail("the host owns a queue a guest, a grant or a reset has");
			}
		}
	mutex_unlock(&apmx_table_lock);
	mutex_unlock(&ap_perms_mutex);
	if (w)
		w->mask_checks++;
}
#endif

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int slot;
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_refusal r;
	long rc;

	ksim_cap_sys_admin = true;
	while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
		unsigned int op = rnd(w, 100);

		w->ops++;
		if (op < 35) {
			op_set(w);
		} else if (op < 42) {
			rc = ksim_ioctl(vm_of(w, &slot), KVM_S390_CLEAR_AP_MATRIX,
					NULL);
			if (rc)
				fail("CLEAR failed");
		} else if (op < 50) {
			rc = ksim_ioctl(vm_of(w, &slot), KVM_S390_RESET_AP_QUEUES,
					&r);
			if (rc && rc != -EIO)
				fail("RESET_AP_QUEUES: unexpected errno");
			guest_use(w, slot);
		} else if (op < 55) {
			if (ksim_ioctl(vm_of(w, &slot), KVM_S390_GET_AP_MATRIX,
				       &m))
				fail("GET failed");
		} else if (op < 60) {
			slot = rnd(w, VMS_PER_THREAD);
			if (w->kvm[slot]) {
				ksim_vm_destroy(w->kvm[slot]);
				w->kvm[slot] = NULL;
			}
		} else if (op < 67) {
			op_grant(w);
		} else if (op < 71) {
			op_grant_close(w);
		} else if (op < 76) {
			ksim_cap_sys_admin = rnd(w, 3) != 0;
		} else if (op < 81) {
			op_queue(w);
		} else if (op < 84) {
			ksim_rapq(rnd(w, NA), rnd(w, ND));
		} else if (op < 87) {
			apmx_zeroize_retry(rnd(w, NA), rnd(w, ND));
#if IS_ENABLED(CONFIG_ZCRYPT)
		} else if (op < 91) {
			if (!getenv("RACE_NO_MASK"))
				op_mask(w);
		} else if (op < 94) {
			if (!getenv("RACE_NO_QDEV"))
				op_qdev(w);
		} else if (op < 95) {
			if (!getenv("RACE_NO_MASK_CHECK"))
				check_masks(w);
#endif
		} else if (op < 97) {
			guest_use(w, rnd(w, VMS_PER_THREAD));
		} else {
			op_aqic(w);
		}
	}
	return NULL;
}

static bool in_cross(const struct kvm_s390_ap_masks *m, unsigned int a,
		     unsigned int d)
{
	return apmx_mask_test(m->apm, a) &&
	       (apmx_mask_test(m->aqm, d) || apmx_mask_test(m->adm, d));
}

/* with every thread joined: the state as the fuzz target checks it */
static void check_end(void)
{
	unsigned int t, s, a, d;

	for (t = 0; t < RACE_THREADS; t++)
		for (s = 0; s < VMS_PER_THREAD; s++) {
			struct kvm *kvm = workers[t].kvm[s];
			struct kvm_s390_apmx *vm;
			u8 want[KSIM_CRYCB_BYTES];
			size_t off = 0;

			if (!kvm || !(vm = kvm->arch.crypto.apmx))
				continue;
			if (memcmp(&vm->owner.held, &vm->requested,
				   sizeof(vm->requested)))
				fail("held != requested");
			memset(want, 0, sizeof(want));
			if ((kvm->arch.crypto.crycbd & CRYCB_FORMAT_MASK) ==
			    CRYCB_FORMAT2) {
				off = KSIM_APCB1_OFFSET;
				memcpy(want + off, vm->effective.apm, 32);
				memcpy(want + off + 32, vm->effective.aqm, 32);
				memcpy(want + off + 64, vm->effective.adm, 32);
			} else {
				memcpy(want, vm->effective.apm, 8);
				memcpy(want + 8, vm->effective.aqm, 2);
				memcpy(want + 16, vm->effective.adm, 2);
			}
			if (memcmp(kvm->crycb_page, want, sizeof(want)))
				fail("CRYCB != effective");
		}
	for (a = 0; a < NA; a++)
		for (d = 0; d < ND; d++) {
			const struct apmx_owner *user = NULL;
			struct apmx_slot sl;

			for (t = 0; t < RACE_THREADS; t++)
				for (s = 0; s < VMS_PER_THREAD; s++) {
					struct kvm *kvm = workers[t].kvm[s];

					if (!kvm || !kvm->arch.crypto.apmx ||
					    !in_cross(&kvm->arch.crypto.apmx->owner.held,
						      a, d))
						continue;
					if (user)
						fail("an APQN held by two guests");
					user = &kvm->arch.crypto.apmx->owner;
				}
			apmx_table_lookup(&apmx_table, a, d, &sl);
			if (sl.user != user)
				fail("table user != the guests' held matrices");
			if (sl.state & APMX_SLOT_RESETTING)
				fail("RESETTING with every call returned");
		}
}

static void teardown_check(long slab_base)
{
	unsigned int t, s, a, d;

	ksim_cap_sys_admin = true;
	for (t = 0; t < NGRANTS; t++)
		if (grant_fd[t] >= 0)
			ksim_close(grant_fd[t]);
	for (t = 0; t < RACE_THREADS; t++)
		for (s = 0; s < VMS_PER_THREAD; s++)
			if (workers[t].kvm[s])
				ksim_vm_destroy(workers[t].kvm[s]);
	for (a = 0; a < NA; a++)
		for (d = 0; d < ND; d++) {
			struct ksim_queue *q = &ksim_host.q[a][d];
			struct apmx_slot sl;

#if IS_ENABLED(CONFIG_ZCRYPT)
			ksim_qdev_add(a, d, AP_DEVICE_TYPE_CEX7);
			ksim_qdev_config(a, d, true);
#endif
			q->exists = true;
			q->deconfigured = false;
			q->reset_ms = 0;
			q->resetting = 0;
			q->reset_end = 0;
			apmx_table_peek(&apmx_table, a, d, &sl);
			if ((sl.state & APMX_SLOT_QUARANTINED) &&
			    apmx_zeroize_retry(a, d) != 0)
				fail("retry of a healed queue failed");
		}
	if (ksim_table_used())
		fail("table not empty after teardown");
	if (ksim_module_refs)
		fail("module references left");
	if (ksim_open_files())
		fail("files left");
	kvm_s390_apmx_qdrv_exit();
#if IS_ENABLED(CONFIG_ZCRYPT)
	ksim_ap_bus_teardown();
	if (ksim_kvm_refs || ksim_qdev_refs)
		fail("kvm or queue device references left");
#endif
	ksim_teardown();
	if (shim_slab_live() != slab_base)
		fail("allocations leaked");
	if (ksim_pid_refs())
		fail("pid references leaked");
}

static int selftest_order(void)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	unsigned int v0 = ksim_violations;
	const char *log;

	/* the written order: kvm->lock (2), then apmx_table_lock (4) */
	mutex_lock(&kvm->lock);
	mutex_lock(&apmx_table_lock);
	mutex_unlock(&apmx_table_lock);
	mutex_unlock(&kvm->lock);
	if (ksim_violations != v0)
		fail("selftest: the documented order was refused");
	/* the inverted order, another time (one thread: it cannot hang) */
	mutex_lock(&apmx_table_lock);
	mutex_lock(&kvm->lock);
	mutex_unlock(&kvm->lock);
	mutex_unlock(&apmx_table_lock);
	log = ksim_printk_log();
	printf("race-selftest: %u violations for the inverted order\n",
	       ksim_violations - v0);
	ksim_kvm_put(kvm);
	if (!strstr(log, "lock order: kvm->lock (rank 4) taken under apmx_table_lock") ||
	    !strstr(log, "lock inversion: kvm->lock taken holding apmx_table_lock")) {
		fprintf(stderr, "race-selftest: not caught:\n%s", log);
		return 1;
	}
	printf("race-selftest: inversion caught (order and lockdep checks)\n");
	return 0;
}

static bool eff_has(struct kvm *kvm, unsigned int a, unsigned int d)
{
	struct kvm_s390_apmx *vm = kvm->arch.crypto.apmx;

	return vm && apmx_mask_test(vm->effective.apm, a) &&
	       apmx_mask_test(vm->effective.aqm, d);
}

/* the queue's card is configured off (@off) or on again: RC 03 meanwhile */
static void deconfigure(unsigned int a, unsigned int d, bool off)
{
#if IS_ENABLED(CONFIG_ZCRYPT)
	ksim_qdev_config(a, d, !off);	/* the AP bus keeps the device */
#else
	ksim_host.q[a][d].deconfigured = off;
#endif
}

/* @m asks for the one usage APQN (@a, @d) */
static void one_apqn(struct kvm_s390_ap_matrix *m, unsigned int a,
		     unsigned int d)
{
	memset(m, 0, sizeof(*m));
	apmx_mask_set(m->requested.apm, a);
	apmx_mask_set(m->requested.aqm, d);
}

static void deconf_expect(bool ok, const char *what)
{
	printf("race-deconf: %s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		deconf_failed++;
}

/*
 * CONFIG_ZCRYPT=n, no AP bus, so no queue device tells whether a queue
 * that answers RC 01 was ever there, nor that it came back.  (With the AP
 * bus, race: the same with the queue devices kept, as they are until the
 * AP bus's next scan.)
 *
 * Release: guest A uses queue 01.0002; it leaves the configuration; A
 * clears its matrix.  ZAPQ answers 01, nothing was reset: the queue must
 * stay withheld (quarantined), and guest B's claim of it is refused naming
 * it until a retried reset is verified, with the queue back.  (The bug
 * this guards against: zeroize.c took the 01 as a hole and freed the
 * queue unreset; B's claim answered 01 too and was taken as clean, and
 * when the queue came back B's effective matrix had it with A's secret.)
 *
 * Claim: queue 02.0003 holds something (0xc) and is out of the
 * configuration when B claims it: its reset answers 01, so it is no clean
 * queue: it stays out of B's effective matrix (unclean, named by the set)
 * until RESET_AP_QUEUES verifies a reset, with the queue back.
 *
 * Deconfigured: guest A uses queue 03.0001; its card is configured off
 * (RC 03; the AP bus keeps the device, ap_bus.c ap_scan_domains()); A
 * clears its matrix: quarantined.  Configured on again (the AP bus probes
 * nothing and resets nothing that zeroizes): still quarantined, with A's
 * secret, until B's privileged set retries the reset.
 */
static int deconf_handover(void)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct ksim_queue *q = &ksim_host.q[1][2];
	struct ksim_queue *c = &ksim_host.q[2][3];
	struct ksim_queue *d = &ksim_host.q[3][1];
	struct kvm_s390_ap_refusal r;
	struct kvm_s390_ap_matrix m;
	struct apmx_slot sl;
	long rc;

	ksim_cap_sys_admin = true;
	one_apqn(&m, 1, 2);
	if (ksim_ioctl(a, KVM_S390_SET_AP_MATRIX, &m))
		fail("deconf: SET of A");
	q->secret = 0xa;			/* A uses the queue */
	q->exists = false;			/* out of the configuration */
	if (ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL))
		fail("deconf: CLEAR of A");
	apmx_table_peek(&apmx_table, 1, 2, &sl);
	deconf_expect(sl.state == APMX_SLOT_QUARANTINED && !sl.user,
		      "01.0002 released answering RC 01 is quarantined");
	rc = ksim_ioctl(b, KVM_S390_SET_AP_MATRIX, &m);
	deconf_expect(rc == -EIO &&
		      m.refusal.reason == KVM_S390_AP_R_QUARANTINED &&
		      m.refusal.adapter == 1 && m.refusal.domain == 2 &&
		      m.refusal.holder_type == KVM_S390_AP_HOLDER_QUARANTINE,
		      "B's claim of it, still away, is refused naming 01.0002 (quarantined)");
	q->exists = true;			/* back */
	deconf_expect(!eff_has(b, 1, 2) && q->secret == 0xa,
		      "B has not seen it; A's secret is still in the queue");
	memset(&m.refusal, 0, sizeof(m.refusal));
	rc = ksim_ioctl(b, KVM_S390_SET_AP_MATRIX, &m);
	printf("race-deconf: B's SET with the queue back: %ld, B's effective has 01.0002: %d, secret %llx\n",
	       rc, eff_has(b, 1, 2), (unsigned long long)q->secret);
	deconf_expect(!rc && eff_has(b, 1, 2) && !q->secret,
		      "then B gets 01.0002 reset (retried by the privileged SET)");
	if (q->secret == 0xa && eff_has(b, 1, 2))
		deconf_expect(false, "guest B sees guest A's secret");
	if (ksim_ioctl(b, KVM_S390_CLEAR_AP_MATRIX, NULL))
		fail("deconf: CLEAR of B");

	c->secret = 0xc;			/* left in a queue */
	c->exists = false;
	one_apqn(&m, 2, 3);
	rc = ksim_ioctl(b, KVM_S390_SET_AP_MATRIX, &m);
	deconf_expect(!rc && !eff_has(b, 2, 3) &&
		      m.refusal.reason == KVM_S390_AP_R_QUARANTINED &&
		      m.refusal.adapter == 2 && m.refusal.domain == 3 &&
		      m.refusal.holder_type == KVM_S390_AP_HOLDER_NONE,
		      "a claim of 02.0003 answering RC 01 keeps it out of B's effective matrix, named unclean");
	c->exists = true;			/* back, and nobody tells KVM */
	deconf_expect(!eff_has(b, 2, 3) && c->secret == 0xc,
		      "with the queue back it stays out until a verified reset");
	memset(&r, 0, sizeof(r));
	rc = ksim_ioctl(b, KVM_S390_RESET_AP_QUEUES, &r);
	deconf_expect(!rc && eff_has(b, 2, 3) && !c->secret,
		      "RESET_AP_QUEUES verifies it: zeroized, then in B's effective matrix");
	if (ksim_ioctl(b, KVM_S390_CLEAR_AP_MATRIX, NULL))
		fail("deconf: CLEAR of B");

	one_apqn(&m, 3, 1);
	if (ksim_ioctl(a, KVM_S390_SET_AP_MATRIX, &m))
		fail("deconf: SET of A (03.0001)");
	d->secret = 0xd;			/* A uses the queue */
	deconfigure(3, 1, true);		/* its card configured off */
	if (ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL))
		fail("deconf: CLEAR of A (03.0001)");
	apmx_table_peek(&apmx_table, 3, 1, &sl);
	deconf_expect(sl.state == APMX_SLOT_QUARANTINED && !sl.user &&
		      strstr(ksim_printk_log(), "AP queue 03.0001: reset not verified, queue quarantined (ZAPQ RC 03)"),
		      "03.0001 released answering RC 03 (deconfigured) is quarantined");
	deconfigure(3, 1, false);		/* configured on again */
	apmx_table_peek(&apmx_table, 3, 1, &sl);
	deconf_expect(sl.state == APMX_SLOT_QUARANTINED && d->secret == 0xd,
		      "configured on again it stays quarantined, A's secret in it");
	memset(&m.refusal, 0, sizeof(m.refusal));
	rc = ksim_ioctl(b, KVM_S390_SET_AP_MATRIX, &m);
	deconf_expect(!rc && eff_has(b, 3, 1) && !d->secret,
		      "B's privileged set retries the reset and gets it zeroized");
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
	if (ksim_violations || ksim_warnings) {
		fprintf(stderr, "%s", ksim_printk_log());
		deconf_expect(false, "no kernel rule violation or warning");
	}
	if (deconf_failed) {
		printf("race-deconf: FAILED: %u checks\n", deconf_failed);
		return 1;
	}
	printf("race-deconf: passed: no secret handed on through a queue away or deconfigured\n");
	return 0;
}

/*
 * The bus, zcrypt and apmatrix, the 16 raced queues with devices; the
 * host owns adapters 0, 1 and 4-255 and domains 4-255: none of the raced
 * queues until an edit gives it one.  Nothing without CONFIG_ZCRYPT.
 */
static void bus_setup(void)
{
#if IS_ENABLED(CONFIG_ZCRYPT)
	unsigned int a, d;

	ksim_ap_bus_reset(true);
	if (ap_driver_register(&ksim_zcrypt_drv, THIS_MODULE, "cex4queue"))
		fail("zcrypt driver registration");
	ksim_ap_bus_late_initcall();
	ksim_host_own("0-1,4-255", "4-255");
	for (a = 0; a < NA; a++)
		for (d = 0; d < ND; d++)
			ksim_qdev_add(a, d, AP_DEVICE_TYPE_CEX7);
#endif
}

#if IS_ENABLED(CONFIG_ZCRYPT)
static unsigned int scan_failed;

static void scan_expect(bool ok, const char *what)
{
	printf("race-scan: %s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		scan_failed++;
}
#endif

/*
 * Found by the race with the AP bus (CONFIG_ZCRYPT=y), fixed by zeroize.c's
 * record of queues that answered (apmx_zq_answered, docs/robustness.md):
 * a queue that is in the configuration before the AP bus's scan has added
 * its device.  Queue 01.0002 leaves the configuration (the scan removes
 * its device); it comes back, and before the next scan guest A claims it
 * (its reset is verified: the queue is there) and uses it.  It leaves
 * again before any scan; A clears its matrix: ZAPQ answers 01, and no
 * queue device existed while A held it (apmx_qdrv_present() is false).
 * Before the fix the queue was freed unreset, guest B claimed it (RC 01
 * again: absent, fine for a queue that stays), the scan added the device
 * when it came back, apmatrix plugged it into B's CRYCB, with A's secret
 * in it.  Now A's claim answered 00, so the release quarantines it: B's
 * claim is refused naming it, and when it is back the queue driver's probe
 * resets it and frees it; B's next claim gets it zeroized.  Exit status 1
 * if a check fails (race-unfixed, zeroize.c without the record: 4 of 5).
 */
static int scan_window(void)
{
#if IS_ENABLED(CONFIG_ZCRYPT)
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct ksim_queue *q = &ksim_host.q[1][2];
	struct kvm_s390_ap_matrix m;
	struct apmx_slot sl;
	long rc;

	ksim_cap_sys_admin = true;
	ksim_qdev_del(1, 2);		/* out of the configuration */
	q->exists = true;		/* back, before the next scan */
	one_apqn(&m, 1, 2);
	if (ksim_ioctl(a, KVM_S390_SET_AP_MATRIX, &m))
		fail("scan-window: SET of A");
	printf("race-scan: A's effective has 01.0002: %d (no queue device)\n",
	       eff_has(a, 1, 2));
	q->secret = 0xa;		/* A's guest uses it */
	q->exists = false;		/* gone again, before any scan */
	if (ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL))
		fail("scan-window: CLEAR of A");
	apmx_table_peek(&apmx_table, 1, 2, &sl);
	printf("race-scan: 01.0002 after A's release: state %x (%s)\n",
	       sl.state, sl.state & APMX_SLOT_QUARANTINED ? "quarantined" :
	       sl.state ? "withheld" : "free, not reset");
	scan_expect(sl.state == APMX_SLOT_QUARANTINED && !sl.user,
		    "01.0002, used by A and released answering RC 01, is quarantined");
	rc = ksim_ioctl(b, KVM_S390_SET_AP_MATRIX, &m);
	scan_expect(rc == -EIO && m.refusal.reason == KVM_S390_AP_R_QUARANTINED &&
		    m.refusal.adapter == 1 && m.refusal.domain == 2 &&
		    m.refusal.holder_type == KVM_S390_AP_HOLDER_QUARANTINE,
		    "B's claim of it, still away, is refused naming 01.0002 (quarantined)");
	ksim_qdev_add(1, 2, AP_DEVICE_TYPE_CEX7);	/* back; scanned */
	apmx_table_peek(&apmx_table, 1, 2, &sl);
	scan_expect(!q->secret && !sl.state && !sl.user,
		    "back with a device: the probe resets it and frees it");
	memset(&m.refusal, 0, sizeof(m.refusal));
	rc = ksim_ioctl(b, KVM_S390_SET_AP_MATRIX, &m);
	printf("race-scan: B's SET: %ld; B's effective has 01.0002: %d, secret %llx\n",
	       rc, eff_has(b, 1, 2), (unsigned long long)q->secret);
	scan_expect(!rc && eff_has(b, 1, 2), "then B gets it");
	scan_expect(!(eff_has(b, 1, 2) && q->secret == 0xa),
		    "guest B never sees guest A's secret");
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
	if (ksim_violations || ksim_warnings) {
		fprintf(stderr, "%s", ksim_printk_log());
		scan_expect(false, "no kernel rule violation or warning");
	}
	if (scan_failed) {
		printf("race-scan: FAILED: %u checks\n", scan_failed);
		return 1;
	}
	printf("race-scan: passed: no secret handed on through the scan window\n");
	return 0;
#else
	printf("race-scan: needs the AP bus (CONFIG_ZCRYPT=y)\n");
	return 2;
#endif
}

#if IS_ENABLED(CONFIG_ZCRYPT)
#define LEFTOVER_ROUNDS	400

/* the scan adds 06.0002's device, after a random little while */
static void *leftover_adder(void *arg)
{
	usleep(*(unsigned int *)arg);
	ksim_qdev_add(6, 2, AP_DEVICE_TYPE_CEX7);
	return NULL;
}

static bool leftover_stop;

/*
 * Another queue (03.0003) is unbound from vfio_ap and bound again, over
 * and over: each bind is a driver_bound(), which triggers the driver
 * core's retry of the deferred devices (dd.c driver_deferred_probe_trigger())
 */
static void *leftover_binder(void *arg)
{
	while (!__atomic_load_n(&leftover_stop, __ATOMIC_RELAXED)) {
		ksim_qdev_unbind(3, 3);
		ksim_qdev_bind(3, 3, &ksim_vfio_ap_drv);
		usleep(30);
	}
	return NULL;
}

/* the workqueue: runs dd.c's deferred_probe_work whenever it is queued */
static void *leftover_worker(void *arg)
{
	while (!__atomic_load_n(&leftover_stop, __ATOMIC_RELAXED)) {
		ksim_deferred_probe_work();
		usleep(10);
	}
	return NULL;
}

/* widen the window: the retry's ZAPQ takes a random little while */
static void leftover_slow_zapq(unsigned int apid, unsigned int apqi)
{
	static unsigned int n;

	if (apid == 6 && apqi == 2)
		usleep(__atomic_add_fetch(&n, 37, __ATOMIC_RELAXED) % 50);
}
#endif

/*
 * (review of c and d, 3) Root's reset_quarantined of 06.0002, which
 * vfio_ap left unreset (out of the configuration: its remove's ZAPQ
 * answered 01), races the AP bus's scan adding the queue's device, with
 * vfio_ap loaded and the masks giving the queue to no default driver.
 * Whoever comes first, every round must end with the queue bound to
 * vfio_ap (refused with EBUSY if vfio_ap had it first, else reset, the
 * device's probe deferred or after it) and its slot free; no kernel rule
 * broken (ThreadSanitizer, the lock checks).  Meanwhile another queue is
 * bound again and again and the driver core's deferred-probe work runs
 * (review helper-55, 4): a deferred probe of 06.0002 is retried during
 * the reset (deferred again) or after it (racing the retry's own probe).
 * Exit status 1 if a round fails or no deferred probe was retried.
 */
static int leftover_probe(void)
{
#if IS_ENABLED(CONFIG_ZCRYPT)
	struct ap_driver *apmatrix = ksim_ap_driver("apmatrix");
	unsigned int round, delay, failed = 0, reset = 0, busy = 0;
	unsigned int deferred = 0, retried = 0, retries, seed = 12, logged;
	struct apmx_slot sl;
	pthread_t th, binder, worker;
	int rc;

	ksim_cap_sys_admin = true;
	if (ap_driver_register(&ksim_vfio_ap_drv, THIS_MODULE, "vfio_ap"))
		fail("vfio_ap registration");
	ksim_qdev_add(6, 2, AP_DEVICE_TYPE_CEX7);
	ksim_qdev_del(6, 2);		/* vfio_ap's remove: RC 01, marked */
	ksim_host.on_zapq = leftover_slow_zapq;
	if (pthread_create(&binder, NULL, leftover_binder, NULL) ||
	    pthread_create(&worker, NULL, leftover_worker, NULL))
		fail("pthread_create");
	for (round = 0; round < LEFTOVER_ROUNDS; round++) {
		retries = ksim_qdev_deferred_retries(6, 2);
		ksim_logs_clear();
		ksim_qdev_unscanned(6, 2, true, true);	/* back, no device */
		delay = (unsigned int)rand_r(&seed) % 100;
		if (pthread_create(&th, NULL, leftover_adder, &delay))
			fail("pthread_create");
		usleep((unsigned int)rand_r(&seed) % 100);
		rc = ksim_drv_attr_store(apmatrix, "reset_quarantined",
					 "06.0002\n");
		pthread_join(th, NULL);
		if (rc == 8)
			reset++;
		else if (rc == -EBUSY)
			busy++;
		logged = ksim_printk_count("06.0002: vfio_ap's probe deferred");
		if (logged)
			deferred++;
		if (ksim_qdev_deferred_retries(6, 2) != retries)
			retried++;
		/*
		 * Logged once per retry (review helper-59): a probe the
		 * driver core retried was deferred in this round, so this
		 * round's retry logged it, and never more than once.
		 */
		if (logged > 1 ||
		    (!logged && ksim_qdev_deferred_retries(6, 2) != retries)) {
			printf("race-leftover: FAIL: round %u: the deferral logged %u times, not once\n",
			       round, logged);
			failed++;
		}
		mutex_lock(&apmx_table_lock);
		apmx_table_peek(&apmx_table, 6, 2, &sl);
		mutex_unlock(&apmx_table_lock);
		if ((rc != 8 && rc != -EBUSY) ||
		    ksim_qdev_driver(6, 2) != &ksim_vfio_ap_drv ||
		    sl.state || sl.user) {
			printf("race-leftover: FAIL: round %u: store %d, 06.0002 bound to %s, slot state %x\n",
			       round, rc, ksim_qdev_driver(6, 2) ?
			       ksim_qdev_driver(6, 2)->driver.name : "nothing",
			       sl.state);
			failed++;
		}
		ksim_qdev_del(6, 2);	/* out again: marked again */
	}
	__atomic_store_n(&leftover_stop, true, __ATOMIC_RELAXED);
	pthread_join(binder, NULL);
	pthread_join(worker, NULL);
	ksim_host.on_zapq = NULL;
	ksim_qdev_bind(3, 3, &ksim_vfio_ap_drv);
	if (ksim_qdev_driver(3, 3) != &ksim_vfio_ap_drv) {
		printf("race-leftover: FAIL: 03.0003 not bound to vfio_ap again\n");
		failed++;
	}
	printf("race-leftover: %u rounds: %u reset (%u with vfio_ap's probe deferred meanwhile, %u with it retried by the driver core), %u refused (vfio_ap had it first)\n",
	       LEFTOVER_ROUNDS, reset, deferred, retried, busy);
	if (ksim_violations || ksim_warnings) {
		fprintf(stderr, "%s", ksim_printk_log());
		printf("race-leftover: FAIL: kernel rule violations or warnings\n");
		failed++;
	}
	if (failed || !deferred || !retried) {
		printf("race-leftover: FAILED: %u rounds%s%s\n", failed,
		       deferred ? "" : ", no probe met the retry",
		       retried ? "" : ", no deferred probe retried");
		return 1;
	}
	printf("race-leftover: passed: every round ended with vfio_ap\n");
	return 0;
#else
	printf("race-leftover: needs the AP bus (CONFIG_ZCRYPT=y)\n");
	return 2;
#endif
}

int main(int argc, char **argv)
{
	unsigned int secs = argc > 1 ? (unsigned int)atoi(argv[1]) : 20;
	pthread_t th[RACE_THREADS];
	unsigned long ops = 0, sets = 0, refused = 0, uses = 0;
	unsigned long masks_ok = 0, masks_vetoed = 0, qdev_ops = 0, checks = 0;
	unsigned long aqics = 0, aqics_on = 0;
	long slab_base;
	unsigned int t;

	ksim_reset();
	ksim_task_reset();
	ksim_ap_bus_reset(false);
	shim_slab_reset();
	if (argc > 1 && !strcmp(argv[1], "--selftest-order"))
		return selftest_order();
	if (argc > 1 && !strcmp(argv[1], "--deconf-handover")) {
		bus_setup();	/* with the AP bus: the devices stay */
		return deconf_handover();
	}
	if (argc > 1 && !strcmp(argv[1], "--scan-window")) {
		bus_setup();
		return scan_window();
	}
	if (argc > 1 && !strcmp(argv[1], "--leftover-probe")) {
		bus_setup();
		return leftover_probe();
	}
	deconf = !getenv("RACE_DECONF") || strcmp(getenv("RACE_DECONF"), "0");
	bus_setup();
	if (!apmx_qdrv_ready())
		fail("apmatrix not usable");
	slab_base = shim_slab_live();
	for (t = 0; t < NGRANTS; t++)
		grant_fd[t] = -1;
	for (t = 0; t < RACE_THREADS; t++) {
		workers[t].id = t;
		workers[t].seed = 1 + t;
		if (pthread_create(&th[t], NULL, worker_main, &workers[t]))
			fail("pthread_create");
	}
	sleep(secs);
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	for (t = 0; t < RACE_THREADS; t++) {
		pthread_join(th[t], NULL);
		ops += workers[t].ops;
		sets += workers[t].sets_ok;
		refused += workers[t].refused;
		uses += workers[t].uses;
		aqics += workers[t].aqics;
		aqics_on += workers[t].aqics_on;
		masks_ok += workers[t].masks_ok;
		masks_vetoed += workers[t].masks_vetoed;
		qdev_ops += workers[t].qdev_ops;
		checks += workers[t].mask_checks;
	}
	printf("race: %u threads, %u s: %lu operations, %lu sets done, %lu refused, %lu queue uses, %lu ms virtual sleep, %u lock-class pairs seen\n",
	       RACE_THREADS, secs, ops, sets, refused, uses, ksim_slept_ms,
	       ksim_lock_pairs);
	printf("race: %lu guest AQICs, %lu enabled interruptions\n", aqics,
	       aqics_on);
	if (ksim_violations)
		fprintf(stderr, "%s", ksim_printk_log());
	if (ksim_violations || ksim_warnings)
		fail("kernel rule violations or warnings");
	if (secret_leaks)
		fail("a guest saw another guest's secret");
	if (!sets || !ksim_lock_pairs)
		fail("nothing raced");
#if !IS_ENABLED(CONFIG_ZCRYPT)
	(void)masks_ok, (void)masks_vetoed, (void)qdev_ops, (void)checks;
#else
	printf("race: AP bus: %lu mask edits done, %lu vetoed by in_use, %lu queue device removals/additions, %lu masks-vs-holders checks\n",
	       masks_ok, masks_vetoed, qdev_ops, checks);
	if (!masks_ok || !masks_vetoed || !qdev_ops ||
	    (!checks && !getenv("RACE_NO_MASK_CHECK")))
		fail("the AP bus did not race");
	if (!getenv("RACE_NO_MASK_CHECK"))
		check_masks(NULL);
#endif
	check_end();
	teardown_check(slab_base);
	printf("race: invariants hold\n");
	return 0;
}
