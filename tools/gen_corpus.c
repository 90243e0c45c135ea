/*
** gen_corpus — a deterministic synthetic news corpus in newsdb's native article format.
**
**     gen_corpus --n N --seed S --out DIR [--bad K] [--kinds LIST]
**
** Writes DIR/00000000.txt .. DIR/<N-1>.txt. Each file is one article:
**     line 1  URL
**     line 2  byte length of the first paragraph + 1 (its newline)
**     line 3  paragraph count
**     then the paragraphs, separated by one blank line, newline at the end of the file.
**
** Why it is shaped so:
**   - Same seed -> same bytes: every article is generated from its own PRNG state
**     derived from (seed, index), so article j can be regenerated exactly later (for an
**     exact duplicate) and a new version of j can reuse j's URL and most paragraphs
**     (each paragraph has its own derived state, so a version changes one paragraph and
**     sometimes appends one).
**   - Text: sentences of Zipf-distributed words (exponent 1) over a vocabulary of function
**     words, news words (some non-ASCII: "Zürich", "São"), and a few thousand generated
**     pronounceable words; each article has a topic whose words and stock phrases
**     ("prime minister", "climate change") are boosted, so searches have telling answers.
**   - URLs: ~50 outlets over many TLDs with Zipf-distributed sizes; their URL templates
**     cover the date shapes /2016/10/11/, /20161011/, 2016-10-11, /2016/oct/11/ and
**     undated URLs. Dates are uniform over 2010-01-01..2020-12-31.
**   - About 3% of articles are a new version of an earlier URL (changed text) and about 1%
**     are exact byte copies of an earlier file. An earlier article is used at most once,
**     so "duplicate" and "updated" are never ambiguous.
**   - --bad K adds K malformed files of each kind, named bad-<kind>-<k>.txt (they sort
**     after the numbered files), and lists them in DIR.bad.txt as
**     "<file>\t<kind>\t<error|warning>" lines. Kinds: count (paragraph count off: a
**     warning, an error under --strict), noheader (header lines missing), nonnum
**     (non-numeric header line), utf8 (invalid UTF-8), empty (no body), nul (NUL byte),
**     big (a well-formed file larger than 16 MiB).
**
**   - --reuse F --truth FILE plants text reuse (near-duplicate copies of earlier articles,
**     in other outlets, a few days later, with the lead rewritten, paragraphs dropped,
**     swapped or added, boilerplate lines) and writes the truth for `newsdb dups` quality
**     measurements (tools/dups_eval.py). A copy takes the place of a plain article.
**
** A tool, not library code: it prints and exits. Single-threaded.
*/
#include "base/base.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define GEN_VOCAB     4000
#define GEN_TEXT_MAX  (64u << 20) /* bytes of one generated file, hard cap */
#define GEN_BIG_BYTES (16u << 20) /* the "big" bad file exceeds this */

/* ---------------------------------------------------------------- word lists */

static const char *const gen_function_words[] = {
    "the",  "of",  "and",   "to",   "a",          "in",        "that",  "is",    "was",    "for",
    "on",   "it",  "with",  "as",   "he",         "said",      "by",    "at",    "from",   "his",
    "an",   "be",  "have",  "has",  "but",        "are",       "not",   "they",  "this",   "which",
    "were", "had", "their", "who",  "been",       "its",       "after", "would", "will",   "also",
    "more", "she", "there", "we",   "over",       "about",     "than",  "when",  "into",   "two",
    "new",  "up",  "out",   "last", "year",       "one",       "other", "could", "people", "first",
    "some", "no",  "all",   "if",   "government", "officials", "told",  "week",  "it's",
};

static const char *const gen_news_words[] = {
    "president",    "minister", "police",     "court",        "election",   "vote",
    "party",        "city",     "country",    "state",        "report",     "market",
    "company",      "million",  "billion",    "percent",      "attack",     "security",
    "war",          "peace",    "talks",      "deal",         "economy",    "bank",
    "rates",        "prices",   "oil",        "energy",       "climate",    "health",
    "hospital",     "school",   "students",   "workers",      "strike",     "protest",
    "border",       "migrants", "refugees",   "troops",       "army",       "ceasefire",
    "sanctions",    "trade",    "tariffs",    "budget",       "tax",        "investigation",
    "charges",      "trial",    "judge",      "parliament",   "senate",     "congress",
    "campaign",     "leader",   "opposition", "coalition",    "spokesman",  "statement",
    "interview",    "analysts", "investors",  "shares",       "growth",     "inflation",
    "unemployment", "housing",  "flood",      "storm",        "earthquake", "fire",
    "drought",      "vaccine",  "virus",      "outbreak",     "scientists", "research",
    "technology",   "internet", "smartphone", "data",         "privacy",    "football",
    "match",        "season",   "coach",      "championship", "olympic",    "film",
    "music",        "festival", "museum",     "Syria",        "Russia",     "Ukraine",
    "China",        "Europe",   "Africa",     "Brazil",       "Putin",      "Merkel",
    "Obama",        "Trump",    "Macron",     "Aleppo",       "Beijing",    "Brussels",
    "Zürich",       "São",      "Paulo",      "Kyiv",         "Brexit",     "Tehran",
    "Ankara",       "Paris",    "Moscow",     "Washington",   "London",     "Tokyo",
    "Delhi",        "Nairobi",  "Lagos",      "café",         "naïve",      "rôle",
    "résumé",       "Kremlin",  "Elysee",     "NATO",         "UN",         "EU",
    "WHO",          "IMF",      "G20",        "2016",         "2017",       "2018",
    "1.5",          "30",       "100",        "Monday",       "Tuesday",    "Wednesday",
    "Thursday",     "Friday",   "Saturday",   "Sunday",       "O'Brien",    "governor's",
    "nation’s",
};

/* Topic words and stock phrases; a topic's items are drawn with higher probability. */
typedef struct gen_topic {
    const char *name;
    const char *words[12];
} gen_topic;

static const gen_topic gen_topics[] = {
    {"politics",
     {"election", "prime minister", "white house", "parliament", "vote", "campaign", "opposition",
      "coalition", "senate", "polls", "referendum", "ballot"}},
    {"climate",
     {"climate change", "emissions", "carbon", "global warming", "renewable energy", "solar",
      "wind farm", "drought", "heatwave", "glaciers", "Paris agreement", "fossil fuels"}},
    {"economy",
     {"central bank", "interest rates", "inflation", "stock market", "recession", "exports",
      "tariffs", "GDP", "oil prices", "currency", "trade deal", "jobs"}},
    {"conflict",
     {"ceasefire", "air strikes", "troops", "rebels", "United Nations", "Security Council",
      "peace talks", "civilians", "refugees", "Aleppo", "humanitarian aid", "sanctions"}},
    {"health",
     {"vaccine", "outbreak", "World Health Organization", "hospital", "patients", "doctors",
      "public health", "cancer", "clinical trial", "virus", "nurses", "health care"}},
    {"tech",
     {"artificial intelligence", "smartphone", "data breach", "privacy", "start-up", "social media",
      "software", "chip", "cyber attack", "encryption", "robots", "electric cars"}},
    {"sport",
     {"world cup", "football", "champions league", "goal", "coach", "Olympic Games", "tennis",
      "final", "transfer", "stadium", "season", "referee"}},
    {"culture",
     {"film festival", "box office", "album", "museum", "novel", "exhibition", "theatre",
      "director", "Nobel Prize", "concert", "artist", "award"}},
};
#define GEN_NTOPICS (sizeof gen_topics / sizeof gen_topics[0])

/* URL templates: {Y} year, {m} month 01-12, {d} day 01-31, {mon} jan..dec, {s} slug,
** {i} numeric id, {x} hex id, {t} topic name. */
static const char *const gen_url_tmpl[] = {
    "https://edition.cnn.com/{Y}/{m}/{d}/{t}/{s}/index.html",
    "https://www.theguardian.com/{t}/{Y}/{mon}/{d}/{s}",
    "https://www.nytimes.com/{Y}/{m}/{d}/{t}/{s}.html",
    "https://www.bbc.co.uk/news/world-{i}",
    "https://www.france24.com/en/{Y}{m}{d}-{s}",
    "https://www.rt.com/news/{i}-{s}/",
    "http://presstv.com/Detail/{Y}/{m}/{d}/{i}/{s}",
    "https://www.aljazeera.com/news/{Y}/{m}/{d}/{s}",
    "https://www.abc.net.au/news/{Y}-{m}-{d}/{s}/{i}",
    "https://www.npr.org/{Y}/{m}/{d}/{i}/{s}",
    "https://news.yahoo.co.jp/articles/{x}",
    "https://www.telegraph.co.uk/news/{Y}/{m}/{d}/{s}/",
    "https://www.lemonde.fr/{t}/article/{Y}/{m}/{d}/{s}_{i}_3210.html",
    "https://www.spiegel.de/{t}/{s}-a-{i}.html",
    "https://www.washingtonpost.com/{t}/{Y}/{m}/{d}/{x}_story.html",
    "https://www.foxnews.com/{t}/{s}",
    "https://timesofindia.indiatimes.com/{t}/{s}/articleshow/{i}.cms",
    "https://www.smh.com.au/{t}/{s}-{Y}{m}{d}-p5{x}.html",
    "https://www.cbc.ca/news/{t}/{s}-1.{i}",
    "https://www.dw.com/en/{s}/a-{i}",
    "https://www.lanacion.com.ar/{t}/{s}-nid{i}",
    "https://www1.folha.uol.com.br/{t}/{Y}/{m}/{s}.shtml",
    "https://www.japantimes.co.jp/news/{Y}/{m}/{d}/{t}/{s}/",
    "https://www.scmp.com/news/{t}/article/{i}/{s}",
    "https://www.straitstimes.com/{t}/{s}",
    "https://www.news24.com/news24/{t}/{s}-{Y}{m}{d}",
    "https://www.nzherald.co.nz/{t}/{s}/{x}/",
    "https://www.irishtimes.com/news/{t}/{s}-1.{i}",
    "https://www.thelocal.se/{Y}{m}{d}/{s}",
    "https://elpais.com/internacional/{Y}-{m}-{d}/{s}.html",
    "https://www.corriere.it/{t}/{Y}_{mon}_{d}/{s}-{x}.shtml",
    "https://www.welt.de/{t}/article{i}/{s}.html",
    "https://www.nrc.nl/nieuws/{Y}/{m}/{d}/{s}-a{i}",
    "https://www.derstandard.at/story/{i}/{s}",
    "https://www.kyivpost.com/{t}/{s}.html",
    "https://www.dawn.com/news/{i}/{s}",
    "https://www.thehindu.com/news/{t}/{s}/article{i}.ece",
    "https://www.bangkokpost.com/{t}/{i}/{s}",
    "https://www.jpost.com/{t}/{s}-{i}",
    "https://www.haaretz.com/{t}/{Y}-{m}-{d}/ty-article/{s}/{x}",
    "https://www.themoscowtimes.com/{Y}/{m}/{d}/{s}-a{i}",
    "https://tass.com/{t}/{i}",
    "http://www.xinhuanet.com/english/{Y}-{m}/{d}/c_{i}.htm",
    "http://www.koreaherald.com/view.php?ud={Y}{m}{d}000{i}",
    "https://www.reuters.com/article/us-{t}-{s}-id{x}",
    "https://apnews.com/article/{s}-{x}",
    "https://www.politico.com/story/{Y}/{m}/{d}/{s}-{i}",
    "https://news.sky.com/story/{s}-{i}",
    "https://www.independent.co.uk/news/world/{s}-a{i}.html",
    "https://www.dailymail.co.uk/news/article-{i}/{s}.html",
    "https://www.euronews.com/{Y}/{m}/{d}/{s}",
    "https://newsinfo.inquirer.net/{i}/{s}",
};
#define GEN_NOUTLETS (sizeof gen_url_tmpl / sizeof gen_url_tmpl[0])

static const char *const gen_months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};

static const char *const gen_bad_kinds[] = {"count", "noheader", "nonnum", "utf8",
                                            "empty", "nul",      "big"};
#define GEN_NBAD (sizeof gen_bad_kinds / sizeof gen_bad_kinds[0])

/* ---------------------------------------------------------------- state */

typedef struct gen_vocab {
    char *words[GEN_VOCAB]; /* OWNED strings (generated ones); fixed ones point at tables */
    bool owned[GEN_VOCAB];
    double cdf[GEN_VOCAB]; /* cumulative Zipf weights, normalised to 1 */
    double outlet_cdf[GEN_NOUTLETS];
} gen_vocab;

typedef struct gen_text {
    char *p;
    size_t n, cap;
} gen_text;

typedef enum gen_kind { GEN_PLAIN = 0, GEN_VERSION = 1, GEN_DUP = 2, GEN_COPY = 3 } gen_kind;

/* ---------------------------------------------------------------- helpers */

static uint64_t gen_mix(uint64_t a, uint64_t b)
{
    uint64_t s = a ^ (b * 0x9e3779b97f4a7c15ull) ^ 0x5851f42d4c957f2dull;
    (void)ndb_rand_next(&s);
    return ndb_rand_next(&s);
}

static double gen_unit(uint64_t *st)
{
    return (double)(ndb_rand_next(st) >> 11) * (1.0 / 9007199254740992.0);
}

static uint32_t gen_below(uint64_t *st, uint32_t n)
{
    return (uint32_t)(ndb_rand_next(st) % n);
}

static size_t gen_cdf_pick(const double *cdf, size_t n, double u)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void gen_zipf_cdf(double *cdf, size_t n, double s)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double r = (double)(i + 1);
        sum += 1.0 / pow(r, s);
        cdf[i] = sum;
    }
    for (size_t i = 0; i < n; i++)
        cdf[i] /= sum;
}

static int gen_put(gen_text *t, const char *s, size_t n)
{
    if (n > GEN_TEXT_MAX - t->n)
        return -1;
    if (t->n + n > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->n + n)
            cap *= 2;
        char *p = ndb_realloc(t->p, cap);
        if (!p)
            return -1;
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    return 0;
}

static int gen_puts(gen_text *t, const char *s)
{
    return gen_put(t, s, strlen(s));
}

/* ---------------------------------------------------------------- vocabulary */

static char *gen_make_word(uint64_t *st)
{
    static const char *const cons[] = {"b",  "c",  "d",  "f",  "g",  "h",  "k",  "l",
                                       "m",  "n",  "p",  "r",  "s",  "t",  "v",  "z",
                                       "br", "st", "tr", "ch", "sh", "gr", "pl", "th"};
    static const char *const vow[] = {"a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "y"};
    static const char *const coda[] = {"", "", "", "n", "r", "s", "l", "t", "m", "nd", "rk"};
    char w[64];
    size_t n = 0;
    uint32_t syl = 2 + gen_below(st, 2);
    for (uint32_t k = 0; k < syl; k++) {
        const char *parts[3] = {cons[gen_below(st, sizeof cons / sizeof cons[0])],
                                vow[gen_below(st, sizeof vow / sizeof vow[0])],
                                k + 1 == syl ? coda[gen_below(st, sizeof coda / sizeof coda[0])]
                                             : ""};
        for (int j = 0; j < 3; j++) {
            size_t l = strlen(parts[j]);
            memcpy(w + n, parts[j], l);
            n += l;
        }
    }
    w[n] = '\0';
    return ndb_strdup(w);
}

static int gen_vocab_init(gen_vocab *v)
{
    size_t nf = sizeof gen_function_words / sizeof gen_function_words[0];
    size_t nn = sizeof gen_news_words / sizeof gen_news_words[0];
    uint64_t st = 0x6e657773646275ull; /* fixed: the language does not depend on --seed */
    size_t i = 0;
    memset(v, 0, sizeof *v);
    for (size_t k = 0; k < nf; k++, i++)
        v->words[i] = (char *)gen_function_words[k];
    /* Interleave news words with generated ones so both appear across ranks. */
    size_t next_news = 0;
    for (; i < GEN_VOCAB; i++) {
        if (next_news < nn && (i % 3 == 0 || i > GEN_VOCAB / 2)) {
            v->words[i] = (char *)gen_news_words[next_news++];
            continue;
        }
        v->words[i] = gen_make_word(&st);
        if (!v->words[i])
            return -1;
        v->owned[i] = true;
    }
    gen_zipf_cdf(v->cdf, GEN_VOCAB, 1.0);
    gen_zipf_cdf(v->outlet_cdf, GEN_NOUTLETS, 0.8);
    return 0;
}

static void gen_vocab_fini(gen_vocab *v)
{
    for (size_t i = 0; i < GEN_VOCAB; i++)
        if (v->owned[i])
            ndb_free(v->words[i]);
}

/* ---------------------------------------------------------------- text */

static const char *gen_word(const gen_vocab *v, uint64_t *st, uint32_t topic)
{
    if (gen_unit(st) < 0.08)
        return gen_topics[topic].words[gen_below(st, 12)];
    return v->words[gen_cdf_pick(v->cdf, GEN_VOCAB, gen_unit(st))];
}

/* One sentence: capitalised first letter, commas now and then, a final period. */
static int gen_sentence(gen_text *t, const gen_vocab *v, uint64_t *st, uint32_t topic)
{
    uint32_t nw = 6 + gen_below(st, 19);
    for (uint32_t k = 0; k < nw; k++) {
        const char *w = gen_word(v, st, topic);
        if (k > 0 && gen_puts(t, " ") != 0)
            return -1;
        if (k == 0 && w[0] >= 'a' && w[0] <= 'z') {
            char c = (char)(w[0] - 'a' + 'A');
            if (gen_put(t, &c, 1) != 0 || gen_puts(t, w + 1) != 0)
                return -1;
        } else if (gen_puts(t, w) != 0) {
            return -1;
        }
        if (k + 1 < nw && k > 2 && gen_unit(st) < 0.06 && gen_puts(t, ",") != 0)
            return -1;
    }
    return gen_puts(t, ".");
}

static int gen_paragraph(gen_text *t, const gen_vocab *v, uint64_t pstate, uint32_t topic)
{
    uint64_t st = pstate;
    uint32_t ns = 1 + gen_below(&st, 5);
    if (gen_unit(&st) < 0.1) { /* a quote, with curly quotes now and then */
        bool curly = gen_unit(&st) < 0.5;
        if (gen_puts(t, curly ? "\xe2\x80\x9c" : "\"") != 0 || gen_sentence(t, v, &st, topic) ||
            gen_puts(t, curly ? "\xe2\x80\x9d" : "\"") != 0 || gen_puts(t, " said ") != 0 ||
            gen_puts(t, v->words[gen_cdf_pick(v->cdf, GEN_VOCAB, gen_unit(&st))]) != 0 ||
            gen_puts(t, ".") != 0)
            return -1;
        ns--;
    }
    for (uint32_t k = 0; k < ns; k++) {
        if ((t->n > 0 && t->p[t->n - 1] == '.') && gen_puts(t, " ") != 0)
            return -1;
        if (gen_sentence(t, v, &st, topic) != 0)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- URLs */

typedef struct gen_urlinfo {
    uint32_t outlet, topic;
    int y, m, d;
    uint64_t id;
} gen_urlinfo;

static void gen_url_info(const gen_vocab *v, uint64_t astate, gen_urlinfo *u)
{
    uint64_t st = gen_mix(astate, 0x75726c);
    int32_t lo = 0, hi = 0;
    u->outlet = (uint32_t)gen_cdf_pick(v->outlet_cdf, GEN_NOUTLETS, gen_unit(&st));
    u->topic = gen_below(&st, (uint32_t)GEN_NTOPICS);
    (void)ndb_date_from_ymd(2010, 1, 1, &lo);
    (void)ndb_date_from_ymd(2020, 12, 31, &hi);
    ndb_date_to_ymd(lo + (int32_t)gen_below(&st, (uint32_t)(hi - lo + 1)), &u->y, &u->m, &u->d);
    u->id = 100000 + ndb_rand_next(&st) % 90000000;
}

/* Slug from the first words of the first paragraph: lower-case ASCII letters and digits,
** words joined by '-'. */
static void gen_slug(const char *p, size_t n, char *out, size_t cap)
{
    size_t o = 0, words = 0;
    bool in_word = false;
    for (size_t i = 0; i < n && words < 6 && o + 2 < cap; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (!in_word && o > 0)
                out[o++] = '-';
            out[o++] = c;
            in_word = true;
        } else if (c == ' ' && in_word) {
            in_word = false;
            words++;
        }
    }
    if (o == 0)
        out[o++] = 'x';
    out[o] = '\0';
}

static int gen_url(gen_text *t, const gen_urlinfo *u, const char *slug)
{
    const char *s = gen_url_tmpl[u->outlet];
    char tmp[64];
    while (*s) {
        const char *rep = NULL;
        size_t skip = 0;
        if (strncmp(s, "{Y}", 3) == 0) {
            snprintf(tmp, sizeof tmp, "%04d", u->y);
            rep = tmp, skip = 3;
        } else if (strncmp(s, "{m}", 3) == 0) {
            snprintf(tmp, sizeof tmp, "%02d", u->m);
            rep = tmp, skip = 3;
        } else if (strncmp(s, "{d}", 3) == 0) {
            snprintf(tmp, sizeof tmp, "%02d", u->d);
            rep = tmp, skip = 3;
        } else if (strncmp(s, "{mon}", 5) == 0) {
            rep = gen_months[u->m - 1], skip = 5;
        } else if (strncmp(s, "{s}", 3) == 0) {
            rep = slug, skip = 3;
        } else if (strncmp(s, "{i}", 3) == 0) {
            snprintf(tmp, sizeof tmp, "%" PRIu64, u->id);
            rep = tmp, skip = 3;
        } else if (strncmp(s, "{x}", 3) == 0) {
            snprintf(tmp, sizeof tmp, "%08" PRIx64, u->id * 2654435761u);
            rep = tmp, skip = 3;
        } else if (strncmp(s, "{t}", 3) == 0) {
            rep = gen_topics[u->topic].name, skip = 3;
        }
        if (rep) {
            if (gen_puts(t, rep) != 0)
                return -1;
            s += skip;
        } else {
            if (gen_put(t, s, 1) != 0)
                return -1;
            s++;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- articles */

/* Build article `idx` into t. For a version, `base` is the article whose URL it reuses
** and `changed` the paragraph whose text differs. */
static int gen_article(gen_text *t, const gen_vocab *v, uint64_t seed, uint32_t idx, gen_kind kind,
                       uint32_t base)
{
    uint64_t astate = gen_mix(seed, kind == GEN_PLAIN ? idx : base);
    uint64_t own = gen_mix(seed, idx);
    uint64_t st = gen_mix(astate, 0x626f6479);
    gen_urlinfo u;
    gen_text body = {0};
    char hdr[64], slug[128];
    size_t lead = 0;
    int rc = -1;
    gen_url_info(v, astate, &u);
    uint32_t base_np = 3 + gen_below(&st, 28), np = base_np;
    uint32_t changed = UINT32_MAX;
    if (kind == GEN_VERSION) {
        /* Paragraph 0 stays (the slug in the URL comes from it); one other paragraph
        ** changes, and half the time a paragraph is appended. */
        uint64_t vs = gen_mix(own, 0x766572);
        changed = 1 + gen_below(&vs, base_np - 1);
        if (gen_unit(&vs) < 0.5)
            np++;
    }
    for (uint32_t p = 0; p < np; p++) {
        uint64_t ps = gen_mix(p == changed || p >= base_np ? own : astate, 0x70617261 + p);
        if (p > 0 && gen_puts(&body, "\n\n") != 0)
            goto out;
        if (gen_paragraph(&body, v, ps, u.topic) != 0)
            goto out;
        if (p == 0)
            lead = body.n + 1;
    }
    if (gen_puts(&body, "\n") != 0)
        goto out;
    gen_slug(body.p, lead, slug, sizeof slug);
    t->n = 0;
    if (gen_url(t, &u, slug) != 0)
        goto out;
    snprintf(hdr, sizeof hdr, "\n%zu\n%" PRIu32 "\n", lead, np);
    if (gen_puts(t, hdr) != 0 || gen_put(t, body.p, body.n) != 0)
        goto out;
    rc = 0;
out:
    ndb_free(body.p);
    return rc;
}

/* Paragraph count of plain article idx (as gen_article draws it). */
static uint32_t gen_nparas(uint64_t seed, uint32_t idx)
{
    uint64_t st = gen_mix(gen_mix(seed, idx), 0x626f6479);
    return 3 + gen_below(&st, 28);
}

static const char *const gen_boilerplate[] = {
    "Reporting by staff; Editing by the desk.",
    ("Copyright 2016 The Associated Press. All rights reserved. This material may not be "
     "published, broadcast, rewritten or redistributed."),
    "Advertisement",
    "Follow us on social media for the latest news.",
    "This story has been corrected to fix a spelling error.",
};

/* Planted reuse: article idx republishes plain article `src` in another outlet, 0..3 days
** later, with edits drawn from its own state: the lead rewritten, one paragraph dropped,
** two swapped, one added, a boilerplate line appended. `edits` receives their names. */
static int gen_copy(gen_text *t, const gen_vocab *v, uint64_t seed, uint32_t idx, uint32_t src,
                    char *edits, size_t ecap)
{
    uint64_t sstate = gen_mix(seed, src), own = gen_mix(seed, idx);
    uint64_t es = gen_mix(own, 0x636f7079);
    uint32_t np = gen_nparas(seed, src), order[40], n = 0, added = UINT32_MAX;
    gen_urlinfo su, u;
    gen_text body = {0};
    char hdr[64], slug[128];
    size_t lead = 0;
    int32_t day = 0;
    int rc = -1;
    bool e_lead = gen_unit(&es) < 0.4, e_drop = gen_unit(&es) < 0.3;
    bool e_swap = gen_unit(&es) < 0.3, e_add = gen_unit(&es) < 0.3;
    bool e_boiler = gen_unit(&es) < 0.5;
    gen_url_info(v, sstate, &su);
    gen_url_info(v, own, &u);
    u.topic = su.topic;
    if (u.outlet == su.outlet) /* another outlet: the same one could even give the same URL */
        u.outlet = (u.outlet + 1) % GEN_NOUTLETS;
    (void)ndb_date_from_ymd(su.y, su.m, su.d, &day);
    ndb_date_to_ymd(day + (int32_t)gen_below(&es, 4), &u.y, &u.m, &u.d);
    for (uint32_t p = 0; p < np; p++)
        order[n++] = p;
    if (e_drop) {
        uint32_t k = 1 + gen_below(&es, n - 1);
        memmove(order + k, order + k + 1, (n - k - 1) * sizeof *order);
        n--;
    }
    if (e_swap) {
        uint32_t a = 1 + gen_below(&es, n - 1), b = 1 + gen_below(&es, n - 1);
        uint32_t x = order[a];
        order[a] = order[b];
        order[b] = x;
    }
    if (e_add) {
        uint32_t k = 1 + gen_below(&es, n);
        memmove(order + k + 1, order + k, (n - k) * sizeof *order);
        order[k] = added = 1000;
        n++;
    }
    snprintf(edits, ecap, "%s%s%s%s%s", e_lead ? "lead," : "", e_drop ? "drop," : "",
             e_swap ? "swap," : "", e_add ? "add," : "", e_boiler ? "boilerplate," : "");
    if (!*edits)
        snprintf(edits, ecap, "none");
    else
        edits[strlen(edits) - 1] = '\0';
    for (uint32_t k = 0; k < n; k++) {
        uint32_t p = order[k];
        bool mine = (k == 0 && e_lead) || p == added;
        uint64_t ps = gen_mix(mine ? own : sstate, 0x70617261 + (p == added ? 999 : p));
        if (k > 0 && gen_puts(&body, "\n\n") != 0)
            goto out;
        if (gen_paragraph(&body, v, ps, u.topic) != 0)
            goto out;
        if (k == 0)
            lead = body.n + 1;
    }
    if (e_boiler && (gen_puts(&body, "\n\n") != 0 ||
                     gen_puts(&body, gen_boilerplate[gen_below(&es, 5)]) != 0))
        goto out;
    if (gen_puts(&body, "\n") != 0)
        goto out;
    gen_slug(body.p, lead, slug, sizeof slug);
    t->n = 0;
    if (gen_url(t, &u, slug) != 0)
        goto out;
    snprintf(hdr, sizeof hdr, "\n%zu\n%" PRIu32 "\n", lead, n + (e_boiler ? 1 : 0));
    if (gen_puts(t, hdr) != 0 || gen_put(t, body.p, body.n) != 0)
        goto out;
    rc = 0;
out:
    ndb_free(body.p);
    return rc;
}

/* The URL (line 1) of the article in t, NUL-terminated into out. */
static void gen_first_line(const gen_text *t, char *out, size_t cap)
{
    size_t n = 0;
    while (n < t->n && t->p[n] != '\n' && n + 1 < cap) {
        out[n] = t->p[n];
        n++;
    }
    out[n] = '\0';
}

static int gen_write(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4096];
    int rc = -1;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        fprintf(stderr, "gen_corpus: path too long: %s/%s\n", dir, name);
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (n > 0 && fwrite(p, 1, n, f) != n)
        fprintf(stderr, "gen_corpus: %s: write failed: %s\n", path, strerror(errno));
    else
        rc = 0;
    if (fclose(f) != 0 && rc == 0) {
        fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* ---------------------------------------------------------------- bad files */

/* A well-formed article of `paras` paragraphs of about `plen` bytes each, URL `url`. */
static int gen_simple(gen_text *t, const char *url, uint32_t paras, size_t plen, uint32_t declared)
{
    char hdr[64];
    t->n = 0;
    snprintf(hdr, sizeof hdr, "\n%zu\n%" PRIu32 "\n", plen + 1, declared);
    if (gen_puts(t, url) != 0 || gen_puts(t, hdr) != 0)
        return -1;
    for (uint32_t p = 0; p < paras; p++) {
        for (size_t k = 0; k < plen; k++) {
            char c = (k % 7 == 6) ? ' ' : (char)('a' + (p + k) % 26);
            if (k + 1 == plen)
                c = '.';
            if (gen_put(t, &c, 1) != 0)
                return -1;
        }
        if (gen_puts(t, p + 1 < paras ? "\n\n" : "\n") != 0)
            return -1;
    }
    return 0;
}

static int gen_bad_one(gen_text *t, const char *dir, FILE *list, size_t kind, uint32_t k)
{
    char url[128], name[64];
    const char *kn = gen_bad_kinds[kind];
    const char *sev = "error";
    snprintf(url, sizeof url, "https://bad.example.org/%s/%" PRIu32, kn, k);
    snprintf(name, sizeof name, "bad-%s-%" PRIu32 ".txt", kn, k);
    t->n = 0;
    int rc = 0;
    if (strcmp(kn, "count") == 0) {
        rc = gen_simple(t, url, 3, 40, 5 + k);
        sev = "warning";
    } else if (strcmp(kn, "noheader") == 0) {
        /* even k: the URL line alone; odd k: the paragraph-count line is missing */
        rc = gen_puts(t, url) || gen_puts(t, k % 2 ? "\n41\n" : "\n");
    } else if (strcmp(kn, "nonnum") == 0) {
        rc = gen_simple(t, url, 2, 40, 2);
        if (rc == 0) {
            /* overwrite the first digit of line 2 (even k) or line 3 (odd k) with 'x' */
            char *nl = memchr(t->p, '\n', t->n);
            if (k % 2)
                nl = memchr(nl + 1, '\n', t->n - (size_t)(nl + 1 - t->p));
            nl[1] = 'x';
        }
    } else if (strcmp(kn, "utf8") == 0) {
        rc = gen_simple(t, url, 3, 40, 3);
        if (rc == 0)
            t->p[t->n - 10] = (char)(k % 2 ? 0xff : 0xc3); /* 0xc3 then 'x': bad sequence */
    } else if (strcmp(kn, "empty") == 0) {
        char hdr[64];
        snprintf(hdr, sizeof hdr, "\n1\n%d\n", k % 2 ? 1 : 0);
        rc = gen_puts(t, url) || gen_puts(t, hdr);
    } else if (strcmp(kn, "nul") == 0) {
        rc = gen_simple(t, url, 3, 40, 3);
        if (rc == 0)
            t->p[t->n - 12] = '\0';
    } else { /* big */
        uint32_t paras = (uint32_t)(GEN_BIG_BYTES / 1000 + 2);
        rc = gen_simple(t, url, paras, 999, paras);
    }
    if (rc != 0) {
        fprintf(stderr, "gen_corpus: out of memory\n");
        return -1;
    }
    if (gen_write(dir, name, t->p, t->n) != 0)
        return -1;
    fprintf(list, "%s\t%s\t%s\n", name, kn, sev);
    return 0;
}

static int gen_bad(const char *dir, uint32_t k, const char *kinds)
{
    char path[4096];
    gen_text t = {0};
    int rc = -1;
    if ((size_t)snprintf(path, sizeof path, "%s.bad.txt", dir) >= sizeof path)
        return -1;
    FILE *list = fopen(path, "w");
    if (!list) {
        fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (size_t kind = 0; kind < GEN_NBAD; kind++) {
        if (kinds && !strstr(kinds, gen_bad_kinds[kind]))
            continue;
        for (uint32_t j = 0; j < k; j++) {
            if (gen_bad_one(&t, dir, list, kind, j) != 0)
                goto out;
        }
    }
    rc = 0;
out:
    if (fclose(list) != 0 && rc == 0) {
        fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    ndb_free(t.p);
    return rc;
}

/* ---------------------------------------------------------------- main */

static void gen_usage(FILE *f)
{
    fprintf(f,
            "usage: gen_corpus --n N --seed S --out DIR [--bad K] [--kinds LIST]\n"
            "                  [--reuse F --truth FILE]\n"
            "Write N synthetic news articles in newsdb's native format to DIR/NNNNNNNN.txt.\n"
            "Same seed, same bytes. About 3%% of articles are new versions of an earlier URL\n"
            "and about 1%% exact duplicates of an earlier file.\n"
            "  --n N         number of articles (default 1000)\n"
            "  --seed S      PRNG seed (default 1)\n"
            "  --out DIR     output directory (created when missing)\n"
            "  --bad K       also write K malformed files of each kind as DIR/bad-<kind>-<k>.txt,\n"
            "                listed in DIR.bad.txt as <file> TAB <kind> TAB <error|warning>\n"
            "  --kinds LIST  comma-separated subset of kinds for --bad (default all):\n"
            "                count,noheader,nonnum,utf8,empty,nul,big\n"
            "  --reuse F     plant reuse: a fraction F of the articles (0..0.9) republish an\n"
            "                earlier article of 10+ paragraphs (a source may be copied many\n"
            "                times) in another outlet, 0..3 days later, edited: lead rewritten\n"
            "                (40%%), a paragraph dropped (30%%), two swapped (30%%), one added\n"
            "                (30%%), a boilerplate line appended (50%%)\n"
            "  --truth FILE  with --reuse: one line per planted copy: copy URL TAB source URL\n"
            "                TAB edits (comma-separated, or none)\n"
            "  --help        this text\n");
}

static bool gen_parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;
    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"n", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},
        {"bad", required_argument, NULL, 'b'},
        {"kinds", required_argument, NULL, 'k'},
        {"reuse", required_argument, NULL, 'r'},
        {"truth", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    uint64_t n = 1000, seed = 1, bad = 0;
    const char *out = NULL, *kinds = NULL, *truth = NULL;
    double reuse = 0;
    FILE *tf = NULL;
    gen_vocab *v = NULL;
    gen_text t = {0}, st2 = {0};
    uint8_t *used = NULL;
    int c, status = 1;
    while ((c = getopt_long(argc, argv, "n:s:o:b:k:r:t:h", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'r':
            reuse = strtod(optarg, &end);
            if (end == optarg || *end || !(reuse >= 0 && reuse <= 0.9))
                goto usage;
            break;
        case 't':
            truth = optarg;
            break;
        case 'n':
            if (!gen_parse_u64(optarg, &n) || n > 100000000)
                goto usage;
            break;
        case 's':
            if (!gen_parse_u64(optarg, &seed))
                goto usage;
            break;
        case 'b':
            if (!gen_parse_u64(optarg, &bad) || bad > 1000)
                goto usage;
            break;
        case 'o':
            out = optarg;
            break;
        case 'k':
            kinds = optarg;
            break;
        case 'h':
            gen_usage(stdout);
            return 0;
        default:
            goto usage;
        }
    }
    if (!out || optind != argc || (reuse > 0) != (truth != NULL))
        goto usage;
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_corpus: %s: %s\n", out, strerror(errno));
        return 1;
    }
    v = ndb_malloc(sizeof *v);
    used = ndb_calloc(n ? n : 1, 1);
    if (!v || !used || gen_vocab_init(v) != 0) {
        fprintf(stderr, "gen_corpus: out of memory\n");
        goto out;
    }
    if (truth && !(tf = fopen(truth, "w"))) {
        fprintf(stderr, "gen_corpus: %s: %s\n", truth, strerror(errno));
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint64_t st = gen_mix(seed, 0x6b696e64ull + i);
        double u = gen_unit(&st);
        gen_kind kind = GEN_PLAIN;
        uint32_t base = i;
        if (i >= 10 && u < 0.04) {
            for (int tries = 0; tries < 8; tries++) {
                uint32_t j = gen_below(&st, i);
                if (used[j] == 0) {
                    kind = u < 0.01 ? GEN_DUP : GEN_VERSION;
                    base = j;
                    used[j] = 1;
                    break;
                }
            }
        }
        /* Planted copies (--reuse): their draw is independent of the 4% above. */
        uint64_t rs = gen_mix(seed, 0x7265757365ull + i);
        char edits[64] = "";
        if (kind == GEN_PLAIN && i >= 10 && gen_unit(&rs) < reuse) {
            for (int tries = 0; tries < 16; tries++) {
                uint32_t j = gen_below(&rs, i);
                if ((used[j] == 0 || used[j] == 3) && gen_nparas(seed, j) >= 10) {
                    kind = GEN_COPY;
                    base = j;
                    used[j] = 3; /* a source: never a version base, may be copied again */
                    break;
                }
            }
        }
        used[i] = kind == GEN_PLAIN ? 0 : 2; /* copies never serve as a base */
        int rc = kind == GEN_DUP    ? gen_article(&t, v, seed, base, GEN_PLAIN, base)
                 : kind == GEN_COPY ? gen_copy(&t, v, seed, i, base, edits, sizeof edits)
                                    : gen_article(&t, v, seed, i, kind, base);
        if (rc == 0 && kind == GEN_COPY) {
            char cu[1024], su[1024];
            rc = gen_article(&st2, v, seed, base, GEN_PLAIN, base);
            gen_first_line(&t, cu, sizeof cu);
            gen_first_line(&st2, su, sizeof su);
            if (rc == 0 && fprintf(tf, "%s\t%s\t%s\n", cu, su, edits) < 0)
                rc = -1;
        }
        char name[32];
        snprintf(name, sizeof name, "%08" PRIu32 ".txt", i);
        if (rc != 0) {
            fprintf(stderr, "gen_corpus: out of memory\n");
            goto out;
        }
        if (gen_write(out, name, t.p, t.n) != 0)
            goto out;
    }
    if (bad > 0 && gen_bad(out, (uint32_t)bad, kinds) != 0)
        goto out;
    status = 0;
out:
    if (tf && fclose(tf) != 0 && status == 0) {
        fprintf(stderr, "gen_corpus: %s: %s\n", truth, strerror(errno));
        status = 1;
    }
    ndb_free(st2.p);
    if (v)
        gen_vocab_fini(v);
    ndb_free(v);
    ndb_free(used);
    ndb_free(t.p);
    return status;
usage:
    gen_usage(stderr);
    return 2;
}
