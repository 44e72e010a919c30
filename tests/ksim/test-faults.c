// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: fault injection (issue 12).  Over the main ioctl scenarios, fail
 * the n-th allocation, the n-th copy_from_user(), the n-th copy_to_user(),
 * the n-th get_unused_fd_flags() and the n-th anon_inode_getfile() for
 * every n from 1 until the call no longer reaches the n-th such point.
 * Every failed call returns that failure's errno and leaves the table and
 * the CRYCB exactly as before the call, or (a copy_to_user() of the result
 * after the change was made) exactly as a call without the fault leaves
 * them: nothing half-applied.  Nothing leaks: allocations, files.
 */
#include <stdlib.h>
#include <string.h>
#include "ksim-test.h"

enum fault_kind { F_ALLOC, F_COPY_FROM, F_COPY_TO, F_FD, F_ANON, F_KINDS };

static const char *const kind_name[F_KINDS] = {
	"allocation", "copy_from_user", "copy_to_user",
	"get_unused_fd_flags", "anon_inode_getfile",
};

static const long kind_errno[F_KINDS] = {
	-ENOMEM, -EFAULT, -EFAULT, -EMFILE, -ENOMEM,
};

struct fctx {
	struct kvm *kvm;
	int grant_fd;			/* the scenario's grant, or -1 */
	struct kvm_s390_ap_grant g;	/* created by the op */
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_refusal r;
};

struct scenario {
	const char *name;
	void (*prep)(struct fctx *c);
	long (*op)(struct fctx *c);
};

static long grant_create(struct kvm_s390_ap_grant *g, const char *apm,
			 const char *aqm, const char *adm)
{
	memset(g, 0, sizeof(*g));
	ksim_masks(&g->masks, apm, aqm, adm);
	return ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, g);
}

static void prep_vm(struct fctx *c)
{
	c->kvm = ksim_vm_create(CRYCB_FORMAT2);
}

static void prep_vm_holding(struct fctx *c)
{
	prep_vm(c);
	ck_assert_int_eq(ksim_set(c->kvm, "7,9", "7-8", "20", NULL), 0);
}

static void prep_granted(struct fctx *c)
{
	prep_vm(c);
	ck_assert_int_eq(grant_create(&c->g, "1-2", "5-6", "7"), 0);
	c->grant_fd = c->g.fd;
	ksim_cap_sys_admin = false;
}

static long op_set_new(struct fctx *c)
{
	return ksim_set(c->kvm, "1-3", "1-2", "5", &c->m);
}

static long op_set_replace(struct fctx *c)
{
	return ksim_set(c->kvm, "1-3,7", "1,7", "5", &c->m);
}

static long op_set_granted(struct fctx *c)
{
	ksim_matrix(&c->m, "1", "5", "7");
	c->m.flags = KVM_S390_AP_MATRIX_F_GRANT;
	c->m.grant_fd = c->grant_fd;
	return ksim_ioctl(c->kvm, KVM_S390_SET_AP_MATRIX, &c->m);
}

static long op_clear(struct fctx *c)
{
	return ksim_ioctl(c->kvm, KVM_S390_CLEAR_AP_MATRIX, NULL);
}

static long op_reset(struct fctx *c)
{
	return ksim_ioctl(c->kvm, KVM_S390_RESET_AP_QUEUES, &c->r);
}

static long op_get(struct fctx *c)
{
	return ksim_ioctl(c->kvm, KVM_S390_GET_AP_MATRIX, &c->m);
}

static long op_grant_create(struct fctx *c)
{
	long rc = grant_create(&c->g, "1-2", "5", "6");

	if (!rc)
		c->grant_fd = c->g.fd;
	return rc;
}

static const struct scenario scenarios[] = {
	{ "SET on a new VM", prep_vm, op_set_new },
	{ "SET replacing a matrix", prep_vm_holding, op_set_replace },
	{ "SET under a grant", prep_granted, op_set_granted },
	{ "CLEAR", prep_vm_holding, op_clear },
	{ "RESET_AP_QUEUES", prep_vm_holding, op_reset },
	{ "GET", prep_vm_holding, op_get },
	{ "CREATE_AP_GRANT", prep_vm, op_grant_create },
};

#define NSCEN	(sizeof(scenarios) / sizeof(scenarios[0]))

/* What a call may change: per APQN who has it how, and the CRYCB. */
struct fstate {
	u16 slot[65536];
	u8 crycb[KSIM_CRYCB_BYTES];
};

static struct apmx_slot snap_slots[65536];

static void state_take(const struct fctx *c, struct fstate *st)
{
	unsigned int i;

	ksim_table_snapshot(snap_slots);
	for (i = 0; i < 65536; i++)
		st->slot[i] = snap_slots[i].state | snap_slots[i].reserved << 4 |
			      !!snap_slots[i].user << 8 |
			      !!snap_slots[i].reserver << 9;
	memcpy(st->crycb, c->kvm->crycb_page, sizeof(st->crycb));
}

static bool state_eq(const struct fstate *a, const struct fstate *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static void cleanup(struct fctx *c)
{
	ksim_cap_sys_admin = true;
	shim_slab_fail_nth(0);
	ksim_fail_copy_from_nth(0);
	ksim_fail_copy_to_nth(0);
	ksim_fail_fd_nth(0);
	ksim_fail_anon_inode_nth(0);
	if (c->grant_fd >= 0)
		ck_assert_int_eq(ksim_close(c->grant_fd), 0);
	ksim_vm_destroy(c->kvm);
	ck_assert_uint_eq(ksim_open_files(), 0);
	ck_assert_uint_eq(ksim_table_used(), 0);
}

static void arm(enum fault_kind k, unsigned int n)
{
	switch (k) {
	case F_ALLOC:
		shim_slab_reset();
		shim_slab_fail_nth(n);
		break;
	case F_COPY_FROM:
		ksim_fail_copy_from_nth(n);
		break;
	case F_COPY_TO:
		ksim_fail_copy_to_nth(n);
		break;
	case F_FD:
		ksim_fail_fd_nth(n);
		break;
	default:
		ksim_fail_anon_inode_nth(n);
		break;
	}
}

static bool fired(enum fault_kind k)
{
	return k == F_ALLOC ? shim_slab_failed() != 0 : !ksim_fault_armed();
}

/* Fail the n-th @k of scenario @s for every n; returns how many failed. */
static unsigned int inject(const struct scenario *s, enum fault_kind k)
{
	static struct fstate before, after, now;
	struct fctx c = { .grant_fd = -1 };
	long live = shim_slab_live(), rc;
	unsigned int n, failures = 0;

	/* the reference: the call without a fault */
	s->prep(&c);
	rc = s->op(&c);
	ck_assert_msg(rc == 0, "%s: %ld without a fault", s->name, rc);
	state_take(&c, &after);
	cleanup(&c);
	for (n = 1; n < 100; n++) {
		c = (struct fctx){ .grant_fd = -1 };
		s->prep(&c);
		state_take(&c, &before);
		arm(k, n);
		rc = s->op(&c);
		if (!fired(k)) {
			/* the call makes fewer than n such calls: done */
			ck_assert_msg(rc == 0, "%s, %s %u not reached: %ld",
				      s->name, kind_name[k], n, rc);
			state_take(&c, &now);
			ck_assert_msg(state_eq(&now, &after), "%s: state",
				      s->name);
			cleanup(&c);
			ck_assert_int_eq(shim_slab_live(), live);
			return failures;
		}
		failures++;
		ck_assert_msg(rc == kind_errno[k], "%s, %s %u failed: %ld",
			      s->name, kind_name[k], n, rc);
		state_take(&c, &now);
		ck_assert_msg(state_eq(&now, &before) ||
			      (k == F_COPY_TO && state_eq(&now, &after)),
			      "%s, %s %u failed: half applied", s->name,
			      kind_name[k], n);
		cleanup(&c);
		ck_assert_msg(shim_slab_live() == live, "%s, %s %u: leak",
			      s->name, kind_name[k], n);
	}
	ck_abort_msg("%s: more than 99 %s points", s->name, kind_name[k]);
	return failures;
}

START_TEST(every_failure_point)
{
	unsigned int total[F_KINDS] = { 0 };
	unsigned int s, k;

	for (s = 0; s < NSCEN; s++)
		for (k = 0; k < F_KINDS; k++)
			total[k] += inject(&scenarios[s], k);
	/* every kind of failure point was reached somewhere */
	for (k = 0; k < F_KINDS; k++)
		ck_assert_msg(total[k] > 0, "no %s failed", kind_name[k]);
}
END_TEST

Suite *ksim_suite_faults(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = ksim_tcase("faults");

	tcase_add_test(tc, every_failure_point);
	suite_add_tcase(s, tc);
	return s;
}
