// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal VMM that gives a KVM/s390 guest AP queues with the AP matrix
 * ioctls, using nothing but the uapi headers: it probes the capability,
 * creates a VM, sets the requested matrix, prints the refusal report if
 * the kernel refuses, and reads the matrix back.
 *
 *   ap-matrix-vmm [-a ADAPTERS] [-d DOMAINS] [-c CONTROL-DOMAINS]
 *
 * Id lists are decimal ids or ranges separated by ',' or ':', e.g.
 * "-a 3,5-7 -d 0x2c".  Needs /dev/kvm on an s390 host with AP support;
 * without a grant the set needs CAP_SYS_ADMIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include <asm/kvm_ap_matrix.h>

#define NR_REASONS	(KVM_S390_AP_R_VFIO_AP + 1)
#define NR_HOLDERS	(KVM_S390_AP_HOLDER_QUARANTINE + 1)

static const char *const reasons[NR_REASONS] = {
	[KVM_S390_AP_OK] = "ok",
	[KVM_S390_AP_R_ID_RANGE] = "id beyond the CRYCB format or the host",
	[KVM_S390_AP_R_HOST_OWNED] = "owned by the host (apmask/aqmask)",
	[KVM_S390_AP_R_IN_USE] = "used by another guest",
	[KVM_S390_AP_R_RESERVED] = "reserved by another grant",
	[KVM_S390_AP_R_NOT_GRANTED] = "not covered by a grant",
	[KVM_S390_AP_R_QUARANTINED] = "queue reset not verified",
	[KVM_S390_AP_R_VFIO_AP] = "held by vfio_ap",
};

static const char *const holders[NR_HOLDERS] = {
	[KVM_S390_AP_HOLDER_NONE] = "nobody",
	[KVM_S390_AP_HOLDER_HOST] = "host default drivers",
	[KVM_S390_AP_HOLDER_VM] = "VM",
	[KVM_S390_AP_HOLDER_GRANT] = "grant",
	[KVM_S390_AP_HOLDER_VFIO_AP] = "vfio_ap",
	[KVM_S390_AP_HOLDER_QUARANTINE] = "quarantine",
};

static const char *name_of(const char *const *tab, unsigned int n,
			   unsigned int i)
{
	return i < n && tab[i] ? tab[i] : "unknown";
}

static void mask_set(__u8 *mask, unsigned int id)
{
	mask[id / 8] |= 0x80 >> (id % 8);
}

static int mask_test(const __u8 *mask, unsigned int id)
{
	return !!(mask[id / 8] & (0x80 >> (id % 8)));
}

/* "1,3-5:0x10" -> mask; returns -1 and names the bad token otherwise */
static int parse_ids(const char *opt, const char *s, __u8 *mask)
{
	unsigned long lo, hi;
	char *end;

	while (*s) {
		lo = strtoul(s, &end, 0);
		hi = lo;
		if (end == s)
			goto bad;
		if (*end == '-') {
			s = end + 1;
			hi = strtoul(s, &end, 0);
			if (end == s)
				goto bad;
		}
		if (hi > KVM_S390_AP_MAX_ID || lo > hi)
			goto bad;
		for (; lo <= hi; lo++)
			mask_set(mask, lo);
		if (*end && *end != ',' && *end != ':')
			goto bad;
		s = *end ? end + 1 : end;
	}
	return 0;
bad:
	fprintf(stderr, "%s: bad id list at \"%s\" (ids are 0-%d)\n", opt, s,
		KVM_S390_AP_MAX_ID);
	return -1;
}

static void print_mask(const char *name, const __u8 *mask)
{
	const char *sep = "";
	unsigned int id, n = 0;

	printf("  %-16s", name);
	for (id = 0; id <= KVM_S390_AP_MAX_ID; id++) {
		if (!mask_test(mask, id))
			continue;
		printf("%s%u", sep, id);
		sep = ",";
		n++;
	}
	printf("%s\n", n ? "" : "-");
}

static void print_masks(const char *what, const struct kvm_s390_ap_masks *m)
{
	printf("%s:\n", what);
	print_mask("adapters", m->apm);
	print_mask("usage domains", m->aqm);
	print_mask("control domains", m->adm);
}

static void print_refusal(const struct kvm_s390_ap_refusal *r)
{
	printf("refused: %s\n", name_of(reasons, NR_REASONS, r->reason));
	if (r->adapter != KVM_S390_AP_ID_NONE)
		printf("  adapter  %u (0x%02x)\n", r->adapter, r->adapter);
	if (r->domain != KVM_S390_AP_ID_NONE)
		printf("  domain   %u (0x%04x)\n", r->domain, r->domain);
	printf("  holder   %s", name_of(holders, NR_HOLDERS, r->holder_type));
	if (r->holder_id || r->holder_pid)
		printf(" id %llu, created by pid %d",
		       (unsigned long long)r->holder_id, r->holder_pid);
	printf("\n");
}

int main(int argc, char *argv[])
{
	struct kvm_s390_ap_matrix m;
	int kvm, vm, opt, rc;

	memset(&m, 0, sizeof(m));
	while ((opt = getopt(argc, argv, "a:d:c:h")) != -1) {
		switch (opt) {
		case 'a':
			rc = parse_ids("-a", optarg, m.requested.apm);
			break;
		case 'd':
			rc = parse_ids("-d", optarg, m.requested.aqm);
			break;
		case 'c':
			rc = parse_ids("-c", optarg, m.requested.adm);
			break;
		default:
			rc = -1;
		}
		if (rc) {
			fprintf(stderr,
				"usage: %s [-a ADAPTERS] [-d DOMAINS] [-c CONTROL-DOMAINS]\n",
				argv[0]);
			return 2;
		}
	}

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		perror("/dev/kvm");
		return 1;
	}
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_S390_AP_MATRIX) != 1) {
		fprintf(stderr, "KVM_CAP_S390_AP_MATRIX: not available\n");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("KVM_CREATE_VM");
		return 1;
	}
	if (ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_S390_AP_MATRIX) != 1) {
		fprintf(stderr, "KVM_CAP_S390_AP_MATRIX: not available for this VM\n");
		return 1;
	}

	print_masks("requested", &m.requested);
	if (ioctl(vm, KVM_S390_SET_AP_MATRIX, &m)) {
		fprintf(stderr, "KVM_S390_SET_AP_MATRIX: %s\n", strerror(errno));
		print_refusal(&m.refusal);
		return 1;
	}
	memset(&m, 0, sizeof(m));
	if (ioctl(vm, KVM_S390_GET_AP_MATRIX, &m)) {
		perror("KVM_S390_GET_AP_MATRIX");
		return 1;
	}
	printf("CRYCB format %u, adapters up to %u, domains up to %u\n",
	       m.crycb_format, m.max_adapter, m.max_domain);
	print_masks("effective", &m.effective);
	/* a real VMM would now create vCPUs and run the guest */
	close(vm);
	close(kvm);
	return 0;
}
