// SPDX-License-Identifier: GPL-2.0
/*
 * Test bed only, never part of the series: drive the PQAP hook of a VM on
 * the real /dev/kvm without running a vCPU.  Under TCG the test bed can
 * create VMs and vCPUs but not run them (SIE is not emulated), so nothing
 * intercepts a guest's PQAP(AQIC).  This module makes the call 6.1's
 * arch/s390/kvm/priv.c handle_pqap() makes once its instruction checks
 * passed: with vcpu->mutex held (as KVM_RUN holds it), kvm->srcu read
 * (as vcpu_run() holds it around intercept handling), GR0-GR2 in
 * vcpu->run->s.regs, pqap_hook_rwsem held for reading around the hook,
 * cc 3 for a non-zero response code.  The instruction checks themselves
 * (ECA_APIE, problem state, reserved bits, facility 65) are not made: the
 * test bed's CPU model has no facility 65 (its AP bus polls), and they are
 * KVM's, not the hook's.
 *
 * The caller must own the VM (kvm->mm is its mm, as kvm_vcpu_ioctl()
 * checks), so the hook pins the NIB in the VMM's memory as it would under
 * KVM_RUN.  /dev/apmx_pqap_test is 0600.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kvm_host.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/magic.h>
#include <linux/uaccess.h>

#include "apmx-pqap-test.h"

static bool apmx_pqap_is_vcpu(struct file *f)
{
	/*
	 * KVM_CREATE_VCPU's anon_inode_getfd(): an anon inode file named
	 * "kvm-vcpu:N"; only KVM makes those, and they cannot be reopened
	 * through /proc (anon_inodefs' no_open_fops)
	 */
	return file_inode(f)->i_sb->s_magic == ANON_INODE_FS_MAGIC &&
	       !strncmp(f->f_path.dentry->d_name.name, "kvm-vcpu:", 9);
}

static long apmx_pqap_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct apmx_pqap_call c;
	struct kvm_vcpu *vcpu;
	crypto_hook hook;
	struct file *vf;
	long ret = 0;
	int idx;

	if (cmd != APMX_PQAP_CALL)
		return -ENOTTY;
	if (copy_from_user(&c, (void __user *)arg, sizeof(c)))
		return -EFAULT;
	if (c.pad)
		return -EINVAL;
	vf = fget(c.vcpu_fd);
	if (!vf)
		return -EBADF;
	if (!apmx_pqap_is_vcpu(vf)) {
		ret = -EINVAL;
		goto out_fput;
	}
	vcpu = vf->private_data;
	if (vcpu->kvm->mm != current->mm) {
		ret = -EIO;
		goto out_fput;
	}
	if (mutex_lock_killable(&vcpu->mutex)) {
		ret = -EINTR;
		goto out_fput;
	}
	idx = srcu_read_lock(&vcpu->kvm->srcu);
	vcpu->run->s.regs.gprs[0] = c.gr0;
	vcpu->run->s.regs.gprs[1] = c.gr1;
	vcpu->run->s.regs.gprs[2] = c.gr2;
	c.cc = 0;
	down_read(&vcpu->kvm->arch.crypto.pqap_hook_rwsem);
	if (vcpu->kvm->arch.crypto.pqap_hook) {
		hook = *vcpu->kvm->arch.crypto.pqap_hook;
		c.hook_ret = hook(vcpu);
		if (!c.hook_ret && vcpu->run->s.regs.gprs[1] & 0x00ff0000)
			c.cc = 3;
	} else {
		c.hook_ret = -ENOENT;
	}
	up_read(&vcpu->kvm->arch.crypto.pqap_hook_rwsem);
	c.gr1_out = vcpu->run->s.regs.gprs[1];
	srcu_read_unlock(&vcpu->kvm->srcu, idx);
	mutex_unlock(&vcpu->mutex);
	if (copy_to_user((void __user *)arg, &c, sizeof(c)))
		ret = -EFAULT;
out_fput:
	fput(vf);
	return ret;
}

static const struct file_operations apmx_pqap_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = apmx_pqap_ioctl,
};

static struct miscdevice apmx_pqap_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "apmx_pqap_test",
	.fops = &apmx_pqap_fops,
	.mode = 0600,
};

module_misc_device(apmx_pqap_dev);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("apmatrix test bed: call a VM's PQAP hook");
