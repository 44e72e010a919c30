/*
 * AP id lists: parse and print the sets of AP adapters and domains of
 * the ap-adapters, ap-domains and ap-control-domains machine properties.
 *
 *   "1:3-5:0x10"   ids 1, 3, 4, 5 and 16
 *
 * The syntax and every message are those of the apmatrix id lists that
 * the kernel series and the tools use too; tests/unit/test-ap-idlist.c
 * checks this code against their shared table of test vectors.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "hw/s390x/ap-idlist.h"

/* The longest part of an element quoted in a message before "..." */
#define AP_IDLIST_QUOTE     40
/* Every larger value is only "too large" */
#define AP_IDLIST_HUGE      0x10000u

typedef struct APIdListToken {
    const char *str;        /* the element */
    size_t len;             /* its length */
    size_t pos;             /* 1-based position in the whole value */
    unsigned int max_id;
} APIdListToken;

static int G_GNUC_PRINTF(4, 5)
ap_idlist_error(const APIdListToken *t, int ret, Error **errp,
                const char *fmt, ...)
{
    size_t quote = MIN(t->len, AP_IDLIST_QUOTE);
    g_autofree char *why = NULL;
    va_list ap;

    va_start(ap, fmt);
    why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_setg(errp, "'%.*s%s' at position %zu: %s", (int)quote, t->str,
               quote < t->len ? "..." : "", t->pos, why);
    return ret;
}

static bool ap_idlist_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
           c == '\v' || c == '\f';
}

static bool ap_idlist_is_sep(char c)
{
    return c == ':' || c == ',';
}

/* @c in a message: itself if it is printable, else '?' */
static char ap_idlist_printable(char c)
{
    return c > ' ' && c < 0x7f ? c : '?';
}

static int ap_idlist_digit(char c, unsigned int base)
{
    int d = -1;

    if (c >= '0' && c <= '9') {
        d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
    }
    return d >= 0 && d < base ? d : -1;
}

/*
 * The id s[0..len) of element @t: decimal (leading zeros never mean
 * octal) or 0x hex.  A value that does not fit becomes AP_IDLIST_HUGE.
 */
static int ap_idlist_parse_id(const APIdListToken *t, const char *s,
                              size_t len, unsigned int *val, Error **errp)
{
    unsigned int base = 10;
    unsigned int v = 0;
    size_t i = 0;
    int d;

    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
        if (len == 2) {
            return ap_idlist_error(t, -EINVAL, errp,
                                   "no hex digits after 0x");
        }
    }
    for (; i < len; i++) {
        d = ap_idlist_digit(s[i], base);
        if (d < 0) {
            return ap_idlist_error(t, -EINVAL, errp,
                                   "'%c' is not a %s digit",
                                   ap_idlist_printable(s[i]),
                                   base == 16 ? "hex" : "decimal");
        }
        v = MIN(v * base + d, AP_IDLIST_HUGE);
    }
    *val = v;
    return 0;
}

static int ap_idlist_check_id(const APIdListToken *t, unsigned int id,
                              Error **errp)
{
    if (id <= t->max_id) {
        return 0;
    }
    if (id >= AP_IDLIST_HUGE) {
        return ap_idlist_error(t, -ERANGE, errp,
                               "id is above the highest id %u", t->max_id);
    }
    return ap_idlist_error(t, -ERANGE, errp,
                           "id %u is above the highest id %u",
                           id, t->max_id);
}

/* One element, "id" or "first-last": add its ids to @mask */
static int ap_idlist_parse_element(const APIdListToken *t, uint8_t *mask,
                                   Error **errp)
{
    const char *end = t->str + t->len;
    const char *dash;
    unsigned int first, last, id;
    size_t i;
    int ret;

    if (!t->len) {
        return ap_idlist_error(t, -EINVAL, errp,
                               "empty element (stray separator)");
    }
    for (i = 0; i < t->len; i++) {
        if (ap_idlist_is_blank(t->str[i])) {
            return ap_idlist_error(t, -EINVAL, errp,
                                   "blanks are not allowed");
        }
    }
    dash = memchr(t->str, '-', t->len);
    if (!dash) {
        ret = ap_idlist_parse_id(t, t->str, t->len, &first, errp);
        if (!ret) {
            ret = ap_idlist_check_id(t, first, errp);
        }
        if (!ret) {
            ap_idlist_set(mask, first);
        }
        return ret;
    }
    if (dash == t->str) {
        return ap_idlist_error(t, -EINVAL, errp, "range start missing");
    }
    if (dash + 1 == end) {
        return ap_idlist_error(t, -EINVAL, errp, "range end missing");
    }
    if (memchr(dash + 1, '-', end - dash - 1)) {
        return ap_idlist_error(t, -EINVAL, errp, "more than one '-'");
    }
    ret = ap_idlist_parse_id(t, t->str, dash - t->str, &first, errp);
    if (!ret) {
        ret = ap_idlist_parse_id(t, dash + 1, end - dash - 1, &last, errp);
    }
    if (ret) {
        return ret;
    }
    if (first > last) {
        if (first >= AP_IDLIST_HUGE) {
            return ap_idlist_error(t, -EINVAL, errp,
                                   "range start is above end %u", last);
        }
        return ap_idlist_error(t, -EINVAL, errp,
                               "range start %u is above end %u", first, last);
    }
    ret = ap_idlist_check_id(t, last, errp);
    if (ret) {
        return ret;
    }
    for (id = first; id <= last; id++) {
        ap_idlist_set(mask, id);
    }
    return 0;
}

bool ap_idlist_empty(const uint8_t *mask)
{
    return buffer_is_zero(mask, AP_IDLIST_BYTES);
}

int ap_idlist_parse(const char *str, unsigned int max_id, uint8_t *mask,
                    Error **errp)
{
    uint8_t tmp[AP_IDLIST_BYTES] = { 0 };
    APIdListToken t = { .max_id = MIN(max_id, AP_IDLIST_MAX_ID) };
    size_t len = str ? strlen(str) : 0;
    size_t start, end;
    int ret;

    for (start = 0; start < len; start = end + 1) {
        for (end = start; end < len && !ap_idlist_is_sep(str[end]); end++) {
            /* find the end of the element */
        }
        t.str = str + start;
        t.len = end - start;
        t.pos = start + 1;
        ret = ap_idlist_parse_element(&t, tmp, errp);
        if (ret) {
            return ret;
        }
        if (end + 1 == len) {
            /* a separator at the end: an empty last element */
            t.str = str + len;
            t.len = 0;
            t.pos = len + 1;
            return ap_idlist_parse_element(&t, tmp, errp);
        }
    }
    memcpy(mask, tmp, sizeof(tmp));
    return 0;
}

char *ap_idlist_format(const uint8_t *mask)
{
    GString *s = g_string_new("");
    unsigned int first, last;

    for (first = 0; first <= AP_IDLIST_MAX_ID; first = last + 1) {
        if (!ap_idlist_test(mask, first)) {
            last = first;
            continue;
        }
        last = first;
        while (last < AP_IDLIST_MAX_ID && ap_idlist_test(mask, last + 1)) {
            last++;
        }
        g_string_append_printf(s, "%s%u", s->len ? ":" : "", first);
        if (last != first) {
            g_string_append_printf(s, "-%u", last);
        }
    }
    return g_string_free(s, false);
}
