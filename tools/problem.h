/* tools/problem.h: the function a tool analyses: a network, or its
 * restriction to a plane (--slice-axes, --slice-points), and a box in the
 * analysed variables (--box, or the network's own box).  Shared by
 * tropicalize and trop-regions. */
#ifndef TROP_TOOLS_PROBLEM_H
#define TROP_TOOLS_PROBLEM_H
#include "trop/trop.h"

/* net: the analysed network (the slice, or a copy); when sliced, the
 * network's input is x = x0 + U t with x0: [n], U: [n x m] row-major;
 * lo, hi: [m], the box in the analysed variables; n: the inputs of the
 * original network; m: the analysed variables. */
typedef struct {
    trop_net_t net;
    int sliced;
    fmpq *x0, *U;
    fmpq *lo, *hi;
    slong m, n;
    char slice_desc[256];
} tool_problem;

/* The option strings (NULL when not given). */
typedef struct {
    const char *axes, *at, *points, *box;
} tool_slice_opts;

/* The checks of the option strings alone (before the network is read):
 * returns -1 when they are consistent, else the exit status of a usage
 * error already printed (as prog). */
int tool_slice_opts_check(const tool_slice_opts *o, const char *prog);

void tool_problem_init(tool_problem *p);
void tool_problem_clear(tool_problem *p);
/* Sets up p from net and the options; returns -1 on success, else the exit
 * status of a usage error already printed (as prog). */
int tool_problem_setup(tool_problem *p, const trop_net_t net, const tool_slice_opts *o,
                       const char *prog);
#endif
