// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: the simulated AP bus, driver core and sysfs of the queue-driver
 * tests (see ksim-ap-bus.h), modelled on Linux 6.1: each function names
 * the function of drivers/s390/crypto/ap_bus.c, ap_queue.c or
 * drivers/base/ (bus.c, dd.c, driver.c, core.c) it models, and is as
 * strict where queue-driver.c can tell:
 *   - the bus has card devices (parent: the AP root device, itself on the bus but not listed) and
 *     queue devices (parent: their card), in device_add() order;
 *   - ap_get_qdev() finds only queues in ap_bus.c's hash, which
 *     ap_device_probe() adds a queue to before the driver's probe (and
 *     deletes on failure) and ap_device_remove() deletes it from: bound
 *     queues, never unbound ones;
 *   - a queue the default drivers own (apmask and aqmask bits set) is only
 *     probed by a default driver, any other only by the non-default ones;
 *     drivers are tried in registration order, the first probe that
 *     succeeds wins, -ENODEV/-ENXIO are silent, other errors are logged;
 *   - an apmask/aqmask edit asks every driver's in_use() about the newly
 *     reserved APQNs with ap_perms_mutex held, drops it, and then reprobes
 *     only the queues whose default-driver status changed.
 * Not modelled: ap_queue_remove()'s single unverified ZAPQ after a
 * driver's remove (the tests must see the driver's own reset), uevents,
 * asynchronous probing, the AP bus's scan thread (ksim_qdev_add(), _del()
 * and _config() are what its scans do to one APQN), card devices going
 * away (ap_scan_adapter()), checkstop (RC 04).
 *
 * With -DKSIM_THREADS (the race suite, tests/ksim/race) many threads use
 * the bus at once, locked as 6.1 locks it:
 *   - klist_lock: what the driver core's klist spinlocks
 *     (bus->p->klist_devices and klist_drivers, drivers/base/bus.c
 *     next_device() with klist_next(), bus_add_driver()), the kobject
 *     refcount and ap_bus.c's ap_queues_lock (ap_get_qdev(), the hash_add()
 *     and hash_del() of ap_device_probe() and ap_device_remove()) protect:
 *     the device and driver lists, the registered flags, the references,
 *     the queue hash.  It is a spinlock there: never held while driver or
 *     kernel code runs here;
 *   - the device lock (include/linux/device.h device_lock(), dev->mutex),
 *     a real mutex, around every probe and remove (drivers/base/dd.c
 *     __device_attach(), __driver_attach(), device_driver_attach(),
 *     device_release_driver(); core.c device_del() marks the device dead
 *     under it, kill_device());
 *   - ap_perms_mutex: an apmask/aqmask edit parses, asks every driver's
 *     in_use() and commits under it (ap_bus.c apmask_store(),
 *     aqmask_store()), and revises the bindings after dropping it;
 *     ap_device_probe() and __ap_revise_reserved() read the masks under
 *     it;
 *   - scan_lock: ap_bus.c ap_scan_bus() is the work item ap_scan_work,
 *     which runs on one worker at a time (kernel/workqueue.c: a work item
 *     is never executed by two workers at once): queue devices appear and
 *     vanish, and queues are configured off and on, one scan at a time
 *     (ksim_qdev_add(), _del(), _config(), _unscanned());
 *   - dev->driver is stored atomically (drivers/base/dd.c really_probe()
 *     and __device_release_driver() write it under the device lock) and
 *     read with READ_ONCE() where 6.1 reads it without the device lock
 *     (ap_bus.c __ap_revise_reserved(), queue-driver.c).
 * Without -DKSIM_THREADS these locks are no-ops.
 *
 * Lock order, outermost first, with the ranks of ap-matrix.h (ksim.h
 * KSIM_RANK_*) in the middle:
 *   scan_lock      the scan (a work item: it runs holding nothing; taking
 *                  it holding a lock of ap-matrix.h is reported);
 *   device lock    its device_register() probes and device_unregister()
 *                  removes under it; never taken holding a lock of
 *                  ap-matrix.h (reported);
 *   ranks 1-11     op_lock, ap_perms_mutex (ap_device_probe() and the mask
 *                  stores), vfio_ap's guests_lock, kvm->lock, vcpu->mutex,
 *                  pqap_hook_rwsem, vfio_ap's mdevs_lock, aqic_lock,
 *                  mmap_lock, apmx_aqic_orphan_lock, apmx_table_lock;
 *   klist_lock and the simulated hardware's hw_lock (ksim.c): innermost,
 *                  never nested, never held while driver or kernel code
 *                  runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ap-bitmap-str.h"
#include "ksim-ap-bus.h"
#include "shim/asm/bitops.h"

#define KSIM_MAX_DRIVERS	6

#ifdef KSIM_THREADS
static pthread_mutex_t klist_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t scan_lock = PTHREAD_MUTEX_INITIALIZER;
#define KLIST_LOCK()	pthread_mutex_lock(&klist_lock)
#define KLIST_UNLOCK()	pthread_mutex_unlock(&klist_lock)
#define SCAN_LOCK()	do { scan_check(); pthread_mutex_lock(&scan_lock); } while (0)
#define SCAN_UNLOCK()	pthread_mutex_unlock(&scan_lock)
/* a token of the calling thread: the address of a thread-local */
static __thread char thread_token;
#define THREAD_ID()	((unsigned long)&thread_token)
#else
#define KLIST_LOCK()	do { } while (0)
#define KLIST_UNLOCK()	do { } while (0)
#define SCAN_LOCK()	scan_check()
#define SCAN_UNLOCK()	do { } while (0)
#endif
/* WRITE_ONCE()/READ_ONCE() of what is read without the lock it is set under */
#define SET_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define GET_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
/* the counters of references (atomic_t in the kernel) */
#define COUNT(x, n)	__atomic_add_fetch(&(x), (n), __ATOMIC_SEQ_CST)

/* ap_bus.c: static struct bus_type ap_bus_type; bus->p once registered */
static struct bus_type ap_bus_type = { .name = "ap" };
static bool bus_up;
/*
 * ap_bus.c ap_root_device = root_device_register("ap"), no parent; and
 * ap_bus_init() sets ap_root_device->bus = &ap_bus_type, so a card (whose
 * parent it is) has a parent on the AP bus, as a queue (whose parent is
 * its card) has.  It is not in the bus's device list (never device_add()ed
 * to the bus).
 */
static struct device ap_root_device = { .bus = &ap_bus_type,
					.ksim = { .name = "ap" } };
/* the bus's klist_devices, in device_add() order */
static struct device *dev_head;
/* the bus's klist_drivers, in registration order */
static struct ap_driver *drivers[KSIM_MAX_DRIVERS];
static unsigned int ndrivers;
/* the simulation's index of registered devices */
static struct ap_card *cards[AP_DEVICES];
static struct ap_queue *qdev[AP_DEVICES][AP_DOMAINS];
static unsigned long bind_seq;

extern struct mutex ap_perms_mutex;	/* ksim.c, also without ZCRYPT */
int ksim_kvm_refs;
int ksim_qdev_refs;
bool ksim_kvm_dying;
int ksim_ap_bus_fail_register;
unsigned int ksim_revise_unbound_flags;
void (*ksim_ap_bus_before_revise)(void);

/* queue-driver.c's late_initcall (absent with CONFIG_ZCRYPT=0) */
extern int (*ksim_late_initcall)(void) __attribute__((weak));

/* a kernel rule broken: counted, logged, reported by every test */
static void bus_violation(const char *fmt, const char *what)
{
	char msg[160];

	snprintf(msg, sizeof(msg), fmt, what);
	fprintf(stderr, "ksim: %s", msg);
	ksim_printk("violation", "%s", msg);
	ksim_violations++;
}

/*
 * The scan is a work item (ap_bus.c ap_scan_work): it runs holding no lock
 * of ap-matrix.h, outside every device lock (see the lock order above).
 */
static void scan_check(void)
{
	if (ksim_locks_held())
		bus_violation("%s: the AP bus's scan entered holding locks\n",
			      "ap_scan_bus");
}

/* lib/vsprintf.c scnprintf() */
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

/* fs/sysfs/file.c sysfs_emit() */
int sysfs_emit(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, KSIM_PAGE_SIZE, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * fs/sysfs/file.c sysfs_emit_at(): a WARN and 0 for an @at outside the
 * page, else vscnprintf() into what is left of it (the characters
 * written, never more than PAGE_SIZE - @at - 1).  The buffer is the page
 * ksim_drv_attr_show() and ksim_qdev_attr() pass.
 */
int sysfs_emit_at(char *buf, int at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ksim_warn_on(!buf || at < 0 || at >= KSIM_PAGE_SIZE, __FILE__,
			 __LINE__))
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf + at, KSIM_PAGE_SIZE - at, fmt, ap);
	va_end(ap);
	return n < KSIM_PAGE_SIZE - at ? n : KSIM_PAGE_SIZE - at - 1;
}

/* lib/kstrtox.c kstrtouint() via _kstrtoull() */
int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v = 0;
	unsigned int d, n = 0;

	if (*s == '+')
		s++;
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (;; s++, n++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (~0ULL - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (!n)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	if (v != (unsigned int)v)
		return -ERANGE;
	*res = v;
	return 0;
}

/*
 * virt/kvm/kvm_main.c kvm_get_kvm_safe(): refcount_inc_not_zero() of
 * kvm->users_count, so a VM whose last reference is gone (being
 * destroyed) is not taken; ksim_kvm_dying forces that answer.
 * ksim_on_kvm_get runs right after a reference was taken (another thread).
 */
void (*ksim_on_kvm_get)(struct kvm *kvm);

bool kvm_get_kvm_safe(struct kvm *kvm)
{
	int n = __atomic_load_n(&kvm->users_count, __ATOMIC_SEQ_CST);

	do {
		if (ksim_kvm_dying || n <= 0)
			return false;
	} while (!__atomic_compare_exchange_n(&kvm->users_count, &n, n + 1,
					      false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	COUNT(ksim_kvm_refs, 1);
	if (ksim_on_kvm_get)
		ksim_on_kvm_get(kvm);
	return true;
}

/* virt/kvm/kvm_main.c kvm_put_kvm(): the last one destroys the VM */
void kvm_put_kvm(struct kvm *kvm)
{
	COUNT(ksim_kvm_refs, -1);
	ksim_kvm_put(kvm);
}

struct ap_queue *ksim_to_ap_queue(struct device *dev)
{
	if (!dev->ksim.is_queue)
		bus_violation("to_ap_queue() of %s, not a queue device\n",
			      dev_name(dev));
	return container_of(dev, struct ap_queue, ap_dev.device);
}

/* ---- drivers/base/core.c: references, device_add/del ------------------- */

static void dev_get(struct device *dev)
{
	KLIST_LOCK();
	dev->ksim.refs++;
	KLIST_UNLOCK();
}

/* kobject_put() -> device_release(): the last reference frees the device */
static void dev_put(struct device *dev)
{
	struct device **p;

	KLIST_LOCK();
	if (--dev->ksim.refs) {
		KLIST_UNLOCK();
		return;
	}
	for (p = &dev_head; *p; p = &(*p)->ksim.next)
		if (*p == dev) {
			*p = dev->ksim.next;
			break;
		}
	KLIST_UNLOCK();
	/* ap_queue.c ap_queue_device_release(): hash_del(), kfree() */
	free(dev->ksim.is_queue ? (void *)to_ap_queue(dev) :
				  (void *)to_ap_card(dev));
}

/* drivers/base/core.c get_device(): a reference for the caller */
struct device *get_device(struct device *dev)
{
	if (!dev)
		return NULL;
	dev_get(dev);
	COUNT(ksim_qdev_refs, 1);
	return dev;
}

/* drivers/base/core.c put_device(): NULL is fine */
void put_device(struct device *dev)
{
	if (!dev)
		return;
	COUNT(ksim_qdev_refs, -1);
	dev_put(dev);
}

/*
 * include/linux/device.h device_lock(): a mutex the driver core holds
 * around probe and remove.  It is outside every lock of ap-matrix.h
 * (ap_device_probe() takes ap_perms_mutex under it, apmatrix's probe and
 * remove the table lock and kvm->lock), so taking it holding any of them
 * can deadlock, and taking it twice does.
 */
static void device_lock(struct device *dev)
{
#ifdef KSIM_THREADS
	bool mine = GET_ONCE(dev->ksim.owner) == THREAD_ID();
#else
	bool mine = dev->ksim.locked;
#endif

	if (mine) {
		/* reported, and not taken: it would never be released */
		bus_violation("deadlock: device_lock(%s) already held\n",
			      dev_name(dev));
		dev->ksim.recursed++;
		return;
	}
	if (ksim_locks_held())
		bus_violation("device_lock(%s) taken holding locks\n",
			      dev_name(dev));
#ifdef KSIM_THREADS
	pthread_mutex_lock(&dev->ksim.mutex);
	SET_ONCE(dev->ksim.owner, THREAD_ID());
#endif
	dev->ksim.locked = true;
}

static void device_unlock(struct device *dev)
{
	if (dev->ksim.recursed) {
		dev->ksim.recursed--;
		return;
	}
	dev->ksim.locked = false;
#ifdef KSIM_THREADS
	SET_ONCE(dev->ksim.owner, 0UL);
	pthread_mutex_unlock(&dev->ksim.mutex);
#endif
}

/* ---- drivers/base/bus.c: iterating the bus ----------------------------- */

/* bus.c next_device(): klist_next() skips nodes already deleted */
static struct device *next_device(struct device *dev)
{
	for (dev = dev ? dev->ksim.next : dev_head; dev; dev = dev->ksim.next)
		if (dev->ksim.registered)
			return dev;
	return NULL;
}

/*
 * klist_next() as bus_for_each_dev() uses it: the next device after @dev
 * (NULL: the first) with a reference taken, under the klist lock, which
 * is dropped before the caller looks at it; the caller puts @dev.
 */
static struct device *next_device_get(struct device *dev)
{
	KLIST_LOCK();
	dev = next_device(dev);
	if (dev)
		dev->ksim.refs++;
	KLIST_UNLOCK();
	return dev;
}

/*
 * bus.c bus_for_each_dev(): @fn for every device from the one after
 * @start, stopping at the first non-zero return.  The iterator holds a
 * reference on the current device (klist_iter), so @fn may unregister it.
 */
int bus_for_each_dev(struct bus_type *bus, struct device *start, void *data,
		     int (*fn)(struct device *dev, void *data))
{
	struct device *dev, *next;
	int error = 0;

	if (bus != &ap_bus_type || !bus_up)
		return -EINVAL;
	dev = next_device_get(start);
	while (!error && dev) {
		error = fn(dev, data);
		next = next_device_get(dev);
		dev_put(dev);
		dev = next;
	}
	if (dev)
		dev_put(dev);
	return error;
}

/* bus.c bus_find_device(): the first match, with a reference */
struct device *bus_find_device(struct bus_type *bus, struct device *start,
			       const void *data,
			       int (*match)(struct device *dev,
					    const void *data))
{
	struct device *dev, *next;

	if (bus != &ap_bus_type || !bus_up)
		return NULL;
	for (dev = next_device_get(start); dev; dev = next) {
		if (match(dev, data)) {
			COUNT(ksim_qdev_refs, 1);	/* the caller's */
			return dev;
		}
		next = next_device_get(dev);
		dev_put(dev);
	}
	return NULL;
}

/* bus_find_device_by_name() for the shim's own sysfs files: its own ref */
static struct device *find_device_by_name(const char *name)
{
	struct device *dev;

	KLIST_LOCK();
	for (dev = next_device(NULL); dev; dev = next_device(dev))
		if (!strcmp(dev_name(dev), name)) {
			dev->ksim.refs++;
			break;
		}
	KLIST_UNLOCK();
	return dev;
}

/* ---- drivers/s390/crypto/ap_bus.c: match, probe, remove ---------------- */

/* ap_bus.c is_queue_dev(): (x)->parent != ap_root_device */
static bool is_queue_dev(struct device *dev)
{
	return dev->parent != &ap_root_device;
}

/* ap_bus.c ap_bus_match(): card ids for cards, queue ids for queues */
static bool ap_bus_match(struct device *dev, struct device_driver *drv)
{
	struct ap_device_id *id;

	for (id = to_ap_drv(drv)->ids; id->match_flags; id++) {
		if (!is_queue_dev(dev) &&
		    (id->match_flags & AP_DEVICE_ID_MATCH_CARD_TYPE) &&
		    id->dev_type == to_ap_dev(dev)->device_type)
			return true;
		if (is_queue_dev(dev) &&
		    (id->match_flags & AP_DEVICE_ID_MATCH_QUEUE_TYPE) &&
		    id->dev_type == to_ap_dev(dev)->device_type)
			return true;
	}
	return false;
}

/* ap_perms.apm/aqm: ksim_host.apmask/aqmask; caller holds ap_perms_mutex */
static bool devres(struct device *dev)
{
	ap_qid_t qid = to_ap_queue(dev)->qid;

	return apmx_mask_test(ksim_host.apmask, AP_QID_CARD(qid)) &&
	       apmx_mask_test(ksim_host.aqmask, AP_QID_QUEUE(qid));
}

/*
 * ap_bus.c ap_device_probe(): a queue the default drivers own only with a
 * default driver, any other only with a non-default one (-ENODEV); the
 * queue is in the hash while its driver probes it and while it is bound.
 */
static int ap_device_probe(struct device *dev)
{
	struct ap_driver *drv = to_ap_drv(dev->driver);
	bool res;
	int rc;

	if (is_queue_dev(dev)) {
		mutex_lock(&ap_perms_mutex);
		res = devres(dev);
		mutex_unlock(&ap_perms_mutex);
		if (res != !!(drv->flags & AP_DRIVER_FLAG_DEFAULT))
			return -ENODEV;
		KLIST_LOCK();	/* ap_queues_lock */
		to_ap_queue(dev)->ksim_hashed = true;
		KLIST_UNLOCK();
	}
	rc = drv->probe ? drv->probe(to_ap_dev(dev)) : -ENODEV;
	if (ksim_locks_held())
		bus_violation("probe of %s returned holding locks\n",
			      dev_name(dev));
	if (rc && is_queue_dev(dev)) {
		KLIST_LOCK();
		to_ap_queue(dev)->ksim_hashed = false;
		KLIST_UNLOCK();
	}
	return rc;
}

/* ap_bus.c ap_device_remove(): the driver's remove, then out of the hash */
static void ap_device_remove(struct device *dev)
{
	struct ap_driver *drv = to_ap_drv(dev->driver);

	if (drv->remove)
		drv->remove(to_ap_dev(dev));
	if (ksim_locks_held())
		bus_violation("remove of %s returned holding locks\n",
			      dev_name(dev));
	if (is_queue_dev(dev)) {
		KLIST_LOCK();
		to_ap_queue(dev)->ksim_hashed = false;
		KLIST_UNLOCK();
	}
}

/* ---- drivers/base/dd.c: binding and unbinding -------------------------- */

/*
 * dd.c: the deferred-probe lists.  driver_deferred_probe_add() puts a
 * device whose probe was deferred on deferred_probe_pending_list (once);
 * driver_deferred_probe_trigger(), run by every driver_bound() (and at
 * late_initcall, deferred_probe_initcall(), long before these tests),
 * moves the whole pending list to deferred_probe_active_list and queues
 * deferred_probe_work, which retries the active devices one by one
 * (bus_probe_device()) at some later time; driver_deferred_probe_del()
 * (driver_bound(), core.c device_del()) takes a device off either list.
 * So a deferred device is retried only after some device bound since it
 * was deferred, and then only when the work runs (ksim_deferred_probe_work()),
 * never at once.  Under klist_lock here (deferred_probe_mutex).  Not
 * modelled: driver_deferred_probe_timeout and the fw_devlink paths, which
 * do not apply to AP devices.
 */
enum { KSIM_DEFER_NONE, KSIM_DEFER_PENDING, KSIM_DEFER_ACTIVE };
static struct device *defer_pending, *defer_active;
static unsigned int deferred_trigger_count;	/* atomic_t there */
static bool deferred_work_queued;
static unsigned short deferred_retries[AP_DEVICES][AP_DOMAINS];
#ifdef KSIM_THREADS
/* kernel/workqueue.c: a work item never runs on two workers at once */
static pthread_mutex_t deferred_work_lock = PTHREAD_MUTEX_INITIALIZER;
#endif

/* list_del_init(&dev->p->deferred_probe); caller holds klist_lock */
static void defer_list_del(struct device *dev)
{
	struct device **p = dev->ksim.deferred == KSIM_DEFER_ACTIVE ?
			    &defer_active : &defer_pending;

	if (dev->ksim.deferred == KSIM_DEFER_NONE)
		return;
	for (; *p; p = &(*p)->ksim.dnext)
		if (*p == dev) {
			*p = dev->ksim.dnext;
			break;
		}
	dev->ksim.dnext = NULL;
	SET_ONCE(dev->ksim.deferred, KSIM_DEFER_NONE);
}

/* list_add_tail() of @dev or, with @dev NULL, list_splice_tail_init() */
static void defer_list_append(struct device **head, struct device *dev,
			      unsigned char state)
{
	struct device *d;

	while (*head)
		head = &(*head)->ksim.dnext;
	*head = dev;
	for (d = dev; d; d = d->ksim.dnext)
		SET_ONCE(d->ksim.deferred, state);
}

/* dd.c driver_deferred_probe_add(): on the pending list once */
static void driver_deferred_probe_add(struct device *dev)
{
	KLIST_LOCK();
	if (dev->ksim.deferred == KSIM_DEFER_NONE) {
		dev->ksim.dnext = NULL;
		defer_list_append(&defer_pending, dev, KSIM_DEFER_PENDING);
	}
	KLIST_UNLOCK();
}

/* dd.c driver_deferred_probe_del() */
static void driver_deferred_probe_del(struct device *dev)
{
	KLIST_LOCK();
	defer_list_del(dev);
	KLIST_UNLOCK();
}

/*
 * dd.c driver_deferred_probe_trigger(): count the trigger, move every
 * pending device to the active list, queue_work(deferred_probe_work)
 */
static void driver_deferred_probe_trigger(void)
{
	struct device *list;

	KLIST_LOCK();
	COUNT(deferred_trigger_count, 1);
	list = defer_pending;
	defer_pending = NULL;
	defer_list_append(&defer_active, list, KSIM_DEFER_ACTIVE);
	deferred_work_queued = true;
	KLIST_UNLOCK();
}

static int do_device_attach(struct device *dev);

/*
 * dd.c deferred_probe_work_func(): take each device off the active list
 * (a reference held), bus_probe_device() it holding nothing, until the
 * list is empty; a probe deferred again puts it on the pending list.
 * bus.c bus_probe_device(): device_initial_probe() (drivers_autoprobe is
 * always set here).
 */
bool ksim_deferred_probe_work(void)
{
	struct device *dev;
	ap_qid_t qid;

	if (ksim_locks_held())
		bus_violation("%s: the deferred-probe work ran holding locks\n",
			      "deferred_probe_work_func");
#ifdef KSIM_THREADS
	pthread_mutex_lock(&deferred_work_lock);
#endif
	KLIST_LOCK();
	if (!deferred_work_queued) {
		KLIST_UNLOCK();
#ifdef KSIM_THREADS
		pthread_mutex_unlock(&deferred_work_lock);
#endif
		return false;
	}
	deferred_work_queued = false;	/* queued again by a trigger */
	while ((dev = defer_active)) {
		defer_list_del(dev);
		dev->ksim.refs++;	/* get_device() */
		if (dev->ksim.is_queue) {
			qid = to_ap_queue(dev)->qid;
			deferred_retries[AP_QID_CARD(qid)][AP_QID_QUEUE(qid)]++;
		}
		KLIST_UNLOCK();
		do_device_attach(dev);
		dev_put(dev);
		KLIST_LOCK();
	}
	KLIST_UNLOCK();
#ifdef KSIM_THREADS
	pthread_mutex_unlock(&deferred_work_lock);
#endif
	return true;
}

/*
 * dd.c really_probe() with call_driver_probe(): dev->driver is set before
 * the bus's probe and cleared if it fails; the driver's dev_groups appear
 * once it succeeded (driver_bound(), which also takes the device off the
 * deferred list: driver_deferred_probe_del()).  -EPROBE_DEFER, -ENODEV
 * and -ENXIO are logged at debug level only, any other error as a
 * warning.  Probe errors come back positive.
 */
static int really_probe(struct device *dev, struct device_driver *drv)
{
	int ret;

	SET_ONCE(dev->driver, drv);
	ret = ap_device_probe(dev);
	if (ret && ret != -EPROBE_DEFER && ret != -ENODEV && ret != -ENXIO)
		ksim_printk("warn", "%s: probe of %s failed with error %d\n",
			    drv->name, dev_name(dev), ret);
	if (ret) {
		SET_ONCE(dev->driver, NULL);
		return -ret;
	}
	dev->ksim.bound = true;
	KLIST_LOCK();
	dev->ksim.bind_seq = ++bind_seq;
	KLIST_UNLOCK();
	/* driver_bound(): off the deferred lists, retry the pending ones */
	driver_deferred_probe_del(dev);
	driver_deferred_probe_trigger();
	return 0;
}

/* dd.c __driver_probe_device(): device locked */
static int __driver_probe_device(struct device_driver *drv,
				 struct device *dev)
{
	if (dev->ksim.dead || !GET_ONCE(dev->ksim.registered))
		return -ENODEV;
	if (dev->driver)
		return -EBUSY;
	return really_probe(dev, drv);
}

/*
 * dd.c driver_probe_device(): a probe deferred (-EPROBE_DEFER, positive
 * here) puts the device on the pending list (driver_deferred_probe_add());
 * if a trigger ran while it probed, trigger again, or the device would
 * wait for the next bind.
 */
static int driver_probe_device(struct device_driver *drv, struct device *dev)
{
	unsigned int trigger_count = GET_ONCE(deferred_trigger_count);
	int ret = __driver_probe_device(drv, dev);

	if (ret == EPROBE_DEFER) {
		driver_deferred_probe_add(dev);
		if (trigger_count != GET_ONCE(deferred_trigger_count))
			driver_deferred_probe_trigger();
	}
	return ret;
}

/* dd.c __device_attach_driver(): ignore probe errors, try the next one */
static int device_attach_driver(struct device_driver *drv, struct device *dev)
{
	int ret;

	if (!ap_bus_match(dev, drv))
		return 0;
	ret = driver_probe_device(drv, dev);
	if (ret < 0)
		return ret;
	return ret == 0;
}

/* dd.c __device_attach(): drivers in bus_for_each_drv() order */
/*
 * bus.c bus_for_each_drv(): the registered drivers, in order, as the
 * klist iterator sees them (under the klist lock, which the caller does
 * not hold while it calls a driver).  Return: how many.
 */
static unsigned int drivers_snapshot(struct ap_driver **out)
{
	unsigned int n;

	KLIST_LOCK();
	n = ndrivers;
	memcpy(out, drivers, n * sizeof(*out));
	KLIST_UNLOCK();
	return n;
}

static int do_device_attach(struct device *dev)
{
	struct ap_driver *drv[KSIM_MAX_DRIVERS];
	unsigned int i, n;
	int ret = 0;

	device_lock(dev);
	if (dev->ksim.dead) {
		ret = 0;
	} else if (dev->driver) {
		ret = 1;
	} else {
		n = drivers_snapshot(drv);
		for (i = 0; i < n && !ret; i++)
			ret = device_attach_driver(&drv[i]->driver, dev);
	}
	device_unlock(dev);
	return ret;
}

/* dd.c device_attach() */
int device_attach(struct device *dev)
{
	return do_device_attach(dev);
}

/* dd.c __device_release_driver(): device_remove(), then unbound */
static void release_driver(struct device *dev)
{
	if (!dev->driver)
		return;
	dev->ksim.bound = false;	/* driver_sysfs_remove(): groups gone */
	ap_device_remove(dev);
	SET_ONCE(dev->driver, NULL);
}

/* dd.c device_release_driver() (also device_driver_detach()) */
void device_release_driver(struct device *dev)
{
	device_lock(dev);
	release_driver(dev);
	device_unlock(dev);
}

/*
 * dd.c device_driver_attach() (sysfs bind_store()): __driver_probe_device(),
 * so a deferral does not put the device on the deferred list; probe
 * errors as negative errnos, -EPROBE_DEFER as -EAGAIN.
 */
static int device_driver_attach(struct device_driver *drv, struct device *dev)
{
	int ret;

	device_lock(dev);
	ret = __driver_probe_device(drv, dev);
	device_unlock(dev);
	if (ret > 0)
		ret = -ret;
	return ret == -EPROBE_DEFER ? -EAGAIN : ret;
}

/* bus.c device_reprobe() with bus_rescan_devices_helper() */
static int device_reprobe(struct device *dev)
{
	int ret = 0;

	if (READ_ONCE(dev->driver))
		device_release_driver(dev);
	if (!READ_ONCE(dev->driver))
		ret = device_attach(dev);
	return ret < 0 ? ret : 0;
}

/* ---- drivers/base/core.c: device_register/unregister ------------------- */

/* core.c device_register(): device_initialize(), device_add() */
static void device_register(struct device *dev, struct device *parent,
			    bool is_queue)
{
	struct device **p;

	dev->parent = parent;
	dev->bus = &ap_bus_type;
	dev->ksim.is_queue = is_queue;
	dev->ksim.refs = 1;
	KLIST_LOCK();
	SET_ONCE(dev->ksim.registered, true);
	for (p = &dev_head; *p; p = &(*p)->ksim.next)
		;
	*p = dev;
	KLIST_UNLOCK();
	/* bus_probe_device() -> device_initial_probe(): synchronous here */
	device_attach(dev);
}

/* core.c device_unregister(): device_del() (unbinds), put_device() */
static void device_unregister(struct device *dev)
{
	/* device_del(): kill_device() under the device lock */
	device_lock(dev);
	dev->ksim.dead = true;
	device_unlock(dev);
	device_release_driver(dev);
	driver_deferred_probe_del(dev);
	KLIST_LOCK();
	SET_ONCE(dev->ksim.registered, false);
	KLIST_UNLOCK();
	dev_put(dev);
}

/* ---- drivers/base/driver.c, bus.c: drivers ----------------------------- */

/* bus.c __driver_attach() for every device: driver_attach() */
static void driver_attach(struct device_driver *drv)
{
	struct device *dev, *next;

	dev = next_device_get(NULL);
	while (dev) {
		if (ap_bus_match(dev, drv)) {
			device_lock(dev);
			driver_probe_device(drv, dev);
			device_unlock(dev);
		}
		next = next_device_get(dev);
		dev_put(dev);
		dev = next;
	}
}

/* dd.c driver_detach(): the devices bound last are released first */
static void driver_detach(struct device_driver *drv)
{
	struct device *dev, *last;

	for (;;) {
		last = NULL;
		KLIST_LOCK();
		for (dev = next_device(NULL); dev; dev = next_device(dev))
			if (GET_ONCE(dev->driver) == drv &&
			    (!last || dev->ksim.bind_seq > last->ksim.bind_seq))
				last = dev;
		if (last)
			last->ksim.refs++;
		KLIST_UNLOCK();
		if (!last)
			return;
		device_release_driver(last);
		dev_put(last);
	}
}

/* driver.c driver_find() */
static struct ap_driver *driver_find(const char *name)
{
	struct ap_driver *drv[KSIM_MAX_DRIVERS];
	unsigned int i, n = drivers_snapshot(drv);

	for (i = 0; i < n; i++)
		if (!strcmp(drv[i]->driver.name, name))
			return drv[i];
	return NULL;
}

struct ap_driver *ksim_ap_driver(const char *name)
{
	return driver_find(name);
}

/*
 * driver.c driver_register() with bus.c bus_add_driver(): not before the
 * bus registered (-EINVAL), not twice under one name (-EBUSY), the
 * allocation may fail (ksim_ap_bus_fail_register); then the driver joins
 * the bus's list, is probed against every device (driver_attach()) and
 * gets its attribute groups.
 */
static int driver_register(struct device_driver *drv)
{
	int rc;

	if (!bus_up) {
		ksim_printk("err", "Driver '%s' was unable to register with bus_type '%s' because the bus was not initialized.\n",
			    drv->name, drv->bus->name);
		return -EINVAL;
	}
	if (driver_find(drv->name)) {
		ksim_printk("err", "Error: Driver '%s' is already registered, aborting...\n",
			    drv->name);
		return -EBUSY;
	}
	rc = ksim_ap_bus_fail_register;
	ksim_ap_bus_fail_register = 0;
	if (rc)
		return rc;
	KLIST_LOCK();
	if (ndrivers == KSIM_MAX_DRIVERS)
		abort();
	drivers[ndrivers++] = to_ap_drv(drv);
	KLIST_UNLOCK();
	driver_attach(drv);
	drv->ksim_registered = true;	/* driver_add_groups(drv->groups) */
	return 0;
}

/* driver.c driver_unregister() with bus.c bus_remove_driver() */
static void driver_unregister(struct device_driver *drv)
{
	unsigned int i;

	drv->ksim_registered = false;
	KLIST_LOCK();
	for (i = 0; i < ndrivers; i++)
		if (&drivers[i]->driver == drv)
			break;
	if (i == ndrivers) {
		KLIST_UNLOCK();
		bus_violation("driver_unregister(%s): not registered\n",
			      drv->name);
		return;
	}
	for (; i + 1 < ndrivers; i++)
		drivers[i] = drivers[i + 1];
	ndrivers--;
	KLIST_UNLOCK();
	driver_detach(drv);
}

/* ap_bus.c ap_driver_register() */
int ap_driver_register(struct ap_driver *drv, struct module *owner,
		       char *name)
{
	drv->driver.bus = &ap_bus_type;
	drv->driver.owner = owner;
	drv->driver.name = name;
	return driver_register(&drv->driver);
}

/* ap_bus.c ap_driver_unregister() */
void ap_driver_unregister(struct ap_driver *drv)
{
	driver_unregister(&drv->driver);
}

/* ap_bus.c ap_get_qdev(): hash_for_each(ap_queues) under ap_queues_lock */
struct ap_queue *ap_get_qdev(ap_qid_t qid)
{
	struct device *dev;

	KLIST_LOCK();	/* ap_queues_lock */
	for (dev = next_device(NULL); dev; dev = next_device(dev))
		if (dev->ksim.is_queue && to_ap_queue(dev)->ksim_hashed &&
		    to_ap_queue(dev)->qid == qid) {
			dev->ksim.refs++;	/* get_device() */
			break;
		}
	KLIST_UNLOCK();
	if (!dev)
		return NULL;
	COUNT(ksim_qdev_refs, 1);
	return to_ap_queue(dev);
}

/* ---- the simulated zcrypt and vfio_ap drivers --------------------------- */

/* zcrypt_cex4.c's queue driver "cex4queue": takes what the host owns */
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
	.flags = AP_DRIVER_FLAG_DEFAULT,
	.probe = zcrypt_probe,
	.remove = zcrypt_remove,
};

/*
 * drivers/s390/crypto/vfio_ap_private.h struct ap_matrix_dev's
 * guests_lock and mdevs_lock, ranked where vfio_ap_ops.c
 * get_update_locks_for_kvm() takes them (ksim.h KSIM_RANK_VFIO_*).  The
 * 0051 hooks take apmx_table_lock under them; an apmatrix hook that
 * sleeps holding them is a violation (ksim.c msleep()).
 */
struct mutex ksim_vfio_guests_lock, ksim_vfio_mdevs_lock;

/* vfio_ap's own msleep(20): its business, on the virtual clock only */
static void vfio_ap_msleep(unsigned int ms)
{
	__atomic_add_fetch(&ksim_now_ms, ms, __ATOMIC_RELAXED);
}

/*
 * vfio_ap_ops.c vfio_ap_mdev_reset_queue(q, 1): ZAPQ, once more after
 * 20 ms on RC 02; on 00 or a last 02 up to two TAPQs 20 ms apart until
 * the queue reads empty, then it gives up without an error (a WARN_ONCE,
 * not modelled: vfio_ap's, not ours); 01, 03, 04: -EBUSY at once; any
 * other code: a WARN and -EIO (not modelled either).  Its result is
 * ignored by vfio_ap_mdev_remove_queue().
 */
static void vfio_ap_reset_queue(ap_qid_t qid)
{
	struct ap_queue_status st;
	unsigned int retry = 1, retry2 = 2;

	for (;;) {
		st = ap_zapq(qid);
		if (st.response_code != AP_RESPONSE_RESET_IN_PROGRESS ||
		    !retry--)
			break;
		vfio_ap_msleep(20);
	}
	if (st.response_code != AP_RESPONSE_NORMAL &&
	    st.response_code != AP_RESPONSE_RESET_IN_PROGRESS)
		return;
	while (retry2--) {
		if (st.queue_empty && !st.irq_enabled)
			break;
		vfio_ap_msleep(20);
		st = ap_tapq(qid, NULL);
	}
}

int ksim_vfio_ap_probe_fail;

/*
 * vfio_ap_drv.c's probe, vfio_ap_ops.c vfio_ap_mdev_probe_queue() with
 * patch 0051: KVM is asked first, and its refusal returned as it is; then
 * get_update_locks_by_apqn() (no mdev guest here: its kvm->lock is not
 * taken), sysfs_create_group() of the queue's status attribute (which can
 * fail: -ENOMEM, -EEXIST), kzalloc() of the struct vfio_ap_queue (-ENOMEM);
 * on either failure the locks are released (and, after the allocation,
 * the group removed), then KVM is told to undo its probe
 * (kvm_s390_apmx_vfio_ap_probe_undo(): no reset), and the error is
 * returned.  ksim_vfio_ap_probe_fail picks the failure, once.
 */
static int vfio_ap_probe(struct ap_device *apdev)
{
	int fail = GET_ONCE(ksim_vfio_ap_probe_fail), ret = 0;
#if IS_ENABLED(CONFIG_ZCRYPT)
	int apqn = to_ap_queue(&apdev->device)->qid;

	ret = kvm_s390_apmx_vfio_ap_probe(apqn);
	if (ret)
		return ret;
#endif
	/* once; written only then: vfio_ap's probes of two queues may race */
	if (fail != KSIM_VFIO_PROBE_OK)
		SET_ONCE(ksim_vfio_ap_probe_fail, KSIM_VFIO_PROBE_OK);
	mutex_lock(&ksim_vfio_guests_lock);
	mutex_lock(&ksim_vfio_mdevs_lock);
	if (fail == KSIM_VFIO_PROBE_SYSFS)
		ret = -EEXIST;		/* err_release_locks */
	else if (fail == KSIM_VFIO_PROBE_ALLOC)
		ret = -ENOMEM;		/* err_remove_group */
	mutex_unlock(&ksim_vfio_mdevs_lock);
	mutex_unlock(&ksim_vfio_guests_lock);
#if IS_ENABLED(CONFIG_ZCRYPT)
	if (ret)
		kvm_s390_apmx_vfio_ap_probe_undo(apqn);
#endif
	return ret;
}

/*
 * vfio_ap_ops.c vfio_ap_mdev_remove_queue() with patch 0051: under
 * get_update_locks_for_queue() (no mdev guest here: its kvm->lock is not
 * taken) the queue is reset, the result ignored; the locks are released,
 * and only then is KVM told (the hook may reset and wait).
 */
static void vfio_ap_remove(struct ap_device *apdev)
{
	ap_qid_t qid = to_ap_queue(&apdev->device)->qid;

	mutex_lock(&ksim_vfio_guests_lock);
	mutex_lock(&ksim_vfio_mdevs_lock);
	vfio_ap_reset_queue(qid);
	mutex_unlock(&ksim_vfio_mdevs_lock);
	mutex_unlock(&ksim_vfio_guests_lock);
#if IS_ENABLED(CONFIG_ZCRYPT)
	kvm_s390_apmx_vfio_ap_remove(qid);
#endif
}

#if IS_ENABLED(CONFIG_ZCRYPT)
/*
 * What both of vfio_ap_ops.c's assign stores do with patch 0051, on the
 * mask @bits of @m: the bit is set (the masks' validation against other
 * mdevs is not modelled: there are none here), then KVM is asked about
 * the mdev's control APQNs; a refusal clears the bit again.
 */
static int ksim_mdev_assign(struct ksim_mdev *m, unsigned long *bits,
			    unsigned long id)
{
	int rc;

	if (test_bit_inv(id, bits))
		return 0;
	set_bit_inv(id, bits);
	rc = kvm_s390_apmx_vfio_ap_control(m, m->apm, m->adm);
	if (rc)
		clear_bit_inv(id, bits);
	return rc;
}

/* ... and both unassign stores: KVM hears of fewer control APQNs */
static void ksim_mdev_unassign(struct ksim_mdev *m, unsigned long *bits,
			       unsigned long id)
{
	if (!test_bit_inv(id, bits))
		return;
	clear_bit_inv(id, bits);
	kvm_s390_apmx_vfio_ap_control(m, m->apm, m->adm);
}

/* vfio_ap_ops.c assign_adapter_store() with patch 0051 */
int ksim_mdev_assign_adapter(struct ksim_mdev *m, unsigned long apid)
{
	return ksim_mdev_assign(m, m->apm, apid);
}

/* vfio_ap_ops.c assign_control_domain_store() with patch 0051 */
int ksim_mdev_assign_control_domain(struct ksim_mdev *m, unsigned long id)
{
	return ksim_mdev_assign(m, m->adm, id);
}

/* vfio_ap_ops.c unassign_adapter_store() with patch 0051 */
void ksim_mdev_unassign_adapter(struct ksim_mdev *m, unsigned long apid)
{
	ksim_mdev_unassign(m, m->apm, apid);
}

/* vfio_ap_ops.c unassign_control_domain_store() with patch 0051 */
void ksim_mdev_unassign_control_domain(struct ksim_mdev *m, unsigned long id)
{
	ksim_mdev_unassign(m, m->adm, id);
}

/* vfio_ap_ops.c vfio_ap_mdev_remove() with patch 0051 */
void ksim_mdev_remove(struct ksim_mdev *m)
{
	kvm_s390_apmx_vfio_ap_control(m, NULL, NULL);
}
#endif

struct ap_driver ksim_vfio_ap_drv = {
	.ids = all_queue_types,
	.probe = vfio_ap_probe,
	.remove = vfio_ap_remove,
};

/* ---- the simulation's controls ------------------------------------------ */

/* Forget every device and driver (the memory too, even if leaked). */
static void bus_clear(void)
{
	struct device *dev, *next;

	for (dev = dev_head; dev; dev = next) {
		next = dev->ksim.next;
		free(dev->ksim.is_queue ? (void *)to_ap_queue(dev) :
					  (void *)to_ap_card(dev));
	}
	dev_head = NULL;
	memset(cards, 0, sizeof(cards));
	memset(qdev, 0, sizeof(qdev));
	ndrivers = 0;
	defer_pending = defer_active = NULL;
	deferred_trigger_count = 0;
	deferred_work_queued = false;
	memset(deferred_retries, 0, sizeof(deferred_retries));
}

void ksim_ap_bus_reset(bool up)
{
	bus_clear();
	bus_up = up;
	bind_seq = 0;
	ksim_kvm_refs = 0;
	ksim_qdev_refs = 0;
	ksim_kvm_dying = false;
	ksim_on_kvm_get = NULL;
	ksim_ap_bus_fail_register = 0;
	ksim_revise_unbound_flags = 0;
	ksim_ap_bus_before_revise = NULL;
	ksim_zcrypt_drv.driver.name = "cex4queue";
	ksim_zcrypt_drv.driver.ksim_registered = false;
	ksim_vfio_ap_drv.driver.name = "vfio_ap";
	ksim_vfio_ap_drv.driver.ksim_registered = false;
	ksim_vfio_ap_probe_fail = KSIM_VFIO_PROBE_OK;
	ksim_vfio_guests_lock = (struct mutex){ 0, KSIM_RANK_VFIO_GUESTS,
						"matrix_dev->guests_lock" };
	ksim_vfio_mdevs_lock = (struct mutex){ 0, KSIM_RANK_VFIO_MDEVS,
					       "matrix_dev->mdevs_lock" };
}

void ksim_ap_bus_late_initcall(void)
{
#ifdef MODULE
	/* KVM=m: kvm_arch_init() registers the driver (patch 0050) */
	kvm_s390_apmx_qdrv_init();
#else
	if (ksim_late_initcall)
		ksim_late_initcall();
#endif
}

void ksim_ap_bus_teardown(void)
{
	unsigned int a, d;

	while (ndrivers)	/* single-threaded: the threads are joined */
		ap_driver_unregister(drivers[ndrivers - 1]);
	for (a = 0; a < AP_DEVICES; a++)
		for (d = 0; d < AP_DOMAINS; d++)
			if (qdev[a][d])
				ksim_qdev_del(a, d);
	for (a = 0; a < AP_DEVICES; a++)
		if (cards[a]) {
			device_unregister(&cards[a]->ap_dev.device);
			cards[a] = NULL;
		}
	bus_clear();
}

/*
 * ap_bus.c ap_scan_adapter() / ap_scan_domains(): the APQN is in the
 * configuration (ap_test_config_usage_domain()) and ap_queue_info()
 * answers (00, or 03 for a deconfigured queue: its device is created with
 * config false): new card, new queue.  The queue is in the configuration
 * from now on.
 */
void ksim_qdev_add(unsigned int apid, unsigned int apqi, int type)
{
	struct ap_card *ac;
	struct ap_queue *q;

	bool config;

	SCAN_LOCK();
	ac = cards[apid];
	ksim_hw_lock();
	ksim_host.q[apid][apqi].exists = true;
	config = !ksim_host.q[apid][apqi].deconfigured;
	ksim_hw_unlock();
	if (qdev[apid][apqi]) {
		SCAN_UNLOCK();
		return;
	}
	if (!ac) {
		ac = calloc(1, sizeof(*ac));
		if (!ac)
			abort();
		ac->id = apid;
		ac->ap_dev.device_type = type;
		snprintf(ac->ap_dev.device.ksim.name,
			 sizeof(ac->ap_dev.device.ksim.name), "card%02x", apid);
		cards[apid] = ac;
		device_register(&ac->ap_dev.device, &ap_root_device, false);
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		abort();
	q->qid = AP_MKQID(apid, apqi);
	q->config = config;	/* ap_scan_domains(): aq->config = !decfg */
	q->ap_dev.device_type = type;
	snprintf(q->ap_dev.device.ksim.name, sizeof(q->ap_dev.device.ksim.name),
		 "%02x.%04x", apid, apqi);
	qdev[apid][apqi] = q;
	device_register(&q->ap_dev.device, &ac->ap_dev.device, true);
	SCAN_UNLOCK();
}

/*
 * ap_bus.c ap_scan_domains(): a queue not in the configuration any more
 * ("not in config anymore, rm queue dev"; TAPQ would answer 01, for which
 * ap_queue_info() reports nothing either): its device is removed.
 */
void ksim_qdev_del(unsigned int apid, unsigned int apqi)
{
	struct ap_queue *q;

	SCAN_LOCK();
	q = qdev[apid][apqi];
	ksim_hw_lock();
	ksim_host.q[apid][apqi].exists = false;
	/* out of the configuration: no interruptions, back reset */
	ksim_host.q[apid][apqi].irq_on = false;
	ksim_host.q[apid][apqi].irq_pending = 0;
	ksim_hw_unlock();
	if (q) {
		qdev[apid][apqi] = NULL;
		device_unregister(&q->ap_dev.device);
	}
	SCAN_UNLOCK();
}

/*
 * The queue (or its card) is configured off (!@on) or on again, and the AP
 * bus's scan has seen it.  As 6.1 has it: TAPQ answers 03
 * (AP_RESPONSE_DECONFIGURED) for a deconfigured queue, which ap_bus.c
 * ap_queue_info() still takes for a queue, so ap_scan_domains() keeps the
 * device and only sets aq->config false ("config off this queue device")
 * or, once configured again, true ("config on"), when it also moves a
 * queue whose dev_state is beyond AP_DEV_STATE_UNINITIATED to
 * AP_SM_STATE_RESET_START.  Only ap_queue.c ap_queue_init_state() moves a
 * queue beyond that, and only the default drivers' probes call it
 * (zcrypt_cex4.c zcrypt_cex4_queue_probe()): for a queue bound to one,
 * the state machine's ap_sm_reset() issues a RAPQ, which does not
 * zeroize (ksim_rapq()); a queue bound to apmatrix or vfio_ap gets
 * nothing.  No probe or remove runs.  A queue without a device gets one,
 * config as it is then, from the next scan (ksim_qdev_add()).  An APQN
 * not in the configuration (RC 01) cannot be configured on or off: that
 * is ksim_qdev_del() and ksim_qdev_unscanned().  One scan at a time, as
 * ksim_qdev_add().
 */
void ksim_qdev_config(unsigned int apid, unsigned int apqi, bool on)
{
	struct ksim_queue *hw = &ksim_host.q[apid][apqi];
	struct device_driver *drv;
	bool rapq = false, in;
	struct ap_queue *q;

	SCAN_LOCK();
	q = qdev[apid][apqi];
	ksim_hw_lock();
	in = hw->exists;
	if (in)
		hw->deconfigured = !on;
	if (in && !on) {	/* a queue that comes back is reset: AQIC off */
		hw->irq_on = false;
		hw->irq_pending = 0;
	}
	ksim_hw_unlock();
	if (in && q && on != q->config) {
		q->config = on;
		drv = GET_ONCE(q->ap_dev.device.driver);
		rapq = on && drv &&
		       (to_ap_drv(drv)->flags & AP_DRIVER_FLAG_DEFAULT);
	}
	SCAN_UNLOCK();
	if (rapq)
		ksim_rapq(apid, apqi);
}

/*
 * The APQN leaves (!@in) or enters the configuration, and the AP bus has
 * not scanned since: from now on ZAPQ/TAPQ answer 01 (or answer again),
 * and its queue device, if it has one, is still there until the next scan
 * (ksim_qdev_del()) removes it; ap_scan_bus() runs every ap_config_time
 * seconds (30 by default) and soon after a configuration-change event
 * (ap_bus.c ap_bus_cfg_chg() -> ap_bus_force_rescan()).  An APQN without
 * a device enters here only if @devless: the race keeps clear of the
 * case that is a known limitation (docs/robustness.md: a queue without a
 * device that enters and leaves the configuration between two scans).
 * Return: whether the APQN is in the configuration afterwards.
 */
bool ksim_qdev_unscanned(unsigned int apid, unsigned int apqi, bool in,
			 bool devless)
{
	struct ksim_queue *hw = &ksim_host.q[apid][apqi];
	bool now;

	SCAN_LOCK();
	ksim_hw_lock();
	if (!in) {
		hw->exists = false;
		hw->irq_on = false;	/* back only after a reset */
		hw->irq_pending = 0;
	} else if (qdev[apid][apqi] || devless) {
		hw->exists = true;
	}
	now = hw->exists;
	ksim_hw_unlock();
	SCAN_UNLOCK();
	return now;
}

static void apqn_name(char *buf, size_t len, unsigned int apid,
		      unsigned int apqi)
{
	snprintf(buf, len, "%02x.%04x", apid, apqi);
}

/* bus.c bind_store(): the driver must match, then device_driver_attach() */
int ksim_qdev_bind(unsigned int apid, unsigned int apqi,
		   struct ap_driver *drv)
{
	struct device *dev;
	char name[16];
	int err = -ENODEV;

	apqn_name(name, sizeof(name), apid, apqi);
	dev = find_device_by_name(name);
	if (dev && ap_bus_match(dev, &drv->driver))
		err = device_driver_attach(&drv->driver, dev);
	if (dev)
		dev_put(dev);
	return err;
}

/* bus.c unbind_store() of the bound driver: device_driver_detach() */
int ksim_qdev_unbind(unsigned int apid, unsigned int apqi)
{
	struct device *dev;
	char name[16];
	int err = -ENODEV;

	apqn_name(name, sizeof(name), apid, apqi);
	dev = find_device_by_name(name);
	if (dev && dev->driver) {
		device_release_driver(dev);
		err = 0;
	}
	if (dev)
		dev_put(dev);
	return err;
}

struct ap_driver *ksim_qdev_driver(unsigned int apid, unsigned int apqi)
{
	struct ap_queue *q = qdev[apid][apqi];

	if (!q || !q->ap_dev.device.driver)
		return NULL;
	return to_ap_drv(q->ap_dev.device.driver);
}

bool ksim_qdev_deferred(unsigned int apid, unsigned int apqi)
{
	struct ap_queue *q = qdev[apid][apqi];

	return q && GET_ONCE(q->ap_dev.device.ksim.deferred);
}

unsigned int ksim_qdev_deferred_retries(unsigned int apid, unsigned int apqi)
{
	unsigned int n;

	KLIST_LOCK();
	n = deferred_retries[apid][apqi];
	KLIST_UNLOCK();
	return n;
}

/*
 * fs/kernfs, fs/namei.c generic_permission() on a sysfs file owned by
 * root: root (CAP_DAC_OVERRIDE) may read what has a show and write what
 * has a store, anybody else needs the "other" bit of the mode.
 */
static int sysfs_may(umode_t mode, umode_t other_bit, bool has_op)
{
	if (!has_op)
		return -EACCES;
	if (ksim_cap_sys_admin)
		return 0;
	return mode & other_bit ? 0 : -EACCES;
}

/* fs/sysfs/file.c sysfs_kf_seq_show() of a queue device attribute */
int ksim_qdev_attr(unsigned int apid, unsigned int apqi, const char *name,
		   char *buf)
{
	struct ap_queue *q = qdev[apid][apqi];
	const struct attribute_group **g;
	struct device_attribute *da;
	struct device_driver *drv;
	struct attribute **a;
	int rc;

	if (!q || !q->ap_dev.device.ksim.bound)
		return -ENOENT;
	drv = q->ap_dev.device.driver;
	for (g = drv->dev_groups; g && *g; g++)
		for (a = (*g)->attrs; *a; a++) {
			if (strcmp((*a)->name, name))
				continue;
			da = container_of(*a, struct device_attribute, attr);
			rc = sysfs_may((*a)->mode, 0004, da->show);
			if (rc)
				return rc;
			return da->show(&q->ap_dev.device, da, buf);
		}
	return -ENOENT;
}

/* the driver attribute @name of @drv's groups (kernfs lookup), or NULL */
static struct driver_attribute *drv_attr_find(struct ap_driver *drv,
					      const char *name)
{
	const struct attribute_group **g;
	struct attribute **a;

	if (!drv->driver.ksim_registered)
		return NULL;
	for (g = drv->driver.groups; g && *g; g++)
		for (a = (*g)->attrs; *a; a++)
			if (!strcmp((*a)->name, name))
				return container_of(*a, struct driver_attribute,
						    attr);
	return NULL;
}

/*
 * fs/sysfs/file.c sysfs_kf_seq_show() -> drivers/base/bus.c
 * drv_attr_show(): the show's return value, -ENOENT if there is no such
 * file, -EACCES if the caller may not read it.  @buf: KSIM_PAGE_SIZE.
 */
long ksim_drv_attr_show(struct ap_driver *drv, const char *name, char *buf)
{
	struct driver_attribute *da = drv_attr_find(drv, name);
	int rc;

	if (!da)
		return -ENOENT;
	rc = sysfs_may(da->attr.mode, 0004, da->show);
	if (rc)
		return rc;
	memset(buf, 0, KSIM_PAGE_SIZE);
	return da->show(&drv->driver, buf);
}

/* fs/sysfs/file.c sysfs_kf_write() -> drivers/base/bus.c drv_attr_store() */
long ksim_drv_attr_store(struct ap_driver *drv, const char *name,
			 const char *buf)
{
	struct driver_attribute *da = drv_attr_find(drv, name);
	int rc;

	if (!da)
		return -ENOENT;
	rc = sysfs_may(da->attr.mode, 0002, da->store);
	if (rc)
		return rc;
	return da->store(&drv->driver, buf, strlen(buf));
}

/*
 * ap_bus.c __ap_revise_reserved(): reprobe a queue only if its
 * default-driver status (apmask and aqmask bits, read under
 * ap_perms_mutex) differs from its driver's AP_DRIVER_FLAG_DEFAULT.  For
 * an unbound queue 6.1 reads to_ap_drv(NULL)->flags (see
 * ksim_revise_unbound_flags).
 */
static int ap_revise_reserved(struct device *dev, void *dummy)
{
	struct device_driver *drv;
	unsigned int drvres;
	bool res;

	if (!is_queue_dev(dev))
		return 0;
	mutex_lock(&ap_perms_mutex);
	res = devres(dev);
	mutex_unlock(&ap_perms_mutex);
	drv = READ_ONCE(dev->driver);	/* 6.1: without the device lock */
	drvres = drv ? to_ap_drv(drv)->flags : ksim_revise_unbound_flags;
	if (res != !!(drvres & AP_DRIVER_FLAG_DEFAULT))
		device_reprobe(dev);
	return 0;
}

/* ap_bus.c ap_bus_revise_bindings() */
static void ap_bus_revise_bindings(void)
{
	bus_for_each_dev(&ap_bus_type, NULL, NULL, ap_revise_reserved);
}

/* @bm = the MSB-0 mask @m as an unsigned long bitmap (set_bit_inv()) */
static void inv_bitmap(unsigned long *bm, const u8 *m)
{
	unsigned int id;

	memset(bm, 0, 32);
	apmx_for_each_id(id, m)
		set_bit_inv(id, bm);
}

/*
 * ap_bus.c apmask_store()/aqmask_store() with apmask_commit() and
 * __verify_card_reservations() (aqmask_commit(),
 * __verify_queue_reservations()): under ap_perms_mutex the string is
 * parsed against the current mask (ap_parse_bitmap_str(): so a relative
 * edit applies to the mask as it is then, whatever another store did
 * before), and if bits are newly set every driver's in_use()
 * (registration order, first refusal wins: -EBUSY) gets the newly
 * reserved ids with the current other mask; then the mask changes,
 * ap_perms_mutex is dropped and, if anything changed, the bindings are
 * revised.  6.1 takes the mutex interruptibly (-ERESTARTSYS); the
 * simulation has no signal for that.
 */
static int mask_store(u8 *cur, const char *buf, bool adapters)
{
	unsigned long apm[32 / sizeof(long)], aqm[32 / sizeof(long)];
	struct ap_driver *drv[KSIM_MAX_DRIVERS];
	u8 want[32], reserved[32];
	unsigned int i, n;
	bool changes;
	int rc = 0;

	/*
	 * -DKSIM_BREAK_PERMS_LOCK: the race suite's self-test (race-broken)
	 * forgets ap_perms_mutex here, so that a claim can pass the host's
	 * veto while an edit gives the host its queue.
	 */
#ifndef KSIM_BREAK_PERMS_LOCK
	mutex_lock(&ap_perms_mutex);
#endif
	rc = apsim_parse_bitmap_str(buf, cur, want);	/* ap-bitmap-str.c */
	changes = !rc && memcmp(cur, want, 32);
	for (i = 0; i < 32; i++)
		reserved[i] = want[i] & ~cur[i];
	if (changes && !apmx_mask_empty(reserved)) {
		/* the AP bus's bitmaps, as ap_parse_mask_str() sets them */
		inv_bitmap(apm, adapters ? reserved : ksim_host.apmask);
		inv_bitmap(aqm, adapters ? ksim_host.aqmask : reserved);
		/* ap_bus.c __verify_card_reservations(): bus_for_each_drv() */
		n = drivers_snapshot(drv);
		for (i = 0; i < n && !rc; i++)
			if (drv[i]->in_use && drv[i]->in_use(apm, aqm))
				rc = -EBUSY;
	}
	if (changes && !rc)
		memcpy(cur, want, 32);
#ifndef KSIM_BREAK_PERMS_LOCK
	mutex_unlock(&ap_perms_mutex);
#endif
	if (rc)
		return rc;
	if (changes) {
		if (ksim_ap_bus_before_revise)
			ksim_ap_bus_before_revise();
		ap_bus_revise_bindings();
	}
	return 0;
}

int ksim_apmask_write(const char *buf)
{
	return mask_store(ksim_host.apmask, buf, true);
}

int ksim_aqmask_write(const char *buf)
{
	return mask_store(ksim_host.aqmask, buf, false);
}

/* an id list as the absolute hex form of 6.1's apmask/aqmask files */
static int idlist_store(const char *list, bool adapters)
{
	char err[APMX_ERRMSG_LEN], hex[2 + 64 + 1];
	u8 m[32];
	unsigned int i;

	if (apmx_idlist_parse(list, 255, m, err, sizeof(err)))
		abort();
	memcpy(hex, "0x", 2);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 + 2 * i, 3, "%02x", m[i]);
	return adapters ? ksim_apmask_write(hex) : ksim_aqmask_write(hex);
}

int ksim_apmask_store(const char *apm)
{
	return idlist_store(apm, true);
}

int ksim_aqmask_store(const char *aqm)
{
	return idlist_store(aqm, false);
}
