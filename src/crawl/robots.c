/*
** robots.c — robots.txt as RFC 9309 defines it (the rules Google and Bing follow too).
**
** Parsing: lines "key: value", comments after '#', keys case-insensitive. Consecutive
** user-agent lines open a group; the allow/disallow/crawl-delay lines after them belong to
** every agent named. We keep only the rules of the groups naming our product token
** (case-insensitive; "newsdb" matches a "newsdb/0.1 ..." User-Agent, "newsdbx" does not),
** else those of "*" — all matching groups merged, as the RFC says. Unknown keys (sitemap, host, ...) and junk lines are ignored; an empty
** Disallow value means nothing is disallowed. At most 500 KiB are parsed.
**
** Matching: the rule with the longest pattern that matches the path wins; on a tie Allow
** wins. `*` matches any run of bytes, a final `$` anchors the end. Patterns and paths are
** compared as bytes (percent-encoding is not normalised).
*/
#include "crawl/crawl.h"

#include <ctype.h>
#include <stdlib.h>
#include <strings.h>

#define ROBOTS_MAX_BYTES (500u << 10)

typedef struct robots_rule {
    char *pat;
    size_t len;
    bool allow;
} robots_rule;

struct ndb_crawl_robots {
    robots_rule *v;
    size_t n, cap;
    double delay;
    bool deny_all; /* ndb_crawl_robots_all(false) */
};

void ndb_crawl_robots_free(ndb_crawl_robots *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        ndb_free(r->v[i].pat);
    }
    ndb_free(r->v);
    ndb_free(r);
}

ndb_rc ndb_crawl_robots_all(bool allow, ndb_crawl_robots **out)
{
    *out = ndb_calloc(1, sizeof **out);
    if (*out == NULL) {
        return NDB_ENOMEM;
    }
    (*out)->deny_all = !allow;
    return NDB_OK;
}

double ndb_crawl_robots_delay(const ndb_crawl_robots *r)
{
    return r->delay;
}

static ndb_rc robots_add(ndb_crawl_robots *r, const char *pat, size_t n, bool allow)
{
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 16;
        robots_rule *nv = ndb_realloc(r->v, ncap * sizeof *nv);
        if (nv == NULL) {
            return NDB_ENOMEM;
        }
        r->v = nv;
        r->cap = ncap;
    }
    r->v[r->n].pat = ndb_strndup(pat, n);
    if (r->v[r->n].pat == NULL) {
        return NDB_ENOMEM;
    }
    r->v[r->n].len = n;
    r->v[r->n].allow = allow;
    r->n++;
    return NDB_OK;
}

/* Does the group's user-agent value ua[0..n) name us? "*" is handled by the caller. */
static bool robots_agent_match(const char *ua, size_t n, const char *agent)
{
    size_t al = strlen(agent);
    return n > 0 && n <= al && strncasecmp(ua, agent, n) == 0 && (n == al || !isalnum(
                                                                                 (unsigned char)agent[n]));
}

typedef struct robots_line {
    const char *key, *val;
    size_t klen, vlen;
} robots_line;

/* Split the next line of p[*pos..n) into key and value; false at the end. */
static bool robots_next(const char *p, size_t n, size_t *pos, robots_line *l)
{
    if (*pos >= n) {
        return false;
    }
    size_t s = *pos, e = s;
    while (e < n && p[e] != '\n' && p[e] != '\r') {
        e++;
    }
    *pos = e;
    while (*pos < n && (p[*pos] == '\n' || p[*pos] == '\r')) {
        (*pos)++;
    }
    const char *hash = memchr(p + s, '#', e - s);
    if (hash) {
        e = (size_t)(hash - p);
    }
    const char *colon = memchr(p + s, ':', e - s);
    memset(l, 0, sizeof *l);
    if (colon == NULL) {
        return true;
    }
    size_t ks = s, ke = (size_t)(colon - p), vs = ke + 1, ve = e;
    while (ks < ke && isspace((unsigned char)p[ks])) {
        ks++;
    }
    while (ke > ks && isspace((unsigned char)p[ke - 1])) {
        ke--;
    }
    while (vs < ve && isspace((unsigned char)p[vs])) {
        vs++;
    }
    while (ve > vs && isspace((unsigned char)p[ve - 1])) {
        ve--;
    }
    l->key = p + ks;
    l->klen = ke - ks;
    l->val = p + vs;
    l->vlen = ve - vs;
    return true;
}

static bool robots_key(const robots_line *l, const char *k)
{
    return l->klen == strlen(k) && strncasecmp(l->key, k, l->klen) == 0;
}

/* One pass collecting the rules of groups that name us (mine = true) or "*". */
static ndb_rc robots_collect(ndb_crawl_robots *r, const char *p, size_t n, const char *agent,
                             bool mine, bool *found)
{
    size_t pos = 0;
    bool in_agents = false, take = false;
    robots_line l;
    *found = false;
    while (robots_next(p, n, &pos, &l)) {
        if (l.key == NULL) {
            continue;
        }
        if (robots_key(&l, "user-agent")) {
            if (!in_agents) {
                take = false;
            }
            in_agents = true;
            bool hit = mine ? robots_agent_match(l.val, l.vlen, agent)
                            : (l.vlen == 1 && l.val[0] == '*');
            if (hit) {
                take = true;
                *found = true;
            }
            continue;
        }
        in_agents = false;
        if (!take) {
            continue;
        }
        if (robots_key(&l, "allow") || robots_key(&l, "disallow")) {
            bool allow = robots_key(&l, "allow");
            if (l.vlen == 0) {
                continue; /* "Disallow:" with no value allows everything */
            }
            ndb_rc rc = robots_add(r, l.val, l.vlen, allow);
            if (rc != NDB_OK) {
                return rc;
            }
        } else if (robots_key(&l, "crawl-delay")) {
            char tmp[32];
            size_t k = NDB_MIN(l.vlen, sizeof tmp - 1);
            memcpy(tmp, l.val, k);
            tmp[k] = 0;
            char *end;
            double d = strtod(tmp, &end);
            if (end != tmp && d > 0 && d < 1e6) {
                r->delay = d;
            }
        }
    }
    return NDB_OK;
}

ndb_rc ndb_crawl_robots_parse(const uint8_t *p, size_t n, const char *agent,
                              ndb_crawl_robots **out)
{
    ndb_crawl_robots *r = ndb_calloc(1, sizeof *r);
    bool found = false;
    ndb_rc rc;
    char token[64];
    size_t k = 0;
    *out = NULL;
    if (r == NULL) {
        return NDB_ENOMEM;
    }
    /* the product token: "newsdb/0.1 (+url)" -> "newsdb" */
    while (agent && agent[k] && agent[k] != '/' && agent[k] != ' ' && k + 1 < sizeof token) {
        token[k] = agent[k];
        k++;
    }
    token[k] = 0;
    n = NDB_MIN(n, (size_t)ROBOTS_MAX_BYTES);
    rc = robots_collect(r, (const char *)p, n, token, true, &found);
    if (rc == NDB_OK && !found) {
        rc = robots_collect(r, (const char *)p, n, token, false, &found);
    }
    if (rc != NDB_OK) {
        ndb_crawl_robots_free(r);
        return rc;
    }
    *out = r;
    return NDB_OK;
}

/* Does pattern pat[0..pn) match a prefix of (or, with a final '$', all of) s[0..sn)?
** Iterative wildcard matching with one backtrack point: O(pn * sn) worst case. */
static bool robots_match(const char *pat, size_t pn, const char *s, size_t sn)
{
    bool anchored = pn > 0 && pat[pn - 1] == '$';
    if (anchored) {
        pn--;
    }
    size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;
    for (;;) {
        if (pi == pn) {
            if (!anchored || si == sn) {
                return true;
            }
        } else if (pat[pi] == '*') {
            star_p = ++pi;
            star_s = si;
            continue;
        } else if (si < sn && pat[pi] == s[si]) {
            pi++;
            si++;
            continue;
        }
        if (star_p == SIZE_MAX || star_s >= sn) {
            return false;
        }
        pi = star_p;
        si = ++star_s;
    }
}

bool ndb_crawl_robots_allowed(const ndb_crawl_robots *r, const char *path)
{
    size_t best = 0, sn = strlen(path);
    bool allow = true, any = false;
    if (strcmp(path, "/robots.txt") == 0) {
        return true;
    }
    if (r->deny_all) {
        return false;
    }
    for (size_t i = 0; i < r->n; i++) {
        const robots_rule *u = &r->v[i];
        if (!robots_match(u->pat, u->len, path, sn)) {
            continue;
        }
        if (!any || u->len > best || (u->len == best && u->allow)) {
            best = u->len;
            allow = u->allow;
            any = true;
        }
    }
    return allow;
}
