#include "device.h"
#include <string.h>
#include "protocol.h"

void mb_device_init(mb_device *d, const mb_board_info *board, uint32_t boot_id, uint32_t now) {
  memset(d, 0, sizeof *d);
  d->board = board;
  d->boot_id = boot_id;
  mb_parser_init(&d->parser);
  mb_link_init(&d->link, board->window);
  mb_fb_init(&d->fb, board->colour_depth);
  for (uint8_t i = 0; i < MB_MAX_BUTTONS; i++) mb_button_init(&d->buttons[i]);
  d->brightness = 255;
  d->host_lost = true; /* no host has spoken yet */
  d->now = d->last_rx_ms = d->last_tx_ms = d->refresh_mark_ms = now;
}

void mb_device_set_refresh_meter(mb_device *d, const mb_refresh_meter *meter,
                                 uint32_t cycles_per_second) {
  d->meter = meter;
  d->cycles_per_second = cycles_per_second;
  d->meter_marked = false;
}

void mb_device_set_last_fault(mb_device *d, const mb_fault *fault) { d->last_fault = *fault; }

void mb_device_send(mb_device *d, const mb_msg *msg) {
  size_t n;
  if (mb_msg_encode(msg, d->tx, sizeof d->tx, &n) != MB_OK) return;
  board_serial_write(d->tx, n);
  d->last_tx_ms = d->now;
}

static void send_short(mb_device *d, uint8_t type, uint16_t next) {
  mb_msg m = {.type = type};
  m.v[MB_F_ACK_NEXT] = next;
  mb_device_send(d, &m);
}

void mb_device_log(mb_device *d, mb_log_level level, const char *text) {
  mb_msg m = {.type = MB_T_LOG};
  m.v[MB_F_LOG_LEVEL] = level;
  size_t len = strlen(text);
  m.tail = (const uint8_t *)text;
  m.tail_len = (uint16_t)(len > MB_LOG_MAX_TEXT ? MB_LOG_MAX_TEXT : len);
  board_debug_log((uint8_t)level, text, m.tail_len);
  mb_device_send(d, &m);
}

void mb_device_note_overrun(mb_device *d, uint32_t bytes_lost) {
  d->counters[MB_CNT_RX_OVERRUNS] += bytes_lost;
}

static void on_sequenced(mb_device *d, const mb_msg *msg, mb_status decoded) {
  if (!d->link.session) {
    d->counters[MB_CNT_NO_SESSION]++;
    return;
  }
  switch (mb_link_rx_seq(&d->link, msg->seq)) {
    case MB_SEQ_DUPLICATE:
      d->counters[MB_CNT_RX_DUPLICATES]++;
      return;
    case MB_SEQ_GAP:
      d->counters[MB_CNT_RX_GAPS]++;
      if (mb_link_take_nack(&d->link)) send_short(d, MB_T_DEV_NACK, d->link.rx_next);
      return;
    case MB_SEQ_ACCEPT:
      break;
  }
  uint8_t reason = decoded == MB_ERR_TYPE   ? MB_REJ_UNKNOWN_TYPE
                   : decoded == MB_ERR_BODY ? MB_REJ_BAD_LENGTH
                                            : mb_device_handle_command(d, msg);
  if (reason) {
    d->counters[MB_CNT_REJECTED]++;
    mb_msg r = {.type = MB_T_REJECT};
    r.v[MB_F_REJ_SEQ] = msg->seq;
    r.v[MB_F_REJ_REASON] = reason;
    mb_device_send(d, &r);
  }
  if (mb_link_take_ack(&d->link, false)) send_short(d, MB_T_DEV_ACK, d->link.rx_next);
}

static void on_packet(mb_device *d, const mb_packet *pkt) {
  mb_msg msg;
  mb_status st = mb_msg_decode(pkt, &msg);
  d->counters[MB_CNT_RX_PACKETS]++;
  d->last_rx_ms = d->now;
  d->host_lost = false;
  if (MB_IS_SEQUENCED(pkt->type) && !(pkt->type & 0x80u)) {
    msg.type = pkt->type; /* the decoder leaves it unset for unknown types */
    msg.seq = pkt->seq;
    on_sequenced(d, &msg, st);
  } else if (st != MB_OK) {
    d->counters[MB_CNT_RX_MALFORMED]++;
  } else {
    mb_device_dispatch(d, &msg);
  }
}

void mb_device_rx(mb_device *d, const uint8_t *data, size_t len, uint32_t now) {
  d->now = now;
  for (size_t i = 0; i < len; i++) {
    mb_packet pkt;
    mb_status why;
    switch (mb_parser_feed(&d->parser, data[i], &pkt, &why)) {
      case MB_FEED_PACKET:
        on_packet(d, &pkt);
        break;
      case MB_FEED_DROPPED:
        d->counters[why == MB_ERR_CRC        ? MB_CNT_RX_CRC_ERRORS
                    : why == MB_ERR_OVERSIZE ? MB_CNT_RX_OVERSIZE
                                             : MB_CNT_RX_MALFORMED]++;
        break;
      case MB_FEED_MORE:
        break;
    }
  }
}

static void poll_buttons(mb_device *d) {
  for (uint8_t b = 0; b < d->board->button_count && b < MB_MAX_BUTTONS; b++) {
    mb_button_event_at edge;
    if (!mb_button_sample(&d->buttons[b], board_button_pressed(b), d->now, &edge)) continue;
    mb_event ev = {b, edge.event, edge.time_ms};
    if (!mb_link_queue(&d->link, &ev)) mb_device_log(d, MB_LOG_WARN, "button queue full");
  }
}

static void poll_events_tx(mb_device *d) {
  mb_event ev;
  uint16_t seq;
  bool again;
  while (mb_link_next_tx(&d->link, d->now, MB_DEVICE_RTO_MS, &ev, &seq, &again)) {
    if (again) d->counters[MB_CNT_TX_RETRANSMITS]++;
    mb_msg m = {.type = MB_T_BUTTON, .seq = seq};
    m.v[MB_F_BTN_BUTTON] = ev.button;
    m.v[MB_F_BTN_EVENT] = ev.event;
    m.v[MB_F_BTN_TIME] = ev.time_ms;
    mb_device_send(d, &m);
  }
}

/* Frames between two readings over the cycles between their last frames: exact to a cycle,
 * whatever the main loop's timing. No frame in a second reads as 0 Hz. */
static void measure_refresh(mb_device *d) {
  d->refresh_mark_ms = d->now;
  if (!d->meter) return;
  board_critical_enter();
  uint32_t frames = d->meter->frames, at = d->meter->at_cycle;
  board_critical_exit();
  uint32_t n = frames - d->mark_frames, cycles = at - d->mark_cycle;
  uint64_t scaled = (uint64_t)n * d->cycles_per_second + cycles / 2u;
  if (d->meter_marked) d->refresh_hz = n && cycles ? (uint32_t)(scaled / cycles) : 0;
  d->meter_marked = true;
  d->mark_frames = frames;
  d->mark_cycle = at;
}

static void poll_liveness(mb_device *d) {
  if (d->now - d->last_rx_ms >= MB_LINK_LOST_MS) d->host_lost = true;
  bool link_led = d->host_lost ? ((d->now / 250u) & 1u) != 0 : (d->host_leds & 1u) != 0;
  board_led_set(0, link_led);
  if (d->now - d->last_tx_ms >= MB_HEARTBEAT_MS) {
    mb_msg m = {.type = MB_T_DEV_HEARTBEAT};
    m.v[MB_F_HB_SESSION] = d->link.session;
    m.v[MB_F_HB_ID] = d->boot_id;
    mb_device_send(d, &m);
  }
  if (d->now - d->refresh_mark_ms >= 1000u) measure_refresh(d);
}

/* STATUS goes out on its own as soon as a newer frame is on the panel, so the host sees each
 * frame arrive (in_sync) without waiting for its next GET_STATUS. A board with a panel swaps
 * in the scan ISR at the end of a refresh, so this is where the main loop notices it. */
static void push_status_on_new_frame(mb_device *d) {
  if (!d->link.session) return;
  board_critical_enter();
  uint32_t shown = d->fb.frames_shown;
  board_critical_exit();
  if (shown == d->status_frames_shown) return;
  mb_device_send_status(d);
}

void mb_device_poll(mb_device *d, uint32_t now, bool rx_idle) {
  d->now = now;
  if (mb_link_take_ack(&d->link, rx_idle)) send_short(d, MB_T_DEV_ACK, d->link.rx_next);
  push_status_on_new_frame(d);
  poll_buttons(d);
  poll_events_tx(d);
  poll_liveness(d);
}
