/* HUB75 panel hooks for the core's scan (core/hub75_scan.c), TIMER2 at 16 MHz as its clock.
 *
 * OE is driven by hardware only: GPIOTE channel 0 owns the OE pin, and two PPI channels let
 * TIMER2 switch it with no CPU involved. COMPARE[2] unblanks (GPIOTE CLR) once the plane's dark
 * time is over (the row address settling after a row change), COMPARE[1] blanks (GPIOTE SET)
 * after exactly its lit time, and COMPARE[0] is the next row interrupt. So each bit-plane is
 * lit for exactly its BCM weight (scaled by brightness) however long the CPU takes; the
 * figures are in scan_budget.h and the cycle budget in firmware/README.md. TIMER2 has the most
 * urgent interrupt priority, so USB never delays a plane.
 *
 * Signal margins for 5 V panels driven at 3.3 V (their inputs see slow, low edges): data is
 * set at least MB_DATA_SETUP_CYCLES before CLK rises, CLK stays high at least
 * MB_CLOCK_HIGH_CYCLES, and LAT is high at least MB_LATCH_CYCLES (scan_budget.h; 1 cycle =
 * 15.6 ns). docs/hardware.md has the level-shifter option. */
#include "board.h"
#include "hub75_scan.h"
#include "nano33ble.h"
#include "nrf52840.h"
#include "pins.h"
#include "scan_budget.h"

#define BIT(p) (1u << (p).pin)
/* Keeps the compiler from moving memory accesses across it: the next column's loads stay
 * between the data write and the clock edge, where they double as setup time. */
#define ORDER() __asm volatile("" ::: "memory")
#define NOP() __asm volatile("nop")

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
  PPI_CH_EEP(0) = (uint32_t)(uintptr_t)&TIMER2_EVENTS_COMPARE1; /* lit time over: blank */
  PPI_CH_TEP(0) = (uint32_t)(uintptr_t)&GPIOTE_TASKS_SET0;
  PPI_CH_EEP(1) = (uint32_t)(uintptr_t)&TIMER2_EVENTS_COMPARE2; /* dark time over: light */
  PPI_CH_TEP(1) = (uint32_t)(uintptr_t)&GPIOTE_TASKS_CLR0;
  PPI_CHENSET = 3u;
  TIMER2_INTENSET = TIMER_INT_COMPARE0;
  NVIC_IPR(TIMER2_IRQN) = NVIC_PRIORITY(0);
  NVIC_ISER0 = 1u << TIMER2_IRQN;
}

void board_hub75_blank(bool off) {
  if (off) GPIOTE_TASKS_SET0 = 1;
  else GPIOTE_TASKS_CLR0 = 1;
}

/* Padded: a bare set-then-clear pulse is one or two cycles (~30 ns), too short for a 5 V
 * panel's latch input driven at 3.3 V. */
void board_hub75_latch(void) {
  GPIO_OUTSET(PIN_LAT.port) = BIT(PIN_LAT);
  for (int i = 0; i < MB_LATCH_CYCLES; i++) NOP();
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
 * uint32_t pointer would otherwise make the compiler reload them every column). The next
 * column's mask is loaded between this column's data write and its clock edge, so the loads
 * are the data setup time; the NOPs after the edge are the clock's high time. The port is
 * written through its register macros (the compiler keeps the address in a register all the
 * same), so the host test's fake register file sees every write. */
#define SET GPIO_OUTSET(1)
#define CLR GPIO_OUTCLR(1)
void board_hub75_shift(const uint8_t *pixels, uint16_t count) {
  const uint32_t clk = BIT(PIN_CLK), low = data_mask | clk;
  const uint32_t *masks = column_mask;
  if (count == 0) return;
  const uint8_t *p = pixels, *last = pixels + count - 1;
  uint32_t data = masks[*p & 0x3Fu];
  while (p < last) {
    CLR = low; /* CLK falls, data lines cleared */
    SET = data;
    ORDER();
    data = masks[*++p & 0x3Fu];
    ORDER();
    SET = clk; /* the panel samples the data on this edge */
    for (int i = 0; i < MB_CLOCK_HIGH_CYCLES; i++) NOP();
  }
  CLR = low; /* the last column has no loads to wait on: NOPs are its setup time */
  SET = data;
  for (int i = 0; i < MB_DATA_SETUP_CYCLES; i++) NOP();
  SET = clk;
  for (int i = 0; i < MB_CLOCK_HIGH_CYCLES; i++) NOP();
  CLR = clk;
}

/* Stop, clear, then restart: rewriting CC while the timer runs can miss the compare. A plane
 * that stays dark gets its unblank compare beyond the next interrupt, where it never fires. */
void board_hub75_show(uint32_t dark_ticks, uint32_t lit_ticks, uint32_t next_ticks) {
  TIMER2_TASKS_STOP = 1;
  TIMER2_TASKS_CLEAR = 1;
  TIMER2_CC2 = lit_ticks ? dark_ticks : 0xFFFFFFFFu;
  TIMER2_CC1 = dark_ticks + lit_ticks;
  TIMER2_CC0 = next_ticks;
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
