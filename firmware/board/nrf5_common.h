/* What both nRF5 boards share: the Cortex-M interrupt masking behind board_critical_enter/exit,
 * and reading the RNG peripheral, whose registers are the same on the nRF51 and the nRF52840.
 * Include after the board's register header (it defines RNG_*). Only board.c files include this. */
#ifndef MEGABIT_NRF5_COMMON_H
#define MEGABIT_NRF5_COMMON_H

#include <stdint.h>

static uint32_t nrf5_critical_depth;

void board_critical_enter(void) {
  __asm volatile("cpsid i" ::: "memory");
  nrf5_critical_depth++;
}

void board_critical_exit(void) {
  if (--nrf5_critical_depth == 0) __asm volatile("cpsie i" ::: "memory");
}

/* 32 bits from the hardware RNG: a boot id that differs at every reset. */
static uint32_t nrf5_random_u32(void) {
  uint32_t v = 0;
  RNG_TASKS_START = 1;
  for (int i = 0; i < 4; i++) {
    RNG_EVENTS_VALRDY = 0;
    while (RNG_EVENTS_VALRDY == 0) {
    }
    v = (v << 8) | (RNG_VALUE & 0xFFu);
  }
  RNG_TASKS_STOP = 1;
  return v;
}

#endif
