/* Button debouncing and click timing (docs/serial-protocol.md §3, BUTTON). */
#ifndef MB_BUTTON_H
#define MB_BUTTON_H
#include <stdbool.h>
#include <stdint.h>

#define MB_DEBOUNCE_MS 20u
#define MB_CLICK_MAX_MS 500u
#define MB_LONG_PRESS_MS 800u

typedef struct {
  bool stable, candidate;
  uint32_t candidate_since, down_at;
  bool long_sent;
} mb_button;

typedef struct {
  uint8_t event; /* mb_button_event */
  uint32_t time_ms;
} mb_button_event_at;

void mb_button_init(mb_button *b);
/* Feed the raw level; returns how many events (at most 2) were written to out. */
uint8_t mb_button_sample(mb_button *b, bool pressed, uint32_t now, mb_button_event_at out[2]);

#endif
