/*
** html_extract.c — which text of a page is the article: blocks, scores, one winning subtree.
**
** The method is the one readability, boilerpipe and trafilatura share, on html_tree.c's tree:
**   1. Walk <body> in document order (depth-bounded, HTML_MAX_DEPTH). Subtrees that are never
**      article text are skipped whole: script/style/template/svg/iframe/forms controls, nav,
**      aside, header, footer, figure (images and their captions), menus and dialogs; nodes
**      hidden by `hidden`, aria-hidden="true" or an inline display:none; and elements whose
**      class or id names boilerplate (comments, sharing, social, related, promo, sidebar,
**      newsletter, breadcrumbs, ads, caption, ...) unless it also names content (article,
**      content, main, body, ...) — readability's unlikely/maybe-candidate rule.
**   2. Block-level elements (p, div, li, h1-h6, td, blockquote, pre, br, ...) cut the text
**      into blocks; each block remembers its innermost block element, its characters, the
**      characters inside links, and its commas. Whitespace is collapsed (NBSP too).
**   3. Every block of >= 25 characters scores 1 + commas + min(chars / 100, 3) and adds it
**      to up to 5 ancestors of its element, divided by 1, 2, 3*level... (readability). An
**      element starts with a score by tag (div +5, td/pre/blockquote +3, lists -3, headings
**      -5) plus +-25 by class/id words; its final score is scaled by (1 - link density).
**   4. The best element wins; if three or more near-best (>= 75 %) candidates share an
**      ancestor, that ancestor wins instead (an article split into several boxes). Siblings
**      of the winner with a high enough score (>= max(10, 20 % of the winner's)) or that are
**      long, link-poor text join it.
**   5. When the result is under HTML_RETRY_BELOW bytes, html.c runs all of it again without
**      the class/id skipping of step 1 (a word like "-ad-" or "pager" in a page-wide
**      wrapper); the prefilter then keeps those subtrees too.
**   6. The winner's blocks, in order, are the paragraphs, except link lists (link density
**      > 0.5), <h1> headings and any block equal to the headline.
** Nothing here knows any site: only tag names, attributes and text statistics.
**
** Threading: reentrant.
*/
#include "doc/html_int.h"

#include <strings.h>

#define EX_MIN_SCORED_CHARS 25
#define EX_GOOD_CHARS 80 /* a block this long with link density < 0.25 is prose */

typedef struct ex_elem {
    const html_node *node;
    int32_t parent;   /* elem id, -1 for the root */
    uint32_t end;     /* preorder: descendants are (id, end) */
    uint8_t tag; /* html_tag */
    double score;
    bool candidate;   /* score initialized */
    uint32_t chars, link_chars;
    uint32_t good; /* chars of paragraph-like blocks below: >= EX_GOOD_CHARS, few links */
} ex_elem;

typedef struct ex_block {
    uint32_t elem;     /* innermost block element */
    uint32_t off, len; /* bytes in ex.text */
    uint32_t chars, link_chars, commas;
} ex_block;

typedef struct ex {
    ex_elem *elems;
    uint32_t n_elems, cap_elems;
    ex_block *blocks;
    uint32_t n_blocks, cap_blocks;
    ndb_buf text;       /* all block texts, back to back */
    size_t block_start; /* start of the open block in text */
    uint32_t open_chars, open_links, open_commas;
    bool pending_space;
    bool strict; /* skip subtrees by class/id words */
    int link_depth;
} ex;

/* ---------------------------------------------------------------- tag classes */

static bool ex_tag_skipped(unsigned t)
{
    switch (t) {
    case HT_SCRIPT: case HT_STYLE: case HT_NOSCRIPT:
    case HT_TEMPLATE: case HT_SVG: case HT_MATH: case HT_IFRAME:
    case HT_OBJECT: case HT_EMBED: case HT_CANVAS: case HT_VIDEO:
    case HT_AUDIO: case HT_SELECT: case HT_BUTTON: case HT_INPUT:
    case HT_TEXTAREA: case HT_NAV: case HT_ASIDE: case HT_FOOTER:
    case HT_FIGURE: case HT_FIGCAPTION:
    case HT_IMG: case HT_HEAD: case HT_MENU:
    case HT_HEADER: case HT_TITLE: case HT_LINK: case HT_META:
    case HT_MAP: case HT_NOEMBED: case HT_NOFRAMES: case HT_APPLET:
    case HT_LABEL: case HT_OPTION: case HT_DATALIST: case HT_PICTURE: case HT_DIALOG:
    case HT_AMP_SKIPPED:
        return true;
    default:
        return false;
    }
}

static bool ex_tag_block(unsigned t)
{
    switch (t) {
    case HT_ADDRESS: case HT_ARTICLE: case HT_BLOCKQUOTE:
    case HT_BODY: case HT_CENTER: case HT_DD: case HT_DETAILS:
    case HT_DIR: case HT_DIV: case HT_DL: case HT_DT:
    case HT_FIELDSET: case HT_FORM: case HT_H1: case HT_H2:
    case HT_H3: case HT_H4: case HT_H5: case HT_H6:
    case HT_HGROUP: case HT_HR: case HT_LI: case HT_MAIN:
    case HT_OL: case HT_P: case HT_PRE: case HT_SECTION:
    case HT_SUMMARY: case HT_TABLE: case HT_TBODY: case HT_THEAD:
    case HT_TFOOT: case HT_TR: case HT_TD: case HT_TH:
    case HT_UL: case HT_CAPTION: case HT_LEGEND: case HT_HTML:
        return true;
    default:
        return false;
    }
}

static double ex_tag_base(unsigned t)
{
    switch (t) {
    case HT_DIV: case HT_ARTICLE: case HT_SECTION: case HT_MAIN:
        return 5;
    case HT_PRE: case HT_TD: case HT_BLOCKQUOTE:
        return 3;
    case HT_ADDRESS: case HT_OL: case HT_UL: case HT_DL:
    case HT_DD: case HT_DT: case HT_LI: case HT_FORM:
        return -3;
    case HT_H1: case HT_H2: case HT_H3: case HT_H4:
    case HT_H5: case HT_H6: case HT_TH:
        return -5;
    default:
        return 0;
    }
}

/* ---------------------------------------------------------------- class / id words */

static const char *const ex_unlikely[] = {
    "-ad-", "ai2html", "banner", "breadcrumb", "combx", "comment", "community", "cover-wrap",
    "disqus", "extra", "footer", "gdpr", "header", "legends", "menu", "related", "remark",
    "replies", "rss", "shoutbox", "sidebar", "skyscraper", "social", "sponsor", "supplemental",
    "ad-break", "agegate", "pagination", "pager", "popup", "yom-remote", "share", "sharing",
    "newsletter", "subscri", "promo", "outbrain", "taboola", "recommend", "trending",
    "most-popular", "mostpopular", "cookie", "consent", "signup", "toolbar", "caption",
    "modal", "byline", "author-info", "tags", "advert", "masthead", "topnav", "navbar"};
static const char *const ex_maybe[] = {"and", "article", "body", "column", "content",
                                        "main", "shadow", "story", "entry", "post-text"};
static const char *const ex_positive[] = {"article", "body", "content", "entry", "hentry",
                                           "h-entry", "main", "page", "post", "text",
                                           "blog", "story"};
static const char *const ex_negative[] = {
    "-ad-", "hidden", "banner", "combx", "comment", "com-", "contact", "foot", "gdpr",
    "masthead", "media", "meta", "outbrain", "promo", "related", "scroll", "share",
    "shoutbox", "sidebar", "skyscraper", "sponsor", "shopping", "tags", "tool", "widget"};

/* Does s contain one of words[0..n)? A bitmap of the adjacent byte pairs' low 6 bits of s
** rules most words out before strstr (class strings are short, word lists long). */
static bool ex_has_word(const char *s, const char *const *words, size_t n)
{
    uint64_t pairs[64] = {0};
    for (const char *p = s; p[0] != '\0' && p[1] != '\0'; p++) {
        pairs[p[0] & 63] |= (uint64_t)1 << (p[1] & 63);
    }
    for (size_t i = 0; i < n; i++) {
        const char *w = words[i];
        if ((pairs[w[0] & 63] >> (w[1] & 63) & 1) && strstr(s, w) != NULL) {
            return true;
        }
    }
    return false;
}

/* class + " " + id, lower-cased, into buf (cap bytes). */
static void ex_class_id(const html_node *e, char *buf, size_t cap)
{
    const char *c = e->cls;
    const char *i = e->id;
    size_t k = 0;
    const char *parts[2] = {c ? c : "", i ? i : ""};
    for (int j = 0; j < 2; j++) {
        for (const char *s = parts[j]; *s && k + 2 < cap; s++) {
            buf[k++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
        }
        if (k + 1 < cap) {
            buf[k++] = ' ';
        }
    }
    buf[k] = '\0';
}

#define EX_N(a) (sizeof(a) / sizeof((a)[0]))

static bool ex_no_class_id(const html_node *e)
{
    return e->cls == NULL && e->id == NULL;
}

static double ex_class_weight(const html_node *e)
{
    char ci[512];
    double w = 0;
    if (ex_no_class_id(e)) {
        return 0;
    }
    ex_class_id(e, ci, sizeof ci);
    if (ex_has_word(ci, ex_negative, EX_N(ex_negative))) {
        w -= 25;
    }
    if (ex_has_word(ci, ex_positive, EX_N(ex_positive))) {
        w += 25;
    }
    return w;
}

bool html_class_boilerplate(const char *classid)
{
    return ex_has_word(classid, ex_unlikely, EX_N(ex_unlikely)) &&
           !ex_has_word(classid, ex_maybe, EX_N(ex_maybe));
}

static bool ex_boilerplate(const html_node *e)
{
    char ci[512];
    if (e->tag == HT_BODY || e->tag == HT_HTML || e->tag == HT_ARTICLE ||
        e->tag == HT_MAIN || e->tag == HT_A || ex_no_class_id(e)) {
        return false;
    }
    ex_class_id(e, ci, sizeof ci);
    return html_class_boilerplate(ci);
}

/* ---------------------------------------------------------------- text and blocks */

/* Append s[0..n) with whitespace (ASCII, controls, NBSP) collapsed to single spaces. */
static ndb_rc ex_append_text(ndb_buf *b, size_t start, bool *pending, const char *s, size_t n,
                             uint32_t *chars, uint32_t *commas)
{
    ndb_rc rc0 = ndb_buf_reserve(b, n + 1); /* at most one byte more per input byte */
    if (rc0 != NDB_OK) {
        return rc0;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        bool ws = c <= 0x20 || c == 0x7f;
        if (c == 0xc2 && i + 1 < n && (uint8_t)s[i + 1] == 0xa0) {
            ws = true;
            i++;
        }
        if (ws) {
            *pending = true;
            continue;
        }
        if (*pending && b->n > start) {
            b->p[b->n++] = ' '; /* reserved: a space is only added before a byte */
            (*chars)++;
        }
        *pending = false;
        b->p[b->n++] = c;
        if ((c & 0xc0) != 0x80) {
            (*chars)++;
        }
        if (c == ',') {
            (*commas)++;
        }
    }
    return NDB_OK;
}

static ndb_rc ex_flush(ex *x, uint32_t elem)
{
    ex_block *b;
    if (x->text.n == x->block_start) {
        goto reset;
    }
    if (x->n_blocks == x->cap_blocks) {
        uint32_t nc = x->cap_blocks ? x->cap_blocks * 2 : 256;
        ex_block *nb = ndb_realloc(x->blocks, (size_t)nc * sizeof *nb);
        if (nb == NULL) {
            return NDB_ENOMEM;
        }
        x->blocks = nb;
        x->cap_blocks = nc;
    }
    b = &x->blocks[x->n_blocks++];
    b->elem = elem;
    b->off = (uint32_t)x->block_start;
    b->len = (uint32_t)(x->text.n - x->block_start);
    b->chars = x->open_chars;
    b->link_chars = NDB_MIN(x->open_links, x->open_chars);
    b->commas = x->open_commas;
reset:
    x->block_start = x->text.n;
    x->open_chars = x->open_links = x->open_commas = 0;
    x->pending_space = false;
    return NDB_OK;
}

static ndb_rc ex_new_elem(ex *x, const html_node *node, int32_t parent, uint32_t *id)
{
    if (x->n_elems == x->cap_elems) {
        uint32_t nc = x->cap_elems ? x->cap_elems * 2 : 512;
        ex_elem *ne = ndb_realloc(x->elems, (size_t)nc * sizeof *ne);
        if (ne == NULL) {
            return NDB_ENOMEM;
        }
        x->elems = ne;
        x->cap_elems = nc;
    }
    *id = x->n_elems++;
    memset(&x->elems[*id], 0, sizeof x->elems[*id]);
    x->elems[*id].node = node;
    x->elems[*id].parent = parent;
    x->elems[*id].tag = node->tag;
    return NDB_OK;
}

/* Walk node's children; blk = the innermost open block element (id). */
static ndb_rc ex_walk(ex *x, const html_node *node, uint32_t blk, int depth)
{
    ndb_rc rc = NDB_OK;

    for (const html_node *e = node->first; e != NULL && rc == NDB_OK; e = e->next) {
        if (e->tag == HT_TEXT) {
            uint32_t before = x->open_chars;
            rc = ex_append_text(&x->text, x->block_start, &x->pending_space, e->text,
                                e->text_n, &x->open_chars, &x->open_commas);
            if (x->link_depth > 0) {
                x->open_links += x->open_chars - before;
            }
            continue;
        }
        if (e->tag == HT_BR) {
            rc = ex_flush(x, blk);
            continue;
        }
        if (depth >= HTML_MAX_DEPTH || ex_tag_skipped(e->tag) || e->hidden ||
            (x->strict && ex_boilerplate(e))) {
            if (ex_tag_block(e->tag) || ex_tag_skipped(e->tag)) {
                x->pending_space = true;
            }
            continue;
        }
        if (!ex_tag_block(e->tag)) { /* inline: its text belongs to the enclosing block */
            bool a = e->tag == HT_A;
            x->link_depth += a;
            rc = ex_walk(x, e, blk, depth + 1);
            x->link_depth -= a;
            continue;
        }
        uint32_t id = 0;
        rc = ex_new_elem(x, e, (int32_t)blk, &id);
        if (rc == NDB_OK) {
            rc = ex_flush(x, blk);
        }
        if (rc == NDB_OK) {
            rc = ex_walk(x, e, id, depth + 1);
        }
        if (rc == NDB_OK) {
            rc = ex_flush(x, id);
        }
        if (rc == NDB_OK) {
            x->elems[id].end = x->n_elems;
        }
    }
    return rc;
}

/* ---------------------------------------------------------------- scoring */

static void ex_init_candidate(ex *x, uint32_t id)
{
    ex_elem *e = &x->elems[id];
    if (!e->candidate) {
        e->candidate = true;
        e->score = ex_tag_base(e->tag) + ex_class_weight(e->node);
    }
}

static void ex_score(ex *x)
{
    /* text and link totals per element (each block counts in its element and ancestors) */
    for (uint32_t b = 0; b < x->n_blocks; b++) {
        const ex_block *bl = &x->blocks[b];
        bool good = bl->chars >= EX_GOOD_CHARS && bl->link_chars * 4 < bl->chars;
        for (int32_t e = (int32_t)bl->elem; e >= 0; e = x->elems[e].parent) {
            x->elems[e].chars += bl->chars;
            x->elems[e].link_chars += bl->link_chars;
            x->elems[e].good += good ? bl->chars : 0;
        }
    }
    for (uint32_t b = 0; b < x->n_blocks; b++) {
        const ex_block *bl = &x->blocks[b];
        if (bl->chars < EX_MIN_SCORED_CHARS) {
            continue;
        }
        double s = 1 + bl->commas + NDB_MIN(bl->chars / 100.0, 3.0);
        int32_t e = x->elems[bl->elem].parent;
        for (int level = 0; e >= 0 && level < 5; level++, e = x->elems[e].parent) {
            double div = level == 0 ? 1 : level == 1 ? 2 : level * 3;
            ex_init_candidate(x, (uint32_t)e);
            x->elems[e].score += s / div;
        }
    }
    for (uint32_t i = 0; i < x->n_elems; i++) {
        ex_elem *e = &x->elems[i];
        if (e->candidate && e->chars > 0) {
            e->score *= 1.0 - (double)e->link_chars / e->chars;
        }
    }
}

static bool ex_inside(const ex *x, uint32_t anc, uint32_t id)
{
    return id >= anc && id < x->elems[anc].end;
}

/* An article split into boxes between ads often repeats the winner's container: other
** elements with the same tag and the same non-empty class that hold prose join it. */
static void ex_same_class(const ex *x, uint32_t top, bool *keep)
{
    const char *tc = x->elems[top].node->cls;
    if (tc == NULL || tc[0] == '\0') {
        return;
    }
    for (uint32_t i = 1; i < x->n_elems; i++) {
        const ex_elem *e = &x->elems[i];
        if (i == top) {
            i = e->end - 1; /* skip the winner's subtree */
            continue;
        }
        if (e->tag != x->elems[top].tag || e->good == 0 || ex_inside(x, i, top)) {
            continue;
        }
        const char *c = e->node->cls;
        if (c != NULL && strcmp(c, tc) == 0) {
            keep[i] = true;
        }
    }
}

/* Pick the winning element; mark it and joined siblings in keep[]. */
static void ex_choose(ex *x, bool *keep)
{
    uint32_t top = 0;
    double best = -1e300;
    for (uint32_t i = 0; i < x->n_elems; i++) {
        if (x->elems[i].candidate && x->elems[i].score > best) {
            best = x->elems[i].score;
            top = i;
        }
    }
    if (best <= -1e300) {
        keep[0] = true; /* no scored text: the whole body */
        return;
    }
    /* near-best candidates sharing an ancestor: the article is split into boxes */
    uint32_t alts[8];
    int nalt = 0;
    for (uint32_t i = 0; i < x->n_elems && nalt < 8; i++) {
        if (i != top && x->elems[i].candidate && x->elems[i].score >= 0.75 * best &&
            !ex_inside(x, i, top) && !ex_inside(x, top, i)) {
            alts[nalt++] = i;
        }
    }
    if (nalt >= 3) {
        for (int32_t a = x->elems[top].parent; a >= 0; a = x->elems[a].parent) {
            int in = 0;
            for (int j = 0; j < nalt; j++) {
                in += ex_inside(x, (uint32_t)a, alts[j]);
            }
            if (in >= 3) {
                top = (uint32_t)a;
                break;
            }
        }
    }
    ex_init_candidate(x, top);
    keep[top] = true;
    ex_same_class(x, top, keep);
    int32_t parent = x->elems[top].parent;
    if (parent < 0) {
        return;
    }
    double thr = NDB_MAX(10.0, x->elems[top].score * 0.2);
    for (uint32_t i = (uint32_t)parent + 1; i < x->elems[parent].end; i = x->elems[i].end) {
        const ex_elem *s = &x->elems[i];
        double ld = s->chars ? (double)s->link_chars / s->chars : 1;
        if (i == top) {
            continue;
        }
        if ((s->candidate && s->score >= thr) || (s->chars > 80 && ld < 0.25)) {
            keep[i] = true;
        }
    }
}

static bool ex_alnum(char c)
{
    return (uint8_t)c >= 0x80 || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           (c >= '0' && c <= '9');
}

/* Equal ignoring case (ASCII) and everything but letters and digits (headline check). */
static bool ex_same_text(const char *a, size_t na, const char *b, size_t nb)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < na && !ex_alnum(a[i])) {
            i++;
        }
        while (j < nb && !ex_alnum(b[j])) {
            j++;
        }
        if (i == na || j == nb) {
            return i == na && j == nb;
        }
        if ((a[i] | 0x20) != (b[j] | 0x20)) {
            return false;
        }
        i++, j++;
    }
}

static bool ex_is_title(const char *s, size_t n, const char *const *titles, size_t nt)
{
    for (size_t i = 0; i < nt; i++) {
        if (titles[i] != NULL && titles[i][0] != '\0' &&
            ex_same_text(s, n, titles[i], strlen(titles[i]))) {
            return true;
        }
    }
    return false;
}

static ndb_rc ex_output(ex *x, const bool *keep, const char *const *titles, size_t nt,
                        html_paras *out)
{
    ndb_rc rc = NDB_OK;
    for (uint32_t b = 0; b < x->n_blocks && rc == NDB_OK; b++) {
        const ex_block *bl = &x->blocks[b];
        const char *s = (const char *)x->text.p + bl->off;
        bool in = false;
        for (int32_t e = (int32_t)bl->elem; e >= 0 && !in; e = x->elems[e].parent) {
            in = keep[e];
        }
        if (!in || bl->chars == 0) {
            continue;
        }
        if (bl->link_chars * 2 > bl->chars) {
            continue;
        }
        if (x->elems[bl->elem].tag == HT_H1 || ex_is_title(s, bl->len, titles, nt)) {
            continue;
        }
        rc = html_paras_add(out, s, bl->len);
    }
    return rc;
}

/* One pass: walk, score, choose, output. strict: skip subtrees by class/id words. */
static ndb_rc ex_pass(const html_node *body, bool strict, const char *const *titles, size_t nt,
                      html_paras *out)
{
    ex x;
    bool *keep = NULL;
    ndb_rc rc;
    uint32_t id;

    memset(&x, 0, sizeof x);
    x.strict = strict;
    ndb_buf_init(&x.text, NDB_BUF_NOMAX);
    rc = ex_new_elem(&x, body, -1, &id);
    if (rc == NDB_OK) {
        rc = ex_walk(&x, body, 0, 0);
    }
    if (rc == NDB_OK) {
        rc = ex_flush(&x, 0);
    }
    if (rc != NDB_OK) {
        goto out;
    }
    x.elems[0].end = x.n_elems;
    ex_score(&x);
    keep = ndb_calloc(x.n_elems, sizeof *keep);
    if (keep == NULL) {
        rc = NDB_ENOMEM;
        goto out;
    }
    ex_choose(&x, keep);
    rc = ex_output(&x, keep, titles, nt, out);
out:
    ndb_free(keep);
    ndb_free(x.elems);
    ndb_free(x.blocks);
    ndb_buf_fini(&x.text);
    return rc;
}

ndb_rc html_extract_content(const html_node *root, const char *const *titles, size_t nt,
                            bool strict, html_paras *out)
{
    const html_node *html = NULL, *body = NULL;

    /* root -> <html> -> <body> */
    for (const html_node *k = root->first; k != NULL; k = k->next) {
        if (k->tag == HT_HTML) {
            html = k;
        }
    }
    for (const html_node *k = html ? html->first : NULL; k != NULL; k = k->next) {
        if (k->tag == HT_BODY) {
            body = k;
        }
    }
    return ex_pass(body != NULL ? body : html != NULL ? html : root, strict, titles, nt, out);
}
