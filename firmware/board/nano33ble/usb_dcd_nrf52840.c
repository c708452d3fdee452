/* usb_dcd.h on the nRF52840 USBD peripheral: the register layer under core/usb. Written from
 * Nordic's nRF52840 Product Specification (USBD and POWER chapters) and errata sheet; it
 * builds, but has not run on a board yet.
 *
 * Facts it relies on:
 * - EasyDMA serves one endpoint at a time: STARTEPIN/STARTEPOUT must not be triggered while
 *   another transfer runs (until its ENDEPIN/ENDEPOUT). EP0STATUS and EP0RCVOUT are held back
 *   while a DMA runs too. Work is queued in `pending` and started one job at a time.
 * - IN: EasyDMA copies the packet into the USBD (ENDEPIN); the host's ACK is EP0DATADONE on
 *   EP0, EPDATA (EPDATASTATUS bit n) on bulk endpoints. That ACK completes the transfer.
 * - OUT: the USBD ACKs a packet into its own buffer (EP0DATADONE after EP0RCVOUT on EP0,
 *   EPDATA with EPDATASTATUS bit 16+n on bulk) and NAKs the endpoint until EasyDMA has moved
 *   that packet to RAM (STARTEPOUT, SIZE.EPOUT[n] bytes, ENDEPOUT). So a packet that arrives
 *   before the stack armed a buffer simply waits in the USBD.
 * - The USBD answers SET_ADDRESS on its own, status stage included: its status "transfer"
 *   completes here without touching the hardware.
 * - Pull-up only once the USB regulator is ready (POWER USBPWRRDY); VBUS comes and goes as
 *   POWER USBDETECTED / USBREMOVED.
 * - A bus reset does not stop a running EasyDMA transfer: its END event still comes, and no
 *   other transfer may start before it. Its result belongs to the session before the reset and
 *   is dropped.
 * - The total of bytes EasyDMA moved since enable must be even when the USBD is disabled, or
 *   the next enable can make an invalid bus request (Nordic's driver pads it with a 1-byte
 *   transfer; so does this one).
 * - Suspend: LOWPOWER = 1 only once no DMA runs (the USBD is not to be touched in low power);
 *   RESUME or a bus reset writes ForceNormal before anything else touches it.
 * - DTOGGLE is written twice: the endpoint with VALUE = Nop selects it, then the same endpoint
 *   with VALUE = Data0 sets it (the Product Specification's sequence, and Nordic's driver's).
 *
 * Interrupts: USBD and POWER_CLOCK run at priority 1 so the panel scan (TIMER2, priority 0)
 * is never delayed by USB. Both feed usb_dcd_event; the calls below mask both while they touch
 * shared state (they run in the main loop) so there is one producer at a time. */
#include <stdbool.h>
#include <stdint.h>
#include "nano33ble.h"
#include "nrf52840.h"
#include "usb_dcd.h"
#include "usb_std.h"

#define ERRATA_UNLOCK REG32(0x4006EC00u)
#define ERRATA_171_REG REG32(0x4006EC14u)
#define ERRATA_187_REG REG32(0x4006ED14u)
#define ERRATA_199_REG REG32(0x40027C1Cu)
#define ERRATA_UNLOCK_KEY 0x00009375u

enum { JOB_EPIN = 0, JOB_EPOUT = 8, JOB_EP0STATUS = 16, JOB_EP0RCVOUT = 17 };

typedef struct {
  uint8_t *buf;
  uint16_t len;
  bool armed;
} xfer;

static xfer in_xfer[8], out_xfer[8];
static bool out_waiting[8];      /* an OUT packet sits in the USBD, not yet moved to RAM */
static uint32_t pending;         /* JOB_* bits */
static bool dma_busy;
static uint32_t dma_job;         /* the JOB_* EasyDMA is running, while dma_busy */
static bool dma_stale;           /* the running transfer began before a bus reset */
static bool dma_odd;             /* odd total of bytes moved by EasyDMA since enable */
static bool first_enable = true; /* errata 223: the first enable after a chip reset */
static bool suspended;           /* bus suspended: no DMA or task until RESUME */
static bool lowpower;            /* LOWPOWER written 1 */
static bool want_connect, power_ready;
/* The control transfer in progress, from its SETUP. */
static bool ep0_data_in, ep0_set_address;
static uint16_t ep0_length;

static void irq_mask(void) {
  NVIC_ICER(USBD_IRQN) = NVIC_BIT(USBD_IRQN);
  NVIC_ICER(POWER_CLOCK_IRQN) = NVIC_BIT(POWER_CLOCK_IRQN);
  IRQ_BARRIER();
}

static void irq_unmask(void) {
  COMPILER_BARRIER(); /* every write to the state above lands before the ISR can run */
  NVIC_ISER(USBD_IRQN) = NVIC_BIT(USBD_IRQN);
  NVIC_ISER(POWER_CLOCK_IRQN) = NVIC_BIT(POWER_CLOCK_IRQN);
}

static void report(usb_event_id id, uint8_t ep, uint16_t len) {
  usb_dcd_event_t ev = {.id = id, .ep = ep, .len = len};
  usb_dcd_event(&ev);
}

static void errata_write(volatile uint32_t *reg, uint32_t value) {
  if (ERRATA_UNLOCK == 0) ERRATA_UNLOCK = ERRATA_UNLOCK_KEY;
  *reg = value;
  ERRATA_UNLOCK = ERRATA_UNLOCK_KEY;
}

/* Starts queued jobs until one needs EasyDMA for a while. Nothing starts while the bus is
 * suspended: the jobs wait for RESUME. */
static void dma_kick(void) {
  while (!dma_busy && !suspended && pending) {
    uint32_t job = (uint32_t)__builtin_ctz(pending);
    pending &= ~(1u << job);
    if (job == JOB_EP0STATUS) {
      USBD_TASKS_EP0STATUS = 1;
      report(USB_EV_XFER_COMPLETE, ep0_data_in ? 0x00 : USB_DIR_IN, 0);
    } else if (job == JOB_EP0RCVOUT) {
      USBD_TASKS_EP0RCVOUT = 1;
    } else {
      /* Errata 199: the USBD may miss tasks while EasyDMA runs unless this is set. */
      ERRATA_199_REG = 0x82u;
      dma_busy = true;
      dma_job = job;
      if (job < JOB_EPOUT) {
        USBD_EPIN_PTR(job) = (uint32_t)(uintptr_t)in_xfer[job].buf;
        USBD_EPIN_MAXCNT(job) = in_xfer[job].len;
        USBD_TASKS_STARTEPIN(job) = 1;
      } else {
        uint32_t n = job - JOB_EPOUT, size = USBD_SIZE_EPOUT(n);
        USBD_EPOUT_PTR(n) = (uint32_t)(uintptr_t)out_xfer[n].buf;
        USBD_EPOUT_MAXCNT(n) = size < out_xfer[n].len ? size : out_xfer[n].len;
        USBD_TASKS_STARTEPOUT(n) = 1;
      }
    }
  }
}

/* Low power only once EasyDMA and this code are done with the USBD; a RESUME that came in
 * meanwhile cancels it (the order Nordic's driver uses). */
static void enter_lowpower(void) {
  if (!suspended || lowpower || dma_busy) return;
  if (USBD_EVENTCAUSE & USBD_EVENTCAUSE_RESUME) return;
  USBD_LOWPOWER = 1;
  lowpower = true;
  if (USBD_EVENTCAUSE & USBD_EVENTCAUSE_RESUME) {
    USBD_LOWPOWER = 0;
    lowpower = false;
  }
}

static void leave_lowpower(void) {
  if (lowpower) USBD_LOWPOWER = 0; /* ForceNormal */
  lowpower = suspended = false;
}

/* A transfer's END: `amount` bytes moved. Returns whether its result is still wanted. */
static bool dma_done(uint32_t amount) {
  bool current = !dma_stale;
  dma_odd ^= (amount & 1u) != 0;
  ERRATA_199_REG = 0;
  dma_busy = dma_stale = false;
  enter_lowpower();
  return current;
}

/* Forgets every transfer. A running DMA is not forgotten: it still ends (ENDEPIN/ENDEPOUT),
 * and until then EasyDMA is busy; only its result is dropped. */
static void reset_state(void) {
  for (int n = 0; n < 8; n++) {
    in_xfer[n].armed = out_xfer[n].armed = false;
    out_waiting[n] = false;
  }
  pending = 0;
  dma_stale = dma_busy;
}

/* The USBD is off: no transfer can end any more. */
static void forget_dma(void) {
  if (dma_busy) ERRATA_199_REG = 0;
  dma_busy = dma_stale = false;
  dma_odd = false;
}

/* Enable sequence with errata 187 ("USBD cannot be enabled") and 171 ("USBD might not reach
 * its active state"): unlock-protected writes around ENABLE, undone once READY is seen.
 * Nordic's driver first checks the chip revision; these registers exist only for this. */
static void enable_once(void) {
  USBD_EVENTCAUSE = USBD_EVENTCAUSE_READY;
  ERRATA_UNLOCK = ERRATA_UNLOCK_KEY;
  ERRATA_187_REG = 3;
  ERRATA_UNLOCK = ERRATA_UNLOCK_KEY;
  errata_write(&ERRATA_171_REG, 0xC0u);
  USBD_ENABLE = 1;
  while ((USBD_EVENTCAUSE & USBD_EVENTCAUSE_READY) == 0) {
  }
  USBD_EVENTCAUSE = USBD_EVENTCAUSE_READY; /* write 1 to clear */
  errata_write(&ERRATA_171_REG, 0);
  ERRATA_UNLOCK = ERRATA_UNLOCK_KEY;
  ERRATA_187_REG = 0;
  ERRATA_UNLOCK = ERRATA_UNLOCK_KEY;
}

/* Errata 223 ("unexpected behaviour after reset"): the first enable after a chip reset is
 * followed by a disable and a second enable, as Nordic's driver does. */
static void usbd_enable(void) {
  if (USBD_ENABLE) return; /* READY comes only once: never wait for it twice */
  enable_once();
  if (first_enable) {
    first_enable = false;
    USBD_ENABLE = 0;
    enable_once();
  }
  dma_odd = false;
  USBD_INTENSET = USBD_INT_USBRESET | USBD_INT_ENDEPIN_ALL | USBD_INT_EP0DATADONE |
                  USBD_INT_ENDEPOUT_ALL | USBD_INT_USBEVENT | USBD_INT_EP0SETUP | USBD_INT_EPDATA;
}

static void vbus_ready(void) {
  power_ready = true;
  if (want_connect) USBD_USBPULLUP = 1;
}

static bool dma_job_ended(void) {
  if (dma_job < JOB_EPOUT) return USBD_EVENTS_ENDEPIN(dma_job) != 0;
  return USBD_EVENTS_ENDEPOUT(dma_job - JOB_EPOUT) != 0;
}

static uint32_t dma_job_amount(void) {
  if (dma_job < JOB_EPOUT) return USBD_EPIN_AMOUNT(dma_job);
  return USBD_EPOUT_AMOUNT(dma_job - JOB_EPOUT);
}

/* A packet of at most 64 bytes takes well under a microsecond; the waits are bounded all the
 * same, so a USBD that never answers cannot hang the board. */
#define DMA_WAIT_SPINS 100000u

/* Pads EasyDMA's byte total to even before a disable (see the facts above): one byte from
 * RAM into EP IN 0's buffer, which the host never reads (the USBD is disabled right after).
 * Waits for a transfer still running first, as no other may start before it ends. */
static void usbd_disable(void) {
  static uint8_t pad;
  leave_lowpower();
  USBD_INTENCLR = 0xFFFFFFFFu; /* the END events below are waited for, not handled */
  if (dma_busy) {
    for (uint32_t spin = 0; !dma_job_ended() && spin < DMA_WAIT_SPINS; spin++) {
    }
    if (dma_job < JOB_EPOUT) USBD_EVENTS_ENDEPIN(dma_job) = 0;
    else USBD_EVENTS_ENDEPOUT(dma_job - JOB_EPOUT) = 0;
    dma_odd ^= (dma_job_amount() & 1u) != 0;
  }
  if (dma_odd && USBD_ENABLE) {
    USBD_EVENTS_ENDEPIN(0) = 0;
    USBD_EPIN_PTR(0) = (uint32_t)(uintptr_t)&pad;
    USBD_EPIN_MAXCNT(0) = 1;
    USBD_TASKS_STARTEPIN(0) = 1;
    for (uint32_t spin = 0; USBD_EVENTS_ENDEPIN(0) == 0 && spin < DMA_WAIT_SPINS; spin++) {
    }
    USBD_EVENTS_ENDEPIN(0) = 0;
  }
  USBD_ENABLE = 0;
  forget_dma();
}

static void vbus_removed(void) {
  power_ready = false;
  USBD_USBPULLUP = 0;
  usbd_disable();
  reset_state();
  suspended = lowpower = false;
  report(USB_EV_UNPLUGGED, 0, 0);
}

void POWER_CLOCK_IRQHandler(void) {
  if (POWER_EVENTS_USBDETECTED) {
    POWER_EVENTS_USBDETECTED = 0;
    usbd_enable();
  }
  if (POWER_EVENTS_USBPWRRDY) {
    POWER_EVENTS_USBPWRRDY = 0;
    vbus_ready();
  }
  if (POWER_EVENTS_USBREMOVED) {
    POWER_EVENTS_USBREMOVED = 0;
    vbus_removed();
  }
}

/* The bootloader talks USB too: drop its device (pull-up off long enough for the host to see
 * a detach) before ours appears. */
static void take_over_from_bootloader(void) {
  bool was_attached = USBD_USBPULLUP != 0;
  USBD_USBPULLUP = 0;
  USBD_INTENCLR = 0xFFFFFFFFu;
  USBD_ENABLE = 0;
  uint32_t start = DWT_CYCCNT;
  while (was_attached && DWT_CYCCNT - start < 64000u * 20u) { /* 20 ms */
  }
}

/* Needs HFXO running and the DWT cycle counter on (the board does both at boot). */
void usb_dcd_init(void) {
  irq_mask();
  take_over_from_bootloader();
  forget_dma(); /* disabled: nothing of ours runs (a bootloader's transfer ended with it) */
  reset_state();
  suspended = lowpower = false;
  NVIC_IPR(USBD_IRQN) = NVIC_PRIORITY(1);
  NVIC_IPR(POWER_CLOCK_IRQN) = NVIC_PRIORITY(1);
  const uint32_t vbus_events = POWER_INT_USBDETECTED | POWER_INT_USBREMOVED | POWER_INT_USBPWRRDY;
  POWER_INTENCLR = ~vbus_events; /* nothing else may raise the shared POWER_CLOCK interrupt */
  POWER_INTENSET = vbus_events;
  /* Plugged in before we listened (the usual case: USB powers the board). */
  POWER_EVENTS_USBDETECTED = 0;
  POWER_EVENTS_USBPWRRDY = 0;
  POWER_EVENTS_USBREMOVED = 0;
  uint32_t status = POWER_USBREGSTATUS;
  if (status & USBREGSTATUS_VBUSDETECT) usbd_enable();
  if (status & USBREGSTATUS_OUTPUTRDY) vbus_ready();
  irq_unmask();
}

void usb_dcd_connect(bool on) {
  irq_mask();
  want_connect = on;
  USBD_USBPULLUP = on && power_ready;
  irq_unmask();
}

void usb_dcd_set_address(uint8_t address) {
  (void)address; /* the USBD has taken it from the SETUP itself */
}

static uint32_t ep_select(uint8_t ep) {
  return USB_EP_NUM(ep) | (USB_EP_IS_IN(ep) ? USBD_EP_IO_IN : 0u);
}

/* Unstalled, next packet DATA0: how a (re)opened or cleared endpoint starts. DTOGGLE: select
 * the endpoint (VALUE = Nop), then set it. An OUT endpoint's SIZE.EPOUT is written so the
 * USBD accepts its next packet (any write frees the endpoint's buffer). */
static void endpoint_fresh(uint8_t ep) {
  USBD_DTOGGLE = ep_select(ep) | USBD_DTOGGLE_NOP;
  USBD_DTOGGLE = ep_select(ep) | USBD_DTOGGLE_DATA0;
  USBD_EPSTALL = ep_select(ep);
  if (!USB_EP_IS_IN(ep)) {
    out_waiting[USB_EP_NUM(ep)] = false;
    USBD_SIZE_EPOUT(USB_EP_NUM(ep)) = 0;
  }
}

void usb_dcd_edpt_open(uint8_t ep, uint8_t xfer_type, uint16_t max_packet) {
  (void)xfer_type; /* bulk and interrupt endpoints are alike to the USBD */
  (void)max_packet;
  uint8_t n = USB_EP_NUM(ep);
  if (n == 0 || n > 7) return;
  irq_mask();
  if (USB_EP_IS_IN(ep)) {
    in_xfer[n].armed = false;
    USBD_EPINEN |= 1u << n;
  } else {
    out_xfer[n].armed = false;
    USBD_EPOUTEN |= 1u << n;
  }
  endpoint_fresh(ep);
  irq_unmask();
}

void usb_dcd_edpt_xfer(uint8_t ep, uint8_t *buf, uint16_t len) {
  uint8_t n = USB_EP_NUM(ep);
  irq_mask();
  if (n == 0 && len == 0 && (USB_EP_IS_IN(ep) != ep0_data_in || ep0_length == 0)) {
    if (ep0_set_address) report(USB_EV_XFER_COMPLETE, ep, 0);
    else pending |= 1u << JOB_EP0STATUS;
  } else if (USB_EP_IS_IN(ep)) {
    in_xfer[n] = (xfer){buf, len, true};
    pending |= 1u << (JOB_EPIN + n);
  } else {
    out_xfer[n] = (xfer){buf, len, true};
    if (n == 0) {
      pending |= 1u << JOB_EP0RCVOUT;
    } else if (out_waiting[n]) {
      out_waiting[n] = false;
      pending |= 1u << (JOB_EPOUT + n);
    }
  }
  dma_kick();
  irq_unmask();
}

/* The USBD may have ACKed an OUT packet just before the halt: it would sit in the endpoint's
 * buffer and come out after the clear as if sent after it. The halt drains it (a copy not yet
 * started is cancelled, the buffer freed); one EasyDMA is already copying ends normally. */
void usb_dcd_edpt_stall(uint8_t ep) {
  uint8_t n = USB_EP_NUM(ep);
  irq_mask();
  if (n == 0) {
    USBD_TASKS_EP0STALL = 1;
  } else {
    USBD_EPSTALL = USBD_EPSTALL_STALL | ep_select(ep);
    if (!USB_EP_IS_IN(ep) && (out_waiting[n] || (pending & (1u << (JOB_EPOUT + n))))) {
      out_waiting[n] = false;
      pending &= ~(1u << (JOB_EPOUT + n));
      USBD_SIZE_EPOUT(n) = 0;
    }
  }
  irq_unmask();
}

/* DATA0, unstalled, and SIZE.EPOUT rewritten so an OUT endpoint takes packets again. */
void usb_dcd_edpt_clear_stall(uint8_t ep) {
  if (USB_EP_NUM(ep) == 0) return; /* EP0's stall ends with the next SETUP */
  irq_mask();
  endpoint_fresh(ep); /* a transfer the stack still has armed takes the next packet */
  irq_unmask();
}

static void on_setup(void) {
  usb_dcd_event_t ev = {.id = USB_EV_SETUP};
  for (uint32_t i = 0; i < 8; i++) ev.setup[i] = (uint8_t)USBD_SETUP_BYTE(i);
  usb_setup s = usb_setup_parse(ev.setup);
  ep0_data_in = (s.bmRequestType & USB_DIR_IN) != 0;
  ep0_length = s.wLength;
  ep0_set_address = s.bmRequestType == 0 && s.bRequest == USB_REQ_SET_ADDRESS;
  /* A SETUP ends whatever control transfer was in progress. */
  in_xfer[0].armed = out_xfer[0].armed = false;
  pending &= ~((1u << JOB_EPIN) | (1u << JOB_EPOUT) | (1u << JOB_EP0STATUS) | (1u << JOB_EP0RCVOUT));
  usb_dcd_event(&ev);
}

static void on_epdata(void) {
  uint32_t status = USBD_EPDATASTATUS;
  USBD_EPDATASTATUS = status; /* write 1 to clear */
  for (uint8_t n = 1; n < 8; n++) {
    if ((status & (1u << n)) && in_xfer[n].armed) {
      in_xfer[n].armed = false;
      report(USB_EV_XFER_COMPLETE, USB_DIR_IN | n, in_xfer[n].len);
    }
    if (status & USBD_EPDATASTATUS_OUT(n)) {
      if (out_xfer[n].armed) pending |= 1u << (JOB_EPOUT + n);
      else out_waiting[n] = true;
    }
  }
}

static void on_ep0_datadone(void) {
  if (ep0_data_in) {
    if (!in_xfer[0].armed) return;
    in_xfer[0].armed = false;
    report(USB_EV_XFER_COMPLETE, USB_DIR_IN, in_xfer[0].len);
  } else if (out_xfer[0].armed) {
    pending |= 1u << JOB_EPOUT; /* the data stage packet is in the USBD: fetch it */
  }
}

void USBD_IRQHandler(void) {
  if (USBD_EVENTS_USBRESET) {
    USBD_EVENTS_USBRESET = 0;
    leave_lowpower(); /* a reset also ends a suspend */
    reset_state();
    report(USB_EV_BUS_RESET, 0, 0);
  }
  if (USBD_EVENTS_USBEVENT) {
    USBD_EVENTS_USBEVENT = 0;
    uint32_t cause = USBD_EVENTCAUSE & (USBD_EVENTCAUSE_SUSPEND | USBD_EVENTCAUSE_RESUME);
    USBD_EVENTCAUSE = cause; /* write 1 to clear */
    if (cause & USBD_EVENTCAUSE_RESUME) {
      leave_lowpower();
      report(USB_EV_RESUME, 0, 0);
    } else if (cause & USBD_EVENTCAUSE_SUSPEND) {
      suspended = true;
      enter_lowpower(); /* now, or when the running DMA ends */
      report(USB_EV_SUSPEND, 0, 0);
    }
  }
  for (uint8_t n = 0; n < 8; n++) {
    if (USBD_EVENTS_ENDEPIN(n)) { /* packet handed to the USBD; the host's ACK completes it */
      USBD_EVENTS_ENDEPIN(n) = 0;
      (void)dma_done(USBD_EPIN_AMOUNT(n)); /* the host's ACK (EPDATA) completes an IN transfer */
    }
    if (USBD_EVENTS_ENDEPOUT(n)) {
      USBD_EVENTS_ENDEPOUT(n) = 0;
      uint16_t amount = (uint16_t)USBD_EPOUT_AMOUNT(n);
      /* A copy started before a bus reset lands in a buffer the stack has since re-armed for
       * the new session: it is not that transfer's data. */
      if (dma_done(amount) && out_xfer[n].armed) {
        out_xfer[n].armed = false;
        report(USB_EV_XFER_COMPLETE, n, amount);
      }
    }
  }
  if (USBD_EVENTS_EP0DATADONE) {
    USBD_EVENTS_EP0DATADONE = 0;
    on_ep0_datadone();
  }
  if (USBD_EVENTS_EPDATA) {
    USBD_EVENTS_EPDATA = 0;
    on_epdata();
  }
  if (USBD_EVENTS_EP0SETUP) {
    USBD_EVENTS_EP0SETUP = 0;
    on_setup();
  }
  dma_kick();
}
