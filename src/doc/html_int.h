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

/* Append p[0..n) minus what the extractor never reads (html_prefilter.c) to out. */
ndb_rc html_prefilter(const uint8_t *p, size_t n, ndb_buf *out);

/* Append the text of a node's subtree, whitespace collapsed, to b (depth-bounded). */
ndb_rc html_node_text(const GumboNode *node, ndb_buf *b);

/* The main content of the tree under root as paragraphs. titles[0..nt): the headline
** candidates found in the metadata (og:title, JSON-LD headline, <h1>, <title> and its
** longest part), used to keep the headline out of the body. */
ndb_rc html_extract_content(const GumboNode *root, const char *const *titles, size_t nt,
                            html_paras *out);

#endif /* NDB_DOC_HTML_INT_H */
