/*
** sort.c — in-place ascending sorts of plain u32 / u64 arrays (base.h).
**
** Why not qsort: the near-duplicate path sorts each candidate article's shingle set and
** each article's candidate list; glibc's qsort is a merge sort through a comparison
** callback, several times slower on integers than an inlined compare. Shape: introsort
** (Musser) — quicksort on a median of three, insertion sort below 16 elements, heapsort
** when the recursion passes 2 log2 n levels — so the worst case stays O(n log n) on any
** input, with no allocation. The larger side is looped, the smaller recursed: depth
** O(log n) on the C stack. One template, instantiated per element type.
*/
#include "base/base.h"

#define SORT_SMALL 16

#define SORT_DEFINE(T, NAME)                                                                   \
    static void NAME##_insertion(T *a, size_t n)                                               \
    {                                                                                          \
        for (size_t i = 1; i < n; i++) {                                                       \
            T v = a[i];                                                                        \
            size_t j = i;                                                                      \
            for (; j > 0 && a[j - 1] > v; j--)                                                 \
                a[j] = a[j - 1];                                                               \
            a[j] = v;                                                                          \
        }                                                                                      \
    }                                                                                          \
                                                                                               \
    static void NAME##_sift(T *a, size_t i, size_t n)                                          \
    {                                                                                          \
        T v = a[i];                                                                            \
        for (size_t c; (c = 2 * i + 1) < n; i = c) {                                           \
            if (c + 1 < n && a[c + 1] > a[c])                                                  \
                c++;                                                                           \
            if (a[c] <= v)                                                                     \
                break;                                                                         \
            a[i] = a[c];                                                                       \
        }                                                                                      \
        a[i] = v;                                                                              \
    }                                                                                          \
                                                                                               \
    static void NAME##_heap(T *a, size_t n)                                                    \
    {                                                                                          \
        for (size_t i = n / 2; i-- > 0;)                                                       \
            NAME##_sift(a, i, n);                                                              \
        for (size_t k = n; k-- > 1;) {                                                         \
            T t = a[0];                                                                        \
            a[0] = a[k];                                                                       \
            a[k] = t;                                                                          \
            NAME##_sift(a, 0, k);                                                              \
        }                                                                                      \
    }                                                                                          \
                                                                                               \
    static void NAME##_intro(T *a, size_t n, unsigned depth)                                   \
    {                                                                                          \
        while (n > SORT_SMALL) {                                                               \
            if (depth-- == 0) {                                                                \
                NAME##_heap(a, n);                                                             \
                return;                                                                        \
            }                                                                                  \
            T x = a[0], y = a[n / 2], z = a[n - 1], p; /* median of three */                  \
            p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));         \
            size_t i = 0, j = n - 1; /* Hoare: [0, j] <= p <= [j + 1, n) */                    \
            for (;;) {                                                                         \
                while (a[i] < p)                                                               \
                    i++;                                                                       \
                while (a[j] > p)                                                               \
                    j--;                                                                       \
                if (i >= j)                                                                    \
                    break;                                                                     \
                T t = a[i];                                                                    \
                a[i++] = a[j];                                                                 \
                a[j--] = t;                                                                    \
            }                                                                                  \
            size_t left = j + 1;                                                               \
            if (left < n - left) {                                                             \
                NAME##_intro(a, left, depth);                                                  \
                a += left;                                                                     \
                n -= left;                                                                     \
            } else {                                                                           \
                NAME##_intro(a + left, n - left, depth);                                       \
                n = left;                                                                      \
            }                                                                                  \
        }                                                                                      \
        NAME##_insertion(a, n);                                                                \
    }                                                                                          \
                                                                                               \
    void NAME##_depth(T *a, size_t n, unsigned depth)                                          \
    {                                                                                          \
        NAME##_intro(a, n, depth);                                                             \
    }                                                                                          \
                                                                                               \
    void NAME(T *a, size_t n)                                                                  \
    {                                                                                          \
        unsigned depth = 0;                                                                    \
        for (size_t k = n; k > 1; k >>= 1)                                                     \
            depth += 2;                                                                        \
        NAME##_intro(a, n, depth);                                                             \
    }

SORT_DEFINE(uint32_t, ndb_sort_u32)
SORT_DEFINE(uint64_t, ndb_sort_u64)
