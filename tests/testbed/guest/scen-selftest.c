// SPDX-License-Identifier: GPL-2.0
/*
 * The series' own userspace, unmodified, on the real kernel (issue 9):
 * the KVM selftest s390x/ap_matrix_test (tools/testing/selftests/kvm,
 * built statically with its library) and the sample VMM
 * samples/kvm/s390-ap-matrix/ap-matrix-vmm.  Their exit status is the
 * check; their output is echoed as "# " lines.
 *
 *   scen-selftest --adapters LIST --domains LIST
 *
 * The selftest needs an APQN free of the default drivers (it skips with
 * exit 4 otherwise, which fails here): the last adapter is freed with
 * apmask first and given back at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb.h"
#include "tbrun.h"

int main(int argc, char **argv)
{
	u8 apm[APMX_MASK_BYTES] = { 0 }, aqm[APMX_MASK_BYTES] = { 0 };
	char err[APMX_ERRMSG_LEN], out[8192], a[8], d[8], o[8], q[16];
	unsigned int A, A0, D0;
	int st, rc;

	tb_suite = "selftest";
	if (argc != 5 || apmx_idlist_parse(argv[2], KVM_S390_AP_MAX_ID, apm,
					   err, sizeof(err)) ||
	    apmx_idlist_parse(argv[4], KVM_S390_AP_MAX_ID, aqm, err,
			      sizeof(err))) {
		fprintf(stderr, "usage: scen-selftest --adapters LIST --domains LIST\n");
		return 2;
	}
	A = apmx_mask_last(apm);
	A0 = apmx_mask_next(apm, 0);
	D0 = apmx_mask_next(aqm, 0);

	rc = ap_mask_edit("apmask", '-', A);
	snprintf(q, sizeof(q), "%02x.%04x", A, D0);
	check(!rc && !wait_driver(q, ""),
	      "apmask -%u: the selftest finds an APQN free of the default drivers",
	      A);

	{
		char *av[] = { "/bin/ap_matrix_test", NULL };

		st = tb_run(av, -1, out, sizeof(out), TB_RUN_SECS);
		check(tb_exitcode(st) == 0 &&
		      strstr(out, "# Totals: pass:4 fail:0"),
		      "s390x/ap_matrix_test exits 0 with 4 passed (exit %d)",
		      tb_exitcode(st));
	}

	/* the sample VMM: a free queue is set, a host-owned one refused */
	snprintf(a, sizeof(a), "%u", A);
	snprintf(d, sizeof(d), "%u", D0);
	{
		char *av[] = { "/bin/ap-matrix-vmm", "-a", a, "-d", d, NULL };

		st = tb_run(av, -1, out, sizeof(out), TB_RUN_SECS);
		check(tb_exitcode(st) == 0 && strstr(out, "effective"),
		      "ap-matrix-vmm -a %s -d %s exits 0 and prints the effective matrix (exit %d)",
		      a, d, tb_exitcode(st));
	}
	snprintf(o, sizeof(o), "%u", A0);
	if (A0 != A) {
		char *av[] = { "/bin/ap-matrix-vmm", "-a", o, "-d", d, NULL };
		char want[64];

		st = tb_run(av, -1, out, sizeof(out), TB_RUN_SECS);
		snprintf(want, sizeof(want), "adapter  %u ", A0);
		check(tb_exitcode(st) == 1 &&
		      strstr(out, "refused: owned by the host") &&
		      strstr(out, want) &&
		      strstr(out, "holder   host default drivers"),
		      "ap-matrix-vmm -a %s -d %s (host-owned) exits 1 and names the APQN and the host (exit %d)",
		      o, d, tb_exitcode(st));
	}

	rc = ap_mask_edit("apmask", '+', A);
	check(!rc && !wait_driver(q, "cex4queue"),
	      "apmask +%u gives %s back to cex4queue (rc %d)", A, q, rc);
	return tb_finish();
}
