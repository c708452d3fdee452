/* The coprocessor: protocol dispatcher, session, display state, buttons, liveness. A board's
 * main loop feeds received bytes to mb_device_rx and calls mb_device_poll often (every ms). */
#ifndef MB_DEVICE_H
#define MB_DEVICE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "board.h"
#include "button.h"
#include "fault.h"
#include "framebuffer.h"
#include "hub75_scan.h"
#include "link.h"
#include "messages.h"
#include "packet.h"

#define MB_MAX_BUTTONS 2u
#define MB_TX_BUFFER 256u

typedef enum { MB_LOG_DEBUG, MB_LOG_INFO, MB_LOG_WARN, MB_LOG_ERROR } mb_log_level;

typedef struct {
  const mb_board_info *board;
  uint32_t boot_id;
  mb_parser parser;
  mb_link link;
  mb_framebuffer fb;
  mb_button buttons[MB_MAX_BUTTONS];
  uint32_t counters[MB_CNT_COUNT];
  uint8_t brightness;
  uint8_t host_leds;
  bool host_lost;
  uint32_t now;            /* time of the latest rx/poll call */
  uint32_t last_rx_ms, last_tx_ms;
  uint32_t refresh_hz, refresh_mark_ms;
  const mb_refresh_meter *meter; /* the scan's, NULL without a panel */
  uint32_t cycles_per_second;
  bool meter_marked;
  uint32_t mark_frames, mark_cycle;
  mb_fault last_fault;           /* what the previous boot died of, kind NONE if nothing */
  uint32_t status_frames_shown;  /* frames_shown when STATUS last went out */
  uint8_t tx[MB_TX_BUFFER];
} mb_device;

void mb_device_init(mb_device *d, const mb_board_info *board, uint32_t boot_id, uint32_t now);
/* Boards with a panel hand over the scan's meter (and their cycle counter's rate) for
 * STATUS.refresh_hz. */
void mb_device_set_refresh_meter(mb_device *d, const mb_refresh_meter *meter,
                                 uint32_t cycles_per_second);
/* The previous boot's fault (from the board's no-init record): sent as FAULT after every
 * HELLO_REPLY of this boot, so a bridge that connects late still learns it. */
void mb_device_set_last_fault(mb_device *d, const mb_fault *fault);
void mb_device_rx(mb_device *d, const uint8_t *data, size_t len, uint32_t now);
/* rx_idle: no received bytes are waiting (lets the device send its cumulative ACK). */
void mb_device_poll(mb_device *d, uint32_t now, bool rx_idle);
void mb_device_note_overrun(mb_device *d, uint32_t bytes_lost);
void mb_device_log(mb_device *d, mb_log_level level, const char *text);

/* Used by the command handlers (device_handlers.c). */
void mb_device_send(mb_device *d, const mb_msg *msg);
void mb_device_send_hello_reply(mb_device *d, uint8_t result);
void mb_device_send_status(mb_device *d);
void mb_device_dispatch(mb_device *d, const mb_msg *msg);
/* 0 when handled, otherwise the mb_reject_reason for REJECT. */
uint8_t mb_device_handle_command(mb_device *d, const mb_msg *msg);

#endif
