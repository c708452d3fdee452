/* Message bodies, described by one schema table (docs/serial-protocol.md §3). */
#ifndef MB_MESSAGES_H
#define MB_MESSAGES_H
#include <stddef.h>
#include <stdint.h>
#include "mb_status.h"
#include "packet.h"
#include "protocol.h"

typedef enum { MB_TAIL_NONE, MB_TAIL_BYTES, MB_TAIL_TEXT, MB_TAIL_COUNTERS } mb_tail_kind;

typedef struct {
  uint8_t type;
  const char *name;
  uint8_t field_count;
  const uint8_t *field_sizes;        /* 1, 2 or 4 bytes each, little-endian */
  const char *const *field_names;
  mb_tail_kind tail;
  const char *tail_name;
} mb_schema;

/* NULL for an unknown type. */
const mb_schema *mb_schema_for(uint8_t type);
const mb_schema *mb_schema_named(const char *name);

/* MB_ERR_TYPE for an unknown type, MB_ERR_BODY when the body is shorter than its fields.
 * The message's tail points into the packet's body. */
mb_status mb_msg_decode(const mb_packet *pkt, mb_msg *msg);

/* Writes the wire form, both delimiters included. */
mb_status mb_msg_encode(const mb_msg *msg, uint8_t *out, size_t cap, size_t *wire_len);

#endif
