// SPDX-License-Identifier: GPL-2.0
/*
 * apmatrix serve / apmatrix connect: the grant manager as a daemon and its
 * client.
 *
 * serve reads one reservation per file CONFDIR/NAME.conf (apmatrix.conf(5)),
 * creates a grant for each at start, and listens on a UNIX stream socket
 * (--socket, mode --socket-mode and group --socket-group, or the one
 * systemd passes with LISTEN_FDS/LISTEN_PID).  A client sends "GET NAME\n"
 * (in as many writes as it likes); if the reservation allows the client's
 * uid or one of its groups (SO_PEERCRED, SO_PEERGROUPS) it gets "OK ID
 * ADAPTERS DOMAINS CONTROL\n" (id lists in the core's canonical form, "-"
 * for an empty one) with the grant fd attached (SCM_RIGHTS), else "ERR
 * MESSAGE\n".
 *
 * One poll() loop serves every client: client sockets are non-blocking,
 * each has its own deadline (--client-timeout) after which it is dropped,
 * and a uid may hold at most --max-per-uid connections (--max-clients in
 * all): an idle or slow client delays nobody else, and no uid can take
 * every slot.  A reservation whose grant the kernel refused (its queues
 * were busy) is tried again when a client asks for it and every --retry
 * seconds.  Every decision is logged on stderr (the journal under
 * systemd); what a client causes (a refusal, a grant refused on its
 * request, an answer it did not take) at most APX_RL_BURST per
 * APX_RL_INTERVAL, naming its pid and uid, the rest counted.  SIGHUP
 * re-reads the directory: unchanged reservations keep their grant, changed
 * ones get a new one, removed ones are closed, and a file that no longer
 * parses keeps its old reservation, whose APQNs no other file may then
 * reserve.
 * SIGTERM/SIGINT end the daemon, which closes every grant.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "apmatrix.h"

#define APX_CONF_DIR	"/etc/apmatrix"
#define APX_SOCKET	"/run/apmatrix/apmatrix.sock"
#define APX_SOCK_GROUP	"apmatrix"
#define APX_SOCK_MODE	0660
#define APX_NAME_LEN	64
#define APX_MAX_ALLOW	64
#define APX_MAX_RSV	4096
#define APX_REQ_LEN	256
#define APX_LINE_LEN	1024
#define APX_RL_BURST	10		/* refusal messages ... */
#define APX_RL_INTERVAL	5000		/* ... per this many ms */

struct rsv {
	char name[APX_NAME_LEN];
	char path[PATH_MAX];
	bool broken;			/* the file did not parse */
	const struct rsv *kept;		/* broken: its old one (conf_overlaps()) */
	bool live;			/* unchanged, its old one has a grant */
	struct kvm_s390_ap_masks masks;
	int line_a, line_d, line_c;	/* where the keys are, 0: missing */
	uid_t uid[APX_MAX_ALLOW];
	gid_t gid[APX_MAX_ALLOW];
	int nuid, ngid;
	int fd;				/* grant fd, -1 if none */
	unsigned long long id;
	char why[256];			/* why the kernel refused the grant */
};

struct client {
	int fd;
	struct ucred cr;
	long long deadline;		/* CLOCK_MONOTONIC ms */
	size_t len;
	char req[APX_REQ_LEN];
};

struct daemon {
	const char *confdir, *dev;
	struct rsv **rsv;
	int n;
	struct client *cl;
	int ncl;
	int max_clients, max_per_uid;
	long long timeout_ms, retry_ms, next_retry;
	long long accept_pause;		/* out of fds: no accept() until */
	/* log rate limit for refused clients */
	long long rl_start;
	int rl_n, rl_missed;
};

__attribute__((format(printf, 1, 2)))
static void logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	apx_vmsg(" serve", fmt, ap);
	va_end(ap);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Log the suppressed count once the interval is over. */
static void rl_flush(struct daemon *dm, long long now)
{
	if (now - dm->rl_start < APX_RL_INTERVAL)
		return;
	if (dm->rl_missed)
		logmsg("%d more client refusal%s not logged (at most %d per %d s)",
		       dm->rl_missed, dm->rl_missed == 1 ? "" : "s",
		       APX_RL_BURST, APX_RL_INTERVAL / 1000);
	dm->rl_start = now;
	dm->rl_n = 0;
	dm->rl_missed = 0;
}

/* May a client refusal be logged now? */
static bool rl_ok(struct daemon *dm)
{
	rl_flush(dm, now_ms());
	if (dm->rl_n < APX_RL_BURST) {
		dm->rl_n++;
		return true;
	}
	dm->rl_missed++;
	return false;
}

/* ---- apmatrix.conf(5) ------------------------------------------------ */

static bool valid_name(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= APX_NAME_LEN || s[0] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && !strchr("_.-", s[i]))
			return false;
	return true;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]))
		*--e = '\0';
	return s;
}

/*
 * A uid or gid given as a number: decimal digits only, below the invalid
 * id (uid_t)-1.  1 if @tok is a number (@v set), 0 if not, -1 if out of
 * range.
 */
static int parse_number_id(const char *tok, unsigned long *v)
{
	const char *p;

	for (p = tok; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	if (p - tok > 10)
		return -1;
	*v = strtoul(tok, NULL, 10);
	return *v >= (unsigned long)(uid_t)-1 ? -1 : 1;
}

/* allow-users / allow-groups: names or numbers, "," or blanks between */
static int parse_allow(const char *path, int line, const char *key,
		       char *val, bool groups, struct rsv *r)
{
	char *tok, *save = NULL;
	unsigned long v = 0;
	int rc, n = 0;

	for (tok = strtok_r(val, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save), n++) {
		rc = parse_number_id(tok, &v);
		if (rc < 0) {
			apx_err("%s:%d: %s '%s': %s %s is out of range (0-%u)",
				path, line, key, tok, groups ? "gid" : "uid",
				tok, (unsigned int)(uid_t)-2);
			return -1;
		}
		if (!rc) {
			struct passwd *pw = groups ? NULL : getpwnam(tok);
			struct group *gr = groups ? getgrnam(tok) : NULL;

			if (!pw && !gr) {
				apx_err("%s:%d: %s '%s' does not exist", path,
					line, groups ? "group" : "user", tok);
				return -1;
			}
			v = groups ? gr->gr_gid : pw->pw_uid;
		}
		if ((groups ? r->ngid : r->nuid) >= APX_MAX_ALLOW) {
			apx_err("%s:%d: more than %d %s", path, line,
				APX_MAX_ALLOW, groups ? "groups" : "users");
			return -1;
		}
		if (groups)
			r->gid[r->ngid++] = (gid_t)v;
		else
			r->uid[r->nuid++] = (uid_t)v;
	}
	if (!n) {
		apx_err("%s:%d: %s is empty", path, line, key);
		return -1;
	}
	return 0;
}

/* An id list of at least one id, each within the uapi's limit. */
static int parse_ids(const char *path, int line, const char *key,
		     const char *val, u8 *mask, int *seen)
{
	char err[APMX_ERRMSG_LEN];

	if (*seen) {
		apx_err("%s:%d: duplicate key '%s' (first on line %d)", path,
			line, key, *seen);
		return -1;
	}
	*seen = line;
	if (!*val) {
		apx_err("%s:%d: %s is empty", path, line, key);
		return -1;
	}
	if (apmx_idlist_parse(val, KVM_S390_AP_MAX_ID, mask, err,
			      sizeof(err))) {
		apx_err("%s:%d: %s '%s': %s", path, line, key, val, err);
		return -1;
	}
	return 0;
}

/* Parse @path into @r; -1 after messages naming file, line and id. */
static int conf_parse(const char *path, struct rsv *r)
{
	char buf[APX_LINE_LEN], *key, *val, *eq;
	int line = 0, bad = 0;
	bool cut = false;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		apx_err("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);
		bool was_cut = cut;

		cut = len == sizeof(buf) - 1 && buf[len - 1] != '\n' &&
		      !feof(f);
		if (was_cut)
			continue;	/* the rest of a long line */
		line++;
		if (cut) {
			apx_err("%s:%d: line longer than %d characters", path,
				line, APX_LINE_LEN - 2);
			bad = 1;
			continue;
		}
		key = trim(buf);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			apx_err("%s:%d: expected KEY = VALUE", path, line);
			bad = 1;
			continue;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		if (!strcmp(key, "adapters"))
			bad |= parse_ids(path, line, key, val, r->masks.apm,
					 &r->line_a);
		else if (!strcmp(key, "domains"))
			bad |= parse_ids(path, line, key, val, r->masks.aqm,
					 &r->line_d);
		else if (!strcmp(key, "control-domains"))
			bad |= parse_ids(path, line, key, val, r->masks.adm,
					 &r->line_c);
		else if (!strcmp(key, "allow-users"))
			bad |= parse_allow(path, line, key, val, false, r);
		else if (!strcmp(key, "allow-groups"))
			bad |= parse_allow(path, line, key, val, true, r);
		else {
			apx_err("%s:%d: unknown key '%s'", path, line, key);
			bad = 1;
		}
	}
	fclose(f);
	if (!r->line_a || !r->line_d) {
		apx_err("%s: %s missing", path, r->line_a ? "domains" :
			"adapters");
		bad = 1;
	}
	if (!bad && !r->nuid && !r->ngid) {
		apx_err("%s: no allow-users or allow-groups: nobody could use it",
			path);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/*
 * Do @a and @b reserve a common APQN?  A grant holds adapters x (domains
 * | control domains) alone (apmx_table_reserve()), so the second of two
 * such reservations would be refused.  The first common one in @apqn.
 */
static bool rsv_overlap(const struct rsv *a, const struct rsv *b,
			unsigned int *ad, unsigned int *dom)
{
	u8 apm[APMX_MASK_BYTES], qa[APMX_MASK_BYTES], qb[APMX_MASK_BYTES];
	u8 q[APMX_MASK_BYTES];
	int i;

	for (i = 0; i < APMX_MASK_BYTES; i++) {
		qa[i] = a->masks.aqm[i] | a->masks.adm[i];
		qb[i] = b->masks.aqm[i] | b->masks.adm[i];
	}
	apmx_mask_and(apm, a->masks.apm, b->masks.apm);
	apmx_mask_and(q, qa, qb);
	if (apmx_mask_empty(apm) || apmx_mask_empty(q))
		return false;
	*ad = apmx_mask_next(apm, 0);
	*dom = apmx_mask_next(q, 0);
	return true;
}

struct rsv_list {
	struct rsv **v;
	int n, cap;
};

static int list_add(struct rsv_list *l, struct rsv *r)
{
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 16;
		struct rsv **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = r;
	return 0;
}

static void list_free(struct rsv_list *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int rsv_index(struct rsv **v, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] && !strcmp(v[i]->name, name))
			return i;
	return -1;
}

/*
 * The reservation the daemon keeps for the invalid file @f (rsv_install()
 * keeps the old reservation of a file that is invalid now): one of @old,
 * or NULL.
 */
static const struct rsv *kept_of(const struct rsv *f, struct rsv **old,
				  int nold)
{
	int k;

	if (!f->broken)
		return NULL;
	k = rsv_index(old, nold, f->name);
	return k < 0 ? NULL : old[k];
}

/*
 * Whether the valid file @f is unchanged from one of the daemon's
 * reservations @old that holds a grant (rsv_install() keeps that grant).
 */
static bool live_of(const struct rsv *f, struct rsv **old, int nold)
{
	int k;

	if (f->broken)
		return false;
	k = rsv_index(old, nold, f->name);
	return k >= 0 && old[k]->fd >= 0 &&
	       !memcmp(&f->masks, &old[k]->masks, sizeof(f->masks));
}

/* Whether valid @f (at @j in the list) comes before valid @b (at @i). */
static bool rsv_first(const struct rsv *f, int j, const struct rsv *b, int i)
{
	if (f->live != b->live)
		return f->live;
	return j < i;
}

/*
 * Mark every valid reservation of @out broken that reserves an APQN a
 * reservation kept for an invalid file (see kept_of(); @old are the
 * daemon's reservations, NULL at start) or a valid file that comes first
 * reserves too.  A kept reservation comes first, then the unchanged ones
 * whose grant the daemon keeps (live_of()): their grants may be in use;
 * among the rest, the first by name.  Marking a file broken may keep its
 * old reservation, so until nothing changes.  Returns the number marked.
 */
static int conf_overlaps(struct rsv_list *out, struct rsv **old, int nold)
{
	unsigned int a, d;
	bool again = true;
	int i, j, bad = 0;

	for (i = 0; i < out->n; i++) {
		out->v[i]->kept = kept_of(out->v[i], old, nold);
		out->v[i]->live = live_of(out->v[i], old, nold);
	}
	while (again) {
		again = false;
		for (i = 0; i < out->n; i++) {
			struct rsv *b = out->v[i];

			for (j = 0; j < out->n && !b->broken; j++) {
				struct rsv *f = out->v[j];
				const struct rsv *k = f->kept;

				if (k && rsv_overlap(k, b, &a, &d))
					apx_err("%s:%d: reservation '%s' overlaps '%s' (%s:%d, kept as it was: the file is invalid now): both reserve APQN %02x.%04x",
						b->path, b->line_a, b->name,
						k->name, k->path, k->line_a,
						a, d);
				else if (j != i && !f->broken &&
					 rsv_first(f, j, b, i) &&
					 rsv_overlap(f, b, &a, &d))
					apx_err("%s:%d: reservation '%s' overlaps '%s' (%s:%d): both reserve APQN %02x.%04x",
						b->path, b->line_a, b->name,
						f->name, f->path, f->line_a,
						a, d);
				else
					continue;
				b->broken = true;
				b->live = false;
				b->kept = kept_of(b, old, nold);
				bad++;
				again |= b->kept != NULL;
			}
		}
	}
	return bad;
}

/*
 * Read every NAME.conf of @dir into @out (sorted by name; allocated, as
 * many as there are).  A file that does not parse, or that reserves an
 * APQN another reservation holds (conf_overlaps(), with the daemon's
 * reservations @old, NULL at start), is in @out with ->broken set.
 * Returns the number of bad files.
 */
static int conf_load(const char *dir, struct rsv_list *out,
		     struct rsv **old, int nold)
{
	struct dirent **list;
	int i, cnt, bad = 0, valid = 0;

	out->n = 0;
	cnt = scandir(dir, &list, NULL, alphasort);
	if (cnt < 0) {
		apx_err("%s: %s", dir, strerror(errno));
		return 1;
	}
	for (i = 0; i < cnt; i++) {
		const char *nm = list[i]->d_name;
		size_t len = strlen(nm);
		char path[PATH_MAX];
		struct rsv *r;

		if (len <= 5 || strcmp(nm + len - 5, ".conf"))
			goto next;
		apx_pathf(path, sizeof(path), "%s/%s", dir, nm);
		if (!valid_name(nm, len - 5)) {
			apx_err("%s: the name must be 1-%d letters, digits, '_', '.' or '-'",
				path, APX_NAME_LEN - 1);
			bad++;
			goto next;
		}
		r = calloc(1, sizeof(*r));
		if (!r || list_add(out, r)) {
			apx_err("%s: out of memory", path);
			free(r);
			bad++;
			goto next;
		}
		memcpy(r->name, nm, len - 5);
		snprintf(r->path, sizeof(r->path), "%s", path);
		r->fd = -1;
		if (conf_parse(path, r)) {
			r->broken = true;
			bad++;
		} else if (++valid > APX_MAX_RSV) {
			apx_err("%s: more than %d reservations", path,
				APX_MAX_RSV);
			r->broken = true;
			bad++;
		}
next:
		free(list[i]);
	}
	free(list);
	return bad + conf_overlaps(out, old, nold);
}

/* ---- grants ---------------------------------------------------------- */

/*
 * Create @r's grant (@when: "" at start or reload, "retry", or "request"
 * of the client @cr); 0, or -1 with ->why set (and logged: a refusal on a
 * client's request within the rate limit of what clients cause, on a
 * retry only when it changed).
 */
static int rsv_grant(struct daemon *dm, struct rsv *r, const char *when,
		     const struct ucred *cr)
{
	struct kvm_s390_ap_grant g;
	char line[256], by[64] = "";
	int err, rc;

	if (cr)
		snprintf(by, sizeof(by), " of pid %d uid %d", (int)cr->pid,
			 (int)cr->uid);
	memset(&g, 0, sizeof(g));
	g.masks = r->masks;
	rc = apx_kvm_create_grant(dm->dev, &g, &err);
	if (rc == -2)
		snprintf(line, sizeof(line), "cannot open %s: %s", dm->dev,
			 strerror(err));
	else if (rc)
		apx_refusal_line(&g.refusal, err, line, sizeof(line));
	if (rc) {
		if (cr ? rl_ok(dm) :
			 strcmp(when, "retry") || strcmp(line, r->why))
			logmsg("reservation '%s': grant refused%s%s%s: %s",
			       r->name, *when ? " on " : "", when, by, line);
		snprintf(r->why, sizeof(r->why), "%s", line);
		return -1;
	}
	r->fd = g.fd;
	r->id = g.grant_id;
	r->why[0] = '\0';
	logmsg("reservation '%s': grant %llu created%s%s%s", r->name, r->id,
	       *when ? " on " : "", when, by);
	return 0;
}

/*
 * Close @r's grant, if it has one, logging "@state, grant N closed" (the
 * reservation was removed or changed) or "grant N closed (@why)".
 */
static void rsv_close(struct rsv *r, const char *state, const char *why)
{
	if (r->fd >= 0) {
		close(r->fd);
		if (state)
			logmsg("reservation '%s': %s, grant %llu closed",
			       r->name, state, r->id);
		else
			logmsg("reservation '%s': grant %llu closed (%s)",
			       r->name, r->id, why);
	}
	r->fd = -1;
}

/*
 * Take @next (conf_load()'s list, emptied here) as the reservations: an
 * unchanged one keeps its grant, a broken file keeps the reservation it
 * had, a changed or removed one is closed; then every reservation
 * without a grant gets one (the old grants are closed first, so a
 * changed reservation may overlap its old self).
 */
static void rsv_install(struct daemon *dm, struct rsv_list *next)
{
	struct rsv_list keep = { NULL, 0, 0 };
	int i, k;

	for (i = 0; i < next->n; i++) {
		struct rsv *r = next->v[i], *old;

		next->v[i] = NULL;
		k = rsv_index(dm->rsv, dm->n, r->name);
		old = k < 0 ? NULL : dm->rsv[k];
		if (r->broken) {
			free(r);
			if (!old)
				continue;
			logmsg("reservation '%s': configuration invalid, kept as it was",
			       old->name);
			r = old;
			dm->rsv[k] = NULL;
		} else if (old && old->fd >= 0 &&
			   !memcmp(&r->masks, &old->masks, sizeof(r->masks))) {
			r->fd = old->fd;
			r->id = old->id;
			old->fd = -1;
			logmsg("reservation '%s': unchanged, grant %llu kept",
			       r->name, r->id);
		}
		if (list_add(&keep, r)) {
			logmsg("reservation '%s': out of memory, dropped",
			       r->name);
			rsv_close(r, NULL, "out of memory");
			free(r);
		}
	}
	for (i = 0; i < dm->n; i++) {
		struct rsv *old = dm->rsv[i];

		if (!old)
			continue;
		rsv_close(old, rsv_index(keep.v, keep.n, old->name) < 0 ?
			  "removed" : "changed", NULL);
		free(old);
	}
	free(dm->rsv);
	dm->rsv = keep.v;
	dm->n = keep.n;
	for (i = 0; i < dm->n; i++)
		if (dm->rsv[i]->fd < 0)
			rsv_grant(dm, dm->rsv[i], "", NULL);
	free(next->v);
	next->v = NULL;
	next->n = next->cap = 0;
}

static void reload(struct daemon *dm)
{
	struct rsv_list next = { NULL, 0, 0 };

	conf_load(dm->confdir, &next, dm->rsv, dm->n);
	rsv_install(dm, &next);
}

/* Every reservation without a grant tries again (--retry). */
static void retry_grants(struct daemon *dm)
{
	int i;

	for (i = 0; i < dm->n; i++)
		if (dm->rsv[i]->fd < 0)
			rsv_grant(dm, dm->rsv[i], "retry", NULL);
}

/* ---- clients --------------------------------------------------------- */

/*
 * The supplementary groups of @c (SO_PEERGROUPS: as at its connect()), as
 * many as it has, in *@groups (allocated, NULL if none); their number.  If
 * the kernel does not say, only uid and primary group count, and a line
 * says so.
 */
static int peer_groups(struct daemon *dm, const struct client *c,
		       gid_t **groups)
{
#ifdef SO_PEERGROUPS
	socklen_t len = 0;
	gid_t *g = NULL;
	int tries;

	*groups = NULL;
	/* a first call with no room tells the size (ERANGE) */
	for (tries = 0; tries < 3; tries++) {
		if (!getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, g, &len)) {
			*groups = g;
			return len / sizeof(gid_t);
		}
		if (errno != ERANGE)
			break;
		free(g);
		g = malloc(len);
		if (!g) {
			errno = ENOMEM;
			break;
		}
	}
	free(g);
	if (rl_ok(dm))
		logmsg("pid %d uid %d: supplementary groups unknown (SO_PEERGROUPS: %s): only uid and primary group count",
		       (int)c->cr.pid, (int)c->cr.uid, strerror(errno));
#else
	(void)dm;
	(void)c;
	*groups = NULL;
#endif
	return 0;
}

static bool allowed(struct daemon *dm, const struct rsv *r,
		    const struct client *c)
{
	gid_t *groups = NULL;
	bool ok = false;
	int i, k, n = -1;

	for (i = 0; i < r->nuid; i++)
		if (r->uid[i] == c->cr.uid)
			return true;
	for (i = 0; i < r->ngid && !ok; i++) {
		ok = r->gid[i] == c->cr.gid;
		if (!ok && n < 0)
			n = peer_groups(dm, c, &groups);
		for (k = 0; k < n && !ok; k++)
			ok = r->gid[i] == groups[k];
	}
	free(groups);
	return ok;
}

/*
 * One non-blocking send to the client @cr on @c: the answer is short, the
 * socket buffer empty.  A client that is gone is logged within the rate
 * limit.
 */
static void reply(struct daemon *dm, int c, const struct ucred *cr,
		  const char *text, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)text, strlen(text) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(c, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && rl_ok(dm))
		logmsg("pid %d uid %d: reply failed: %s", (int)cr->pid,
		       (int)cr->uid, strerror(errno));
}

/* Answer the complete request of @c (NUL-terminated, no newline). */
static void serve_request(struct daemon *dm, struct client *c)
{
	char msg[APX_REQ_LEN + 3 * APMX_IDLIST_FMT_LEN + 64];
	char ids[3][APMX_IDLIST_FMT_LEN];
	const struct ucred *cr = &c->cr;
	const char *name = c->req + 4;
	struct rsv *r;
	int k;

	if (strncmp(c->req, "GET ", 4) || !valid_name(name, strlen(name))) {
		if (rl_ok(dm))
			logmsg("pid %d uid %d: bad request refused",
			       (int)cr->pid, (int)cr->uid);
		reply(dm, c->fd, cr, "ERR bad request\n", -1);
		return;
	}
	k = rsv_index(dm->rsv, dm->n, name);
	r = k < 0 ? NULL : dm->rsv[k];
	if (!r || !allowed(dm, r, c)) {
		/* the same answer for both: nobody learns which names exist */
		if (rl_ok(dm))
			logmsg("reservation '%s': pid %d uid %d gid %d refused (%s)",
			       name, (int)cr->pid, (int)cr->uid, (int)cr->gid,
			       r ? "not allowed" : "no such reservation");
		snprintf(msg, sizeof(msg),
			 "ERR reservation '%s' does not exist or is not allowed for uid %d gid %d\n",
			 name, (int)cr->uid, (int)cr->gid);
		reply(dm, c->fd, cr, msg, -1);
		return;
	}
	if (r->fd < 0 && rsv_grant(dm, r, "request", cr)) {
		if (rl_ok(dm))
			logmsg("reservation '%s': pid %d uid %d refused (no grant)",
			       name, (int)cr->pid, (int)cr->uid);
		snprintf(msg, sizeof(msg),
			 "ERR reservation '%s' has no grant: %s\n", name,
			 r->why);
		reply(dm, c->fd, cr, msg, -1);
		return;
	}
	apmx_idlist_format(r->masks.apm, ids[0], sizeof(ids[0]));
	apmx_idlist_format(r->masks.aqm, ids[1], sizeof(ids[1]));
	apmx_idlist_format(r->masks.adm, ids[2], sizeof(ids[2]));
	snprintf(msg, sizeof(msg), "OK %llu %s %s %s\n", r->id,
		 ids[0][0] ? ids[0] : "-", ids[1][0] ? ids[1] : "-",
		 ids[2][0] ? ids[2] : "-");
	logmsg("reservation '%s': grant %llu given to pid %d uid %d gid %d",
	       name, r->id, (int)cr->pid, (int)cr->uid, (int)cr->gid);
	reply(dm, c->fd, cr, msg, r->fd);
}

static void client_drop(struct daemon *dm, int i)
{
	close(dm->cl[i].fd);
	dm->cl[i] = dm->cl[--dm->ncl];
}

/*
 * Read what @c sent.  Returns true when @c is done with (answered or
 * dropped): the caller closes it.
 */
static bool client_read(struct daemon *dm, struct client *c)
{
	char *nl;
	ssize_t n;

	n = recv(c->fd, c->req + c->len, sizeof(c->req) - 1 - c->len,
		 MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return false;
		if (rl_ok(dm))
			logmsg("pid %d uid %d: %s, dropped", (int)c->cr.pid,
			       (int)c->cr.uid, strerror(errno));
		return true;
	}
	c->len += n;
	c->req[c->len] = '\0';
	nl = memchr(c->req, '\n', c->len);
	if (nl) {
		*nl = '\0';
	} else if (n == 0 && !c->len) {
		if (rl_ok(dm))
			logmsg("pid %d uid %d: no request", (int)c->cr.pid,
			       (int)c->cr.uid);
		return true;
	} else if (n && c->len < sizeof(c->req) - 1) {
		return false;	/* more to come */
	} else if (n) {
		if (rl_ok(dm))
			logmsg("pid %d uid %d: request longer than %d bytes refused",
			       (int)c->cr.pid, (int)c->cr.uid,
			       APX_REQ_LEN - 2);
		reply(dm, c->fd, &c->cr, "ERR request too long\n", -1);
		return true;
	}
	/* a line, or what came before the client shut its side down */
	c->req[strcspn(c->req, "\r")] = '\0';
	serve_request(dm, c);
	return true;
}

/* Accept every pending connection; refuse beyond the caps. */
static void accept_clients(struct daemon *dm, int s)
{
	socklen_t len;
	struct client *c;
	struct ucred cr;
	int fd, i, same;
	char why[128], msg[160];

	for (;;) {
		fd = accept4(s, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED && rl_ok(dm))
				logmsg("accept: %s", strerror(errno));
			/* the connection stays queued: do not spin on it */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				dm->accept_pause = now_ms() + 100;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		len = sizeof(cr);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len)) {
			if (rl_ok(dm))
				logmsg("client without credentials: %s",
				       strerror(errno));
			close(fd);
			continue;
		}
		for (i = same = 0; i < dm->ncl; i++)
			if (dm->cl[i].cr.uid == cr.uid)
				same++;
		if (same >= dm->max_per_uid || dm->ncl >= dm->max_clients) {
			if (same >= dm->max_per_uid)
				snprintf(why, sizeof(why),
					 "uid %d has %d connections open (at most %d)",
					 (int)cr.uid, same, dm->max_per_uid);
			else
				snprintf(why, sizeof(why),
					 "%d connections open (at most %d)",
					 dm->ncl, dm->max_clients);
			if (rl_ok(dm))
				logmsg("pid %d uid %d: connection refused: %s",
				       (int)cr.pid, (int)cr.uid, why);
			snprintf(msg, sizeof(msg), "ERR %s\n", why);
			reply(dm, fd, &cr, msg, -1);
			close(fd);
			continue;
		}
		c = &dm->cl[dm->ncl++];
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->cr = cr;
		c->deadline = now_ms() + dm->timeout_ms;
	}
}

/* Drop the clients whose deadline passed; ms until the next one. */
static long long expire_clients(struct daemon *dm, long long now)
{
	long long next = -1;
	int i;

	for (i = 0; i < dm->ncl;) {
		struct client *c = &dm->cl[i];

		if (c->deadline <= now) {
			if (rl_ok(dm))
				logmsg("pid %d uid %d: no request within %lld ms, dropped",
				       (int)c->cr.pid, (int)c->cr.uid,
				       dm->timeout_ms);
			client_drop(dm, i);
			continue;
		}
		if (next < 0 || c->deadline - now < next)
			next = c->deadline - now;
		i++;
	}
	return next;
}

/* ---- the daemon ------------------------------------------------------ */

/* A strictly decimal environment variable, or -1. */
static long env_number(const char *name)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (*end || errno || n < 0)
		return -1;
	return n;
}

/*
 * systemd socket activation (sd_listen_fds(3)): LISTEN_PID must be our
 * pid, LISTEN_FDS exactly 1, and fd 3 (SD_LISTEN_FDS_START) a listening
 * UNIX stream socket.  Returns 3, -1 when none was passed (not ours), or
 * -2 after a message when what was passed is wrong.  The variables are
 * removed so that nothing we start sees them.
 */
static int activation_socket(void)
{
	const char *lp = getenv("LISTEN_PID");
	struct sockaddr_un sa;
	socklen_t len = sizeof(int);
	long pid = env_number("LISTEN_PID"), fds = env_number("LISTEN_FDS");
	int type = 0, acc = 0, fl;

	if (!lp)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (pid != (long)getpid()) {
		logmsg("LISTEN_PID=%s is not this process (%d): sockets passed to another process ignored",
		       lp, (int)getpid());
		return -1;
	}
	if (fds != 1) {
		apx_err("systemd passed %ld sockets (LISTEN_FDS), expected 1",
			fds);
		return -2;
	}
	if (getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &len) ||
	    type != SOCK_STREAM ||
	    getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &acc,
		       &(socklen_t){ sizeof(int) }) || !acc ||
	    getsockname(3, (struct sockaddr *)&sa,
			&(socklen_t){ sizeof(sa) }) ||
	    sa.sun_family != AF_UNIX) {
		apx_err("fd 3 from systemd is not a listening UNIX stream socket");
		return -2;
	}
	fl = fcntl(3, F_GETFL);
	if (fcntl(3, F_SETFD, FD_CLOEXEC) || fl < 0 ||
	    fcntl(3, F_SETFL, fl | O_NONBLOCK)) {
		apx_err("fd 3 from systemd: %s", strerror(errno));
		return -2;
	}
	return 3;
}

/*
 * The directory of @path: created 0755 if missing (its last component
 * only), refused if anybody may write to it without the sticky bit
 * (another user could replace the socket).
 */
static int socket_dir(const char *path)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST) {
		apx_err("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st)) {
		apx_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		apx_err("%s is not a directory", dir);
		return -1;
	}
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
		apx_err("%s is writable by everybody (mode %04o): another user could replace the socket",
			dir, (unsigned int)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

static int listen_socket(const char *path, mode_t mode, gid_t gid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t um;
	int s, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		apx_err("socket path %s is too long", path);
		return -1;
	}
	if (socket_dir(path))
		return -1;
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0) {
		apx_err("socket: %s", strerror(errno));
		return -1;
	}
	/* an old socket goes, anything else at @path stays */
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			apx_err("%s exists and is not a socket", path);
			close(s);
			return -1;
		}
		unlink(path);
	}
	/* nobody but us between bind() and chmod() */
	um = umask(0177);
	rc = bind(s, (struct sockaddr *)&sa, sizeof(sa));
	umask(um);
	if (rc || chown(path, (uid_t)-1, gid) || chmod(path, mode) ||
	    listen(s, 64)) {
		apx_err("%s: %s", path, strerror(errno));
		close(s);
		return -1;
	}
	return s;
}

/* --socket-mode: octal permission bits only */
static int parse_mode(const char *s, mode_t *mode)
{
	const char *p;
	unsigned long v;

	for (p = s; *p; p++)
		if (*p < '0' || *p > '7')
			break;
	if (!*s || *p || (v = strtoul(s, NULL, 8)) > 0777) {
		apx_err("socket mode '%s': not an octal mode of permission bits (0000-0777, e.g. 0660)",
			s);
		return -1;
	}
	if (v & 0111) {
		apx_err("socket mode '%s': execute bits mean nothing on a socket",
			s);
		return -1;
	}
	if (!(v & 0200)) {
		apx_err("socket mode '%s': the owner (root) needs write permission",
			s);
		return -1;
	}
	*mode = (mode_t)v;
	return 0;
}

/* a count or seconds option: 1..@max */
static int parse_count(const char *opt, const char *s, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	if (!*s || *end || errno || *v < 1 || *v > max) {
		apx_err("%s '%s': not a number from 1 to %ld", opt, s, max);
		return -1;
	}
	return 0;
}

static int lookup_group(const char *name, gid_t *gid)
{
	unsigned long v;
	struct group *gr;
	int rc = parse_number_id(name, &v);

	if (rc > 0) {
		*gid = (gid_t)v;
		return 0;
	}
	gr = rc ? NULL : getgrnam(name);
	if (!gr) {
		apx_err("socket group '%s' does not exist: create it (systemd-sysusers apmatrix.conf, or groupadd --system %s) or give --socket-group",
			name, name);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

static void serve_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s serve [--config-dir DIR] [--socket PATH] [--socket-mode MODE]\n"
		"       [--socket-group GROUP] [--client-timeout SEC] [--max-clients N]\n"
		"       [--max-per-uid N] [--retry SEC] [--device PATH] [--check]\n"
		"\n"
		"Create a grant for every reservation DIR/NAME.conf (apmatrix.conf(5))\n"
		"and hand its fd to the clients the reservation allows (apmatrix\n"
		"connect).  SIGHUP re-reads DIR; SIGTERM ends the daemon.\n"
		"\n"
		"  -C, --config-dir DIR    default " APX_CONF_DIR "\n"
		"  -s, --socket PATH       default " APX_SOCKET " (or systemd's socket)\n"
		"  -m, --socket-mode MODE  octal, default 0660: who may connect at all\n"
		"                          (reservations are checked per client with\n"
		"                          SO_PEERCRED)\n"
		"  -g, --socket-group GROUP  the socket's group, default " APX_SOCK_GROUP "\n"
		"  -t, --client-timeout SEC  drop a client whose request is not complete\n"
		"                          after SEC seconds (default 5)\n"
		"      --max-clients N     connections at a time (default 64)\n"
		"      --max-per-uid N     connections at a time of one uid (default 8)\n"
		"      --retry SEC         try refused grants again every SEC seconds\n"
		"                          (default 30; also when a client asks)\n"
		"      --device PATH       instead of $APMATRIX_KVM_DEVICE or /dev/kvm\n"
		"  -c, --check             only validate the configuration (exit 0 or 2)\n"
		"  -h, --help              this text\n",
		apx_prog);
}

static int serve_loop(struct daemon *dm, int s, int sfd)
{
	struct signalfd_siginfo si;
	struct pollfd *pfd;
	long long now, wait, next;
	bool run = true;
	int i, n;

	pfd = calloc(dm->max_clients + 2, sizeof(*pfd));
	dm->cl = calloc(dm->max_clients, sizeof(*dm->cl));
	if (!pfd || !dm->cl) {
		apx_err("out of memory");
		free(pfd);
		return -1;
	}
	dm->next_retry = now_ms() + dm->retry_ms;
	while (run) {
		now = now_ms();
		rl_flush(dm, now);
		wait = expire_clients(dm, now);
		if (dm->retry_ms) {
			if (now >= dm->next_retry) {
				retry_grants(dm);
				dm->next_retry = now + dm->retry_ms;
			}
			next = dm->next_retry - now;
			if (wait < 0 || next < wait)
				wait = next;
		}
		if (dm->rl_missed && (wait < 0 || wait > APX_RL_INTERVAL))
			wait = APX_RL_INTERVAL;
		if (now < dm->accept_pause &&
		    (wait < 0 || wait > dm->accept_pause - now))
			wait = dm->accept_pause - now;
		pfd[0].fd = now < dm->accept_pause ? -1 : s;
		pfd[0].events = POLLIN;
		pfd[1].fd = sfd;
		pfd[1].events = POLLIN;
		for (i = 0; i < dm->ncl; i++) {
			pfd[i + 2].fd = dm->cl[i].fd;
			pfd[i + 2].events = POLLIN;
			pfd[i + 2].revents = 0;
		}
		n = dm->ncl;
		if (poll(pfd, n + 2, wait < 0 ? -1 :
			 (int)(wait > INT_MAX ? INT_MAX : wait)) < 0) {
			if (errno == EINTR)
				continue;
			logmsg("poll: %s", strerror(errno));
			break;
		}
		/* clients first: their slots are known to poll's array */
		for (i = n - 1; i >= 0; i--)
			if (pfd[i + 2].revents &&
			    client_read(dm, &dm->cl[i]))
				client_drop(dm, i);
		if (pfd[1].revents & POLLIN &&
		    read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				logmsg("SIGHUP: reloading %s", dm->confdir);
				reload(dm);
			} else {
				run = false;
			}
		}
		if (pfd[0].revents & POLLIN)
			accept_clients(dm, s);
	}
	while (dm->ncl)
		client_drop(dm, 0);
	free(dm->cl);
	free(pfd);
	return 0;
}

int apx_cmd_serve(int argc, char **argv, const char *root)
{
	enum { O_MAXC = 256, O_MAXU, O_RETRY, O_DEV };
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'C' },
		{ "socket", required_argument, NULL, 's' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "socket-group", required_argument, NULL, 'g' },
		{ "client-timeout", required_argument, NULL, 't' },
		{ "max-clients", required_argument, NULL, O_MAXC },
		{ "max-per-uid", required_argument, NULL, O_MAXU },
		{ "retry", required_argument, NULL, O_RETRY },
		{ "device", required_argument, NULL, O_DEV },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct daemon dm;
	const char *sock = APX_SOCKET, *dev = NULL, *group = APX_SOCK_GROUP;
	struct rsv_list start = { NULL, 0, 0 };
	mode_t mode = APX_SOCK_MODE;
	bool check = false, own;
	sigset_t sigs;
	long v;
	gid_t gid;
	int c, s, sfd, i;

	(void)root;
	dm.confdir = APX_CONF_DIR;
	dm.timeout_ms = 5000;
	dm.max_clients = 64;
	dm.max_per_uid = 8;
	dm.retry_ms = 30000;
	while ((c = getopt_long(argc, argv, "C:s:m:g:t:ch", opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			dm.confdir = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'm':
			if (parse_mode(optarg, &mode))
				return APX_EXIT_USAGE;
			break;
		case 'g':
			group = optarg;
			break;
		case 't':
			if (parse_count("client timeout", optarg, 3600, &v))
				return APX_EXIT_USAGE;
			dm.timeout_ms = v * 1000;
			break;
		case O_MAXC:
			if (parse_count("max clients", optarg, 4096, &v))
				return APX_EXIT_USAGE;
			dm.max_clients = (int)v;
			break;
		case O_MAXU:
			if (parse_count("max per uid", optarg, 4096, &v))
				return APX_EXIT_USAGE;
			dm.max_per_uid = (int)v;
			break;
		case O_RETRY:
			if (!strcmp(optarg, "0")) {
				dm.retry_ms = 0;
				break;
			}
			if (parse_count("retry", optarg, 86400, &v))
				return APX_EXIT_USAGE;
			dm.retry_ms = v * 1000;
			break;
		case O_DEV:
			dev = optarg;
			break;
		case 'c':
			check = true;
			break;
		case 'h':
			serve_usage(stdout);
			return APX_EXIT_OK;
		default:
			serve_usage(stderr);
			return APX_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		apx_err("serve: unexpected argument '%s'", argv[optind]);
		return APX_EXIT_USAGE;
	}
	dm.dev = apx_setting(dev, "APMATRIX_KVM_DEVICE", "/dev/kvm");
	if (check) {
		int bad = conf_load(dm.confdir, &start, NULL, 0), good = 0;

		for (i = 0; i < start.n; i++)
			good += !start.v[i]->broken;
		printf("%s: %d reservation%s valid, %d invalid\n", dm.confdir,
		       good, good == 1 ? "" : "s", bad);
		list_free(&start);
		return bad ? APX_EXIT_USAGE : APX_EXIT_OK;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		apx_err("signalfd: %s", strerror(errno));
		return APX_EXIT_SYSTEM;
	}
	s = activation_socket();
	own = s == -1;
	if (own) {
		if (lookup_group(group, &gid)) {
			close(sfd);
			return APX_EXIT_USAGE;
		}
		s = listen_socket(sock, mode, gid);
	}
	if (s < 0) {
		close(sfd);
		return APX_EXIT_SYSTEM;
	}
	conf_load(dm.confdir, &start, NULL, 0);
	rsv_install(&dm, &start);
	if (own)
		logmsg("%d reservation%s, listening on %s (mode %04o, group %u)",
		       dm.n, dm.n == 1 ? "" : "s", sock, (unsigned int)mode,
		       (unsigned int)gid);
	else
		logmsg("%d reservation%s, listening on the socket from systemd",
		       dm.n, dm.n == 1 ? "" : "s");
	serve_loop(&dm, s, sfd);
	for (i = 0; i < dm.n; i++) {
		rsv_close(dm.rsv[i], NULL, "daemon ends");
		free(dm.rsv[i]);
	}
	free(dm.rsv);
	close(s);
	close(sfd);
	if (own)
		unlink(sock);
	logmsg("ended");
	return APX_EXIT_OK;
}

/* ---- the client ------------------------------------------------------ */

static void connect_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s connect [--socket PATH] [--timeout SEC] [--qemu] NAME -- COMMAND [ARG...]\n"
		"\n"
		"Ask apmatrix serve for reservation NAME and run COMMAND with its grant\n"
		"fd; \"{grant}\" in an argument becomes the fd number.  With --qemu,\n"
		"\"-machine ap-adapters=A,ap-domains=D[,ap-control-domains=C],ap-grant=FD\"\n"
		"is appended to COMMAND (a QEMU with the apmatrix series).\n"
		"\n"
		"  -s, --socket PATH  default " APX_SOCKET "\n"
		"  -t, --timeout SEC  give up if the daemon has not answered after SEC\n"
		"                     seconds (default $APMATRIX_CONNECT_TIMEOUT or 10)\n"
		"  -q, --qemu         append the -machine option\n"
		"  -h, --help         this text\n",
		apx_prog);
}

static void set_timeouts(int s, long long ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };

	if (ms <= 0)
		tv.tv_usec = 1000;	/* 0 would mean "no timeout" */
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/*
 * Receive one answer line and the fd attached to it before @deadline.
 * 0, or -1 with errno (EAGAIN: timed out, ECONNRESET: closed early).
 */
static int receive(int s, char *buf, size_t len, int *fd, long long deadline)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr *cm;
	size_t got = 0;
	ssize_t n;

	*fd = -1;
	while (got < len - 1) {
		struct iovec iov = { buf + got, len - 1 - got };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};

		set_timeouts(s, deadline - now_ms());
		n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EWOULDBLOCK)
			errno = EAGAIN;
		if (n < 0)
			return -1;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_RIGHTS && *fd < 0)
				memcpy(fd, CMSG_DATA(cm), sizeof(int));
		if (!n)
			break;
		got += n;
		if (memchr(buf + got - n, '\n', n))
			break;
	}
	buf[got] = '\0';
	if (!got) {
		errno = ECONNRESET;
		return -1;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int apx_cmd_connect(int argc, char **argv, const char *root)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "qemu", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *sock = APX_SOCKET, *name, *tmo = NULL;
	char buf[4 * APMX_IDLIST_FMT_LEN], mach[4 * APMX_IDLIST_FMT_LEN];
	char ids[3][APMX_IDLIST_FMT_LEN], *extra[3] = { NULL };
	unsigned long long id;
	long long deadline;
	bool qemu = false;
	size_t off, len;
	ssize_t n;
	long secs;
	int c, s, fd;

	(void)root;
	while ((c = getopt_long(argc, argv, "+s:t:qh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 't':
			tmo = optarg;
			break;
		case 'q':
			qemu = true;
			break;
		case 'h':
			connect_usage(stdout);
			return APX_EXIT_OK;
		default:
			connect_usage(stderr);
			return APX_EXIT_USAGE;
		}
	}
	tmo = apx_setting(tmo, "APMATRIX_CONNECT_TIMEOUT", "10");
	if (parse_count("timeout", tmo, 3600, &secs))
		return APX_EXIT_USAGE;
	if (argc - optind < 2) {
		apx_err("connect needs NAME and a COMMAND after -- (try --help)");
		return APX_EXIT_USAGE;
	}
	name = argv[optind++];
	if (!strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc) {
		apx_err("connect needs a COMMAND after NAME (try --help)");
		return APX_EXIT_USAGE;
	}
	if (!valid_name(name, strlen(name))) {
		apx_err("reservation name '%s': 1-%d letters, digits, '_', '.' or '-'",
			name, APX_NAME_LEN - 1);
		return APX_EXIT_USAGE;
	}
	if (strlen(sock) >= sizeof(sa.sun_path)) {
		apx_err("socket path %s is too long", sock);
		return APX_EXIT_USAGE;
	}
	strcpy(sa.sun_path, sock);
	deadline = now_ms() + secs * 1000;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		apx_err("socket: %s", strerror(errno));
		return APX_EXIT_SYSTEM;
	}
	/* SO_SNDTIMEO bounds a connect() to a full backlog, too */
	set_timeouts(s, secs * 1000);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			apx_err("cannot connect to %s: the daemon did not accept within %ld s",
				sock, secs);
		else
			apx_err("cannot connect to %s: %s", sock,
				strerror(errno));
		close(s);
		return APX_EXIT_SYSTEM;
	}
	snprintf(buf, sizeof(buf), "GET %s\n", name);
	len = strlen(buf);
	for (off = 0; off < len; off += n) {
		set_timeouts(s, deadline - now_ms());
		n = send(s, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0)
			break;
	}
	if (off < len || receive(s, buf, sizeof(buf), &fd, deadline)) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			apx_err("%s: no answer from the daemon within %ld s",
				sock, secs);
		else
			apx_err("%s: no answer from the daemon: %s", sock,
				strerror(errno));
		close(s);
		return APX_EXIT_SYSTEM;
	}
	close(s);
	if (!strncmp(buf, "ERR ", 4)) {
		apx_err("%s", buf + 4);
		if (fd >= 0)
			close(fd);
		return APX_EXIT_BLOCKED;
	}
	if (fd < 0 || sscanf(buf, "OK %llu %609s %609s %609s", &id, ids[0],
			     ids[1], ids[2]) != 4) {
		apx_err("%s: unexpected answer '%s'", sock, buf);
		if (fd >= 0)
			close(fd);
		return APX_EXIT_SYSTEM;
	}
	if (qemu) {
		snprintf(mach, sizeof(mach),
			 "ap-adapters=%s,ap-domains=%s%s%s,ap-grant={grant}",
			 strcmp(ids[0], "-") ? ids[0] : "",
			 strcmp(ids[1], "-") ? ids[1] : "",
			 strcmp(ids[2], "-") ? ",ap-control-domains=" : "",
			 strcmp(ids[2], "-") ? ids[2] : "");
		extra[0] = "-machine";
		extra[1] = mach;
	}
	return apx_exec_grant(fd, id, argv + optind, argc - optind, extra);
}
