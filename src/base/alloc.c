/*
** alloc.c — the one allocator choke point of newsdb (STYLE rule 7).
**
** Every heap allocation of the library goes through ndb_malloc/ndb_realloc/ndb_free, which
** call the ndb_allocator installed with ndb_set_allocator (default: libc). Two reasons:
** library users can account or cap memory, and tests can make the Nth allocation fail
** (ndb_alloc_fail_at) to prove every NDB_ENOMEM path leaks nothing and leaves handles usable,
** the way SQLite's test_malloc.c drives its OOM loops.
**
** The fault counters are process-wide atomics; they are for tests, set before the code under
** test runs. Size arithmetic that feeds an allocation uses ndb_size_add/ndb_size_mul.
*/
#include "base/base.h"

#include <stdatomic.h>
#include <stdlib.h>

static void *alloc_libc_malloc(void *ctx, size_t n)
{
    NDB_UNUSED(ctx);
    return malloc(n);
}
static void *alloc_libc_realloc(void *ctx, void *p, size_t n)
{
    NDB_UNUSED(ctx);
    return realloc(p, n);
}
static void alloc_libc_free(void *ctx, void *p)
{
    NDB_UNUSED(ctx);
    free(p);
}

static const ndb_allocator alloc_libc = {alloc_libc_malloc, alloc_libc_realloc, alloc_libc_free,
                                         NULL};
static ndb_allocator alloc_current = {alloc_libc_malloc, alloc_libc_realloc, alloc_libc_free,
                                      NULL};

static _Atomic uint64_t alloc_counter;
static _Atomic uint64_t alloc_fail_target; /* absolute counter value that fails; 0 = none */
static _Atomic bool alloc_fail_persistent;

NDB_API void ndb_set_allocator(const ndb_allocator *a)
{
    alloc_current = a ? *a : alloc_libc;
}

void ndb_alloc_fail_at(uint64_t n, bool persistent)
{
    uint64_t now = atomic_load(&alloc_counter);
    atomic_store(&alloc_fail_persistent, persistent);
    atomic_store(&alloc_fail_target, n ? now + n : 0);
}

uint64_t ndb_alloc_count(void)
{
    return atomic_load(&alloc_counter);
}

/* True when this allocation must fail by injection. */
static bool alloc_should_fail(void)
{
    uint64_t c = atomic_fetch_add(&alloc_counter, 1) + 1;
    uint64_t t = atomic_load(&alloc_fail_target);
    if (t == 0)
        return false;
    return c == t || (c > t && atomic_load(&alloc_fail_persistent));
}

void *ndb_malloc(size_t n)
{
    if (alloc_should_fail())
        return NULL;
    return alloc_current.malloc_fn(alloc_current.ctx, n ? n : 1);
}

void *ndb_calloc(size_t count, size_t size)
{
    size_t total;
    void *p;
    if (ndb_size_mul(count, size, &total) != NDB_OK)
        return NULL;
    p = ndb_malloc(total);
    if (p)
        memset(p, 0, total);
    return p;
}

void *ndb_realloc(void *p, size_t n)
{
    if (alloc_should_fail())
        return NULL;
    return alloc_current.realloc_fn(alloc_current.ctx, p, n ? n : 1);
}

ndb_rc ndb_grow(void **p, size_t *cap, size_t need, size_t sz)
{
    size_t ncap, bytes;
    void *np;
    if (need <= *cap)
        return NDB_OK;
    ncap = *cap ? *cap : 64;
    while (ncap < need)
        if (ndb_size_mul(ncap, 2, &ncap) != NDB_OK)
            return NDB_ELIMIT;
    if (ndb_size_mul(ncap, sz, &bytes) != NDB_OK)
        return NDB_ELIMIT;
    np = ndb_realloc(*p, bytes);
    if (!np)
        return NDB_ENOMEM;
    *p = np;
    *cap = ncap;
    return NDB_OK;
}

void ndb_free(void *p)
{
    if (p)
        alloc_current.free_fn(alloc_current.ctx, p);
}

NDB_API void ndb_free_mem(void *p)
{
    ndb_free(p);
}

char *ndb_strndup(const char *s, size_t n)
{
    char *d;
    if (n == SIZE_MAX)
        return NULL;
    d = ndb_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *ndb_strdup(const char *s)
{
    return ndb_strndup(s, strlen(s));
}

ndb_rc ndb_size_add(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b)
        return NDB_ELIMIT;
    *out = a + b;
    return NDB_OK;
}

ndb_rc ndb_size_mul(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b)
        return NDB_ELIMIT;
    *out = a * b;
    return NDB_OK;
}
