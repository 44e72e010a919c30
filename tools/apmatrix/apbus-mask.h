/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AP bus's own mask text, as Linux 6.1 drivers/s390/crypto/ap_bus.c
 * writes it (apmask_show(), aqmask_show(), ap_adapter_mask_show(), ...)
 * and reads it (hex2bitmap(), through ap_parse_mask_str()): "0x" then hex
 * digits, bit 0 the leftmost, zero-padded on the right.  This is not the
 * id-list syntax (docs/id-list-syntax.md), where "0x0a" is id 10; it is
 * only for the AP bus's attributes and chzdev's udev rule.
 */
#ifndef APMATRIX_APBUS_MASK_H
#define APMATRIX_APBUS_MASK_H

#include "apmx.h"

/* "0x" + 64 hex digits and "\n": @buf needs APX_MASK_TEXT bytes. */
#define APX_MASK_TEXT	(2 + 2 * APMX_MASK_BYTES + 2)

/*
 * Read @text ("0x" or "0X", then 1 to 64 hex digits of either case,
 * nothing else: the caller strips the newline) into @mask.  Returns 0, or
 * -EINVAL with @mask unchanged.
 */
int apx_mask_from_sysfs(const char *text, u8 *mask);
/* Write @mask as apmask_show() does: "0x" + 64 hex digits + "\n". */
void apx_mask_to_sysfs(const u8 *mask, char *buf);

#endif
