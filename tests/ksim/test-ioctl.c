// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: set / get / clear, their arguments, copy faults, allocation
 * faults, the capability and the CRYCB bytes for formats 0, 1 and 2.
 */
#include <stdlib.h>
#include <string.h>
#include "ksim-test.h"

static const struct kvm_s390_ap_masks no_masks;

START_TEST(set_format2_writes_apcb1_and_table)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out, get;

	ck_assert_int_eq(ksim_set(kvm, "3-4", "1-2", "1-2", &out), 0);
	ck_assert_mem_eq(&out.effective, &out.requested, sizeof(out.effective));
	ck_assert_uint_eq(out.crycb_format, 2);
	ck_assert_uint_eq(out.max_adapter, 255);
	ck_assert_uint_eq(out.max_domain, 255);
	ck_assert_uint_eq(out.refusal.reason, KVM_S390_AP_OK);
	ksim_assert_crycb(kvm, &out.requested);
	/* golden bytes: adapters 3,4 = 0x18 in byte 0; domains 1,2 = 0x60 */
	ck_assert_uint_eq(kvm->crycb_page[0x80], 0x18);
	ck_assert_uint_eq(kvm->crycb_page[0xa0], 0x60);
	ck_assert_uint_eq(kvm->crycb_page[0xc0], 0x60);
	ck_assert_ptr_nonnull(ksim_user(3, 1));
	ck_assert_ptr_eq(ksim_user(3, 1), ksim_user(4, 2));
	ck_assert_uint_eq(ksim_user(4, 2)->pid, 1000);
	ck_assert_ptr_null(ksim_user(5, 1));
	ck_assert_uint_eq(ksim_table_used(), 4);
	ck_assert_ptr_nonnull(kvm->arch.crypto.pqap_hook);
	ck_assert(strstr(ksim_event_log(), "AP matrix set: 2 adapters, 2 domains, 2 control domains"));
	ksim_get(kvm, &get);
	ck_assert_mem_eq(&get.requested, &out.requested, sizeof(get.requested));
	ck_assert_mem_eq(&get.effective, &out.requested, sizeof(get.effective));
	ck_assert_uint_eq(get.crycb_format, 2);
	ck_assert_uint_eq(get.max_adapter, 255);
	ck_assert_uint_eq(get.flags, KVM_S390_AP_MATRIX_F_AQIC);	/* a GISA */
	ck_assert_uint_eq(get.refusal.reason, 0);
	ksim_vm_destroy(kvm);
	ck_assert_uint_eq(ksim_table_used(), 0);
}
END_TEST

/* formats 0 and 1: APCB0 (8 bytes apm, 2 bytes aqm/adm), limits 63/15 */
START_TEST(set_apcb0_formats)
{
	static const u32 bits[] = { CRYCB_FORMAT0, CRYCB_FORMAT1 };
	struct kvm *kvm = ksim_vm_create(bits[_i]);
	struct kvm_s390_ap_matrix out;

	ck_assert_int_eq(ksim_set(kvm, "0:3-4:63", "1-2:15", "0", &out), 0);
	ck_assert_uint_eq(out.crycb_format, _i);
	ck_assert_uint_eq(out.max_adapter, 63);
	ck_assert_uint_eq(out.max_domain, 15);
	ksim_assert_crycb(kvm, &out.requested);
	ck_assert_uint_eq(kvm->crycb_page[0], 0x98);
	ck_assert_uint_eq(kvm->crycb_page[7], 0x01);
	ck_assert_uint_eq(kvm->crycb_page[8], 0x60);
	ck_assert_uint_eq(kvm->crycb_page[9], 0x01);
	ck_assert_uint_eq(kvm->crycb_page[16], 0x80);
	/* APCB1 untouched */
	ck_assert_uint_eq(kvm->crycb_page[0x80], 0);
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(get_before_set)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix get;

	ksim_host.apxa = true;
	ksim_host.na = 85;
	ksim_host.nd = 84;
	ksim_get(kvm, &get);
	ck_assert_mem_eq(&get.requested, &no_masks, sizeof(no_masks));
	ck_assert_mem_eq(&get.effective, &no_masks, sizeof(no_masks));
	ck_assert_uint_eq(get.crycb_format, 2);
	ck_assert_uint_eq(get.max_adapter, 85);
	ck_assert_uint_eq(get.max_domain, 84);
	ck_assert_ptr_null(kvm->arch.crypto.apmx);	/* nothing allocated */
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(set_replaces_whole_matrix)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;

	ck_assert_int_eq(ksim_set(kvm, "1-2", "5-6", "", NULL), 0);
	ksim_zapq_counts_clear();	/* count the resets from here on */
	ck_assert_int_eq(ksim_set(kvm, "2-3", "6", "7", &out), 0);
	ksim_assert_crycb(kvm, &out.requested);
	ck_assert_ptr_null(ksim_user(1, 5));
	ck_assert_ptr_null(ksim_user(1, 6));
	ck_assert_ptr_null(ksim_user(2, 5));
	ck_assert_ptr_nonnull(ksim_user(2, 6));
	ck_assert_ptr_nonnull(ksim_user(3, 6));
	ck_assert_ptr_nonnull(ksim_user(3, 7));	/* control domain */
	ck_assert_uint_eq(ksim_table_used(), 4);
	/* released and new usage queues were reset, kept ones not */
	ck_assert_uint_eq(ksim_host.q[1][5].zapq_calls, 1);
	ck_assert_uint_eq(ksim_host.q[2][5].zapq_calls, 1);
	ck_assert_uint_eq(ksim_host.q[2][6].zapq_calls, 0);
	ck_assert_uint_eq(ksim_host.q[3][6].zapq_calls, 1);
	ck_assert_uint_eq(ksim_host.q[3][7].zapq_calls, 0);	/* control */
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(clear_gives_everything_back)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	u8 zero[128] = { 0 };

	ck_assert_int_eq(ksim_set(kvm, "1-2", "5-6", "5", NULL), 0);
	ksim_zapq_counts_clear();	/* count the resets from here on */
	kvm->clear_masks_calls = 0;
	ksim_host.q[2][6].secret = 0x5ec;
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ck_assert_mem_eq(kvm->crycb_page + 0x80, zero, 128);
	ck_assert_ptr_null(kvm->arch.crypto.pqap_hook);
	ck_assert_uint_eq(ksim_host.q[2][6].secret, 0);
	ck_assert_uint_eq(ksim_host.q[2][6].zapq_calls, 1);
	ck_assert_uint_eq(kvm->clear_masks_calls, 1);
	/* a second clear does nothing at all */
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_uint_eq(kvm->clear_masks_calls, 1);
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(clear_without_state_allocates_nothing)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;

	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_int_eq(ksim_set(kvm, "", "", "", &out), 0);
	ck_assert_ptr_null(kvm->arch.crypto.apmx);
	ck_assert_uint_eq(kvm->clear_masks_calls + kvm->set_masks_calls, 0);
	ck_assert_uint_eq(out.crycb_format, 2);
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(set_empty_removes_hook)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);

	ck_assert_int_eq(ksim_set(kvm, "1", "1", "", NULL), 0);
	ck_assert_ptr_nonnull(kvm->arch.crypto.pqap_hook);
	ck_assert_int_eq(ksim_set(kvm, "", "", "", NULL), 0);
	ck_assert_ptr_null(kvm->arch.crypto.pqap_hook);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/* every reserved word and every undefined flag: EINVAL, nothing changes */
START_TEST(reserved_and_flags_einval)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix a;
	unsigned int i;

	ck_assert_int_eq(ksim_set(kvm, "1", "1", "", NULL), 0);
	for (i = 0; i < 8; i++) {
		ksim_matrix(&a, "2", "2", "");
		a.reserved[i] = 1ULL << (i * 8);
		ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, &a),
				 -EINVAL);
	}
	for (i = 1; i < 32; i++) {
		ksim_matrix(&a, "2", "2", "");
		a.flags = 1U << i;
		ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, &a),
				 -EINVAL);
	}
	/* F_GRANT with a fd that is not a grant */
	ksim_matrix(&a, "2", "2", "");
	a.flags = KVM_S390_AP_MATRIX_F_GRANT;
	a.grant_fd = 7;
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, &a),
			 -EBADF);
	a.grant_fd = ksim_open_other();
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, &a),
			 -EBADF);
	ck_assert_int_eq(ksim_close(a.grant_fd), 0);
	a.grant_fd = -1;
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, &a),
			 -EBADF);
	ck_assert_ptr_null(ksim_user(2, 2));
	ck_assert_ptr_nonnull(ksim_user(1, 1));
	ck_assert_uint_eq(ksim_table_used(), 1);
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(output_fields_on_input_ignored)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix a;

	ksim_matrix(&a, "1", "1", "");
	memset(&a.effective, 0xff, sizeof(a.effective));
	memset(&a.refusal, 0xff, sizeof(a.refusal));
	a.crycb_format = 7;
	a.grant_fd = 12;
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, &a), 0);
	ck_assert_mem_eq(&a.effective, &a.requested, sizeof(a.effective));
	ck_assert_uint_eq(a.refusal.reason, 0);
	ck_assert_uint_eq(a.refusal.adapter, 0);
	ck_assert_uint_eq(a.crycb_format, 2);
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(copy_faults)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix a, get;
	struct kvm_s390_ap_refusal r;

	ck_assert_int_eq(ksim_set(kvm, "1", "1", "", NULL), 0);
	/* input unreadable */
	ksim_fail_copy_from_nth(1);
	ck_assert_int_eq(ksim_set(kvm, "2", "2", "", NULL), -EFAULT);
	ck_assert_ptr_null(ksim_user(2, 2));
	/* output unwritable: refused before anything changes */
	ksim_fail_copy_to_nth(1);
	ck_assert_int_eq(ksim_set(kvm, "2", "2", "", NULL), -EFAULT);
	ck_assert_ptr_null(ksim_user(2, 2));
	ck_assert_ptr_nonnull(ksim_user(1, 1));
	/* output vanished during the call: the set stands, EFAULT */
	ksim_fail_copy_to_nth(2);
	ck_assert_int_eq(ksim_set(kvm, "2", "2", "", NULL), -EFAULT);
	ck_assert_ptr_nonnull(ksim_user(2, 2));
	ksim_zapq_counts_clear();	/* count the resets from here on */

	/* a refusal whose report cannot be written keeps its errno */
	{
		struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);

		ksim_fail_copy_to_nth(2);
		ck_assert_int_eq(ksim_set(b, "2", "2", "", &a), -EADDRINUSE);
		ksim_vm_destroy(b);
	}
	ksim_fail_copy_to_nth(1);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_GET_AP_MATRIX, &get),
			 -EFAULT);
	ksim_fail_copy_to_nth(1);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_RESET_AP_QUEUES, &r),
			 -EFAULT);
	ck_assert_uint_eq(ksim_host.q[2][2].zapq_calls, 0);
	ksim_fail_copy_to_nth(2);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_RESET_AP_QUEUES, &r),
			 -EFAULT);
	ck_assert_uint_eq(ksim_host.q[2][2].zapq_calls, 1);
	ksim_vm_destroy(kvm);
}
END_TEST

/* fail each allocation of a set in turn: ENOMEM and nothing changed */
START_TEST(allocation_faults)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix a;
	unsigned long n, total;
	long rc;

	shim_slab_reset();
	ck_assert_int_eq(ksim_set(kvm, "1", "1", "", NULL), 0);
	total = shim_slab_allocs();
	ck_assert_uint_ge(total, 2);	/* state + one table row */
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ksim_vm_destroy(kvm);
	for (n = 1; n <= total + 2; n++) {
		kvm = ksim_vm_create(CRYCB_FORMAT2);
		ck_assert_int_eq(ksim_set(kvm, "7", "7", "", NULL), 0);
		shim_slab_reset();
		shim_slab_fail_nth(n);
		ksim_matrix(&a, "1-3", "1", "");
		rc = ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, &a);
		if (shim_slab_failed()) {
			ck_assert_int_eq(rc, -ENOMEM);
			ck_assert_ptr_null(ksim_user(1, 1));
			ck_assert_ptr_nonnull(ksim_user(7, 7));
			ck_assert_uint_eq(ksim_table_used(), 1);
		} else {
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_eq(ksim_table_used(), 3);
		}
		shim_slab_reset();
		ksim_vm_destroy(kvm);
	}
	/* the very first allocation (the VM's state) */
	kvm = ksim_vm_create(CRYCB_FORMAT2);
	shim_slab_fail_nth(1);
	ck_assert_int_eq(ksim_set(kvm, "1", "1", "", &a), -ENOMEM);
	ck_assert_ptr_null(kvm->arch.crypto.apmx);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(capability_and_no_ap)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix a;

	ck_assert_int_eq(kvm_s390_apmx_available(), 1);
	ksim_host.ap_instr = false;
	ck_assert_int_eq(kvm_s390_apmx_available(), 0);
	ck_assert_int_eq(ksim_set(kvm, "1", "1", "", NULL), -EOPNOTSUPP);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_GET_AP_MATRIX, &a),
			 -EOPNOTSUPP);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL),
			 -EOPNOTSUPP);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * Point 4: without the apmatrix queue driver nothing vetoes apmask/aqmask
 * edits, so the capability reads 0 and nothing can be set or granted;
 * what a guest has can still be read, reset and given back.
 */
START_TEST(no_veto_no_matrix)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_grant g;
	struct kvm_s390_ap_matrix a;
	struct kvm_s390_ap_refusal r;

	ck_assert_int_eq(ksim_set(kvm, "1", "1", "", NULL), 0);
	kvm_s390_apmx_qdrv_exit();
	ck_assert(!apmx_qdrv_ready() || !IS_ENABLED(CONFIG_ZCRYPT));
	if (IS_ENABLED(CONFIG_ZCRYPT)) {
		ck_assert_int_eq(kvm_s390_apmx_available(), 0);
		ck_assert_int_eq(ksim_set(kvm, "1-2", "1", "", NULL),
				 -EOPNOTSUPP);
		ck_assert_ptr_null(ksim_user(2, 1));
		memset(&g, 0, sizeof(g));
		ksim_masks(&g.masks, "3", "3", "");
		ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g),
				 -EOPNOTSUPP);
		ck_assert(ksim_table_free(3, 3));
	}
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_GET_AP_MATRIX, &a), 0);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_RESET_AP_QUEUES, &r), 0);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(unknown_ioctl_enotty)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);

	ck_assert_int_eq(ksim_ioctl(kvm, _IO(KVMIO, 0xd3), NULL), -ENOTTY);
	ksim_vm_destroy(kvm);
}
END_TEST

static struct kvm *order_vm;
static unsigned int order_zapqs;

/* at the ZAPQ of a queue, the guest's CRYCB does not have it (yet) */
static void crycb_without_queue(unsigned int apid, unsigned int apqi)
{
	const u8 *apcb1 = order_vm->crycb_page + KSIM_APCB1_OFFSET;
	bool apm = apcb1[apid / 8] & (0x80 >> (apid % 8));
	bool aqm = apcb1[32 + apqi / 8] & (0x80 >> (apqi % 8));

	order_zapqs++;
	ck_assert_msg(!(apm && aqm),
		      "ZAPQ of %02x.%04x while the guest sees it",
		      apid, apqi);
}

/* The CRYCB drops a queue before its ZAPQ, never after. */
START_TEST(crycb_drops_queue_before_zapq)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;

	ck_assert_int_eq(ksim_set(kvm, "3,5", "3,4", "", &out), 0);
	order_vm = kvm;
	order_zapqs = 0;
	ksim_host.on_zapq = crycb_without_queue;
	/* shrink by a domain, then by an adapter, then clear */
	ck_assert_int_eq(ksim_set(kvm, "3,5", "3", "", &out), 0);
	ck_assert_int_eq(ksim_set(kvm, "3", "3", "", &out), 0);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ksim_host.on_zapq = NULL;
	ck_assert_uint_ge(order_zapqs, 4);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * Point 11: a queue that comes from the host's drivers, from vfio_ap or
 * was a control domain only is reset before the guest sees it; what the
 * guest kept stays in its CRYCB meanwhile.
 */
START_TEST(new_queues_reset_before_guest_sees_them)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct kvm_s390_ap_masks kept;

	ck_assert_int_eq(ksim_set(kvm, "3", "3", "4", &out), 0);
	ksim_host.q[3][3].secret = 0x33;	/* the guest's own */
	ksim_host.q[5][3].secret = 0x53;	/* left by the host */
	ksim_host.q[3][4].secret = 0x34;	/* control domain so far */
	ksim_zapq_counts_clear();
	order_vm = kvm;
	order_zapqs = 0;
	ksim_host.on_zapq = crycb_without_queue;
	ck_assert_int_eq(ksim_set(kvm, "3,5", "3-4", "4", &out), 0);
	ksim_host.on_zapq = NULL;
	ck_assert_uint_eq(order_zapqs, 3);	/* 3.4, 5.3, 5.4 */
	ck_assert_uint_eq(ksim_host.q[5][3].secret, 0);
	ck_assert_uint_eq(ksim_host.q[3][4].secret, 0);
	ck_assert_uint_eq(ksim_host.q[3][3].secret, 0x33);
	ck_assert_uint_eq(ksim_host.q[3][3].zapq_calls, 0);
	ksim_assert_crycb(kvm, &out.requested);
	ck_assert_mem_eq(&out.effective, &out.requested, sizeof(kept));
	/* a guest that only shrinks or adds control domains resets no new */
	ksim_zapq_counts_clear();
	ck_assert_int_eq(ksim_set(kvm, "3,5", "3", "4-5", &out), 0);
	ck_assert_uint_eq(ksim_host.q[3][5].zapq_calls, 0);
	/* usage given up, control kept: still the guest's, no reset */
	ck_assert_uint_eq(ksim_host.q[3][4].zapq_calls, 0);
	ck_assert_ptr_nonnull(ksim_user(3, 4));
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * A new queue whose reset is not verified does not reach the guest: its
 * adapter stays out of the effective matrix (the set stands, the log
 * names the queue) until a guest reset verifies it.
 */
START_TEST(unclean_new_queue_stays_out)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct kvm_s390_ap_masks m;
	struct kvm_s390_ap_refusal r;

	ck_assert_int_eq(ksim_set(kvm, "3", "3", "", &out), 0);
	ksim_host.q[5][3].reset_hangs = true;	/* left busy by the host */
	ksim_host.q[5][3].secret = 0x53;
	ck_assert_int_eq(ksim_set(kvm, "3,5", "3", "", &out), 0);
	ksim_masks(&m, "3", "3", "");
	ck_assert_mem_eq(&out.effective, &m, sizeof(m));
	ksim_assert_crycb(kvm, &m);
	/* the set stands, and its report names the queue */
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_QUARANTINED, 5, 3,
			  KVM_S390_AP_HOLDER_NONE);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(), "05.0003: reset not verified"));
	/* the same set again retries it, and it still fails */
	ck_assert_int_eq(ksim_set(kvm, "3,5", "3", "", &out), 0);
	ck_assert_mem_eq(&out.effective, &m, sizeof(m));
	/* the queue recovers: a guest reset lets the adapter in */
	ksim_host.q[5][3].reset_hangs = false;
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_RESET_AP_QUEUES, &r), 0);
	ck_assert_uint_eq(ksim_host.q[5][3].secret, 0);
	ksim_get(kvm, &out);
	ck_assert_mem_eq(&out.effective, &out.requested, sizeof(m));
	ksim_assert_crycb(kvm, &out.requested);
	/* given up while unclean: released, nothing left behind */
	ksim_host.q[5][3].reset_hangs = true;
	ck_assert_int_eq(ksim_set(kvm, "3", "3", "", &out), 0);
	ksim_host.q[5][3].reset_hangs = false;
	ksim_vm_destroy(kvm);
}
END_TEST

static struct kvm *hook_vm;
static unsigned int hook_checks;

/* at every ZAPQ of the set, the VM is apmatrix's: its PQAP hook is ours */
static void hook_is_ours(unsigned int apid, unsigned int apqi)
{
	hook_checks++;
	ck_assert_ptr_nonnull(hook_vm->arch.crypto.apmx);
	ck_assert_ptr_eq(hook_vm->arch.crypto.pqap_hook,
			 &hook_vm->arch.crypto.apmx->pqap_hook);
}

/*
 * Point 8: a VM whose requested matrix is not empty is apmatrix's even
 * while nothing of it is effective -- here the first set, whose new queues
 * are reset before the CRYCB gets any: vfio_ap_mdev_set_kvm(), which
 * refuses a VM with a PQAP hook, cannot take it in that window.
 */
START_TEST(hook_stays_while_requested)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;

	hook_vm = kvm;
	hook_checks = 0;
	ksim_host.on_zapq = hook_is_ours;
	ck_assert_int_eq(ksim_set(kvm, "4", "1", "", &out), 0);
	ksim_host.on_zapq = NULL;
	ck_assert_uint_eq(hook_checks, 1);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_ptr_null(kvm->arch.crypto.pqap_hook);
	ksim_vm_destroy(kvm);
}
END_TEST

Suite *ksim_suite_ioctl(void)
{
	Suite *s = suite_create("ioctl");
	TCase *tc = ksim_tcase("ioctl");

	tcase_add_test(tc, set_format2_writes_apcb1_and_table);
	tcase_add_loop_test(tc, set_apcb0_formats, 0, 2);
	tcase_add_test(tc, get_before_set);
	tcase_add_test(tc, set_replaces_whole_matrix);
	tcase_add_test(tc, clear_gives_everything_back);
	tcase_add_test(tc, clear_without_state_allocates_nothing);
	tcase_add_test(tc, set_empty_removes_hook);
	tcase_add_test(tc, reserved_and_flags_einval);
	tcase_add_test(tc, output_fields_on_input_ignored);
	tcase_add_test(tc, copy_faults);
	tcase_add_test(tc, allocation_faults);
	tcase_add_test(tc, capability_and_no_ap);
	tcase_add_test(tc, no_veto_no_matrix);
	tcase_add_test(tc, unknown_ioctl_enotty);
	tcase_add_test(tc, crycb_drops_queue_before_zapq);
	tcase_add_test(tc, new_queues_reset_before_guest_sees_them);
	tcase_add_test(tc, unclean_new_queue_stays_out);
	tcase_add_test(tc, hook_stays_while_requested);
	suite_add_tcase(s, tc);
	return s;
}
