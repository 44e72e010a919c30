/*
 * Unit tests for the CPU-model checks of the s390x AP matrix properties:
 * which AP facilities a guest needs, and that apqi (PQAP(AQIC)) is
 * offered only when the host kernel forwards AP queue interrupts
 * (KVM_S390_GET_AP_MATRIX reports KVM_S390_AP_MATRIX_F_AQIC).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "hw/s390x/ap-matrix-cpu.h"

#define AP_ALL .ap = true, .apqci = true, .apft = true

#define MSG_APQI "the CPU model offers AP queue interrupts (apqi), which " \
                 "this host kernel does not forward with the AP matrix"

/* @cpu is refused with exactly @msg */
static void assert_refused(const APMatrixCpu *cpu, const char *msg)
{
    Error *err = NULL;

    g_assert_false(ap_matrix_check_cpu(cpu, &err));
    g_assert(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    /* and without an Error to fill */
    g_assert_false(ap_matrix_check_cpu(cpu, NULL));
}

/* @cpu passes and sets no error */
static void assert_accepted(const APMatrixCpu *cpu)
{
    Error *err = NULL;

    g_assert_true(ap_matrix_check_cpu(cpu, &err));
    g_assert_null(err);
}

/* @cpu is refused, printed as @pattern (message and hint) */
static void assert_printed(const APMatrixCpu *cpu, const char *pattern)
{
    if (g_test_subprocess()) {
        Error *err = NULL;

        if (!ap_matrix_check_cpu(cpu, &err)) {
            error_report_err(err);
        }
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr(pattern);
}

static void test_no_apqi(void)
{
    const APMatrixCpu cpu = { AP_ALL };
    const APMatrixCpu aqic = { AP_ALL, .kernel_aqic = true };

    assert_accepted(&cpu);
    assert_accepted(&aqic);
}

/* the kernel forwards PQAP(AQIC): apqi is offered */
static void test_apqi_with_kernel_aqic(void)
{
    const APMatrixCpu cpu = { AP_ALL, .apqi = true, .kernel_aqic = true };
    const APMatrixCpu host = { AP_ALL, .apqi = true, .kernel_aqic = true,
                               .host_model = true };

    assert_accepted(&cpu);
    assert_accepted(&host);
}

/* a kernel without F_AQIC: apqi is refused, one line and a hint */
static void test_apqi_without_kernel_aqic(void)
{
    const APMatrixCpu cpu = { AP_ALL, .apqi = true };

    assert_refused(&cpu, MSG_APQI);
}

static void test_apqi_without_kernel_aqic_hint(void)
{
    const APMatrixCpu cpu = { AP_ALL, .apqi = true, .host_model = true };

    assert_printed(&cpu, "*" MSG_APQI "\nAdd apqi=off to -cpu, or use a "
                   "kernel whose KVM_S390_GET_AP_MATRIX reports "
                   "KVM_S390_AP_MATRIX_F_AQIC.\n");
}

/* each missing facility is named, the first one first, before apqi */
static void test_lacks_facility(void)
{
    const APMatrixCpu no_ap = { .apqci = true, .apft = true, .apqi = true };
    const APMatrixCpu no_apqci = { .ap = true, .apft = true };
    const APMatrixCpu no_apft = { .ap = true, .apqci = true,
                                  .kernel_aqic = true };
    const APMatrixCpu none = { .apqi = true, .kernel_aqic = true };

    assert_refused(&no_ap, "the CPU model lacks the AP facility 'ap'");
    assert_refused(&no_apqci, "the CPU model lacks the AP facility 'apqci'");
    assert_refused(&no_apft, "the CPU model lacks the AP facility 'apft'");
    assert_refused(&none, "the CPU model lacks the AP facility 'ap'");
}

/* the hint depends on whether -cpu host is in use */
static void test_lacks_facility_hint_model(void)
{
    const APMatrixCpu cpu = { .ap = true, .apqci = true };

    assert_printed(&cpu, "*the CPU model lacks the AP facility 'apft'\n"
                   "Use -cpu host, or add ap=on,apqci=on,apft=on to -cpu.\n");
}

static void test_lacks_facility_hint_host(void)
{
    const APMatrixCpu cpu = { .ap = true, .apft = true, .host_model = true };

    assert_printed(&cpu, "*the CPU model lacks the AP facility 'apqci'\n"
                   "The host does not offer it to guests, or it was turned "
                   "off with apqci=off.\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ap-matrix-cpu/no-apqi", test_no_apqi);
    g_test_add_func("/ap-matrix-cpu/apqi-with-kernel-aqic",
                    test_apqi_with_kernel_aqic);
    g_test_add_func("/ap-matrix-cpu/apqi-without-kernel-aqic",
                    test_apqi_without_kernel_aqic);
    g_test_add_func("/ap-matrix-cpu/apqi-without-kernel-aqic-hint",
                    test_apqi_without_kernel_aqic_hint);
    g_test_add_func("/ap-matrix-cpu/lacks-facility", test_lacks_facility);
    g_test_add_func("/ap-matrix-cpu/lacks-facility-hint-model",
                    test_lacks_facility_hint_model);
    g_test_add_func("/ap-matrix-cpu/lacks-facility-hint-host",
                    test_lacks_facility_hint_host);
    return g_test_run();
}
