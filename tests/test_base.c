/* test_base.c: error reports, atomic files and the rng. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <check.h>
#include "trop/base.h"
#include "runner.h"

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/trop-test-base-XXXXXX");
    ck_assert(mkdtemp(dir) != NULL);
}

static void slurp(const char *path, char *buf, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    size_t n;
    ck_assert(fp != NULL);
    n = fread(buf, 1, cap - 1, fp);
    buf[n] = '\0';
    fclose(fp);
}

START_TEST(test_error)
{
    trop_error e;
    ck_assert_int_eq(trop_error_set(&e, TROP_ERR_FORMAT, "net", "line %d", 7), TROP_ERR_FORMAT);
    ck_assert_str_eq(e.msg, "line 7");
    ck_assert_str_eq(e.where, "net");
    trop_error_prefix(&e, "a.json");
    ck_assert_str_eq(e.msg, "a.json: line 7");
    ck_assert_int_eq(trop_error_set(NULL, TROP_ERR_IO, "x", "y"), TROP_ERR_IO);
    ck_assert_str_eq(trop_status_str(TROP_OK), "ok");
    ck_assert_str_eq(trop_status_str(TROP_ERR_LIMIT), "limit reached");
}
END_TEST

/* A long file name is shortened to "..." + its tail, never the message: the
 * CI checkout path once pushed the end of a reader's message out. */
START_TEST(test_error_long_name)
{
    char path[600], nb[TROP_ERROR_NAME_MAX + 1];
    trop_error e;
    size_t i;
    for (i = 0; i < 400; i++)
        path[i] = (char)('a' + i % 26);
    path[400] = '\0';
    trop_error_name(nb, path);
    ck_assert_uint_eq(strlen(nb), TROP_ERROR_NAME_MAX);
    ck_assert(strncmp(nb, "...", 3) == 0);
    ck_assert_str_eq(nb + 3, path + 400 - (TROP_ERROR_NAME_MAX - 3));
    /* a two-byte UTF-8 character across the cut is dropped whole */
    memset(path, 'x', 400);
    memcpy(path + 400 - (TROP_ERROR_NAME_MAX - 3) - 1, "\xc3\xa9", 2);
    trop_error_name(nb, path);
    ck_assert_uint_eq(strlen(nb), TROP_ERROR_NAME_MAX - 1);
    ck_assert(strchr(nb, '\xa9') == NULL);
    /* short names are kept as they are */
    ck_assert_str_eq(trop_error_name(nb, "net.json"), "net.json");
    /* the message keeps its end after a long prefix */
    memset(path, 'd', 500);
    path[500] = '\0';
    trop_error_set(&e, TROP_ERR_FORMAT, "net", "%s", "the whole message, to its last word");
    trop_error_prefix(&e, path);
    ck_assert_ptr_nonnull(strstr(e.msg, ": the whole message, to its last word"));
    ck_assert(strncmp(e.msg, "...", 3) == 0);
}
END_TEST

START_TEST(test_afile_commit_abort)
{
    char path[512], buf[64];
    trop_afile f;
    struct stat st;
    make_dir();
    snprintf(path, sizeof path, "%s/out.txt", dir);
    ck_assert_int_eq(trop_afile_open(&f, path, NULL), TROP_OK);
    fputs("first", f.fp);
    ck_assert_int_eq(access(path, F_OK), -1);          /* nothing visible yet */
    ck_assert_int_eq(trop_afile_commit(&f, NULL), TROP_OK);
    slurp(path, buf, sizeof buf);
    ck_assert_str_eq(buf, "first");
    chmod(path, 0600);
    ck_assert_int_eq(trop_afile_open(&f, path, NULL), TROP_OK);
    fputs("second", f.fp);
    trop_afile_abort(&f);                                /* the old file survives */
    slurp(path, buf, sizeof buf);
    ck_assert_str_eq(buf, "first");
    ck_assert_int_eq(trop_afile_open(&f, path, NULL), TROP_OK);
    fputs("third", f.fp);
    ck_assert_int_eq(trop_afile_commit(&f, NULL), TROP_OK);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);           /* the mode is kept */
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_afile_symlink_and_device)
{
    char path[512], link[512], buf[64];
    trop_afile f;
    struct stat st;
    make_dir();
    snprintf(path, sizeof path, "%s/target", dir);
    snprintf(link, sizeof link, "%s/link", dir);
    ck_assert_int_eq(symlink("target", link), 0);
    ck_assert_int_eq(trop_afile_open(&f, link, NULL), TROP_OK);
    fputs("via link", f.fp);
    ck_assert_int_eq(trop_afile_commit(&f, NULL), TROP_OK);
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));                      /* still a link */
    slurp(path, buf, sizeof buf);
    ck_assert_str_eq(buf, "via link");
    ck_assert_int_eq(trop_afile_open(&f, "/dev/null", NULL), TROP_OK);
    fputs("gone", f.fp);
    ck_assert_int_eq(trop_afile_commit(&f, NULL), TROP_OK);
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));                      /* not replaced */
    ck_assert_int_ne(trop_afile_open(&f, "/nonexistent-dir/x", NULL), TROP_OK);
    unlink(link);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_rng)
{
    /* splitmix64 reference value: seed 0 gives 0xe220a8397b1dcdaf first */
    trop_rng r;
    slong i;
    trop_rng_init(&r, 0);
    ck_assert(trop_rng_u64(&r) == 0xe220a8397b1dcdafULL);
    for (i = 0; i < 1000; i++) {
        slong v = trop_rng_below(&r, 7);
        ck_assert(v >= 0 && v < 7);
    }
}
END_TEST

static Suite *base_suite(void)
{
    Suite *s = suite_create("base");
    TCase *tc = tcase_create("base");
    tcase_add_test(tc, test_error);
    tcase_add_test(tc, test_error_long_name);
    tcase_add_test(tc, test_afile_commit_abort);
    tcase_add_test(tc, test_afile_symlink_and_device);
    tcase_add_test(tc, test_rng);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return trop_test_main(base_suite);
}
