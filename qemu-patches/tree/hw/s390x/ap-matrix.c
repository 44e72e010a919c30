/*
 * AP matrix machine properties: pass AP (crypto) queues to a KVM guest
 * with the KVM_S390_SET_AP_MATRIX VM ioctl instead of a vfio-ap mdev.
 *
 *   -machine s390-ccw-virtio,ap-adapters=3:5,ap-domains=4-6
 *
 * This file builds on every host: what needs Linux and KVM is in
 * target/s390x/kvm/ap-matrix.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/config-file.h"
#include "qemu/ctype.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/option.h"
#include "hw/qdev-core.h"
#include "hw/s390x/css.h"
#include "hw/s390x/ap-idlist.h"
#include "hw/s390x/ap-matrix.h"
#include "hw/s390x/ap-matrix-cpu.h"
#include "hw/s390x/s390-virtio-ccw.h"
#include "migration/blocker.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "qapi/qapi-commands-machine-target.h"
#include "qapi/qapi-events-machine-target.h"
#include "qapi/qmp/qdict.h"
#include "sysemu/kvm.h"
#include "cpu.h"
#include "cpu_models.h"
#include "kvm/kvm_s390x.h"
#include "trace.h"

#define TYPE_VFIO_AP "vfio-ap"

enum {
    AP_LIST_ADAPTERS,
    AP_LIST_DOMAINS,
    AP_LIST_CONTROL,
    AP_NR_LISTS
};

static const char *const ap_list_prop[AP_NR_LISTS] = {
    [AP_LIST_ADAPTERS] = "ap-adapters",
    [AP_LIST_DOMAINS] = "ap-domains",
    [AP_LIST_CONTROL] = "ap-control-domains",
};

typedef uint8_t APMasks[AP_NR_LISTS][AP_IDLIST_BYTES];

struct S390APMatrix {
    APMasks masks;      /* what the properties say */
    bool applied;       /* KVM holds @masks for this guest */
    char *grant;        /* ap-grant as given, NULL if none */
    int grant_fd;       /* our own descriptor of the grant; -1 if none */
    Error *mig_blocker; /* while the matrix is not empty */
};

S390APMatrix *s390_ap_matrix_new(void)
{
    S390APMatrix *apm = g_new0(S390APMatrix, 1);

    apm->grant_fd = -1;
    return apm;
}

void s390_ap_matrix_free(S390APMatrix *apm)
{
    if (!apm) {
        return;
    }
    if (apm->grant_fd >= 0) {
        qemu_close(apm->grant_fd);
    }
    g_free(apm->grant);
    g_free(apm);
}

static S390APMatrix *ap_matrix_of(Object *obj)
{
    return S390_CCW_MACHINE(obj)->ap_matrix;
}

static S390APMatrix *ap_matrix_current(void)
{
    Object *obj = object_dynamic_cast(qdev_get_machine(),
                                      TYPE_S390_CCW_MACHINE);

    return obj ? ap_matrix_of(obj) : NULL;
}

/*
 * The guest gets queues (the APQN set, adapters x domains, is not empty)
 * or control domains: only then is the matrix in use.
 */
static bool ap_masks_in_use(APMasks masks)
{
    return (!ap_idlist_empty(masks[AP_LIST_ADAPTERS]) &&
            !ap_idlist_empty(masks[AP_LIST_DOMAINS])) ||
           !ap_idlist_empty(masks[AP_LIST_CONTROL]);
}

/* ---- checks shared by board init and live changes ---------------------- */

static int ap_find_vfio_ap_opt(void *opaque, QemuOpts *opts, Error **errp)
{
    const char *driver = qemu_opt_get(opts, "driver");

    return driver && !strcmp(driver, TYPE_VFIO_AP);
}

static bool ap_vfio_ap_present(void)
{
    bool ambiguous;

    if (object_resolve_path_type("", TYPE_VFIO_AP, &ambiguous) || ambiguous) {
        return true;
    }
    return qemu_opts_foreach(qemu_find_opts("device"), ap_find_vfio_ap_opt,
                             NULL, NULL);
}

static void ap_error_vfio_ap(Error **errp)
{
    error_setg(errp, "-device vfio-ap cannot be used together with "
               "ap-adapters, ap-domains or ap-control-domains: "
               "use one or the other");
}

bool s390_ap_matrix_check_vfio_ap(DeviceState *dev, Error **errp)
{
    S390APMatrix *apm = ap_matrix_current();

    /* other AP devices do not program the CRYCB */
    if (!object_dynamic_cast(OBJECT(dev), TYPE_VFIO_AP)) {
        return true;
    }
    if (apm && ap_masks_in_use(apm->masks)) {
        ap_error_vfio_ap(errp);
        return false;
    }
    return true;
}

static bool ap_cpu_is_host_model(void)
{
    return first_cpu &&
           object_dynamic_cast(OBJECT(first_cpu), S390_CPU_TYPE_NAME("host"));
}

/*
 * Under KVM: the kernel and the CPU model must support the matrix; apqi
 * only if the kernel forwards the guest's PQAP(AQIC).
 */
static bool ap_check_host(Error **errp)
{
    APMatrixCpu cpu = {
        .ap = s390_has_feat(S390_FEAT_AP),
        .apqci = s390_has_feat(S390_FEAT_AP_QUERY_CONFIG_INFO),
        .apft = s390_has_feat(S390_FEAT_AP_FACILITIES_TEST),
        .apqi = s390_has_feat(S390_FEAT_AP_QUEUE_INTERRUPT_CONTROL),
        .host_model = ap_cpu_is_host_model(),
    };

    if (!kvm_s390_has_ap_matrix()) {
        error_setg(errp, "host kernel lacks KVM_CAP_S390_AP_MATRIX: "
                   "ap-adapters, ap-domains and ap-control-domains "
                   "need the apmatrix kernel series");
        return false;
    }
    cpu.kernel_aqic = cpu.apqi && kvm_s390_ap_matrix_has_aqic();
    return ap_matrix_check_cpu(&cpu, errp);
}

static void ap_trace_set(APMasks masks, int ret)
{
    if (trace_event_get_state_backends(TRACE_S390_AP_MATRIX_SET)) {
        g_autofree char *a = ap_idlist_format(masks[AP_LIST_ADAPTERS]);
        g_autofree char *d = ap_idlist_format(masks[AP_LIST_DOMAINS]);
        g_autofree char *c = ap_idlist_format(masks[AP_LIST_CONTROL]);

        trace_s390_ap_matrix_set(a, d, c, kvm_enabled(), ret);
    }
}

static void ap_del_blocker(S390APMatrix *apm)
{
    if (apm->mig_blocker) {
        migrate_del_blocker(apm->mig_blocker);
        error_free(apm->mig_blocker);
        apm->mig_blocker = NULL;
    }
}

/*
 * Make @masks the machine's matrix, all or nothing: on failure neither
 * the kernel's matrix nor @apm changes.  Without KVM the matrix is only
 * recorded: QEMU 7.2 emulates no AP instructions.
 */
static bool ap_matrix_commit(S390APMatrix *apm, APMasks masks, Error **errp)
{
    bool in_use = ap_masks_in_use(masks);
    bool new_blocker = false;

    if (in_use && ap_vfio_ap_present()) {
        ap_error_vfio_ap(errp);
        return false;
    }
    if (in_use && !apm->mig_blocker) {
        error_setg(&apm->mig_blocker, "the guest uses AP queues passed "
                   "through by ap-adapters/ap-domains: their keys and state "
                   "stay on this host");
        if (migrate_add_blocker(apm->mig_blocker, errp) < 0) {
            error_free(apm->mig_blocker);
            apm->mig_blocker = NULL;
            return false;
        }
        new_blocker = true;
    }
    if (kvm_enabled() && (in_use || apm->applied)) {
        int ret = -EINVAL;

        if (ap_check_host(errp)) {
            ret = kvm_s390_set_ap_matrix(masks[AP_LIST_ADAPTERS],
                                         masks[AP_LIST_DOMAINS],
                                         masks[AP_LIST_CONTROL],
                                         apm->grant_fd, errp);
        }
        ap_trace_set(masks, ret);
        if (ret < 0) {
            if (new_blocker) {
                ap_del_blocker(apm);
            }
            return false;
        }
        apm->applied = true;
    } else {
        ap_trace_set(masks, 0);
    }
    if (!in_use) {
        ap_del_blocker(apm);
    }
    memcpy(apm->masks, masks, sizeof(APMasks));
    return true;
}

void s390_ap_matrix_realize(MachineState *ms, Error **errp)
{
    S390APMatrix *apm = ap_matrix_of(OBJECT(ms));
    APMasks masks;

    if (!ap_masks_in_use(apm->masks)) {
        return;
    }
    memcpy(masks, apm->masks, sizeof(masks));
    ap_matrix_commit(apm, masks, errp);
}

void s390_ap_matrix_reset(void)
{
    S390APMatrix *apm = ap_matrix_current();
    Error *err = NULL;
    int ret;

    if (!apm || !apm->applied || !kvm_enabled()) {
        return;
    }
    ret = kvm_s390_reset_ap_queues(&err);
    trace_s390_ap_matrix_reset(ret);
    if (ret < 0) {
        error_reportf_err(err, "AP queue reset failed: ");
    }
}

/* ---- changing a running machine's matrix ------------------------------- */

static S390ApMatrix *ap_matrix_qapi(APMasks masks)
{
    S390ApMatrix *m = g_new0(S390ApMatrix, 1);

    m->adapters = ap_idlist_format(masks[AP_LIST_ADAPTERS]);
    m->domains = ap_idlist_format(masks[AP_LIST_DOMAINS]);
    m->control_domains = ap_idlist_format(masks[AP_LIST_CONTROL]);
    return m;
}

/*
 * Make @masks the matrix of a running machine: in one step, and then the
 * guest (CHSC event) and QMP clients (S390_AP_MATRIX_CHANGED) are told.
 */
static bool ap_matrix_change(S390APMatrix *apm, APMasks masks, Error **errp)
{
    g_autoptr(S390ApMatrix) m = NULL;

    if (!ap_matrix_commit(apm, masks, errp)) {
        return false;
    }
    trace_s390_ap_matrix_notify();
    css_sei_nt0_ap_config_changed();
    m = ap_matrix_qapi(apm->masks);
    qapi_event_send_s390_ap_matrix_changed(m);
    return true;
}

static S390APMatrix *ap_matrix_running(Error **errp)
{
    S390APMatrix *apm = ap_matrix_current();

    if (!apm) {
        error_setg(errp, "the machine has no AP matrix");
    }
    return apm;
}

void qmp_set_s390_ap_matrix(bool has_adapters, const char *adapters,
                            bool has_domains, const char *domains,
                            bool has_control_domains,
                            const char *control_domains, Error **errp)
{
    ERRP_GUARD();
    S390APMatrix *apm = ap_matrix_running(errp);
    const char *value[AP_NR_LISTS] = {
        [AP_LIST_ADAPTERS] = has_adapters ? adapters : NULL,
        [AP_LIST_DOMAINS] = has_domains ? domains : NULL,
        [AP_LIST_CONTROL] = has_control_domains ? control_domains : NULL,
    };
    APMasks masks;
    int i;

    if (!apm) {
        return;
    }
    memcpy(masks, apm->masks, sizeof(masks));
    for (i = 0; i < AP_NR_LISTS; i++) {
        if (value[i] && ap_idlist_parse(value[i], AP_IDLIST_MAX_ID,
                                        masks[i], errp) < 0) {
            error_prepend(errp, "%s: ", ap_list_prop[i]);
            return;
        }
    }
    ap_matrix_change(apm, masks, errp);
}

/* Without an s390-ccw machine (-machine none) the matrix is empty. */
S390ApMatrixInfo *qmp_query_s390_ap_matrix(Error **errp)
{
    S390APMatrix *apm = ap_matrix_current();
    static APMasks none;
    S390ApMatrixInfo *info;
    unsigned int fmt, max_a, max_d;
    APMasks eff;

    info = g_new0(S390ApMatrixInfo, 1);
    info->requested = ap_matrix_qapi(apm ? apm->masks : none);
    info->in_use = apm && ap_masks_in_use(apm->masks);
    info->format = g_strdup("ids (decimal or 0x hex) and ranges a-b, "
                            "separated by ':' or ','");
    info->max_adapter = AP_IDLIST_MAX_ID;
    info->max_domain = AP_IDLIST_MAX_ID;
    info->event_pending = css_sei_nt0_have_event();
    if (kvm_enabled() && apm && apm->applied) {
        if (kvm_s390_get_ap_matrix(eff[AP_LIST_ADAPTERS],
                                   eff[AP_LIST_DOMAINS],
                                   eff[AP_LIST_CONTROL], &fmt, &max_a,
                                   &max_d, errp) < 0) {
            qapi_free_S390ApMatrixInfo(info);
            return NULL;
        }
        info->has_effective = true;
        info->effective = ap_matrix_qapi(eff);
        info->has_crycb_format = true;
        info->crycb_format = fmt;
        info->max_adapter = max_a;
        info->max_domain = max_d;
    }
    return info;
}

void hmp_info_ap_matrix(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    g_autoptr(S390ApMatrixInfo) info = qmp_query_s390_ap_matrix(&err);

    if (hmp_handle_error(mon, err)) {
        return;
    }
    monitor_printf(mon, "requested: adapters '%s' domains '%s' "
                   "control domains '%s'%s\n", info->requested->adapters,
                   info->requested->domains,
                   info->requested->control_domains,
                   info->in_use ? "" : " (not in use)");
    if (info->has_effective) {
        monitor_printf(mon, "effective: adapters '%s' domains '%s' "
                       "control domains '%s'\n", info->effective->adapters,
                       info->effective->domains,
                       info->effective->control_domains);
        monitor_printf(mon, "CRYCB format %u\n", info->crycb_format);
    } else {
        monitor_printf(mon, "effective: none (without KVM the matrix is "
                       "only recorded)\n");
    }
    monitor_printf(mon, "highest adapter %u, highest domain %u\n",
                   info->max_adapter, info->max_domain);
}

void hmp_ap_matrix_set(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;

    qmp_set_s390_ap_matrix(true, qdict_get_str(qdict, "adapters"),
                           true, qdict_get_str(qdict, "domains"),
                           true, qdict_get_str(qdict, "control"), &err);
    hmp_handle_error(mon, err);
}

/* ---- properties --------------------------------------------------------- */

static char *ap_get_list(Object *obj, int list)
{
    return ap_idlist_format(ap_matrix_of(obj)->masks[list]);
}

static void ap_set_list(Object *obj, int list, const char *value,
                        Error **errp)
{
    ERRP_GUARD();
    S390APMatrix *apm = ap_matrix_of(obj);
    APMasks masks;

    memcpy(masks, apm->masks, sizeof(masks));
    memset(masks[list], 0, AP_IDLIST_BYTES);
    if (ap_idlist_parse(value, AP_IDLIST_MAX_ID, masks[list], errp) < 0) {
        error_prepend(errp, "%s: ", ap_list_prop[list]);
        return;
    }
    if (!phase_check(PHASE_MACHINE_READY)) {
        /* the command line: board init hands the matrix to KVM */
        memcpy(apm->masks, masks, sizeof(masks));
        return;
    }
    /* a running machine (QMP qom-set): change the guest's matrix now */
    ap_matrix_change(apm, masks, errp);
}

static char *ap_get_adapters(Object *obj, Error **errp)
{
    return ap_get_list(obj, AP_LIST_ADAPTERS);
}

static void ap_set_adapters(Object *obj, const char *value, Error **errp)
{
    ap_set_list(obj, AP_LIST_ADAPTERS, value, errp);
}

static char *ap_get_domains(Object *obj, Error **errp)
{
    return ap_get_list(obj, AP_LIST_DOMAINS);
}

static void ap_set_domains(Object *obj, const char *value, Error **errp)
{
    ap_set_list(obj, AP_LIST_DOMAINS, value, errp);
}

static char *ap_get_control(Object *obj, Error **errp)
{
    return ap_get_list(obj, AP_LIST_CONTROL);
}

static void ap_set_control(Object *obj, const char *value, Error **errp)
{
    ap_set_list(obj, AP_LIST_CONTROL, value, errp);
}

static char *ap_get_grant(Object *obj, Error **errp)
{
    S390APMatrix *apm = ap_matrix_of(obj);

    return g_strdup(apm->grant ? apm->grant : "");
}

#ifdef CONFIG_LINUX
/*
 * The kernel creates a grant as an anonymous inode named "kvm-ap-grant"
 * (arch/s390/kvm/ap-matrix/grant.c, anon_inode_getfile()), which
 * /proc/self/fd shows as "anon_inode:kvm-ap-grant"; no file, pipe or
 * socket reads like that.  Checking it here gives the user a clear
 * message when the wrong descriptor is passed; the kernel checks the
 * file itself on every KVM_S390_SET_AP_MATRIX.
 */
#define AP_GRANT_LINK "anon_inode:kvm-ap-grant"

static bool ap_grant_verify(const char *value, int fd, const char *what,
                            Error **errp)
{
    ERRP_GUARD();
    g_autofree char *path = g_strdup_printf("/proc/self/fd/%d", fd);
    g_autoptr(GError) gerr = NULL;
    g_autofree char *link = g_file_read_link(path, &gerr);

    trace_s390_ap_matrix_grant_take(value, fd, link ? link : "?");
    if (!link) {
        error_setg(errp, "ap-grant: cannot check %s: %s", what,
                   gerr->message);
        return false;
    }
    if (strcmp(link, AP_GRANT_LINK)) {
        error_setg(errp, "ap-grant: %s is not an AP grant: it is %s", what,
                   link);
        error_append_hint(errp, "An AP grant comes from the AP manager "
                          "('apmatrix grant' or 'apmatrix serve').\n");
        return false;
    }
    return true;
}

/*
 * Take our own descriptor for the ap-grant value @value: an fdset
 * (/dev/fdset/N, from -add-fd or add-fd; qemu_open() dups one of its
 * read-write descriptors), a name given to getfd on the monitor that runs
 * this command (QEMU owns that descriptor from then on), or, on the
 * command line only, a raw descriptor number, which is dup()ed.  A number
 * is never taken from a monitor, not even in -preconfig: it could name
 * any of QEMU's own descriptors.  The grant only ever closes the
 * descriptor it took here.
 * Returns the descriptor, or -1 with @errp set.
 */
static int ap_grant_take(const char *value, Error **errp)
{
    ERRP_GUARD();
    g_autofree char *what = NULL;
    int fd;

    if (g_str_has_prefix(value, "/dev/fdset/")) {
        const char *num = value + strlen("/dev/fdset/");

        if (!qemu_isdigit(*num) || qemu_strtoi(num, NULL, 10, &fd) < 0) {
            error_setg(errp, "ap-grant: '%s' is not /dev/fdset/N", value);
            return -1;
        }
        fd = qemu_open(value, O_RDWR, errp);
        if (fd < 0) {
            error_prepend(errp, "ap-grant: ");
            error_append_hint(errp, "The fdset must hold the grant as a "
                              "read-write descriptor.\n");
            return -1;
        }
        what = g_strdup(value);
    } else if (qemu_isdigit(*value)) {
        int num;

        if (qemu_strtoi(value, NULL, 10, &num) < 0) {
            error_setg(errp, "ap-grant: '%s' is neither a file descriptor "
                       "number nor a name", value);
            return -1;
        }
        if (monitor_cur() || phase_check(PHASE_MACHINE_READY)) {
            error_setg(errp, "ap-grant: a file descriptor number is "
                       "accepted on the command line only");
            error_append_hint(errp, "Pass /dev/fdset/N (add-fd) or the name "
                              "given to getfd.\n");
            return -1;
        }
        fd = qemu_dup(num);
        if (fd < 0) {
            error_setg_errno(errp, errno, "ap-grant: file descriptor %d",
                             num);
            return -1;
        }
        what = g_strdup_printf("file descriptor %d", num);
    } else if (qemu_isalpha(*value) || *value == '_') {
        Monitor *mon = monitor_cur();

        if (!mon) {
            error_setg(errp, "ap-grant: '%s': a descriptor name is "
                       "accepted on the monitor only (getfd)", value);
            return -1;
        }
        fd = monitor_get_fd(mon, value, errp);
        if (fd < 0) {
            error_prepend(errp, "ap-grant: ");
            return -1;
        }
        what = g_strdup_printf("'%s'", value);
    } else {
        error_setg(errp, "ap-grant: '%s' is neither a file descriptor "
                   "number nor a name", value);
        return -1;
    }
    if (!ap_grant_verify(value, fd, what, errp)) {
        qemu_close(fd);
        return -1;
    }
    return fd;
}
#else
/* AP grants are Linux file descriptors: no other host has one. */
static int ap_grant_take(const char *value, Error **errp)
{
    error_setg(errp, "ap-grant: '%s': AP grants exist on Linux hosts only",
               value);
    return -1;
}
#endif

/* A failed set changes nothing: the old grant stays. */
static void ap_set_grant(Object *obj, const char *value, Error **errp)
{
    S390APMatrix *apm = ap_matrix_of(obj);
    int fd = -1;

    if (*value) {
        fd = ap_grant_take(value, errp);
        if (fd < 0) {
            return;
        }
    }
    if (apm->grant_fd >= 0) {
        trace_s390_ap_matrix_grant_close(apm->grant_fd);
        qemu_close(apm->grant_fd);
    }
    apm->grant_fd = fd;
    g_free(apm->grant);
    apm->grant = *value ? g_strdup(value) : NULL;
}

#define AP_SYNTAX ": ids separated by ':' (or ','), ranges a-b, decimal " \
                  "or 0x ids; e.g. 0:3-5:0x10"

void s390_ap_matrix_class_init(ObjectClass *oc)
{
    object_class_property_add_str(oc, "ap-adapters", ap_get_adapters,
                                  ap_set_adapters);
    object_class_property_set_description(oc, "ap-adapters",
        "AP adapters (APIDs) passed to the guest" AP_SYNTAX);
    object_class_property_add_str(oc, "ap-domains", ap_get_domains,
                                  ap_set_domains);
    object_class_property_set_description(oc, "ap-domains",
        "AP usage domains (APQIs) passed to the guest" AP_SYNTAX);
    object_class_property_add_str(oc, "ap-control-domains", ap_get_control,
                                  ap_set_control);
    object_class_property_set_description(oc, "ap-control-domains",
        "AP control domains passed to the guest" AP_SYNTAX);
    object_class_property_add_str(oc, "ap-grant", ap_get_grant, ap_set_grant);
    object_class_property_set_description(oc, "ap-grant",
        "AP grant from the AP manager: /dev/fdset/N (-add-fd), a name "
        "given to getfd, or on the command line an inherited file "
        "descriptor number");
}
