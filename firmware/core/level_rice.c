#include "level_rice.h"
#include <stddef.h>
#include <string.h>
#include "bitplane.h"

#define ESCAPE_QUOTIENT 16u
#define MAX_K 7u
#define EDGE_MAGNITUDE 2u
#define MAX_WIDTH 64u
/* Predictors blended: W+N-NW, W+NE-N, 2W-WW, 2N-NN. */
#define PREDICTORS 4u
/* A predictor whose neighbours' absolute errors sum to s weighs WEIGHT_ONE / (1+s)^2 + 1. */
#define WEIGHT_ONE 65536u
/* Error sums from this one on weigh 1: WEIGHT_ONE / (1+s)^2 is below 1. */
#define WEIGHTED 256u

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

/* One bits up to a zero bit (consumed) or ESCAPE_QUOTIENT of them; false past the end. Counts
 * the ones of the window at once: the decoder's most frequent step. */
static bool read_unary(bit_reader *r, uint32_t *quotient) {
  uint32_t q = 0;
  for (;;) {
    if (r->avail == 0) refill(r);
    if (r->avail == 0) return false;
    /* Bits past `avail` are zero, so the run of ones stops inside the window. */
    uint32_t ones = r->window == 0xFFFFFFFFu ? 32u : (uint32_t)__builtin_clz(~r->window);
    if (ones > r->avail) ones = r->avail;
    if (q + ones >= ESCAPE_QUOTIENT) ones = ESCAPE_QUOTIENT - q;
    q += ones;
    bool zero = q < ESCAPE_QUOTIENT && ones < r->avail;
    uint32_t used = ones + (zero ? 1u : 0u);
    r->window = used >= 32u ? 0u : r->window << used;
    r->avail = (uint8_t)(r->avail - used);
    if (zero || q == ESCAPE_QUOTIENT) break;
  }
  *quotient = q;
  return true;
}

/* A row of the model's state: one column of padding on each side, so the neighbours of the
 * rectangle's edge columns read the values outside (2 for z, 0 for errors) without a test. */
#define COLUMNS (MAX_WIDTH + 2u)

/* The model (bridge/src/serial/protocol/level-rice-model.ts): per channel, the mapped errors z
 * of the row above and of this row (the Rice context), and each predictor's absolute error there
 * (the blend's weights), the predictors of one channel side by side. */
typedef struct {
  uint16_t z[2][COLUMNS * 3u];
  uint8_t err[2][COLUMNS * 3u][PREDICTORS];
  /* This row's and the row above's, swapped at each row. */
  uint16_t *z_cur, *z_up;
  uint8_t (*err_cur)[PREDICTORS], (*err_up)[PREDICTORS];
  uint8_t each[PREDICTORS];
  uint32_t w, top;
  /* WEIGHT_ONE / (1+s)^2 + 1 for s below WEIGHTED (1 from there on): no division per weight. */
  uint32_t weight[WEIGHTED];
} model;

static void model_init(model *m, uint32_t w, uint32_t class_count) {
  m->w = w;
  m->top = class_count - 1u;
  /* The row above the first is outside: z 2, errors 0; so are the padding columns, for good. */
  for (uint32_t i = 0; i < COLUMNS * 3u; i++) m->z[0][i] = m->z[1][i] = EDGE_MAGNITUDE;
  memset(m->err, 0, sizeof m->err);
  m->z_cur = m->z[0];
  m->z_up = m->z[1];
  m->err_cur = m->err[0];
  m->err_up = m->err[1];
  for (uint32_t s = 0; s < WEIGHTED; s++) m->weight[s] = WEIGHT_ONE / ((1u + s) * (1u + s)) + 1u;
}

static void model_end_row(model *m) {
  uint16_t *z = m->z_up;
  m->z_up = m->z_cur;
  m->z_cur = z;
  uint8_t(*err)[PREDICTORS] = m->err_up;
  m->err_up = m->err_cur;
  m->err_cur = err;
}

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
  /* The predictors' errors on the left, up-left, up and up-right neighbours (padded: i + 3 is
   * column x). */
  const uint8_t *left = m->err_cur[i], *up_left = m->err_up[i], *above = m->err_up[i + 3u],
                *up_right = m->err_up[i + 6u];
  uint32_t sum = 0, weights = 0;
  for (uint32_t j = 0; j < PREDICTORS; j++) {
    uint32_t s = (uint32_t)left[j] + up_left[j] + above[j] + up_right[j];
    uint32_t weight = s < WEIGHTED ? m->weight[s] : 1u;
    sum += weight * m->each[j];
    weights += weight;
  }
  return (int)((sum + (weights >> 1)) / weights);
}

/* k = floor(log2) of the mean z of the four neighbours already decoded, 0..7. */
static uint8_t rice_parameter(const model *m, uint32_t x, uint32_t c) {
  uint32_t i = x * 3u + c; /* the left neighbour's column in the padded rows */
  uint32_t context = (m->z_cur[i] + m->z_up[i] + m->z_up[i + 3u] + m->z_up[i + 6u] + 2u) >> 2;
  uint8_t k = 0;
  while (k < MAX_K && (2u << k) <= context) k++;
  return k;
}

static void record(model *m, uint32_t x, uint32_t c, int value, int predicted) {
  uint32_t i = x * 3u + c + 3u;
  for (uint32_t j = 0; j < PREDICTORS; j++) {
    int d = value - (int)m->each[j];
    m->err_cur[i][j] = (uint8_t)(d < 0 ? -d : d);
  }
  int error = value - predicted;
  m->z_cur[i] = (uint16_t)(error >= 0 ? 2 * error : -2 * error - 1);
}

bool mb_level_rice_decode(const uint8_t *data, uint16_t len, uint8_t w, uint8_t h,
                          uint16_t class_count, const uint8_t *above, uint8_t above_rows,
                          uint8_t *out) {
  model m;
  if (w == 0 || w > MAX_WIDTH || h == 0 || above_rows > MB_LEVEL_RICE_PRIMED_ROWS ||
      (above_rows > 0 && above == NULL) || class_count == 0 || class_count > 256)
    return false;
  model_init(&m, w, class_count);
  m.top = class_count - 1u;
  rows r = {above, out, above_rows, w};
  bit_reader br = {data, len, 0, 0, 0};
  for (uint32_t y = 0; y < above_rows + (uint32_t)h; y++, model_end_row(&m)) {
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
