/* LEVEL_RICE: the C decoder against protocol/pixel-vectors.txt (the TS codec's test reads the
 * same file), the draw buffer it writes, and mutated streams under ASan/UBSan. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/framebuffer.h"
#include "../core/level_rice.h"
#include "check.h"
#include "suites.h"

static size_t hex_bytes(const char *s, uint8_t *out, size_t cap) {
  size_t n = 0;
  while (s[0] && s[1] && n < cap) {
    if (s[0] == ' ' || s[0] == '-') {
      s++;
      continue;
    }
    char pair[3] = {s[0], s[1], 0};
    out[n++] = (uint8_t)strtoul(pair, NULL, 16);
    s += 2;
  }
  return n;
}

static const char *path;
static int ok_vectors, reject_vectors;
static uint8_t good_stream[MB_MAX_BODY];
static size_t good_len;

/* Decodes through the frame buffer, as WRITE_RECT does, at row `y`; 0 or the reject reason. */
static uint8_t write_at(mb_framebuffer *fb, uint8_t y, uint8_t w, uint8_t h, const uint8_t *data,
                        size_t len) {
  return mb_fb_write_rect(fb, MB_FMT_LEVEL_RICE, 0, y, w, h, data, (uint16_t)len);
}

static void pixel_vectors_decode_as_specified(void) {
  static mb_framebuffer fb;
  static char line[40000];
  static uint8_t pixels[MB_FRAME_BYTES], bytes[MB_MAX_BODY], above[2u * MB_PANEL_WIDTH * 3u];
  FILE *f = fopen(path, "r");
  CHECK(f != NULL);
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    /* name | kind | depth w h | rows above | pixels | bytes */
    char *field[6];
    char *save = NULL;
    int n = 0;
    for (char *t = strtok_r(line, "|", &save); t && n < 6; t = strtok_r(NULL, "|", &save)) field[n++] = t;
    if (n < 5) continue;
    int depth = 0, w = 0, h = 0;
    sscanf(field[2], "%d %d %d", &depth, &w, &h);
    size_t nabove = hex_bytes(field[3], above, sizeof above);
    size_t npx = hex_bytes(field[4], pixels, sizeof pixels);
    size_t nbytes = n == 6 ? hex_bytes(field[5], bytes, sizeof bytes) : 0;
    mb_fb_init(&fb, (uint8_t)depth);
    memset(fb.draw, 0x5A, sizeof fb.draw);
    /* With rows above (1 or 2), the rectangle goes as many rows down, under them in the draw
     * buffer. */
    uint8_t y = 0;
    if (nabove > 0) {
      CHECK(nabove == (size_t)(w * 3) || nabove == (size_t)(2 * w * 3));
      y = (uint8_t)(nabove / (size_t)(w * 3));
      for (uint8_t r = 0; r < y; r++)
        memcpy(fb.draw + (size_t)r * MB_PANEL_WIDTH * 3u, above + (size_t)r * w * 3u, (size_t)w * 3u);
    }
    uint8_t result = write_at(&fb, y, (uint8_t)w, (uint8_t)h, bytes, nbytes);
    if (strstr(field[1], "reject")) {
      reject_vectors++;
      CHECK_EQ(result, MB_REJ_BAD_RLE);
      for (size_t i = (size_t)y * MB_PANEL_WIDTH * 3u; i < sizeof fb.draw; i++)
        if (fb.draw[i] != 0x5A) {
          CHECK(!"a rejected stream changed the draw buffer");
          break;
        }
      continue;
    }
    ok_vectors++;
    CHECK_EQ(result, 0);
    CHECK_EQ(npx, (size_t)(w * h * 3));
    for (int row = 0; row < h; row++)
      if (memcmp(fb.draw + (size_t)(y + row) * MB_PANEL_WIDTH * 3u, pixels + (size_t)row * w * 3,
                 (size_t)w * 3) != 0) {
        fprintf(stderr, "  vector '%s' row %d differs\n", field[0], row);
        CHECK(!"decoded pixels differ");
      }
    if (nbytes > good_len) {
      memcpy(good_stream, bytes, nbytes);
      good_len = nbytes;
    }
  }
  fclose(f);
  CHECK(ok_vectors >= 8);
  CHECK(reject_vectors >= 8);
}

static void level_classes_match_the_bridge(void) {
  uint8_t values[256], class_of[256];
  CHECK_EQ(mb_level_classes(8, values, class_of), 184);
  CHECK_EQ(class_of[255], 183);
  CHECK_EQ(values[class_of[200]], 200);
  CHECK_EQ(mb_level_classes(7, values, class_of), 127);
  CHECK_EQ(mb_level_classes(6, values, class_of), 64);
  CHECK_EQ(values[0], 0);
  CHECK_EQ(mb_level_classes(1, values, class_of), 2);
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}

/* Mutations of a real stream and random bytes, at every rectangle size up to the panel:
 * ASan/UBSan abort on any read or write outside the buffers. */
static void mutated_streams_stay_in_bounds(void) {
  static mb_framebuffer fb;
  static uint8_t data[MB_MAX_BODY];
  mb_fb_init(&fb, 8);
  CHECK(good_len > 0);
  for (long i = 0; i < 200000; i++) {
    size_t len = good_len;
    memcpy(data, good_stream, len);
    switch (rnd() % 4) {
      case 0: data[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8)); break;
      case 1: len = rnd() % (len + 1); break;
      case 2: len = rnd() % sizeof data; for (size_t k = 0; k < len; k++) data[k] = (uint8_t)rnd(); break;
      default: data[rnd() % len] = (uint8_t)rnd(); break;
    }
    uint8_t w = (uint8_t)(1 + rnd() % 64), h = (uint8_t)(1 + rnd() % 32);
    uint8_t x = (uint8_t)(rnd() % (65u - w)), y = (uint8_t)(rnd() % (33u - h));
    uint8_t r = mb_fb_write_rect(&fb, MB_FMT_LEVEL_RICE, x, y, w, h, data, (uint16_t)len);
    CHECK(r == 0 || r == MB_REJ_BAD_RLE);
  }
}

void suite_level_rice(const char *vectors_path) {
  path = vectors_path;
  RUN(level_classes_match_the_bridge);
  RUN(pixel_vectors_decode_as_specified);
  RUN(mutated_streams_stay_in_bounds);
}
