/* Reset and vector table for the nRF52840 behind the Arduino bootloader (app at 0x10000).
 * The bootloader jumps here with its own stack pointer and whatever it left running:
 * Reset_Handler loads MSP from our vector table and points VTOR at it, then cm_boot
 * (../cortexm_boot.h) quiets everything before interrupts are enabled. */
#include <stdint.h>
#include <string.h>
#include "nano33ble.h"
#include "nrf52840.h"
#include "../cortexm_boot.h"
#include "../cortexm_fault.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

void Reset_Handler(void);
void Default_Handler(void);
void nano_boot(void) __attribute__((noreturn, used));

void Default_Handler(void) {
  for (;;) {
  }
}

typedef void (*vector)(void);

/* 16 core exceptions + 48 nRF52840 peripheral interrupts (index 16 + peripheral ID). */
__attribute__((section(".isr_vector"), used)) const vector nano_vectors[16 + 48] = {
    [0] = (vector)(uintptr_t)&_estack,
    [1] = Reset_Handler,
    [2] = Default_Handler,  /* NMI */
    [3] = HardFault_Handler,
    [4] = Default_Handler,  /* MemManage */
    [5] = Default_Handler,  /* BusFault */
    [6] = Default_Handler,  /* UsageFault */
    [11] = Default_Handler, /* SVCall */
    [14] = Default_Handler, /* PendSV */
    [15] = SysTick_Handler,
    [16 + POWER_CLOCK_IRQN] = POWER_CLOCK_IRQHandler,
    [16 + TIMER2_IRQN] = TIMER2_IRQHandler,
    [16 + USBD_IRQN] = USBD_IRQHandler,
};

/* Before any C runs: the bootloader's stack pointer may point anywhere, ours is vector 0; and
 * interrupts masked first, so one the bootloader left pending cannot fire through its own
 * vector table before ours is in VTOR. */
__attribute__((naked, noreturn)) void Reset_Handler(void) {
  __asm volatile(
      "cpsid i\n"
      "ldr r0, =nano_vectors\n"
      "ldr r0, [r0]\n"
      "msr msp, r0\n"
      "b nano_boot\n"
      ".ltorg\n");
}

static void init_memory(void) {
  memcpy(&_sdata, &_sidata, (size_t)((uintptr_t)&_edata - (uintptr_t)&_sdata));
  memset(&_sbss, 0, (size_t)((uintptr_t)&_ebss - (uintptr_t)&_sbss));
}

void nano_boot(void) {
  /* The bootloader may leave VTOR at its own table. */
  SCB_VTOR = (uint32_t)(uintptr_t)nano_vectors;
  static const cm_boot_steps steps = {2, nano_reset_peripherals, init_memory, main};
  cm_boot(&steps);
  for (;;) {
  }
}
