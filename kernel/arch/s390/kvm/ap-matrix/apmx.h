/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apmx: the portable core of the KVM/s390 AP matrix.
 *
 * Mask operations in architecture bit order, the id-list syntax, CRYCB
 * limits and byte images, and the global APQN ownership table.  This code
 * is compiled unchanged by the kernel (arch/s390/kvm/ap-matrix/) and by the
 * project's userspace tests, which supply the few kernel headers it uses
 * (types, errno, string, slab) as shims.  It takes no locks and sleeps only
 * in allocations: callers serialise access to a table (see ap-matrix.h for
 * the kernel's lock order).
 *
 * Copyright IBM Corp. and the apmatrix developers
 */
#ifndef _KVM_S390_AP_MATRIX_APMX_H
#define _KVM_S390_AP_MATRIX_APMX_H

#include <linux/types.h>
#include <asm/kvm_ap_matrix.h>

#define APMX_NR_IDS		(KVM_S390_AP_MAX_ID + 1)	/* 256 */
#define APMX_MASK_BYTES		KVM_S390_AP_MASK_BYTES		/* 32 */

/* ---- masks: 256 bits, id 0 = leftmost bit of byte 0 -------------------- */

bool apmx_mask_test(const u8 *mask, unsigned int id);
void apmx_mask_set(u8 *mask, unsigned int id);
void apmx_mask_clear(u8 *mask, unsigned int id);
/* lowest set id >= @from, or APMX_NR_IDS if there is none */
unsigned int apmx_mask_next(const u8 *mask, unsigned int from);
/* highest set id, or -1 for an empty mask */
int apmx_mask_last(const u8 *mask);
unsigned int apmx_mask_weight(const u8 *mask);
bool apmx_mask_empty(const u8 *mask);
/* clear every id above @max_id */
void apmx_mask_clip(u8 *mask, unsigned int max_id);
void apmx_mask_and(u8 *dst, const u8 *a, const u8 *b);
bool apmx_mask_intersects(const u8 *a, const u8 *b);

#define apmx_for_each_id(id, mask)					\
	for ((id) = apmx_mask_next((mask), 0); (id) < APMX_NR_IDS;	\
	     (id) = apmx_mask_next((mask), (id) + 1))

/* ---- id lists ----------------------------------------------------------
 *
 * Syntax (docs/id-list-syntax.md):
 *   list    := "" | element { sep element }       sep := ":" | ","
 *   element := id | id "-" id                     id  := decimal | "0x" hex
 *   mask    := "0x" hexdigits   (the whole value, AP-bus absolute form:
 *                                bit 0 leftmost, zero-padded on the right)
 * Decimal ids never mean octal ("010" is 10).  No blanks anywhere.  The
 * canonical form (apmx_idlist_format) is ascending decimal ids and ranges
 * separated by ":", e.g. "0:3-5:16"; the empty set is "".
 */
#define APMX_ERRMSG_LEN		128

/*
 * Parse @str into @mask (cleared first).  Ids above @max_id are refused.
 * Returns 0, or -EINVAL (syntax) / -ERANGE (id above @max_id); then @err
 * (if not NULL) holds a message naming the offending token and its
 * 1-based position, and @mask is unchanged.
 */
int apmx_idlist_parse(const char *str, unsigned int max_id, u8 *mask,
		      char *err, size_t errlen);
/*
 * Write the canonical form of @mask into @buf (always NUL-terminated when
 * @len > 0).  Returns the length of the full canonical string, as snprintf.
 */
size_t apmx_idlist_format(const u8 *mask, char *buf, size_t len);

/* ---- CRYCB formats and limits ------------------------------------------ */

#define APMX_CRYCB_FORMAT0	0	/* no MSAX3: APCB0 */
#define APMX_CRYCB_FORMAT1	1	/* MSAX3, no APXA: APCB0 */
#define APMX_CRYCB_FORMAT2	2	/* MSAX3 and APXA: APCB1 */

#define APMX_APCB0_BYTES	32	/* apm 8 @0, aqm 2 @8, adm 2 @16 */
#define APMX_APCB1_BYTES	128	/* apm 32 @0, aqm 32 @32, adm 32 @64 */

struct apmx_limits {
	u16 max_adapter;	/* highest usable APID */
	u16 max_domain;		/* highest usable APQI / control domain */
	u8 format;		/* APMX_CRYCB_FORMAT* */
};

/*
 * Limits of a guest whose CRYCB has @format on a host whose QCI reported
 * @apxa, @na (highest APID) and @nd (highest APQI): format 2 takes the
 * host's Na/Nd, formats 0 and 1 hold at most 63 adapters ids / 15 domains,
 * further clipped by the host's Na/Nd when APXA is installed.
 */
void apmx_limits_init(struct apmx_limits *lim, u8 format, bool apxa,
		      u8 na, u8 nd);
/*
 * Refuse ids above @lim: -EINVAL and @r names the first offending id (in
 * the order adapters, usage domains, control domains), r->reason
 * KVM_S390_AP_R_ID_RANGE.  0 and @r zeroed otherwise.
 */
int apmx_check_limits(const struct kvm_s390_ap_masks *m,
		      const struct apmx_limits *lim,
		      struct kvm_s390_ap_refusal *r);
/* @out = @in clipped to what a CRYCB of @lim->format can hold */
void apmx_effective(const struct kvm_s390_ap_masks *in,
		    const struct apmx_limits *lim,
		    struct kvm_s390_ap_masks *out);
/*
 * Write the exact byte image of the APCB that a CRYCB of @format holds for
 * @m: APCB0 (APMX_APCB0_BYTES) for formats 0/1, APCB1 (APMX_APCB1_BYTES)
 * for format 2.  Returns the number of bytes written, 0 for a bad format.
 */
size_t apmx_crycb_image(u8 format, const struct kvm_s390_ap_masks *m,
			u8 *buf, size_t len);

/* ---- the global APQN ownership table ------------------------------------
 *
 * Every APQN has a slot with two layers: who reserved it (a grant) and who
 * uses it (a guest).  A guest's claim covers usage apm x aqm and control
 * apm x adm; both are exclusive per APQN (docs/design.md explains why
 * control domains are exclusive here although vfio_ap shares them).
 *
 * Data structure: 256 row pointers indexed by adapter; a row (256 slots,
 * 4 KiB on 64-bit) is allocated on first use and freed when empty.  Memory
 * is 2 KiB plus 4 KiB per adapter that has a reservation, a user or a
 * quarantined queue; at most 1 MiB + 2 KiB.  A claim costs O(|A| x |D|) and
 * never looks at other owners.
 */
struct apmx_owner {
	u8 type;			/* KVM_S390_AP_HOLDER_VM / _GRANT */
	s32 pid;			/* reported as holder_pid */
	u64 id;				/* reported as holder_id */
	struct kvm_s390_ap_masks held;	/* what the table gives this owner */
};

#define APMX_SLOT_USAGE		0x01	/* user has the APQN for usage */
#define APMX_SLOT_CONTROL	0x02	/* user has it as a control domain */
#define APMX_SLOT_RESETTING	0x04	/* released, zeroize not yet done */
#define APMX_SLOT_QUARANTINED	0x08	/* zeroize failed: never handed on */

struct apmx_slot {
	struct apmx_owner *user;	/* guest using it, or NULL */
	struct apmx_owner *reserver;	/* grant reserving it, or NULL */
	u8 state;			/* APMX_SLOT_* */
};

struct apmx_table {
	struct apmx_slot *rows[APMX_NR_IDS];
};

/* An APQN set: row[apid] is a mask of APQIs, arch bit order (8 KiB). */
struct apmx_apqn_set {
	u8 row[APMX_NR_IDS][APMX_MASK_BYTES];
};

void apmx_set_clear(struct apmx_apqn_set *s);
bool apmx_set_test(const struct apmx_apqn_set *s, unsigned int apid,
		   unsigned int apqi);
unsigned int apmx_set_weight(const struct apmx_apqn_set *s);

/*
 * Extra per-APQN policy of the caller (host ownership, grants, vfio_ap).
 * Return 0 to allow, or a negative errno after filling @r (reason, holder).
 */
typedef int (*apmx_veto_t)(void *ctx, unsigned int apid, unsigned int apqi,
			   bool control, struct kvm_s390_ap_refusal *r);

void apmx_table_init(struct apmx_table *t);
/* Free every row; slots still in use are dropped (only for teardown). */
void apmx_table_destroy(struct apmx_table *t);

/*
 * Replace what guest @o uses by @want (usage apm x aqm, control apm x adm),
 * all or nothing.  With @grant, every newly claimed APQN must be reserved
 * by @grant (KVM_S390_AP_R_NOT_GRANTED / _RESERVED otherwise); without it,
 * no newly claimed APQN may be reserved by any grant.  @veto (may be NULL)
 * is asked for every newly claimed APQN.
 *
 * On success: @o->held = @want; APQNs @o used before and not now are in
 * @released and marked APMX_SLOT_RESETTING (nobody can claim them until
 * apmx_table_reset_done()); APQNs @o did not use before are in @claimed
 * (either set pointer may be NULL).  Returns 0.
 *
 * On refusal the table and @o are unchanged: -EADDRINUSE (another guest
 * uses it), -EPERM (not granted), -EIO (resetting or quarantined),
 * -ENOMEM, or the veto's errno; @r names the first offending APQN in
 * ascending (adapter, domain) order and its holder.
 */
int apmx_table_replace(struct apmx_table *t, struct apmx_owner *o,
		       const struct kvm_s390_ap_masks *want,
		       const struct apmx_owner *grant,
		       apmx_veto_t veto, void *ctx,
		       struct apmx_apqn_set *released,
		       struct apmx_apqn_set *claimed,
		       struct kvm_s390_ap_refusal *r);

/* The zeroize of a released APQN finished: free it, or quarantine it. */
void apmx_table_reset_done(struct apmx_table *t, unsigned int apid,
			   unsigned int apqi, bool ok);

/*
 * Reserve @want for grant @g (all or nothing, same refusal rules as
 * replace; an APQN a guest uses without a grant is -EADDRINUSE).
 * apmx_table_unreserve() drops every reservation of @g; APQNs a guest
 * uses stay with the guest.
 */
int apmx_table_reserve(struct apmx_table *t, struct apmx_owner *g,
		       const struct kvm_s390_ap_masks *want,
		       apmx_veto_t veto, void *ctx,
		       struct kvm_s390_ap_refusal *r);
void apmx_table_unreserve(struct apmx_table *t, struct apmx_owner *g);

/* Copy of the slot of (@apid, @apqi); an unused APQN reads as all zero. */
void apmx_table_lookup(const struct apmx_table *t, unsigned int apid,
		       unsigned int apqi, struct apmx_slot *out);

/* Fill @r with (@apid, @apqi), @field, @reason and @holder's identity. */
void apmx_refusal_fill(struct kvm_s390_ap_refusal *r, u32 reason, u8 field,
		       unsigned int apid, unsigned int apqi,
		       const struct apmx_owner *holder, u8 holder_type);

#endif /* _KVM_S390_AP_MATRIX_APMX_H */
