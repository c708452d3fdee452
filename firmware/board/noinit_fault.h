/* Where the boards keep the fault record across a reset (core/fault.h), for board code. */
#ifndef MEGABIT_NOINIT_FAULT_H
#define MEGABIT_NOINIT_FAULT_H
#include "fault.h"

/* At the start of the linker script's NOINIT region: in no section, so neither the start-up
 * code nor a loader (qemu reloads the ELF at every reset) writes it. */
extern volatile mb_fault_record mb_noinit_fault;

#endif
