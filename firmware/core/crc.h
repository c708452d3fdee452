/* CRC-16/CCITT-FALSE for packets, CRC-32 (ISO-HDLC, zlib's) for frames. */
#ifndef MB_CRC_H
#define MB_CRC_H
#include <stddef.h>
#include <stdint.h>

#define MB_CRC16_INIT 0xFFFFu

/* Incremental: start with MB_CRC16_INIT and feed chunks in order. */
uint16_t mb_crc16_update(uint16_t crc, const uint8_t *data, size_t len);

/* Incremental: start with crc = 0, feed chunks, the result after each call is the CRC so far. */
uint32_t mb_crc32_update(uint32_t crc, const uint8_t *data, size_t len);

#endif
