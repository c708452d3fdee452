/* The nRF52840 registers this board uses, written from Nordic's nRF52840 Product Specification
 * v1.7 (peripheral base addresses, register offsets, IRQ numbers = peripheral IDs). */
#ifndef NANO33BLE_NRF52840_H
#define NANO33BLE_NRF52840_H
#include <stdint.h>

/* The host test of the USB register layer (test/test_nrf_usbd.c) maps these onto a fake
 * register file; on the chip they are plain memory-mapped accesses. */
#ifndef REG32
#define REG32(addr) (*(volatile uint32_t *)(addr))
#define REG8(addr) (*(volatile uint8_t *)(addr))
/* Let a masked interrupt take effect before the next instruction (ARM DDI 0403). */
#define IRQ_BARRIER() __asm volatile("dsb\n isb" ::: "memory")
/* Keeps the compiler from moving memory accesses across it (no instruction): state an
 * interrupt handler reads is written before the write that unmasks it. */
#define COMPILER_BARRIER() __asm volatile("" ::: "memory")
#define IRQ_DISABLE() __asm volatile("cpsid i" ::: "memory")
/* After requesting a system reset: it takes effect within a few cycles. */
#define WAIT_FOR_RESET() \
  for (;;) {             \
  }
#endif

#define CLOCK_TASKS_HFCLKSTART REG32(0x40000000u)
#define CLOCK_EVENTS_HFCLKSTARTED REG32(0x40000100u)

/* UART0 (legacy, non-DMA mode of UARTE0): the debug console, transmit only. */
#define UART0_BASE 0x40002000u
#define UART0_TASKS_STARTTX REG32(UART0_BASE + 0x008u)
#define UART0_EVENTS_TXDRDY REG32(UART0_BASE + 0x11Cu)
#define UART0_ENABLE REG32(UART0_BASE + 0x500u)
#define UART0_PSEL_TXD REG32(UART0_BASE + 0x50Cu)
#define UART0_TXD REG32(UART0_BASE + 0x51Cu)
#define UART0_BAUDRATE REG32(UART0_BASE + 0x524u)
#define UART_ENABLE_ENABLED 4u
#define UART_BAUD_115200 0x01D7E000u

#define TIMER2_BASE 0x4000A000u
#define TIMER2_TASKS_START REG32(TIMER2_BASE + 0x000u)
#define TIMER2_TASKS_STOP REG32(TIMER2_BASE + 0x004u)
#define TIMER2_TASKS_CLEAR REG32(TIMER2_BASE + 0x00Cu)
#define TIMER2_EVENTS_COMPARE0 REG32(TIMER2_BASE + 0x140u)
#define TIMER2_INTENSET REG32(TIMER2_BASE + 0x304u)
#define TIMER2_MODE REG32(TIMER2_BASE + 0x504u)
#define TIMER2_BITMODE REG32(TIMER2_BASE + 0x508u)
#define TIMER2_PRESCALER REG32(TIMER2_BASE + 0x510u)
#define TIMER2_EVENTS_COMPARE1 REG32(TIMER2_BASE + 0x144u)
#define TIMER2_EVENTS_COMPARE2 REG32(TIMER2_BASE + 0x148u)
#define TIMER2_CC0 REG32(TIMER2_BASE + 0x540u)
#define TIMER2_CC1 REG32(TIMER2_BASE + 0x544u)
#define TIMER2_CC2 REG32(TIMER2_BASE + 0x548u)
#define TIMER_INT_COMPARE0 (1u << 16)
#define TIMER_BITMODE_32 3u
#define TIMER2_IRQN 10u

/* GPIOTE channel 0 in task mode owns a pin: SET/CLR tasks drive it, OUT writes no longer do. */
#define GPIOTE_TASKS_SET0 REG32(0x40006030u)
#define GPIOTE_TASKS_CLR0 REG32(0x40006060u)
#define GPIOTE_CONFIG0 REG32(0x40006510u)
#define GPIOTE_CONFIG_TASK(port, pin, high) \
  (3u | ((uint32_t)(pin) << 8) | ((uint32_t)(port) << 13) | ((high) ? (1u << 20) : 0u))

/* PPI channel n: an event address triggers a task address with no CPU involved. */
#define PPI_CHENSET REG32(0x4001F504u)
#define PPI_CH_EEP(n) REG32(0x4001F510u + 8u * (n))
#define PPI_CH_TEP(n) REG32(0x4001F514u + 8u * (n))

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

/* POWER: VBUS detection for the USB regulator (same peripheral ID as CLOCK, IRQ 0). */
#define POWER_EVENTS_USBDETECTED REG32(0x4000011Cu)
#define POWER_EVENTS_USBREMOVED REG32(0x40000120u)
#define POWER_EVENTS_USBPWRRDY REG32(0x40000124u)
#define POWER_INTENSET REG32(0x40000304u)
#define POWER_INTENCLR REG32(0x40000308u) /* shared with CLOCK's interrupt bits */
#define POWER_USBREGSTATUS REG32(0x40000438u)
/* Survives a soft reset: the Arduino bootloader reads it to stay in bootloader mode. */
#define POWER_GPREGRET REG32(0x4000051Cu)
#define POWER_INT_USBDETECTED (1u << 7)
#define POWER_INT_USBREMOVED (1u << 8)
#define POWER_INT_USBPWRRDY (1u << 9)
#define USBREGSTATUS_VBUSDETECT (1u << 0)
#define USBREGSTATUS_OUTPUTRDY (1u << 1)
#define POWER_CLOCK_IRQN 0u

/* FICR: the 64-bit device id, the USB serial number. */
#define FICR_DEVICEID0 REG32(0x10000060u)
#define FICR_DEVICEID1 REG32(0x10000064u)

/* USBD, the full-speed USB device controller (peripheral ID 39). */
#define USBD_BASE 0x40027000u
#define USBD_TASKS_STARTEPIN(n) REG32(USBD_BASE + 0x004u + 4u * (n))
#define USBD_TASKS_STARTEPOUT(n) REG32(USBD_BASE + 0x028u + 4u * (n))
#define USBD_TASKS_EP0RCVOUT REG32(USBD_BASE + 0x04Cu)
#define USBD_TASKS_EP0STATUS REG32(USBD_BASE + 0x050u)
#define USBD_TASKS_EP0STALL REG32(USBD_BASE + 0x054u)
#define USBD_EVENTS_USBRESET REG32(USBD_BASE + 0x100u)
#define USBD_EVENTS_ENDEPIN(n) REG32(USBD_BASE + 0x108u + 4u * (n))
#define USBD_EVENTS_EP0DATADONE REG32(USBD_BASE + 0x128u)
#define USBD_EVENTS_ENDEPOUT(n) REG32(USBD_BASE + 0x130u + 4u * (n))
#define USBD_EVENTS_USBEVENT REG32(USBD_BASE + 0x158u)
#define USBD_EVENTS_EP0SETUP REG32(USBD_BASE + 0x15Cu)
#define USBD_EVENTS_EPDATA REG32(USBD_BASE + 0x160u)
#define USBD_INTENSET REG32(USBD_BASE + 0x304u)
#define USBD_INTENCLR REG32(USBD_BASE + 0x308u)
#define USBD_EVENTCAUSE REG32(USBD_BASE + 0x400u)
#define USBD_EPDATASTATUS REG32(USBD_BASE + 0x46Cu)
#define USBD_SETUP_BYTE(i) REG32(USBD_BASE + 0x480u + 4u * (i)) /* BMREQUESTTYPE..WLENGTHH */
#define USBD_SIZE_EPOUT(n) REG32(USBD_BASE + 0x4A0u + 4u * (n))
#define USBD_ENABLE REG32(USBD_BASE + 0x500u)
#define USBD_USBPULLUP REG32(USBD_BASE + 0x504u)
#define USBD_DTOGGLE REG32(USBD_BASE + 0x50Cu)
#define USBD_EPINEN REG32(USBD_BASE + 0x510u)
#define USBD_EPOUTEN REG32(USBD_BASE + 0x514u)
#define USBD_EPSTALL REG32(USBD_BASE + 0x518u)
#define USBD_LOWPOWER REG32(USBD_BASE + 0x52Cu) /* 1 = low power (suspended), 0 = ForceNormal */
#define USBD_EPIN_PTR(n) REG32(USBD_BASE + 0x600u + 0x14u * (n))
#define USBD_EPIN_MAXCNT(n) REG32(USBD_BASE + 0x604u + 0x14u * (n))
#define USBD_EPIN_AMOUNT(n) REG32(USBD_BASE + 0x608u + 0x14u * (n))
#define USBD_EPOUT_PTR(n) REG32(USBD_BASE + 0x700u + 0x14u * (n))
#define USBD_EPOUT_MAXCNT(n) REG32(USBD_BASE + 0x704u + 0x14u * (n))
#define USBD_EPOUT_AMOUNT(n) REG32(USBD_BASE + 0x708u + 0x14u * (n))
#define USBD_INT_USBRESET (1u << 0)
#define USBD_INT_ENDEPIN_ALL (0xFFu << 2)
#define USBD_INT_EP0DATADONE (1u << 10)
#define USBD_INT_ENDEPOUT_ALL (0xFFu << 12)
#define USBD_INT_USBEVENT (1u << 22)
#define USBD_INT_EP0SETUP (1u << 23)
#define USBD_INT_EPDATA (1u << 24)
#define USBD_EVENTCAUSE_SUSPEND (1u << 8)
#define USBD_EVENTCAUSE_RESUME (1u << 9)
#define USBD_EVENTCAUSE_READY (1u << 11)
#define USBD_EPDATASTATUS_OUT(n) (1u << (16u + (n))) /* IN endpoint n is bit n */
#define USBD_EP_IO_IN (1u << 7)       /* EPSTALL and DTOGGLE: bits 2..0 = endpoint, 7 = IN */
#define USBD_EPSTALL_STALL (1u << 8)
#define USBD_DTOGGLE_NOP 0u            /* VALUE field (bits 9..8) = Nop: selects the endpoint */
#define USBD_DTOGGLE_DATA0 (1u << 8)  /* VALUE field (bits 9..8) = Data0 */
#define USBD_IRQN 39u

/* What start-up puts back (reset_state.c): anything the Arduino bootloader may leave running.
 * UARTE0 is the same peripheral as UART0 above (ENABLE 4 = UART, 8 = UARTE). */
#define UARTE0_TASKS_STOPRX REG32(UART0_BASE + 0x004u)
#define UARTE0_TASKS_STOPTX REG32(UART0_BASE + 0x00Cu)
#define UARTE0_TASKS_FLUSHRX REG32(UART0_BASE + 0x02Cu)
#define UARTE0_EVENTS_ENDRX REG32(UART0_BASE + 0x110u)
#define UARTE0_EVENTS_RXTO REG32(UART0_BASE + 0x144u)
#define UARTE0_SHORTS REG32(UART0_BASE + 0x200u)
#define UARTE0_INTENCLR REG32(UART0_BASE + 0x308u)
#define UARTE0_ENABLE REG32(UART0_BASE + 0x500u)
/* PWM0..3: a bootloader's LED fade holds the LED pins through PSEL.OUT[0..3]. */
#define PWM_BASE(n) ((n) == 0 ? 0x4001C000u : (n) == 1 ? 0x40021000u : (n) == 2 ? 0x40022000u : 0x4002D000u)
#define PWM_TASKS_STOP(n) REG32(PWM_BASE(n) + 0x004u)
#define PWM_EVENTS_STOPPED(n) REG32(PWM_BASE(n) + 0x104u)
#define PWM_SHORTS(n) REG32(PWM_BASE(n) + 0x200u)
#define PWM_INTENCLR(n) REG32(PWM_BASE(n) + 0x308u)
#define PWM_ENABLE(n) REG32(PWM_BASE(n) + 0x500u)
#define PWM_PSEL_OUT(n, ch) REG32(PWM_BASE(n) + 0x560u + 4u * (ch))
#define PSEL_DISCONNECTED 0xFFFFFFFFu
#define RTC1_BASE 0x40011000u
#define RTC1_TASKS_STOP REG32(RTC1_BASE + 0x004u)
#define RTC1_INTENCLR REG32(RTC1_BASE + 0x308u)
#define RTC1_EVTENCLR REG32(RTC1_BASE + 0x348u)
#define TIMER_BASE(n) ((n) < 3 ? 0x40008000u + 0x1000u * (n) : 0x4001A000u + 0x1000u * ((n) - 3))
#define TIMER_TASKS_STOP(n) REG32(TIMER_BASE(n) + 0x004u)
#define TIMER_SHORTS(n) REG32(TIMER_BASE(n) + 0x200u)
#define TIMER_INTENCLR(n) REG32(TIMER_BASE(n) + 0x308u)
#define GPIOTE_CONFIG(n) REG32(0x40006510u + 4u * (n))
#define PPI_CHENCLR REG32(0x4001F508u)
#define CLOCK_INTENCLR POWER_INTENCLR
/* NVMC: the instruction cache (off after reset). */
#define NVMC_ICACHECNF REG32(0x4001E540u)
#define NVMC_ICACHECNF_CACHEEN 1u
/* POWER.RESETREAS: why the chip reset; bits are cleared by writing 1. */
#define POWER_RESETREAS REG32(0x40000400u)
#define RESETREAS_RESETPIN (1u << 0)
#define RESETREAS_DOG (1u << 1)
#define RESETREAS_SREQ (1u << 2)   /* soft reset: SYSRESETREQ */
#define RESETREAS_LOCKUP (1u << 3) /* CPU lock-up: a fault inside the HardFault handler */
/* WDT: counts the 32.768 kHz clock down from CRV; once started only a reset stops it, and a
 * soft reset (SYSRESETREQ) does not (so it keeps running into the bootloader). */
#define WDT_BASE 0x40010000u
#define WDT_TASKS_START REG32(WDT_BASE + 0x000u)
#define WDT_RUNSTATUS REG32(WDT_BASE + 0x400u)
#define WDT_CRV REG32(WDT_BASE + 0x504u)
#define WDT_RREN REG32(WDT_BASE + 0x508u)
#define WDT_CONFIG REG32(WDT_BASE + 0x50Cu)
#define WDT_RR(n) REG32(WDT_BASE + 0x600u + 4u * (n))
#define WDT_RR_RELOAD 0x6E524635u
#define WDT_CONFIG_RUN_IN_SLEEP 1u /* and paused while a debugger halts the CPU */

/* Cortex-M4 system control (ARM DDI 0403). */
#define SCB_VTOR REG32(0xE000ED08u)
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define SCB_AIRCR_SYSRESETREQ 0x05FA0004u /* VECTKEY | SYSRESETREQ */
#define NVIC_ISER0 REG32(0xE000E100u)
#define NVIC_ISER(irq) REG32(0xE000E100u + 4u * ((irq) / 32u))
#define NVIC_ICER(irq) REG32(0xE000E180u + 4u * ((irq) / 32u))
#define NVIC_BIT(irq) (1u << ((irq) % 32u))
/* One priority byte per IRQ; the nRF52840 implements the top 3 bits (0 = most urgent). */
#define NVIC_IPR(irq) REG8(0xE000E400u + (irq))
#define NVIC_PRIORITY(p) ((uint8_t)((p) << 5))
/* DWT cycle counter, enabled through DEMCR.TRCENA. */
#define DEMCR REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CTRL_CYCCNTENA 1u
#define DWT_CYCCNT REG32(0xE0001004u)
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SYST_CSR_ENABLE_TICKINT_CPUCLK 0x7u

#endif
