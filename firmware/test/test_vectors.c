/* Checks the C codec against firmware/protocol/vectors.txt (format: docs/serial-protocol.md §8). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/messages.h"
#include "check.h"
#include "suites.h"

typedef struct {
  char name[64], kind[32];
  char *fields;
  uint8_t wire[8192];
  size_t wire_len;
  uint8_t tail[4096];
  size_t tail_len;
} vector;

static char *trim(char *s) {
  while (*s == ' ') s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
  return s;
}

static size_t parse_hex(const char *s, uint8_t *out, size_t cap) {
  size_t n = 0;
  while (*s) {
    while (*s == ' ') s++;
    if (!s[0] || !s[1] || n >= cap) break;
    char pair[3] = {s[0], s[1], 0};
    out[n++] = (uint8_t)strtoul(pair, NULL, 16);
    s += 2;
  }
  return n;
}

static int field_index(const mb_schema *s, const char *key) {
  for (int i = 0; i < s->field_count; i++)
    if (strcmp(s->field_names[i], key) == 0) return i;
  return -1;
}

/* Fills msg from "NAME seq=.. key=value ..."; false (with a message) on anything unexpected. */
static bool build_msg(vector *v, mb_msg *msg) {
  char *save = NULL, *tok = strtok_r(v->fields, " ", &save);
  const mb_schema *s = tok ? mb_schema_named(tok) : NULL;
  if (!s) {
    fprintf(stderr, "  %s: unknown message %s\n", v->name, tok ? tok : "(none)");
    return false;
  }
  memset(msg, 0, sizeof *msg);
  msg->type = s->type;
  unsigned seen = 0;
  bool tail_seen = s->tail == MB_TAIL_NONE, seq_seen = false;
  while ((tok = strtok_r(NULL, " ", &save))) {
    char *eq = strchr(tok, '=');
    if (!eq) return false;
    *eq = 0;
    const char *key = tok, *val = eq + 1;
    int idx = field_index(s, key);
    if (strcmp(key, "seq") == 0) {
      msg->seq = (uint16_t)strtoul(val, NULL, 10);
      seq_seen = true;
    } else if (idx >= 0) {
      msg->v[idx] = (uint32_t)strtoul(val, NULL, 10);
      seen |= 1u << idx;
    } else if (s->tail_name && strcmp(key, s->tail_name) == 0) {
      tail_seen = true;
      if (s->tail == MB_TAIL_BYTES) {
        v->tail_len = parse_hex(val + 2, v->tail, sizeof v->tail);
      } else if (s->tail == MB_TAIL_TEXT) {
        v->tail_len = strlen(val) - 2;
        memcpy(v->tail, val + 1, v->tail_len);
      } else {
        char *lsave = NULL, *list = (char *)val;
        v->tail_len = 0;
        for (char *c = strtok_r(list, ",", &lsave); c; c = strtok_r(NULL, ",", &lsave)) {
          uint32_t n = (uint32_t)strtoul(c, NULL, 10);
          for (int k = 0; k < 4; k++) v->tail[v->tail_len++] = (uint8_t)(n >> (8 * k));
          msg->tail_count++;
        }
      }
      msg->tail = v->tail;
      msg->tail_len = (uint16_t)v->tail_len;
    } else {
      fprintf(stderr, "  %s: unexpected key %s\n", v->name, key);
      return false;
    }
  }
  if (!seq_seen || !tail_seen || seen != (1u << s->field_count) - 1u) {
    fprintf(stderr, "  %s: missing fields\n", v->name);
    return false;
  }
  return true;
}

static void check_ok_vector(vector *v) {
  mb_msg want, got;
  if (!build_msg(v, &want)) {
    check_failures++;
    return;
  }
  static uint8_t out[8192];
  size_t n = 0;
  CHECK_EQ(mb_msg_encode(&want, out, sizeof out, &n), MB_OK);
  CHECK_EQ(n, v->wire_len);
  if (n == v->wire_len && memcmp(out, v->wire, n) != 0) {
    check_failures++;
    fprintf(stderr, "  %s: encoded bytes differ\n", v->name);
  }
  static mb_parser p;
  mb_parser_init(&p);
  int packets = 0;
  mb_packet pkt;
  for (size_t i = 0; i < v->wire_len; i++) {
    mb_status why;
    mb_packet one;
    mb_feed_result r = mb_parser_feed(&p, v->wire[i], &one, &why);
    CHECK(r != MB_FEED_DROPPED);
    if (r == MB_FEED_PACKET) {
      packets++;
      pkt = one;
    }
  }
  CHECK_EQ(packets, 1);
  if (packets != 1) return;
  CHECK_EQ(mb_msg_decode(&pkt, &got), MB_OK);
  CHECK_EQ(got.type, want.type);
  CHECK_EQ(got.seq, want.seq);
  for (int i = 0; i < MB_MSG_MAX_FIELDS; i++) CHECK_EQ(got.v[i], want.v[i]);
  CHECK_EQ(got.tail_len, want.tail_len);
  CHECK_EQ(got.tail_count, want.tail_count);
  if (got.tail_len == want.tail_len && got.tail_len) CHECK(memcmp(got.tail, want.tail, got.tail_len) == 0);
}

static void check_reject_vector(vector *v) {
  const char *reason = v->kind + strlen("reject:");
  static mb_parser p;
  mb_parser_init(&p);
  int packets = 0, dropped = 0;
  mb_status why = MB_OK, last_why = MB_OK;
  mb_packet pkt;
  for (size_t i = 0; i < v->wire_len; i++) {
    mb_packet one;
    mb_feed_result r = mb_parser_feed(&p, v->wire[i], &one, &why);
    if (r == MB_FEED_PACKET) {
      packets++;
      pkt = one;
    } else if (r == MB_FEED_DROPPED) {
      dropped++;
      last_why = why;
    }
  }
  if (strcmp(reason, "body") == 0) {
    mb_msg m;
    CHECK_EQ(packets, 1);
    if (packets == 1) CHECK_EQ(mb_msg_decode(&pkt, &m), MB_ERR_BODY);
    return;
  }
  mb_status want = strcmp(reason, "crc") == 0        ? MB_ERR_CRC
                   : strcmp(reason, "cobs") == 0     ? MB_ERR_COBS
                   : strcmp(reason, "short") == 0    ? MB_ERR_SHORT
                   : strcmp(reason, "oversize") == 0 ? MB_ERR_OVERSIZE
                                                     : MB_OK;
  CHECK(want != MB_OK);
  CHECK_EQ(packets, 0);
  CHECK_EQ(dropped, 1);
  CHECK_EQ(last_why, want);
}

static const char *vectors_path;
static int vectors_seen, rejects_seen;

static void all_vectors(void) {
  FILE *f = fopen(vectors_path, "r");
  CHECK(f != NULL);
  if (!f) return;
  char *line = NULL;
  size_t cap = 0;
  static vector v;
  while (getline(&line, &cap, f) > 0) {
    if (line[0] == '#' || line[0] == '\n') continue;
    char *parts[4], *save = NULL, *p = line;
    int n = 0;
    for (char *tok = strtok_r(p, "|", &save); tok && n < 4; tok = strtok_r(NULL, "|", &save)) parts[n++] = trim(tok);
    CHECK_EQ(n, 4);
    if (n != 4) continue;
    memset(&v, 0, sizeof v);
    snprintf(v.name, sizeof v.name, "%s", parts[0]);
    snprintf(v.kind, sizeof v.kind, "%s", parts[1]);
    v.fields = parts[2];
    v.wire_len = parse_hex(parts[3], v.wire, sizeof v.wire);
    int before = check_failures;
    if (strcmp(v.kind, "ok") == 0) {
      check_ok_vector(&v);
    } else {
      CHECK(strncmp(v.kind, "reject:", 7) == 0);
      check_reject_vector(&v);
      rejects_seen++;
    }
    if (check_failures != before) fprintf(stderr, "  vector %s failed\n", v.name);
    vectors_seen++;
  }
  free(line);
  fclose(f);
  CHECK(vectors_seen >= 30);
  CHECK(rejects_seen >= 8);
}

void suite_vectors(const char *path) {
  vectors_path = path;
  RUN(all_vectors);
}
