/* The fault record that survives a reset (core/fault.c) and the watchdog's feeding rule
 * (core/watchdog_gate.c). */
#include <string.h>
#include "../core/fault.h"
#include "../core/watchdog_gate.h"
#include "check.h"
#include "suites.h"

static void a_stored_fault_is_taken_once(void) {
  static mb_fault_record record;
  const mb_fault f = {MB_FAULT_HARDFAULT, 0x1234u, 0x5679u, 0x100u};
  mb_fault_record_store(&record, &f);
  mb_fault got;
  CHECK(mb_fault_record_take(&record, &got));
  CHECK_EQ(got.kind, MB_FAULT_HARDFAULT);
  CHECK_EQ(got.pc, 0x1234u);
  CHECK_EQ(got.lr, 0x5679u);
  CHECK_EQ(got.cfsr, 0x100u);
  CHECK(!mb_fault_record_take(&record, &got)); /* taking clears it: the boot after is clean */
  CHECK_EQ(got.kind, MB_FAULT_NONE);
}

static void ram_that_is_not_a_record_reads_as_none(void) {
  static mb_fault_record record;
  mb_fault got;
  memset(&record, 0, sizeof record); /* power-up zeros */
  CHECK(!mb_fault_record_take(&record, &got));
  memset(&record, 0xA5, sizeof record); /* whatever a bootloader's stack left */
  CHECK(!mb_fault_record_take(&record, &got));
  CHECK_EQ(got.pc, 0);
  const mb_fault f = {MB_FAULT_HARDFAULT, 0x1234u, 0x5679u, 0x100u};
  mb_fault_record_store(&record, &f);
  record.pc ^= 0x10u; /* one word changed after the record was made */
  CHECK(!mb_fault_record_take(&record, &got));
  mb_fault_record_store(&record, &f);
  record.kind = 7; /* a kind this firmware does not know, even with a matching check */
  CHECK(!mb_fault_record_take(&record, &got));
}

static void the_watchdog_is_fed_only_while_main_loop_and_scan_progress(void) {
  mb_refresh_meter meter = {0, 0};
  mb_wdg_gate gate;
  mb_wdg_gate_init(&gate, &meter, 1000);
  CHECK(!mb_wdg_gate_should_feed(&gate, 1000 + MB_WDG_FEED_MS - 1)); /* not due yet */
  meter.frames = 7;
  CHECK(mb_wdg_gate_should_feed(&gate, 1000 + MB_WDG_FEED_MS));
  CHECK(!mb_wdg_gate_should_feed(&gate, 1000 + MB_WDG_FEED_MS + 1)); /* fed just now */
  /* The scan stops (its interrupt lost): the main loop still runs, but no more feeds, so the
   * watchdog resets the board. */
  for (uint32_t t = 1100; t < 2000; t += 10) CHECK(!mb_wdg_gate_should_feed(&gate, t));
  meter.frames++;
  CHECK(mb_wdg_gate_should_feed(&gate, 2000));
}

static void without_a_panel_the_main_loop_alone_counts(void) {
  mb_wdg_gate gate;
  mb_wdg_gate_init(&gate, NULL, 0xFFFFFFF0u); /* across the u32 wrap of the ms clock */
  CHECK(!mb_wdg_gate_should_feed(&gate, 0xFFFFFFF0u + 10u));
  CHECK(mb_wdg_gate_should_feed(&gate, 0xFFFFFFF0u + MB_WDG_FEED_MS));
  CHECK(mb_wdg_gate_should_feed(&gate, 0xFFFFFFF0u + 2u * MB_WDG_FEED_MS));
}

void suite_fault(void) {
  RUN(a_stored_fault_is_taken_once);
  RUN(ram_that_is_not_a_record_reads_as_none);
  RUN(the_watchdog_is_fed_only_while_main_loop_and_scan_progress);
  RUN(without_a_panel_the_main_loop_alone_counts);
}
