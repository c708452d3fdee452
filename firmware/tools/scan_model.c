/* Prints the Nano 33 BLE's scan timing model (core/scan_timing.c with board/nano33ble/
 * scan_budget.h) as JSON, for each plane count 4..8 at the longest plane 0 that keeps the
 * target refresh rate. `npm run bench` builds and runs it (make build/host/scan_model), so the
 * figures it prints are the firmware's own. */
#include <stdio.h>
#include "../board/nano33ble/scan_budget.h"
#include "scan_timing.h"

static void print_timing(const mb_scan_timing *t) {
  uint32_t hz = mb_scan_refresh_millihz(t), lit = mb_scan_lit_permille(t);
  uint32_t cpu = mb_scan_cpu_permille(t);
  printf("{\"depth\": %u, \"bit0_ticks\": %u, \"refresh_hz\": %u.%03u, \"lit_percent\": %u.%u, "
         "\"cpu_percent\": %u.%u, \"planes\": [",
         t->depth, t->bit0_ticks, hz / 1000u, hz % 1000u, lit / 10u, lit % 10u, cpu / 10u, cpu % 10u);
  for (uint8_t p = 0; p < t->depth; p++) {
    mb_plane_timing pt = mb_plane_timing_at(t, p, 255);
    printf("%s{\"dark\": %u, \"lit\": %u, \"next\": %u}", p ? ", " : "", pt.dark, pt.lit, pt.next);
  }
  printf("]}");
}

int main(void) {
  mb_scan_timing t = MB_NANO33BLE_SCAN_TIMING;
  printf("{\"board\": \"nano33ble\", \"timer_hz\": %u, \"cpu_hz\": %u, \"row_isr_cycles\": %u, "
         "\"row_min_ticks\": %u, \"settle_ticks\": %u, \"target_refresh_hz\": %u, \"default\": ",
         t.timer_hz, t.cpu_hz, t.isr_cycles, t.row_min_ticks, t.settle_ticks,
         MB_MIN_REFRESH_MILLIHZ / 1000u);
  print_timing(&t);
  printf(", \"by_depth\": [");
  for (uint8_t depth = 4; depth <= 8; depth++) {
    t.depth = depth;
    t.bit0_ticks = mb_scan_fit_bit0(&t, MB_MIN_REFRESH_MILLIHZ);
    printf("%s", depth > 4 ? ", " : "");
    print_timing(&t);
  }
  printf("]}\n");
  return 0;
}
