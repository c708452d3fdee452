/* The Cortex-M core registers and CPU instructions both boards use (ARM DDI 0403 for the M4,
 * DDI 0419 for the M0: everything here exists on both). Only board code includes this.
 * The host tests define CM_FAKE_CPU and provide the cm_* functions and REG32 themselves, so
 * the start-up, fault and critical-section code runs against a fake CPU and register file. */
#ifndef MEGABIT_CORTEXM_H
#define MEGABIT_CORTEXM_H
#include <stdint.h>

#define CM_SYST_CSR REG32(0xE000E010u)
#define CM_NVIC_ISER(word) REG32(0xE000E100u + 4u * (word))
#define CM_NVIC_ICER(word) REG32(0xE000E180u + 4u * (word))
#define CM_NVIC_ICPR(word) REG32(0xE000E280u + 4u * (word))
#define CM_SYST_RVR REG32(0xE000E014u)
#define CM_SYST_CSR_ENABLE_TICKINT_CPUCLK 0x7u
#define CM_ICSR REG32(0xE000ED04u)
#define CM_ICSR_PENDSTCLR (1u << 25)
#define CM_ICSR_PENDSVCLR (1u << 27)
#define CM_AIRCR REG32(0xE000ED0Cu)
#define CM_AIRCR_SYSRESETREQ (0x05FAu << 16 | 1u << 2) /* VECTKEY + SYSRESETREQ */
#define CM_CFSR REG32(0xE000ED28u)                     /* M3/M4 only: the M0 has none */

#ifdef CM_FAKE_CPU
uint32_t cm_primask(void);
void cm_set_primask(uint32_t value);
void cm_irq_disable(void);
void cm_irq_enable(void);
void cm_barrier(void);
void cm_wait_for_interrupt(void);
#else
static inline uint32_t cm_primask(void) {
  uint32_t value;
  __asm volatile("mrs %0, primask" : "=r"(value)::"memory");
  return value;
}
/* The "memory" clobbers make each of these a compiler barrier too: nothing the main loop
 * shares with an ISR is moved across the masking. */
static inline void cm_set_primask(uint32_t value) { __asm volatile("msr primask, %0" ::"r"(value) : "memory"); }
static inline void cm_irq_disable(void) { __asm volatile("cpsid i" ::: "memory"); }
static inline void cm_irq_enable(void) { __asm volatile("cpsie i" ::: "memory"); }
/* Register writes (NVIC clears, peripheral disables) complete before the next instruction. */
static inline void cm_barrier(void) { __asm volatile("dsb 0xF\n isb 0xF" ::: "memory"); }
/* Sleeps until an interrupt enabled in the NVIC is pending, even one PRIMASK masks (it then
 * wakes the core without being taken). */
static inline void cm_wait_for_interrupt(void) { __asm volatile("wfi" ::: "memory"); }
#endif

#endif
