/*
** test_html.c — HTML article extraction (src/doc/html*.c): each rule on a hand-written page,
** charsets, metadata, hostile input, the benchmark scorer against hand-computed values, and
** the F1 on the Article Extraction Benchmark pages (../shared/corpora/aeb.tar.gz; skipped
** with a message when absent) against a floor measured when the extractor last changed.
*/
#include "doc/html.h"

#include "../../bench/aeb.h"
#include "common/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

/* Measured F1 on all 181 aeb pages minus 0.01 (see BENCHMARKS.md). */
#define AEB_F1_FLOOR 0.955

static const char *body_of(const ndb_html_doc *d)
{
    const char *p = (const char *)d->native.p;
    for (int i = 0; i < 3; i++) {
        p = strchr(p, '\n') + 1;
    }
    return p;
}

/* Extract s (NUL-terminated) and return the paragraphs as one string (static doc). */
static ndb_html_doc g_doc;
static const char *ex(const char *html, const char *url, const char *ctype)
{
    ndb_err err;
    ndb_html_doc_init(&g_doc);
    ndb_rc rc = ndb_html_extract((const uint8_t *)html, strlen(html), url, ctype, &g_doc, &err);
    cr_assert_eq(rc, NDB_OK, "extract failed: %s", err.msg);
    cr_assert_eq(ndb_buf_cstr(&g_doc.native), NDB_OK);
    return body_of(&g_doc);
}

static void fini(void)
{
    ndb_html_doc_fini(&g_doc);
}

#define LONG1 "The council voted on Tuesday to approve the new budget, which raises spending on schools, roads and parks by four percent over last year."
#define LONG2 "Opponents said the plan, which passed seven to two, would require higher property taxes within three years unless revenue improves."
#define LONG3 "The mayor said she would sign the budget this week and promised a public review of the tax question before the next election."

TestSuite(html, .fini = fini);

Test(html, article_paragraphs_and_record_shape)
{
    const char *page = "<!doctype html><html lang=\"en-US\"><head><title>Budget passes | Town News</title>"
                       "<meta property=\"og:title\" content=\"Budget passes\"></head><body>"
                       "<nav><a href=/>Home</a> <a href=/news>News</a> <a href=/sport>Sport</a></nav>"
                       "<article><h1>Budget passes</h1><p>" LONG1 "</p><p>" LONG2 "</p><p>" LONG3
                       "</p></article><footer>Copyright 2019 Town News, all rights reserved.</footer>"
                       "</body></html>";
    const char *b = ex(page, "https://town.example/2019/11/20/budget", NULL);
    cr_assert_str_eq(b, LONG1 "\n\n" LONG2 "\n\n" LONG3 "\n");
    char head[512];
    snprintf(head, sizeof head, "https://town.example/2019/11/20/budget\n%zu\n3\n", strlen(LONG1) + 1);
    cr_assert_eq(strncmp((const char *)g_doc.native.p, head, strlen(head)), 0, "%s", g_doc.native.p);
    cr_assert_eq(g_doc.n_paras, 3);
    cr_assert_str_eq(g_doc.title, "Budget passes");
    cr_assert_str_eq(g_doc.lang, "en");
    cr_assert_str_eq(g_doc.date, "2019-11-20"); /* from the URL */
}

Test(html, boilerplate_removed)
{
    const char *page =
        "<html><body><div class=\"site-header\"><a href=/>Town News</a></div>"
        "<div class=\"main-column\"><div class=\"story-body\">"
        "<p>" LONG1 "</p>"
        "<figure><img src=a.jpg><figcaption>The council chamber on Tuesday night, packed with residents.</figcaption></figure>"
        "<div class=\"share-tools\">Share this story on Facebook, Twitter and by email with your friends now</div>"
        "<p>" LONG2 "</p>"
        "<div class=\"ad-slot\" style=\"display: none\">Advertisement: buy the best mattresses in town today at half price</div>"
        "<aside>Read more: the council's last budget, cut by five percent in the middle of a long recession</aside>"
        "<p>" LONG3 "</p>"
        "<ul class=\"related-links\"><li><a href=/a>Related: School board elects a new chair after a long meeting</a></li>"
        "<li><a href=/b>Related: Roads to close for the parade on Sunday morning downtown</a></li></ul>"
        "</div><div id=\"comments\"><p>Great news, finally, the parks will get the money they need after years of waiting!</p></div>"
        "</div><div class=\"sidebar\"><p>Most read: five things to do this weekend in town, with family and friends</p></div>"
        "</body></html>";
    const char *b = ex(page, NULL, NULL);
    cr_assert_str_eq(b, LONG1 "\n\n" LONG2 "\n\n" LONG3 "\n");
    /* no URL given and none in the page: the urn of the content */
    cr_assert_eq(strncmp((const char *)g_doc.native.p, "urn:newsdb:html:", 16), 0);
    cr_assert_str_eq(g_doc.url, "");
}

Test(html, link_lists_dropped_inside_article)
{
    const char *page = "<html><body><article><p>" LONG1 "</p><p><a href=/x>One link</a> "
                       "<a href=/y>Another link here</a> and</p><p>" LONG2 "</p></article></body></html>";
    cr_assert_str_eq(ex(page, NULL, NULL), LONG1 "\n\n" LONG2 "\n");
}

Test(html, headline_is_not_a_paragraph)
{
    const char *page = "<html><head><title>Storm hits the coast - Daily</title></head><body>"
                       "<div class=content><h2>Storm hits the coast</h2><p>" LONG1 "</p><p>" LONG2
                       "</p></div></body></html>";
    const char *b = ex(page, NULL, NULL);
    cr_assert_str_eq(b, LONG1 "\n\n" LONG2 "\n");
}

Test(html, metadata_jsonld_canonical_authors)
{
    const char *page =
        "<html><head><link rel=canonical href=\"/2020/story.html?x=1\">"
        "<meta property=\"og:site_name\" content=\"The Daily\">"
        "<meta property=\"article:published_time\" content=\"2020-01-02T10:00:00Z\">"
        "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@graph\":[{\"@type\":"
        "\"WebSite\",\"name\":\"x\"},{\"@type\":\"NewsArticle\",\"headline\":\"The headline\","
        "\"datePublished\":\"2019-12-31T23:00:00-05:00\",\"inLanguage\":\"fr-FR\","
        "\"author\":[{\"@type\":\"Person\",\"name\":\"Ann Lee\"},{\"name\":\"Bo Chan\"},\"Ann Lee\"]}]}</script>"
        "</head><body><p>" LONG1 "</p><p>" LONG2 "</p></body></html>";
    ex(page, "https://www.daily.example/section/page", NULL);
    cr_assert_str_eq(g_doc.url, "https://www.daily.example/2020/story.html?x=1");
    cr_assert_str_eq(g_doc.date, "2019-12-31"); /* JSON-LD wins over article:published_time */
    cr_assert_str_eq(g_doc.authors, "Ann Lee; Bo Chan");
    cr_assert_str_eq(g_doc.title, "The headline");
    cr_assert_str_eq(g_doc.site_name, "The Daily");
    cr_assert_str_eq(g_doc.lang, "fr");
    cr_assert_eq(strncmp((const char *)g_doc.native.p, "https://www.daily.example/2020/story.html?x=1\n", 46), 0);
}

Test(html, date_sources_in_order)
{
    ex("<html><head><meta property=\"article:published_time\" content=\"2018-05-06\"></head><body>"
       "<time datetime=\"2017-01-01\">x</time><p>" LONG1 "</p></body></html>", "http://a.example/2016/01/02/x", NULL);
    cr_assert_str_eq(g_doc.date, "2018-05-06");
    fini();
    ex("<html><body><time datetime=\"2017-01-01T08:00\">Jan 1</time><p>" LONG1 "</p></body></html>",
       "http://a.example/2016/01/02/x", NULL);
    cr_assert_str_eq(g_doc.date, "2017-01-01");
    fini();
    ex("<html><body><time datetime=\"2017-02-30\">bad</time><p>" LONG1 "</p></body></html>",
       "http://a.example/2016/01/02/x", NULL);
    cr_assert_str_eq(g_doc.date, "2016-01-02"); /* not a real date: the URL's */
}

/* The date extracted from page (with url), as a static string. */
static const char *date_of(const char *head, const char *body, const char *url)
{
    static char out[16];
    char page[4096];
    snprintf(page, sizeof page, "<html><head>%s</head><body>%s<p>%s</p></body></html>", head,
             body, LONG1);
    ex(page, url, NULL);
    snprintf(out, sizeof out, "%s", g_doc.date);
    fini();
    return out;
}

Test(html, dates_written_out_loose_names_and_broken_jsonld)
{
    const char *u = "http://a.example/2001/02/03/x"; /* the fallback every case must beat */
    /* written-out dates in the usual metas */
    cr_assert_str_eq(date_of("<meta property=\"article:published_time\" content=\"November 19, "
                             "2019, 07:47 PM EST\">", "", u), "2019-11-19");
    cr_assert_str_eq(date_of("<meta name=\"pubdate\" content=\"19 Nov 2019 07:09 GMT\">", "", u),
                     "2019-11-19");
    cr_assert_str_eq(date_of("<meta name=\"date\" content=\"Tue Nov 19 2019 05:44:06 GMT+0000\">",
                             "", u), "2019-11-19");
    cr_assert_str_eq(date_of("<meta name=\"date\" content=\"Sept. 9, 2018\">", "", u), "2018-09-09");
    cr_assert_str_eq(date_of("<meta name=\"date\" content=\"20191119\">", "", u), "2019-11-19");
    cr_assert_str_eq(date_of("<meta name=\"date\" content=\"Feb 30, 2019\">", "", u), "2001-02-03");
    cr_assert_str_eq(date_of("<meta name=\"date\" content=\"01:38 PM IST Nov 20\">", "", u),
                     "2001-02-03");
    /* a site's own name for the publication date; modification dates are not it */
    cr_assert_str_eq(date_of("<meta name=\"sn-post-date\" content=\"2019/11/19\">", "", u),
                     "2019-11-19");
    cr_assert_str_eq(date_of("<meta name=\"last-modified-date\" content=\"2019-11-19\">", "", u),
                     "2001-02-03");
    /* JSON-LD of a type that is not an article, and JSON-LD that does not parse */
    cr_assert_str_eq(date_of("<script type=\"application/ld+json\">{\"@type\":\"ClaimReview\","
                             "\"datePublished\":\"2019-11-18T10:15:00+00:00\"}</script>", "", u),
                     "2019-11-18");
    cr_assert_str_eq(date_of("<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
                             "\"headline\":\"raw\nnewline\", \"datePublished\" : \"2019-11-20 "
                             "12:32:13+08:00\"}</script>", "", u), "2019-11-20");
    /* ... but an article's date wins over them */
    cr_assert_str_eq(date_of("<meta property=\"article:published_time\" content=\"2018-01-01\">"
                             "<script type=\"application/ld+json\">{\"@type\":\"ClaimReview\","
                             "\"datePublished\":\"2019-11-18\"}</script>", "", u), "2018-01-01");
    /* a <time> in the page's <header> (which the extractor drops) still dates the page */
    cr_assert_str_eq(date_of("", "<header><h1>Title</h1><time class=\"updated\" "
                             "datetime=\"2018-08-13T08:04:08+00:00\">Aug 13</time></header>", u),
                     "2018-08-13");
}

Test(html, saved_page_address)
{
    /* browsers and SingleFile write where a saved page came from; it is the page's URL when
    ** none is given (and the base of a relative canonical link) */
    ex("<!DOCTYPE html>\n<!-- saved from url=(0046)https://www.kbs.co.kr/news/2019/11/19/s.html -->\n"
       "<html><body><p>" LONG1 "</p></body></html>", NULL, NULL);
    cr_assert_str_eq(g_doc.url, "https://www.kbs.co.kr/news/2019/11/19/s.html");
    cr_assert_str_eq(g_doc.date, "2019-11-19");
    fini();
    ex("<!DOCTYPE html> <html><!--\n Page saved with SingleFile \n url: https://a.example/x/y.html "
       "\n saved date: Tue Nov 19 2019 --><head><link rel=canonical href=\"/2018/01/02/z.html\">"
       "</head><body><p>" LONG1 "</p></body></html>", NULL, NULL);
    cr_assert_str_eq(g_doc.url, "https://a.example/2018/01/02/z.html");
    fini();
    /* the url given wins; a non-http address is not taken */
    ex("<!-- saved from url=(0020)https://b.example/1 --><p>" LONG1 "</p>", "https://c.example/2",
       NULL);
    cr_assert_str_eq(g_doc.url, "https://c.example/2");
    fini();
    ex("<!-- saved from url=(0020)file:///home/x.html --><p>" LONG1 "</p>", NULL, NULL);
    cr_assert_str_eq(g_doc.url, "");
}

Test(html, title_without_the_site_name)
{
    const char *heads[][2] = {
        {"<meta property=\"og:title\" content=\"Storm hits the coast - Sportsnet.ca\">"
         "<meta property=\"og:site_name\" content=\"Sportsnet.ca\">", "Storm hits the coast"},
        {"<meta property=\"og:title\" content=\"MoreBikes | Storm hits the coast\">"
         "<meta property=\"og:site_name\" content=\"morebikes\">", "Storm hits the coast"},
        {"<meta property=\"og:title\" content=\"Storm hits the coast | Bikes\">"
         "<meta property=\"og:site_name\" content=\"MoreBikes\">", "Storm hits the coast | Bikes"},
        {"<meta property=\"og:title\" content=\"Sportsnet.ca\">"
         "<meta property=\"og:site_name\" content=\"Sportsnet.ca\">", "Sportsnet.ca"},
    };
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        char page[2048];
        snprintf(page, sizeof page, "<html><head>%s</head><body><p>%s</p></body></html>",
                 heads[i][0], LONG1);
        ex(page, NULL, NULL);
        cr_expect_str_eq(g_doc.title, heads[i][1]);
        fini();
    }
}

Test(html, charset_from_header_meta_bom_and_detection)
{
    /* "café" in latin-1 is 63 61 66 e9 */
    char page[1024];
    const char *tail = "</p></body></html>";
    snprintf(page, sizeof page, "<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xe9 " LONG1 "%s", tail);
    cr_assert(strstr(ex(page, NULL, NULL), "caf\xc3\xa9 The council") != NULL);
    fini();
    /* header beats meta: bytes are utf-8, meta lies */
    snprintf(page, sizeof page, "<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xc3\xa9 " LONG1 "%s", tail);
    cr_assert(strstr(ex(page, NULL, "text/html; charset=UTF-8"), "caf\xc3\xa9 The council") != NULL);
    fini();
    /* http-equiv form */
    snprintf(page, sizeof page, "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"></head><body><p>\xcf\xf0\xe8\xe2\xe5\xf2 " LONG1 "%s", tail);
    cr_assert(strstr(ex(page, NULL, NULL), "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 The") != NULL);
    fini();
    /* BOM beats meta */
    snprintf(page, sizeof page, "\xef\xbb\xbf<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xc3\xa9 " LONG1 "%s", tail);
    cr_assert(strstr(ex(page, NULL, NULL), "caf\xc3\xa9 The council") != NULL);
    fini();
    /* nothing declared, not valid UTF-8: windows-1252 (0x93/0x94 are curly quotes) */
    snprintf(page, sizeof page, "<html><body><p>\x93quoted\x94 caf\xe9 " LONG1 "%s", tail);
    cr_assert(strstr(ex(page, NULL, NULL), "\xe2\x80\x9cquoted\xe2\x80\x9d caf\xc3\xa9") != NULL);
    fini();
    /* nothing declared, valid UTF-8 stays */
    snprintf(page, sizeof page, "<html><body><p>\xe2\x80\x9cq\xe2\x80\x9d " LONG1 "%s", tail);
    cr_assert(strstr(ex(page, NULL, NULL), "\xe2\x80\x9cq\xe2\x80\x9d The") != NULL);
}

Test(html, charset_utf16_bom)
{
    const char *src = "<html><body><p>" LONG1 "</p></body></html>";
    size_t n = strlen(src);
    uint8_t *u = malloc(2 * n + 2);
    u[0] = 0xff, u[1] = 0xfe;
    for (size_t i = 0; i < n; i++) {
        u[2 + 2 * i] = (uint8_t)src[i];
        u[3 + 2 * i] = 0;
    }
    ndb_err err;
    ndb_html_doc_init(&g_doc);
    cr_assert_eq(ndb_html_extract(u, 2 * n + 2, NULL, NULL, &g_doc, &err), NDB_OK, "%s", err.msg);
    ndb_buf_cstr(&g_doc.native);
    cr_assert_str_eq(body_of(&g_doc), LONG1 "\n");
    free(u);
}

static ndb_rc ex_err(const uint8_t *p, size_t n, ndb_err *err)
{
    ndb_html_doc_init(&g_doc);
    return ndb_html_extract(p, n, NULL, NULL, &g_doc, err);
}

Test(html, bad_input_errors)
{
    ndb_err err;
    cr_assert_eq(ex_err((const uint8_t *)"", 0, &err), NDB_EPARSE);
    cr_assert(strstr(err.msg, "empty") != NULL);
    const uint8_t bin[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'};
    cr_assert_eq(ex_err(bin, sizeof bin, &err), NDB_EPARSE);
    cr_assert(strstr(err.msg, "binary") != NULL, "%s", err.msg);
    const char *txt = "just some plain text, no markup at all";
    cr_assert_eq(ex_err((const uint8_t *)txt, strlen(txt), &err), NDB_EPARSE);
    cr_assert(strstr(err.msg, "not HTML") != NULL, "%s", err.msg);
    const char *empty = "<html><body><nav><a href=/>Home</a></nav><script>var x = 1;</script></body></html>";
    cr_assert_eq(ex_err((const uint8_t *)empty, strlen(empty), &err), NDB_EPARSE);
    cr_assert(strstr(err.msg, "no article text") != NULL, "%s", err.msg);
    /* over the bound: refused before any work */
    size_t big = (size_t)NDB_HTML_MAX_BYTES + 1;
    uint8_t *huge = malloc(big);
    memset(huge, 'a', big);
    memcpy(huge, "<p>", 3);
    cr_assert_eq(ex_err(huge, big, &err), NDB_ELIMIT);
    free(huge);
}

Test(html, broken_and_hostile_markup)
{
    /* unclosed tags, stray end tags, attributes without quotes: the HTML5 tree still holds the text */
    const char *b = ex("<html><body><div class=content><p>" LONG1 "<p>" LONG2 "</b></i></span><p>" LONG3
                       "</div></div></div></html></html>", NULL, NULL);
    cr_assert_str_eq(b, LONG1 "\n\n" LONG2 "\n\n" LONG3 "\n");
    fini();
    /* deep nesting: bounded walk, no crash */
    size_t depth = 100000;
    char *deep = malloc(depth * 5 + strlen(LONG1) + 64);
    char *w = deep;
    w += sprintf(w, "<p>%s</p>", LONG1);
    for (size_t i = 0; i < depth; i++) {
        memcpy(w, "<div>", 5);
        w += 5;
    }
    strcpy(w, "deep text");
    ndb_err err;
    ndb_html_doc_init(&g_doc);
    ndb_rc rc = ndb_html_extract((const uint8_t *)deep, strlen(deep), NULL, NULL, &g_doc, &err);
    cr_assert(rc == NDB_OK || rc == NDB_EPARSE || rc == NDB_ELIMIT, "rc %d", rc);
    free(deep);
}

Test(html, stray_end_tags_under_deep_nesting)
{
    /* the parser looks for an end tag's match through its open elements: 999 open elements
    ** and a million end tags that match none must stay linear (bounded open depth), and the
    ** article before them is kept; past the bound the rest of the page is not read */
    const char *opens[] = {"<q class=x>", "<b class=x>"};
    for (int v = 0; v < 2; v++) {
        size_t n_open = v == 0 ? 999 : 100000, n_end = 1000000;
        char *page = malloc(n_open * 11 + n_end * 5 + strlen(LONG1) + 64);
        char *w = page;
        w += sprintf(w, "<body><p>%s</p>", LONG1);
        for (size_t i = 0; i < n_open; i++) {
            memcpy(w, opens[v], 11);
            w += 11;
        }
        for (size_t i = 0; i < n_end; i++) {
            memcpy(w, "</zz>", 5);
            w += 5;
        }
        *w = '\0';
        cr_assert_str_eq(ex(page, NULL, NULL), LONG1 "\n");
        fini();
        free(page);
    }
}

Test(html, invalid_utf8_and_nul_inside_a_page)
{
    /* declared UTF-8 but with an invalid byte and, past the 4 KiB binary check, a NUL: each
    ** becomes U+FFFD and the rest of the page still reads as UTF-8 */
    size_t pad = 5000;
    char *page = malloc(pad + 1024);
    char *w = page;
    w += sprintf(w, "<html><body><article><p>caf\xc3\xa9 \xff " LONG1 " caf\xc3\xa9</p><div>");
    memset(w, ' ', pad);
    w += pad;
    w += sprintf(w, "</div><p>" LONG2 "</p>");
    *w++ = '\0';
    w += sprintf(w, "<p>after the NUL caf\xc3\xa9 " LONG3 "</p></article></body></html>");
    ndb_err err;
    ndb_html_doc_init(&g_doc);
    cr_assert_eq(ndb_html_extract((const uint8_t *)page, (size_t)(w - page), NULL,
                                  "text/html; charset=utf-8", &g_doc, &err), NDB_OK, "%s", err.msg);
    ndb_buf_cstr(&g_doc.native);
    const char *b = body_of(&g_doc);
    cr_assert(strstr(b, "caf\xc3\xa9 \xef\xbf\xbd The council") != NULL, "%s", b);
    cr_assert(strstr(b, "four percent over last year. caf\xc3\xa9\n") != NULL, "%s", b);
    cr_assert(strstr(b, "after the NUL caf\xc3\xa9 " LONG3) != NULL, "%s", b);
    free(page);
}

Test(html, raw_text_comments_and_inline_tags)
{
    /* markup inside scripts, comments and titles is not markup; spans with a class close */
    const char *page = "<html><head><title>Odd <!-- title --></title></head><body><div class=story>"
                       "<script>document.write('</p><p>injected text that is not article text at all');</script>"
                       "<!-- <p>commented out paragraph that must not appear anywhere</p> -->"
                       "<p><span class=\"share-icon\">Share</span> " LONG1 "</p>"
                       "<p><b>" LONG2 "</b></p><style>p { color: red; }</style><p>" LONG3 "</p></div></body></html>";
    const char *b = ex(page, NULL, NULL);
    cr_assert_str_eq(b, LONG1 "\n\n" LONG2 "\n\n" LONG3 "\n");
    cr_assert_str_eq(g_doc.title, "Odd <!-- title -->");
}

Test(html, class_words_retry_when_they_hide_everything)
{
    /* a page-wide wrapper whose class contains "-ad-": the strict pass finds nothing, the lax
    ** pass (no class/id skipping) finds the article */
    const char *page = "<html><body><div class=\"page-ad-margins\"><div class=text><p>" LONG1 "</p><p>"
                       LONG2 "</p></div></div></body></html>";
    cr_assert_str_eq(ex(page, NULL, NULL), LONG1 "\n\n" LONG2 "\n");
}

Test(html, article_split_into_same_class_boxes)
{
    /* the body is cut into boxes by an ad between them; boxes share a class */
    const char *page = "<html><body><main><div class=chunk><div class=\"body-box\"><p>" LONG1 "</p><p>" LONG2
                       "</p></div></div><div class=adslot>Advertisement</div><div class=chunk><div class=\"body-box\"><p>"
                       LONG3 "</p></div></div></main><div class=teasers><p>Another story, with a summary long enough "
                       "to be prose, sits here in a different box.</p></div></body></html>";
    cr_assert_str_eq(ex(page, NULL, NULL), LONG1 "\n\n" LONG2 "\n\n" LONG3 "\n");
}

Test(html, scorer_matches_hand_computed)
{
    ndb_html_tpfpfn t;
    /* identical: tp = 1 */
    cr_assert_eq(ndb_html_shingle_match("a b c d e", 9, "a b c d e", 9, &t), NDB_OK);
    cr_assert_float_eq(t.tp, 1.0, 1e-12);
    /* truth a b c d e (2 shingles), pred a b c d x (shingles abcd, bcdx): tp 1 fp 1 fn 1 */
    ndb_html_shingle_match("a b c d e", 9, "a,b;c d  x", 10, &t);
    cr_assert_float_eq(t.tp, 1.0 / 3, 1e-12);
    cr_assert_float_eq(t.fp, 1.0 / 3, 1e-12);
    cr_assert_float_eq(t.fn, 1.0 / 3, 1e-12);
    /* case matters, tokens are \w+ (unicode letters) */
    ndb_html_shingle_match("Caf\xc3\xa9 au lait", 14, "caf\xc3\xa9 au lait", 14, &t);
    cr_assert_float_eq(t.tp, 0.0, 1e-12);
    /* empty prediction: no shingles, tp = fp = 0: page counts for recall only */
    ndb_html_shingle_match("a b c d", 7, "", 0, &t);
    cr_assert_float_eq(t.fn, 1.0, 1e-12);
    ndb_html_tpfpfn pages[2] = {{0, 0, 1}, {0.5, 0.25, 0.25}};
    ndb_html_score s;
    ndb_html_score_pages(pages, 2, &s);
    cr_assert_eq(s.n_precision, 1);
    cr_assert_eq(s.n_recall, 2);
    cr_assert_float_eq(s.precision, 0.5 / 0.75, 1e-12);
    cr_assert_float_eq(s.recall, (0 + 0.5 / 0.75) / 2, 1e-12);
    /* repeated shingles count as a multiset: truth has "x x x x" twice, pred once */
    ndb_html_shingle_match("x x x x x", 9, "x x x x", 7, &t);
    cr_assert_float_eq(t.tp, 0.5, 1e-12);
    cr_assert_float_eq(t.fn, 0.5, 1e-12);
}

Test(html, aeb_f1_above_floor)
{
    const char *dir = ndb_test_corpora();
    char path[1024], msg[512];
    aeb_set set;
    if (dir == NULL) {
        cr_skip_test("shared corpora not found (../shared/corpora): aeb F1 not checked");
    }
    if (getenv("NEWSDB_VALGRIND") != NULL) {
        cr_skip_test("NEWSDB_VALGRIND set: the 181 aeb pages run in the plain and ASan builds");
    }
    snprintf(path, sizeof path, "%s/aeb.tar.gz", dir);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cr_skip_test("%s not found: aeb F1 not checked", path);
    }
    fclose(f);
    cr_assert_eq(aeb_load(path, &set, msg, sizeof msg), 0, "%s", msg);
    cr_assert_eq(set.n, 181);
    ndb_html_tpfpfn *t = calloc(set.n, sizeof *t);
    ndb_html_doc d;
    ndb_err err;
    ndb_html_doc_init(&d);
    for (size_t i = 0; i < set.n; i++) {
        const char *body = "";
        if (ndb_html_extract(set.pages[i].html, set.pages[i].n, set.pages[i].url, NULL, &d, &err) == NDB_OK) {
            ndb_buf_cstr(&d.native);
            body = body_of(&d);
        }
        cr_assert_eq(ndb_html_shingle_match(set.pages[i].truth, strlen(set.pages[i].truth), body,
                                            strlen(body), &t[i]), NDB_OK);
    }
    ndb_html_score s;
    ndb_html_score_pages(t, set.n, &s);
    cr_log_info("aeb: F1 %.4f precision %.4f recall %.4f", s.f1, s.precision, s.recall);
    cr_assert_geq(s.f1, AEB_F1_FLOOR, "aeb F1 %.4f fell below the floor %.3f", s.f1, AEB_F1_FLOOR);
    ndb_html_doc_fini(&d);
    free(t);
    aeb_free(&set);
}
