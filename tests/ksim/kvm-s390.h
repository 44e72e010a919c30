/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksim shim of arch/s390/kvm/kvm-s390.h (included as "../kvm-s390.h" from
 * arch/s390/kvm/ap-matrix/): what the AP matrix code uses.
 */
#ifndef _KSIM_KVM_S390_H
#define _KSIM_KVM_S390_H
#include "shim/ksim.h"
#include "shim/linux/lockdep.h"

/*
 * arch/s390/kvm/kvm-s390.h kvm_s390_pv_cpu_is_protected(): whether the
 * vCPU runs a protected (Secure Execution) guest;
 * lockdep_assert_held(&vcpu->mutex), a violation without it.
 */
static inline bool kvm_s390_pv_cpu_is_protected(struct kvm_vcpu *vcpu)
{
	lockdep_assert_held(&vcpu->mutex);
	return vcpu->ksim_pv;
}

#endif
