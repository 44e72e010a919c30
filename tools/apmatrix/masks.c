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
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * Read the masks chzdev persisted; a mask the file does not set is
 * @live's.  @run is set if the file loads vfio_ap (kept when rewritten).
 * 0, or -errno other than ENOENT.
 */
static int persist_read(const char *path, u8 *apm, u8 *aqm, bool *run)
{
	char line[512], val[128];
	FILE *f;

	*run = false;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "ATTR{../../bus/ap/apmask}=\"%127[^\"]\"",
			   val) == 1) {
			if (apx_mask_from_sysfs(val, apm))
				goto bad;
		} else if (sscanf(line,
				  "ATTR{../../bus/ap/aqmask}=\"%127[^\"]\"",
				  val) == 1) {
			if (apx_mask_from_sysfs(val, aqm))
				goto bad;
		} else if (strstr(line, "RUN{builtin}")) {
			*run = true;
		}
	}
	fclose(f);
	return 0;
bad:
	fclose(f);
	apx_err("%s: '%s' is not an AP bus mask", path, val);
	return -EINVAL;
}

/* Write the rule as chzdev does into @tmp. */
static int persist_write(const char *tmp, const u8 *apm, const u8 *aqm,
			 bool run)
{
	char am[APX_MASK_TEXT], qm[APX_MASK_TEXT];
	FILE *f;
	int rc = 0;

	apx_mask_to_sysfs(apm, am);
	apx_mask_to_sysfs(aqm, qm);
	am[strlen(am) - 1] = '\0';
	qm[strlen(qm) - 1] = '\0';
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "# Generated by chzdev\n"
		"# (written by apmatrix in chzdev's format)\n"
		"ACTION==\"change\", SUBSYSTEM==\"ap\", DEVPATH==\"/devices/ap\", ENV{BINDINGS}==\"complete\", ENV{COMPLETECOUNT}==\"1\", GOTO=\"cfg_ap\"\n"
		"GOTO=\"end_ap\"\n\nLABEL=\"cfg_ap\"\n\n"
		"ATTR{../../bus/ap/apmask}=\"%s\"\n"
		"ATTR{../../bus/ap/aqmask}=\"%s\"\n", am, qm);
	if (run)
		fprintf(f, "RUN{builtin}+=\"kmod load vfio_ap\"\n");
	fprintf(f, "\nLABEL=\"end_ap\"\n");
	if (ferror(f))
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
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

static int write_mask(const char *root, const char *name, const u8 *mask)
{
	char path[PATH_MAX], text[APX_MASK_TEXT];
	int rc;

	apx_pathf(path, sizeof(path), "%s/bus/ap/%s", root, name);
	apx_mask_to_sysfs(mask, text);
	rc = apx_write_file(path, text);
	if (rc)
		apx_err("writing %s failed: %s", path, strerror(-rc));
	return rc;
}

static int edit_masks(int argc, char **argv, const char *root,
		      bool give_back)
{
	static const struct option opts[] = {
		{ "persist", no_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct apx_state st;
	u8 ids_a[APMX_MASK_BYTES], ids_d[APMX_MASK_BYTES];
	u8 apm[APMX_MASK_BYTES], aqm[APMX_MASK_BYTES];
	u8 papm[APMX_MASK_BYTES], paqm[APMX_MASK_BYTES];
	char rule[PATH_MAX], tmp[PATH_MAX + 16], d1[2 * APMX_IDLIST_FMT_LEN + 32], d2[2 * APMX_IDLIST_FMT_LEN + 32];
	bool persist = false, dry = false, run = false;
	unsigned int a, d, moved = 0, bad = 0;
	int c, i, rc;

	while ((c = getopt_long(argc, argv, "pnh", opts, NULL)) != -1) {
		switch (c) {
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
	rc = apx_state_read(&st, root);
	if (rc)
		return rc;
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
		memcpy(papm, st.apmask, sizeof(papm));
		memcpy(paqm, st.aqmask, sizeof(paqm));
		apx_pathf(rule, sizeof(rule), "%s/%s",
			  apx_setting(NULL, "APMATRIX_UDEV_RULES_DIR",
				      "/etc/udev/rules.d"), APX_RULE_NAME);
		apx_pathf(tmp, sizeof(tmp), "%s.apmatrix-tmp", rule);
		rc = persist_read(rule, papm, paqm, &run);
		if (rc == -EINVAL) {
			rc = APX_EXIT_SYSTEM;
			goto out;
		}
		if (rc) {
			apx_err("cannot read %s: %s", rule, strerror(-rc));
			rc = APX_EXIT_SYSTEM;
			goto out;
		}
		for (i = 0; i < APMX_MASK_BYTES; i++) {
			papm[i] = give_back ? papm[i] | ids_a[i] :
					      papm[i] & ~ids_a[i];
			paqm[i] = give_back ? paqm[i] | ids_d[i] :
					      paqm[i] & ~ids_d[i];
		}
		rc = persist_write(tmp, papm, paqm, run);
		if (rc) {
			apx_err("cannot write %s: %s; no mask changed", tmp,
				strerror(-rc));
			rc = APX_EXIT_SYSTEM;
			goto out;
		}
	}

	/* write, rolling back on failure */
	rc = 0;
	if (memcmp(apm, st.apmask, sizeof(apm)) &&
	    write_mask(root, "apmask", apm))
		rc = APX_EXIT_SYSTEM;
	if (!rc && memcmp(aqm, st.aqmask, sizeof(aqm)) &&
	    write_mask(root, "aqmask", aqm)) {
		rc = APX_EXIT_SYSTEM;
		if (memcmp(apm, st.apmask, sizeof(apm)) &&
		    write_mask(root, "apmask", st.apmask))
			rc = APX_EXIT_INCONSISTENT;
	}
	if (!rc && persist && rename(tmp, rule)) {
		apx_err("cannot rename %s to %s: %s", tmp, rule,
			strerror(errno));
		rc = APX_EXIT_SYSTEM;
		if ((memcmp(aqm, st.aqmask, sizeof(aqm)) &&
		     write_mask(root, "aqmask", st.aqmask)) ||
		    (memcmp(apm, st.apmask, sizeof(apm)) &&
		     write_mask(root, "apmask", st.apmask)))
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
