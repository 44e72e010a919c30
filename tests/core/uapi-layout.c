// SPDX-License-Identifier: GPL-2.0
/*
 * Static layout asserts of every structure of uapi/asm/kvm_ap_matrix.h.
 *
 * Each field is checked for its offset and size, and each field must start
 * exactly where the previous one ends and the last one end at sizeof():
 * no implicit padding anywhere.  The build compiles this file for x86-64,
 * i386 (where __u64 is only 4-byte aligned), s390x and 31-bit s390, so the
 * layout is proven identical on 32/64-bit and little/big-endian ABIs.
 * The ioctl numbers are checked for direction, type, number and size.
 */
#include <stddef.h>
#include <linux/types.h>
#include <linux/ioctl.h>
#include <asm/kvm_ap_matrix.h>

#define SIZE(type, member)	sizeof(((type *)0)->member)
#define END_OF(type, member)	(offsetof(type, member) + SIZE(type, member))

/* @member is at @off, @size bytes long, right after @prev */
#define FIELD(type, prev, member, off, size)				\
	_Static_assert(offsetof(type, member) == (off),			\
		       #type "." #member " offset");			\
	_Static_assert(SIZE(type, member) == (size),			\
		       #type "." #member " size");			\
	_Static_assert(END_OF(type, prev) == (off),			\
		       #type ": padding before " #member)
#define FIRST(type, member, size)					\
	_Static_assert(offsetof(type, member) == 0, #type "." #member);	\
	_Static_assert(SIZE(type, member) == (size), #type "." #member)
#define LAST(type, member, total)					\
	_Static_assert(END_OF(type, member) == (total),			\
		       #type ": padding at the end");			\
	_Static_assert(sizeof(type) == (total), #type " size")

FIRST(struct kvm_s390_ap_masks, apm, 32);
FIELD(struct kvm_s390_ap_masks, apm, aqm, 32, 32);
FIELD(struct kvm_s390_ap_masks, aqm, adm, 64, 32);
LAST(struct kvm_s390_ap_masks, adm, 96);

FIRST(struct kvm_s390_ap_refusal, reason, 4);
FIELD(struct kvm_s390_ap_refusal, reason, adapter, 4, 2);
FIELD(struct kvm_s390_ap_refusal, adapter, domain, 6, 2);
FIELD(struct kvm_s390_ap_refusal, domain, field, 8, 1);
FIELD(struct kvm_s390_ap_refusal, field, holder_type, 9, 1);
FIELD(struct kvm_s390_ap_refusal, holder_type, pad, 10, 2);
FIELD(struct kvm_s390_ap_refusal, pad, holder_pid, 12, 4);
FIELD(struct kvm_s390_ap_refusal, holder_pid, holder_id, 16, 8);
LAST(struct kvm_s390_ap_refusal, holder_id, 24);

FIRST(struct kvm_s390_ap_matrix, flags, 4);
FIELD(struct kvm_s390_ap_matrix, flags, grant_fd, 4, 4);
FIELD(struct kvm_s390_ap_matrix, grant_fd, requested, 8, 96);
FIELD(struct kvm_s390_ap_matrix, requested, effective, 104, 96);
FIELD(struct kvm_s390_ap_matrix, effective, refusal, 200, 24);
FIELD(struct kvm_s390_ap_matrix, refusal, crycb_format, 224, 4);
FIELD(struct kvm_s390_ap_matrix, crycb_format, max_adapter, 228, 2);
FIELD(struct kvm_s390_ap_matrix, max_adapter, max_domain, 230, 2);
FIELD(struct kvm_s390_ap_matrix, max_domain, reserved, 232, 64);
LAST(struct kvm_s390_ap_matrix, reserved, 296);

FIRST(struct kvm_s390_ap_grant, flags, 4);
FIELD(struct kvm_s390_ap_grant, flags, fd, 4, 4);
FIELD(struct kvm_s390_ap_grant, fd, masks, 8, 96);
FIELD(struct kvm_s390_ap_grant, masks, refusal, 104, 24);
FIELD(struct kvm_s390_ap_grant, refusal, grant_id, 128, 8);
FIELD(struct kvm_s390_ap_grant, grant_id, reserved, 136, 56);
LAST(struct kvm_s390_ap_grant, reserved, 192);

/* 64-bit fields sit at 8-byte offsets: same layout where __u64 aligns 4 */
_Static_assert(offsetof(struct kvm_s390_ap_refusal, holder_id) % 8 == 0, "");
_Static_assert(offsetof(struct kvm_s390_ap_matrix, refusal) % 8 == 0, "");
_Static_assert(offsetof(struct kvm_s390_ap_matrix, reserved) % 8 == 0, "");
_Static_assert(offsetof(struct kvm_s390_ap_grant, refusal) % 8 == 0, "");
_Static_assert(offsetof(struct kvm_s390_ap_grant, grant_id) % 8 == 0, "");
_Static_assert(sizeof(struct kvm_s390_ap_matrix) % 8 == 0, "");
_Static_assert(sizeof(struct kvm_s390_ap_grant) % 8 == 0, "");

/* the masks hold every id */
_Static_assert(KVM_S390_AP_MASK_BYTES * 8 == KVM_S390_AP_MAX_ID + 1, "");
_Static_assert(KVM_S390_AP_APCB0_MAX_ADAPTER == 63, "");
_Static_assert(KVM_S390_AP_APCB0_MAX_DOMAIN == 15, "");

/* ioctls: direction, KVMIO, number, argument size */
#define IOCTL(cmd, dir, nr, size)					\
	_Static_assert(_IOC_DIR(cmd) == (dir) && _IOC_TYPE(cmd) == 0xAE &&\
		       _IOC_NR(cmd) == (nr) && _IOC_SIZE(cmd) == (size),	\
		       #cmd)
IOCTL(KVM_S390_SET_AP_MATRIX, _IOC_READ | _IOC_WRITE, 0xdb, 296);
IOCTL(KVM_S390_GET_AP_MATRIX, _IOC_READ, 0xdc, 296);
IOCTL(KVM_S390_CLEAR_AP_MATRIX, _IOC_NONE, 0xdd, 0);
IOCTL(KVM_S390_RESET_AP_QUEUES, _IOC_READ, 0xde, 24);
IOCTL(KVM_S390_CREATE_AP_GRANT, _IOC_READ | _IOC_WRITE, 0xdf, 192);

/* the flag sets name exactly the defined flags */
_Static_assert(KVM_S390_AP_MATRIX_F_ALL == KVM_S390_AP_MATRIX_F_GRANT, "");
_Static_assert(KVM_S390_AP_GRANT_F_ALL == 0, "");
