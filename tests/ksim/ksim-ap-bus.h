/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksim: the simulated AP bus (ksim-ap-bus.c) for the queue-driver tests:
 * queue devices that appear and vanish, drivers bound in registration
 * order, sysfs bind/unbind and apmask/aqmask edits that ask in_use().
 */
#ifndef _KSIM_AP_BUS_SIM_H
#define _KSIM_AP_BUS_SIM_H

#include "ksim-host.h"
#include "shim/ksim-ap-bus.h"

/* the simulated default (zcrypt) driver and vfio_ap (patched as 0051) */
extern struct ap_driver ksim_zcrypt_drv;
extern struct ap_driver ksim_vfio_ap_drv;

/* Fresh bus: no devices, no drivers; the bus is registered iff @up. */
void ksim_ap_bus_reset(bool up);
/* Unbind and free every device, unregister every driver. */
void ksim_ap_bus_teardown(void);
/* The apmatrix driver's late_initcall (KVM=y), as the kernel runs it. */
void ksim_ap_bus_late_initcall(void);

/* A queue device appears (configured) and is bound to the first driver
 * that probes it; or vanishes (unconfigured: ZAPQ/TAPQ answer RC 01).
 */
void ksim_qdev_add(unsigned int apid, unsigned int apqi, int type);
void ksim_qdev_del(unsigned int apid, unsigned int apqi);
/* sysfs bind/unbind: 0 or the errno */
int ksim_qdev_bind(unsigned int apid, unsigned int apqi,
		   struct ap_driver *drv);
void ksim_qdev_unbind(unsigned int apid, unsigned int apqi);
/* the driver bound to the queue, or NULL (also for no device) */
struct ap_driver *ksim_qdev_driver(unsigned int apid, unsigned int apqi);
/* read a sysfs attribute of the queue's bound driver; -ENOENT if none */
int ksim_qdev_attr(unsigned int apid, unsigned int apqi, const char *name,
		   char *buf);

/* /sys/bus/ap/apmask, aqmask: 0 or -EBUSY (in_use vetoed, no change) */
int ksim_apmask_store(const char *apm);
int ksim_aqmask_store(const char *aqm);

/* kvm and queue device references taken and not put */
extern int ksim_kvm_refs;
extern int ksim_qdev_refs;
/* kvm_get_kvm_safe() fails (the VM is being destroyed) */
extern bool ksim_kvm_dying;

#endif
