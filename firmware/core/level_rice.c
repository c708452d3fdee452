#include "level_rice.h"
#include <stddef.h>
#include "bitplane.h"

#define ESCAPE_QUOTIENT 16u
#define MAX_K 7u
#define EDGE_MAGNITUDE 2u
#define MAX_WIDTH 64u

uint16_t mb_level_classes(uint8_t depth, uint8_t class_value[256], uint8_t class_of[256]) {
  uint16_t count = 0;
  int last = -1;
  for (uint16_t v = 0; v < 256; v++) {
    int level = mb_level((uint8_t)v, depth);
    if (level != last) {
      class_value[count++] = (uint8_t)v;
      last = level;
    }
    class_of[v] = (uint8_t)(count - 1u);
  }
  return count;
}

/* Bits not yet used, most significant first in `window` (the rest of it zero), refilled a byte
 * at a time: the decoder runs on every frame of an animation, on the same CPU as the scan. */
typedef struct {
  const uint8_t *data;
  uint16_t len, next;
  uint32_t window;
  uint8_t avail;
} bit_reader;

static void refill(bit_reader *r) {
  while (r->avail <= 24u && r->next < r->len) {
    r->window |= (uint32_t)r->data[r->next++] << (24u - r->avail);
    r->avail = (uint8_t)(r->avail + 8u);
  }
}

/* 1..8 bits; false past the end. */
static bool read_bits(bit_reader *r, uint8_t count, uint32_t *value) {
  if (r->avail < count) refill(r);
  if (r->avail < count) return false;
  *value = r->window >> (32u - count);
  r->window <<= count;
  r->avail = (uint8_t)(r->avail - count);
  return true;
}

/* One bits up to a zero bit (consumed) or ESCAPE_QUOTIENT of them; false past the end. */
static bool read_unary(bit_reader *r, uint32_t *quotient) {
  uint32_t q = 0;
  for (;;) {
    if (r->avail == 0) refill(r);
    if (r->avail == 0) return false;
    uint32_t bit = r->window >> 31;
    r->window <<= 1;
    r->avail--;
    if (bit == 0 || ++q == ESCAPE_QUOTIENT) break;
  }
  *quotient = q;
  return true;
}

/* Median edge predictor (LOCO-I): left, up, up-left. */
static int predict(int a, int b, int c) {
  int hi = a > b ? a : b, lo = a > b ? b : a;
  if (c >= hi) return lo;
  if (c <= lo) return hi;
  return a + b - c;
}

/* k = floor(log2) of the mean error magnitude of the four neighbours already decoded, 0..7. */
static uint8_t rice_parameter(const uint16_t *previous, const uint16_t *current, uint32_t x,
                              uint32_t y, uint32_t c, uint32_t w) {
  uint32_t left = x > 0 ? current[(x - 1u) * 3u + c] : EDGE_MAGNITUDE;
  uint32_t up = y > 0 ? previous[x * 3u + c] : EDGE_MAGNITUDE;
  uint32_t up_left = (x > 0 && y > 0) ? previous[(x - 1u) * 3u + c] : EDGE_MAGNITUDE;
  uint32_t up_right = (y > 0 && x + 1u < w) ? previous[(x + 1u) * 3u + c] : EDGE_MAGNITUDE;
  uint32_t context = (left + up + up_left + up_right + 2u) >> 2;
  uint8_t k = 0;
  while (k < MAX_K && (2u << k) <= context) k++;
  return k;
}

bool mb_level_rice_decode(const uint8_t *data, uint16_t len, uint8_t w, uint8_t h,
                          uint16_t class_count, const uint8_t *above, uint8_t *out) {
  /* Error magnitudes of the row above and of this row, per channel. */
  uint16_t mags[2][MAX_WIDTH * 3u];
  if (w == 0 || w > MAX_WIDTH || h == 0) return false;
  bit_reader r = {data, len, 0, 0, 0};
  for (uint32_t y = 0; y < h; y++) {
    uint16_t *previous = mags[(y + 1u) & 1u], *current = mags[y & 1u];
    for (uint32_t x = 0; x < w; x++) {
      for (uint32_t c = 0; c < 3; c++) {
        const uint8_t *px = out + (y * w + x) * 3u + c;
        /* The row above: decoded, or on row 0 the draw buffer's (when there is one). */
        const uint8_t *up_row = y > 0 ? px - w * 3u : (above ? above + x * 3u + c : NULL);
        int a = x > 0 ? px[-3] : (up_row ? up_row[0] : 0);
        int b = up_row ? up_row[0] : a;
        int cc = (x > 0 && up_row) ? up_row[-3] : b;
        int predicted = predict(a, b, cc);
        uint8_t k = rice_parameter(previous, current, x, y, c, w);
        uint32_t quotient;
        if (!read_unary(&r, &quotient)) return false;
        int value;
        if (quotient == ESCAPE_QUOTIENT) {
          uint32_t raw;
          if (!read_bits(&r, 8, &raw)) return false;
          value = (int)raw;
        } else {
          uint32_t low = 0;
          if (k > 0 && !read_bits(&r, k, &low)) return false;
          uint32_t z = (quotient << k) | low;
          value = predicted + ((z & 1u) ? -(int)((z + 1u) >> 1) : (int)(z >> 1));
        }
        if (value < 0 || value >= (int)class_count) return false;
        int error = value - predicted;
        current[x * 3u + c] = (uint16_t)(error >= 0 ? 2 * error : -2 * error - 1);
        out[(y * w + x) * 3u + c] = (uint8_t)value;
      }
    }
  }
  /* Only the zero pad bits of the last byte may be left. */
  return r.next == r.len && r.avail < 8u && r.window == 0;
}
