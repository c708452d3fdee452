#include "button.h"
#include "protocol.h"

void mb_button_init(mb_button *b) {
  b->stable = b->candidate = false;
  b->candidate_since = 0;
}

bool mb_button_sample(mb_button *b, bool pressed, uint32_t now, mb_button_event_at *out) {
  if (pressed != b->candidate) {
    b->candidate = pressed;
    b->candidate_since = now;
  }
  if (b->candidate == b->stable || now - b->candidate_since < MB_DEBOUNCE_MS) return false;
  b->stable = b->candidate;
  /* The time the level changed, not when it settled: hold times measured by the host are the
   * user's, whatever the debounce delay. */
  *out = (mb_button_event_at){b->stable ? MB_BTN_DOWN : MB_BTN_UP, b->candidate_since};
  return true;
}
