/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksim: the AP bus and driver-core environment of queue-driver.c.
 *
 * Just enough of struct device/device_driver, sysfs attributes, module
 * exports, initcalls, kvm references and of drivers/s390/crypto/ap_bus.h
 * (struct ap_driver, ap_device, ap_queue) for queue-driver.c to compile
 * unmodified.  The simulated AP bus behind it is tests/ksim/ksim-ap-bus.c
 * (queue devices that appear and vanish, driver binding in registration
 * order, apmask/aqmask edits that ask every driver's in_use()).
 */
#ifndef _KSIM_AP_BUS_H
#define _KSIM_AP_BUS_H

#include "ksim.h"

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))
#endif

#ifndef pr_notice
#define pr_notice(fmt, ...) ksim_printk("notice", pr_fmt(fmt), ##__VA_ARGS__)
#endif

int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int sysfs_emit(char *buf, const char *fmt, ...) __printf(2, 3);
#define KSIM_PAGE_SIZE	4096

/* ---- module exports, initcalls ------------------------------------------ */
#define EXPORT_SYMBOL_GPL(sym)	extern int ksim_export_##sym
#define __init
/* KVM=y: the late_initcall; the simulation calls it by hand */
#define late_initcall(fn)	int (*ksim_late_initcall)(void) = fn

/* ---- driver core --------------------------------------------------------- */
struct attribute {
	const char *name;
};

struct attribute_group {
	struct attribute **attrs;
};

struct device;
struct device_attribute {
	struct attribute attr;
	ssize_t (*show)(struct device *dev, struct device_attribute *attr,
			char *buf);
};

#define DEVICE_ATTR_RO(_name)						\
	struct device_attribute dev_attr_##_name = {			\
		.attr = { .name = #_name }, .show = _name##_show }

#define ATTRIBUTE_GROUPS(_name)						\
	static const struct attribute_group _name##_group = {		\
		.attrs = _name##_attrs };				\
	static const struct attribute_group *_name##_groups[] = {	\
		&_name##_group, NULL }

struct device_driver {
	const char *name;
	const struct attribute_group **dev_groups;
};

struct device {
	struct device_driver *driver;	/* bound driver, or NULL */
};

/* ---- kvm references ------------------------------------------------------ */
bool kvm_get_kvm_safe(struct kvm *kvm);
void kvm_put_kvm(struct kvm *kvm);

/* ---- drivers/s390/crypto/ap_bus.h ---------------------------------------- */
#define AP_QID_CARD(_qid)	(((_qid) >> 8) & 0xff)
#define AP_QID_QUEUE(_qid)	((_qid) & 0xff)

#define AP_DEVICE_TYPE_CEX4	10
#define AP_DEVICE_TYPE_CEX5	11
#define AP_DEVICE_TYPE_CEX6	12
#define AP_DEVICE_TYPE_CEX7	13
#define AP_DEVICE_TYPE_CEX8	14
#define AP_DEVICE_ID_MATCH_QUEUE_TYPE	0x02

struct ap_device_id {
	unsigned short match_flags;
	unsigned char dev_type;
};

struct ap_device {
	struct device device;
	int device_type;
};

struct ap_queue {
	struct ap_device ap_dev;
	ap_qid_t qid;
};

#define to_ap_queue(x) container_of((x), struct ap_queue, ap_dev.device)

struct ap_driver {
	struct device_driver driver;
	struct ap_device_id *ids;
	unsigned int flags;
	int (*probe)(struct ap_device *apdev);
	void (*remove)(struct ap_device *apdev);
	int (*in_use)(unsigned long *apm, unsigned long *aqm);
};

int ap_driver_register(struct ap_driver *drv, struct module *owner,
		       char *name);
/* the queue device of @qid with a reference, or NULL */
struct ap_queue *ap_get_qdev(ap_qid_t qid);
void put_device(struct device *dev);
/* 1: bound, 0: no driver took it, < 0: error */
int device_attach(struct device *dev);
void ap_driver_unregister(struct ap_driver *drv);

/* exported by queue-driver.c to vfio_ap (asm/kvm_host.h in the kernel) */
int kvm_s390_apmx_vfio_ap_probe(int apqn);
void kvm_s390_apmx_vfio_ap_remove(int apqn);

#endif /* _KSIM_AP_BUS_H */
