// SPDX-License-Identifier: GPL-2.0
/*
 * KVM/s390 AP matrix: what the host offers.
 *
 * The highest adapter and domain ids come from QCI; the APQNs the host's
 * default zcrypt drivers keep (/sys/bus/ap/apmask, aqmask) come from the AP
 * bus, which is built into the kernel whenever CONFIG_ZCRYPT is y or m.
 * Without it no default driver exists and nothing is host-owned.  The
 * global APQN ownership table lives here.
 */
#include <linux/mutex.h>
#include <linux/string.h>
#include <asm/ap.h>
#include "ap-matrix.h"

/* The global APQN ownership table: one for every holder on the host. */
struct apmx_table apmx_table;
DEFINE_MUTEX(apmx_table_lock);	/* protects apmx_table; lock 4 of the order */

/**
 * apmx_host_info() - query the host's AP configuration limits
 * @info: filled with APXA and the highest adapter and domain id
 *
 * Without the AP extended addressing facility, or when QCI is not
 * available, the limits are those of APCB0: 63 adapters and 15 domains.
 */
void apmx_host_info(struct apmx_host_info *info)
{
	struct ap_config_info qci;

	info->apxa = false;
	info->na = KVM_S390_AP_APCB0_MAX_ADAPTER;
	info->nd = KVM_S390_AP_APCB0_MAX_DOMAIN;
	memset(&qci, 0, sizeof(qci));
	if (!ap_instructions_available() || ap_qci(&qci) || !qci.apxa)
		return;
	info->apxa = true;
	if (qci.Na)
		info->na = qci.Na;
	if (qci.Nd)
		info->nd = qci.Nd;
}

/**
 * apmx_host_lock() - keep apmask/aqmask stable
 *
 * Lock 1 of the order in ap-matrix.h; nothing to lock without the AP bus.
 */
void apmx_host_lock(void)
{
#if IS_ENABLED(CONFIG_ZCRYPT)
	mutex_lock(&ap_perms_mutex);
#endif
}

/**
 * apmx_host_lock_killable() - apmx_host_lock(), unless a fatal signal comes
 *
 * Return: 0 with the lock held, or -EINTR.
 */
int apmx_host_lock_killable(void)
{
#if IS_ENABLED(CONFIG_ZCRYPT)
	return mutex_lock_killable(&ap_perms_mutex);
#else
	return 0;
#endif
}

/**
 * apmx_host_unlock() - release what apmx_host_lock() took
 */
void apmx_host_unlock(void)
{
#if IS_ENABLED(CONFIG_ZCRYPT)
	mutex_unlock(&ap_perms_mutex);
#endif
}

/**
 * apmx_host_veto() - refuse an APQN the host's default drivers own
 * @ctx: unused
 * @apid: adapter id
 * @apqi: usage or control domain id
 * @control: the APQN is claimed as a control domain
 * @r: filled on refusal
 *
 * Control domains are refused as well: controlling a domain the host uses
 * would let the guest administer the host's keys.  Caller holds
 * apmx_host_lock().
 *
 * Return: 0, or -EADDRNOTAVAIL with @r naming the APQN and the host.
 */
int apmx_host_veto(void *ctx, unsigned int apid, unsigned int apqi,
		   bool control, struct kvm_s390_ap_refusal *r)
{
	/* ap_owned_by_def_drv() is a stub returning 0 without the AP bus */
	if (ap_owned_by_def_drv(apid, apqi) != 1)
		return 0;
	apmx_refusal_fill(r, KVM_S390_AP_R_HOST_OWNED,
			  control ? KVM_S390_AP_FIELD_CONTROL :
				    KVM_S390_AP_FIELD_APQN,
			  apid, apqi, NULL, KVM_S390_AP_HOLDER_HOST);
	return -EADDRNOTAVAIL;
}
