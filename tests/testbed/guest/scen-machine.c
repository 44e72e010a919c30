// SPDX-License-Identifier: GPL-2.0
/*
 * Test-bed scenario "machine": under TCG the machine's AP matrix
 * (-machine s390-ccw-virtio,ap-adapters=...,ap-domains=...,
 * ap-control-domains=..., and QMP set-s390-ap-matrix) is what the guest
 * sees.  A static s390x program run by /init in a Linux 6.1 guest of
 * qemu-system-s390x -accel tcg with the s390-ap-emu device; the emulated
 * adapters take the matrix for the guest's CRYCB (tests/testbed/qemu/
 * 0005-*.patch).  Changes go through the host's QMP monitor (tbmon.h,
 * tests/testbed/host/tb-host.py verbs matrix, matrix-get, events) and
 * reach the guest's AP bus with the AP configuration-change event, which
 * makes 6.1's AP bus rescan (drivers/s390/cio/chsc.c
 * chsc_process_sei_ap_cfg_chg() -> ap_bus_cfg_chg()); without the event
 * the AP bus would only see a change at its next periodic scan
 * (ap_config_time), which the scenario sets to 120 s first, so a view
 * that changes within EVENT_MS is one the event brought.
 *
 *   scen-machine --adapters LIST --domains LIST --hidden LIST
 *                --boot-adapters LIST --boot-domains LIST
 *                --boot-control LIST
 *
 * --adapters/--domains: the emulated host's adapters and domains in the
 * configuration that the suites use; --hidden: adapters the host also has
 * that the boot matrix (--boot-*, as scripts/testbed passes them to
 * -machine) leaves out.  Prints "ok N - machine: ..." per check and a last
 * line "testbed-machine: P passed, F failed".
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb.h"
#include "tbmon.h"

/* the longest a change may take to show: well below ap_config_time */
#define EVENT_MS	10000

static u8 host_a[APMX_MASK_BYTES], host_d[APMX_MASK_BYTES];
static u8 boot_a[APMX_MASK_BYTES], boot_d[APMX_MASK_BYTES];
static u8 boot_c[APMX_MASK_BYTES];

/* the id list text of @mask, "-" for the empty set (static buffer) */
static const char *ids(const u8 *mask, int which)
{
	static char buf[4][256];

	if (apmx_mask_empty(mask))
		return "-";
	apmx_idlist_format(mask, buf[which & 3], sizeof(buf[0]));
	return buf[which & 3];
}

/*
 * Whether the guest's /sys/bus/ap/devices holds exactly a card for every
 * adapter of @a and a queue for every APQN of @a x @d (the expected view,
 * already cut to what the host has); on a mismatch *@why names the first
 * device too many or missing.
 */
static int view_is(const u8 *a, const u8 *d, char *why, size_t len)
{
	u8 seen_a[APMX_MASK_BYTES] = { 0 };
	unsigned int apid, apqi, n_q = 0, want_q;
	struct dirent *e;
	DIR *dir = opendir(AP_DEVICES);

	if (!dir) {
		snprintf(why, len, "no %s", AP_DEVICES);
		return 0;
	}
	while ((e = readdir(dir))) {
		if (sscanf(e->d_name, "card%2x", &apid) == 1 &&
		    strlen(e->d_name) == 6) {
			if (!apmx_mask_test(a, apid)) {
				snprintf(why, len, "%s is there", e->d_name);
				closedir(dir);
				return 0;
			}
			apmx_mask_set(seen_a, apid);
		} else if (sscanf(e->d_name, "%2x.%4x", &apid, &apqi) == 2) {
			if (!apmx_mask_test(a, apid) ||
			    !apmx_mask_test(d, apqi)) {
				snprintf(why, len, "%s is there", e->d_name);
				closedir(dir);
				return 0;
			}
			n_q++;
		}
	}
	closedir(dir);
	for (apid = 0; apid <= KVM_S390_AP_MAX_ID; apid++)
		if (apmx_mask_test(a, apid) && !apmx_mask_test(seen_a, apid)) {
			snprintf(why, len, "card%02x is missing", apid);
			return 0;
		}
	want_q = apmx_mask_weight(a) * apmx_mask_weight(d);
	if (n_q != want_q) {
		snprintf(why, len, "%u queues, want %u", n_q, want_q);
		return 0;
	}
	snprintf(why, len, "%u cards, %u queues", apmx_mask_weight(a), n_q);
	return 1;
}

/*
 * Wait up to @ms for the view of matrix @a x @d, control domains @c (each
 * cut to what the host has)
 * in /sys/bus/ap/devices and the AP bus's QCI masks.  Return the time it
 * took in ms, or -1 (then @why says what was still wrong).
 */
static double wait_view(const u8 *a, const u8 *d, const u8 *c, double ms,
			char *why, size_t len)
{
	u8 va[APMX_MASK_BYTES], vd[APMX_MASK_BYTES], vc[APMX_MASK_BYTES];
	u8 ma[APMX_MASK_BYTES], md[APMX_MASK_BYTES], mc[APMX_MASK_BYTES];
	u8 cards[APMX_MASK_BYTES];
	double t0 = 1e3 * tb_now();

	/*
	 * what the host has: host_a (with the hidden adapters), host_d; the
	 * emulated host controls the domains it uses (QCI ADM = AQM).  As with
	 * a CRYCB, empty lists give the guest nothing.
	 */
	apmx_mask_and(va, a, host_a);
	apmx_mask_and(vd, d, host_d);
	apmx_mask_and(vc, c, host_d);
	/*
	 * a card only for an adapter with a usage domain: 6.1 ap_bus.c
	 * ap_scan_adapter() finds its type with a TAPQ on one of them
	 */
	memset(cards, 0, sizeof(cards));
	if (!apmx_mask_empty(vd))
		memcpy(cards, va, sizeof(cards));
	for (;;) {
		if (view_is(cards, vd, why, len)) {
			if (read_mask("ap_adapter_mask", ma) ||
			    read_mask("ap_usage_domain_mask", md) ||
			    read_mask("ap_control_domain_mask", mc)) {
				snprintf(why, len, "AP bus masks unreadable");
			} else if (memcmp(ma, va, sizeof(ma)) ||
				   memcmp(md, vd, sizeof(md)) ||
				   memcmp(mc, vc, sizeof(mc))) {
				snprintf(why, len,
					 "QCI masks: adapters %s domains %s control %s",
					 ids(ma, 0), ids(md, 1), ids(mc, 2));
			} else {
				return 1e3 * tb_now() - t0;
			}
		}
		if (1e3 * tb_now() - t0 > ms)
			return -1;
		usleep(20000);
	}
}

/* the value of "key=" in the host's answer, "" if absent (static) */
static const char *field(const char *answer, const char *key)
{
	static char buf[256];
	char k[48];
	const char *p;
	size_t n;

	snprintf(k, sizeof(k), " %s=", key);
	p = strstr(answer, k);
	buf[0] = '\0';
	if (!p)
		return buf;
	p += strlen(k);
	n = strcspn(p, " ");
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/* whether the host's matrix-get answer field @key is the set @mask */
static int field_is(const char *answer, const char *key, const u8 *mask)
{
	const char *v = field(answer, key);
	u8 got[APMX_MASK_BYTES] = { 0 };
	char err[APMX_ERRMSG_LEN];

	if (!strcmp(v, "-"))
		return apmx_mask_empty(mask);
	if (apmx_idlist_parse(v, KVM_S390_AP_MAX_ID, got, err, sizeof(err)))
		return 0;
	return !memcmp(got, mask, sizeof(got));
}

/* whether id list @list has @id */
static int list_has(const char *list, unsigned int id)
{
	u8 m[APMX_MASK_BYTES] = { 0 };
	char err[APMX_ERRMSG_LEN];

	return !apmx_idlist_parse(list, KVM_S390_AP_MAX_ID, m, err,
				  sizeof(err)) && apmx_mask_test(m, id);
}

static long events(void)
{
	const char *a = tb_req("events S390_AP_MATRIX_CHANGED");

	return tb_req_ok(a) ? strtol(a + 3, NULL, 10) : -1;
}

/* set the matrix with one set-s390-ap-matrix, wait for the guest's view */
static void change(const char *what, const u8 *a, const u8 *d, const u8 *c,
		   long *ev)
{
	char why[160];
	const char *ans;
	double ms;
	long n;

	ans = tb_req("matrix %s %s %s", ids(a, 0), ids(d, 1), ids(c, 2));
	if (!tb_req_ok(ans)) {
		check(0, "%s: set-s390-ap-matrix accepted: '%s'", what, ans);
		return;
	}
	ms = wait_view(a, d, c, EVENT_MS, why, sizeof(why));
	check(ms >= 0, "%s: the guest sees matrix adapters %s x domains %s, control %s, cut to the host, within %d ms (%s; took %.0f ms)",
	      what, ids(a, 0), ids(d, 1), ids(c, 2), EVENT_MS, why, ms);
	ans = tb_req("matrix-get");
	check(tb_req_ok(ans) && !strcmp(field(ans, "event-pending"), "false"),
	      "%s: the guest fetched the AP configuration-change event: '%s'",
	      what, ans);
	n = events();
	check(n == *ev + 1, "%s: one S390_AP_MATRIX_CHANGED event (%ld, want %ld)",
	      what, n, *ev + 1);
	*ev = n;
}

static void usage(void)
{
	fprintf(stderr, "usage: scen-machine --adapters LIST --domains LIST --hidden LIST --boot-adapters LIST --boot-domains LIST --boot-control LIST\n");
	exit(2);
}

int main(int argc, char **argv)
{
	u8 hidden[APMX_MASK_BYTES] = { 0 }, a[APMX_MASK_BYTES] = { 0 };
	u8 d[APMX_MASK_BYTES] = { 0 }, c[APMX_MASK_BYTES] = { 0 };
	u8 none[APMX_MASK_BYTES] = { 0 };
	char err[APMX_ERRMSG_LEN], why[160], card[8], got_m[256], ct[24];
	const char *ans;
	unsigned int i, h;
	long ev, n;
	double ms;
	int got = 0, ok;

	tb_suite = "machine";
	for (i = 1; i + 1 < (unsigned int)argc; i += 2) {
		static const char *const opt[] = {
			"--adapters", "--domains", "--hidden",
			"--boot-adapters", "--boot-domains", "--boot-control",
		};
		u8 *const mask[] = { host_a, host_d, hidden, boot_a, boot_d,
				     boot_c };
		unsigned int k;

		for (k = 0; k < 6; k++)
			if (!strcmp(argv[i], opt[k]))
				break;
		if (k == 6)
			usage();
		if (apmx_idlist_parse(argv[i + 1], KVM_S390_AP_MAX_ID, mask[k],
				      err, sizeof(err))) {
			fprintf(stderr, "scen-machine: %s: %s\n", argv[i], err);
			return 2;
		}
		got |= 1 << k;
	}
	if (got != 0x3f || i != (unsigned int)argc)
		usage();
	h = apmx_mask_next(hidden, 0);
	if (h > KVM_S390_AP_MAX_ID || apmx_mask_intersects(hidden, boot_a))
		usage();
	/* the host has the hidden adapters too */
	for (i = 0; i < APMX_MASK_BYTES; i++)
		host_a[i] |= hidden[i];

	tb_mon_init();
	/*
	 * The AP bus's periodic scan at its longest (6.1 ap_bus.c
	 * config_time_store(): 5-120 s, mod_timer()), so that a change seen
	 * within EVENT_MS is one the configuration-change event brought.
	 */
	n = read_long("/sys/bus/ap/config_time");
	check(n > 0 && !write_attr("/sys/bus/ap/config_time", "120"),
	      "the AP bus scans every 120 s (config_time, was %ld)", n);
	snprintf(ct, sizeof(ct), "%ld", n > 0 ? n : 30);
	ans = tb_req("matrix-get");
	check(tb_req_ok(ans) && field_is(ans, "adapters", boot_a) &&
	      field_is(ans, "domains", boot_d) &&
	      field_is(ans, "control-domains", boot_c) &&
	      !strcmp(field(ans, "in-use"), "true"),
	      "query-s390-ap-matrix gives the matrix of -machine: '%s'", ans);
	ev = events();
	check(ev == 0, "no S390_AP_MATRIX_CHANGED event before a change (%ld)", ev);

	/* at boot: what -machine gives, the hidden adapter not at all */
	ms = wait_view(boot_a, boot_d, boot_c, 0, why, sizeof(why));
	check(ms >= 0, "at boot the guest sees exactly the -machine matrix cut to the host (%s)", why);
	ans = tb_req("prop adapters");
	apmx_for_each_id(i, hidden) {
		snprintf(card, sizeof(card), "card%02x", i);
		if (!tb_req_ok(ans) || !list_has(ans + 3, i) || dev_exists(card))
			break;
	}
	check(i == APMX_NR_IDS,
	      "the host has the hidden adapters ('%s'), the guest has no card of them (%s)",
	      ans, i == APMX_NR_IDS ? "none" : card);

	/* one step to other adapters and domains, and other control domains */
	tb_mask1(a, h);
	apmx_mask_set(a, apmx_mask_next(host_a, 0) == h ?
		      apmx_mask_next(host_a, h + 1) : apmx_mask_next(host_a, 0));
	tb_mask1(d, apmx_mask_last(host_d));
	apmx_mask_set(d, apmx_mask_next(host_d, 0) + 1);
	tb_mask1(c, apmx_mask_last(host_d));
	change("hidden adapter in", a, d, c, &ev);

	/* control domains only: no card, no queue, the control domains */
	change("control domains only", none, none, c, &ev);

	/* adapters without domains: no queue, no control domain */
	tb_mask1(a, h);
	change("adapters only", a, none, none, &ev);

	/* the empty matrix: nothing, as with an empty CRYCB */
	change("matrix cleared", none, none, none, &ev);

	/* back to the boot matrix */
	change("boot matrix again", boot_a, boot_d, boot_c, &ev);

	/* a refused change changes nothing and tells nobody */
	ans = tb_req("matrix 256 %s %s", ids(boot_d, 1), ids(boot_c, 2));
	check(!tb_req_ok(ans) && strstr(ans, "256"),
	      "adapter 256 is refused, naming it: '%s'", ans);
	ans = tb_req("matrix-get");
	ok = tb_req_ok(ans) && field_is(ans, "adapters", boot_a);
	snprintf(got_m, sizeof(got_m), "%s", ans);
	n = events();
	check(ok && n == ev && wait_view(boot_a, boot_d, boot_c, 0, why,
					 sizeof(why)) >= 0,
	      "after the refusal the matrix, the guest's view and the events are unchanged ('%s', %ld events, %s)",
	      got_m, n, why);
	if (write_attr("/sys/bus/ap/config_time", ct))
		printf("# config_time not restored to %s\n", ct);
	return tb_finish();
}
