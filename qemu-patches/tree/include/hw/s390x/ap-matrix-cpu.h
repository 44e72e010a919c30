/*
 * AP matrix: the AP facilities of the guest CPU model that go with it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_S390X_AP_MATRIX_CPU_H
#define HW_S390X_AP_MATRIX_CPU_H

/* What the CPU model and the host kernel offer, under KVM */
typedef struct APMatrixCpu {
    bool ap;            /* ap: the AP instructions */
    bool apqci;         /* apqci: PQAP(QCI) */
    bool apft;          /* apft: the facilities test */
    bool apqi;          /* apqi: AP queue interruption control, PQAP(AQIC) */
    bool host_model;    /* the CPU model is -cpu host */
    bool kernel_aqic;   /* KVM_S390_GET_AP_MATRIX reports F_AQIC */
} APMatrixCpu;

/*
 * May a guest with the CPU model @cpu get AP queues through the AP
 * matrix?  It needs ap, apqci and apft; apqi only if KVM forwards the
 * guest's PQAP(AQIC) (@kernel_aqic), else the guest would enable
 * interrupts that never come.  Return true, or false with one line and a
 * hint in @errp.
 */
bool ap_matrix_check_cpu(const APMatrixCpu *cpu, Error **errp);

#endif
