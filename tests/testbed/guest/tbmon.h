/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulated host's monitor, through the host (tbmon.c): a request goes
 * out as a console line "testbed-req N VERB ARGS"; tests/testbed/host/
 * tb-host.py issues the QMP commands and answers "testbed-ack N ok|error
 * ..." into the console's input, which the guest program reads on stdin.
 */
#ifndef TBMON_H
#define TBMON_H

/* the last answer, after "testbed-ack N " */
extern char tb_ack[8192];

/* the host's answers come in on the console: stop echoing them */
void tb_mon_init(void);
/*
 * Send a request to the host and wait (up to 60 s) for its answer.
 * Return: tb_ack ("ok ..." or "error ..."), or "error timeout".
 */
const char *tb_req(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* whether answer @a is "ok ..." */
int tb_req_ok(const char *a);

#endif
