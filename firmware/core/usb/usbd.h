/* The USB device layer: chapter 9 requests, the control-transfer state machine and the event
 * queue between the controller's ISR and the main loop. One USB device per build: usbd_init
 * registers the instance that usb_dcd_event feeds.
 *
 * Class drivers never call the controller driver for control transfers; they answer a request
 * with usbd_control_in / usbd_control_out / usbd_control_ack, and move bulk data with
 * usbd_edpt_xfer. Nothing in the stack calls back into the application outside usbd_task. */
#ifndef MB_USBD_H
#define MB_USBD_H
#include <stdbool.h>
#include <stdint.h>
#include "usb_dcd.h"
#include "usb_std.h"

#define USBD_EVENT_QUEUE 16u /* 3 transfers in flight at most, plus bus signalling */
#define USBD_STRING_MAX 63u  /* ASCII characters in a string descriptor */

typedef struct {
  /* Bus reset, unplug or configuration 0: every transfer in flight is gone. */
  void (*reset)(void *ctx);
  /* The host chose configuration 1; its endpoints are open. */
  void (*configured)(void *ctx);
  /* A class request: answer with usbd_control_* and return true, or return false to stall. */
  bool (*control)(void *ctx, const usb_setup *s);
  /* The data stage accepted with usbd_control_out has arrived; false stalls the status. */
  bool (*control_out_done)(void *ctx, const usb_setup *s, uint16_t len);
  void (*xfer_done)(void *ctx, uint8_t ep, uint16_t len);
} usbd_class;

typedef struct {
  const uint8_t *device_desc;    /* 18 bytes */
  const uint8_t *config_desc;    /* wTotalLength bytes, the one configuration (value 1) */
  const char *const *strings;    /* string index i (1..string_count) is strings[i - 1] */
  uint8_t string_count;
  const usbd_class *cls;
  void *cls_ctx;
} usbd_config;

typedef enum {
  USBD_CTRL_IDLE,
  USBD_CTRL_DATA_IN,
  USBD_CTRL_ZLP_IN,     /* data shorter than wLength ended on a full packet */
  USBD_CTRL_DATA_OUT,
  USBD_CTRL_STATUS_IN,
  USBD_CTRL_STATUS_OUT,
} usbd_ctrl_stage;

typedef struct {
  const usbd_config *cfg;
  usb_dcd_event_t queue[USBD_EVENT_QUEUE];
  volatile uint32_t q_head, q_tail;
  volatile uint32_t events_lost;
  uint8_t address, configuration;
  bool suspended;
  uint32_t open_eps, halted_eps; /* bit n = IN endpoint n, bit 16 + n = OUT endpoint n */
  /* The control transfer in progress. */
  usb_setup setup;
  usbd_ctrl_stage stage;
  const uint8_t *in_src;
  uint8_t *out_dst;
  uint16_t total, done, chunk;
  uint8_t ep0_buf[USB_EP0_SIZE];          /* RAM: controllers DMA from here, not from flash */
  uint8_t reply[2u + 2u * USBD_STRING_MAX]; /* replies built on the fly (strings, status) */
} usbd;

void usbd_init(usbd *d, const usbd_config *cfg);
/* Main loop: handles every queued controller event. */
void usbd_task(usbd *d);
bool usbd_configured(const usbd *d);

/* Answers for a class's control(): data must stay valid until the transfer ends. */
void usbd_control_in(usbd *d, const void *data, uint16_t len);
bool usbd_control_out(usbd *d, void *dst, uint16_t len); /* false: wLength > len */
void usbd_control_ack(usbd *d);

void usbd_edpt_xfer(usbd *d, uint8_t ep, uint8_t *buf, uint16_t len);

/* Used by usbd.c: chapter 9 requests (usbd_requests.c); false stalls. */
bool usbd_standard_request(usbd *d, const usb_setup *s);

#endif
