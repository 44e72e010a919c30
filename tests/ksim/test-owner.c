// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: who may have an APQN -- two guests, the host's default drivers,
 * limits of the CRYCB formats and of the host, unprivileged callers,
 * vfio_ap -- and that every refusal changes neither table nor CRYCB.
 */
#include <stdlib.h>
#include <string.h>
#include "ksim-test.h"

#define NSLOTS	(256 * 256)

/* Everything a refused call must leave alone. */
struct state {
	struct apmx_slot *slots;
	u8 crycb[2][KSIM_CRYCB_BYTES];
	struct kvm_s390_ap_matrix get[2];
	unsigned int masks_calls[2];
};

static void snap(struct state *s, struct kvm *a, struct kvm *b)
{
	struct kvm *vm[2] = { a, b };
	unsigned int i;

	s->slots = malloc(NSLOTS * sizeof(*s->slots));
	ck_assert_ptr_nonnull(s->slots);
	ksim_table_snapshot(s->slots);
	for (i = 0; i < 2; i++) {
		memcpy(s->crycb[i], vm[i]->crycb_page, KSIM_CRYCB_BYTES);
		ksim_get(vm[i], &s->get[i]);
		s->masks_calls[i] = vm[i]->set_masks_calls +
				    vm[i]->clear_masks_calls;
	}
}

static void assert_unchanged(struct state *s, struct kvm *a, struct kvm *b)
{
	struct state now;
	unsigned int i;

	snap(&now, a, b);
	ck_assert_mem_eq(now.slots, s->slots, NSLOTS * sizeof(*s->slots));
	for (i = 0; i < 2; i++) {
		ck_assert_mem_eq(now.crycb[i], s->crycb[i], KSIM_CRYCB_BYTES);
		ck_assert_mem_eq(&now.get[i], &s->get[i], sizeof(now.get[i]));
		ck_assert_uint_eq(now.masks_calls[i], s->masks_calls[i]);
	}
	free(now.slots);
	free(s->slots);
}

/* vfio-ap.rst: G1 {1,2}x{5,6} with G2 {1,2}x{7} or {3,4}x{5,6} are fine */
START_TEST(vfio_ap_doc_valid_examples)
{
	static const char *const g2[][2] = { { "1-2", "7" }, { "3-4", "5-6" } };
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;

	ck_assert_int_eq(ksim_set(a, "1-2", "5-6", "", NULL), 0);
	ck_assert_int_eq(ksim_set(b, g2[_i][0], g2[_i][1], "", &out), 0);
	ksim_assert_crycb(b, &out.requested);
	ck_assert_uint_eq(ksim_table_used(), 4 + (_i ? 4 : 2));
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
	ck_assert_uint_eq(ksim_table_used(), 0);
}
END_TEST

/* vfio-ap.rst invalid example: conflict at APQN (1,6) naming G1 */
START_TEST(two_vm_conflict_names_apqn_and_holder)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct state st;

	ksim_task.tgid = 1234;
	ck_assert_int_eq(ksim_set(a, "1-2", "5-6", "", NULL), 0);
	ksim_task.tgid = 4321;
	ck_assert_int_eq(ksim_set(b, "3", "3", "", NULL), 0);
	snap(&st, a, b);
	ksim_logs_clear();
	ck_assert_int_eq(ksim_set(b, "1", "6-7", "", &out), -EADDRINUSE);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_IN_USE, 1, 6,
			  KVM_S390_AP_HOLDER_VM);
	ck_assert_uint_eq(out.refusal.field, KVM_S390_AP_FIELD_APQN);
	ck_assert_int_eq(out.refusal.holder_pid, 1234);
	ck_assert_uint_eq(out.refusal.holder_id, ksim_vm_id(a));
	ck_assert_uint_ne(ksim_vm_id(a), ksim_vm_id(b));
	/* b keeps what it had; its effective matrix is reported */
	ck_assert_uint_eq(out.effective.apm[0], 0x10);
	ck_assert(strstr(ksim_printk_log(), "APQN 01.0006 used by another guest, holder VM"));
	ck_assert(strstr(ksim_printk_log(), "(pid 1234)"));
	ck_assert(strstr(ksim_event_log(), "APQN 01.0006"));
	assert_unchanged(&st, a, b);
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
}
END_TEST

/* control domains are exclusive per APQN too */
START_TEST(control_domain_conflict)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct state st;

	ck_assert_int_eq(ksim_set(a, "8", "", "9", NULL), 0);
	snap(&st, a, b);
	ck_assert_int_eq(ksim_set(b, "8", "9", "", &out), -EADDRINUSE);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_IN_USE, 8, 9,
			  KVM_S390_AP_HOLDER_VM);
	assert_unchanged(&st, a, b);
	/* after a gives it back, b gets it */
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_int_eq(ksim_set(b, "8", "9", "", NULL), 0);
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
}
END_TEST

/* apmask/aqmask: usage and control APQNs of the host's default drivers */
START_TEST(host_owned_refused)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct state st;

	ksim_host_own("4", "1");
	ck_assert_int_eq(ksim_set(a, "3", "1", "", NULL), 0);
	if (!IS_ENABLED(CONFIG_ZCRYPT)) {
		/* no AP bus, no default drivers: apmask/aqmask mean nothing */
		ck_assert_int_eq(ksim_set(a, "3-4", "0-1", "", NULL), 0);
		ck_assert_int_eq(ksim_set(b, "5", "", "1", NULL), 0);
		ksim_vm_destroy(a);
		ksim_vm_destroy(b);
		return;
	}
	snap(&st, a, b);
	ck_assert_int_eq(ksim_set(a, "3-4", "0-1", "", &out), -EADDRNOTAVAIL);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_HOST_OWNED, 4, 1,
			  KVM_S390_AP_HOLDER_HOST);
	ck_assert_uint_eq(out.refusal.field, KVM_S390_AP_FIELD_APQN);
	ck_assert_int_eq(out.refusal.holder_pid, 0);
	ck_assert(strstr(ksim_printk_log(), "APQN 04.0001 owned by the host"));
	ck_assert_int_eq(ksim_set(b, "4", "", "1", &out), -EADDRNOTAVAIL);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_HOST_OWNED, 4, 1,
			  KVM_S390_AP_HOLDER_HOST);
	ck_assert_uint_eq(out.refusal.field, KVM_S390_AP_FIELD_CONTROL);
	assert_unchanged(&st, a, b);
	/* (4,0) and (3,1) are not the host's */
	ck_assert_int_eq(ksim_set(b, "4", "0", "", NULL), 0);
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
}
END_TEST

struct limit_case {
	u32 format_bits;
	bool apxa;
	u8 na, nd;
	const char *apm, *aqm, *adm;
	u16 adapter, domain;
	u8 field;
	u16 max_adapter, max_domain;
};

static const struct limit_case limit_cases[] = {
	/* format 2, APXA host with Na=15, Nd=7 */
	{ CRYCB_FORMAT2, true, 15, 7, "16", "0", "", 16, KVM_S390_AP_ID_NONE,
	  KVM_S390_AP_FIELD_ADAPTER, 15, 7 },
	{ CRYCB_FORMAT2, true, 15, 7, "15", "8", "", KVM_S390_AP_ID_NONE, 8,
	  KVM_S390_AP_FIELD_DOMAIN, 15, 7 },
	{ CRYCB_FORMAT2, true, 15, 7, "15", "7", "8", KVM_S390_AP_ID_NONE, 8,
	  KVM_S390_AP_FIELD_CONTROL, 15, 7 },
	/* format 2 guest on a host without APXA: 63/15 */
	{ CRYCB_FORMAT2, false, 0, 0, "64", "0", "", 64, KVM_S390_AP_ID_NONE,
	  KVM_S390_AP_FIELD_ADAPTER, 63, 15 },
	{ CRYCB_FORMAT2, false, 0, 0, "0", "16", "", KVM_S390_AP_ID_NONE, 16,
	  KVM_S390_AP_FIELD_DOMAIN, 63, 15 },
	/* formats 1 and 0 on a big host: APCB0 limits */
	{ CRYCB_FORMAT1, true, 255, 255, "0:64", "0", "", 64,
	  KVM_S390_AP_ID_NONE, KVM_S390_AP_FIELD_ADAPTER, 63, 15 },
	{ CRYCB_FORMAT1, true, 255, 255, "0", "0:16", "", KVM_S390_AP_ID_NONE,
	  16, KVM_S390_AP_FIELD_DOMAIN, 63, 15 },
	{ CRYCB_FORMAT0, true, 255, 255, "255", "0", "", 255,
	  KVM_S390_AP_ID_NONE, KVM_S390_AP_FIELD_ADAPTER, 63, 15 },
	{ CRYCB_FORMAT0, true, 255, 255, "0", "0", "200", KVM_S390_AP_ID_NONE,
	  200, KVM_S390_AP_FIELD_CONTROL, 63, 15 },
	/* format 1 on a small APXA host: the host's Na/Nd clip further */
	{ CRYCB_FORMAT1, true, 31, 3, "32", "0", "", 32, KVM_S390_AP_ID_NONE,
	  KVM_S390_AP_FIELD_ADAPTER, 31, 3 },
};

START_TEST(ids_beyond_limits)
{
	const struct limit_case *c = &limit_cases[_i];
	struct kvm *a = ksim_vm_create(c->format_bits);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct state st;

	ksim_host.apxa = c->apxa;
	ksim_host.na = c->na;
	ksim_host.nd = c->nd;
	ck_assert_int_eq(ksim_set(a, "1", "1", "", NULL), 0);
	snap(&st, a, b);
	ksim_logs_clear();
	ck_assert_int_eq(ksim_set(a, c->apm, c->aqm, c->adm, &out), -EINVAL);
	ck_assert_uint_eq(out.refusal.reason, KVM_S390_AP_R_ID_RANGE);
	ck_assert_uint_eq(out.refusal.adapter, c->adapter);
	ck_assert_uint_eq(out.refusal.domain, c->domain);
	ck_assert_uint_eq(out.refusal.field, c->field);
	ck_assert_uint_eq(out.max_adapter, c->max_adapter);
	ck_assert_uint_eq(out.max_domain, c->max_domain);
	ck_assert(strstr(ksim_printk_log(), "beyond the guest's limit"));
	assert_unchanged(&st, a, b);
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
}
END_TEST

START_TEST(no_qci_means_apcb0_limits)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;

	ksim_host.qci = false;
	ck_assert_int_eq(ksim_set(a, "63", "15", "", &out), 0);
	ck_assert_uint_eq(out.max_adapter, 63);
	ck_assert_uint_eq(out.max_domain, 15);
	ck_assert_int_eq(ksim_set(a, "64", "15", "", &out), -EINVAL);
	ksim_vm_destroy(a);
}
END_TEST

/* the host's limits, not the format's, with APXA: up to Na=255/Nd=255 */
START_TEST(format2_uses_full_range)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;

	ck_assert_int_eq(ksim_set(a, "255", "255", "128", &out), 0);
	ksim_assert_crycb(a, &out.requested);
	ck_assert_uint_eq(a->crycb_page[0x80 + 31], 0x01);
	ck_assert_uint_eq(a->crycb_page[0xc0 + 16], 0x80);
	ksim_vm_destroy(a);
}
END_TEST

/* without CAP_SYS_ADMIN and without a grant: only keeping or shrinking */
START_TEST(unprivileged_eperm)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct state st;

	ck_assert_int_eq(ksim_set(a, "1-2", "1-2", "3", NULL), 0);
	ck_assert_int_eq(ksim_set(b, "9", "9", "", NULL), 0);
	ksim_zapq_counts_clear();	/* count the resets from here on */

	ksim_cap_sys_admin = false;
	snap(&st, a, b);
	/* new usage APQN */
	ck_assert_int_eq(ksim_set(a, "1-3", "1-2", "3", &out), -EPERM);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_NOT_GRANTED, 3, 1,
			  KVM_S390_AP_HOLDER_NONE);
	/* control domain 3 used for usage now: new use */
	ck_assert_int_eq(ksim_set(a, "1-2", "1-3", "", &out), -EPERM);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_NOT_GRANTED, 1, 3,
			  KVM_S390_AP_HOLDER_NONE);
	/* another guest's APQN: EPERM, the holder is not disclosed */
	ck_assert_int_eq(ksim_set(a, "9", "9", "", &out), -EPERM);
	ck_assert_uint_eq(out.refusal.holder_type, KVM_S390_AP_HOLDER_NONE);
	ck_assert(strstr(ksim_printk_log(), "not granted to the caller"));
	assert_unchanged(&st, a, b);
	/* same matrix again: fine */
	ck_assert_int_eq(ksim_set(a, "1-2", "1-2", "3", NULL), 0);
	/* a usage domain held is no control domain held: new use */
	ck_assert_int_eq(ksim_set(a, "1-2", "1", "2-3", &out), -EPERM);
	ck_assert_refusal(&out.refusal, KVM_S390_AP_R_NOT_GRANTED, 1, 2,
			  KVM_S390_AP_HOLDER_NONE);
	/* shrinking and clearing: fine */
	ck_assert_int_eq(ksim_set(a, "1", "1", "", NULL), 0);
	ck_assert_uint_eq(ksim_host.q[2][1].zapq_calls, 1);
	ck_assert_int_eq(ksim_ioctl(b, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_uint_eq(ksim_table_used(), 1);
	/* a fresh VM cannot take anything */
	ck_assert_int_eq(ksim_set(b, "9", "9", "", &out), -EPERM);
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
}
END_TEST

static int foreign_hook(struct kvm_vcpu *vcpu)
{
	(void)vcpu;
	return 0;
}

/* a VM that vfio_ap drives (its PQAP hook is set) refuses the set */
START_TEST(vfio_ap_attached_ebusy)
{
	static crypto_hook vfio_hook = foreign_hook;
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix out;
	struct state st;

	a->arch.crypto.pqap_hook = &vfio_hook;
	a->crycb_page[0x80] = 0x40;	/* vfio_ap's matrix */
	snap(&st, a, b);
	ck_assert_int_eq(ksim_set(a, "1", "1", "", &out), -EBUSY);
	ck_assert_uint_eq(out.refusal.reason, KVM_S390_AP_R_VFIO_AP);
	ck_assert_uint_eq(out.refusal.holder_type, KVM_S390_AP_HOLDER_VFIO_AP);
	ck_assert_uint_eq(out.refusal.adapter, KVM_S390_AP_ID_NONE);
	/* clear with nothing set leaves vfio_ap's CRYCB alone */
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_ptr_eq(a->arch.crypto.pqap_hook, &vfio_hook);
	assert_unchanged(&st, a, b);
	ck_assert(strstr(ksim_printk_log(), "held by vfio_ap"));
	/* the other way round: our hook makes vfio_ap's attach fail */
	ck_assert_int_eq(ksim_set(b, "1", "1", "", NULL), 0);
	ck_assert_ptr_nonnull(b->arch.crypto.pqap_hook);
	ck_assert_ptr_ne(b->arch.crypto.pqap_hook, &vfio_hook);
	a->arch.crypto.pqap_hook = NULL;
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
}
END_TEST

Suite *ksim_suite_owner(void)
{
	Suite *s = suite_create("owner");
	TCase *tc = ksim_tcase("owner");

	tcase_add_loop_test(tc, vfio_ap_doc_valid_examples, 0, 2);
	tcase_add_test(tc, two_vm_conflict_names_apqn_and_holder);
	tcase_add_test(tc, control_domain_conflict);
	tcase_add_test(tc, host_owned_refused);
	tcase_add_loop_test(tc, ids_beyond_limits, 0,
			    sizeof(limit_cases) / sizeof(limit_cases[0]));
	tcase_add_test(tc, no_qci_means_apcb0_limits);
	tcase_add_test(tc, format2_uses_full_range);
	tcase_add_test(tc, unprivileged_eperm);
	tcase_add_test(tc, vfio_ap_attached_ebusy);
	suite_add_tcase(s, tc);
	return s;
}
