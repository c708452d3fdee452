#include "watchdog_gate.h"

void mb_wdg_gate_init(mb_wdg_gate *g, const mb_refresh_meter *scan, uint32_t now_ms) {
  g->scan = scan;
  g->last_feed_ms = now_ms;
  g->frames_at_feed = scan ? scan->frames : 0;
}

bool mb_wdg_gate_should_feed(mb_wdg_gate *g, uint32_t now_ms) {
  if (now_ms - g->last_feed_ms < MB_WDG_FEED_MS) return false;
  if (g->scan) {
    uint32_t frames = g->scan->frames; /* one aligned word: the ISR's write is atomic */
    if (frames == g->frames_at_feed) return false;
    g->frames_at_feed = frames;
  }
  g->last_feed_ms = now_ms;
  return true;
}
