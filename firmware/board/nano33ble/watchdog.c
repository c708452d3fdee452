/* The nRF52840 watchdog: a reset if the main loop stops feeding it (core/watchdog_gate.h says
 * when it may). Once started it runs until a reset that is not a soft reset, so a fault path
 * that wants a clean bootloader lets the watchdog bite instead of asking for SYSRESETREQ. */
#include "nano33ble.h"
#include "nrf52840.h"

void nano_wdt_start(uint32_t timeout_ms) {
  /* While it runs, CRV, RREN and CONFIG are locked: a watchdog still running from before a soft
   * reset keeps its settings, and the first feed below restarts its count. */
  if ((WDT_RUNSTATUS & 1u) == 0) {
    WDT_CONFIG = WDT_CONFIG_RUN_IN_SLEEP;
    WDT_CRV = timeout_ms * 32768u / 1000u - 1u;
    WDT_RREN = 1u; /* RR[0] only */
    WDT_TASKS_START = 1;
  }
  nano_wdt_feed();
}

void nano_wdt_feed(void) { WDT_RR(0) = WDT_RR_RELOAD; }

bool nano_wdt_running(void) { return (WDT_RUNSTATUS & 1u) != 0; }

uint32_t nano_take_reset_reason(void) {
  uint32_t reason = POWER_RESETREAS;
  POWER_RESETREAS = reason; /* write 1 to clear: the next boot sees only its own reason */
  return reason;
}
