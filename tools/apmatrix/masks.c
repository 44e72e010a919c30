// SPDX-License-Identifier: GPL-2.0
/*
 * apmatrix check / free / return: can a matrix be granted, and moving
 * queues between the host's default drivers and the guests by editing
 * /sys/bus/ap/apmask and aqmask.
 *
 * The kernel (Linux 6.1 drivers/s390/crypto/ap_bus.c apmask_store() and
 * aqmask_store(), ap_parse_mask_str(), hex2bitmap()) takes the absolute
 * form "0x" + hex digits in one write; before it gives queues back to the
 * default drivers it asks every non-default driver's in_use() callback
 * (apmask_commit()/aqmask_commit(), __verify_card_reservations() and
 * __verify_queue_reservations()) and fails the write with EBUSY if one of
 * them holds a queue: apmatrix for queues a guest uses, a grant reserves
 * or that are withheld (queue-driver.c), vfio_ap for queues assigned to a
 * mediated device.  "return" refuses those up front, naming the queue and
 * its holder; clearing bits ("free") is never vetoed.
 *
 * Nothing half-done: both new masks are computed and checked first, then
 * apmask and aqmask are written; if the second write fails the first is
 * written back.  With --persist the same change goes to chzdev's udev rule
 * (s390-tools zdev/src/ap.c ap_write_type_udev(): 41-ap.rules in
 * /etc/udev/rules.d, ATTR{../../bus/ap/apmask}="0x..."), written to a
 * temporary file first and renamed into place only after the live change
 * succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "apmatrix.h"

/* ---- check --------------------------------------------------------- */

/* Print every APQN of @apm x (@aqm | @adm) that is not free; count them. */
static unsigned int report_blockers(const struct apx_state *st,
				    const u8 *apm, const u8 *aqm,
				    const u8 *adm, const char *prefix)
{
	unsigned int a, d, n = 0;
	char why[160];

	apmx_for_each_id(a, apm) {
		for (d = 0; d < APMX_NR_IDS; d++) {
			bool usage = apmx_mask_test(aqm, d);
			bool ctl = apmx_mask_test(adm, d);

			if ((!usage && !ctl) ||
			    apx_owner_of(st, a, d) == APX_OWN_FREE)
				continue;
			apx_owner_phrase(st, a, d, why, sizeof(why));
			fprintf(stderr, "%sAPQN %02x.%04x%s %s\n", prefix, a, d,
				usage ? "" : " (control domain)", why);
			n++;
		}
	}
	return n;
}

static void check_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s check -a ADAPTERS -d DOMAINS [-c CONTROL_DOMAINS]\n"
		"\n"
		"Can adapters x domains (and adapters x control domains) be granted\n"
		"now?  Names every APQN that blocks it and its holder, one per line\n"
		"on stderr.  Exit 0 only when every one is free, 1 otherwise.\n"
		"\n"
		"  -a, --adapters LIST         adapters (id list: 5, 0x05-0x07:9)\n"
		"  -d, --domains LIST          usage domains\n"
		"  -c, --control-domains LIST  control domains\n"
		"  -h, --help                  this text\n",
		apx_prog);
}

int apx_matrix_opt(int c, struct apx_matrix_args *m)
{
	switch (c) {
	case 'a':
		m->a = optarg;
		return -1;
	case 'd':
		m->d = optarg;
		return -1;
	case 'c':
		m->c = optarg;
		return -1;
	}
	return APX_EXIT_USAGE;
}

int apx_matrix_parse(const struct apx_matrix_args *m,
		     struct kvm_s390_ap_masks *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!m->a || !m->d) {
		apx_err("-a ADAPTERS and -d DOMAINS are required");
		return APX_EXIT_USAGE;
	}
	rc = apx_parse_ids("adapters", m->a, KVM_S390_AP_MAX_ID, out->apm);
	if (!rc)
		rc = apx_parse_ids("domains", m->d, KVM_S390_AP_MAX_ID,
				   out->aqm);
	if (!rc && m->c)
		rc = apx_parse_ids("control domains", m->c,
				   KVM_S390_AP_MAX_ID, out->adm);
	return rc;
}

int apx_cmd_check(int argc, char **argv, const char *root)
{
	static const struct option opts[] = {
		{ "adapters", required_argument, NULL, 'a' },
		{ "domains", required_argument, NULL, 'd' },
		{ "control-domains", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct apx_state st;
	struct apx_matrix_args m = { NULL, NULL, NULL };
	struct kvm_s390_ap_masks want;
	char ids[3][APMX_IDLIST_FMT_LEN];
	unsigned int n;
	int c, rc;

	while ((c = getopt_long(argc, argv, "a:d:c:h", opts, NULL)) != -1) {
		if (c == 'h') {
			check_usage(stdout);
			return APX_EXIT_OK;
		}
		rc = apx_matrix_opt(c, &m);
		if (rc >= 0) {
			check_usage(stderr);
			return rc;
		}
	}
	if (optind < argc) {
		apx_err("check: unexpected argument '%s'", argv[optind]);
		return APX_EXIT_USAGE;
	}
	rc = apx_matrix_parse(&m, &want);
	if (rc)
		return rc;
	rc = apx_state_read(&st, root);
	if (rc)
		return rc;
	n = report_blockers(&st, want.apm, want.aqm, want.adm, "");
	apmx_idlist_format(want.apm, ids[0], sizeof(ids[0]));
	apmx_idlist_format(want.aqm, ids[1], sizeof(ids[1]));
	apmx_idlist_format(want.adm, ids[2], sizeof(ids[2]));
	if (n)
		printf("adapters %s, domains %s, control domains %s: %u APQN%s blocked\n",
		       ids[0], ids[1], ids[2][0] ? ids[2] : "none", n,
		       n == 1 ? "" : "s");
	else
		printf("adapters %s, domains %s, control domains %s: all free\n",
		       ids[0], ids[1], ids[2][0] ? ids[2] : "none");
	apx_state_free(&st);
	return n ? APX_EXIT_BLOCKED : APX_EXIT_OK;
}

/* ---- persistence (chzdev's udev rule) ------------------------------ */

#define APX_RULE_NAME	"41-ap.rules"

#define APX_RULE_MAX	(1 << 20)	/* a rule file larger is refused */
#define APX_ATTR_APMASK	"ATTR{../../bus/ap/apmask}=\""
#define APX_ATTR_AQMASK	"ATTR{../../bus/ap/aqmask}=\""

#define APX_RULE_LABEL	"LABEL=\"cfg_ap\""

/* The rule file as read: its text (NULL: none yet) and its inode. */
struct rule_file {
	char *text;
	struct stat st;
};

/*
 * Is @line (up to its newline) the rule line @key starts, leading blanks
 * aside?  A comment that names it ("# ATTR{...") is not.  The rest, or
 * NULL.
 */
static const char *rule_key(const char *line, const char *key)
{
	line += strspn(line, " \t");
	return strncmp(line, key, strlen(key)) ? NULL : line + strlen(key);
}

/* Has @text a line that rule_key() finds @key on? */
static bool rule_has(const char *text, const char *key)
{
	const char *line;

	for (line = text; *line; line += strcspn(line, "\n"),
				 line += *line == '\n')
		if (rule_key(line, key))
			return true;
	return false;
}

/*
 * Read the rule and the masks chzdev persisted in it; a mask the file
 * does not set keeps the value the caller put in @apm/@aqm.  0, or -errno
 * (other than ENOENT) after a message.
 */
static int persist_read(const char *path, struct rule_file *rf, u8 *apm,
			u8 *aqm)
{
	const char *kind, *rest;
	char val[128], *line;
	size_t len = 0;
	ssize_t n;
	int fd;

	rf->text = NULL;
	/* renamed over: a symbolic link would be replaced, not its target */
	fd = apx_open_regular(path, &rf->st, &kind);
	if (fd == -1 && errno == ENOENT)
		return 0;
	if (fd == -2) {
		apx_err("%s is %s, not a regular file: not changed", path,
			kind);
		return -EINVAL;
	}
	if (fd < 0) {
		apx_err("cannot read %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &rf->st) || rf->st.st_size >= APX_RULE_MAX ||
	    !(rf->text = malloc(rf->st.st_size + 1))) {
		apx_err("cannot read %s: %s", path, rf->text ? strerror(errno) :
			"too large or out of memory");
		close(fd);
		return -EIO;
	}
	while ((n = read(fd, rf->text + len, rf->st.st_size - len)) > 0)
		len += n;
	close(fd);
	rf->text[len] = '\0';
	for (line = rf->text; *line; line += strcspn(line, "\n") +
				     (line[strcspn(line, "\n")] == '\n')) {
		u8 *mask = NULL;

		rest = rule_key(line, APX_ATTR_APMASK);
		if (rest)
			mask = apm;
		else if ((rest = rule_key(line, APX_ATTR_AQMASK)))
			mask = aqm;
		if (!mask)
			continue;
		if (sscanf(rest, "%127[^\"\n]", val) != 1 ||
		    apx_mask_from_sysfs(val, mask)) {
			apx_err("%s: '%.*s' is not an AP bus mask; not changed",
				path, (int)strcspn(line, "\n"), line);
			free(rf->text);
			rf->text = NULL;
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Write the rule with the new masks into a temporary file next to @rule
 * (its name in @tmp), flushed to disk, with the old file's mode and
 * owner: every other line of an existing file is kept as it is, a mask
 * line it lacks is added after LABEL="cfg_ap"; a new file is written as
 * chzdev (s390-tools zdev/src/ap.c ap_write_type_udev()) writes it.
 * 0, or -errno after a message.
 */
static int persist_write(const char *rule, const struct rule_file *rf,
			 char *tmp, size_t tlen, const u8 *apm, const u8 *aqm)
{
	char am[APX_MASK_TEXT], qm[APX_MASK_TEXT];
	bool label = false;
	const char *line;
	FILE *f;
	int fd, rc = 0;

	apx_mask_to_sysfs(apm, am);
	apx_mask_to_sysfs(aqm, qm);
	am[strlen(am) - 1] = '\0';
	qm[strlen(qm) - 1] = '\0';
	if (rf->text && !rule_has(rf->text, APX_RULE_LABEL)) {
		apx_err("%s has no " APX_RULE_LABEL ": not chzdev's format, not changed",
			rule);
		return -EINVAL;
	}
	apx_pathf(tmp, tlen, "%s.apmatrix-tmpXXXXXX", rule);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		apx_err("cannot create %s: %s", tmp, strerror(errno));
		return -errno;
	}
	if (rf->text) {
		/* as root the owner can be kept; else it is ours anyway */
		if (fchown(fd, rf->st.st_uid, rf->st.st_gid) && !geteuid())
			rc = -errno;
		if (fchmod(fd, rf->st.st_mode & 07777))
			rc = -errno;
	} else if (fchmod(fd, 0644)) {
		rc = -errno;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		apx_err("cannot write %s: %s", tmp, strerror(errno));
		return -errno;
	}
	if (!rf->text) {
		fprintf(f, "# Generated by chzdev\n"
			"# (written by apmatrix in chzdev's format)\n"
			"ACTION==\"change\", SUBSYSTEM==\"ap\", DEVPATH==\"/devices/ap\", ENV{BINDINGS}==\"complete\", ENV{COMPLETECOUNT}==\"1\", GOTO=\"cfg_ap\"\n"
			"GOTO=\"end_ap\"\n\n" APX_RULE_LABEL "\n\n"
			APX_ATTR_APMASK "%s\"\n" APX_ATTR_AQMASK "%s\"\n"
			"\nLABEL=\"end_ap\"\n", am, qm);
	}
	for (line = rf->text; line && *line;) {
		size_t len = strcspn(line, "\n");

		if (rule_key(line, APX_ATTR_APMASK))
			fprintf(f, APX_ATTR_APMASK "%s\"\n", am);
		else if (rule_key(line, APX_ATTR_AQMASK))
			fprintf(f, APX_ATTR_AQMASK "%s\"\n", qm);
		else
			fprintf(f, "%.*s\n", (int)len, line);
		if (!label && rule_key(line, APX_RULE_LABEL)) {
			/* the masks the file lacks: right after the label */
			label = true;
			if (!rule_has(rf->text, APX_ATTR_APMASK))
				fprintf(f, APX_ATTR_APMASK "%s\"\n", am);
			if (!rule_has(rf->text, APX_ATTR_AQMASK))
				fprintf(f, APX_ATTR_AQMASK "%s\"\n", qm);
		}
		line += len + (line[len] == '\n');
	}
	if (fflush(f) || ferror(f) || fsync(fileno(f)))
		rc = rc ? rc : -errno;
	if (fclose(f) && !rc)
		rc = -errno;
	if (rc) {
		apx_err("cannot write %s: %s", tmp, strerror(-rc));
		unlink(tmp);
	}
	return rc;
}

/* Rename @tmp over @rule and flush the directory: 0 or -1. */
static int persist_commit(const char *tmp, const char *rule)
{
	char dir[PATH_MAX], *slash;
	int fd;

	if (rename(tmp, rule)) {
		apx_err("cannot rename %s to %s: %s", tmp, rule,
			strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", rule);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

/* ---- free / return ------------------------------------------------- */

static void edit_usage(FILE *f, bool give_back)
{
	fprintf(f,
		"Usage: %s %s [--persist] ADAPTERS DOMAINS\n"
		"\n"
		"%s\n"
		"An id list may be empty (\"\") to leave that mask alone.  All or\n"
		"nothing: on a refusal or a failed write no mask is changed.\n"
		"\n"
		"  -p, --persist  also write the change to chzdev's udev rule\n"
		"                 ($APMATRIX_UDEV_RULES_DIR or /etc/udev/rules.d)/41-ap.rules\n"
		"  -n, --dry-run  say what would change, change nothing\n"
		"  -h, --help     this text\n",
		apx_prog, give_back ? "return" : "free",
		give_back ?
		"Give the queues of ADAPTERS and DOMAINS back to the host's default\n"
		"drivers: set their bits in /sys/bus/ap/apmask and aqmask.  Refused\n"
		"up front, naming queue and holder, if a queue that would go to the\n"
		"host is used by a VM, reserved by a grant, being reset, quarantined\n"
		"or bound to vfio_ap." :
		"Take the queues of ADAPTERS and DOMAINS from the host's default\n"
		"drivers: clear their bits in /sys/bus/ap/apmask and aqmask (the\n"
		"host keeps a queue only while both its adapter and its domain\n"
		"are set).");
}

static void mask_delta(const char *name, const u8 *old, const u8 *new,
		       char *buf, size_t len)
{
	u8 add[APMX_MASK_BYTES], del[APMX_MASK_BYTES];
	char a[APMX_IDLIST_FMT_LEN], d[APMX_IDLIST_FMT_LEN];
	int i;

	for (i = 0; i < APMX_MASK_BYTES; i++) {
		add[i] = new[i] & ~old[i];
		del[i] = old[i] & ~new[i];
	}
	apmx_idlist_format(add, a, sizeof(a));
	apmx_idlist_format(del, d, sizeof(d));
	snprintf(buf, len, "%s%s%s%s%s%s", name, a[0] || d[0] ? "" : " unchanged",
		 a[0] ? " +" : "", a, d[0] ? " -" : "", d);
}

/*
 * @add and @del as the AP bus's relative mask text (Linux 6.1
 * drivers/s390/crypto/ap_bus.c modify_bitmap(), through
 * ap_parse_bitmap_str() when the text starts with '+' or '-'): terms
 * "+0xA" or "+0xA-0xB" (and '-'), ',' between, ids in hex (the kernel
 * reads them with base 0: a leading 0 alone would be octal).  Only the
 * bits named change, so an edit another tool made since we read the mask
 * stays.  Returns the length, 0 for no change.
 */
static size_t rel_text(const u8 *add, const u8 *del, char *buf, size_t len)
{
	const u8 *m[2] = { add, del };
	size_t n = 0;
	unsigned int i, a, z;

	buf[0] = '\0';
	for (i = 0; i < 2; i++) {
		for (a = apmx_mask_next(m[i], 0); a < APMX_NR_IDS;
		     a = apmx_mask_next(m[i], z + 1)) {
			for (z = a; z + 1 < APMX_NR_IDS &&
			     apmx_mask_test(m[i], z + 1); z++)
				;
			n += snprintf(buf + n, len - n, "%s%c0x%x", n ? "," : "",
				      i ? '-' : '+', a);
			if (z > a)
				n += snprintf(buf + n, len - n, "-0x%x", z);
		}
	}
	if (n)
		n += snprintf(buf + n, len - n, "\n");
	return n;
}

/* Apply @add/@del to ROOT/bus/ap/@name: 0 or -errno after a message. */
static int write_mask(const char *root, const char *name, const u8 *add,
		      const u8 *del)
{
	char path[PATH_MAX], text[APMX_NR_IDS * 12 + 8];
	int rc;

	if (!rel_text(add, del, text, sizeof(text)))
		return 0;
	apx_pathf(path, sizeof(path), "%s/bus/ap/%s", root, name);
	rc = apx_write_file(path, text);
	if (rc)
		apx_err("writing %s failed: %s", path, strerror(-rc));
	return rc;
}

/*
 * The AP bus refused to give queues back (EBUSY from an in_use() veto)
 * and sysfs named no holder: an APQN without a queue device (no
 * apmatrix_holder to read) that a guest, a grant or a reset holds in the
 * apmatrix table.  Ask the kernel: a grant for such APQNs
 * (KVM_S390_CREATE_AP_GRANT) is refused with a report naming one holder;
 * that APQN is named and left out, and the rest asked again.  A grant
 * that is given means the rest is free and is closed at once (it binds
 * nothing: none of them has a queue device).
 */
static void explain_busy(const struct apx_state *st, const u8 *apm,
			 const u8 *aqm)
{
	const char *dev = apx_setting(NULL, "APMATRIX_KVM_DEVICE", "/dev/kvm");
	struct kvm_s390_ap_grant g;
	const struct kvm_s390_ap_refusal *r = &g.refusal;
	unsigned int a, d, found = 0, probes = 0;
	u8 want[APMX_MASK_BYTES];
	char line[256];
	int err, rc;

	for (a = 0; a < APMX_NR_IDS; a++) {
		memset(want, 0, sizeof(want));
		for (d = 0; d < APMX_NR_IDS; d++)
			if (!apx_host_owns(st->apmask, st->aqmask, a, d) &&
			    apx_host_owns(apm, aqm, a, d) &&
			    !apx_queue_get(st, a, d)->present &&
			    !apx_mdev_of(st, a, d))
				apmx_mask_set(want, d);
		while (!apmx_mask_empty(want) && probes++ < 1024) {
			memset(&g, 0, sizeof(g));
			apmx_mask_set(g.masks.apm, a);
			memcpy(g.masks.aqm, want, sizeof(want));
			rc = apx_kvm_create_grant(dev, &g, &err);
			if (rc == -2) {
				apx_err("cannot ask %s who holds the APQNs without a queue device: %s",
					dev, strerror(err));
				return;
			}
			if (!rc) {
				close(g.fd);
				break;
			}
			if (r->reason == KVM_S390_AP_R_ID_RANGE &&
			    r->adapter == a)
				break;	/* beyond the host: in no table */
			if (r->reason == KVM_S390_AP_OK || r->adapter != a ||
			    r->domain >= APMX_NR_IDS ||
			    !apmx_mask_test(want, r->domain)) {
				apx_refusal_line(r, err, line, sizeof(line));
				apx_err("cannot tell which APQN without a queue device is held: %s",
					line);
				return;
			}
			apmx_mask_clear(want, r->domain);
			if (r->reason == KVM_S390_AP_R_ID_RANGE)
				continue;
			apx_refusal_line(r, err, line, sizeof(line));
			apx_err("%s", line);
			found++;
		}
	}
	if (!found)
		apx_err("no APQN without a queue device is held either; the kernel log names the holder (\"stays with apmatrix\")");
}

static int edit_masks(int argc, char **argv, const char *root,
		      bool give_back)
{
	static const struct option opts[] = {
		{ "persist", no_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct apx_state st;
	u8 add_a[APMX_MASK_BYTES], del_a[APMX_MASK_BYTES];
	u8 add_d[APMX_MASK_BYTES], del_d[APMX_MASK_BYTES];
	int wait = APX_AP_LOCK_WAIT, err = 0;
	bool locked = false;
	char *end;
	u8 ids_a[APMX_MASK_BYTES], ids_d[APMX_MASK_BYTES];
	u8 apm[APMX_MASK_BYTES], aqm[APMX_MASK_BYTES];
	u8 papm[APMX_MASK_BYTES], paqm[APMX_MASK_BYTES];
	char rule[PATH_MAX], tmp[PATH_MAX + 16], d1[2 * APMX_IDLIST_FMT_LEN + 32], d2[2 * APMX_IDLIST_FMT_LEN + 32];
	bool persist = false, dry = false;
	unsigned int a, d, moved = 0, bad = 0;
	int c, i, rc;

	while ((c = getopt_long(argc, argv, "pnw:h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			wait = (int)strtol(optarg, &end, 10);
			if (!*optarg || *end || wait < 0 || wait > 3600) {
				apx_err("--wait '%s': not a number of seconds from 0 to 3600",
					optarg);
				return APX_EXIT_USAGE;
			}
			break;
		case 'p':
			persist = true;
			break;
		case 'n':
			dry = true;
			break;
		case 'h':
			edit_usage(stdout, give_back);
			return APX_EXIT_OK;
		default:
			edit_usage(stderr, give_back);
			return APX_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		apx_err("%s needs ADAPTERS and DOMAINS (try --help)",
			give_back ? "return" : "free");
		return APX_EXIT_USAGE;
	}
	/* from reading the masks to the end: chzdev's and mdevctl's lock */
	if (!dry) {
		if (apx_ap_lock(wait))
			return APX_EXIT_SYSTEM;
		locked = true;
	}
	rc = apx_state_read(&st, root);
	if (rc) {
		if (locked)
			apx_ap_unlock();
		return rc;
	}
	rc = apx_parse_ids("adapters", argv[optind], st.max_adapter, ids_a);
	if (!rc)
		rc = apx_parse_ids("domains", argv[optind + 1], st.max_domain,
				   ids_d);
	if (rc)
		goto out;

	/* compute */
	for (i = 0; i < APMX_MASK_BYTES; i++) {
		apm[i] = give_back ? st.apmask[i] | ids_a[i] :
				     st.apmask[i] & ~ids_a[i];
		aqm[i] = give_back ? st.aqmask[i] | ids_d[i] :
				     st.aqmask[i] & ~ids_d[i];
		add_a[i] = apm[i] & ~st.apmask[i];
		del_a[i] = st.apmask[i] & ~apm[i];
		add_d[i] = aqm[i] & ~st.aqmask[i];
		del_d[i] = st.aqmask[i] & ~aqm[i];
	}

	/* check: every queue that changes hands, present ones only */
	for (a = 0; a < APMX_NR_IDS; a++) {
		for (d = 0; d < APMX_NR_IDS; d++) {
			bool was = apx_host_owns(st.apmask, st.aqmask, a, d);
			bool now = apx_host_owns(apm, aqm, a, d);
			enum apx_owner o;
			char why[160];

			if (was == now)
				continue;
			/* the kernel's veto covers absent APQNs of mediated
			 * devices too; of the rest only present queues count
			 */
			if (apx_queue_get(&st, a, d)->present)
				moved++;
			else if (!now || !apx_mdev_of(&st, a, d))
				continue;
			if (!now)
				continue;
			o = apx_owner_of(&st, a, d);
			if (o == APX_OWN_FREE || o == APX_OWN_HOST)
				continue;
			apx_owner_phrase(&st, a, d, why, sizeof(why));
			apx_err("APQN %02x.%04x %s", a, d, why);
			bad++;
		}
	}
	mask_delta("apmask", st.apmask, apm, d1, sizeof(d1));
	mask_delta("aqmask", st.aqmask, aqm, d2, sizeof(d2));
	if (bad) {
		apx_err("%s refused: %u queue%s cannot go to the host (%s, %s); no mask changed",
			"return", bad, bad == 1 ? "" : "s", d1, d2);
		rc = APX_EXIT_BLOCKED;
		goto out;
	}
	if (dry) {
		printf("would change %s, %s: %u queue%s %s\n", d1, d2, moved,
		       moved == 1 ? "" : "s",
		       give_back ? "to the host" : "from the host");
		goto out;
	}

	/* persistent copy first, into a temporary file */
	if (persist) {
		struct rule_file rf;

		memcpy(papm, st.apmask, sizeof(papm));
		memcpy(paqm, st.aqmask, sizeof(paqm));
		apx_pathf(rule, sizeof(rule), "%s/%s",
			  apx_setting(NULL, "APMATRIX_UDEV_RULES_DIR",
				      "/etc/udev/rules.d"), APX_RULE_NAME);
		if (persist_read(rule, &rf, papm, paqm)) {
			rc = APX_EXIT_SYSTEM;
			goto out;
		}
		for (i = 0; i < APMX_MASK_BYTES; i++) {
			papm[i] = give_back ? papm[i] | ids_a[i] :
					      papm[i] & ~ids_a[i];
			paqm[i] = give_back ? paqm[i] | ids_d[i] :
					      paqm[i] & ~ids_d[i];
		}
		rc = persist_write(rule, &rf, tmp, sizeof(tmp), papm, paqm);
		free(rf.text);
		if (rc) {
			apx_err("no mask changed");
			rc = APX_EXIT_SYSTEM;
			goto out;
		}
	}

	/* write the changed bits only, rolling back on failure */
	rc = 0;
	err = write_mask(root, "apmask", add_a, del_a);
	if (err)
		rc = APX_EXIT_SYSTEM;
	if (!rc) {
		err = write_mask(root, "aqmask", add_d, del_d);
		if (err) {
			rc = APX_EXIT_SYSTEM;
			if (write_mask(root, "apmask", del_a, add_a))
				rc = APX_EXIT_INCONSISTENT;
		}
	}
	if (rc == APX_EXIT_SYSTEM && err == -EBUSY && give_back)
		explain_busy(&st, apm, aqm);
	if (!rc && persist && persist_commit(tmp, rule)) {
		rc = APX_EXIT_SYSTEM;
		if (write_mask(root, "aqmask", del_d, add_d) ||
		    write_mask(root, "apmask", del_a, add_a))
			rc = APX_EXIT_INCONSISTENT;
	}
	if (rc) {
		if (persist)
			unlink(tmp);
		if (rc == APX_EXIT_INCONSISTENT)
			apx_err("roll-back failed: %s/bus/ap/apmask and aqmask may be half changed (the change was %s, %s); compare with '%s list'",
				root, d1, d2, apx_prog);
		else
			apx_err("no mask changed");
		goto out;
	}
	printf("%s, %s: %u queue%s %s%s\n", d1, d2, moved,
	       moved == 1 ? "" : "s",
	       give_back ? "given back to the host" : "taken from the host",
	       persist ? " (persistent)" : "");
out:
	apx_state_free(&st);
	if (locked)
		apx_ap_unlock();
	return rc;
}

int apx_cmd_free(int argc, char **argv, const char *root)
{
	return edit_masks(argc, argv, root, false);
}

int apx_cmd_return(int argc, char **argv, const char *root)
{
	return edit_masks(argc, argv, root, true);
}
