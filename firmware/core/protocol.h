/* Megabit serial protocol v1 constants and the generic message form (docs/serial-protocol.md). */
#ifndef MB_PROTOCOL_H
#define MB_PROTOCOL_H
#include <stdint.h>

#define MB_PROTO_MAJOR 1
/* 1.2: WRITE_RECT format 3 (LEVEL_RICE); 1.3: LEVEL_RICE blends four predictors and models
 * the rows above a rectangle (docs/serial-protocol.md §5). */
#define MB_PROTO_MINOR 3

#define MB_HEADER_SIZE 3u
#define MB_CRC_SIZE 2u
#define MB_MIN_PACKET (MB_HEADER_SIZE + MB_CRC_SIZE)
#define MB_MAX_PACKET 1024u
#define MB_MAX_BODY (MB_MAX_PACKET - MB_MIN_PACKET)

#define MB_PANEL_WIDTH 64u
#define MB_PANEL_HEIGHT 32u
#define MB_FRAME_BYTES (MB_PANEL_WIDTH * MB_PANEL_HEIGHT * 3u)

#define MB_HEARTBEAT_MS 1000u
#define MB_LINK_LOST_MS 3000u
#define MB_DEVICE_RTO_MS 250u
#define MB_LOG_MAX_TEXT 120u

typedef enum {
  MB_T_HELLO = 0x01,
  MB_T_HEARTBEAT = 0x02,
  MB_T_ACK = 0x03,
  MB_T_NACK = 0x04,
  MB_T_WRITE_RECT = 0x10,
  MB_T_COMMIT = 0x11,
  MB_T_SET_BRIGHTNESS = 0x12,
  MB_T_SET_POWER = 0x13,
  MB_T_SET_LEDS = 0x14,
  MB_T_GET_STATUS = 0x15,
  MB_T_HELLO_REPLY = 0x81,
  MB_T_DEV_HEARTBEAT = 0x82,
  MB_T_DEV_ACK = 0x83,
  MB_T_DEV_NACK = 0x84,
  MB_T_LOG = 0x85,
  MB_T_STATUS = 0x86,
  MB_T_REJECT = 0x87,
  MB_T_FAULT = 0x88,
  MB_T_BUTTON = 0x90
} mb_type;

#define MB_IS_SEQUENCED(type) (((type) & 0x70u) != 0u)

typedef enum {
  MB_FMT_RGB888 = 0,
  MB_FMT_RGB565 = 1,
  MB_FMT_RLE888 = 2,
  MB_FMT_LEVEL_RICE = 3
} mb_pixel_format;

typedef enum {
  MB_REJ_BAD_LENGTH = 1,
  MB_REJ_OUT_OF_BOUNDS = 2,
  MB_REJ_BAD_FORMAT = 3,
  MB_REJ_BAD_RLE = 4,
  MB_REJ_BAD_VALUE = 5,
  MB_REJ_UNKNOWN_TYPE = 6
} mb_reject_reason;

typedef enum { MB_BTN_UP = 0, MB_BTN_DOWN = 1 } mb_button_event;

typedef enum {
  MB_CNT_RX_PACKETS,
  MB_CNT_RX_CRC_ERRORS,
  MB_CNT_RX_MALFORMED,
  MB_CNT_RX_OVERSIZE,
  MB_CNT_RX_OVERRUNS,
  MB_CNT_RX_DUPLICATES,
  MB_CNT_RX_GAPS,
  MB_CNT_TX_RETRANSMITS,
  MB_CNT_FRAMES_SHOWN,
  MB_CNT_FRAMES_DROPPED,
  MB_CNT_REJECTED,
  MB_CNT_NO_SESSION,
  MB_CNT_COUNT
} mb_counter;

/* Index of each fixed body field in mb_msg.v, per message type (schema in messages.c). */
enum { MB_F_HELLO_MAJOR, MB_F_HELLO_MINOR };
enum { MB_F_HB_SESSION, MB_F_HB_ID };
enum { MB_F_ACK_NEXT };
enum { MB_F_RECT_FORMAT, MB_F_RECT_X, MB_F_RECT_Y, MB_F_RECT_W, MB_F_RECT_H };
enum { MB_F_COMMIT_FRAME_ID };
enum { MB_F_BRIGHTNESS_LEVEL };
enum { MB_F_POWER_ON };
enum { MB_F_LEDS_MASK, MB_F_LEDS_STATE };
enum {
  MB_F_HR_RESULT, MB_F_HR_PROTO_MAJOR, MB_F_HR_PROTO_MINOR, MB_F_HR_FW_MAJOR, MB_F_HR_FW_MINOR,
  MB_F_HR_FW_PATCH, MB_F_HR_WIDTH, MB_F_HR_HEIGHT, MB_F_HR_DEPTH, MB_F_HR_MAX_PACKET,
  MB_F_HR_WINDOW, MB_F_HR_BOOT_ID
};
enum { MB_F_LOG_LEVEL };
enum {
  MB_F_ST_FRAME_ID, MB_F_ST_FRAME_CRC, MB_F_ST_REFRESH_HZ, MB_F_ST_UPTIME, MB_F_ST_BRIGHTNESS,
  MB_F_ST_POWER
};
enum { MB_F_REJ_SEQ, MB_F_REJ_REASON };
enum { MB_F_FAULT_KIND, MB_F_FAULT_PC, MB_F_FAULT_LR, MB_F_FAULT_CFSR };
enum { MB_F_BTN_BUTTON, MB_F_BTN_EVENT, MB_F_BTN_TIME };

#define MB_MSG_MAX_FIELDS 12

/* A decoded message: fixed fields by index, plus the variable tail (pixels, text, counters).
 * For STATUS the tail is the counters as raw little-endian u32s and tail_count their number. */
typedef struct {
  uint8_t type;
  uint16_t seq;
  uint32_t v[MB_MSG_MAX_FIELDS];
  const uint8_t *tail;
  uint16_t tail_len;
  uint8_t tail_count;
} mb_msg;

#endif
