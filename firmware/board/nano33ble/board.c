/* Arduino Nano 33 BLE: HUB75 panel scanned from TIMER2, one button on D8, four status LEDs.
 * The host link is USB CDC ACM on the board's USB socket (core/usb over usb_dcd_nrf52840.c);
 * UART0 on D1 (TX, 115200 8N1) is a debug console that carries a copy of every LOG line and a
 * line of scan/USB figures every 10 s. */
#include "board.h"
#include "cdc_acm.h"
#include "device.h"
#include "fault.h"
#include "hub75_scan.h"
#include "megabit_usb.h"
#include "nano33ble.h"
#include "nrf52840.h"
#include "../nrf5_common.h"
#include "pins.h"
#include "touch1200.h"
#include "usbd.h"
#include "watchdog_gate.h"

#include "scan_budget.h"

#define CPU_HZ MB_CPU_HZ
#define TX_STALL_MS 100u /* a host that stops reading this long loses the rest of a write */
#define DEBUG_REPORT_MS 10000u
/* The watchdog resets a board whose main loop or scan has made no progress for this long: the
 * gate feeds every 50 ms while both advance, so six feeds fit in a timeout. */
#define WATCHDOG_MS 300u
/* Received bytes handed to the protocol per main-loop pass. A frame arrives as ~6 KB; read in
 * one go it held the loop (and the watchdog feed, the button, the ACK) until the backlog was
 * gone. One USB packet per pass keeps each pass short; the host is held back by NAKs meanwhile. */
#define RX_BYTES_PER_PASS CDC_PACKET

static const mb_board_info info = {
    .name = "nano33ble",
    .fw_major = 0, .fw_minor = 1, .fw_patch = 0,
    .led_count = 4,
    .button_count = 1,
    .has_panel = true,
    .colour_depth = MB_SCAN_DEPTH,
    .window = 8,
};

static mb_device device;
static mb_scan scan;
static usbd usb;
static cdc_acm cdc;
static volatile uint32_t millis;
static uint32_t tx_dropped;
static mb_wdg_gate watchdog_gate;
static bool watchdog_started;

/* Feeds the watchdog if the gate allows it: from the main loop, and from the one place the
 * loop waits on purpose (a host slow to read, bounded by TX_STALL_MS per write, and a pass can
 * hold several writes: HELLO_REPLY, FAULT, LOG). */
static void watchdog_service(void) {
  if (watchdog_started && mb_wdg_gate_should_feed(&watchdog_gate, millis)) nano_wdt_feed();
}

void SysTick_Handler(void) { millis++; }

static void debug_write(const char *text, size_t len) {
  for (size_t i = 0; i < len; i++) {
    UART0_EVENTS_TXDRDY = 0;
    UART0_TXD = (uint8_t)text[i];
    while (UART0_EVENTS_TXDRDY == 0) {
    }
  }
}

static void debug_text(const char *text) {
  size_t len = 0;
  while (text[len]) len++;
  debug_write(text, len);
}

static void debug_uint(uint32_t v) {
  char digits[10];
  size_t n = 0;
  do {
    digits[sizeof digits - 1 - n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  debug_write(digits + sizeof digits - n, n);
}

void board_debug_log(uint8_t level, const char *text, size_t len) {
  static const char tags[4] = {'D', 'I', 'W', 'E'};
  char prefix[4] = {'[', tags[level & 3u], ']', ' '};
  debug_write(prefix, sizeof prefix);
  debug_write(text, len);
  debug_write("\r\n", 2);
}

/* Runs the USB stack while it waits for room, so the host's reads free the ring. Nothing in
 * the stack calls back into the device, so this is safe from any device code. */
void board_serial_write(const uint8_t *data, size_t len) {
  uint32_t start = millis;
  while (len > 0 && cdc_acm_connected(&cdc)) {
    size_t n = cdc_acm_write(&cdc, data, len);
    data += n;
    len -= n;
    if (len == 0 || millis - start >= TX_STALL_MS) break;
    cdc_acm_flush(&cdc);
    usbd_task(&usb);
    watchdog_service();
  }
  tx_dropped += (uint32_t)len;
  cdc_acm_flush(&cdc);
}

bool board_button_pressed(uint8_t button) {
  (void)button;
  return (GPIO_IN(PIN_BUTTON.port) & (1u << PIN_BUTTON.pin)) == 0;
}

void board_led_set(uint8_t led, bool on) {
  static const board_pin leds[4] = {PIN_LED_BUILTIN, PIN_LED_RED, PIN_LED_GREEN, PIN_LED_BLUE};
  if (led >= 4) return;
  bool high = led == 0 ? on : !on;
  if (high) GPIO_OUTSET(leds[led].port) = 1u << leds[led].pin;
  else GPIO_OUTCLR(leds[led].port) = 1u << leds[led].pin;
}

uint32_t board_cycle_count(void) { return DWT_CYCCNT; }

static void hardware_init(void) {
  CLOCK_EVENTS_HFCLKSTARTED = 0; /* the bootloader's start of the crystal does not count */
  CLOCK_TASKS_HFCLKSTART = 1; /* crystal: USB needs it, and it keeps the scan timing exact */
  while (CLOCK_EVENTS_HFCLKSTARTED == 0) {
  }
  static const board_pin leds[4] = {PIN_LED_BUILTIN, PIN_LED_RED, PIN_LED_GREEN, PIN_LED_BLUE};
  for (int i = 0; i < 4; i++) GPIO_PIN_CNF(leds[i].port, leds[i].pin) = PIN_CNF_OUTPUT_H0H1;
  for (uint8_t i = 0; i < 4; i++) board_led_set(i, false);
  GPIO_PIN_CNF(PIN_BUTTON.port, PIN_BUTTON.pin) = PIN_CNF_INPUT_PULLUP;
  GPIO_OUTSET(PIN_UART_TX.port) = 1u << PIN_UART_TX.pin;
  GPIO_PIN_CNF(PIN_UART_TX.port, PIN_UART_TX.pin) = PIN_CNF_OUTPUT_H0H1;
  UART0_PSEL_TXD = PSEL(PIN_UART_TX.port, PIN_UART_TX.pin);
  UART0_BAUDRATE = UART_BAUD_115200;
  UART0_ENABLE = UART_ENABLE_ENABLED;
  UART0_TASKS_STARTTX = 1;
  DEMCR |= DEMCR_TRCENA;
  DWT_CYCCNT = 0;
  DWT_CTRL |= DWT_CTRL_CYCCNTENA;
  SYST_RVR = CPU_HZ / 1000u - 1u;
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE_TICKINT_CPUCLK;
}

static void debug_report(void) {
  debug_text("[I] scan ");
  debug_uint(device.refresh_hz);
  debug_text(" Hz, row ISR max ");
  debug_uint(nano_scan_take_isr_max_cycles());
  debug_text(" cycles; usb tx dropped ");
  debug_uint(tx_dropped);
  debug_text(" B, events lost ");
  debug_uint(usb.events_lost);
  debug_text("\r\n");
}

int main(void) {
  mb_fault fault = nano_last_boot_fault();
  hardware_init();
  mb_device_init(&device, &info, nrf5_random_u32(), millis);
  mb_device_set_last_fault(&device, &fault);
  static const mb_scan_timing timing = MB_NANO33BLE_SCAN_TIMING;
  mb_scan_init(&scan, &device.fb, &timing);
  mb_device_set_refresh_meter(&device, &scan.meter, CPU_HZ);
  nano_hub75_init(&scan);
  mb_scan_start(&scan);
  megabit_usb_start(&usb, &cdc, FICR_DEVICEID1, FICR_DEVICEID0);
  mb_device_log(&device, MB_LOG_INFO, "megabit nano33ble firmware booted");
  if (fault.kind != MB_FAULT_NONE) debug_text("[W] the last boot ended in a fault (FAULT follows HELLO_REPLY)\r\n");
  mb_wdg_gate_init(&watchdog_gate, &scan.meter, millis);
  nano_wdt_start(WATCHDOG_MS);
  watchdog_started = true;
  bool was_open = false;
  uint32_t report_ms = millis;
  nano_touch touch = {0};
  for (;;) {
    usbd_task(&usb);
    uint8_t chunk[RX_BYTES_PER_PASS];
    size_t n = cdc_acm_read(&cdc, chunk, sizeof chunk);
    if (n > 0) mb_device_rx(&device, chunk, n, millis);
    bool open = cdc_acm_connected(&cdc);
    if (open != was_open) {
      debug_text(open ? "[I] usb: host opened the port\r\n" : "[I] usb: port closed\r\n");
      was_open = open;
    }
    mb_device_poll(&device, millis, cdc_acm_available(&cdc) == 0);
    watchdog_service();
    nano_touch_poll(&touch, &cdc, millis);
    if (millis - report_ms >= DEBUG_REPORT_MS) {
      report_ms = millis;
      debug_report();
    }
  }
}
