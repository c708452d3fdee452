/* A fake register file for building the nRF52840 USB register layer on the host: REG32/REG8
 * (board/nano33ble/nrf52840.h) become accesses to plain memory that the test reads and writes
 * the way the USBD would. Include before nrf52840.h. */
#ifndef MB_FAKE_NRF52840_REGS_H
#define MB_FAKE_NRF52840_REGS_H
#include <stddef.h>
#include <stdint.h>

volatile uint32_t *fake_nrf_reg32(uint32_t addr);
volatile uint8_t *fake_nrf_reg8(uint32_t addr);
void fake_nrf_reset(void);
/* Called before every register access while set (fake_nrf_reset clears it). */
extern void (*fake_nrf_on_access)(void);
void fake_nrf_chip_reset(void);

#define REG32(addr) (*fake_nrf_reg32((uint32_t)(addr)))
#define REG8(addr) (*fake_nrf_reg8((uint32_t)(addr)))
#define IRQ_BARRIER() ((void)0)
#define COMPILER_BARRIER() fake_nrf_barrier()
#define IRQ_DISABLE() ((void)0)
#define WAIT_FOR_RESET() return /* the host test goes on to check what was written */

/* Every register access, in order, with the register's value just after it (so a write shows
 * the value written); a COMPILER_BARRIER is an entry at address 0. */
typedef struct {
  uint32_t addr, value;
} fake_nrf_access;
#define FAKE_NRF_JOURNAL 8192u
void fake_nrf_barrier(void);
/* The journal so far (the latest access included); cleared by fake_nrf_reset. */
const fake_nrf_access *fake_nrf_journal(size_t *count);
/* The values a register took, consecutive repeats folded: a write sequence. */
size_t fake_nrf_values(uint32_t addr, uint32_t *out, size_t max);
/* When true, triggering STARTEPIN/STARTEPOUT completes the EasyDMA transfer at once (sets
 * ENDEPIN/ENDEPOUT and AMOUNT = MAXCNT), for code that waits for it in a loop. */
extern _Bool fake_nrf_dma_completes;

/* The register layer's usb_dcd_* functions, renamed so they link next to the mock's. */
void nrf_dcd_init(void);
void nrf_dcd_connect(_Bool on);
void nrf_dcd_set_address(uint8_t address);
void nrf_dcd_edpt_open(uint8_t ep, uint8_t xfer_type, uint16_t max_packet);
void nrf_dcd_edpt_xfer(uint8_t ep, uint8_t *buf, uint16_t len);
void nrf_dcd_edpt_stall(uint8_t ep);
void nrf_dcd_edpt_clear_stall(uint8_t ep);

/* The panel hooks of board/nano33ble/hub75.c, renamed likewise (nrf_hub75_under_test.c). */
void nrf_hub75_blank(_Bool off);
void nrf_hub75_latch(void);
void nrf_hub75_select_row(uint8_t row_pair);
void nrf_hub75_shift(const uint8_t *pixels, uint16_t count);
void nrf_hub75_show(uint32_t dark, uint32_t lit, uint32_t next);

#endif
