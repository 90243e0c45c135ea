/*
** html_tree.c — parse (prefiltered) HTML into a small read-only tree, with libxml2's HTML
** parser driven through its SAX interface.
**
** Why this shape: the extractor only walks elements, a few attributes and text, so it does
** not need a DOM. libxml2's HTML parser (htmlParseDocument) tokenizes, decodes entities and
** applies HTML's implied and auto-closed tags (a <p> ends at the next <p> or <div>, <li> at
** the next <li>, a stray end tag closes what it matches); its SAX events are turned here into
** html_node records in one bump arena, freed at once. This is ~3-4x faster than building
** gumbo's HTML5 tree of the same bytes, and unlike gumbo, libxml2 checks every allocation.
**
** The tree:
**   root        an HT_ROOT node; libxml2 supplies the implied <html> and <body>.
**   elements    tag (html_tag, from the lower-cased name; HT_UNKNOWN for names not in the
**               table), attributes as (name, value) pairs copied into the arena (names
**               lower-case, a value-less attribute has value ""), children in order.
**   text        HT_TEXT nodes: adjacent character events merged, entities decoded, NUL-
**               terminated; <script> and <style> bodies (CDATA events) are text too.
**
** Input contract: p[0..n) is UTF-8 (the caller passes html_utf8_clean output). libxml2 is
** told the encoding is UTF-8 and that it must not change it, so a <meta charset> in the
** bytes (already honoured by html_charset.c) is not applied twice.
**
** Bounds (hostile nesting):
**   - elements deeper than HTML_TREE_MAX_DEPTH are not made into nodes (their text goes to
**     the deepest node kept); the walks stop at HTML_MAX_DEPTH < HTML_TREE_MAX_DEPTH anyway;
**   - libxml2 looks for the match of an end tag through its stack of open elements; the
**     parse is stopped (what was read is kept) when more than HTML_TREE_STOP_OPEN elements
**     are open, so that search is bounded: 999 open elements and a million end tags that
**     match none take ~0.3 s (tests/doc/test_html.c, stray_end_tags_under_deep_nesting).
**
** Threading: reentrant; xmlInitParser runs once (pthread_once) before the first parse.
*/
#include "doc/html_int.h"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <pthread.h>
#include <strings.h>

#define HTML_TREE_STOP_OPEN 1000
#define HTML_ARENA_CHUNK ((size_t)1 << 20)

/* ---------------------------------------------------------------- tag names */

static const struct {
    const char *name;
    html_tag tag;
} tree_tags[] = { /* sorted by name (strcmp) */
    {"a", HT_A},
    {"address", HT_ADDRESS},
    {"amp-ad", HT_AMP_SKIPPED},
    {"amp-iframe", HT_AMP_SKIPPED},
    {"amp-img", HT_AMP_SKIPPED},
    {"amp-social-share", HT_AMP_SKIPPED},
    {"applet", HT_APPLET},
    {"article", HT_ARTICLE},
    {"aside", HT_ASIDE},
    {"audio", HT_AUDIO},
    {"blockquote", HT_BLOCKQUOTE},
    {"body", HT_BODY},
    {"br", HT_BR},
    {"button", HT_BUTTON},
    {"canvas", HT_CANVAS},
    {"caption", HT_CAPTION},
    {"center", HT_CENTER},
    {"datalist", HT_DATALIST},
    {"dd", HT_DD},
    {"details", HT_DETAILS},
    {"dialog", HT_DIALOG},
    {"dir", HT_DIR},
    {"div", HT_DIV},
    {"dl", HT_DL},
    {"dt", HT_DT},
    {"embed", HT_EMBED},
    {"fieldset", HT_FIELDSET},
    {"figcaption", HT_FIGCAPTION},
    {"figure", HT_FIGURE},
    {"footer", HT_FOOTER},
    {"form", HT_FORM},
    {"h1", HT_H1},
    {"h2", HT_H2},
    {"h3", HT_H3},
    {"h4", HT_H4},
    {"h5", HT_H5},
    {"h6", HT_H6},
    {"head", HT_HEAD},
    {"header", HT_HEADER},
    {"hgroup", HT_HGROUP},
    {"hr", HT_HR},
    {"html", HT_HTML},
    {"iframe", HT_IFRAME},
    {"img", HT_IMG},
    {"input", HT_INPUT},
    {"label", HT_LABEL},
    {"legend", HT_LEGEND},
    {"li", HT_LI},
    {"link", HT_LINK},
    {"main", HT_MAIN},
    {"map", HT_MAP},
    {"math", HT_MATH},
    {"menu", HT_MENU},
    {"meta", HT_META},
    {"nav", HT_NAV},
    {"noembed", HT_NOEMBED},
    {"noframes", HT_NOFRAMES},
    {"noscript", HT_NOSCRIPT},
    {"object", HT_OBJECT},
    {"ol", HT_OL},
    {"option", HT_OPTION},
    {"p", HT_P},
    {"picture", HT_PICTURE},
    {"pre", HT_PRE},
    {"script", HT_SCRIPT},
    {"section", HT_SECTION},
    {"select", HT_SELECT},
    {"style", HT_STYLE},
    {"summary", HT_SUMMARY},
    {"svg", HT_SVG},
    {"table", HT_TABLE},
    {"tbody", HT_TBODY},
    {"td", HT_TD},
    {"template", HT_TEMPLATE},
    {"textarea", HT_TEXTAREA},
    {"tfoot", HT_TFOOT},
    {"th", HT_TH},
    {"thead", HT_THEAD},
    {"time", HT_TIME},
    {"title", HT_TITLE},
    {"tr", HT_TR},
    {"ul", HT_UL},
    {"video", HT_VIDEO},
};

#define TREE_N_TAGS (sizeof tree_tags / sizeof tree_tags[0])

static html_tag tree_tag_lookup(const char *name)
{
    size_t lo = 0, hi = TREE_N_TAGS;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(name, tree_tags[mid].name);
        if (c == 0) {
            return tree_tags[mid].tag;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return HT_UNKNOWN;
}

/* ---------------------------------------------------------------- arena */

typedef struct html_chunk {
    struct html_chunk *next;
    size_t used, cap;
    max_align_t data[];
} html_chunk;

static void *tree_alloc(html_tree *t, size_t size)
{
    html_chunk *c = t->head;
    size = (size + 15) & ~(size_t)15;
    if (c == NULL || c->cap - c->used < size) {
        size_t cap = size > t->chunk / 4 ? size : t->chunk;
        html_chunk *nc = ndb_malloc(sizeof *nc + cap);
        if (nc == NULL) {
            return NULL;
        }
        nc->cap = cap;
        nc->used = 0;
        if (c != NULL && size > t->chunk / 4) { /* keep bumping the current chunk */
            nc->next = c->next;
            c->next = nc;
            nc->used = cap;
            return nc->data;
        }
        nc->next = c;
        t->head = c = nc;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    return p;
}

static char *tree_strdup(html_tree *t, const char *s, size_t n)
{
    char *d = tree_alloc(t, n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void html_tree_fini(html_tree *t)
{
    while (t->head != NULL) {
        html_chunk *n = t->head->next;
        ndb_free(t->head);
        t->head = n;
    }
    memset(t, 0, sizeof *t);
}

/* ---------------------------------------------------------------- SAX events */

typedef struct tree_build {
    html_tree *t;
    htmlParserCtxtPtr ctxt;
    html_node *cur;     /* the open node that receives children */
    uint32_t depth;     /* open elements, kept or not */
    uint32_t dropped;   /* open elements past HTML_TREE_MAX_DEPTH (not in the tree) */
    ndb_buf text;       /* pending character data */
    const char *cache_name[64]; /* libxml2 interns names: pointer -> tag cache */
    html_tag cache_tag[64];
    ndb_rc rc;
} tree_build;

static void tree_fail(tree_build *b, ndb_rc rc)
{
    if (b->rc == NDB_OK) {
        b->rc = rc;
    }
    xmlStopParser(b->ctxt);
}

static html_node *tree_new_node(tree_build *b, html_tag tag)
{
    html_node *nd = tree_alloc(b->t, sizeof *nd);
    if (nd == NULL) {
        tree_fail(b, NDB_ENOMEM);
        return NULL;
    }
    memset(nd, 0, sizeof *nd);
    nd->tag = (uint8_t)tag;
    nd->parent = b->cur;
    if (b->cur->last != NULL) {
        b->cur->last->next = nd;
    } else {
        b->cur->first = nd;
    }
    b->cur->last = nd;
    return nd;
}

static void tree_flush_text(tree_build *b)
{
    if (b->text.n == 0 || b->rc != NDB_OK) {
        return;
    }
    html_node *nd = tree_new_node(b, HT_TEXT);
    if (nd != NULL) {
        nd->text = tree_strdup(b->t, (const char *)b->text.p, b->text.n);
        nd->text_n = (uint32_t)b->text.n;
        if (nd->text == NULL) {
            tree_fail(b, NDB_ENOMEM);
        }
    }
    ndb_buf_reset(&b->text);
}

static html_tag tree_tag(tree_build *b, const char *name)
{
    size_t h = ((uintptr_t)name >> 4) & 63;
    if (b->cache_name[h] != name) {
        b->cache_name[h] = name;
        b->cache_tag[h] = tree_tag_lookup(name);
    }
    return b->cache_tag[h];
}

/* Hidden by the hidden attribute, aria-hidden="true" or an inline style. */
static bool tree_hidden(const html_node *e)
{
    const char *a;
    if (html_attr(e, "hidden") != NULL) {
        return true;
    }
    a = html_attr(e, "aria-hidden");
    if (a != NULL && strcasecmp(a, "true") == 0) {
        return true;
    }
    a = html_attr(e, "style");
    if (a != NULL) {
        char st[256];
        size_t k = 0;
        for (const char *s = a; *s && k + 1 < sizeof st; s++) {
            if (*s != ' ') {
                st[k++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
            }
        }
        st[k] = '\0';
        if (strstr(st, "display:none") || strstr(st, "visibility:hidden")) {
            return true;
        }
    }
    return false;
}

static void tree_start(void *ud, const xmlChar *name, const xmlChar **atts)
{
    tree_build *b = ud;
    size_t na = 0;
    if (b->rc != NDB_OK) {
        return;
    }
    b->depth++;
    if (b->depth > HTML_TREE_STOP_OPEN) {
        xmlStopParser(b->ctxt); /* hostile nesting: keep what was read */
        return;
    }
    if (b->dropped > 0 || b->depth > HTML_TREE_MAX_DEPTH) {
        b->dropped++;
        return;
    }
    tree_flush_text(b);
    html_node *nd = tree_new_node(b, tree_tag(b, (const char *)name));
    if (nd == NULL) {
        return;
    }
    while (atts != NULL && atts[na] != NULL && na < 2 * UINT16_MAX) {
        na += 2;
    }
    if (na > 0) {
        const char **a = tree_alloc(b->t, na * sizeof *a);
        if (a == NULL) {
            tree_fail(b, NDB_ENOMEM);
            return;
        }
        for (size_t i = 0; i < na; i++) {
            const char *s = atts[i] ? (const char *)atts[i] : "";
            a[i] = tree_strdup(b->t, s, strlen(s));
            if (a[i] == NULL) {
                tree_fail(b, NDB_ENOMEM);
                return;
            }
        }
        nd->attrs = a;
        nd->n_attrs = (uint16_t)(na / 2);
        nd->cls = html_attr(nd, "class");
        nd->id = html_attr(nd, "id");
        nd->hidden = tree_hidden(nd);
    }
    b->cur = nd;
}

static void tree_end(void *ud, const xmlChar *name)
{
    tree_build *b = ud;
    NDB_UNUSED(name);
    if (b->rc != NDB_OK || b->depth == 0) {
        return;
    }
    b->depth--;
    if (b->dropped > 0) {
        b->dropped--;
        return;
    }
    tree_flush_text(b);
    if (b->cur->parent != NULL) {
        b->cur = b->cur->parent;
    }
}

static void tree_chars(void *ud, const xmlChar *s, int n)
{
    tree_build *b = ud;
    if (b->rc != NDB_OK || n <= 0) {
        return;
    }
    ndb_rc rc = ndb_buf_append(&b->text, s, (size_t)n);
    if (rc != NDB_OK) {
        tree_fail(b, rc);
    }
}

static pthread_once_t tree_once = PTHREAD_ONCE_INIT;

static void tree_init_libxml(void)
{
    xmlInitParser();
}

ndb_rc html_tree_parse(const uint8_t *p, size_t n, html_tree *t, ndb_err *err)
{
    tree_build b;
    htmlSAXHandler sax;
    ndb_rc rc = NDB_OK;

    memset(t, 0, sizeof *t);
    memset(&b, 0, sizeof b);
    t->chunk = NDB_MAX((size_t)64 << 10, NDB_MIN(HTML_ARENA_CHUNK, n * 2));
    ndb_buf_init(&b.text, NDB_BUF_NOMAX);
    b.t = t;
    if (n > INT32_MAX) {
        return ndb_err_set(err, NDB_ELIMIT, "page too large for the HTML parser");
    }
    t->root = tree_alloc(t, sizeof *t->root);
    if (t->root == NULL) {
        rc = NDB_ENOMEM;
        goto out;
    }
    memset(t->root, 0, sizeof *t->root);
    t->root->tag = HT_ROOT;
    b.cur = t->root;
    pthread_once(&tree_once, tree_init_libxml);
    /* libxml2 reads at least one byte; an empty buffer stands for an empty page */
    b.ctxt = htmlCreateMemoryParserCtxt(n > 0 ? (const char *)p : " ", n > 0 ? (int)n : 1);
    if (b.ctxt == NULL) {
        rc = NDB_ENOMEM;
        goto out;
    }
    memset(&sax, 0, sizeof sax);
    sax.startElement = tree_start;
    sax.endElement = tree_end;
    sax.characters = tree_chars;
    sax.ignorableWhitespace = tree_chars;
    sax.cdataBlock = tree_chars;
    htmlCtxtUseOptions(b.ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                   HTML_PARSE_NONET | HTML_PARSE_COMPACT);
    memcpy(b.ctxt->sax, &sax, sizeof sax);
    b.ctxt->userData = &b;
    /* the bytes are UTF-8 (html_charset.c decided): libxml2 must not switch on <meta> */
    xmlSwitchEncoding(b.ctxt, XML_CHAR_ENCODING_UTF8);
    if (b.ctxt->input != NULL && b.ctxt->input->encoding == NULL) {
        b.ctxt->input->encoding = xmlStrdup((const xmlChar *)"UTF-8");
        if (b.ctxt->input->encoding == NULL) {
            rc = NDB_ENOMEM;
            goto out;
        }
    }
    (void)htmlParseDocument(b.ctxt); /* recovers from any markup; b.rc has our failures */
    if (b.rc == NDB_OK) {
        tree_flush_text(&b);
    }
    rc = b.rc;
    if (rc == NDB_OK && b.ctxt->errNo == XML_ERR_NO_MEMORY) {
        rc = NDB_ENOMEM;
    }
out:
    if (b.ctxt != NULL) {
        htmlFreeParserCtxt(b.ctxt);
    }
    ndb_buf_fini(&b.text);
    if (rc != NDB_OK) {
        html_tree_fini(t);
        if (rc == NDB_ENOMEM) {
            rc = ndb_err_set(err, rc, "out of memory in the HTML parser");
        }
    }
    return rc;
}

const char *html_attr(const html_node *e, const char *name)
{
    for (uint32_t i = 0; i < e->n_attrs; i++) {
        if (strcmp(e->attrs[2 * i], name) == 0) {
            return e->attrs[2 * i + 1];
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- UTF-8 for libxml2 */

/* Length of the valid UTF-8 sequence at p[0..n) (no overlongs, surrogates, > U+10FFFF,
** and no NUL), or 0. */
static size_t tree_utf8_len(const uint8_t *p, size_t n)
{
    int32_t cp;
    return p[0] == 0 ? 0 : ndb_utf8_decode(p, n, &cp); /* base/utf8.c: RFC 3629 strict */
}

ndb_rc html_utf8_clean(const uint8_t *p, size_t n, ndb_buf *out, const uint8_t **view,
                       size_t *view_n)
{
    size_t i = 0, done = 0;
    ndb_rc rc = NDB_OK;
    *view = p;
    *view_n = n;
    while (i < n) {
        if (p[i] != 0 && p[i] < 0x80) {
            i++;
            while (i + 8 <= n) { /* ASCII without NUL, 8 bytes at a time */
                uint64_t w;
                memcpy(&w, p + i, 8);
                if ((w & 0x8080808080808080ull) ||
                    ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull)) {
                    break;
                }
                i += 8;
            }
            continue;
        }
        size_t k = tree_utf8_len(p + i, n - i);
        if (k > 0) {
            i += k;
            continue;
        }
        /* a NUL or an invalid byte: U+FFFD (libxml2 would stop at a NUL and read the rest
        ** as latin-1 after an invalid sequence) */
        if (done == 0 && out->n == 0) {
            rc = ndb_buf_reserve(out, n + n / 8 + 16);
        }
        if (rc == NDB_OK) {
            rc = ndb_buf_append(out, p + done, i - done);
        }
        if (rc == NDB_OK) {
            rc = ndb_buf_append(out, "\xef\xbf\xbd", 3);
        }
        if (rc != NDB_OK) {
            return rc;
        }
        i++;
        done = i;
    }
    if (done > 0) {
        rc = ndb_buf_append(out, p + done, n - done);
        *view = out->p;
        *view_n = out->n;
    }
    return rc;
}
