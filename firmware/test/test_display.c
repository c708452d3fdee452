#include <string.h>
#include "../core/bitplane.h"
#include "../core/crc.h"
#include "../core/framebuffer.h"
#include "../core/gamma.h"
#include "../core/hub75_scan.h"
#include "../board/nano33ble/scan_budget.h"
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

static void levels_round_gamma(void) {
  CHECK_EQ(mb_level(255, 8), 255);
  CHECK_EQ(mb_level(0, 8), 0);
  CHECK_EQ(mb_level(255, 6), 63);
  CHECK_EQ(mb_level(128, 8), 56); /* (128/255)^2.2 * 255 = 55.98 */
  CHECK_EQ(mb_level(100, 8), 33); /* 32.73: truncation gave 32 */
  CHECK_EQ(mb_level(30, 8), 2);   /* 2.27 */
  CHECK_EQ(mb_level(18, 8), 1);   /* 0.75: truncation crushed it to black */
  CHECK_EQ(mb_level(40, 6), 1);   /* 0.84 of 63 */
  /* Every level is the nearest one to the curve, and no value but 0 is black. */
  for (uint8_t depth = 1; depth <= 8; depth++) {
    double top = (double)((1u << depth) - 1u);
    for (int v = 0; v < 256; v++) {
      double exact = mb_gamma16[v] * top / 65535.0;
      uint8_t level = mb_level((uint8_t)v, depth);
      if (v > 0) CHECK(level >= 1);
      if (exact >= 0.5) CHECK(level - exact <= 0.5 && exact - level <= 0.5);
    }
  }
}

static void planes_put_bits_in_hub75_order(void) {
  mb_fb_init(&fb, 8);
  const uint8_t red[] = {255, 0, 0}, blue[] = {0, 0, 255};
  mb_fb_write_rect(&fb, MB_FMT_RGB888, 5, 3, 1, 1, red, 3);   /* top half: R1 = bit 0 */
  mb_fb_write_rect(&fb, MB_FMT_RGB888, 5, 19, 1, 1, blue, 3); /* row 3 + 16: B2 = bit 5 */
  static mb_planes planes;
  mb_pack_planes(fb.draw, planes, 8);
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
  CHECK(!mb_fb_commit(&fb, 7));
  CHECK_EQ(fake_critical_depth, 0);
  CHECK_EQ(fb.shown_id, 0);
  CHECK_EQ(fb.shown_crc, black_crc);
  CHECK_EQ(fb.front, 0);
  CHECK(mb_fb_commit(&fb, 8)); /* replaces 7 before it was shown */
  CHECK(mb_fb_scan_boundary(&fb));
  CHECK_EQ(fb.front, 1);
  CHECK_EQ(fb.shown_id, 8);
  CHECK_EQ(fb.shown_crc, mb_crc32_update(0, fb.draw, MB_FRAME_BYTES));
  CHECK(!mb_fb_scan_boundary(&fb));
  CHECK_EQ(fb.frames_shown, 1);
  CHECK_EQ(fb.planes[1][5][0][0], 0x07);
}

static const mb_scan_timing test_timing = {
    .timer_hz = 16000000u, .cpu_hz = 64000000u, .isr_cycles = 1000u,
    .bit0_ticks = 100u, .row_min_ticks = 400u, .settle_ticks = 16u, .depth = 4};

static void scan_walks_planes_rows_and_swaps_at_frame_end(void) {
  fake_board_reset();
  memset(&fake_panel, 0, sizeof fake_panel);
  mb_fb_init(&fb, 4);
  static mb_scan scan;
  mb_scan_init(&scan, &fb, &test_timing);
  mb_scan_start(&scan);
  CHECK(fake_panel.blanked);
  CHECK_EQ(fake_panel.last.lit, 0); /* nothing is latched yet */
  fake_cycles = 123456;
  const uint8_t white[] = {255, 255, 255};
  mb_fb_write_rect(&fb, MB_FMT_RGB888, 0, 0, 1, 1, white, 3);
  mb_fb_commit(&fb, 1);
  int swapped_at = -1;
  for (int i = 0; i < 16 * 4; i++) {
    unsigned selects = fake_panel.row_selects;
    memset(fake_panel.calls, 0, sizeof fake_panel.calls);
    mb_scan_row_handler(&scan);
    if (swapped_at < 0 && fb.shown_id == 1) swapped_at = i;
    /* Plane 0 follows a row change and stays dark while the address settles; the others
     * light at once. Every plane is lit for its weight, and no interval is shorter than the
     * ISR's minimum. */
    int plane = i % 4;
    CHECK_EQ(fake_panel.row_selects, selects + (plane == 0));
    /* Blank, latch, then the address (new row only), then the plane's times, then the shift
     * of the next plane while this one is lit. */
    CHECK(strcmp(fake_panel.calls, plane == 0 ? "BLRSX" : "BLSX") == 0);
    CHECK_EQ(fake_panel.last.dark, plane == 0 ? 16u : MB_SCAN_DARK_MIN_TICKS);
    CHECK_EQ(fake_panel.last.lit, 100u << plane);
    uint32_t busy = fake_panel.last.dark + fake_panel.last.lit;
    CHECK_EQ(fake_panel.last.next, busy > 400u ? busy : 400u);
  }
  CHECK_EQ(swapped_at, 16 * 4 - 1); /* only once the last plane of the last row was latched */
  CHECK_EQ(fake_panel.latches, 64);
  CHECK_EQ(fake_panel.row_selects, 16);
  CHECK_EQ(scan.meter.frames, 1);
  CHECK_EQ(scan.meter.at_cycle, fake_cycles);
  CHECK_EQ(fake_panel.last_shift[0], 0x07); /* next frame's row 0 plane 0 comes from the new buffer */
  fb.power = false;
  mb_scan_row_handler(&scan);
  CHECK_EQ(fake_panel.last.lit, 0);
  CHECK(fake_panel.blanked);
}

/* Global dimming: brightness shortens the lit time of every plane in proportion and leaves
 * the planes alone, so at 1/8 brightness a colour still has all 8 bits and the darkest level
 * (plane 0 only) is still lit. Shifting the values down instead would have dropped 3 planes. */
static void brightness_dims_by_time_and_keeps_depth(void) {
  fake_board_reset();
  memset(&fake_panel, 0, sizeof fake_panel);
  mb_fb_init(&fb, 8);
  static mb_scan scan;
  mb_scan_timing t = test_timing;
  t.bit0_ticks = 8;
  mb_scan_init(&scan, &fb, &t);
  const uint8_t dark[] = {18, 100, 255}; /* levels 1, 33, 255 */
  mb_fb_write_rect(&fb, MB_FMT_RGB888, 0, 0, 1, 1, dark, 3);
  mb_fb_commit(&fb, 1);
  mb_fb_scan_boundary(&fb);
  const mb_planes *shown = &fb.planes[fb.front];
  fb.brightness = 32;
  mb_scan_start(&scan);
  uint32_t full_next[8];
  for (uint8_t p = 0; p < 8; p++) {
    full_next[p] = mb_plane_timing_at(&t, p, 255).next;
    mb_scan_row_handler(&scan);
    double exact = (8u << p) * 32.0 / 255.0; /* 1.0, 2.0, ... 128.5 ticks */
    CHECK(fake_panel.last.lit - exact <= 0.5 && exact - fake_panel.last.lit <= 0.5);
    CHECK_EQ(fake_panel.last.next, full_next[p]); /* the refresh rate does not change */
    CHECK_EQ((*shown)[p][0][0] & 1u, p == 0);       /* R = level 1: plane 0 only */
    CHECK_EQ(((*shown)[p][0][0] >> 1) & 1u, (33u >> p) & 1u);
    CHECK_EQ(((*shown)[p][0][0] >> 2) & 1u, 1u);
  }
  /* Lit time follows brightness, rounded, and never rounds a lit plane away. */
  CHECK_EQ(mb_plane_timing_at(&t, 0, 255).lit, 8);
  CHECK_EQ(mb_plane_timing_at(&t, 7, 128).lit, 514);
  CHECK_EQ(mb_plane_timing_at(&t, 0, 1).lit, 1);
  CHECK_EQ(mb_plane_timing_at(&t, 7, 0).lit, 0);
}

void suite_framebuffer(void) {
  RUN(write_rect_formats);
  RUN(bad_rects_leave_buffer_unchanged);
  RUN(levels_round_gamma);
  RUN(planes_put_bits_in_hub75_order);
  RUN(commit_swaps_only_at_boundary);
}

void suite_scan(void) {
  RUN(scan_walks_planes_rows_and_swaps_at_frame_end);
  RUN(brightness_dims_by_time_and_keeps_depth);
}
