/*
** fuzz_article.c — libFuzzer target for the native article parser (src/doc/parse.c).
**
** Input: the article bytes, as is. Each input is parsed twice (strict and lenient).
** Contract checked on every input:
**   - no crash, leak or out-of-bounds read; both parses agree except on count_mismatch;
**   - on success every paragraph is a non-empty slice inside the input without "\n\n";
**   - when the lenient parse succeeds with a canonical article, serialize(parse(x)) == x
**     byte for byte (the round trip of doc.h); for any successful parse, parsing the
**     serialized form again gives the same URL, numbers and paragraphs.
** A broken contract is __builtin_trap(), which libFuzzer reports as a crash.
*/
#include "doc/doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(bool ok)
{
    if (!ok) {
        __builtin_trap();
    }
}

static bool fuzz_same(ndb_slice a, ndb_slice b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ndb_article a, s, b;
    ndb_err err;
    ndb_buf out;
    ndb_rc rl, rs;

    ndb_doc_article_init(&a);
    ndb_doc_article_init(&s);
    ndb_doc_article_init(&b);
    ndb_buf_init(&out, NDB_BUF_NOMAX);
    rl = ndb_doc_parse("fuzz", data, size, false, &a, &err);
    rs = ndb_doc_parse("fuzz", data, size, true, &s, &err);
    fuzz_check(rs == rl || (rl == NDB_OK && rs == NDB_EPARSE && a.count_mismatch));
    if (rl != NDB_OK) {
        fuzz_check(a.paras == NULL && a.n_paras == 0);
        goto out;
    }
    for (uint32_t i = 0; i < a.n_paras; i++) {
        ndb_slice p = a.paras[i];
        fuzz_check(p.n > 0 && p.p >= data && p.p + p.n <= data + size);
        fuzz_check(p.p[0] != '\n' && p.p[p.n - 1] != '\n' && p.p[p.n - 1] != '\r');
        for (size_t k = 0; k + 1 < p.n; k++) {
            fuzz_check(!(p.p[k] == '\n' && p.p[k + 1] == '\n'));
        }
    }
    fuzz_check(ndb_doc_serialize(a.url, a.lead_bytes, a.para_declared, a.paras, a.n_paras,
                                 &out) == NDB_OK);
    if (a.canonical) {
        fuzz_check(out.n == size && memcmp(out.p, data, size) == 0);
    }
    fuzz_check(ndb_doc_parse("again", out.p, out.n, false, &b, &err) == NDB_OK);
    fuzz_check(b.canonical && fuzz_same(a.url, b.url) && a.lead_bytes == b.lead_bytes &&
               a.para_declared == b.para_declared && a.n_paras == b.n_paras);
    for (uint32_t i = 0; i < a.n_paras; i++) {
        fuzz_check(fuzz_same(a.paras[i], b.paras[i]));
    }
out:
    ndb_doc_article_fini(&a);
    ndb_doc_article_fini(&s);
    ndb_doc_article_fini(&b);
    ndb_buf_fini(&out);
    return 0;
}
