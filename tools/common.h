/* tools/common.h: what the command-line tools share: error printing,
 * exit codes, parsing of rational vectors, progress on a terminal. */
#ifndef TROP_TOOLS_COMMON_H
#define TROP_TOOLS_COMMON_H
#include <stdio.h>
#include "trop/trop.h"

enum { TOOL_EXIT_OK = 0, TOOL_EXIT_FAIL = 1, TOOL_EXIT_USAGE = 2 };

/* Prints "prog: what: status: msg" to stderr. */
void tool_print_error(const char *prog, const char *what, const trop_error *err);

/* Prints "prog: msg" and "Try 'prog --help'." to stderr; returns 2. */
int tool_usage_error(const char *prog, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parses "q1,q2,...,qn" (each a decimal or p/q) into v: [n] (initialised by
 * the caller).  Returns the number of entries found, or -1 on a bad entry
 * or a count other than n (n < 0 accepts any count up to -n). */
slong tool_parse_qvec(fmpq *v, slong n, const char *s);

/* Parses "I,J" into two distinct indices in [0, n). Returns 0 on success. */
int tool_parse_pair(slong *i, slong *j, const char *s, slong n);

/* 1 if progress lines should be drawn (stderr is a terminal). */
int tool_progress_enabled(void);

/* A progress line on stderr: on when drawing is wanted (see
 * tool_progress_enabled), last the time of the last drawing, drawn whether
 * anything was drawn (then the caller ends the line). */
typedef struct { double last; int on, drawn; double deadline; } tool_progress;

/* Redraws the line "\rprog: <formatted text>" when on and at least 0.1 s
 * have passed; returns nonzero when the job should stop: tool_interrupted(),
 * or the clock (tool_now) past deadline when deadline > 0.  Progress
 * callbacks can return it directly. */
int tool_progress_draw(tool_progress *pr, const char *prog, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* *v = the decimal integer s when it lies in [lo, hi]; returns 0 if s is not
 * one (or out of range). */
int tool_parse_long(long *v, const char *s, long lo, long hi);

/* Seconds since an arbitrary start (monotonic clock). */
double tool_now(void);

/* Sets up SIGINT/SIGTERM/SIGHUP so that a long job can stop cleanly: the first
 * signal only sets a flag, which tool_interrupted() reads; a second one
 * terminates at once. */
void tool_catch_signals(void);
int tool_interrupted(void);

/* For tools whose work may sit for minutes in a call that cannot check the
 * flag (qhull, deep in a pruning) and whose outputs are all written at the
 * end: grace seconds after the first signal, or after max_seconds (when
 * > 0) plus grace, the process prints why on stderr and exits with status
 * 1.  Call after tool_catch_signals. */
void tool_hard_stop(const char *prog, unsigned grace, double max_seconds);
/* Cancels the max_seconds alarm (a later signal still arms its grace). */
void tool_hard_stop_disarm(void);
#endif
