// SPDX-License-Identifier: GPL-2.0
/*
 * KVM/s390 AP matrix: grants.
 *
 * A privileged manager (libvirt, an admin tool) reserves APQNs with
 * KVM_S390_CREATE_AP_GRANT on /dev/kvm and passes the grant file
 * descriptor to one VMM, which may then set any subset of the reservation
 * without CAP_SYS_ADMIN (KVM_S390_AP_MATRIX_F_GRANT).  The reservation
 * lives in the global table next to the guests' claims; it ends when the
 * last reference to the grant file goes away.  Queues a guest took under
 * the grant stay with the guest until it gives them back.
 */
#define KMSG_COMPONENT "kvm-s390"
#define pr_fmt(fmt) KMSG_COMPONENT ": " fmt

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/ap.h>
#include "ap-matrix.h"

static atomic64_t apmx_grant_ids = ATOMIC64_INIT(0);

static int apmx_grant_release(struct inode *inode, struct file *filp)
{
	struct apmx_grant *g = filp->private_data;

	mutex_lock(&apmx_table_lock);
	apmx_table_unreserve(&apmx_table, &g->owner);
	mutex_unlock(&apmx_table_lock);
	put_pid(g->pid);
	kfree(g);
	return 0;
}

static const struct file_operations apmx_grant_fops = {
	.owner = THIS_MODULE,
	.release = apmx_grant_release,
	.llseek = noop_llseek,
};

/**
 * apmx_grant_fdget() - look up an AP grant file descriptor
 * @fd: the descriptor passed by userspace
 * @f: holds the file while the grant is used; fdput() it afterwards
 *
 * Return: the grant, or ERR_PTR(-EBADF) if @fd is not an AP grant.
 */
struct apmx_grant *apmx_grant_fdget(int fd, struct fd *f)
{
	*f = fdget(fd);
	if (!f->file)
		return ERR_PTR(-EBADF);
	if (f->file->f_op != &apmx_grant_fops) {
		fdput(*f);
		return ERR_PTR(-EBADF);
	}
	return f->file->private_data;
}

static int apmx_grant_check_args(const struct kvm_s390_ap_grant *arg)
{
	unsigned int i;

	if (arg->flags & ~KVM_S390_AP_GRANT_F_ALL)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(arg->reserved); i++)
		if (arg->reserved[i])
			return -EINVAL;
	return 0;
}

static void apmx_grant_log(int rc, const struct kvm_s390_ap_refusal *r)
{
	if (r->reason == KVM_S390_AP_OK)
		return;
	pr_notice_ratelimited("AP grant refused (%d): APQN %02x.%04x reason %u, holder type %u id %llu (pid %d)\n",
			      rc, r->adapter, r->domain, r->reason,
			      r->holder_type, r->holder_id, r->holder_pid);
}

/* Reserve @arg->masks for a new grant behind @file: all or nothing. */
static int apmx_grant_reserve(struct apmx_grant *g,
			      struct kvm_s390_ap_grant *arg)
{
	struct apmx_host_info host;
	struct apmx_limits lim;
	int rc;

	/* what the host can address, whatever the guest's CRYCB format */
	apmx_host_info(&host);
	apmx_limits_init(&lim, APMX_CRYCB_FORMAT2, host.apxa, host.na,
			 host.nd);
	rc = apmx_check_limits(&arg->masks, &lim, &arg->refusal);
	if (rc) {
		apmx_grant_log(rc, &arg->refusal);
		return rc;
	}
	rc = apmx_host_lock_killable();
	if (rc)
		return rc;
	mutex_lock(&apmx_table_lock);
	rc = apmx_table_reserve(&apmx_table, &g->owner, &arg->masks,
				apmx_qdrv_host_veto, NULL, &arg->refusal);
	if (rc) {
		/* the log names the holder as the initial namespace sees it */
		apmx_grant_log(rc, &arg->refusal);
		apmx_refusal_localize(&arg->refusal, true);
	}
	mutex_unlock(&apmx_table_lock);
	apmx_host_unlock();
	if (!rc)
		apmx_qdrv_attach(&arg->masks);	/* bind them to apmatrix */
	return rc;
}

/**
 * kvm_s390_apmx_create_grant() - KVM_S390_CREATE_AP_GRANT
 * @uarg: struct kvm_s390_ap_grant
 *
 * Needs CAP_SYS_ADMIN.  On success the grant fd (O_CLOEXEC) and the
 * grant's id are written back; on refusal the report.
 *
 * Return: 0 or a negative errno.
 */
long kvm_s390_apmx_create_grant(struct kvm_s390_ap_grant __user *uarg)
{
	struct kvm_s390_ap_grant arg;
	struct apmx_grant *g;
	struct file *file;
	int fd, rc;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	rc = apmx_grant_check_args(&arg);
	if (rc)
		return rc;
	arg.fd = -1;
	arg.grant_id = 0;
	memset(&arg.refusal, 0, sizeof(arg.refusal));
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;

	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return -ENOMEM;
	g->owner.type = KVM_S390_AP_HOLDER_GRANT;
	g->pid = get_task_pid(current, PIDTYPE_TGID);
	/* the initial namespace's number, for the kernel log only */
	g->owner.pid = task_tgid_nr(current);
	g->owner.id = atomic64_inc_return(&apmx_grant_ids);
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		rc = fd;
		goto out_free;
	}
	file = anon_inode_getfile("kvm-ap-grant", &apmx_grant_fops, g, O_RDWR);
	if (IS_ERR(file)) {
		rc = PTR_ERR(file);
		goto out_fd;
	}
	/* from here on, fput() frees g and ends its reservation */
	rc = apmx_grant_reserve(g, &arg);
	if (rc)
		goto out_put;
	arg.fd = fd;
	arg.grant_id = g->owner.id;
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		rc = -EFAULT;
		goto out_put;
	}
	fd_install(fd, file);
	return 0;

out_put:
	fput(file);
	put_unused_fd(fd);
	if (rc != -EFAULT && copy_to_user(&uarg->refusal, &arg.refusal,
					  sizeof(arg.refusal)))
		return -EFAULT;
	return rc;

out_fd:
	put_unused_fd(fd);
out_free:
	put_pid(g->pid);
	kfree(g);
	return rc;
}
