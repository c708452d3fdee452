#include "fake_board.h"
#include <string.h>
#include "check.h"

uint8_t fake_tx[FAKE_TX_CAP];
size_t fake_tx_len;
bool fake_buttons[2];
bool fake_leds[8];
int fake_critical_depth;
uint32_t fake_cycles;
char fake_debug_log[256];

static mb_parser rx_parser;
static uint8_t tails[FAKE_TX_CAP];
static mb_msg decoded[4096];

void fake_board_reset(void) {
  fake_tx_len = 0;
  memset(fake_buttons, 0, sizeof fake_buttons);
  memset(fake_leds, 0, sizeof fake_leds);
  fake_critical_depth = 0;
  fake_cycles = 0;
  fake_debug_log[0] = '\0';
}

void board_serial_write(const uint8_t *data, size_t len) {
  if (fake_tx_len + len > FAKE_TX_CAP) {
    check_failures++;
    fprintf(stderr, "  fake board: serial capture full\n");
    return;
  }
  memcpy(fake_tx + fake_tx_len, data, len);
  fake_tx_len += len;
}

bool board_button_pressed(uint8_t button) { return button < 2 && fake_buttons[button]; }
void board_led_set(uint8_t led, bool on) { if (led < 8) fake_leds[led] = on; }
void board_critical_enter(void) { fake_critical_depth++; }
void board_critical_exit(void) { fake_critical_depth--; }

size_t fake_tx_messages(mb_msg *out, size_t max) {
  size_t n = 0, tail_at = 0;
  mb_parser_init(&rx_parser);
  for (size_t i = 0; i < fake_tx_len && n < max; i++) {
    mb_packet pkt;
    mb_status why;
    mb_feed_result r = mb_parser_feed(&rx_parser, fake_tx[i], &pkt, &why);
    if (r == MB_FEED_DROPPED) {
      check_failures++;
      fprintf(stderr, "  fake board: device sent a bad frame (%d)\n", why);
    }
    if (r != MB_FEED_PACKET) continue;
    memcpy(tails + tail_at, pkt.body, pkt.body_len);
    pkt.body = tails + tail_at;
    tail_at += pkt.body_len;
    if (mb_msg_decode(&pkt, &out[n]) != MB_OK) {
      check_failures++;
      fprintf(stderr, "  fake board: device sent an undecodable message 0x%02x\n", pkt.type);
      continue;
    }
    n++;
  }
  return n;
}

const mb_msg *fake_tx_last(uint8_t type) {
  size_t n = fake_tx_messages(decoded, sizeof decoded / sizeof decoded[0]);
  for (size_t i = n; i-- > 0;)
    if (decoded[i].type == type) return &decoded[i];
  return NULL;
}

size_t fake_tx_count(uint8_t type) {
  size_t n = fake_tx_messages(decoded, sizeof decoded / sizeof decoded[0]), c = 0;
  for (size_t i = 0; i < n; i++) c += decoded[i].type == type;
  return c;
}

fake_panel_state fake_panel;

static void call(char hook) {
  size_t n = strlen(fake_panel.calls);
  if (n + 1 < sizeof fake_panel.calls) fake_panel.calls[n] = hook;
}

void board_hub75_blank(bool off) {
  fake_panel.blanked = off;
  call('B');
}
void board_hub75_latch(void) {
  fake_panel.latches++;
  call('L');
}
void board_hub75_select_row(uint8_t row_pair) {
  fake_panel.row = row_pair;
  fake_panel.row_selects++;
  call('R');
}
void board_hub75_shift(const uint8_t *pixels, uint16_t count) {
  fake_panel.shifts++;
  memcpy(fake_panel.last_shift, pixels, count < 64 ? count : 64);
  call('X');
}
void board_hub75_show(uint32_t dark, uint32_t lit, uint32_t next) {
  fake_panel.last = (fake_plane_shown){dark, lit, next};
  fake_panel.shows++;
  call('S');
}
uint32_t board_cycle_count(void) { return fake_cycles; }

void board_debug_log(uint8_t level, const char *text, size_t len) {
  (void)level;
  if (len >= sizeof fake_debug_log) len = sizeof fake_debug_log - 1;
  memcpy(fake_debug_log, text, len);
  fake_debug_log[len] = '\0';
}
