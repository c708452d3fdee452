/* The RGB888 draw buffer and the two bit-plane panel buffers (docs/serial-protocol.md §5). */
#ifndef MB_FRAMEBUFFER_H
#define MB_FRAMEBUFFER_H
#include <stdbool.h>
#include <stdint.h>
#include "protocol.h"

#define MB_MAX_DEPTH 8u
#define MB_ROW_PAIRS (MB_PANEL_HEIGHT / 2u)

/* One panel buffer: for each plane and row pair, one byte per column with bits 0..5 =
 * R1 G1 B1 (row r) and R2 G2 B2 (row r + 16), ready to be clocked out. */
typedef uint8_t mb_planes[MB_MAX_DEPTH][MB_ROW_PAIRS][MB_PANEL_WIDTH];

typedef struct {
  uint8_t draw[MB_FRAME_BYTES];
  mb_planes planes[2];
  uint8_t depth;
  /* LEVEL_RICE: the value each shown-level class is held as (level_rice.h), and a scratch for
   * decoding a rectangle before it is written, so a bad one leaves the draw buffer unchanged. */
  uint8_t class_value[256];
  uint8_t class_of[256];
  uint16_t class_count;
  uint8_t decoded[MB_FRAME_BYTES];
  /* Shared with the scan ISR: written by the main loop only inside a critical section. */
  volatile uint8_t front;
  volatile bool swap_pending;
  volatile uint32_t pending_id, pending_crc;
  volatile uint32_t shown_id, shown_crc;
  volatile uint32_t frames_shown;
  volatile bool power; /* false: the scan keeps the panel blanked */
  /* Global dimming: the scan shortens every plane's lit time by brightness/255, so the planes
   * keep their full depth (the bits are never shifted down). */
  volatile uint8_t brightness;
} mb_framebuffer;

void mb_fb_init(mb_framebuffer *fb, uint8_t depth);

/* 0 when written, otherwise the mb_reject_reason; on rejection the buffer is unchanged. */
uint8_t mb_fb_write_rect(mb_framebuffer *fb, uint8_t format, uint8_t x, uint8_t y, uint8_t w,
                         uint8_t h, const uint8_t *data, uint16_t len);

/* Packs the draw buffer into the spare panel buffer and requests a swap. Returns true when an
 * earlier commit that had not been shown yet was replaced. */
bool mb_fb_commit(mb_framebuffer *fb, uint32_t frame_id);

/* Called at the end of a full panel refresh (from the scan ISR, or by boards without a panel):
 * swaps if a commit is pending. Returns true when it swapped. */
bool mb_fb_scan_boundary(mb_framebuffer *fb);

#endif
