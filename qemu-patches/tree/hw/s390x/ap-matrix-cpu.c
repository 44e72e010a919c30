/*
 * AP matrix: the AP facilities of the guest CPU model that go with it.
 *
 * Kept apart from ap-matrix.c, with no dependency on the machine or on
 * KVM, so that the unit test tests/unit/test-ap-matrix-cpu.c can run it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/s390x/ap-matrix-cpu.h"

bool ap_matrix_check_cpu(const APMatrixCpu *cpu, Error **errp)
{
    ERRP_GUARD();
    const struct {
        bool on;
        const char *name;
    } need[] = {
        { cpu->ap, "ap" },
        { cpu->apqci, "apqci" },
        { cpu->apft, "apft" },
    };
    int i;

    for (i = 0; i < ARRAY_SIZE(need); i++) {
        if (need[i].on) {
            continue;
        }
        error_setg(errp, "the CPU model lacks the AP facility '%s'",
                   need[i].name);
        if (cpu->host_model) {
            error_append_hint(errp, "The host does not offer it to guests, "
                              "or it was turned off with %s=off.\n",
                              need[i].name);
        } else {
            error_append_hint(errp, "Use -cpu host, or add "
                              "ap=on,apqci=on,apft=on to -cpu.\n");
        }
        return false;
    }
    if (cpu->apqi && !cpu->kernel_aqic) {
        error_setg(errp, "the CPU model offers AP queue interrupts (apqi), "
                   "which this host kernel does not forward with the AP "
                   "matrix");
        error_append_hint(errp, "Add apqi=off to -cpu, or use a kernel "
                          "whose KVM_S390_GET_AP_MATRIX reports "
                          "KVM_S390_AP_MATRIX_F_AQIC.\n");
        return false;
    }
    return true;
}
