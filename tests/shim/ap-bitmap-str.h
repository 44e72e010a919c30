/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AP bus's apmask/aqmask syntax, as Linux 6.1 parses what is written
 * to /sys/bus/ap/apmask and aqmask: one parser for every simulation of
 * the AP bus in this repo (ksim's, tests/ksim/ksim-ap-bus.c, and the
 * tool tests' LD_PRELOAD one, tests/tools/apbus-sim.c).
 */
#ifndef APSIM_AP_BITMAP_STR_H
#define APSIM_AP_BITMAP_STR_H

/* a 256-bit AP mask, id 0 in the most significant bit of byte 0 */
#define APSIM_MASK_BYTES	32

/*
 * drivers/s390/crypto/ap_bus.c ap_parse_bitmap_str() with bits = 256:
 * parse @s against the current mask @cur into @want (which may not be
 * @cur).  Return: 0, or -EINVAL with @want undefined.
 */
int apsim_parse_bitmap_str(const char *s, const unsigned char *cur,
			   unsigned char *want);

#endif
