/*
** html_int.h — private to the html part of doc: what html.c (metadata, record) and
** html_extract.c (main-content choice) share.
*/
#ifndef NDB_DOC_HTML_INT_H
#define NDB_DOC_HTML_INT_H

#include "doc/html.h"

#include <gumbo.h>

/* Deepest element the walks look into; deeper subtrees are ignored (hostile nesting). */
#define HTML_MAX_DEPTH 400

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
ndb_rc html_node_text(const GumboNode *node, ndb_buf *b);

/* The main content of the tree under root as paragraphs; strict: skip subtrees by class/id
** words (the caller retries with strict false when too little text comes out). titles[0..nt): the headline
** candidates found in the metadata (og:title, JSON-LD headline, <h1>, <title> and its
** longest part), used to keep the headline out of the body. */
ndb_rc html_extract_content(const GumboNode *root, const char *const *titles, size_t nt,
                            bool strict, html_paras *out);

#endif /* NDB_DOC_HTML_INT_H */
