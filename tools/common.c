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

static void on_signal(int sig)
{
    (void)sig;
    interrupted_flag = 1;
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
