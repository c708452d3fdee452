#include "usb_host.h"
#include <string.h>
#include "../core/usb/megabit_usb.h"
#include "check.h"
#include "mock_dcd.h"

int usb_host_read(usbd *d, uint8_t bm, uint8_t request, uint16_t value, uint16_t index,
                  uint16_t length, uint8_t *out) {
  mock_setup(bm, request, value, index, length);
  usbd_task(d);
  uint16_t got = 0;
  for (;;) {
    if (mock_ep0_stalled) return USB_HOST_STALL;
    uint8_t packet[USB_EP0_SIZE];
    uint16_t n;
    if (!mock_take_in(0x80, packet, &n) || got + n > length) return USB_HOST_STUCK;
    memcpy(out + got, packet, n);
    got = (uint16_t)(got + n);
    usbd_task(d);
    if (n < USB_EP0_SIZE || got == length) break;
  }
  if (mock_ep0_stalled) return USB_HOST_STALL;
  if (!mock_give_out(0x00, NULL, 0)) return USB_HOST_STUCK; /* status: zero-length OUT */
  usbd_task(d);
  return got;
}

int usb_host_write(usbd *d, uint8_t bm, uint8_t request, uint16_t value, uint16_t index,
                   const uint8_t *data, uint16_t len) {
  mock_setup(bm, request, value, index, len);
  usbd_task(d);
  for (uint16_t sent = 0; sent < len;) {
    if (mock_ep0_stalled) return USB_HOST_STALL;
    uint16_t left = (uint16_t)(len - sent);
    uint16_t chunk = left < USB_EP0_SIZE ? left : (uint16_t)USB_EP0_SIZE;
    if (!mock_give_out(0x00, data + sent, chunk)) return USB_HOST_STUCK;
    sent = (uint16_t)(sent + chunk);
    usbd_task(d);
  }
  if (mock_ep0_stalled) return USB_HOST_STALL;
  uint16_t n;
  if (!mock_take_in(0x80, NULL, &n) || n != 0) return USB_HOST_STUCK; /* status: zero-length IN */
  usbd_task(d);
  return 0;
}

int usb_host_get_descriptor(usbd *d, uint8_t type, uint8_t index, uint16_t length, uint8_t *out) {
  uint16_t lang = type == USB_DESC_STRING && index != 0 ? 0x0409 : 0;
  return usb_host_read(d, 0x80, USB_REQ_GET_DESCRIPTOR, (uint16_t)(type << 8 | index), lang,
                       length, out);
}

void usb_host_open_port(usbd *d, cdc_acm *c) {
  uint8_t buf[256];
  mock_bus_reset();
  usbd_task(d);
  CHECK_EQ(usb_host_get_descriptor(d, USB_DESC_DEVICE, 0, 64, buf), 18);
  mock_bus_reset();
  usbd_task(d);
  CHECK_EQ(usb_host_write(d, 0x00, USB_REQ_SET_ADDRESS, 9, 0, NULL, 0), 0);
  CHECK_EQ(usb_host_get_descriptor(d, USB_DESC_DEVICE, 0, 18, buf), 18);
  CHECK_EQ(usb_host_get_descriptor(d, USB_DESC_CONFIGURATION, 0, 9, buf), 9);
  CHECK_EQ(usb_host_get_descriptor(d, USB_DESC_CONFIGURATION, 0, MEGABIT_USB_CONFIG_LENGTH, buf),
           MEGABIT_USB_CONFIG_LENGTH);
  CHECK_EQ(usb_host_write(d, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, NULL, 0), 0);
  static const uint8_t coding[7] = {0x40, 0x42, 0x0F, 0x00, 0, 0, 8}; /* 1000000 8N1 */
  CHECK_EQ(usb_host_write(d, 0x21, CDC_REQ_SET_LINE_CODING, 0, 0, coding, 7), 0);
  CHECK_EQ(usb_host_write(d, 0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 3, 0, NULL, 0), 0);
  CHECK(cdc_acm_connected(c));
}

int usb_host_send(usbd *d, const uint8_t *data, size_t len) {
  for (size_t sent = 0; sent < len;) {
    uint16_t chunk = (uint16_t)(len - sent < CDC_PACKET ? len - sent : CDC_PACKET);
    if (!mock_give_out(CDC_EP_OUT, data + sent, chunk)) return USB_HOST_STUCK;
    sent += chunk;
    usbd_task(d);
  }
  return 0;
}

size_t usb_host_receive(usbd *d, uint8_t *out, size_t max, unsigned *packets, unsigned *zlps) {
  size_t got = 0;
  uint8_t packet[CDC_PACKET];
  uint16_t n;
  *packets = *zlps = 0;
  while (mock_take_in(CDC_EP_IN, packet, &n)) {
    (*packets)++;
    if (n == 0) (*zlps)++;
    if (got + n > max) {
      check_failures++;
      fprintf(stderr, "  usb host: received more than %zu bytes\n", max);
      return got;
    }
    memcpy(out + got, packet, n);
    got += n;
    usbd_task(d);
  }
  return got;
}
