/* tests/common/runner.c: runs one Check suite; the seed and the repetition
 * multiplier come from the environment so failures can be replayed. */
#include <stdio.h>
#include <stdlib.h>
#include <flint/flint.h>
#include "runner.h"

unsigned long long trop_test_seed(void)
{
    const char *s = getenv("TROP_TEST_SEED");
    return s ? strtoull(s, NULL, 10) : 20261129ULL;
}

int trop_test_count(int n)
{
    const char *s = getenv("TROP_TEST_MULTIPLIER");
    int m = s ? atoi(s) : 1;
    return n * (m > 0 ? m : 1);
}

const char *trop_test_data(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", TROP_TEST_DATA_DIR, name);
    return buf;
}

int trop_test_main(Suite *(*make_suite)(void))
{
    SRunner *sr = srunner_create(make_suite());
    int nfail;
    srunner_run_all(sr, CK_ENV);
    nfail = srunner_ntests_failed(sr);
    srunner_free(sr);
    flint_cleanup_master();
    return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
