#include "mock_dcd.h"
#include <string.h>
#include "../core/usb/usb_std.h"
#include "check.h"

mock_call mock_calls[MOCK_MAX_CALLS];
size_t mock_call_count;
bool mock_ep0_stalled;
const mock_forward_ops *mock_forward;
static mock_xfer pending[16][2]; /* [number][1 = IN] */

static void record(mock_call_kind kind, uint8_t ep, uint16_t len, uint32_t value) {
  if (mock_call_count == MOCK_MAX_CALLS) {
    check_failures++;
    fprintf(stderr, "  mock dcd: call log full\n");
    return;
  }
  mock_calls[mock_call_count++] = (mock_call){kind, ep, len, value};
}

void mock_dcd_reset(void) {
  mock_call_count = 0;
  mock_ep0_stalled = false;
  memset(pending, 0, sizeof pending);
}

size_t mock_count(mock_call_kind kind, uint8_t ep) {
  size_t n = 0;
  for (size_t i = 0; i < mock_call_count; i++) n += mock_calls[i].kind == kind && mock_calls[i].ep == ep;
  return n;
}

const mock_call *mock_last(mock_call_kind kind) {
  for (size_t i = mock_call_count; i-- > 0;)
    if (mock_calls[i].kind == kind) return &mock_calls[i];
  return NULL;
}

mock_xfer *mock_pending(uint8_t ep) { return &pending[USB_EP_NUM(ep)][USB_EP_IS_IN(ep)]; }

void usb_dcd_init(void) {
  record(MOCK_INIT, 0, 0, 0);
  if (mock_forward) mock_forward->init();
}

void usb_dcd_connect(bool on) {
  record(MOCK_CONNECT, 0, 0, on);
  if (mock_forward) mock_forward->connect(on);
}

void usb_dcd_set_address(uint8_t address) {
  record(MOCK_SET_ADDRESS, 0, 0, address);
  if (mock_forward) mock_forward->set_address(address);
}

void usb_dcd_edpt_open(uint8_t ep, uint8_t xfer_type, uint16_t max_packet) {
  record(MOCK_EDPT_OPEN, ep, max_packet, xfer_type);
  *mock_pending(ep) = (mock_xfer){0};
  if (mock_forward) mock_forward->edpt_open(ep, xfer_type, max_packet);
}

/* Forwarding, the real driver tracks its endpoints; alone, the mock models them. */
void usb_dcd_edpt_xfer(uint8_t ep, uint8_t *buf, uint16_t len) {
  record(MOCK_EDPT_XFER, ep, len, 0);
  if (mock_forward) {
    mock_forward->edpt_xfer(ep, buf, len);
    return;
  }
  mock_xfer *x = mock_pending(ep);
  if (x->armed) {
    check_failures++;
    fprintf(stderr, "  mock dcd: endpoint 0x%02x armed twice\n", ep);
  }
  if (len > USB_EP0_SIZE || (len > 0 && buf == NULL)) {
    check_failures++;
    fprintf(stderr, "  mock dcd: bad transfer on 0x%02x (%u bytes)\n", ep, len);
  }
  *x = (mock_xfer){true, buf, len};
}

void usb_dcd_edpt_stall(uint8_t ep) {
  record(MOCK_EDPT_STALL, ep, 0, 0);
  if (USB_EP_NUM(ep) == 0) mock_ep0_stalled = true;
  if (mock_forward) mock_forward->edpt_stall(ep);
}

void usb_dcd_edpt_clear_stall(uint8_t ep) {
  record(MOCK_EDPT_CLEAR_STALL, ep, 0, 0);
  if (mock_forward) mock_forward->edpt_clear_stall(ep);
}

void mock_bus_reset(void) {
  memset(pending, 0, sizeof pending);
  mock_signal(USB_EV_BUS_RESET);
}

void mock_signal(usb_event_id id) {
  usb_dcd_event_t ev = {.id = id};
  usb_dcd_event(&ev);
}

void mock_setup(uint8_t bm, uint8_t request, uint16_t value, uint16_t index, uint16_t length) {
  pending[0][0] = pending[0][1] = (mock_xfer){0};
  mock_ep0_stalled = false;
  usb_dcd_event_t ev = {.id = USB_EV_SETUP,
                        .setup = {bm, request, (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)index,
                                  (uint8_t)(index >> 8), (uint8_t)length, (uint8_t)(length >> 8)}};
  usb_dcd_event(&ev);
}

static void complete(uint8_t ep, uint16_t len) {
  usb_dcd_event_t ev = {.id = USB_EV_XFER_COMPLETE, .ep = ep, .len = len};
  usb_dcd_event(&ev);
}

bool mock_take_in(uint8_t ep, uint8_t *out, uint16_t *len) {
  mock_xfer *x = mock_pending(ep | USB_DIR_IN);
  if (!x->armed) return false;
  if (out && x->len) memcpy(out, x->buf, x->len);
  *len = x->len;
  x->armed = false;
  complete(ep | USB_DIR_IN, *len);
  return true;
}

bool mock_give_out(uint8_t ep, const uint8_t *data, uint16_t len) {
  mock_xfer *x = mock_pending(ep);
  if (!x->armed || len > x->len) return false;
  if (len) memcpy(x->buf, data, len);
  x->armed = false;
  complete(ep, len);
  return true;
}
