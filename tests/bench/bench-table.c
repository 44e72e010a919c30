// SPDX-License-Identifier: GPL-2.0
/*
 * bench-table: the ownership table (the core's apmx_table_replace()) timed
 * side by side, in one process, with a model of vfio_ap's pairwise check.
 *
 * The model follows drivers/s390/crypto/vfio_ap_ops.c (Linux 6.1),
 * vfio_ap_mdev_verify_no_sharing(): for every other mdev on the list, clear
 * two scratch bitmaps, AND the requested apm with the mdev's apm and, if
 * that is not empty, the requested aqm with the mdev's aqm; a non-empty
 * result is a conflict.  On success the matrix is stored in the mdev.  A
 * release clears it.  Written here from that description.
 *
 * Request shapes: 1x1 (adapter 0, domain 0), 1x256 (adapter 0, every
 * domain), 256x256 (everything).  With N guests, the N - 1 others hold
 * one usage APQN each, the first free ones in ascending (adapter, domain)
 * order outside the request: for 1x1 they share adapter 0 with it (both
 * ANDs of the model run), for 1x256 they sit on adapters 1.. .  256x256
 * leaves no APQN to anybody else: its other guests are VMs holding nothing
 * (on the model's list, not in our table).
 *
 * Times are per operation, the median of many runs, each timed with
 * CLOCK_MONOTONIC and the cost of an empty timed region subtracted.
 *   claim:  a guest holding nothing claims the request;
 *   cycle:  claim, release (reporting the released set) and the end of
 *           the released queues' resets (apmx_table_reset_done_set());
 *           the model's cycle is claim and release (vfio_ap keeps no
 *           per-queue state to clear).
 *   refuse: (1x1 only) a claim of an APQN another guest holds; ours
 *           names the holder, found by one walk of the list of users.
 *
 * Usage: bench-table [DATAFILE]   prints the table, writes gnuplot data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/errno.h>
#include "apmx.h"

#define NWORDS	4	/* 256-bit bitmaps as unsigned long on 64-bit */

/* ---- the model of vfio_ap: a list of mdevs with apm/aqm/adm bitmaps ---- */
struct mdev {
	unsigned long apm[NWORDS], aqm[NWORDS], adm[NWORDS];
	struct mdev *next;
};

static struct mdev *mdev_list;

/* include/linux/bitmap.h bitmap_and(): dst = a & b, true if not empty */
static int bitmap_and(unsigned long *dst, const unsigned long *a,
		      const unsigned long *b)
{
	unsigned long r = 0;
	int i;

	for (i = 0; i < NWORDS; i++)
		r |= (dst[i] = a[i] & b[i]);
	return r != 0;
}

/* vfio_ap_mdev_verify_no_sharing() */
static __attribute__((noinline)) int
model_verify_no_sharing(const struct mdev *assignee, const unsigned long *apm_in,
			const unsigned long *aqm_in)
{
	unsigned long apm[NWORDS], aqm[NWORDS];
	const struct mdev *m;

	for (m = mdev_list; m; m = m->next) {
		if (m == assignee)
			continue;
		memset(apm, 0, sizeof(apm));
		memset(aqm, 0, sizeof(aqm));
		if (!bitmap_and(apm, apm_in, m->apm))
			continue;
		if (!bitmap_and(aqm, aqm_in, m->aqm))
			continue;
		return -EADDRINUSE;
	}
	return 0;
}

static __attribute__((noinline)) int
model_claim(struct mdev *m, const struct mdev *want)
{
	int rc = model_verify_no_sharing(m, want->apm, want->aqm);

	if (rc)
		return rc;
	memcpy(m->apm, want->apm, sizeof(m->apm));
	memcpy(m->aqm, want->aqm, sizeof(m->aqm));
	memcpy(m->adm, want->adm, sizeof(m->adm));
	return 0;
}

static __attribute__((noinline)) void model_release(struct mdev *m)
{
	memset(m->apm, 0, sizeof(m->apm));
	memset(m->aqm, 0, sizeof(m->aqm));
	memset(m->adm, 0, sizeof(m->adm));
}

/* id -> unsigned long bitmap (the kernel's bit numbering: id n is bit n) */
static void model_bits(const u8 *mask, unsigned long *w)
{
	unsigned int id;

	memset(w, 0, NWORDS * sizeof(*w));
	apmx_for_each_id(id, mask)
		w[id / 64] |= 1UL << (id % 64);
}

/* ---- timing ------------------------------------------------------------- */
static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long median(long long *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_ll);
	return v[n / 2];
}

static long long overhead_ns;

static void calibrate(void)
{
	static long long v[20001];
	long long t0;
	int i;

	for (i = 0; i < 20001; i++) {
		t0 = now_ns();
		__asm__ __volatile__("" ::: "memory");
		v[i] = now_ns() - t0;
	}
	overhead_ns = median(v, 20001);
}

/* ---- the scenario ---------------------------------------------------------- */
struct shape {
	const char *name;
	const char *apm, *aqm;	/* id lists */
	int iters;
};

static const struct shape shapes[] = {
	{ "1x1", "0", "0", 4001 },
	{ "1x256", "0", "0-255", 4001 },
	{ "256x256", "0-255", "0-255", 401 },
};

static const int guest_counts[] = { 1, 4, 16, 64, 256, 1024, 4096, 16384 };

#define NSHAPES	(sizeof(shapes) / sizeof(shapes[0]))
#define NCOUNTS	(sizeof(guest_counts) / sizeof(guest_counts[0]))
#define MAXG	16384

static struct apmx_table T;
static struct apmx_owner owners[MAXG];
static struct mdev mdevs[MAXG];
static struct apmx_apqn_set released;
static long long samples[4001];

static void masks_of(struct kvm_s390_ap_masks *m, const char *apm,
		     const char *aqm)
{
	char err[APMX_ERRMSG_LEN];

	memset(m, 0, sizeof(*m));
	if (apmx_idlist_parse(apm, 255, m->apm, err, sizeof(err)) ||
	    apmx_idlist_parse(aqm, 255, m->aqm, err, sizeof(err))) {
		fprintf(stderr, "bench-table: %s\n", err);
		exit(1);
	}
}

static void die(const char *what)
{
	fprintf(stderr, "bench-table: %s failed\n", what);
	exit(1);
}

/*
 * Fill our table and the model with @n - 1 other guests, each holding one
 * usage APQN outside @req (none for a request of everything).
 */
static void populate(int n, const struct kvm_s390_ap_masks *req)
{
	struct kvm_s390_ap_masks m;
	struct kvm_s390_ap_refusal r;
	unsigned int a = 0, d = 0;
	bool all = apmx_mask_weight(req->apm) == 256 &&
		   apmx_mask_weight(req->aqm) == 256;
	int i;

	apmx_table_init(&T);
	memset(owners, 0, sizeof(owners));
	memset(mdevs, 0, sizeof(mdevs));
	mdev_list = NULL;
	/* the measured guest is owners[0] / mdevs[0], first on the list */
	for (i = n - 1; i >= 0; i--) {
		owners[i].type = KVM_S390_AP_HOLDER_VM;
		owners[i].pid = 1000 + i;
		owners[i].id = 1 + i;
		mdevs[i].next = mdev_list;
		mdev_list = &mdevs[i];
	}
	for (i = 1; i < n && !all; i++) {
		while (apmx_mask_test(req->apm, a) && apmx_mask_test(req->aqm, d)) {
			if (++d == 256) {
				d = 0;
				a++;
			}
		}
		memset(&m, 0, sizeof(m));
		apmx_mask_set(m.apm, a);
		apmx_mask_set(m.aqm, d);
		if (apmx_table_replace(&T, &owners[i], &m, NULL, NULL, NULL,
				       NULL, NULL, &r))
			die("setup claim");
		model_bits(m.apm, mdevs[i].apm);
		model_bits(m.aqm, mdevs[i].aqm);
		if (++d == 256) {
			d = 0;
			a++;
		}
	}
}

enum { OURS_CLAIM, OURS_CYCLE, MODEL_CLAIM, MODEL_CYCLE, NKINDS };

/* Time @kind for the measured guest; the per-operation median in ns. */
static double run(int kind, const struct kvm_s390_ap_masks *req,
		  const struct mdev *mreq, int iters)
{
	static const struct kvm_s390_ap_masks none;
	struct apmx_owner *o = &owners[0];
	struct mdev *md = &mdevs[0];
	struct kvm_s390_ap_refusal r;
	long long t0, t1;
	int i;

	for (i = 0; i < iters; i++) {
		switch (kind) {
		case OURS_CLAIM:
			t0 = now_ns();
			if (apmx_table_replace(&T, o, req, NULL, NULL, NULL,
					       NULL, NULL, &r))
				die("claim");
			t1 = now_ns();
			/* undo, untimed */
			if (apmx_table_replace(&T, o, &none, NULL, NULL, NULL,
					       &released, NULL, &r))
				die("release");
			apmx_table_reset_done_set(&T, &released, true);
			break;
		case OURS_CYCLE:
			t0 = now_ns();
			if (apmx_table_replace(&T, o, req, NULL, NULL, NULL,
					       NULL, NULL, &r) ||
			    apmx_table_replace(&T, o, &none, NULL, NULL, NULL,
					       &released, NULL, &r))
				die("cycle");
			apmx_table_reset_done_set(&T, &released, true);
			t1 = now_ns();
			break;
		case MODEL_CLAIM:
			t0 = now_ns();
			if (model_claim(md, mreq))
				die("model claim");
			t1 = now_ns();
			model_release(md);
			break;
		default:
			t0 = now_ns();
			if (model_claim(md, mreq))
				die("model cycle");
			model_release(md);
			t1 = now_ns();
			break;
		}
		samples[i] = t1 - t0;
	}
	return (double)(median(samples, iters) - overhead_ns);
}

/* A refused 1x1 claim: the APQN of the guest populated last. */
static double run_refuse(int n, int iters)
{
	struct kvm_s390_ap_masks m;
	struct kvm_s390_ap_refusal r;
	long long t0, t1;
	int i;

	if (n < 2)
		return 0;
	m = owners[1].held;	/* the last on the list */
	for (i = 0; i < iters; i++) {
		t0 = now_ns();
		if (apmx_table_replace(&T, &owners[0], &m, NULL, NULL, NULL,
				       NULL, NULL, &r) != -EADDRINUSE ||
		    r.holder_id != owners[1].id)
			die("refusal");
		t1 = now_ns();
		samples[i] = t1 - t0;
	}
	return (double)(median(samples, iters) - overhead_ns);
}

int main(int argc, char **argv)
{
	struct kvm_s390_ap_masks req;
	struct mdev mreq;
	double t[NKINDS], refuse;
	FILE *dat = NULL;
	unsigned int s, c;
	int k, rows = 0;

	if (argc > 1) {
		dat = fopen(argv[1], "w");
		if (!dat) {
			perror(argv[1]);
			return 1;
		}
		fprintf(dat, "# shape guests ours_claim model_claim ours_cycle model_cycle (ns)\n");
	}
	calibrate();
	printf("bench-table: median ns per operation (timer overhead %lld ns subtracted)\n",
	       overhead_ns);
	printf("%-8s %6s | %10s %10s %7s | %10s %10s %7s | %9s\n", "shape",
	       "guests", "claim ours", "model", "ratio", "cycle ours",
	       "model", "ratio", "refuse");
	for (s = 0; s < NSHAPES; s++) {
		masks_of(&req, shapes[s].apm, shapes[s].aqm);
		memset(&mreq, 0, sizeof(mreq));
		model_bits(req.apm, mreq.apm);
		model_bits(req.aqm, mreq.aqm);
		if (dat)
			fprintf(dat, "\n\n# %s\n", shapes[s].name);
		for (c = 0; c < NCOUNTS; c++) {
			populate(guest_counts[c], &req);
			for (k = 0; k < NKINDS; k++)
				t[k] = run(k, &req, &mreq, shapes[s].iters);
			refuse = s == 0 ? run_refuse(guest_counts[c], 4001) : 0;
			printf("%-8s %6d | %10.0f %10.0f %6.1fx | %10.0f %10.0f %6.1fx |",
			       shapes[s].name, guest_counts[c], t[OURS_CLAIM],
			       t[MODEL_CLAIM],
			       t[MODEL_CLAIM] / (t[OURS_CLAIM] > 1 ? t[OURS_CLAIM] : 1),
			       t[OURS_CYCLE], t[MODEL_CYCLE],
			       t[MODEL_CYCLE] / (t[OURS_CYCLE] > 1 ? t[OURS_CYCLE] : 1));
			if (s == 0 && guest_counts[c] > 1)
				printf(" %9.0f\n", refuse);
			else
				printf(" %9s\n", "-");
			if (dat)
				fprintf(dat, "%s %d %.0f %.0f %.0f %.0f\n",
					shapes[s].name, guest_counts[c],
					t[OURS_CLAIM], t[MODEL_CLAIM],
					t[OURS_CYCLE], t[MODEL_CYCLE]);
			rows++;
			apmx_table_destroy(&T);
		}
	}
	printf("memory: struct apmx_table %zu B + struct apmx_row %zu B per adapter in use (all 256: %zu B); struct apmx_owner %zu B\n",
	       sizeof(struct apmx_table), sizeof(struct apmx_row),
	       sizeof(struct apmx_table) + 256 * sizeof(struct apmx_row),
	       sizeof(struct apmx_owner));
	if (dat)
		fclose(dat);
	return rows ? 0 : 1;
}
