/* The BCM scan's timing model: how long each bit-plane is dark, lit and until the next row
 * interrupt, and what refresh rate that gives. The scan ISR uses it for every plane, the host
 * tests check it against the cycle table in firmware/README.md, and `npm run bench` prints it
 * (through tools/scan_model.c), so the figures quoted are the ones the firmware runs. */
#ifndef MB_SCAN_TIMING_H
#define MB_SCAN_TIMING_H
#include <stdint.h>

typedef struct {
  uint32_t timer_hz;      /* the scan timer's clock */
  uint32_t cpu_hz;        /* for the CPU share only */
  uint32_t isr_cycles;    /* the row ISR's cost (an estimate), for the CPU share only */
  uint32_t bit0_ticks;    /* plane 0's lit time at full brightness; plane p is lit bit0 << p */
  uint32_t row_min_ticks; /* no interrupt interval shorter: the row ISR's time, with headroom */
  uint32_t settle_ticks;  /* dark after each row address change, while the row drivers settle */
  uint8_t depth;          /* bit-planes per colour */
} mb_scan_timing;

/* One plane, from the moment its row is latched: dark (OE blanked) for `dark` ticks, lit for
 * `lit`, then blanked again until the next row interrupt at `next`. */
typedef struct {
  uint32_t dark, lit, next;
} mb_plane_timing;

/* Shortest dark time: the unblank is a timer compare, which cannot fire at tick 0. */
#define MB_SCAN_DARK_MIN_TICKS 1u

/* Brightness (0..255) only shortens the lit time, rounded, at least one tick while it is not
 * 0: every plane keeps its weight, so dimming loses no colour depth, and `next` never
 * changes, so neither does the refresh rate. */
mb_plane_timing mb_plane_timing_at(const mb_scan_timing *t, uint8_t plane, uint8_t brightness);

/* Timer ticks for one row pair (all planes), independent of brightness. */
uint32_t mb_scan_row_pair_ticks(const mb_scan_timing *t);
/* Full refreshes per second times 1000 (16 row pairs). */
uint32_t mb_scan_refresh_millihz(const mb_scan_timing *t);
/* Lit share of the time at full brightness, in units of 0.1 %. */
uint32_t mb_scan_lit_permille(const mb_scan_timing *t);
/* Share of the CPU the row ISR takes, in units of 0.1 %. */
uint32_t mb_scan_cpu_permille(const mb_scan_timing *t);
/* The longest plane 0 (the most light) that still refreshes at min_millihz or faster; 0 when
 * even the shortest cannot. */
uint32_t mb_scan_fit_bit0(const mb_scan_timing *t, uint32_t min_millihz);

#endif
