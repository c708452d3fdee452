/* Button debouncing (docs/serial-protocol.md §3, BUTTON). The firmware only reports debounced
 * DOWN/UP edges with their times; the host turns them into press, long press and double press. */
#ifndef MB_BUTTON_H
#define MB_BUTTON_H
#include <stdbool.h>
#include <stdint.h>

#define MB_DEBOUNCE_MS 20u

typedef struct {
  bool stable, candidate;
  uint32_t candidate_since;
} mb_button;

typedef struct {
  uint8_t event; /* mb_button_event */
  uint32_t time_ms;
} mb_button_event_at;

void mb_button_init(mb_button *b);
/* Feed the raw level; true when it completed a debounced edge, written to out. */
bool mb_button_sample(mb_button *b, bool pressed, uint32_t now, mb_button_event_at *out);

#endif
