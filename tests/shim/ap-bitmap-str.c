// SPDX-License-Identifier: GPL-2.0
/*
 * The AP bus's mask syntax, each function as strict as the Linux 6.1
 * function it models (named in its comment).  See ap-bitmap-str.h.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include "ap-bitmap-str.h"

#define BITS	(APSIM_MASK_BYTES * 8)

/* arch/s390/include/asm/bitops.h set_bit_inv() / clear_bit_inv() */
static void set_inv(unsigned char *m, unsigned long long i)
{
	m[i / 8] |= 0x80 >> (i % 8);
}

static void clear_inv(unsigned char *m, unsigned long long i)
{
	m[i / 8] &= ~(0x80 >> (i % 8));
}

/* lib/hexdump.c hex_to_bin(): the value of a hex digit, or -1 */
static int hexval(char c)
{
	static const char digits[] = "0123456789abcdef";
	const char *p = c ? strchr(digits, tolower((unsigned char)c)) : NULL;

	return p ? p - digits : -1;
}

/*
 * lib/vsprintf.c simple_strtoul(@s, @end, 0) (unsigned long is 64 bits
 * on s390x): base 16 after "0x" or "0X" followed by a hex digit, 8 after
 * another leading 0, else 10 (lib/kstrtox.c _parse_integer_fixup_radix());
 * no blanks, no sign; *@end = the first character not used.  A value
 * that overflows wraps modulo 2^64, as lib/kstrtox.c
 * _parse_integer_limit() computes it (it flags the overflow,
 * simple_strntoull() ignores the flag): "18446744073709551617" is 1.
 */
static unsigned long long strtoul0(const char *s, const char **end)
{
	unsigned long long v = 0;
	unsigned int base = 10;
	int d;

	if (s[0] == '0') {
		base = 8;
		if ((s[1] == 'x' || s[1] == 'X') && hexval(s[2]) >= 0) {
			base = 16;
			s += 2;
		}
	}
	for (; (d = hexval(*s)) >= 0 && (unsigned int)d < base; s++)
		v = v * base + d;
	*end = s;
	return v;
}

/*
 * drivers/s390/crypto/ap_bus.c hex2bitmap(): the absolute form, a hex
 * mask, most significant bit first ("0x" or "x" before it optional, at
 * most 64 digits, an optional newline after it); bits it does not give
 * are 0.  The empty string is the empty mask.
 */
static int parse_abs(const char *s, unsigned char *m)
{
	unsigned int i, b;
	int d;

	memset(m, 0, APSIM_MASK_BYTES);
	if (s[0] == '0' && s[1] == 'x')
		s++;
	if (*s == 'x')
		s++;
	for (i = 0; i < BITS && (d = hexval(*s)) >= 0; s++, i += 4)
		for (b = 0; b < 4; b++)
			if (d & (8 >> b))
				set_inv(m, i + b);
	if (*s == '\n')
		s++;
	return *s ? -EINVAL : 0;
}

/*
 * drivers/s390/crypto/ap_bus.c modify_bitmap(): the relative form, terms
 * "+ID", "+ID-ID", "-ID", "-ID-ID" (ids as simple_strtoul() base 0 reads
 * them, into an unsigned long, each below 256, a range not descending)
 * separated by any run of ',' and '\n', applied to @m in order: '+'
 * sets, '-' clears, the last one wins.  A term that fails leaves the
 * terms before it applied to @m (the caller discards @m).
 */
static int parse_rel(const char *s, unsigned char *m)
{
	unsigned long long a, z, i;
	const char *e;
	char sign;

	while (*s) {
		sign = *s++;
		if (sign != '+' && sign != '-')
			return -EINVAL;
		a = z = strtoul0(s, &e);
		if (e == s || a >= BITS)
			return -EINVAL;
		s = e;
		if (*s == '-') {
			z = strtoul0(++s, &e);
			if (e == s || a > z || z >= BITS)
				return -EINVAL;
			s = e;
		}
		for (i = a; i <= z; i++)
			if (sign == '+')
				set_inv(m, i);
			else
				clear_inv(m, i);
		while (*s == ',' || *s == '\n')
			s++;
	}
	return 0;
}

/*
 * drivers/s390/crypto/ap_bus.c ap_parse_bitmap_str(): a string that
 * starts with '+' or '-' edits a copy of the current mask
 * (modify_bitmap()), any other one replaces it (hex2bitmap()).
 */
int apsim_parse_bitmap_str(const char *s, const unsigned char *cur,
			   unsigned char *want)
{
	if (*s == '+' || *s == '-') {
		memcpy(want, cur, APSIM_MASK_BYTES);
		return parse_rel(s, want);
	}
	return parse_abs(s, want);
}
