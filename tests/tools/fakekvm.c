// SPDX-License-Identifier: GPL-2.0
/*
 * fakekvm: an LD_PRELOAD stand-in for /dev/kvm's KVM_S390_CREATE_AP_GRANT,
 * for the apmatrix(8) tests (tests/tools/run-tests).
 *
 * ioctl() on a file descriptor whose path is $FAKEKVM_DEVICE is answered
 * here; every other ioctl goes to the C library.  The checks model the
 * series' kvm_s390_apmx_create_grant() (arch/s390/kvm/ap-matrix/grant.c):
 * EPERM without privilege (capable(CAP_SYS_ADMIN): $FAKEKVM_CAPABLE, "1"
 * or "0", the test's choice of caller; unset: euid 0), EINVAL
 * for undefined flags or a non-zero reserved field
 * (apmx_grant_check_args()), fd -1 and grant_id 0 written back before the
 * reservation; then either the refusal given in $FAKEKVM_REFUSE
 * ("reason:adapter:domain:field:holder_type:holder_pid:holder_id:errno",
 * copied to ->refusal as apmx_table_reserve() fills it), or, like
 * apmx_table_reserve() (arch/s390/kvm/ap-matrix/table.c), which reports
 * one blocked APQN of the request, the first requested APQN (here:
 * adapter-major, usage domains before control ones) that
 * $FAKEKVM_HELD_FILE lists as held
 * (read at every call, so a test may change it while a daemon runs; lines
 * "AA.DDDD vm ID PID", "AA.DDDD grant ID PID" or "AA.DDDD quarantined",
 * refused with EADDRINUSE or EIO as apmx_table_reserve() does), or success: a new
 * O_CLOEXEC descriptor (of /dev/null, standing for the anon-inode grant
 * file) and the next grant id.  Each call appends the requested masks, in
 * the core's canonical id-list form, to $FAKEKVM_LOG.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "apmx.h"

static unsigned long long fake_grant_ids;

static bool is_fake_device(int fd)
{
	const char *dev = getenv("FAKEKVM_DEVICE");
	char link[64], path[PATH_MAX], want[PATH_MAX];
	ssize_t n;

	if (!dev || !realpath(dev, want))
		return false;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return false;
	path[n] = '\0';
	return !strcmp(path, want);
}

static void fake_log(const struct kvm_s390_ap_grant *g)
{
	char a[APMX_IDLIST_FMT_LEN], d[APMX_IDLIST_FMT_LEN];
	char c[APMX_IDLIST_FMT_LEN];
	const char *log = getenv("FAKEKVM_LOG");
	FILE *f;

	if (!log || !(f = fopen(log, "a")))
		return;
	apmx_idlist_format(g->masks.apm, a, sizeof(a));
	apmx_idlist_format(g->masks.aqm, d, sizeof(d));
	apmx_idlist_format(g->masks.adm, c, sizeof(c));
	fprintf(f, "CREATE_AP_GRANT apm=%s aqm=%s adm=%s\n", a, d, c);
	fclose(f);
}

/* The first APQN of @g's request that $FAKEKVM_HELD_FILE holds: -1 or 0. */
static int fake_held(struct kvm_s390_ap_grant *g)
{
	const char *path = getenv("FAKEKVM_HELD_FILE");
	unsigned int a, d, pass;
	char line[128], who[16];
	unsigned int ha, hd;
	unsigned long long id;
	int pid, n;
	FILE *f;

	if (!path)
		return 0;
	for (pass = 0; pass < 2; pass++) {
		const u8 *q = pass ? g->masks.adm : g->masks.aqm;

		apmx_for_each_id(a, g->masks.apm) {
			apmx_for_each_id(d, q) {
				f = fopen(path, "re");
				if (!f)
					return 0;
				while (fgets(line, sizeof(line), f)) {
					id = 0;
					pid = 0;
					n = sscanf(line, "%x.%x %15s %llu %d", &ha,
						   &hd, who, &id, &pid);
					if (n < 3 || ha != a || hd != d)
						continue;
					fclose(f);
					g->refusal.adapter = a;
					g->refusal.domain = d;
					g->refusal.field = pass ?
						KVM_S390_AP_FIELD_CONTROL :
						KVM_S390_AP_FIELD_DOMAIN;
					g->refusal.holder_id = id;
					g->refusal.holder_pid = pid;
					if (!strcmp(who, "vm")) {
						g->refusal.reason = KVM_S390_AP_R_IN_USE;
						g->refusal.holder_type = KVM_S390_AP_HOLDER_VM;
						errno = EADDRINUSE;
					} else if (!strcmp(who, "grant")) {
						g->refusal.reason = KVM_S390_AP_R_RESERVED;
						g->refusal.holder_type = KVM_S390_AP_HOLDER_GRANT;
						errno = EADDRINUSE;
					} else {
						g->refusal.reason = KVM_S390_AP_R_QUARANTINED;
						g->refusal.holder_type = KVM_S390_AP_HOLDER_QUARANTINE;
						errno = EIO;
					}
					return -1;
				}
				fclose(f);
			}
		}
	}
	return 0;
}

static int fake_create_grant(struct kvm_s390_ap_grant *g)
{
	const char *refuse = getenv("FAKEKVM_REFUSE");
	unsigned int i;

	const char *cap = getenv("FAKEKVM_CAPABLE");

	if (cap ? strcmp(cap, "1") : geteuid() != 0) {
		errno = EPERM;
		return -1;
	}
	if (g->flags & ~KVM_S390_AP_GRANT_F_ALL) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < sizeof(g->reserved) / sizeof(g->reserved[0]); i++) {
		if (g->reserved[i]) {
			errno = EINVAL;
			return -1;
		}
	}
	g->fd = -1;
	g->grant_id = 0;
	memset(&g->refusal, 0, sizeof(g->refusal));
	fake_log(g);
	if (refuse && *refuse) {
		unsigned int reason, apid, apqi, field, type;
		unsigned long long id;
		int pid, err;

		if (sscanf(refuse, "%u:%u:%u:%u:%u:%d:%llu:%d", &reason,
			   &apid, &apqi, &field, &type, &pid, &id, &err) != 8) {
			fprintf(stderr, "fakekvm: bad FAKEKVM_REFUSE '%s'\n",
				refuse);
			abort();
		}
		g->refusal.reason = reason;
		g->refusal.adapter = apid;
		g->refusal.domain = apqi;
		g->refusal.field = field;
		g->refusal.holder_type = type;
		g->refusal.holder_pid = pid;
		g->refusal.holder_id = id;
		errno = err;
		return -1;
	}
	if (fake_held(g))
		return -1;
	g->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (g->fd < 0)
		return -1;
	g->grant_id = ++fake_grant_ids;
	return 0;
}

int ioctl(int fd, unsigned long request, ...)
{
	static int (*real_ioctl)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (is_fake_device(fd)) {
		if (request == KVM_S390_CREATE_AP_GRANT)
			return fake_create_grant(arg);
		errno = ENOTTY;
		return -1;
	}
	if (!real_ioctl)
		real_ioctl = (int (*)(int, unsigned long, ...))
			     dlsym(RTLD_NEXT, "ioctl");
	return real_ioctl(fd, request, arg);
}
