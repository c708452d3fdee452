/* USB 2.0 chapter 9 and CDC 1.2 numbers the device stack and its classes share. */
#ifndef MB_USB_STD_H
#define MB_USB_STD_H
#include <stdint.h>

#define USB_EP0_SIZE 64u
#define USB_DIR_IN 0x80u
#define USB_EP_NUM(ep) ((ep) & 0x0Fu)
#define USB_EP_IS_IN(ep) (((ep) & USB_DIR_IN) != 0)

/* bmRequestType: direction bit 7, type bits 6..5, recipient bits 4..0. */
#define USB_REQ_TYPE(bm) (((bm) >> 5) & 3u)
#define USB_REQ_RECIPIENT(bm) ((bm) & 0x1Fu)
enum { USB_TYPE_STANDARD = 0, USB_TYPE_CLASS = 1 };
enum { USB_RCPT_DEVICE = 0, USB_RCPT_INTERFACE = 1, USB_RCPT_ENDPOINT = 2 };

enum {
  USB_REQ_GET_STATUS = 0,
  USB_REQ_CLEAR_FEATURE = 1,
  USB_REQ_SET_FEATURE = 3,
  USB_REQ_SET_ADDRESS = 5,
  USB_REQ_GET_DESCRIPTOR = 6,
  USB_REQ_GET_CONFIGURATION = 8,
  USB_REQ_SET_CONFIGURATION = 9,
  USB_REQ_GET_INTERFACE = 10,
  USB_REQ_SET_INTERFACE = 11,
};
#define USB_FEATURE_ENDPOINT_HALT 0u

enum {
  USB_DESC_DEVICE = 1,
  USB_DESC_CONFIGURATION = 2,
  USB_DESC_STRING = 3,
  USB_DESC_INTERFACE = 4,
  USB_DESC_ENDPOINT = 5,
  USB_DESC_INTERFACE_ASSOCIATION = 11,
  USB_DESC_CS_INTERFACE = 0x24,
};

enum { USB_XFER_CONTROL = 0, USB_XFER_ISO = 1, USB_XFER_BULK = 2, USB_XFER_INTERRUPT = 3 };

/* A SETUP packet, decoded from its 8 little-endian bytes. */
typedef struct {
  uint8_t bmRequestType, bRequest;
  uint16_t wValue, wIndex, wLength;
} usb_setup;

static inline usb_setup usb_setup_parse(const uint8_t raw[8]) {
  usb_setup s = {raw[0], raw[1], (uint16_t)(raw[2] | raw[3] << 8),
                 (uint16_t)(raw[4] | raw[5] << 8), (uint16_t)(raw[6] | raw[7] << 8)};
  return s;
}

#endif
