/* CDC ACM (USB CDC 1.2 + PSTN 1.2): a virtual serial port over one bulk IN/OUT pair. Data is
 * moved one packet per transfer, through ring buffers, entirely in the main loop (usbd_task
 * and the calls below); the OUT endpoint is re-armed only when a whole packet fits, so a slow
 * reader makes the controller NAK the host instead of losing bytes. */
#ifndef MB_CDC_ACM_H
#define MB_CDC_ACM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "usbd.h"

#define CDC_COMM_INTERFACE 0u
#define CDC_DATA_INTERFACE 1u
#define CDC_EP_NOTIFY 0x82u
#define CDC_EP_OUT 0x01u
#define CDC_EP_IN 0x81u
#define CDC_PACKET 64u
#define CDC_NOTIFY_PACKET 8u
#define CDC_RING 2048u /* each direction; a power of two */

enum {
  CDC_REQ_SET_LINE_CODING = 0x20,
  CDC_REQ_GET_LINE_CODING = 0x21,
  CDC_REQ_SET_CONTROL_LINE_STATE = 0x22,
  CDC_REQ_SEND_BREAK = 0x23,
};

typedef struct {
  uint32_t head, tail; /* free-running; head - tail bytes are stored */
  uint8_t data[CDC_RING];
} cdc_ring;

typedef struct {
  usbd *dev;
  bool configured, dtr, rts;
  uint8_t line_coding[7];   /* dwDTERate (LE), bCharFormat, bParityType, bDataBits */
  uint8_t line_coding_rx[7];
  cdc_ring rx, tx;
  bool out_busy, in_busy;
  uint16_t in_last;         /* size of the IN packet in flight */
  uint8_t out_pkt[CDC_PACKET], in_pkt[CDC_PACKET];
} cdc_acm;

/* The class as usbd sees it: usbd_config.cls = &cdc_acm_class, cls_ctx = the cdc_acm. */
extern const usbd_class cdc_acm_class;

void cdc_acm_init(cdc_acm *c, usbd *dev);
/* Configured and DTR set: a program on the host has the port open. */
bool cdc_acm_connected(const cdc_acm *c);
size_t cdc_acm_available(const cdc_acm *c);
size_t cdc_acm_read(cdc_acm *c, uint8_t *dst, size_t max);
/* Queues up to len bytes and returns how many fit; 0 while the port is not open (the bytes
 * would only go stale). Full packets start at once; cdc_acm_flush sends a partial one. */
size_t cdc_acm_write(cdc_acm *c, const uint8_t *src, size_t len);
void cdc_acm_flush(cdc_acm *c);
size_t cdc_acm_tx_queued(const cdc_acm *c);
/* The host's last SET_LINE_CODING rate (115200 until it sets one). */
uint32_t cdc_acm_baud(const cdc_acm *c);

#endif
