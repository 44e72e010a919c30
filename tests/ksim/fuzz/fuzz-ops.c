// SPDX-License-Identifier: GPL-2.0
/*
 * ksim fuzz target (libFuzzer, issue 12): an input is a program of
 * operations on the simulated host -- VMs created and destroyed, the VM
 * ioctls (KVM_S390_SET/GET/CLEAR_AP_MATRIX, KVM_S390_RESET_AP_QUEUES),
 * KVM_S390_CREATE_AP_GRANT and grant closes, queue devices removed and
 * added on the simulated AP bus, apmask/aqmask edits, the caller's
 * CAP_SYS_ADMIN on and off, faults armed for the next call (allocation,
 * copy_from/to_user, a fatal signal), queue behaviour (reset time, polls,
 * hangs, scripted ZAPQ/TAPQ response codes), virtual time passing, the AP
 * bus's RAPQ and the quarantine retry -- run against the real kernel files
 * of arch/s390/kvm/ap-matrix/ as ksim compiles them.
 *
 * After every operation the invariants are checked (check()):
 *   - no kernel rule broken (ksim_violations, ksim_warnings, locks held);
 *   - at most one user per APQN: the guests' held matrices are disjoint,
 *     the table's user of an APQN is the guest whose held matrix has it
 *     (and only then), no guest holds an APQN the host owns (apmask x
 *     aqmask); the table's reservations are exactly the live grants';
 *   - for every VM: CRYCB page == the image of its effective matrix,
 *     effective <= requested == what the table gives it (owner.held);
 *   - nothing left RESETTING once a call returned;
 *   - no released queue handed on before its reset finished: every guest
 *     is taken to use every queue of its effective usage matrix (the queue
 *     then holds that guest's secret); a guest that sees a queue another
 *     guest used before must find it zeroized (secret 0) and its reset
 *     over;
 *   - a refused call (SET, CLEAR, CREATE_AP_GRANT returning an errno)
 *     leaves the table, every VM's state and CRYCB, the host masks, the
 *     files and the allocations bit-identical (a quarantined queue the
 *     privileged caller asked for may have been retried and freed);
 *   - no ZAPQ/TAPQ outside the fuzzed ids.
 * After the input everything is torn down: grants closed, VMs destroyed,
 * the queues healed and quarantined ones retried; then the table must be
 * empty and no allocation, pid, file or module reference left.
 *
 * A failed invariant prints "fuzz INVARIANT: ..." and aborts, which
 * libFuzzer reports as a crash with the input.
 *
 * Input format (tests/ksim/fuzz/gen-corpus.py writes seeds in it): a
 * sequence of records, one opcode byte (modulo OP_COUNT) and the fixed
 * number of argument bytes of that opcode (missing bytes read as 0); at
 * most MAX_OPS records are run.  Ids: adapter and domain masks are one
 * byte each, bit i standing for ids[i] (0, 1, 2, 3, 15, 16, 63, 64:
 * within and just beyond the format 0/1 limits); an APQN is one byte,
 * (ids[b & 7], ids[(b >> 3) & 7]).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "../ksim-host.h"
#include "../ksim-task.h"
#include "../ksim-ap-bus.h"

#define NIDS		8
#define NVMS		4
#define NGRANTS		4
#define MAX_OPS		64

static const u8 ids[NIDS] = { 0, 1, 2, 3, 15, 16, 63, 64 };

enum {
	OP_VM_CREATE,	/* slot|format<<2 */
	OP_VM_DESTROY,	/* slot */
	OP_SET,		/* slot, apm, aqm, adm, flags */
	OP_GET,		/* slot */
	OP_CLEAR,	/* slot */
	OP_RESET,	/* slot */
	OP_GRANT,	/* slot, apm, aqm, adm, flags */
	OP_GRANT_CLOSE,	/* slot */
	OP_QDEV_DEL,	/* apqn */
	OP_QDEV_ADD,	/* apqn */
	OP_APMASK,	/* apm */
	OP_AQMASK,	/* aqm */
	OP_PRIV,	/* on (odd) / off */
	OP_FAULT,	/* kind, n */
	OP_QUEUE,	/* apqn, behaviour */
	OP_SCRIPT,	/* apqn, which|code1<<1|code2<<4 */
	OP_TIME,	/* 5 ms units */
	OP_RAPQ,	/* apqn */
	OP_RETRY,	/* apqn */
	OP_COUNT
};

static const unsigned int op_args[OP_COUNT] = {
	[OP_VM_CREATE] = 1, [OP_VM_DESTROY] = 1, [OP_SET] = 5, [OP_GET] = 1,
	[OP_CLEAR] = 1, [OP_RESET] = 1, [OP_GRANT] = 5, [OP_GRANT_CLOSE] = 1,
	[OP_QDEV_DEL] = 1, [OP_QDEV_ADD] = 1, [OP_APMASK] = 1,
	[OP_AQMASK] = 1, [OP_PRIV] = 1, [OP_FAULT] = 2, [OP_QUEUE] = 2,
	[OP_SCRIPT] = 2, [OP_TIME] = 1, [OP_RAPQ] = 1, [OP_RETRY] = 1,
};

struct fvm {
	struct kvm *kvm;
	u64 marker;		/* the secret this guest leaves in its queues */
};

struct fgrant {
	int fd;			/* -1: none */
	u64 id;
	struct kvm_s390_ap_masks masks;
};

static struct fvm vms[NVMS];
static struct fgrant grants[NGRANTS];
static u64 last_user[NIDS][NIDS];	/* marker of the last guest that used it */
static u64 next_marker;
static long slab_base;
static const char *cur_op = "setup";
static bool trace;		/* FUZZ_TRACE set: print every operation */

static void fail(const char *fmt, ...) __printf(1, 2);
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz INVARIANT (after %s): ", cur_op);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

#define CHECK(c, ...) do { if (!(c)) fail(__VA_ARGS__); } while (0)

static void mask_of(u8 *m, u8 bits)
{
	unsigned int i;

	memset(m, 0, KVM_S390_AP_MASK_BYTES);
	for (i = 0; i < NIDS; i++)
		if (bits & (1u << i))
			apmx_mask_set(m, ids[i]);
}

static struct ksim_queue *queue(unsigned int i, unsigned int j)
{
	return &ksim_host.q[ids[i]][ids[j]];
}

static void apqn_of(u8 b, unsigned int *a, unsigned int *d)
{
	*a = b & 7;
	*d = (b >> 3) & 7;
}

static bool q_in_reset(const struct ksim_queue *q)
{
	return q->resetting || ksim_now_ms < q->reset_end ||
	       (q->reset_hangs && q->reset_zeroizes);
}

static bool in_cross(const struct kvm_s390_ap_masks *m, unsigned int a,
		     unsigned int d, bool usage_only)
{
	if (!apmx_mask_test(m->apm, a))
		return false;
	return apmx_mask_test(m->aqm, d) ||
	       (!usage_only && apmx_mask_test(m->adm, d));
}

/* the CRYCB image of @m, from the architecture (as ksim_assert_crycb()) */
static void crycb_want(const struct kvm *kvm, const struct kvm_s390_ap_masks *m,
		       u8 *want)
{
	bool f2 = (kvm->arch.crypto.crycbd & CRYCB_FORMAT_MASK) == CRYCB_FORMAT2;
	const u8 *src[3] = { m->apm, m->aqm, m->adm };
	static const unsigned int off0[3] = { 0, 8, 16 }, nb0[3] = { 64, 16, 16 };
	unsigned int f, id;

	memset(want, 0, KSIM_CRYCB_BYTES);
	for (f = 0; f < 3; f++)
		for (id = 0; id < (f2 ? 256 : nb0[f]); id++)
			if (apmx_mask_test(src[f], id)) {
				size_t o = f2 ? KSIM_APCB1_OFFSET + 32 * f :
						off0[f];

				want[o + id / 8] |= 0x80 >> (id % 8);
			}
}

/* ---- the invariants ------------------------------------------------------ */
static void check(void)
{
	unsigned long calls = 0;
	unsigned int v, g, i, j, a;
	u8 want[KSIM_CRYCB_BYTES];

	CHECK(ksim_violations == 0, "%u kernel rule violations:\n%s",
	      ksim_violations, ksim_printk_log());
	CHECK(ksim_warnings == 0, "%u warnings:\n%s", ksim_warnings,
	      ksim_printk_log());
	CHECK(ksim_locks_held() == 0, "locks held");
	/* only the fuzzed adapters have rows */
	for (a = 0; a < 256; a++) {
		bool ours = false;

		for (i = 0; i < NIDS; i++)
			ours |= ids[i] == a;
		CHECK(ours || !apmx_table.rows[a], "table row of adapter %u", a);
	}
	for (v = 0; v < NVMS; v++) {
		struct kvm *kvm = vms[v].kvm;
		struct kvm_s390_apmx *vm;
		unsigned int k;

		if (!kvm)
			continue;
		vm = kvm->arch.crypto.apmx;
		if (!vm) {
			memset(want, 0, sizeof(want));
			CHECK(!memcmp(kvm->crycb_page, want, sizeof(want)),
			      "VM %u: CRYCB written without AP matrix state", v);
			continue;
		}
		crycb_want(kvm, &vm->effective, want);
		CHECK(!memcmp(kvm->crycb_page, want, sizeof(want)),
		      "VM %u: CRYCB != effective", v);
		CHECK(!memcmp(&vm->owner.held, &vm->requested,
			      sizeof(vm->requested)),
		      "VM %u: table's held != requested", v);
		CHECK(!vm->settling, "VM %u: still settling", v);
		for (k = 0; k < KVM_S390_AP_MASK_BYTES; k++)
			CHECK(!(vm->effective.apm[k] & ~vm->requested.apm[k]) &&
			      !(vm->effective.aqm[k] & ~vm->requested.aqm[k]) &&
			      !(vm->effective.adm[k] & ~vm->requested.adm[k]),
			      "VM %u: effective beyond requested", v);
	}
	for (i = 0; i < NIDS; i++)
		for (j = 0; j < NIDS; j++) {
			unsigned int ad = ids[i], dom = ids[j], holders = 0;
			const struct apmx_owner *user = NULL;
			u8 reserved = 0, want_res = 0;
			const struct fgrant *res_by = NULL;
			struct ksim_queue *q = queue(i, j);
			struct apmx_slot s;

			calls += q->zapq_calls + q->tapq_calls;
			apmx_table_lookup(&apmx_table, ad, dom, &s);
			CHECK(!(s.state & APMX_SLOT_RESETTING),
			      "%02x.%04x RESETTING after the call", ad, dom);
			for (v = 0; v < NVMS; v++) {
				struct kvm_s390_apmx *vm;

				if (!vms[v].kvm || !(vm = vms[v].kvm->arch.crypto.apmx))
					continue;
				if (!in_cross(&vm->owner.held, ad, dom, false))
					continue;
				holders++;
				user = &vm->owner;
				CHECK(!(apmx_mask_test(ksim_host.apmask, ad) &&
					apmx_mask_test(ksim_host.aqmask, dom)),
				      "%02x.%04x held by VM %u and owned by the host",
				      ad, dom, v);
			}
			CHECK(holders <= 1, "%02x.%04x held by %u guests", ad,
			      dom, holders);
			CHECK(s.user == user, "%02x.%04x: table user %p, guests say %p",
			      ad, dom, (void *)s.user, (void *)user);
			for (g = 0; g < NGRANTS; g++) {
				u8 k = 0;

				if (grants[g].fd < 0)
					continue;
				if (in_cross(&grants[g].masks, ad, dom, true))
					k |= APMX_SLOT_USAGE;
				if (apmx_mask_test(grants[g].masks.apm, ad) &&
				    apmx_mask_test(grants[g].masks.adm, dom))
					k |= APMX_SLOT_CONTROL;
				if (k) {
					CHECK(!res_by, "%02x.%04x reserved by two grants",
					      ad, dom);
					res_by = &grants[g];
					want_res = k;
				}
			}
			reserved = s.reserved;
			CHECK(reserved == want_res &&
			      (!res_by || (s.reserver && s.reserver->id == res_by->id)),
			      "%02x.%04x: reserved %x, grants say %x", ad, dom,
			      reserved, want_res);
			/* the guests use their queues: hand-over checks */
			for (v = 0; v < NVMS; v++) {
				struct kvm_s390_apmx *vm;

				if (!vms[v].kvm || !(vm = vms[v].kvm->arch.crypto.apmx))
					continue;
				if (!in_cross(&vm->effective, ad, dom, true) ||
				    !q->exists)
					continue;
				if (last_user[i][j] && last_user[i][j] != vms[v].marker) {
					CHECK(q->secret != last_user[i][j],
					      "%02x.%04x handed to VM %u with the previous guest's secret",
					      ad, dom, v);
					CHECK(!(q_in_reset(q) && q->reset_zeroizes),
					      "%02x.%04x handed to VM %u before its reset finished",
					      ad, dom, v);
				}
				CHECK(!q->secret || q->secret == vms[v].marker,
				      "%02x.%04x: VM %u sees secret %llx", ad, dom,
				      v, (unsigned long long)q->secret);
				q->secret = vms[v].marker;
				last_user[i][j] = vms[v].marker;
			}
		}
	CHECK(calls == ksim_ap_instr_calls,
	      "ZAPQ/TAPQ on a queue outside the fuzzed ids");
}

/* ---- refusals: everything a call may change ----------------------------- */
struct snap {
	struct apmx_row rows[NIDS];
	bool row_present[NIDS];
	struct {
		bool has;
		u8 crycb[KSIM_CRYCB_BYTES];
		struct kvm_s390_ap_masks requested, effective, held;
		u8 unclean[NIDS][APMX_MASK_BYTES];
		struct apmx_owner *pqap;
	} vm[NVMS];
	struct kvm_s390_ap_masks grant_held[NGRANTS];
	u8 apmask[32], aqmask[32];
	long slab;
	unsigned int files;
	int module_refs;
};

static struct snap before, after;

static void snap_take(struct snap *s)
{
	unsigned int i, v, g;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < NIDS; i++)
		if (apmx_table.rows[ids[i]]) {
			s->rows[i] = *apmx_table.rows[ids[i]];
			s->row_present[i] = true;
		}
	for (v = 0; v < NVMS; v++) {
		struct kvm *kvm = vms[v].kvm;
		struct kvm_s390_apmx *vm;

		if (!kvm)
			continue;
		memcpy(s->vm[v].crycb, kvm->crycb_page, KSIM_CRYCB_BYTES);
		s->vm[v].pqap = (void *)kvm->arch.crypto.pqap_hook;
		vm = kvm->arch.crypto.apmx;
		if (!vm)
			continue;
		s->vm[v].has = true;
		s->vm[v].requested = vm->requested;
		s->vm[v].effective = vm->effective;
		s->vm[v].held = vm->owner.held;
		for (i = 0; i < NIDS; i++)
			memcpy(s->vm[v].unclean[i], vm->unclean.row[ids[i]],
			       APMX_MASK_BYTES);
	}
	(void)g;
	memcpy(s->apmask, ksim_host.apmask, 32);
	memcpy(s->aqmask, ksim_host.aqmask, 32);
	s->slab = shim_slab_live();
	s->files = ksim_open_files();
	s->module_refs = ksim_module_refs;
}

/*
 * @b and @a the same, except that quarantined APQNs of @b may be free in
 * @a (the privileged caller's set retried them before it was refused), with
 * the module reference the last of them held.
 */
static void snap_same(const char *what, long rc)
{
	unsigned int i, k;

	snap_take(&after);
	for (i = 0; i < NIDS; i++) {
		for (k = 0; k < APMX_ROW_WORDS; k++) {
			CHECK(!(after.rows[i].quarantined[k] &
				~before.rows[i].quarantined[k]),
			      "%s refused (%ld) but quarantined more", what, rc);
			after.rows[i].quarantined[k] = before.rows[i].quarantined[k];
		}
		/* a row that held only the retried queues is freed */
		if (before.row_present[i] && !after.row_present[i]) {
			after.row_present[i] = true;
			after.slab++;
		}
	}
	CHECK(!memcmp(after.row_present, before.row_present,
		      sizeof(after.row_present)),
	      "%s refused (%ld) but a table row was allocated", what, rc);
	if (after.module_refs < before.module_refs)
		after.module_refs = before.module_refs;
	/*
	 * The first AP matrix ioctl of a VM makes its state (vm.c
	 * apmx_vm_state(), kept until the VM is destroyed): allowed on
	 * refusal if it holds nothing.
	 */
	for (i = 0; i < NVMS; i++) {
		static const struct kvm_s390_ap_masks none;
		static const u8 nothing[NIDS][APMX_MASK_BYTES];

		if (before.vm[i].has || !after.vm[i].has)
			continue;
		CHECK(!memcmp(&after.vm[i].requested, &none, sizeof(none)) &&
		      !memcmp(&after.vm[i].effective, &none, sizeof(none)) &&
		      !memcmp(&after.vm[i].held, &none, sizeof(none)) &&
		      !memcmp(after.vm[i].unclean, nothing, sizeof(nothing)),
		      "%s refused (%ld) but a new VM state holds queues", what, rc);
		after.vm[i].has = false;
		after.slab--;
	}
	CHECK(!memcmp(after.rows, before.rows, sizeof(after.rows)),
	      "%s refused (%ld) but the table changed", what, rc);
	CHECK(!memcmp(after.vm, before.vm, sizeof(after.vm)),
	      "%s refused (%ld) but a VM changed", what, rc);
	CHECK(!memcmp(after.apmask, before.apmask, 64),
	      "%s refused (%ld) but the host masks changed", what, rc);
	CHECK(after.slab == before.slab, "%s refused (%ld): %ld allocations",
	      what, rc, after.slab - before.slab);
	CHECK(after.files == before.files, "%s refused (%ld): files %u -> %u",
	      what, rc, before.files, after.files);
	CHECK(after.module_refs == before.module_refs,
	      "%s refused (%ld): module references", what, rc);
}

/* ---- faults armed for the next call ------------------------------------- */
static bool fault_copy_to;

static void arm_fault(u8 kind, u8 n)
{
	n = n % 4 + 1;
	switch (kind % 5) {
	case 0:
		shim_slab_fail_nth(n);
		break;
	case 1:
		ksim_fail_copy_from_nth(n);
		break;
	case 2:
		ksim_fail_copy_to_nth(n);
		fault_copy_to = true;
		break;
	case 3:
		ksim_fatal_signal = true;
		break;
	default:
		ksim_fail_anon_inode_nth(n);
		break;
	}
}

static void disarm_faults(void)
{
	shim_slab_fail_nth(0);
	ksim_fail_copy_from_nth(0);
	ksim_fail_copy_to_nth(0);
	ksim_fail_anon_inode_nth(0);
	ksim_fail_fd_nth(0);
	ksim_fatal_signal = false;
	fault_copy_to = false;
}

/* ---- the operations ----------------------------------------------------- */
static void op_set(const u8 *arg)
{
	struct fvm *f = &vms[arg[0] % NVMS];
	struct kvm_s390_ap_matrix m;
	u8 fl = arg[4];
	long rc;

	if (!f->kvm)
		return;
	memset(&m, 0, sizeof(m));
	mask_of(m.requested.apm, arg[1]);
	mask_of(m.requested.aqm, arg[2]);
	mask_of(m.requested.adm, arg[3]);
	if (fl & 4) {
		m.flags = KVM_S390_AP_MATRIX_F_GRANT;
		m.grant_fd = grants[fl & 3].fd;
		if (m.grant_fd < 0)
			m.grant_fd = fl & 0x80 ? 3 : -1;	/* not a grant */
	}
	if (fl & 8)
		m.flags |= 0x80;		/* unknown flag */
	if (fl & 16)
		m.reserved[fl >> 5 & 7] = 1;
	snap_take(&before);
	rc = ksim_ioctl(f->kvm, KVM_S390_SET_AP_MATRIX, &m);
	if (trace)
		fprintf(stderr, "fuzz:   -> %ld, reason %u, %04x.%04x holder %u\n",
			rc, m.refusal.reason, m.refusal.adapter,
			m.refusal.domain, m.refusal.holder_type);
	if (rc && !(fault_copy_to && rc == -EFAULT))
		snap_same("SET", rc);
	if (!rc)
		CHECK(!f->kvm->arch.crypto.apmx ||
		      !memcmp(&m.effective,
			      &f->kvm->arch.crypto.apmx->effective,
			      sizeof(m.effective)),
		      "SET reports an effective matrix the VM does not have");
	if (rc)
		CHECK(rc == -EINVAL || rc == -EADDRINUSE || rc == -EADDRNOTAVAIL ||
		      rc == -EPERM || rc == -EIO || rc == -EBUSY ||
		      rc == -EFAULT || rc == -EINTR || rc == -ENOMEM ||
		      rc == -EBADF, "SET: unexpected %ld", rc);
}

static void op_get(const u8 *arg)
{
	struct fvm *f = &vms[arg[0] % NVMS];
	struct kvm_s390_ap_matrix m;
	long rc;

	if (!f->kvm)
		return;
	rc = ksim_ioctl(f->kvm, KVM_S390_GET_AP_MATRIX, &m);
	if (rc) {
		CHECK(rc == -EFAULT || rc == -EINTR, "GET: %ld", rc);
		return;
	}
	if (f->kvm->arch.crypto.apmx)
		CHECK(!memcmp(&m.requested, &f->kvm->arch.crypto.apmx->requested,
			      sizeof(m.requested)) &&
		      !memcmp(&m.effective, &f->kvm->arch.crypto.apmx->effective,
			      sizeof(m.effective)),
		      "GET differs from the VM's state");
}

static void op_clear(const u8 *arg)
{
	struct fvm *f = &vms[arg[0] % NVMS];
	long rc;

	if (!f->kvm)
		return;
	snap_take(&before);
	rc = ksim_ioctl(f->kvm, KVM_S390_CLEAR_AP_MATRIX, NULL);
	if (rc)
		snap_same("CLEAR", rc);
	CHECK(!rc || rc == -EINTR || rc == -ENOMEM || rc == -EBUSY,
	      "CLEAR: %ld", rc);
}

static void op_reset(const u8 *arg)
{
	struct fvm *f = &vms[arg[0] % NVMS];
	struct kvm_s390_ap_refusal r;
	long rc;

	if (!f->kvm)
		return;
	snap_take(&before);
	memset(&r, 0xa5, sizeof(r));
	rc = ksim_ioctl(f->kvm, KVM_S390_RESET_AP_QUEUES, &r);
	if (trace)
		fprintf(stderr, "fuzz:   -> %ld, reason %u, %04x.%04x\n", rc,
			r.reason, r.adapter, r.domain);
	CHECK(!rc || rc == -EIO || rc == -EFAULT || rc == -EINTR,
	      "RESET_AP_QUEUES: %ld", rc);
	if (rc == -EIO && !fault_copy_to)	/* else @r may not be written */
		CHECK(r.reason == KVM_S390_AP_R_QUARANTINED &&
		      r.adapter <= 255 && r.domain <= 255,
		      "RESET_AP_QUEUES -EIO without the queue");
	snap_take(&after);
	/* a reset changes no ownership */
	CHECK(!memcmp(after.rows, before.rows, sizeof(after.rows)),
	      "RESET_AP_QUEUES changed the table");
}

static void op_grant(const u8 *arg)
{
	struct fgrant *g = &grants[arg[0] % NGRANTS];
	struct kvm_s390_ap_grant ga;
	u8 fl = arg[4];
	long rc;

	memset(&ga, 0, sizeof(ga));
	mask_of(ga.masks.apm, arg[1]);
	mask_of(ga.masks.aqm, arg[2]);
	mask_of(ga.masks.adm, arg[3]);
	if (fl & 1)
		ga.flags = 1;
	if (fl & 2)
		ga.reserved[(fl >> 2 & 7) % 7] = 1;
	snap_take(&before);
	rc = ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &ga);
	if (rc && !(fault_copy_to && rc == -EFAULT)) {
		snap_same("CREATE_AP_GRANT", rc);
		return;
	}
	if (rc)
		return;
	CHECK(ga.fd >= 0 && ga.grant_id, "grant without fd or id");
	if (g->fd >= 0)
		ksim_close(g->fd);	/* the slot's old grant goes */
	g->fd = ga.fd;
	g->id = ga.grant_id;
	g->masks = ga.masks;
}

static void op_grant_close(const u8 *arg)
{
	struct fgrant *g = &grants[arg[0] % NGRANTS];

	if (g->fd < 0)
		return;
	CHECK(ksim_close(g->fd) == 0, "close of a grant fd");
	g->fd = -1;
}

static void mask_store(u8 bits, bool adapters)
{
	char list[64];
	u8 m[32];
	int rc;

	mask_of(m, bits);
	apmx_idlist_format(m, list, sizeof(list));
	snap_take(&before);
	rc = adapters ? ksim_apmask_store(list) : ksim_aqmask_store(list);
	if (rc) {
		CHECK(rc == -EBUSY, "mask store: %d", rc);
		snap_same(adapters ? "apmask" : "aqmask", rc);
	}
}

static void op_queue(const u8 *arg)
{
	unsigned int i, j;
	struct ksim_queue *q;
	u8 b = arg[1];

	apqn_of(arg[0], &i, &j);
	q = queue(i, j);
	/*
	 * A hang set while no reset runs is a queue whose TAPQ answers 02
	 * from now on (ksim.c tapq()) with no reset of ours behind it, so the
	 * hand-over check does not take it for the unfinished ZAPQ of the
	 * last release (that one was verified); the secret check still sees
	 * what is left, and the next ZAPQ of ours sets reset_zeroizes again.
	 */
	if (!q_in_reset(q) && (b >> 5) == 7)
		q->reset_zeroizes = false;
	q->reset_polls = b & 7;
	q->reset_ms = (b >> 3 & 3) * 20;
	q->reset_hangs = (b >> 5) == 7;
	q->irq_stays = (b >> 5) == 6;
}

/* the response codes of 6.1's asm/ap.h, and 06 (invalid address) */
static const u8 rcodes[8] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };

static void op_script(const u8 *arg)
{
	unsigned int i, j;
	struct ksim_queue *q;
	u8 b = arg[1];

	apqn_of(arg[0], &i, &j);
	q = queue(i, j);
	if (b & 1) {
		q->tapq_script[0] = rcodes[b >> 1 & 7];
		q->tapq_script[1] = rcodes[b >> 4 & 7];
		q->tapq_script_len = 1 + (b >> 7);
	} else {
		q->zapq_script[0] = rcodes[b >> 1 & 7];
		q->zapq_script[1] = rcodes[b >> 4 & 7];
		q->zapq_script_len = 1 + (b >> 7);
	}
}

/*
 * apmx_zeroize_retry()'s answer is the table's: a free APQN is left alone
 * (0, no ZAPQ), one used or being reset by someone else is busy (EBUSY,
 * no ZAPQ), a quarantined one is reset: 0 and free, or EIO and still
 * quarantined.  Nothing else runs meanwhile (no thread, no hook here).
 */
static void op_retry(const u8 *arg)
{
	struct apmx_slot before, after;
	unsigned int i, j, zapqs;
	int rc;

	apqn_of(arg[0], &i, &j);
	mutex_lock(&apmx_table_lock);
	apmx_table_peek(&apmx_table, ids[i], ids[j], &before);
	mutex_unlock(&apmx_table_lock);
	zapqs = queue(i, j)->zapq_calls;
	rc = apmx_zeroize_retry(ids[i], ids[j]);
	mutex_lock(&apmx_table_lock);
	apmx_table_peek(&apmx_table, ids[i], ids[j], &after);
	mutex_unlock(&apmx_table_lock);
	if (before.state & APMX_SLOT_QUARANTINED) {
		CHECK((!rc && !after.state && !after.user) ||
		      (rc == -EIO && after.state == APMX_SLOT_QUARANTINED),
		      "%02x.%04x: retry of a quarantined queue: %d, state %x after",
		      ids[i], ids[j], rc, after.state);
		return;
	}
	CHECK(rc == (before.state || before.user ? -EBUSY : 0) &&
	      queue(i, j)->zapq_calls == zapqs,
	      "%02x.%04x: retry of a queue not quarantined (state %x): %d, %u ZAPQs",
	      ids[i], ids[j], before.state, rc,
	      queue(i, j)->zapq_calls - zapqs);
}

static void run_op(u8 op, const u8 *arg)
{
	unsigned int i, j;
	struct fvm *f;

	switch (op) {
	case OP_VM_CREATE:
		f = &vms[arg[0] % NVMS];
		if (f->kvm)
			return;
		f->kvm = ksim_vm_create((u32[]){ CRYCB_FORMAT0, CRYCB_FORMAT1,
						 CRYCB_FORMAT2 }[(arg[0] >> 2) % 3]);
		f->marker = ++next_marker << 16 | 0xacce;
		return;
	case OP_VM_DESTROY:
		f = &vms[arg[0] % NVMS];
		if (!f->kvm)
			return;
		ksim_vm_destroy(f->kvm);
		f->kvm = NULL;
		return;
	case OP_SET:
		op_set(arg);
		break;
	case OP_GET:
		op_get(arg);
		break;
	case OP_CLEAR:
		op_clear(arg);
		break;
	case OP_RESET:
		op_reset(arg);
		break;
	case OP_GRANT:
		op_grant(arg);
		break;
	case OP_GRANT_CLOSE:
		op_grant_close(arg);
		return;
	case OP_QDEV_DEL:
		apqn_of(arg[0], &i, &j);
		ksim_qdev_del(ids[i], ids[j]);
		return;
	case OP_QDEV_ADD:
		apqn_of(arg[0], &i, &j);
		ksim_qdev_add(ids[i], ids[j], AP_DEVICE_TYPE_CEX4 + (arg[0] >> 6));
		return;
	case OP_APMASK:
		mask_store(arg[0], true);
		break;
	case OP_AQMASK:
		mask_store(arg[0], false);
		break;
	case OP_PRIV:
		ksim_cap_sys_admin = arg[0] & 1;
		return;
	case OP_FAULT:
		arm_fault(arg[0], arg[1]);
		return;		/* stays armed for the next call */
	case OP_QUEUE:
		op_queue(arg);
		return;
	case OP_SCRIPT:
		op_script(arg);
		return;
	case OP_TIME:
		ksim_now_ms += 5u * arg[0];
		return;
	case OP_RAPQ:
		apqn_of(arg[0], &i, &j);
		ksim_rapq(ids[i], ids[j]);
		return;
	case OP_RETRY:
		op_retry(arg);
		break;
	}
	disarm_faults();
}

/* ---- one input ------------------------------------------------------------ */
static void setup(void)
{
	unsigned int i, j;

	for (i = 0; i < NIDS; i++)
		for (j = 0; j < NIDS; j++)
			*queue(i, j) = (struct ksim_queue){ .exists = true };
	ksim_reset_keep_queues();
	ksim_task_reset();
	ksim_ap_bus_reset(false);
	shim_slab_reset();
#if IS_ENABLED(CONFIG_ZCRYPT)
	ksim_ap_bus_reset(true);
	if (ap_driver_register(&ksim_zcrypt_drv, THIS_MODULE, "cex4queue"))
		fail("zcrypt driver registration");
	ksim_ap_bus_late_initcall();
	for (i = 0; i < NIDS; i++)
		for (j = 0; j < NIDS; j++)
			ksim_qdev_add(ids[i], ids[j], AP_DEVICE_TYPE_CEX4);
#endif
	if (!apmx_qdrv_ready())
		fail("the queue driver is not ready");
	ksim_ap_instr_calls = 0;
	memset(vms, 0, sizeof(vms));
	for (i = 0; i < NGRANTS; i++)
		grants[i] = (struct fgrant){ .fd = -1 };
	memset(last_user, 0, sizeof(last_user));
	slab_base = shim_slab_live();
}

static void teardown(void)
{
	unsigned int i, j, v;
	struct apmx_slot s;

	cur_op = "teardown";
	disarm_faults();
	ksim_cap_sys_admin = true;
	for (i = 0; i < NGRANTS; i++)
		if (grants[i].fd >= 0) {
			ksim_close(grants[i].fd);
			grants[i].fd = -1;
		}
	for (v = 0; v < NVMS; v++)
		if (vms[v].kvm) {
			ksim_vm_destroy(vms[v].kvm);
			vms[v].kvm = NULL;
		}
	check();
	/* the queues are healed; a quarantined one is free after a retry */
	for (i = 0; i < NIDS; i++)
		for (j = 0; j < NIDS; j++) {
			struct ksim_queue *q = queue(i, j);

			q->zapq_script_len = q->tapq_script_len = 0;
			q->reset_hangs = q->irq_stays = false;
			q->reset_polls = q->reset_ms = 0;
			q->resetting = 0;
			q->reset_end = 0;
#if IS_ENABLED(CONFIG_ZCRYPT)
			ksim_qdev_add(ids[i], ids[j], AP_DEVICE_TYPE_CEX4);
#else
			q->exists = true;
#endif
			apmx_table_peek(&apmx_table, ids[i], ids[j], &s);
			if (s.state & APMX_SLOT_QUARANTINED)
				CHECK(apmx_zeroize_retry(ids[i], ids[j]) == 0,
				      "%02x.%04x: retry of a healed queue failed",
				      ids[i], ids[j]);
		}
	for (i = 0; i < 256; i++)
		CHECK(!apmx_table.rows[i], "table row %u left after teardown", i);
	CHECK(!apmx_table.users && !apmx_table.grants, "owners left in the table");
	CHECK(ksim_module_refs == 0, "%d module references left",
	      ksim_module_refs);
	CHECK(ksim_open_files() == 0, "%u files left", ksim_open_files());
	CHECK(ksim_violations == 0 && ksim_warnings == 0,
	      "rule violations at teardown:\n%s", ksim_printk_log());
	kvm_s390_apmx_qdrv_exit();
#if IS_ENABLED(CONFIG_ZCRYPT)
	ksim_ap_bus_teardown();
#endif
	ksim_teardown();
	CHECK(shim_slab_live() == slab_base, "%ld allocations leaked",
	      shim_slab_live() - slab_base);
	CHECK(ksim_pid_refs() == 0, "%d pid references leaked", ksim_pid_refs());
	CHECK(ksim_violations == 0 && ksim_warnings == 0,
	      "rule violations at exit:\n%s", ksim_printk_log());
}

static const char *const op_names[OP_COUNT] = {
	"VM_CREATE", "VM_DESTROY", "SET", "GET", "CLEAR", "RESET", "GRANT",
	"GRANT_CLOSE", "QDEV_DEL", "QDEV_ADD", "APMASK", "AQMASK", "PRIV",
	"FAULT", "QUEUE", "SCRIPT", "TIME", "RAPQ", "RETRY",
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	trace = getenv("FUZZ_TRACE") != NULL;
	ksim_reset();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;
	unsigned int n = 0;

	cur_op = "setup";
	setup();
	check();
	while (pos < size && n++ < MAX_OPS) {
		u8 op = data[pos++] % OP_COUNT, arg[5] = { 0 };
		unsigned int k;

		for (k = 0; k < op_args[op]; k++)
			arg[k] = pos < size ? data[pos++] : 0;
		cur_op = op_names[op];
		if (trace)
			fprintf(stderr, "fuzz: %s %02x %02x %02x %02x %02x\n",
				cur_op, arg[0], arg[1], arg[2], arg[3], arg[4]);
		run_op(op, arg);
		check();
	}
	teardown();
	return 0;
}
