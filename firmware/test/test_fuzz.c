/* Feeds random and mutated packets to the parser and the whole device (dispatcher, handlers,
 * reliability, frame buffer) under ASan/UBSan. Any finding aborts the run (-fno-sanitize-recover).
 * Runs last: it leaves the fake board's capture in an arbitrary state. */
#include <stdio.h>
#include <string.h>
#include "../core/device.h"
#include "check.h"
#include "fake_board.h"
#include "suites.h"

static uint64_t rng_state;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 16);
}

static const uint8_t types[] = {0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                                0x81, 0x82, 0x83, 0x86, 0x90, 0x7F, 0x00, 0xFF};

/* A packet with a valid CRC: reaches the dispatcher unless mutated afterwards. */
static size_t valid_packet(mb_device *d, uint8_t *wire, size_t cap) {
  static uint8_t body[MB_MAX_BODY];
  uint8_t type = types[rnd() % sizeof types];
  uint16_t seq = (rnd() % 4) ? d->link.rx_next : (uint16_t)rnd();
  size_t len = rnd() % 8 ? rnd() % 24 : rnd() % (MB_MAX_BODY + 1);
  for (size_t i = 0; i < len; i++) body[i] = (uint8_t)rnd();
  if (type == 0x10 && len >= 5 && rnd() % 2) { /* plausible rectangles reach the pixel loops */
    body[0] = (uint8_t)(rnd() % 4); /* every pixel format, LEVEL_RICE included */
    body[1] = (uint8_t)(rnd() % 64);
    body[2] = (uint8_t)(rnd() % 32);
    body[3] = (uint8_t)(1 + rnd() % 8);
    body[4] = (uint8_t)(1 + rnd() % 4);
  }
  if (type == 0x01 && len >= 1) body[0] = rnd() % 8 ? 1 : (uint8_t)rnd();
  mb_writer w;
  size_t n = 0;
  mb_writer_begin(&w, wire, cap, type, seq);
  mb_writer_put(&w, body, len);
  return mb_writer_finish(&w, &n) == MB_OK ? n : 0;
}

static size_t mutate(uint8_t *wire, size_t n, size_t cap) {
  switch (rnd() % 5) {
    case 0: /* flip bits */
      for (uint32_t k = 1 + rnd() % 4; k-- && n;) wire[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
      return n;
    case 1: /* truncate */
      return n ? rnd() % n : 0;
    case 2: /* overwrite a byte, possibly with a delimiter */
      if (n) wire[rnd() % n] = rnd() % 2 ? 0 : (uint8_t)rnd();
      return n;
    case 3: { /* duplicate a slice */
      if (n < 2) return n;
      size_t at = rnd() % n, len = rnd() % (n - at);
      if (n + len > cap) return n;
      memcpy(wire + n, wire + at, len);
      return n + len;
    }
    default:
      return n; /* unmutated */
  }
}

static long fuzz_packets;

static void random_and_mutated_packets_never_break_the_device(void) {
  static const mb_board_info board = {"fuzz", 0, 1, 0, 2, 1, false, 6, 8};
  static mb_device dev;
  static uint8_t wire[MB_MAX_WIRE * 2];
  rng_state = 0x9E3779B97F4A7C15ull;
  fake_board_reset();
  mb_device_init(&dev, &board, 1, 0);
  uint32_t now = 0;
  for (long i = 0; i < fuzz_packets; i++) {
    size_t n;
    if (rnd() % 5 == 0) {
      n = rnd() % 64;
      for (size_t k = 0; k < n; k++) wire[k] = (uint8_t)rnd();
    } else {
      n = mutate(wire, valid_packet(&dev, wire, MB_MAX_WIRE), sizeof wire);
    }
    mb_device_rx(&dev, wire, n, now);
    if (i % 16 == 0) {
      now += rnd() % 50;
      fake_buttons[0] = rnd() % 2;
      mb_device_poll(&dev, now, rnd() % 2);
    }
    if (fake_tx_len > FAKE_TX_CAP / 2) fake_tx_len = 0;
  }
  uint32_t dropped = dev.counters[MB_CNT_RX_CRC_ERRORS] + dev.counters[MB_CNT_RX_MALFORMED] +
                     dev.counters[MB_CNT_RX_OVERSIZE];
  printf("fuzz: %ld packets, %u accepted, %u dropped, %u rejected, %u frames shown\n",
         fuzz_packets, dev.counters[MB_CNT_RX_PACKETS], dropped, dev.counters[MB_CNT_REJECTED],
         dev.fb.frames_shown);
  /* The run must have reached every stage, or the fuzzer is not testing what it claims to. */
  CHECK(dev.counters[MB_CNT_RX_PACKETS] > 0);
  CHECK(dropped > 0);
  CHECK(dev.counters[MB_CNT_REJECTED] > 0);
  CHECK(dev.counters[MB_CNT_RX_GAPS] > 0);
  CHECK(dev.fb.frames_shown > 0);
}

void suite_fuzz(long packets) {
  fuzz_packets = packets;
  RUN(random_and_mutated_packets_never_break_the_device);
}
