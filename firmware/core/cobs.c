#include "cobs.h"

mb_status mb_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
  size_t code_at = 0, o = 1;
  uint8_t code = 1;
  if (cap < 1) return MB_ERR_SPACE;
  for (size_t i = 0; i < len; i++) {
    if (in[i] != 0) {
      if (o >= cap) return MB_ERR_SPACE;
      out[o++] = in[i];
      code++;
    }
    if (in[i] == 0 || code == 0xFF) {
      out[code_at] = code;
      code = 1;
      code_at = o;
      if (o >= cap) return MB_ERR_SPACE;
      o++;
    }
  }
  out[code_at] = code;
  *out_len = o;
  return MB_OK;
}

mb_status mb_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
  size_t i = 0, o = 0;
  while (i < len) {
    uint8_t code = in[i++];
    if (code == 0 || i + (size_t)(code - 1) > len) return MB_ERR_COBS;
    for (uint8_t k = 1; k < code; k++) {
      if (o >= cap) return MB_ERR_SPACE;
      out[o++] = in[i++];
    }
    if (code != 0xFF && i < len) {
      if (o >= cap) return MB_ERR_SPACE;
      out[o++] = 0;
    }
  }
  *out_len = o;
  return MB_OK;
}
