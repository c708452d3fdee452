/* RGB888 -> HUB75 bit-planes for binary code modulation, gamma and brightness applied. */
#ifndef MB_BITPLANE_H
#define MB_BITPLANE_H
#include <stdint.h>
#include "framebuffer.h"

/* Intensity level (0 .. 2^depth - 1) a channel value is shown at. */
uint8_t mb_level(uint8_t value, uint8_t depth, uint8_t brightness);

void mb_pack_planes(const uint8_t *rgb888, mb_planes planes, uint8_t depth, uint8_t brightness);

#endif
