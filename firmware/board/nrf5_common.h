/* What both nRF5 boards share: the Cortex-M interrupt masking behind board_critical_enter/exit,
 * and reading the RNG peripheral, whose registers are the same on the nRF51 and the nRF52840.
 * Include after the board's register header (it defines RNG_* and REG32). Only board.c files
 * (and the host test of the critical section) include this. */
#ifndef MEGABIT_NRF5_COMMON_H
#define MEGABIT_NRF5_COMMON_H

#include <stdint.h>
#include "cortexm.h"

/* Nested sections restore, at the outermost exit, the PRIMASK found at the outermost entry:
 * a section entered with interrupts already masked (start-up, a fault path) leaves them masked
 * instead of unmasking behind its caller's back. Both variables are touched only with
 * interrupts masked. */
static uint32_t nrf5_critical_depth;
static uint32_t nrf5_critical_primask;

void board_critical_enter(void) {
  uint32_t primask = cm_primask();
  cm_irq_disable();
  if (nrf5_critical_depth++ == 0) nrf5_critical_primask = primask;
}

void board_critical_exit(void) {
  if (--nrf5_critical_depth == 0) cm_set_primask(nrf5_critical_primask);
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
