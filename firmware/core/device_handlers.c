/* One handler per host message type; mb_device_dispatch and mb_device_handle_command route. */
#include <string.h>
#include "device.h"
#include "protocol.h"

#define MB_STR_(x) #x
#define MB_STR(x) MB_STR_(x)

void mb_device_send_hello_reply(mb_device *d, uint8_t result) {
  const mb_board_info *b = d->board;
  mb_msg m = {.type = MB_T_HELLO_REPLY};
  m.v[MB_F_HR_RESULT] = result;
  m.v[MB_F_HR_PROTO_MAJOR] = MB_PROTO_MAJOR;
  m.v[MB_F_HR_PROTO_MINOR] = MB_PROTO_MINOR;
  m.v[MB_F_HR_FW_MAJOR] = b->fw_major;
  m.v[MB_F_HR_FW_MINOR] = b->fw_minor;
  m.v[MB_F_HR_FW_PATCH] = b->fw_patch;
  m.v[MB_F_HR_WIDTH] = MB_PANEL_WIDTH;
  m.v[MB_F_HR_HEIGHT] = MB_PANEL_HEIGHT;
  m.v[MB_F_HR_DEPTH] = b->colour_depth;
  m.v[MB_F_HR_MAX_PACKET] = MB_MAX_PACKET;
  m.v[MB_F_HR_WINDOW] = b->window;
  m.v[MB_F_HR_BOOT_ID] = d->boot_id;
  m.tail = (const uint8_t *)b->name;
  m.tail_len = (uint16_t)strlen(b->name);
  mb_device_send(d, &m);
}

void mb_device_send_status(mb_device *d) {
  uint8_t counters[MB_CNT_COUNT * 4u];
  for (uint8_t i = 0; i < MB_CNT_COUNT; i++) {
    uint32_t v = d->counters[i];
    if (i == MB_CNT_FRAMES_SHOWN) v = d->fb.frames_shown;
    for (uint8_t k = 0; k < 4; k++) counters[i * 4u + k] = (uint8_t)(v >> (8u * k));
  }
  mb_msg m = {.type = MB_T_STATUS, .tail = counters, .tail_len = sizeof counters,
              .tail_count = MB_CNT_COUNT};
  board_critical_enter();
  m.v[MB_F_ST_FRAME_ID] = d->fb.shown_id;
  m.v[MB_F_ST_FRAME_CRC] = d->fb.shown_crc;
  d->status_frames_shown = d->fb.frames_shown;
  board_critical_exit();
  m.v[MB_F_ST_REFRESH_HZ] = d->refresh_hz;
  m.v[MB_F_ST_UPTIME] = d->now;
  m.v[MB_F_ST_BRIGHTNESS] = d->brightness;
  m.v[MB_F_ST_POWER] = d->fb.power;
  mb_device_send(d, &m);
}

static void on_hello(mb_device *d, const mb_msg *m) {
  if (m->v[MB_F_HELLO_MAJOR] != MB_PROTO_MAJOR) {
    d->link.session = false;
    mb_device_send_hello_reply(d, 1);
    mb_device_log(d, MB_LOG_ERROR, "incompatible protocol: device speaks major version " MB_STR(MB_PROTO_MAJOR) " only");
    return;
  }
  mb_link_open(&d->link);
  mb_device_send_hello_reply(d, 0);
  if (d->last_fault.kind != MB_FAULT_NONE) {
    mb_msg f = {.type = MB_T_FAULT};
    f.v[MB_F_FAULT_KIND] = d->last_fault.kind;
    f.v[MB_F_FAULT_PC] = d->last_fault.pc;
    f.v[MB_F_FAULT_LR] = d->last_fault.lr;
    f.v[MB_F_FAULT_CFSR] = d->last_fault.cfsr;
    mb_device_send(d, &f);
  }
}

void mb_device_dispatch(mb_device *d, const mb_msg *m) {
  switch (m->type) {
    case MB_T_HELLO:
      on_hello(d, m);
      break;
    case MB_T_HEARTBEAT:
      break; /* receiving it already refreshed the host's liveness */
    case MB_T_ACK:
    case MB_T_NACK:
      if (d->link.session)
        mb_link_on_ack(&d->link, (uint16_t)m->v[MB_F_ACK_NEXT], m->type == MB_T_NACK, d->now);
      break;
    default:
      d->counters[MB_CNT_RX_MALFORMED]++; /* a device-to-host type sent to the device */
      break;
  }
}

static uint8_t on_commit(mb_device *d, const mb_msg *m) {
  if (mb_fb_commit(&d->fb, m->v[MB_F_COMMIT_FRAME_ID]))
    d->counters[MB_CNT_FRAMES_DROPPED]++;
  if (!d->board->has_panel) mb_fb_scan_boundary(&d->fb);
  return 0;
}

static uint8_t on_power(mb_device *d, const mb_msg *m) {
  if (m->v[MB_F_POWER_ON] > 1u) return MB_REJ_BAD_VALUE;
  d->fb.power = m->v[MB_F_POWER_ON] == 1u;
  return 0;
}

static uint8_t on_leds(mb_device *d, const mb_msg *m) {
  uint8_t mask = (uint8_t)m->v[MB_F_LEDS_MASK], state = (uint8_t)m->v[MB_F_LEDS_STATE];
  d->host_leds = (uint8_t)((d->host_leds & ~mask) | (state & mask));
  for (uint8_t i = 1; i < d->board->led_count; i++) board_led_set(i, (d->host_leds >> i) & 1u);
  return 0;
}

uint8_t mb_device_handle_command(mb_device *d, const mb_msg *m) {
  switch (m->type) {
    case MB_T_WRITE_RECT:
      return mb_fb_write_rect(&d->fb, (uint8_t)m->v[MB_F_RECT_FORMAT], (uint8_t)m->v[MB_F_RECT_X],
                              (uint8_t)m->v[MB_F_RECT_Y], (uint8_t)m->v[MB_F_RECT_W],
                              (uint8_t)m->v[MB_F_RECT_H], m->tail, m->tail_len);
    case MB_T_COMMIT:
      return on_commit(d, m);
    case MB_T_SET_BRIGHTNESS:
      d->brightness = d->fb.brightness = (uint8_t)m->v[MB_F_BRIGHTNESS_LEVEL];
      return 0;
    case MB_T_SET_POWER:
      return on_power(d, m);
    case MB_T_SET_LEDS:
      return on_leds(d, m);
    case MB_T_GET_STATUS:
      mb_device_send_status(d);
      return 0;
    default:
      return MB_REJ_UNKNOWN_TYPE;
  }
}
