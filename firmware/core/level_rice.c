#include "level_rice.h"
#include <stddef.h>
#include "bitplane.h"

#define ESCAPE_QUOTIENT 16u
#define MAX_K 7u
#define EDGE_MAGNITUDE 2u
#define MAX_WIDTH 64u
/* Predictors blended: W+N-NW, W+NE-N, 2W-WW, 2N-NN. */
#define PREDICTORS 4u
/* A predictor whose neighbours' absolute errors sum to s weighs WEIGHT_ONE / (1+s)^2 + 1. */
#define WEIGHT_ONE 65536u

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

/* The model (bridge/src/serial/protocol/level-rice-model.ts): per channel, the mapped errors z
 * of the row above and of this row (the Rice context), and each predictor's absolute error there
 * (the blend's weights). */
typedef struct {
  uint16_t z[2][MAX_WIDTH * 3u];
  uint8_t err[2][PREDICTORS][MAX_WIDTH * 3u];
  uint8_t each[PREDICTORS];
  uint32_t w, y, top;
} model;

/* The rows of the rectangle, extended upwards by the rows above it: NULL outside. */
typedef struct {
  const uint8_t *above;
  uint8_t *out;
  uint32_t primed, w;
} rows;

static const uint8_t *row_at(const rows *r, int32_t y) {
  if (y < 0) return NULL;
  if ((uint32_t)y < r->primed) return r->above + (uint32_t)y * r->w * 3u;
  return r->out + ((uint32_t)y - r->primed) * r->w * 3u;
}

static int clamp(int v, int top) { return v < 0 ? 0 : v > top ? top : v; }

/* The blended prediction of channel c at column x (rows cur, up, up2 of the extended rectangle);
 * leaves each predictor's own in m->each. */
static int predict(model *m, const uint8_t *cur, const uint8_t *up, const uint8_t *up2,
                   uint32_t x, uint32_t c) {
  uint32_t i = x * 3u + c;
  int wv = x > 0 ? cur[i - 3u] : (up ? up[i] : 0);
  int n = up ? up[i] : wv;
  int nw = (x > 0 && up) ? up[i - 3u] : n;
  int ne = (up && x + 1u < m->w) ? up[i + 3u] : n;
  int ww = x > 1 ? cur[i - 6u] : wv;
  int nn = up2 ? up2[i] : n;
  int top = (int)m->top;
  m->each[0] = (uint8_t)clamp(wv + n - nw, top);
  m->each[1] = (uint8_t)clamp(wv + ne - n, top);
  m->each[2] = (uint8_t)clamp(2 * wv - ww, top);
  m->each[3] = (uint8_t)clamp(2 * n - nn, top);
  const uint8_t(*err_up)[MAX_WIDTH * 3u] = m->err[(m->y + 1u) & 1u];
  const uint8_t(*err_cur)[MAX_WIDTH * 3u] = m->err[m->y & 1u];
  uint32_t sum = 0, weights = 0;
  for (uint32_t j = 0; j < PREDICTORS; j++) {
    /* The predictor's errors on the left, up, up-left and up-right neighbours (0 outside). */
    uint32_t s = x > 0 ? err_cur[j][i - 3u] : 0u;
    if (m->y > 0) {
      s += err_up[j][i];
      if (x > 0) s += err_up[j][i - 3u];
      if (x + 1u < m->w) s += err_up[j][i + 3u];
    }
    uint32_t weight = WEIGHT_ONE / ((1u + s) * (1u + s)) + 1u;
    sum += weight * m->each[j];
    weights += weight;
  }
  return (int)((sum + (weights >> 1)) / weights);
}

/* k = floor(log2) of the mean z of the four neighbours already decoded, 0..7. */
static uint8_t rice_parameter(const model *m, uint32_t x, uint32_t c) {
  const uint16_t *previous = m->z[(m->y + 1u) & 1u], *current = m->z[m->y & 1u];
  bool above = m->y > 0;
  uint32_t left = x > 0 ? current[(x - 1u) * 3u + c] : EDGE_MAGNITUDE;
  uint32_t up = above ? previous[x * 3u + c] : EDGE_MAGNITUDE;
  uint32_t up_left = (x > 0 && above) ? previous[(x - 1u) * 3u + c] : EDGE_MAGNITUDE;
  uint32_t up_right = (above && x + 1u < m->w) ? previous[(x + 1u) * 3u + c] : EDGE_MAGNITUDE;
  uint32_t context = (left + up + up_left + up_right + 2u) >> 2;
  uint8_t k = 0;
  while (k < MAX_K && (2u << k) <= context) k++;
  return k;
}

static void record(model *m, uint32_t x, uint32_t c, int value, int predicted) {
  uint32_t i = x * 3u + c;
  uint8_t(*err_cur)[MAX_WIDTH * 3u] = m->err[m->y & 1u];
  for (uint32_t j = 0; j < PREDICTORS; j++) {
    int d = value - (int)m->each[j];
    err_cur[j][i] = (uint8_t)(d < 0 ? -d : d);
  }
  int error = value - predicted;
  m->z[m->y & 1u][i] = (uint16_t)(error >= 0 ? 2 * error : -2 * error - 1);
}

bool mb_level_rice_decode(const uint8_t *data, uint16_t len, uint8_t w, uint8_t h,
                          uint16_t class_count, const uint8_t *above, uint8_t above_rows,
                          uint8_t *out) {
  model m;
  if (w == 0 || w > MAX_WIDTH || h == 0 || above_rows > MB_LEVEL_RICE_PRIMED_ROWS ||
      (above_rows > 0 && above == NULL) || class_count == 0 || class_count > 256)
    return false;
  m.w = w;
  m.y = 0;
  m.top = class_count - 1u;
  rows r = {above, out, above_rows, w};
  bit_reader br = {data, len, 0, 0, 0};
  for (uint32_t y = 0; y < above_rows + (uint32_t)h; y++, m.y++) {
    const uint8_t *up = row_at(&r, (int32_t)y - 1), *up2 = row_at(&r, (int32_t)y - 2);
    if (y < above_rows) {
      /* A row of the draw buffer: modelled, not coded. */
      const uint8_t *known = row_at(&r, (int32_t)y);
      for (uint32_t x = 0; x < w; x++)
        for (uint32_t c = 0; c < 3; c++)
          record(&m, x, c, known[x * 3u + c], predict(&m, known, up, up2, x, c));
      continue;
    }
    uint8_t *cur = out + (y - above_rows) * w * 3u;
    for (uint32_t x = 0; x < w; x++) {
      for (uint32_t c = 0; c < 3; c++) {
        int predicted = predict(&m, cur, up, up2, x, c);
        uint8_t k = rice_parameter(&m, x, c);
        uint32_t quotient;
        if (!read_unary(&br, &quotient)) return false;
        int value;
        if (quotient == ESCAPE_QUOTIENT) {
          uint32_t raw;
          if (!read_bits(&br, 8, &raw)) return false;
          value = (int)raw;
        } else {
          uint32_t low = 0;
          if (k > 0 && !read_bits(&br, k, &low)) return false;
          uint32_t z = (quotient << k) | low;
          value = predicted + ((z & 1u) ? -(int)((z + 1u) >> 1) : (int)(z >> 1));
        }
        if (value < 0 || value >= (int)class_count) return false;
        record(&m, x, c, value, predicted);
        cur[x * 3u + c] = (uint8_t)value;
      }
    }
  }
  /* Only the zero pad bits of the last byte may be left. */
  return br.next == br.len && br.avail < 8u && br.window == 0;
}
