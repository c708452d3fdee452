/* The host side of the USB tests: control transfers driven the way Linux drives them, over the
 * mock controller (mock_dcd.h), running usbd_task after every bus event as the main loop would. */
#ifndef MB_USB_HOST_H
#define MB_USB_HOST_H
#include <stdint.h>
#include "../core/usb/cdc_acm.h"
#include "../core/usb/usbd.h"

#define USB_HOST_STALL (-1)
#define USB_HOST_STUCK (-2) /* the device did not arm what the host was waiting for */

/* IN request: returns the bytes received (data stage ended by a short packet or wLength). */
int usb_host_read(usbd *d, uint8_t bm, uint8_t request, uint16_t value, uint16_t index,
                  uint16_t length, uint8_t *out);
/* OUT request with len data bytes (0: no data stage); returns 0 once the status stage is done. */
int usb_host_write(usbd *d, uint8_t bm, uint8_t request, uint16_t value, uint16_t index,
                   const uint8_t *data, uint16_t len);
int usb_host_get_descriptor(usbd *d, uint8_t type, uint8_t index, uint16_t length, uint8_t *out);

/* Bus reset, the Linux enumeration sequence, SET_CONFIGURATION 1, then (cdc-acm opening the
 * port) SET_LINE_CODING and SET_CONTROL_LINE_STATE DTR|RTS; CHECKs every step. */
void usb_host_open_port(usbd *d, cdc_acm *c);

/* Host-side bulk traffic on the CDC data endpoints. */
int usb_host_send(usbd *d, const uint8_t *data, size_t len); /* 0, or USB_HOST_STUCK */
size_t usb_host_receive(usbd *d, uint8_t *out, size_t max, unsigned *packets, unsigned *zlps);

#endif
