/* Lab 2: what the student's stats.c must define. */
#ifndef STATS_H
#define STATS_H
#include <stddef.h>
long sum(const int *xs, size_t n);
int max_of(const int *xs, size_t n);      /* n > 0 */
void reverse(int *xs, size_t n);
#endif
