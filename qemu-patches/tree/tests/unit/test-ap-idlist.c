/*
 * Unit tests for the AP id lists of the s390x AP matrix properties.
 *
 * The vectors are the apmatrix project's one table of the id-list
 * syntax (ap-idlist-vectors.h), which the kernel series and the tools
 * pass too: every valid input must give its canonical form (and parse
 * again to the same set), every invalid one its errno and exact message.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/s390x/ap-idlist.h"

typedef struct APIdListVector {
    const char *input;
    unsigned int max;
    const char *canonical;  /* NULL for an invalid input */
    int err;                /* negative errno */
    unsigned int pos;
    const char *msg;
} APIdListVector;

static const APIdListVector vectors[] = {
#define APMX_IDLIST_OK(in, max, canon) \
    { in, max, canon, 0, 0, NULL },
#define APMX_IDLIST_ERR(in, max, errname, pos, msg) \
    { in, max, NULL, -errname, pos, msg },
#include "ap-idlist-vectors.h"
#undef APMX_IDLIST_OK
#undef APMX_IDLIST_ERR
};

static void test_vector(gconstpointer opaque)
{
    const APIdListVector *v = opaque;
    uint8_t mask[AP_IDLIST_BYTES];
    uint8_t again[AP_IDLIST_BYTES];
    g_autofree char *canon = NULL;
    g_autofree char *pos = NULL;
    Error *err = NULL;
    int ret;

    memset(mask, 0xa5, sizeof(mask));
    ret = ap_idlist_parse(v->input, v->max, mask, &err);
    if (!v->canonical) {
        g_assert_cmpint(ret, ==, v->err);
        g_assert(err);
        g_assert_cmpstr(error_get_pretty(err), ==, v->msg);
        /* the message names the position the table gives */
        pos = g_strdup_printf("' at position %u: ", v->pos);
        g_assert(strstr(error_get_pretty(err), pos));
        error_free(err);
        /* a failed parse leaves the mask alone */
        for (ret = 0; ret < AP_IDLIST_BYTES; ret++) {
            g_assert_cmpint(mask[ret], ==, 0xa5);
        }
        return;
    }
    g_assert_null(err);
    g_assert_cmpint(ret, ==, 0);
    canon = ap_idlist_format(mask);
    g_assert_cmpstr(canon, ==, v->canonical);
    g_assert_cmpint(ap_idlist_parse(canon, v->max, again, &error_abort),
                    ==, 0);
    g_assert_cmpmem(again, sizeof(again), mask, sizeof(mask));
    g_assert(ap_idlist_empty(mask) == !*canon);
}

/* The longest canonical string: every other id but a run at the end */
static void test_format_longest(void)
{
    uint8_t mask[AP_IDLIST_BYTES] = { 0 };
    g_autofree char *s = NULL;
    unsigned int id;

    for (id = 0; id <= AP_IDLIST_MAX_ID; id++) {
        if (id % 3 != 2) {
            ap_idlist_set(mask, id);
        }
    }
    s = ap_idlist_format(mask);
    g_assert_cmpuint(strlen(s), ==, 609);
    g_assert(g_str_has_prefix(s, "0-1:3-4:6-7:"));
    g_assert(g_str_has_suffix(s, ":252-253:255"));
}

int main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < ARRAY_SIZE(vectors); i++) {
        g_autofree char *name =
            g_strdup_printf("/s390x/ap-idlist/vector/%zu", i);

        g_test_add_data_func(name, &vectors[i], test_vector);
    }
    g_test_add_func("/s390x/ap-idlist/format-longest", test_format_longest);
    return g_test_run();
}
