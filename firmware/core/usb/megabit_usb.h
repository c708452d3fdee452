/* Megabit's USB identity: one CDC ACM function, manufacturer and product "Megabit" (what the
 * bridge's `serial.path: auto` looks for), serial number = the chip's 64-bit device id.
 *
 * VID 0x1209 / PID 0x0001 is pid.codes' test PID, for development and testing only; a
 * distributed product needs its own PID from pid.codes. */
#ifndef MB_MEGABIT_USB_H
#define MB_MEGABIT_USB_H
#include <stdint.h>
#include "cdc_acm.h"
#include "usbd.h"

#define MEGABIT_USB_VID 0x1209u
#define MEGABIT_USB_PID 0x0001u
#define MEGABIT_USB_CONFIG_LENGTH 75u

enum { MEGABIT_STR_MANUFACTURER = 1, MEGABIT_STR_PRODUCT, MEGABIT_STR_SERIAL };

extern const uint8_t megabit_usb_device_desc[18];
extern const uint8_t megabit_usb_config_desc[MEGABIT_USB_CONFIG_LENGTH];

/* 16 upper-case hex digits, high word first. */
void megabit_usb_serial(char out[17], uint32_t device_id_hi, uint32_t device_id_lo);

/* Starts the device (usbd_init: controller up, pull-up requested) with the CDC function. */
void megabit_usb_start(usbd *d, cdc_acm *c, uint32_t device_id_hi, uint32_t device_id_lo);

#endif
