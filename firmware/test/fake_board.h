/* The board contract implemented for host tests: serial output is captured for inspection. */
#ifndef MB_FAKE_BOARD_H
#define MB_FAKE_BOARD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../core/board.h"
#include "../core/messages.h"

#define FAKE_TX_CAP (1u << 20)

extern uint8_t fake_tx[FAKE_TX_CAP];
extern size_t fake_tx_len;
extern bool fake_buttons[2];
extern bool fake_leds[8];
extern int fake_critical_depth;
extern uint32_t fake_cycles;       /* what board_cycle_count returns */
extern char fake_debug_log[256];   /* the latest board_debug_log line */

void fake_board_reset(void);

/* Decodes captured output into messages (tails point into a private copy); returns the count. */
size_t fake_tx_messages(mb_msg *out, size_t max);
/* The last captured message of a type, or NULL. */
const mb_msg *fake_tx_last(uint8_t type);
size_t fake_tx_count(uint8_t type);



/* HUB75 hooks: what the scan did, for test_display.c. */
typedef struct {
  uint32_t dark, lit, next;
} fake_plane_shown;
typedef struct {
  bool blanked;
  unsigned latches, shifts, row_selects, shows;
  uint8_t row;
  fake_plane_shown last; /* the latest board_hub75_show */
  char calls[8];         /* the hooks since the last shift, in order: B L R S (then X) */
  uint8_t last_shift[64];
} fake_panel_state;
extern fake_panel_state fake_panel;
#endif
