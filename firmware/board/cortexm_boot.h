/* The start-up both boards run after their Reset_Handler has loaded MSP from the vector table.
 * It trusts nothing the bootloader left: it may jump to us with interrupts masked (PRIMASK),
 * with interrupts enabled and pending in the NVIC, SysTick running and peripherals still
 * working (on the Nano 33 BLE: UARTE0 receiving by DMA, PWM on the LED pins, RTC1 and TIMER
 * interrupts). So, with interrupts masked: every NVIC interrupt disabled and its pending bit
 * cleared, SysTick and the pending system exceptions stopped, the board's peripherals put back
 * (its quiet step), pending bits cleared again (quieting may have raised some), memory set up;
 * then a barrier, interrupts on (cpsie i), main. Definitions: include from one startup.c only
 * (or a host test). */
#ifndef MEGABIT_CORTEXM_BOOT_H
#define MEGABIT_CORTEXM_BOOT_H
#include <stdint.h>
#include "cortexm.h"

typedef struct {
  uint32_t nvic_words;        /* 32-interrupt words the NVIC has: 1 on the nRF51, 2 on the nRF52840 */
  void (*quiet)(void);        /* the board puts back what a bootloader may have left running */
  void (*init_memory)(void);  /* .data from flash, .bss zeroed */
  int (*main)(void);
} cm_boot_steps;

static void cm_clear_pending(uint32_t words) {
  for (uint32_t w = 0; w < words; w++) CM_NVIC_ICPR(w) = 0xFFFFFFFFu;
  CM_ICSR = CM_ICSR_PENDSTCLR | CM_ICSR_PENDSVCLR;
}

static void cm_boot(const cm_boot_steps *steps) {
  cm_irq_disable(); /* already so if the bootloader masked them; now certainly */
  for (uint32_t w = 0; w < steps->nvic_words; w++) CM_NVIC_ICER(w) = 0xFFFFFFFFu;
  CM_SYST_CSR = 0;
  cm_clear_pending(steps->nvic_words);
  steps->quiet();
  cm_clear_pending(steps->nvic_words);
  steps->init_memory();
  cm_barrier();
  cm_irq_enable();
  steps->main();
}

#endif
