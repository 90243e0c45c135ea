/*
** test_url.c — URL -> outlet and URL -> date (src/doc/url.c).
**
** The table holds real URL shapes taken from /work/shared/corpora/allsides.meta.jsonl,
** ecbplus.meta.jsonl and basil.meta.jsonl (the expected dates agree with the meta "date"
** where the URL carries a day), plus synthetic edge cases. The corpus test re-checks every
** allsides URL against its meta date when the corpora are present.
*/
#include "doc/doc.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct url_case {
    const char *url, *date, *outlet; /* date "" = none */
} url_case;

static const url_case url_cases[] = {
    /* real shapes, allsides */
    {"http://www.breitbart.com/big-government/2017/09/12/exclusive-paul-ryan-reportedly-says-"
     "no-chance-for-border-wall-at-private-dinner/", "2017-09-12", "breitbart.com"},
    {"http://www.washingtontimes.com/news/2013/may/24/blocking-the-pathway-to-a-national-id/",
     "2013-05-24", "washingtontimes.com"},
    {"https://www.washingtontimes.com/news/2019/mar/5/ilhan-omar-inspired-anti-semitism-"
     "resolution-irks-/", "2019-03-05", "washingtontimes.com"},
    {"http://mediamatters.org/blog/2013/03/28/dick-morris-says-he-is-working-on-an-rnc-ad-aim/"
     "193336", "2013-03-28", "mediamatters.org"},
    {"http://www.politico.com/news/stories/1112/84110.html?hp=t1", "", "politico.com"},
    {"http://www.politico.com/story/2013/12/2016-digital-campaign-101180.html?hp=t1", "",
     "politico.com"},
    {"https://www.vox.com/policy-and-politics/2018/9/12/17850180/susan-collins-crowdpac-"
     "kavanaugh-bribe-newsmax", "2018-09-12", "vox.com"},
    {"http://www.newsmax.com/Newsfront/moore-obama-tax-plan/2012/10/09/id/459261", "2012-10-09",
     "newsmax.com"},
    {"https://www.reuters.com/article/us-usa-immigration/u-s-court-ruling-buys-time-for-"
     "separated-immigrant-families-lawyers-idUSKBN1K710S", "", "reuters.com"},
    {"http://www.cnn.com/2013/08/15/politics/obama-egypt/index.html?hpt=po_c1", "2013-08-15",
     "cnn.com"},
    {"http://www.nytimes.com/2013/04/17/us/seeking-gun-or-selling-one-web-is-a-land-of-few-"
     "rules.html?_r=0", "2013-04-17", "nytimes.com"},
    {"http://www.foxnews.com/politics/2013/01/10/obama-to-nominate-lew-for-treasury-secretary/",
     "2013-01-10", "foxnews.com"},
    {"https://www.usatoday.com/story/news/2018/06/14/university-chicago-sat-act-optional/"
     "701153002/", "2018-06-14", "usatoday.com"},
    {"http://www.usatoday.com/story/news/politics/elections/2016/2016/12/07/donald-trump-scott-"
     "pruitt-environmental-protection-agency/95104512/", "2016-12-07", "usatoday.com"},
    {"http://www.bbc.com/news/world-us-canada-38292392", "", "bbc.com"},
    {"https://thehill.com/business-a-lobbying/business-a-lobbying/423149-mueller-fuels-foreign-"
     "lobbying-crackdown", "", "thehill.com"},
    {"https://www.nationalreview.com/2018/07/brett-kavanaugh-worthy-pick-for-supreme-court/", "",
     "nationalreview.com"},
    {"http://www.csmonitor.com/USA/Society/2015/0419/Is-America-beginning-to-accept-atheists",
     "2015-04-19", "csmonitor.com"},
    {"http://online.wsj.com/article/SB10001424052702303933404577500810740985338.html?mod=WSJ_"
     "Election_LEFTSecondStories", "", "wsj.com"},
    {"http://projects.fivethirtyeight.com/2016-election-forecast/senate/", "",
     "fivethirtyeight.com"},
    {"https://www.hrw.org/news/2020/05/22/can-covid-19-help-ease-climate-crisis", "2020-05-22",
     "hrw.org"},
    {"http://townhall.com/tipsheet/carolplattliebau/2012/06/16/a_day_late_and_many_dollars_short",
     "2012-06-16", "townhall.com"},
    {"http://abcnews.go.com/International/searchers-suspect-missing-airasia-jet-ocean-floor/"
     "story?id=27856490", "", "go.com"},
    {"https://apnews.com/eac219fdb053191bceb521b0fe6b654d", "", "apnews.com"},
    {"https://factcheck.thedispatch.com/p/was-the-original-aunt-jemima-a-millionaire", "",
     "thedispatch.com"},
    {"https://www.yahoo.com/entertainment/former-snl-writer-nimesh-patel-kicked-off-stage-"
     "columbia-university-inappropriate-standup-set-181726667.html", "", "yahoo.com"},
    {"https://www.marketwatch.com/story/the-dow-just-tumbled-into-a-bear-market-ending-the-"
     "longest-bull-market-run-in-historyheres-how-those-downturns-last-on-average-2020-03-11",
     "2020-03-11", "marketwatch.com"},
    {"https://www.wsj.com/articles/house-committee-to-vote-on-holding-barr-in-contempt-"
     "11557151417?mod=hp_lead_pos4", "", "wsj.com"},
    {"https://www.theepochtimes.com/doj-finalizes-rule-to-collect-dna-from-illegal-immigrants-"
     "detained-in-federal-custody_3262956.html", "", "theepochtimes.com"},
    {"http://www.vanityfair.com/news/2016/10/donald-trump-mike-pence-relationship", "",
     "vanityfair.com"},
    {"http://reason.com/blog/2017/05/26/4th-circuit-exaggerates-the-ambiguous-ev", "2017-05-26",
     "reason.com"},
    {"http://www.thedailybeast.com/articles/2014/07/31/why-the-death-penalty-needs-to-die.html",
     "2014-07-31", "thedailybeast.com"},
    {"http://www1.cbn.com/cbnnews/2017/june/congressman-scalise-others-shot-early-this-morning",
     "", "cbn.com"},
    {"https://www.scriberrnews.com/2020/06/23/opinion-the-mainstream-media-has-lied-to-you-"
     "before-and-theyre-lying-to-you-again/", "2020-06-23", "scriberrnews.com"},
    {"http://www.salon.com/2015/09/17/the_gop_farce_plods_along/", "2015-09-17", "salon.com"},
    {"https://www.theblaze.com/news/2018/11/24/yearbook-cheerleader-pic", "2018-11-24",
     "theblaze.com"},
    /* real shapes, ecbplus */
    {"https://www.commondreams.org/newswire/2009/04/27-1", "2009-04-27", "commondreams.org"},
    {"http://joyofsox.blogspot.nl/2008/12/herald-sox-make-8-year-offer-to.html", "",
     "joyofsox.blogspot.nl"},
    {"http://boston.redsox.mlb.com/news/article.jsp?ymd=20081216&amp;content_id=3718580", "",
     "mlb.com"},
    {"http://articles.washingtonpost.com/2008-12-23/sports/36830848_1_contract-offer", "2008-12-23",
     "washingtonpost.com"},
    {"http://www.timesledger.com/stories/2013/38/srichhillhitrun_web_2013_09_14_q.html",
     "2013-09-14", "timesledger.com"},
    {"http://www.brooklyneagle.com/articles/guilty-verdict-murderer-brooklyn-mother-12-2013-04-24-"
     "204500", "2013-04-24", "brooklyneagle.com"},
    {"http://nbasource.blogspot.nl/2005_05_01_archive.html", "2005-05-01",
     "nbasource.blogspot.nl"},
    {"http://news.mongabay.com/2009/0428-hance_esa.html", "2009-04-28", "mongabay.com"},
    {"http://www.wcvb.com/Sources-Sox-May-Not-Be-Out-Of-Teixeira-Chase/-/9849586/11321984/-/"
     "18hj8m/-/index.html", "", "wcvb.com"},
    /* real shapes, basil / corpora README */
    {"https://www.theguardian.com/us-news/2016/oct/11/donald-trump-debate", "2016-10-11",
     "theguardian.com"},
    {"http://presstv.com/Detail/2016/10/11/488571/Russia-Putin-France-visit", "2016-10-11",
     "presstv.com"},
    {"http://www.bbc.co.uk/news/uk-politics-12345678", "", "bbc.co.uk"},
    {"https://edition.cnn.com/2019/01/02/politics/x/index.html", "2019-01-02", "cnn.com"},
    {"urn:bbc:tech/001", "", ""},
    {"urn:reuters21578:17", "", ""},
    {"urn:ecbplus:1_1ecb", "", ""},
    /* synthetic edge cases */
    {"http://example.com/story-20161011.html", "2016-10-11", "example.com"},
    {"http://example.com/20161011/story", "2016-10-11", "example.com"},
    {"http://example.com/120161011/story", "", "example.com"},  /* glued to a digit */
    {"http://example.com/2016/10/111/", "", "example.com"},     /* day with 3 digits */
    {"http://example.com/2016/02/30/x", "", "example.com"},     /* not a calendar date */
    {"http://example.com/1989/01/01/x", "", "example.com"},     /* year too old */
    {"http://example.com/2036/01/01/x", "", "example.com"},     /* year too new */
    {"http://example.com/2016/10/11", "2016-10-11", "example.com"},
    {"http://example.com/x?date=2016-10-11", "", "example.com"}, /* query ignored */
    {"http://example.com/x#2016-10-11", "", "example.com"},      /* fragment ignored */
    {"http://2016-10-11.example.com/x", "", "example.com"},      /* host ignored */
    {"http://example.com/2015/01/01/then/2016/10/11/", "2015-01-01", "example.com"},
    {"http://example.com/a/2016/OCT/09/b", "2016-10-09", "example.com"},
    {"http://example.com/a/2016_10_09", "2016-10-09", "example.com"},
    {"http://example.com/a/2016-10_09", "", "example.com"},      /* mixed separators */
    {"HTTP://WWW.EXAMPLE.CO.UK:8080/x", "", "example.co.uk"},
    {"http://user:pw@news.example.org/x", "", "example.org"},
    {"http://10.1.2.3:8080/2016/10/11/x", "2016-10-11", "10.1.2.3"},
    {"http://[2001:db8::1]/x", "", "2001:db8::1"},
    {"http://localhost/x", "", "localhost"},
    {"http://co.uk/x", "", "co.uk"},
    {"http://www.example.com./x", "", "example.com"},
    {"www.example.com/2016/10/11/x", "2016-10-11", ""}, /* no scheme: no host */
    {"mailto:someone@example.com", "", ""},
    {"http:///x", "", ""},
    {"", "", ""},
};

Test(doc, url_table)
{
    size_t n = sizeof url_cases / sizeof url_cases[0];
    cr_assert(n >= 40);
    for (size_t i = 0; i < n; i++) {
        const url_case *c = &url_cases[i];
        char got[16] = "", outlet[NDB_DOC_OUTLET_MAX];
        int32_t days = 12345;
        if (ndb_doc_url_date(c->url, strlen(c->url), &days)) {
            ndb_date_format(days, got, sizeof got);
        }
        cr_expect_str_eq(got, c->date, "date of %s: got \"%s\", want \"%s\"", c->url, got,
                         c->date);
        cr_expect_eq(ndb_doc_outlet(c->url, strlen(c->url), outlet, sizeof outlet), NDB_OK);
        cr_expect_str_eq(outlet, c->outlet, "outlet of %s: got \"%s\", want \"%s\"", c->url,
                         outlet, c->outlet);
    }
}

Test(doc, outlet_limits)
{
    char small[4], big[600], out[NDB_DOC_OUTLET_MAX];
    cr_expect_eq(ndb_doc_outlet("http://example.com/", 19, small, sizeof small), NDB_ELIMIT);
    cr_expect_str_eq(small, "");
    cr_expect_eq(ndb_doc_outlet("http://example.com/", 19, small, 0), NDB_EINVAL);
    memcpy(big, "http://", 7);
    memset(big + 7, 'a', 400);
    memcpy(big + 407, ".com/", 6);
    cr_expect_eq(ndb_doc_outlet(big, strlen(big), out, sizeof out), NDB_ELIMIT);
    cr_expect_str_eq(out, "");
    /* not NUL-terminated input: only n bytes are read */
    cr_expect_eq(ndb_doc_outlet("http://a.example.comXXXX", 20, out, sizeof out), NDB_OK);
    cr_expect_str_eq(out, "example.com");
}

/* Every allsides URL: a date we derive must equal the meta date (when it has one); report
** the agreement rate. */
Test(doc, url_dates_vs_allsides_meta)
{
    char path[512];
    const char *shared = getenv("NEWSDB_SHARED");
    snprintf(path, sizeof path, "%s/corpora/allsides.meta.jsonl",
             shared != NULL ? shared : "../shared");
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        cr_skip("%s absent (set NEWSDB_SHARED): corpus check skipped", path);
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    long total = 0, meta_dated = 0, ours = 0, agree = 0, disagree = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *o = json_loads(line, 0, NULL);
        cr_assert_not_null(o);
        const char *url = json_string_value(json_object_get(o, "url"));
        const char *md = json_string_value(json_object_get(o, "date"));
        char got[16] = "";
        int32_t d;
        total++;
        meta_dated += md != NULL;
        if (url != NULL && ndb_doc_url_date(url, strlen(url), &d)) {
            ours++;
            ndb_date_format(d, got, sizeof got);
            if (md != NULL && strcmp(md, got) == 0) {
                agree++;
            } else if (md != NULL) {
                disagree++;
                cr_expect_fail("%s: meta date %s, URL date %s", url, md, got);
            }
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    cr_log_info("allsides: %ld URLs, %ld with a meta date, %ld dated from the URL, %ld agree, "
                "%ld disagree", total, meta_dated, ours, agree, disagree);
    cr_expect_eq(total, 20000);
    cr_expect(agree * 10 >= meta_dated * 7, "only %ld of %ld meta dates recovered", agree,
              meta_dated);
}
