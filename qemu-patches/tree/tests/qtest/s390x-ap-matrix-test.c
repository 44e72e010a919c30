/*
 * QTest for the AP matrix machine properties of the s390-ccw-virtio
 * machines: ap-adapters, ap-domains, ap-control-domains and ap-grant.
 *
 * Without KVM the matrix is only recorded, so this checks what the
 * properties accept and print, the messages for bad input, the vfio-ap
 * conflict and the migration blocker while the matrix is in use, and
 * that clearing it lifts both.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"

#define MACHINE "s390-ccw-virtio"

static char *qom_get_str(QTestState *qts, const char *prop)
{
    QDict *rsp;
    char *val;

    rsp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments':"
                    " { 'path': '/machine', 'property': %s } }", prop);
    g_assert(qdict_haskey(rsp, "return"));
    val = g_strdup(qdict_get_str(rsp, "return"));
    qobject_unref(rsp);
    return val;
}

/* qom-set @prop to @val; NULL on success, else the error description */
static char *qom_set_str(QTestState *qts, const char *prop, const char *val)
{
    QDict *rsp;
    char *err = NULL;

    rsp = qtest_qmp(qts, "{ 'execute': 'qom-set', 'arguments':"
                    " { 'path': '/machine', 'property': %s, 'value': %s } }",
                    prop, val);
    if (qdict_haskey(rsp, "error")) {
        err = g_strdup(qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"));
    } else {
        g_assert(qdict_haskey(rsp, "return"));
    }
    qobject_unref(rsp);
    return err;
}

static void assert_prop(QTestState *qts, const char *prop, const char *want)
{
    g_autofree char *val = qom_get_str(qts, prop);

    g_assert_cmpstr(val, ==, want);
}

/*
 * Run QEMU with @args (NULL-terminated) until it exits; it must fail.
 * Returns what it printed on stderr.
 */
static char *qemu_must_fail(const char *const *args)
{
    const char *bin = g_getenv("QTEST_QEMU_BINARY");
    g_auto(GStrv) binv = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) gerr = NULL;
    char *err = NULL;
    int status = 0;
    int i;

    g_assert(bin);
    g_assert(g_shell_parse_argv(bin, NULL, &binv, NULL));
    for (i = 0; binv[i]; i++) {
        g_ptr_array_add(argv, binv[i]);
    }
    g_ptr_array_add(argv, (gpointer)"-display");
    g_ptr_array_add(argv, (gpointer)"none");
    g_ptr_array_add(argv, (gpointer)"-nodefaults");
    g_ptr_array_add(argv, (gpointer)"-S");
    for (i = 0; args[i]; i++) {
        g_ptr_array_add(argv, (gpointer)args[i]);
    }
    g_ptr_array_add(argv, NULL);

    g_assert(g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                          G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                          &err, &status, NULL));
    g_assert_false(g_spawn_check_exit_status(status, &gerr));
    g_assert(err);
    return err;
}

/* stderr must be exactly one line that contains @want */
static void assert_one_line(const char *err, const char *want)
{
    const char *nl = strchr(err, '\n');

    if (!strstr(err, want)) {
        g_printerr("expected '%s' in '%s'\n", want, err);
        g_assert_not_reached();
    }
    g_assert(nl && nl[1] == '\0');
}

/*
 * stderr must be one line that contains @want, then QEMU's hint: at least
 * one more line, each ending in a newline
 */
static void assert_line_and_hint(const char *err, const char *want)
{
    const char *nl = strchr(err, '\n');

    if (!strstr(err, want) || (nl && strstr(nl, want))) {
        g_printerr("expected '%s' in the first line of '%s'\n", want, err);
        g_assert_not_reached();
    }
    g_assert(nl && nl[1] != '\0');
    g_assert(g_str_has_suffix(err, "\n"));
}

/* Values given on the command line read back in canonical form. */
static void test_cmdline_canonical(void)
{
    QTestState *qts;

    qts = qtest_init("-machine " MACHINE ",ap-adapters=16:0-3:5,"
                     "ap-domains=0x0f,ap-control-domains=7:0x2");
    assert_prop(qts, "ap-adapters", "0-3:5:16");
    assert_prop(qts, "ap-domains", "15");
    assert_prop(qts, "ap-control-domains", "2:7");
    assert_prop(qts, "ap-grant", "");
    qtest_quit(qts);
}

/* A machine without the properties has empty lists. */
static void test_default_empty(void)
{
    QTestState *qts = qtest_init("-machine " MACHINE);

    assert_prop(qts, "ap-adapters", "");
    assert_prop(qts, "ap-domains", "");
    assert_prop(qts, "ap-control-domains", "");
    qtest_quit(qts);
}

static const struct {
    const char *in;
    const char *canonical;
} roundtrip[] = {
    { "0,3-5,16", "0:3-5:16" },
    { "16:5:4:3:0", "0:3-5:16" },
    { "010", "10" },
    { "1:2", "1-2" },
    { "0-255", "0-255" },
    { "255:0", "0:255" },
    { "0x10:0x1f", "16:31" },
    { "0x10", "16" },
    { "0x0a", "10" },
    { "0x80", "128" },
    { "", "" },
};

/* QMP qom-set of every list property reads back in canonical form. */
static void test_qom_roundtrip(void)
{
    static const char *const props[] = {
        "ap-adapters", "ap-domains", "ap-control-domains"
    };
    QTestState *qts = qtest_init("-machine " MACHINE);
    int i, p;

    for (p = 0; p < ARRAY_SIZE(props); p++) {
        for (i = 0; i < ARRAY_SIZE(roundtrip); i++) {
            g_autofree char *err = qom_set_str(qts, props[p],
                                               roundtrip[i].in);

            g_assert_null(err);
            assert_prop(qts, props[p], roundtrip[i].canonical);
        }
    }
    /* the three lists are independent */
    g_assert_null(qom_set_str(qts, "ap-adapters", "1"));
    g_assert_null(qom_set_str(qts, "ap-domains", "2"));
    g_assert_null(qom_set_str(qts, "ap-control-domains", "3"));
    assert_prop(qts, "ap-adapters", "1");
    assert_prop(qts, "ap-domains", "2");
    assert_prop(qts, "ap-control-domains", "3");
    qtest_quit(qts);
}

static const struct {
    const char *prop;
    const char *in;
    const char *msg;
} bad_input[] = {
    { "ap-adapters", "256",
      "ap-adapters: '256' at position 1: id 256 is above the highest id 255" },
    { "ap-domains", "1:300",
      "ap-domains: '300' at position 3: id 300 is above the highest id 255" },
    { "ap-control-domains", "0-256",
      "ap-control-domains: '0-256' at position 1: "
      "id 256 is above the highest id 255" },
    { "ap-adapters", "5-3",
      "ap-adapters: '5-3' at position 1: range start 5 is above end 3" },
    { "ap-adapters", "1::2",
      "ap-adapters: '' at position 3: empty element (stray separator)" },
    { "ap-adapters", "1:",
      "ap-adapters: '' at position 3: empty element (stray separator)" },
    { "ap-adapters", "x",
      "ap-adapters: 'x' at position 1: 'x' is not a decimal digit" },
    { "ap-adapters", "1:0xg",
      "ap-adapters: '0xg' at position 3: 'g' is not a hex digit" },
    { "ap-adapters", "0x",
      "ap-adapters: '0x' at position 1: no hex digits after 0x" },
    { "ap-adapters", "-3",
      "ap-adapters: '-3' at position 1: range start missing" },
    { "ap-adapters", "3-",
      "ap-adapters: '3-' at position 1: range end missing" },
    { "ap-adapters", "1-2-3",
      "ap-adapters: '1-2-3' at position 1: more than one '-'" },
    { "ap-adapters", "1 2",
      "ap-adapters: '1 2' at position 1: blanks are not allowed" },
    { "ap-adapters", "0x100",
      "ap-adapters: '0x100' at position 1: id 256 is above the highest id "
      "255" },
    { "ap-grant", "9",
      "ap-grant: a file descriptor number is accepted on the command line "
      "only" },
    { "ap-grant", "abc",
      "ap-grant: File descriptor named 'abc' has not been found" },
    { "ap-grant", "/dev/fdset/x",
      "ap-grant: '/dev/fdset/x' is not /dev/fdset/N" },
    { "ap-grant", "/dev/fdset/7",
      "ap-grant: Could not dup FD for /dev/fdset/7" },
    { "ap-grant", "-1",
      "ap-grant: '-1' is neither a file descriptor number nor a name" },
};

/* Bad values are refused with a message and change nothing. */
static void test_qom_bad_input(void)
{
    QTestState *qts = qtest_init("-machine " MACHINE ",ap-adapters=7,"
                                 "ap-domains=8,ap-control-domains=9");
    int i;

    for (i = 0; i < ARRAY_SIZE(bad_input); i++) {
        g_autofree char *err = qom_set_str(qts, bad_input[i].prop,
                                           bad_input[i].in);

        g_assert_nonnull(err);
        if (!strstr(err, bad_input[i].msg)) {
            g_printerr("%s=%s: expected '%s', got '%s'\n", bad_input[i].prop,
                       bad_input[i].in, bad_input[i].msg, err);
            g_assert_not_reached();
        }
    }
    assert_prop(qts, "ap-adapters", "7");
    assert_prop(qts, "ap-domains", "8");
    assert_prop(qts, "ap-control-domains", "9");
    assert_prop(qts, "ap-grant", "");
    qtest_quit(qts);
}

/* A bad value on the command line stops QEMU with the same message. */
static void test_cmdline_bad_input(void)
{
    const char *args[] = {
        "-accel", "qtest", "-machine", MACHINE ",ap-domains=1:300", NULL
    };
    g_autofree char *err = qemu_must_fail(args);

    assert_one_line(err, "ap-domains: '300' at position 3: "
                    "id 300 is above the highest id 255");
}

/* QEMU's -machine parser splits on ',': the documented separator is ':'. */
static void test_cmdline_comma(void)
{
    const char *args[] = {
        "-accel", "qtest", "-machine", MACHINE ",ap-adapters=0,3-5", NULL
    };
    g_autofree char *err = qemu_must_fail(args);

    assert_one_line(err, "Invalid parameter '3-5'");
}

/*
 * Without KVM the matrix is only recorded: TCG starts with it, and a
 * qom-set on a running TCG machine changes it.
 */
static void test_tcg_recorded(void)
{
    QTestState *qts = qtest_init("-S -accel tcg -machine " MACHINE
                                 ",ap-adapters=1,ap-domains=2");

    assert_prop(qts, "ap-adapters", "1");
    g_assert_null(qom_set_str(qts, "ap-adapters", "3:5"));
    assert_prop(qts, "ap-adapters", "3:5");
    assert_prop(qts, "ap-domains", "2");
    qtest_quit(qts);
}

/* migrate to nowhere: NULL if it started, else the error description */
static char *migrate_err(QTestState *qts)
{
    QDict *rsp;
    char *err = NULL;

    rsp = qtest_qmp(qts, "{ 'execute': 'migrate', 'arguments':"
                    " { 'uri': 'exec:cat > /dev/null' } }");
    if (qdict_haskey(rsp, "error")) {
        err = g_strdup(qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"));
    }
    qobject_unref(rsp);
    return err;
}

/* Wait until the migration started by migrate_err() has ended. */
static void migrate_wait(QTestState *qts)
{
    int i;

    for (i = 0; i < 600; i++) {
        QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-migrate' }");
        QDict *ret = qdict_get_qdict(rsp, "return");
        const char *st = ret ? qdict_get_try_str(ret, "status") : NULL;
        bool done = st && (!strcmp(st, "completed") || !strcmp(st, "failed"));

        qobject_unref(rsp);
        if (done) {
            return;
        }
        g_usleep(10 * 1000);
    }
    g_assert_not_reached();
}

/*
 * Migration is blocked while the guest has queues, and only then:
 * clearing every list lifts the blocker.
 */
static void test_migration_blocker(void)
{
    QTestState *qts = qtest_init("-S -machine " MACHINE);
    g_autofree char *err = NULL;

    g_assert_null(qom_set_str(qts, "ap-adapters", "1"));
    g_assert_null(qom_set_str(qts, "ap-domains", "2"));
    err = migrate_err(qts);
    g_assert_nonnull(err);
    g_assert(strstr(err, "the guest uses AP queues"));
    g_assert_null(qom_set_str(qts, "ap-adapters", ""));
    g_assert_null(qom_set_str(qts, "ap-domains", ""));
    g_assert_null(migrate_err(qts));
    /* let the migration end: quitting while it runs races in QEMU's exit */
    migrate_wait(qts);
    qtest_quit(qts);
}

/*
 * set-s390-ap-matrix changes all lists in one step; a bad list changes
 * nothing; the change is reported with S390_AP_MATRIX_CHANGED, and
 * query-s390-ap-matrix and HMP info ap-matrix show it.
 */
static void test_qmp_set_matrix(void)
{
    QTestState *qts = qtest_init("-S -machine " MACHINE ",ap-adapters=3,"
                                 "ap-domains=4");
    QDict *rsp, *ret, *req, *ev;
    g_autofree char *hmp = NULL;

    rsp = qtest_qmp(qts, "{ 'execute': 'set-s390-ap-matrix', 'arguments':"
                    " { 'adapters': '5', 'domains': '6:0x10',"
                    " 'control-domains': '6' } }");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    ev = qtest_qmp_eventwait_ref(qts, "S390_AP_MATRIX_CHANGED");
    req = qdict_get_qdict(qdict_get_qdict(ev, "data"), "matrix");
    g_assert_cmpstr(qdict_get_str(req, "adapters"), ==, "5");
    g_assert_cmpstr(qdict_get_str(req, "domains"), ==, "6:16");
    g_assert_cmpstr(qdict_get_str(req, "control-domains"), ==, "6");
    qobject_unref(ev);
    assert_prop(qts, "ap-adapters", "5");
    assert_prop(qts, "ap-domains", "6:16");

    /* a bad list: nothing changes, not even the good ones */
    rsp = qtest_qmp(qts, "{ 'execute': 'set-s390-ap-matrix', 'arguments':"
                    " { 'adapters': '7', 'domains': '300' } }");
    g_assert(qdict_haskey(rsp, "error"));
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"), ==,
                    "ap-domains: '300' at position 1: id 300 is above the "
                    "highest id 255");
    qobject_unref(rsp);
    assert_prop(qts, "ap-adapters", "5");

    /* a list that is not given stays */
    rsp = qtest_qmp(qts, "{ 'execute': 'set-s390-ap-matrix', 'arguments':"
                    " { 'adapters': '1-2' } }");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_qmp_eventwait(qts, "S390_AP_MATRIX_CHANGED");

    rsp = qtest_qmp(qts, "{ 'execute': 'query-s390-ap-matrix' }");
    ret = qdict_get_qdict(rsp, "return");
    req = qdict_get_qdict(ret, "requested");
    g_assert_cmpstr(qdict_get_str(req, "adapters"), ==, "1-2");
    g_assert_cmpstr(qdict_get_str(req, "domains"), ==, "6:16");
    g_assert_cmpstr(qdict_get_str(req, "control-domains"), ==, "6");
    g_assert(qdict_get_bool(ret, "in-use"));
    g_assert(!qdict_haskey(ret, "effective"));
    g_assert_cmpint(qdict_get_int(ret, "max-adapter"), ==, 255);
    qobject_unref(rsp);

    hmp = qtest_hmp(qts, "info ap-matrix");
    g_assert(strstr(hmp, "requested: adapters '1-2' domains '6:16' "
                    "control domains '6'"));
    g_free(hmp);
    hmp = qtest_hmp(qts, "ap-matrix-set \"\" \"\" \"\"");
    g_assert_cmpstr(hmp, ==, "");
    assert_prop(qts, "ap-adapters", "");
    assert_prop(qts, "ap-control-domains", "");
    qtest_quit(qts);
}

static bool event_pending(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-s390-ap-matrix' }");
    bool pending = qdict_get_bool(qdict_get_qdict(rsp, "return"),
                                  "event-pending");

    qobject_unref(rsp);
    return pending;
}

/* A change queues the CHSC event; a machine reset drops it. */
static void test_event_reset(void)
{
    QTestState *qts = qtest_init("-S -machine " MACHINE);

    g_assert_false(event_pending(qts));
    g_assert_null(qom_set_str(qts, "ap-adapters", "1"));
    g_assert_true(event_pending(qts));
    qtest_qmp_assert_success(qts, "{ 'execute': 'system_reset' }");
    qtest_qmp_eventwait(qts, "RESET");
    g_assert_false(event_pending(qts));
    qtest_quit(qts);
}

static void wait_migration_completed(QTestState *qts)
{
    for (;;) {
        QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-migrate' }");
        QDict *ret = qdict_get_qdict(rsp, "return");
        const char *st = qdict_haskey(ret, "status") ?
                         qdict_get_str(ret, "status") : "";
        bool done = !strcmp(st, "completed");

        g_assert_cmpstr(st, !=, "failed");
        qobject_unref(rsp);
        if (done) {
            return;
        }
        g_usleep(20 * 1000);
    }
}

/* A pending event is migrated with the channel subsystem. */
static void test_event_migrated(void)
{
    g_autofree char *dir = g_dir_make_tmp("ap-matrix-XXXXXX", NULL);
    g_autofree char *file = g_build_filename(dir, "state", NULL);
    g_autofree char *uri = g_strdup_printf("exec:cat > %s", file);
    g_autofree char *in = NULL;
    QTestState *src, *dst;

    src = qtest_init("-S -machine " MACHINE);
    /* the guest was told, then the queues went away: nothing blocks */
    g_assert_null(qom_set_str(src, "ap-adapters", "1"));
    g_assert_null(qom_set_str(src, "ap-domains", "2"));
    g_assert_null(qom_set_str(src, "ap-adapters", ""));
    g_assert_true(event_pending(src));
    qtest_qmp_assert_success(src, "{ 'execute': 'migrate', 'arguments':"
                             " { 'uri': %s } }", uri);
    wait_migration_completed(src);
    qtest_quit(src);

    in = g_strdup_printf("-S -machine " MACHINE " -incoming 'exec:cat %s'",
                         file);
    dst = qtest_init(in);
    wait_migration_completed(dst);
    g_assert_true(event_pending(dst));
    qtest_quit(dst);
    unlink(file);
    rmdir(dir);
}

/*
 * The pipe whose write end is @wfd still has a reader (SIGPIPE is
 * ignored): write one byte; EPIPE means every read end was closed.
 */
static bool pipe_has_reader(int wfd)
{
    char c = 0;

    if (write(wfd, &c, 1) == 1) {
        return true;
    }
    g_assert_cmpint(errno, ==, EPIPE);
    return false;
}

/* QEMU lists fdset @id in query-fdsets */
static bool fdset_exists(QTestState *qts, int64_t id)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-fdsets' }");
    QListEntry *e;
    bool found = false;

    g_assert(qdict_haskey(rsp, "return"));
    QLIST_FOREACH_ENTRY(qdict_get_qlist(rsp, "return"), e) {
        QDict *set = qobject_to(QDict, qlist_entry_obj(e));

        found |= qdict_get_int(set, "fdset-id") == id;
    }
    qobject_unref(rsp);
    return found;
}

static void remove_fdset(QTestState *qts, int64_t id)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'remove-fd', 'arguments':"
                           " { 'fdset-id': %" PRId64 " } }", id);

    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

/*
 * A raw descriptor number is taken on the command line only, and only if
 * it is an AP grant: QEMU's stderr (fd 2, a pipe here) is not one.
 */
static void test_grant_cmdline_fd(void)
{
    const char *args[] = {
        "-accel", "qtest", "-machine", MACHINE ",ap-grant=2", NULL
    };
    g_autofree char *err = qemu_must_fail(args);

    assert_line_and_hint(err, "ap-grant: file descriptor 2 is not an AP "
                         "grant: it is pipe:[");
}

/* The number is dup()ed when it is set: one that is not open is refused. */
static void test_grant_cmdline_fd_closed(void)
{
    const char *args[] = {
        "-accel", "qtest", "-machine", MACHINE ",ap-grant=1000", NULL
    };
    g_autofree char *err = NULL;

    g_assert_cmpint(fcntl(1000, F_GETFD), ==, -1);
    err = qemu_must_fail(args);
    assert_one_line(err, "ap-grant: file descriptor 1000: "
                    "Bad file descriptor");
}

/*
 * A management client must not make QEMU take one of its own descriptors
 * by number, over QMP or HMP, and not in -preconfig (before the machine
 * is ready) either: a later reset of ap-grant would close it.  The read
 * end of a pipe that QEMU inherits stands for such a descriptor: after
 * the attempts and a reset the pipe still has its reader.
 */
static void grant_number_refused(bool preconfig)
{
    const char *msg = "ap-grant: a file descriptor number is accepted on "
                      "the command line only";
    int pipefd[2];
    g_autofree char *args = NULL;
    g_autofree char *num = NULL;
    g_autofree char *err = NULL;
    g_autofree char *out = NULL;
    QTestState *qts;

    g_assert_cmpint(pipe(pipefd), ==, 0);
    args = g_strdup_printf("%s-machine " MACHINE,
                           preconfig ? "-preconfig " : "");
    qts = qtest_init(args);     /* inherits both ends */
    close(pipefd[0]);
    num = g_strdup_printf("%d", pipefd[0]);
    err = qom_set_str(qts, "ap-grant", num);
    if (!err || !strstr(err, msg)) {
        g_printerr("qom-set ap-grant %s: expected '%s', got '%s'\n", num, msg,
                   err ? err : "success");
        g_assert_not_reached();
    }
    if (!preconfig) {
        out = qtest_hmp(qts, "qom-set /machine ap-grant %s", num);
        g_assert(strstr(out, msg));
    }
    assert_prop(qts, "ap-grant", "");
    g_assert_null(qom_set_str(qts, "ap-grant", ""));
    g_assert_true(pipe_has_reader(pipefd[1]));
    qtest_quit(qts);
    /* the check can fail: with QEMU gone, so is the reader */
    g_assert_false(pipe_has_reader(pipefd[1]));
    close(pipefd[1]);
}

static void test_grant_qmp_number(void)
{
    grant_number_refused(false);
}

static void test_grant_preconfig_number(void)
{
    grant_number_refused(true);
}

/*
 * An fdset that holds something else than a grant is refused at once,
 * every time, and the descriptor QEMU took from it is closed again: once
 * the fdset's own descriptor is removed, the fdset is gone.
 */
static void test_grant_fdset_not_grant(void)
{
    int fd = open("/dev/null", O_RDWR);     /* inherited by QEMU */
    g_autofree char *args = g_strdup_printf("-machine " MACHINE
                                            " -add-fd fd=%d,set=3", fd);
    QTestState *qts;
    int i;

    g_assert_cmpint(fd, >=, 0);
    qts = qtest_init(args);
    close(fd);
    for (i = 0; i < 2; i++) {
        g_autofree char *err = qom_set_str(qts, "ap-grant", "/dev/fdset/3");

        g_assert_cmpstr(err, ==, "ap-grant: /dev/fdset/3 is not an AP "
                        "grant: it is /dev/null");
        assert_prop(qts, "ap-grant", "");
    }
    g_assert_true(fdset_exists(qts, 3));
    remove_fdset(qts, 3);
    g_assert_false(fdset_exists(qts, 3));
    qtest_quit(qts);
}

/*
 * An fdset with several descriptors: QEMU takes a read-write one (and a
 * set of read-only ones gives none), checks it, and never closes the
 * fdset's own descriptors: the pipe in them keeps its reader until the
 * fdset is removed.
 */
static void test_grant_fdset_several(void)
{
    int pipefd[2];
    int null_fd = open("/dev/null", O_RDWR);
    g_autofree char *args = NULL;
    g_autofree char *err = NULL;
    g_autofree char *ro = NULL;
    QTestState *qts;

    g_assert_cmpint(null_fd, >=, 0);
    g_assert_cmpint(pipe(pipefd), ==, 0);
    args = g_strdup_printf("-machine " MACHINE " -add-fd fd=%d,set=4"
                           " -add-fd fd=%d,set=4 -add-fd fd=%d,set=5",
                           pipefd[0], null_fd, pipefd[0]);
    qts = qtest_init(args);
    close(pipefd[0]);
    close(null_fd);
    err = qom_set_str(qts, "ap-grant", "/dev/fdset/4");
    g_assert_cmpstr(err, ==, "ap-grant: /dev/fdset/4 is not an AP grant: "
                    "it is /dev/null");
    ro = qom_set_str(qts, "ap-grant", "/dev/fdset/5");
    g_assert_nonnull(ro);
    g_assert(g_str_has_prefix(ro, "ap-grant: Could not dup FD for "
                              "/dev/fdset/5"));
    assert_prop(qts, "ap-grant", "");
    g_assert_null(qom_set_str(qts, "ap-grant", ""));
    g_assert_true(pipe_has_reader(pipefd[1]));
    remove_fdset(qts, 4);
    remove_fdset(qts, 5);
    g_assert_false(fdset_exists(qts, 4));
    g_assert_false(fdset_exists(qts, 5));
    g_assert_false(pipe_has_reader(pipefd[1]));
    close(pipefd[1]);
    qtest_quit(qts);
}

/*
 * A descriptor passed with getfd is taken by name, and QEMU owns it from
 * then on: a refused one is closed, and the name is gone.
 */
static void test_grant_getfd_name(void)
{
    QTestState *qts = qtest_init("-machine " MACHINE);
    int pipefd[2];
    QDict *rsp;
    g_autofree char *err = NULL;
    g_autofree char *again = NULL;

    g_assert_cmpint(pipe(pipefd), ==, 0);
    rsp = qtest_qmp_fds(qts, &pipefd[0], 1, "{ 'execute': 'getfd',"
                        " 'arguments': { 'fdname': 'apgrant' } }");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    close(pipefd[0]);
    g_assert_true(pipe_has_reader(pipefd[1]));
    err = qom_set_str(qts, "ap-grant", "apgrant");
    g_assert_nonnull(err);
    g_assert(g_str_has_prefix(err, "ap-grant: 'apgrant' is not an AP grant: "
                              "it is pipe:["));
    again = qom_set_str(qts, "ap-grant", "apgrant");
    g_assert_cmpstr(again, ==, "ap-grant: File descriptor named 'apgrant' "
                    "has not been found");
    assert_prop(qts, "ap-grant", "");
    /* QEMU closed the read end it was given: the pipe has no reader */
    g_assert_false(pipe_has_reader(pipefd[1]));
    close(pipefd[1]);
    qtest_quit(qts);
}

/* vfio-ap and the ap-* properties both program the CRYCB: refused. */
static void test_vfio_ap_conflict(void)
{
    const char *args[] = {
        "-accel", "qtest", "-machine", MACHINE ",ap-adapters=1,ap-domains=2",
        "-device", "vfio-ap,sysfsdev=/sys/devices/vfio_ap/matrix/none", NULL
    };
    g_autofree char *err = qemu_must_fail(args);

    assert_one_line(err, "-device vfio-ap cannot be used together with "
                    "ap-adapters, ap-domains or ap-control-domains: "
                    "use one or the other");
}

/* Adapters without domains give the guest no queue: vfio-ap may be used. */
static void test_vfio_ap_empty_apqn_set(void)
{
    const char *args[] = {
        "-accel", "qtest", "-machine", MACHINE ",ap-adapters=1,ap-domains=",
        "-device", "vfio-ap,sysfsdev=/sys/devices/vfio_ap/matrix/none", NULL
    };
    g_autofree char *err = qemu_must_fail(args);

    /* vfio-ap itself fails on the missing mdev, not on the matrix */
    g_assert_null(strstr(err, "cannot be used together"));
    g_assert(strstr(err, "vfio"));
}

/* -machine help documents the properties. */
static void test_help(void)
{
    const char *bin = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *cmd = g_strdup_printf("%s -machine " MACHINE ",help",
                                           bin);
    g_autofree char *out = NULL;
    int status;

    g_assert(g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL));
    g_assert(g_spawn_check_exit_status(status, NULL));
    g_assert(strstr(out, "ap-adapters=<string>"));
    g_assert(strstr(out, "AP adapters (APIDs) passed to the guest"));
    g_assert(strstr(out, "ap-domains=<string>"));
    g_assert(strstr(out, "ap-control-domains=<string>"));
    g_assert(strstr(out, "ap-grant=<string>"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* pipe_has_reader() sees EPIPE instead */
    signal(SIGPIPE, SIG_IGN);

    qtest_add_func("/ap-matrix/cmdline/canonical", test_cmdline_canonical);
    qtest_add_func("/ap-matrix/cmdline/default-empty", test_default_empty);
    qtest_add_func("/ap-matrix/qom/roundtrip", test_qom_roundtrip);
    qtest_add_func("/ap-matrix/qom/bad-input", test_qom_bad_input);
    qtest_add_func("/ap-matrix/cmdline/bad-input", test_cmdline_bad_input);
    qtest_add_func("/ap-matrix/cmdline/comma", test_cmdline_comma);
    if (qtest_has_accel("tcg")) {
        qtest_add_func("/ap-matrix/tcg/recorded", test_tcg_recorded);
    }
    qtest_add_func("/ap-matrix/migration/blocker", test_migration_blocker);
    qtest_add_func("/ap-matrix/qmp/set-matrix", test_qmp_set_matrix);
    qtest_add_func("/ap-matrix/event/reset", test_event_reset);
    qtest_add_func("/ap-matrix/event/migrated", test_event_migrated);
    qtest_add_func("/ap-matrix/grant/cmdline-fd", test_grant_cmdline_fd);
    qtest_add_func("/ap-matrix/grant/cmdline-fd-closed",
                   test_grant_cmdline_fd_closed);
    qtest_add_func("/ap-matrix/grant/qmp-number", test_grant_qmp_number);
    qtest_add_func("/ap-matrix/grant/preconfig-number",
                   test_grant_preconfig_number);
    qtest_add_func("/ap-matrix/grant/fdset-not-grant",
                   test_grant_fdset_not_grant);
    qtest_add_func("/ap-matrix/grant/fdset-several",
                   test_grant_fdset_several);
    qtest_add_func("/ap-matrix/grant/getfd-name", test_grant_getfd_name);
    qtest_add_func("/ap-matrix/vfio-ap/conflict", test_vfio_ap_conflict);
    qtest_add_func("/ap-matrix/vfio-ap/empty-apqn-set",
                   test_vfio_ap_empty_apqn_set);
    qtest_add_func("/ap-matrix/help", test_help);

    return g_test_run();
}
