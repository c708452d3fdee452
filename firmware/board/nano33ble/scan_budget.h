/* The Nano 33 BLE's panel scan figures: the signal margins hub75.c keeps and the parameters of
 * the scan timing model (core/scan_timing.h). Plain numbers, no registers: the host tests and
 * tools/scan_model.c include this file to check and print the same model the board runs. */
#ifndef NANO33BLE_SCAN_BUDGET_H
#define NANO33BLE_SCAN_BUDGET_H

#define MB_CPU_HZ 64000000u
#define MB_SCAN_TIMER_HZ 16000000u /* TIMER2, prescaler 0: 1 tick = 4 CPU cycles */

/* Signal margins for a 5 V panel driven at 3.3 V, in CPU cycles (15.6 ns). Panel driver ICs
 * ask for ~10-25 ns of data setup, clock pulse width and latch pulse width at 5 V logic; a
 * 3.3 V edge crosses their threshold late, so each is given several times that. */
#define MB_CLOCK_HIGH_CYCLES 1 /* NOP after CLK rises; with the loop branch: 6 cycles, ~94 ns high */
#define MB_DATA_SETUP_CYCLES 5 /* data before CLK rises: the next column's loads, ~78 ns */
#define MB_LATCH_CYCLES 6      /* NOPs while LAT is high: ~110 ns */

/* The row ISR, estimated from the disassembly of the built image (arm-none-eabi-gcc 12, -Os,
 * instruction cache on): the shift loop is 16 cycles a column (11 instructions: stores 1
 * cycle, loads 2, taken branches 3), ~1,040 for 64 columns; interrupt entry and exit, blank,
 * padded latch, address (plane 0), the plane's timing (one divide) and timer add ~260. Not a
 * measurement: the board's debug console prints the longest ISR it saw every 10 s. */
#define MB_ROW_ISR_CYCLES 1300u
/* No interrupt interval is shorter than the ISR plus ~30 % headroom (1,680 cycles). */
#define MB_ROW_MIN_TICKS 420u
/* Dark after each row change while the row drivers and the panel's ghosting capacitance
 * settle: 1 us, inside plane 0's padding to MB_ROW_MIN_TICKS. */
#define MB_ROW_SETTLE_TICKS 16u

/* The default picture: 8 bit-planes, plane 0 lit 7 ticks (0.44 us), the longest that keeps
 * 250 Hz. Why, with the figures for 6 and 7 planes: firmware/README.md, "Panel refresh". */
#define MB_SCAN_DEPTH 8u
#define MB_BIT0_TICKS 7u
#define MB_MIN_REFRESH_MILLIHZ 250000u

/* The scan's timing as the firmware runs it: one initializer for the board, the bench's model
 * program and the host test of the README's tables. */
#define MB_NANO33BLE_SCAN_TIMING                                                                   \
  {                                                                                                \
    .timer_hz = MB_SCAN_TIMER_HZ, .cpu_hz = MB_CPU_HZ, .isr_cycles = MB_ROW_ISR_CYCLES,            \
    .bit0_ticks = MB_BIT0_TICKS, .row_min_ticks = MB_ROW_MIN_TICKS,                                \
    .settle_ticks = MB_ROW_SETTLE_TICKS, .depth = MB_SCAN_DEPTH,                                   \
  }

#endif
