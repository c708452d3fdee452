/* Reset and vector table for the nRF51 (Cortex-M0) as qemu's microbit machine boots it. */
#include <stdint.h>
#include <string.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

void Reset_Handler(void);
void Default_Handler(void);

void Default_Handler(void) {
  for (;;) {
  }
}

void Reset_Handler(void) {
  memcpy(&_sdata, &_sidata, (size_t)((uintptr_t)&_edata - (uintptr_t)&_sdata));
  memset(&_sbss, 0, (size_t)((uintptr_t)&_ebss - (uintptr_t)&_sbss));
  main();
  for (;;) {
  }
}

typedef void (*vector)(void);

/* Cortex-M0 core exceptions; the board uses no peripheral interrupts. */
__attribute__((section(".isr_vector"), used)) static const vector vectors[16] = {
    (vector)(uintptr_t)&_estack, Reset_Handler, Default_Handler, Default_Handler,
    0, 0, 0, 0, 0, 0, 0, Default_Handler, 0, 0, Default_Handler, Default_Handler, /* no SysTick: board.c reads TIMER0 */
};
