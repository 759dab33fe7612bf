/* parse.c: exact parsing of decimal and rational text.
 *
 * Decimal text means exactly the decimal it spells ("0.1" is 1/10), so the
 * digits go straight into an fmpz and the exponent into a power of ten; no
 * double is ever involved.  strtod's extras (nan, inf, hex floats, leading
 * blanks, "1e" read as 1) are rejected here with a message naming what was
 * found, because model files that contain them are broken. */
#include <stdint.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>

#include "trop/q.h"

/* Longest token shown in a message; longer ones are cut with "...". */
#define TOKEN_SHOW 32

/* Exponents saturate here while their digits are read, so "1e999999999999"
 * costs nothing; any saturated exponent is far outside the double range. */
#define EXP_SATURATE ((long long)1 << 50)

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* 1 if s starts with word (case-insensitive) and the word ends there. */
static int word_is(const char *s, const char *word)
{
    size_t i;
    for (i = 0; word[i]; i++)
        if (lower(s[i]) != word[i])
            return 0;
    return !is_alnum(s[i]) || (word[0] == 'n' && s[i] == '(');
}

/* Copies the token starting at s into out (NUL-terminated) for messages:
 * up to a separator, at most TOKEN_SHOW characters, non-printable bytes as
 * '?'.  whole: copy up to the end of the string instead of a separator. */
static void show_token(char *out, const char *s, int whole)
{
    size_t i;
    for (i = 0; s[i] && i < TOKEN_SHOW; i++) {
        char c = s[i];
        if (!whole && (is_blank(c) || c == ',' || c == ']' || c == '}' || c == '"'))
            break;
        out[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    if (s[i] && i == TOKEN_SHOW && (whole || !is_blank(s[i]))) {
        memcpy(out + i, "...", 3);
        i += 3;
    }
    if (i == 0) {
        memcpy(out, "(nothing)", 9);
        i = 9;
    }
    out[i] = '\0';
}

static trop_status token_error(trop_error *err, trop_status st, const char *s,
                               int whole, const char *reason)
{
    char tok[TOKEN_SHOW + 16];
    show_token(tok, s, whole);
    if (reason == NULL)
        return trop_error_set(err, st, "q", "expected a number, found \"%s\"", tok);
    return trop_error_set(err, st, "q", "found \"%s\": %s", tok, reason);
}

/* Scans the syntax of a decimal at p (after the sign).  Fills the digit
 * runs and the exponent; returns the end, or NULL with *why set. */
typedef struct dec_scan {
    const char *int_digits, *frac_digits;
    size_t nint, nfrac;
    long long expo;         /* saturated at +-EXP_SATURATE */
} dec_scan;

static const char *scan_decimal(dec_scan *d, const char *p, const char **why)
{
    d->int_digits = p;
    while (is_digit(*p))
        p++;
    d->nint = (size_t)(p - d->int_digits);
    d->frac_digits = p;
    d->nfrac = 0;
    if (*p == '.') {
        d->frac_digits = ++p;
        while (is_digit(*p))
            p++;
        d->nfrac = (size_t)(p - d->frac_digits);
    }
    if (d->nint + d->nfrac == 0) {
        *why = NULL;   /* not a number at all */
        return NULL;
    }
    d->expo = 0;
    if (*p == 'e' || *p == 'E') {
        int eneg = 0;
        p++;
        if (*p == '+' || *p == '-')
            eneg = (*p++ == '-');
        if (!is_digit(*p)) {
            *why = "incomplete exponent";
            return NULL;
        }
        for (; is_digit(*p); p++)
            if (d->expo < EXP_SATURATE)
                d->expo = d->expo * 10 + (*p - '0');
        if (eneg)
            d->expo = -d->expo;
    }
    return p;
}

/* Copies the significant digits (leading zeros dropped) into a new
 * NUL-terminated string; *nsig receives their count (0 for a zero). */
static char *significant_digits(const dec_scan *d, size_t *nsig)
{
    size_t n = d->nint + d->nfrac, i, k = 0;
    char *buf = trop_malloc(n + 1);
    for (i = 0; i < n; i++) {
        char c = i < d->nint ? d->int_digits[i] : d->frac_digits[i - d->nint];
        if (k == 0 && c == '0')
            continue;
        buf[k++] = c;
    }
    buf[k] = '\0';
    *nsig = k;
    return buf;
}

/* Exact range check: 0 if a double parse of x would give a finite nonzero
 * double, else +1 (too large: |x| >= DBL_MAX + ulp/2 = (2^54 - 1) 2^970
 * rounds to infinity) or -1 (too small: |x| <= 2^-1075 rounds to zero).  So
 * "4.9406564584124654e-324", the usual spelling of the smallest subnormal,
 * is accepted.  x is nonzero. */
static int double_range_cmp(const fmpq_t x)
{
    fmpq_t a, lim;
    int r = 0;
    fmpq_init(a);
    fmpq_init(lim);
    fmpq_abs(a, x);
    fmpz_one(fmpq_numref(lim));
    fmpz_mul_2exp(fmpq_numref(lim), fmpq_numref(lim), 54);
    fmpz_sub_ui(fmpq_numref(lim), fmpq_numref(lim), 1);
    fmpz_mul_2exp(fmpq_numref(lim), fmpq_numref(lim), 970);
    if (fmpq_cmp(a, lim) >= 0)
        r = 1;
    fmpz_one(fmpq_numref(lim));
    fmpz_one(fmpq_denref(lim));
    fmpz_mul_2exp(fmpq_denref(lim), fmpq_denref(lim), 1075);
    if (r == 0 && fmpq_cmp(a, lim) <= 0)
        r = -1;
    fmpq_clear(a);
    fmpq_clear(lim);
    return r;
}

/* res = digits * 10^e10 exactly (digits: a nonempty decimal string). */
static void set_digits_pow10(fmpq_t res, const char *digits, long long e10)
{
    fmpz_t num, p;
    fmpz_init(num);
    fmpz_init(p);
    fmpz_set_str(num, digits, 10);
    fmpz_set_ui(p, 10);
    fmpz_pow_ui(p, p, (ulong)(e10 >= 0 ? e10 : -e10));
    if (e10 >= 0) {
        fmpz_mul(fmpq_numref(res), num, p);
        fmpz_one(fmpq_denref(res));
    } else {
        fmpq_set_fmpz_frac(res, num, p);
    }
    fmpz_clear(num);
    fmpz_clear(p);
}

/* Sets res from a scanned decimal; checks the double range first on the
 * digit count alone, so absurd exponents never reach a power of ten. */
static trop_status decimal_value(fmpq_t res, const dec_scan *d, int neg,
                                 const char *tok, trop_error *err)
{
    static const char *too_big =
        "out of the range of a double (above DBL_MAX, it rounds to infinity)";
    static const char *too_small =
        "out of the range of a double (nonzero but at most 2^-1075, half the smallest subnormal 2^-1074: it rounds to zero)";
    size_t nsig;
    char *digits = significant_digits(d, &nsig);
    /* |x| lies in [10^(nsig-1+e10), 10^(nsig+e10)); DBL_MAX < 10^309 and
     * 2^-1074 > 10^-324.  nsig and nfrac are bounded by the string length,
     * expo by EXP_SATURATE, so nothing here overflows. */
    long long e10 = d->expo - (long long)d->nfrac;
    long long lo10 = (long long)nsig - 1 + e10, hi10 = (long long)nsig + e10;
    trop_status st = TROP_OK;
    if (nsig == 0) {
        fmpq_zero(res);
    } else if (lo10 > 308) {
        st = token_error(err, TROP_ERR_INVALID, tok, 0, too_big);
    } else if (hi10 < -323) {
        st = token_error(err, TROP_ERR_INVALID, tok, 0, too_small);
    } else {
        set_digits_pow10(res, digits, e10);
        if (neg)
            fmpq_neg(res, res);
        /* near either end of the range, decide exactly */
        if (lo10 >= 307 || hi10 <= -322) {
            int c = double_range_cmp(res);
            if (c != 0)
                st = token_error(err, TROP_ERR_INVALID, tok, 0, c > 0 ? too_big : too_small);
        }
    }
    trop_free(digits);
    if (st != TROP_OK)
        fmpq_zero(res);
    return st;
}

trop_status trop_q_parse_decimal(fmpq_t res, const char *s, const char **end,
                                 trop_error *err)
{
    const char *p = s, *q, *why = NULL;
    dec_scan d;
    int neg = 0;
    trop_status st;
    if (end)
        *end = s;
    fmpq_zero(res);
    if (*p == '+' || *p == '-')
        neg = (*p++ == '-');
    if (word_is(p, "nan"))
        return token_error(err, TROP_ERR_INVALID, s, 0, "NaN is not a finite number");
    if (word_is(p, "inf") || word_is(p, "infinity"))
        return token_error(err, TROP_ERR_INVALID, s, 0, "infinity is not a finite number");
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        return token_error(err, TROP_ERR_FORMAT, s, 0,
                           "hexadecimal numbers are not accepted");
    q = scan_decimal(&d, p, &why);
    if (q == NULL)
        return token_error(err, TROP_ERR_FORMAT, s, 0, why);
    st = decimal_value(res, &d, neg, s, err);
    if (st == TROP_OK && end)
        *end = q;
    return st;
}

/* Scans [+-]digits (sign only if allow_sign); returns the end or NULL. */
static const char *scan_integer(const char *p, int allow_sign)
{
    if (allow_sign && (*p == '+' || *p == '-'))
        p++;
    if (!is_digit(*p))
        return NULL;
    while (is_digit(*p))
        p++;
    return p;
}

/* Sets z from the integer text [p, e) (an optional sign, then digits). */
static void set_integer(fmpz_t z, const char *p, const char *e)
{
    size_t n = (size_t)(e - p);
    char *buf = trop_malloc(n + 1);
    memcpy(buf, p, n);
    buf[n] = '\0';
    fmpz_set_str(z, buf[0] == '+' ? buf + 1 : buf, 10);
    trop_free(buf);
}

/* "p/q" at s (blanks already skipped); returns 0 if s is not of that shape
 * up to the slash, so the caller tries a decimal instead. */
static int try_rational(fmpq_t res, const char *s, trop_status *st, trop_error *err)
{
    const char *pe = scan_integer(s, 1), *qe;
    fmpz_t num, den;
    if (pe == NULL || *pe != '/')
        return 0;
    qe = scan_integer(pe + 1, 0);
    if (qe == NULL) {
        *st = token_error(err, TROP_ERR_FORMAT, s, 1, "expected digits after '/'");
        return 1;
    }
    while (is_blank(*qe))
        qe++;
    if (*qe != '\0') {
        *st = token_error(err, TROP_ERR_FORMAT, s, 1, "unexpected text after the number");
        return 1;
    }
    fmpz_init(num);
    fmpz_init(den);
    set_integer(num, s, pe);
    set_integer(den, pe + 1, scan_integer(pe + 1, 0));
    if (fmpz_is_zero(den)) {
        *st = token_error(err, TROP_ERR_INVALID, s, 1, "zero denominator");
    } else {
        fmpq_set_fmpz_frac(res, num, den);
        *st = TROP_OK;
    }
    fmpz_clear(num);
    fmpz_clear(den);
    return 1;
}

trop_status trop_q_set_str(fmpq_t res, const char *s, trop_error *err)
{
    const char *end;
    trop_status st;
    while (is_blank(*s))
        s++;
    fmpq_zero(res);
    if (try_rational(res, s, &st, err))
        return st;
    st = trop_q_parse_decimal(res, s, &end, err);
    if (st != TROP_OK)
        return st;
    while (is_blank(*end))
        end++;
    if (*end != '\0') {
        fmpq_zero(res);
        return token_error(err, TROP_ERR_FORMAT, s, 1, "unexpected text after the number");
    }
    return TROP_OK;
}
