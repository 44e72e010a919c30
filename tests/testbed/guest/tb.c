// SPDX-License-Identifier: GPL-2.0
/* Helpers of the test-bed guest programs: see tb.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "tb.h"
#include "apbus-mask.h"

const char *tb_suite = "guest";
int tb_passed, tb_failed;

void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - %s: ", ok ? "ok" : "not ok", tb_passed + tb_failed + 1,
	       tb_suite);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		tb_passed++;
	else
		tb_failed++;
}

int tb_finish(void)
{
	printf("testbed-%s: %d passed, %d failed\n", tb_suite, tb_passed,
	       tb_failed);
	fflush(stdout);
	return tb_failed ? 1 : 0;
}

double tb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int read_attr(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int write_attr(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

long read_long(const char *path)
{
	char buf[64];

	if (read_attr(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 0);
}

void driver_of(const char *dev, char *buf, size_t len)
{
	char path[256], link[256];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), AP_DEVICES "/%s/driver", dev);
	n = readlink(path, link, sizeof(link) - 1);
	buf[0] = '\0';
	if (n < 0)
		return;
	link[n] = '\0';
	slash = strrchr(link, '/');
	snprintf(buf, len, "%s", slash ? slash + 1 : link);
}

int dev_exists(const char *dev)
{
	char path[256];

	snprintf(path, sizeof(path), AP_DEVICES "/%s", dev);
	return access(path, F_OK) == 0;
}

int tb_adapter_free(unsigned int a, const unsigned int *d, unsigned int n,
		    int *bad)
{
	int rc = ap_mask_edit("apmask", '-', a);
	unsigned int i;
	char q[16];

	for (i = 0; i < n; i++) {
		snprintf(q, sizeof(q), "%02x.%04x", a, d[i]);
		if (wait_driver(q, "") && wait_driver(q, "apmatrix"))
			(*bad)++;
	}
	return rc;
}

int tb_adapter_return(unsigned int a, const unsigned int *d, unsigned int n,
		      int *bad)
{
	int rc = ap_mask_edit("apmask", '+', a);
	unsigned int i;
	char q[16];

	for (i = 0; i < n; i++) {
		snprintf(q, sizeof(q), "%02x.%04x", a, d[i]);
		if (wait_driver(q, "cex4queue"))
			(*bad)++;
	}
	return rc;
}

int tb_host_lists(int argc, char **argv, const char *prog, u8 *apm, u8 *aqm)
{
	char err[APMX_ERRMSG_LEN];

	if (argc != 5 || strcmp(argv[1], "--adapters") ||
	    strcmp(argv[3], "--domains"))
		return -1;
	if (apmx_idlist_parse(argv[2], KVM_S390_AP_MAX_ID, apm, err,
			      sizeof(err)) ||
	    apmx_idlist_parse(argv[4], KVM_S390_AP_MAX_ID, aqm, err,
			      sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -2;
	}
	return 0;
}

int wait_driver(const char *q, const char *want)
{
	char drv[256];
	int i;

	for (i = 0; i < 100; i++) {
		driver_of(q, drv, sizeof(drv));
		if (dev_exists(q) && !strcmp(drv, want))
			return 0;
		usleep(100000);
	}
	printf("# %s: driver '%s', want '%s'\n", q, drv, want);
	return -1;
}

int wait_bindings(int secs, char *buf, size_t len)
{
	int i;

	for (i = 0; i < secs * 10; i++) {
		if (!read_attr("/sys/bus/ap/bindings", buf, len) &&
		    strstr(buf, "(complete)"))
			return 0;
		usleep(100000);
	}
	return -1;
}

int read_mask(const char *attr, u8 *mask)
{
	char path[128], buf[128];

	snprintf(path, sizeof(path), "/sys/bus/ap/%s", attr);
	if (read_attr(path, buf, sizeof(buf)))
		return -1;
	/* the AP bus's own mask text, not the id-list syntax */
	if (apx_mask_from_sysfs(buf, mask)) {
		printf("# %s: '%s' is not an AP bus mask\n", attr, buf);
		return -1;
	}
	return 0;
}

int read_holder(unsigned int apid, unsigned int apqi, char *buf, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), AP_DEVICES "/%02x.%04x/apmatrix_holder",
		 apid, apqi);
	return read_attr(path, buf, len);
}

int ap_mask_edit(const char *attr, char sign, unsigned int id)
{
	char path[64], val[16];

	snprintf(path, sizeof(path), "/sys/bus/ap/%s", attr);
	snprintf(val, sizeof(val), "%c%u", sign, id);
	return write_attr(path, val);
}

int tb_open_kvm(void)
{
	return open("/dev/kvm", O_RDWR | O_CLOEXEC);
}

int tb_create_vm(int kvm)
{
	/* needs a PGSTE mm: every guest program links with --s390-pgste */
	return ioctl(kvm, KVM_CREATE_VM, 0);
}

void tb_mask1(u8 *mask, unsigned int id)
{
	memset(mask, 0, APMX_MASK_BYTES);
	apmx_mask_set(mask, id);
}

int tb_set(int vm, const u8 *apm, const u8 *aqm, const u8 *adm, int grant_fd,
	   struct kvm_s390_ap_matrix *m)
{
	memset(m, 0, sizeof(*m));
	if (apm)
		memcpy(m->requested.apm, apm, APMX_MASK_BYTES);
	if (aqm)
		memcpy(m->requested.aqm, aqm, APMX_MASK_BYTES);
	if (adm)
		memcpy(m->requested.adm, adm, APMX_MASK_BYTES);
	if (grant_fd >= 0) {
		m->flags = KVM_S390_AP_MATRIX_F_GRANT;
		m->grant_fd = grant_fd;
	}
	return ioctl(vm, KVM_S390_SET_AP_MATRIX, m) ? errno : 0;
}

int tb_grant(int kvm, const u8 *apm, const u8 *aqm, const u8 *adm,
	     struct kvm_s390_ap_grant *g)
{
	memset(g, 0, sizeof(*g));
	if (apm)
		memcpy(g->masks.apm, apm, APMX_MASK_BYTES);
	if (aqm)
		memcpy(g->masks.aqm, aqm, APMX_MASK_BYTES);
	if (adm)
		memcpy(g->masks.adm, adm, APMX_MASK_BYTES);
	if (ioctl(kvm, KVM_S390_CREATE_AP_GRANT, g))
		return -errno;
	return g->fd;
}

const char *tb_refusal_str(const struct kvm_s390_ap_refusal *r)
{
	static char buf[128];

	snprintf(buf, sizeof(buf),
		 "reason %u at %02x.%04x field %u holder %u id %llu pid %d",
		 r->reason, r->adapter, r->domain, r->field, r->holder_type,
		 (unsigned long long)r->holder_id, r->holder_pid);
	return buf;
}

int tb_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

int tb_kmsg_find(int fd, const char *needle)
{
	char rec[1024];
	int found = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, needle))
			found = 1;
	}
	return found;
}
