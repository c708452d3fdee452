/* Puts back what the Arduino bootloader may leave running when it jumps to us: its serial
 * (UARTE0, which may still be receiving into the bootloader's RAM by EasyDMA), its LED fade
 * (PWM0..3 holding the LED pins), its timers (RTC1, TIMER0..4 with interrupts and shorts),
 * PPI channels and GPIOTE tasks, and the crystal's started event (so waiting for
 * HFCLKSTARTED means our start, not its). Turns the instruction cache on. Run by cm_boot
 * with interrupts masked, before memory is set up: no globals, no stack-hungry calls.
 * USBD is the USB driver's to reset (usb_dcd_nrf52840.c). */
#include "nano33ble.h"
#include "nrf52840.h"

/* How long to wait for a STOP to be acknowledged: far longer than the few µs the peripheral
 * needs, and bounded so a peripheral in a state we did not foresee cannot hang the boot. */
#define STOP_WAIT_POLLS 100000u

static void wait_event(volatile uint32_t *event) {
  for (uint32_t i = 0; i < STOP_WAIT_POLLS && *event == 0; i++) {
  }
}

static void stop_uarte0(void) {
  if (UARTE0_ENABLE == 0) return;
  UARTE0_INTENCLR = 0xFFFFFFFFu;
  UARTE0_SHORTS = 0;
  UARTE0_EVENTS_RXTO = 0;
  UARTE0_TASKS_STOPRX = 1;
  wait_event(&UARTE0_EVENTS_RXTO);
  /* What the receiver still held goes to the bootloader's buffer, not into our RAM later. */
  UARTE0_EVENTS_ENDRX = 0;
  UARTE0_TASKS_FLUSHRX = 1;
  wait_event(&UARTE0_EVENTS_ENDRX);
  UARTE0_TASKS_STOPTX = 1;
  UARTE0_EVENTS_RXTO = 0;
  UARTE0_EVENTS_ENDRX = 0;
  UARTE0_ENABLE = 0;
}

static void stop_pwm(uint32_t n) {
  PWM_INTENCLR(n) = 0xFFFFFFFFu;
  PWM_SHORTS(n) = 0;
  if (PWM_ENABLE(n) != 0) {
    PWM_EVENTS_STOPPED(n) = 0;
    PWM_TASKS_STOP(n) = 1;
    wait_event(&PWM_EVENTS_STOPPED(n));
    PWM_ENABLE(n) = 0;
  }
  for (uint32_t ch = 0; ch < 4; ch++) PWM_PSEL_OUT(n, ch) = PSEL_DISCONNECTED;
}

void nano_reset_peripherals(void) {
  NVMC_ICACHECNF = NVMC_ICACHECNF_CACHEEN;
  stop_uarte0();
  for (uint32_t n = 0; n < 4; n++) stop_pwm(n);
  RTC1_INTENCLR = 0xFFFFFFFFu;
  RTC1_EVTENCLR = 0xFFFFFFFFu;
  RTC1_TASKS_STOP = 1;
  for (uint32_t n = 0; n < 5; n++) {
    TIMER_INTENCLR(n) = 0xFFFFFFFFu;
    TIMER_SHORTS(n) = 0;
    TIMER_TASKS_STOP(n) = 1;
  }
  PPI_CHENCLR = 0xFFFFFFFFu;
  for (uint32_t n = 0; n < 8; n++) GPIOTE_CONFIG(n) = 0;
  /* POWER and CLOCK share one interrupt; the USB driver enables the bits it wants. */
  POWER_INTENCLR = 0xFFFFFFFFu;
  CLOCK_EVENTS_HFCLKSTARTED = 0;
}
