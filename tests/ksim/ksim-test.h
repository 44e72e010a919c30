/* SPDX-License-Identifier: GPL-2.0 */
/* ksim: helpers shared by the Check suites. */
#ifndef _KSIM_TEST_H
#define _KSIM_TEST_H

#include <check.h>
#include "ksim-host.h"

/* fixture: fresh simulation; checks rules, leaks and held locks after */
void ksim_setup(void);
/* the same without the AP bus and its drivers */
void ksim_setup_bare(void);
void ksim_check_clean(void);
TCase *ksim_tcase(const char *name);

/* set the matrix given as id lists; returns the ioctl's return value */
long ksim_set(struct kvm *kvm, const char *apm, const char *aqm,
	      const char *adm, struct kvm_s390_ap_matrix *out);
/* the matrix as the VMM reads it */
void ksim_get(struct kvm *kvm, struct kvm_s390_ap_matrix *out);
/* the guest's CRYCB holds exactly the image of @m for its format */
void ksim_assert_crycb(struct kvm *kvm, const struct kvm_s390_ap_masks *m);
/* forget the ZAPQ/TAPQ counts (of the resets before a queue is used) */
void ksim_zapq_counts_clear(void);
/* the owner of (apid, apqi) in the table, or NULL */
const struct apmx_owner *ksim_user(unsigned int apid, unsigned int apqi);
u64 ksim_vm_id(struct kvm *kvm);

#define ck_assert_refusal(r, why, a, d, htype) do {			\
	ck_assert_uint_eq((r)->reason, (why));				\
	ck_assert_uint_eq((r)->adapter, (a));				\
	ck_assert_uint_eq((r)->domain, (d));				\
	ck_assert_uint_eq((r)->holder_type, (htype));			\
} while (0)

Suite *ksim_suite_ioctl(void);
Suite *ksim_suite_owner(void);
Suite *ksim_suite_zeroize(void);
Suite *ksim_suite_grant(void);
Suite *ksim_suite_privilege(void);
Suite *ksim_suite_shims(void);
Suite *ksim_suite_faults(void);
Suite *ksim_suite_hwfaults(void);
Suite *ksim_suite_aqic(void);
Suite *ksim_suite_bench(void);		/* ksim --bench only */

#endif
