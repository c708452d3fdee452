#include <string.h>
#include "../core/cobs.h"
#include "../core/crc.h"
#include "../core/packet.h"
#include "check.h"
#include "suites.h"

static void crc_check_values(void) {
  const uint8_t s[] = "123456789";
  CHECK_EQ(mb_crc16_update(MB_CRC16_INIT, s, 9), 0x29B1);
  CHECK_EQ(mb_crc32_update(0, s, 9), 0xCBF43926u);
  CHECK_EQ(mb_crc32_update(mb_crc32_update(0, s, 4), s + 4, 5), 0xCBF43926u);
}

static void cobs_round_trips(void) {
  static uint8_t in[1100], enc[1200], dec[1100];
  const size_t sizes[] = {0, 1, 253, 254, 255, 508, 1024};
  for (int pattern = 0; pattern < 3; pattern++) {
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
      size_t n = sizes[k], e, d;
      for (size_t i = 0; i < n; i++) in[i] = pattern == 0 ? 0 : pattern == 1 ? 0x11 : (uint8_t)(i % 7);
      CHECK_EQ(mb_cobs_encode(in, n, enc, sizeof enc, &e), MB_OK);
      CHECK(e <= MB_COBS_MAX_ENCODED(n));
      CHECK(memchr(enc, 0, e) == NULL);
      CHECK_EQ(mb_cobs_decode(enc, e, dec, sizeof dec, &d), MB_OK);
      CHECK_EQ(d, n);
      CHECK(memcmp(in, dec, n) == 0);
    }
  }
}

static void cobs_rejects_and_space(void) {
  uint8_t out[8];
  size_t n;
  const uint8_t overrun[] = {5, 1, 2};
  CHECK_EQ(mb_cobs_decode(overrun, sizeof overrun, out, sizeof out, &n), MB_ERR_COBS);
  const uint8_t zero[] = {2, 1, 0};
  CHECK_EQ(mb_cobs_decode(zero, sizeof zero, out, sizeof out, &n), MB_ERR_COBS);
  const uint8_t in[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  CHECK_EQ(mb_cobs_encode(in, sizeof in, out, sizeof out, &n), MB_ERR_SPACE);
}

static void writer_refuses_oversize_and_small_buffers(void) {
  static uint8_t out[MB_MAX_WIRE + 16], body[MB_MAX_BODY + 1];
  mb_writer w;
  size_t n;
  memset(body, 0xAB, sizeof body);
  mb_writer_begin(&w, out, sizeof out, 0x10, 1);
  mb_writer_put(&w, body, MB_MAX_BODY);
  CHECK_EQ(mb_writer_finish(&w, &n), MB_OK);
  CHECK(n <= MB_MAX_WIRE);
  mb_writer_begin(&w, out, sizeof out, 0x10, 1);
  mb_writer_put(&w, body, MB_MAX_BODY + 1);
  CHECK_EQ(mb_writer_finish(&w, &n), MB_ERR_OVERSIZE);
  mb_writer_begin(&w, out, 6, 0x10, 1);
  mb_writer_put(&w, body, 10);
  CHECK_EQ(mb_writer_finish(&w, &n), MB_ERR_SPACE);
}

static void parser_recovers_after_garbage(void) {
  static mb_parser p;
  uint8_t wire[32];
  size_t n;
  mb_writer w;
  mb_writer_begin(&w, wire, sizeof wire, 0x11, 7);
  mb_writer_u32(&w, 99);
  CHECK_EQ(mb_writer_finish(&w, &n), MB_OK);
  mb_parser_init(&p);
  mb_packet pkt;
  mb_status why;
  const uint8_t junk[] = {0x42, 0x13, 0x37};
  for (size_t i = 0; i < sizeof junk; i++) CHECK_EQ(mb_parser_feed(&p, junk[i], &pkt, &why), MB_FEED_MORE);
  int packets = 0, dropped = 0;
  for (size_t i = 0; i < n; i++) {
    mb_feed_result r = mb_parser_feed(&p, wire[i], &pkt, &why);
    packets += r == MB_FEED_PACKET;
    dropped += r == MB_FEED_DROPPED;
  }
  CHECK_EQ(dropped, 1); /* the junk, ended by the leading delimiter */
  CHECK_EQ(packets, 1);
  CHECK_EQ(pkt.type, 0x11);
  CHECK_EQ(pkt.seq, 7);
  CHECK_EQ(pkt.body_len, 4);
}

static void parser_drops_endless_frame_and_recovers(void) {
  static mb_parser p;
  mb_parser_init(&p);
  mb_packet pkt;
  mb_status why = MB_OK;
  int dropped = 0;
  for (int i = 0; i < 5000; i++) dropped += mb_parser_feed(&p, 0x55, &pkt, &why) == MB_FEED_DROPPED;
  CHECK_EQ(dropped, 1);
  CHECK_EQ(why, MB_ERR_OVERSIZE);
  CHECK_EQ(mb_parser_feed(&p, 0, &pkt, &why), MB_FEED_MORE);
  uint8_t wire[16];
  size_t n;
  mb_writer w;
  mb_writer_begin(&w, wire, sizeof wire, 0x15, 3);
  CHECK_EQ(mb_writer_finish(&w, &n), MB_OK);
  int packets = 0;
  for (size_t i = 0; i < n; i++) packets += mb_parser_feed(&p, wire[i], &pkt, &why) == MB_FEED_PACKET;
  CHECK_EQ(packets, 1);
}

void suite_codec(void) {
  RUN(crc_check_values);
  RUN(cobs_round_trips);
  RUN(cobs_rejects_and_space);
  RUN(writer_refuses_oversize_and_small_buffers);
  RUN(parser_recovers_after_garbage);
  RUN(parser_drops_endless_frame_and_recovers);
}
