/* tests/common/runner.h: shared helpers of the Check suites. */
#ifndef TROP_TEST_RUNNER_H
#define TROP_TEST_RUNNER_H
#include <check.h>

/* Runs the suite made by make_suite and returns the process exit status. */
int trop_test_main(Suite *(*make_suite)(void));
/* The base seed: TROP_TEST_SEED from the environment, else a fixed default. */
unsigned long long trop_test_seed(void);
/* Scales a loop count by TROP_TEST_MULTIPLIER (default 1). */
int trop_test_count(int n);
/* Path of a file under tests/data (static buffer). */
const char *trop_test_data(const char *name);
#endif
