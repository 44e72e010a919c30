/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test bed only: the ioctl of apmx_pqap_test.ko (apmx_pqap_test.c), shared
 * with the guest program that uses it (tests/testbed/guest/scen-aqic.c).
 */
#ifndef APMX_PQAP_TEST_H
#define APMX_PQAP_TEST_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define APMX_PQAP_TEST_DEV	"/dev/apmx_pqap_test"

/**
 * struct apmx_pqap_call - one PQAP intercept, as 6.1's handle_pqap() calls
 * the PQAP hook
 * @vcpu_fd: a vCPU of a VM of the calling process (KVM_CREATE_VCPU)
 * @pad: 0
 * @gr0: the guest's GR0 (function code, APQN)
 * @gr1: the guest's GR1 (interruption controls)
 * @gr2: the guest's GR2 (the NIB's guest address)
 * @gr1_out: out: GR1 after the hook (the status word in bits 32-63)
 * @hook_ret: out: the hook's return value; -ENOENT: no hook installed
 * @cc: out: the condition code handle_pqap() would set (3 for a non-zero
 *	response code, else 0)
 */
struct apmx_pqap_call {
	__s32 vcpu_fd;
	__u32 pad;
	__u64 gr0;
	__u64 gr1;
	__u64 gr2;
	__u64 gr1_out;
	__s32 hook_ret;
	__u32 cc;
};

#define APMX_PQAP_CALL	_IOWR(0xdb, 0x7e, struct apmx_pqap_call)

#endif
