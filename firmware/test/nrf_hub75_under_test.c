/* board/nano33ble/hub75.c built for the host against the fake register file, its board_hub75_*
 * hooks renamed nrf_hub75_* so they link next to fake_board.c's (test_nrf_hub75.c calls them). */
#include "fake_nrf52840_regs.h"

#define board_hub75_blank nrf_hub75_blank
#define board_hub75_latch nrf_hub75_latch
#define board_hub75_select_row nrf_hub75_select_row
#define board_hub75_shift nrf_hub75_shift
#define board_hub75_show nrf_hub75_show
#include "../board/nano33ble/hub75.c"
