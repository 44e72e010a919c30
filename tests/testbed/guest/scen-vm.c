// SPDX-License-Identifier: GPL-2.0
/*
 * Test-bed scenarios of the apmatrix ioctls between processes, on the
 * real /dev/kvm and AP bus (issue 9):
 *
 *   race    two processes SET overlapping matrices many times: at any time
 *           one of them holds each APQN (shared counters and the queue's
 *           apmatrix_holder agree), the loser gets EADDRINUSE naming the
 *           winner's VM id and pid (or EIO while the released queue's
 *           reset runs), never anything else
 *   grant   a grant created by root, inherited by a process that dropped
 *           every privilege: SET with it succeeds; without it, or beyond
 *           it, EPERM
 *           (KVM_S390_AP_R_NOT_GRANTED, nothing about the holder); while it
 *           exists root cannot take the reserved queues (holder grant)
 *   kill    a VMM SIGKILLed at random points of a SET/CLEAR loop, and a VM
 *           fd closed with queues held: the queues end "free", stay bound
 *           to apmatrix, a new VM claims them, and apmask gives them back
 *           to cex4queue
 *
 *   scen-vm --adapters LIST --domains LIST
 *
 * Uses the last adapter of LIST (freed here with apmask, given back at
 * the end) and up to four of its domains.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "tb.h"

#define NOBODY 65534

static unsigned int A;		/* the adapter */
static unsigned int D[4];	/* its domains */
static unsigned int ND;

static void mask_of(u8 *mask, const unsigned int *ids, unsigned int n)
{
	unsigned int i;

	memset(mask, 0, APMX_MASK_BYTES);
	for (i = 0; i < n; i++)
		apmx_mask_set(mask, ids[i]);
}

/*
 * every queue A.D[i], i < @n, has apmatrix_holder @want (prefix), up to
 * 5 s (a queue that was never claimed is not bound to apmatrix: no file)
 */
static int wait_holders(unsigned int n, const char *want, char *got,
			size_t len)
{
	unsigned int i;
	int t;

	for (t = 0; t < 50; t++) {
		for (i = 0; i < n; i++) {
			if (read_holder(A, D[i], got, len) ||
			    strncmp(got, want, strlen(want)))
				break;
		}
		if (i == n)
			return 0;
		usleep(100000);
	}
	printf("# %02x.%04x: apmatrix_holder '%s', want '%s'\n", A, D[i], got,
	       want);
	return -1;
}

/* ---- race ---------------------------------------------------------- */

#define RACE_ROUNDS 60

struct race {
	int holders[4];		/* processes that think they hold A.D[i] */
	int over;		/* a second holder was seen */
	int sysfs_bad;		/* apmatrix_holder named another holder */
	int wins[2], in_use[2], withheld[2], other[2];
	int bad_holder[2];	/* EADDRINUSE naming a wrong holder */
	unsigned long long id[2];
	int pid[2];
	char what[2][160];
};

/* process @me: domains {me, me+1} of D, overlapping at D[1] */
static void race_child(struct race *r, int me)
{
	struct kvm_s390_ap_matrix m;
	u8 apm[APMX_MASK_BYTES], aqm[APMX_MASK_BYTES];
	unsigned int dom[2] = { D[me], D[me + 1] };
	char buf[128], want[64];
	int kvm, vm, n, i, rc;

	kvm = tb_open_kvm();
	vm = kvm < 0 ? -1 : tb_create_vm(kvm);
	if (vm < 0)
		_exit(3);
	tb_mask1(apm, A);
	mask_of(aqm, dom, 2);
	srand(getpid());
	for (n = 0; n < RACE_ROUNDS; n++) {
		rc = tb_set(vm, apm, aqm, NULL, -1, &m);
		if (!rc) {
			__atomic_add_fetch(&r->wins[me], 1, __ATOMIC_SEQ_CST);
			for (i = 0; i < 2; i++)
				if (__atomic_add_fetch(&r->holders[me + i], 1,
						       __ATOMIC_SEQ_CST) > 1)
					__atomic_store_n(&r->over, 1,
							 __ATOMIC_SEQ_CST);
			/* our own VM id, from the queue only we may hold */
			if (!read_holder(A, dom[0], buf, sizeof(buf)) &&
			    !r->id[me])
				sscanf(buf, "vm %llu", &r->id[me]);
			snprintf(want, sizeof(want), "vm %llu pid %d ",
				 r->id[me], getpid());
			if (read_holder(A, D[1], buf, sizeof(buf)) ||
			    strncmp(buf, want, strlen(want))) {
				r->sysfs_bad++;
				snprintf(r->what[me], sizeof(r->what[me]),
					 "holder of %02x.%04x '%s' want '%s'",
					 A, D[1], buf, want);
			}
			usleep(rand() % 3000);
			for (i = 0; i < 2; i++)
				__atomic_sub_fetch(&r->holders[me + i], 1,
						   __ATOMIC_SEQ_CST);
			if (ioctl(vm, KVM_S390_CLEAR_AP_MATRIX, 0))
				r->other[me]++;
		} else if (rc == EADDRINUSE &&
			   m.refusal.reason == KVM_S390_AP_R_IN_USE) {
			r->in_use[me]++;
			/* the other one holds D[1] (or D[0]/D[2] not at all) */
			if (m.refusal.adapter != A || m.refusal.domain != D[1] ||
			    m.refusal.holder_type != KVM_S390_AP_HOLDER_VM ||
			    m.refusal.holder_pid != r->pid[!me] ||
			    (r->id[!me] && m.refusal.holder_id != r->id[!me])) {
				r->bad_holder[me]++;
				snprintf(r->what[me], sizeof(r->what[me]),
					 "EADDRINUSE %s, other pid %d id %llu",
					 tb_refusal_str(&m.refusal),
					 r->pid[!me], r->id[!me]);
			}
		} else if (rc == EIO &&
			   m.refusal.reason == KVM_S390_AP_R_QUARANTINED &&
			   m.refusal.holder_type ==
			   KVM_S390_AP_HOLDER_QUARANTINE) {
			/* the other one's release is being reset */
			r->withheld[me]++;
		} else {
			r->other[me]++;
			snprintf(r->what[me], sizeof(r->what[me]),
				 "errno %d %s", rc, tb_refusal_str(&m.refusal));
		}
		usleep(rand() % 2000);
	}
	close(vm);
	close(kvm);
	_exit(0);
}

static void test_race(void)
{
	struct race *r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int st[2], i, go[2];
	char buf[128];
	pid_t pid[2];

	if (r == MAP_FAILED) {
		check(0, "race: shared memory (errno %d)", errno);
		return;
	}
	memset(r, 0, sizeof(*r));
	/* both pids are known before either starts */
	for (i = 0; i < 2; i++) {
		if (pipe(go) < 0)
			return;
		pid[i] = fork();
		if (pid[i] == 0) {
			char c;

			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(3);
			race_child(r, i);
		}
		close(go[0]);
		st[i] = go[1];
		r->pid[i] = pid[i];
	}
	for (i = 0; i < 2; i++) {
		if (write(st[i], "g", 1) != 1)
			printf("# race: cannot start %d\n", pid[i]);
		close(st[i]);
	}
	for (i = 0; i < 2; i++)
		waitpid(pid[i], &st[i], 0);
	check(WIFEXITED(st[0]) && !WEXITSTATUS(st[0]) &&
	      WIFEXITED(st[1]) && !WEXITSTATUS(st[1]),
	      "race: both VMMs ran %d rounds (status %#x %#x)", RACE_ROUNDS,
	      st[0], st[1]);
	printf("# race: wins %d/%d, EADDRINUSE %d/%d, EIO while resetting %d/%d\n",
	       r->wins[0], r->wins[1], r->in_use[0], r->in_use[1],
	       r->withheld[0], r->withheld[1]);
	check(r->wins[0] > 0 && r->wins[1] > 0 &&
	      r->in_use[0] + r->in_use[1] > 0,
	      "race: both won sometimes and a set was refused as in use (wins %d/%d, refused %d/%d)",
	      r->wins[0], r->wins[1], r->in_use[0], r->in_use[1]);
	check(!r->over, "race: never two holders of an APQN at once");
	check(!r->sysfs_bad,
	      "race: apmatrix_holder of the shared %02x.%04x names the winner's VM and pid every time (%s)",
	      A, D[1], r->sysfs_bad ? (r->what[0][0] ? r->what[0] : r->what[1]) : "");
	check(!r->bad_holder[0] && !r->bad_holder[1],
	      "race: every EADDRINUSE names %02x.%04x and the other VM's id and pid (%s)",
	      A, D[1], r->what[0][0] ? r->what[0] : r->what[1]);
	check(!r->other[0] && !r->other[1],
	      "race: no refusal but EADDRINUSE (in use) and EIO (being reset) (%d/%d: %s)",
	      r->other[0], r->other[1],
	      r->what[0][0] ? r->what[0] : r->what[1]);
	check(!wait_holders(3, "free", buf, sizeof(buf)),
	      "race: afterwards the three queues of %02x are free", A);
	munmap(r, sizeof(*r));
}

/* ---- a grant passed to an unprivileged process ------------------- */

/*
 * The grant fd is inherited across fork() by a process that then drops
 * every privilege, as `apmatrix grant --user` does across exec.  Passing
 * it over a UNIX socket (SCM_RIGHTS; the test kernel has CONFIG_UNIX) is
 * the tool suite's scenario (scen-tool.c test_serve(), `apmatrix serve`
 * and `connect`).
 */

/* results of the unprivileged child, in shared memory */
struct grant_res {
	int dropped, kvm_ok, nogrant_rc, create_rc, set_rc, beyond_rc;
	int subset_rc, ctl_rc, again_rc, clear_rc;
	struct kvm_s390_ap_refusal nogrant, beyond, ctl;
	struct kvm_s390_ap_matrix after_beyond, set;
};

/* drop every privilege: no supplementary groups, nobody:nogroup */
static int drop_privileges(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return -1;
	return getuid() == NOBODY && geteuid() == NOBODY && setuid(0) < 0;
}

/* phase 1, no grant: SET refused, no grant created */
static void nogrant_child(struct grant_res *res, int kvm)
{
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_grant g;
	u8 apm[APMX_MASK_BYTES], aqm[APMX_MASK_BYTES];
	unsigned int two[2] = { D[0], D[1] };
	int vm;

	res->dropped = drop_privileges() == 1;
	/* /dev/kvm was opened while root, as a manager would pass it */
	vm = tb_create_vm(kvm);
	res->kvm_ok = vm >= 0;
	if (vm < 0)
		_exit(3);
	tb_mask1(apm, A);
	mask_of(aqm, two, 2);
	res->nogrant_rc = tb_set(vm, apm, aqm, NULL, -1, &m);
	res->nogrant = m.refusal;
	res->create_rc = -tb_grant(kvm, apm, aqm, NULL, &g);
	_exit(0);
}

/* phase 2, with the inherited grant @gfd */
static void grant_child(struct grant_res *res, int kvm, int gfd, int tell,
			int wait)
{
	struct kvm_s390_ap_matrix m;
	u8 apm[APMX_MASK_BYTES], aqm[APMX_MASK_BYTES], adm[APMX_MASK_BYTES];
	unsigned int two[2] = { D[0], D[1] };
	int vm;
	char c;

	res->dropped &= drop_privileges() == 1;
	vm = tb_create_vm(kvm);
	if (vm < 0)
		_exit(3);
	tb_mask1(apm, A);
	mask_of(aqm, two, 2);
	res->set_rc = tb_set(vm, apm, aqm, NULL, gfd, &m);
	res->set = m;
	/* more than the grant covers: refused, the old matrix stays */
	mask_of(aqm, D, 3);
	res->beyond_rc = tb_set(vm, apm, aqm, NULL, gfd, &m);
	res->beyond = m.refusal;
	ioctl(vm, KVM_S390_GET_AP_MATRIX, &res->after_beyond);
	/* a usage domain of the grant is no control domain */
	mask_of(aqm, two, 2);
	tb_mask1(adm, D[0]);
	res->ctl_rc = tb_set(vm, apm, aqm, adm, gfd, &m);
	res->ctl = m.refusal;
	/* a subset */
	tb_mask1(aqm, D[0]);
	res->subset_rc = tb_set(vm, apm, aqm, NULL, gfd, &m);
	/* without the grant it may keep what it has, not take more back */
	mask_of(aqm, two, 2);
	res->again_rc = tb_set(vm, apm, aqm, NULL, -1, &m);
	res->again_rc = res->again_rc == EPERM &&
			m.refusal.reason == KVM_S390_AP_R_NOT_GRANTED &&
			m.refusal.domain == D[1];
	/* back to both, hold them, let the parent look */
	res->set_rc |= tb_set(vm, apm, aqm, NULL, gfd, &m);
	close(gfd);
	if (write(tell, "h", 1) != 1 || read(wait, &c, 1) != 1)
		_exit(5);
	res->clear_rc = ioctl(vm, KVM_S390_CLEAR_AP_MATRIX, 0) ? errno : 0;
	close(vm);
	_exit(0);
}

static int nothing_named(const struct kvm_s390_ap_refusal *r)
{
	return r->holder_type == KVM_S390_AP_HOLDER_NONE &&
	       r->holder_pid == 0 && r->holder_id == 0;
}

static void test_grant(void)
{
	struct grant_res *res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_grant g;
	u8 apm[APMX_MASK_BYTES], aqm[APMX_MASK_BYTES];
	unsigned int two[2] = { D[0], D[1] };
	int up[2], down[2], kvm, vm = -1, gfd = -1, st = -1, rc;
	char c, buf[128], want[96];
	pid_t pid;

	kvm = tb_open_kvm();
	if (res == MAP_FAILED || kvm < 0 || pipe(up) || pipe(down)) {
		check(0, "grant: setup (errno %d)", errno);
		return;
	}
	memset(res, 0, sizeof(*res));
	pid = fork();
	if (pid == 0)
		nogrant_child(res, kvm);
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && !WEXITSTATUS(st) && res->dropped && res->kvm_ok,
	      "grant: a VMM runs as uid %d without a way back to root, KVM_CREATE_VM works (status %#x)",
	      NOBODY, st);
	check(res->nogrant_rc == EPERM &&
	      res->nogrant.reason == KVM_S390_AP_R_NOT_GRANTED &&
	      res->nogrant.adapter == A && res->nogrant.domain == D[0] &&
	      nothing_named(&res->nogrant),
	      "grant: without a grant its SET is refused EPERM not-granted at %02x.%04x, no holder told (errno %d %s)",
	      A, D[0], res->nogrant_rc, tb_refusal_str(&res->nogrant));
	check(res->create_rc == EPERM,
	      "grant: the unprivileged VMM cannot create a grant (errno %d)",
	      res->create_rc);

	tb_mask1(apm, A);
	mask_of(aqm, two, 2);
	gfd = tb_grant(kvm, apm, aqm, NULL, &g);
	check(gfd >= 0 && g.grant_id != 0,
	      "grant: root creates a grant for %02x x %u,%u (fd %d id %llu)",
	      A, D[0], D[1], gfd, (unsigned long long)g.grant_id);
	if (gfd < 0)
		goto out;
	res->dropped = 1;
	pid = fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		grant_child(res, kvm, gfd, up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	/* our copy of the fd keeps the reservation when the child closes its */
	if (read(up[0], &c, 1) != 1) {
		check(0, "grant: the unprivileged VMM died");
		goto reap;
	}
	check(res->dropped, "grant: the second VMM dropped its privileges too");
	check(res->set_rc == 0 && apmx_mask_test(res->set.effective.apm, A) &&
	      apmx_mask_test(res->set.effective.aqm, D[0]) &&
	      apmx_mask_test(res->set.effective.aqm, D[1]),
	      "grant: with the inherited grant fd its SET of %02x x %u,%u succeeds (errno %d)",
	      A, D[0], D[1], res->set_rc);
	check(res->beyond_rc == EPERM &&
	      res->beyond.reason == KVM_S390_AP_R_NOT_GRANTED &&
	      res->beyond.adapter == A && res->beyond.domain == D[2] &&
	      nothing_named(&res->beyond) &&
	      !apmx_mask_test(res->after_beyond.requested.aqm, D[2]) &&
	      apmx_mask_test(res->after_beyond.requested.aqm, D[1]),
	      "grant: SET beyond the grant (%02x.%04x) refused EPERM, the matrix unchanged (errno %d %s)",
	      A, D[2], res->beyond_rc, tb_refusal_str(&res->beyond));
	check(res->ctl_rc == EPERM &&
	      res->ctl.reason == KVM_S390_AP_R_NOT_GRANTED &&
	      res->ctl.domain == D[0],
	      "grant: a granted usage domain as control domain refused EPERM (errno %d %s)",
	      res->ctl_rc, tb_refusal_str(&res->ctl));
	check(res->subset_rc == 0 && res->again_rc,
	      "grant: a subset is accepted; without the grant it cannot take %02x.%04x back (EPERM)",
	      A, D[1]);

	rc = read_holder(A, D[1], buf, sizeof(buf));
	snprintf(want, sizeof(want), " pid %d usage grant %llu pid %d", pid,
		 (unsigned long long)g.grant_id, getpid());
	check(!rc && !strncmp(buf, "vm ", 3) && strstr(buf, want),
	      "grant: apmatrix_holder of %02x.%04x: '%s' (want 'vm N%s')", A,
	      D[1], buf, want);

	/* root without the grant cannot take a reserved queue */
	vm = tb_create_vm(kvm);
	tb_mask1(aqm, D[1]);
	rc = tb_set(vm, apm, aqm, NULL, -1, &m);
	check(rc == EADDRINUSE && m.refusal.reason == KVM_S390_AP_R_IN_USE &&
	      m.refusal.holder_type == KVM_S390_AP_HOLDER_VM &&
	      m.refusal.holder_pid == pid,
	      "grant: root's SET of the VMM's %02x.%04x refused EADDRINUSE naming the VMM (pid %d): errno %d %s",
	      A, D[1], pid, rc, tb_refusal_str(&m.refusal));
	if (write(down[1], "c", 1) != 1)
		printf("# grant: cannot tell the child\n");
reap:
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && !WEXITSTATUS(st) && res->clear_rc == 0,
	      "grant: the VMM cleared and exited (status %#x)", st);
	/* the queues are free of the VM, but reserved while we hold the fd */
	if (vm < 0)
		vm = tb_create_vm(kvm);
	tb_mask1(aqm, D[0]);
	rc = tb_set(vm, apm, aqm, NULL, -1, &m);
	check(rc == EADDRINUSE && m.refusal.reason == KVM_S390_AP_R_RESERVED &&
	      m.refusal.holder_type == KVM_S390_AP_HOLDER_GRANT &&
	      m.refusal.holder_id == g.grant_id &&
	      m.refusal.holder_pid == getpid(),
	      "grant: while the grant exists root's SET is refused EADDRINUSE reserved by grant %llu pid %d: errno %d %s",
	      (unsigned long long)g.grant_id, getpid(), rc,
	      tb_refusal_str(&m.refusal));
	close(gfd);
	rc = tb_set(vm, apm, aqm, NULL, -1, &m);
	check(rc == 0, "grant: the grant closed, root's SET succeeds (errno %d %s)",
	      rc, tb_refusal_str(&m.refusal));
	close(vm);
	check(!wait_holders(2, "free", buf, sizeof(buf)),
	      "grant: afterwards both queues of %02x are free", A);
out:
	close(up[0]);
	close(down[1]);
	close(kvm);
	munmap(res, sizeof(*res));
}

/* ---- a VMM killed mid-ioctl; a VM closed with queues held --------- */

#define KILL_ROUNDS 12

static void test_kill(void)
{
	struct kvm_s390_ap_matrix m;
	u8 apm[APMX_MASK_BYTES], aqm[APMX_MASK_BYTES];
	int i, st, bad = 0, killed = 0, started = 0, kvm, vm, rc;
	char buf[128], want[64];
	pid_t pid;

	tb_mask1(apm, A);
	mask_of(aqm, D, ND);
	/* claimed once, every queue is bound to apmatrix (holder "free") */
	kvm = tb_open_kvm();
	vm = tb_create_vm(kvm);
	rc = tb_set(vm, apm, aqm, NULL, -1, &m);
	close(vm);
	close(kvm);
	check(rc == 0 && !wait_holders(ND, "free", buf, sizeof(buf)),
	      "kill: all of %02x claimed and released once (errno %d)", A, rc);
	srand(time(NULL));
	for (i = 0; i < KILL_ROUNDS; i++) {
		struct pollfd pfd;
		int ready[2];
		char c;

		/* the child says when its first SET succeeded */
		if (pipe(ready)) {
			check(0, "kill: pipe (errno %d)", errno);
			return;
		}
		pid = fork();
		if (pid == 0) {
			close(ready[0]);
			kvm = tb_open_kvm();
			vm = kvm < 0 ? -1 : tb_create_vm(kvm);
			if (vm < 0)
				_exit(3);
			for (;;) {
				if (!tb_set(vm, apm, aqm, NULL, -1, &m) &&
				    ready[1] >= 0) {
					if (write(ready[1], "s", 1) != 1)
						_exit(4);
					close(ready[1]);
					ready[1] = -1;
				}
				ioctl(vm, KVM_S390_CLEAR_AP_MATRIX, 0);
			}
		}
		close(ready[1]);
		pfd.fd = ready[0];
		pfd.events = POLLIN;
		if (pid > 0 && poll(&pfd, 1, 10000) == 1 &&
		    read(ready[0], &c, 1) == 1)
			started++;
		close(ready[0]);
		/* then killed at a random point of its SET/CLEAR loop */
		usleep(20000 + rand() % 300000);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			killed++;
		if (wait_holders(ND, "free", buf, sizeof(buf)))
			bad++;
	}
	check(killed == KILL_ROUNDS && started == KILL_ROUNDS && !bad,
	      "kill: %d VMMs killed in a SET/CLEAR loop after their first successful SET (%d reported one), after each every queue of %02x is free (%d not)",
	      killed, started, A, bad);

	/*
	 * A VM closed with queues held.  Only the creator's mm may issue VM
	 * ioctls (kvm_vm_ioctl(): kvm->mm != current->mm is EIO), but a
	 * child forked after the SET keeps the VM alive with its copy of
	 * the fd: the queues go when the last reference does.
	 */
	kvm = tb_open_kvm();
	vm = tb_create_vm(kvm);
	rc = tb_set(vm, apm, aqm, NULL, -1, &m);
	snprintf(want, sizeof(want), "vm ");
	check(rc == 0 && !wait_holders(ND, want, buf, sizeof(buf)),
	      "kill: a VM holds all of %02x ('%s', errno %d)", A, buf, rc);
	{
		int go[2];
		char c;

		if (pipe(go))
			return;
		pid = fork();
		if (pid == 0) {
			close(go[1]);
			if (read(go[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		close(go[0]);
		close(vm);
		usleep(200000);
		snprintf(want, sizeof(want), "vm ");
		check(!wait_holders(ND, want, buf, sizeof(buf)),
		      "kill: the creator closed its fd, a child's copy keeps the VM and its queues ('%s')",
		      buf);
		close(go[1]);
		waitpid(pid, &st, 0);
	}
	check(!wait_holders(ND, "free", buf, sizeof(buf)),
	      "kill: the last VM fd closed with queues held: every queue of %02x is free",
	      A);
	for (i = 0; i < (int)ND; i++) {
		snprintf(buf, sizeof(buf), "%02x.%04x", A, D[i]);
		if (wait_driver(buf, "apmatrix"))
			bad++;
	}
	check(!bad, "kill: the freed queues stay bound to apmatrix");

	vm = tb_create_vm(kvm);
	rc = tb_set(vm, apm, aqm, NULL, -1, &m);
	snprintf(want, sizeof(want), "vm ");
	check(rc == 0 && !memcmp(m.effective.aqm, aqm, APMX_MASK_BYTES) &&
	      !wait_holders(ND, want, buf, sizeof(buf)),
	      "kill: a new VM claims all of them (errno %d %s)", rc,
	      tb_refusal_str(&m.refusal));
	close(vm);
	close(kvm);
	check(!wait_holders(ND, "free", buf, sizeof(buf)),
	      "kill: and gives them back on close");
}

static void usage(void)
{
	fprintf(stderr, "usage: scen-vm --adapters LIST --domains LIST\n");
	exit(2);
}

int main(int argc, char **argv)
{
	u8 apm[APMX_MASK_BYTES] = { 0 }, aqm[APMX_MASK_BYTES] = { 0 };
	unsigned int d;
	int rc, bad = 0;

	tb_suite = "vm";
	rc = tb_host_lists(argc, argv, "scen-vm", apm, aqm);
	if (rc == -1)
		usage();
	if (rc)
		return 2;
	A = apmx_mask_last(apm);
	apmx_for_each_id(d, aqm)
		if (ND < 4)
			D[ND++] = d;
	if (A >= APMX_NR_IDS || ND < 3) {
		fprintf(stderr, "scen-vm: needs an adapter and 3 domains\n");
		return 2;
	}

	rc = tb_adapter_free(A, D, ND, &bad);
	check(!rc && !bad, "setup: apmask -%u frees adapter %02x (rc %d)", A,
	      A, rc);

	test_race();
	test_grant();
	test_kill();

	rc = tb_adapter_return(A, D, ND, &bad);
	check(!rc && !bad,
	      "cleanup: apmask +%u gives every queue of %02x back to cex4queue (rc %d)",
	      A, A, rc);
	return tb_finish();
}
