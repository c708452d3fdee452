/* board/nano33ble/reset_state.c and watchdog.c built for the host against the fake register
 * file (test_startup.c plays the bootloader and the hardware). */
#include "fake_nrf52840_regs.h"
#include "../board/nano33ble/reset_state.c"
#include "../board/nano33ble/watchdog.c"
