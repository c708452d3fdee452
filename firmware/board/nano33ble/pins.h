/* Wiring of the HUB75 panel, button and LEDs to the Nano 33 BLE (Arduino pin -> nRF pin, from
 * the board's schematic). The six colour lines and CLK share port 1 so a column is two writes. */
#ifndef NANO33BLE_PINS_H
#define NANO33BLE_PINS_H

typedef struct {
  unsigned port, pin;
} board_pin;

#define PIN_R1 ((board_pin){1, 11}) /* D2 */
#define PIN_G1 ((board_pin){1, 12}) /* D3 */
#define PIN_B1 ((board_pin){1, 15}) /* D4 */
#define PIN_R2 ((board_pin){1, 13}) /* D5 */
#define PIN_G2 ((board_pin){1, 14}) /* D6 */
#define PIN_B2 ((board_pin){1, 2})  /* D10 */
#define PIN_CLK ((board_pin){1, 1}) /* D11 */
#define PIN_LAT ((board_pin){1, 8}) /* D12 */
#define PIN_OE ((board_pin){0, 27}) /* D9, active low */
#define PIN_A ((board_pin){0, 4})   /* A0 */
#define PIN_B ((board_pin){0, 5})   /* A1 */
#define PIN_C ((board_pin){0, 30})  /* A2 */
#define PIN_D ((board_pin){0, 29})  /* A3 */

#define PIN_BUTTON ((board_pin){0, 21}) /* D8, to GND, internal pull-up */

#define PIN_UART_TX ((board_pin){1, 3}) /* D1/TX: debug console */

/* Status LEDs: 0 = LED_BUILTIN (active high), 1..3 = RGB LED red/green/blue (active low). */
#define PIN_LED_BUILTIN ((board_pin){0, 13})
#define PIN_LED_RED ((board_pin){0, 24})
#define PIN_LED_GREEN ((board_pin){0, 16})
#define PIN_LED_BLUE ((board_pin){0, 6})

#endif
