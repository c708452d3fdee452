/* board/nano33ble/usb_dcd_nrf52840.c built for the host against the fake register file, its
 * usb_dcd_* functions renamed nrf_dcd_* (the mock controller forwards to them in
 * test_nrf_usbd.c), and the fake register file itself. */
#include <string.h>
#include "check.h"
#include "fake_nrf52840_regs.h"

#define usb_dcd_init nrf_dcd_init
#define usb_dcd_connect nrf_dcd_connect
#define usb_dcd_set_address nrf_dcd_set_address
#define usb_dcd_edpt_open nrf_dcd_edpt_open
#define usb_dcd_edpt_xfer nrf_dcd_edpt_xfer
#define usb_dcd_edpt_stall nrf_dcd_edpt_stall
#define usb_dcd_edpt_clear_stall nrf_dcd_edpt_clear_stall
#include "../board/nano33ble/usb_dcd_nrf52840.c"

/* Each 4 KB block the layer touches: POWER/CLOCK, USBD, the errata registers, DWT, NVIC; and
 * what the start-up test (test_startup.c) touches: UARTE0, GPIOTE, TIMER0..4, WDT, RTC1,
 * PWM0..3, NVMC, PPI. */
static const uint32_t blocks[] = {0x40000000u, 0x40027000u, 0x4006E000u, 0xE0001000u, 0xE000E000u,
                                  0x40002000u, 0x40006000u, 0x40008000u, 0x40009000u, 0x4000A000u,
                                  0x4001A000u, 0x4001B000u, 0x40010000u, 0x40011000u, 0x4001C000u,
                                  0x40021000u, 0x40022000u, 0x4002D000u, 0x4001E000u, 0x4001F000u};
static uint32_t memory[sizeof blocks / sizeof blocks[0]][1024];
static uint32_t stray;

void (*fake_nrf_on_access)(void);

static volatile uint32_t *slot(uint32_t addr) {
  /* Lets a test play hardware that answers a task (a STOP acknowledged by its event). */
  if (fake_nrf_on_access) fake_nrf_on_access();
  for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++)
    if ((addr & ~0xFFFu) == blocks[b]) return &memory[b][(addr & 0xFFFu) / 4u];
  check_failures++;
  fprintf(stderr, "  fake nrf52840: access to 0x%08x\n", (unsigned)addr);
  return &stray;
}

volatile uint32_t *fake_nrf_reg32(uint32_t addr) { return slot(addr); }

volatile uint8_t *fake_nrf_reg8(uint32_t addr) {
  return (volatile uint8_t *)slot(addr & ~3u) + (addr & 3u);
}

void fake_nrf_reset(void) {
  memset(memory, 0, sizeof memory);
  fake_nrf_on_access = NULL;
}
