/* The contract between the portable USB device stack (usbd.c) and a USB controller driver
 * (one per chip, e.g. board/nano33ble/usb_dcd_nrf52840.c; test/mock_dcd.c on the host).
 *
 * Downward (called by the stack from the main loop, never from the driver's ISR):
 *   usb_dcd_init              power the controller up; stays disconnected
 *   usb_dcd_connect           pull-up on/off (a driver may delay it until VBUS is ready)
 *   usb_dcd_set_address       called when SET_ADDRESS arrives, before its status stage; the
 *                             driver makes the address take effect after that status stage
 *   usb_dcd_edpt_open         enable a non-control endpoint (resets its data toggle)
 *   usb_dcd_edpt_xfer         one packet: len <= the endpoint's max packet size. IN sends len
 *                             bytes (0 = a zero-length packet); OUT receives up to len bytes.
 *                             The buffer must stay valid until the transfer completes. On EP0
 *                             a zero-length transfer opposite to the data stage (or IN when
 *                             there is none) is the status stage.
 *   usb_dcd_edpt_stall / clear_stall
 *                             halt an endpoint; clearing also resets its data toggle. Stalling
 *                             EP0 (0x00 or 0x80) stalls the control pipe until the next SETUP.
 *
 * Upward: the driver reports everything through ONE function, usb_dcd_event (implemented by
 * usbd.c), usually from its interrupt handler. Every transfer, status stages included, ends
 * in exactly one USB_EV_XFER_COMPLETE, except that a bus reset or unplug cancels all transfers
 * in flight without completing them.
 */
#ifndef MB_USB_DCD_H
#define MB_USB_DCD_H
#include <stdbool.h>
#include <stdint.h>

typedef enum {
  USB_EV_BUS_RESET,
  USB_EV_UNPLUGGED,      /* VBUS went away */
  USB_EV_SUSPEND,
  USB_EV_RESUME,
  USB_EV_SETUP,          /* setup[] holds the 8 bytes */
  USB_EV_XFER_COMPLETE,  /* ep, len = bytes actually moved */
} usb_event_id;

typedef struct {
  usb_event_id id;
  uint8_t ep;
  uint16_t len;
  uint8_t setup[8];
} usb_dcd_event_t;

void usb_dcd_init(void);
void usb_dcd_connect(bool on);
void usb_dcd_set_address(uint8_t address);
void usb_dcd_edpt_open(uint8_t ep, uint8_t xfer_type, uint16_t max_packet);
void usb_dcd_edpt_xfer(uint8_t ep, uint8_t *buf, uint16_t len);
void usb_dcd_edpt_stall(uint8_t ep);
void usb_dcd_edpt_clear_stall(uint8_t ep);

/* Safe to call from an interrupt handler. */
void usb_dcd_event(const usb_dcd_event_t *ev);

#endif
