#include "packet.h"
#include "crc.h"

void mb_parser_init(mb_parser *p) {
  p->len = 0;
  p->discarding = false;
}

static mb_status check_frame(mb_parser *p, mb_packet *pkt) {
  size_t n;
  /* Decoding in place is safe: the decoder never writes ahead of where it reads. */
  mb_status st = mb_cobs_decode(p->buf, p->len, p->buf, sizeof p->buf, &n);
  if (st != MB_OK) return st == MB_ERR_SPACE ? MB_ERR_OVERSIZE : st;
  if (n < MB_MIN_PACKET) return MB_ERR_SHORT;
  if (n > MB_MAX_PACKET) return MB_ERR_OVERSIZE;
  uint16_t want = (uint16_t)(p->buf[n - 2] | (p->buf[n - 1] << 8));
  if (mb_crc16_update(MB_CRC16_INIT, p->buf, n - MB_CRC_SIZE) != want) return MB_ERR_CRC;
  pkt->type = p->buf[0];
  pkt->seq = (uint16_t)(p->buf[1] | (p->buf[2] << 8));
  pkt->body = p->buf + MB_HEADER_SIZE;
  pkt->body_len = (uint16_t)(n - MB_MIN_PACKET);
  return MB_OK;
}

mb_feed_result mb_parser_feed(mb_parser *p, uint8_t byte, mb_packet *pkt, mb_status *why) {
  if (byte != 0) {
    if (p->discarding) return MB_FEED_MORE;
    if (p->len >= sizeof p->buf) {
      p->discarding = true;
      *why = MB_ERR_OVERSIZE;
      return MB_FEED_DROPPED;
    }
    p->buf[p->len++] = byte;
    return MB_FEED_MORE;
  }
  bool was_discarding = p->discarding;
  uint16_t len = p->len;
  p->discarding = false;
  if (was_discarding || len == 0) {
    p->len = 0;
    return MB_FEED_MORE;
  }
  mb_status st = check_frame(p, pkt);
  p->len = 0;
  if (st != MB_OK) {
    *why = st;
    return MB_FEED_DROPPED;
  }
  return MB_FEED_PACKET;
}

static void emit(mb_writer *w, uint8_t b) {
  if (w->o >= w->cap) {
    w->overflow = true;
    return;
  }
  w->out[w->o++] = b;
}

static void close_block(mb_writer *w) {
  if (w->code_at < w->cap) w->out[w->code_at] = w->code;
  w->code = 1;
  w->code_at = w->o;
  emit(w, 0); /* placeholder for the next code byte */
}

static void cobs_put(mb_writer *w, uint8_t b) {
  w->raw_len++;
  if (b == 0) {
    close_block(w);
    return;
  }
  emit(w, b);
  if (++w->code == 0xFF) close_block(w);
}

void mb_writer_begin(mb_writer *w, uint8_t *out, size_t cap, uint8_t type, uint16_t seq) {
  w->out = out;
  w->cap = cap;
  w->o = 0;
  w->raw_len = 0;
  w->overflow = false;
  w->crc = MB_CRC16_INIT;
  emit(w, 0);
  w->code = 1;
  w->code_at = w->o;
  emit(w, 0);
  uint8_t hdr[3] = {type, (uint8_t)seq, (uint8_t)(seq >> 8)};
  mb_writer_put(w, hdr, sizeof hdr);
}

void mb_writer_put(mb_writer *w, const uint8_t *data, size_t len) {
  w->crc = mb_crc16_update(w->crc, data, len);
  for (size_t i = 0; i < len; i++) cobs_put(w, data[i]);
}

void mb_writer_u8(mb_writer *w, uint8_t v) { mb_writer_put(w, &v, 1); }

void mb_writer_u16(mb_writer *w, uint16_t v) {
  uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  mb_writer_put(w, b, 2);
}

void mb_writer_u32(mb_writer *w, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  mb_writer_put(w, b, 4);
}

mb_status mb_writer_finish(mb_writer *w, size_t *wire_len) {
  uint16_t crc = w->crc;
  cobs_put(w, (uint8_t)crc);
  cobs_put(w, (uint8_t)(crc >> 8));
  if (w->code_at < w->cap) w->out[w->code_at] = w->code;
  emit(w, 0);
  if (w->raw_len > MB_MAX_PACKET) return MB_ERR_OVERSIZE;
  if (w->overflow) return MB_ERR_SPACE;
  *wire_len = w->o;
  return MB_OK;
}
