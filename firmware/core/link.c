#include "link.h"
#include <string.h>

void mb_link_init(mb_link *l, uint8_t window) {
  memset(l, 0, sizeof *l);
  l->window = window;
}

void mb_link_open(mb_link *l) {
  l->session = true;
  l->rx_next = 0;
  l->ack_due = false;
  l->nack_sent = false;
  l->since_ack = 0;
  l->q_seq = 0;
  l->q_sent = 0;
  l->q_high = 0;
}

mb_seq_verdict mb_link_rx_seq(mb_link *l, uint16_t seq) {
  uint16_t ahead = (uint16_t)(seq - l->rx_next);
  if (ahead == 0) {
    l->rx_next++;
    l->nack_sent = false;
    l->ack_due = true;
    l->since_ack++;
    return MB_SEQ_ACCEPT;
  }
  if (ahead < 0x8000u) return MB_SEQ_GAP;
  l->ack_due = true;
  return MB_SEQ_DUPLICATE;
}

bool mb_link_take_nack(mb_link *l) {
  if (l->nack_sent) return false;
  l->nack_sent = true;
  return true;
}

bool mb_link_take_ack(mb_link *l, bool rx_idle) {
  if (!l->ack_due) return false;
  if (!rx_idle && l->since_ack < (l->window + 1u) / 2u) return false;
  l->ack_due = false;
  l->since_ack = 0;
  return true;
}

bool mb_link_queue(mb_link *l, const mb_event *ev) {
  if (l->q_len >= MB_EVENT_QUEUE) return false;
  l->q[l->q_len++] = *ev;
  return true;
}

void mb_link_on_ack(mb_link *l, uint16_t next, bool nack, uint32_t now) {
  uint16_t acked = (uint16_t)(next - l->q_seq);
  if (acked > l->q_len) return; /* acknowledges something never sent: stale or bogus */
  memmove(l->q, l->q + acked, (size_t)(l->q_len - acked) * sizeof l->q[0]);
  l->q_len = (uint8_t)(l->q_len - acked);
  l->q_sent = acked <= l->q_sent ? (uint8_t)(l->q_sent - acked) : 0;
  l->q_high = acked <= l->q_high ? (uint8_t)(l->q_high - acked) : 0;
  l->q_seq = next;
  if (acked > 0) l->q_sent_at = now; /* the retransmit timer restarts on progress */
  if (nack) l->q_sent = 0;
}

bool mb_link_next_tx(mb_link *l, uint32_t now, uint32_t rto_ms, mb_event *ev, uint16_t *seq,
                     bool *retransmit) {
  if (!l->session || l->q_len == 0) return false;
  if (l->q_sent > 0 && now - l->q_sent_at >= rto_ms) l->q_sent = 0;
  if (l->q_sent >= l->q_len || l->q_sent >= MB_DEVICE_TX_WINDOW) return false;
  uint8_t i = l->q_sent++;
  if (i == 0) l->q_sent_at = now;
  *ev = l->q[i];
  *seq = (uint16_t)(l->q_seq + i);
  *retransmit = i < l->q_high;
  if (i >= l->q_high) l->q_high = (uint8_t)(i + 1u);
  return true;
}
