/* The contract between the portable core and a board. The core includes no board header: a
 * board implements every function below and passes an mb_board_info to mb_device_init. If core
 * code seems to need an #ifdef for a board, add a hook here instead.
 *
 * Required of every board:
 *   board_serial_write   blocking write of bytes to the host link
 *   board_button_pressed raw (undebounced) level of button i, true = pressed
 *   board_led_set        status LED i on/off (LED 0 is the link LED)
 *   board_critical_enter/exit  mask/unmask the interrupt that runs the panel scan
 *
 * Required only of boards with a panel (mb_board_info.has_panel), called from the scan ISR
 * through mb_scan_row_handler (hub75_scan.c):
 *   board_hub75_blank        true = outputs off (OE high)
 *   board_hub75_latch        pulse LAT (long enough for the panel: see the board's margins)
 *   board_hub75_select_row   drive the address lines A..D for row pair r
 *   board_hub75_shift        clock out one row of 6-bit pixels (bits 0..5 = R1 G1 B1 R2 G2 B2)
 *   board_hub75_show         from now (timer ticks): keep OE blanked for `dark`, then light
 *                            the latched plane for `lit` (0 = stays dark), and fire the scan
 *                            interrupt again at `next` (>= dark + lit); a board times OE by
 *                            hardware so the CPU's latency never changes a plane's weight
 *   board_cycle_count        free-running CPU cycle counter (DWT CYCCNT on a Cortex-M4); the
 *                            scan stamps each full refresh with it for STATUS.refresh_hz
 *
 * Required of every board, may do nothing:
 *   board_debug_log  a copy of every LOG line for a debug console that is not the host link
 */
#ifndef MB_BOARD_H
#define MB_BOARD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  const char *name;      /* ASCII, 1..32 bytes, sent in HELLO_REPLY */
  uint8_t fw_major, fw_minor, fw_patch;
  uint8_t led_count;     /* 1..8 */
  uint8_t button_count;  /* 0..MB_MAX_BUTTONS */
  bool has_panel;        /* false: frames are swapped at once and never scanned */
  uint8_t colour_depth;  /* bit-planes per channel, 1..8 */
  uint8_t window;        /* packets the host may have in flight */
} mb_board_info;

void board_serial_write(const uint8_t *data, size_t len);
bool board_button_pressed(uint8_t button);
void board_led_set(uint8_t led, bool on);
void board_critical_enter(void);
void board_critical_exit(void);

void board_hub75_blank(bool off);
void board_hub75_latch(void);
void board_hub75_select_row(uint8_t row_pair);
void board_hub75_shift(const uint8_t *pixels, uint16_t count);
void board_hub75_show(uint32_t dark, uint32_t lit, uint32_t next);
uint32_t board_cycle_count(void);

void board_debug_log(uint8_t level, const char *text, size_t len);

#endif
