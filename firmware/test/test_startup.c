/* The Nano 33 BLE's start-up on a fake CPU and register file: cm_boot (board/cortexm_boot.h)
 * with the board's quiet step (board/nano33ble/reset_state.c), the watchdog
 * (board/nano33ble/watchdog.c), the fault path (board/nano33ble/fault_handler.c: the HardFault
 * handler's record and reset, the next boot's look back) and the PRIMASK-saving critical
 * section (board/nrf5_common.h).
 * The bootloader is played by the test: it leaves PRIMASK set, interrupts enabled and pending,
 * SysTick running, UARTE0 receiving, PWM0 on an LED pin, RTC1 and TIMER1 interrupts and shorts,
 * HFCLKSTARTED set. The fake CPU takes an interrupt only while PRIMASK is clear, like the core. */
#define CM_FAKE_CPU
#include "fake_nrf52840_regs.h"
#include "../board/nano33ble/nrf52840.h"
#include "../board/cortexm_boot.h"
#define board_critical_enter nano_critical_enter
#define board_critical_exit nano_critical_exit
#include "../board/nrf5_common.h"
#include "../board/nano33ble/nano33ble.h"
#include <string.h>
#include "../board/noinit_fault.h"
#include "../core/watchdog_gate.h"
#include "check.h"
#include "suites.h"

void nano_critical_enter(void);
void nano_critical_exit(void);
uint32_t startup_test_unused_rng(void);
uint32_t startup_test_unused_rng(void) { return nrf5_random_u32(); } /* compiled, never run */

/* The fake CPU. */
static uint32_t primask;
static unsigned barriers;
uint32_t cm_primask(void) { return primask; }
void cm_set_primask(uint32_t value) { primask = value & 1u; }
void cm_irq_disable(void) { primask = 1; }
void cm_irq_enable(void) { primask = 0; }
void cm_barrier(void) { barriers++; }

/* An interrupt reaches its handler only while PRIMASK is clear. */
static bool take_interrupt(void (*handler)(void)) {
  if (primask) return false;
  handler();
  return true;
}

static unsigned ticks;
static void systick(void) { ticks++; }

/* UARTE0 and PWM0 as hardware: a STOP task is acknowledged by its event. */
static unsigned uarte_stop_acks;
static void peripherals_answer(void) {
  fake_nrf_on_access = NULL; /* our own accesses below must not recurse */
  if (UARTE0_TASKS_STOPRX == 1 && UARTE0_EVENTS_RXTO == 0 && uarte_stop_acks == 0) {
    UARTE0_EVENTS_RXTO = 1;
    uarte_stop_acks++;
  }
  if (UARTE0_TASKS_FLUSHRX == 1 && UARTE0_EVENTS_ENDRX == 0 && uarte_stop_acks == 1) {
    UARTE0_EVENTS_ENDRX = 1;
    uarte_stop_acks++;
  }
  if (PWM_TASKS_STOP(0) == 1 && PWM_EVENTS_STOPPED(0) == 0) PWM_EVENTS_STOPPED(0) = 1;
  fake_nrf_on_access = peripherals_answer;
}

static void bootloader_leaves_everything_running(void) {
  fake_nrf_reset();
  primask = 1;
  barriers = 0;
  ticks = 0;
  uarte_stop_acks = 0;
  REG32(0xE000E100u) = 0xFFFFFFFFu; /* NVIC ISER0, ISER1: interrupts enabled */
  REG32(0xE000E104u) = 0xFFFFFFFFu;
  REG32(0xE000E200u) = 1u << 2;     /* ISPR0: UARTE0's interrupt pending */
  SYST_CSR = SYST_CSR_ENABLE_TICKINT_CPUCLK;
  UARTE0_ENABLE = 8;                /* UARTE, receiving by DMA */
  UARTE0_SHORTS = 1u << 5;          /* ENDRX_STARTRX: it would receive forever */
  PWM_ENABLE(0) = 1;
  PWM_PSEL_OUT(0, 0) = PSEL(0, 13); /* LED_BUILTIN */
  RTC1_TASKS_STOP = 0;
  TIMER_SHORTS(1) = 1u;
  CLOCK_EVENTS_HFCLKSTARTED = 1;
  fake_nrf_on_access = peripherals_answer;
}

static uint32_t primask_in_quiet = 2, primask_in_memory = 2;
static void quiet(void) {
  primask_in_quiet = primask;
  nano_reset_peripherals();
}
static void init_memory(void) { primask_in_memory = primask; }

static int main_ran;
static uint32_t primask_in_main = 2;
static int fake_main(void) {
  main_ran = 1;
  primask_in_main = primask;
  /* The board's main loop: start the watchdog, then each ms a SysTick and a pass that feeds it. */
  mb_refresh_meter meter = {0, 0};
  mb_wdg_gate gate;
  mb_wdg_gate_init(&gate, &meter, 0);
  nano_wdt_start(300);
  WDT_RUNSTATUS = 1; /* the fake WDT runs once started */
  unsigned feeds = 0;
  for (uint32_t ms = 1; ms <= 200; ms++) {
    CHECK(take_interrupt(systick));
    meter.frames++; /* the scan refreshes */
    WDT_RR(0) = 0;
    if (mb_wdg_gate_should_feed(&gate, ms)) nano_wdt_feed();
    if (WDT_RR(0) == WDT_RR_RELOAD) feeds++;
  }
  CHECK_EQ(feeds, 200 / MB_WDG_FEED_MS);
  return 0;
}

static void boots_and_ticks_from_what_the_bootloader_left(void) {
  bootloader_leaves_everything_running();
  CHECK(!take_interrupt(systick)); /* the bootloader's PRIMASK: nothing gets through */
  main_ran = 0;
  const cm_boot_steps steps = {2, quiet, init_memory, fake_main};
  cm_boot(&steps);
  fake_nrf_on_access = NULL;
  CHECK(main_ran);
  CHECK_EQ(primask_in_quiet, 1);  /* quieting and memory set-up run masked */
  CHECK_EQ(primask_in_memory, 1);
  CHECK_EQ(primask_in_main, 0);   /* main starts with interrupts on (cpsie i) */
  CHECK(barriers >= 1);
  CHECK_EQ(ticks, 200);
  /* NVIC: every interrupt disabled, every pending bit cleared; SysTick off, its pending cleared. */
  CHECK_EQ(REG32(0xE000E180u), 0xFFFFFFFFu);
  CHECK_EQ(REG32(0xE000E184u), 0xFFFFFFFFu);
  CHECK_EQ(REG32(0xE000E280u), 0xFFFFFFFFu);
  CHECK_EQ(REG32(0xE000E284u), 0xFFFFFFFFu);
  CHECK_EQ(REG32(0xE000ED04u), CM_ICSR_PENDSTCLR | CM_ICSR_PENDSVCLR);
  CHECK_EQ(SYST_CSR, 0);
  /* UARTE0: receive stopped (RXTO seen) and flushed (ENDRX seen), then disabled. */
  CHECK_EQ(uarte_stop_acks, 2);
  CHECK_EQ(UARTE0_TASKS_STOPRX, 1);
  CHECK_EQ(UARTE0_TASKS_FLUSHRX, 1);
  CHECK_EQ(UARTE0_SHORTS, 0);
  CHECK_EQ(UARTE0_INTENCLR, 0xFFFFFFFFu);
  CHECK_EQ(UARTE0_ENABLE, 0);
  /* PWM0..3 stopped, disabled and off every pin, so the LED pins are GPIOs again. */
  for (uint32_t n = 0; n < 4; n++) {
    CHECK_EQ(PWM_ENABLE(n), 0);
    CHECK_EQ(PWM_INTENCLR(n), 0xFFFFFFFFu);
    for (uint32_t ch = 0; ch < 4; ch++) CHECK_EQ(PWM_PSEL_OUT(n, ch), PSEL_DISCONNECTED);
  }
  CHECK_EQ(PWM_TASKS_STOP(0), 1);
  /* RTC1 and TIMER0..4: stopped, no interrupts, no shorts. */
  CHECK_EQ(RTC1_TASKS_STOP, 1);
  CHECK_EQ(RTC1_INTENCLR, 0xFFFFFFFFu);
  CHECK_EQ(RTC1_EVTENCLR, 0xFFFFFFFFu);
  for (uint32_t n = 0; n < 5; n++) {
    CHECK_EQ(TIMER_INTENCLR(n), 0xFFFFFFFFu);
    CHECK_EQ(TIMER_SHORTS(n), 0);
  }
  CHECK_EQ(PPI_CHENCLR, 0xFFFFFFFFu);
  CHECK_EQ(CLOCK_EVENTS_HFCLKSTARTED, 0); /* waiting for it now means our crystal start */
  CHECK_EQ(NVMC_ICACHECNF, NVMC_ICACHECNF_CACHEEN);
  /* The watchdog: ~300 ms of the 32.768 kHz clock, fed through RR[0] only, running in sleep. */
  CHECK_EQ(WDT_CRV, 300u * 32768u / 1000u - 1u);
  CHECK_EQ(WDT_RREN, 1);
  CHECK_EQ(WDT_CONFIG, WDT_CONFIG_RUN_IN_SLEEP);
  CHECK_EQ(WDT_TASKS_START, 1);
}

static void a_running_watchdog_keeps_its_settings(void) {
  fake_nrf_reset();
  WDT_RUNSTATUS = 1; /* still running from before a soft reset: its registers are locked */
  nano_wdt_start(300);
  CHECK_EQ(WDT_TASKS_START, 0);
  CHECK_EQ(WDT_CRV, 0);
  CHECK_EQ(WDT_RR(0), WDT_RR_RELOAD); /* but fed at once */
  CHECK(nano_wdt_running());
}

/* The accesses to RESETREAS in the journal from entry `from` on: their count, the values in
 * values[0..1]. The fake register is plain memory, so a read and its write-back (write 1 to
 * clear, on the chip) are two entries with the same value. */
static size_t resetreas_accesses(size_t from, uint32_t values[2]) {
  size_t n, count = 0;
  const fake_nrf_access *j = fake_nrf_journal(&n);
  for (size_t i = from; i < n; i++)
    if (j[i].addr == 0x40000400u && count++ < 2) values[count - 1] = j[i].value;
  return count;
}

static size_t journal_length(void) {
  size_t n;
  fake_nrf_journal(&n);
  return n;
}

static void the_reset_reason_is_read_and_cleared(void) {
  fake_nrf_reset();
  POWER_RESETREAS = RESETREAS_DOG | RESETREAS_SREQ;
  size_t from = journal_length();
  CHECK_EQ(nano_take_reset_reason(), RESETREAS_DOG | RESETREAS_SREQ);
  uint32_t v[2] = {0, 0};
  CHECK_EQ(resetreas_accesses(from, v), 2); /* read, then written back: every bit it read */
  CHECK_EQ(v[1], RESETREAS_DOG | RESETREAS_SREQ);
}

/* The fault path. An exception frame: r0 r1 r2 r3 r12 lr pc xpsr, each word different. */
static const uint32_t fault_frame[8] = {0xA0u, 0xA1u, 0xA2u, 0xA3u, 0xACu, 0x0001234Bu, 0x00012344u,
                                        0x01000000u};
#define FAULT_PC 0x00012344u
#define FAULT_LR 0x0001234Bu
#define FAULT_CFSR 0x00020000u /* UsageFault INVSTATE */

/* The record and the barrier count as they were at the latest register access (the handler's
 * last access is the reset request, when it makes one). */
static mb_fault_record record_at_last_access;
static unsigned barriers_at_last_access;
static void note_fault_progress(void) {
  record_at_last_access = mb_noinit_fault;
  barriers_at_last_access = barriers;
}

static void hard_fault_with_watchdog(bool running) {
  fake_nrf_reset();
  memset((void *)&mb_noinit_fault, 0, sizeof mb_noinit_fault);
  memset(&record_at_last_access, 0, sizeof record_at_last_access);
  barriers = 0;
  barriers_at_last_access = 0;
  CM_CFSR = FAULT_CFSR;
  WDT_RUNSTATUS = running ? 1u : 0u;
  fake_nrf_on_access = note_fault_progress;
  board_hard_fault(fault_frame); /* WAIT_FOR_RESET returns in the host build */
  fake_nrf_on_access = NULL;
}

static void check_fault(const mb_fault *f, uint8_t kind, uint32_t pc, uint32_t lr, uint32_t cfsr) {
  CHECK_EQ(f->kind, kind);
  CHECK_EQ(f->pc, pc);
  CHECK_EQ(f->lr, lr);
  CHECK_EQ(f->cfsr, cfsr);
}

static void a_hard_fault_before_the_watchdog_starts_is_recorded_then_soft_resets(void) {
  hard_fault_with_watchdog(false);
  size_t n;
  const fake_nrf_access *j = fake_nrf_journal(&n);
  CHECK(n > 0);
  CHECK_EQ(n ? j[n - 1].addr : 0, 0xE000ED0Cu); /* the last access: AIRCR ... */
  CHECK_EQ(n ? j[n - 1].value : 0, CM_AIRCR_SYSRESETREQ); /* ... SYSRESETREQ with its key */
  /* By the reset request the record was complete and a barrier had pushed it out. */
  mb_fault f;
  CHECK(mb_fault_record_take(&record_at_last_access, &f));
  check_fault(&f, MB_FAULT_HARDFAULT, FAULT_PC, FAULT_LR, FAULT_CFSR);
  CHECK(barriers_at_last_access >= 1);
  CHECK(mb_fault_record_take(&mb_noinit_fault, &f));
  check_fault(&f, MB_FAULT_HARDFAULT, FAULT_PC, FAULT_LR, FAULT_CFSR);
}

static void a_hard_fault_while_the_watchdog_runs_waits_for_it(void) {
  hard_fault_with_watchdog(true);
  uint32_t v[4];
  CHECK_EQ(fake_nrf_values(0xE000ED0Cu, v, 4), 0); /* no SYSRESETREQ: the watchdog would run on */
  CHECK_EQ(fake_nrf_values(WDT_BASE + 0x600u, v, 4), 0); /* and no feed: it must bite */
  mb_fault f;
  CHECK(mb_fault_record_take(&mb_noinit_fault, &f));
  check_fault(&f, MB_FAULT_HARDFAULT, FAULT_PC, FAULT_LR, FAULT_CFSR);
}

static void the_next_boot_reports_the_hard_fault_not_the_watchdog_reset(void) {
  hard_fault_with_watchdog(true);
  fake_nrf_reset(); /* the watchdog bites: registers reset, the no-init record stays */
  POWER_RESETREAS = RESETREAS_DOG;
  size_t from = journal_length();
  mb_fault f = nano_last_boot_fault();
  check_fault(&f, MB_FAULT_HARDFAULT, FAULT_PC, FAULT_LR, FAULT_CFSR);
  uint32_t v[2] = {0, 0};
  CHECK_EQ(resetreas_accesses(from, v), 2); /* RESETREAS read and cleared */
  CHECK_EQ(v[1], RESETREAS_DOG);
  /* The boot after that (a soft reset, say) is clean: the record was taken. */
  fake_nrf_reset();
  POWER_RESETREAS = RESETREAS_SREQ;
  f = nano_last_boot_fault();
  check_fault(&f, MB_FAULT_NONE, 0, 0, 0);
}

static void a_watchdog_reset_without_a_record_is_a_watchdog_fault(void) {
  fake_nrf_reset();
  memset((void *)&mb_noinit_fault, 0xA5, sizeof mb_noinit_fault); /* whatever RAM held */
  POWER_RESETREAS = RESETREAS_DOG;
  size_t from = journal_length();
  mb_fault f = nano_last_boot_fault();
  check_fault(&f, MB_FAULT_WATCHDOG, 0, 0, 0);
  uint32_t v[2] = {0, 0};
  CHECK_EQ(resetreas_accesses(from, v), 2);
  CHECK_EQ(v[1], RESETREAS_DOG);
}

static void any_other_reset_without_a_record_is_no_fault(void) {
  static const uint32_t reasons[] = {0 /* power-on */, RESETREAS_RESETPIN, RESETREAS_SREQ,
                                     RESETREAS_LOCKUP, RESETREAS_RESETPIN | RESETREAS_SREQ};
  for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
    fake_nrf_reset();
    memset((void *)&mb_noinit_fault, 0, sizeof mb_noinit_fault);
    POWER_RESETREAS = reasons[i];
    mb_fault f = nano_last_boot_fault();
    check_fault(&f, MB_FAULT_NONE, 0, 0, 0);
  }
}

static void nested_critical_sections_restore_primask(void) {
  fake_nrf_reset();
  primask = 0;
  nano_critical_enter();
  CHECK_EQ(primask, 1);
  nano_critical_enter();
  nano_critical_exit();
  CHECK_EQ(primask, 1); /* still inside the outer one */
  nano_critical_exit();
  CHECK_EQ(primask, 0);
  primask = 1; /* entered with interrupts already masked (start-up, a fault path) */
  nano_critical_enter();
  nano_critical_exit();
  CHECK_EQ(primask, 1); /* left masked: no unmasking behind the caller's back */
}

void suite_startup(void) {
  RUN(boots_and_ticks_from_what_the_bootloader_left);
  RUN(a_running_watchdog_keeps_its_settings);
  RUN(the_reset_reason_is_read_and_cleared);
  RUN(a_hard_fault_before_the_watchdog_starts_is_recorded_then_soft_resets);
  RUN(a_hard_fault_while_the_watchdog_runs_waits_for_it);
  RUN(the_next_boot_reports_the_hard_fault_not_the_watchdog_reset);
  RUN(a_watchdog_reset_without_a_record_is_a_watchdog_fault);
  RUN(any_other_reset_without_a_record_is_no_fault);
  RUN(nested_critical_sections_restore_primask);
}
