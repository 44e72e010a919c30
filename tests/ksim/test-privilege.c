// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: what an unprivileged VMM can do with the AP matrix ioctls, as an
 * attacker would try it.  A grant gives exactly the APQNs and the kinds
 * (usage, control) it reserves; no grant is a key to anything else; a
 * caller without CAP_SYS_ADMIN learns nothing about APQNs outside its
 * grant, and nobody learns a pid outside its own pid namespace; every
 * sleeping lock of a set gives way to a fatal signal.
 */
#include <stdlib.h>
#include <string.h>
#include "ksim-test.h"
#include "ksim-task.h"
#include "ksim-ap-bus.h"

static int grant_fd(const char *apm, const char *aqm, const char *adm)
{
	struct kvm_s390_ap_grant g;
	bool cap = ksim_cap_sys_admin;

	memset(&g, 0, sizeof(g));
	ksim_masks(&g.masks, apm, aqm, adm);
	ksim_cap_sys_admin = true;
	ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g), 0);
	ksim_cap_sys_admin = cap;
	return g.fd;
}

static long set_with(struct kvm *kvm, int fd, const char *apm,
		     const char *aqm, const char *adm,
		     struct kvm_s390_ap_matrix *out)
{
	ksim_matrix(out, apm, aqm, adm);
	if (fd >= 0) {
		out->flags = KVM_S390_AP_MATRIX_F_GRANT;
		out->grant_fd = fd;
	}
	return ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, out);
}

/* the refusal names the APQN, not granted, and nobody */
static void assert_not_granted(const struct kvm_s390_ap_matrix *out,
			       unsigned int a, unsigned int d)
{
	ck_assert_refusal(&out->refusal, KVM_S390_AP_R_NOT_GRANTED, a, d,
			  KVM_S390_AP_HOLDER_NONE);
	ck_assert_int_eq(out->refusal.holder_pid, 0);
	ck_assert_uint_eq(out->refusal.holder_id, 0);
}

/* Point 1: a grant of control domain 4 on adapter 5 is no usage queue. */
START_TEST(control_grant_is_not_usage)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out, before;
	int g = grant_fd("5", "", "4");

	ksim_cap_sys_admin = false;
	ksim_get(kvm, &before);
	ck_assert_int_eq(set_with(kvm, g, "5", "4", "", &out), -EPERM);
	assert_not_granted(&out, 5, 4);
	/* usage and control at once: still not usage */
	ck_assert_int_eq(set_with(kvm, g, "5", "4", "4", &out), -EPERM);
	assert_not_granted(&out, 5, 4);
	ck_assert(ksim_table_free(5, 4) == false);	/* still reserved */
	ck_assert_ptr_null(ksim_user(5, 4));
	ksim_get(kvm, &out);
	ck_assert_mem_eq(&out.requested, &before.requested,
			 sizeof(out.requested));
	/* what it grants, it gives */
	ck_assert_int_eq(set_with(kvm, g, "5", "", "4", &out), 0);
	ck_assert_ptr_nonnull(ksim_user(5, 4));
	ksim_assert_crycb(kvm, &out.requested);
	/* a usage grant is no control domain either */
	{
		int u = grant_fd("6", "1", "");

		ck_assert_int_eq(set_with(kvm, u, "6", "", "1", &out), -EPERM);
		assert_not_granted(&out, 6, 1);
		ck_assert_int_eq(ksim_close(u), 0);
	}
	ksim_vm_destroy(kvm);
	ck_assert_int_eq(ksim_close(g), 0);
	ck_assert_uint_eq(ksim_table_used(), 0);
}
END_TEST

/*
 * Point 2: holding 05.0004 as control only, the unprivileged VMM may not
 * use it for usage -- neither without a grant nor with any grant that
 * does not reserve it for usage.
 */
START_TEST(any_grant_is_no_key)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	int g = grant_fd("5", "", "4"), other = grant_fd("6", "1", "");

	ksim_cap_sys_admin = false;
	ck_assert_int_eq(set_with(kvm, g, "5", "", "4", &out), 0);
	ck_assert_int_eq(set_with(kvm, -1, "5", "4", "4", &out), -EPERM);
	assert_not_granted(&out, 5, 4);
	ck_assert_int_eq(set_with(kvm, other, "5", "4", "4", &out), -EPERM);
	assert_not_granted(&out, 5, 4);
	ck_assert_int_eq(set_with(kvm, other, "5,6", "1,4", "4", &out), -EPERM);
	assert_not_granted(&out, 5, 1);
	/* the guest still has exactly 05.0004 as control */
	ksim_get(kvm, &out);
	{
		struct kvm_s390_ap_masks m;

		ksim_masks(&m, "5", "", "4");
		ck_assert_mem_eq(&out.requested, &m, sizeof(m));
		ksim_assert_crycb(kvm, &m);
	}
	ksim_vm_destroy(kvm);
	ck_assert_int_eq(ksim_close(g), 0);
	ck_assert_int_eq(ksim_close(other), 0);
}
END_TEST

/*
 * Without a grant, an unprivileged VMM keeps or shrinks, per kind: a
 * usage queue it holds is no control domain it holds.
 */
START_TEST(no_grant_no_new_kind)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;

	ck_assert_int_eq(ksim_set(kvm, "5", "4", "", &out), 0);
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(ksim_set(kvm, "5", "4", "4", &out), -EPERM);
	assert_not_granted(&out, 5, 4);
	/* a new control-only domain on an adapter it has */
	ck_assert_int_eq(ksim_set(kvm, "5", "4", "9", &out), -EPERM);
	assert_not_granted(&out, 5, 9);
	/* keeping is fine, shrinking is fine */
	ck_assert_int_eq(ksim_set(kvm, "5", "4", "", &out), 0);
	ck_assert_int_eq(ksim_set(kvm, "", "", "", &out), 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * Point 3: an unprivileged VMM with a grant probes APQNs of others and
 * learns nothing: NOT_GRANTED before in-use, reserved or resetting, and
 * no holder.
 */
START_TEST(unprivileged_learns_nothing)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	int mine = grant_fd("6", "1", ""), theirs = grant_fd("7", "7", "");

	ksim_task.tgid = 4242;
	ck_assert_int_eq(ksim_set(a, "3", "3,8", "", &out), 0);
	ck_assert_int_eq(ksim_set(a, "3", "3", "", &out), 0);	/* 03.0008 */
	ksim_host.q[3][8].reset_hangs = true;
	ksim_task.tgid = 5151;
	ksim_cap_sys_admin = false;
	/* used by a */
	ck_assert_int_eq(set_with(b, mine, "3", "3", "", &out), -EPERM);
	assert_not_granted(&out, 3, 3);
	/* reserved by another grant */
	ck_assert_int_eq(set_with(b, mine, "7", "7", "", &out), -EPERM);
	assert_not_granted(&out, 7, 7);
	/* without any grant, the same */
	ck_assert_int_eq(set_with(b, -1, "3", "3", "", &out), -EPERM);
	assert_not_granted(&out, 3, 3);
	ck_assert_ptr_null(strstr(ksim_printk_log(), "pid 5151"));
	ksim_cap_sys_admin = true;
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
	ck_assert_int_eq(ksim_close(mine), 0);
	ck_assert_int_eq(ksim_close(theirs), 0);
}
END_TEST

/*
 * Two VMs under one grant: the second is told the APQN is in use and by
 * which VM of that grant, but no pid (it is unprivileged).
 */
START_TEST(unprivileged_no_holder_inside_grant)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	int g = grant_fd("6", "1,2", "");

	ksim_cap_sys_admin = false;
	ksim_task.tgid = 300;
	ck_assert_int_eq(set_with(a, g, "6", "1", "", &out), 0);
	ksim_task.tgid = 301;
	ck_assert_int_eq(set_with(b, g, "6", "1", "", &out), -EADDRINUSE);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_IN_USE, 6, 1,
			  KVM_S390_AP_HOLDER_VM);
	ck_assert_int_eq(out.refusal.holder_pid, 0);
	/* the VM id: b's VMM got the same grant, it may know a's VM */
	ck_assert_uint_eq(out.refusal.holder_id, ksim_vm_id(a));
	/* the kernel log, for the administrator, names the holder */
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(), "(pid 300)"));
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
	ck_assert_int_eq(ksim_close(g), 0);
}
END_TEST

/* Pids in reports are the reader's pid namespace's, or 0. */
START_TEST(holder_pid_in_readers_namespace)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct kvm_s390_ap_grant g;

	/* a's VMM runs in container 1 as pid 7, 4000 on the host */
	ksim_task_enter(4000, 1, 7);
	ck_assert_int_eq(ksim_set(a, "3", "3", "", &out), 0);
	/* an administrator on the host sees the host's number */
	ksim_task_enter(1, 0, 1);
	ck_assert_int_eq(ksim_set(b, "3", "3", "", &out), -EADDRINUSE);
	ck_assert_int_eq(out.refusal.holder_pid, 4000);
	/* a privileged manager in container 1 sees its number there */
	ksim_task_enter(4001, 1, 8);
	ck_assert_int_eq(ksim_set(b, "3", "3", "", &out), -EADDRINUSE);
	ck_assert_int_eq(out.refusal.holder_pid, 7);
	ck_assert_uint_eq(out.refusal.holder_id, ksim_vm_id(a));
	/* one in container 2 does not see it at all */
	ksim_task_enter(5000, 2, 1);
	ck_assert_int_eq(ksim_set(b, "3", "3", "", &out), -EADDRINUSE);
	ck_assert_int_eq(out.refusal.holder_pid, 0);
	/* the same for a grant's refusal */
	memset(&g, 0, sizeof(g));
	ksim_masks(&g.masks, "3", "3", "");
	ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g),
			 -EADDRINUSE);
	ck_assert_int_eq(g.refusal.holder_pid, 0);
	ksim_task_enter(4002, 1, 9);
	ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g),
			 -EADDRINUSE);
	ck_assert_int_eq(g.refusal.holder_pid, 7);
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
}
END_TEST

#if IS_ENABLED(CONFIG_ZCRYPT)
/* sysfs apmatrix_holder: root only, and pids in the reader's namespace */
START_TEST(holder_file_pid_in_readers_namespace)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	char buf[256];

	ksim_task_enter(4000, 1, 7);
	ck_assert_int_eq(ksim_set(a, "3", "3", "", NULL), 0);
	ksim_qdev_add(3, 3, AP_DEVICE_TYPE_CEX7);
	ksim_task_enter(1, 0, 1);
	ck_assert_int_gt(ksim_qdev_attr(3, 3, "apmatrix_holder", buf), 0);
	ck_assert_ptr_nonnull(strstr(buf, "pid 4000 usage"));
	ksim_task_enter(4001, 1, 8);
	ck_assert_int_gt(ksim_qdev_attr(3, 3, "apmatrix_holder", buf), 0);
	ck_assert_ptr_nonnull(strstr(buf, "pid 7 usage"));
	ksim_task_enter(5000, 2, 1);
	ck_assert_int_gt(ksim_qdev_attr(3, 3, "apmatrix_holder", buf), 0);
	ck_assert_ptr_nonnull(strstr(buf, "pid 0 usage"));
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(ksim_qdev_attr(3, 3, "apmatrix_holder", buf),
			 -EACCES);
	ksim_cap_sys_admin = true;
	ksim_vm_destroy(a);
}
END_TEST
#endif

/* Point 5: a VMM killed while it waits for a lock gives way, unchanged. */
START_TEST(set_is_killable)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out, before;
	struct kvm_s390_ap_refusal r;

	ck_assert_int_eq(ksim_set(kvm, "3", "3", "", &out), 0);
	ksim_zapq_counts_clear();	/* count the resets from here on */
	ksim_get(kvm, &before);
	ksim_fatal_signal = true;
	ck_assert_int_eq(ksim_set(kvm, "4", "4", "", &out), -EINTR);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL),
			 -EINTR);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_RESET_AP_QUEUES, &r),
			 -EINTR);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_GET_AP_MATRIX, &out),
			 -EINTR);
	ck_assert_uint_eq(ksim_host.q[3][3].zapq_calls, 0);
	ksim_fatal_signal = false;
	ksim_get(kvm, &out);
	ck_assert_mem_eq(&out.requested, &before.requested,
			 sizeof(out.requested));
	ck_assert_ptr_null(ksim_user(4, 4));
	ksim_vm_destroy(kvm);
}
END_TEST

Suite *ksim_suite_privilege(void)
{
	Suite *s = suite_create("privilege");
	TCase *tc = ksim_tcase("privilege");

	tcase_add_test(tc, control_grant_is_not_usage);
	tcase_add_test(tc, any_grant_is_no_key);
	tcase_add_test(tc, no_grant_no_new_kind);
	tcase_add_test(tc, unprivileged_learns_nothing);
	tcase_add_test(tc, unprivileged_no_holder_inside_grant);
	tcase_add_test(tc, holder_pid_in_readers_namespace);
	tcase_add_test(tc, set_is_killable);
#if IS_ENABLED(CONFIG_ZCRYPT)
	tcase_add_test(tc, holder_file_pid_in_readers_namespace);
#endif
	suite_add_tcase(s, tc);
	return s;
}
