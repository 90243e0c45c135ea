/*
** extract_bench.c — `make bench-extract`: newsdb's HTML article extractor on the Article
** Extraction Benchmark (181 pages), scored as the benchmark's evaluate.py scores
** (src/doc/html_score.c), next to another extractor's output for the same pages.
**
**     extract_bench AEB_TAR_GZ [--other NAME=FILE.json ...] [--out FILE.json] [--min-seconds S]
**
** Speed is pages per second of CPU time (CLOCK_PROCESS_CPUTIME_ID), so a shared machine's
** load does not skew the ratio to the other extractor (timed the same way).
** Prints F1 / precision / recall over all pages, over the dev half (the first 90 page ids
** in byte order, where rules were looked at) and the held-out half (the other 91), and pages
** per second. Extraction is timed in-process over the pages already in memory (gunzipped),
** repeated until --min-seconds (default 2) have passed, so the figure is the extractor
** alone. FILE.json from another extractor: {"pages": {"<id>": "<article text>", ...},
** "seconds": <time for one pass over all pages>} (bench/readability_aeb.py writes it).
** --out writes our own texts in the benchmark's output shape ({"<id>": {"articleBody": ..}})
** so evaluate.py itself can re-score them.
*/
#include "doc/html.h"

#include "aeb.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define EB_DEV 90

static double eb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The paragraphs of a native record joined by "\n\n" (what gets scored). */
static const char *eb_body(const ndb_buf *native)
{
    const char *p = (const char *)native->p, *end = p + native->n;
    for (int i = 0; i < 3 && p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    return p;
}

static void eb_report(const char *name, const ndb_html_tpfpfn *t, size_t n, double pps)
{
    ndb_html_score all, dev, held;
    size_t nd = n < EB_DEV ? n : EB_DEV;
    ndb_html_score_pages(t, n, &all);
    ndb_html_score_pages(t, nd, &dev);
    ndb_html_score_pages(t + nd, n - nd, &held);
    printf("%-18s F1 %.3f  precision %.3f  recall %.3f   | dev F1 %.3f  held-out F1 %.3f"
           "  | %8.1f pages/s\n",
           name, all.f1, all.precision, all.recall, dev.f1, held.f1, pps);
}

int main(int argc, char **argv)
{
    aeb_set set;
    char msg[512];
    const char *out_path = NULL;
    double min_s = 2.0;
    ndb_html_doc d;
    ndb_err err;

    if (argc < 2) {
        fprintf(stderr, "usage: extract_bench AEB_TAR_GZ [--other NAME=FILE.json]... "
                        "[--out FILE.json] [--min-seconds S]\n");
        return 2;
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--out") == 0) {
            out_path = argv[i + 1];
        } else if (strcmp(argv[i], "--min-seconds") == 0) {
            min_s = strtod(argv[i + 1], NULL);
        }
    }
    if (aeb_load(argv[1], &set, msg, sizeof msg) != 0) {
        fprintf(stderr, "extract_bench: %s\n", msg);
        return 1;
    }
    ndb_html_tpfpfn *t = calloc(set.n, sizeof *t);
    json_t *outj = json_object();
    size_t failed = 0;
    ndb_html_doc_init(&d);
    /* quality pass */
    for (size_t i = 0; i < set.n; i++) {
        const aeb_page *pg = &set.pages[i];
        const char *body = "";
        if (ndb_html_extract(pg->html, pg->n, pg->url, NULL, &d, &err) == NDB_OK) {
            ndb_buf_cstr(&d.native);
            body = eb_body(&d.native);
        } else {
            failed++;
            fprintf(stderr, "extract_bench: %s: %s\n", pg->id, err.msg);
        }
        ndb_html_shingle_match(pg->truth, strlen(pg->truth), body, strlen(body), &t[i]);
        json_object_set_new(outj, pg->id, json_pack("{s:s}", "articleBody", body));
    }
    /* speed pass(es) */
    double t0 = eb_now(), el;
    size_t passes = 0;
    do {
        for (size_t i = 0; i < set.n; i++) {
            (void)ndb_html_extract(set.pages[i].html, set.pages[i].n, set.pages[i].url, NULL,
                                   &d, &err);
        }
        passes++;
        el = eb_now() - t0;
    } while (el < min_s);
    printf("Article Extraction Benchmark: %zu pages (%zu failed); dev = first %d ids, "
           "held-out = the other %zu\n",
           set.n, failed, EB_DEV, set.n > EB_DEV ? set.n - EB_DEV : 0);
    double our_pps = (double)(set.n * passes) / el;
    eb_report("newsdb", t, set.n, our_pps);
    if (out_path != NULL) {
        json_dump_file(outj, out_path, JSON_INDENT(1) | JSON_SORT_KEYS);
    }
    /* other extractors' outputs */
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--other") != 0) {
            continue;
        }
        char name[64];
        const char *eq = strchr(argv[i + 1], '=');
        if (eq == NULL || (size_t)(eq - argv[i + 1]) >= sizeof name) {
            fprintf(stderr, "extract_bench: --other wants NAME=FILE.json\n");
            return 2;
        }
        memcpy(name, argv[i + 1], (size_t)(eq - argv[i + 1]));
        name[eq - argv[i + 1]] = '\0';
        json_error_t je;
        json_t *o = json_load_file(eq + 1, 0, &je);
        json_t *pages = json_object_get(o, "pages");
        double secs = json_number_value(json_object_get(o, "seconds"));
        if (!json_is_object(pages)) {
            fprintf(stderr, "extract_bench: %s: not an extractor output (%s)\n", eq + 1,
                    je.text);
            return 1;
        }
        for (size_t k = 0; k < set.n; k++) {
            const char *txt = json_string_value(json_object_get(pages, set.pages[k].id));
            txt = txt ? txt : "";
            ndb_html_shingle_match(set.pages[k].truth, strlen(set.pages[k].truth), txt,
                                   strlen(txt), &t[k]);
        }
        double opps = secs > 0 ? (double)set.n / secs : 0;
        eb_report(name, t, set.n, opps);
        if (opps > 0) {
            printf("%-18s newsdb is %.1fx its pages/s (CPU time)\n", "", our_pps / opps);
        }
        json_decref(o);
    }
    json_decref(outj);
    ndb_html_doc_fini(&d);
    free(t);
    aeb_free(&set);
    return 0;
}
