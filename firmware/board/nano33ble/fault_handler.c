/* The fault path's two ends on the Nano 33 BLE: board_hard_fault, entered from the shared
 * HardFault entry (../cortexm_fault.h), records the fault and resets; the next boot's
 * nano_last_boot_fault says what the previous boot died of. Apart from startup.c and board.c
 * so the host tests build both against fake registers (test/nano_startup_under_test.c), where
 * WAIT_FOR_RESET returns instead of waiting. */
#include "nano33ble.h"
#include "nrf52840.h"
#include "../cortexm.h"
#include "../noinit_fault.h"

/* Records the fault, then resets. A started watchdog survives a soft reset and would bite in
 * the bootloader (during a bossac upload, say), so while it runs we let it reset the chip,
 * within its timeout; before it is started, SYSRESETREQ. */
void board_hard_fault(const uint32_t *frame) {
  mb_fault fault = {MB_FAULT_HARDFAULT, frame[6], frame[5], CM_CFSR};
  mb_fault_record_store(&mb_noinit_fault, &fault);
  cm_barrier();
  if (!nano_wdt_running()) CM_AIRCR = CM_AIRCR_SYSRESETREQ;
  WAIT_FOR_RESET();
}

/* What the last boot died of: a recorded HardFault, else a watchdog reset, else nothing. */
mb_fault nano_last_boot_fault(void) {
  mb_fault fault;
  bool recorded = mb_fault_record_take(&mb_noinit_fault, &fault);
  bool dog = (nano_take_reset_reason() & RESETREAS_DOG) != 0;
  if (!recorded && dog) fault.kind = MB_FAULT_WATCHDOG;
  return fault;
}
