/* Deterministic in-memory native-format articles for tests (see corpus.h). */
#include "common/corpus.h"

#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const tc_words[] = {
    "election", "vote",    "minister", "president", "war",    "peace",  "market", "oil",
    "bank",     "rates",   "russia",   "france",    "syria",  "talks",  "visit",  "court",
    "police",   "climate", "energy",   "health",    "school", "strike", "report", "budget",
    "trade",    "china",   "europe",   "army",      "deal",   "crisis", "press",  "media",
    "the",      "of",      "and",      "in",        "to",     "said",   "new",    "year"};

tc_doc tc_make_doc(uint64_t seed, uint32_t i, uint32_t version, uint32_t vocab)
{
    tc_doc d;
    char url[256];
    uint64_t s = seed * 1000003u + i * 7919u + version * 104729u + 1;
    size_t nw = sizeof tc_words / sizeof *tc_words;
    size_t cap = 1 << 14, n = 0;
    char *b = malloc(cap);
    int np = 1 + (int)(ndb_rand_next(&s) % 6);
    char paras[8][2048];
    size_t plen[8];
    if (vocab == 0 || vocab > nw)
        vocab = (uint32_t)nw;
    if (i % 5 == 0)
        snprintf(url, sizeof url, "http://www.outlet%u.com/news/story-%u", i % 7, i);
    else
        snprintf(url, sizeof url, "https://news.outlet%u.co.uk/2016/%02u/%02u/story-%u", i % 7,
                 1 + i % 12, 1 + i % 28, i);
    for (int p = 0; p < np; p++) {
        int words = 3 + (int)(ndb_rand_next(&s) % 40);
        size_t k = 0;
        for (int w = 0; w < words; w++) {
            const char *t = tc_words[ndb_rand_next(&s) % vocab];
            k += (size_t)snprintf(paras[p] + k, sizeof paras[p] - k, "%s%s", w ? " " : "", t);
        }
        k += (size_t)snprintf(paras[p] + k, sizeof paras[p] - k, ".");
        plen[p] = k;
    }
    n += (size_t)snprintf(b + n, cap - n, "%s\n%zu\n%d\n", url, plen[0] + 1, np);
    for (int p = 0; p < np; p++) {
        memcpy(b + n, paras[p], plen[p]);
        n += plen[p];
        b[n++] = '\n';
        if (p + 1 < np)
            b[n++] = '\n';
    }
    b[n] = 0;
    d.url = strdup(url);
    d.bytes = b;
    d.n = n;
    return d;
}

void tc_doc_free(tc_doc *d)
{
    free(d->url);
    free(d->bytes);
    d->url = d->bytes = NULL;
}

int tc_write_file(const char *dir, const char *name, const char *bytes, size_t n)
{
    char path[4200];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f)
        return -1;
    if (fwrite(bytes, 1, n, f) != n) {
        fclose(f);
        return -1;
    }
    return fclose(f);
}
