/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * KVM/s390 AP matrix: pass AP (crypto) queues to a guest with one VM ioctl.
 *
 * This is the single source of truth for the apmatrix ABI.  The kernel
 * series installs it as arch/s390/include/uapi/asm/kvm_ap_matrix.h, the
 * QEMU series as linux-headers/asm-s390/kvm_ap_matrix.h, and every tool and
 * test of the project includes it from here.
 *
 * PROVISIONAL NUMBERS: the ioctl numbers (KVMIO 0xdb-0xdf) and the
 * capability number (400) are free in Linux 6.1 and in every later upstream
 * kvm.h known to us (upstream has used 0xd2-0xd7 and capabilities up to
 * ~251).  They are provisional until upstream assigns numbers; userspace
 * must probe KVM_CAP_S390_AP_MATRIX before using any call below.
 *
 * Bit numbering: every mask is the 32-byte architecture image used by the
 * APCB1 of a format-2 CRYCB and by QCI: id 0 is the leftmost (most
 * significant) bit of byte 0, id 255 the rightmost bit of byte 31, i.e.
 * id n is (mask[n / 8] >> (7 - n % 8)) & 1 on every host, big or little
 * endian.  An APQN is (adapter << 8) | domain.
 *
 * Layout: all structures use fixed-size fields, have no implicit padding
 * and are identical on 31/32/64-bit and on big/little-endian hosts.  Every
 * reserved field and every undefined flag must be zero (EINVAL otherwise)
 * so that the ABI can grow.
 */
#ifndef _UAPI_ASM_S390_KVM_AP_MATRIX_H
#define _UAPI_ASM_S390_KVM_AP_MATRIX_H

#include <linux/types.h>
#include <linux/ioctl.h>

#ifndef KVMIO
#define KVMIO 0xAE
#endif

/* Capability (VM and system): value 1 when the calls below work. */
#define KVM_CAP_S390_AP_MATRIX		400

/* Architecture limits of the three masks. */
#define KVM_S390_AP_MASK_BYTES		32	/* 256 bits, APCB1 image */
#define KVM_S390_AP_MAX_ID		255	/* highest id in any format */
#define KVM_S390_AP_APCB0_MAX_ADAPTER	63	/* CRYCB format 0/1 */
#define KVM_S390_AP_APCB0_MAX_DOMAIN	15	/* CRYCB format 0/1 */
#define KVM_S390_AP_ID_NONE		0xffff	/* "no id" in a report */

/* The three masks of a guest's AP configuration. */
struct kvm_s390_ap_masks {
	__u8 apm[KVM_S390_AP_MASK_BYTES];	/* adapters (APIDs) */
	__u8 aqm[KVM_S390_AP_MASK_BYTES];	/* usage domains (APQIs) */
	__u8 adm[KVM_S390_AP_MASK_BYTES];	/* control domains */
};

/* kvm_s390_ap_refusal.reason: why a call refused, with the errno it gives */
#define KVM_S390_AP_OK			0	/* nothing refused */
#define KVM_S390_AP_R_ID_RANGE		1	/* EINVAL: id beyond format/host */
#define KVM_S390_AP_R_HOST_OWNED	2	/* EADDRNOTAVAIL: apmask/aqmask */
#define KVM_S390_AP_R_IN_USE		3	/* EADDRINUSE: another guest */
#define KVM_S390_AP_R_RESERVED		4	/* EADDRINUSE: another grant */
#define KVM_S390_AP_R_NOT_GRANTED	5	/* EPERM: no grant covers it */
#define KVM_S390_AP_R_QUARANTINED	6	/* EIO: reset not verified */
#define KVM_S390_AP_R_VFIO_AP		7	/* EBUSY: vfio_ap holds it/the VM */

/* kvm_s390_ap_refusal.field: which mask the offending id came from */
#define KVM_S390_AP_FIELD_NONE		0
#define KVM_S390_AP_FIELD_ADAPTER	1	/* apm */
#define KVM_S390_AP_FIELD_DOMAIN	2	/* aqm (usage domain) */
#define KVM_S390_AP_FIELD_CONTROL	3	/* adm (control domain) */
#define KVM_S390_AP_FIELD_APQN		4	/* adapter x (usage|control) */

/* kvm_s390_ap_refusal.holder_type: who holds the offending APQN */
#define KVM_S390_AP_HOLDER_NONE		0
#define KVM_S390_AP_HOLDER_HOST		1	/* host zcrypt default drivers */
#define KVM_S390_AP_HOLDER_VM		2	/* a guest configured by ioctl */
#define KVM_S390_AP_HOLDER_GRANT	3	/* reserved by a grant */
#define KVM_S390_AP_HOLDER_VFIO_AP	4	/* bound to / used by vfio_ap */
#define KVM_S390_AP_HOLDER_QUARANTINE	5	/* reset failed, withheld */

/*
 * Written back by the kernel when a call is refused: the first offending
 * id in ascending (adapter, domain) order and who holds it.  All-zero
 * (reason KVM_S390_AP_OK) on success.
 */
struct kvm_s390_ap_refusal {
	__u32 reason;		/* KVM_S390_AP_R_* */
	__u16 adapter;		/* offending APID or KVM_S390_AP_ID_NONE */
	__u16 domain;		/* offending APQI/control domain or _ID_NONE */
	__u8  field;		/* KVM_S390_AP_FIELD_* */
	__u8  holder_type;	/* KVM_S390_AP_HOLDER_* */
	__u16 pad;		/* zero */
	__s32 holder_pid;	/* holder's creator (a VM's first setter),
				 * in the caller's pid namespace; 0 if
				 * none, not visible there, or the caller
				 * lacks CAP_SYS_ADMIN
				 */
	__u64 holder_id;	/* id of the holding VM or grant, 0 if none */
};

/* kvm_s390_ap_matrix.flags */
#define KVM_S390_AP_MATRIX_F_GRANT	(1U << 0)	/* grant_fd is valid */
#define KVM_S390_AP_MATRIX_F_ALL	KVM_S390_AP_MATRIX_F_GRANT
/*
 * Out only, set by GET: the kernel forwards the guest's AP adapter
 * interruptions (PQAP AQIC) for this VM, so a VMM may offer the guest the
 * AP queue interruption facility (facility 65, QEMU's "apqi").  Not an
 * input flag: a SET with it is refused with EINVAL.
 */
#define KVM_S390_AP_MATRIX_F_AQIC	(1U << 1)	/* out: AQIC forwarded */

/*
 * Argument of KVM_S390_SET_AP_MATRIX and KVM_S390_GET_AP_MATRIX.
 *
 * SET: in: flags, grant_fd, requested.  The whole matrix is replaced
 *      atomically: a refused set changes nothing; a set that stands but
 *      whose output cannot be written returns EFAULT.  out (success and
 *      failure): effective, refusal, crycb_format, max_adapter, max_domain.
 * GET: out: flags (KVM_S390_AP_MATRIX_F_AQIC or 0), requested (what the
 *      last SET asked for), effective (what the guest's CRYCB holds),
 *      crycb_format, max_adapter, max_domain.
 */
struct kvm_s390_ap_matrix {
	__u32 flags;			/* KVM_S390_AP_MATRIX_F_* */
	__s32 grant_fd;			/* with F_GRANT: an AP grant fd */
	struct kvm_s390_ap_masks requested;
	struct kvm_s390_ap_masks effective;
	struct kvm_s390_ap_refusal refusal;
	__u32 crycb_format;		/* 0, 1 or 2 */
	__u16 max_adapter;		/* highest APID this guest may use */
	__u16 max_domain;		/* highest APQI/control domain */
	__u64 reserved[8];		/* zero */
};

/* kvm_s390_ap_grant.flags: none defined yet */
#define KVM_S390_AP_GRANT_F_ALL		0U

/*
 * Argument of KVM_S390_CREATE_AP_GRANT (system ioctl on /dev/kvm, needs
 * CAP_SYS_ADMIN).  Reserves masks.apm x masks.aqm for usage and
 * masks.apm x masks.adm for control, and returns 0 with a grant file
 * descriptor (O_CLOEXEC) in fd.  Whoever holds the fd may pass it in
 * KVM_S390_SET_AP_MATRIX for any subset of the reservation.  Closing the
 * last reference to the grant ends the reservation; queues a guest uses
 * stay with that guest until it gives them back.
 */
struct kvm_s390_ap_grant {
	__u32 flags;			/* KVM_S390_AP_GRANT_F_* */
	__s32 fd;			/* out: the grant fd */
	struct kvm_s390_ap_masks masks;	/* in: what to reserve */
	struct kvm_s390_ap_refusal refusal;	/* out on refusal */
	__u64 grant_id;			/* out: id shown as holder_id */
	__u64 reserved[7];		/* zero */
};

/* VM ioctls, available with KVM_CAP_S390_AP_MATRIX */
#define KVM_S390_SET_AP_MATRIX	_IOWR(KVMIO, 0xdb, struct kvm_s390_ap_matrix)
#define KVM_S390_GET_AP_MATRIX	_IOR(KVMIO, 0xdc, struct kvm_s390_ap_matrix)
#define KVM_S390_CLEAR_AP_MATRIX	_IO(KVMIO, 0xdd)
#define KVM_S390_RESET_AP_QUEUES	_IOR(KVMIO, 0xde, struct kvm_s390_ap_refusal)
/* System ioctl on /dev/kvm, available with KVM_CAP_S390_AP_MATRIX */
#define KVM_S390_CREATE_AP_GRANT	_IOWR(KVMIO, 0xdf, struct kvm_s390_ap_grant)

#endif /* _UAPI_ASM_S390_KVM_AP_MATRIX_H */
