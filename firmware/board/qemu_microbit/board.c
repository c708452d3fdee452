/* micro:bit board for qemu: UART0 is the host link, button A/B are buttons 0/1, the top-left
 * LEDs of the 5x5 matrix are the status LEDs, and there is no panel (frames swap at once). */
#include "nrf51.h"
#include "../nrf5_common.h"
#include "board.h"
#include "device.h"
#include "fault.h"
#include "../noinit_fault.h"
#include "../cortexm.h"

#define PIN_UART_TX 24u
#define PIN_UART_RX 25u
#define PIN_BUTTON_A 17u
#define PIN_BUTTON_B 26u
#define PIN_LED_ROW1 13u
#define PIN_LED_COL1 4u /* columns are active low */
#define SYSTICK_RELOAD_1MS (16000u - 1u) /* the CPU clock, 16 MHz */

static const mb_board_info info = {
    .name = "qemu-microbit",
    .fw_major = 0, .fw_minor = 1, .fw_patch = 0,
    .led_count = 2,
    .button_count = 2,
    .has_panel = false,
    .colour_depth = 8,
    .window = 8,
};

static mb_device device;

/* The buttons' debounced levels as the firmware has taken them (bit i: button i down), read by
 * the tests' qtest helper through this symbol's address. qemu answers a pin change at once, but
 * on a loaded host its vCPU may not run again for tens of ms: a press held for a fixed time on
 * the host's clock could begin and end before the firmware sampled it, so the helper holds until
 * the firmware has seen the press (and the release). */
volatile uint32_t qemu_buttons_seen;

/* The debug channel's fault injection: a test writes QEMU_FAULT_REQUEST here through qtest
 * (`writel`), and the main loop then executes an undefined instruction in qemu_fault_now. The
 * HardFault handler records it and resets; the next boot reports it after HELLO_REPLY. */
#define QEMU_FAULT_REQUEST 0xFA017EDu
volatile uint32_t qemu_fault_request;

/* Its own function, so a test finds the faulting PC by its symbol. */
__attribute__((noinline, noreturn, used)) void qemu_fault_now(void) {
  __asm volatile("udf #0");
  for (;;) {
  }
}

/* TIMER0 counts microseconds (16 MHz / 2^4). */
#define TIMER_TICKS_PER_MS 1000u

/* The uptime in ms, read from TIMER0's free-running counter rather than counted in a SysTick
 * handler: qemu raises a tick from the host's clock, and while its vCPU thread waits for a core
 * (a loaded host) the ticks that fall due meanwhile merge into one pending interrupt, so a counted
 * clock ran at a third to half speed on a loaded machine (a 1.2 s hold measured 325 ms): holds
 * looked shorter than they were (a short press could fall under the 20 ms debounce) and edge
 * times stopped matching the host's own waits. The
 * counter is computed from the host's clock when read, so no time is lost. Accumulated from
 * differences, so the ms count wraps at 2^32 like a counted one (the host's elapsed-time math
 * relies on that), not when the µs counter does. */
static uint32_t clock_ms, clock_mark;

static uint32_t uptime_ms(void) {
  TIMER0_TASKS_CAPTURE0 = 1;
  uint32_t elapsed = TIMER0_CC0 - clock_mark;
  uint32_t ms = elapsed / TIMER_TICKS_PER_MS;
  clock_mark += ms * TIMER_TICKS_PER_MS;
  clock_ms += ms;
  return clock_ms;
}

void board_serial_write(const uint8_t *data, size_t len) {
  for (size_t i = 0; i < len; i++) {
    UART0_EVENTS_TXDRDY = 0;
    UART0_TXD = data[i];
    while (UART0_EVENTS_TXDRDY == 0) {
    }
  }
}

/* UART0 is the host link here, and LOG lines already travel over it. */
void board_debug_log(uint8_t level, const char *text, size_t len) {
  (void)level;
  (void)text;
  (void)len;
}

bool board_button_pressed(uint8_t button) {
  uint32_t pin = button == 0 ? PIN_BUTTON_A : PIN_BUTTON_B;
  return (GPIO_IN & (1u << pin)) == 0; /* pulled up, pressed pulls low */
}

void board_led_set(uint8_t led, bool on) {
  uint32_t mask = 1u << (PIN_LED_COL1 + led);
  if (on) GPIO_OUTCLR = mask;
  else GPIO_OUTSET = mask;
}

static void hardware_init(void) {
  GPIO_PIN_CNF(PIN_BUTTON_A) = PIN_CNF_INPUT_PULLUP;
  GPIO_PIN_CNF(PIN_BUTTON_B) = PIN_CNF_INPUT_PULLUP;
  GPIO_DIRSET = (1u << PIN_LED_ROW1) | (3u << PIN_LED_COL1) | (1u << PIN_UART_TX);
  GPIO_OUTSET = (1u << PIN_LED_ROW1) | (3u << PIN_LED_COL1);
  UART0_PSELTXD = PIN_UART_TX;
  UART0_PSELRXD = PIN_UART_RX;
  UART0_BAUDRATE = UART_BAUD_115200;
  UART0_ENABLE = UART_ENABLE_ENABLED;
  UART0_TASKS_STARTTX = 1;
  UART0_TASKS_STARTRX = 1;
  TIMER0_MODE = TIMER_MODE_TIMER;
  TIMER0_BITMODE = TIMER_BITMODE_32;
  TIMER0_PRESCALER = 4u;
  TIMER0_TASKS_CLEAR = 1;
  TIMER0_TASKS_START = 1;
}

/* qemu runs the vCPU flat out while the firmware polls: a whole host core for as long as the
 * image runs, idle link or not (measured: 500 of 500 ticks in 5 s), taken from the bridge,
 * socat and the tests beside it on a 2-core machine. So the loop sleeps (WFI) whenever the UART
 * has nothing for it, woken by the UART's receive interrupt or by a 1 ms SysTick (the buttons'
 * sampling and the link's timers keep the poll's 1 ms grain). At once, on purpose: bulk frames
 * then go 20-30 % slower through the emulated link (the vCPU halts each time qemu's UART runs dry
 * mid-stream), and staying awake 0.2-10 ms after the last byte gave that back but made the ACKs
 * at a command a second twice as slow (docs/performance.md, 6a). PRIMASK stays set: a pending
 * interrupt enabled in the NVIC wakes the core without being taken, so there are no handlers,
 * and a stray one still cannot run. */
static void wake_sources_init(void) {
  cm_irq_disable();
  UART0_INTENSET = UART_INT_RXDRDY;
  CM_NVIC_ISER(0) = 1u << UART0_IRQN;
  CM_SYST_RVR = SYSTICK_RELOAD_1MS;
  CM_SYST_CSR = CM_SYST_CSR_ENABLE_TICKINT_CPUCLK;
}

static void sleep_until_input_or_tick(void) {
  /* Both stay pending once woken: clear them, then look at the UART once more, so a byte that
   * came after the last read keeps the core awake rather than waiting for the next tick. (The
   * UART's line is level: it rises again only after RXDRDY has been cleared, which the loop
   * does for every byte it reads.) */
  CM_NVIC_ICPR(0) = 1u << UART0_IRQN;
  CM_ICSR = CM_ICSR_PENDSTCLR;
  cm_barrier();
  if (UART0_EVENTS_RXDRDY == 0) cm_wait_for_interrupt();
}

int main(void) {
  mb_fault fault;
  mb_fault_record_take(&mb_noinit_fault, &fault);
  hardware_init();
  wake_sources_init();
  mb_device_init(&device, &info, nrf5_random_u32(), uptime_ms());
  mb_device_set_last_fault(&device, &fault);
  mb_device_log(&device, MB_LOG_INFO, "megabit qemu-microbit firmware booted");
  for (;;) {
    /* At most one ms of input before the next poll: qemu refills the UART as fast as it is read,
     * so draining it until empty kept the buttons unsampled (and their events unsent) for as
     * long as the host kept sending frames, hundreds of ms on a loaded machine; a short press
     * could begin and end unseen. (The nano33ble reads one bounded USB chunk per turn.) */
    uint32_t now = uptime_ms();
    while (UART0_EVENTS_RXDRDY && uptime_ms() == now) {
      UART0_EVENTS_RXDRDY = 0; /* before reading RXD, or qemu's model stalls */
      uint8_t byte = (uint8_t)UART0_RXD;
      mb_device_rx(&device, &byte, 1, now);
    }
    mb_device_poll(&device, uptime_ms(), UART0_EVENTS_RXDRDY == 0);
    uint32_t seen = 0;
    for (uint8_t b = 0; b < info.button_count; b++) seen |= (uint32_t)device.buttons[b].stable << b;
    qemu_buttons_seen = seen;
    if (qemu_fault_request == QEMU_FAULT_REQUEST) qemu_fault_now();
    sleep_until_input_or_tick();
  }
}
