#include "button.h"
#include "protocol.h"

void mb_button_init(mb_button *b) {
  b->stable = b->candidate = false;
  b->candidate_since = b->down_at = 0;
  b->long_sent = false;
}

uint8_t mb_button_sample(mb_button *b, bool pressed, uint32_t now, mb_button_event_at out[2]) {
  uint8_t n = 0;
  if (pressed != b->candidate) {
    b->candidate = pressed;
    b->candidate_since = now;
  }
  if (b->candidate != b->stable && now - b->candidate_since >= MB_DEBOUNCE_MS) {
    uint32_t edge = b->candidate_since; /* the time the level changed, not when it settled */
    b->stable = b->candidate;
    if (b->stable) {
      b->down_at = edge;
      b->long_sent = false;
      out[n++] = (mb_button_event_at){MB_BTN_DOWN, edge};
    } else {
      out[n++] = (mb_button_event_at){MB_BTN_UP, edge};
      if (!b->long_sent && edge - b->down_at < MB_CLICK_MAX_MS)
        out[n++] = (mb_button_event_at){MB_BTN_CLICK, edge};
    }
  }
  if (b->stable && !b->long_sent && now - b->down_at >= MB_LONG_PRESS_MS) {
    b->long_sent = true;
    out[n++] = (mb_button_event_at){MB_BTN_LONG, b->down_at + MB_LONG_PRESS_MS};
  }
  return n;
}
