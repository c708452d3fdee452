/* The nRF52840 USB register layer (board/nano33ble/usb_dcd_nrf52840.c) under the real stack,
 * on a fake register file: the test plays the USBD, setting EVENTS registers and calling the
 * interrupt handlers, and checks which TASKS the layer triggered and with what. It checks the
 * layer's logic against the facts it is written from, not the facts themselves. */
#include <string.h>
#include "fake_nrf52840_regs.h"
#include "../board/nano33ble/nano33ble.h"
#include "../board/nano33ble/nrf52840.h"
#include "../core/usb/megabit_usb.h"
#include "check.h"
#include "mock_dcd.h"
#include "suites.h"

static const mock_forward_ops nrf = {nrf_dcd_init,      nrf_dcd_connect,    nrf_dcd_set_address,
                                     nrf_dcd_edpt_open, nrf_dcd_edpt_xfer,  nrf_dcd_edpt_stall,
                                     nrf_dcd_edpt_clear_stall};
static usbd dev;
static cdc_acm cdc;

static void raise(volatile uint32_t *event) {
  *event = 1;
  USBD_IRQHandler();
}

static void clear_tasks(void) {
  for (uint32_t n = 0; n < 8; n++) USBD_TASKS_STARTEPIN(n) = USBD_TASKS_STARTEPOUT(n) = 0;
  USBD_TASKS_EP0RCVOUT = USBD_TASKS_EP0STATUS = USBD_TASKS_EP0STALL = 0;
}

static void setup(uint8_t bm, uint8_t request, uint16_t value, uint16_t index, uint16_t length) {
  const uint8_t raw[8] = {bm, request, (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)index,
                          (uint8_t)(index >> 8), (uint8_t)length, (uint8_t)(length >> 8)};
  for (uint32_t i = 0; i < 8; i++) USBD_SETUP_BYTE(i) = raw[i];
  clear_tasks();
  raise(&USBD_EVENTS_EP0SETUP);
  usbd_task(&dev);
}

static void epdata(uint32_t status) {
  USBD_EPDATASTATUS = status;
  raise(&USBD_EVENTS_EPDATA);
  USBD_EPDATASTATUS = 0; /* write-1-to-clear in the USBD */
}

/* EasyDMA has moved the IN packet into the USBD, then the host ACKs it. */
static void host_takes_in(uint8_t n) {
  raise(&USBD_EVENTS_ENDEPIN(n));
  if (n == 0) raise(&USBD_EVENTS_EP0DATADONE);
  else epdata(1u << n);
  usbd_task(&dev);
}

static void power_up(uint32_t usbregstatus) {
  fake_nrf_reset();
  mock_dcd_reset();
  mock_forward = &nrf;
  POWER_USBREGSTATUS = usbregstatus;
  megabit_usb_start(&dev, &cdc, 1, 2);
}

static void configure(void) {
  power_up(USBREGSTATUS_VBUSDETECT | USBREGSTATUS_OUTPUTRDY);
  raise(&USBD_EVENTS_USBRESET);
  usbd_task(&dev);
  setup(0x00, USB_REQ_SET_ADDRESS, 5, 0, 0);
  setup(0x00, USB_REQ_SET_CONFIGURATION, 1, 0, 0);
  CHECK_EQ(USBD_TASKS_EP0STATUS, 1);
  usbd_task(&dev);
  setup(0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 1, 0, 0);
  CHECK(cdc_acm_connected(&cdc));
}

static void nrf_follows_vbus(void) {
  power_up(0);
  CHECK_EQ(USBD_ENABLE, 0);
  CHECK_EQ(USBD_USBPULLUP, 0);
  CHECK_EQ(NVIC_IPR(USBD_IRQN), NVIC_PRIORITY(1)); /* below the panel scan's 0 */
  POWER_EVENTS_USBDETECTED = 1;
  POWER_CLOCK_IRQHandler();
  CHECK_EQ(USBD_ENABLE, 1);
  CHECK_EQ(USBD_USBPULLUP, 0); /* not before the regulator is ready */
  CHECK_EQ(REG32(0x4006EC14u), 0); /* errata 171 and 187 writes undone after READY */
  CHECK_EQ(REG32(0x4006ED14u), 0);
  CHECK(USBD_INTENSET & USBD_INT_EP0SETUP);
  POWER_EVENTS_USBPWRRDY = 1;
  POWER_CLOCK_IRQHandler();
  CHECK_EQ(USBD_USBPULLUP, 1);
  raise(&USBD_EVENTS_USBRESET);
  setup(0x00, USB_REQ_SET_ADDRESS, 5, 0, 0);
  setup(0x00, USB_REQ_SET_CONFIGURATION, 1, 0, 0);
  CHECK(usbd_configured(&dev));
  POWER_EVENTS_USBREMOVED = 1;
  POWER_CLOCK_IRQHandler();
  CHECK_EQ(USBD_USBPULLUP, 0);
  CHECK_EQ(USBD_ENABLE, 0);
  usbd_task(&dev);
  CHECK(!usbd_configured(&dev));
  /* Already plugged in at boot: enabled and pulled up at once. */
  power_up(USBREGSTATUS_VBUSDETECT | USBREGSTATUS_OUTPUTRDY);
  CHECK(USBD_ENABLE == 1 && USBD_USBPULLUP == 1);
}

static void nrf_control_read_then_status(void) {
  power_up(USBREGSTATUS_VBUSDETECT | USBREGSTATUS_OUTPUTRDY);
  raise(&USBD_EVENTS_USBRESET);
  usbd_task(&dev);
  setup(0x80, USB_REQ_GET_DESCRIPTOR, USB_DESC_DEVICE << 8, 0, 64);
  CHECK_EQ(USBD_TASKS_STARTEPIN(0), 1);
  CHECK_EQ(USBD_EPIN_MAXCNT(0), 18);
  CHECK_EQ(USBD_EPIN_PTR(0), (uint32_t)(uintptr_t)dev.ep0_buf); /* RAM, never flash */
  CHECK_EQ(USBD_TASKS_EP0STATUS, 0);
  host_takes_in(0);
  CHECK_EQ(USBD_TASKS_EP0STATUS, 1);
  CHECK_EQ(dev.stage, USBD_CTRL_IDLE);
  /* The USBD answers SET_ADDRESS itself: no status task, yet the stack sees it complete. */
  setup(0x00, USB_REQ_SET_ADDRESS, 7, 0, 0);
  CHECK_EQ(USBD_TASKS_EP0STATUS, 0);
  CHECK_EQ(USBD_TASKS_STARTEPIN(0), 0);
  CHECK_EQ(dev.stage, USBD_CTRL_IDLE);
  CHECK_EQ(dev.address, 7);
  /* Unknown request: EP0 stalls. */
  setup(0x80, 0x77, 0, 0, 8);
  CHECK_EQ(USBD_TASKS_EP0STALL, 1);
}

static void nrf_control_write_uses_ep0rcvout(void) {
  static const uint8_t coding[7] = {0x40, 0x42, 0x0F, 0x00, 0, 0, 8};
  configure();
  CHECK(USBD_EPOUTEN & (1u << 1));
  CHECK_EQ(USBD_EPINEN & 6u, 6u);
  setup(0x21, CDC_REQ_SET_LINE_CODING, 0, 0, 7);
  CHECK_EQ(USBD_TASKS_EP0RCVOUT, 1);
  CHECK_EQ(USBD_TASKS_STARTEPOUT(0), 0);
  USBD_SIZE_EPOUT(0) = 7;
  raise(&USBD_EVENTS_EP0DATADONE); /* the data stage packet is in the USBD */
  CHECK_EQ(USBD_TASKS_STARTEPOUT(0), 1);
  CHECK_EQ(USBD_EPOUT_MAXCNT(0), 7);
  memcpy(dev.ep0_buf, coding, 7); /* what EasyDMA would do */
  USBD_EPOUT_AMOUNT(0) = 7;
  raise(&USBD_EVENTS_ENDEPOUT(0));
  usbd_task(&dev);
  CHECK_EQ(USBD_TASKS_EP0STATUS, 1);
  CHECK(memcmp(cdc.line_coding, coding, 7) == 0);
}

static void nrf_dma_one_transfer_at_a_time(void) {
  uint8_t data[64], got[8];
  memset(data, 0x42, sizeof data);
  configure();
  clear_tasks();
  USBD_SIZE_EPOUT(1) = 5;
  epdata(USBD_EPDATASTATUS_OUT(1)); /* 5 bytes ACKed into the USBD */
  CHECK_EQ(USBD_TASKS_STARTEPOUT(1), 1);
  CHECK_EQ(USBD_EPOUT_MAXCNT(1), 5);
  CHECK_EQ(cdc_acm_write(&cdc, data, 64), 64);
  CHECK_EQ(USBD_TASKS_STARTEPIN(1), 0); /* EasyDMA is busy with the OUT packet */
  memcpy(cdc.out_pkt, "hello", 5);
  USBD_EPOUT_AMOUNT(1) = 5;
  raise(&USBD_EVENTS_ENDEPOUT(1));
  CHECK_EQ(USBD_TASKS_STARTEPIN(1), 1); /* started as soon as the OUT DMA ended */
  CHECK_EQ(USBD_EPIN_MAXCNT(1), 64);
  /* The next OUT packet arrives before the stack re-armed: it waits in the USBD. */
  clear_tasks();
  USBD_SIZE_EPOUT(1) = 3;
  epdata(USBD_EPDATASTATUS_OUT(1));
  CHECK_EQ(USBD_TASKS_STARTEPOUT(1), 0);
  raise(&USBD_EVENTS_ENDEPIN(1));
  usbd_task(&dev);
  CHECK_EQ(cdc_acm_read(&cdc, got, sizeof got), 5);
  CHECK(memcmp(got, "hello", 5) == 0);
  CHECK_EQ(USBD_TASKS_STARTEPOUT(1), 1); /* re-armed: the waiting packet is fetched */
  CHECK_EQ(USBD_EPOUT_MAXCNT(1), 3);
  /* The host ACKs the 64-byte IN packet; the ZLP that ends the transfer waits for the DMA. */
  clear_tasks();
  epdata(1u << 1);
  usbd_task(&dev);
  CHECK_EQ(USBD_TASKS_STARTEPIN(1), 0);
  USBD_EPOUT_AMOUNT(1) = 3;
  raise(&USBD_EVENTS_ENDEPOUT(1));
  CHECK_EQ(USBD_TASKS_STARTEPIN(1), 1);
  CHECK_EQ(USBD_EPIN_MAXCNT(1), 0);
}

static void nrf_halt_and_bus_reset(void) {
  uint8_t data[64] = {0};
  configure();
  setup(0x02, USB_REQ_SET_FEATURE, USB_FEATURE_ENDPOINT_HALT, CDC_EP_IN, 0);
  CHECK_EQ(USBD_EPSTALL, USBD_EPSTALL_STALL | USBD_EP_IO_IN | 1u);
  setup(0x02, USB_REQ_CLEAR_FEATURE, USB_FEATURE_ENDPOINT_HALT, CDC_EP_IN, 0);
  CHECK_EQ(USBD_EPSTALL, USBD_EP_IO_IN | 1u);
  CHECK_EQ(USBD_DTOGGLE, USBD_DTOGGLE_DATA0 | USBD_EP_IO_IN | 1u);
  /* Reset while an IN DMA runs: nothing of the old transfer may block the next one. */
  clear_tasks();
  CHECK_EQ(cdc_acm_write(&cdc, data, 64), 64);
  CHECK_EQ(USBD_TASKS_STARTEPIN(1), 1);
  raise(&USBD_EVENTS_USBRESET);
  usbd_task(&dev);
  CHECK(!usbd_configured(&dev));
  setup(0x80, USB_REQ_GET_DESCRIPTOR, USB_DESC_DEVICE << 8, 0, 18);
  CHECK_EQ(USBD_TASKS_STARTEPIN(0), 1);
}

void suite_nrf_usbd(void) {
  RUN(nrf_follows_vbus);
  RUN(nrf_control_read_then_status);
  RUN(nrf_control_write_uses_ep0rcvout);
  RUN(nrf_dma_one_transfer_at_a_time);
  RUN(nrf_halt_and_bus_reset);
  mock_forward = NULL;
}
