// SPDX-License-Identifier: GPL-2.0
/*
 * apmatrix(8): the only code that talks to /dev/kvm.
 *
 * KVM_S390_CREATE_AP_GRANT is a system ioctl on /dev/kvm (uapi
 * asm/kvm_ap_matrix.h); the kernel returns the grant fd with O_CLOEXEC in
 * g->fd and, on refusal, fills g->refusal.  The device path is
 * --device PATH, $APMATRIX_KVM_DEVICE or /dev/kvm, so that the tests can
 * point it at a fake (tests/tools/fakekvm.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "apmatrix.h"

/*
 * Open @dev and create the grant @g describes.  0 on success (g->fd is
 * the grant fd); -1 with *@err = errno when the ioctl failed (g->refusal
 * says why); -2 with *@err = errno when @dev could not be opened.
 */
int apx_kvm_create_grant(const char *dev, struct kvm_s390_ap_grant *g,
			 int *err)
{
	int fd, rc;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return -2;
	}
	rc = ioctl(fd, KVM_S390_CREATE_AP_GRANT, g);
	*err = rc < 0 ? errno : 0;
	close(fd);
	return rc < 0 ? -1 : 0;
}
