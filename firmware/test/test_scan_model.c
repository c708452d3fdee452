/* The scan timing model (core/scan_timing.c) with the Nano 33 BLE's figures
 * (board/nano33ble/scan_budget.h) against the cycle tables in firmware/README.md: every row of
 * those tables is generated here from the model and must appear in the README as written, so
 * the README cannot quote figures the firmware does not run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../board/nano33ble/scan_budget.h"
#include "../core/scan_timing.h"
#include "check.h"
#include "suites.h"

static char *readme;

static const mb_scan_timing nano = MB_NANO33BLE_SCAN_TIMING;

/* 15464 -> "15,464", as the README writes numbers. */
static const char *thousands(uint32_t v, char *out) {
  char digits[16];
  int n = snprintf(digits, sizeof digits, "%u", v), at = 0;
  for (int i = 0; i < n; i++) {
    if (i > 0 && (n - i) % 3 == 0) out[at++] = ',';
    out[at++] = digits[i];
  }
  out[at] = '\0';
  return out;
}

static void expect_row(const char *row) {
  if (readme && strstr(readme, row)) return;
  check_failures++;
  fprintf(stderr, "  firmware/README.md lacks the model's row: %s\n", row);
}

static void readme_plane_table_is_the_model(void) {
  char row[160], a[16], b[16], c[16], d[16];
  uint32_t lit = 0;
  for (uint8_t p = 0; p < nano.depth; p++) {
    mb_plane_timing t = mb_plane_timing_at(&nano, p, 255);
    lit += t.lit;
    snprintf(row, sizeof row, "| %u | %s | %s | %s | %s |", p, thousands(t.dark, a), thousands(t.lit, b),
             thousands(t.next, c), thousands(t.next * (nano.cpu_hz / nano.timer_hz), d));
    expect_row(row);
  }
  uint32_t total = mb_scan_row_pair_ticks(&nano);
  snprintf(row, sizeof row, "| row pair | | %s | %s | %s |", thousands(lit, a), thousands(total, b),
           thousands(total * (nano.cpu_hz / nano.timer_hz), c));
  expect_row(row);
}

static void readme_depth_table_is_the_model(void) {
  char row[160];
  for (uint8_t depth = 6; depth <= 8; depth++) {
    mb_scan_timing t = nano;
    t.depth = depth;
    t.bit0_ticks = mb_scan_fit_bit0(&t, MB_MIN_REFRESH_MILLIHZ);
    uint32_t hz = mb_scan_refresh_millihz(&t), lit = mb_scan_lit_permille(&t);
    uint32_t cpu = mb_scan_cpu_permille(&t);
    snprintf(row, sizeof row, "| %u | %u | %u.%u Hz | %u.%u %% | %u.%u %% |", depth, t.bit0_ticks,
             (hz + 50u) / 1000u, (hz + 50u) % 1000u / 100u, lit / 10u, lit % 10u, cpu / 10u, cpu % 10u);
    expect_row(row);
  }
}

/* The default is what the README chose it to be: 8 planes, the longest plane 0 that keeps the
 * target, and the row change's settle time hidden inside plane 0's padding. */
static void default_meets_the_target(void) {
  CHECK_EQ(nano.depth, 8);
  CHECK(mb_scan_refresh_millihz(&nano) >= MB_MIN_REFRESH_MILLIHZ);
  CHECK_EQ(nano.bit0_ticks, mb_scan_fit_bit0(&nano, MB_MIN_REFRESH_MILLIHZ));
  CHECK(nano.settle_ticks + nano.bit0_ticks <= nano.row_min_ticks);
  mb_scan_timing no_settle = nano;
  no_settle.settle_ticks = 0;
  CHECK_EQ(mb_scan_row_pair_ticks(&no_settle), mb_scan_row_pair_ticks(&nano));
  /* The interval floor covers the ISR estimate with room to spare. */
  CHECK(nano.row_min_ticks * (nano.cpu_hz / nano.timer_hz) >= nano.isr_cycles * 5u / 4u);
}

static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = calloc((size_t)n + 1u, 1);
  if (text && fread(text, 1, (size_t)n, f) != (size_t)n) text[0] = '\0';
  fclose(f);
  return text;
}

void suite_scan_model(const char *readme_path) {
  readme = read_all(readme_path);
  if (!readme) {
    check_failures++;
    fprintf(stderr, "  cannot read %s\n", readme_path);
  }
  RUN(readme_plane_table_is_the_model);
  RUN(readme_depth_table_is_the_model);
  RUN(default_meets_the_target);
  free(readme);
  readme = NULL;
}
