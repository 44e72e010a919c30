// SPDX-License-Identifier: GPL-2.0
/*
 * KVM/s390 AP matrix: the "apmatrix" AP queue driver.
 *
 * A non-default ap_driver that binds the AP queues the host released
 * (apmask/aqmask bit clear) and a guest or a grant holds, like vfio_ap
 * for its mdevs, of the same queue types (CEX4 to CEX8); it also probes
 * CEX2 and CEX3 queues, to know they exist, and does not bind them.
 * /sys/bus/ap/drivers/ then shows the partition: the default zcrypt
 * drivers, vfio_ap and apmatrix.  The driver
 *   - probe:  takes a queue the ownership table gives to a guest or a
 *             grant (or withholds for its reset), and declines a free
 *             one, or one withheld only while reset_quarantined resets
 *             what vfio_ap left in it (probed again afterwards), so
 *             that a host that never uses the AP matrix ioctls
 *             keeps offering its free queues to vfio_ap exactly as
 *             before; a set or a grant binds the queues it claims
 *             (apmx_qdrv_attach(), which finds them on the AP bus); a
 *             queue that comes back is plugged into the guest that holds
 *             it again, and a quarantined one is reset again;
 *   - remove: a queue the table holds that disappears (or is unbound)
 *             leaves its guest's effective matrix (the whole adapter, as
 *             the CRYCB cannot filter a single APQN); the guest keeps
 *             its requested matrix and the ownership table keeps the
 *             queue for it, so the queue comes back when it is bound
 *             again, and is reset when the guest gives it back.  A
 *             free queue leaves no trace: the next guest that claims it
 *             gets its adapter;
 *   - in_use: refuses an apmask/aqmask edit that would give the default
 *             drivers a queue a guest uses, a grant reserves or the
 *             table withholds (being reset, quarantined);
 *   - apmatrix_holder: a root-only (0400) sysfs attribute of every bound
 *             queue naming who holds it;
 *   - reset_quarantined: a write-only (0200) driver attribute; writing an
 *             APQN resets a quarantined queue again (its card was
 *             deconfigured or checkstopped and works again):
 *               echo 05.0004 > /sys/bus/ap/drivers/apmatrix/reset_quarantined
 *             -EIO if the reset ran and is still not verified (the
 *             queue stays quarantined), -EBUSY (nothing reset) while a
 *             guest uses it or another reset of it runs, -EINVAL if the
 *             APQN is malformed or neither quarantined nor left unreset
 *             by vfio_ap.  Needed when the card comes back in place
 *             (config on, checkstop off: the AP bus keeps the queue device
 *             and probes nothing); a card that left the configuration and
 *             returns gets new queue devices, whose probe retries itself.
 *             It also resets a queue vfio_ap left without a verified reset
 *             (zeroize.c apmx_zq_mark_leftover(), which pins kvm.ko) if
 *             nobody has it, withheld meanwhile: verified, the mark and
 *             the pin go; -EIO if the reset is not verified, -EBUSY
 *             (nothing reset) if someone has the queue (a guest, the
 *             host, vfio_ap, another reset), both stay;
 *
 * Choosing between apmatrix and vfio_ap: both are non-default drivers of
 * the same queue types.  The table decides: apmatrix binds only queues
 * the table holds, vfio_ap's probe refuses them
 * (kvm_s390_apmx_vfio_ap_probe()), and a queue bound to vfio_ap is never
 * claimed or reserved here (apmx_qdrv_veto(), holder vfio_ap); neither
 * is a queue still bound to a default driver (holder host: apmask_store()
 * drops ap_perms_mutex before ap_bus_revise_bindings() unbinds zcrypt, so
 * the mask alone does not say that zcrypt is done with it).  So an
 * administrator gives a queue to vfio_ap by binding it there (it is free
 * or vfio_ap.ko takes it when it loads), and to a guest by unbinding it
 * from vfio_ap and setting it with the ioctl:
 *   echo 05.0004 > /sys/bus/ap/drivers/vfio_ap/unbind
 * A queue a guest gave back stays bound to apmatrix ("free") until it is
 * unbound:
 *   echo 05.0004 > /sys/bus/ap/drivers/apmatrix/unbind
 *   echo 05.0004 > /sys/bus/ap/drivers/vfio_ap/bind
 * Queues that do not exist yet may still be requested, as with vfio_ap:
 * they are plugged in when they appear.
 *
 * Registration: with KVM=m, kvm_arch_init() registers the driver (the AP
 * bus is built in and registered long before).  With KVM=y, kvm's init
 * runs before the AP bus registers (both are device initcalls, arch/
 * links before drivers/), so a late_initcall registers it.  Without AP
 * instructions the AP bus does not register and neither does the driver.
 * As long as it is not registered nothing vetoes apmask/aqmask edits, so
 * apmx_qdrv_ready() is false and the AP matrix ioctls must refuse to work.
 * With CONFIG_ZCRYPT=n there is no AP bus (no default drivers, nothing to
 * veto): everything here is compiled out and apmx_qdrv_ready() is true.
 * Module direction: kvm.ko uses the built-in AP bus; vfio_ap.ko calls
 * kvm.ko (as it already does), never the reverse.
 *
 * Locking (see ap-matrix.h): in_use() is called by the AP bus with
 * ap_perms_mutex held and takes apmx_table_lock only.  probe() and
 * remove() run under the queue's device lock, which is outside every lock
 * of ap-matrix.h (the AP bus's ap_device_probe() takes ap_perms_mutex
 * under it); they take apmx_table_lock to look up the holder, drop it,
 * then kvm->lock of the holding VM (a reference keeps the VM alive), the
 * PQAP hook rwsem and apmx_table_lock, in the order of ap-matrix.h; the
 * reset of a quarantined queue runs under the device lock only.  Hence
 * apmx_qdrv_attach() and apmx_qdrv_reprobe() (device_attach()) are called
 * with none of those locks held.  apmx_qdrv_veto() runs under ap_perms_mutex and apmx_table_lock
 * and looks at the queue's binding with ap_get_qdev(): that takes
 * ap_queues_lock (a spinlock, with bottom halves off) and a device
 * reference, never the device lock (whose holders take both mutexes);
 * dropping the reference may free the device (ap_queue_device_release():
 * ap_queues_lock and kfree()), which is fine under mutexes.  It reads
 * dev->driver without the device lock, as ap_bus.c's own
 * __ap_revise_reserved() does.  A binding cannot begin meanwhile behind
 * its back: a default driver is only probed with a queue the masks give
 * the host (ap_device_probe() checks them under ap_perms_mutex), and
 * apmatrix's and vfio_ap's probes ask the table under apmx_table_lock; a
 * driver that lets go meanwhile only makes it refuse what it could have
 * allowed.  The sets of queues gone from apmatrix and bound to vfio_ap are
 * protected by apmx_table_lock.
 */
#define KMSG_COMPONENT "kvm-s390"
#define pr_fmt(fmt) KMSG_COMPONENT ": " fmt

#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kvm_host.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <asm/ap.h>
#include "ap-matrix.h"

#if IS_ENABLED(CONFIG_ZCRYPT)
#include "ap_bus.h"

/*
 * Queues that left apmatrix (unbound, or vanished) while the table held
 * them: their adapters are filtered from the holder's CRYCB until they are
 * bound again.  A mark outlives the holding at most until the APQN is
 * claimed anew (apmx_qdrv_veto()), bound to vfio_ap or probed again.
 */
static struct apmx_apqn_set apmx_qdrv_gone;
/* Queues bound to apmatrix now. */
static struct apmx_apqn_set apmx_qdrv_bound;
/* Held queues whose device existed at the claim or was probed since. */
static struct apmx_apqn_set apmx_qdrv_seen;
/* Queues bound to vfio_ap: never claimed or reserved here. */
static struct apmx_apqn_set apmx_qdrv_vfio;
/*
 * The control APQNs of vfio_ap's mediated devices: per mdev its adapters
 * x control domains, as kvm_s390_apmx_vfio_ap_control() recorded them.
 * vfio_ap shares control domains between mdevs; here none of them is
 * claimed or reserved, and an mdev gets none that is held here.
 */
struct apmx_vfio_ctl {
	struct list_head node;
	const void *mdev;		/* vfio_ap's struct ap_matrix_mdev */
	struct apmx_apqn_set ctl;
};

static LIST_HEAD(apmx_vfio_ctls);
static struct apmx_apqn_set apmx_vfio_scratch;	/* apmx_table_lock */
/* The union of every mdev's set: what apmx_qdrv_veto() tests. */
static struct apmx_apqn_set apmx_vfio_ctl_all;
/* The driver is registered (apmx_qdrv_register() succeeded). */
static bool apmx_qdrv_registered;

/* "vm 18446744073709551615 pid -2147483648 usage+control grant ..." */
#define APMX_QDRV_HOLDER_LEN	128

static const char * const apmx_qdrv_use_str[] = {
	[APMX_SLOT_USAGE]			= "usage",
	[APMX_SLOT_CONTROL]			= "control",
	[APMX_SLOT_USAGE | APMX_SLOT_CONTROL]	= "usage+control",
};

/*
 * Describe who holds (@apid, @apqi) into @buf: "free", or a guest
 * ("vm ID pid PID usage|control|usage+control"), a grant ("grant ID pid
 * PID"), both, "resetting" or "quarantined"; PID as the reader's pid
 * namespace sees it, 0 if it does not (apmx_owner_pid_vnr()), or for the
 * kernel log (@log) the initial namespace's.  Caller holds
 * apmx_table_lock.  Returns the length written.
 */
static int apmx_qdrv_holder_text(unsigned int apid, unsigned int apqi,
				 char *buf, size_t len, bool log)
{
	struct apmx_slot s;
	int n = 0;

	lockdep_assert_held(&apmx_table_lock);
	apmx_table_lookup(&apmx_table, apid, apqi, &s);
	if (s.state & APMX_SLOT_QUARANTINED)
		n += scnprintf(buf + n, len - n, "quarantined");
	else if (s.state & APMX_SLOT_RESETTING)
		n += scnprintf(buf + n, len - n, "resetting");
	else if (s.user)
		n += scnprintf(buf + n, len - n, "vm %llu pid %d %s",
			       s.user->id, log ? s.user->pid :
			       apmx_owner_pid_vnr(s.user),
			       apmx_qdrv_use_str[s.state &
						 (APMX_SLOT_USAGE |
						  APMX_SLOT_CONTROL)]);
	if (s.reserver)
		n += scnprintf(buf + n, len - n, "%sgrant %llu pid %d",
			       n ? " " : "", s.reserver->id, log ?
			       s.reserver->pid : apmx_owner_pid_vnr(s.reserver));
	if (!n)
		n = scnprintf(buf, len, "free");
	return n;
}

static ssize_t apmatrix_holder_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	ap_qid_t qid = to_ap_queue(dev)->qid;
	char who[APMX_QDRV_HOLDER_LEN];

	mutex_lock(&apmx_table_lock);
	apmx_qdrv_holder_text(AP_QID_CARD(qid), AP_QID_QUEUE(qid), who,
			      sizeof(who), false);
	mutex_unlock(&apmx_table_lock);
	return sysfs_emit(buf, "%s\n", who);
}
static DEVICE_ATTR_ADMIN_RO(apmatrix_holder);	/* root only (0400) */

static struct attribute *apmx_qdrv_attrs[] = {
	&dev_attr_apmatrix_holder.attr,
	NULL,
};
ATTRIBUTE_GROUPS(apmx_qdrv);

/*
 * The guest that uses (@apid, @apqi), with a reference, or NULL.  Caller
 * holds apmx_table_lock.  A VM whose last reference is gone is being
 * destroyed; its teardown releases and resets the queue.
 */
static struct kvm *apmx_qdrv_user_get(unsigned int apid, unsigned int apqi)
{
	struct kvm_s390_apmx *vm;
	struct apmx_slot s;

	apmx_table_lookup(&apmx_table, apid, apqi, &s);
	if (!s.user || s.user->type != KVM_S390_AP_HOLDER_VM)
		return NULL;
	vm = container_of(s.user, struct kvm_s390_apmx, owner);
	return kvm_get_kvm_safe(vm->kvm) ? vm->kvm : NULL;
}

/*
 * Recompute @kvm's effective matrix (apmx_vm_effective(): its requested
 * one without the queues gone from apmatrix, nor queues a set is still
 * resetting), and write it to the CRYCB if it changed.  A queue that was
 * @removed, or is @back (it had left apmatrix while held), is logged,
 * "unplugged from" or "plugged into" the VM if the VM's effective matrix
 * changed with it, "still held by" it if not (a control domain's queue,
 * or one whose adapter has other usage queues away); a set binding the
 * queues it claimed brings nothing back and logs nothing.  A queue that
 * left apmatrix is not reset here: it stays the guest's in the table
 * (nothing but apmatrix can bind it, see apmx_qdrv_veto() and vfio_ap's
 * probe), and it is reset when the guest gives it back, under the guest's
 * op_lock and withheld in the table, so that this path can never reset a
 * queue that has moved on to another guest meanwhile.
 */
static void apmx_qdrv_replug(struct kvm *kvm, bool removed, bool back,
			     unsigned int apid, unsigned int apqi)
{
	struct kvm_s390_ap_masks eff;
	struct kvm_s390_apmx *vm;
	bool changed;

	mutex_lock(&kvm->lock);
	vm = kvm->arch.crypto.apmx;
	if (vm) {
		apmx_vm_effective(vm, &eff);
		changed = memcmp(&eff, &vm->effective, sizeof(eff));
		if (changed)
			apmx_vm_commit(kvm, vm, &eff);
		if (removed || back)
			pr_notice("AP queue %02x.%04x: %s, %s VM %llu\n",
				  apid, apqi, removed ? "removed" : "back",
				  !changed ? "still held by" :
				  removed ? "unplugged from" : "plugged into",
				  vm->owner.id);
	}
	mutex_unlock(&kvm->lock);
	/* queues unplugged: their interruptions off, pins dropped */
	if (vm && removed)
		apmx_aqic_release(kvm, vm, false);
}

/* Used, reserved or withheld; needs no holder (apmx_table_peek() will do) */
static bool apmx_qdrv_held(const struct apmx_slot *s)
{
	return s->state || s->reserved;
}

/*
 * apmatrix binds the queue types vfio_ap takes (CEX4 and later); its
 * probe also sees the older ones (CEX2, CEX3), without binding them, so
 * that a held queue of any type is known to be present.
 */
static bool apmx_qdrv_binds(const struct ap_device *apdev)
{
	return apdev->device_type >= AP_DEVICE_TYPE_CEX4;
}

static int apmx_qdrv_probe(struct ap_device *apdev)
{
	ap_qid_t qid = to_ap_queue(&apdev->device)->qid;
	unsigned int apid = AP_QID_CARD(qid), apqi = AP_QID_QUEUE(qid);
	struct apmx_slot s;
	struct kvm *kvm;
	bool withheld, back;

	mutex_lock(&apmx_table_lock);
	apmx_table_lookup(&apmx_table, apid, apqi, &s);
	/* it left apmatrix while held (apmx_qdrv_remove()) */
	back = apmx_set_test(&apmx_qdrv_gone, apid, apqi);
	apmx_mask_clear(apmx_qdrv_gone.row[apid], apqi);
	withheld = apmx_zq_note_probe_withheld(apid, apqi);
	/*
	 * Free, or withheld only for the retry of what vfio_ap left in it
	 * (nobody's; the retry probes it again when it is done): leave it to
	 * vfio_ap or to a later set.
	 */
	if (!apmx_qdrv_held(&s) || withheld) {
		mutex_unlock(&apmx_table_lock);
		return -ENODEV;
	}
	/* its device exists: ZAPQ RC 01 on release is no hole (zeroize.c) */
	apmx_mask_set(apmx_qdrv_seen.row[apid], apqi);
	if (!apmx_qdrv_binds(apdev)) {
		mutex_unlock(&apmx_table_lock);
		if (s.state & APMX_SLOT_QUARANTINED)
			apmx_zeroize_retry(apid, apqi);
		return -ENODEV;
	}
	apmx_mask_set(apmx_qdrv_bound.row[apid], apqi);
	if (s.state & APMX_SLOT_QUARANTINED) {
		/*
		 * Back (its card is in the configuration again): reset it
		 * again, under the device lock only.  Bound either way, free
		 * ("free" in apmatrix_holder) or still quarantined.
		 */
		mutex_unlock(&apmx_table_lock);
		if (apmx_zeroize_retry(apid, apqi) == -EIO)
			pr_notice("AP queue %02x.%04x: back, reset not verified, still quarantined\n",
				  apid, apqi);
		return 0;
	}
	kvm = apmx_qdrv_user_get(apid, apqi);
	mutex_unlock(&apmx_table_lock);
	if (kvm) {
		/* back, or bound by its claim: plug it in */
		apmx_qdrv_replug(kvm, false, back, apid, apqi);
		kvm_put_kvm(kvm);
	}
	return 0;
}

static void apmx_qdrv_remove(struct ap_device *apdev)
{
	ap_qid_t qid = to_ap_queue(&apdev->device)->qid;
	unsigned int apid = AP_QID_CARD(qid), apqi = AP_QID_QUEUE(qid);
	struct apmx_slot s;
	struct kvm *kvm;

	mutex_lock(&apmx_table_lock);
	apmx_table_lookup(&apmx_table, apid, apqi, &s);
	apmx_mask_clear(apmx_qdrv_bound.row[apid], apqi);
	/* a free queue leaves no mark: nobody's adapter depends on it */
	if (apmx_qdrv_held(&s))
		apmx_mask_set(apmx_qdrv_gone.row[apid], apqi);
	kvm = apmx_qdrv_user_get(apid, apqi);
	mutex_unlock(&apmx_table_lock);
	if (!kvm)
		return;
	apmx_qdrv_replug(kvm, true, false, apid, apqi);
	kvm_put_kvm(kvm);
}

/*
 * The AP bus asks before it gives the APQNs @apm x @aqm (MSB-0 bitmaps of
 * AP_DEVICES/AP_DOMAINS bits, read with the s390 *_bit_inv helpers) to its
 * default drivers.  Called with ap_perms_mutex held.  Returns -EBUSY,
 * naming the first APQN and its holder, if the table has any of them for
 * a guest, a grant or a reset.
 */
static int apmx_qdrv_in_use(unsigned long *apm, unsigned long *aqm)
{
	char who[APMX_QDRV_HOLDER_LEN];
	unsigned long apid, apqi;
	struct apmx_slot s;
	int rc = 0;

	mutex_lock(&apmx_table_lock);
	for_each_set_bit_inv(apid, apm, AP_DEVICES) {
		for_each_set_bit_inv(apqi, aqm, AP_DOMAINS) {
			apmx_table_peek(&apmx_table, apid, apqi, &s);
			if (!apmx_qdrv_held(&s))
				continue;
			apmx_qdrv_holder_text(apid, apqi, who, sizeof(who), true);
			pr_notice("AP queue %02lx.%04lx stays with apmatrix: %s\n",
				  apid, apqi, who);
			rc = -EBUSY;
			goto out;
		}
	}
out:
	mutex_unlock(&apmx_table_lock);
	return rc;
}

static struct ap_device_id apmx_qdrv_ids[] = {
	{ .dev_type = AP_DEVICE_TYPE_CEX2A,	/* seen, not bound */
	  .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ .dev_type = AP_DEVICE_TYPE_CEX2C,
	  .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ .dev_type = AP_DEVICE_TYPE_CEX3A,
	  .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ .dev_type = AP_DEVICE_TYPE_CEX3C,
	  .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ .dev_type = AP_DEVICE_TYPE_CEX4,
	  .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ .dev_type = AP_DEVICE_TYPE_CEX5,
	  .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ .dev_type = AP_DEVICE_TYPE_CEX6,
	  .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ .dev_type = AP_DEVICE_TYPE_CEX7,
	  .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ .dev_type = AP_DEVICE_TYPE_CEX8,
	  .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ /* end of list */ },
};

/*
 * An APQN in the driver's attributes: "05.0004", adapter and domain in
 * hex, as the AP bus names the queue device (ap_bus.c ap_scan_domains()).
 * reset_quarantined reads it (apmx_qdrv_parse_apqn()), quarantined and
 * leftover list it (apmx_qdrv_show_apqns()), one a line.
 */
#define APMX_QDRV_APQN_FMT	"%02x.%04x"
#define APMX_QDRV_APQN_LINE	8	/* "05.0004\n" */
/* A list that does not fit a page ends with this line. */
#define APMX_QDRV_MORE		"...\n"
#define APMX_QDRV_APQNS_MAX						\
	((PAGE_SIZE - sizeof(APMX_QDRV_MORE)) / APMX_QDRV_APQN_LINE)

/* APMX_QDRV_APQN_FMT, one newline */
static int apmx_qdrv_parse_apqn(const char *buf, unsigned int *apid,
				unsigned int *apqi)
{
	char tmp[16], *dot;
	size_t len = strnlen(buf, sizeof(tmp));

	if (len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	dot = strchr(tmp, '.');
	if (!dot)
		return -EINVAL;
	*dot = '\0';
	if (kstrtouint(tmp, 16, apid) || kstrtouint(dot + 1, 16, apqi) ||
	    *apid >= AP_DEVICES || *apqi >= AP_DOMAINS)
		return -EINVAL;
	return 0;
}

/* Who keeps a marked queue from its retry (apmx_zeroize_retry_leftover()) */
static const char *apmx_qdrv_holder_str(u8 holder_type)
{
	switch (holder_type) {
	case KVM_S390_AP_HOLDER_VM:
		return "used by a guest";
	case KVM_S390_AP_HOLDER_QUARANTINE:
		return "being reset";
	case KVM_S390_AP_HOLDER_VFIO_AP:
		return "vfio_ap's";
	case KVM_S390_AP_HOLDER_HOST:
		return "the host's";
	default:
		return "not available";
	}
}

/*
 * The retry of reset_quarantined for a queue another driver gave up
 * without a verified reset (apmx_zq_mark_leftover()).  Return: count;
 * -EIO if the reset ran and was not verified (the mark stays); -EBUSY,
 * nothing reset, if someone else has the queue: a guest of ours, the
 * host, vfio_ap, or another reset that withholds its slot (try again
 * later); -EINVAL if it is not marked; -EINTR, -ENOMEM.  Each refusal is
 * logged naming the APQN.
 */
static ssize_t apmx_qdrv_reset_leftover(unsigned int apid, unsigned int apqi,
					size_t count)
{
	struct kvm_s390_ap_refusal r = {};
	int rc;

	rc = apmx_zeroize_retry_leftover(apid, apqi, &r);
	switch (rc) {
	case 0:
		pr_notice("AP queue %02x.%04x: reset verified, no longer marked as left unreset\n",
			  apid, apqi);
		return count;
	case -EINVAL:
		pr_notice("AP queue %02x.%04x: not quarantined, not reset\n",
			  apid, apqi);
		return rc;
	case -EINTR:
	case -ENOMEM:
		return rc;
	case -EIO:
		pr_notice("AP queue %02x.%04x: reset not verified, still marked as left unreset\n",
			  apid, apqi);
		return rc;
	default:	/* -EBUSY, -EADDRINUSE, -EADDRNOTAVAIL: someone has it */
		pr_notice("AP queue %02x.%04x: left unreset, not reset: %s\n",
			  apid, apqi, apmx_qdrv_holder_str(r.holder_type));
		return -EBUSY;
	}
}

/*
 * /sys/bus/ap/drivers/apmatrix/reset_quarantined (0200): reset the
 * quarantined queue written to it again, or one another driver gave up
 * without a verified reset (apmx_qdrv_reset_leftover()).  The reset runs
 * with no lock of ap-matrix.h held (apmx_zeroize_retry(),
 * apmx_zeroize_retry_leftover()).
 */
static ssize_t reset_quarantined_store(struct device_driver *drv,
				       const char *buf, size_t count)
{
	unsigned int apid, apqi;
	struct apmx_slot s;
	int rc;

	if (apmx_qdrv_parse_apqn(buf, &apid, &apqi))
		return -EINVAL;
	mutex_lock(&apmx_table_lock);
	apmx_table_lookup(&apmx_table, apid, apqi, &s);
	mutex_unlock(&apmx_table_lock);
	if (!(s.state & APMX_SLOT_QUARANTINED))
		return apmx_qdrv_reset_leftover(apid, apqi, count);
	pr_notice("AP queue %02x.%04x: reset of the quarantined queue requested\n",
		  apid, apqi);
	rc = apmx_zeroize_retry(apid, apqi);
	switch (rc) {
	case 0:
		return count;
	case -EIO:
		pr_notice("AP queue %02x.%04x: reset not verified, still quarantined\n",
			  apid, apqi);
		return rc;
	default:	/* -EBUSY: nothing reset */
		pr_notice("AP queue %02x.%04x: not reset: being reset by another retry or in use\n",
			  apid, apqi);
		return rc;
	}
}
static DRIVER_ATTR_WO(reset_quarantined);

/*
 * Write the APQNs for which @has() is true into the sysfs page @buf, in
 * ascending (adapter, domain) order, one APMX_QDRV_APQN_FMT a line; if
 * there are more than APMX_QDRV_APQNS_MAX (511 with 4 KiB pages), the
 * first that many, then the line APMX_QDRV_MORE.  @has() is called with
 * apmx_table_lock held, once per APQN: 65536 calls, no sleep.
 */
static ssize_t apmx_qdrv_show_apqns(char *buf,
				    bool (*has)(unsigned int apid,
						unsigned int apqi))
{
	unsigned int apid, apqi, n = 0;
	int len = 0;

	mutex_lock(&apmx_table_lock);
	for (apid = 0; apid < APMX_NR_IDS; apid++) {
		for (apqi = 0; apqi < APMX_NR_IDS; apqi++) {
			if (!has(apid, apqi))
				continue;
			if (n++ == APMX_QDRV_APQNS_MAX) {
				len += sysfs_emit_at(buf, len, APMX_QDRV_MORE);
				goto out;
			}
			len += sysfs_emit_at(buf, len, APMX_QDRV_APQN_FMT "\n",
					     apid, apqi);
		}
	}
out:
	mutex_unlock(&apmx_table_lock);
	return len;
}

static bool apmx_qdrv_quarantined(unsigned int apid, unsigned int apqi)
{
	struct apmx_slot s;

	apmx_table_peek(&apmx_table, apid, apqi, &s);
	return s.state & APMX_SLOT_QUARANTINED;
}

/*
 * /sys/bus/ap/drivers/apmatrix/quarantined (0400): the quarantined APQNs,
 * which reset_quarantined takes one at a time.
 */
static ssize_t quarantined_show(struct device_driver *drv, char *buf)
{
	return apmx_qdrv_show_apqns(buf, apmx_qdrv_quarantined);
}

/* root only (0400), as apmatrix_holder */
static struct driver_attribute driver_attr_quarantined =
	__ATTR_RO_MODE(quarantined, 0400);

/*
 * /sys/bus/ap/drivers/apmatrix/leftover (0400): the APQNs another driver
 * (vfio_ap) gave up without a verified reset (apmx_zq_mark_leftover()),
 * which pin kvm.ko until a reset of ours is verified (reset_quarantined
 * retries them).
 */
static ssize_t leftover_show(struct device_driver *drv, char *buf)
{
	return apmx_qdrv_show_apqns(buf, apmx_zq_is_leftover);
}

/* root only (0400), as apmatrix_holder */
static struct driver_attribute driver_attr_leftover =
	__ATTR_RO_MODE(leftover, 0400);

static struct attribute *apmx_qdrv_drv_attrs[] = {
	&driver_attr_reset_quarantined.attr,
	&driver_attr_quarantined.attr,
	&driver_attr_leftover.attr,
	NULL,
};
ATTRIBUTE_GROUPS(apmx_qdrv_drv);

static struct ap_driver apmx_qdrv = {
	.probe = apmx_qdrv_probe,
	.remove = apmx_qdrv_remove,
	.in_use = apmx_qdrv_in_use,
	.ids = apmx_qdrv_ids,
	.driver.groups = apmx_qdrv_drv_groups,
	.driver.dev_groups = apmx_qdrv_groups,
};

/**
 * apmx_qdrv_filter() - drop the adapters of queues gone from apmatrix
 * @eff: a guest's effective matrix, changed in place
 *
 * An adapter leaves @eff if one of its usage queues (@eff's apm x aqm)
 * left apmatrix (unbound, or vanished) while the guest held it and has
 * not been bound again: the CRYCB cannot hide a single APQN.  Takes
 * apmx_table_lock; the caller may hold kvm->lock.
 */
void apmx_qdrv_filter(struct kvm_s390_ap_masks *eff)
{
	unsigned int apid;

	mutex_lock(&apmx_table_lock);
	apmx_for_each_id(apid, eff->apm)
		if (apmx_mask_intersects(apmx_qdrv_gone.row[apid], eff->aqm))
			apmx_mask_clear(eff->apm, apid);
	mutex_unlock(&apmx_table_lock);
}

/*
 * ap_bus.c's is_queue_dev() is private to the AP bus.  A queue device's
 * parent is its card device, whose parent is the AP root device; the root
 * device has no parent (root_device_register()).  All three are on the AP
 * bus (ap_bus_init() sets ap_root_device->bus), so the bus does not tell
 * them apart, the depth does: only a queue has a grandparent.
 */
static bool apmx_qdrv_is_queue(struct device *dev)
{
	return dev->parent && dev->parent->parent;
}

/* bus_for_each_dev() callback: bind one unbound queue of the matrix */
static int apmx_qdrv_attach_one(struct device *dev, void *data)
{
	const struct kvm_s390_ap_masks *m = data;
	unsigned int apid, apqi;
	ap_qid_t qid;
	int rc;

	if (!apmx_qdrv_is_queue(dev) || READ_ONCE(dev->driver))
		return 0;
	qid = to_ap_queue(dev)->qid;
	apid = AP_QID_CARD(qid);
	apqi = AP_QID_QUEUE(qid);
	if (!apmx_mask_test(m->apm, apid) ||
	    !(apmx_mask_test(m->aqm, apqi) || apmx_mask_test(m->adm, apqi)))
		return 0;
	/* 1: bound (to us, as the table holds it), 0: no driver took it */
	rc = device_attach(dev);
	if (rc < 0)
		pr_warn("AP queue %02x.%04x: not bound to apmatrix (%d)\n",
			apid, apqi, rc);
	return 0;
}

/**
 * apmx_qdrv_present() - was the queue there while the table held it?
 * @apid: adapter id
 * @apqi: domain id
 *
 * True if the queue is bound to apmatrix, or its device existed while the
 * table held it (at the claim, or apmatrix's probe saw it since, bound or
 * not): then it may hold what a guest left in it, even if it answers "not
 * available" (ZAPQ RC 01: out of the configuration, its device not yet
 * removed by the AP bus's scan, or removed since) at the moment.  False
 * for an APQN that never had a queue device while held, such as a hole in
 * a guest's cross product (zeroize.c also asks whether it answered while
 * held).  Caller holds apmx_table_lock.
 *
 * Return: see above.
 */
bool apmx_qdrv_present(unsigned int apid, unsigned int apqi)
{
	lockdep_assert_held(&apmx_table_lock);
	return apmx_set_test(&apmx_qdrv_bound, apid, apqi) ||
	       apmx_set_test(&apmx_qdrv_gone, apid, apqi) ||
	       apmx_set_test(&apmx_qdrv_seen, apid, apqi);
}

/* bus_for_each_dev() callback: record a claimed queue whose device exists */
static int apmx_qdrv_seen_one(struct device *dev, void *data)
{
	const struct apmx_apqn_set *claimed = data;
	ap_qid_t qid;

	if (!apmx_qdrv_is_queue(dev))
		return 0;
	qid = to_ap_queue(dev)->qid;
	if (apmx_set_test(claimed, AP_QID_CARD(qid), AP_QID_QUEUE(qid)))
		apmx_mask_set(apmx_qdrv_seen.row[AP_QID_CARD(qid)],
			      AP_QID_QUEUE(qid));
	return 0;
}

/**
 * apmx_qdrv_claimed() - a set has claimed APQNs
 * @claimed: the APQNs a guest newly took
 *
 * Called once the claim stands, not while it is checked: the queues lose
 * their "gone" marks (claimed anew) and those whose queue device exists
 * now are recorded as present (apmx_qdrv_present()), bound or not, before
 * the guest can see them.  Caller holds ap_perms_mutex and
 * apmx_table_lock; bus_for_each_dev() takes the bus's klist spinlock and
 * device references only, one pass over the AP bus's devices.
 */
void apmx_qdrv_claimed(const struct apmx_apqn_set *claimed)
{
	unsigned int apid, i;

	lockdep_assert_held(&apmx_table_lock);
	if (!apmx_set_weight(claimed))
		return;
	for (apid = 0; apid < APMX_NR_IDS; apid++)
		for (i = 0; i < APMX_MASK_BYTES; i++) {
			apmx_qdrv_gone.row[apid][i] &= ~claimed->row[apid][i];
			apmx_qdrv_seen.row[apid][i] &= ~claimed->row[apid][i];
		}
	if (apmx_qdrv_registered)
		bus_for_each_dev(apmx_qdrv.driver.bus, NULL, (void *)claimed,
				 apmx_qdrv_seen_one);
}

/**
 * apmx_qdrv_attach() - bind the queues of a set or a grant to apmatrix
 * @m: the matrix just claimed or reserved; its queues apm x (aqm | adm)
 *     are bound if they exist and are not bound yet
 *
 * The queues to bind are unbound, so ap_get_qdev(), which only sees the
 * queues bound to a driver (ap_device_probe() adds them to its hash), does
 * not find them: walk the AP bus instead, as ap_bus_revise_bindings()
 * does, and let the driver core probe each one (device_attach() from
 * bus_for_each_dev(), as bus_rescan_devices() does).  Called without any
 * lock of ap-matrix.h held (the driver core takes the device lock and
 * calls apmx_qdrv_probe()).
 */
void apmx_qdrv_attach(const struct kvm_s390_ap_masks *m)
{
	if (!apmx_qdrv_registered)
		return;
	bus_for_each_dev(apmx_qdrv.driver.bus, NULL, (void *)m,
			 apmx_qdrv_attach_one);
}

/* bus_for_each_dev() callback: probe the queue @data names again */
static int apmx_qdrv_reprobe_one(struct device *dev, void *data)
{
	int rc;

	if (!apmx_qdrv_is_queue(dev) ||
	    to_ap_queue(dev)->qid != *(const ap_qid_t *)data)
		return 0;
	/* under its device lock: after a probe still running, bound or not */
	rc = device_attach(dev);
	if (rc < 0)
		pr_warn("AP queue %02x.%04x: not probed again (%d)\n",
			AP_QID_CARD(to_ap_queue(dev)->qid),
			AP_QID_QUEUE(to_ap_queue(dev)->qid), rc);
	return 1;
}

/**
 * apmx_qdrv_reprobe() - probe a queue whose probe met a withheld slot
 * @apid: adapter id
 * @apqi: domain id
 *
 * For apmx_zeroize_retry_leftover(), once the slot it withheld is free
 * again: a queue device the AP bus added meanwhile was left unbound
 * (apmatrix's probe does not bind it, vfio_ap's was deferred with
 * -EPROBE_DEFER, which the driver core retries only when some other
 * device binds).  device_attach() offers it to every driver again, as
 * when it appeared: the AP bus gives it to a default driver if the host's
 * apmask and aqmask do, else to vfio_ap, and apmatrix takes it only if a
 * guest claimed it meanwhile.  A bound queue stays as it is.  Found by a
 * walk of the AP bus (ap_get_qdev() sees bound queues only), as
 * apmx_qdrv_attach() does.
 *
 * The bus's drivers_autoprobe is not consulted, as the AP bus does not
 * consult it when an apmask/aqmask edit changes who may drive a queue
 * (ap_bus.c __ap_revise_reserved(): device_reprobe()): this is the probe
 * that a probe which did run (the device's first one, with autoprobe on,
 * or root's bind) asked for and was turned away from only while the slot
 * was withheld.  With autoprobe off and no bind meanwhile, no probe met
 * the slot and nothing is probed again.  (The driver core's deferred-probe
 * retry, which does consult it, runs only after some other device binds.)
 *
 * Context: takes the queue's device lock; the caller holds no lock of
 * ap-matrix.h.
 */
void apmx_qdrv_reprobe(unsigned int apid, unsigned int apqi)
{
	ap_qid_t qid = AP_MKQID(apid, apqi);

	if (!apmx_qdrv_registered)
		return;
	bus_for_each_dev(apmx_qdrv.driver.bus, NULL, &qid,
			 apmx_qdrv_reprobe_one);
}

/*
 * Who drives the queue (@apid, @apqi) if not apmatrix: HOLDER_HOST for a
 * default (zcrypt) driver or any other but vfio_ap, HOLDER_VFIO_AP for
 * vfio_ap (the only non-default AP queue driver in the tree besides
 * apmatrix, registered as "vfio_ap"), HOLDER_NONE if it is unbound, bound
 * to apmatrix or does not exist.  ap_get_qdev() finds exactly the queues
 * bound to (or being probed by) a driver.  Locks: see "Locking" above.
 */
static u8 apmx_qdrv_bound_to(unsigned int apid, unsigned int apqi)
{
	struct device_driver *drv;
	u8 holder = KVM_S390_AP_HOLDER_NONE;
	struct ap_queue *q;

	q = ap_get_qdev(AP_MKQID(apid, apqi));
	if (!q)
		return holder;
	drv = READ_ONCE(q->ap_dev.device.driver);
	if (drv && drv != &apmx_qdrv.driver) {
		if (!(to_ap_drv(drv)->flags & AP_DRIVER_FLAG_DEFAULT) &&
		    !strcmp(drv->name, "vfio_ap"))
			holder = KVM_S390_AP_HOLDER_VFIO_AP;
		else
			holder = KVM_S390_AP_HOLDER_HOST;
	}
	put_device(&q->ap_dev.device);
	return holder;
}

/* Does a vfio_ap mdev control @apid.@apqi?  Caller holds apmx_table_lock. */
static bool apmx_vfio_ctl_has(unsigned int apid, unsigned int apqi)
{
	lockdep_assert_held(&apmx_table_lock);
	return apmx_set_test(&apmx_vfio_ctl_all, apid, apqi);
}

/**
 * apmx_qdrv_veto() - refuse an APQN another driver has
 * @apid: adapter id
 * @apqi: usage or control domain id
 * @control: the APQN is wanted as a control domain only
 * @r: filled on refusal
 *
 * Refuses an APQN bound to vfio_ap (or that vfio_ap's probe took) or
 * that a vfio_ap mediated device controls, and one whose queue is still
 * bound to a default (zcrypt) driver or to any driver but apmatrix:
 * after an apmask/aqmask edit released it, the AP bus unbinds zcrypt only
 * after it dropped ap_perms_mutex.  An APQN it allows
 * is claimed anew: a mark that it left apmatrix under an earlier holder is
 * forgotten.  Caller holds ap_perms_mutex (apmx_host_lock()) and
 * apmx_table_lock (the veto of apmx_table_replace() and
 * apmx_table_reserve()); only spinlocks are taken here.
 *
 * Return: 0; -EBUSY with @r naming the APQN and vfio_ap; or -EADDRNOTAVAIL
 * with @r naming the APQN and the host (KVM_S390_AP_R_HOST_OWNED).
 */
int apmx_qdrv_veto(unsigned int apid, unsigned int apqi, bool control,
		   struct kvm_s390_ap_refusal *r)
{
	u8 field = control ? KVM_S390_AP_FIELD_CONTROL : KVM_S390_AP_FIELD_APQN;
	u8 holder = KVM_S390_AP_HOLDER_VFIO_AP;

	if (!apmx_mask_test(apmx_qdrv_vfio.row[apid], apqi) &&
	    !apmx_vfio_ctl_has(apid, apqi))
		holder = apmx_qdrv_bound_to(apid, apqi);
	if (holder == KVM_S390_AP_HOLDER_VFIO_AP) {
		apmx_refusal_fill(r, KVM_S390_AP_R_VFIO_AP, field, apid, apqi,
				  NULL, KVM_S390_AP_HOLDER_VFIO_AP);
		return -EBUSY;
	}
	if (holder == KVM_S390_AP_HOLDER_HOST) {
		apmx_refusal_fill(r, KVM_S390_AP_R_HOST_OWNED, field, apid,
				  apqi, NULL, KVM_S390_AP_HOLDER_HOST);
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/**
 * kvm_s390_apmx_vfio_ap_probe() - may vfio_ap bind a queue?
 * @apqn: the queue's APQN (adapter << 8 | domain)
 *
 * Called by vfio_ap's probe.  A queue a guest configured by ioctl uses,
 * a grant reserves or the table withholds stays with apmatrix; otherwise
 * the queue is recorded as bound to vfio_ap until
 * kvm_s390_apmx_vfio_ap_remove(), or kvm_s390_apmx_vfio_ap_probe_undo()
 * if vfio_ap's probe fails later, and nobody can claim it here meanwhile.
 * A queue whose slot is withheld only while reset_quarantined resets what
 * vfio_ap left in it (zeroize.c apmx_zq_note_probe_withheld()) is
 * nobody's: its probe is deferred, and the retry probes it again when it
 * is done (apmx_qdrv_reprobe()).  Correctness rests on that reprobe, not
 * on the driver core's list of deferred probes: a bind through sysfs
 * (bind_store()) answers -EAGAIN and never puts the device on that list,
 * and a device on it is retried after every later bind of any driver
 * until it binds.
 *
 * Return: 0; -EPROBE_DEFER for a queue being reset for what vfio_ap left
 * in it; -EBUSY for one of apmatrix's.  vfio_ap's probe must fail with
 * it.
 */
int kvm_s390_apmx_vfio_ap_probe(int apqn)
{
	unsigned int apid = AP_QID_CARD(apqn), apqi = AP_QID_QUEUE(apqn);
	struct apmx_slot s;
	char who[APMX_QDRV_HOLDER_LEN];
	int rc = 0;

	mutex_lock(&apmx_table_lock);
	apmx_table_lookup(&apmx_table, apid, apqi, &s);
	if (apmx_zq_note_probe_withheld(apid, apqi)) {
		/* once per retry: the driver core may probe it again */
		if (apmx_zq_note_deferral(apid, apqi))
			pr_notice("AP queue %02x.%04x: vfio_ap's probe deferred: being reset for what vfio_ap left in it\n",
				  apid, apqi);
		rc = -EPROBE_DEFER;
	} else if (apmx_qdrv_held(&s)) {
		apmx_qdrv_holder_text(apid, apqi, who, sizeof(who), true);
		pr_notice("AP queue %02x.%04x not bound to vfio_ap: apmatrix %s\n",
			  apid, apqi, who);
		rc = -EBUSY;
	} else {
		apmx_mask_set(apmx_qdrv_vfio.row[apid], apqi);
		apmx_mask_clear(apmx_qdrv_gone.row[apid], apqi);
	}
	mutex_unlock(&apmx_table_lock);
	return rc;
}
EXPORT_SYMBOL_GPL(kvm_s390_apmx_vfio_ap_probe);

/**
 * kvm_s390_apmx_vfio_ap_remove() - a queue left vfio_ap
 * @apqn: the queue's APQN (adapter << 8 | domain)
 *
 * Called by vfio_ap's remove after it tried to reset the queue and
 * released its locks (its probe's error paths call
 * kvm_s390_apmx_vfio_ap_probe_undo() instead).  6.1's
 * vfio_ap_ops.c vfio_ap_mdev_remove_queue() ignores the result of
 * vfio_ap_mdev_reset_queue(), which gives up on a queue out of the
 * configuration (RC 01), on a reset it did not see end and on one that
 * another reset (a RAPQ, which does not zeroize) kept from being
 * performed; so the queue is reset here, verified
 * (apmx_zeroize_given_up()), and marked only if that reset is not
 * verified: the next guest gets it only after a reset of ours is
 * (apmx_zq_mark_leftover()).  Root sees a marked APQN in the driver's
 * leftover file and retries its reset through reset_quarantined
 * (apmx_zeroize_retry_leftover()).  Nobody can claim the queue meanwhile:
 * its vfio_ap bit is cleared only afterwards, and the caller holds its
 * device lock, so vfio_ap cannot probe it again.
 *
 * Context: may sleep (APMX_ZEROIZE_MAX_MS at most); takes
 * apmx_table_lock.  Must not be called holding vfio_ap's guests_lock,
 * mdevs_lock or a guest's kvm->lock (ap-matrix.h), nor apmx_table_lock.
 */
void kvm_s390_apmx_vfio_ap_remove(int apqn)
{
	unsigned int apid = AP_QID_CARD(apqn), apqi = AP_QID_QUEUE(apqn);

	if (!apmx_zeroize_given_up(apid, apqi))
		pr_notice_ratelimited("AP queue %02x.%04x: left vfio_ap, reset not verified, reset before a guest sees it\n",
				      apid, apqi);
	mutex_lock(&apmx_table_lock);
	apmx_mask_clear(apmx_qdrv_vfio.row[apid], apqi);
	mutex_unlock(&apmx_table_lock);
}
EXPORT_SYMBOL_GPL(kvm_s390_apmx_vfio_ap_remove);

/**
 * kvm_s390_apmx_vfio_ap_probe_undo() - vfio_ap's probe of a queue failed
 * @apqn: the queue's APQN (adapter << 8 | domain)
 *
 * Called on the error paths of vfio_ap's probe, after
 * kvm_s390_apmx_vfio_ap_probe() allowed it (6.1's vfio_ap_ops.c
 * vfio_ap_mdev_probe_queue(): sysfs_create_group() or the allocation of
 * its struct vfio_ap_queue failed).  The queue never was vfio_ap's: no
 * guest of vfio_ap's can have used it, and vfio_ap did not reset it.  So
 * it is only no longer recorded as bound to vfio_ap; unlike
 * kvm_s390_apmx_vfio_ap_remove() it is neither reset nor marked, and
 * kvm.ko is not pinned for it.
 *
 * Context: takes apmx_table_lock (vfio_ap's locks may be held); does not
 * sleep otherwise.
 */
void kvm_s390_apmx_vfio_ap_probe_undo(int apqn)
{
	unsigned int apid = AP_QID_CARD(apqn), apqi = AP_QID_QUEUE(apqn);

	mutex_lock(&apmx_table_lock);
	apmx_mask_clear(apmx_qdrv_vfio.row[apid], apqi);
	mutex_unlock(&apmx_table_lock);
}
EXPORT_SYMBOL_GPL(kvm_s390_apmx_vfio_ap_probe_undo);

static struct apmx_vfio_ctl *apmx_vfio_ctl_find(const void *mdev)
{
	struct apmx_vfio_ctl *c;

	lockdep_assert_held(&apmx_table_lock);
	list_for_each_entry(c, &apmx_vfio_ctls, node)
		if (c->mdev == mdev)
			return c;
	return NULL;
}

/* apmx_vfio_ctl_all = the union of every mdev's set; apmx_table_lock */
static void apmx_vfio_ctl_union(void)
{
	struct apmx_vfio_ctl *c;
	unsigned int apid, i;

	lockdep_assert_held(&apmx_table_lock);
	apmx_set_clear(&apmx_vfio_ctl_all);
	list_for_each_entry(c, &apmx_vfio_ctls, node)
		for (apid = 0; apid < APMX_NR_IDS; apid++)
			for (i = 0; i < APMX_MASK_BYTES; i++)
				apmx_vfio_ctl_all.row[apid][i] |=
					c->ctl.row[apid][i];
}

/*
 * The first APQN of @want that @c does not control yet and that is used,
 * reserved or withheld here; false if there is none.  Caller holds
 * apmx_table_lock.
 */
static bool apmx_vfio_ctl_conflict(const struct apmx_vfio_ctl *c,
				   const struct apmx_apqn_set *want,
				   unsigned int *apid, unsigned int *apqi)
{
	struct apmx_slot s;
	unsigned int a, d;

	for (a = 0; a < APMX_NR_IDS; a++) {
		for (d = apmx_mask_next(want->row[a], 0); d < APMX_NR_IDS;
		     d = apmx_mask_next(want->row[a], d + 1)) {
			if (apmx_mask_test(c->ctl.row[a], d))
				continue;
			apmx_table_peek(&apmx_table, a, d, &s);
			if (!apmx_qdrv_held(&s))
				continue;
			*apid = a;
			*apqi = d;
			return true;
		}
	}
	return false;
}

/**
 * kvm_s390_apmx_vfio_ap_control() - may a vfio_ap mdev control these APQNs?
 * @mdev: the mediated device (vfio_ap's struct ap_matrix_mdev, a key only)
 * @apm: its adapter mask, or NULL when the mdev goes away
 * @adm: its control domain mask
 *
 * Called by vfio_ap whenever an adapter or a control domain is assigned
 * to or unassigned from @mdev, and when @mdev is removed.  @apm and @adm
 * are vfio_ap's bitmaps of AP_DEVICES and AP_DOMAINS (256) bits, numbered
 * with test_bit_inv().  Records @apm x @adm as the APQNs @mdev's guest
 * controls, unless one it does not control yet is used, reserved or
 * withheld here: a vfio_ap guest controlling that domain could change
 * master keys a guest configured by ioctl uses.  From then on no guest or
 * grant here gets any APQN @mdev controls (apmx_qdrv_veto()).  Only the
 * first call for an mdev allocates: fewer control APQNs than recorded
 * always succeed.
 *
 * Context: may sleep; takes apmx_table_lock (vfio_ap's locks may be held).
 * Return: 0; -EADDRINUSE if an APQN is held here (nothing is recorded
 * then, the mdev keeps what it had); -ENOMEM.
 */
int kvm_s390_apmx_vfio_ap_control(const void *mdev, const unsigned long *apm,
				  const unsigned long *adm)
{
	struct apmx_vfio_ctl *c, *n = NULL;
	unsigned long apid, apqi;
	unsigned int a, d;
	int rc = 0;

	mutex_lock(&apmx_table_lock);
	c = apmx_vfio_ctl_find(mdev);
	if (!c && apm) {
		/* the first assignment: the only allocation of an mdev */
		mutex_unlock(&apmx_table_lock);
		n = kvzalloc(sizeof(*n), GFP_KERNEL);
		if (!n)
			return -ENOMEM;
		n->mdev = mdev;
		mutex_lock(&apmx_table_lock);
		c = apmx_vfio_ctl_find(mdev);
		if (!c) {
			list_add(&n->node, &apmx_vfio_ctls);
			c = n;
			n = NULL;
		}
	}
	if (!apm) {
		if (c) {
			list_del(&c->node);
			apmx_vfio_ctl_union();
		}
		goto out;
	}
	apmx_set_clear(&apmx_vfio_scratch);
	for_each_set_bit_inv(apid, apm, APMX_NR_IDS)
		for_each_set_bit_inv(apqi, adm, APMX_NR_IDS)
			apmx_mask_set(apmx_vfio_scratch.row[apid], apqi);
	if (apmx_vfio_ctl_conflict(c, &apmx_vfio_scratch, &a, &d)) {
		pr_notice("AP queue %02x.%04x not given to a vfio_ap mdev as a control domain: held by the AP matrix\n",
			  a, d);
		rc = -EADDRINUSE;
	} else {
		c->ctl = apmx_vfio_scratch;
		apmx_vfio_ctl_union();
	}
	c = NULL;
out:
	mutex_unlock(&apmx_table_lock);
	kvfree(c);
	kvfree(n);
	return rc;
}
EXPORT_SYMBOL_GPL(kvm_s390_apmx_vfio_ap_control);

/*
 * Failing is not fatal for kvm, but nothing vetoes mask edits then: the
 * AP matrix ioctls refuse to work (apmx_qdrv_ready()).
 */
static void apmx_qdrv_register(void)
{
	int rc;

	if (!ap_instructions_available())
		return;
	rc = ap_driver_register(&apmx_qdrv, THIS_MODULE, "apmatrix");
	if (rc) {
		pr_warn("AP queue driver apmatrix not registered (%d)\n", rc);
		return;
	}
	apmx_qdrv_registered = true;
}

#ifdef MODULE
/**
 * kvm_s390_apmx_qdrv_init() - register the apmatrix AP queue driver
 *
 * Called from kvm_arch_init(); with KVM=m the AP bus is up by then.  A
 * failure is logged, not fatal to kvm; apmx_qdrv_ready() reports it.
 */
void kvm_s390_apmx_qdrv_init(void)
{
	apmx_qdrv_register();
}
#else
void kvm_s390_apmx_qdrv_init(void)
{
}

/* KVM=y: kvm's init ran before the AP bus registered. */
static int __init apmx_qdrv_late_init(void)
{
	apmx_qdrv_register();
	return 0;
}
late_initcall(apmx_qdrv_late_init);
#endif

/*
 * With an AP bus, the queue driver's in_use() is what keeps the host's
 * apmask/aqmask edits from taking queues that guests hold; it is in force
 * only while the driver is registered.  While it is not,
 * KVM_CAP_S390_AP_MATRIX reads 0 and every set and grant fails.  Lockless:
 * the flag changes only at kvm init and exit.
 */

/**
 * apmx_qdrv_ready() - is the apmatrix veto in force?
 *
 * Return: true if the driver is registered.
 */
bool apmx_qdrv_ready(void)
{
	return READ_ONCE(apmx_qdrv_registered);
}

/**
 * kvm_s390_apmx_qdrv_exit() - unregister the apmatrix AP queue driver
 *
 * Called from kvm_arch_exit() before the table goes away: every VM is
 * gone, so unbinding the queues unplugs nothing.
 */
void kvm_s390_apmx_qdrv_exit(void)
{
	struct apmx_vfio_ctl *c;

	/* vfio_ap.ko, which uses kvm.ko, removed its mdevs when it went */
	mutex_lock(&apmx_table_lock);
	WARN_ON_ONCE(!list_empty(&apmx_vfio_ctls));
	while (!list_empty(&apmx_vfio_ctls)) {
		c = list_first_entry(&apmx_vfio_ctls, struct apmx_vfio_ctl,
				     node);
		list_del(&c->node);
		kvfree(c);
	}
	apmx_set_clear(&apmx_vfio_ctl_all);
	mutex_unlock(&apmx_table_lock);
	if (!apmx_qdrv_registered)
		return;
	ap_driver_unregister(&apmx_qdrv);
	apmx_qdrv_registered = false;
}

#else /* !CONFIG_ZCRYPT: no AP bus, no queue driver */

void kvm_s390_apmx_qdrv_init(void)
{
}

void kvm_s390_apmx_qdrv_exit(void)
{
}

void apmx_qdrv_filter(struct kvm_s390_ap_masks *eff)
{
}

void apmx_qdrv_attach(const struct kvm_s390_ap_masks *m)
{
}

void apmx_qdrv_reprobe(unsigned int apid, unsigned int apqi)
{
}

/* no AP bus, no queue devices: nothing is known to be present */
bool apmx_qdrv_present(unsigned int apid, unsigned int apqi)
{
	return false;
}

void apmx_qdrv_claimed(const struct apmx_apqn_set *claimed)
{
}

int apmx_qdrv_veto(unsigned int apid, unsigned int apqi, bool control,
		   struct kvm_s390_ap_refusal *r)
{
	return 0;
}

/* no AP bus, no default drivers: nothing to veto */
bool apmx_qdrv_ready(void)
{
	return true;
}

#endif

/**
 * apmx_qdrv_host_veto() - what the host and vfio_ap keep
 * @ctx: unused
 * @apid: adapter id
 * @apqi: usage or control domain id
 * @control: the APQN is wanted as a control domain only
 * @r: filled on refusal
 *
 * The veto of a claim or a reservation: apmx_host_veto() (the default
 * drivers' masks), then apmx_qdrv_veto() (vfio_ap, and the bindings of
 * the default drivers).  Caller holds
 * apmx_host_lock() and apmx_table_lock.
 *
 * Return: 0, or the errno of the veto that refused, with @r filled.
 */
int apmx_qdrv_host_veto(void *ctx, unsigned int apid, unsigned int apqi,
			bool control, struct kvm_s390_ap_refusal *r)
{
	int rc = apmx_host_veto(ctx, apid, apqi, control, r);

	return rc ? rc : apmx_qdrv_veto(apid, apqi, control, r);
}
