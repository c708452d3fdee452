#include "touch1200.h"
#include "nano33ble.h"
#include "nrf52840.h"

/* A started watchdog survives a soft reset and the bootloader does not feed it: a SYSRESETREQ
 * would hand it a board that resets again within the timeout, in the middle of a bossac upload.
 * So while it runs we stop feeding and let it reset the chip (a watchdog reset also stops the
 * watchdog; GPREGRET is kept across it); before it is started, SYSRESETREQ at once. */
void nano_reset_into_bootloader(void) {
  IRQ_DISABLE();
  USBD_USBPULLUP = 0; /* the host sees the port go at once, not at the bootloader's enumeration */
  POWER_GPREGRET = NANO_BOOTLOADER_GPREGRET;
  IRQ_BARRIER(); /* both writes land before the reset request */
  if (!nano_wdt_running()) SCB_AIRCR = SCB_AIRCR_SYSRESETREQ;
  WAIT_FOR_RESET();
}

void nano_touch_poll(nano_touch *t, const cdc_acm *c, uint32_t now_ms) {
  bool touched = c->configured && !c->dtr && cdc_acm_baud(c) == NANO_TOUCH_BAUD;
  if (!touched) {
    t->seen = false;
    return;
  }
  if (!t->seen) {
    t->seen = true;
    t->since_ms = now_ms;
  }
  if (now_ms - t->since_ms >= NANO_TOUCH_HOLD_MS) nano_reset_into_bootloader();
}
