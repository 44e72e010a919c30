/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apmatrix(8): the administrator's tool for the KVM/s390 AP matrix.
 *
 * The AP partition is read from sysfs (the root is --sysfs DIR, the
 * environment variable APMATRIX_SYSFS, or /sys), id lists are parsed and
 * formatted by the core (kernel/arch/s390/kvm/ap-matrix/idlist.c, linked
 * unchanged), and /dev/kvm is reached through kvm.c only.
 */
#ifndef APMATRIX_TOOL_H
#define APMATRIX_TOOL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include "apmx.h"
#include "apbus-mask.h"

/* Exit codes (documented in apmatrix(8) and docs/apmatrix-tool.md). */
#define APX_EXIT_OK		0	/* done; check: every APQN free */
#define APX_EXIT_BLOCKED	1	/* a queue blocks it (named on stderr) */
#define APX_EXIT_USAGE		2	/* bad option, bad id list */
#define APX_EXIT_SYSTEM		3	/* sysfs, /dev/kvm or a write failed;
					 * nothing was changed */
#define APX_EXIT_INCONSISTENT	4	/* a write failed and so did its
					 * roll-back: see the message */
#define APX_EXIT_EXEC		127	/* grant: COMMAND could not be run */

#define APX_DRIVER_LEN		64

/* Who has a queue, as far as sysfs tells. */
enum apx_owner {
	APX_OWN_FREE,		/* nobody: may be granted */
	APX_OWN_HOST,		/* apmask x aqmask, or a default driver bound */
	APX_OWN_VFIO_AP,	/* bound to vfio_ap */
	APX_OWN_VM,		/* a guest (apmatrix_holder "vm ...") */
	APX_OWN_GRANT,		/* reserved by a grant only */
	APX_OWN_RESETTING,	/* withheld while its reset runs */
	APX_OWN_QUARANTINED,	/* withheld: reset not verified */
	APX_OWN_APMATRIX,	/* bound to apmatrix, holder not readable */
};

struct apx_queue {
	bool present;			/* devices/XX.YYYY exists */
	char driver[APX_DRIVER_LEN];	/* bound driver or "" */
	int online, config, chkstop;	/* -1: attribute missing */
	bool holder_known;		/* apmatrix_holder was read */
	bool vm, grant, resetting, quarantined;
	unsigned long long vm_id, grant_id;
	int vm_pid, grant_pid;
	char use[16];			/* usage, control, usage+control */
};

struct apx_card {
	bool present;			/* devices/cardXX exists */
	char type[32];			/* zcrypt's type, e.g. CEX7C, or "" */
	int hwtype;			/* -1: missing */
	unsigned long functions;	/* ap_functions */
	int online, config, chkstop;
	char driver[APX_DRIVER_LEN];
};

struct apx_state {
	char root[2048];		/* the sysfs root */
	u8 apmask[APMX_MASK_BYTES];
	u8 aqmask[APMX_MASK_BYTES];
	unsigned int max_adapter, max_domain;
	struct apx_card card[APMX_NR_IDS];
	struct apx_queue *row[APMX_NR_IDS];	/* per present card */
	/* vfio_ap mediated devices: APQNs assigned to one (its "matrix"),
	 * present or not, and the 1-based index of its name in @mdev
	 */
	struct apmx_apqn_set vfio_assigned;
	u8 mdev_of[APMX_NR_IDS][APMX_NR_IDS];
#define APX_MAX_MDEVS	255
	char (*mdev)[64];		/* names (UUIDs), malloc'd */
	unsigned int nmdev;
};
/* the mediated device @a.@d is assigned to, or NULL */
const char *apx_mdev_of(const struct apx_state *st, unsigned int a,
			unsigned int d);

/* main.c */
extern const char *apx_prog;
__attribute__((format(printf, 1, 2))) void apx_err(const char *fmt, ...);
/* "apmatrix<who>: message\n" on stderr */
__attribute__((format(printf, 2, 0)))
void apx_vmsg(const char *who, const char *fmt, va_list ap);
/* Parse id list @str for @what ("adapters", ...), max id @max: 0 or
 * APX_EXIT_USAGE after a message naming @what and the offending token.
 */
int apx_parse_ids(const char *what, const char *str, unsigned int max,
		  u8 *mask);
/* @opt if set, else $@env_name if set, else @dflt */
const char *apx_setting(const char *opt, const char *env_name,
			const char *dflt);

/* sysfs.c */
int apx_state_read(struct apx_state *st, const char *root);
void apx_state_free(struct apx_state *st);
const struct apx_queue *apx_queue_get(const struct apx_state *st,
				      unsigned int a, unsigned int d);
bool apx_host_owns(const u8 *apm, const u8 *aqm, unsigned int a,
		   unsigned int d);
/* apx_mask_from_sysfs(), apx_mask_to_sysfs(): apbus-mask.h */
__attribute__((format(printf, 3, 4)))
void apx_pathf(char *buf, size_t len, const char *fmt, ...);
struct stat;
/* open a regular file only, never blocking: fd, -1 (errno) or -2 (*kind) */
int apx_open_regular(const char *path, struct stat *st, const char **kind);
int apx_write_file(const char *path, const char *text);
int apx_read_file(const char *path, char *buf, size_t len);

/* owner.c */
enum apx_owner apx_owner_of(const struct apx_state *st, unsigned int a,
			    unsigned int d);
const char *apx_owner_name(enum apx_owner o);
/* One-line, s390-tools style: "is used by VM 3 (pid 4711)" */
void apx_owner_phrase(const struct apx_state *st, unsigned int a,
		      unsigned int d, char *buf, size_t len);
/* The same phrase for a holder the kernel reported. */
void apx_holder_phrase(unsigned int holder_type, unsigned long long id,
		       int pid, const char *driver, char *buf, size_t len);
/* "who has it" for list: "host (cex4queue)", "vm 3 (pid 4711) usage" */
void apx_owner_text(const struct apx_state *st, unsigned int a,
		    unsigned int d, char *buf, size_t len);

/* masks.c: -a/-d/-c of check and grant */
struct apx_matrix_args {
	const char *a, *d, *c;
};
/* -1 when @c was one of them, else APX_EXIT_USAGE */
int apx_matrix_opt(int c, struct apx_matrix_args *m);
/* parse them (-a and -d required): 0 or APX_EXIT_USAGE */
int apx_matrix_parse(const struct apx_matrix_args *m,
		     struct kvm_s390_ap_masks *out);

/* subcommands */
int apx_cmd_list(int argc, char **argv, const char *root);
int apx_cmd_check(int argc, char **argv, const char *root);
int apx_cmd_free(int argc, char **argv, const char *root);
int apx_cmd_return(int argc, char **argv, const char *root);
int apx_cmd_grant(int argc, char **argv, const char *root);
int apx_cmd_serve(int argc, char **argv, const char *root);
int apx_cmd_connect(int argc, char **argv, const char *root);

/* grant.c */
int apx_exec_grant(int fd, unsigned long long id, char **cmd, int n,
		   char **extra);
void apx_refusal_line(const struct kvm_s390_ap_refusal *r, int err,
		      char *buf, size_t len);

/* aplock.c: s390-tools' AP configuration lock (libap ap_get_lock()) */
#define APX_AP_LOCK		"/run/lock/s390apconfig.lock"
#define APX_AP_LOCK_WAIT	90	/* s: libap's 3000 tries of ~30 ms */
const char *apx_ap_lock_path(void);
/* Take it, waiting up to @timeout_s: 0, or -1 after a message. */
int apx_ap_lock(int timeout_s);
void apx_ap_unlock(void);

/* kvm.c: the only code that talks to /dev/kvm */
int apx_kvm_create_grant(const char *dev, struct kvm_s390_ap_grant *g,
			 int *err);

#endif /* APMATRIX_TOOL_H */
