/* The Arduino 1200-baud touch: a host that sets the line coding to 1200 bps and then drops DTR
 * (opens the port at 1200 and closes it) resets the board into its bootloader, so bossac can
 * flash it without a double-tap on the reset button. */
#ifndef NANO33BLE_TOUCH1200_H
#define NANO33BLE_TOUCH1200_H
#include <stdbool.h>
#include <stdint.h>
#include "cdc_acm.h"

/* What ArduinoCore-mbed's Nano 33 BLE variant writes to GPREGRET before its reset
 * (DFU_MAGIC_SERIAL_ONLY_RESET): the bootloader then stays in its serial (bossa) mode. */
#define NANO_BOOTLOADER_GPREGRET 0xB0u
#define NANO_TOUCH_BAUD 1200u
/* The touch must hold this long: the status stage of the host's SET_CONTROL_LINE_STATE goes
 * out first, and a host that changes its mind (DTR up again, another rate) cancels it. */
#define NANO_TOUCH_HOLD_MS 50u

typedef struct {
  bool seen;
  uint32_t since_ms;
} nano_touch;

/* Called from the main loop; resets into the bootloader once a touch has held. */
void nano_touch_poll(nano_touch *t, const cdc_acm *c, uint32_t now_ms);
/* GPREGRET = NANO_BOOTLOADER_GPREGRET, USB detached, system reset. Does not return. */
void nano_reset_into_bootloader(void);

#endif
