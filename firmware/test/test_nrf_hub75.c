/* The Nano 33 BLE's panel hooks (board/nano33ble/hub75.c) on the fake register file: OE is
 * switched by TIMER2 through PPI and GPIOTE (dark, then lit, then the interrupt), and the
 * HUB75 lines change in an order a slow 5 V panel input can follow. */
#include <string.h>
#include "fake_nrf52840_regs.h"
#include "../board/nano33ble/nano33ble.h"
#include "../board/nano33ble/nrf52840.h"
#include "../board/nano33ble/pins.h"
#include "check.h"
#include "suites.h"

#define P1_OUTSET (GPIO_PORT(1) + 0x508u)
#define P1_OUTCLR (GPIO_PORT(1) + 0x50Cu)
/* What the code under test stores in a PPI endpoint: the register's address (on the host, the
 * fake register's). The journal holds the chip's addresses. */
#define ADDR(reg) ((uint32_t)(uintptr_t)&(reg))

static mb_scan scan;

static void init(void) {
  fake_nrf_reset();
  nano_hub75_init(&scan);
}

static void nrf_hub75_oe_is_timed_by_ppi(void) {
  init();
  CHECK_EQ(PPI_CH_EEP(0), ADDR(TIMER2_EVENTS_COMPARE1)); /* lit time over: blank */
  CHECK_EQ(PPI_CH_TEP(0), ADDR(GPIOTE_TASKS_SET0));
  CHECK_EQ(PPI_CH_EEP(1), ADDR(TIMER2_EVENTS_COMPARE2)); /* dark time over: light */
  CHECK_EQ(PPI_CH_TEP(1), ADDR(GPIOTE_TASKS_CLR0));
  CHECK_EQ(PPI_CHENSET & 3u, 3u);
  CHECK_EQ(GPIOTE_CONFIG0, GPIOTE_CONFIG_TASK(PIN_OE.port, PIN_OE.pin, 1)); /* starts blanked */
  /* Plane 0 after a row change: dark 16 ticks while the address settles, lit 7, next at 420.
   * Stopped and cleared before the compares change, started after. */
  size_t from, n;
  fake_nrf_journal(&from);
  nrf_hub75_show(16, 7, 420);
  const fake_nrf_access *j = fake_nrf_journal(&n);
  size_t stop = 0, clear = 0, cc = 0, start = 0;
  for (size_t i = from; i < n; i++) {
    if (!stop && j[i].addr == TIMER2_BASE + 0x004u && j[i].value == 1) stop = i;
    if (!clear && j[i].addr == TIMER2_BASE + 0x00Cu && j[i].value == 1) clear = i;
    if (!cc && j[i].addr == TIMER2_BASE + 0x540u && j[i].value == 420) cc = i;
    if (!start && j[i].addr == TIMER2_BASE && j[i].value == 1) start = i;
  }
  CHECK(stop && stop < clear && clear < cc && cc < start);
  CHECK_EQ(TIMER2_CC2, 16); /* COMPARE[2] -> GPIOTE CLR: OE low, lit */
  CHECK_EQ(TIMER2_CC1, 23); /* COMPARE[1] -> GPIOTE SET: OE high, dark */
  CHECK_EQ(TIMER2_CC0, 420);
  nrf_hub75_show(1, 14, 420); /* plane 1: no address change, lit after the 1-tick minimum */
  CHECK_EQ(TIMER2_CC2, 1);
  CHECK_EQ(TIMER2_CC1, 15);
  nrf_hub75_show(1, 0, 420); /* a dark plane: the unblank compare is never reached */
  CHECK(TIMER2_CC2 > TIMER2_CC0);
}

/* Per column: CLK falls with the data lines cleared, the column's data is set, then CLK rises
 * (the panel samples on that edge); the row ends with CLK low. LAT rises then falls. */
static void nrf_hub75_shift_and_latch_order(void) {
  const uint8_t pixels[3] = {0x01, 0x3F, 0x20};
  const uint32_t clk = 1u << PIN_CLK.pin, lat = 1u << PIN_LAT.pin;
  const uint32_t r1 = 1u << PIN_R1.pin, b2 = 1u << PIN_B2.pin;
  const uint32_t all = r1 | (1u << PIN_G1.pin) | (1u << PIN_B1.pin) | (1u << PIN_R2.pin) | (1u << PIN_G2.pin) | b2;
  init();
  size_t from;
  fake_nrf_journal(&from);
  nrf_hub75_shift(pixels, 3);
  nrf_hub75_latch();
  size_t n;
  const fake_nrf_access *j = fake_nrf_journal(&n);
  uint32_t seq[16][2];
  size_t k = 0;
  for (size_t i = from; i < n && k < 16; i++)
    if (j[i].addr == P1_OUTSET || j[i].addr == P1_OUTCLR) {
      seq[k][0] = j[i].addr == P1_OUTSET;
      seq[k][1] = j[i].value;
      k++;
    }
  const uint32_t want[12][2] = {
      {0, all | clk}, {1, r1}, {1, clk},  /* column 0: R1 */
      {0, all | clk}, {1, all}, {1, clk}, /* column 1: all six */
      {0, all | clk}, {1, b2}, {1, clk},  /* column 2: B2 */
      {0, clk},                           /* CLK low at the end */
      {1, lat}, {0, lat},                 /* the latch pulse */
  };
  CHECK_EQ(k, 12);
  for (size_t i = 0; i < 12 && i < k; i++) {
    CHECK_EQ(seq[i][0], want[i][0]);
    CHECK_EQ(seq[i][1], want[i][1]);
  }
}

void suite_nrf_hub75(void) {
  RUN(nrf_hub75_oe_is_timed_by_ppi);
  RUN(nrf_hub75_shift_and_latch_order);
}
