#include "messages.h"
#include <string.h>

/* The field count comes from the size array, so a table row cannot disagree with itself. */
#define ENTRY(t, n, sizes, names, tail, tail_name) \
  {t, n, (uint8_t)(sizeof(sizes) / sizeof(uint8_t)), sizes, names, tail, tail_name}

static const uint8_t s_hello[] = {1, 1};
static const uint8_t s_heartbeat[] = {1, 4};
static const uint8_t s_ack[] = {2};
static const uint8_t s_rect[] = {1, 1, 1, 1, 1};
static const uint8_t s_u32[] = {4};
static const uint8_t s_u8[] = {1};
static const uint8_t s_leds[] = {1, 1};
static const uint8_t s_none[1] = {0};
static const uint8_t s_hello_reply[] = {1, 1, 1, 1, 1, 1, 2, 2, 1, 2, 1, 4};
static const uint8_t s_status[] = {4, 4, 2, 4, 1, 1};
static const uint8_t s_reject[] = {2, 1};
static const uint8_t s_fault[] = {1, 4, 4, 4};
static const uint8_t s_button[] = {1, 1, 4};

static const char *const n_hello[] = {"major", "minor"};
static const char *const n_heartbeat[] = {"session", "id"};
static const char *const n_dev_heartbeat[] = {"session", "boot_id"};
static const char *const n_ack[] = {"next"};
static const char *const n_rect[] = {"format", "x", "y", "w", "h"};
static const char *const n_commit[] = {"frame_id"};
static const char *const n_level[] = {"level"};
static const char *const n_on[] = {"on"};
static const char *const n_leds[] = {"mask", "state"};
static const char *const n_hello_reply[] = {"result", "proto_major", "proto_minor", "fw_major",
                                            "fw_minor", "fw_patch", "width", "height",
                                            "colour_depth", "max_packet", "window", "boot_id"};
static const char *const n_status[] = {"frame_id", "frame_crc", "refresh_hz",
                                       "uptime_ms", "brightness", "power"};
static const char *const n_reject[] = {"rejected_seq", "reason"};
static const char *const n_fault[] = {"kind", "pc", "lr", "cfsr"};
static const char *const n_button[] = {"button", "event", "time_ms"};

static const mb_schema schemas[] = {
    ENTRY(MB_T_HELLO, "HELLO", s_hello, n_hello, MB_TAIL_NONE, NULL),
    ENTRY(MB_T_HEARTBEAT, "HEARTBEAT", s_heartbeat, n_heartbeat, MB_TAIL_NONE, NULL),
    ENTRY(MB_T_ACK, "ACK", s_ack, n_ack, MB_TAIL_NONE, NULL),
    ENTRY(MB_T_NACK, "NACK", s_ack, n_ack, MB_TAIL_NONE, NULL),
    ENTRY(MB_T_WRITE_RECT, "WRITE_RECT", s_rect, n_rect, MB_TAIL_BYTES, "pixels"),
    ENTRY(MB_T_COMMIT, "COMMIT", s_u32, n_commit, MB_TAIL_NONE, NULL),
    ENTRY(MB_T_SET_BRIGHTNESS, "SET_BRIGHTNESS", s_u8, n_level, MB_TAIL_NONE, NULL),
    ENTRY(MB_T_SET_POWER, "SET_POWER", s_u8, n_on, MB_TAIL_NONE, NULL),
    ENTRY(MB_T_SET_LEDS, "SET_LEDS", s_leds, n_leds, MB_TAIL_NONE, NULL),
    {MB_T_GET_STATUS, "GET_STATUS", 0, s_none, NULL, MB_TAIL_NONE, NULL},
    ENTRY(MB_T_HELLO_REPLY, "HELLO_REPLY", s_hello_reply, n_hello_reply, MB_TAIL_TEXT, "board"),
    ENTRY(MB_T_DEV_HEARTBEAT, "DEV_HEARTBEAT", s_heartbeat, n_dev_heartbeat, MB_TAIL_NONE, NULL),
    ENTRY(MB_T_DEV_ACK, "DEV_ACK", s_ack, n_ack, MB_TAIL_NONE, NULL),
    ENTRY(MB_T_DEV_NACK, "DEV_NACK", s_ack, n_ack, MB_TAIL_NONE, NULL),
    ENTRY(MB_T_LOG, "LOG", s_u8, n_level, MB_TAIL_TEXT, "text"),
    ENTRY(MB_T_STATUS, "STATUS", s_status, n_status, MB_TAIL_COUNTERS, "counters"),
    ENTRY(MB_T_REJECT, "REJECT", s_reject, n_reject, MB_TAIL_NONE, NULL),
    ENTRY(MB_T_FAULT, "FAULT", s_fault, n_fault, MB_TAIL_NONE, NULL),
    ENTRY(MB_T_BUTTON, "BUTTON", s_button, n_button, MB_TAIL_NONE, NULL),
};

#define SCHEMA_COUNT (sizeof schemas / sizeof schemas[0])

const mb_schema *mb_schema_for(uint8_t type) {
  for (size_t i = 0; i < SCHEMA_COUNT; i++)
    if (schemas[i].type == type) return &schemas[i];
  return NULL;
}

const mb_schema *mb_schema_named(const char *name) {
  for (size_t i = 0; i < SCHEMA_COUNT; i++)
    if (strcmp(schemas[i].name, name) == 0) return &schemas[i];
  return NULL;
}

mb_status mb_msg_decode(const mb_packet *pkt, mb_msg *msg) {
  const mb_schema *s = mb_schema_for(pkt->type);
  if (!s) return MB_ERR_TYPE;
  memset(msg, 0, sizeof *msg);
  msg->type = pkt->type;
  msg->seq = pkt->seq;
  size_t at = 0;
  for (uint8_t f = 0; f < s->field_count; f++) {
    uint8_t size = s->field_sizes[f];
    if (at + size > pkt->body_len) return MB_ERR_BODY;
    uint32_t v = 0;
    for (uint8_t k = 0; k < size; k++) v |= (uint32_t)pkt->body[at + k] << (8u * k);
    msg->v[f] = v;
    at += size;
  }
  msg->tail = pkt->body + at;
  msg->tail_len = (uint16_t)(pkt->body_len - at);
  if (s->tail == MB_TAIL_COUNTERS) {
    if (msg->tail_len < 1) return MB_ERR_BODY;
    uint8_t count = msg->tail[0];
    if ((size_t)count * 4u > msg->tail_len - 1u) return MB_ERR_BODY;
    msg->tail_count = count;
    msg->tail++;
    msg->tail_len = (uint16_t)(count * 4u);
  } else if (s->tail == MB_TAIL_NONE) {
    msg->tail_len = 0; /* trailing bytes from a newer minor version are ignored */
  }
  return MB_OK;
}

mb_status mb_msg_encode(const mb_msg *msg, uint8_t *out, size_t cap, size_t *wire_len) {
  const mb_schema *s = mb_schema_for(msg->type);
  if (!s) return MB_ERR_TYPE;
  mb_writer w;
  mb_writer_begin(&w, out, cap, msg->type, msg->seq);
  for (uint8_t f = 0; f < s->field_count; f++) {
    uint32_t v = msg->v[f];
    for (uint8_t k = 0; k < s->field_sizes[f]; k++) mb_writer_u8(&w, (uint8_t)(v >> (8u * k)));
  }
  if (s->tail == MB_TAIL_COUNTERS) mb_writer_u8(&w, msg->tail_count);
  if (s->tail != MB_TAIL_NONE && msg->tail_len) mb_writer_put(&w, msg->tail, msg->tail_len);
  return mb_writer_finish(&w, wire_len);
}
