/* A stand-in for the Arduino bootloader the Nano 33 BLE boots through, so the qemu image runs
 * the start-up code from the state a real bootloader may hand over rather than from a clean
 * reset: interrupts masked (PRIMASK), SysTick counting with its interrupt on and pending, the
 * UART's receive interrupt enabled in the UART and in the NVIC and pending, and a stack pointer
 * of its own, 8 bytes above the start of RAM, so an application that kept it would fault on
 * its first calls. Then it jumps to Reset_Handler, as the real one jumps to 0x10000's vector.
 * If the start-up left any of this in place, the firmware would hang in Default_Handler or
 * fault, and every qemu test would fail. */
#include <stdint.h>
#include "nrf51.h"
#include "qemu_microbit.h"

#define NVIC_ISER0 REG32(0xE000E100u)
#define NVIC_ISPR0 REG32(0xE000E200u)
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define ICSR REG32(0xE000ED04u)
#define ICSR_PENDSTSET (1u << 26)
#define BOOTLOADER_SP 0x20000008u

/* Runs on the stack the reset gave it (vector 0), like any bootloader. */
void stand_in_bootloader(void) {
  __asm volatile("cpsid i" ::: "memory");
  SYST_RVR = 1000u;
  SYST_CSR = 0x7u; /* enable, interrupt, CPU clock */
  ICSR = ICSR_PENDSTSET;
  UART0_INTENSET = UART_INT_RXDRDY;
  NVIC_ISER0 = 1u << UART0_IRQN;
  NVIC_ISPR0 = 1u << UART0_IRQN;
  __asm volatile(
      "msr msp, %0\n"
      "bx %1\n" ::"r"(BOOTLOADER_SP),
      "r"(Reset_Handler)
      : "memory");
  for (;;) {
  }
}
