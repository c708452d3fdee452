#include "hub75_scan.h"
#include "board.h"

void mb_scan_init(mb_scan *s, mb_framebuffer *fb, const mb_scan_timing *timing) {
  s->fb = fb;
  s->timing = *timing;
  s->timing.depth = fb->depth;
  s->row = 0;
  s->plane = 0;
  s->meter.frames = 0;
  s->meter.at_cycle = 0;
}

void mb_scan_start(mb_scan *s) {
  board_hub75_blank(true);
  board_hub75_shift(s->fb->planes[s->fb->front][0][0], MB_PANEL_WIDTH);
  board_hub75_show(MB_SCAN_DARK_MIN_TICKS, 0, s->timing.row_min_ticks);
}

/* Order matters: blank before latching so the old row never shows the new row's data, change
 * the address only when a new row starts (plane 0, which then stays dark while the address
 * settles), and shift the next plane while this one is lit. Brightness is lit time only: the
 * planes keep every bit of depth. */
void mb_scan_row_handler(mb_scan *s) {
  mb_framebuffer *fb = s->fb;
  board_hub75_blank(true);
  board_hub75_latch();
  if (s->plane == 0) board_hub75_select_row(s->row);
  mb_plane_timing t = mb_plane_timing_at(&s->timing, s->plane, fb->power ? fb->brightness : 0);
  board_hub75_show(t.dark, t.lit, t.next);

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
