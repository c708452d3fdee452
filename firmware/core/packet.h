/* Packets on the wire: header + body + CRC, COBS-framed between 0x00 delimiters. */
#ifndef MB_PACKET_H
#define MB_PACKET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cobs.h"
#include "mb_status.h"
#include "protocol.h"

#define MB_MAX_ENCODED MB_COBS_MAX_ENCODED(MB_MAX_PACKET)
/* Largest wire form of one packet: both delimiters plus the encoded packet. */
#define MB_MAX_WIRE (MB_MAX_ENCODED + 2u)

typedef struct {
  uint8_t type;
  uint16_t seq;
  const uint8_t *body; /* points into the parser's buffer: valid until the next feed */
  uint16_t body_len;
} mb_packet;

/* Streaming receiver. Caller-allocated; zero it or call mb_parser_init. */
typedef struct {
  uint8_t buf[MB_MAX_ENCODED];
  uint16_t len;
  bool discarding; /* frame grew past MB_MAX_ENCODED: drop bytes until the next 0x00 */
} mb_parser;

typedef enum { MB_FEED_MORE, MB_FEED_PACKET, MB_FEED_DROPPED } mb_feed_result;

void mb_parser_init(mb_parser *p);
/* On MB_FEED_PACKET fills *pkt; on MB_FEED_DROPPED sets *why (COBS, SHORT, OVERSIZE, CRC). */
mb_feed_result mb_parser_feed(mb_parser *p, uint8_t byte, mb_packet *pkt, mb_status *why);

/* Streaming transmitter: builds the wire form (with both delimiters) while the body is added. */
typedef struct {
  uint8_t *out;
  size_t cap, o, code_at, raw_len;
  uint8_t code;
  uint16_t crc;
  bool overflow;
} mb_writer;

void mb_writer_begin(mb_writer *w, uint8_t *out, size_t cap, uint8_t type, uint16_t seq);
void mb_writer_put(mb_writer *w, const uint8_t *data, size_t len);
void mb_writer_u8(mb_writer *w, uint8_t v);
void mb_writer_u16(mb_writer *w, uint16_t v);
void mb_writer_u32(mb_writer *w, uint32_t v);
/* MB_ERR_SPACE if out was too small, MB_ERR_OVERSIZE if the packet exceeds MB_MAX_PACKET. */
mb_status mb_writer_finish(mb_writer *w, size_t *wire_len);

#endif
