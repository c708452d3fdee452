/* A fake register file for building the nRF52840 USB register layer on the host: REG32/REG8
 * (board/nano33ble/nrf52840.h) become accesses to plain memory that the test reads and writes
 * the way the USBD would. Include before nrf52840.h. */
#ifndef MB_FAKE_NRF52840_REGS_H
#define MB_FAKE_NRF52840_REGS_H
#include <stdint.h>

volatile uint32_t *fake_nrf_reg32(uint32_t addr);
volatile uint8_t *fake_nrf_reg8(uint32_t addr);
void fake_nrf_reset(void);
/* Called before every register access while set (fake_nrf_reset clears it). */
extern void (*fake_nrf_on_access)(void);

#define REG32(addr) (*fake_nrf_reg32((uint32_t)(addr)))
#define REG8(addr) (*fake_nrf_reg8((uint32_t)(addr)))
#define IRQ_BARRIER() ((void)0)

/* The register layer's usb_dcd_* functions, renamed so they link next to the mock's. */
void nrf_dcd_init(void);
void nrf_dcd_connect(_Bool on);
void nrf_dcd_set_address(uint8_t address);
void nrf_dcd_edpt_open(uint8_t ep, uint8_t xfer_type, uint16_t max_packet);
void nrf_dcd_edpt_xfer(uint8_t ep, uint8_t *buf, uint16_t len);
void nrf_dcd_edpt_stall(uint8_t ep);
void nrf_dcd_edpt_clear_stall(uint8_t ep);

#endif
