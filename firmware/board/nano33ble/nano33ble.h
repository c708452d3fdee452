/* Functions shared between this board's files. */
#ifndef NANO33BLE_H
#define NANO33BLE_H
#include <stdbool.h>
#include <stdint.h>
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

/* Interrupt handlers, for the vector table (startup.c). */
void SysTick_Handler(void);
void TIMER2_IRQHandler(void);
void USBD_IRQHandler(void);
void POWER_CLOCK_IRQHandler(void);

#endif
