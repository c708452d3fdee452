/* When the main loop may feed the watchdog: only while the firmware makes progress. The main
 * loop asks on every pass (so a main loop that hangs never feeds), and on a board with a panel
 * the scan must have finished a refresh since the last feed (so a scan that stopped, its
 * interrupt lost or masked for good, lets the watchdog reset the board too). Feeding at most
 * every MB_WDG_FEED_MS leaves the scan time to show progress between two feeds. */
#ifndef MB_WATCHDOG_GATE_H
#define MB_WATCHDOG_GATE_H
#include <stdbool.h>
#include <stdint.h>
#include "hub75_scan.h"

#define MB_WDG_FEED_MS 50u

typedef struct {
  const mb_refresh_meter *scan; /* NULL: no panel, the main loop alone counts */
  uint32_t last_feed_ms;
  uint32_t frames_at_feed;
} mb_wdg_gate;

void mb_wdg_gate_init(mb_wdg_gate *g, const mb_refresh_meter *scan, uint32_t now_ms);
/* True when the caller should feed now (and the gate counts it as fed). */
bool mb_wdg_gate_should_feed(mb_wdg_gate *g, uint32_t now_ms);

#endif
