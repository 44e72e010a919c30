/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the ownership-table suites (table-util.c). */
#ifndef APMX_TABLE_UTIL_H
#define APMX_TABLE_UTIL_H

#include "core-tests.h"

#define NSLOTS	(APMX_NR_IDS * APMX_NR_IDS)

/* The table under test (fresh per test) and the live allocations then. */
extern struct apmx_table T;
extern long live0;
void setup(void);
void teardown(void);

struct apmx_owner owner(u8 type, s32 pid, u64 id);
#define VM(pid, id)	owner(KVM_S390_AP_HOLDER_VM, pid, id)
#define GRANT(pid, id)	owner(KVM_S390_AP_HOLDER_GRANT, pid, id)

/* "1,2,5" -> mask, with strtoul: independent of the id-list parser */
void list(u8 *mask, const char *s);
/* usage apm x aqm, control apm x adm */
struct kvm_s390_ap_masks M(const char *apm, const char *aqm, const char *adm);
extern const struct kvm_s390_ap_masks NONE_M;

int claim(struct apmx_owner *o, struct kvm_s390_ap_masks m,
	  struct kvm_s390_ap_refusal *r);
int claim_g(struct apmx_owner *o, struct kvm_s390_ap_masks m,
	    const struct apmx_owner *g, struct kvm_s390_ap_refusal *r);
int reserve(struct apmx_owner *g, struct kvm_s390_ap_masks m,
	    struct kvm_s390_ap_refusal *r);
struct apmx_slot slot(unsigned int a, unsigned int d);

/* @r names (@a, @d), field APQN, @reason and @holder (NULL: none) */
void assert_refusal(const struct kvm_s390_ap_refusal *r, u32 reason,
		    unsigned int a, unsigned int d, u8 holder_type,
		    const struct apmx_owner *holder);
void assert_zero_refusal(const struct kvm_s390_ap_refusal *r);

/*
 * Every slot via lookup, the row pointers, the rows' bitmaps, the lists of
 * owners and the live allocations.
 */
struct snap {
	struct apmx_row *rows[APMX_NR_IDS];
	struct apmx_row *bits;		/* a copy of each row (zero: none) */
	struct apmx_owner *users, *grants;
	struct apmx_slot *slots;
	long live;
};

void snap_take(struct snap *s);
/* the table is bit-identical to @s */
void snap_check(const struct snap *s);
void snap_free(struct snap *s);
/* no row is empty between calls */
void assert_rows_tight(void);

/* A veto that records its calls and refuses one APQN. */
struct veto_log {
	unsigned int n;
	unsigned int apid[64], apqi[64];
	bool control[64];
	unsigned int refuse_apid, refuse_apqi;	/* 256: refuse nothing */
	bool prefilled_ok;
};

int veto_rec(void *ctx, unsigned int apid, unsigned int apqi, bool control,
	     struct kvm_s390_ap_refusal *r);
void veto_reset(struct veto_log *l, unsigned int a, unsigned int d);

/* A busy table: guests, grants, a resetting and a quarantined APQN. */
struct busy {
	struct apmx_owner v1, v2, v3, G, G2;
};

void busy_fill(struct busy *b);

#endif
