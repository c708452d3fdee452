#include "cdc_acm.h"
#include <string.h>

static const uint8_t default_line_coding[7] = {0x00, 0xC2, 0x01, 0x00, 0, 0, 8}; /* 115200 8N1 */

static size_t ring_used(const cdc_ring *r) { return r->head - r->tail; }
static size_t ring_free(const cdc_ring *r) { return CDC_RING - ring_used(r); }

static void ring_put(cdc_ring *r, const uint8_t *src, size_t n) {
  for (size_t i = 0; i < n; i++) r->data[(r->head + i) % CDC_RING] = src[i];
  r->head += (uint32_t)n;
}

static void ring_get(cdc_ring *r, uint8_t *dst, size_t n) {
  for (size_t i = 0; i < n; i++) dst[i] = r->data[(r->tail + i) % CDC_RING];
  r->tail += (uint32_t)n;
}

void cdc_acm_init(cdc_acm *c, usbd *dev) {
  memset(c, 0, sizeof *c);
  c->dev = dev;
  memcpy(c->line_coding, default_line_coding, sizeof c->line_coding);
}

bool cdc_acm_connected(const cdc_acm *c) { return c->configured && c->dtr; }
size_t cdc_acm_available(const cdc_acm *c) { return ring_used(&c->rx); }
size_t cdc_acm_tx_queued(const cdc_acm *c) { return ring_used(&c->tx); }

uint32_t cdc_acm_baud(const cdc_acm *c) {
  return (uint32_t)c->line_coding[0] | (uint32_t)c->line_coding[1] << 8 |
         (uint32_t)c->line_coding[2] << 16 | (uint32_t)c->line_coding[3] << 24;
}

static void arm_out(cdc_acm *c) {
  if (!c->configured || c->out_busy || ring_free(&c->rx) < CDC_PACKET) return;
  c->out_busy = true;
  usbd_edpt_xfer(c->dev, CDC_EP_OUT, c->out_pkt, CDC_PACKET);
}

static void start_in(cdc_acm *c) {
  size_t n = ring_used(&c->tx);
  if (n > CDC_PACKET) n = CDC_PACKET;
  ring_get(&c->tx, c->in_pkt, n);
  c->in_busy = true;
  c->in_last = (uint16_t)n;
  usbd_edpt_xfer(c->dev, CDC_EP_IN, c->in_pkt, (uint16_t)n);
}

size_t cdc_acm_read(cdc_acm *c, uint8_t *dst, size_t max) {
  size_t n = ring_used(&c->rx);
  if (n > max) n = max;
  ring_get(&c->rx, dst, n);
  arm_out(c);
  return n;
}

size_t cdc_acm_write(cdc_acm *c, const uint8_t *src, size_t len) {
  if (!cdc_acm_connected(c)) return 0;
  size_t n = ring_free(&c->tx);
  if (n > len) n = len;
  ring_put(&c->tx, src, n);
  if (!c->in_busy && ring_used(&c->tx) >= CDC_PACKET) start_in(c);
  return n;
}

void cdc_acm_flush(cdc_acm *c) {
  if (cdc_acm_connected(c) && !c->in_busy && ring_used(&c->tx) > 0) start_in(c);
}

static void on_reset(void *ctx) {
  cdc_acm *c = ctx;
  c->configured = c->dtr = c->rts = false;
  c->out_busy = c->in_busy = false;
  c->tx.tail = c->tx.head; /* nobody is listening any more; received bytes stay readable */
}

static void on_configured(void *ctx) {
  cdc_acm *c = ctx;
  c->configured = true;
  arm_out(c);
}

static bool on_control(void *ctx, const usb_setup *s) {
  cdc_acm *c = ctx;
  bool in = (s->bmRequestType & USB_DIR_IN) != 0;
  if (s->wIndex != CDC_COMM_INTERFACE) return false;
  switch (s->bRequest) {
    case CDC_REQ_SET_LINE_CODING:
      return !in && s->wLength == sizeof c->line_coding_rx &&
             usbd_control_out(c->dev, c->line_coding_rx, sizeof c->line_coding_rx);
    case CDC_REQ_GET_LINE_CODING:
      if (!in) return false;
      usbd_control_in(c->dev, c->line_coding, sizeof c->line_coding);
      return true;
    case CDC_REQ_SET_CONTROL_LINE_STATE:
      if (in || s->wLength != 0) return false;
      c->dtr = (s->wValue & 1u) != 0;
      c->rts = (s->wValue & 2u) != 0;
      if (!c->dtr) c->tx.tail = c->tx.head; /* the port was closed: drop what it never read */
      usbd_control_ack(c->dev);
      return true;
    case CDC_REQ_SEND_BREAK:
      if (in || s->wLength != 0) return false;
      usbd_control_ack(c->dev);
      return true;
    default:
      return false;
  }
}

/* The baud rate is recorded for GET_LINE_CODING and the 1200-baud touch only: USB moves bytes
 * at bus speed. */
static bool on_control_out_done(void *ctx, const usb_setup *s, uint16_t len) {
  cdc_acm *c = ctx;
  if (s->bRequest != CDC_REQ_SET_LINE_CODING || len != sizeof c->line_coding) return false;
  memcpy(c->line_coding, c->line_coding_rx, sizeof c->line_coding);
  return true;
}

static void on_xfer_done(void *ctx, uint8_t ep, uint16_t len) {
  cdc_acm *c = ctx;
  if (ep == CDC_EP_OUT && c->out_busy) {
    c->out_busy = false;
    ring_put(&c->rx, c->out_pkt, len < CDC_PACKET ? len : CDC_PACKET);
    arm_out(c);
  } else if (ep == CDC_EP_IN && c->in_busy) {
    c->in_busy = false;
    /* After a full packet with nothing more to send, a zero-length packet ends the transfer:
     * otherwise the host's read would wait for the rest of its buffer. */
    if (ring_used(&c->tx) > 0 || c->in_last == CDC_PACKET) start_in(c);
  }
}

const usbd_class cdc_acm_class = {
    .reset = on_reset,
    .configured = on_configured,
    .control = on_control,
    .control_out_done = on_control_out_done,
    .xfer_done = on_xfer_done,
};
