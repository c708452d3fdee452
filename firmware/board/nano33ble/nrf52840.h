/* The nRF52840 registers this board uses, written from Nordic's nRF52840 Product Specification
 * v1.7 (peripheral base addresses, register offsets, IRQ numbers = peripheral IDs). */
#ifndef NANO33BLE_NRF52840_H
#define NANO33BLE_NRF52840_H
#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

#define CLOCK_TASKS_HFCLKSTART REG32(0x40000000u)
#define CLOCK_EVENTS_HFCLKSTARTED REG32(0x40000100u)

/* UART0 (legacy, non-DMA mode of UARTE0). */
#define UART0_BASE 0x40002000u
#define UART0_TASKS_STARTRX REG32(UART0_BASE + 0x000u)
#define UART0_TASKS_STARTTX REG32(UART0_BASE + 0x008u)
#define UART0_EVENTS_RXDRDY REG32(UART0_BASE + 0x108u)
#define UART0_EVENTS_TXDRDY REG32(UART0_BASE + 0x11Cu)
#define UART0_EVENTS_ERROR REG32(UART0_BASE + 0x124u)
#define UART0_INTENSET REG32(UART0_BASE + 0x304u)
#define UART0_ERRORSRC REG32(UART0_BASE + 0x480u)
#define UART0_ENABLE REG32(UART0_BASE + 0x500u)
#define UART0_PSEL_TXD REG32(UART0_BASE + 0x50Cu)
#define UART0_PSEL_RXD REG32(UART0_BASE + 0x514u)
#define UART0_RXD REG32(UART0_BASE + 0x518u)
#define UART0_TXD REG32(UART0_BASE + 0x51Cu)
#define UART0_BAUDRATE REG32(UART0_BASE + 0x524u)
#define UART_ENABLE_ENABLED 4u
#define UART_BAUD_1M 0x10000000u
#define UART_INT_RXDRDY (1u << 2)
#define UART_INT_ERROR (1u << 9)
#define UART0_IRQN 2u

#define TIMER2_BASE 0x4000A000u
#define TIMER2_TASKS_START REG32(TIMER2_BASE + 0x000u)
#define TIMER2_TASKS_STOP REG32(TIMER2_BASE + 0x004u)
#define TIMER2_TASKS_CLEAR REG32(TIMER2_BASE + 0x00Cu)
#define TIMER2_EVENTS_COMPARE0 REG32(TIMER2_BASE + 0x140u)
#define TIMER2_INTENSET REG32(TIMER2_BASE + 0x304u)
#define TIMER2_MODE REG32(TIMER2_BASE + 0x504u)
#define TIMER2_BITMODE REG32(TIMER2_BASE + 0x508u)
#define TIMER2_PRESCALER REG32(TIMER2_BASE + 0x510u)
#define TIMER2_CC0 REG32(TIMER2_BASE + 0x540u)
#define TIMER_INT_COMPARE0 (1u << 16)
#define TIMER_BITMODE_32 3u
#define TIMER2_IRQN 10u

#define RNG_TASKS_START REG32(0x4000D000u)
#define RNG_TASKS_STOP REG32(0x4000D004u)
#define RNG_EVENTS_VALRDY REG32(0x4000D100u)
#define RNG_VALUE REG32(0x4000D508u)

/* GPIO ports: P0 at 0x50000000, P1 at 0x50000300. */
#define GPIO_PORT(port) (0x50000000u + 0x300u * (port))
#define GPIO_OUTSET(port) REG32(GPIO_PORT(port) + 0x508u)
#define GPIO_OUTCLR(port) REG32(GPIO_PORT(port) + 0x50Cu)
#define GPIO_IN(port) REG32(GPIO_PORT(port) + 0x510u)
#define GPIO_DIRSET(port) REG32(GPIO_PORT(port) + 0x518u)
#define GPIO_PIN_CNF(port, pin) REG32(GPIO_PORT(port) + 0x700u + 4u * (pin))
#define PIN_CNF_OUTPUT_H0H1 0x00000301u /* output, high drive both levels */
#define PIN_CNF_INPUT_PULLUP 0x0000000Cu
/* PSEL value for a peripheral pin: pin number with the port in bit 5, CONNECT (bit 31) = 0. */
#define PSEL(port, pin) (((uint32_t)(port) << 5) | (pin))

/* Cortex-M4 system control (ARM DDI 0403). */
#define SCB_VTOR REG32(0xE000ED08u)
#define NVIC_ISER0 REG32(0xE000E100u)
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SYST_CSR_ENABLE_TICKINT_CPUCLK 0x7u

#endif
