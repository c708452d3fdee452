/* HUB75 panel hooks for the core's scan (core/hub75_scan.c), TIMER2 at 16 MHz as its clock.
 *
 * OE is blanked by hardware: TIMER2's COMPARE[1] triggers, through PPI, GPIOTE's SET task on
 * the OE pin, so each bit-plane is lit for exactly its BCM weight however long the CPU takes.
 * The next row interrupt (COMPARE[0]) comes no sooner than ROW_MIN_TICKS, the time the ISR
 * needs to shift a row (see the cycle budget in firmware/README.md): short planes are lit for
 * their weight, then blanked until the shift is done. TIMER2 has the most urgent interrupt
 * priority, so USB never delays a plane. */
#include "board.h"
#include "hub75_scan.h"
#include "nano33ble.h"
#include "nrf52840.h"
#include "pins.h"

#define BIT(p) (1u << (p).pin)
#define ROW_MIN_TICKS 400u /* 1600 CPU cycles: room for the ~1000-cycle row ISR */

/* Port-1 set mask for each 6-bit column value (R1 G1 B1 R2 G2 B2 in bits 0..5). */
static uint32_t column_mask[64];
static uint32_t data_mask;
static mb_scan *scan;
static volatile uint32_t isr_max_cycles;

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
  GPIOTE_CONFIG0 = GPIOTE_CONFIG_TASK(PIN_OE.port, PIN_OE.pin, true);
  pin_output(PIN_A, false);
  pin_output(PIN_B, false);
  pin_output(PIN_C, false);
  pin_output(PIN_D, false);
  scan = s;
  TIMER2_MODE = 0; /* timer */
  TIMER2_BITMODE = TIMER_BITMODE_32;
  TIMER2_PRESCALER = 0; /* 16 MHz */
  PPI_CH0_EEP = (uint32_t)(uintptr_t)&TIMER2_EVENTS_COMPARE1;
  PPI_CH0_TEP = (uint32_t)(uintptr_t)&GPIOTE_TASKS_SET0;
  PPI_CHENSET = 1u;
  TIMER2_INTENSET = TIMER_INT_COMPARE0;
  NVIC_IPR(TIMER2_IRQN) = NVIC_PRIORITY(0);
  NVIC_ISER0 = 1u << TIMER2_IRQN;
}

void board_hub75_blank(bool off) {
  if (off) GPIOTE_TASKS_SET0 = 1;
  else GPIOTE_TASKS_CLR0 = 1;
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

/* Three port writes a column; the masks live in registers (a volatile store through a
 * uint32_t pointer would otherwise make the compiler reload them every column). */
void board_hub75_shift(const uint8_t *pixels, uint16_t count) {
  volatile uint32_t *set = &GPIO_OUTSET(1), *clr = &GPIO_OUTCLR(1);
  const uint32_t clk = BIT(PIN_CLK), low = data_mask | clk;
  const uint32_t *masks = column_mask;
  for (uint16_t c = 0; c < count; c++) {
    *clr = low;
    *set = masks[pixels[c] & 0x3Fu];
    *set = clk;
  }
  *clr = clk;
}

/* Stop, clear, then restart: rewriting CC while the timer runs can miss the compare. */
void board_hub75_timer_start(uint32_t ticks) {
  TIMER2_TASKS_STOP = 1;
  TIMER2_TASKS_CLEAR = 1;
  TIMER2_CC1 = ticks;
  TIMER2_CC0 = ticks > ROW_MIN_TICKS ? ticks : ROW_MIN_TICKS;
  TIMER2_TASKS_START = 1;
}

void TIMER2_IRQHandler(void) {
  uint32_t start = DWT_CYCCNT;
  TIMER2_EVENTS_COMPARE0 = 0;
  mb_scan_row_handler(scan);
  uint32_t spent = DWT_CYCCNT - start;
  if (spent > isr_max_cycles) isr_max_cycles = spent;
}

uint32_t nano_scan_take_isr_max_cycles(void) {
  uint32_t max = isr_max_cycles;
  isr_max_cycles = 0;
  return max;
}
