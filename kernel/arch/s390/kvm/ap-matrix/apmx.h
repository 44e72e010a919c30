/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apmx: the portable core of the KVM/s390 AP matrix.
 *
 * Mask operations in architecture bit order, the id-list syntax, CRYCB
 * limits and byte images, and the global APQN ownership table.  This code
 * is compiled unchanged by the kernel (arch/s390/kvm/ap-matrix/) and by the
 * project's userspace tests, which supply the few kernel headers it uses
 * (types, errno, kernel, string, slab) as shims.  It takes no locks and sleeps only
 * in allocations: callers serialise access to a table (see ap-matrix.h for
 * the kernel's lock order).
 */
#ifndef _KVM_S390_AP_MATRIX_APMX_H
#define _KVM_S390_AP_MATRIX_APMX_H

#include <linux/types.h>
#include <asm/kvm_ap_matrix.h>

#define APMX_NR_IDS		(KVM_S390_AP_MAX_ID + 1)	/* 256 */
#define APMX_MASK_BYTES		KVM_S390_AP_MASK_BYTES		/* 32 */

/* ---- masks: 256 bits, id 0 = leftmost bit of byte 0 -------------------- */

/*
 * A mask is APMX_MASK_BYTES bytes; id n is bit 0x80 >> (n % 8) of byte
 * n / 8 (byte accesses only: identical on big and little endian).  Ids
 * above KVM_S390_AP_MAX_ID read as clear and are ignored by set/clear.
 */
bool apmx_mask_test(const u8 *mask, unsigned int id);
void apmx_mask_set(u8 *mask, unsigned int id);
void apmx_mask_clear(u8 *mask, unsigned int id);
/* lowest set id >= @from, or APMX_NR_IDS if there is none */
unsigned int apmx_mask_next(const u8 *mask, unsigned int from);
/* highest set id, or -1 for an empty mask */
int apmx_mask_last(const u8 *mask);
/* number of set ids, 0..256 */
unsigned int apmx_mask_weight(const u8 *mask);
bool apmx_mask_empty(const u8 *mask);
/* clear every id above @max_id (>= KVM_S390_AP_MAX_ID: no change) */
void apmx_mask_clip(u8 *mask, unsigned int max_id);
/* @dst = @a & @b; @dst may be @a or @b */
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
 * A "0x" (or "0X") token is always one id in hex, also alone: "0x0a" is
 * id 10 and "0x10" is id 16.  There is no mask form (the AP bus's
 * "0x<hex>" bit mask of /sys/bus/ap/apmask is not an id list).  Decimal
 * ids never mean octal ("010" is 10); hex digits may be upper or lower
 * case, and both kinds may have leading zeros.
 * Separators may be mixed.  No blanks anywhere (space, tab, newline, ...).
 * Duplicates and overlapping ranges are fine: the result is a set.  The
 * empty string (and a NULL string) is the empty set.  The canonical form
 * (apmx_idlist_format) is ascending decimal ids and ranges separated by
 * ":", e.g. "0:3-5:16"; the empty set is "".
 *
 * Errors name the element (cut to 40 characters plus "...") and the
 * 1-based character position of its first character in the value, e.g.
 *   "'4-3' at position 3: range start 4 is above end 3"    for "1:4-3"
 *   "'' at position 3: empty element (stray separator)"    for "1,,2"
 * The elements are parsed left to right and the first error is reported;
 * within a range, a reversed range is reported before an end above @max_id.
 */
#define APMX_ERRMSG_LEN		128
/* Buffer size that holds every canonical form: "0-1:3-4:...:255" is the
 * longest (609 characters), plus the NUL.
 */
#define APMX_IDLIST_FMT_LEN	610

/*
 * Parse @str into @mask.  Ids above @max_id (which is clamped to
 * KVM_S390_AP_MAX_ID) are refused.  Returns 0 (then @mask holds exactly the
 * ids of @str and @err, if any, is ""), or -EINVAL (syntax) / -ERANGE (id
 * above @max_id); then @err (if not NULL and @errlen > 0) holds a message
 * naming the offending token and its 1-based position, and @mask is
 * unchanged.  APMX_ERRMSG_LEN is enough for every message.
 */
int apmx_idlist_parse(const char *str, unsigned int max_id, u8 *mask,
		      char *err, size_t errlen);
/*
 * Write the canonical form of @mask into @buf (always NUL-terminated when
 * @len > 0; @buf may be NULL when @len is 0).  Returns the length of the
 * full canonical string, as snprintf; APMX_IDLIST_FMT_LEN always suffices.
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
 * further clipped by the host's Na/Nd when APXA is installed.  Without
 * APXA the host addresses 63/15 (so format 2 without APXA gives 63/15);
 * like the AP bus, a zero Na/Nd keeps the default 63/15.  Unknown formats
 * get the format 0/1 limits.  lim->format = @format.
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
/*
 * @out = @in clipped to what a CRYCB of @lim->format can hold (adapters
 * 0-63 and domains 0-15 for formats 0/1, everything for format 2); only
 * @lim->format matters, the host limits are apmx_check_limits()' job.
 * @out may be @in.
 */
void apmx_effective(const struct kvm_s390_ap_masks *in,
		    const struct apmx_limits *lim,
		    struct kvm_s390_ap_masks *out);
/*
 * Write the exact byte image of the APCB that a CRYCB of @format holds for
 * @m: APCB0 (APMX_APCB0_BYTES: apm bytes 0-7 at 0, aqm bytes 0-1 at 8, adm
 * bytes 0-1 at 16, the rest zero) for formats 0/1, APCB1
 * (APMX_APCB1_BYTES: apm at 0, aqm at 32, adm at 64, 96-127 zero) for
 * format 2.  Returns the number of bytes written; 0, with @buf untouched,
 * for a bad format or a @len smaller than the image.
 */
size_t apmx_crycb_image(u8 format, const struct kvm_s390_ap_masks *m,
			u8 *buf, size_t len);

/* ---- the global APQN ownership table ------------------------------------
 *
 * Every APQN has a slot with two layers: who reserved it (a grant) and who
 * uses it (a guest).  A guest's claim covers usage apm x aqm and control
 * apm x adm; an APQN is held by at most one guest, whether as usage, as
 * control domain or both (the same guest may have it both ways): control
 * domains are exclusive at APQN granularity (docs/design.md explains why
 * although vfio_ap shares them).  Reservations are per APQN and per kind:
 * a grant of apm x aqm reserves those APQNs for usage, a grant of
 * apm x adm for control, and a guest that claims under a grant gets only
 * the kinds the grant reserves (a control domain granted is not a usage
 * domain granted).
 *
 * Data structure: 256 row pointers indexed by adapter (2 KiB); a row
 * (struct apmx_row, 192 bytes) is six 256-bit bitmaps over the domains of
 * its adapter: used for usage, used as control domain, reserved for usage,
 * reserved for control, resetting and quarantined.  A row is allocated on
 * first use and freed as soon as all its bitmaps are empty.  Who uses or
 * reserves an APQN is not stored per APQN: what an owner holds is the cross
 * product of its @held masks, so the table only keeps the owners that hold
 * at least one APQN in two lists threaded through the owners (guests that
 * use, grants that reserve).  Memory: 2 KiB + 16 bytes plus 192 bytes per
 * adapter that has a reservation, a user or a withheld queue, at most
 * 50 KiB in all; 16 bytes of list links in each owner.
 *
 * Cost: a call does a fixed number of 64-bit word operations per adapter
 * it names (requested and previously held); it never looks at other
 * owners, nor at every domain of an adapter, except on refusal: the
 * holder of the one APQN a refusal names is found by one walk of the list
 * of users (or grants), testing two bits of each - once per refused call,
 * never per APQN.  apmx_table_lookup() finds a user or a reserver the
 * same way; apmx_table_peek() reads a slot's state without them.
 *
 * Owners: a struct apmx_owner is embedded by the caller (one per guest,
 * one per grant), zero-initialised before its first use (the list links),
 * and must stay valid while the table refers to it (while it holds an
 * APQN).  Its @held and the links are maintained by the table (set on
 * success); the caller must not change them.  Two owners never share a
 * struct.
 */
struct apmx_owner {
	u8 type;			/* KVM_S390_AP_HOLDER_VM / _GRANT */
	s32 pid;			/* reported as holder_pid */
	u64 id;				/* reported as holder_id */
	struct kvm_s390_ap_masks held;	/* what the table gives this owner */
	struct apmx_owner *next;	/* the table's list of users or grants */
	struct apmx_owner **pprev;	/* NULL: in no list */
};

#define APMX_SLOT_USAGE		0x01	/* user has the APQN for usage */
#define APMX_SLOT_CONTROL	0x02	/* user has it as a control domain */
#define APMX_SLOT_RESETTING	0x04	/* released, zeroize not yet done */
#define APMX_SLOT_QUARANTINED	0x08	/* zeroize failed: never handed on */

/*
 * A slot, as apmx_table_lookup() reports one APQN: @user is set iff
 * @state has USAGE or CONTROL; RESETTING and QUARANTINED (the "withheld"
 * states) exclude a user and each other;
 * @reserver is independent of the rest, and @reserved (APMX_SLOT_USAGE
 * and/or APMX_SLOT_CONTROL) is non-zero iff @reserver is set: the kinds
 * the grant reserves the APQN for.  An all-zero slot is free.
 */
struct apmx_slot {
	struct apmx_owner *user;	/* guest using it, or NULL */
	struct apmx_owner *reserver;	/* grant reserving it, or NULL */
	u8 state;			/* APMX_SLOT_* */
	u8 reserved;			/* kinds @reserver reserves */
};

/*
 * A row: the state of the 256 APQNs of one adapter as bitmaps; domain d is
 * bit 63 - d % 64 of word d / 64 (so the lowest domain of a word is its
 * most significant set bit).  @use and @ctl are the APMX_SLOT_USAGE and
 * APMX_SLOT_CONTROL of the users, @res_use and @res_ctl the kinds the
 * reservers reserve, @resetting and @quarantined the withheld states.
 */
#define APMX_ROW_WORDS		(APMX_NR_IDS / 64)

struct apmx_row {
	u64 use[APMX_ROW_WORDS];
	u64 ctl[APMX_ROW_WORDS];
	u64 res_use[APMX_ROW_WORDS];
	u64 res_ctl[APMX_ROW_WORDS];
	u64 resetting[APMX_ROW_WORDS];
	u64 quarantined[APMX_ROW_WORDS];
};

struct apmx_table {
	struct apmx_row *rows[APMX_NR_IDS];
	struct apmx_owner *users;	/* guests that use at least one APQN */
	struct apmx_owner *grants;	/* grants that reserve at least one */
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
 * Asked in ascending (adapter, domain) order for every APQN that the owner
 * newly takes or newly uses for usage (held before as control domain only),
 * after the table's own checks of that APQN passed; @control is true when
 * the APQN is wanted as a control domain only.  @r is pre-filled with the
 * APQN (field KVM_S390_AP_FIELD_APQN, reason KVM_S390_AP_OK, no holder).
 * Return 0 to allow, or a negative errno after filling @r (reason, holder);
 * the errno is passed on unchanged.
 */
typedef int (*apmx_veto_t)(void *ctx, unsigned int apid, unsigned int apqi,
			   bool control, struct kvm_s390_ap_refusal *r);

void apmx_table_init(struct apmx_table *t);
/*
 * Free every row; slots still in use are dropped and the owners are
 * forgotten without being touched (only for teardown).
 */
void apmx_table_destroy(struct apmx_table *t);

/*
 * Replace what guest @o uses by @want (usage apm x aqm, control apm x adm),
 * all or nothing.  Every APQN for which @o gains a kind (usage or
 * control) it did not have is checked, in this order:
 *   - with @grant, @grant does not reserve the APQN for every kind @o
 *     gains: -EPERM, KVM_S390_AP_R_NOT_GRANTED, no holder.  This comes
 *     first, so that a caller learns nothing about APQNs outside its grant
 *     (without @grant, the caller is privileged and unreserved APQNs are
 *     fine);
 *   then, for APQNs @o did not hold at all:
 *   - withheld (RESETTING or QUARANTINED): -EIO, KVM_S390_AP_R_QUARANTINED,
 *     holder KVM_S390_AP_HOLDER_QUARANTINE (also for @o's own released
 *     APQNs: a queue is handed back only after its zeroize);
 *   - used by another guest: -EADDRINUSE, KVM_S390_AP_R_IN_USE, holder the
 *     user;
 *   - reserved by a grant other than @grant: -EADDRINUSE,
 *     KVM_S390_AP_R_RESERVED, holder the grant;
 *   and last @veto (may be NULL), asked for APQNs @o newly takes and for
 *   APQNs @o keeps but now uses for usage instead of control only.
 * An APQN that only changes between usage and control stays with @o and
 * is neither released nor claimed.
 *
 * On success: @o->held = @want; APQNs @o used before and not now are in
 * @released and marked APMX_SLOT_RESETTING, with no user (nobody can claim
 * them until apmx_table_reset_done()); APQNs @o did not use before are in
 * @claimed (either set pointer may be NULL; both are cleared first).  @r is
 * zeroed.  Returns 0.  An empty @want releases everything.
 *
 * On refusal the table and @o are unchanged (and the sets empty): the
 * errno above or -ENOMEM (then @r has no APQN: ids KVM_S390_AP_ID_NONE);
 * @r names the first offending APQN in ascending (adapter, domain) order,
 * field KVM_S390_AP_FIELD_APQN, and its holder (type, pid, id).
 */
int apmx_table_replace(struct apmx_table *t, struct apmx_owner *o,
		       const struct kvm_s390_ap_masks *want,
		       const struct apmx_owner *grant,
		       apmx_veto_t veto, void *ctx,
		       struct apmx_apqn_set *released,
		       struct apmx_apqn_set *claimed,
		       struct kvm_s390_ap_refusal *r);

/*
 * The zeroize of a released APQN finished: a RESETTING or QUARANTINED slot
 * becomes free (@ok) or QUARANTINED (!@ok); its reservation, if any,
 * stays.  Any other slot is left alone (ids above 255 are ignored).
 */
void apmx_table_reset_done(struct apmx_table *t, unsigned int apid,
			   unsigned int apqi, bool ok);
/*
 * apmx_table_reset_done() with the same @ok for every APQN of @s (the
 * APQNs of a release whose zeroize ended alike), a few word operations
 * per adapter.
 */
void apmx_table_reset_done_set(struct apmx_table *t,
			       const struct apmx_apqn_set *s, bool ok);

/*
 * Withhold the APQN (@apid, @apqi), which no guest uses and which is not
 * withheld, as RESETTING, for a reset that must keep it from everyone (a
 * retry of a queue that may still hold what another driver's guest left):
 * every claim and reservation of it is refused as for a released APQN
 * until apmx_table_reset_done(), whose @ok decides whether it is free
 * again or QUARANTINED.  A reservation on it stays.  Returns 0 (@r
 * zeroed); -EADDRINUSE (KVM_S390_AP_R_IN_USE, holder the guest) if a guest
 * uses it; -EIO (KVM_S390_AP_R_QUARANTINED, holder
 * KVM_S390_AP_HOLDER_QUARANTINE) if it is withheld; -ENOMEM (@r without
 * an APQN) if its row cannot be allocated; -EINVAL for ids above 255.  On
 * refusal the table is unchanged.
 */
int apmx_table_withhold(struct apmx_table *t, unsigned int apid,
			unsigned int apqi, struct kvm_s390_ap_refusal *r);

/*
 * Make grant @g reserve exactly @want: apm x aqm for usage and apm x adm
 * for control (an APQN in both is reserved for both); all or nothing.
 * Usually called once on a fresh grant (@g->held empty); a later call
 * replaces the reservation (adds the new APQNs, drops those not in @want,
 * sets the kinds of those it keeps).
 * Every APQN @g newly reserves is checked like a claim: withheld -EIO
 * (R_QUARANTINED), used by a guest -EADDRINUSE (R_IN_USE, whether or not
 * another grant covers it), reserved by another grant -EADDRINUSE
 * (R_RESERVED), then @veto (same rules as for replace).  On refusal the
 * table and @g are unchanged and @r names the first offending APQN;
 * -ENOMEM as for replace.  On success @g->held = @want and @r is zeroed.
 * apmx_table_unreserve() drops every reservation of @g (cannot fail);
 * APQNs a guest uses stay with the guest.
 */
int apmx_table_reserve(struct apmx_table *t, struct apmx_owner *g,
		       const struct kvm_s390_ap_masks *want,
		       apmx_veto_t veto, void *ctx,
		       struct kvm_s390_ap_refusal *r);
void apmx_table_unreserve(struct apmx_table *t, struct apmx_owner *g);

/* Copy of the slot of (@apid, @apqi); an unused APQN reads as all zero. */
void apmx_table_lookup(const struct apmx_table *t, unsigned int apid,
		       unsigned int apqi, struct apmx_slot *out);
/* The same without @user and @reserver (NULL): no walk of the owners. */
void apmx_table_peek(const struct apmx_table *t, unsigned int apid,
		     unsigned int apqi, struct apmx_slot *out);

/*
 * Fill @r (may be NULL) with (@apid, @apqi), @field, @reason, @holder_type
 * and @holder's pid and id (0 and 0 when @holder is NULL); pad is zeroed.
 */
void apmx_refusal_fill(struct kvm_s390_ap_refusal *r, u32 reason, u8 field,
		       unsigned int apid, unsigned int apqi,
		       const struct apmx_owner *holder, u8 holder_type);

#endif /* _KVM_S390_AP_MATRIX_APMX_H */
