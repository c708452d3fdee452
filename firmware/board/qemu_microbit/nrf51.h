/* The few nRF51 peripheral registers this board uses, from Nordic's nRF51 Series Reference
 * Manual v3.0 (addresses and offsets). qemu's `microbit` machine models these. */
#ifndef QEMU_MICROBIT_NRF51_H
#define QEMU_MICROBIT_NRF51_H
#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

#define UART0_BASE 0x40002000u
#define UART0_TASKS_STARTRX REG32(UART0_BASE + 0x000u)
#define UART0_TASKS_STARTTX REG32(UART0_BASE + 0x008u)
#define UART0_EVENTS_RXDRDY REG32(UART0_BASE + 0x108u)
#define UART0_EVENTS_TXDRDY REG32(UART0_BASE + 0x11Cu)
#define UART0_ENABLE REG32(UART0_BASE + 0x500u)
#define UART0_PSELTXD REG32(UART0_BASE + 0x50Cu)
#define UART0_PSELRXD REG32(UART0_BASE + 0x514u)
#define UART0_RXD REG32(UART0_BASE + 0x518u)
#define UART0_TXD REG32(UART0_BASE + 0x51Cu)
#define UART0_BAUDRATE REG32(UART0_BASE + 0x524u)
#define UART_ENABLE_ENABLED 4u
#define UART_BAUD_115200 0x01D7E000u

#define RNG_BASE 0x4000D000u
#define RNG_TASKS_START REG32(RNG_BASE + 0x000u)
#define RNG_TASKS_STOP REG32(RNG_BASE + 0x004u)
#define RNG_EVENTS_VALRDY REG32(RNG_BASE + 0x100u)
#define RNG_VALUE REG32(RNG_BASE + 0x508u)

#define GPIO_BASE 0x50000000u
#define GPIO_OUTSET REG32(GPIO_BASE + 0x508u)
#define GPIO_OUTCLR REG32(GPIO_BASE + 0x50Cu)
#define GPIO_IN REG32(GPIO_BASE + 0x510u)
#define GPIO_DIRSET REG32(GPIO_BASE + 0x518u)
#define GPIO_PIN_CNF(n) REG32(GPIO_BASE + 0x700u + 4u * (n))
#define PIN_CNF_INPUT_PULLUP 0x0000000Cu /* DIR in, input buffer connected, pull-up */

/* ARMv6-M system timer (ARM DDI 0419). */
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SYST_CSR_ENABLE_TICKINT_CPUCLK 0x7u

#endif
