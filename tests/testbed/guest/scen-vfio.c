// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_ap next to the apmatrix ioctls, on the real vfio_ap, mdev and AP
 * bus (issue 9).  Run after vfio, mdev and vfio_ap are loaded.
 *
 * Both kernels (the baseline vfio_ap behaviour the series must keep): a
 * freed adapter's queues are bound by vfio_ap; a mediated device is
 * created and given an adapter and domains; it is removed and apmask gives
 * the queues back to cex4queue.
 *
 * With --apmatrix (Documentation/s390/ap-matrix.rst, "Who owns a queue"):
 *  - a queue bound to vfio_ap is refused by KVM_S390_SET_AP_MATRIX with
 *    EBUSY, reason KVM_S390_AP_R_VFIO_AP, holder vfio_ap, the APQN named;
 *    so is an APQN an mdev controls (adapter x control domain), queue or not;
 *  - unbound from vfio_ap, the queue is claimed and apmatrix binds it;
 *  - vfio_ap is refused on the queue our VM holds: its probe (bind)
 *    fails with EBUSY and the log names the holder; assign_control_domain
 *    and assign_adapter that would let an mdev control it fail with
 *    EADDRINUSE and the log names the APQN; nothing of it is recorded.
 *
 *   scen-vfio --adapters LIST --domains LIST [--apmatrix]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "tb.h"

#define MATRIX "/sys/devices/vfio_ap/matrix"
#define TYPE MATRIX "/mdev_supported_types/vfio_ap-passthrough"
#define UUID1 "6b5d1f0c-5a4e-4b1f-9c2e-000000000001"
#define UUID2 "6b5d1f0c-5a4e-4b1f-9c2e-000000000002"

static int mdev_write(const char *uuid, const char *attr, unsigned int id)
{
	char path[160], val[16];

	snprintf(path, sizeof(path), MATRIX "/%s/%s", uuid, attr);
	snprintf(val, sizeof(val), "%u", id);
	return write_attr(path, val);
}

static int mdev_read(const char *uuid, const char *attr, char *buf,
		     size_t len)
{
	char path[160];

	snprintf(path, sizeof(path), MATRIX "/%s/%s", uuid, attr);
	return read_attr(path, buf, len);
}

static int drv_write(const char *drv, const char *attr, const char *q)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/ap/drivers/%s/%s", drv, attr);
	return write_attr(path, q);
}

int main(int argc, char **argv)
{
	u8 apm[APMX_MASK_BYTES] = { 0 }, aqm[APMX_MASK_BYTES] = { 0 };
	u8 a1[APMX_MASK_BYTES], d1[APMX_MASK_BYTES];
	char err[APMX_ERRMSG_LEN], q[16], q1[16], buf[512], want[64];
	struct kvm_s390_ap_matrix m;
	unsigned int A0, D0, D1, dom, nodom, bad = 0;
	int i, rc, apmatrix = 0, kvm = -1, vm = -1, klog;

	tb_suite = "vfio";
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--apmatrix"))
			apmatrix = 1;
		else if (i + 1 < argc && !strcmp(argv[i], "--adapters"))
			rc = apmx_idlist_parse(argv[++i], KVM_S390_AP_MAX_ID,
					       apm, err, sizeof(err));
		else if (i + 1 < argc && !strcmp(argv[i], "--domains"))
			rc = apmx_idlist_parse(argv[++i], KVM_S390_AP_MAX_ID,
					       aqm, err, sizeof(err));
		else
			rc = -1;
		if (rc) {
			fprintf(stderr, "usage: scen-vfio --adapters LIST --domains LIST [--apmatrix]\n");
			return 2;
		}
	}
	A0 = apmx_mask_next(apm, 0);
	D0 = apmx_mask_next(aqm, 0);
	D1 = apmx_mask_next(aqm, D0 + 1);
	/* a usage domain the host does not have (no queue device) */
	for (nodom = 0; nodom < 16 && apmx_mask_test(aqm, nodom); nodom++)
		;
	if (A0 >= APMX_NR_IDS || D1 >= APMX_NR_IDS) {
		fprintf(stderr, "scen-vfio: needs an adapter and 2 domains\n");
		return 2;
	}
	snprintf(q, sizeof(q), "%02x.%04x", A0, D0);
	snprintf(q1, sizeof(q1), "%02x.%04x", A0, D1);
	klog = tb_kmsg_open();

	check(access("/sys/bus/ap/drivers/vfio_ap", F_OK) == 0 &&
	      access(TYPE "/create", F_OK) == 0,
	      "vfio_ap registered its queue driver and the mdev type vfio_ap-passthrough");

	rc = ap_mask_edit("apmask", '-', A0);
	apmx_for_each_id(dom, aqm) {
		char qq[16];

		snprintf(qq, sizeof(qq), "%02x.%04x", A0, dom);
		if (wait_driver(qq, "vfio_ap"))
			bad++;
	}
	check(!rc && !bad,
	      "apmask -%u: every queue of adapter %02x is bound to vfio_ap (rc %d)",
	      A0, A0, rc);

	rc = write_attr(TYPE "/create", UUID1);
	check(!rc && access(MATRIX "/" UUID1, F_OK) == 0,
	      "an mdev is created (rc %d)", rc);
	rc = mdev_write(UUID1, "assign_adapter", A0);
	rc = rc ? rc : mdev_write(UUID1, "assign_domain", D0);
	snprintf(want, sizeof(want), "%02x.%04x", A0, D0);
	check(!rc && !mdev_read(UUID1, "matrix", buf, sizeof(buf)) &&
	      !strcmp(buf, want),
	      "assign_adapter %u, assign_domain %u: the mdev's matrix is '%s' (rc %d)",
	      A0, D0, buf, rc);

	if (!apmatrix) {
		printf("# vfio: the apmatrix checks are not run: the pristine kernel has no KVM AP matrix\n");
		goto cleanup;
	}

	kvm = tb_open_kvm();
	vm = kvm < 0 ? -1 : tb_create_vm(kvm);
	check(vm >= 0, "a VM to configure (errno %d)", errno);
	if (vm < 0)
		goto cleanup;

	/* a queue bound to vfio_ap and assigned to the mdev */
	tb_mask1(a1, A0);
	tb_mask1(d1, D0);
	rc = tb_set(vm, a1, d1, NULL, -1, &m);
	check(rc == EBUSY && m.refusal.reason == KVM_S390_AP_R_VFIO_AP &&
	      m.refusal.holder_type == KVM_S390_AP_HOLDER_VFIO_AP &&
	      m.refusal.adapter == A0 && m.refusal.domain == D0,
	      "SET of %s (bound to vfio_ap, in an mdev) refused EBUSY, holder vfio_ap: errno %d %s",
	      q, rc, tb_refusal_str(&m.refusal));
	/* bound to vfio_ap, in no mdev */
	tb_mask1(d1, D1);
	rc = tb_set(vm, a1, d1, NULL, -1, &m);
	check(rc == EBUSY && m.refusal.reason == KVM_S390_AP_R_VFIO_AP &&
	      m.refusal.holder_type == KVM_S390_AP_HOLDER_VFIO_AP &&
	      m.refusal.adapter == A0 && m.refusal.domain == D1,
	      "SET of %s (bound to vfio_ap only) refused EBUSY, holder vfio_ap: errno %d %s",
	      q1, rc, tb_refusal_str(&m.refusal));

	/* an APQN the mdev controls, without a queue device */
	if (nodom < 16) {
		rc = mdev_write(UUID1, "assign_control_domain", nodom);
		check(!rc, "assign_control_domain %u (no queue on the host) is accepted (rc %d)",
		      nodom, rc);
		tb_mask1(d1, nodom);
		rc = tb_set(vm, a1, d1, NULL, -1, &m);
		check(rc == EBUSY && m.refusal.reason == KVM_S390_AP_R_VFIO_AP &&
		      m.refusal.holder_type == KVM_S390_AP_HOLDER_VFIO_AP &&
		      m.refusal.adapter == A0 && m.refusal.domain == nodom,
		      "SET of %02x.%04x (an mdev's control domain) refused EBUSY, holder vfio_ap: errno %d %s",
		      A0, nodom, rc, tb_refusal_str(&m.refusal));
		rc = mdev_write(UUID1, "unassign_control_domain", nodom);
		rc = rc ? rc : tb_set(vm, a1, d1, NULL, -1, &m);
		check(!rc, "unassigned, SET of %02x.%04x succeeds (errno %d %s)",
		      A0, nodom, rc, tb_refusal_str(&m.refusal));
	}

	/* unbound from vfio_ap, the queue can be claimed */
	rc = drv_write("vfio_ap", "unbind", q1);
	check(!rc && !wait_driver(q1, ""), "%s unbound from vfio_ap (rc %d)",
	      q1, rc);
	tb_mask1(d1, D1);
	rc = tb_set(vm, a1, d1, NULL, -1, &m);
	check(rc == 0 && apmx_mask_test(m.effective.aqm, D1),
	      "SET of the unbound %s succeeds (errno %d %s)", q1, rc,
	      tb_refusal_str(&m.refusal));
	check(!wait_driver(q1, "apmatrix"), "apmatrix binds %s", q1);

	/* vfio_ap's probe is refused on it */
	rc = drv_write("apmatrix", "unbind", q1);
	check(!rc && !wait_driver(q1, ""),
	      "root unbinds %s from apmatrix while the VM holds it (rc %d)",
	      q1, rc);
	tb_kmsg_find(klog, "");
	rc = drv_write("vfio_ap", "bind", q1);
	snprintf(want, sizeof(want), "AP queue %s not bound to vfio_ap: apmatrix vm", q1);
	check(rc == -EBUSY && !wait_driver(q1, "") && tb_kmsg_find(klog, want),
	      "vfio_ap's bind of the VM's %s fails EBUSY and the log names the VM (rc %d)",
	      q1, rc);
	rc = drv_write("apmatrix", "bind", q1);
	check(!rc && !wait_driver(q1, "apmatrix") &&
	      !read_holder(A0, D1, buf, sizeof(buf)) && !strncmp(buf, "vm ", 3),
	      "bound to apmatrix again, %s is the VM's ('%s', rc %d)", q1, buf, rc);

	/* no mdev may control what the VM uses */
	tb_kmsg_find(klog, "");
	rc = mdev_write(UUID1, "assign_control_domain", D1);
	snprintf(want, sizeof(want), "AP queue %s not given to a vfio_ap mdev", q1);
	snprintf(q, sizeof(q), "%04x", D1);
	i = mdev_read(UUID1, "control_domains", buf, sizeof(buf));
	check(rc == -EADDRINUSE && tb_kmsg_find(klog, want) && !i &&
	      !strstr(buf, q),
	      "assign_control_domain %u on the mdev with adapter %u fails EADDRINUSE, the log names %s, not recorded (rc %d, control_domains '%s')",
	      D1, A0, q1, rc, buf);
	rc = write_attr(TYPE "/create", UUID2);
	rc = rc ? rc : mdev_write(UUID2, "assign_control_domain", D1);
	check(!rc, "a second mdev takes control domain %u without adapters (rc %d)",
	      D1, rc);
	rc = mdev_write(UUID2, "assign_adapter", A0);
	i = mdev_read(UUID2, "matrix", buf, sizeof(buf));
	check(rc == -EADDRINUSE && !i && !strlen(buf),
	      "then assign_adapter %u fails EADDRINUSE, the mdev's matrix stays empty (rc %d, '%s')",
	      A0, rc, buf);
	rc = mdev_write(UUID2, "remove", 1);
	check(!rc, "the second mdev is removed (rc %d)", rc);

	/* the VM gives it back: vfio_ap may control it now */
	close(vm);
	vm = -1;
	if (!read_holder(A0, D1, buf, sizeof(buf)))
		printf("# %s: apmatrix_holder '%s'\n", q1, buf);
	rc = mdev_write(UUID1, "assign_control_domain", D1);
	check(!rc, "after the VM is gone assign_control_domain %u succeeds (rc %d)",
	      D1, rc);

cleanup:
	if (vm >= 0)
		close(vm);
	if (kvm >= 0)
		close(kvm);
	rc = mdev_write(UUID1, "remove", 1);
	check(!rc && access(MATRIX "/" UUID1, F_OK),
	      "the mdev is removed (rc %d)", rc);
	rc = ap_mask_edit("apmask", '+', A0);
	bad = 0;
	apmx_for_each_id(dom, aqm) {
		char qq[16];

		snprintf(qq, sizeof(qq), "%02x.%04x", A0, dom);
		if (wait_driver(qq, "cex4queue"))
			bad++;
	}
	check(!rc && !bad,
	      "apmask +%u gives every queue of adapter %02x back to cex4queue (rc %d)",
	      A0, A0, rc);
	return tb_finish();
}
