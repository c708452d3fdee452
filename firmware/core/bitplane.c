#include "bitplane.h"
#include <string.h>
#include "gamma.h"

uint8_t mb_level(uint8_t value, uint8_t depth, uint8_t brightness) {
  uint32_t scaled = (uint32_t)mb_gamma16[value] * brightness / 255u;
  return (uint8_t)(scaled >> (16u - depth));
}

void mb_pack_planes(const uint8_t *rgb888, mb_planes planes, uint8_t depth, uint8_t brightness) {
  uint8_t lut[256];
  for (uint16_t v = 0; v < 256; v++) lut[v] = mb_level((uint8_t)v, depth, brightness);
  memset(planes, 0, sizeof(mb_planes));
  for (uint8_t r = 0; r < MB_ROW_PAIRS; r++) {
    const uint8_t *top = rgb888 + (uint32_t)r * MB_PANEL_WIDTH * 3u;
    const uint8_t *bottom = rgb888 + (uint32_t)(r + MB_ROW_PAIRS) * MB_PANEL_WIDTH * 3u;
    for (uint8_t c = 0; c < MB_PANEL_WIDTH; c++) {
      uint8_t l[6] = {lut[top[c * 3]], lut[top[c * 3 + 1]], lut[top[c * 3 + 2]],
                      lut[bottom[c * 3]], lut[bottom[c * 3 + 1]], lut[bottom[c * 3 + 2]]};
      for (uint8_t p = 0; p < depth; p++) {
        uint8_t bits = 0;
        for (uint8_t k = 0; k < 6; k++) bits |= (uint8_t)(((l[k] >> p) & 1u) << k);
        planes[p][r][c] = bits;
      }
    }
  }
}
