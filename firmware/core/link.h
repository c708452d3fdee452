/* Reliable-delivery state for one session (docs/serial-protocol.md §4): in-order receive with
 * cumulative ACK / NACK-on-gap, and go-back-N transmit of the device's sequenced events. */
#ifndef MB_LINK_H
#define MB_LINK_H
#include <stdbool.h>
#include <stdint.h>

#define MB_EVENT_QUEUE 16u
#define MB_DEVICE_TX_WINDOW 8u

typedef enum { MB_SEQ_ACCEPT, MB_SEQ_DUPLICATE, MB_SEQ_GAP } mb_seq_verdict;

typedef struct {
  uint8_t button, event;
  uint32_t time_ms;
} mb_event;

typedef struct {
  bool session;
  uint8_t window;     /* receive window advertised to the host */
  /* receive side */
  uint16_t rx_next;
  bool ack_due;       /* an ACK(rx_next) should go out */
  bool nack_sent;     /* NACK(rx_next) already sent for the current gap */
  uint8_t since_ack;  /* packets accepted since the last ACK */
  /* transmit side: q[0 .. q_len) are unacknowledged, q[0] has sequence number q_seq */
  mb_event q[MB_EVENT_QUEUE];
  uint8_t q_len, q_sent;
  uint8_t q_high;      /* q[0 .. q_high) have been sent at least once */
  uint16_t q_seq;
  uint32_t q_sent_at;  /* when q[0] was (re)sent */
} mb_link;

void mb_link_init(mb_link *l, uint8_t window);
/* HELLO: both sequence spaces restart at 0; queued events are kept and renumbered. */
void mb_link_open(mb_link *l);

mb_seq_verdict mb_link_rx_seq(mb_link *l, uint16_t seq);
/* True when the caller should send NACK(rx_next) now (first out-of-order packet of a gap). */
bool mb_link_take_nack(mb_link *l);
/* True when the caller should send ACK(rx_next) now; rx_idle says no input is waiting. */
bool mb_link_take_ack(mb_link *l, bool rx_idle);

/* False when the queue is full (the event is dropped, never an older one: see §4). */
bool mb_link_queue(mb_link *l, const mb_event *ev);
/* ACK or NACK from the host; a NACK also rewinds so everything from `next` is sent again. */
void mb_link_on_ack(mb_link *l, uint16_t next, bool nack, uint32_t now);
/* Next event to send, if any; *retransmit says it was sent before. */
bool mb_link_next_tx(mb_link *l, uint32_t now, uint32_t rto_ms, mb_event *ev, uint16_t *seq,
                     bool *retransmit);

#endif
