// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: grants -- KVM_S390_CREATE_AP_GRANT on /dev/kvm, sets with
 * KVM_S390_AP_MATRIX_F_GRANT by unprivileged VMMs, and the lifecycle
 * cases: grant closed while the guest runs, VM destroyed first, one grant
 * used by two VMs, a grant covering less than the request.
 */
#include <stdlib.h>
#include <string.h>
#include "ksim-test.h"

static long grant(const char *apm, const char *aqm, const char *adm,
		  struct kvm_s390_ap_grant *g)
{
	memset(g, 0, sizeof(*g));
	ksim_masks(&g->masks, apm, aqm, adm);
	return ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, g);
}

static long set_granted(struct kvm *kvm, int fd, const char *apm,
			const char *aqm, const char *adm,
			struct kvm_s390_ap_matrix *out)
{
	ksim_matrix(out, apm, aqm, adm);
	out->flags = KVM_S390_AP_MATRIX_F_GRANT;
	out->grant_fd = fd;
	return ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, out);
}

static void reserver_is(unsigned int a, unsigned int d, u64 id)
{
	struct apmx_slot s;

	apmx_table_lookup(&apmx_table, a, d, &s);
	if (!id) {
		ck_assert_ptr_null(s.reserver);
		return;
	}
	ck_assert_ptr_nonnull(s.reserver);
	ck_assert_uint_eq(s.reserver->type, KVM_S390_AP_HOLDER_GRANT);
	ck_assert_uint_eq(s.reserver->id, id);
}

START_TEST(create_and_use)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct kvm_s390_ap_grant g;

	ksim_task.tgid = 77;
	ck_assert_int_eq(grant("1-2", "5-6", "7", &g), 0);
	ck_assert_int_ge(g.fd, 3);
	ck_assert_uint_gt(g.grant_id, 0);
	ck_assert_uint_eq(g.refusal.reason, 0);
	reserver_is(1, 5, g.grant_id);
	reserver_is(2, 7, g.grant_id);
	reserver_is(3, 5, 0);
	ck_assert_uint_eq(ksim_table_used(), 6);
	/* the unprivileged VMM takes part of it */
	ksim_cap_sys_admin = false;
	ksim_task.tgid = 88;
	ck_assert_int_eq(set_granted(kvm, g.fd, "1", "5-6", "7", &out), 0);
	ksim_assert_crycb(kvm, &out.requested);
	ck_assert_uint_eq(ksim_user(1, 6)->pid, 88);
	reserver_is(1, 6, g.grant_id);
	/* and grows within it, shrinks, grows again */
	ck_assert_int_eq(set_granted(kvm, g.fd, "1-2", "5-6", "", &out), 0);
	ck_assert_uint_eq(ksim_host.q[1][7].zapq_calls, 1);
	ck_assert_int_eq(set_granted(kvm, g.fd, "2", "6", "", &out), 0);
	/* shrinking needs no grant */
	ck_assert_int_eq(ksim_set(kvm, "", "", "", NULL), 0);
	ck_assert_uint_eq(ksim_table_used(), 6);	/* still reserved */
	ck_assert_int_eq(ksim_close(g.fd), 0);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ck_assert_uint_eq(ksim_open_files(), 0);
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(grant_covering_less_eperm)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct kvm_s390_ap_grant g;

	ck_assert_int_eq(grant("1-2", "5", "", &g), 0);
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(set_granted(kvm, g.fd, "1-3", "5", "", &out), -EPERM);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_NOT_GRANTED, 3, 5,
			  KVM_S390_AP_HOLDER_NONE);
	ck_assert_int_eq(set_granted(kvm, g.fd, "1", "5", "6", &out), -EPERM);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_NOT_GRANTED, 1, 6,
			  KVM_S390_AP_HOLDER_NONE);
	ck_assert_ptr_null(ksim_user(1, 5));
	ck_assert_uint_eq(kvm->set_masks_calls, 0);
	/* a privileged caller with a grant is held to the grant too */
	ksim_cap_sys_admin = true;
	ck_assert_int_eq(set_granted(kvm, g.fd, "1-3", "5", "", &out), -EPERM);
	ck_assert_uint_eq(ksim_table_used(), 2);
	ksim_vm_destroy(kvm);
}
END_TEST

/* reservations are exclusive against guests and other grants */
START_TEST(reservation_conflicts)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct kvm_s390_ap_grant g, h;

	ksim_task.tgid = 55;
	ck_assert_int_eq(grant("1", "5-6", "", &g), 0);
	/* a privileged VMM without the grant */
	ck_assert_int_eq(ksim_set(a, "1", "6", "", &out), -EADDRINUSE);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_RESERVED, 1, 6,
			  KVM_S390_AP_HOLDER_GRANT);
	ck_assert_uint_eq(out.refusal.holder_id, g.grant_id);
	ck_assert_int_eq(out.refusal.holder_pid, 55);
	ck_assert(strstr(ksim_printk_log(), "APQN 01.0006 reserved by a grant, holder grant"));
	/* another grant over the same APQN */
	ck_assert_int_eq(grant("0-1", "6", "", &h), -EADDRINUSE);
	ck_assert_refusal(&h.refusal, KVM_S390_AP_R_RESERVED, 1, 6,
			  KVM_S390_AP_HOLDER_GRANT);
	ck_assert_int_eq(h.fd, -1);
	ck_assert(strstr(ksim_printk_log(), "AP grant refused (-98): APQN 01.0006"));
	/* a grant over an APQN a guest uses */
	ck_assert_int_eq(ksim_set(a, "3", "3", "", NULL), 0);
	ck_assert_int_eq(grant("3", "3", "", &h), -EADDRINUSE);
	ck_assert_refusal(&h.refusal, KVM_S390_AP_R_IN_USE, 3, 3,
			  KVM_S390_AP_HOLDER_VM);
	ck_assert_uint_eq(h.refusal.holder_id, ksim_vm_id(a));
	ck_assert_uint_eq(ksim_table_used(), 3);
	ck_assert_uint_eq(ksim_open_files(), 1);	/* only g */
	ksim_vm_destroy(a);
}
END_TEST

START_TEST(create_grant_bad_input)
{
	struct kvm_s390_ap_grant g;
	unsigned int i;

	if (IS_ENABLED(CONFIG_ZCRYPT)) {
		ksim_host_own("4", "1");
		ck_assert_int_eq(grant("4", "0-1", "", &g), -EADDRNOTAVAIL);
		ck_assert_refusal(&g.refusal, KVM_S390_AP_R_HOST_OWNED, 4, 1,
				  KVM_S390_AP_HOLDER_HOST);
	}
	ksim_host.na = 15;
	ck_assert_int_eq(grant("16", "0", "", &g), -EINVAL);
	ck_assert_uint_eq(g.refusal.reason, KVM_S390_AP_R_ID_RANGE);
	ck_assert_uint_eq(g.refusal.adapter, 16);
	for (i = 0; i < 7; i++) {
		memset(&g, 0, sizeof(g));
		g.reserved[i] = 1;
		ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g),
				 -EINVAL);
	}
	memset(&g, 0, sizeof(g));
	g.flags = 1;
	ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g), -EINVAL);
	ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_GET_AP_MATRIX, &g), -EINVAL);
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(grant("1", "1", "", &g), -EPERM);
	ksim_cap_sys_admin = true;
	ksim_host.ap_instr = false;
	ck_assert_int_eq(grant("1", "1", "", &g), -EOPNOTSUPP);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ck_assert_uint_eq(ksim_open_files(), 0);
}
END_TEST

/* every failure on the way: no fd, no file, no reservation left */
START_TEST(create_grant_faults)
{
	struct kvm_s390_ap_grant g;

	ksim_fail_copy_from_nth(1);
	ck_assert_int_eq(grant("1", "1", "", &g), -EFAULT);
	ksim_fail_copy_to_nth(1);
	ck_assert_int_eq(grant("1", "1", "", &g), -EFAULT);
	ksim_fail_copy_to_nth(2);
	ck_assert_int_eq(grant("1", "1", "", &g), -EFAULT);
	ksim_fail_fd_nth(1);
	ck_assert_int_eq(grant("1", "1", "", &g), -EMFILE);
	ksim_fail_anon_inode_nth(1);
	ck_assert_int_eq(grant("1", "1", "", &g), -ENOMEM);
	shim_slab_fail_nth(1);
	ck_assert_int_eq(grant("1", "1", "", &g), -ENOMEM);
	shim_slab_fail_nth(2);		/* the table row */
	ck_assert_int_eq(grant("1", "1", "", &g), -ENOMEM);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ck_assert_uint_eq(ksim_open_files(), 0);
	ck_assert_int_eq(get_unused_fd_flags(O_CLOEXEC), 3);	/* none leaked */
	put_unused_fd(3);
	/* a refusal whose report cannot be written */
	ck_assert_int_eq(grant("1", "1", "", &g), 0);
	ksim_fail_copy_to_nth(2);
	ck_assert_int_eq(grant("1", "1", "", &g), -EFAULT);
	ck_assert_uint_eq(ksim_open_files(), 1);
}
END_TEST

/* grant closed while the guest runs: the guest keeps its queues */
START_TEST(grant_closed_while_guest_runs)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct kvm_s390_ap_grant g;
	u64 vm_a;

	ck_assert_int_eq(grant("1-2", "5", "", &g), 0);
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(set_granted(a, g.fd, "1-2", "5", "", &out), 0);
	ksim_zapq_counts_clear();	/* count the resets from here on */
	vm_a = ksim_vm_id(a);
	ck_assert_int_eq(ksim_close(g.fd), 0);
	ck_assert_uint_eq(ksim_user(1, 5)->id, vm_a);
	reserver_is(1, 5, 0);
	ksim_assert_crycb(a, &out.requested);
	/* the guest can still keep and shrink, not grow back */
	ck_assert_int_eq(ksim_set(a, "1", "5", "", NULL), 0);
	ck_assert_uint_eq(ksim_host.q[2][5].zapq_calls, 1);
	ck_assert(ksim_table_free(2, 5));
	ck_assert_int_eq(ksim_set(a, "1-2", "5", "", &out), -EPERM);
	/* the stale fd number is no grant any more */
	ck_assert_int_eq(set_granted(a, g.fd, "1-2", "5", "", &out), -EBADF);
	/* a privileged VMM may now take what was given back */
	ksim_cap_sys_admin = true;
	ck_assert_int_eq(ksim_set(b, "2", "5", "", NULL), 0);
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
	ck_assert_uint_eq(ksim_table_used(), 0);
}
END_TEST

/* VM destroyed first: the reservation stays, the queues come back clean */
START_TEST(vm_destroyed_before_grant)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct kvm_s390_ap_grant g;

	ck_assert_int_eq(grant("4", "1-2", "", &g), 0);
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(set_granted(a, g.fd, "4", "1-2", "", &out), 0);
	ksim_host.q[4][2].secret = 0x1234;
	ksim_vm_destroy(a);
	ck_assert_ptr_null(ksim_user(4, 2));
	reserver_is(4, 2, g.grant_id);
	ck_assert_uint_eq(ksim_host.q[4][2].secret, 0);
	/* the next VMM with the grant finds it zeroized */
	ck_assert_int_eq(set_granted(b, g.fd, "4", "2", "", &out), 0);
	ck_assert_uint_eq(ksim_host.q[4][2].secret, 0);
	ksim_vm_destroy(b);
	ck_assert_int_eq(ksim_close(g.fd), 0);
	ck_assert_uint_eq(ksim_table_used(), 0);
}
END_TEST

/* one grant, two VMs: each takes its part; overlaps are refused */
START_TEST(one_grant_two_vms)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct kvm_s390_ap_grant g;

	ck_assert_int_eq(grant("1-2", "5-6", "", &g), 0);
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(set_granted(a, g.fd, "1", "5-6", "", &out), 0);
	ck_assert_int_eq(set_granted(b, g.fd, "2", "5-6", "", &out), 0);
	ck_assert_int_eq(set_granted(b, g.fd, "1-2", "6", "", &out),
			 -EADDRINUSE);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_IN_USE, 1, 6,
			  KVM_S390_AP_HOLDER_VM);
	ck_assert_uint_eq(out.refusal.holder_id, ksim_vm_id(a));
	ck_assert_uint_eq(ksim_table_used(), 4);
	ksim_vm_destroy(a);
	ck_assert_int_eq(set_granted(b, g.fd, "1-2", "6", "", &out), 0);
	ksim_vm_destroy(b);
}
END_TEST

static int closing_fd = -1;

static void close_grant(unsigned int apid, unsigned int apqi)
{
	ksim_host.on_zapq = NULL;
	ck_assert_int_eq(ksim_close(closing_fd), 0);
	/* the set in flight still holds the file: nothing released yet */
	ck_assert_uint_eq(ksim_open_files(), 1);
}

/* the grant fd is closed by another thread in the middle of a set */
START_TEST(grant_closed_during_set)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct kvm_s390_ap_grant g;

	ck_assert_int_eq(grant("1", "1-2", "", &g), 0);
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(set_granted(a, g.fd, "1", "1-2", "", &out), 0);
	closing_fd = g.fd;
	ksim_host.on_zapq = close_grant;
	ck_assert_int_eq(set_granted(a, g.fd, "1", "1", "", &out), 0);
	ck_assert_uint_eq(ksim_open_files(), 0);
	ck_assert_ptr_nonnull(ksim_user(1, 1));
	reserver_is(1, 1, 0);
	ck_assert(ksim_table_free(1, 2));
	ksim_vm_destroy(a);
}
END_TEST

/* Format 2: a grant of adapters above 63 and domains above 15 works. */
START_TEST(grant_format2_high_ids)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *f1 = ksim_vm_create(CRYCB_FORMAT1);
	struct kvm_s390_ap_matrix out;
	struct kvm_s390_ap_grant g;

	ck_assert_int_eq(grant("64,200", "16,255", "17", &g), 0);
	reserver_is(64, 16, g.grant_id);
	reserver_is(200, 255, g.grant_id);
	reserver_is(200, 17, g.grant_id);
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(set_granted(kvm, g.fd, "64,200", "16,255", "17",
				     &out), 0);
	ksim_assert_crycb(kvm, &out.requested);
	ck_assert_ptr_nonnull(ksim_user(200, 255));
	ck_assert_ptr_nonnull(ksim_user(64, 17));
	/* a format-1 guest cannot address them: the limit, not the grant */
	ck_assert_int_eq(set_granted(f1, g.fd, "200", "255", "", &out),
			 -EINVAL);
	ck_assert_uint_eq(out.refusal.reason, KVM_S390_AP_R_ID_RANGE);
	ksim_vm_destroy(kvm);
	ksim_vm_destroy(f1);
	ck_assert_int_eq(ksim_close(g.fd), 0);
}
END_TEST

/*
 * A file that is not a grant is refused by its type, whatever its
 * private data: here a forged grant that "reserves" everything.
 */
static const struct file_operations forged_fops;

START_TEST(grant_fd_checked_by_file_type)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct apmx_grant *forged = calloc(1, sizeof(*forged));
	int fd;

	forged->owner.type = KVM_S390_AP_HOLDER_GRANT;
	forged->owner.id = 999;
	fd = get_unused_fd_flags(O_CLOEXEC);
	fd_install(fd, anon_inode_getfile("kvm-ap-grant", &forged_fops,
					  forged, O_RDWR));
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(set_granted(kvm, fd, "1", "1", "", &out), -EBADF);
	ck_assert_ptr_null(ksim_user(1, 1));
	/* nor a closed or never opened fd */
	ck_assert_int_eq(set_granted(kvm, KSIM_MAX_FDS - 1, "1", "1", "", &out),
			 -EBADF);
	ck_assert_int_eq(ksim_close(fd), 0);
	free(forged);
	ksim_vm_destroy(kvm);
}
END_TEST

Suite *ksim_suite_grant(void)
{
	Suite *s = suite_create("grant");
	TCase *tc = ksim_tcase("grant");

	tcase_add_test(tc, create_and_use);
	tcase_add_test(tc, grant_covering_less_eperm);
	tcase_add_test(tc, reservation_conflicts);
	tcase_add_test(tc, create_grant_bad_input);
	tcase_add_test(tc, create_grant_faults);
	tcase_add_test(tc, grant_closed_while_guest_runs);
	tcase_add_test(tc, vm_destroyed_before_grant);
	tcase_add_test(tc, one_grant_two_vms);
	tcase_add_test(tc, grant_closed_during_set);
	tcase_add_test(tc, grant_format2_high_ids);
	tcase_add_test(tc, grant_fd_checked_by_file_type);
	suite_add_tcase(s, tc);
	return s;
}
