#ifndef MB_GAMMA_H
#define MB_GAMMA_H
#include <stdint.h>

/* 8-bit sRGB-ish value -> linear 16-bit intensity, gamma 2.2 (tools/gen_gamma.py). */
extern const uint16_t mb_gamma16[256];

#endif
