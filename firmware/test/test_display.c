#include <string.h>
#include "../core/bitplane.h"
#include "../core/crc.h"
#include "../core/framebuffer.h"
#include "../core/hub75_scan.h"
#include "check.h"
#include "fake_board.h"
#include "suites.h"

static mb_framebuffer fb;

static const uint8_t *px(int x, int y) { return fb.draw + (y * 64 + x) * 3; }

static void write_rect_formats(void) {
  mb_fb_init(&fb, 6);
  const uint8_t rgb[] = {1, 2, 3, 4, 5, 6};
  CHECK_EQ(mb_fb_write_rect(&fb, MB_FMT_RGB888, 62, 31, 2, 1, rgb, sizeof rgb), 0);
  CHECK(memcmp(px(62, 31), rgb, 6) == 0);
  const uint8_t rgb565[] = {0x00, 0xF8, 0xE0, 0x07, 0x1F, 0x00}; /* red, green, blue */
  CHECK_EQ(mb_fb_write_rect(&fb, MB_FMT_RGB565, 0, 0, 1, 3, rgb565, sizeof rgb565), 0);
  CHECK(memcmp(px(0, 0), (const uint8_t[]){255, 0, 0}, 3) == 0);
  CHECK(memcmp(px(0, 1), (const uint8_t[]){0, 255, 0}, 3) == 0);
  CHECK(memcmp(px(0, 2), (const uint8_t[]){0, 0, 255}, 3) == 0);
  const uint8_t rle[] = {3, 9, 8, 7, 1, 1, 1, 1};
  CHECK_EQ(mb_fb_write_rect(&fb, MB_FMT_RLE888, 10, 10, 2, 2, rle, sizeof rle), 0);
  CHECK(memcmp(px(10, 10), (const uint8_t[]){9, 8, 7}, 3) == 0);
  CHECK(memcmp(px(11, 10), (const uint8_t[]){9, 8, 7}, 3) == 0);
  CHECK(memcmp(px(10, 11), (const uint8_t[]){9, 8, 7}, 3) == 0);
  CHECK(memcmp(px(11, 11), (const uint8_t[]){1, 1, 1}, 3) == 0);
}

static void bad_rects_leave_buffer_unchanged(void) {
  mb_fb_init(&fb, 6);
  uint8_t before[MB_FRAME_BYTES];
  memcpy(before, fb.draw, sizeof before);
  const uint8_t d[12] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  CHECK_EQ(mb_fb_write_rect(&fb, MB_FMT_RGB888, 63, 0, 2, 1, d, 6), MB_REJ_OUT_OF_BOUNDS);
  CHECK_EQ(mb_fb_write_rect(&fb, MB_FMT_RGB888, 0, 31, 1, 2, d, 6), MB_REJ_OUT_OF_BOUNDS);
  CHECK_EQ(mb_fb_write_rect(&fb, MB_FMT_RGB888, 0, 0, 0, 1, d, 0), MB_REJ_OUT_OF_BOUNDS);
  CHECK_EQ(mb_fb_write_rect(&fb, MB_FMT_RGB888, 0, 0, 2, 1, d, 5), MB_REJ_BAD_LENGTH);
  CHECK_EQ(mb_fb_write_rect(&fb, MB_FMT_RGB565, 0, 0, 2, 1, d, 6), MB_REJ_BAD_LENGTH);
  CHECK_EQ(mb_fb_write_rect(&fb, 7, 0, 0, 1, 1, d, 3), MB_REJ_BAD_FORMAT);
  const uint8_t short_rle[] = {3, 9, 9, 9};
  CHECK_EQ(mb_fb_write_rect(&fb, MB_FMT_RLE888, 0, 0, 2, 2, short_rle, 4), MB_REJ_BAD_RLE);
  const uint8_t zero_run[] = {0, 9, 9, 9, 4, 1, 1, 1};
  CHECK_EQ(mb_fb_write_rect(&fb, MB_FMT_RLE888, 0, 0, 2, 2, zero_run, 8), MB_REJ_BAD_RLE);
  const uint8_t long_rle[] = {5, 9, 9, 9};
  CHECK_EQ(mb_fb_write_rect(&fb, MB_FMT_RLE888, 0, 0, 2, 2, long_rle, 4), MB_REJ_BAD_RLE);
  CHECK(memcmp(before, fb.draw, sizeof before) == 0);
}

static void levels_apply_gamma_then_brightness(void) {
  CHECK_EQ(mb_level(255, 8, 255), 255);
  CHECK_EQ(mb_level(0, 8, 255), 0);
  CHECK_EQ(mb_level(255, 6, 255), 63);
  CHECK_EQ(mb_level(128, 8, 255), 56); /* (128/255)^2.2 * 65535 = 14387 -> 56 */
  CHECK_EQ(mb_level(255, 8, 128), 128);
  CHECK_EQ(mb_level(255, 8, 0), 0);
}

static void planes_put_bits_in_hub75_order(void) {
  mb_fb_init(&fb, 8);
  const uint8_t red[] = {255, 0, 0}, blue[] = {0, 0, 255};
  mb_fb_write_rect(&fb, MB_FMT_RGB888, 5, 3, 1, 1, red, 3);   /* top half: R1 = bit 0 */
  mb_fb_write_rect(&fb, MB_FMT_RGB888, 5, 19, 1, 1, blue, 3); /* row 3 + 16: B2 = bit 5 */
  static mb_planes planes;
  mb_pack_planes(fb.draw, planes, 8, 255);
  for (int p = 0; p < 8; p++) {
    CHECK_EQ(planes[p][3][5], 0x21);
    CHECK_EQ(planes[p][3][4], 0);
    CHECK_EQ(planes[p][4][5], 0);
  }
}

static void commit_swaps_only_at_boundary(void) {
  fake_board_reset();
  mb_fb_init(&fb, 6);
  uint32_t black_crc = fb.shown_crc;
  const uint8_t white[] = {255, 255, 255};
  mb_fb_write_rect(&fb, MB_FMT_RGB888, 0, 0, 1, 1, white, 3);
  CHECK(!mb_fb_commit(&fb, 7, 255));
  CHECK_EQ(fake_critical_depth, 0);
  CHECK_EQ(fb.shown_id, 0);
  CHECK_EQ(fb.shown_crc, black_crc);
  CHECK_EQ(fb.front, 0);
  CHECK(mb_fb_commit(&fb, 8, 255)); /* replaces 7 before it was shown */
  CHECK(mb_fb_scan_boundary(&fb));
  CHECK_EQ(fb.front, 1);
  CHECK_EQ(fb.shown_id, 8);
  CHECK_EQ(fb.shown_crc, mb_crc32_update(0, fb.draw, MB_FRAME_BYTES));
  CHECK(!mb_fb_scan_boundary(&fb));
  CHECK_EQ(fb.frames_shown, 1);
  CHECK_EQ(fb.planes[1][5][0][0], 0x07);
}

static void scan_walks_planes_rows_and_swaps_at_frame_end(void) {
  fake_board_reset();
  memset(&fake_panel, 0, sizeof fake_panel);
  mb_fb_init(&fb, 4);
  static mb_scan scan;
  mb_scan_init(&scan, &fb, 100);
  mb_scan_start(&scan);
  fake_cycles = 123456;
  const uint8_t white[] = {255, 255, 255};
  mb_fb_write_rect(&fb, MB_FMT_RGB888, 0, 0, 1, 1, white, 3);
  mb_fb_commit(&fb, 1, 255);
  int swapped_at = -1;
  uint32_t max_ticks = 0;
  for (int i = 0; i < 16 * 4; i++) {
    mb_scan_row_handler(&scan);
    if (fake_panel.last_ticks > max_ticks) max_ticks = fake_panel.last_ticks;
    if (swapped_at < 0 && fb.shown_id == 1) swapped_at = i;
    CHECK(!fake_panel.blanked);
  }
  CHECK_EQ(swapped_at, 16 * 4 - 1); /* only once the last plane of the last row was latched */
  CHECK_EQ(fake_panel.latches, 64);
  CHECK_EQ(fake_panel.row_selects, 16);
  CHECK_EQ(max_ticks, 800);
  CHECK_EQ(scan.meter.frames, 1);
  CHECK_EQ(scan.meter.at_cycle, fake_cycles);
  CHECK_EQ(fake_panel.last_shift[0], 0x07); /* next frame's row 0 plane 0 comes from the new buffer */
  fb.power = false;
  mb_scan_row_handler(&scan);
  CHECK(fake_panel.blanked);
}

void suite_framebuffer(void) {
  RUN(write_rect_formats);
  RUN(bad_rects_leave_buffer_unchanged);
  RUN(levels_apply_gamma_then_brightness);
  RUN(planes_put_bits_in_hub75_order);
  RUN(commit_swaps_only_at_boundary);
}

void suite_scan(void) { RUN(scan_walks_planes_rows_and_swaps_at_frame_end); }
