/* The USB device layer (usbd.c, usbd_requests.c) and Megabit's descriptors, over the mock
 * controller. */
#include <string.h>
#include "../core/usb/megabit_usb.h"
#include "check.h"
#include "mock_dcd.h"
#include "suites.h"
#include "usb_host.h"

static usbd dev;
static cdc_acm cdc;

static void start(void) {
  mock_dcd_reset();
  megabit_usb_start(&dev, &cdc, 0x01234567u, 0x89ABCDEFu);
}

static bool utf16_is(const uint8_t *desc, int len, const char *ascii) {
  size_t n = strlen(ascii);
  if (len != (int)(2 + 2 * n) || desc[0] != len || desc[1] != USB_DESC_STRING) return false;
  for (size_t i = 0; i < n; i++)
    if (desc[2 + 2 * i] != (uint8_t)ascii[i] || desc[3 + 2 * i] != 0) return false;
  return true;
}

static void init_powers_up_and_connects(void) {
  start();
  CHECK_EQ(mock_count(MOCK_INIT, 0), 1);
  const mock_call *c = mock_last(MOCK_CONNECT);
  CHECK(c && c->value == 1);
  CHECK(!usbd_configured(&dev));
}

/* Linux: reset, device descriptor with wLength 64, reset, SET_ADDRESS, device descriptor (18),
 * configuration header (9), whole configuration, strings 0 / product / manufacturer / serial,
 * SET_CONFIGURATION 1. */
static void enumerates_like_linux(void) {
  uint8_t buf[256];
  start();
  mock_bus_reset();
  usbd_task(&dev);
  CHECK_EQ(usb_host_get_descriptor(&dev, USB_DESC_DEVICE, 0, 64, buf), 18);
  CHECK(memcmp(buf, megabit_usb_device_desc, 18) == 0);
  CHECK_EQ(buf[7], 64);                                   /* EP0 size */
  CHECK_EQ(buf[8] | buf[9] << 8, 0x1209);                 /* pid.codes test VID/PID */
  CHECK_EQ(buf[10] | buf[11] << 8, 0x0001);
  mock_bus_reset();
  usbd_task(&dev);

  size_t calls = mock_call_count;
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_ADDRESS, 42, 0, NULL, 0), 0);
  const mock_call *addr = mock_last(MOCK_SET_ADDRESS);
  CHECK(addr && addr->value == 42);
  /* set_address comes before the status stage is armed (the controller applies it after). */
  CHECK(mock_call_count == calls + 2 && mock_calls[calls].kind == MOCK_SET_ADDRESS &&
        mock_calls[calls + 1].kind == MOCK_EDPT_XFER && mock_calls[calls + 1].ep == 0x80 &&
        mock_calls[calls + 1].len == 0);

  CHECK_EQ(usb_host_get_descriptor(&dev, USB_DESC_DEVICE, 0, 18, buf), 18);
  CHECK_EQ(usb_host_get_descriptor(&dev, USB_DESC_CONFIGURATION, 0, 9, buf), 9);
  uint16_t total = (uint16_t)(buf[2] | buf[3] << 8);
  CHECK_EQ(total, MEGABIT_USB_CONFIG_LENGTH);
  size_t in_before = mock_count(MOCK_EDPT_XFER, 0x80);
  CHECK_EQ(usb_host_get_descriptor(&dev, USB_DESC_CONFIGURATION, 0, total, buf), total);
  CHECK(memcmp(buf, megabit_usb_config_desc, total) == 0);
  CHECK_EQ(mock_count(MOCK_EDPT_XFER, 0x80) - in_before, 2); /* 64 + 11: longer than EP0 */

  int n = usb_host_get_descriptor(&dev, USB_DESC_STRING, 0, 255, buf);
  CHECK(n == 4 && buf[0] == 4 && buf[1] == USB_DESC_STRING && buf[2] == 0x09 && buf[3] == 0x04);
  n = usb_host_get_descriptor(&dev, USB_DESC_STRING, MEGABIT_STR_PRODUCT, 255, buf);
  CHECK(utf16_is(buf, n, "Megabit"));
  n = usb_host_get_descriptor(&dev, USB_DESC_STRING, MEGABIT_STR_MANUFACTURER, 255, buf);
  CHECK(utf16_is(buf, n, "Megabit"));
  n = usb_host_get_descriptor(&dev, USB_DESC_STRING, MEGABIT_STR_SERIAL, 255, buf);
  CHECK(utf16_is(buf, n, "0123456789ABCDEF"));

  CHECK(!usbd_configured(&dev));
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, NULL, 0), 0);
  CHECK(usbd_configured(&dev));
  CHECK_EQ(dev.stage, USBD_CTRL_IDLE);
  CHECK_EQ(mock_count(MOCK_EDPT_OPEN, CDC_EP_NOTIFY), 1);
  CHECK_EQ(mock_count(MOCK_EDPT_OPEN, CDC_EP_OUT), 1);
  CHECK_EQ(mock_count(MOCK_EDPT_OPEN, CDC_EP_IN), 1);
  const mock_call *open = mock_last(MOCK_EDPT_OPEN);
  CHECK(open && open->ep == CDC_EP_IN && open->value == USB_XFER_BULK && open->len == 64);
  CHECK(mock_pending(CDC_EP_OUT)->armed); /* ready for the host's first bytes */
  CHECK_EQ(mock_count(MOCK_EDPT_STALL, 0), 0);
}

/* Walks the configuration descriptor the way a host parser would. */
static void config_descriptor_is_one_cdc_acm_function(void) {
  const uint8_t *p = megabit_usb_config_desc, *end = p + MEGABIT_USB_CONFIG_LENGTH;
  CHECK_EQ(p[2] | p[3] << 8, MEGABIT_USB_CONFIG_LENGTH);
  CHECK_EQ(p[4], 2);
  int interfaces = 0, endpoints = 0, iad = 0, functional = 0;
  while (p < end) {
    CHECK(p[0] >= 2 && p + p[0] <= end);
    if (p[0] < 2 || p + p[0] > end) return;
    if (p[1] == USB_DESC_INTERFACE_ASSOCIATION) {
      iad++;
      CHECK(p[2] == 0 && p[3] == 2 && p[4] == 0x02 && p[5] == 0x02);
    } else if (p[1] == USB_DESC_INTERFACE) {
      CHECK(interfaces == 0 ? (p[5] == 0x02 && p[6] == 0x02 && p[4] == 1)
                            : (p[5] == 0x0A && p[4] == 2));
      interfaces++;
    } else if (p[1] == USB_DESC_CS_INTERFACE) {
      functional++;
    } else if (p[1] == USB_DESC_ENDPOINT) {
      endpoints++;
    }
    p += p[0];
  }
  CHECK(p == end);
  CHECK_EQ(iad, 1);
  CHECK_EQ(interfaces, 2);
  CHECK_EQ(functional, 4);
  CHECK_EQ(endpoints, 3);
}

static void serial_number_is_the_device_id_in_hex(void) {
  char s[17];
  megabit_usb_serial(s, 0xDEADBEEFu, 0x00000A0Bu);
  CHECK(strcmp(s, "DEADBEEF00000A0B") == 0);
}

/* A string descriptor of exactly 64 bytes read with wLength 255 must end with a ZLP. */
static void control_in_ending_on_a_full_packet_sends_zlp(void) {
  static const char *const strings[] = {"0123456789012345678901234567890"}; /* 31: 64 bytes */
  static const usbd_config cfg = {megabit_usb_device_desc, megabit_usb_config_desc, strings, 1,
                                  NULL, NULL};
  uint8_t buf[256];
  mock_dcd_reset();
  usbd_init(&dev, &cfg);
  mock_bus_reset();
  usbd_task(&dev);
  int n = usb_host_get_descriptor(&dev, USB_DESC_STRING, 1, 255, buf);
  CHECK(utf16_is(buf, n, strings[0]));
  const mock_call *last_in = NULL;
  size_t ins = 0;
  for (size_t i = 0; i < mock_call_count; i++)
    if (mock_calls[i].kind == MOCK_EDPT_XFER && mock_calls[i].ep == 0x80) last_in = &mock_calls[i], ins++;
  CHECK_EQ(ins, 2);
  CHECK(last_in && last_in->len == 0);
  /* Asked for exactly 64: no ZLP. */
  mock_dcd_reset();
  n = usb_host_get_descriptor(&dev, USB_DESC_STRING, 1, 64, buf);
  CHECK_EQ(n, 64);
  CHECK_EQ(mock_count(MOCK_EDPT_XFER, 0x80), 1);
  /* Asked for less than the descriptor: truncated. */
  CHECK_EQ(usb_host_get_descriptor(&dev, USB_DESC_STRING, 1, 10, buf), 10);
}

static void configure(void) {
  start();
  mock_bus_reset();
  usbd_task(&dev);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_ADDRESS, 3, 0, NULL, 0), 0);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, NULL, 0), 0);
}

static void status_interface_and_halt_requests(void) {
  uint8_t buf[8];
  configure();
  CHECK_EQ(usb_host_read(&dev, 0x80, USB_REQ_GET_STATUS, 0, 0, 2, buf), 2);
  CHECK(buf[0] == 0 && buf[1] == 0);
  CHECK_EQ(usb_host_read(&dev, 0x80, USB_REQ_GET_CONFIGURATION, 0, 0, 1, buf), 1);
  CHECK_EQ(buf[0], 1);
  CHECK_EQ(usb_host_read(&dev, 0x81, USB_REQ_GET_STATUS, 0, 1, 2, buf), 2);
  CHECK_EQ(usb_host_read(&dev, 0x81, USB_REQ_GET_INTERFACE, 0, 1, 1, buf), 1);
  CHECK_EQ(buf[0], 0);
  CHECK_EQ(usb_host_write(&dev, 0x01, USB_REQ_SET_INTERFACE, 0, 1, NULL, 0), 0);
  CHECK_EQ(usb_host_write(&dev, 0x01, USB_REQ_SET_INTERFACE, 1, 1, NULL, 0), USB_HOST_STALL);

  CHECK_EQ(usb_host_write(&dev, 0x02, USB_REQ_SET_FEATURE, USB_FEATURE_ENDPOINT_HALT, CDC_EP_IN,
                          NULL, 0), 0);
  CHECK_EQ(mock_count(MOCK_EDPT_STALL, CDC_EP_IN), 1);
  CHECK_EQ(usb_host_read(&dev, 0x82, USB_REQ_GET_STATUS, 0, CDC_EP_IN, 2, buf), 2);
  CHECK_EQ(buf[0], 1);
  CHECK_EQ(usb_host_read(&dev, 0x82, USB_REQ_GET_STATUS, 0, CDC_EP_OUT, 2, buf), 2);
  CHECK_EQ(buf[0], 0);
  CHECK_EQ(usb_host_write(&dev, 0x02, USB_REQ_CLEAR_FEATURE, USB_FEATURE_ENDPOINT_HALT,
                          CDC_EP_IN, NULL, 0), 0);
  CHECK_EQ(mock_count(MOCK_EDPT_CLEAR_STALL, CDC_EP_IN), 1);
  CHECK_EQ(usb_host_read(&dev, 0x82, USB_REQ_GET_STATUS, 0, CDC_EP_IN, 2, buf), 2);
  CHECK_EQ(buf[0], 0);
  /* Halting EP0 is accepted and ignored. */
  size_t stalls = mock_count(MOCK_EDPT_STALL, 0);
  CHECK_EQ(usb_host_write(&dev, 0x02, USB_REQ_SET_FEATURE, USB_FEATURE_ENDPOINT_HALT, 0, NULL, 0), 0);
  CHECK_EQ(mock_count(MOCK_EDPT_STALL, 0), stalls);
  /* Configuration 0 deconfigures. */
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_CONFIGURATION, 0, 0, NULL, 0), 0);
  CHECK(!usbd_configured(&dev));
  CHECK(!cdc_acm_connected(&cdc));
}

static void unknown_requests_stall(void) {
  uint8_t buf[256];
  configure();
  CHECK_EQ(usb_host_read(&dev, 0x80, 0x77, 0, 0, 8, buf), USB_HOST_STALL);
  CHECK_EQ(usb_host_read(&dev, 0xC0, 0x01, 0, 0, 8, buf), USB_HOST_STALL);        /* vendor */
  CHECK_EQ(usb_host_get_descriptor(&dev, 6, 0, 10, buf), USB_HOST_STALL);        /* qualifier */
  CHECK_EQ(usb_host_get_descriptor(&dev, USB_DESC_STRING, 9, 255, buf), USB_HOST_STALL);
  CHECK_EQ(usb_host_get_descriptor(&dev, USB_DESC_CONFIGURATION, 1, 9, buf), USB_HOST_STALL);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_CONFIGURATION, 2, 0, NULL, 0), USB_HOST_STALL);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_ADDRESS, 5, 0, NULL, 0), USB_HOST_STALL);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_FEATURE, 1, 0, NULL, 0), USB_HOST_STALL);
  CHECK_EQ(usb_host_read(&dev, 0x82, USB_REQ_GET_STATUS, 0, 0x83, 2, buf), USB_HOST_STALL);
  CHECK_EQ(usb_host_read(&dev, 0x81, USB_REQ_GET_STATUS, 0, 5, 2, buf), USB_HOST_STALL);
  CHECK_EQ(usb_host_read(&dev, 0xA1, 0x7F, 0, 0, 8, buf), USB_HOST_STALL);        /* class */
  CHECK_EQ(usb_host_read(&dev, 0xA1, CDC_REQ_GET_LINE_CODING, 0, 1, 7, buf), USB_HOST_STALL);
  /* Known requests in the wrong direction, or with a data stage they do not have. */
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_GET_DESCRIPTOR, USB_DESC_DEVICE << 8, 0, buf, 18),
           USB_HOST_STALL);
  CHECK_EQ(usb_host_read(&dev, 0x80, USB_REQ_SET_CONFIGURATION, 1, 0, 1, buf), USB_HOST_STALL);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, buf, 4), USB_HOST_STALL);
  CHECK_EQ(usb_host_read(&dev, 0xA1, CDC_REQ_SET_LINE_CODING, 0, 0, 7, buf), USB_HOST_STALL);
  CHECK_EQ(usb_host_write(&dev, 0x21, CDC_REQ_GET_LINE_CODING, 0, 0, buf, 7), USB_HOST_STALL);
  CHECK_EQ(usb_host_write(&dev, 0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 1, 0, buf, 2), USB_HOST_STALL);
  CHECK(!cdc.dtr);
  /* The next SETUP clears the stall. */
  CHECK_EQ(usb_host_get_descriptor(&dev, USB_DESC_DEVICE, 0, 18, buf), 18);
  /* Class requests need a configured device. */
  start();
  mock_bus_reset();
  usbd_task(&dev);
  CHECK_EQ(usb_host_read(&dev, 0xA1, CDC_REQ_GET_LINE_CODING, 0, 0, 7, buf), USB_HOST_STALL);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, NULL, 0), USB_HOST_STALL);
}

/* A test class taking a 100-byte OUT data stage: two EP0 packets. */
static uint8_t big[128];
static uint16_t big_len;
static void tc_reset(void *ctx) { (void)ctx; }
static void tc_configured(void *ctx) { (void)ctx; }
static bool tc_control(void *ctx, const usb_setup *s) {
  (void)s;
  return usbd_control_out(ctx, big, sizeof big);
}
static bool tc_out_done(void *ctx, const usb_setup *s, uint16_t len) {
  (void)ctx;
  (void)s;
  big_len = len;
  return true;
}
static void tc_xfer(void *ctx, uint8_t ep, uint16_t len) {
  (void)ctx;
  (void)ep;
  (void)len;
}

static void control_out_longer_than_ep0(void) {
  static const usbd_class tc = {tc_reset, tc_configured, tc_control, tc_out_done, tc_xfer};
  static usbd_config cfg;
  cfg = (usbd_config){megabit_usb_device_desc, megabit_usb_config_desc, NULL, 0, &tc, &dev};
  uint8_t data[100];
  for (int i = 0; i < 100; i++) data[i] = (uint8_t)(i * 7);
  mock_dcd_reset();
  usbd_init(&dev, &cfg);
  mock_bus_reset();
  usbd_task(&dev);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_ADDRESS, 3, 0, NULL, 0), 0);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, NULL, 0), 0);
  big_len = 0;
  CHECK_EQ(usb_host_write(&dev, 0x21, 0x42, 0, 0, data, 100), 0);
  CHECK_EQ(big_len, 100);
  CHECK(memcmp(big, data, 100) == 0);
  /* More than the class can take: stalled in the setup stage. */
  uint8_t more[200] = {0};
  CHECK_EQ(usb_host_write(&dev, 0x21, 0x42, 0, 0, more, 200), USB_HOST_STALL);
}

static void events_wait_for_the_main_loop(void) {
  start();
  mock_bus_reset();
  mock_setup(0x80, USB_REQ_GET_DESCRIPTOR, USB_DESC_DEVICE << 8, 0, 18);
  size_t calls = mock_call_count;
  CHECK(!mock_pending(0x80)->armed); /* queued by the "ISR", nothing done yet */
  usbd_task(&dev);
  CHECK(mock_call_count > calls);
  CHECK(mock_pending(0x80)->armed);
  mock_signal(USB_EV_SUSPEND);
  usbd_task(&dev);
  CHECK(dev.suspended);
  mock_signal(USB_EV_RESUME);
  usbd_task(&dev);
  CHECK(!dev.suspended);
  /* A full queue counts what it drops instead of overwriting. */
  for (int i = 0; i < 20; i++) mock_signal(USB_EV_SUSPEND);
  CHECK_EQ(dev.events_lost, 20 - (USBD_EVENT_QUEUE - 1));
  usbd_task(&dev);
  CHECK(dev.q_head == dev.q_tail);
}

static void bus_reset_mid_transfer(void) {
  uint8_t buf[256];
  configure();
  /* A configuration read is half done (first 64 bytes armed, not taken) when the bus resets. */
  mock_setup(0x80, USB_REQ_GET_DESCRIPTOR, USB_DESC_CONFIGURATION << 8, 0, 255);
  usbd_task(&dev);
  CHECK(mock_pending(0x80)->armed);
  mock_bus_reset();
  usbd_task(&dev);
  CHECK(!usbd_configured(&dev));
  CHECK_EQ(dev.address, 0);
  CHECK_EQ(dev.stage, USBD_CTRL_IDLE);
  /* A completion the controller reported before the reset is harmless after it. */
  usb_dcd_event_t stale = {.id = USB_EV_XFER_COMPLETE, .ep = 0x80, .len = 64};
  usb_dcd_event(&stale);
  usbd_task(&dev);
  CHECK(!mock_pending(0x80)->armed);
  CHECK_EQ(usb_host_get_descriptor(&dev, USB_DESC_DEVICE, 0, 64, buf), 18);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_ADDRESS, 4, 0, NULL, 0), 0);
  CHECK_EQ(usb_host_write(&dev, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, NULL, 0), 0);
  CHECK(usbd_configured(&dev));
}

static void new_setup_abandons_the_control_transfer(void) {
  uint8_t buf[256];
  configure();
  mock_setup(0x80, USB_REQ_GET_DESCRIPTOR, USB_DESC_CONFIGURATION << 8, 0, 255);
  usbd_task(&dev);
  CHECK_EQ(dev.stage, USBD_CTRL_DATA_IN);
  CHECK_EQ(usb_host_get_descriptor(&dev, USB_DESC_DEVICE, 0, 18, buf), 18);
  CHECK(memcmp(buf, megabit_usb_device_desc, 18) == 0);
  CHECK_EQ(dev.stage, USBD_CTRL_IDLE);
}

/* Random SETUPs (any type, recipient, request, value, index, length), played to the end the
 * way a host would, never break the stack (ASan/UBSan watch), and it still enumerates. */
static void random_setups_never_break_the_stack(void) {
  uint32_t x = 0x9E3779B9u;
  uint8_t buf[1024], data[1024];
  memset(data, 0xA5, sizeof data);
  configure();
  for (int i = 0; i < 20000; i++) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    uint8_t bm = (uint8_t)x, request = (uint8_t)((x >> 8) % 14u);
    if (x & 0x10000000u) request = CDC_REQ_SET_LINE_CODING + (uint8_t)((x >> 8) & 3u);
    uint16_t value = (uint16_t)((x >> 12) & 0x3FFu), index = (uint16_t)((x >> 16) & 0x87u);
    uint16_t length = (uint16_t)((x >> 20) & 0x3FFu);
    if (request == USB_REQ_SET_ADDRESS || (request == USB_REQ_SET_CONFIGURATION && !(bm & 0x80))) continue;
    int r = bm & 0x80 ? usb_host_read(&dev, bm, request, value, index, length, buf)
                      : usb_host_write(&dev, bm, request, value, index, data, length);
    CHECK(r != USB_HOST_STUCK); /* answered or stalled, never left hanging */
    if (x & 0x1000u) mock_bus_reset(), usbd_task(&dev), configure();
  }
  CHECK_EQ(dev.events_lost, 0);
  CHECK_EQ(usb_host_get_descriptor(&dev, USB_DESC_DEVICE, 0, 18, buf), 18);
  CHECK(memcmp(buf, megabit_usb_device_desc, 18) == 0);
}

void suite_usb(void) {
  RUN(init_powers_up_and_connects);
  RUN(enumerates_like_linux);
  RUN(config_descriptor_is_one_cdc_acm_function);
  RUN(serial_number_is_the_device_id_in_hex);
  RUN(control_in_ending_on_a_full_packet_sends_zlp);
  RUN(status_interface_and_halt_requests);
  RUN(unknown_requests_stall);
  RUN(control_out_longer_than_ep0);
  RUN(events_wait_for_the_main_loop);
  RUN(bus_reset_mid_transfer);
  RUN(new_setup_abandons_the_control_transfer);
  RUN(random_setups_never_break_the_stack);
}
