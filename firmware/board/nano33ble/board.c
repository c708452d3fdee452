/* Arduino Nano 33 BLE: HUB75 panel scanned from TIMER2, one button on D8, four status LEDs.
 * The host link is UART0 on D0/D1 at 1 Mbaud until the USB CDC ACM driver exists. */
#include "board.h"
#include "device.h"
#include "hub75_scan.h"
#include "nano33ble.h"
#include "nrf52840.h"
#include "pins.h"

/* Bit-plane 0 is shown for 100 ticks of 16 MHz: 6 planes x 16 row pairs refresh at ~158 Hz.
 * It must also cover shifting out one row (64 columns); not yet measured on hardware. */
#define BIT0_TICKS 100u
#define RX_RING 16384u /* window (8) x max packet (1024), doubled */

static const mb_board_info info = {
    .name = "nano33ble",
    .fw_major = 0, .fw_minor = 1, .fw_patch = 0,
    .led_count = 4,
    .button_count = 1,
    .has_panel = true,
    .colour_depth = 6,
    .window = 8,
};

static mb_device device;
static mb_scan scan;
static volatile uint32_t millis;
static uint32_t critical_depth;
static uint8_t rx_ring[RX_RING];
static volatile uint32_t rx_head, rx_tail, rx_lost;

void SysTick_Handler(void) { millis++; }

void UART0_IRQHandler(void) {
  if (UART0_EVENTS_ERROR) {
    UART0_EVENTS_ERROR = 0;
    UART0_ERRORSRC = UART0_ERRORSRC; /* write-one-to-clear; an overrun lost a byte */
    rx_lost++;
  }
  while (UART0_EVENTS_RXDRDY) {
    UART0_EVENTS_RXDRDY = 0;
    uint8_t byte = (uint8_t)UART0_RXD;
    uint32_t next = (rx_head + 1u) % RX_RING;
    if (next == rx_tail) {
      rx_lost++;
    } else {
      rx_ring[rx_head] = byte;
      rx_head = next;
    }
  }
}

void board_serial_write(const uint8_t *data, size_t len) {
  for (size_t i = 0; i < len; i++) {
    UART0_EVENTS_TXDRDY = 0;
    UART0_TXD = data[i];
    while (UART0_EVENTS_TXDRDY == 0) {
    }
  }
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

void board_critical_enter(void) {
  __asm volatile("cpsid i" ::: "memory");
  critical_depth++;
}

void board_critical_exit(void) {
  if (--critical_depth == 0) __asm volatile("cpsie i" ::: "memory");
}

static uint32_t random_u32(void) {
  uint32_t v = 0;
  RNG_TASKS_START = 1;
  for (int i = 0; i < 4; i++) {
    RNG_EVENTS_VALRDY = 0;
    while (RNG_EVENTS_VALRDY == 0) {
    }
    v = (v << 8) | (RNG_VALUE & 0xFFu);
  }
  RNG_TASKS_STOP = 1;
  return v;
}

static void hardware_init(void) {
  CLOCK_TASKS_HFCLKSTART = 1; /* crystal: accurate UART baud and scan timing */
  while (CLOCK_EVENTS_HFCLKSTARTED == 0) {
  }
  static const board_pin leds[4] = {PIN_LED_BUILTIN, PIN_LED_RED, PIN_LED_GREEN, PIN_LED_BLUE};
  for (int i = 0; i < 4; i++) GPIO_PIN_CNF(leds[i].port, leds[i].pin) = PIN_CNF_OUTPUT_H0H1;
  for (uint8_t i = 0; i < 4; i++) board_led_set(i, false);
  GPIO_PIN_CNF(PIN_BUTTON.port, PIN_BUTTON.pin) = PIN_CNF_INPUT_PULLUP;
  GPIO_OUTSET(PIN_UART_TX.port) = 1u << PIN_UART_TX.pin;
  GPIO_PIN_CNF(PIN_UART_TX.port, PIN_UART_TX.pin) = PIN_CNF_OUTPUT_H0H1;
  UART0_PSEL_TXD = PSEL(PIN_UART_TX.port, PIN_UART_TX.pin);
  UART0_PSEL_RXD = PSEL(PIN_UART_RX.port, PIN_UART_RX.pin);
  UART0_BAUDRATE = UART_BAUD_1M;
  UART0_ENABLE = UART_ENABLE_ENABLED;
  UART0_INTENSET = UART_INT_RXDRDY | UART_INT_ERROR;
  NVIC_ISER0 = 1u << UART0_IRQN;
  UART0_TASKS_STARTTX = 1;
  UART0_TASKS_STARTRX = 1;
  SYST_RVR = 64000u - 1u; /* 1 ms at 64 MHz */
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE_TICKINT_CPUCLK;
}

int main(void) {
  hardware_init();
  mb_device_init(&device, &info, random_u32(), millis);
  mb_scan_init(&scan, &device.fb, BIT0_TICKS);
  mb_device_set_refresh_counter(&device, &scan.refreshes);
  nano_hub75_init(&scan);
  mb_scan_start(&scan);
  mb_device_log(&device, MB_LOG_INFO, "megabit nano33ble firmware booted");
  uint32_t lost_reported = 0;
  for (;;) {
    while (rx_tail != rx_head) {
      uint8_t byte = rx_ring[rx_tail];
      rx_tail = (rx_tail + 1u) % RX_RING;
      mb_device_rx(&device, &byte, 1, millis);
    }
    uint32_t lost = rx_lost;
    if (lost != lost_reported) {
      mb_device_note_overrun(&device, lost - lost_reported);
      lost_reported = lost;
    }
    mb_device_poll(&device, millis, rx_tail == rx_head);
  }
}
