// SPDX-License-Identifier: GPL-2.0
/* The emulated host's monitor, through the host: see tbmon.h. */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tbmon.h"

char tb_ack[8192];
static int tb_seq;

void tb_mon_init(void)
{
	struct termios t;

	if (!tcgetattr(0, &t)) {
		t.c_lflag &= ~(ECHO | ECHONL);
		tcsetattr(0, TCSANOW, &t);
	}
}

const char *tb_req(const char *fmt, ...)
{
	char want[32], line[sizeof(tb_ack)];
	size_t fill = 0;
	va_list ap;
	int n = ++tb_seq;

	printf("testbed-req %d ", n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	snprintf(want, sizeof(want), "testbed-ack %d ", n);
	for (;;) {
		struct pollfd p = { .fd = 0, .events = POLLIN };
		ssize_t r;
		char *nl;

		if (poll(&p, 1, 60000) <= 0)
			break;
		r = read(0, line + fill, sizeof(line) - 1 - fill);
		if (r <= 0)
			break;
		fill += r;
		line[fill] = '\0';
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			if (nl > line && nl[-1] == '\r')
				nl[-1] = '\0';
			if (!strncmp(line, want, strlen(want))) {
				snprintf(tb_ack, sizeof(tb_ack), "%s",
					 line + strlen(want));
				return tb_ack;
			}
			fill -= nl + 1 - line;
			memmove(line, nl + 1, fill + 1);
		}
		if (fill >= sizeof(line) - 1)
			fill = 0;
	}
	snprintf(tb_ack, sizeof(tb_ack), "error timeout");
	return tb_ack;
}

int tb_req_ok(const char *a)
{
	return !strncmp(a, "ok", 2);
}
