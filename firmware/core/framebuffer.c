#include "framebuffer.h"
#include <string.h>
#include "bitplane.h"
#include "board.h"
#include "crc.h"
#include "level_rice.h"

void mb_fb_init(mb_framebuffer *fb, uint8_t depth) {
  memset(fb, 0, sizeof *fb);
  fb->depth = depth;
  fb->class_count = mb_level_classes(depth, fb->class_value, fb->class_of);
  fb->power = true;
  fb->brightness = 255;
  fb->shown_crc = mb_crc32_update(0, fb->draw, sizeof fb->draw);
}

static uint8_t expand5(uint16_t v) { return (uint8_t)((v << 3) | (v >> 2)); }
static uint8_t expand6(uint16_t v) { return (uint8_t)((v << 2) | (v >> 4)); }

/* Validates the whole RLE stream first so a bad one leaves the buffer untouched. */
static bool rle_covers(const uint8_t *data, uint16_t len, uint32_t pixels) {
  uint32_t total = 0;
  if (len % 4u) return false;
  for (uint16_t i = 0; i < len; i += 4) {
    if (data[i] == 0) return false;
    total += data[i];
  }
  return total == pixels;
}

uint8_t mb_fb_write_rect(mb_framebuffer *fb, uint8_t format, uint8_t x, uint8_t y, uint8_t w,
                         uint8_t h, const uint8_t *data, uint16_t len) {
  if (w == 0 || h == 0 || (uint32_t)x + w > MB_PANEL_WIDTH || (uint32_t)y + h > MB_PANEL_HEIGHT)
    return MB_REJ_OUT_OF_BOUNDS;
  uint32_t pixels = (uint32_t)w * h;
  if (format == MB_FMT_RGB888 && len != pixels * 3u) return MB_REJ_BAD_LENGTH;
  if (format == MB_FMT_RGB565 && len != pixels * 2u) return MB_REJ_BAD_LENGTH;
  if (format == MB_FMT_RLE888 && !rle_covers(data, len, pixels)) return MB_REJ_BAD_RLE;
  if (format == MB_FMT_LEVEL_RICE) {
    /* The rows above the rectangle, as classes: the model runs over them first. */
    uint8_t above[MB_LEVEL_RICE_PRIMED_ROWS * MB_PANEL_WIDTH * 3u];
    uint8_t above_rows = y < MB_LEVEL_RICE_PRIMED_ROWS ? y : (uint8_t)MB_LEVEL_RICE_PRIMED_ROWS;
    for (uint32_t r = 0; r < above_rows; r++) {
      const uint8_t *row = fb->draw + ((y - above_rows + r) * MB_PANEL_WIDTH + x) * 3u;
      for (uint32_t i = 0; i < w * 3u; i++) above[r * w * 3u + i] = fb->class_of[row[i]];
    }
    if (!mb_level_rice_decode(data, len, w, h, fb->class_count, above_rows ? above : NULL,
                              above_rows, fb->decoded))
      return MB_REJ_BAD_RLE;
    for (uint32_t row = 0; row < h; row++) {
      uint8_t *dst = fb->draw + ((y + row) * MB_PANEL_WIDTH + x) * 3u;
      const uint8_t *src = fb->decoded + row * w * 3u;
      for (uint32_t i = 0; i < w * 3u; i++) dst[i] = fb->class_value[src[i]];
    }
    return 0;
  }
  if (format > MB_FMT_LEVEL_RICE) return MB_REJ_BAD_FORMAT;

  uint16_t run_left = 0, at = 0;
  uint8_t rgb[3] = {0, 0, 0};
  for (uint32_t i = 0; i < pixels; i++) {
    uint8_t *px = fb->draw + ((y + i / w) * MB_PANEL_WIDTH + x + i % w) * 3u;
    if (format == MB_FMT_RGB888) {
      memcpy(px, data + i * 3u, 3);
    } else if (format == MB_FMT_RGB565) {
      uint16_t v = (uint16_t)(data[i * 2u] | (data[i * 2u + 1u] << 8));
      px[0] = expand5((v >> 11) & 0x1F);
      px[1] = expand6((v >> 5) & 0x3F);
      px[2] = expand5(v & 0x1F);
    } else {
      if (run_left == 0) {
        run_left = data[at];
        memcpy(rgb, data + at + 1, 3);
        at = (uint16_t)(at + 4u);
      }
      memcpy(px, rgb, 3);
      run_left--;
    }
  }
  return 0;
}

bool mb_fb_commit(mb_framebuffer *fb, uint32_t frame_id) {
  board_critical_enter();
  bool dropped = fb->swap_pending;
  fb->swap_pending = false; /* the spare buffer is ours until swap_pending is set again */
  uint8_t spare = (uint8_t)(fb->front ^ 1u);
  board_critical_exit();

  mb_pack_planes(fb->draw, fb->planes[spare], fb->depth);
  uint32_t crc = mb_crc32_update(0, fb->draw, sizeof fb->draw);

  board_critical_enter();
  fb->pending_id = frame_id;
  fb->pending_crc = crc;
  fb->swap_pending = true;
  board_critical_exit();
  return dropped;
}

bool mb_fb_scan_boundary(mb_framebuffer *fb) {
  if (!fb->swap_pending) return false;
  fb->front ^= 1u;
  fb->shown_id = fb->pending_id;
  fb->shown_crc = fb->pending_crc;
  fb->swap_pending = false;
  fb->frames_shown++;
  return true;
}
