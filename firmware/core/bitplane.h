/* RGB888 -> HUB75 bit-planes for binary code modulation, gamma applied. Brightness is not
 * applied here: the scan dims by lit time (scan_timing.h), so the planes keep their depth. */
#ifndef MB_BITPLANE_H
#define MB_BITPLANE_H
#include <stdint.h>
#include "framebuffer.h"

/* Intensity level (0 .. 2^depth - 1) a channel value is shown at: gamma 2.2 rounded to the
 * nearest level, and never 0 for a value that is not 0. */
uint8_t mb_level(uint8_t value, uint8_t depth);

void mb_pack_planes(const uint8_t *rgb888, mb_planes planes, uint8_t depth);

#endif
