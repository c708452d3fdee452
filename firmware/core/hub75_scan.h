/* HUB75 1/16-scan refresh with binary code modulation, driven by the board's timer ISR. */
#ifndef MB_HUB75_SCAN_H
#define MB_HUB75_SCAN_H
#include <stdbool.h>
#include <stdint.h>
#include "framebuffer.h"
#include "scan_timing.h"

/* Full refreshes so far and board_cycle_count() when the latest one ended: the device turns
 * two readings a second apart into STATUS.refresh_hz. */
typedef struct {
  volatile uint32_t frames;
  volatile uint32_t at_cycle;
} mb_refresh_meter;

typedef struct {
  mb_framebuffer *fb;
  mb_scan_timing timing;  /* per-plane dark/lit/next times (scan_timing.h) */
  uint8_t row, plane;     /* what is in the shift registers, waiting for the next latch */
  mb_refresh_meter meter;
} mb_scan;

void mb_scan_init(mb_scan *s, mb_framebuffer *fb, const mb_scan_timing *timing);
/* Shifts the first plane in and starts the timer. */
void mb_scan_start(mb_scan *s);
/* The board's timer ISR calls this and nothing else. */
void mb_scan_row_handler(mb_scan *s);

#endif
