#include <string.h>
#include "../core/button.h"
#include "../core/link.h"
#include "../core/protocol.h"
#include "check.h"
#include "suites.h"

static mb_button b;
static mb_button_event_at ev;

/* Feeds one level every millisecond from `from` to `to`; stops at the first edge reported. */
static bool feed(bool level, uint32_t from, uint32_t to) {
  for (uint32_t t = from; t <= to; t++)
    if (mb_button_sample(&b, level, t, &ev)) return true;
  return false;
}

static void bounces_shorter_than_debounce_are_ignored(void) {
  mb_button_init(&b);
  for (uint32_t t = 0; t < 100; t += 5) CHECK(!mb_button_sample(&b, (t / 5) % 2, t, &ev));
}

static void press_reports_down_and_up_at_the_edges(void) {
  mb_button_init(&b);
  CHECK(!feed(true, 1000, 1000 + MB_DEBOUNCE_MS - 1));
  CHECK(feed(true, 1000 + MB_DEBOUNCE_MS, 1000 + MB_DEBOUNCE_MS));
  CHECK_EQ(ev.event, MB_BTN_DOWN);
  CHECK_EQ(ev.time_ms, 1000);
  CHECK(!feed(true, 1021, 1200));
  CHECK(feed(false, 1201, 1300));
  CHECK_EQ(ev.event, MB_BTN_UP);
  CHECK_EQ(ev.time_ms, 1201);
  CHECK(!feed(false, 1301, 1400));
}

static void a_long_hold_is_only_down_then_up(void) {
  mb_button_init(&b);
  CHECK(feed(true, 0, 100));
  CHECK_EQ(ev.event, MB_BTN_DOWN);
  CHECK(!feed(true, 21, 5000)); /* classifying the hold is the host's job */
  CHECK(feed(false, 5001, 5100));
  CHECK_EQ(ev.event, MB_BTN_UP);
  CHECK_EQ(ev.time_ms, 5001);
}

static void a_glitch_during_a_hold_is_not_a_release(void) {
  mb_button_init(&b);
  CHECK(feed(true, 0, 100));
  CHECK(!feed(false, 200, 200 + MB_DEBOUNCE_MS - 2));
  CHECK(!feed(true, 200 + MB_DEBOUNCE_MS - 1, 400));
  CHECK(feed(false, 401, 500));
  CHECK_EQ(ev.event, MB_BTN_UP);
  CHECK_EQ(ev.time_ms, 401);
}

static void edge_times_wrap_with_the_uptime(void) {
  mb_button_init(&b);
  CHECK(!mb_button_sample(&b, true, 0xFFFFFFF0u, &ev));
  CHECK(!mb_button_sample(&b, true, 0xFFFFFFFFu, &ev));
  CHECK(mb_button_sample(&b, true, MB_DEBOUNCE_MS, &ev)); /* 36 ms later, across the wrap */
  CHECK_EQ(ev.event, MB_BTN_DOWN);
  CHECK_EQ(ev.time_ms, 0xFFFFFFF0u);
}

static mb_link l;

static void receive_accepts_in_order_detects_dups_and_gaps(void) {
  mb_link_init(&l, 8);
  mb_link_open(&l);
  CHECK_EQ(mb_link_rx_seq(&l, 0), MB_SEQ_ACCEPT);
  CHECK_EQ(mb_link_rx_seq(&l, 1), MB_SEQ_ACCEPT);
  CHECK_EQ(mb_link_rx_seq(&l, 1), MB_SEQ_DUPLICATE);
  CHECK_EQ(mb_link_rx_seq(&l, 3), MB_SEQ_GAP);
  CHECK(mb_link_take_nack(&l));
  CHECK_EQ(mb_link_rx_seq(&l, 4), MB_SEQ_GAP);
  CHECK(!mb_link_take_nack(&l)); /* one NACK per gap */
  CHECK_EQ(mb_link_rx_seq(&l, 2), MB_SEQ_ACCEPT);
  CHECK_EQ(l.rx_next, 3);
  CHECK_EQ(mb_link_rx_seq(&l, 4), MB_SEQ_GAP);
  CHECK(mb_link_take_nack(&l));
  l.rx_next = 0xFFFF;
  CHECK_EQ(mb_link_rx_seq(&l, 0xFFFF), MB_SEQ_ACCEPT);
  CHECK_EQ(mb_link_rx_seq(&l, 0), MB_SEQ_ACCEPT);
  CHECK_EQ(mb_link_rx_seq(&l, 0xFFFE), MB_SEQ_DUPLICATE);
}

static void acks_wait_for_idle_or_half_window(void) {
  mb_link_init(&l, 8);
  mb_link_open(&l);
  CHECK(!mb_link_take_ack(&l, true));
  mb_link_rx_seq(&l, 0);
  CHECK(!mb_link_take_ack(&l, false));
  CHECK(mb_link_take_ack(&l, true));
  for (uint16_t s = 1; s <= 3; s++) mb_link_rx_seq(&l, s);
  CHECK(!mb_link_take_ack(&l, false));
  mb_link_rx_seq(&l, 4);
  CHECK(mb_link_take_ack(&l, false));
}

static void events_retransmit_on_timeout_and_nack(void) {
  mb_link_init(&l, 8);
  mb_link_open(&l);
  for (uint8_t i = 0; i < 3; i++) CHECK(mb_link_queue(&l, &(mb_event){0, i, i}));
  mb_event e;
  uint16_t seq;
  bool again;
  for (uint16_t i = 0; i < 3; i++) {
    CHECK(mb_link_next_tx(&l, 100, 250, &e, &seq, &again));
    CHECK_EQ(seq, i);
    CHECK(!again);
  }
  CHECK(!mb_link_next_tx(&l, 200, 250, &e, &seq, &again));
  mb_link_on_ack(&l, 1, false, 300);
  CHECK_EQ(l.q_len, 2);
  CHECK(!mb_link_next_tx(&l, 400, 250, &e, &seq, &again));
  CHECK(mb_link_next_tx(&l, 550, 250, &e, &seq, &again)); /* 250 ms after the last progress */
  CHECK_EQ(seq, 1);
  CHECK(again);
  mb_link_on_ack(&l, 2, true, 560);
  CHECK(mb_link_next_tx(&l, 560, 250, &e, &seq, &again));
  CHECK_EQ(seq, 2);
  CHECK_EQ(e.event, 2);
  CHECK(again);
  mb_link_on_ack(&l, 3, false, 570);
  CHECK_EQ(l.q_len, 0);
  mb_link_on_ack(&l, 9, false, 580); /* bogus ACK beyond what was sent: ignored */
  CHECK_EQ(l.q_seq, 3);
}

static void full_queue_refuses_new_events(void) {
  mb_link_init(&l, 8);
  for (uint32_t i = 0; i < MB_EVENT_QUEUE; i++) CHECK(mb_link_queue(&l, &(mb_event){0, 1, i}));
  CHECK(!mb_link_queue(&l, &(mb_event){0, 1, 99}));
  CHECK_EQ(l.q[MB_EVENT_QUEUE - 1].time_ms, MB_EVENT_QUEUE - 1);
}

void suite_button(void) {
  RUN(bounces_shorter_than_debounce_are_ignored);
  RUN(press_reports_down_and_up_at_the_edges);
  RUN(a_long_hold_is_only_down_then_up);
  RUN(a_glitch_during_a_hold_is_not_a_release);
  RUN(edge_times_wrap_with_the_uptime);
}

void suite_link(void) {
  RUN(receive_accepts_in_order_detects_dups_and_gaps);
  RUN(acks_wait_for_idle_or_half_window);
  RUN(events_retransmit_on_timeout_and_nack);
  RUN(full_queue_refuses_new_events);
}
