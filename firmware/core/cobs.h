/* Consistent Overhead Byte Stuffing without the trailing zero (docs/serial-protocol.md §1). */
#ifndef MB_COBS_H
#define MB_COBS_H
#include <stddef.h>
#include <stdint.h>
#include "mb_status.h"

/* Worst-case encoded size of n bytes. */
#define MB_COBS_MAX_ENCODED(n) ((n) + (n) / 254u + 1u)

mb_status mb_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);
/* In-place safe: out may equal in (decoding never writes ahead of reading). */
mb_status mb_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif
