#include "megabit_usb.h"

#define LO(x) ((uint8_t)((x) & 0xFFu))
#define HI(x) ((uint8_t)((x) >> 8))

/* Class EF/02/01 (miscellaneous, interface association) so hosts read the IAD below. */
const uint8_t megabit_usb_device_desc[18] = {
    18, USB_DESC_DEVICE, 0x00, 0x02, /* USB 2.0 (full speed) */
    0xEF, 0x02, 0x01, USB_EP0_SIZE,
    LO(MEGABIT_USB_VID), HI(MEGABIT_USB_VID), LO(MEGABIT_USB_PID), HI(MEGABIT_USB_PID),
    0x00, 0x01, /* bcdDevice 1.00 */
    MEGABIT_STR_MANUFACTURER, MEGABIT_STR_PRODUCT, MEGABIT_STR_SERIAL, 1,
};

const uint8_t megabit_usb_config_desc[MEGABIT_USB_CONFIG_LENGTH] = {
    /* configuration 1: 2 interfaces, bus-powered, 100 mA (the panel has its own supply) */
    9, USB_DESC_CONFIGURATION, MEGABIT_USB_CONFIG_LENGTH, 0, 2, 1, 0, 0x80, 50,
    /* interface association: interfaces 0-1 are one CDC ACM function */
    8, USB_DESC_INTERFACE_ASSOCIATION, CDC_COMM_INTERFACE, 2, 0x02, 0x02, 0x00, 0,
    /* communication interface: class CDC, subclass ACM, no AT command protocol */
    9, USB_DESC_INTERFACE, CDC_COMM_INTERFACE, 0, 1, 0x02, 0x02, 0x00, 0,
    5, USB_DESC_CS_INTERFACE, 0x00, 0x10, 0x01,                  /* header, CDC 1.10 */
    5, USB_DESC_CS_INTERFACE, 0x01, 0x00, CDC_DATA_INTERFACE,    /* call management */
    4, USB_DESC_CS_INTERFACE, 0x02, 0x02,                        /* ACM: line coding + state */
    5, USB_DESC_CS_INTERFACE, 0x06, CDC_COMM_INTERFACE, CDC_DATA_INTERFACE, /* union */
    7, USB_DESC_ENDPOINT, CDC_EP_NOTIFY, USB_XFER_INTERRUPT, CDC_NOTIFY_PACKET, 0, 16,
    /* data interface: bulk OUT + IN */
    9, USB_DESC_INTERFACE, CDC_DATA_INTERFACE, 0, 2, 0x0A, 0x00, 0x00, 0,
    7, USB_DESC_ENDPOINT, CDC_EP_OUT, USB_XFER_BULK, CDC_PACKET, 0, 0,
    7, USB_DESC_ENDPOINT, CDC_EP_IN, USB_XFER_BULK, CDC_PACKET, 0, 0,
};

void megabit_usb_serial(char out[17], uint32_t device_id_hi, uint32_t device_id_lo) {
  static const char hex[] = "0123456789ABCDEF";
  for (int i = 0; i < 8; i++) {
    out[i] = hex[(device_id_hi >> (28 - 4 * i)) & 0xFu];
    out[8 + i] = hex[(device_id_lo >> (28 - 4 * i)) & 0xFu];
  }
  out[16] = '\0';
}

/* One USB device per build, so its strings and configuration can live here. */
static char serial[17];
static const char *const strings[] = {"Megabit", "Megabit", serial};
static usbd_config config;

void megabit_usb_start(usbd *d, cdc_acm *c, uint32_t device_id_hi, uint32_t device_id_lo) {
  megabit_usb_serial(serial, device_id_hi, device_id_lo);
  config = (usbd_config){
      .device_desc = megabit_usb_device_desc,
      .config_desc = megabit_usb_config_desc,
      .strings = strings,
      .string_count = sizeof strings / sizeof strings[0],
      .cls = &cdc_acm_class,
      .cls_ctx = c,
  };
  cdc_acm_init(c, d);
  usbd_init(d, &config);
}
