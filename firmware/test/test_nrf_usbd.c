/* The nRF52840 USB register layer (board/nano33ble/usb_dcd_nrf52840.c) under the real stack,
 * on a fake register file: the test plays the USBD, setting EVENTS registers and calling the
 * interrupt handlers, and checks which TASKS the layer triggered and with what. It checks the
 * layer's logic against the facts it is written from, not the facts themselves. */
#include <string.h>
#include "fake_nrf52840_regs.h"
#include "../board/nano33ble/nano33ble.h"
#include "../board/nano33ble/nrf52840.h"
#include "../board/nano33ble/touch1200.h"
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
  /* Reset while an IN DMA runs: the DMA still runs, so the next transfer waits for its end,
   * then starts (the reset forgets the transfer, not that EasyDMA is busy). */
  clear_tasks();
  CHECK_EQ(cdc_acm_write(&cdc, data, 64), 64);
  CHECK_EQ(USBD_TASKS_STARTEPIN(1), 1);
  raise(&USBD_EVENTS_USBRESET);
  usbd_task(&dev);
  CHECK(!usbd_configured(&dev));
  setup(0x80, USB_REQ_GET_DESCRIPTOR, USB_DESC_DEVICE << 8, 0, 18);
  CHECK_EQ(USBD_TASKS_STARTEPIN(0), 0);
  USBD_EPIN_AMOUNT(1) = 64;
  raise(&USBD_EVENTS_ENDEPIN(1));
  CHECK_EQ(USBD_TASKS_STARTEPIN(0), 1);
}

/* An OUT copy that was running when the bus reset is not delivered to the new session's
 * transfer on the same endpoint, and the new session's control transfers wait for it. */
static void nrf_bus_reset_keeps_a_running_out_dma(void) {
  uint8_t got[8];
  configure();
  clear_tasks();
  USBD_SIZE_EPOUT(1) = 5;
  epdata(USBD_EPDATASTATUS_OUT(1));
  CHECK_EQ(USBD_TASKS_STARTEPOUT(1), 1);
  raise(&USBD_EVENTS_USBRESET);
  usbd_task(&dev);
  setup(0x00, USB_REQ_SET_ADDRESS, 5, 0, 0);
  setup(0x00, USB_REQ_SET_CONFIGURATION, 1, 0, 0);
  CHECK_EQ(USBD_TASKS_EP0STATUS, 0); /* EasyDMA is still busy with the old copy */
  memcpy(cdc.out_pkt, "stale", 5);
  USBD_EPOUT_AMOUNT(1) = 5;
  raise(&USBD_EVENTS_ENDEPOUT(1));
  CHECK_EQ(USBD_TASKS_EP0STATUS, 1);
  usbd_task(&dev);
  setup(0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 1, 0, 0);
  CHECK(cdc_acm_connected(&cdc));
  CHECK_EQ(cdc_acm_read(&cdc, got, sizeof got), 0);
}

static size_t journal_find(uint32_t addr, uint32_t value, size_t from) {
  size_t n;
  const fake_nrf_access *j = fake_nrf_journal(&n);
  for (size_t i = from; i < n; i++)
    if (j[i].addr == addr && j[i].value == value) return i;
  return (size_t)-1;
}

/* Errata 223: the first enable after a chip reset is enable, disable, enable; later enables
 * (VBUS away and back) are one. Errata 171/187 writes bracket each. */
static void nrf_errata_223_first_enable(void) {
  uint32_t enable[8], e187[8];
  fake_nrf_chip_reset();
  power_up(USBREGSTATUS_VBUSDETECT | USBREGSTATUS_OUTPUTRDY);
  size_t n = fake_nrf_values(USBD_BASE + 0x500u, enable, 8);
  CHECK_EQ(n, 4);
  CHECK(enable[0] == 0 && enable[1] == 1 && enable[2] == 0 && enable[3] == 1);
  CHECK_EQ(fake_nrf_values(0x4006ED14u, e187, 8), 4); /* 3, 0, 3, 0: two enable sequences */
  CHECK(e187[0] == 3 && e187[1] == 0 && e187[2] == 3 && e187[3] == 0);
  POWER_EVENTS_USBREMOVED = 1;
  POWER_CLOCK_IRQHandler();
  POWER_EVENTS_USBDETECTED = 1;
  POWER_CLOCK_IRQHandler();
  CHECK_EQ(fake_nrf_values(USBD_BASE + 0x500u, enable, 8), 6); /* ... 0, 1: once */
  CHECK(enable[4] == 0 && enable[5] == 1);
}

/* A packet the USBD ACKed just before SET_FEATURE(HALT) is drained, not delivered after the
 * clear; clearing selects DTOGGLE then sets DATA0, unstalls, and rewrites SIZE.EPOUT. */
static void nrf_halt_drains_out_and_clear_rewrites_size(void) {
  uint8_t data[64], got[64];
  memset(data, 0x11, sizeof data);
  configure();
  /* Fill the receive ring so the stack stops arming the OUT endpoint. */
  for (uint32_t i = 0; i < CDC_RING / CDC_PACKET; i++) {
    USBD_SIZE_EPOUT(1) = 64;
    epdata(USBD_EPDATASTATUS_OUT(1));
    memcpy(cdc.out_pkt, data, 64);
    USBD_EPOUT_AMOUNT(1) = 64;
    raise(&USBD_EVENTS_ENDEPOUT(1));
    usbd_task(&dev);
  }
  CHECK_EQ(cdc_acm_available(&cdc), CDC_RING);
  clear_tasks();
  USBD_SIZE_EPOUT(1) = 7;
  epdata(USBD_EPDATASTATUS_OUT(1)); /* ACKed into the USBD, nowhere to go */
  CHECK_EQ(USBD_TASKS_STARTEPOUT(1), 0);
  size_t mark;
  fake_nrf_journal(&mark);
  setup(0x02, USB_REQ_SET_FEATURE, USB_FEATURE_ENDPOINT_HALT, CDC_EP_OUT, 0);
  size_t stalled = journal_find(USBD_BASE + 0x518u, USBD_EPSTALL_STALL | 1u, mark);
  CHECK(stalled != (size_t)-1);
  CHECK(journal_find(USBD_BASE + 0x4A0u + 4u, 0, stalled) != (size_t)-1); /* drained */
  while (cdc_acm_read(&cdc, got, sizeof got) > 0) {
  }
  usbd_task(&dev);
  CHECK_EQ(USBD_TASKS_STARTEPOUT(1), 0); /* the drained packet is not fetched */
  fake_nrf_journal(&mark);
  setup(0x02, USB_REQ_CLEAR_FEATURE, USB_FEATURE_ENDPOINT_HALT, CDC_EP_OUT, 0);
  size_t select = journal_find(USBD_BASE + 0x50Cu, USBD_DTOGGLE_NOP | 1u, mark);
  size_t set = journal_find(USBD_BASE + 0x50Cu, USBD_DTOGGLE_DATA0 | 1u, mark);
  size_t unstall = journal_find(USBD_BASE + 0x518u, 1u, mark);
  size_t size = journal_find(USBD_BASE + 0x4A0u + 4u, 0, mark);
  CHECK(select != (size_t)-1 && set != (size_t)-1 && unstall != (size_t)-1 && size != (size_t)-1);
  CHECK(select < set);
  /* The next packet is taken. */
  USBD_SIZE_EPOUT(1) = 3;
  epdata(USBD_EPDATASTATUS_OUT(1));
  CHECK_EQ(USBD_TASKS_STARTEPOUT(1), 1);
  CHECK_EQ(USBD_EPOUT_MAXCNT(1), 3);
}

/* EasyDMA's total must be even when the USBD is disabled: an odd total is padded with a
 * 1-byte transfer before ENABLE = 0; an even one is not. */
static void nrf_disable_pads_dma_to_even(void) {
  uint8_t five[5] = {1, 2, 3, 4, 5};
  for (int odd = 0; odd < 2; odd++) {
    configure();
    clear_tasks();
    CHECK_EQ(cdc_acm_write(&cdc, five, odd ? 5 : 4), odd ? 5u : 4u);
    cdc_acm_flush(&cdc);
    CHECK_EQ(USBD_TASKS_STARTEPIN(1), 1);
    USBD_EPIN_AMOUNT(1) = odd ? 5 : 4;
    raise(&USBD_EVENTS_ENDEPIN(1));
    size_t mark;
    fake_nrf_journal(&mark);
    fake_nrf_dma_completes = 1;
    POWER_EVENTS_USBREMOVED = 1;
    POWER_CLOCK_IRQHandler();
    size_t start = journal_find(USBD_BASE + 0x004u, 1, mark);
    size_t disable = journal_find(USBD_BASE + 0x500u, 0, mark);
    CHECK(disable != (size_t)-1);
    if (odd) {
      CHECK(start != (size_t)-1 && start < disable);
      CHECK(journal_find(USBD_BASE + 0x604u, 1, mark) < start); /* MAXCNT = 1 */
    } else {
      CHECK_EQ(start, (size_t)-1);
    }
  }
  /* VBUS goes while a 5-byte copy runs (its END not handled yet: the POWER interrupt has the
   * USBD's priority): it is waited for and counted, so the pad follows. */
  configure();
  clear_tasks();
  CHECK_EQ(cdc_acm_write(&cdc, five, 5), 5u);
  cdc_acm_flush(&cdc);
  CHECK_EQ(USBD_TASKS_STARTEPIN(1), 1);
  USBD_EPIN_AMOUNT(1) = 5;
  USBD_EVENTS_ENDEPIN(1) = 1;
  size_t mark;
  fake_nrf_journal(&mark);
  fake_nrf_dma_completes = 1;
  POWER_EVENTS_USBREMOVED = 1;
  POWER_CLOCK_IRQHandler();
  size_t pad = journal_find(USBD_BASE + 0x004u, 1, mark);
  CHECK(pad != (size_t)-1 && pad < journal_find(USBD_BASE + 0x500u, 0, mark));
  CHECK_EQ(USBD_EVENTS_ENDEPIN(1), 0); /* consumed here, not left for a late interrupt */
}

/* The state an interrupt handler reads is written before it is unmasked: every unmask of the
 * USBD interrupt comes right after a compiler barrier. */
static void nrf_barrier_before_every_unmask(void) {
  configure();
  uint8_t data[8] = {0};
  cdc_acm_write(&cdc, data, sizeof data);
  cdc_acm_flush(&cdc);
  size_t n, unmasks = 0;
  const fake_nrf_access *j = fake_nrf_journal(&n);
  for (size_t i = 1; i < n; i++) {
    if (j[i].addr != 0xE000E104u) continue; /* NVIC_ISER1: USBD is IRQ 39 */
    unmasks++;
    CHECK_EQ(j[i - 1].addr, 0);
  }
  CHECK(unmasks >= 5);
}

static void usbevent(uint32_t cause) {
  USBD_EVENTCAUSE = cause;
  raise(&USBD_EVENTS_USBEVENT);
  USBD_EVENTCAUSE = 0; /* write-1-to-clear in the USBD */
  usbd_task(&dev);
}

/* Suspend: low power once the running DMA has ended, nothing started while suspended; RESUME
 * leaves low power first, then the queued transfer starts. A bus reset also ends it. */
static void nrf_suspend_and_resume(void) {
  uint8_t data[20] = {0};
  configure();
  clear_tasks();
  CHECK_EQ(cdc_acm_write(&cdc, data, 10), 10);
  cdc_acm_flush(&cdc);
  CHECK_EQ(USBD_TASKS_STARTEPIN(1), 1);
  usbevent(USBD_EVENTCAUSE_SUSPEND);
  CHECK(dev.suspended);
  CHECK_EQ(USBD_LOWPOWER, 0); /* EasyDMA still runs */
  USBD_EPIN_AMOUNT(1) = 10;
  raise(&USBD_EVENTS_ENDEPIN(1));
  CHECK_EQ(USBD_LOWPOWER, 1);
  epdata(1u << 1); /* the host had ACKed it before suspending */
  usbd_task(&dev);
  clear_tasks();
  CHECK_EQ(cdc_acm_write(&cdc, data, 20), 20);
  cdc_acm_flush(&cdc);
  CHECK_EQ(USBD_TASKS_STARTEPIN(1), 0); /* the USBD is not touched in low power */
  size_t mark;
  fake_nrf_journal(&mark);
  usbevent(USBD_EVENTCAUSE_RESUME);
  CHECK(!dev.suspended);
  size_t normal = journal_find(USBD_BASE + 0x52Cu, 0, mark);
  size_t start = journal_find(USBD_BASE + 0x004u + 4u, 1, mark);
  CHECK(normal != (size_t)-1 && start != (size_t)-1 && normal < start);
  CHECK_EQ(USBD_EPIN_MAXCNT(1), 20);
  /* A RESUME already seen when low power would begin: it does not begin. */
  USBD_EPIN_AMOUNT(1) = 20;
  raise(&USBD_EVENTS_ENDEPIN(1));
  USBD_EVENTCAUSE = USBD_EVENTCAUSE_SUSPEND | USBD_EVENTCAUSE_RESUME;
  raise(&USBD_EVENTS_USBEVENT);
  USBD_EVENTCAUSE = 0;
  CHECK_EQ(USBD_LOWPOWER, 0);
  /* Suspended, then reset: ForceNormal, and the bus works again. */
  usbevent(USBD_EVENTCAUSE_SUSPEND);
  CHECK_EQ(USBD_LOWPOWER, 1);
  raise(&USBD_EVENTS_USBRESET);
  usbd_task(&dev);
  CHECK_EQ(USBD_LOWPOWER, 0);
  clear_tasks();
  setup(0x80, USB_REQ_GET_DESCRIPTOR, USB_DESC_DEVICE << 8, 0, 18);
  CHECK_EQ(USBD_TASKS_STARTEPIN(0), 1);
}

/* The host's SET_LINE_CODING, through EP0RCVOUT as the USBD does it. */
static void host_sets_baud(uint32_t baud) {
  const uint8_t coding[7] = {(uint8_t)baud, (uint8_t)(baud >> 8), (uint8_t)(baud >> 16),
                             (uint8_t)(baud >> 24), 0, 0, 8};
  setup(0x21, CDC_REQ_SET_LINE_CODING, 0, 0, 7);
  USBD_SIZE_EPOUT(0) = 7;
  raise(&USBD_EVENTS_EP0DATADONE);
  memcpy(dev.ep0_buf, coding, 7);
  USBD_EPOUT_AMOUNT(0) = 7;
  raise(&USBD_EVENTS_ENDEPOUT(0));
  usbd_task(&dev);
}

static bool reset_requested(void) { return SCB_AIRCR == SCB_AIRCR_SYSRESETREQ; }

/* Open at 1200 bps, close (DTR drops): after the hold time the board writes the bootloader's
 * GPREGRET value, detaches and requests a system reset. Dropping DTR at another rate, holding
 * it up at 1200, or raising it again within the hold time does not. */
static void nrf_1200_baud_touch_resets_into_bootloader(void) {
  nano_touch touch = {0};
  configure();
  host_sets_baud(1200);
  CHECK_EQ(cdc_acm_baud(&cdc), 1200);
  nano_touch_poll(&touch, &cdc, 1000);
  CHECK(!reset_requested()); /* DTR is still up: the port is open at 1200 */
  setup(0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 0, 0, 0);
  nano_touch_poll(&touch, &cdc, 1010);
  nano_touch_poll(&touch, &cdc, 1010 + NANO_TOUCH_HOLD_MS - 1);
  CHECK(!reset_requested());
  CHECK_EQ(POWER_GPREGRET, 0);
  nano_touch_poll(&touch, &cdc, 1010 + NANO_TOUCH_HOLD_MS);
  CHECK(reset_requested());
  CHECK_EQ(POWER_GPREGRET, 0xB0);
  CHECK_EQ(USBD_USBPULLUP, 0);
  size_t gpregret = journal_find(0x4000051Cu, 0xB0, 0), aircr = journal_find(0xE000ED0Cu, SCB_AIRCR_SYSRESETREQ, 0);
  CHECK(gpregret < aircr);

  /* Closed at 115200: an ordinary close. */
  touch = (nano_touch){0};
  configure();
  setup(0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 0, 0, 0);
  nano_touch_poll(&touch, &cdc, 0);
  nano_touch_poll(&touch, &cdc, 10 * NANO_TOUCH_HOLD_MS);
  CHECK(!reset_requested());

  /* Reopened within the hold time: cancelled, and a later close at 1200 starts over. */
  host_sets_baud(1200);
  nano_touch_poll(&touch, &cdc, 1000);
  setup(0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 1, 0, 0);
  nano_touch_poll(&touch, &cdc, 1000 + NANO_TOUCH_HOLD_MS);
  CHECK(!reset_requested());
  setup(0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 0, 0, 0);
  nano_touch_poll(&touch, &cdc, 2000);
  nano_touch_poll(&touch, &cdc, 2000 + NANO_TOUCH_HOLD_MS - 1);
  CHECK(!reset_requested());
  nano_touch_poll(&touch, &cdc, 2000 + NANO_TOUCH_HOLD_MS);
  CHECK(reset_requested());

  /* With the watchdog running, still a soft reset: a watchdog reset would clear GPREGRET. */
  touch = (nano_touch){0};
  configure();
  WDT_RUNSTATUS = 1;
  host_sets_baud(1200);
  setup(0x21, CDC_REQ_SET_CONTROL_LINE_STATE, 0, 0, 0);
  nano_touch_poll(&touch, &cdc, 3000);
  nano_touch_poll(&touch, &cdc, 3000 + NANO_TOUCH_HOLD_MS);
  CHECK_EQ(POWER_GPREGRET, 0xB0);
  CHECK_EQ(USBD_USBPULLUP, 0);
  CHECK(reset_requested());
  WDT_RUNSTATUS = 0;
}

void suite_nrf_usbd(void) {
  RUN(nrf_follows_vbus);
  RUN(nrf_control_read_then_status);
  RUN(nrf_control_write_uses_ep0rcvout);
  RUN(nrf_dma_one_transfer_at_a_time);
  RUN(nrf_halt_and_bus_reset);
  RUN(nrf_bus_reset_keeps_a_running_out_dma);
  RUN(nrf_errata_223_first_enable);
  RUN(nrf_halt_drains_out_and_clear_rewrites_size);
  RUN(nrf_disable_pads_dma_to_even);
  RUN(nrf_barrier_before_every_unmask);
  RUN(nrf_suspend_and_resume);
  RUN(nrf_1200_baud_touch_resets_into_bootloader);
  mock_forward = NULL;
}
