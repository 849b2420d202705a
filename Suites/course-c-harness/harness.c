/* The instructor's tests for lab 2 (stats.c), one process per test (proctor_unit.h). */
#include "proctor_unit.h"
#include "stats.h"

static void test_sum(void) {
    int xs[] = {1, 2, 3, 4};
    PU_CHECK(sum(xs, 4) == 10);
}
static void test_sum_empty(void) { PU_CHECK(sum(NULL, 0) == 0); }
static void test_max(void) {
    int xs[] = {3, -1, 7, 2};
    PU_CHECK(max_of(xs, 4) == 7);
}
static void test_max_negative(void) {
    int xs[] = {-5, -2, -9};
    PU_CHECK(max_of(xs, 3) == -2);
}
static void test_reverse(void) {
    int xs[] = {1, 2, 3, 4, 5};
    reverse(xs, 5);
    PU_CHECK(xs[0] == 5 && xs[2] == 3 && xs[4] == 1);
}

int main(int argc, char **argv) {
    pu_test("sum", test_sum, 1, "visible");
    pu_test("sum_empty", test_sum_empty, 1, "visible");
    pu_test("max", test_max, 2, "visible");
    pu_test("max_negative", test_max_negative, 2, "after_due_date");
    pu_test("reverse", test_reverse, 2, "hidden");
    return pu_run(argc, argv);
}
