// SPDX-License-Identifier: GPL-2.0
/*
 * Test-bed guest tests that need the emulated host's monitor: planted
 * replies, fault knobs, adapters leaving and coming back.  A static s390x
 * program run by /init after testbed.c, in a Linux 6.1 guest of
 * qemu-system-s390x -accel tcg with the s390-ap-emu device.
 *
 *   testbed-hw --adapters LIST --domains LIST [--spare LIST] [--apmatrix]
 *              [--config] [--timing]
 *
 * The monitor is on the host: a request goes out as a console line
 * "testbed-req N VERB ARGS", tests/testbed/host/tb-host.py issues the QMP
 * command and answers "testbed-tb_ack N ok|error ..." into the console's
 * input, which this program reads on stdin (echo off).  The verbs are
 * those of tb-host.py: get/set/setall/sum on queues, prop on the device.
 *
 * LIST as in testbed.c; --spare: adapters the emulated host has but keeps
 * out of its configuration ("removed") at boot, for the scenario that
 * needs many queues.  --apmatrix: the kernel has the series; without it
 * only the AP bus scenarios run (the others are reported as skipped).
 * --config: also the scenarios that change the host's configuration
 * (adapters removed, deconfigured, spare adapters added), each of which
 * needs an AP bus rescan (0.1-0.3 s under TCG while the spare adapters stay
 * out, see docs/testing.md); scripts/testbed passes it by default.  --timing:
 * the parallel reset of many queues, after the one rescan that brings
 * in the spare adapters (run first, before any other change).
 * Prints "ok N - hw: ..." / "not ok N - hw: ..." and a last line
 * "testbed-hw: P passed, F failed".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <asm/kvm_ap_matrix.h>

#include "tb.h"
#include "tbmon.h"

#define AP_DRIVERS	"/sys/bus/ap/drivers"
/*
 * ZAPQs per queue before quarantine: APMX_ZEROIZE_TRIES of the kernel's
 * ap-matrix.h (a kernel header), passed by scripts/testbed with -D from the
 * header of the kernel under test
 */
#ifndef APMX_ZEROIZE_TRIES
#error "APMX_ZEROIZE_TRIES: build with -DAPMX_ZEROIZE_TRIES=N (scripts/testbed)"
#endif
#define ZEROIZE_TRIES	APMX_ZEROIZE_TRIES
/* the bytes the tests plant: a type-86 reply header and a marker */
#define PLANT_HEX	"00860000000000007e57a11ce0000001"

static int config_changes, timing;
static int kvm_fd = -1;

/* the value of "key=" in a state line, -1 if absent */
static long kv(const char *state, const char *key)
{
	char k[32];
	const char *p;

	snprintf(k, sizeof(k), " %s=", key);
	p = strstr(state, k);
	if (!p) {
		snprintf(k, sizeof(k), "%s=", key);
		if (strncmp(state, k, strlen(k)))
			return -1;
		p = state - 1;
	}
	return strtol(p + strlen(k), NULL, 0);
}

/* the state line of queue @q (after "ok "), "" if the request failed */
static const char *qget(const char *q)
{
	static char st[sizeof(tb_ack)];
	const char *a = tb_req("get %s", q);

	if (!tb_req_ok(a)) {
		printf("# get %s: %s\n", q, a);
		return "";
	}
	snprintf(st, sizeof(st), "%s", a + 3);
	return st;
}

static long qval(const char *q, const char *key)
{
	return kv(qget(q), key);
}

static int qset(const char *q, const char *knobs)
{
	const char *a = tb_req("set %s %s", q, knobs);

	if (!tb_req_ok(a))
		printf("# set %s %s: %s\n", q, knobs, a);
	return tb_req_ok(a) ? 0 : -1;
}

static int prop(const char *name, const char *value)
{
	const char *a = tb_req("prop %s %s", name, value);

	if (!tb_req_ok(a))
		printf("# prop %s %s: %s\n", name, value, a);
	return tb_req_ok(a) ? 0 : -1;
}

/*
 * The adapters the emulated host keeps out of its configuration besides
 * those a scenario removes: the spare adapters (--spare) until the timing
 * scenario brings them in.  Every rescan that finds another 64 adapters
 * with 4 domains costs minutes under TCG (ap_scan_bus() walks the whole
 * bus with bus_find_device() for each of the 256 domains of each card),
 * so a scenario that removes adapter 5 must not bring the spares in.
 */
static char removed_base[64] = "";

/* "removed" := @list (NULL: none) plus removed_base */
static int set_removed(const char *list)
{
	char v[96];

	if (list && removed_base[0])
		snprintf(v, sizeof(v), "%s:%s", list, removed_base);
	else
		snprintf(v, sizeof(v), "%s",
			 list ?: removed_base[0] ? removed_base : "-");
	return prop("removed", v);
}

/* --- sysfs -------------------------------------------------------------- */

/* the "cpu" line of /proc/stat: user nice system idle iowait irq softirq */
static void cpu_ticks(long long *t)
{
	FILE *f = fopen("/proc/stat", "r");

	memset(t, 0, 7 * sizeof(*t));
	if (f) {
		if (fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld", &t[0],
			   &t[1], &t[2], &t[3], &t[4], &t[5], &t[6]) != 7)
			memset(t, 0, 7 * sizeof(*t));
		fclose(f);
	}
}

#define NR_IRQ_LINES 64

/* the interrupt counts of /proc/interrupts, all CPUs summed, by name */
static int irq_counts(char names[][8], long long *cnt)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f)) {	/* CPU0 CPU1 ... */
		fclose(f);
		return 0;
	}
	while (n < NR_IRQ_LINES && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':'), *end;
		long long v;

		if (!p)
			continue;
		*p++ = '\0';
		snprintf(names[n], 8, "%s", line + strspn(line, " "));
		cnt[n] = 0;
		for (;;) {
			v = strtoll(p, &end, 10);
			if (end == p)
				break;
			cnt[n] += v;
			p = end;
		}
		n++;
	}
	fclose(f);
	return n;
}

/*
 * A synchronous AP bus rescan (ap_bus_force_rescan() flushes the work);
 * logs how long it took, where the CPU time went and which interrupts
 * came in meanwhile.
 */
static int rescan(void)
{
	static char na[NR_IRQ_LINES][8], nb[NR_IRQ_LINES][8];
	long long a[7], b[7], ia[NR_IRQ_LINES], ib[NR_IRQ_LINES];
	double t0 = 1e3 * tb_now();
	int rc, i, n;

	n = irq_counts(na, ia);
	cpu_ticks(a);
	rc = write_attr("/sys/bus/ap/scans", "1");
	cpu_ticks(b);
	if (irq_counts(nb, ib) != n)
		n = 0;
	printf("# rescan: %.0f ms (ticks: system %lld irq %lld softirq %lld idle %lld; irqs:",
	       1e3 * tb_now() - t0, b[2] - a[2], b[5] - a[5], b[6] - a[6],
	       b[3] - a[3]);
	for (i = 0; i < n; i++)
		if (ib[i] != ia[i])
			printf(" %s %lld", nb[i], ib[i] - ia[i]);
	printf(")\n");
	return rc;
}

/* the attribute @attr of device @dev, "" if unreadable */
static const char *dev_attr(const char *dev, const char *attr)
{
	static char buf[256];
	char path[256];

	snprintf(path, sizeof(path), AP_DEVICES "/%s/%s", dev, attr);
	if (read_attr(path, buf, sizeof(buf)))
		buf[0] = '\0';
	return buf;
}

static const char *holder(const char *q)
{
	return dev_attr(q, "apmatrix_holder");
}

static int reset_quarantined(const char *q)
{
	return write_attr(AP_DRIVERS "/apmatrix/reset_quarantined", q);
}

/* --- the AP bus and the emulated host, any kernel ---------------------- */

/*
 * The monitor reads what the AP bus's resets clear: a reply planted in a
 * queue bound to cex4queue is gone after the queue's reset attribute
 * (RAPQ, ap_queue.c reset_store()) and after the queue leaves the default
 * driver (ZAPQ, ap_queue.c ap_queue_remove()).
 */
static void test_bus_resets(unsigned int a, unsigned int d)
{
	char q[16], path[256], buf[256];
	const char *st;
	long rapqs, zapqs;
	int i, rc;

	snprintf(q, sizeof(q), "%02x.%04x", a, d);
	st = qget(q);
	check(kv(st, "rc") == 0 && kv(st, "replies") == 0 &&
	      kv(st, "tapqs") > 0,
	      "monitor reads %s: rc 00, empty, TAPQs seen: '%s'", q, st);

	rc = qset(q, "plant=" PLANT_HEX);
	st = qget(q);
	check(!rc && kv(st, "replies") == 1 && kv(st, "planted") == 1 &&
	      kv(st, "status") == 0x40000000 && strstr(st, "sizes=16 "),
	      "monitor plants a 16-byte reply in %s (status R, not E): '%s'",
	      q, st);
	rc = qset(q, "plant=zz");
	check(rc && qval(q, "replies") == 1,
	      "monitor refuses a malformed plant and changes nothing: '%s'",
	      tb_ack);

	rapqs = kv(st, "rapqs");
	snprintf(path, sizeof(path), AP_DEVICES "/%s/reset", q);
	rc = write_attr(path, "1");
	for (i = 0; i < 50; i++) {
		if (!read_attr(path, buf, sizeof(buf)) &&
		    !strcmp(buf, "No Reset Timer set."))
			break;
		usleep(100000);
	}
	st = qget(q);
	check(!rc && kv(st, "replies") == 0 && kv(st, "rapqs") > rapqs,
	      "the AP bus's reset attribute (RAPQ) empties %s: '%s'", q, st);

	/* ZAPQ when the queue leaves cex4queue */
	qset(q, "plant=" PLANT_HEX);
	zapqs = qval(q, "zapqs");
	snprintf(buf, sizeof(buf), "-%u", a);
	rc = write_attr("/sys/bus/ap/apmask", buf);
	check(!rc && !wait_driver(q, "") && qval(q, "replies") == 0 &&
	      qval(q, "zapqs") == zapqs + 1,
	      "apmask %s: %s leaves cex4queue with one ZAPQ, which empties it: '%s'",
	      buf, q, qget(q));
	snprintf(buf, sizeof(buf), "+%u", a);
	rc = write_attr("/sys/bus/ap/apmask", buf);
	check(!rc && !wait_driver(q, "cex4queue"),
	      "apmask %s gives %s back to cex4queue", buf, q);
}

/*
 * The emulated host's adapter state @state ("deconfigured",
 * "checkstopped") set for adapter @a and cleared again: the AP bus keeps
 * @card and queue @q, their sysfs @attr ("config", "chkstop") reads @on,
 * then @off, and @q is bound to cex4queue again.
 */
static void adapter_state_round(unsigned int a, const char *card,
				const char *q, const char *state,
				const char *attr, const char *on,
				const char *off)
{
	char list[16], c[32], qv[32];
	int i, rc;

	snprintf(list, sizeof(list), "%u", a);
	for (i = 0; i < 2; i++) {
		const char *want = i ? off : on;

		rc = prop(state, i ? "-" : list);
		rc = rc ?: rescan();
		/* dev_attr() returns one static buffer: copy each value */
		snprintf(c, sizeof(c), "%s", dev_attr(card, attr));
		snprintf(qv, sizeof(qv), "%s", dev_attr(q, attr));
		check(!rc && dev_exists(q) && !strcmp(c, want) &&
		      !strcmp(qv, want) &&
		      (!i || !wait_driver(q, "cex4queue")),
		      "adapter %u %s%s: %s stays, card %s %s, queue %s %s%s",
		      a, i ? "no longer " : "", state, q, attr, c, attr, qv,
		      i ? ", bound to cex4queue" : "");
	}
}

/*
 * Adapters leave and come back: "removed" takes the adapter out of QCI
 * (the AP bus removes the card and queue devices, ap_scan_adapter()) and
 * back (new devices, probed); "deconfigured" keeps the devices and turns
 * their config off (TAPQ RC 03, ap_scan_domains()), and on again;
 * "checkstopped" keeps them and sets their chkstop (TAPQ RC 04), and
 * clears it again.
 */
static void test_bus_config(unsigned int a, unsigned int d)
{
	char card[16], q[16], list[16];
	int rc;

	snprintf(card, sizeof(card), "card%02x", a);
	snprintf(q, sizeof(q), "%02x.%04x", a, d);
	snprintf(list, sizeof(list), "%u", a);

	rc = set_removed(list);
	rc = rc ?: rescan();
	check(!rc && !dev_exists(card) && !dev_exists(q),
	      "adapter %u removed from the configuration: %s and %s are gone",
	      a, card, q);
	rc = set_removed(NULL);
	rc = rc ?: rescan();
	check(!rc && dev_exists(card) && !wait_driver(q, "cex4queue"),
	      "adapter %u back: %s and %s probed again, %s bound to cex4queue",
	      a, card, q, q);

	adapter_state_round(a, card, q, "deconfigured", "config", "0", "1");
	/* checkstopped (TAPQ RC 04): the devices stay, chkstop on and off */
	adapter_state_round(a, card, q, "checkstopped", "chkstop", "1", "0");
}

/* --- the apmatrix series ------------------------------------------------ */

static int vm_create(void)
{
	return ioctl(kvm_fd, KVM_CREATE_VM, 0);
}

/* SET @alist x @dlist; -errno; the refusal in *@m */
static int vm_set(int vm, const char *alist, const char *dlist,
		  struct kvm_s390_ap_matrix *m)
{
	char err[APMX_ERRMSG_LEN];

	memset(m, 0, sizeof(*m));
	if (apmx_idlist_parse(alist, KVM_S390_AP_MAX_ID, m->requested.apm,
			      err, sizeof(err)) ||
	    apmx_idlist_parse(dlist, KVM_S390_AP_MAX_ID, m->requested.aqm,
			      err, sizeof(err))) {
		printf("# vm_set %s x %s: %s\n", alist, dlist, err);
		return -EINVAL;
	}
	return ioctl(vm, KVM_S390_SET_AP_MATRIX, m) ? -errno : 0;
}

static int vm_get(int vm, struct kvm_s390_ap_matrix *m)
{
	memset(m, 0, sizeof(*m));
	return ioctl(vm, KVM_S390_GET_AP_MATRIX, m) ? -errno : 0;
}

static int vm_clear(int vm)
{
	return ioctl(vm, KVM_S390_CLEAR_AP_MATRIX, 0) ? -errno : 0;
}

static int effective_has(int vm, unsigned int a)
{
	struct kvm_s390_ap_matrix m;

	return !vm_get(vm, &m) && apmx_mask_test(m.effective.apm, a);
}

/*
 * ZAPQ on release clears a reply planted through the monitor: the queues
 * a guest gives back (CLEAR, or the VM fd closed) are empty afterwards,
 * a queue nobody released keeps its reply, and the next owner finds
 * nothing (Documentation/s390/ap-matrix.rst, "Queue reset").
 */
static void test_release(unsigned int a, const unsigned int *d)
{
	char q0[16], q1[16], q2[16], al[8], dl[32];
	struct kvm_s390_ap_matrix m;
	long z0, z1, z2;
	int vm, rc;

	snprintf(q0, sizeof(q0), "%02x.%04x", a, d[0]);
	snprintf(q1, sizeof(q1), "%02x.%04x", a, d[1]);
	snprintf(q2, sizeof(q2), "%02x.%04x", a, d[2]);
	snprintf(al, sizeof(al), "%u", a);
	snprintf(dl, sizeof(dl), "%u:%u", d[0], d[1]);

	vm = vm_create();
	rc = vm < 0 ? -errno : vm_set(vm, al, dl, &m);
	check(!rc && !wait_driver(q0, "apmatrix") &&
	      !wait_driver(q1, "apmatrix"),
	      "release: a VM holds %s and %s, bound to apmatrix (rc %d)", q0,
	      q1, rc);
	qset(q0, "plant=" PLANT_HEX);
	qset(q1, "plant=" PLANT_HEX);
	qset(q2, "plant=" PLANT_HEX);
	z0 = qval(q0, "zapqs");
	z1 = qval(q1, "zapqs");
	z2 = qval(q2, "zapqs");
	check(qval(q0, "replies") == 1 && qval(q1, "replies") == 1 &&
	      qval(q2, "replies") == 1,
	      "release: the monitor planted a reply in %s, %s and %s (not held)",
	      q0, q1, q2);
	{
		char drv[64];

		/* released by apmask, claimed by nobody: apmatrix declines it */
		driver_of(q2, drv, sizeof(drv));
		check(dev_exists(q2) && !drv[0],
		      "release: %s, released by apmask but not claimed, is bound to no driver ('%s')",
		      q2, drv);
	}

	rc = vm_clear(vm);
	check(!rc && qval(q0, "replies") == 0 && qval(q1, "replies") == 0 &&
	      qval(q0, "zapqs") > z0 && qval(q1, "zapqs") > z1,
	      "release: KVM_S390_CLEAR_AP_MATRIX zeroizes %s and %s (ZAPQs %ld -> %ld, %ld -> %ld): '%s'",
	      q0, q1, z0, qval(q0, "zapqs"), z1, qval(q1, "zapqs"), qget(q0));
	check(qval(q2, "replies") == 1 && qval(q2, "zapqs") == z2,
	      "release: %s, which nobody released, keeps its reply and saw no ZAPQ",
	      q2);
	check(!strcmp(holder(q0), "free") && !strcmp(holder(q1), "free"),
	      "release: %s and %s are free after the verified reset ('%s')",
	      q0, q1, holder(q0));
	qset(q2, "clear");

	/* the next owner, another VM */
	close(vm);
	vm = vm_create();
	snprintf(dl, sizeof(dl), "%u", d[0]);
	rc = vm < 0 ? -errno : vm_set(vm, al, dl, &m);
	check(!rc && qval(q0, "replies") == 0 &&
	      !strncmp(holder(q0), "vm ", 3),
	      "release: the next owner of %s finds it empty ('%s')", q0,
	      holder(q0));
	qset(q0, "plant=" PLANT_HEX);
	z0 = qval(q0, "zapqs");
	close(vm);
	check(qval(q0, "replies") == 0 && qval(q0, "zapqs") > z0 &&
	      !strcmp(holder(q0), "free"),
	      "release: closing the VM fd zeroizes %s too ('%s')", q0,
	      qget(q0));
}

/*
 * Release a free queue with the fault @knobs: SET, plant a reply, turn
 * the fault on, CLEAR; a fault that lasts quarantines it.  *@z0: its ZAPQ
 * count before the CLEAR, *@t0 (if not NULL) its TAPQ count.
 */
static int quarantine_t(int vm, unsigned int a, unsigned int d,
			const char *knobs, long *z0, long *t0)
{
	struct kvm_s390_ap_matrix m;
	char q[16], al[8], dl[8], k[256];
	int rc;

	snprintf(q, sizeof(q), "%02x.%04x", a, d);
	snprintf(al, sizeof(al), "%u", a);
	snprintf(dl, sizeof(dl), "%u", d);
	snprintf(k, sizeof(k), "plant=%s %s", PLANT_HEX, knobs);
	rc = vm_set(vm, al, dl, &m);
	if (rc) {
		printf("# quarantine %s: set %d reason %u\n", q, rc,
		       m.refusal.reason);
		return rc;
	}
	if (qset(q, k))
		return -EIO;
	*z0 = qval(q, "zapqs");
	if (t0)
		*t0 = qval(q, "tapqs");
	return vm_clear(vm);
}

static int quarantine(int vm, unsigned int a, unsigned int d,
		      const char *knobs, long *z0)
{
	return quarantine_t(vm, a, d, knobs, z0, NULL);
}

/* @what's fault off, reset_quarantined frees @q and its reset empties it */
static void unquarantine(const char *q, const char *what)
{
	int rc;

	qset(q, "faults-off");
	rc = reset_quarantined(q);
	check(!rc && !strcmp(holder(q), "free") && qval(q, "replies") == 0,
	      "%s: fault off, reset_quarantined frees %s and the reset empties it ('%s', rc %d)",
	      what, q, holder(q), rc);
}

/*
 * Faults that end: the release retries (zeroize.c apmx_zq_step(): ZAPQ 05
 * and 07 are retried, TAPQ 02 means "not yet") and verifies the reset, so
 * the queue is free and empty, with exactly the ZAPQs the fault took.  A
 * ZAPQ RC 07 that lasts quarantines after APMX_ZEROIZE_TRIES ZAPQs, any
 * other RC (here 06) at the first.  The knobs are only ever set on queues
 * that apmatrix holds: 6.1's vfio_ap WARNs on them
 * (vfio_ap_ops.c vfio_ap_mdev_reset_queue(): "failed with invalid rc" for
 * ZAPQ 05/07, "unable to verify reset" for a slow one).
 */
static void test_finite_faults(unsigned int a, unsigned int d)
{
	static const struct {
		const char *knobs;
		long zapqs, min_tapqs;
	} ok[] = {
		{ "zapq-busy=3", 4, 1 },
		{ "reset-polls=5", 1, 6 },
		{ "zapq-rc=07,3", 4, 1 },
	};
	char q[16], needle[128];
	long z0, t0;
	unsigned int i;
	int vm, rc, kmsg;

	snprintf(q, sizeof(q), "%02x.%04x", a, d);
	vm = vm_create();
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		rc = quarantine_t(vm, a, d, ok[i].knobs, &z0, &t0);
		check(!rc && !strcmp(holder(q), "free") &&
		      qval(q, "replies") == 0 &&
		      qval(q, "zapqs") - z0 == ok[i].zapqs &&
		      qval(q, "tapqs") - t0 >= ok[i].min_tapqs,
		      "faults: %s ends: %s verified and '%s' after %ld ZAPQs (want %ld) and %ld TAPQs (want >= %ld), empty (rc %d)",
		      ok[i].knobs, q, holder(q), qval(q, "zapqs") - z0,
		      ok[i].zapqs, qval(q, "tapqs") - t0, ok[i].min_tapqs,
		      rc);
		qset(q, "faults-off clear");
	}

	kmsg = tb_kmsg_open();
	rc = quarantine(vm, a, d, "zapq-rc=07", &z0);
	snprintf(needle, sizeof(needle),
		 "AP queue %s: reset not verified, queue quarantined (out of ZAPQs, last RC 07)",
		 q);
	check(!rc && !strcmp(holder(q), "quarantined") &&
	      qval(q, "replies") == 1 &&
	      qval(q, "zapqs") - z0 == ZEROIZE_TRIES && tb_kmsg_find(kmsg, needle),
	      "faults: ZAPQ RC 07 always: %s '%s' after %ld ZAPQs (want %d), its reply kept, the log says so (rc %d)",
	      q, holder(q), qval(q, "zapqs") - z0, ZEROIZE_TRIES, rc);
	unquarantine(q, "faults: ZAPQ RC 07");

	rc = quarantine(vm, a, d, "zapq-rc=06,1", &z0);
	snprintf(needle, sizeof(needle),
		 "AP queue %s: reset not verified, queue quarantined (ZAPQ RC 06)",
		 q);
	check(!rc && !strcmp(holder(q), "quarantined") &&
	      qval(q, "replies") == 1 && qval(q, "zapqs") - z0 == 1 &&
	      tb_kmsg_find(kmsg, needle),
	      "faults: ZAPQ RC 06 (not retried): %s '%s' after %ld ZAPQ, the log says so (rc %d)",
	      q, holder(q), qval(q, "zapqs") - z0, rc);
	unquarantine(q, "faults: ZAPQ RC 06 (used up)");
	if (kmsg >= 0)
		close(kmsg);
	close(vm);
}

/*
 * Na and Nd of the emulated host's QCI (device properties na, nd): the AP
 * bus takes them as its highest ids (ap_bus.c ap_init_qci_info()); with
 * the series a VM's limits are the smaller of them and its CRYCB format's
 * (crycb.c apmx_limits_init()), and a SET beyond them is refused EINVAL,
 * reason ID_RANGE, naming the id (apmx_check_limits()).
 */
static void test_limits(int apmatrix, unsigned int a, unsigned int d)
{
	struct kvm_s390_ap_matrix m;
	const char *v;
	char al[8], dl[8];
	long na, nd;
	int vm, rc;

	v = tb_req("prop na");
	na = tb_req_ok(v) ? strtol(v + 3, NULL, 0) : -1;
	v = tb_req("prop nd");
	nd = tb_req_ok(v) ? strtol(v + 3, NULL, 0) : -1;
	check(na >= 0 && na < 255 && nd >= 0 && nd < 255 &&
	      read_long("/sys/bus/ap/ap_max_adapter_id") == na &&
	      read_long("/sys/bus/ap/ap_max_domain_id") == nd,
	      "limits: the host's QCI Na %ld Nd %ld are the AP bus's ap_max_adapter_id %ld and ap_max_domain_id %ld",
	      na, nd, read_long("/sys/bus/ap/ap_max_adapter_id"),
	      read_long("/sys/bus/ap/ap_max_domain_id"));
	if (!apmatrix || na < 0 || na >= 255 || nd < 0 || nd >= 255)
		return;
	vm = vm_create();
	rc = vm_get(vm, &m);
	check(!rc && m.crycb_format == 2 && m.max_adapter == na &&
	      m.max_domain == nd,
	      "limits: a VM's limits are Na and Nd: format %u max_adapter %u max_domain %u (rc %d)",
	      m.crycb_format, m.max_adapter, m.max_domain, rc);
	snprintf(al, sizeof(al), "%ld", na + 1);
	snprintf(dl, sizeof(dl), "%u", d);
	rc = vm_set(vm, al, dl, &m);
	check(rc == -EINVAL && m.refusal.reason == KVM_S390_AP_R_ID_RANGE &&
	      m.refusal.field == KVM_S390_AP_FIELD_ADAPTER &&
	      m.refusal.adapter == na + 1 && apmx_mask_empty(m.effective.apm),
	      "limits: SET of adapter %s (beyond Na) refused EINVAL, ID_RANGE, adapter %u (rc %d reason %u field %u)",
	      al, m.refusal.adapter, rc, m.refusal.reason, m.refusal.field);
	snprintf(al, sizeof(al), "%u", a);
	snprintf(dl, sizeof(dl), "%ld", nd + 1);
	rc = vm_set(vm, al, dl, &m);
	check(rc == -EINVAL && m.refusal.reason == KVM_S390_AP_R_ID_RANGE &&
	      m.refusal.field == KVM_S390_AP_FIELD_DOMAIN &&
	      m.refusal.domain == nd + 1,
	      "limits: SET of domain %s (beyond Nd) refused EINVAL, ID_RANGE, domain %u (rc %d reason %u field %u)",
	      dl, m.refusal.domain, rc, m.refusal.reason, m.refusal.field);
	close(vm);
}

/*
 * Quarantine: a released queue whose reset cannot be verified is never
 * handed on; once the fault is gone, the documented ways out free it:
 * reset_quarantined, a privileged set, a new probe.
 */
static void test_quarantine(unsigned int a, unsigned int d)
{
	char q[16], al[8], dl[8], buf[16];
	struct kvm_s390_ap_matrix m;
	long z0;
	int vm, vm2, rc, err;

	snprintf(q, sizeof(q), "%02x.%04x", a, d);
	snprintf(al, sizeof(al), "%u", a);
	snprintf(dl, sizeof(dl), "%u", d);
	vm = vm_create();
	vm2 = vm_create();

	/* 1. ZAPQ busy forever */
	rc = quarantine(vm, a, d, "zapq-busy=never", &z0);
	check(!rc && !strcmp(holder(q), "quarantined") &&
	      qval(q, "replies") == 1 &&
	      qval(q, "zapqs") - z0 == ZEROIZE_TRIES,
	      "quarantine: ZAPQ always busy (RC 05): %s '%s' after %ld ZAPQs, its reply still there (rc %d)",
	      q, holder(q), qval(q, "zapqs") - z0, rc);
	rc = vm_set(vm2, al, dl, &m);
	check(rc == -EIO && m.refusal.reason == KVM_S390_AP_R_QUARANTINED &&
	      m.refusal.adapter == a && m.refusal.domain == d &&
	      m.refusal.holder_type == KVM_S390_AP_HOLDER_QUARANTINE,
	      "quarantine: a privileged SET retries and is refused with EIO naming %02x.%04x (rc %d reason %u holder %u)",
	      m.refusal.adapter, m.refusal.domain, rc, m.refusal.reason,
	      m.refusal.holder_type);
	snprintf(buf, sizeof(buf), "+%u", a);
	rc = write_attr("/sys/bus/ap/apmask", buf);
	check(rc == -EBUSY,
	      "quarantine: apmask %s is vetoed while %s is quarantined (rc %d)",
	      buf, q, rc);
	rc = reset_quarantined(q);
	check(rc == -EIO && !strcmp(holder(q), "quarantined"),
	      "quarantine: reset_quarantined with the fault still on fails with EIO, the reset not verified (rc %d)",
	      rc);
	unquarantine(q, "quarantine: ZAPQ busy");

	/* 2. a reset that never completes (TAPQ answers 02 forever) */
	rc = quarantine(vm, a, d, "reset-polls=never", &z0);
	check(!rc && !strcmp(holder(q), "quarantined") &&
	      qval(q, "resetting") == 1 && qval(q, "replies") == 1,
	      "quarantine: a reset that never completes: %s '%s' (rc %d)", q,
	      holder(q), rc);
	qset(q, "faults-off");
	z0 = qval(q, "zapqs");
	rc = vm_set(vm2, al, dl, &m);
	err = rc;
	check(!rc && apmx_mask_test(m.effective.apm, a) &&
	      qval(q, "zapqs") > z0 &&
	      qval(q, "replies") == 0 && !strncmp(holder(q), "vm ", 3),
	      "quarantine: fault off, a privileged SET retries (ZAPQs %ld -> %ld), gets %s and finds it empty (rc %d reason %u)",
	      z0, qval(q, "zapqs"), q, err, m.refusal.reason);
	vm_clear(vm2);

	if (!config_changes)
		goto out;
	/* 3. gone while held (ZAPQ RC 01 from a queue that was there) */
	rc = vm_set(vm, al, dl, &m);
	qset(q, "plant=" PLANT_HEX);
	rc = rc ?: set_removed(al);
	rc = rc ?: rescan();
	check(!rc && !dev_exists(q) && !effective_has(vm, a),
	      "quarantine: adapter %u removed while a VM holds %s: gone, unplugged from the VM",
	      a, q);
	rc = vm_clear(vm);
	err = vm_set(vm2, al, dl, &m);
	check(!rc && err == -EIO &&
	      m.refusal.reason == KVM_S390_AP_R_QUARANTINED,
	      "quarantine: released while away (ZAPQ RC 01), %s is quarantined: SET refused (rc %d reason %u)",
	      q, err, m.refusal.reason);
	check(qval(q, "replies") == 1,
	      "quarantine: the removed adapter's queue still holds the reply (the emulated worst case)");
	rc = set_removed(NULL);
	rc = rc ?: rescan();
	check(!rc && !wait_driver(q, "apmatrix") &&
	      !strcmp(holder(q), "free") && qval(q, "replies") == 0,
	      "quarantine: adapter %u back: the probe resets %s, free and empty ('%s')",
	      a, q, holder(q));
out:
	close(vm);
	close(vm2);
}

/*
 * An adapter leaves the configuration while a VM holds it: unplugged
 * from the VM's effective matrix (its requested one unchanged), plugged
 * back when it returns, reset when the VM gives it back.  Deconfigured
 * in place (config off), the AP bus keeps the devices: then a release
 * cannot reset (ZAPQ RC 03) and quarantines, and reset_quarantined is the
 * way out once the adapter is configured again.
 */
static void test_offline(unsigned int a, unsigned int d)
{
	char q[16], al[8], dl[8];
	struct kvm_s390_ap_matrix m;
	int vm, rc;

	snprintf(q, sizeof(q), "%02x.%04x", a, d);
	snprintf(al, sizeof(al), "%u", a);
	snprintf(dl, sizeof(dl), "%u", d);
	vm = vm_create();
	rc = vm_set(vm, al, dl, &m);
	check(!rc && effective_has(vm, a) && !wait_driver(q, "apmatrix"),
	      "offline: a VM holds %s, adapter %u in its effective matrix (rc %d)",
	      q, a, rc);
	qset(q, "plant=" PLANT_HEX);
	rc = set_removed(al);
	rc = rc ?: rescan();
	vm_get(vm, &m);
	check(!rc && !dev_exists(q) && !apmx_mask_test(m.effective.apm, a) &&
	      apmx_mask_test(m.requested.apm, a),
	      "offline: adapter %u removed: unplugged from the effective matrix, still requested",
	      a);
	rc = set_removed(NULL);
	rc = rc ?: rescan();
	check(!rc && !wait_driver(q, "apmatrix") && effective_has(vm, a) &&
	      !strncmp(holder(q), "vm ", 3),
	      "offline: adapter %u back: %s bound to apmatrix, plugged into the VM again ('%s')",
	      a, q, holder(q));
	rc = vm_clear(vm);
	check(!rc && qval(q, "replies") == 0 && !strcmp(holder(q), "free"),
	      "offline: the VM gives %s back: reset, empty, free ('%s')", q,
	      holder(q));

	/* deconfigured in place */
	rc = vm_set(vm, al, dl, &m);
	rc = rc ?: prop("deconfigured", al);
	rc = rc ?: rescan();
	printf("# offline: adapter %u deconfigured (config %s): %s in the VM's effective matrix\n",
	       a, dev_attr(q, "config"), effective_has(vm, a) ? "still" : "not");
	rc = rc ?: vm_clear(vm);
	check(!rc && !strcmp(holder(q), "quarantined"),
	      "offline: released while deconfigured (ZAPQ RC 03): %s '%s'", q,
	      holder(q));
	rc = prop("deconfigured", "-");
	rc = rc ?: rescan();
	check(!rc && !strcmp(holder(q), "quarantined"),
	      "offline: configured again in place, no probe: %s still '%s'", q,
	      holder(q));
	rc = reset_quarantined(q);
	check(!rc && !strcmp(holder(q), "free"),
	      "offline: reset_quarantined frees %s (rc %d, '%s')", q, rc,
	      holder(q));
	close(vm);
}

/*
 * The parallel reset: @spare x @aqm queues (256 with the defaults), each
 * reset taking 20 ms (reset-ms), released at once.  A serial reset would
 * take 256 x 20 ms; zeroize.c issues all ZAPQs, then polls them together.
 */
static void test_timing(const char *spare, const u8 *spm, const u8 *aqm)
{
	char dl[APMX_IDLIST_FMT_LEN], mask[1400], path[64];
	char al[APMX_IDLIST_FMT_LEN];
	struct kvm_s390_ap_matrix m;
	unsigned int a, d, n = 0, present = 0;
	double t0, t_set, t_clear, t_clear0;
	long z_before, z_after;
	const char *s;
	int vm, rc;

	apmx_idlist_format(aqm, dl, sizeof(dl));
	snprintf(al, sizeof(al), "%s", spare);
	/* keep the spare adapters from the default drivers */
	mask[0] = '\0';
	apmx_for_each_id(a, spm)
		snprintf(mask + strlen(mask), sizeof(mask) - strlen(mask),
			 "%s-%u", mask[0] ? "," : "", a);
	rc = write_attr("/sys/bus/ap/apmask", mask);
	rc = rc ?: prop("removed", "-");
	rc = rc ?: rescan();
	removed_base[0] = '\0';	/* the spares are in the configuration now */
	apmx_for_each_id(a, spm)
		apmx_for_each_id(d, aqm) {
			snprintf(path, sizeof(path), "%02x.%04x", a, d);
			n++;
			present += dev_exists(path);
		}
	check(!rc && n && present == n,
	      "timing: %u spare queues (%s x %s) in the configuration (rc %d)",
	      present, al, dl, rc);
	if (!n || present != n)
		return;

	s = tb_req("setall %s %s reset-ms=20", al, dl);
	vm = vm_create();
	t0 = 1e3 * tb_now();
	rc = vm_set(vm, al, dl, &m);
	t_set = 1e3 * tb_now() - t0;
	check(!rc && tb_req_ok(s),
	      "timing: SET of %u queues whose resets take 20 ms each: %.0f ms (rc %d reason %u at %02x.%04x)",
	      n, t_set, rc, m.refusal.reason, m.refusal.adapter,
	      m.refusal.domain);
	s = tb_req("sum %s %s", al, dl);
	z_before = kv(s + 3, "zapqs");
	t0 = 1e3 * tb_now();
	rc = vm_clear(vm);
	t_clear = 1e3 * tb_now() - t0;
	s = tb_req("sum %s %s", al, dl);
	z_after = kv(s + 3, "zapqs");
	check(!rc && z_after - z_before == n && kv(s + 3, "replies") == 0,
	      "timing: CLEAR releases %u queues with one ZAPQ each (%ld)", n,
	      z_after - z_before);
	check(!rc && t_clear >= 20 && t_clear < 1000,
	      "timing: releasing %u queues with 20 ms resets took %.0f ms (>= 20: the resets took their time; < 1000: in parallel, a serial reset takes %u ms)",
	      n, t_clear, n * 20);
	printf("# timing: %u queues x 20 ms released in %.0f ms: %s the 100 ms of issue 12\n",
	       n, t_clear, t_clear <= 100 ? "within" : "above");

	tb_req("setall %s %s reset-ms=0", al, dl);
	rc = vm_set(vm, al, dl, &m);
	t0 = 1e3 * tb_now();
	rc = rc ?: vm_clear(vm);
	t_clear0 = 1e3 * tb_now() - t0;
	check(!rc, "timing: the same release with instant resets: %.0f ms (the emulation's own cost)",
	      t_clear0);
	printf("# timing: set %.0f ms, clear %.0f ms (20 ms resets), clear %.0f ms (instant)\n",
	       t_set, t_clear, t_clear0);
	close(vm);
}

static void test_apmatrix(const u8 *apm, const u8 *aqm, const char *spare,
			  const u8 *spm)
{
	unsigned int a = apmx_mask_last(apm), d[4], i = 0, apqi;
	char buf[16], q[16];
	int rc;

	apmx_for_each_id(apqi, aqm)
		if (i < 4)
			d[i++] = apqi;
	if (i < 4) {
		check(0, "apmatrix scenarios need 4 domains, the host has %u", i);
		return;
	}
	kvm_fd = open("/dev/kvm", O_RDWR);
	check(kvm_fd >= 0, "/dev/kvm opens (errno %d)", kvm_fd < 0 ? errno : 0);
	if (kvm_fd < 0)
		return;

	/* adapter a leaves the default drivers for all of these */
	snprintf(buf, sizeof(buf), "-%u", a);
	snprintf(q, sizeof(q), "%02x.%04x", a, d[0]);
	rc = write_attr("/sys/bus/ap/apmask", buf);
	check(!rc && !wait_driver(q, ""), "apmask %s releases adapter %u", buf,
	      a);

	/* first: its rescan is the guest's first configuration change */
	if (timing && spare)
		test_timing(spare, spm, aqm);
	else
		printf("# skip: the timing scenario adds the spare adapters (--timing --spare)\n");
	test_release(a, d);
	test_finite_faults(a, d[1]);
	test_quarantine(a, d[1]);
	test_limits(1, a, d[2]);
	if (config_changes)
		test_offline(a, d[3]);
	else
		printf("# skip: the offline scenario changes the host's configuration (--config)\n");
	close(kvm_fd);

	/* the scenarios after this one find adapter a with the host again */
	snprintf(buf, sizeof(buf), "+%u", a);
	rc = write_attr("/sys/bus/ap/apmask", buf);
	check(!rc && !wait_driver(q, "cex4queue"),
	      "apmask %s gives adapter %u back to the default drivers (rc %d)",
	      buf, a, rc);
}

static void usage(void)
{
	fprintf(stderr, "usage: testbed-hw --adapters LIST --domains LIST "
		"[--spare LIST] [--apmatrix] [--config] [--timing]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	u8 apm[APMX_MASK_BYTES] = { 0 }, aqm[APMX_MASK_BYTES] = { 0 };
	u8 spm[APMX_MASK_BYTES] = { 0 };
	char err[APMX_ERRMSG_LEN];
	const char *spare = NULL;
	int i, apmatrix = 0, have_a = 0, have_d = 0;

	tb_suite = "hw";
	for (i = 1; i < argc; i++) {
		u8 *mask = NULL;

		if (!strcmp(argv[i], "--apmatrix")) {
			apmatrix = 1;
			continue;
		}
		if (!strcmp(argv[i], "--config")) {
			config_changes = 1;
			continue;
		}
		if (!strcmp(argv[i], "--timing")) {
			timing = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--adapters")) {
			mask = apm;
			have_a = 1;
		} else if (!strcmp(argv[i], "--domains")) {
			mask = aqm;
			have_d = 1;
		} else if (!strcmp(argv[i], "--spare")) {
			mask = spm;
			spare = argv[i + 1];
		} else {
			usage();
		}
		if (apmx_idlist_parse(argv[++i], KVM_S390_AP_MAX_ID, mask, err,
				      sizeof(err))) {
			fprintf(stderr, "testbed-hw: %s: %s\n", argv[i - 1], err);
			return 2;
		}
	}
	if (!have_a || !have_d)
		usage();
	if (spare && !*spare)
		spare = NULL;
	if (spare)	/* scripts/testbed boots the host with them removed */
		snprintf(removed_base, sizeof(removed_base), "%s", spare);

	/* how long a scan takes before any request */
	rescan();
	tb_mon_init();
	if (!tb_req_ok(tb_req("get %02x.%04x", apmx_mask_next(apm, 0),
			apmx_mask_next(aqm, 0)))) {
		check(0, "the host answers monitor requests: '%s'", tb_ack);
		goto out;
	}
	check(1, "the host answers monitor requests");

	test_bus_resets(apmx_mask_next(apm, 0), apmx_mask_next(aqm, 0));
	if (apmatrix)
		test_apmatrix(apm, aqm, spare, spm);
	else
		printf("# skip: the release, fault, quarantine, offline, timing and VM limit scenarios need the apmatrix series\n");
	if (!apmatrix)
		test_limits(0, apmx_mask_next(apm, 0), apmx_mask_next(aqm, 0));
	if (config_changes)
		test_bus_config(apmx_mask_last(apm), apmx_mask_next(aqm, 0));
	else
		printf("# skip: adapters removed and deconfigured (--config)\n");
out:
	return tb_finish();
}
