/* What the last boot died of, carried across a reset in RAM the start-up code never clears.
 * A board's HardFault handler stores the record; the next boot takes it (which clears it) and
 * the device reports it in a FAULT message after each HELLO_REPLY (docs/serial-protocol.md §3).
 * The record carries a magic number and a check word, so RAM that lost power or was used by
 * the bootloader reads as "no fault", never as a made-up one. */
#ifndef MB_FAULT_H
#define MB_FAULT_H
#include <stdbool.h>
#include <stdint.h>

typedef enum { MB_FAULT_NONE = 0, MB_FAULT_HARDFAULT = 1, MB_FAULT_WATCHDOG = 2 } mb_fault_kind;

typedef struct {
  uint8_t kind;  /* mb_fault_kind */
  uint32_t pc;   /* the faulting instruction (stacked PC); 0 for a watchdog reset */
  uint32_t lr;   /* the stacked LR: who called the faulting function */
  uint32_t cfsr; /* Configurable Fault Status Register; 0 where the core has none (M0) */
} mb_fault;

/* The raw form in no-init RAM: plain words, written from a fault handler. */
typedef struct {
  uint32_t magic, kind, pc, lr, cfsr, check;
} mb_fault_record;

void mb_fault_record_store(volatile mb_fault_record *r, const mb_fault *f);
/* Copies a valid record to *out and clears it; false (and *out zeroed) when there is none. */
bool mb_fault_record_take(volatile mb_fault_record *r, mb_fault *out);

#endif
