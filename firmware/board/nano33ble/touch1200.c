#include "touch1200.h"
#include "nrf52840.h"

/* A soft reset (SYSRESETREQ) is the only reset that keeps GPREGRET: a watchdog or pin reset
 * clears the retained registers, and the bootloader would start the app again. The started
 * watchdog survives it too, so the bootloader must feed it during an upload; whether the
 * Arduino bootloader does is not yet checked on a board (firmware/README.md). */
void nano_reset_into_bootloader(void) {
  IRQ_DISABLE();
  USBD_USBPULLUP = 0; /* the host sees the port go at once, not at the bootloader's enumeration */
  POWER_GPREGRET = NANO_BOOTLOADER_GPREGRET;
  IRQ_BARRIER(); /* both writes land before the reset request */
  SCB_AIRCR = SCB_AIRCR_SYSRESETREQ;
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
