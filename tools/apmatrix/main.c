// SPDX-License-Identifier: GPL-2.0
/*
 * apmatrix(8): subcommand dispatch, global options, messages.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "apmatrix.h"

const char *apx_prog = "apmatrix";

void apx_vmsg(const char *who, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s%s: ", apx_prog, who);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void apx_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	apx_vmsg("", fmt, ap);
	va_end(ap);
}

int apx_parse_ids(const char *what, const char *str, unsigned int max,
		  u8 *mask)
{
	char err[APMX_ERRMSG_LEN];

	if (apmx_idlist_parse(str, max, mask, err, sizeof(err))) {
		apx_err("%s '%s': %s", what, str, err);
		return APX_EXIT_USAGE;
	}
	return 0;
}

const char *apx_setting(const char *opt, const char *env_name,
			const char *dflt)
{
	const char *env = getenv(env_name);

	if (opt && *opt)
		return opt;
	if (env && *env)
		return env;
	return dflt;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--sysfs DIR] COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"Show and manage the AP (crypto) queues that KVM gives to guests.\n"
		"\n"
		"Commands:\n"
		"  list     show every queue and who has it (lszcrypt style)\n"
		"  check    can this matrix be granted now? name every blocker\n"
		"  free     take queues from the host (clear apmask/aqmask bits)\n"
		"  return   give queues back to the host (set apmask/aqmask bits)\n"
		"  grant    create a grant and run a command with its fd\n"
		"  serve    the grant manager daemon (apmatrix.conf(5))\n"
		"  connect  get a grant from the daemon and run a command with it\n"
		"\n"
		"Global options:\n"
		"  --sysfs DIR   sysfs root (default $APMATRIX_SYSFS or /sys)\n"
		"  -h, --help    this text; COMMAND --help for a command\n"
		"\n"
		"Exit codes: 0 done, 1 a queue blocks it, 2 usage error,\n"
		"3 system error (nothing changed), 4 inconsistent (roll-back\n"
		"failed), 127 grant could not run COMMAND.\n",
		apx_prog);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysfs", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv, const char *root);
	} cmds[] = {
		{ "list", apx_cmd_list },
		{ "check", apx_cmd_check },
		{ "free", apx_cmd_free },
		{ "return", apx_cmd_return },
		{ "grant", apx_cmd_grant },
		{ "serve", apx_cmd_serve },
		{ "connect", apx_cmd_connect },
	};
	const char *sysfs = NULL;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sysfs = optarg;
			break;
		case 'h':
			usage(stdout);
			return APX_EXIT_OK;
		default:
			usage(stderr);
			return APX_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return APX_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[optind], cmds[i].name))
			continue;
		argc -= optind;
		argv += optind;
		optind = 0;	/* a full re-initialisation of getopt */
		return cmds[i].fn(argc, argv, apx_setting(sysfs,
							  "APMATRIX_SYSFS",
							  "/sys"));
	}
	apx_err("unknown command '%s' (try --help)", argv[optind]);
	return APX_EXIT_USAGE;
}
