/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksim: the simulated AP bus and driver core (ksim-ap-bus.c) for the
 * queue-driver tests: card and queue devices that appear and vanish,
 * drivers probed in registration order, sysfs bind/unbind and driver
 * attributes, apmask/aqmask edits that ask in_use() and then revise the
 * bindings as Linux 6.1 does.
 */
#ifndef _KSIM_AP_BUS_SIM_H
#define _KSIM_AP_BUS_SIM_H

#include "ksim-host.h"
#include "shim/ksim-ap-bus.h"

/* the simulated default (zcrypt "cex4queue") driver and vfio_ap (0051) */
extern struct ap_driver ksim_zcrypt_drv;
extern struct ap_driver ksim_vfio_ap_drv;
/*
 * The next probe of vfio_ap that KVM allows fails (then the value is
 * reset): in sysfs_create_group() (-EEXIST) or in kzalloc() (-ENOMEM),
 * the two error paths of 6.1's vfio_ap_ops.c vfio_ap_mdev_probe_queue().
 */
enum {
	KSIM_VFIO_PROBE_OK,
	KSIM_VFIO_PROBE_SYSFS,
	KSIM_VFIO_PROBE_ALLOC,
};
extern int ksim_vfio_ap_probe_fail;

/* Fresh bus: no devices, no drivers; the bus is registered iff @up. */
void ksim_ap_bus_reset(bool up);
/* Unbind and free every device, unregister every driver. */
void ksim_ap_bus_teardown(void);
/* The apmatrix driver's registration as the kernel runs it: its
 * late_initcall (KVM=y), or kvm_arch_init()'s call (KVM=m, -DMODULE).
 */
void ksim_ap_bus_late_initcall(void);
/* The next driver_register() fails with this errno (0: none), as
 * bus_add_driver() does when its allocation fails (-ENOMEM).
 */
extern int ksim_ap_bus_fail_register;
/*
 * What 6.1's __ap_revise_reserved() reads for an unbound queue:
 * to_ap_drv(dev->driver)->flags with dev->driver NULL, a NULL dereference
 * (on s390 a read of the lowcore).  The simulation lets the test choose
 * the value; 0 by default (the queue counts as bound to a non-default
 * driver: reprobed when the host takes it).
 */
extern unsigned int ksim_revise_unbound_flags;
/* Called by an apmask/aqmask edit after it dropped ap_perms_mutex and
 * before it revises the bindings (another thread in that window).
 */
extern void (*ksim_ap_bus_before_revise)(void);

/* The AP bus's scan: a queue device appears (with its card device, if
 * new; the APQN is in the configuration) and is bound to the first driver
 * that probes it; or vanishes (out of the configuration: device_unregister(),
 * its driver's remove runs; ZAPQ/TAPQ answer RC 01 from then on).
 */
void ksim_qdev_add(unsigned int apid, unsigned int apqi, int type);
void ksim_qdev_del(unsigned int apid, unsigned int apqi);
/* The queue (its card) is deconfigured (!@on) or configured again, its
 * device kept (ZAPQ/TAPQ answer RC 03 while off; configured again, a
 * queue bound to a default driver gets a RAPQ); an APQN not in the
 * configuration is left alone.
 */
void ksim_qdev_config(unsigned int apid, unsigned int apqi, bool on);
/* The APQN leaves (!@in) or enters the configuration before the next
 * scan: RC 01 meanwhile, its device (if any) kept; one without a device
 * enters only if @devless.  Return: in the configuration afterwards.
 */
bool ksim_qdev_unscanned(unsigned int apid, unsigned int apqi, bool in,
			 bool devless);
/* echo APQN > /sys/bus/ap/drivers/<drv>/bind: 0 or the errno */
int ksim_qdev_bind(unsigned int apid, unsigned int apqi,
		   struct ap_driver *drv);
/* echo APQN > /sys/bus/ap/drivers/<the bound driver>/unbind: 0, -ENODEV */
int ksim_qdev_unbind(unsigned int apid, unsigned int apqi);
/* the driver bound to the queue, or NULL (also for no device) */
struct ap_driver *ksim_qdev_driver(unsigned int apid, unsigned int apqi);
/* a probe of the queue was deferred and it has not been bound since */
bool ksim_qdev_deferred(unsigned int apid, unsigned int apqi);
/* how many times the deferred-probe work retried a device of the APQN */
unsigned int ksim_qdev_deferred_retries(unsigned int apid, unsigned int apqi);
/*
 * The driver core's deferred-probe work item (drivers/base/dd.c
 * deferred_probe_work_func()), run as the workqueue would run it some time
 * after driver_deferred_probe_trigger() queued it: it retries every device
 * the last triggers moved to the active list.  Nothing retries a deferred
 * device otherwise.  Call holding no lock.  Return: false if the work was
 * not queued (nothing run).
 */
bool ksim_deferred_probe_work(void);
/* Read a sysfs attribute of the queue (its bound driver's dev_groups):
 * the length, -ENOENT if there is none, -EACCES if the caller may not.
 * The caller is root iff ksim_cap_sys_admin.
 */
int ksim_qdev_attr(unsigned int apid, unsigned int apqi, const char *name,
		   char *buf);
/* The registered driver named @name, or NULL. */
struct ap_driver *ksim_ap_driver(const char *name);
/* Write @buf to /sys/bus/ap/drivers/<drv>/<name>: the store's return
 * value, -ENOENT if there is no such file, -EACCES if the caller may not.
 */
long ksim_drv_attr_store(struct ap_driver *drv, const char *name,
			 const char *buf);
/* Read /sys/bus/ap/drivers/<drv>/<name> into @buf (KSIM_PAGE_SIZE): the
 * show's return value, -ENOENT if there is no such file, -EACCES if the
 * caller may not.
 */
long ksim_drv_attr_show(struct ap_driver *drv, const char *name, char *buf);

/* echo BUF > /sys/bus/ap/apmask (aqmask), in 6.1's syntax: a hex mask
 * ("0x..."), or relative terms ("+1,-4-7") applied to the mask as it is
 * when ap_perms_mutex is held: 0, -EINVAL (malformed, no change) or
 * -EBUSY (in_use vetoed, no change)
 */
int ksim_apmask_write(const char *buf);
int ksim_aqmask_write(const char *buf);
/* the same with the whole new mask given as an id list ("1,4-7"),
 * written as its hex mask
 */
int ksim_apmask_store(const char *apm);
int ksim_aqmask_store(const char *aqm);

/* kvm and device references taken by the code under test and not put */
extern int ksim_kvm_refs;
extern int ksim_qdev_refs;
/* kvm_get_kvm_safe() fails (the VM is being destroyed) */
extern bool ksim_kvm_dying;
/* runs right after kvm_get_kvm_safe() took a reference (another thread) */
extern void (*ksim_on_kvm_get)(struct kvm *kvm);

#endif
