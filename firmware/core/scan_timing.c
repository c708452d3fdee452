#include "scan_timing.h"
#include "framebuffer.h"

mb_plane_timing mb_plane_timing_at(const mb_scan_timing *t, uint8_t plane, uint8_t brightness) {
  mb_plane_timing p;
  uint32_t weight = t->bit0_ticks << plane;
  /* The address only changes before plane 0: only that plane waits for it to settle. It is
   * the shortest plane, padded to row_min anyway, so the wait costs neither light nor time. */
  p.dark = plane == 0 && t->settle_ticks > MB_SCAN_DARK_MIN_TICKS ? t->settle_ticks
                                                                    : MB_SCAN_DARK_MIN_TICKS;
  p.lit = (weight * brightness + 127u) / 255u;
  if (p.lit == 0 && brightness > 0 && weight > 0) p.lit = 1;
  p.next = p.dark + weight > t->row_min_ticks ? p.dark + weight : t->row_min_ticks;
  return p;
}

uint32_t mb_scan_row_pair_ticks(const mb_scan_timing *t) {
  uint32_t total = 0;
  for (uint8_t p = 0; p < t->depth; p++) total += mb_plane_timing_at(t, p, 255).next;
  return total;
}

uint32_t mb_scan_refresh_millihz(const mb_scan_timing *t) {
  uint64_t frame = (uint64_t)mb_scan_row_pair_ticks(t) * MB_ROW_PAIRS;
  return frame ? (uint32_t)(((uint64_t)t->timer_hz * 1000u + frame / 2u) / frame) : 0;
}

uint32_t mb_scan_lit_permille(const mb_scan_timing *t) {
  uint32_t lit = 0, total = mb_scan_row_pair_ticks(t);
  for (uint8_t p = 0; p < t->depth; p++) lit += mb_plane_timing_at(t, p, 255).lit;
  return total ? (uint32_t)(((uint64_t)lit * 1000u + total / 2u) / total) : 0;
}

uint32_t mb_scan_cpu_permille(const mb_scan_timing *t) {
  uint64_t isr_per_s_milli = (uint64_t)mb_scan_refresh_millihz(t) * MB_ROW_PAIRS * t->depth;
  uint64_t cpu = (uint64_t)t->cpu_hz * 1000u;
  return cpu ? (uint32_t)((isr_per_s_milli * t->isr_cycles * 1000u + cpu / 2u) / cpu) : 0;
}

uint32_t mb_scan_fit_bit0(const mb_scan_timing *t, uint32_t min_millihz) {
  mb_scan_timing probe = *t;
  uint32_t best = 0;
  /* The refresh rate only falls as plane 0 grows. */
  for (probe.bit0_ticks = 1; probe.bit0_ticks <= t->row_min_ticks; probe.bit0_ticks++) {
    if (mb_scan_refresh_millihz(&probe) < min_millihz) break;
    best = probe.bit0_ticks;
  }
  return best;
}
