#include "bitplane.h"
#include <string.h>
#include "gamma.h"

/* Rounded, not truncated: truncation put every value whose level is below 1.0 at black and
 * made every level up to a whole step too dark. The lowest lit level is kept for values
 * the curve puts below half a step, so a dark colour stays visible instead of vanishing. */
uint8_t mb_level(uint8_t value, uint8_t depth) {
  uint32_t top = (1u << depth) - 1u;
  uint32_t level = ((uint32_t)mb_gamma16[value] * top + 32767u) / 65535u;
  if (level == 0 && value != 0) level = 1;
  return (uint8_t)level;
}

void mb_pack_planes(const uint8_t *rgb888, mb_planes planes, uint8_t depth) {
  uint8_t lut[256];
  for (uint16_t v = 0; v < 256; v++) lut[v] = mb_level((uint8_t)v, depth);
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
