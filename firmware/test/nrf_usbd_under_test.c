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
#include "../board/nano33ble/touch1200.c"

/* Each 4 KB block the board code under test touches: POWER/CLOCK, USBD, the errata registers,
 * DWT, NVIC; for the panel, GPIOTE, TIMER2, PPI and the GPIO ports; and what the start-up test
 * (test_startup.c) touches: UARTE0, GPIOTE, TIMER0..4, WDT, RTC1, PWM0..3, NVMC, PPI. */
static const uint32_t blocks[] = {0x40000000u, 0x40027000u, 0x4006E000u, 0xE0001000u, 0xE000E000u,
                                  0x40002000u, 0x40006000u, 0x40008000u, 0x40009000u, 0x4000A000u,
                                  0x4001A000u, 0x4001B000u, 0x40010000u, 0x40011000u, 0x4001C000u,
                                  0x40021000u, 0x40022000u, 0x4002D000u, 0x4001E000u, 0x4001F000u,
                                  0x50000000u};
static uint32_t memory[sizeof blocks / sizeof blocks[0]][1024];
static uint32_t stray;
static fake_nrf_access journal[FAKE_NRF_JOURNAL];
static size_t journal_len;
static volatile uint32_t *last_slot; /* the latest access, journalled once it has happened */
static uint32_t last_addr;
_Bool fake_nrf_dma_completes;

static void journal_add(uint32_t addr, uint32_t value) {
  if (journal_len < FAKE_NRF_JOURNAL) journal[journal_len++] = (fake_nrf_access){addr, value};
}

/* Plays EasyDMA for code that waits for its end: a started transfer ends at once. */
static void dma_model(uint32_t addr, uint32_t value) {
  if (!fake_nrf_dma_completes || value != 1) return;
  for (uint32_t n = 0; n < 8; n++) {
    if (addr == USBD_BASE + 0x004u + 4u * n) {
      *fake_nrf_reg32(USBD_BASE + 0x108u + 4u * n) = 1;
      *fake_nrf_reg32(USBD_BASE + 0x608u + 0x14u * n) = *fake_nrf_reg32(USBD_BASE + 0x604u + 0x14u * n);
    }
    if (addr == USBD_BASE + 0x028u + 4u * n) {
      *fake_nrf_reg32(USBD_BASE + 0x130u + 4u * n) = 1;
      *fake_nrf_reg32(USBD_BASE + 0x708u + 0x14u * n) = *fake_nrf_reg32(USBD_BASE + 0x704u + 0x14u * n);
    }
  }
}

/* The previous access has happened by now: journal the value it left. */
static void settle(void) {
  if (!last_slot) return;
  volatile uint32_t *slot = last_slot;
  last_slot = NULL;
  journal_add(last_addr, *slot);
  dma_model(last_addr, *slot);
}

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

volatile uint32_t *fake_nrf_reg32(uint32_t addr) {
  settle();
  last_slot = slot(addr);
  last_addr = addr;
  return last_slot;
}

volatile uint8_t *fake_nrf_reg8(uint32_t addr) {
  return (volatile uint8_t *)fake_nrf_reg32(addr & ~3u) + (addr & 3u);
}

void fake_nrf_barrier(void) {
  settle();
  journal_add(0, 0);
}

const fake_nrf_access *fake_nrf_journal(size_t *count) {
  settle();
  *count = journal_len;
  return journal;
}

size_t fake_nrf_values(uint32_t addr, uint32_t *out, size_t max) {
  size_t n = 0;
  settle();
  for (size_t i = 0; i < journal_len && n < max; i++)
    if (journal[i].addr == addr && (n == 0 || out[n - 1] != journal[i].value)) out[n++] = journal[i].value;
  return n;
}

/* A chip reset as the layer sees it: its statics start over (it is #included above). */
void fake_nrf_chip_reset(void) { first_enable = true; }

void fake_nrf_reset(void) {
  last_slot = NULL;
  memset(memory, 0, sizeof memory);
  journal_len = 0;
  fake_nrf_dma_completes = 0;
  fake_nrf_on_access = NULL;
}
