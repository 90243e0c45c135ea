/*
** feed.c — the links of an RSS / Atom feed or a sitemap, with libxml2.
**
** Formats (matched on element local names, so namespace prefixes do not matter):
**   RSS 0.9x/2.0   <rss><channel><item><link>, <title>, <pubDate> | <dc:date>; a <guid>
**                  with isPermaLink not "false" serves when <link> is missing
**   RSS 1.0 (RDF)  <rdf:RDF> ... <item><link>, <title>, <dc:date>
**   Atom           <feed><entry><link href rel="alternate"|none>, <title>, <published> |
**                  <updated>
**   sitemaps       <urlset><url><loc>, <lastmod>; <sitemapindex><sitemap><loc>, <lastmod>
** Links are trimmed, resolved against the document URL (xmlBuildURI), and kept only when
** they are http(s). Gzip input (sitemap.xml.gz served without Content-Encoding) is
** inflated first, up to FEED_MAX_INFLATE.
**
** Safety: XML_PARSE_NONET (no network), no entity substitution (XML_PARSE_NOENT is not
** set, so no external entity is ever loaded) and libxml2's default amplification and
** depth limits (no XML_PARSE_HUGE); RECOVER so that slightly broken feeds still give
** their links. At most NDB_CRAWL_MAX_LINKS links per document.
*/
#include "crawl/crawl.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <strings.h>
#include <zlib.h>

#define FEED_MAX_INFLATE (64u << 20)

void ndb_crawl_links_init(ndb_crawl_links *l)
{
    memset(l, 0, sizeof *l);
}

void ndb_crawl_links_fini(ndb_crawl_links *l)
{
    for (size_t i = 0; i < l->n; i++) {
        ndb_free(l->v[i].url);
        ndb_free(l->v[i].title);
        ndb_free(l->v[i].date);
    }
    ndb_free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---------------------------------------------------------------- dates */

static bool feed_ymd(int y, int m, int d, char out[11])
{
    int32_t days;
    if (!ndb_date_from_ymd(y, m, d, &days) || y < 1900 || y > 2200) {
        return false;
    }
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return true;
}

bool ndb_crawl_parse_date(const char *s, char out[11])
{
    static const char *const mon[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
    int y = 0, m = 0, d = 0;
    out[0] = 0;
    while (*s && isspace((unsigned char)*s)) {
        s++;
    }
    /* ISO 8601: YYYY-MM-DD... */
    if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
        isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) && s[4] == '-') {
        if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) == 3) {
            return feed_ymd(y, m, d, out);
        }
        return false;
    }
    /* RFC 822: [Ddd,] DD Mon YYYY ... */
    const char *c = strchr(s, ',');
    if (c && c - s <= 10) {
        s = c + 1;
    }
    while (*s && isspace((unsigned char)*s)) {
        s++;
    }
    if (!isdigit((unsigned char)*s)) {
        return false;
    }
    d = (int)strtol(s, (char **)&s, 10);
    while (*s && isspace((unsigned char)*s)) {
        s++;
    }
    for (int i = 0; i < 12; i++) {
        if (strncasecmp(s, mon[i], 3) == 0) {
            m = i + 1;
        }
    }
    if (m == 0) {
        return false;
    }
    while (*s && !isspace((unsigned char)*s)) {
        s++;
    }
    if (!isdigit((unsigned char)s[0]) && !isspace((unsigned char)s[0])) {
        return false;
    }
    y = (int)strtol(s, NULL, 10);
    if (y >= 0 && y < 100) {
        y += y < 70 ? 2000 : 1900;
    }
    return feed_ymd(y, m, d, out);
}

/* ---------------------------------------------------------------- tree walking */

static bool feed_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcasecmp((const char *)n->name, name) == 0;
}

static const xmlNode *feed_child(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (feed_is(c, name)) {
            return c;
        }
    }
    return NULL;
}

/* Trimmed text of a node into a new string ("" when none). NULL on OOM. */
static char *feed_text(const xmlNode *n)
{
    xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
    const char *s = t ? (const char *)t : "";
    size_t a = 0, b = strlen(s);
    while (a < b && isspace((unsigned char)s[a])) {
        a++;
    }
    while (b > a && isspace((unsigned char)s[b - 1])) {
        b--;
    }
    char *r = ndb_strndup(s + a, b - a);
    if (r) { /* titles: newlines and tabs become spaces */
        for (char *q = r; *q; q++) {
            if (*q == '\n' || *q == '\r' || *q == '\t') {
                *q = ' ';
            }
        }
    }
    xmlFree(t);
    return r;
}

typedef struct feed_ctx {
    ndb_crawl_links *out;
    const char *base;
    ndb_rc rc;
} feed_ctx;

/* Add a link (raw text href, title node, date nodes in order of preference). */
static void feed_add(feed_ctx *f, const char *href, const xmlNode *title, const xmlNode *d1,
                     const xmlNode *d2)
{
    ndb_crawl_links *l = f->out;
    char *h = NULL, *t = NULL, *ds = NULL, date[11] = "";
    xmlChar *abs = NULL;
    size_t a = 0, b;
    if (f->rc != NDB_OK || href == NULL || l->n >= NDB_CRAWL_MAX_LINKS) {
        return;
    }
    b = strlen(href);
    while (a < b && isspace((unsigned char)href[a])) {
        a++;
    }
    while (b > a && isspace((unsigned char)href[b - 1])) {
        b--;
    }
    h = ndb_strndup(href + a, b - a);
    if (h == NULL) {
        f->rc = NDB_ENOMEM;
        return;
    }
    abs = xmlBuildURI((const xmlChar *)h, (const xmlChar *)f->base);
    ndb_free(h);
    h = NULL;
    if (abs == NULL || (strncasecmp((const char *)abs, "http://", 7) != 0 &&
                        strncasecmp((const char *)abs, "https://", 8) != 0)) {
        xmlFree(abs);
        return;
    }
    for (const xmlChar *q = abs; *q; q++) {
        if (*q <= 0x20 || *q == 0x7f) {
            xmlFree(abs);
            return; /* not usable as a URL line */
        }
    }
    for (const xmlNode *dn = d1; dn; dn = dn == d1 ? d2 : NULL) {
        char *s = feed_text(dn);
        bool ok = s && ndb_crawl_parse_date(s, date);
        ndb_free(s);
        if (ok) {
            break;
        }
    }
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64;
        ndb_crawl_link *nv = ndb_realloc(l->v, ncap * sizeof *nv);
        if (nv == NULL) {
            xmlFree(abs);
            f->rc = NDB_ENOMEM;
            return;
        }
        l->v = nv;
        l->cap = ncap;
    }
    h = ndb_strdup((const char *)abs);
    t = feed_text(title);
    ds = ndb_strdup(date);
    xmlFree(abs);
    if (h == NULL || t == NULL || ds == NULL) {
        ndb_free(h);
        ndb_free(t);
        ndb_free(ds);
        f->rc = NDB_ENOMEM;
        return;
    }
    l->v[l->n].url = h;
    l->v[l->n].title = t;
    l->v[l->n].date = ds;
    l->n++;
}

static void feed_rss_item(feed_ctx *f, const xmlNode *it)
{
    const xmlNode *link = feed_child(it, "link");
    char *href = link ? feed_text(link) : NULL;
    if ((href == NULL || *href == 0)) {
        const xmlNode *g = feed_child(it, "guid");
        xmlChar *perm = g ? xmlGetProp(g, (const xmlChar *)"isPermaLink") : NULL;
        if (g && (perm == NULL || strcasecmp((const char *)perm, "false") != 0)) {
            ndb_free(href);
            href = feed_text(g);
        }
        xmlFree(perm);
    }
    if (href && *href) {
        const xmlNode *d = feed_child(it, "pubDate");
        feed_add(f, href, feed_child(it, "title"), d ? d : feed_child(it, "date"), NULL);
    }
    ndb_free(href);
}

static void feed_atom_entry(feed_ctx *f, const xmlNode *e)
{
    xmlChar *href = NULL;
    for (const xmlNode *c = e->children; c; c = c->next) {
        if (!feed_is(c, "link")) {
            continue;
        }
        xmlChar *rel = xmlGetProp(c, (const xmlChar *)"rel");
        bool alt = rel == NULL || strcasecmp((const char *)rel, "alternate") == 0;
        xmlFree(rel);
        if (alt) {
            href = xmlGetProp(c, (const xmlChar *)"href");
            if (href) {
                break;
            }
        }
    }
    if (href) {
        feed_add(f, (const char *)href, feed_child(e, "title"), feed_child(e, "published"),
                 feed_child(e, "updated"));
    }
    xmlFree(href);
}

static void feed_loc(feed_ctx *f, const xmlNode *u)
{
    char *loc = feed_text(feed_child(u, "loc"));
    if (loc && *loc) {
        feed_add(f, loc, NULL, feed_child(u, "lastmod"), NULL);
    }
    ndb_free(loc);
}

/* Visit elements named `name` anywhere below n (RSS 1.0 items sit beside the channel). */
static void feed_each(feed_ctx *f, const xmlNode *n, const char *name, int depth,
                      void (*fn)(feed_ctx *, const xmlNode *))
{
    if (depth > 8) {
        return;
    }
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (feed_is(c, name)) {
            fn(f, c);
        } else if (c->type == XML_ELEMENT_NODE) {
            feed_each(f, c, name, depth + 1, fn);
        }
    }
}

/* ---------------------------------------------------------------- entry point */

static ndb_rc feed_inflate(const uint8_t *p, size_t n, ndb_buf *out, ndb_err *err)
{
    z_stream z;
    uint8_t tmp[16384];
    int zr = Z_OK;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK) {
        return ndb_err_set(err, NDB_ENOMEM, "cannot start zlib");
    }
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)NDB_MIN(n, (size_t)UINT32_MAX);
    while (zr != Z_STREAM_END) {
        z.next_out = tmp;
        z.avail_out = sizeof tmp;
        zr = inflate(&z, Z_NO_FLUSH);
        if ((zr != Z_OK && zr != Z_STREAM_END) ||
            ndb_buf_append(out, tmp, sizeof tmp - z.avail_out) != NDB_OK) {
            inflateEnd(&z);
            return ndb_err_set(err, NDB_EPARSE, "gzip data %s",
                               zr == Z_OK || zr == Z_STREAM_END ? "inflates past 64 MiB"
                                                                : "does not decompress");
        }
    }
    inflateEnd(&z);
    return NDB_OK;
}

ndb_rc ndb_crawl_feed_parse(const uint8_t *p, size_t n, const char *base_url,
                            ndb_crawl_links *out, ndb_err *err)
{
    ndb_buf raw;
    xmlDoc *doc = NULL;
    const xmlNode *root;
    feed_ctx f = {out, base_url ? base_url : "", NDB_OK};
    ndb_rc rc = NDB_OK;
    ndb_err_clear(err);
    ndb_crawl_links_fini(out);
    ndb_buf_init(&raw, FEED_MAX_INFLATE);
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
        rc = feed_inflate(p, n, &raw, err);
        if (rc != NDB_OK) {
            goto out;
        }
        p = raw.p;
        n = raw.n;
    }
    if (n > INT32_MAX) {
        rc = ndb_err_set(err, NDB_ELIMIT, "document too large");
        goto out;
    }
    doc = xmlReadMemory(n ? (const char *)p : "", (int)n, base_url, NULL,
                        XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (root == NULL) {
        rc = ndb_err_set(err, NDB_EPARSE, "not XML");
        goto out;
    }
    if (feed_is(root, "rss") || feed_is(root, "RDF")) {
        out->kind = NDB_CRAWL_RSS;
        feed_each(&f, root, "item", 0, feed_rss_item);
    } else if (feed_is(root, "feed")) {
        out->kind = NDB_CRAWL_ATOM;
        feed_each(&f, root, "entry", 0, feed_atom_entry);
    } else if (feed_is(root, "urlset")) {
        out->kind = NDB_CRAWL_SITEMAP;
        feed_each(&f, root, "url", 0, feed_loc);
    } else if (feed_is(root, "sitemapindex")) {
        out->kind = NDB_CRAWL_SITEMAP_INDEX;
        feed_each(&f, root, "sitemap", 0, feed_loc);
    } else {
        rc = ndb_err_set(err, NDB_EPARSE,
                         "not a feed or sitemap (root element <%.64s>; expected rss, RDF, "
                         "feed, urlset or sitemapindex)",
                         (const char *)root->name);
        goto out;
    }
    rc = f.rc;
    if (rc != NDB_OK) {
        ndb_err_set(err, rc, "out of memory");
    }
out:
    if (doc) {
        xmlFreeDoc(doc);
    }
    ndb_buf_fini(&raw);
    if (rc != NDB_OK) {
        ndb_crawl_links_fini(out);
    }
    return rc;
}
