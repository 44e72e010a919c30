// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apmx id lists: parse and format sets of AP ids (docs/id-list-syntax.md).
 *
 *   "1:3-5:0x10"   ids 1, 3, 4, 5 and 16 (":" or "," separate elements)
 *   "0x0a"         id 10: a 0x token is always one hex id, never a mask
 */
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include "apmx.h"

/* Longest token quoted in an error message before it is cut with "..." */
#define APMX_TOKEN_QUOTE	40
/* Any id value above this is only "too large"; keeps the sums small. */
#define APMX_ID_HUGE		0x10000u

/* Where the parser is and where its message goes. */
struct apmx_parse {
	const char *tok;	/* the token being parsed */
	size_t len;		/* its length */
	size_t pos;		/* its 1-based position in the string */
	unsigned int max_id;
	char *err;
	size_t errlen;
};

static __printf(3, 4)
int apmx_parse_err(const struct apmx_parse *p, int rc, const char *fmt, ...)
{
	size_t quote = min_t(size_t, p->len, APMX_TOKEN_QUOTE);
	va_list args;
	int n;

	if (!p->err || !p->errlen)
		return rc;
	n = snprintf(p->err, p->errlen, "'%.*s%s' at position %zu: ",
		     (int)quote, p->tok, quote < p->len ? "..." : "", p->pos);
	if (n < 0 || (size_t)n >= p->errlen)
		return rc;
	va_start(args, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, args);
	va_end(args);
	return rc;
}

static bool apmx_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\v' || c == '\f';
}

static bool apmx_is_sep(char c)
{
	return c == ':' || c == ',';
}

static bool apmx_has_hex_prefix(const char *s, size_t len)
{
	return len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/* Value of hex digit @c, or -1. */
static int apmx_hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A character for a message: itself if printable, else '?'. */
static char apmx_printable(char c)
{
	return c > ' ' && c < 0x7f ? c : '?';
}

/*
 * Parse the id s[0..len) of token @p: decimal (leading zeros allowed, never
 * octal) or 0x hex.  Values that do not fit saturate at APMX_ID_HUGE.
 */
static int apmx_parse_id(const struct apmx_parse *p, const char *s,
			 size_t len, unsigned int *val)
{
	unsigned int base = 10;
	unsigned int v = 0;
	size_t i = 0;
	int d;

	if (apmx_has_hex_prefix(s, len)) {
		base = 16;
		i = 2;
		if (len == 2)
			return apmx_parse_err(p, -EINVAL,
					      "no hex digits after 0x");
	}
	for (; i < len; i++) {
		d = apmx_hex_val(s[i]);
		if (d < 0 || (unsigned int)d >= base)
			return apmx_parse_err(p, -EINVAL,
					      "'%c' is not a %s digit",
					      apmx_printable(s[i]),
					      base == 16 ? "hex" : "decimal");
		v = v * base + d;
		if (v > APMX_ID_HUGE)
			v = APMX_ID_HUGE;
	}
	*val = v;
	return 0;
}

static int apmx_check_id(const struct apmx_parse *p, unsigned int id)
{
	if (id <= p->max_id)
		return 0;
	if (id >= APMX_ID_HUGE)
		return apmx_parse_err(p, -ERANGE,
				      "id is above the highest id %u",
				      p->max_id);
	return apmx_parse_err(p, -ERANGE, "id %u is above the highest id %u",
			      id, p->max_id);
}

/* One element of a list: "id" or "id-id"; sets its ids in @mask. */
static int apmx_parse_element(const struct apmx_parse *p, u8 *mask)
{
	const char *dash;
	unsigned int first, last, id;
	size_t i;
	int rc;

	if (!p->len)
		return apmx_parse_err(p, -EINVAL,
				      "empty element (stray separator)");
	for (i = 0; i < p->len; i++)
		if (apmx_is_blank(p->tok[i]))
			return apmx_parse_err(p, -EINVAL,
					      "blanks are not allowed");
	dash = memchr(p->tok, '-', p->len);
	if (!dash) {
		rc = apmx_parse_id(p, p->tok, p->len, &first);
		if (!rc)
			rc = apmx_check_id(p, first);
		if (!rc)
			apmx_mask_set(mask, first);
		return rc;
	}
	if (dash == p->tok)
		return apmx_parse_err(p, -EINVAL, "range start missing");
	if (dash == p->tok + p->len - 1)
		return apmx_parse_err(p, -EINVAL, "range end missing");
	if (memchr(dash + 1, '-', p->tok + p->len - dash - 1))
		return apmx_parse_err(p, -EINVAL, "more than one '-'");
	rc = apmx_parse_id(p, p->tok, dash - p->tok, &first);
	if (rc)
		return rc;
	rc = apmx_parse_id(p, dash + 1, p->tok + p->len - dash - 1, &last);
	if (rc)
		return rc;
	if (first > last) {
		if (first >= APMX_ID_HUGE)
			return apmx_parse_err(p, -EINVAL,
					      "range start is above end %u",
					      last);
		return apmx_parse_err(p, -EINVAL,
				      "range start %u is above end %u",
				      first, last);
	}
	rc = apmx_check_id(p, last);
	if (rc)
		return rc;
	for (id = first; id <= last; id++)
		apmx_mask_set(mask, id);
	return 0;
}

/**
 * apmx_idlist_parse() - parse an id list
 * @str: the text; NULL reads as "" (the empty set)
 * @max_id: highest id allowed (values above KVM_S390_AP_MAX_ID act as it)
 * @mask: the result, APMX_MASK_BYTES bytes, written only on success
 * @err: buffer for the error message, or NULL
 * @errlen: size of @err
 *
 * See apmx.h and docs/id-list-syntax.md for the syntax.  The elements are
 * parsed from left to right and the first bad one is reported.  On success
 * @err (if any) is set to "".
 *
 * Return: 0; -EINVAL for a syntax error, -ERANGE for an id above @max_id.
 * On error @mask is unchanged and @err names the offending token and the
 * 1-based position of its first character in @str.
 */
int apmx_idlist_parse(const char *str, unsigned int max_id, u8 *mask,
		      char *err, size_t errlen)
{
	struct apmx_parse p = {
		.max_id = min_t(unsigned int, max_id, KVM_S390_AP_MAX_ID),
		.err = err,
		.errlen = errlen,
	};
	u8 tmp[APMX_MASK_BYTES] = { 0 };
	size_t len, start, end;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!str)
		str = "";
	len = strlen(str);
	for (start = 0; len; start = end + 1) {
		for (end = start; end < len && !apmx_is_sep(str[end]); end++)
			;
		p.tok = str + start;
		p.len = end - start;
		p.pos = start + 1;
		rc = apmx_parse_element(&p, tmp);
		if (rc)
			return rc;
		if (end == len)
			break;
	}
	memcpy(mask, tmp, sizeof(tmp));
	return 0;
}

/* Append the decimal @v at @*pos, writing only what fits below @len - 1. */
static void apmx_put_uint(char *buf, size_t len, size_t *pos, unsigned int v)
{
	char digits[10];
	int n = 0;

	do {
		digits[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n--) {
		if (*pos + 1 < len)
			buf[*pos] = digits[n];
		(*pos)++;
	}
}

static void apmx_put_char(char *buf, size_t len, size_t *pos, char c)
{
	if (*pos + 1 < len)
		buf[*pos] = c;
	(*pos)++;
}

/**
 * apmx_idlist_format() - write the canonical form of a mask
 * @mask: APMX_MASK_BYTES bytes
 * @buf: the output, or NULL with @len 0
 * @len: size of @buf; APMX_IDLIST_FMT_LEN always suffices
 *
 * The canonical form lists maximal runs of consecutive ids in ascending
 * order, separated by ":"; a single id is written alone ("7"), a run of
 * two or more as "first-last" ("3-5"), all in decimal.  The empty set is
 * "".  @buf is always NUL-terminated when @len > 0; a short @buf gets a
 * prefix of the canonical string.
 *
 * Return: the length of the full canonical string (without the NUL).
 */
size_t apmx_idlist_format(const u8 *mask, char *buf, size_t len)
{
	unsigned int first, last;
	size_t pos = 0;

	first = apmx_mask_next(mask, 0);
	while (first < APMX_NR_IDS) {
		last = first;
		while (last + 1 < APMX_NR_IDS && apmx_mask_test(mask, last + 1))
			last++;
		if (pos)
			apmx_put_char(buf, len, &pos, ':');
		apmx_put_uint(buf, len, &pos, first);
		if (last != first) {
			apmx_put_char(buf, len, &pos, '-');
			apmx_put_uint(buf, len, &pos, last);
		}
		first = apmx_mask_next(mask, last + 1);
	}
	if (len)
		buf[min(pos, len - 1)] = '\0';
	return pos;
}
