#include "hub75_scan.h"
#include "board.h"

void mb_scan_init(mb_scan *s, mb_framebuffer *fb, uint32_t bit0_ticks) {
  s->fb = fb;
  s->bit0_ticks = bit0_ticks;
  s->row = 0;
  s->plane = 0;
  s->meter.frames = 0;
  s->meter.at_cycle = 0;
}

void mb_scan_start(mb_scan *s) {
  board_hub75_blank(true);
  board_hub75_shift(s->fb->planes[s->fb->front][0][0], MB_PANEL_WIDTH);
  board_hub75_timer_start(s->bit0_ticks);
}

/* Order matters: blank before latching so the old row never shows the new row's data, change
 * the address only when a new row starts, and shift the next plane while this one is lit. */
void mb_scan_row_handler(mb_scan *s) {
  mb_framebuffer *fb = s->fb;
  board_hub75_blank(true);
  board_hub75_latch();
  if (s->plane == 0) board_hub75_select_row(s->row);
  board_hub75_timer_start(s->bit0_ticks << s->plane);
  if (fb->power) board_hub75_blank(false);

  if (++s->plane >= fb->depth) {
    s->plane = 0;
    if (++s->row >= MB_ROW_PAIRS) {
      s->row = 0;
      s->meter.at_cycle = board_cycle_count();
      s->meter.frames++;
      mb_fb_scan_boundary(fb);
    }
  }
  board_hub75_shift(fb->planes[fb->front][s->plane][s->row], MB_PANEL_WIDTH);
}
