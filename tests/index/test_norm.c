/*
** test_norm.c — the one-byte document length bound of index/view.h (ndb_norm_encode,
** ndb_norm_floor) that single-term top-k uses to rule out long documents.
**
** Checked exhaustively below 2^20 and at the edges above: floor(encode(x)) <= x, encode is
** the LARGEST byte whose floor is <= x (so "norm > encode(cut)" means "length > cut"), both
** nondecreasing, and the step stays within 1/16 of the length below the saturation.
*/
#include <criterion/criterion.h>

#include "index/view.h"

static void norm_check(uint32_t x)
{
    uint8_t q = ndb_norm_encode(x);
    cr_assert(q <= 239, "encode(%u) = %u", x, q);
    cr_assert(ndb_norm_floor(q) <= x, "floor(encode(%u)) = %u", x, ndb_norm_floor(q));
    if (q < 239)
        cr_assert(ndb_norm_floor((uint8_t)(q + 1)) > x, "encode(%u) = %u is not the largest", x,
                  q);
    if (x < (1u << 18))
        cr_assert(x - ndb_norm_floor(q) <= x / 16, "encode(%u) loses more than 1/16", x);
}

Test(norm, exhaustive_below_2_20)
{
    uint8_t prev = 0;
    for (uint32_t x = 0; x < (1u << 20); x++) {
        norm_check(x);
        cr_assert(ndb_norm_encode(x) >= prev, "encode not monotone at %u", x);
        prev = ndb_norm_encode(x);
    }
}

Test(norm, edges_and_floor_order)
{
    uint32_t xs[] = {UINT32_MAX, UINT32_MAX - 1, 1u << 31, (1u << 18) - 1, 1u << 18, 253952,
                     253951};
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++)
        norm_check(xs[i]);
    for (uint32_t q = 0; q < 239; q++) {
        cr_assert(ndb_norm_floor((uint8_t)q) < ndb_norm_floor((uint8_t)(q + 1)), "floor at %u", q);
        cr_assert_eq(ndb_norm_encode(ndb_norm_floor((uint8_t)q)), q, "round trip of %u", q);
    }
    cr_assert_eq(ndb_norm_encode(UINT32_MAX), 239);
}
