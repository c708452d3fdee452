/* Functions shared between this board's files. */
#ifndef NANO33BLE_H
#define NANO33BLE_H
#include <stdbool.h>
#include <stdint.h>
#include "fault.h"
#include "hub75_scan.h"

/* Configures the panel pins and TIMER2; mb_scan_start then runs the refresh. */
void nano_hub75_init(mb_scan *s);
/* The longest row ISR (DWT cycles) since the last call. */
uint32_t nano_scan_take_isr_max_cycles(void);

/* Start-up (reset_state.c): puts back what the bootloader left running. */
void nano_reset_peripherals(void);

/* The watchdog (watchdog.c). */
void nano_wdt_start(uint32_t timeout_ms);
void nano_wdt_feed(void);
bool nano_wdt_running(void);
/* POWER.RESETREAS, cleared for the next boot. */
uint32_t nano_take_reset_reason(void);

/* The fault path (fault_handler.c). board_hard_fault is the board half of the HardFault entry
 * (../cortexm_fault.h, which declares it noreturn): records PC, LR and CFSR, then resets.
 * nano_last_boot_fault: a recorded HardFault, else a watchdog reset (RESETREAS.DOG), else
 * none; it takes the record and clears RESETREAS, so ask once per boot. */
void board_hard_fault(const uint32_t *frame);
mb_fault nano_last_boot_fault(void);

/* Interrupt handlers, for the vector table (startup.c). */
void SysTick_Handler(void);
void TIMER2_IRQHandler(void);
void USBD_IRQHandler(void);
void POWER_CLOCK_IRQHandler(void);

#endif
