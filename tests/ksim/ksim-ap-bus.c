// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: the simulated AP bus, driver core and sysfs of the queue-driver
 * tests (see ksim-ap-bus.h).  It behaves like drivers/s390/crypto/ap_bus.c
 * and drivers/base/ of Linux 6.1 where queue-driver.c can tell: a queue
 * the default drivers own (apmask and aqmask bits set) is only probed by a
 * default driver, any other by the non-default ones, in registration
 * order, the first successful probe wins; an apmask/aqmask edit asks every
 * driver's in_use() about the newly reserved APQNs with ap_perms_mutex
 * held, and revises the bindings after dropping it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksim-ap-bus.h"

#define KSIM_MAX_DRIVERS	4

static struct ap_queue *qdev[256][256];
static struct ap_driver *drivers[KSIM_MAX_DRIVERS];
static unsigned int ndrivers;
static bool bus_up;
extern struct mutex ap_perms_mutex;	/* ksim.c, also without ZCRYPT */
int ksim_kvm_refs;
bool ksim_kvm_dying;

/* queue-driver.c's late_initcall (absent with CONFIG_ZCRYPT=0) */
extern int (*ksim_late_initcall)(void) __attribute__((weak));

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!size)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < (int)size ? n : (int)size - 1;
}

int sysfs_emit(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, KSIM_PAGE_SIZE, fmt, ap);
	va_end(ap);
	return n;
}

bool kvm_get_kvm_safe(struct kvm *kvm)
{
	if (ksim_kvm_dying)
		return false;
	ksim_kvm_refs++;
	return true;
}

void kvm_put_kvm(struct kvm *kvm)
{
	ksim_kvm_refs--;
}

static bool host_owned(unsigned int apid, unsigned int apqi)
{
	return apmx_mask_test(ksim_host.apmask, apid) &&
	       apmx_mask_test(ksim_host.aqmask, apqi);
}

static bool matches(struct ap_driver *drv, struct ap_queue *q)
{
	struct ap_device_id *id;

	for (id = drv->ids; id->match_flags; id++)
		if ((id->match_flags & AP_DEVICE_ID_MATCH_QUEUE_TYPE) &&
		    id->dev_type == q->ap_dev.device_type)
			return true;
	return false;
}

/* ap_device_probe(): the default-driver rule, then the driver's probe */
static int probe(struct ap_driver *drv, struct ap_queue *q)
{
	bool owned = host_owned(AP_QID_CARD(q->qid), AP_QID_QUEUE(q->qid));
	int rc;

	if (q->ap_dev.device.driver)
		return -EBUSY;
	if (!matches(drv, q) || owned != !!(drv->flags & 1))
		return -ENODEV;
	rc = drv->probe(&q->ap_dev);
	if (ksim_locks_held()) {
		fprintf(stderr, "ksim: probe returned holding locks\n");
		ksim_violations++;
	}
	if (!rc)
		q->ap_dev.device.driver = &drv->driver;
	return rc;
}

static void attach(struct ap_queue *q)
{
	unsigned int i;

	for (i = 0; i < ndrivers && !q->ap_dev.device.driver; i++)
		probe(drivers[i], q);
}

static void detach(struct ap_queue *q)
{
	struct device_driver *d = q->ap_dev.device.driver;

	if (!d)
		return;
	container_of(d, struct ap_driver, driver)->remove(&q->ap_dev);
	q->ap_dev.device.driver = NULL;
}

int ap_driver_register(struct ap_driver *drv, struct module *owner,
		       char *name)
{
	unsigned int a, d;

	if (!bus_up || ndrivers == KSIM_MAX_DRIVERS)
		return -EINVAL;	/* "bus was not initialized" */
	drv->driver.name = name;
	drivers[ndrivers++] = drv;
	for (a = 0; a < 256; a++)
		for (d = 0; d < 256; d++)
			if (qdev[a][d])
				probe(drv, qdev[a][d]);
	return 0;
}

void ap_driver_unregister(struct ap_driver *drv)
{
	unsigned int a, d, i;

	for (a = 0; a < 256; a++)
		for (d = 0; d < 256; d++)
			if (qdev[a][d] &&
			    qdev[a][d]->ap_dev.device.driver == &drv->driver)
				detach(qdev[a][d]);
	for (i = 0; i < ndrivers; i++)
		if (drivers[i] == drv)
			break;
	for (; i + 1 < ndrivers; i++)
		drivers[i] = drivers[i + 1];
	ndrivers--;
}

/* the default zcrypt driver: takes what the host owns */
static int zcrypt_probe(struct ap_device *apdev)
{
	return 0;
}

static void zcrypt_remove(struct ap_device *apdev)
{
}

static struct ap_device_id all_queue_types[] = {
	{ AP_DEVICE_ID_MATCH_QUEUE_TYPE, AP_DEVICE_TYPE_CEX4 },
	{ AP_DEVICE_ID_MATCH_QUEUE_TYPE, AP_DEVICE_TYPE_CEX5 },
	{ AP_DEVICE_ID_MATCH_QUEUE_TYPE, AP_DEVICE_TYPE_CEX6 },
	{ AP_DEVICE_ID_MATCH_QUEUE_TYPE, AP_DEVICE_TYPE_CEX7 },
	{ AP_DEVICE_ID_MATCH_QUEUE_TYPE, AP_DEVICE_TYPE_CEX8 },
	{ 0, 0 },
};

struct ap_driver ksim_zcrypt_drv = {
	.ids = all_queue_types,
	.flags = 1,	/* AP_DRIVER_FLAG_DEFAULT */
	.probe = zcrypt_probe,
	.remove = zcrypt_remove,
};

/* vfio_ap with patch 0051: asks KVM before it binds, resets on remove */
static int vfio_ap_probe(struct ap_device *apdev)
{
#if IS_ENABLED(CONFIG_ZCRYPT)
	return kvm_s390_apmx_vfio_ap_probe(to_ap_queue(&apdev->device)->qid);
#else
	return 0;
#endif
}

static void vfio_ap_remove(struct ap_device *apdev)
{
	ap_qid_t qid = to_ap_queue(&apdev->device)->qid;

	ap_zapq(qid);
#if IS_ENABLED(CONFIG_ZCRYPT)
	kvm_s390_apmx_vfio_ap_remove(qid);
#endif
}

struct ap_driver ksim_vfio_ap_drv = {
	.ids = all_queue_types,
	.probe = vfio_ap_probe,
	.remove = vfio_ap_remove,
};

void ksim_ap_bus_reset(bool up)
{
	memset(qdev, 0, sizeof(qdev));
	ndrivers = 0;
	bus_up = up;
	ksim_kvm_refs = 0;
	ksim_qdev_refs = 0;
	ksim_kvm_dying = false;
	ksim_zcrypt_drv.driver.name = "cex4queue";
	ksim_vfio_ap_drv.driver.name = "vfio_ap";
}

void ksim_ap_bus_late_initcall(void)
{
	if (ksim_late_initcall)
		ksim_late_initcall();
}

void ksim_ap_bus_teardown(void)
{
	unsigned int a, d;

	while (ndrivers)
		ap_driver_unregister(drivers[ndrivers - 1]);
	for (a = 0; a < 256; a++)
		for (d = 0; d < 256; d++) {
			free(qdev[a][d]);
			qdev[a][d] = NULL;
		}
}

void ksim_qdev_add(unsigned int apid, unsigned int apqi, int type)
{
	struct ap_queue *q = qdev[apid][apqi];

	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q)
			abort();
		q->qid = AP_MKQID(apid, apqi);
		q->ap_dev.device_type = type;
		qdev[apid][apqi] = q;
	}
	ksim_host.q[apid][apqi].exists = true;
	attach(q);
}

void ksim_qdev_del(unsigned int apid, unsigned int apqi)
{
	struct ap_queue *q = qdev[apid][apqi];

	ksim_host.q[apid][apqi].exists = false;
	if (!q)
		return;
	detach(q);
	free(q);
	qdev[apid][apqi] = NULL;
}

int ksim_qdev_bind(unsigned int apid, unsigned int apqi,
		   struct ap_driver *drv)
{
	if (!qdev[apid][apqi])
		return -ENODEV;
	return probe(drv, qdev[apid][apqi]);
}

void ksim_qdev_unbind(unsigned int apid, unsigned int apqi)
{
	if (qdev[apid][apqi])
		detach(qdev[apid][apqi]);
}

int ksim_qdev_refs;

struct ap_queue *ap_get_qdev(ap_qid_t qid)
{
	struct ap_queue *q = qdev[AP_QID_CARD(qid)][AP_QID_QUEUE(qid)];

	if (q)
		ksim_qdev_refs++;
	return q;
}

void put_device(struct device *dev)
{
	ksim_qdev_refs--;
}

int device_attach(struct device *dev)
{
	struct ap_queue *q = to_ap_queue(dev);

	if (ksim_locks_held()) {
		fprintf(stderr, "ksim: device_attach holding locks\n");
		ksim_violations++;
	}
	attach(q);
	return q->ap_dev.device.driver ? 1 : 0;
}

struct ap_driver *ksim_qdev_driver(unsigned int apid, unsigned int apqi)
{
	struct ap_queue *q = qdev[apid][apqi];

	if (!q || !q->ap_dev.device.driver)
		return NULL;
	return container_of(q->ap_dev.device.driver, struct ap_driver, driver);
}

int ksim_qdev_attr(unsigned int apid, unsigned int apqi, const char *name,
		   char *buf)
{
	struct ap_driver *drv = ksim_qdev_driver(apid, apqi);
	const struct attribute_group **g;
	struct attribute **a;

	if (!drv || !drv->driver.dev_groups)
		return -ENOENT;
	for (g = drv->driver.dev_groups; *g; g++)
		for (a = (*g)->attrs; *a; a++)
			if (!strcmp((*a)->name, name))
				return container_of(*a, struct device_attribute,
						    attr)->show(
					&qdev[apid][apqi]->ap_dev.device,
					container_of(*a, struct device_attribute,
						     attr), buf);
	return -ENOENT;
}

/* __ap_revise_reserved(): rebind queues whose default status changed */
static void revise(void)
{
	unsigned int a, d;
	struct ap_queue *q;
	struct ap_driver *drv;

	for (a = 0; a < 256; a++)
		for (d = 0; d < 256; d++) {
			q = qdev[a][d];
			if (!q)
				continue;
			drv = ksim_qdev_driver(a, d);
			if (drv && !!(drv->flags & 1) != host_owned(a, d))
				detach(q);
			attach(q);
		}
}

/* apmask_commit()/aqmask_commit(): in_use on the newly reserved bits */
static int mask_store(u8 *cur, const char *list, bool adapters)
{
	u8 want[32], reserved[32];
	unsigned long apm[32 / sizeof(long)], aqm[32 / sizeof(long)];
	char err[APMX_ERRMSG_LEN];
	unsigned int i;
	int rc = 0;

	if (apmx_idlist_parse(list, 255, want, err, sizeof(err)))
		abort();
	mutex_lock(&ap_perms_mutex);
	for (i = 0; i < 32; i++)
		reserved[i] = want[i] & ~cur[i];
	if (!apmx_mask_empty(reserved)) {
		/* the AP bus's bitmaps are the MSB-0 byte images on s390 */
		memcpy(apm, adapters ? reserved : ksim_host.apmask, 32);
		memcpy(aqm, adapters ? ksim_host.aqmask : reserved, 32);
		for (i = 0; i < ndrivers && !rc; i++)
			if (drivers[i]->in_use && drivers[i]->in_use(apm, aqm))
				rc = -EBUSY;
	}
	if (!rc)
		memcpy(cur, want, 32);
	mutex_unlock(&ap_perms_mutex);
	if (!rc)
		revise();
	return rc;
}

int ksim_apmask_store(const char *apm)
{
	return mask_store(ksim_host.apmask, apm, true);
}

int ksim_aqmask_store(const char *aqm)
{
	return mask_store(ksim_host.aqmask, aqm, false);
}
