/* Reset and vector table for the nRF52840 behind the Arduino bootloader (app at 0x10000). */
#include <stdint.h>
#include <string.h>
#include "nano33ble.h"
#include "nrf52840.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

void Reset_Handler(void);
void Default_Handler(void);

void Default_Handler(void) {
  for (;;) {
  }
}

typedef void (*vector)(void);

/* 16 core exceptions + 48 nRF52840 peripheral interrupts (index 16 + peripheral ID). */
__attribute__((section(".isr_vector"), used)) static const vector vectors[16 + 48] = {
    [0] = (vector)(uintptr_t)&_estack,
    [1] = Reset_Handler,
    [2] = Default_Handler,  /* NMI */
    [3] = Default_Handler,  /* HardFault */
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

void Reset_Handler(void) {
  /* The bootloader may leave VTOR at its own table. */
  SCB_VTOR = (uint32_t)(uintptr_t)vectors;
  /* Nor should any interrupt it enabled reach a handler of ours by surprise. */
  NVIC_ICER(0) = 0xFFFFFFFFu;
  NVIC_ICER(32) = 0xFFFFFFFFu;
  memcpy(&_sdata, &_sidata, (size_t)((uintptr_t)&_edata - (uintptr_t)&_sdata));
  memset(&_sbss, 0, (size_t)((uintptr_t)&_ebss - (uintptr_t)&_sbss));
  main();
  for (;;) {
  }
}
