/*
** cmd_analytics.c — `newsdb timeline` and `newsdb outlets`: attention over time and by
** outlet (docs/analytics.md).
**
** What: joins the QUERY words, opens a snapshot and calls ndb_timeline / ndb_outlets
** (exact counts from the per-article columns), then renders:
**   human   an aligned table; on a terminal (or with --bars) each row gets a unicode bar
**           (eighth blocks, longest bar = 40 cells) scaled to the largest count, or to the
**           largest share with --normalize
**   --json  one object per row, then a summary object (shapes in docs/analytics.md)
**   --csv   a header line, then one RFC 4180 row per row
**   --svg   a chart file (bars for outlets, a column chart / lines for timelines) with axes,
**           tick labels and a title, written atomically through the output sink
**
** Why shaped so: the library owns every figure (counts and denominators); this file only
** formats. Shares are count / total computed here at print time, "" when total is 0 (a
** gap period with no articles at all), never a silent 0.
**
** Bad input: an unknown --by or --split value, a malformed date and --from after --to are
** usage errors (exit 2) naming the value; a query that matches nothing prints "no articles
** match" (exit 0; the JSON summary says matched 0); matches that all fall outside the range
** say so.
**
** Also `newsdb terms` (frequent, --significant or --bigrams terms: ndb_top_terms) and
** `newsdb compare` (two sides' distinctive terms and timelines; its --svg merges the two
** timelines into one two-series agg and draws it with the timeline's chart code).
**
** Threading: single-threaded.
*/
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define AN_BAR_CELLS 40

static const char timeline_help[] =
    "usage: newsdb timeline [options] QUERY...\n"
    "Matching articles per period: how much attention a topic got, and when. Exact counts\n"
    "over the current version of each article. Undated articles are their own bucket\n"
    "(shown last) unless a --from/--to range is given.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "      --by PERIOD       day, week (ISO, Monday first), month (default) or year\n"
    "      --normalize       divide each count by all articles of that period (and outlet\n"
    "                        with --split): the share of coverage\n"
    "      --split outlet    one series per outlet that has a match\n"
    "      --from DATE       first day to count (YYYY-MM-DD), inclusive\n"
    "      --to DATE         last day to count (YYYY-MM-DD), inclusive\n"
    "      --bars            draw unicode bars even when stdout is not a terminal\n"
    "      --no-bars         never draw bars\n"
    "      --svg FILE        also write the chart as an SVG file\n"
    "      --chart KIND      SVG chart kind: bars (columns), lines (one line per series),\n"
    "                        or auto (default: lines for more than 60 periods, or for\n"
    "                        several series over more than 12 periods; else bars)\n"
    "      --collapse dups   count unique stories: each cluster of near-duplicates among the\n"
    "                        matches once, at its earliest member (docs/dedup.md)\n"
    "      --json            one object per row {period,start,outlet,count,total,share},\n"
    "                        then {matched,in_range,by,normalize,query}\n"
    "      --csv             CSV: period,start,outlet,count,total,share\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok (also when nothing matches), 1 error (bad query, no archive),\n"
    "2 usage error.\n";

static const char outlets_help[] =
    "usage: newsdb outlets [options] QUERY...\n"
    "Matching articles per outlet, most first, with each outlet's share of its own output\n"
    "(matching / all of its articles). Articles without an outlet show as '(none)'.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "  -n, --top N           show the N outlets with most matches (default: all)\n"
    "      --from DATE       count only articles dated from DATE (YYYY-MM-DD)\n"
    "      --to DATE         count only articles dated up to DATE (YYYY-MM-DD)\n"
    "      --bars            draw unicode bars even when stdout is not a terminal\n"
    "      --no-bars         never draw bars\n"
    "      --svg FILE        also write the chart as an SVG file\n"
    "      --collapse dups   count unique stories: each cluster of near-duplicates among the\n"
    "                        matches once, for the outlet of its earliest member\n"
    "      --json            one object per outlet {rank,outlet,count,total,share}, then\n"
    "                        {matched,in_range,outlets,query}\n"
    "      --csv             CSV: rank,outlet,count,total,share\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok (also when nothing matches), 1 error (bad query, no archive),\n"
    "2 usage error.\n";

typedef enum an_fmt { AN_HUMAN, AN_JSON, AN_CSV } an_fmt;

enum { SVG_AUTO = 0, SVG_BARS = 1, SVG_LINES = 2 };

/* --chart KIND; -1 when unknown. */
static int an_chart_parse(const char *s)
{
    return strcmp(s, "auto") == 0 ? SVG_AUTO : strcmp(s, "bars") == 0 ? SVG_BARS
                                            : strcmp(s, "lines") == 0  ? SVG_LINES
                                                                       : -1;
}

typedef struct an_args {
    const char *cmd;
    const char *db;
    const char *svg;
    const char *svg_title, *svg_sub; /* chart title and subtitle instead of the derived ones
                                        (compare); with a title, series keep row order */
    ndb_agg_opts ao;
    int chart; /* SVG_AUTO, SVG_BARS, SVG_LINES */
    bool normalize;
    int bars; /* -1 auto, 0 no, 1 yes */
    an_fmt fmt;
    int first;
} an_args;

/* ---------------------------------------------------------------- options */

static cli_status an_parse_date(const char *cmd, const char *opt, const char *s, int32_t *out)
{
    if (!ndb_date_parse(s, strlen(s), out))
        return ndb_cli_usage_msg(cmd, "bad date for --%s: '%s' (YYYY-MM-DD)", opt, s);
    return CLI_OK;
}

static cli_status an_parse_opt(an_args *o, int c, char **argv, bool *help)
{
    switch (c) {
    case 'd':
        o->db = optarg;
        return CLI_OK;
    case 'B':
        if (ndb_period_parse(optarg, &o->ao.by) != 0 || o->ao.by == NDB_PERIOD_NONE)
            return ndb_cli_usage_msg(o->cmd, "bad --by '%s' (day, week, month, year)", optarg);
        return CLI_OK;
    case 'N':
        o->normalize = true;
        return CLI_OK;
    case 'S':
        if (strcmp(optarg, "outlet") != 0)
            return ndb_cli_usage_msg(o->cmd, "bad --split '%s' (only 'outlet')", optarg);
        o->ao.split_outlet = 1;
        return CLI_OK;
    case 'F':
        return an_parse_date(o->cmd, "from", optarg, &o->ao.from);
    case 'T':
        return an_parse_date(o->cmd, "to", optarg, &o->ao.to);
    case 'n':
        if (!ndb_cli_parse_u32(optarg, UINT32_MAX, &o->ao.top) || o->ao.top == 0)
            return ndb_cli_usage_msg(o->cmd, "bad number for --top: '%s' (1 or more)", optarg);
        return CLI_OK;
    case 'b':
        o->bars = 1;
        return CLI_OK;
    case 'x':
        o->bars = 0;
        return CLI_OK;
    case 'g':
        o->svg = optarg;
        return CLI_OK;
    case 'k':
        if ((o->chart = an_chart_parse(optarg)) < 0)
            return ndb_cli_usage_msg(o->cmd, "bad --chart '%s' (bars, lines, auto)", optarg);
        return CLI_OK;
    case 'j':
        o->fmt = AN_JSON;
        return CLI_OK;
    case 'c':
        o->fmt = AN_CSV;
        return CLI_OK;
    case 'C':
        if (strcmp(optarg, "dups") != 0)
            return ndb_cli_usage_msg(o->cmd, "bad --collapse '%s' (only: dups)", optarg);
        o->ao.collapse_dups = 1;
        return CLI_OK;
    case 'h':
        fputs(strcmp(o->cmd, "timeline") == 0 ? timeline_help : outlets_help, stdout);
        *help = true;
        return CLI_OK;
    default:
        return ndb_cli_usage_error(o->cmd, c, argv);
    }
}

static cli_status an_parse(const char *cmd, int argc, char **argv, an_args *o, bool *help)
{
    static const struct option tl_opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"by", required_argument, NULL, 'B'},
        {"normalize", no_argument, NULL, 'N'},
        {"split", required_argument, NULL, 'S'},
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {"bars", no_argument, NULL, 'b'},
        {"no-bars", no_argument, NULL, 'x'},
        {"svg", required_argument, NULL, 'g'},
        {"chart", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},
        {"collapse", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const struct option ol_opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"top", required_argument, NULL, 'n'},
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {"bars", no_argument, NULL, 'b'},
        {"no-bars", no_argument, NULL, 'x'},
        {"svg", required_argument, NULL, 'g'},
        {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},
        {"collapse", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool tl = strcmp(cmd, "timeline") == 0;
    int c;
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    o->bars = -1;
    o->ao.by = NDB_PERIOD_MONTH;
    o->ao.from = o->ao.to = NDB_DATE_NONE;
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, tl ? ":d:h" : ":d:n:h", tl ? tl_opts : ol_opts, NULL)) !=
           -1) {
        cli_status st = an_parse_opt(o, c, argv, help);
        if (st != CLI_OK || *help)
            return st;
    }
    if (o->ao.from != NDB_DATE_NONE && o->ao.to != NDB_DATE_NONE && o->ao.from > o->ao.to) {
        char a[16], b[16];
        return ndb_cli_usage_msg(cmd, "impossible date range: --from %s is after --to %s",
                                 ndb_cli_fmt_date(o->ao.from, a, sizeof a),
                                 ndb_cli_fmt_date(o->ao.to, b, sizeof b));
    }
    if (optind >= argc)
        return ndb_cli_usage_msg(cmd, "no QUERY given");
    o->first = optind;
    return CLI_OK;
}

/* ---------------------------------------------------------------- rendering */

/* Label of a period: 2016-10-11, 2016-W41, 2016-10, 2016; "(undated)". */
static const char *an_period_label(ndb_period by, int32_t start, char *buf, size_t cap)
{
    int y, m, d, ty, tm, td;
    int32_t jan1 = 0;
    if (start == NDB_DATE_NONE) {
        snprintf(buf, cap, "(undated)");
        return buf;
    }
    ndb_date_to_ymd(start, &y, &m, &d);
    switch (by) {
    case NDB_PERIOD_WEEK:
        /* ISO week: the week-year and number of the week's Thursday */
        ndb_date_to_ymd(start + 3, &ty, &tm, &td);
        (void)ndb_date_from_ymd(ty, 1, 1, &jan1);
        snprintf(buf, cap, "%04d-W%02d", ty, (start + 3 - jan1) / 7 + 1);
        break;
    case NDB_PERIOD_MONTH:
        snprintf(buf, cap, "%04d-%02d", y, m);
        break;
    case NDB_PERIOD_YEAR:
        snprintf(buf, cap, "%04d", y);
        break;
    default:
        snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
        break;
    }
    return buf;
}

static double an_share(const ndb_agg_row *r)
{
    return r->total ? (double)r->count / (double)r->total : 0.0;
}

/* A bar of frac (0..1) of AN_BAR_CELLS cells, in eighth blocks. */
static void an_bar(double frac)
{
    static const char *const part[8] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    long eighths = (long)(frac * AN_BAR_CELLS * 8 + 0.5);
    if (frac > 0 && eighths == 0)
        eighths = 1; /* a non-zero value never looks like zero */
    for (long i = 0; i < eighths / 8; i++)
        fputs("█", stdout);
    fputs(part[eighths % 8], stdout);
}

static double an_value(const an_args *o, const ndb_agg_row *r)
{
    return o->normalize ? an_share(r) : (double)r->count;
}

static double an_max(const an_args *o, const ndb_agg *a)
{
    double mx = 0;
    for (size_t i = 0; i < a->n; i++)
        mx = an_value(o, &a->rows[i]) > mx ? an_value(o, &a->rows[i]) : mx;
    return mx;
}

/* "12.34%" or "-" when the group has no articles at all. */
static const char *an_pct(const ndb_agg_row *r, char *buf, size_t cap)
{
    if (r->total == 0)
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%.2f%%", 100.0 * an_share(r));
    return buf;
}

static void an_human_timeline(const an_args *o, const ndb_agg *a, bool bars)
{
    char lab[32], n1[32], n2[32], pct[32];
    double mx = an_max(o, a);
    bool split = o->ao.split_outlet != 0;
    printf("%-10s  ", "period");
    if (split)
        printf("%-24s", "outlet");
    printf("%10s  %12s  %8s\n", "count", "all", "share");
    for (size_t i = 0; i < a->n; i++) {
        const ndb_agg_row *r = &a->rows[i];
        printf("%-10s  ", an_period_label(o->ao.by, r->period, lab, sizeof lab));
        if (split)
            printf("%-24s", r->outlet[0] ? r->outlet : "(none)");
        printf("%10s  %12s  %8s", ndb_cli_fmt_count(r->count, n1, sizeof n1),
               ndb_cli_fmt_count(r->total, n2, sizeof n2), an_pct(r, pct, sizeof pct));
        if (bars && mx > 0) {
            fputs("  ", stdout);
            an_bar(an_value(o, r) / mx);
        }
        fputc('\n', stdout);
    }
}

static void an_human_outlets(const an_args *o, const ndb_agg *a, bool bars)
{
    char n1[32], n2[32], pct[32];
    double mx = an_max(o, a);
    printf("%4s  %-28s%12s  %12s  %8s\n", "rank", "outlet", "count", "all", "share");
    for (size_t i = 0; i < a->n; i++) {
        const ndb_agg_row *r = &a->rows[i];
        printf("%4zu  %-28s%12s  %12s  %8s", i + 1, r->outlet[0] ? r->outlet : "(none)",
               ndb_cli_fmt_count(r->count, n1, sizeof n1),
               ndb_cli_fmt_count(r->total, n2, sizeof n2), an_pct(r, pct, sizeof pct));
        if (bars && mx > 0) {
            fputs("  ", stdout);
            an_bar(an_value(o, r) / mx);
        }
        fputc('\n', stdout);
    }
}

/* The summary line under a human table, or the message for an empty answer. */
static void an_human_summary(const an_args *o, const ndb_agg *a, const char *query)
{
    char n1[32], n2[32], d1[16], d2[16];
    bool ranged = o->ao.from != NDB_DATE_NONE || o->ao.to != NDB_DATE_NONE;
    if (a->matched == 0) {
        printf("no articles match %s\n", query);
        return;
    }
    printf("%s article%s match %s", ndb_cli_fmt_count(a->matched, n1, sizeof n1),
           a->matched == 1 ? "" : "s", query);
    if (ranged)
        printf("; %s dated %s..%s", ndb_cli_fmt_count(a->in_range, n2, sizeof n2),
               o->ao.from != NDB_DATE_NONE ? ndb_cli_fmt_date(o->ao.from, d1, sizeof d1) : "",
               o->ao.to != NDB_DATE_NONE ? ndb_cli_fmt_date(o->ao.to, d2, sizeof d2) : "");
    if (ranged && a->in_range == 0)
        printf(" (none in the range)");
    printf("\n");
}

static json_t *an_json_share(const ndb_agg_row *r)
{
    return r->total ? json_real(an_share(r)) : json_null();
}

static ndb_rc an_json(const an_args *o, bool tl, const ndb_agg *a, const char *query, ndb_err *err)
{
    char lab[32];
    ndb_rc rc = NDB_OK;
    for (size_t i = 0; i < a->n && rc == NDB_OK; i++) {
        const ndb_agg_row *r = &a->rows[i];
        json_t *obj = json_object();
        if (tl) {
            json_object_set_new(obj, "period",
                                json_string(an_period_label(o->ao.by, r->period, lab, sizeof lab)));
            json_object_set_new(obj, "start", ndb_cli_json_date(r->period));
        } else {
            json_object_set_new(obj, "rank", json_integer((json_int_t)i + 1));
        }
        if (r->outlet)
            json_object_set_new(obj, "outlet", ndb_cli_json_str(r->outlet, strlen(r->outlet)));
        json_object_set_new(obj, "count", json_integer((json_int_t)r->count));
        json_object_set_new(obj, "total", json_integer((json_int_t)r->total));
        json_object_set_new(obj, "share", an_json_share(r));
        rc = ndb_cli_json_print(stdout, obj, err);
    }
    if (rc != NDB_OK)
        return rc;
    json_t *sum =
        json_pack("{s:I, s:I, s:o}", "matched", (json_int_t)a->matched, "in_range",
                  (json_int_t)a->in_range, "query", ndb_cli_json_str(query, strlen(query)));
    if (tl) {
        json_object_set_new(sum, "by", json_string(ndb_period_name(o->ao.by)));
        json_object_set_new(sum, "normalize", json_boolean(o->normalize));
    } else {
        json_object_set_new(sum, "outlets", json_integer((json_int_t)a->n));
    }
    return ndb_cli_json_print(stdout, sum, err);
}

static void an_csv(const an_args *o, bool tl, const ndb_agg *a)
{
    char lab[32], d[16];
    puts(tl ? "period,start,outlet,count,total,share" : "rank,outlet,count,total,share");
    for (size_t i = 0; i < a->n; i++) {
        const ndb_agg_row *r = &a->rows[i];
        if (tl)
            printf("%s,%s,", an_period_label(o->ao.by, r->period, lab, sizeof lab),
                   ndb_cli_fmt_date(r->period, d, sizeof d));
        else
            printf("%zu,", i + 1);
        ndb_cli_csv_field(r->outlet ? r->outlet : "");
        printf(",%llu,%llu,", (unsigned long long)r->count, (unsigned long long)r->total);
        if (r->total)
            printf("%.6f", an_share(r));
        fputc('\n', stdout);
    }
}

/* ---------------------------------------------------------------- svg */

#define SVG_W          900
#define SVG_H          520
#define SVG_L          80  /* left margin: y tick labels */
#define SVG_R          170 /* right margin: legend */
#define SVG_T          56  /* top: title, subtitle */
#define SVG_B          110 /* bottom: x labels */
#define SVG_MAX_SERIES 8

static const char *const svg_colors[SVG_MAX_SERIES] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                       "#9467bd", "#8c564b", "#e377c2", "#17becf"};

/* XML-escaped text. */
static ndb_rc svg_text(ndb_buf *b, const char *s)
{
    ndb_rc rc = NDB_OK;
    for (; *s && rc == NDB_OK; s++) {
        if (*s == '&')
            rc = ndb_buf_append_str(b, "&amp;");
        else if (*s == '<')
            rc = ndb_buf_append_str(b, "&lt;");
        else if (*s == '>')
            rc = ndb_buf_append_str(b, "&gt;");
        else if (*s == '"')
            rc = ndb_buf_append_str(b, "&quot;");
        else
            rc = ndb_buf_append(b, s, 1);
    }
    return rc;
}

/* An x-axis label: at most 18 bytes of s (cut at a UTF-8 boundary, then "…"). */
static ndb_rc svg_label(ndb_buf *b, const char *s)
{
    char cut[32];
    size_t n = strlen(s);
    if (n <= 18)
        return svg_text(b, s);
    n = 17;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    snprintf(cut, sizeof cut, "%.*s…", (int)n, s);
    return svg_text(b, cut);
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) for about 5 ticks up to mx. */
static double svg_step(double mx)
{
    double raw = mx / 5, p = 1;
    if (raw <= 0)
        return 1;
    while (p * 10 <= raw)
        p *= 10;
    while (p > raw)
        p /= 10;
    return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

static void svg_tick_label(double v, bool pct, char *buf, size_t cap)
{
    if (pct)
        snprintf(buf, cap, "%.3g%%", v * 100);
    else
        snprintf(buf, cap, "%.10g", v);
}

/* Frame: background, title, subtitle, y axis with ticks and grid up to top (nice max). */
static ndb_rc svg_frame(ndb_buf *b, const char *title, const char *sub, double top, double step,
                        bool pct, const char *ylabel, int pw)
{
    const int ph = SVG_H - SVG_T - SVG_B;
    char lab[64];
    ndb_rc rc =
        ndb_buf_printf(b,
                       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                       "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\">\n"
                       "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                       "<text x=\"%d\" y=\"24\" font-size=\"17\" font-weight=\"bold\">",
                       SVG_W, SVG_H, SVG_W, SVG_H, SVG_L);
    if (rc == NDB_OK)
        rc = svg_text(b, title);
    if (rc == NDB_OK)
        rc = ndb_buf_printf(b, "</text>\n<text x=\"%d\" y=\"43\" font-size=\"12\" fill=\"#555\">",
                            SVG_L);
    if (rc == NDB_OK)
        rc = svg_text(b, sub);
    if (rc == NDB_OK)
        rc = ndb_buf_append_str(b, "</text>\n");
    for (double v = 0; rc == NDB_OK && v <= top + step / 1000; v += step) {
        double y = SVG_T + ph - v / top * ph;
        svg_tick_label(v, pct, lab, sizeof lab);
        rc = ndb_buf_printf(b,
                            "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n"
                            "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s"
                            "</text>\n",
                            SVG_L, SVG_L + pw, y, y, SVG_L - 6, y + 4, lab);
    }
    if (rc == NDB_OK)
        rc = ndb_buf_printf(b,
                            "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>\n"
                            "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>\n"
                            "<text transform=\"translate(16,%d) rotate(-90)\" font-size=\"12\" "
                            "text-anchor=\"middle\">%s</text>\n",
                            SVG_L, SVG_L, SVG_T, SVG_T + ph, SVG_L, SVG_L + pw, SVG_T + ph,
                            SVG_T + ph, SVG_T + ph / 2, ylabel);
    return rc;
}

/* Outlets of a split timeline, largest total count first (at most SVG_MAX_SERIES); with
** by_size false, in the order of the rows instead (compare: A, then B). */
static size_t svg_series(const ndb_agg *a, const char **names, bool by_size)
{
    size_t n = 0;
    uint64_t sums[SVG_MAX_SERIES];
    for (size_t i = 0; i < a->n; i++) {
        const char *nm = a->rows[i].outlet ? a->rows[i].outlet : "";
        uint64_t sum = 0;
        size_t k;
        bool seen = false;
        for (size_t j = 0; j < n; j++)
            seen = seen || strcmp(names[j], nm) == 0;
        if (seen || a->rows[i].period == NDB_DATE_NONE)
            continue;
        for (size_t j = 0; by_size && j < a->n; j++) {
            if (a->rows[j].period != NDB_DATE_NONE && a->rows[j].outlet &&
                strcmp(a->rows[j].outlet, nm) == 0)
                sum += a->rows[j].count;
        }
        for (k = n; k > 0 && sums[k - 1] < sum; k--) {
            if (k < SVG_MAX_SERIES) {
                sums[k] = sums[k - 1];
                names[k] = names[k - 1];
            }
        }
        if (k < SVG_MAX_SERIES) {
            sums[k] = sum;
            names[k] = nm;
            if (n < SVG_MAX_SERIES)
                n++;
        }
    }
    return n;
}

/* "1,210 matching articles" or "490 of 1,210 matching articles, dated 2014-01-01..". */
static void svg_subtitle(const an_args *o, const ndb_agg *a, char *sub, size_t cap)
{
    char n1[32], n2[32], d1[16], d2[16];
    if (o->ao.from == NDB_DATE_NONE && o->ao.to == NDB_DATE_NONE) {
        snprintf(sub, cap, "%s matching articles", ndb_cli_fmt_count(a->matched, n1, sizeof n1));
        return;
    }
    snprintf(
        sub, cap, "%s of %s matching articles, dated %s..%s",
        ndb_cli_fmt_count(a->in_range, n1, sizeof n1), ndb_cli_fmt_count(a->matched, n2, sizeof n2),
        ndb_cli_fmt_date(o->ao.from, d1, sizeof d1), ndb_cli_fmt_date(o->ao.to, d2, sizeof d2));
}

/* Timeline chart: columns (one series), grouped columns per outlet, or one line per series
** (--chart lines, or auto for long or multi-series timelines: grouped columns of many
** periods become unreadable), with a legend for several series. A line's vertex i is at
** the middle of period i's slot, its height the period's value, as a column's would be. */
static ndb_rc svg_timeline(const an_args *o, const ndb_agg *a, const char *query, ndb_buf *b)
{
    const int pw = SVG_W - SVG_L - (o->ao.split_outlet ? SVG_R : 70), ph = SVG_H - SVG_T - SVG_B;
    const char *names[SVG_MAX_SERIES];
    char title[512], sub[256], lab[32];
    size_t np = 0, ns = 1, every, pi = 0;
    uint64_t undated = 0;
    double mx = 0, step, top, slot;
    ndb_buf pts[SVG_MAX_SERIES];
    bool lines;
    ndb_rc rc;
    if (o->ao.split_outlet)
        ns = svg_series(a, names, !o->svg_title);
    for (size_t i = 0; i < a->n; i++) {
        bool drawn = !o->ao.split_outlet;
        if (a->rows[i].period == NDB_DATE_NONE) {
            undated += a->rows[i].count;
            continue;
        }
        if (i == 0 || a->rows[i].period != a->rows[i - 1].period)
            np++;
        for (size_t si = 0; !drawn && si < ns; si++)
            drawn = strcmp(names[si], a->rows[i].outlet) == 0;
        if (drawn && an_value(o, &a->rows[i]) > mx)
            mx = an_value(o, &a->rows[i]);
    }
    step = svg_step(mx > 0 ? mx : 1);
    top = step * (double)(long)((mx > 0 ? mx : 1) / step + 0.999999);
    snprintf(title, sizeof title, "Articles matching %s, by %s%s", query, ndb_period_name(o->ao.by),
             o->normalize ? " (share of all articles)" : "");
    svg_subtitle(o, a, sub, sizeof sub);
    snprintf(sub + strlen(sub), sizeof sub - strlen(sub), "%s%s",
             undated ? "; undated ones not drawn" : "",
             o->ao.split_outlet ? "; the largest outlets" : "");
    if (o->svg_title)
        snprintf(title, sizeof title, "%s", o->svg_title);
    if (o->svg_sub)
        snprintf(sub, sizeof sub, "%s", o->svg_sub);
    lines = o->chart == SVG_LINES ||
            (o->chart == SVG_AUTO && (np > 60 || (o->ao.split_outlet && ns > 1 && np > 12)));
    for (size_t si = 0; si < SVG_MAX_SERIES; si++)
        ndb_buf_init(&pts[si], NDB_BUF_NOMAX);
    rc = svg_frame(b, title, sub, top, step, o->normalize,
                   o->normalize ? "share of articles" : "articles", pw);
    every = np > 24 ? (np + 23) / 24 : 1;
    slot = np ? (double)pw / (double)np : pw;
    for (size_t i = 0; rc == NDB_OK && i < a->n; i++) {
        const ndb_agg_row *r = &a->rows[i];
        bool first = i == 0 || r->period != a->rows[i - 1].period;
        size_t si = 0;
        if (r->period == NDB_DATE_NONE)
            continue;
        if (first && i > 0)
            pi++;
        double x = SVG_L + slot * (double)pi, h = an_value(o, r) / top * ph;
        double bw = slot * 0.8 / (double)ns;
        if (first && pi % every == 0)
            rc = ndb_buf_printf(b,
                                "<text transform=\"translate(%.1f,%d) rotate(45)\" "
                                "font-size=\"10\">%s</text>\n",
                                x + slot / 2, SVG_T + ph + 12,
                                an_period_label(o->ao.by, r->period, lab, sizeof lab));
        while (o->ao.split_outlet && si < ns && strcmp(names[si], r->outlet) != 0)
            si++;
        if (rc == NDB_OK && si < ns && lines)
            rc = ndb_buf_printf(&pts[si], "%s%.2f,%.2f", pts[si].n ? " " : "", x + slot / 2,
                                SVG_T + ph - h);
        else if (rc == NDB_OK && si < ns)
            rc = ndb_buf_printf(b,
                                "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                                "fill=\"%s\"/>\n",
                                x + slot * 0.1 + bw * (double)si, SVG_T + ph - h, bw, h,
                                svg_colors[si]);
    }
    for (size_t si = 0; lines && rc == NDB_OK && si < ns; si++) {
        rc = ndb_buf_printf(b,
                            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" "
                            "stroke-linejoin=\"round\" points=\"",
                            svg_colors[si], np > 120 ? "1.2" : "2");
        if (rc == NDB_OK && pts[si].n)
            rc = ndb_buf_append(b, pts[si].p, pts[si].n);
        if (rc == NDB_OK)
            rc = ndb_buf_append_str(b, "\"/>\n");
        /* markers while they stay apart (a one-period series is only its marker) */
        for (size_t k = 0; rc == NDB_OK && np <= 40 && k < pts[si].n;) {
            double px, py;
            int used = 0;
            if (sscanf((const char *)pts[si].p + k, "%lf,%lf%n", &px, &py, &used) != 2)
                break;
            rc = ndb_buf_printf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"%s\"/>\n",
                                px, py, svg_colors[si]);
            k += (size_t)used;
            while (k < pts[si].n && pts[si].p[k] == ' ')
                k++;
        }
    }
    for (size_t si = 0; si < SVG_MAX_SERIES; si++)
        ndb_buf_fini(&pts[si]);
    for (size_t si = 0; o->ao.split_outlet && rc == NDB_OK && si < ns; si++) {
        rc = ndb_buf_printf(b,
                            "<rect x=\"%d\" y=\"%zu\" width=\"12\" height=\"12\" fill=\"%s\"/>\n"
                            "<text x=\"%d\" y=\"%zu\" font-size=\"11\">",
                            SVG_W - SVG_R + 14, SVG_T + si * 18, svg_colors[si], SVG_W - SVG_R + 32,
                            SVG_T + si * 18 + 10);
        if (rc == NDB_OK)
            rc = svg_text(b, names[si][0] ? names[si] : "(none)");
        if (rc == NDB_OK)
            rc = ndb_buf_append_str(b, "</text>\n");
    }
    return rc == NDB_OK ? ndb_buf_append_str(b, "</svg>\n") : rc;
}

/* Outlets chart: one column per outlet (at most 30), labels under the axis. */
static ndb_rc svg_outlets(const an_args *o, const ndb_agg *a, const char *query, ndb_buf *b)
{
    const int pw = SVG_W - SVG_L - 100, ph = SVG_H - SVG_T - SVG_B; /* room for the last slanted label */
    char title[512], sub[256];
    size_t n = a->n < 30 ? a->n : 30;
    double mx = 0, step, top, slot;
    ndb_rc rc;
    for (size_t i = 0; i < n; i++)
        mx = (double)a->rows[i].count > mx ? (double)a->rows[i].count : mx;
    step = svg_step(mx > 0 ? mx : 1);
    top = step * (double)(long)((mx > 0 ? mx : 1) / step + 0.999999);
    snprintf(title, sizeof title, "Articles matching %s, by outlet", query);
    svg_subtitle(o, a, sub, sizeof sub);
    snprintf(sub + strlen(sub), sizeof sub - strlen(sub), "; %zu outlet%s shown", n,
             n == 1 ? "" : "s");
    rc = svg_frame(b, title, sub, top, step, false, "articles", pw);
    slot = n ? (double)pw / (double)n : pw;
    for (size_t i = 0; rc == NDB_OK && i < n; i++) {
        const ndb_agg_row *r = &a->rows[i];
        double x = SVG_L + slot * (double)i, h = (double)r->count / top * ph;
        rc = ndb_buf_printf(b,
                            "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                            "fill=\"%s\"/>\n<text transform=\"translate(%.1f,%d) rotate(45)\" "
                            "font-size=\"10\">",
                            x + slot * 0.1, SVG_T + ph - h, slot * 0.8, h, svg_colors[0],
                            x + slot / 2, SVG_T + ph + 12);
        if (rc == NDB_OK)
            rc = svg_label(b, r->outlet[0] ? r->outlet : "(none)");
        if (rc == NDB_OK)
            rc = ndb_buf_append_str(b, "</text>\n");
    }
    return rc == NDB_OK ? ndb_buf_append_str(b, "</svg>\n") : rc;
}

static ndb_rc an_write_svg(const an_args *o, bool tl, const ndb_agg *a, const char *query,
                           ndb_err *err)
{
    ndb_buf b;
    cli_out out;
    ndb_rc rc;
    ndb_buf_init(&b, 64u << 20);
    rc = tl ? svg_timeline(o, a, query, &b) : svg_outlets(o, a, query, &b);
    if (rc != NDB_OK) {
        ndb_buf_fini(&b);
        return ndb_err_set(err, rc, "%s: cannot build the chart: %s", o->svg, ndb_strerror(rc));
    }
    rc = ndb_cli_out_open(&out, o->svg, err);
    if (rc == NDB_OK) {
        rc = ndb_cli_out_write(&out, b.p, b.n, err);
        ndb_rc rc2 = ndb_cli_out_close(&out, rc == NDB_OK, err);
        rc = rc != NDB_OK ? rc : rc2;
    }
    ndb_buf_fini(&b);
    return rc;
}

/* ---------------------------------------------------------------- commands */

static cli_status an_run(const char *cmd, int argc, char **argv, const cli_env *env)
{
    an_args o;
    bool help = false, tl = strcmp(cmd, "timeline") == 0;
    char *query = NULL;
    ndb_db *db = NULL;
    ndb_snapshot *snap = NULL;
    ndb_agg *a = NULL;
    ndb_err err;
    ndb_rc rc;
    cli_status st = an_parse(cmd, argc, argv, &o, &help);
    if (st != CLI_OK || help)
        return st;
    ndb_err_clear(&err);
    rc = ndb_cli_join_args(argc, argv, o.first, &query, &err);
    if (rc == NDB_OK)
        rc = ndb_cli_open_snapshot(ndb_cli_db_path(o.db), &db, &snap, &err);
    if (rc == NDB_OK)
        rc = tl ? ndb_timeline(snap, query, &o.ao, &a, &err)
                : ndb_outlets(snap, query, &o.ao, &a, &err);
    if (rc != NDB_OK)
        goto out;
    if (o.fmt == AN_JSON)
        rc = an_json(&o, tl, a, query, &err);
    else if (o.fmt == AN_CSV)
        an_csv(&o, tl, a);
    else if (a->n > 0 && tl)
        an_human_timeline(&o, a, o.bars == 1 || (o.bars == -1 && env->out_tty));
    else if (a->n > 0)
        an_human_outlets(&o, a, o.bars == 1 || (o.bars == -1 && env->out_tty));
    if (o.fmt == AN_HUMAN)
        an_human_summary(&o, a, query);
    else if (a->matched == 0)
        fprintf(stderr, "newsdb: %s: no articles match %s\n", cmd, query);
    if (rc == NDB_OK && o.svg && a->n == 0)
        fprintf(stderr, "newsdb: %s: nothing to chart; %s not written\n", cmd, o.svg);
    else if (rc == NDB_OK && o.svg)
        rc = an_write_svg(&o, tl, a, query, &err);
out:
    if (rc != NDB_OK)
        ndb_cli_fail(&err, rc);
    ndb_agg_free(a);
    ndb_snapshot_close(snap);
    ndb_close(db);
    ndb_free(query);
    return rc == NDB_OK ? CLI_OK : CLI_FAIL;
}

cli_status ndb_cli_cmd_timeline(int argc, char **argv, const cli_env *env)
{
    return an_run("timeline", argc, argv, env);
}

cli_status ndb_cli_cmd_outlets(int argc, char **argv, const cli_env *env)
{
    return an_run("outlets", argc, argv, env);
}

/* ---------------------------------------------------------------- terms */

static const char terms_help[] =
    "usage: newsdb terms [options] QUERY...\n"
    "The most frequent terms of the articles matching QUERY (stop words left out), or with\n"
    "--significant the terms most over-represented in them against a background, scored\n"
    "with the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi and\n"
    "Quinn 2008, \"Fightin' Words\"), with z-scores. Counts are exact, from the index. A\n"
    "term is shown as its most common surface form in (up to 200 of) the articles.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "  -n, --top N           terms to show (default 20, at most 100000)\n"
    "      --significant     rank by z-score against the background instead of by count\n"
    "      --background Q    background: the articles matching Q (default: the whole\n"
    "                        archive); the matching articles are taken out of it\n"
    "      --bigrams         the most frequent bigrams instead: two consecutive words of\n"
    "                        one paragraph, left out when either is a stop word (the\n"
    "                        term column holds both words, stem both stems); with\n"
    "                        --significant, bigrams over-represented against the\n"
    "                        background's bigrams\n"
    "      --json            one object per term {rank,term,stem,count,docs[,bg_count,\n"
    "                        delta,z]}, then {matched,background,tokens,bg_tokens,postings,\n"
    "                        query[,bigrams]}\n"
    "      --csv             CSV: rank,term,stem,count,docs,bg_count,delta,z\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok (also when nothing matches), 1 error (bad query, no archive, cost\n"
    "bound), 2 usage error.\n";

typedef struct terms_args {
    const char *db;
    ndb_terms_opts to;
    an_fmt fmt;
    int first;
} terms_args;

static cli_status terms_parse(int argc, char **argv, terms_args *o, bool *help)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},    {"top", required_argument, NULL, 'n'},
        {"significant", no_argument, NULL, 's'}, {"background", required_argument, NULL, 'b'},
        {"json", no_argument, NULL, 'j'},        {"csv", no_argument, NULL, 'c'},
        {"bigrams", no_argument, NULL, 'g'},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    memset(o, 0, sizeof *o);
    o->to.top = 20;
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, ":d:n:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case 'n':
            if (!ndb_cli_parse_u32(optarg, 100000, &o->to.top) || o->to.top == 0)
                return ndb_cli_usage_msg("terms", "bad number for --top: '%s' (1..100000)", optarg);
            break;
        case 's':
            o->to.significant = 1;
            break;
        case 'b':
            o->to.background = optarg;
            break;
        case 'g':
            o->to.bigrams = 1;
            break;
        case 'j':
            o->fmt = AN_JSON;
            break;
        case 'c':
            o->fmt = AN_CSV;
            break;
        case 'h':
            fputs(terms_help, stdout);
            *help = true;
            return CLI_OK;
        default:
            return ndb_cli_usage_error("terms", c, argv);
        }
    }
    if (o->to.background && !o->to.significant)
        return ndb_cli_usage_msg("terms", "--background needs --significant");
    if (optind >= argc)
        return ndb_cli_usage_msg("terms", "no QUERY given");
    o->first = optind;
    return CLI_OK;
}

static void terms_human(const terms_args *o, const ndb_term_list *l, const char *query)
{
    char n1[32], n2[32], n3[32];
    if (l->matched == 0) {
        printf("no articles match %s\n", query);
        return;
    }
    if (o->to.significant)
        printf("%4s  %-24s%9s  %10s  %12s\n", "rank", "term", "z", "count", "background");
    else
        printf("%4s  %-24s%10s  %10s\n", "rank", o->to.bigrams ? "bigram" : "term", "count",
               "articles");
    for (size_t i = 0; i < l->n; i++) {
        const ndb_term_row *r = &l->rows[i];
        if (o->to.significant)
            printf("%4zu  %-24s%9.2f  %10s  %12s\n", i + 1, r->term, r->z,
                   ndb_cli_fmt_count(r->count, n1, sizeof n1),
                   ndb_cli_fmt_count(r->bg_count, n2, sizeof n2));
        else
            printf("%4zu  %-24s%10s  %10s\n", i + 1, r->term,
                   ndb_cli_fmt_count(r->count, n1, sizeof n1),
                   ndb_cli_fmt_count(r->docs, n2, sizeof n2));
    }
    printf("%s article%s match %s (%s %s)", ndb_cli_fmt_count(l->matched, n1, sizeof n1),
           l->matched == 1 ? "" : "s", query, ndb_cli_fmt_count(l->tokens, n2, sizeof n2),
           o->to.bigrams ? "bigrams" : "terms");
    if (o->to.significant)
        printf("; background %s articles (%s %s)%s",
               ndb_cli_fmt_count(l->bg_docs, n3, sizeof n3),
               ndb_cli_fmt_count(l->bg_tokens, n1, sizeof n1),
               o->to.bigrams ? "bigrams" : "terms",
               o->to.background ? "" : ", the rest of the archive");
    printf("\n");
}

static ndb_rc terms_json(const terms_args *o, const ndb_term_list *l, const char *query,
                         ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    for (size_t i = 0; i < l->n && rc == NDB_OK; i++) {
        const ndb_term_row *r = &l->rows[i];
        json_t *obj = json_pack("{s:I, s:o, s:o, s:I, s:I}", "rank", (json_int_t)i + 1, "term",
                                ndb_cli_json_str(r->term, strlen(r->term)), "stem",
                                ndb_cli_json_str(r->stem, strlen(r->stem)), "count",
                                (json_int_t)r->count, "docs", (json_int_t)r->docs);
        if (o->to.significant) {
            json_object_set_new(obj, "bg_count", json_integer((json_int_t)r->bg_count));
            json_object_set_new(obj, "delta", json_real(r->delta));
            json_object_set_new(obj, "z", json_real(r->z));
        }
        rc = ndb_cli_json_print(stdout, obj, err);
    }
    if (rc != NDB_OK)
        return rc;
    json_t *sum =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "matched", (json_int_t)l->matched, "background",
                  (json_int_t)l->bg_docs, "tokens", (json_int_t)l->tokens, "bg_tokens",
                  (json_int_t)l->bg_tokens, "postings", (json_int_t)l->postings, "query",
                  ndb_cli_json_str(query, strlen(query)));
    if (sum && o->to.bigrams)
        json_object_set_new(sum, "bigrams", json_true());
    return ndb_cli_json_print(stdout, sum, err);
}

static void terms_csv(const ndb_term_list *l)
{
    puts("rank,term,stem,count,docs,bg_count,delta,z");
    for (size_t i = 0; i < l->n; i++) {
        const ndb_term_row *r = &l->rows[i];
        printf("%zu,", i + 1);
        ndb_cli_csv_field(r->term);
        fputc(',', stdout);
        ndb_cli_csv_field(r->stem);
        printf(",%llu,%llu,%llu,%.6f,%.6f\n", (unsigned long long)r->count,
               (unsigned long long)r->docs, (unsigned long long)r->bg_count, r->delta, r->z);
    }
}

cli_status ndb_cli_cmd_terms(int argc, char **argv, const cli_env *env)
{
    terms_args o;
    bool help = false;
    char *query = NULL;
    ndb_db *db = NULL;
    ndb_snapshot *snap = NULL;
    ndb_term_list *l = NULL;
    ndb_err err;
    ndb_rc rc;
    cli_status st = terms_parse(argc, argv, &o, &help);
    NDB_UNUSED(env);
    if (st != CLI_OK || help)
        return st;
    ndb_err_clear(&err);
    rc = ndb_cli_join_args(argc, argv, o.first, &query, &err);
    if (rc == NDB_OK)
        rc = ndb_cli_open_snapshot(ndb_cli_db_path(o.db), &db, &snap, &err);
    if (rc == NDB_OK)
        rc = ndb_top_terms(snap, query, &o.to, &l, &err);
    if (rc != NDB_OK)
        goto out;
    if (o.fmt == AN_JSON)
        rc = terms_json(&o, l, query, &err);
    else if (o.fmt == AN_CSV)
        terms_csv(l);
    else
        terms_human(&o, l, query);
    if (o.fmt != AN_HUMAN && l->matched == 0)
        fprintf(stderr, "newsdb: terms: no articles match %s\n", query);
out:
    if (rc != NDB_OK)
        ndb_cli_fail(&err, rc);
    ndb_term_list_free(l);
    ndb_snapshot_close(snap);
    ndb_close(db);
    ndb_free(query);
    return rc == NDB_OK ? CLI_OK : CLI_FAIL;
}

/* ---------------------------------------------------------------- compare */

static const char compare_help[] =
    "usage: newsdb compare [options] --a FILTER --b FILTER QUERY...\n"
    "How two sides frame the same topic. Side A is 'QUERY AND (FILTER_A)', side B\n"
    "'QUERY AND (FILTER_B)' (e.g. --a outlet:rt.com --b outlet:bbc.co.uk, or two date:\n"
    "ranges). Shows the terms most distinctive of each side against the other (log-odds\n"
    "with informative Dirichlet prior, z-scores, counts on both sides; articles on both\n"
    "sides count for neither background), then both timelines side by side, each with\n"
    "its side's output (articles matching the FILTER alone) per period.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "      --a FILTER        side A (any query: outlet:..., date:A..B, words)\n"
    "      --b FILTER        side B\n"
    "  -n, --top N           terms per side (default 15, at most 100000)\n"
    "      --by PERIOD       timeline period: day, week, month (default), year\n"
    "      --svg FILE        also write both timelines as one SVG chart (two series,\n"
    "                        legend, axes; undated articles are not drawn)\n"
    "      --chart KIND      bars, lines (two lines) or auto (default: lines for more\n"
    "                        than 12 periods)\n"
    "      --json            {side,rank,term,stem,z,count,other} per term, then\n"
    "                        {period,start,a,a_total,b,b_total} per period (totals: all\n"
    "                        articles of the side's FILTER alone), then\n"
    "                        {query,a,b,a_matched,b_matched}\n"
    "      --csv             CSV: kind,side,rank,key,count,other,z (kind term or period;\n"
    "                        for periods count = side's matches, other = its FILTER's)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok, 1 error (bad query, no archive), 2 usage error.\n";

typedef struct cmp_args {
    const char *db, *a, *b, *svg;
    int chart;
    uint32_t top;
    ndb_period by;
    an_fmt fmt;
    int first;
} cmp_args;

static cli_status cmp_parse(int argc, char **argv, cmp_args *o, bool *help)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"a", required_argument, NULL, 'A'},
        {"b", required_argument, NULL, 'B'},
        {"top", required_argument, NULL, 'n'},
        {"by", required_argument, NULL, 'p'},
        {"svg", required_argument, NULL, 'g'},
        {"chart", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},
        {"collapse", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    memset(o, 0, sizeof *o);
    o->top = 15;
    o->by = NDB_PERIOD_MONTH;
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, ":d:n:h", longopts, NULL)) != -1) {
        if (c == 'd')
            o->db = optarg;
        else if (c == 'A')
            o->a = optarg;
        else if (c == 'B')
            o->b = optarg;
        else if (c == 'n' && (!ndb_cli_parse_u32(optarg, 100000, &o->top) || o->top == 0))
            return ndb_cli_usage_msg("compare", "bad number for --top: '%s' (1..100000)", optarg);
        else if (c == 'p' && (ndb_period_parse(optarg, &o->by) != 0 || o->by == NDB_PERIOD_NONE))
            return ndb_cli_usage_msg("compare", "bad --by '%s' (day, week, month, year)", optarg);
        else if (c == 'g')
            o->svg = optarg;
        else if (c == 'k' && (o->chart = an_chart_parse(optarg)) < 0)
            return ndb_cli_usage_msg("compare", "bad --chart '%s' (bars, lines, auto)", optarg);
        else if (c == 'j')
            o->fmt = AN_JSON;
        else if (c == 'c')
            o->fmt = AN_CSV;
        else if (c == 'h') {
            fputs(compare_help, stdout);
            *help = true;
            return CLI_OK;
        } else if (c != 'n' && c != 'p' && c != 'k')
            return ndb_cli_usage_error("compare", c, argv);
    }
    if (!o->a || !o->b)
        return ndb_cli_usage_msg("compare", "both --a FILTER and --b FILTER are needed");
    if (optind >= argc)
        return ndb_cli_usage_msg("compare", "no QUERY given");
    o->first = optind;
    return CLI_OK;
}

/* "(query) (filter)" into an OWNED string. */
static char *cmp_side(const char *query, const char *filter)
{
    size_t n = strlen(query) + strlen(filter) + 8;
    char *s = ndb_malloc(n);
    if (s)
        snprintf(s, n, "(%s) (%s)", query, filter);
    return s;
}

static void cmp_terms_human(const char *label, const char *filter, const ndb_term_list *l)
{
    char n1[32], n2[32];
    printf("Terms distinctive of %s (%s), %s articles:\n", label, filter,
           ndb_cli_fmt_count(l->matched, n1, sizeof n1));
    printf("%4s  %-24s%9s  %10s  %10s\n", "rank", "term", "z", "here", "other side");
    for (size_t i = 0; i < l->n; i++)
        printf("%4zu  %-24s%9.2f  %10s  %10s\n", i + 1, l->rows[i].term, l->rows[i].z,
               ndb_cli_fmt_count(l->rows[i].count, n1, sizeof n1),
               ndb_cli_fmt_count(l->rows[i].bg_count, n2, sizeof n2));
    printf("\n");
}

/* Counts of both timelines for one period (rows sorted by period, undated last). */
static void cmp_at(const ndb_agg *t, size_t *i, int32_t p, uint64_t *c, uint64_t *tot)
{
    *c = *tot = 0;
    if (*i < t->n && t->rows[*i].period == p) {
        *c = t->rows[*i].count;
        *tot = t->rows[*i].total;
        (*i)++;
    }
}

/* Matches of a side's filter alone in period p (its output): the denominator. */
static uint64_t cmp_base(const ndb_agg *f, int32_t p)
{
    for (size_t i = 0; i < f->n; i++) {
        if (f->rows[i].period == p)
            return f->rows[i].count;
    }
    return 0;
}

static int64_t cmp_key(const ndb_agg *t, size_t i)
{
    return i >= t->n                            ? INT64_MAX
           : t->rows[i].period == NDB_DATE_NONE ? INT64_MAX - 1
                                                : t->rows[i].period;
}

static ndb_rc cmp_timelines(const cmp_args *o, const ndb_agg *const t[4], ndb_err *err)
{
    char lab[32], n1[32], n2[32], n3[32], n4[32];
    const ndb_agg *ta = t[0], *tb = t[1];
    size_t i = 0, j = 0;
    ndb_rc rc = NDB_OK;
    if (o->fmt == AN_HUMAN)
        printf("%-10s  %10s  %10s  %10s  %10s\n", "period", "A", "A output", "B", "B output");
    while (rc == NDB_OK && (i < ta->n || j < tb->n)) {
        int64_t k = cmp_key(ta, i) < cmp_key(tb, j) ? cmp_key(ta, i) : cmp_key(tb, j);
        int32_t p = k == INT64_MAX - 1 ? NDB_DATE_NONE : (int32_t)k;
        uint64_t ca, sa, cb, sb;
        cmp_at(ta, &i, p, &ca, &sa);
        cmp_at(tb, &j, p, &cb, &sb);
        sa = cmp_base(t[2], p);
        sb = cmp_base(t[3], p);
        an_period_label(o->by, p, lab, sizeof lab);
        if (o->fmt == AN_HUMAN)
            printf("%-10s  %10s  %10s  %10s  %10s\n", lab, ndb_cli_fmt_count(ca, n1, sizeof n1),
                   ndb_cli_fmt_count(sa, n2, sizeof n2), ndb_cli_fmt_count(cb, n3, sizeof n3),
                   ndb_cli_fmt_count(sb, n4, sizeof n4));
        else if (o->fmt == AN_CSV)
            printf("period,a,,%s,%llu,%llu,\nperiod,b,,%s,%llu,%llu,\n", lab,
                   (unsigned long long)ca, (unsigned long long)sa, lab, (unsigned long long)cb,
                   (unsigned long long)sb);
        else
            rc = ndb_cli_json_print(stdout,
                                    json_pack("{s:s, s:o, s:I, s:I, s:I, s:I}", "period", lab,
                                              "start", ndb_cli_json_date(p), "a", (json_int_t)ca,
                                              "a_total", (json_int_t)sa, "b", (json_int_t)cb,
                                              "b_total", (json_int_t)sb),
                                    err);
    }
    return rc;
}

static ndb_rc cmp_terms_out(const cmp_args *o, const char *side, const ndb_term_list *l,
                            ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    for (size_t i = 0; i < l->n && rc == NDB_OK; i++) {
        const ndb_term_row *r = &l->rows[i];
        if (o->fmt == AN_CSV) {
            printf("term,%s,%zu,", side, i + 1);
            ndb_cli_csv_field(r->term);
            printf(",%llu,%llu,%.6f\n", (unsigned long long)r->count,
                   (unsigned long long)r->bg_count, r->z);
        } else {
            rc = ndb_cli_json_print(
                stdout,
                json_pack("{s:s, s:I, s:o, s:o, s:f, s:I, s:I}", "side", side, "rank",
                          (json_int_t)i + 1, "term", ndb_cli_json_str(r->term, strlen(r->term)),
                          "stem", ndb_cli_json_str(r->stem, strlen(r->stem)), "z", r->z, "count",
                          (json_int_t)r->count, "other", (json_int_t)r->bg_count),
                err);
        }
    }
    return rc;
}

static ndb_rc cmp_print(const cmp_args *o, const char *query, const ndb_term_list *la,
                        const ndb_term_list *lb, const ndb_agg *const t[4], ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    if (o->fmt == AN_HUMAN) {
        cmp_terms_human("A", o->a, la);
        cmp_terms_human("B", o->b, lb);
        return cmp_timelines(o, t, err);
    }
    if (o->fmt == AN_CSV)
        puts("kind,side,rank,key,count,other,z");
    rc = cmp_terms_out(o, "a", la, err);
    if (rc == NDB_OK)
        rc = cmp_terms_out(o, "b", lb, err);
    if (rc == NDB_OK)
        rc = cmp_timelines(o, t, err);
    if (rc == NDB_OK && o->fmt == AN_JSON)
        rc = ndb_cli_json_print(
            stdout,
            json_pack("{s:o, s:o, s:o, s:I, s:I}", "query", ndb_cli_json_str(query, strlen(query)),
                      "a", ndb_cli_json_str(o->a, strlen(o->a)), "b",
                      ndb_cli_json_str(o->b, strlen(o->b)), "a_matched", (json_int_t)la->matched,
                      "b_matched", (json_int_t)lb->matched),
            err);
    return rc;
}

/* The two sides' dated timelines from a common first period (so their periods line up and
** the union has no gap), merged into one two-series agg drawn by svg_timeline. */
static ndb_rc cmp_svg(const cmp_args *o, ndb_snapshot *snap, const char *query, const char *qa,
                      const char *qb, const ndb_term_list *la, const ndb_term_list *lb,
                      const ndb_agg *const t[2], ndb_err *err)
{
    char name[2][160], title[512], sub[512], n1[32], n2[32];
    const char *q[2] = {qa, qb}, *f[2] = {o->a, o->b};
    ndb_agg *s[2] = {NULL, NULL}, m;
    an_args ao;
    int32_t first = NDB_DATE_NONE;
    ndb_rc rc = NDB_OK;
    for (int k = 0; k < 2; k++) {
        if (t[k]->n > 0 && t[k]->rows[0].period != NDB_DATE_NONE &&
            (first == NDB_DATE_NONE || t[k]->rows[0].period < first))
            first = t[k]->rows[0].period;
    }
    if (first == NDB_DATE_NONE) {
        fprintf(stderr, "newsdb: compare: no dated matches on either side; %s not written\n",
                o->svg);
        return NDB_OK;
    }
    memset(&ao, 0, sizeof ao);
    ao.cmd = "compare";
    ao.svg = o->svg;
    ao.chart = o->chart;
    ao.ao = (ndb_agg_opts){.by = o->by, .split_outlet = 1, .from = first, .to = NDB_DATE_NONE};
    for (int k = 0; k < 2 && rc == NDB_OK; k++)
        rc = ndb_timeline(snap, q[k], &ao.ao, &s[k], err);
    memset(&m, 0, sizeof m);
    size_t np = rc == NDB_OK ? (s[0]->n > s[1]->n ? s[0]->n : s[1]->n) : 0;
    m.rows = ndb_calloc(2 * np + 1, sizeof *m.rows);
    if (rc == NDB_OK && !m.rows)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    for (int k = 0; k < 2 && rc == NDB_OK; k++) {
        snprintf(name[k], sizeof name[k], "%c: %s", "AB"[k], f[k]);
        m.matched += s[k]->matched;
        m.in_range += s[k]->in_range;
    }
    /* both start at `first` and have every period to their last: row i is one period */
    const ndb_agg *lg = rc == NDB_OK && s[0]->n >= s[1]->n ? s[0] : s[1];
    for (size_t i = 0; rc == NDB_OK && i < np; i++) {
        for (int k = 0; k < 2; k++) {
            ndb_agg_row *r = &m.rows[m.n++];
            r->period = lg->rows[i].period;
            r->outlet = name[k];
            r->count = i < s[k]->n ? s[k]->rows[i].count : 0;
            r->total = i < s[k]->n ? s[k]->rows[i].total : 0;
        }
    }
    snprintf(title, sizeof title, "Articles matching %s: A vs B, by %s", query,
             ndb_period_name(o->by));
    snprintf(sub, sizeof sub, "A %s articles, B %s articles%s",
             ndb_cli_fmt_count(la->matched, n1, sizeof n1),
             ndb_cli_fmt_count(lb->matched, n2, sizeof n2),
             m.in_range < la->matched + lb->matched ? "; undated ones not drawn" : "");
    ao.svg_title = title;
    ao.svg_sub = sub;
    if (rc == NDB_OK)
        rc = an_write_svg(&ao, true, &m, query, err);
    ndb_free(m.rows);
    ndb_agg_free(s[0]);
    ndb_agg_free(s[1]);
    return rc;
}

cli_status ndb_cli_cmd_compare(int argc, char **argv, const cli_env *env)
{
    cmp_args o;
    bool help = false;
    char *query = NULL, *qa = NULL, *qb = NULL;
    ndb_db *db = NULL;
    ndb_snapshot *snap = NULL;
    ndb_term_list *la = NULL, *lb = NULL;
    ndb_agg *t[4] = {NULL, NULL, NULL, NULL}; /* A, B, filter A alone, filter B alone */
    ndb_err err;
    ndb_rc rc;
    cli_status st = cmp_parse(argc, argv, &o, &help);
    NDB_UNUSED(env);
    if (st != CLI_OK || help)
        return st;
    ndb_err_clear(&err);
    rc = ndb_cli_join_args(argc, argv, o.first, &query, &err);
    if (rc == NDB_OK && (!(qa = cmp_side(query, o.a)) || !(qb = cmp_side(query, o.b))))
        rc = ndb_err_set(&err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK)
        rc = ndb_cli_open_snapshot(ndb_cli_db_path(o.db), &db, &snap, &err);
    ndb_terms_opts ka = {.top = o.top, .significant = 1, .background = qb};
    ndb_terms_opts kb = {.top = o.top, .significant = 1, .background = qa};
    ndb_agg_opts ao = {.by = o.by, .from = NDB_DATE_NONE, .to = NDB_DATE_NONE};
    if (rc == NDB_OK)
        rc = ndb_top_terms(snap, qa, &ka, &la, &err);
    if (rc == NDB_OK)
        rc = ndb_top_terms(snap, qb, &kb, &lb, &err);
    const char *tq[4] = {qa, qb, o.a, o.b};
    for (int k = 0; k < 4 && rc == NDB_OK; k++)
        rc = ndb_timeline(snap, tq[k], &ao, &t[k], &err);
    if (rc == NDB_OK && (la->matched == 0 || lb->matched == 0))
        fprintf(stderr, "newsdb: compare: side %s matches no article (%s)\n",
                la->matched == 0 ? "A" : "B", la->matched == 0 ? qa : qb);
    if (rc == NDB_OK)
        rc = cmp_print(&o, query, la, lb, (const ndb_agg *const *)t, &err);
    if (rc == NDB_OK && o.svg)
        rc = cmp_svg(&o, snap, query, qa, qb, la, lb, (const ndb_agg *const *)t, &err);
    if (rc != NDB_OK)
        ndb_cli_fail(&err, rc);
    ndb_term_list_free(la);
    ndb_term_list_free(lb);
    for (int k = 0; k < 4; k++)
        ndb_agg_free(t[k]);
    ndb_snapshot_close(snap);
    ndb_close(db);
    ndb_free(qa);
    ndb_free(qb);
    ndb_free(query);
    return rc == NDB_OK ? CLI_OK : CLI_FAIL;
}
