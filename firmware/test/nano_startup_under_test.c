/* board/nano33ble/reset_state.c, watchdog.c and fault_handler.c built for the host against the
 * fake register file and the fake CPU (test_startup.c plays the bootloader and the hardware). */
#define CM_FAKE_CPU
#include "fake_nrf52840_regs.h"
#include "../board/nano33ble/reset_state.c"
#include "../board/nano33ble/watchdog.c"
#include "../board/nano33ble/fault_handler.c"

/* On the chip the linker script puts the record at the start of the NOINIT region. */
volatile mb_fault_record mb_noinit_fault;
