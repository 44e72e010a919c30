// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apmx CRYCB: the limits of a guest's AP configuration and the byte images
 * of the APCB that its crypto control block (CRYCB) holds.
 *
 * Format 0 (no MSAX3) and format 1 (MSAX3 without APXA) hold an APCB0: an
 * 8-byte adapter mask at offset 0 and 8-byte usage / control domain masks
 * at 8 and 16, of which only the first 2 bytes are used (the kernel's
 * kvm_arch_crypto_set_masks() copies 8, 2 and 2 bytes): adapters 0-63,
 * domains 0-15.  Format 2 (MSAX3 and APXA) holds an APCB1: three 32-byte
 * masks at 0, 32 and 64 for ids 0-255.  All masks use the architecture's
 * bit order (id 0 = leftmost bit of byte 0), the order of struct
 * kvm_s390_ap_masks, so an image is a plain byte copy.
 */
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include "apmx.h"

#define APMX_APCB0_APM_BYTES	8	/* 64 adapters */
#define APMX_APCB0_DOM_BYTES	2	/* 16 domains */
#define APMX_APCB0_AQM_OFF	8
#define APMX_APCB0_ADM_OFF	16
#define APMX_APCB1_AQM_OFF	32
#define APMX_APCB1_ADM_OFF	64

/* The highest ids a CRYCB of @format can hold (unknown formats: APCB0). */
static void apmx_format_caps(u8 format, unsigned int *max_adapter,
			     unsigned int *max_domain)
{
	if (format == APMX_CRYCB_FORMAT2) {
		*max_adapter = KVM_S390_AP_MAX_ID;
		*max_domain = KVM_S390_AP_MAX_ID;
	} else {
		*max_adapter = KVM_S390_AP_APCB0_MAX_ADAPTER;
		*max_domain = KVM_S390_AP_APCB0_MAX_DOMAIN;
	}
}

/**
 * apmx_limits_init() - compute the id limits of a guest
 * @lim: the result
 * @format: the guest's CRYCB format (APMX_CRYCB_FORMAT*)
 * @apxa: the host's QCI reports APXA
 * @na: the host's QCI Na (highest APID); 0 means "not reported"
 * @nd: the host's QCI Nd (highest APQI); 0 means "not reported"
 *
 * The host can address adapters up to Na and domains up to Nd with APXA,
 * and up to 63 and 15 without it (as the AP bus does, a zero Na or Nd
 * keeps the default 63 or 15).  The guest gets the smaller of that and what
 * its CRYCB format holds: 255/255 for format 2, 63/15 for formats 0 and 1
 * (and for unknown formats).
 */
void apmx_limits_init(struct apmx_limits *lim, u8 format, bool apxa,
		      u8 na, u8 nd)
{
	unsigned int host_a = KVM_S390_AP_APCB0_MAX_ADAPTER;
	unsigned int host_d = KVM_S390_AP_APCB0_MAX_DOMAIN;
	unsigned int fmt_a, fmt_d;

	if (apxa && na)
		host_a = na;
	if (apxa && nd)
		host_d = nd;
	apmx_format_caps(format, &fmt_a, &fmt_d);
	lim->max_adapter = min(host_a, fmt_a);
	lim->max_domain = min(host_d, fmt_d);
	lim->format = format;
}

/**
 * apmx_check_limits() - refuse ids beyond a guest's limits
 * @m: the requested masks
 * @lim: the guest's limits
 * @r: the refusal report, or NULL
 *
 * The masks are checked in the order adapters, usage domains, control
 * domains, each from its lowest id up; the first id above the limit is
 * reported with reason KVM_S390_AP_R_ID_RANGE, its mask in @r->field and
 * the id in @r->adapter (adapters) or @r->domain (domains); the other one
 * is KVM_S390_AP_ID_NONE.
 *
 * Return: 0 (and @r zeroed) or -EINVAL.
 */
int apmx_check_limits(const struct kvm_s390_ap_masks *m,
		      const struct apmx_limits *lim,
		      struct kvm_s390_ap_refusal *r)
{
	unsigned int id;

	id = apmx_mask_next(m->apm, lim->max_adapter + 1);
	if (id < APMX_NR_IDS) {
		apmx_refusal_fill(r, KVM_S390_AP_R_ID_RANGE,
				  KVM_S390_AP_FIELD_ADAPTER, id,
				  KVM_S390_AP_ID_NONE, NULL,
				  KVM_S390_AP_HOLDER_NONE);
		return -EINVAL;
	}
	id = apmx_mask_next(m->aqm, lim->max_domain + 1);
	if (id < APMX_NR_IDS) {
		apmx_refusal_fill(r, KVM_S390_AP_R_ID_RANGE,
				  KVM_S390_AP_FIELD_DOMAIN, KVM_S390_AP_ID_NONE,
				  id, NULL, KVM_S390_AP_HOLDER_NONE);
		return -EINVAL;
	}
	id = apmx_mask_next(m->adm, lim->max_domain + 1);
	if (id < APMX_NR_IDS) {
		apmx_refusal_fill(r, KVM_S390_AP_R_ID_RANGE,
				  KVM_S390_AP_FIELD_CONTROL, KVM_S390_AP_ID_NONE,
				  id, NULL, KVM_S390_AP_HOLDER_NONE);
		return -EINVAL;
	}
	if (r)
		memset(r, 0, sizeof(*r));
	return 0;
}

/**
 * apmx_effective() - clip masks to what a CRYCB format holds
 * @in: the requested masks
 * @lim: the guest's limits; only @lim->format is used
 * @out: the result; may be @in
 *
 * Adapters above 63 and domains above 15 are dropped for formats 0 and 1
 * (and unknown formats); format 2 holds every id.  @out is exactly what the
 * guest sees through apmx_crycb_image().
 */
void apmx_effective(const struct kvm_s390_ap_masks *in,
		    const struct apmx_limits *lim,
		    struct kvm_s390_ap_masks *out)
{
	unsigned int max_a, max_d;

	apmx_format_caps(lim->format, &max_a, &max_d);
	if (out != in)
		memcpy(out, in, sizeof(*out));
	apmx_mask_clip(out->apm, max_a);
	apmx_mask_clip(out->aqm, max_d);
	apmx_mask_clip(out->adm, max_d);
}

/**
 * apmx_crycb_image() - write the APCB image of a CRYCB format
 * @format: APMX_CRYCB_FORMAT0, 1 or 2
 * @m: the masks
 * @buf: the output
 * @len: size of @buf
 *
 * Formats 0 and 1 give the APCB0 (APMX_APCB0_BYTES): bytes 0-7 of @m->apm
 * at offset 0, bytes 0-1 of @m->aqm at 8 and of @m->adm at 16, every other
 * byte zero.  Format 2 gives the APCB1 (APMX_APCB1_BYTES): @m->apm at 0,
 * @m->aqm at 32, @m->adm at 64, bytes 96-127 (reserved) zero.  Ids the
 * format cannot hold are left out.
 *
 * Return: the number of bytes written; 0 (nothing written) for an unknown
 * format or a @len too small for the image.
 */
size_t apmx_crycb_image(u8 format, const struct kvm_s390_ap_masks *m,
			u8 *buf, size_t len)
{
	switch (format) {
	case APMX_CRYCB_FORMAT0:
	case APMX_CRYCB_FORMAT1:
		if (len < APMX_APCB0_BYTES)
			return 0;
		memset(buf, 0, APMX_APCB0_BYTES);
		memcpy(buf, m->apm, APMX_APCB0_APM_BYTES);
		memcpy(buf + APMX_APCB0_AQM_OFF, m->aqm, APMX_APCB0_DOM_BYTES);
		memcpy(buf + APMX_APCB0_ADM_OFF, m->adm, APMX_APCB0_DOM_BYTES);
		return APMX_APCB0_BYTES;
	case APMX_CRYCB_FORMAT2:
		if (len < APMX_APCB1_BYTES)
			return 0;
		memset(buf, 0, APMX_APCB1_BYTES);
		memcpy(buf, m->apm, APMX_MASK_BYTES);
		memcpy(buf + APMX_APCB1_AQM_OFF, m->aqm, APMX_MASK_BYTES);
		memcpy(buf + APMX_APCB1_ADM_OFF, m->adm, APMX_MASK_BYTES);
		return APMX_APCB1_BYTES;
	default:
		return 0;
	}
}
