// SPDX-License-Identifier: GPL-2.0
/*
 * apmatrix list: the AP partition in lszcrypt's conventions (ids
 * "05.0004" in hex, card type and mode from ap_functions, status from
 * config/chkstop/online), one line per card and per queue with who has
 * the queue; --json (schema in docs/apmatrix-tool.md) and -d, a domain
 * grid like lszcrypt -d.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "apmatrix.h"

/* ap_functions bits as lszcrypt reads them (s390-tools lszcrypt.c) */
#define APX_FUNC_COPRO	0x10000000UL
#define APX_FUNC_ACCEL	0x08000000UL
#define APX_FUNC_EP11	0x04000000UL

struct list_opts {
	u8 adapters[APMX_MASK_BYTES];
	u8 domains[APMX_MASK_BYTES];
	unsigned int owners;		/* bit per enum apx_owner, 0: all */
	bool json, grid;
};

static const char *card_mode(const struct apx_card *c)
{
	if (c->functions & APX_FUNC_COPRO)
		return "CCA-Coproc";
	if (c->functions & APX_FUNC_ACCEL)
		return "Accelerator";
	if (c->functions & APX_FUNC_EP11)
		return "EP11-Coproc";
	return "Unknown";
}

static const char *status(int config, int chkstop, int online)
{
	if (config == 0)
		return "deconfig";
	if (chkstop > 0)
		return "chkstop";
	if (online > 0)
		return "online";
	if (online == 0)
		return "offline";
	return "-";
}

static bool queue_shown(const struct apx_state *st,
			const struct list_opts *o, unsigned int a,
			unsigned int d)
{
	if (!apx_queue_get(st, a, d)->present ||
	    !apmx_mask_test(o->domains, d))
		return false;
	return !o->owners || (o->owners & (1u << apx_owner_of(st, a, d)));
}

static bool card_shown(const struct apx_state *st, const struct list_opts *o,
		       unsigned int a)
{
	unsigned int d;

	if (!st->card[a].present || !apmx_mask_test(o->adapters, a))
		return false;
	if (!o->owners && apmx_mask_weight(o->domains) == APMX_NR_IDS)
		return true;
	for (d = 0; d < APMX_NR_IDS; d++)
		if (queue_shown(st, o, a, d))
			return true;
	return false;
}

static void list_text(const struct apx_state *st, const struct list_opts *o)
{
	unsigned int a, d;
	char who[256];

	printf("%-8s %-5s %-11s %-8s %s\n", "CARD.DOM", "TYPE", "MODE",
	       "STATUS", "OWNER");
	printf("----------------------------------------------------------\n");
	for (a = 0; a < APMX_NR_IDS; a++) {
		const struct apx_card *c = &st->card[a];
		char id[8];

		if (!card_shown(st, o, a))
			continue;
		snprintf(id, sizeof(id), "%02x", a);
		printf("%-8s %-5s %-11s %-8s %s\n", id,
		       c->type[0] ? c->type : "-", card_mode(c),
		       status(c->config, c->chkstop, c->online),
		       c->driver[0] ? c->driver : "-");
		for (d = 0; d < APMX_NR_IDS; d++) {
			const struct apx_queue *q = apx_queue_get(st, a, d);

			if (!queue_shown(st, o, a, d))
				continue;
			snprintf(id, sizeof(id), "%02x.%04x", a, d);
			apx_owner_text(st, a, d, who, sizeof(who));
			printf("%-8s %-5s %-11s %-8s %s\n", id,
			       c->type[0] ? c->type : "-", card_mode(c),
			       status(q->config, q->chkstop, q->online), who);
		}
	}
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void json_kv(const char *key, const char *val, bool comma)
{
	printf("\"%s\": ", key);
	json_str(val);
	if (comma)
		printf(", ");
}

static void json_queue(const struct apx_state *st, unsigned int a,
		       unsigned int d)
{
	const struct apx_queue *q = apx_queue_get(st, a, d);
	char id[8], who[256];

	snprintf(id, sizeof(id), "%02x.%04x", a, d);
	apx_owner_text(st, a, d, who, sizeof(who));
	printf("{");
	json_kv("apqn", id, true);
	printf("\"adapter\": %u, \"domain\": %u, ", a, d);
	json_kv("status", status(q->config, q->chkstop, q->online), true);
	printf("\"driver\": ");
	if (q->driver[0])
		json_str(q->driver);
	else
		printf("null");
	printf(", \"host_masks\": %s, ",
	       apx_host_owns(st->apmask, st->aqmask, a, d) ? "true" : "false");
	json_kv("owner", apx_owner_name(apx_owner_of(st, a, d)), true);
	json_kv("owner_text", who, true);
	printf("\"vm\": ");
	if (q->vm) {
		printf("{\"id\": %llu, \"pid\": %d, ", q->vm_id, q->vm_pid);
		json_kv("use", q->use, false);
		printf("}");
	} else {
		printf("null");
	}
	printf(", \"grant\": ");
	if (q->grant)
		printf("{\"id\": %llu, \"pid\": %d}", q->grant_id,
		       q->grant_pid);
	else
		printf("null");
	printf("}");
}

static void list_json(const struct apx_state *st, const struct list_opts *o)
{
	char apm[APX_MASK_TEXT], aqm[APX_MASK_TEXT];
	bool first_card = true;
	unsigned int a, d;

	apx_mask_to_sysfs(st->apmask, apm);
	apx_mask_to_sysfs(st->aqmask, aqm);
	apm[strlen(apm) - 1] = '\0';
	aqm[strlen(aqm) - 1] = '\0';
	printf("{\n  \"schema\": \"apmatrix-list\",\n  \"version\": 1,\n");
	printf("  \"apmask\": \"%s\",\n  \"aqmask\": \"%s\",\n", apm, aqm);
	printf("  \"max_adapter\": %u,\n  \"max_domain\": %u,\n",
	       st->max_adapter, st->max_domain);
	printf("  \"cards\": [");
	for (a = 0; a < APMX_NR_IDS; a++) {
		const struct apx_card *c = &st->card[a];
		bool first_q = true;
		char id[4];

		if (!card_shown(st, o, a))
			continue;
		snprintf(id, sizeof(id), "%02x", a);
		printf("%s\n    {", first_card ? "" : ",");
		first_card = false;
		json_kv("card", id, true);
		printf("\"adapter\": %u, \"type\": ", a);
		if (c->type[0])
			json_str(c->type);
		else
			printf("null");
		printf(", \"hwtype\": %d, \"functions\": \"0x%08lx\", ",
		       c->hwtype, c->functions);
		json_kv("mode", card_mode(c), true);
		json_kv("status", status(c->config, c->chkstop, c->online),
			true);
		printf("\"driver\": ");
		if (c->driver[0])
			json_str(c->driver);
		else
			printf("null");
		printf(",\n     \"queues\": [");
		for (d = 0; d < APMX_NR_IDS; d++) {
			if (!queue_shown(st, o, a, d))
				continue;
			printf("%s\n       ", first_q ? "" : ",");
			first_q = false;
			json_queue(st, a, d);
		}
		printf("%s]}", first_q ? "" : "\n     ");
	}
	printf("%s]\n}\n", first_card ? "" : "\n  ");
}

/* lszcrypt -d: the domains of the configuration, 16 per row. */
static int list_grid(const struct apx_state *st)
{
	u8 ctl[APMX_MASK_BYTES], use[APMX_MASK_BYTES];
	static const char * const name[] = {
		"ap_control_domain_mask", "ap_usage_domain_mask",
	};
	u8 *mask[] = { ctl, use };
	char path[PATH_MAX], buf[128];
	unsigned int i, r, d;

	for (i = 0; i < 2; i++) {
		apx_pathf(path, sizeof(path), "%s/bus/ap/%s", st->root, name[i]);
		if (apx_read_file(path, buf, sizeof(buf)) ||
		    apx_mask_from_sysfs(buf, mask[i])) {
			apx_err("%s is not available (no QCI?)", path);
			return APX_EXIT_SYSTEM;
		}
	}
	printf("DOMAIN");
	for (i = 0; i < 16; i++)
		printf(" %02x", i);
	printf("\n------------------------------------------------------\n");
	for (r = 0; r < 16; r++) {
		printf("%6.2x", r * 16);
		for (i = 0; i < 16; i++) {
			const char *cell = "UCB";
			int k;

			d = r * 16 + i;
			k = (apmx_mask_test(use, d) ? 1 : 0) |
			    (apmx_mask_test(ctl, d) ? 2 : 0);
			if (!k) {
				printf("  .");
				continue;
			}
			printf("  %c", apmx_mask_test(st->aqmask, d) ?
			       cell[k - 1] : cell[k - 1] + ('a' - 'A'));
		}
		printf("\n");
	}
	printf("------------------------------------------------------\n"
	       "C: Control domain\nU: Usage domain\n"
	       "B: Both (Control + Usage domain)\n"
	       "lower case: not in aqmask (not the host's, for guests)\n");
	return APX_EXIT_OK;
}

static int parse_owners(const char *arg, unsigned int *owners)
{
	char buf[256], *tok, *save = NULL;
	int o;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",:", &save); tok;
	     tok = strtok_r(NULL, ",:", &save)) {
		for (o = APX_OWN_FREE; o <= APX_OWN_APMATRIX; o++)
			if (!strcmp(tok, apx_owner_name(o)))
				break;
		if (o > APX_OWN_APMATRIX) {
			apx_err("owner '%s': not one of free, host, vfio_ap, vm, grant, resetting, quarantined, apmatrix",
				tok);
			return APX_EXIT_USAGE;
		}
		*owners |= 1u << o;
	}
	return 0;
}

static void list_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s list [-a ADAPTERS] [-D DOMAINS] [-o OWNER[,OWNER]] [--json]\n"
		"       %s list -d\n"
		"\n"
		"Show every AP card and queue and who has each queue: the host\n"
		"(its driver), vfio_ap, a VM (id, pid, usage/control), a grant,\n"
		"resetting, quarantined or free.\n"
		"\n"
		"  -a, --adapters LIST  only these adapters (id list, e.g. 5:0x10-0x12)\n"
		"  -D, --domains LIST   only queues of these domains\n"
		"  -o, --owner OWNERS   only queues with these owners: free, host,\n"
		"                       vfio_ap, vm, grant, resetting, quarantined,\n"
		"                       apmatrix (holder unreadable)\n"
		"  -j, --json           JSON, schema \"apmatrix-list\" version 1\n"
		"  -d, --domain-grid    the domains of the configuration, as lszcrypt -d\n"
		"  -h, --help           this text\n",
		apx_prog, apx_prog);
}

int apx_cmd_list(int argc, char **argv, const char *root)
{
	static const struct option opts[] = {
		{ "adapters", required_argument, NULL, 'a' },
		{ "domains", required_argument, NULL, 'D' },
		{ "owner", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "domain-grid", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct apx_state st;
	struct list_opts o = { .json = false };
	const char *aarg = NULL, *darg = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "a:D:o:jdh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			aarg = optarg;
			break;
		case 'D':
			darg = optarg;
			break;
		case 'o':
			rc = parse_owners(optarg, &o.owners);
			if (rc)
				return rc;
			break;
		case 'j':
			o.json = true;
			break;
		case 'd':
			o.grid = true;
			break;
		case 'h':
			list_usage(stdout);
			return APX_EXIT_OK;
		default:
			list_usage(stderr);
			return APX_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		apx_err("list: unexpected argument '%s'", argv[optind]);
		return APX_EXIT_USAGE;
	}
	memset(o.adapters, 0xff, sizeof(o.adapters));
	memset(o.domains, 0xff, sizeof(o.domains));
	if (aarg && (rc = apx_parse_ids("adapters", aarg, KVM_S390_AP_MAX_ID,
					 o.adapters)))
		return rc;
	if (darg && (rc = apx_parse_ids("domains", darg, KVM_S390_AP_MAX_ID,
					 o.domains)))
		return rc;
	rc = apx_state_read(&st, root);
	if (rc)
		return rc;
	if (o.grid)
		rc = list_grid(&st);
	else if (o.json)
		list_json(&st, &o);
	else
		list_text(&st, &o);
	apx_state_free(&st);
	if (fflush(stdout) || ferror(stdout)) {
		apx_err("writing the output failed");
		return APX_EXIT_SYSTEM;
	}
	return rc;
}
