/*
** test_parse.c — the query parser: error columns, explain forms, limits, the bench
** harness's queries, and snippets.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "common/testutil.h"
#include "query/query.h"

static ndb_analyzer *an;

static void setup(void)
{
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_ENGLISH, &an), NDB_OK);
}

static void teardown(void)
{
    ndb_text_analyzer_free(an);
}

static void explain_is(const char *q, const char *want)
{
    ndb_query *pq = NULL;
    ndb_err err;
    ndb_rc rc = ndb_query_parse(q, strlen(q), an, &pq, &err);
    cr_assert_eq(rc, NDB_OK, "'%s': %s", q, err.msg);
    ndb_buf b;
    ndb_buf_init(&b, 1 << 16);
    cr_assert_eq(ndb_query_explain(pq, &b), NDB_OK);
    ndb_buf_cstr(&b);
    cr_assert_str_eq((char *)b.p, want, "'%s'", q);
    ndb_buf_fini(&b);
    ndb_query_free(pq);
}

Test(query, explain_table, .init = setup, .fini = teardown)
{
    explain_is("elections \"White House\" date:2016-01-01..2016-01-31",
               "(AND (TERM elect) (PHRASE \"white hous\") (DATE 16801..16831))");
    explain_is("a OR b c", "(OR (TERM a) (AND (TERM b) (TERM c)))");
    explain_is("NOT a b OR c", "(OR (AND (NOT (TERM a)) (TERM b)) (TERM c))");
    explain_is("-war -peace", "(AND (NOT (TERM war)) (NOT (TERM peac)))");
    explain_is("+oil (gas OR pipeline)", "(AND (TERM oil) (OR (TERM gas) (TERM pipelin)))");
    explain_is("e-mail", "(PHRASE \"e mail\")");
    explain_is("\"a b c\"~2", "(PROX 2 \"a b c\")");
    explain_is("\"single\"~3", "(TERM singl)");
    explain_is("Elec*", "(PREFIX elec)");
    explain_is("x outlet:www.bbc.co.uk", "(AND (TERM x) (OUTLET bbc.co.uk))");
    explain_is("x outlet:\"BBC.co.uk\"", "(AND (TERM x) (OUTLET bbc.co.uk))");
    explain_is("date:20161011", "(DATE 17085..17085)");
    explain_is("date:2016-10-11", "(DATE 17085..17085)");
    explain_is("date:2016", "(DATE 16801..17166)");
    explain_is("date:2016-10", "(DATE 17075..17105)");
    explain_is("date:2016-10-01..", "(DATE 17075..)");
    explain_is("date:..2016", "(DATE ..17166)");
    explain_is("date:>=2016-10", "(DATE 17075..)");
    explain_is("date:>2016-10-11", "(DATE 17086..)");
    explain_is("date:<2017", "(DATE ..17166)");
    explain_is("date:<=2016-10-11", "(DATE ..17085)");
    explain_is("date:20170901..20170931", "(DATE 17410..17439)"); /* harness style */
    explain_is("id:42", "(ID 42)");
    explain_is("url:\"http://a.com/x y\"", "(URL \"http://a.com/x y\")");
    /* the harness's trailing filters apply to the whole query */
    explain_is("thous OR preschooler date:20180101..20181231",
               "(AND (OR (TERM thous) (TERM preschool)) (DATE 17532..17896))");
    explain_is("a OR b AND date:2016", "(OR (TERM a) (AND (TERM b) (DATE 16801..17166)))");
    explain_is("a OR (b date:2016)", "(OR (TERM a) (AND (TERM b) (DATE 16801..17166)))");
    explain_is("a , b", "(AND (TERM a) (TERM b))"); /* ',' analyzes to nothing */
    explain_is("(a AND (b AND c))", "(AND (TERM a) (TERM b) (TERM c))");
}

static void error_is(const char *q, ndb_rc want_rc, const char *want_prefix)
{
    ndb_query *pq = (ndb_query *)1;
    ndb_err err;
    ndb_rc rc = ndb_query_parse(q, strlen(q), an, &pq, &err);
    cr_assert_eq(rc, want_rc, "'%s': rc %d (%s)", q, rc, err.msg);
    cr_assert_null(pq);
    cr_assert(strncmp(err.msg, want_prefix, strlen(want_prefix)) == 0, "'%s': got '%s', want '%s...'",
              q, err.msg, want_prefix);
}

Test(query, error_columns, .init = setup, .fini = teardown)
{
    error_is("", NDB_EPARSE, "column 1: empty query");
    error_is("   ", NDB_EPARSE, "column 1: empty query");
    error_is(", ;", NDB_EPARSE, "column 1: empty query");
    error_is("(a OR b", NDB_EPARSE, "column 1: unbalanced parenthesis");
    error_is("a OR b)", NDB_EPARSE, "column 7: unbalanced parenthesis");
    error_is("a \"b c", NDB_EPARSE, "column 3: unterminated quote");
    error_is("a AND", NDB_EPARSE, "column 3: AND needs a right operand");
    error_is("AND a", NDB_EPARSE, "column 1: AND needs a left operand");
    error_is("a OR", NDB_EPARSE, "column 3: OR needs a right operand");
    error_is("OR a", NDB_EPARSE, "column 1: OR needs a left operand");
    error_is("a OR OR b", NDB_EPARSE, "column 3: OR needs a right operand");
    error_is("a NOT", NDB_EPARSE, "column 3: NOT needs an operand");
    error_is("a ()", NDB_EPARSE, "column 3: empty parentheses");
    error_is("date:2016-13", NDB_EPARSE, "column 1: bad date");
    error_is("x date:2016-02-30", NDB_EPARSE, "column 3: bad date");
    error_is("x date:..", NDB_EPARSE, "column 3: bad date");
    error_is("x date:soon", NDB_EPARSE, "column 3: bad date");
    error_is("x foo:bar", NDB_EPARSE, "column 3: unknown field 'foo'");
    error_is("x id:abc", NDB_EPARSE, "column 3: id:");
    error_is("x outlet:", NDB_EPARSE, "column 3: missing value");
    error_is("\"a b\"~x", NDB_EPARSE, "column 6: expected a number");
    error_is("é é (", NDB_EPARSE, "column 5: unbalanced parenthesis");
    error_is("é é )", NDB_EPARSE, "column 5: unbalanced parenthesis");
    error_is("a (b OR )", NDB_EPARSE, "column 6: OR needs a right operand");
    error_is("** a", NDB_EPARSE, "column 1: a prefix needs");
}

Test(query, limits, .init = setup, .fini = teardown)
{
    static char q[20000];
    ndb_query *pq;
    ndb_err err;
    memset(q, 'a', 9000);
    cr_assert_eq(ndb_query_parse(q, 9000, an, &pq, &err), NDB_ELIMIT);
    q[0] = 0;
    for (int i = 0; i < 257; i++)
        strcat(q, "w ");
    cr_assert_eq(ndb_query_parse(q, strlen(q), an, &pq, &err), NDB_ELIMIT);
    cr_assert(strstr(err.msg, "256") != NULL, "%s", err.msg);
    q[0] = 0;
    for (int i = 0; i < 70; i++)
        strcat(q, "(");
    strcat(q, "a");
    for (int i = 0; i < 70; i++)
        strcat(q, ")");
    cr_assert_eq(ndb_query_parse(q, strlen(q), an, &pq, &err), NDB_ELIMIT);
    cr_assert(strstr(err.msg, "deeper") != NULL, "%s", err.msg);
    q[0] = 0;
    for (int i = 0; i < 70; i++)
        strcat(q, "NOT ");
    strcat(q, "a");
    cr_assert_eq(ndb_query_parse(q, strlen(q), an, &pq, &err), NDB_ELIMIT);
    /* just inside the limits */
    q[0] = 0;
    for (int i = 0; i < 256; i++)
        strcat(q, "w ");
    cr_assert_eq(ndb_query_parse(q, strlen(q), an, &pq, &err), NDB_OK, "%s", err.msg);
    ndb_query_free(pq);
}

Test(query, bench_queries_parse, .init = setup, .fini = teardown)
{
    const char *corp = ndb_test_corpora();
    char dir[4200];
    if (!corp)
        cr_skip_test("shared corpora/bench directory absent");
    snprintf(dir, sizeof dir, "%s/../bench/queries", corp);
    const char *files[] = {"synthetic_10k.txt", "synthetic_100k.txt"};
    int parsed = 0;
    for (int f = 0; f < 2; f++) {
        char path[4400], line[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[f]);
        FILE *fp = fopen(path, "r");
        if (!fp)
            continue;
        while (fgets(line, sizeof line, fp)) {
            if (line[0] == '#' || line[0] == '\n')
                continue;
            char *q = strchr(line, '\t');
            q = q ? strchr(q + 1, '\t') : NULL;
            cr_assert_not_null(q, "bad line %s", line);
            q++;
            q[strcspn(q, "\r\n")] = 0;
            ndb_query *pq;
            ndb_err err;
            cr_assert_eq(ndb_query_parse(q, strlen(q), an, &pq, &err), NDB_OK, "%s: %s", q,
                         err.msg);
            ndb_query_free(pq);
            parsed++;
        }
        fclose(fp);
    }
    if (parsed == 0)
        cr_skip_test("bench query files absent in %s", dir);
    cr_assert_gt(parsed, 100);
}

static void snippet_is(const char *q, const char *body, size_t max, const char *want)
{
    ndb_query *pq;
    ndb_err err;
    cr_assert_eq(ndb_query_parse(q, strlen(q), an, &pq, &err), NDB_OK, "%s", err.msg);
    ndb_slice paras[4];
    uint32_t n = 0;
    const char *p = body;
    while (n < 4) { /* paragraphs split on '|' */
        const char *e = strchr(p, '|');
        paras[n].p = (const uint8_t *)p;
        paras[n].n = e ? (size_t)(e - p) : strlen(p);
        n++;
        if (!e)
            break;
        p = e + 1;
    }
    ndb_buf b;
    ndb_buf_init(&b, 1 << 16);
    cr_assert_eq(ndb_query_snippet(pq, an, paras, n, max, &b), NDB_OK);
    ndb_buf_cstr(&b);
    cr_assert_str_eq((char *)b.p, want, "query '%s': got '%s'", q, (char *)b.p);
    ndb_buf_fini(&b);
    ndb_query_free(pq);
}

Test(query, snippets, .init = setup, .fini = teardown)
{
    snippet_is("elections", "The elections were held.", 100, "The [[elections]] were held.");
    snippet_is("vote house", "a b c d e f g vote h i j k l m n o p house q r s t u v w x y z vote house end",
               20, "\xE2\x80\xA6v w x y z [[vote]] [[house]]\xE2\x80\xA6");
    snippet_is("\"white house\" -war", "War at the White House.|Second para.", 200,
               "War at the [[White]] [[House]]. Second para.");
    snippet_is("elec*", "Electricity and elections.", 10, "[[Electricity]]\xE2\x80\xA6");
    snippet_is("zzz", "no match here at all", 8, "no match\xE2\x80\xA6");
}
