/*
** date.c — calendar dates as days since 1970-01-01 (proleptic Gregorian), and a clock.
**
** Articles carry dates as int32 day numbers: compact in columns, ordered, and exact for
** range filters and per-day/week/month histograms. Conversion uses Howard Hinnant's
** days_from_civil / civil_from_days algorithms (exact for every year we accept, 1..9999).
*/
#include "base/base.h"

#include <stdio.h>
#include <time.h>

static bool date_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int date_month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && date_leap(y) ? 29 : days[m - 1];
}

bool ndb_date_from_ymd(int y, int m, int d, int32_t *days)
{
    int era, yoe, doy, doe, mp;
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > date_month_days(y, m))
        return false;
    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    mp = (m + 9) % 12;
    doy = (153 * mp + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = (int32_t)(era * 146097 + doe - 719468);
    return true;
}

void ndb_date_to_ymd(int32_t days, int *y, int *m, int *d)
{
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static bool date_digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool ndb_date_parse(const char *s, size_t n, int32_t *days)
{
    int y, m, d;
    if (n == 10 && s[4] == '-' && s[7] == '-') {
        if (!date_digits(s, 4, &y) || !date_digits(s + 5, 2, &m) || !date_digits(s + 8, 2, &d))
            return false;
    } else if (n == 8) {
        if (!date_digits(s, 4, &y) || !date_digits(s + 4, 2, &m) || !date_digits(s + 6, 2, &d))
            return false;
    } else {
        return false;
    }
    return ndb_date_from_ymd(y, m, d, days);
}

NDB_API void ndb_date_format(int32_t date, char *buf, size_t n)
{
    int y, m, d;
    if (n == 0)
        return;
    if (date == NDB_DATE_NONE) {
        buf[0] = 0;
        return;
    }
    ndb_date_to_ymd(date, &y, &m, &d);
    snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
}

uint64_t ndb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
