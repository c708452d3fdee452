/* The HardFault entry both boards share: finds the exception frame on whichever stack was in
 * use (EXC_RETURN bit 2) and hands it to the board's board_hard_fault, which records the fault
 * in no-init RAM and resets. Written for ARMv6-M (the nRF51's M0) so the M4 runs it too.
 * Definitions: include from one startup.c only. The frame is r0 r1 r2 r3 r12 lr pc xpsr. */
#ifndef MEGABIT_CORTEXM_FAULT_H
#define MEGABIT_CORTEXM_FAULT_H
#include <stdint.h>
#include "noinit_fault.h"

void HardFault_Handler(void);
/* Records frame[6] (PC) and frame[5] (LR) and resets; never returns. */
void board_hard_fault(const uint32_t *frame) __attribute__((noreturn, used));

__attribute__((naked)) void HardFault_Handler(void) {
  __asm volatile(
      "movs r0, #4\n"
      "mov r1, lr\n"
      "tst r0, r1\n"
      "beq 1f\n"
      "mrs r0, psp\n"
      "b 2f\n"
      "1: mrs r0, msp\n"
      "2: ldr r1, =board_hard_fault\n"
      "bx r1\n"
      ".ltorg\n");
}

#endif
