/* tools/common.c: shared helpers of the command-line tools. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "common.h"

void tool_print_error(const char *prog, const char *what, const trop_error *err)
{
    size_t n = what ? strlen(what) : 0;
    /* readers start their messages with the file name: print it once,
     * before the status, as "prog: FILE: format error: line 3: ..." */
    if (n > 0 && strncmp(err->msg, what, n) == 0 && strncmp(err->msg + n, ": ", 2) == 0)
        fprintf(stderr, "%s: %s: %s: %s\n", prog, what, trop_status_str(err->status),
                err->msg + n + 2);
    else if (n > 0)
        fprintf(stderr, "%s: %s: %s: %s\n", prog, what, trop_status_str(err->status), err->msg);
    else
        fprintf(stderr, "%s: %s: %s\n", prog, trop_status_str(err->status), err->msg);
}

int tool_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
    return TOOL_EXIT_USAGE;
}

slong tool_parse_qvec(fmpq *v, slong n, const char *s)
{
    /* split on ',' by hand: strtok would skip empty fields silently */
    char *buf = strdup(s), *p = buf, *comma;
    slong cnt = 0, cap = n < 0 ? -n : n;
    int bad = 0;
    for (;;) {
        comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (cnt >= cap || *p == '\0' || trop_q_set_str(v + cnt, p, NULL) != TROP_OK)
            bad = 1;
        cnt++;
        if (!comma || bad)
            break;
        p = comma + 1;
    }
    free(buf);
    if (bad || (n >= 0 && cnt != n))
        return -1;
    return cnt;
}

int tool_parse_pair(slong *i, slong *j, const char *s, slong n)
{
    char *end;
    long a, b;
    a = strtol(s, &end, 10);
    if (end == s || *end != ',')
        return -1;
    s = end + 1;
    b = strtol(s, &end, 10);
    if (end == s || *end != '\0')
        return -1;
    if (a < 0 || b < 0 || a >= n || b >= n || a == b)
        return -1;
    *i = a;
    *j = b;
    return 0;
}

int tool_progress_enabled(void)
{
    return isatty(STDERR_FILENO);
}

double tool_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static volatile sig_atomic_t interrupted_flag = 0;

/* The hard stop (tool_hard_stop): the message the alarm prints and the
 * grace it allows after a signal.  Process-wide by nature, like the
 * signal dispositions themselves. */
static char hard_msg[320];
static size_t hard_len;
static unsigned hard_grace;

static void on_alarm(int sig)
{
    (void)sig;
    if (write(STDERR_FILENO, hard_msg, hard_len) < 0) {
        /* nothing more can be done */
    }
    _exit(1);
}

static void on_signal(int sig)
{
    (void)sig;
    interrupted_flag = 1;
    if (hard_grace)
        alarm(hard_grace);   /* async-signal-safe */
}

void tool_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    /* the first signal asks for a clean stop at the next check; a second
     * one kills at once (outputs are atomic, so nothing is half-written) */
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);   /* a closed terminal stops as cleanly */
    /* a closed pipe must give a write error we report, not a silent death */
    signal(SIGPIPE, SIG_IGN);
}

void tool_hard_stop(const char *prog, unsigned grace, double max_seconds)
{
    struct sigaction sa;
    int n = snprintf(hard_msg, sizeof hard_msg, "%s: stopped %u s after the stop was asked, "
                     "inside a step that cannot be interrupted (qhull); nothing written\n",
                     prog, grace);
    hard_len = n < 0 ? 0 : (size_t)n < sizeof hard_msg ? (size_t)n : sizeof hard_msg - 1;
    hard_grace = grace;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    if (max_seconds > 0)
        alarm(max_seconds + grace < 4e9 ? (unsigned)max_seconds + grace : 4000000000u);
}

void tool_hard_stop_disarm(void)
{
    alarm(0);
}

int tool_interrupted(void)
{
    return interrupted_flag != 0;
}

int tool_progress_draw(tool_progress *pr, const char *prog, const char *fmt, ...)
{
    double now;
    va_list ap;
    if (pr->on) {
        now = tool_now();
        if (now - pr->last > 0.1) {
            fprintf(stderr, "\r%s: ", prog);
            va_start(ap, fmt);
            vfprintf(stderr, fmt, ap);
            va_end(ap);
            fputs("   ", stderr);
            pr->last = now;
            pr->drawn = 1;
        }
    }
    return tool_interrupted() || (pr->deadline > 0 && tool_now() > pr->deadline);
}

int tool_parse_long(long *v, const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    *v = strtol(s, &end, 10);
    return end != s && *end == '\0' && errno != ERANGE && *v >= lo && *v <= hi;
}
