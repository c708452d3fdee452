/* Event queue and control-transfer state machine; the chapter 9 requests themselves are in
 * usbd_requests.c. */
#include "usbd.h"
#include <stdatomic.h>
#include <string.h>

static usbd *active; /* the device usb_dcd_event feeds */

void usbd_init(usbd *d, const usbd_config *cfg) {
  memset(d, 0, sizeof *d);
  d->cfg = cfg;
  active = d;
  usb_dcd_init();
  usb_dcd_connect(true);
}

bool usbd_configured(const usbd *d) { return d->configuration != 0; }

/* Single producer (the controller ISR), single consumer (usbd_task) on one core: compiler
 * fences are enough to publish the slot before the index that hands it over. */
void usb_dcd_event(const usb_dcd_event_t *ev) {
  usbd *d = active;
  if (!d) return;
  uint32_t head = d->q_head, next = (head + 1u) % USBD_EVENT_QUEUE;
  if (next == d->q_tail) {
    d->events_lost++;
    return;
  }
  d->queue[head] = *ev;
  atomic_signal_fence(memory_order_release);
  d->q_head = next;
}

static void bus_reset(usbd *d) {
  if (d->cfg->cls) d->cfg->cls->reset(d->cfg->cls_ctx);
  d->address = 0;
  d->configuration = 0;
  d->open_eps = d->halted_eps = 0;
  d->stage = USBD_CTRL_IDLE;
  d->suspended = false;
}

static void stall_ep0(usbd *d) {
  d->stage = USBD_CTRL_IDLE;
  usb_dcd_edpt_stall(0x00);
}

void usbd_control_ack(usbd *d) {
  d->stage = USBD_CTRL_STATUS_IN;
  usb_dcd_edpt_xfer(USB_DIR_IN, NULL, 0);
}

static void send_in_chunk(usbd *d) {
  uint16_t left = (uint16_t)(d->total - d->done);
  d->chunk = left < USB_EP0_SIZE ? left : USB_EP0_SIZE;
  if (d->chunk) memcpy(d->ep0_buf, d->in_src + d->done, d->chunk);
  usb_dcd_edpt_xfer(USB_DIR_IN, d->ep0_buf, d->chunk);
}

void usbd_control_in(usbd *d, const void *data, uint16_t len) {
  if (d->setup.wLength == 0) {
    usbd_control_ack(d);
    return;
  }
  d->in_src = data;
  d->total = len < d->setup.wLength ? len : d->setup.wLength;
  d->done = 0;
  d->stage = USBD_CTRL_DATA_IN;
  send_in_chunk(d);
}

static void receive_out_chunk(usbd *d) {
  uint16_t left = (uint16_t)(d->total - d->done);
  d->chunk = left < USB_EP0_SIZE ? left : USB_EP0_SIZE;
  usb_dcd_edpt_xfer(0x00, d->ep0_buf, d->chunk);
}

static void out_data_complete(usbd *d) {
  const usbd_class *cls = d->cfg->cls;
  if (cls && cls->control_out_done(d->cfg->cls_ctx, &d->setup, d->done)) usbd_control_ack(d);
  else stall_ep0(d);
}

bool usbd_control_out(usbd *d, void *dst, uint16_t len) {
  if (d->setup.wLength > len) return false;
  d->out_dst = dst;
  d->total = d->setup.wLength;
  d->done = 0;
  if (d->total == 0) {
    out_data_complete(d);
    return true;
  }
  d->stage = USBD_CTRL_DATA_OUT;
  receive_out_chunk(d);
  return true;
}

void usbd_edpt_xfer(usbd *d, uint8_t ep, uint8_t *buf, uint16_t len) {
  (void)d;
  usb_dcd_edpt_xfer(ep, buf, len);
}

static bool class_request(usbd *d, const usb_setup *s) {
  const usbd_class *cls = d->cfg->cls;
  return cls && d->configuration != 0 && USB_REQ_RECIPIENT(s->bmRequestType) == USB_RCPT_INTERFACE &&
         cls->control(d->cfg->cls_ctx, s);
}

/* A new SETUP always wins: the host has given up on whatever transfer was in progress. */
static void on_setup(usbd *d, const uint8_t raw[8]) {
  d->setup = usb_setup_parse(raw);
  d->stage = USBD_CTRL_IDLE;
  bool handled;
  switch (USB_REQ_TYPE(d->setup.bmRequestType)) {
    case USB_TYPE_STANDARD:
      handled = usbd_standard_request(d, &d->setup);
      break;
    case USB_TYPE_CLASS:
      handled = class_request(d, &d->setup);
      break;
    default:
      handled = false;
  }
  if (!handled) stall_ep0(d);
}

static void on_ep0_complete(usbd *d, uint8_t ep, uint16_t len) {
  switch (d->stage) {
    case USBD_CTRL_DATA_IN:
      if (ep != USB_DIR_IN) return;
      d->done = (uint16_t)(d->done + len);
      if (d->done < d->total) {
        send_in_chunk(d);
      } else if (d->chunk == USB_EP0_SIZE && d->total < d->setup.wLength) {
        d->stage = USBD_CTRL_ZLP_IN; /* a full last packet would not tell the host we are done */
        usb_dcd_edpt_xfer(USB_DIR_IN, d->ep0_buf, 0);
      } else {
        d->stage = USBD_CTRL_STATUS_OUT;
        usb_dcd_edpt_xfer(0x00, NULL, 0);
      }
      return;
    case USBD_CTRL_ZLP_IN:
      if (ep != USB_DIR_IN) return;
      d->stage = USBD_CTRL_STATUS_OUT;
      usb_dcd_edpt_xfer(0x00, NULL, 0);
      return;
    case USBD_CTRL_DATA_OUT:
      if (ep != 0x00) return;
      if (len > d->chunk) len = d->chunk;
      if (len) memcpy(d->out_dst + d->done, d->ep0_buf, len);
      d->done = (uint16_t)(d->done + len);
      if (d->done < d->total && len == USB_EP0_SIZE) receive_out_chunk(d);
      else out_data_complete(d);
      return;
    case USBD_CTRL_STATUS_IN:
      if (ep == USB_DIR_IN) d->stage = USBD_CTRL_IDLE;
      return;
    case USBD_CTRL_STATUS_OUT:
      if (ep == 0x00) d->stage = USBD_CTRL_IDLE;
      return;
    case USBD_CTRL_IDLE:
      return;
  }
}

static void handle(usbd *d, const usb_dcd_event_t *ev) {
  switch (ev->id) {
    case USB_EV_BUS_RESET:
    case USB_EV_UNPLUGGED:
      bus_reset(d);
      break;
    case USB_EV_SUSPEND:
      d->suspended = true;
      break;
    case USB_EV_RESUME:
      d->suspended = false;
      break;
    case USB_EV_SETUP:
      on_setup(d, ev->setup);
      break;
    case USB_EV_XFER_COMPLETE:
      if (USB_EP_NUM(ev->ep) == 0) on_ep0_complete(d, ev->ep, ev->len);
      else if (d->configuration != 0 && d->cfg->cls)
        d->cfg->cls->xfer_done(d->cfg->cls_ctx, ev->ep, ev->len);
      break;
  }
}

void usbd_task(usbd *d) {
  while (d->q_tail != d->q_head) {
    uint32_t tail = d->q_tail;
    atomic_signal_fence(memory_order_acquire);
    usb_dcd_event_t ev = d->queue[tail];
    atomic_signal_fence(memory_order_release);
    d->q_tail = (tail + 1u) % USBD_EVENT_QUEUE;
    handle(d, &ev);
  }
}
