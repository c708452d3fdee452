/* Functions shared between this board's files. */
#ifndef QEMU_MICROBIT_H
#define QEMU_MICROBIT_H

/* The reset vector: plays the bootloader, then jumps to Reset_Handler (stand_in_bootloader.c). */
void stand_in_bootloader(void) __attribute__((noreturn));
void Reset_Handler(void) __attribute__((noreturn));

#endif
