/*
** cmd_search.c — `newsdb search`: ranked hits with snippets, or the exact count.
**
** What: joins the QUERY words with spaces, opens a snapshot of the newest commit and calls
** ndb_search (or ndb_count for --count). Human output: a total line ("1,234 articles
** match"; --count prints the bare number), then per hit its rank, date, outlet, score, URL, title
*(when a side file gave
** one) and the snippet, whose [[matches]] become bold on a terminal and stay as-is
** otherwise (so pipes and tests see the library's markers). --json: one object per hit
** {rank,id,url,outlet,date,title,score,snippet}, then a summary object
** {total,offset,returned,sort,query}; --count --json prints {"total":N}. --facets outlet,date,lang
** adds breakdowns of all matches (ndb_outlets top 10, ndb_timeline by year, ndb_languages)
** after the hits;
** in JSON one {facet,values:[{key,count}]} object per facet.
**
** Why shaped so: the library owns ranking, pagination and snippets; this file only
** renders. A syntax error (NDB_EPARSE, "column N: ...") is shown with the query and a caret
** under column N.
**
** Exit statuses: 0 (also when nothing matches), 1 query or archive error, 2 usage error.
** Threading: single-threaded.
*/
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char search_help[] =
    "usage: newsdb search [options] QUERY...\n"
    "Search the archive. The QUERY words are joined with spaces; quote a phrase for the\n"
    "shell ('\"white house\"'), and put -- before a query that starts with '-'. Query\n"
    "syntax: docs/query-language.md. Only the current version of each URL matches.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "  -n, --limit N         hits to show (default 10, at most 10000)\n"
    "      --offset N        hits to skip first, for paging (offset + limit <= 100000;\n"
    "                        use export for everything)\n"
    "      --count           print only the exact number of matching articles\n"
    "      --sort ORDER      score (default: best first), date (newest first) or date-asc\n"
    "                        (oldest first); ties go to the lower id, undated last\n"
    "      --snippets        show a snippet per hit with [[matches]] marked (default)\n"
    "      --no-snippets     no snippets (faster)\n"
    "      --exhaustive      score every match instead of block-max pruning (same hits;\n"
    "                        a check on the fast path)\n"
    "      --facets LIST     add breakdowns of ALL matches (not only the shown hits):\n"
    "                        'outlet' (the 10 outlets with most matches), 'date' (matches\n"
    "                        per year, undated last), 'lang' (matches per language), or\n"
    "                        a comma list such as 'outlet,date,lang'\n"
    "      --collapse dups   one hit per near-duplicate cluster (similarity >= 0.8 among\n"
    "                        the matches; docs/dedup.md), with the number of unique\n"
    "                        stories; each hit shows how many matching copies it\n"
    "                        stands for\n"
    "      --json            one JSON object per hit: {rank,id,url,outlet,date,title,score,\n"
    "                        snippet}, then {total,offset,returned,sort,query}; with --count\n"
    "                        just {\"total\":N}; facets add {facet,values:[{key,count}]}\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok (also when nothing matches), 1 error (bad query, no archive),\n"
    "2 usage error.\n";

typedef struct search_args {
    const char *db;
    ndb_search_opts so;
    bool count, json;
    bool facet_outlet, facet_date, facet_lang;
    int first; /* index of the first QUERY word */
} search_args;

static const char *search_sort_name(ndb_sort s)
{
    return s == NDB_SORT_DATE_DESC ? "date" : s == NDB_SORT_DATE_ASC ? "date-asc" : "score";
}

/* "outlet", "date" or both, comma-separated; false on anything else. */
static bool search_parse_facets(const char *s, search_args *o)
{
    while (*s) {
        size_t n = strcspn(s, ",");
        if (n == 6 && strncmp(s, "outlet", 6) == 0)
            o->facet_outlet = true;
        else if (n == 4 && strncmp(s, "date", 4) == 0)
            o->facet_date = true;
        else if (n == 4 && strncmp(s, "lang", 4) == 0)
            o->facet_lang = true;
        else
            return false;
        s += n + (s[n] == ',');
    }
    return o->facet_outlet || o->facet_date || o->facet_lang;
}

/* Facets of all matches: outlets (top 10) and years, printed after the hits. */
static ndb_rc search_facets(const search_args *o, ndb_snapshot *snap, const char *query,
                            ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    for (int f = 0; f < 3 && rc == NDB_OK; f++) {
        ndb_agg *a = NULL;
        ndb_agg_opts ao = {.by = NDB_PERIOD_YEAR, .top = 10};
        char key[32], n1[32];
        static const char *const fname[] = {"outlet", "date", "lang"};
        static const char *const ftitle[] = {"Outlets (top 10)", "Dates (by year)",
                                             "Languages"};
        if ((f == 0 && !o->facet_outlet) || (f == 1 && !o->facet_date) ||
            (f == 2 && !o->facet_lang))
            continue;
        rc = f == 0   ? ndb_outlets(snap, query, &ao, &a, err)
             : f == 1 ? ndb_timeline(snap, query, &ao, &a, err)
                      : ndb_languages(snap, query, &a, err);
        json_t *vals = o->json ? json_array() : NULL;
        if (rc == NDB_OK && !o->json)
            printf("\n%s:\n", ftitle[f]);
        for (size_t i = 0; rc == NDB_OK && a && i < a->n; i++) {
            const ndb_agg_row *r = &a->rows[i];
            if (f == 1 && r->count == 0)
                continue;
            if (f == 2)
                snprintf(key, sizeof key, "%s", r->lang[0] ? r->lang : "(unknown)");
            else if (f == 0)
                snprintf(key, sizeof key, "%.31s", r->outlet[0] ? r->outlet : "(none)");
            else if (r->period == NDB_DATE_NONE)
                snprintf(key, sizeof key, "(undated)");
            else
                snprintf(key, sizeof key, "%.4s", ndb_cli_fmt_date(r->period, n1, sizeof n1));
            if (o->json)
                json_array_append_new(
                    vals, json_pack("{s:s, s:I}", "key", key, "count", (json_int_t)r->count));
            else
                printf("  %-28s %10s\n", key, ndb_cli_fmt_count(r->count, n1, sizeof n1));
        }
        if (rc == NDB_OK && o->json)
            rc = ndb_cli_json_print(
                stdout,
                json_pack("{s:s, s:o}", "facet", fname[f], "values", vals), err);
        else
            json_decref(vals);
        ndb_agg_free(a);
    }
    return rc;
}

/* Parse options into o; *help set when --help was shown. */
static cli_status search_parse(int argc, char **argv, search_args *o, bool *help)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"limit", required_argument, NULL, 'n'},
        {"offset", required_argument, NULL, 'o'},
        {"count", no_argument, NULL, 'c'},
        {"sort", required_argument, NULL, 's'},
        {"snippets", no_argument, NULL, 'S'},
        {"no-snippets", no_argument, NULL, 'N'},
        {"exhaustive", no_argument, NULL, 'e'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {"facets", required_argument, NULL, 'F'}, // analytics breakdowns
        {"collapse", required_argument, NULL, 'C'}, // near-duplicates (docs/dedup.md)
        {NULL, 0, NULL, 0},
    };
    int c;
    memset(o, 0, sizeof *o);
    o->so.limit = 10;
    o->so.snippets = 1;
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, ":d:n:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case 'n':
            if (!ndb_cli_parse_u32(optarg, 10000, &o->so.limit) || o->so.limit == 0)
                return ndb_cli_usage_msg("search", "bad number for --limit: '%s' (1..10000)",
                                         optarg);
            break;
        case 'o':
            if (!ndb_cli_parse_u32(optarg, UINT32_MAX, &o->so.offset))
                return ndb_cli_usage_msg("search", "bad number for --offset: '%s'", optarg);
            break;
        case 'c':
            o->count = true;
            break;
        case 's':
            if (strcmp(optarg, "score") == 0)
                o->so.sort = NDB_SORT_SCORE;
            else if (strcmp(optarg, "date") == 0)
                o->so.sort = NDB_SORT_DATE_DESC;
            else if (strcmp(optarg, "date-asc") == 0)
                o->so.sort = NDB_SORT_DATE_ASC;
            else
                return ndb_cli_usage_msg("search", "bad --sort '%s' (score, date, date-asc)",
                                         optarg);
            break;
        case 'S':
            o->so.snippets = 1;
            break;
        case 'N':
            o->so.snippets = 0;
            break;
        case 'e':
            o->so.exhaustive = 1;
            break;
        case 'j':
            o->json = true;
            break;
        case 'C':
            if (strcmp(optarg, "dups") != 0)
                return ndb_cli_usage_msg("search", "bad --collapse '%s' (only: dups)", optarg);
            o->so.collapse_dups = 1;
            break;
        case 'F':
            if (!search_parse_facets(optarg, o))
                return ndb_cli_usage_msg("search", "bad --facets '%s' (outlet, date, lang, or a comma list)",
                                         optarg);
            break;
        case 'h':
            fputs(search_help, stdout);
            *help = true;
            return CLI_OK;
        default:
            return ndb_cli_usage_error("search", c, argv);
        }
    }
    if (optind >= argc)
        return ndb_cli_usage_msg("search", "no QUERY given");
    o->first = optind;
    return CLI_OK;
}

/* Show a parse error with the query and a caret under the column it names. */
static void search_show_parse_error(const char *query, const ndb_err *err)
{
    long col = 0;
    fprintf(stderr, "newsdb: query: %s\n", err->msg);
    if (strncmp(err->msg, "column ", 7) == 0)
        col = strtol(err->msg + 7, NULL, 10);
    if (col >= 1 && col <= 4096)
        fprintf(stderr, "  %s\n  %*s^\n", query, (int)(col - 1), "");
}

/* Print a snippet; on a terminal [[ ]] become bold on/off. */
static void search_print_snippet(const char *s, bool tty)
{
    fputs("     ", stdout);
    if (!tty) {
        fputs(s, stdout);
        fputc('\n', stdout);
        return;
    }
    while (*s) {
        if (s[0] == '[' && s[1] == '[') {
            fputs("\033[1m", stdout);
            s += 2;
        } else if (s[0] == ']' && s[1] == ']') {
            fputs("\033[0m", stdout);
            s += 2;
        } else {
            fputc(*s++, stdout);
        }
    }
    fputc('\n', stdout);
}

static ndb_rc search_print_json(const search_args *o, const char *query, const ndb_results *r,
                                ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    for (size_t i = 0; i < r->n && rc == NDB_OK; i++) {
        const ndb_hit *h = &r->hits[i];
        json_t *obj = json_pack(
            "{s:I, s:I, s:o, s:o, s:o, s:o, s:f, s:o}", "rank", (json_int_t)(o->so.offset + i + 1),
            "id", (json_int_t)h->id, "url", ndb_cli_json_str(h->url, strlen(h->url)), "outlet",
            ndb_cli_json_str(h->outlet, strlen(h->outlet)), "date", ndb_cli_json_date(h->date),
            "title", ndb_cli_json_str(h->title, strlen(h->title)), "score", h->score, "snippet",
            ndb_cli_json_str(h->snippet, strlen(h->snippet)));
        if (obj && o->so.collapse_dups)
            json_object_set_new(obj, "copies", json_integer((json_int_t)h->copies));
        rc = ndb_cli_json_print(stdout, obj, err);
    }
    if (rc == NDB_OK) {
        json_t *sum = json_pack("{s:I, s:I, s:I, s:s, s:o}", "total", (json_int_t)r->total,
                                "offset", (json_int_t)o->so.offset, "returned", (json_int_t)r->n,
                                "sort", search_sort_name(o->so.sort), "query",
                                ndb_cli_json_str(query, strlen(query)));
        if (sum && o->so.collapse_dups)
            json_object_set_new(sum, "unique", json_integer((json_int_t)r->unique));
        rc = ndb_cli_json_print(stdout, sum, err);
    }
    return rc;
}

static void search_print_human(const search_args *o, const ndb_results *r, bool tty)
{
    char n1[32], n2[32], d[16];
    if (r->total == 0) {
        printf("no articles match\n");
        return;
    }
    printf("%s article%s match%s", ndb_cli_fmt_count(r->total, n1, sizeof n1),
           r->total == 1 ? "" : "s", r->total == 1 ? "es" : "");
    if (o->so.collapse_dups)
        printf(", %s unique stor%s (near-duplicates collapsed)",
               ndb_cli_fmt_count(r->unique, n2, sizeof n2), r->unique == 1 ? "y" : "ies");
    if (r->n > 0 && (r->n < r->total || o->so.offset > 0))
        printf("  (showing %llu-%llu, by %s)", (unsigned long long)o->so.offset + 1,
               (unsigned long long)(o->so.offset + r->n), search_sort_name(o->so.sort));
    printf("\n");
    if (r->n == 0)
        printf("(no hits past offset %u)\n", o->so.offset);
    for (size_t i = 0; i < r->n; i++) {
        const ndb_hit *h = &r->hits[i];
        ndb_cli_fmt_date(h->date, d, sizeof d);
        printf("\n%3llu. %-10s  %s  score %.3f  id %u\n",
               (unsigned long long)(o->so.offset + i + 1), d[0] ? d : "(undated)",
               h->outlet[0] ? h->outlet : "-", h->score, h->id);
        if (o->so.collapse_dups && h->copies > 1)
            printf("     (+%u near-duplicate%s among the matches: newsdb dups)\n", h->copies - 1,
                   h->copies == 2 ? "" : "s");
        printf("     %s\n", h->url);
        if (h->title[0])
            printf(tty ? "     \033[1m%s\033[0m\n" : "     %s\n", h->title);
        if (o->so.snippets && h->snippet[0])
            search_print_snippet(h->snippet, tty);
    }
}

cli_status ndb_cli_cmd_search(int argc, char **argv, const cli_env *env)
{
    search_args o;
    bool help = false;
    char *query = NULL;
    ndb_db *db = NULL;
    ndb_snapshot *snap = NULL;
    ndb_results *res = NULL;
    ndb_err err;
    ndb_rc rc;
    cli_status st = search_parse(argc, argv, &o, &help);
    if (st != CLI_OK || help)
        return st;
    ndb_err_clear(&err);
    rc = ndb_cli_join_args(argc, argv, o.first, &query, &err);
    if (rc == NDB_OK)
        rc = ndb_cli_open_snapshot(ndb_cli_db_path(o.db), &db, &snap, &err);
    if (rc != NDB_OK)
        goto out;
    if (o.count) {
        uint64_t n = 0;
        rc = ndb_count(snap, query, &n, &err);
        if (rc != NDB_OK)
            goto out;
        if (o.json)
            rc = ndb_cli_json_print(stdout, json_pack("{s:I}", "total", (json_int_t)n), &err);
        else
            printf("%llu\n", (unsigned long long)n);
        goto out;
    }
    rc = ndb_search(snap, query, &o.so, &res, &err);
    if (rc != NDB_OK)
        goto out;
    if (o.json)
        rc = search_print_json(&o, query, res, &err);
    else
        search_print_human(&o, res, env->out_tty);
    if (rc == NDB_OK && res->total > 0 && (o.facet_outlet || o.facet_date || o.facet_lang))
        rc = search_facets(&o, snap, query, &err);
out:
    if (rc == NDB_EPARSE && query)
        search_show_parse_error(query, &err);
    else if (rc != NDB_OK)
        ndb_cli_fail(&err, rc);
    ndb_results_free(res);
    ndb_snapshot_close(snap);
    ndb_close(db);
    ndb_free(query);
    return rc == NDB_OK ? CLI_OK : CLI_FAIL;
}
