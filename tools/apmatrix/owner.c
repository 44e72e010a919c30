// SPDX-License-Identifier: GPL-2.0
/*
 * apmatrix(8): who has a queue, and how to say it in one line.
 *
 * The order follows what the kernel checks when a grant or a set claims
 * an APQN (arch/s390/kvm/ap-matrix/table.c apmx_table_replace() and
 * host.c's veto): withheld (resetting, quarantined), used by a guest,
 * reserved by a grant, then host-owned (apmask x aqmask, or still bound
 * to a default driver) and vfio_ap.
 */
#include <string.h>
#include "apmatrix.h"

static bool is_default_driver(const char *drv)
{
	return drv[0] && strcmp(drv, "apmatrix") && strcmp(drv, "vfio_ap");
}

enum apx_owner apx_owner_of(const struct apx_state *st, unsigned int a,
			    unsigned int d)
{
	const struct apx_queue *q = apx_queue_get(st, a, d);

	if (!strcmp(q->driver, "apmatrix")) {
		if (!q->holder_known)
			return APX_OWN_APMATRIX;
		if (q->quarantined)
			return APX_OWN_QUARANTINED;
		if (q->resetting)
			return APX_OWN_RESETTING;
		if (q->vm)
			return APX_OWN_VM;
		if (q->grant)
			return APX_OWN_GRANT;
	}
	if (!strcmp(q->driver, "vfio_ap") || apx_mdev_of(st, a, d))
		return APX_OWN_VFIO_AP;
	if (apx_host_owns(st->apmask, st->aqmask, a, d) ||
	    is_default_driver(q->driver))
		return APX_OWN_HOST;
	return APX_OWN_FREE;
}

const char *apx_owner_name(enum apx_owner o)
{
	static const char * const names[] = {
		[APX_OWN_FREE]		= "free",
		[APX_OWN_HOST]		= "host",
		[APX_OWN_VFIO_AP]	= "vfio_ap",
		[APX_OWN_VM]		= "vm",
		[APX_OWN_GRANT]		= "grant",
		[APX_OWN_RESETTING]	= "resetting",
		[APX_OWN_QUARANTINED]	= "quarantined",
		[APX_OWN_APMATRIX]	= "apmatrix",
	};

	return names[o];
}

static void with_pid(char *buf, size_t len, const char *what,
		     unsigned long long id, int pid)
{
	if (pid > 0)
		snprintf(buf, len, "%s %llu (pid %d)", what, id, pid);
	else
		snprintf(buf, len, "%s %llu", what, id);
}

void apx_holder_phrase(unsigned int holder_type, unsigned long long id,
		       int pid, const char *driver, char *buf, size_t len)
{
	char who[96];

	switch (holder_type) {
	case KVM_S390_AP_HOLDER_VM:
		with_pid(who, sizeof(who), "VM", id, pid);
		snprintf(buf, len, "is used by %s", who);
		break;
	case KVM_S390_AP_HOLDER_GRANT:
		with_pid(who, sizeof(who), "grant", id, pid);
		snprintf(buf, len, "is reserved by %s", who);
		break;
	case KVM_S390_AP_HOLDER_HOST:
		if (driver && *driver)
			snprintf(buf, len, "is used by the host (driver %s)",
				 driver);
		else
			snprintf(buf, len,
				 "is used by the host (apmask/aqmask)");
		break;
	case KVM_S390_AP_HOLDER_VFIO_AP:
		snprintf(buf, len, "is used by vfio_ap");
		break;
	case KVM_S390_AP_HOLDER_QUARANTINE:
		snprintf(buf, len, "is being reset or quarantined");
		break;
	default:
		snprintf(buf, len, "is not available");
		break;
	}
}

void apx_owner_phrase(const struct apx_state *st, unsigned int a,
		      unsigned int d, char *buf, size_t len)
{
	const struct apx_queue *q = apx_queue_get(st, a, d);
	const char *drv = NULL;

	switch (apx_owner_of(st, a, d)) {
	case APX_OWN_FREE:
		snprintf(buf, len, "is free");
		return;
	case APX_OWN_VM:
		apx_holder_phrase(KVM_S390_AP_HOLDER_VM, q->vm_id, q->vm_pid,
				  NULL, buf, len);
		return;
	case APX_OWN_GRANT:
		apx_holder_phrase(KVM_S390_AP_HOLDER_GRANT, q->grant_id,
				  q->grant_pid, NULL, buf, len);
		return;
	case APX_OWN_HOST:
		if (is_default_driver(q->driver))
			drv = q->driver;
		apx_holder_phrase(KVM_S390_AP_HOLDER_HOST, 0, 0, drv, buf,
				  len);
		return;
	case APX_OWN_VFIO_AP:
		if (apx_mdev_of(st, a, d))
			snprintf(buf, len,
				 "is used by vfio_ap (mediated device %s)",
				 apx_mdev_of(st, a, d));
		else
			apx_holder_phrase(KVM_S390_AP_HOLDER_VFIO_AP, 0, 0,
					  NULL, buf, len);
		return;
	case APX_OWN_RESETTING:
		snprintf(buf, len, "is being reset");
		return;
	case APX_OWN_QUARANTINED:
		snprintf(buf, len, "is quarantined (reset not verified)");
		return;
	case APX_OWN_APMATRIX:
		snprintf(buf, len,
			 "is bound to apmatrix (holder unknown: reading apmatrix_holder needs root)");
		return;
	}
}

void apx_owner_text(const struct apx_state *st, unsigned int a,
		    unsigned int d, char *buf, size_t len)
{
	const struct apx_queue *q = apx_queue_get(st, a, d);
	char vm[96] = "", grant[96] = "";

	if (q->vm) {
		with_pid(vm, sizeof(vm), "vm", q->vm_id, q->vm_pid);
		if (q->use[0]) {
			size_t n = strlen(vm);

			snprintf(vm + n, sizeof(vm) - n, " %s", q->use);
		}
	}
	if (q->grant)
		with_pid(grant, sizeof(grant), "grant", q->grant_id,
			 q->grant_pid);
	switch (apx_owner_of(st, a, d)) {
	case APX_OWN_HOST:
		if (q->driver[0])
			snprintf(buf, len, "host (%s)", q->driver);
		else
			snprintf(buf, len, "host (no driver)");
		return;
	case APX_OWN_VM:
		snprintf(buf, len, "%s%s%s", vm, q->grant ? ", " : "", grant);
		return;
	case APX_OWN_GRANT:
		snprintf(buf, len, "%s", grant);
		return;
	case APX_OWN_RESETTING:
	case APX_OWN_QUARANTINED:
		snprintf(buf, len, "%s%s%s",
			 apx_owner_name(apx_owner_of(st, a, d)),
			 q->grant ? ", " : "", grant);
		return;
	case APX_OWN_FREE:
		snprintf(buf, len, "%s", q->driver[0] ? "free (apmatrix)" :
			 "free");
		return;
	case APX_OWN_VFIO_AP:
		if (apx_mdev_of(st, a, d))
			snprintf(buf, len, "vfio_ap (mdev %s)",
				 apx_mdev_of(st, a, d));
		else
			snprintf(buf, len, "vfio_ap");
		return;
	default:
		snprintf(buf, len, "%s", apx_owner_name(apx_owner_of(st, a, d)));
		return;
	}
}
