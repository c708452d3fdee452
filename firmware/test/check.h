/* A minimal test runner: CHECK records a failure and carries on; RUN counts a test as passed
 * when none of its CHECKs failed. main() prints "N passed, N failed" last. */
#ifndef MB_CHECK_H
#define MB_CHECK_H
#include <stdio.h>

extern int check_failures;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      check_failures++;                                               \
      fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
    }                                                                 \
  } while (0)

#define CHECK_EQ(a, b)                                                                    \
  do {                                                                                    \
    long long check_a_ = (long long)(a), check_b_ = (long long)(b);                       \
    if (check_a_ != check_b_) {                                                           \
      check_failures++;                                                                   \
      fprintf(stderr, "  %s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, \
              #b, check_a_, check_b_);                                                    \
    }                                                                                     \
  } while (0)

void run_test(const char *name, void (*fn)(void));
#define RUN(fn) run_test(#fn, fn)

#endif
