#include "fault.h"

#define FAULT_MAGIC 0x4D424654u /* "MBFT" */

static uint32_t check_of(uint32_t kind, uint32_t pc, uint32_t lr, uint32_t cfsr) {
  /* Not a CRC: enough that random RAM (power-up, a bootloader's stack) is never taken for a
   * record; the magic alone would pass one time in 2^32, this pins all five words. */
  uint32_t h = FAULT_MAGIC;
  const uint32_t words[4] = {kind, pc, lr, cfsr};
  for (int i = 0; i < 4; i++) {
    h ^= words[i];
    h = (h << 7) | (h >> 25);
    h *= 0x9E3779B1u;
  }
  return h;
}

void mb_fault_record_store(volatile mb_fault_record *r, const mb_fault *f) {
  r->kind = f->kind;
  r->pc = f->pc;
  r->lr = f->lr;
  r->cfsr = f->cfsr;
  r->check = check_of(f->kind, f->pc, f->lr, f->cfsr);
  r->magic = FAULT_MAGIC; /* last: a record half written when power went reads as none */
}

bool mb_fault_record_take(volatile mb_fault_record *r, mb_fault *out) {
  uint32_t kind = r->kind, pc = r->pc, lr = r->lr, cfsr = r->cfsr;
  bool valid = r->magic == FAULT_MAGIC && r->check == check_of(kind, pc, lr, cfsr) &&
               kind > MB_FAULT_NONE && kind <= MB_FAULT_WATCHDOG;
  r->magic = 0;
  r->check = 0;
  out->kind = valid ? (uint8_t)kind : MB_FAULT_NONE;
  out->pc = valid ? pc : 0;
  out->lr = valid ? lr : 0;
  out->cfsr = valid ? cfsr : 0;
  return valid;
}
