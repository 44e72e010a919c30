/*
 * KVM side of the AP matrix machine properties: the apmatrix VM ioctls
 * (KVM_S390_SET_AP_MATRIX, KVM_S390_RESET_AP_QUEUES,
 * KVM_S390_GET_AP_MATRIX and its KVM_S390_AP_MATRIX_F_AQIC flag) and the
 * one-line rendering of the kernel's refusal report.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <asm-s390/kvm_ap_matrix.h>
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "sysemu/kvm.h"
#include "hw/s390x/ap-idlist.h"
#include "kvm_s390x.h"

QEMU_BUILD_BUG_ON(AP_IDLIST_BYTES != KVM_S390_AP_MASK_BYTES);
QEMU_BUILD_BUG_ON(AP_IDLIST_MAX_ID != KVM_S390_AP_MAX_ID);

static int cap_ap_matrix = -1;

bool kvm_s390_has_ap_matrix(void)
{
    if (cap_ap_matrix < 0) {
        cap_ap_matrix = kvm_vm_check_extension(kvm_state,
                                               KVM_CAP_S390_AP_MATRIX);
    }
    return cap_ap_matrix > 0;
}

static int ap_matrix_aqic = -1;

bool kvm_s390_ap_matrix_has_aqic(void)
{
    struct kvm_s390_ap_matrix m = { 0 };
    int ret;

    if (ap_matrix_aqic < 0) {
        ret = kvm_vm_ioctl(kvm_state, KVM_S390_GET_AP_MATRIX, &m);
        if (ret < 0) {
            /* not cached: the cause is the ioctl, not the kernel */
            warn_report("KVM_S390_GET_AP_MATRIX: %s: AP interruptions "
                        "taken as not forwarded", strerror(-ret));
            return false;
        }
        ap_matrix_aqic = !!(m.flags & KVM_S390_AP_MATRIX_F_AQIC);
    }
    return ap_matrix_aqic;
}

static const char *ap_field_prop(uint8_t field)
{
    switch (field) {
    case KVM_S390_AP_FIELD_ADAPTER:
        return "ap-adapters";
    case KVM_S390_AP_FIELD_DOMAIN:
        return "ap-domains";
    case KVM_S390_AP_FIELD_CONTROL:
        return "ap-control-domains";
    default:
        return NULL;
    }
}

/* "APQN 04.0001", "adapter 4", "control domain 7" */
static char *ap_refusal_what(const struct kvm_s390_ap_refusal *r)
{
    bool has_a = r->adapter != KVM_S390_AP_ID_NONE;
    bool has_d = r->domain != KVM_S390_AP_ID_NONE;

    if (has_a && has_d) {
        return g_strdup_printf("APQN %02x.%04x", r->adapter, r->domain);
    }
    if (has_a) {
        return g_strdup_printf("adapter %u", r->adapter);
    }
    if (has_d) {
        return g_strdup_printf("%s %u", r->field == KVM_S390_AP_FIELD_CONTROL ?
                               "control domain" : "domain", r->domain);
    }
    return g_strdup("the AP matrix");
}

/* " (pid 1234, vm 3)", " (pid 1234, grant 7)", " (pid 1234)" or "" */
static char *ap_refusal_who(const struct kvm_s390_ap_refusal *r)
{
    if (r->holder_pid && r->holder_id) {
        return g_strdup_printf(" (pid %d, %s %" PRIu64 ")", r->holder_pid,
                               r->holder_type == KVM_S390_AP_HOLDER_GRANT ?
                               "grant" : "vm", (uint64_t)r->holder_id);
    }
    if (r->holder_pid) {
        return g_strdup_printf(" (pid %d)", r->holder_pid);
    }
    return g_strdup("");
}

/* One line for a refused ioctl (@err is the negative errno). */
static void ap_refusal_error(Error **errp, int err,
                             const struct kvm_s390_ap_refusal *r,
                             unsigned int crycb_format,
                             unsigned int max_adapter,
                             unsigned int max_domain)
{
    g_autofree char *what = ap_refusal_what(r);
    g_autofree char *who = ap_refusal_who(r);
    const char *prop = ap_field_prop(r->field);

    switch (r->reason) {
    case KVM_S390_AP_R_ID_RANGE:
        error_setg(errp, "%s%s%s is beyond this guest's CRYCB format %u"
                   " (highest adapter %u, highest domain %u)",
                   prop ? prop : "", prop ? ": " : "", what,
                   crycb_format, max_adapter, max_domain);
        break;
    case KVM_S390_AP_R_HOST_OWNED:
        error_setg(errp, "%s is owned by the host's zcrypt drivers "
                   "(see /sys/bus/ap/apmask and aqmask)", what);
        break;
    case KVM_S390_AP_R_IN_USE:
        error_setg(errp, "%s is already used by another guest%s", what, who);
        break;
    case KVM_S390_AP_R_RESERVED:
        error_setg(errp, "%s is reserved by another grant%s", what, who);
        break;
    case KVM_S390_AP_R_NOT_GRANTED:
        error_setg(errp, "%s is not covered by a grant: pass ap-grant "
                   "from the AP manager", what);
        break;
    case KVM_S390_AP_R_QUARANTINED:
        error_setg(errp, "%s is quarantined: its reset did not finish "
                   "or failed", what);
        break;
    case KVM_S390_AP_R_VFIO_AP:
        if (r->adapter == KVM_S390_AP_ID_NONE) {
            error_setg(errp, "this guest already uses vfio_ap");
        } else {
            error_setg(errp, "%s is held by vfio_ap", what);
        }
        break;
    default:
        error_setg_errno(errp, -err, "the kernel refused the AP matrix");
        break;
    }
}

int kvm_s390_set_ap_matrix(const uint8_t *apm, const uint8_t *aqm,
                           const uint8_t *adm, int grant_fd, Error **errp)
{
    struct kvm_s390_ap_matrix m = { 0 };
    int ret;

    if (grant_fd >= 0) {
        m.flags = KVM_S390_AP_MATRIX_F_GRANT;
        m.grant_fd = grant_fd;
    }
    memcpy(m.requested.apm, apm, KVM_S390_AP_MASK_BYTES);
    memcpy(m.requested.aqm, aqm, KVM_S390_AP_MASK_BYTES);
    memcpy(m.requested.adm, adm, KVM_S390_AP_MASK_BYTES);
    ret = kvm_vm_ioctl(kvm_state, KVM_S390_SET_AP_MATRIX, &m);
    if (ret < 0) {
        ap_refusal_error(errp, ret, &m.refusal, m.crycb_format,
                         m.max_adapter, m.max_domain);
    }
    return ret;
}

int kvm_s390_reset_ap_queues(Error **errp)
{
    struct kvm_s390_ap_refusal r = { 0 };
    int ret;

    ret = kvm_vm_ioctl(kvm_state, KVM_S390_RESET_AP_QUEUES, &r);
    if (ret < 0) {
        ap_refusal_error(errp, ret, &r, 0, 0, 0);
    }
    return ret;
}

int kvm_s390_get_ap_matrix(uint8_t *apm, uint8_t *aqm, uint8_t *adm,
                           unsigned int *crycb_format,
                           unsigned int *max_adapter,
                           unsigned int *max_domain, Error **errp)
{
    struct kvm_s390_ap_matrix m = { 0 };
    int ret;

    ret = kvm_vm_ioctl(kvm_state, KVM_S390_GET_AP_MATRIX, &m);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "KVM_S390_GET_AP_MATRIX");
        return ret;
    }
    memcpy(apm, m.effective.apm, KVM_S390_AP_MASK_BYTES);
    memcpy(aqm, m.effective.aqm, KVM_S390_AP_MASK_BYTES);
    memcpy(adm, m.effective.adm, KVM_S390_AP_MASK_BYTES);
    *crycb_format = m.crycb_format;
    *max_adapter = m.max_adapter;
    *max_domain = m.max_domain;
    return 0;
}
