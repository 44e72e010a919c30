// SPDX-License-Identifier: GPL-2.0
/*
 * The AP bus's mask text (apbus-mask.h).  Strict where hex2bitmap() (Linux
 * 6.1 drivers/s390/crypto/ap_bus.c) is lax: it stops at the first non-hex
 * character and ignores digits beyond the mask; here such text is refused,
 * as it never comes from the AP bus.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "apbus-mask.h"

static int apx_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int apx_mask_from_sysfs(const char *text, u8 *mask)
{
	u8 tmp[APMX_MASK_BYTES] = { 0 };
	size_t i, digits;
	int d;

	if (text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
		return -EINVAL;
	text += 2;
	digits = strlen(text);
	if (!digits || digits > 2 * APMX_MASK_BYTES)
		return -EINVAL;
	for (i = 0; i < digits; i++) {
		d = apx_hex_digit(text[i]);
		if (d < 0)
			return -EINVAL;
		/* digit i holds bits 4i .. 4i+3, the first in the high nibble */
		tmp[i / 2] |= i % 2 ? d : d << 4;
	}
	memcpy(mask, tmp, sizeof(tmp));
	return 0;
}

void apx_mask_to_sysfs(const u8 *mask, char *buf)
{
	int i;

	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < APMX_MASK_BYTES; i++)
		sprintf(buf + 2 + 2 * i, "%02x", mask[i]);
	buf[2 + 2 * APMX_MASK_BYTES] = '\n';
	buf[3 + 2 * APMX_MASK_BYTES] = '\0';
}
