/* Reset and vector table for the nRF51 (Cortex-M0) as qemu's microbit machine boots it. The
 * reset vector is the stand-in bootloader (stand_in_bootloader.c), which leaves the machine
 * the way a real bootloader might and jumps to Reset_Handler: the same start-up as the Nano
 * 33 BLE's (../cortexm_boot.h) then has to cope with it. */
#include <stdint.h>
#include <string.h>
#include "nrf51.h"
#include "qemu_microbit.h"
#include "../cortexm_boot.h"
#include "../cortexm_fault.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

void Reset_Handler(void);
void Default_Handler(void);
void qemu_boot(void) __attribute__((noreturn, used));

void Default_Handler(void) {
  for (;;) {
  }
}

typedef void (*vector)(void);

/* Cortex-M0 core exceptions and the nRF51's 32 peripheral interrupts, none of which is ever
 * taken: the board's loop runs with PRIMASK set, and UART0's interrupt and SysTick only wake it
 * from WFI (board.c); it reads TIMER0 for the time. A stray one would hang in Default_Handler. */
__attribute__((section(".isr_vector"), used)) const vector qemu_vectors[16 + 32] = {
    [0] = (vector)(uintptr_t)&_estack,
    [1] = stand_in_bootloader,
    [2] = Default_Handler, /* NMI */
    [3] = HardFault_Handler,
    [11] = Default_Handler, /* SVCall */
    [14] = Default_Handler, /* PendSV */
    [15] = Default_Handler, /* SysTick */
    [16 ... 47] = Default_Handler,
};

/* Before any C runs: the bootloader's stack pointer may point anywhere, ours is vector 0. */
__attribute__((naked, noreturn)) void Reset_Handler(void) {
  __asm volatile(
      "cpsid i\n"
      "ldr r0, =qemu_vectors\n"
      "ldr r0, [r0]\n"
      "msr msp, r0\n"
      "b qemu_boot\n"
      ".ltorg\n");
}

static void init_memory(void) {
  memcpy(&_sdata, &_sidata, (size_t)((uintptr_t)&_edata - (uintptr_t)&_sdata));
  memset(&_sbss, 0, (size_t)((uintptr_t)&_ebss - (uintptr_t)&_sbss));
}

/* What the stand-in bootloader leaves: the UART's receive interrupt. */
static void quiet(void) {
  UART0_INTENCLR = 0xFFFFFFFFu;
}

void qemu_boot(void) {
  static const cm_boot_steps steps = {1, quiet, init_memory, main};
  cm_boot(&steps);
  for (;;) {
  }
}

/* The M0 has no CFSR. qemu has no watchdog model, so a soft reset it is. */
void board_hard_fault(const uint32_t *frame) {
  mb_fault fault = {MB_FAULT_HARDFAULT, frame[6], frame[5], 0};
  mb_fault_record_store(&mb_noinit_fault, &fault);
  cm_barrier();
  CM_AIRCR = CM_AIRCR_SYSRESETREQ;
  for (;;) {
  }
}
