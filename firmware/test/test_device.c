/* The whole core as the board's main loop drives it, host side played by the test. */
#include <string.h>
#include "../core/crc.h"
#include "../core/device.h"
#include "check.h"
#include "fake_board.h"
#include "suites.h"

static const mb_board_info board = {"test-board", 0, 1, 2, 3, 1, false, 6, 8};
static mb_device dev;
static uint32_t now;
static uint16_t host_seq;

static void send(mb_msg *m) {
  static uint8_t wire[MB_MAX_WIRE];
  size_t n;
  if (MB_IS_SEQUENCED(m->type)) m->seq = host_seq++;
  mb_status st = mb_msg_encode(m, wire, sizeof wire, &n);
  CHECK_EQ(st, MB_OK);
  if (st == MB_OK) mb_device_rx(&dev, wire, n, now);
}

static void hello(uint8_t major) {
  mb_msg m = {.type = MB_T_HELLO};
  m.v[MB_F_HELLO_MAJOR] = major;
  send(&m);
}

static void start(void) {
  fake_board_reset();
  now = 5000;
  host_seq = 0;
  mb_device_init(&dev, &board, 0xC0FFEE, now);
  hello(1);
}

static void write_rect(uint8_t x, uint8_t y, uint8_t w, uint8_t h, const uint8_t *rgb) {
  mb_msg m = {.type = MB_T_WRITE_RECT, .tail = rgb, .tail_len = (uint16_t)(w * h * 3)};
  m.v[MB_F_RECT_X] = x;
  m.v[MB_F_RECT_Y] = y;
  m.v[MB_F_RECT_W] = w;
  m.v[MB_F_RECT_H] = h;
  send(&m);
}

static void simple(uint8_t type, uint32_t v0) {
  mb_msg m = {.type = type};
  m.v[0] = v0;
  send(&m);
}

static void hello_reply_describes_device(void) {
  start();
  const mb_msg *r = fake_tx_last(MB_T_HELLO_REPLY);
  CHECK(r != NULL);
  if (!r) return;
  CHECK_EQ(r->v[MB_F_HR_RESULT], 0);
  CHECK_EQ(r->v[MB_F_HR_PROTO_MAJOR], 1);
  CHECK_EQ(r->v[MB_F_HR_FW_MINOR], 1);
  CHECK_EQ(r->v[MB_F_HR_WIDTH], 64);
  CHECK_EQ(r->v[MB_F_HR_HEIGHT], 32);
  CHECK_EQ(r->v[MB_F_HR_DEPTH], 6);
  CHECK_EQ(r->v[MB_F_HR_MAX_PACKET], 1024);
  CHECK_EQ(r->v[MB_F_HR_WINDOW], 8);
  CHECK_EQ(r->v[MB_F_HR_BOOT_ID], 0xC0FFEE);
  CHECK(r->tail_len == 10 && memcmp(r->tail, "test-board", 10) == 0);
}

static void incompatible_major_is_refused(void) {
  fake_board_reset();
  mb_device_init(&dev, &board, 1, 0);
  hello(2);
  const mb_msg *r = fake_tx_last(MB_T_HELLO_REPLY);
  CHECK(r && r->v[MB_F_HR_RESULT] == 1);
  const mb_msg *log = fake_tx_last(MB_T_LOG);
  CHECK(log && log->v[MB_F_LOG_LEVEL] == MB_LOG_ERROR);
  simple(MB_T_COMMIT, 1);
  CHECK_EQ(dev.counters[MB_CNT_NO_SESSION], 1);
  CHECK_EQ(dev.fb.shown_id, 0);
}

static void full_frame_then_status_reports_its_crc(void) {
  start();
  static uint8_t frame[MB_FRAME_BYTES];
  for (size_t i = 0; i < sizeof frame; i++) frame[i] = (uint8_t)(i * 31 + 7);
  for (uint8_t y = 0; y < 32; y += 4) write_rect(0, y, 64, 4, frame + y * 64 * 3);
  simple(MB_T_COMMIT, 77);
  simple(MB_T_GET_STATUS, 0);
  const mb_msg *st = fake_tx_last(MB_T_STATUS);
  CHECK(st != NULL);
  if (!st) return;
  CHECK_EQ(st->v[MB_F_ST_FRAME_ID], 77);
  CHECK_EQ(st->v[MB_F_ST_FRAME_CRC], mb_crc32_update(0, frame, sizeof frame));
  CHECK_EQ(st->v[MB_F_ST_UPTIME], now);
  CHECK_EQ(st->tail_count, MB_CNT_COUNT);
  CHECK_EQ(dev.counters[MB_CNT_RX_PACKETS], 11);
  CHECK_EQ(st->tail[MB_CNT_FRAMES_SHOWN * 4], 1);
  mb_device_poll(&dev, now, true);
  const mb_msg *ack = fake_tx_last(MB_T_DEV_ACK);
  CHECK(ack && ack->v[MB_F_ACK_NEXT] == 10);
}

static void duplicates_are_not_applied_again(void) {
  start();
  const uint8_t red[3] = {255, 0, 0}, green[3] = {0, 255, 0};
  write_rect(0, 0, 1, 1, red);
  write_rect(0, 0, 1, 1, green);
  host_seq = 0; /* the host resends seq 0 (its ACK was lost) */
  write_rect(0, 0, 1, 1, red);
  CHECK(memcmp(dev.fb.draw, green, 3) == 0);
  CHECK_EQ(dev.counters[MB_CNT_RX_DUPLICATES], 1);
  mb_device_poll(&dev, now, true);
  const mb_msg *ack = fake_tx_last(MB_T_DEV_ACK);
  CHECK(ack && ack->v[MB_F_ACK_NEXT] == 2);
}

static void a_gap_is_nacked_once_then_filled(void) {
  start();
  host_seq = 1; /* packet 0 was lost */
  simple(MB_T_SET_BRIGHTNESS, 10);
  simple(MB_T_SET_BRIGHTNESS, 20);
  CHECK_EQ(fake_tx_count(MB_T_DEV_NACK), 1);
  const mb_msg *nack = fake_tx_last(MB_T_DEV_NACK);
  CHECK(nack && nack->v[MB_F_ACK_NEXT] == 0);
  CHECK_EQ(dev.counters[MB_CNT_RX_GAPS], 2);
  host_seq = 0; /* go-back-N: resend from 0 */
  simple(MB_T_SET_BRIGHTNESS, 5);
  simple(MB_T_SET_BRIGHTNESS, 10);
  simple(MB_T_SET_BRIGHTNESS, 20);
  CHECK_EQ(dev.brightness, 20);
  CHECK_EQ(dev.link.rx_next, 3);
}

static void corrupt_input_is_counted_and_bad_commands_rejected(void) {
  start();
  const uint8_t noise[] = {0, 1, 2, 3, 4, 5, 6, 0, 0x30, 0x11, 0, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0};
  mb_device_rx(&dev, noise, sizeof noise, now);
  CHECK_EQ(dev.counters[MB_CNT_RX_CRC_ERRORS], 1);
  CHECK_EQ(dev.counters[MB_CNT_RX_MALFORMED], 2);
  const uint8_t px[3] = {1, 2, 3};
  write_rect(64, 0, 1, 1, px);
  const mb_msg *rej = fake_tx_last(MB_T_REJECT);
  CHECK(rej && rej->v[MB_F_REJ_SEQ] == 0 && rej->v[MB_F_REJ_REASON] == MB_REJ_OUT_OF_BOUNDS);
  simple(MB_T_SET_POWER, 2);
  rej = fake_tx_last(MB_T_REJECT);
  CHECK(rej && rej->v[MB_F_REJ_SEQ] == 1 && rej->v[MB_F_REJ_REASON] == MB_REJ_BAD_VALUE);
  /* An unknown sequenced type from a newer host: the schema-driven encoder refuses it. */
  uint8_t wire[16];
  size_t n;
  mb_writer w;
  mb_writer_begin(&w, wire, sizeof wire, 0x7F, host_seq++);
  CHECK_EQ(mb_writer_finish(&w, &n), MB_OK);
  mb_device_rx(&dev, wire, n, now);
  rej = fake_tx_last(MB_T_REJECT);
  CHECK(rej && rej->v[MB_F_REJ_REASON] == MB_REJ_UNKNOWN_TYPE);
  CHECK_EQ(dev.counters[MB_CNT_REJECTED], 3);
  CHECK_EQ(dev.link.rx_next, 3);
}

static void button_events_are_resent_until_acked(void) {
  start();
  fake_buttons[0] = true;
  for (int i = 0; i < 30; i++) mb_device_poll(&dev, ++now, true);
  CHECK_EQ(fake_tx_count(MB_T_BUTTON), 1);
  const mb_msg *b = fake_tx_last(MB_T_BUTTON);
  CHECK(b && b->seq == 0 && b->v[MB_F_BTN_EVENT] == MB_BTN_DOWN && b->v[MB_F_BTN_TIME] == 5001);
  now += 300;
  mb_device_poll(&dev, now, true);
  CHECK_EQ(fake_tx_count(MB_T_BUTTON), 2);
  CHECK_EQ(dev.counters[MB_CNT_TX_RETRANSMITS], 1);
  simple(MB_T_ACK, 1);
  now += 300;
  mb_device_poll(&dev, now, true);
  CHECK_EQ(fake_tx_count(MB_T_BUTTON), 2);
}

static void silence_blinks_link_led_and_heartbeats_flow(void) {
  start();
  mb_msg leds = {.type = MB_T_SET_LEDS};
  leds.v[MB_F_LEDS_MASK] = 0x03;
  leds.v[MB_F_LEDS_STATE] = 0x01;
  send(&leds);
  mb_device_poll(&dev, now, true);
  CHECK(fake_leds[0]);
  CHECK(!fake_leds[1]);
  int toggles = 0;
  bool last = fake_leds[0];
  for (uint32_t t = now; t < now + 5000; t += 50) {
    mb_device_poll(&dev, t, true);
    toggles += fake_leds[0] != last;
    last = fake_leds[0];
  }
  CHECK(toggles >= 6); /* blinking after 3 s of silence */
  CHECK(fake_tx_count(MB_T_DEV_HEARTBEAT) >= 4);
  const mb_msg *hb = fake_tx_last(MB_T_DEV_HEARTBEAT);
  CHECK(hb && hb->v[MB_F_HB_SESSION] == 1 && hb->v[MB_F_HB_ID] == 0xC0FFEE);
}

/* 158 refreshes in 64,000,000 cycles of a 64 MHz counter is 158 Hz, whatever the polls' timing;
 * the counter may wrap in between. */
static void status_reports_refresh_measured_in_cycles(void) {
  static mb_refresh_meter meter;
  start();
  meter.frames = 1000;
  meter.at_cycle = 0xFFFF0000u;
  mb_device_set_refresh_meter(&dev, &meter, 64000000u);
  now += 1000;
  mb_device_poll(&dev, now, true);
  CHECK_EQ(dev.refresh_hz, 0); /* the first reading only sets the mark */
  meter.frames = 1158;
  meter.at_cycle = 0xFFFF0000u + 64000000u;
  now += 1300;
  mb_device_poll(&dev, now, true);
  simple(MB_T_GET_STATUS, 0);
  const mb_msg *st = fake_tx_last(MB_T_STATUS);
  CHECK(st && st->v[MB_F_ST_REFRESH_HZ] == 158);
  now += 1000; /* the scan stopped: no frames, 0 Hz */
  mb_device_poll(&dev, now, true);
  CHECK_EQ(dev.refresh_hz, 0);
  CHECK_EQ(fake_critical_depth, 0);
}

static void log_lines_also_go_to_the_debug_console(void) {
  start();
  mb_device_log(&dev, MB_LOG_WARN, "over there too");
  CHECK(strcmp(fake_debug_log, "over there too") == 0);
  const mb_msg *log = fake_tx_last(MB_T_LOG);
  CHECK(log && log->tail_len == 14);
}

static void status_is_pushed_when_a_new_frame_is_shown(void) {
  start();
  mb_device_poll(&dev, now, true);
  CHECK_EQ(fake_tx_count(MB_T_STATUS), 0); /* nothing shown yet, nothing to say */
  simple(MB_T_COMMIT, 41);
  mb_device_poll(&dev, now, true);
  CHECK_EQ(fake_tx_count(MB_T_STATUS), 1);
  const mb_msg *st = fake_tx_last(MB_T_STATUS);
  CHECK(st && st->v[MB_F_ST_FRAME_ID] == 41);
  mb_device_poll(&dev, now + 1, true);
  CHECK_EQ(fake_tx_count(MB_T_STATUS), 1); /* once per frame */
  simple(MB_T_COMMIT, 42);
  simple(MB_T_GET_STATUS, 0); /* asked for: that answer already carries frame 42 */
  mb_device_poll(&dev, now + 2, true);
  CHECK_EQ(fake_tx_count(MB_T_STATUS), 2);
}

static void status_waits_for_the_scan_to_show_the_frame(void) {
  static const mb_board_info panel = {"panel-board", 0, 1, 0, 1, 1, true, 6, 8};
  fake_board_reset();
  host_seq = 0;
  mb_device_init(&dev, &panel, 7, now);
  hello(1);
  simple(MB_T_COMMIT, 5);
  mb_device_poll(&dev, now, true);
  CHECK_EQ(fake_tx_count(MB_T_STATUS), 0); /* committed, not yet on the panel */
  CHECK(mb_fb_scan_boundary(&dev.fb));      /* what the scan ISR does at the end of a refresh */
  mb_device_poll(&dev, now, true);
  CHECK_EQ(fake_tx_count(MB_T_STATUS), 1);
  const mb_msg *st = fake_tx_last(MB_T_STATUS);
  CHECK(st && st->v[MB_F_ST_FRAME_ID] == 5);
  CHECK_EQ(fake_critical_depth, 0);
}

static void no_status_is_pushed_without_a_session(void) {
  fake_board_reset();
  mb_device_init(&dev, &board, 1, 0);
  dev.fb.frames_shown = 3; /* as if frames were shown before the host spoke */
  mb_device_poll(&dev, 10, true);
  CHECK_EQ(fake_tx_count(MB_T_STATUS), 0);
}

static void last_fault_follows_every_hello_reply(void) {
  fake_board_reset();
  now = 100;
  host_seq = 0;
  mb_device_init(&dev, &board, 9, now);
  const mb_fault fault = {MB_FAULT_HARDFAULT, 0x000112A4u, 0x00010F6Bu, 0x00020000u};
  mb_device_set_last_fault(&dev, &fault);
  hello(1);
  mb_msg out[16];
  size_t n = fake_tx_messages(out, 16);
  CHECK_EQ(n, 2);
  CHECK(n == 2 && out[0].type == MB_T_HELLO_REPLY && out[1].type == MB_T_FAULT);
  if (n != 2) return;
  CHECK_EQ(out[1].v[MB_F_FAULT_KIND], MB_FAULT_HARDFAULT);
  CHECK_EQ(out[1].v[MB_F_FAULT_PC], 0x000112A4u);
  CHECK_EQ(out[1].v[MB_F_FAULT_LR], 0x00010F6Bu);
  CHECK_EQ(out[1].v[MB_F_FAULT_CFSR], 0x00020000u);
  hello(1); /* a bridge that reconnects learns it too */
  CHECK_EQ(fake_tx_count(MB_T_FAULT), 2);
  hello(2); /* not to a host it cannot talk to */
  CHECK_EQ(fake_tx_count(MB_T_FAULT), 2);
}

static void a_clean_boot_sends_no_fault(void) {
  start();
  CHECK_EQ(fake_tx_count(MB_T_FAULT), 0);
}

void suite_device(void) {
  RUN(status_is_pushed_when_a_new_frame_is_shown);
  RUN(status_waits_for_the_scan_to_show_the_frame);
  RUN(no_status_is_pushed_without_a_session);
  RUN(last_fault_follows_every_hello_reply);
  RUN(a_clean_boot_sends_no_fault);
  RUN(hello_reply_describes_device);
  RUN(incompatible_major_is_refused);
  RUN(full_frame_then_status_reports_its_crc);
  RUN(duplicates_are_not_applied_again);
  RUN(a_gap_is_nacked_once_then_filled);
  RUN(corrupt_input_is_counted_and_bad_commands_rejected);
  RUN(button_events_are_resent_until_acked);
  RUN(silence_blinks_link_led_and_heartbeats_flow);
  RUN(status_reports_refresh_measured_in_cycles);
  RUN(log_lines_also_go_to_the_debug_console);
}
