/*
 * AP matrix machine properties: pass AP (crypto) queues to a KVM guest
 * with the KVM_S390_SET_AP_MATRIX VM ioctl instead of a vfio-ap mdev.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_S390X_AP_MATRIX_H
#define HW_S390X_AP_MATRIX_H

#include "hw/boards.h"

typedef struct S390APMatrix S390APMatrix;

/* Add ap-adapters, ap-domains, ap-control-domains and ap-grant to @oc. */
void s390_ap_matrix_class_init(ObjectClass *oc);
/* Allocate the (empty) matrix state of a machine. */
S390APMatrix *s390_ap_matrix_new(void);
void s390_ap_matrix_free(S390APMatrix *apm);

/*
 * Board init, after the CPUs and the AP bridge exist: under KVM check the
 * kernel and the CPU model, then hand the matrix to KVM.  Does nothing
 * while the matrix is empty.
 */
void s390_ap_matrix_realize(MachineState *ms, Error **errp);

/* Guest reset (re-IPL, kdump, system and subsystem reset): zeroize queues. */
void s390_ap_matrix_reset(void);

/*
 * Refuse @dev if it is a vfio-ap device and the machine's AP matrix is in
 * use; any other AP device is accepted.
 */
bool s390_ap_matrix_check_vfio_ap(DeviceState *dev, Error **errp);

/* HMP: info ap-matrix, ap-matrix-set */
void hmp_info_ap_matrix(Monitor *mon, const QDict *qdict);
void hmp_ap_matrix_set(Monitor *mon, const QDict *qdict);

#endif
