/* HUB75 panel hooks for the core's scan (core/hub75_scan.c), TIMER2 at 16 MHz as its clock. */
#include "board.h"
#include "hub75_scan.h"
#include "nano33ble.h"
#include "nrf52840.h"
#include "pins.h"

#define BIT(p) (1u << (p).pin)

/* Port-1 set mask for each 6-bit column value (R1 G1 B1 R2 G2 B2 in bits 0..5). */
static uint32_t column_mask[64];
static uint32_t data_mask;
static mb_scan *scan;

static void pin_output(board_pin p, bool high) {
  if (high) GPIO_OUTSET(p.port) = 1u << p.pin;
  else GPIO_OUTCLR(p.port) = 1u << p.pin;
  GPIO_PIN_CNF(p.port, p.pin) = PIN_CNF_OUTPUT_H0H1;
}

void nano_hub75_init(mb_scan *s) {
  static const board_pin data[6] = {PIN_R1, PIN_G1, PIN_B1, PIN_R2, PIN_G2, PIN_B2};
  for (uint32_t v = 0; v < 64; v++) {
    column_mask[v] = 0;
    for (int b = 0; b < 6; b++)
      if (v & (1u << b)) column_mask[v] |= 1u << data[b].pin;
  }
  data_mask = 0;
  for (int b = 0; b < 6; b++) {
    data_mask |= 1u << data[b].pin;
    pin_output(data[b], false);
  }
  pin_output(PIN_CLK, false);
  pin_output(PIN_LAT, false);
  pin_output(PIN_OE, true); /* blanked until the first row is latched */
  pin_output(PIN_A, false);
  pin_output(PIN_B, false);
  pin_output(PIN_C, false);
  pin_output(PIN_D, false);
  scan = s;
  TIMER2_MODE = 0; /* timer */
  TIMER2_BITMODE = TIMER_BITMODE_32;
  TIMER2_PRESCALER = 0; /* 16 MHz */
  TIMER2_INTENSET = TIMER_INT_COMPARE0;
  NVIC_ISER0 = 1u << TIMER2_IRQN;
}

void board_hub75_blank(bool off) {
  if (off) GPIO_OUTSET(PIN_OE.port) = BIT(PIN_OE);
  else GPIO_OUTCLR(PIN_OE.port) = BIT(PIN_OE);
}

void board_hub75_latch(void) {
  GPIO_OUTSET(PIN_LAT.port) = BIT(PIN_LAT);
  GPIO_OUTCLR(PIN_LAT.port) = BIT(PIN_LAT);
}

void board_hub75_select_row(uint8_t row_pair) {
  static const board_pin address[4] = {PIN_A, PIN_B, PIN_C, PIN_D};
  for (int b = 0; b < 4; b++) {
    if (row_pair & (1u << b)) GPIO_OUTSET(address[b].port) = 1u << address[b].pin;
    else GPIO_OUTCLR(address[b].port) = 1u << address[b].pin;
  }
}

void board_hub75_shift(const uint8_t *pixels, uint16_t count) {
  volatile uint32_t *set = &GPIO_OUTSET(1), *clr = &GPIO_OUTCLR(1);
  const uint32_t clk = BIT(PIN_CLK);
  for (uint16_t c = 0; c < count; c++) {
    *clr = data_mask | clk;
    *set = column_mask[pixels[c] & 0x3Fu];
    *set = clk;
  }
  *clr = clk;
}

/* Stop, clear, then restart: rewriting CC while the timer runs can miss the compare. */
void board_hub75_timer_start(uint32_t ticks) {
  TIMER2_TASKS_STOP = 1;
  TIMER2_TASKS_CLEAR = 1;
  TIMER2_CC0 = ticks;
  TIMER2_TASKS_START = 1;
}

void TIMER2_IRQHandler(void) {
  TIMER2_EVENTS_COMPARE0 = 0;
  mb_scan_row_handler(scan);
}
