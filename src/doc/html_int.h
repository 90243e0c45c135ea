/*
** html_int.h — private to the html part of doc: what html.c (metadata, record) and
** html_extract.c (main-content choice) share.
*/
#ifndef NDB_DOC_HTML_INT_H
#define NDB_DOC_HTML_INT_H

#include "doc/html.h"

/* Deepest element the walks look into; deeper subtrees are ignored (hostile nesting). */
#define HTML_MAX_DEPTH 400

/* ---------------------------------------------------------------- the tree (html_tree.c) */

/* Elements deeper than this are not made into nodes. */
#define HTML_TREE_MAX_DEPTH 512

/* The element names the extractor tells apart; every other name is HT_UNKNOWN. */
typedef enum html_tag {
    HT_TEXT, HT_ROOT, HT_UNKNOWN,
    HT_A, HT_ADDRESS, HT_AMP_SKIPPED, HT_APPLET, HT_ARTICLE, HT_ASIDE, HT_AUDIO,
    HT_BLOCKQUOTE, HT_BODY, HT_BR, HT_BUTTON, HT_CANVAS, HT_CAPTION, HT_CENTER, HT_DATALIST,
    HT_DD, HT_DETAILS, HT_DIALOG, HT_DIR, HT_DIV, HT_DL, HT_DT, HT_EMBED, HT_FIELDSET,
    HT_FIGCAPTION, HT_FIGURE, HT_FOOTER, HT_FORM, HT_H1, HT_H2, HT_H3, HT_H4, HT_H5, HT_H6,
    HT_HEAD, HT_HEADER, HT_HGROUP, HT_HR, HT_HTML, HT_IFRAME, HT_IMG, HT_INPUT, HT_LABEL,
    HT_LEGEND, HT_LI, HT_LINK, HT_MAIN, HT_MAP, HT_MATH, HT_MENU, HT_META, HT_NAV, HT_NOEMBED,
    HT_NOFRAMES, HT_NOSCRIPT, HT_OBJECT, HT_OL, HT_OPTION, HT_P, HT_PICTURE, HT_PRE,
    HT_SCRIPT, HT_SECTION, HT_SELECT, HT_STYLE, HT_SUMMARY, HT_SVG, HT_TABLE, HT_TBODY,
    HT_TD, HT_TEMPLATE, HT_TEXTAREA, HT_TFOOT, HT_TH, HT_THEAD, HT_TIME, HT_TITLE, HT_TR,
    HT_UL, HT_VIDEO
} html_tag;

typedef struct html_node html_node;
struct html_node {
    html_node *parent, *first, *last, *next; /* children: first .. last, linked by next */
    const char *text;         /* HT_TEXT: NUL-terminated UTF-8, entities decoded */
    const char *const *attrs; /* elements: n_attrs (name, value) pairs; names lower-case */
    const char *cls, *id;     /* the class and id attributes (in attrs), or NULL */
    uint32_t text_n;
    uint16_t n_attrs;
    uint8_t tag;    /* html_tag */
    bool hidden;    /* `hidden`, aria-hidden="true", or an inline display:none /
                       visibility:hidden style */
};

struct html_chunk;
typedef struct html_tree {
    html_node *root;         /* HT_ROOT; its element child is <html> */
    struct html_chunk *head; /* the arena holding every node and string */
    size_t chunk;
} html_tree;

/* Parse p[0..n) (valid UTF-8 without NUL: html_utf8_clean) into t. NDB_ENOMEM (message in
** err) is the only error: any markup gives a tree. t is released by html_tree_fini, also
** after an error. */
ndb_rc html_tree_parse(const uint8_t *p, size_t n, html_tree *t, ndb_err *err);
void html_tree_fini(html_tree *t);

/* The value of attribute name (lower-case) of element e, or NULL. */
const char *html_attr(const html_node *e, const char *name);

/* *view = p[0..n) when it is valid UTF-8 without NUL bytes; else the bytes with every NUL
** and invalid byte replaced by U+FFFD, written to out (which must be empty). */
ndb_rc html_utf8_clean(const uint8_t *p, size_t n, ndb_buf *out, const uint8_t **view,
                       size_t *view_n);

/* Paragraphs as [off, off+len) ranges of text (whitespace-collapsed UTF-8, no "\n"). */
typedef struct html_paras {
    ndb_buf text;
    uint32_t *off, *len;
    uint32_t n, cap;
} html_paras;

void html_paras_init(html_paras *ps);
void html_paras_fini(html_paras *ps);
ndb_rc html_paras_add(html_paras *ps, const char *s, size_t n);

/* Step 1 of html.h without a copy for UTF-8 input: *view is p[0..n) minus a BOM when the
** charset is UTF-8 (out untouched), else the converted bytes appended to out. */
ndb_rc html_decode(const uint8_t *p, size_t n, const char *content_type, ndb_buf *out,
                   const uint8_t **view, size_t *view_n, char *charset, size_t cap);

/* Under this many bytes of article text, extraction runs again in lax mode. */
#define HTML_RETRY_BELOW 250

/* Append p[0..n) minus what the extractor never reads (html_prefilter.c) to out. strict:
** also drop div/section/ul/ol/span subtrees whose class/id names boilerplate (the strict
** pass of the extractor skips them anyway). */
ndb_rc html_prefilter(const uint8_t *p, size_t n, bool strict, ndb_buf *out);

/* classid: lower-cased "CLASS ID " of an element. True when its words name boilerplate
** (comments, share, related, ...) and none names content (html_extract.c). */
bool html_class_boilerplate(const char *classid);

/* Append the text of a node's subtree, whitespace collapsed, to b (depth-bounded). */
ndb_rc html_node_text(const html_node *node, ndb_buf *b);

/* The main content of the tree under root as paragraphs; strict: skip subtrees by class/id
** words (the caller retries with strict false when too little text comes out). titles[0..nt): the headline
** candidates found in the metadata (og:title, JSON-LD headline, <h1>, <title> and its
** longest part), used to keep the headline out of the body. */
ndb_rc html_extract_content(const html_node *root, const char *const *titles, size_t nt,
                            bool strict, html_paras *out);

#endif /* NDB_DOC_HTML_INT_H */
