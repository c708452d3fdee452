/* The CDC ACM class: line coding, DTR, bulk data both ways, and the protocol running over it. */
#include <string.h>
#include "../core/device.h"
#include "../core/usb/megabit_usb.h"
#include "check.h"
#include "fake_board.h"
#include "mock_dcd.h"
#include "suites.h"
#include "usb_host.h"

static usbd dev;
static cdc_acm cdc;

static void open_port(void) {
  mock_dcd_reset();
  megabit_usb_start(&dev, &cdc, 1, 2);
  usb_host_open_port(&dev, &cdc);
}

static void line_coding_and_dtr(void) {
  uint8_t buf[8];
  mock_dcd_reset();
  megabit_usb_start(&dev, &cdc, 1, 2);
  mock_bus_reset();
  usbd_task(&dev);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_ADDRESS, 3, 0, NULL, 0), 0);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, NULL, 0), 0);
  CHECK_EQ(usb_host_read(&dev, 0xA1, CDC_REQ_GET_LINE_CODING, 0, 0, 7, buf), 7);
  static const uint8_t default_coding[7] = {0x00, 0xC2, 0x01, 0x00, 0, 0, 8};
  CHECK(memcmp(buf, default_coding, 7) == 0);
  static const uint8_t coding[7] = {0x40, 0x42, 0x0F, 0x00, 2, 1, 7}; /* 1000000 7O2 */
  CHECK_EQ(usb_host_write(&dev, 0x21, CDC_REQ_SET_LINE_CODING, 0, 0, coding, 7), 0);
  CHECK_EQ(usb_host_read(&dev, 0xA1, CDC_REQ_GET_LINE_CODING, 0, 0, 7, buf), 7);
  CHECK(memcmp(buf, coding, 7) == 0);
  CHECK_EQ(usb_host_write(&dev, 0x21, CDC_REQ_SET_LINE_CODING, 0, 0, coding, 6), USB_HOST_STALL);

  CHECK(!cdc_acm_connected(&cdc));
  CHECK_EQ(cdc_acm_write(&cdc, (const uint8_t *)"x", 1), 0); /* nobody listening */
  CHECK_EQ(usb_host_write(&dev, 0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 2, 0, NULL, 0), 0);
  CHECK(!cdc_acm_connected(&cdc)); /* RTS alone */
  CHECK_EQ(usb_host_write(&dev, 0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 1, 0, NULL, 0), 0);
  CHECK(cdc_acm_connected(&cdc) && cdc.dtr && !cdc.rts);
  CHECK_EQ(usb_host_write(&dev, 0x21, CDC_REQ_SEND_BREAK, 100, 0, NULL, 0), 0);

  /* Closing the port drops what the host never read. */
  CHECK_EQ(cdc_acm_write(&cdc, (const uint8_t *)"abc", 3), 3);
  CHECK_EQ(cdc_acm_tx_queued(&cdc), 3);
  CHECK_EQ(usb_host_write(&dev, 0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 0, 0, NULL, 0), 0);
  CHECK(!cdc_acm_connected(&cdc));
  CHECK_EQ(cdc_acm_tx_queued(&cdc), 0);
}

static void in_data_ends_full_transfers_with_zlp(void) {
  uint8_t data[200], got[256];
  unsigned packets, zlps;
  for (int i = 0; i < 200; i++) data[i] = (uint8_t)(i ^ 0x5A);
  open_port();

  CHECK_EQ(cdc_acm_write(&cdc, data, 64), 64); /* a full packet starts without a flush */
  CHECK(mock_pending(CDC_EP_IN)->armed);
  CHECK_EQ(usb_host_receive(&dev, got, sizeof got, &packets, &zlps), 64);
  CHECK(memcmp(got, data, 64) == 0);
  CHECK(packets == 2 && zlps == 1);

  CHECK_EQ(cdc_acm_write(&cdc, data, 100), 100);
  cdc_acm_flush(&cdc);
  CHECK_EQ(usb_host_receive(&dev, got, sizeof got, &packets, &zlps), 100);
  CHECK(memcmp(got, data, 100) == 0);
  CHECK(packets == 2 && zlps == 0); /* 64 + 36: the short packet ends it */

  CHECK_EQ(cdc_acm_write(&cdc, data, 128), 128);
  CHECK_EQ(usb_host_receive(&dev, got, sizeof got, &packets, &zlps), 128);
  CHECK(memcmp(got, data, 128) == 0);
  CHECK(packets == 3 && zlps == 1);

  CHECK_EQ(cdc_acm_write(&cdc, data, 10), 10);
  CHECK(!mock_pending(CDC_EP_IN)->armed); /* partial packets wait for a flush */
  cdc_acm_flush(&cdc);
  CHECK_EQ(usb_host_receive(&dev, got, sizeof got, &packets, &zlps), 10);

  /* A host that stops reading: one packet in flight, then the ring fills and takes no more. */
  size_t total = 0;
  for (int i = 0; i < 20; i++) total += cdc_acm_write(&cdc, data, 200);
  CHECK_EQ(total, CDC_PACKET + CDC_RING);
  CHECK_EQ(cdc_acm_write(&cdc, data, 1), 0);
}

static void out_data_backpressure_instead_of_loss(void) {
  uint8_t packet[CDC_PACKET], got[CDC_RING];
  open_port();
  unsigned sent = 0;
  while (mock_pending(CDC_EP_OUT)->armed) {
    memset(packet, (int)sent, sizeof packet);
    CHECK(mock_give_out(CDC_EP_OUT, packet, sizeof packet));
    usbd_task(&dev);
    sent++;
  }
  CHECK_EQ(sent, CDC_RING / CDC_PACKET); /* the endpoint NAKs once the ring is full */
  CHECK_EQ(cdc_acm_available(&cdc), CDC_RING);
  CHECK_EQ(cdc_acm_read(&cdc, got, 100), 100);
  CHECK(mock_pending(CDC_EP_OUT)->armed); /* room again: re-armed */
  CHECK(got[0] == 0 && got[64] == 1 && got[99] == 1);
  /* A short packet is taken as is. */
  CHECK_EQ(cdc_acm_read(&cdc, got, sizeof got), CDC_RING - 100);
  CHECK(mock_give_out(CDC_EP_OUT, (const uint8_t *)"hi", 2));
  usbd_task(&dev);
  CHECK_EQ(cdc_acm_read(&cdc, got, sizeof got), 2);
  CHECK(got[0] == 'h' && got[1] == 'i');
}

/* The main loop of a board: USB bytes in, protocol replies back out over USB. */
static void protocol_runs_over_cdc(void) {
  static const mb_board_info board = {"usb-board", 0, 1, 0, 1, 0, false, 6, 8};
  static mb_device device;
  static uint8_t wire[MB_MAX_WIRE * 2], got[MB_MAX_WIRE * 2];
  size_t n = 0, len;
  open_port();
  fake_board_reset();
  mb_device_init(&device, &board, 7, 0);

  mb_msg hello = {.type = MB_T_HELLO};
  hello.v[MB_F_HELLO_MAJOR] = 1;
  CHECK_EQ(mb_msg_encode(&hello, wire, sizeof wire, &len), MB_OK);
  n += len;
  uint8_t rgb[16 * 8 * 3]; /* 384 bytes of pixels: the packet spans 7 USB packets */
  for (size_t i = 0; i < sizeof rgb; i++) rgb[i] = (uint8_t)i;
  mb_msg rect = {.type = MB_T_WRITE_RECT, .seq = 0, .tail = rgb, .tail_len = sizeof rgb};
  rect.v[MB_F_RECT_W] = 16;
  rect.v[MB_F_RECT_H] = 8;
  CHECK_EQ(mb_msg_encode(&rect, wire + n, sizeof wire - n, &len), MB_OK);
  n += len;
  CHECK_EQ(usb_host_send(&dev, wire, n), 0);

  uint8_t buf[CDC_PACKET];
  size_t got_bytes;
  while ((got_bytes = cdc_acm_read(&cdc, buf, sizeof buf)) > 0) mb_device_rx(&device, buf, got_bytes, 1);
  CHECK_EQ(device.counters[MB_CNT_RX_PACKETS], 2);
  CHECK_EQ(device.counters[MB_CNT_RX_CRC_ERRORS], 0);
  CHECK_EQ(device.counters[MB_CNT_REJECTED], 0);
  CHECK(device.link.session);

  /* What the device wrote (captured by the fake board) goes back through the IN endpoint. */
  mb_device_poll(&device, 2, true); /* cumulative ACK */
  for (size_t off = 0; off < fake_tx_len;) off += cdc_acm_write(&cdc, fake_tx + off, fake_tx_len - off);
  cdc_acm_flush(&cdc);
  unsigned packets, zlps;
  size_t back = usb_host_receive(&dev, got, sizeof got, &packets, &zlps);
  CHECK_EQ(back, fake_tx_len);
  CHECK(memcmp(got, fake_tx, back) == 0);
  CHECK(fake_tx_last(MB_T_HELLO_REPLY) != NULL);
  CHECK(fake_tx_last(MB_T_DEV_ACK) != NULL);
}

static void bus_reset_mid_bulk_transfer(void) {
  uint8_t data[64] = {1}, got[256];
  unsigned packets, zlps;
  open_port();
  CHECK_EQ(cdc_acm_write(&cdc, data, 64), 64);
  CHECK_EQ(cdc_acm_write(&cdc, data, 30), 30);
  CHECK(mock_pending(CDC_EP_IN)->armed);
  CHECK(mock_give_out(CDC_EP_OUT, (const uint8_t *)"abc", 3));
  usbd_task(&dev);
  mock_bus_reset();
  usbd_task(&dev);
  CHECK(!cdc_acm_connected(&cdc));
  CHECK_EQ(cdc_acm_tx_queued(&cdc), 0);
  CHECK_EQ(cdc_acm_available(&cdc), 3); /* received before the reset: still the host's bytes */
  /* The completion of the cancelled IN transfer, reported just before the reset, changes
   * nothing once the device is unconfigured. */
  usb_dcd_event_t stale = {.id = USB_EV_XFER_COMPLETE, .ep = CDC_EP_IN, .len = 64};
  usb_dcd_event(&stale);
  usbd_task(&dev);
  CHECK(!mock_pending(CDC_EP_IN)->armed);
  /* Enumerated and opened again, the port works from a clean state. */
  size_t outs = mock_count(MOCK_EDPT_XFER, CDC_EP_OUT);
  usb_host_open_port(&dev, &cdc);
  CHECK_EQ(mock_count(MOCK_EDPT_XFER, CDC_EP_OUT), outs + 1);
  CHECK_EQ(cdc_acm_write(&cdc, data, 5), 5);
  cdc_acm_flush(&cdc);
  CHECK_EQ(usb_host_receive(&dev, got, sizeof got, &packets, &zlps), 5);
  /* Unplugging behaves like a reset. */
  mock_signal(USB_EV_UNPLUGGED);
  usbd_task(&dev);
  CHECK(!usbd_configured(&dev) && !cdc_acm_connected(&cdc));
}

void suite_usb_cdc(void) {
  RUN(line_coding_and_dtr);
  RUN(in_data_ends_full_transfers_with_zlp);
  RUN(out_data_backpressure_instead_of_loss);
  RUN(protocol_runs_over_cdc);
  RUN(bus_reset_mid_bulk_transfer);
}
