/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksim: the AP bus and driver-core environment of queue-driver.c.
 *
 * Just enough of struct device/device_driver/bus_type, sysfs attributes,
 * module exports, initcalls, kvm references and of
 * drivers/s390/crypto/ap_bus.h (struct ap_driver, ap_device, ap_card,
 * ap_queue) of Linux 6.1 for queue-driver.c to compile unmodified.  The
 * simulated AP bus and driver core behind it is tests/ksim/ksim-ap-bus.c;
 * each function there names the 6.1 function it models.  Every field the
 * kernel has and queue-driver.c uses has its 6.1 name and meaning; what
 * only the simulation needs is in struct ksim_device (dev->ksim).
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

/*
 * include/asm-generic/rwonce.h: a marked access; with -DKSIM_THREADS an
 * atomic load, so that ThreadSanitizer treats it as KCSAN does a
 * READ_ONCE() (the writers of what it reads store atomically too).
 */
#ifndef READ_ONCE
#ifdef KSIM_THREADS
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#else
#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#endif
#endif

int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int sysfs_emit(char *buf, const char *fmt, ...) __printf(2, 3);
int sysfs_emit_at(char *buf, int at, const char *fmt, ...) __printf(3, 4);
#define KSIM_PAGE_SIZE	4096

/*
 * lib/kstrtox.c kstrtouint() (<linux/kstrtox.h>, which <linux/kernel.h>
 * includes): an optional '+', "0x" for base 16, digits, one optional
 * trailing newline, nothing else; -EINVAL or -ERANGE.
 */
int kstrtouint(const char *s, unsigned int base, unsigned int *res);

/* ---- module exports, initcalls ------------------------------------------ */
#define EXPORT_SYMBOL_GPL(sym)	extern int ksim_export_##sym
#define __init
/* KVM=y: the late_initcall; the simulation calls it by hand */
#define late_initcall(fn)	int (*ksim_late_initcall)(void) = fn

/* ---- sysfs attributes (include/linux/sysfs.h, device.h, driver.h) -------- */
typedef unsigned short umode_t;

struct attribute {
	const char *name;
	umode_t mode;
};

struct attribute_group {
	struct attribute **attrs;
};

struct device;
struct device_driver;

struct device_attribute {
	struct attribute attr;
	ssize_t (*show)(struct device *dev, struct device_attribute *attr,
			char *buf);
	ssize_t (*store)(struct device *dev, struct device_attribute *attr,
			 const char *buf, size_t count);
};

struct driver_attribute {
	struct attribute attr;
	ssize_t (*show)(struct device_driver *driver, char *buf);
	ssize_t (*store)(struct device_driver *driver, const char *buf,
			 size_t count);
};

/* include/linux/sysfs.h __ATTR_RO(), __ATTR_RO_MODE(), __ATTR_WO() */
#define DEVICE_ATTR_RO(_name)						\
	struct device_attribute dev_attr_##_name = {			\
		.attr = { .name = #_name, .mode = 0444 },		\
		.show = _name##_show }
#define DEVICE_ATTR_ADMIN_RO(_name)					\
	struct device_attribute dev_attr_##_name = {			\
		.attr = { .name = #_name, .mode = 0400 },		\
		.show = _name##_show }
#define DRIVER_ATTR_WO(_name)						\
	struct driver_attribute driver_attr_##_name = {			\
		.attr = { .name = #_name, .mode = 0200 },		\
		.store = _name##_store }
/* include/linux/sysfs.h __ATTR_RO_MODE(_name, 0400) in a driver_attribute */
#define __ATTR_RO_MODE(_name, _mode) {					\
		.attr = { .name = #_name, .mode = _mode },		\
		.show = _name##_show }

#define ATTRIBUTE_GROUPS(_name)						\
	static const struct attribute_group _name##_group = {		\
		.attrs = _name##_attrs };				\
	static const struct attribute_group *_name##_groups[] = {	\
		&_name##_group, NULL }

/* ---- driver core (include/linux/device.h, device/bus.h, device/driver.h) - */
struct bus_type {
	const char *name;
};

struct device_driver {
	const char *name;
	struct bus_type *bus;
	struct module *owner;
	const struct attribute_group **groups;		/* of the driver */
	const struct attribute_group **dev_groups;	/* of bound devices */
	bool ksim_registered;	/* driver_register() done, not unregistered */
};

/*
 * what drivers/base/ keeps in struct device_private, and simulation state.
 * With -DKSIM_THREADS (ksim-ap-bus.c): @refs, @next, @registered and
 * @bind_seq under the simulation's klist lock (the bus's klist spinlocks,
 * ap_queues_lock), @deferred and @dnext under it too (it stands for dd.c's
 * deferred_probe_mutex there: taken under the device lock, never held
 * while a driver's code runs), @dead and @bound under the device lock,
 * which is a real mutex (@mutex, dev->mutex) with its owner thread in
 * @owner.
 */
struct ksim_device {
	char name[16];		/* dev_set_name() */
	int refs;		/* kobject refcount (get_device/put_device) */
	bool registered;	/* device_add() done: on the bus's klist */
	bool dead;		/* device_del() begun (dev->p->dead) */
	bool locked;		/* device_lock() held */
	unsigned int recursed;	/* device_lock() taken again by its owner */
#ifdef KSIM_THREADS
	pthread_mutex_t mutex;	/* dev->mutex; zero is the initializer */
	unsigned long owner;	/* the holding thread (atomic), 0: none */
#endif
	bool bound;		/* driver_bound(): in the driver's klist */
	/* on dd.c's deferred_probe_pending_list or _active_list (KSIM_DEFER_*) */
	unsigned char deferred;
	struct device *dnext;	/* the next device on that list */
	bool is_queue;		/* an ap_queue (else an ap_card or the root) */
	unsigned long bind_seq;	/* order of driver_bound(), for detach */
	struct device *next;	/* the bus's klist_devices, device_add order */
};

struct device {
	struct device *parent;
	struct bus_type *bus;
	struct device_driver *driver;	/* bound (or being probed), or NULL */
	struct ksim_device ksim;
};

/* include/linux/device.h dev_name() */
static inline const char *dev_name(const struct device *dev)
{
	return dev->ksim.name;
}

/* drivers/base/core.c get_device()/put_device(): counted in ksim_qdev_refs */
struct device *get_device(struct device *dev);
void put_device(struct device *dev);
/* drivers/base/bus.c bus_for_each_dev(), bus_find_device() */
int bus_for_each_dev(struct bus_type *bus, struct device *start, void *data,
		     int (*fn)(struct device *dev, void *data));
struct device *bus_find_device(struct bus_type *bus, struct device *start,
			       const void *data,
			       int (*match)(struct device *dev,
					    const void *data));
/* drivers/base/dd.c device_attach(): 1 bound, 0 no driver took it, < 0 */
int device_attach(struct device *dev);
/* drivers/base/dd.c device_release_driver() */
void device_release_driver(struct device *dev);

/* ---- kvm references ------------------------------------------------------ */
bool kvm_get_kvm_safe(struct kvm *kvm);
void kvm_put_kvm(struct kvm *kvm);

/* ---- drivers/s390/crypto/ap_bus.h ---------------------------------------- */
#define AP_DEVICES		256
#define AP_DOMAINS		256
#define AP_QID_CARD(_qid)	(((_qid) >> 8) & 0xff)
#define AP_QID_QUEUE(_qid)	((_qid) & 0xff)

#define AP_DEVICE_TYPE_CEX2A	6	/* ap_bus.h: older types, still in 6.1 */
#define AP_DEVICE_TYPE_CEX2C	7
#define AP_DEVICE_TYPE_CEX3A	8
#define AP_DEVICE_TYPE_CEX3C	9
#define AP_DEVICE_TYPE_CEX4	10
#define AP_DEVICE_TYPE_CEX5	11
#define AP_DEVICE_TYPE_CEX6	12
#define AP_DEVICE_TYPE_CEX7	13
#define AP_DEVICE_TYPE_CEX8	14
#define AP_DEVICE_ID_MATCH_CARD_TYPE	0x01
#define AP_DEVICE_ID_MATCH_QUEUE_TYPE	0x02
#define AP_DRIVER_FLAG_DEFAULT	0x0001

struct ap_device_id {
	unsigned short match_flags;
	unsigned char dev_type;
};

struct ap_device {
	struct device device;
	int device_type;
};

#define to_ap_dev(x) container_of((x), struct ap_device, device)

struct ap_card {
	struct ap_device ap_dev;
	int id;
};

#define to_ap_card(x) container_of((x), struct ap_card, ap_dev.device)

struct ap_queue {
	struct ap_device ap_dev;
	bool ksim_hashed;	/* hnode is in ap_bus.c's ap_queues hash */
	ap_qid_t qid;
	bool config;		/* ap_bus.h: false while deconfigured (RC 03) */
};

/*
 * ap_bus.h to_ap_queue() is container_of(); on a card device it would
 * read beyond the struct ap_card, so the shim counts a violation.
 */
extern unsigned int ksim_violations;
struct ap_queue *ksim_to_ap_queue(struct device *dev);
#define to_ap_queue(x) ksim_to_ap_queue(x)

struct ap_driver {
	struct device_driver driver;
	struct ap_device_id *ids;
	unsigned int flags;
	int (*probe)(struct ap_device *apdev);
	void (*remove)(struct ap_device *apdev);
	int (*in_use)(unsigned long *apm, unsigned long *aqm);
};

#define to_ap_drv(x) container_of((x), struct ap_driver, driver)

int ap_driver_register(struct ap_driver *drv, struct module *owner,
		       char *name);
void ap_driver_unregister(struct ap_driver *drv);
/* ap_bus.c ap_get_qdev(): a queue in the hash (bound), with a reference */
struct ap_queue *ap_get_qdev(ap_qid_t qid);

/* exported by queue-driver.c to vfio_ap (asm/kvm_host.h in the kernel) */
int kvm_s390_apmx_vfio_ap_probe(int apqn);
void kvm_s390_apmx_vfio_ap_probe_undo(int apqn);
void kvm_s390_apmx_vfio_ap_remove(int apqn);
int kvm_s390_apmx_vfio_ap_control(const void *mdev, const unsigned long *apm,
				  const unsigned long *adm);

/*
 * A vfio_ap mediated device as vfio_ap_ops.c with patch 0051 keeps it:
 * struct ap_matrix's apm, aqm and adm bitmaps (AP_DEVICES, AP_DOMAINS =
 * 256 bits, set_bit_inv() numbering).  The ksim_mdev_* calls do what its
 * sysfs stores do (assign_adapter_store(), assign_control_domain_store(),
 * unassign_adapter_store(), unassign_control_domain_store()) and
 * vfio_ap_mdev_remove(), minus the parts that do not concern KVM: no
 * shadow APCB, no vfio_ap locks, no mask validation.  So the suites test
 * KVM's side of patch 0051 only; where vfio_ap calls KVM (after its
 * guest's APCB lost a control domain, not before) is for the test bed.
 */
struct ksim_mdev {
	unsigned long apm[256 / BITS_PER_LONG];
	unsigned long aqm[256 / BITS_PER_LONG];
	unsigned long adm[256 / BITS_PER_LONG];
};
int ksim_mdev_assign_adapter(struct ksim_mdev *m, unsigned long apid);
int ksim_mdev_assign_control_domain(struct ksim_mdev *m, unsigned long id);
void ksim_mdev_unassign_adapter(struct ksim_mdev *m, unsigned long apid);
void ksim_mdev_unassign_control_domain(struct ksim_mdev *m, unsigned long id);
void ksim_mdev_remove(struct ksim_mdev *m);

#endif /* _KSIM_AP_BUS_H */
