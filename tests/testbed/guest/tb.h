/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the test-bed guest programs (tests/testbed/guest/):
 * TAP-style checks, sysfs attributes of the real AP bus, and the apmatrix
 * ioctls on the real /dev/kvm.  Every program prints "ok N - SUITE: ..." /
 * "not ok N - SUITE: ..." per check and one last line
 * "testbed-SUITE: P passed, F failed" (scripts/testbed counts both).
 */
#ifndef TB_H
#define TB_H

#include <stddef.h>
#include <asm/kvm_ap_matrix.h>

#include "apmx.h"

#define AP_DEVICES "/sys/bus/ap/devices"

extern const char *tb_suite;
extern int tb_passed, tb_failed;

void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* print the suite's result line; the exit status of the program */
int tb_finish(void);
/* CLOCK_MONOTONIC in seconds: for timings and time limits */
double tb_now(void);

int read_attr(const char *path, char *buf, size_t len);
int write_attr(const char *path, const char *val);
long read_long(const char *path);
/* the driver bound to AP device @dev ("05.0007", "card05"), or "" */
void driver_of(const char *dev, char *buf, size_t len);
/* whether AP device @dev ("05.0007", "card05") exists in sysfs */
int dev_exists(const char *dev);
/* wait up to 10 s until device @q exists and is bound to @want ("" = unbound) */
int wait_driver(const char *q, const char *want);
/* wait until /sys/bus/ap/bindings says "complete" */
int wait_bindings(int secs, char *buf, size_t len);
/* an AP bus mask attribute of /sys/bus/ap as a core mask */
int read_mask(const char *attr, u8 *mask);
/* apmatrix_holder of queue @apid.@apqi; -errno */
int read_holder(unsigned int apid, unsigned int apqi, char *buf, size_t len);
/* "+N"/"-N" into /sys/bus/ap/apmask or aqmask; -errno */
int ap_mask_edit(const char *attr, char sign, unsigned int id);
/*
 * Adapter @a freed from the host (apmask -@a: each queue @a.@d[i], i < @n,
 * leaves cex4queue, unbound or bound to apmatrix) or given back (apmask +@a:
 * each bound to cex4queue again).  Returns the mask edit's -errno or 0;
 * every queue that did not get there adds one to *@bad.
 */
int tb_adapter_free(unsigned int a, const unsigned int *d, unsigned int n,
		    int *bad);
int tb_adapter_return(unsigned int a, const unsigned int *d, unsigned int n,
		      int *bad);
/*
 * A scenario's "--adapters LIST --domains LIST" (argv[1]-argv[4]) into
 * @apm and @aqm: 0; -1 for other arguments; -2 for a list that does not
 * parse (the reason on stderr after "@prog: ").
 */
int tb_host_lists(int argc, char **argv, const char *prog, u8 *apm, u8 *aqm);

/* /dev/kvm and a new VM; -1 with errno */
int tb_open_kvm(void);
int tb_create_vm(int kvm);
/*
 * KVM_S390_SET_AP_MATRIX with adapters @apm x usage domains @aqm and
 * control domains @adm (core masks, NULL = none), F_GRANT with @grant_fd
 * if >= 0.  Returns 0 or the errno; @m is the result.
 */
int tb_set(int vm, const u8 *apm, const u8 *aqm, const u8 *adm, int grant_fd,
	   struct kvm_s390_ap_matrix *m);
/* a one-id mask */
void tb_mask1(u8 *mask, unsigned int id);
/* KVM_S390_CREATE_AP_GRANT; the grant fd or -errno, @g the result */
int tb_grant(int kvm, const u8 *apm, const u8 *aqm, const u8 *adm,
	     struct kvm_s390_ap_grant *g);
/* "reason R at AA.DDDD holder H id I pid P" for a check message */
const char *tb_refusal_str(const struct kvm_s390_ap_refusal *r);

/* kernel log lines (/dev/kmsg) from now on, for "the log names ..." */
int tb_kmsg_open(void);
/* read every new line of @fd; 1 if one contains @needle */
int tb_kmsg_find(int fd, const char *needle);

#endif
