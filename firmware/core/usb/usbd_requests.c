/* Chapter 9 standard requests (USB 2.0 section 9.4) for a full-speed device with one
 * configuration and no alternate settings. */
#include <string.h>
#include "usbd.h"

#define EP_BIT(ep) (1u << (USB_EP_NUM(ep) + (USB_EP_IS_IN(ep) ? 0u : 16u)))

static uint16_t config_total_length(const usbd *d) {
  return (uint16_t)(d->cfg->config_desc[2] | d->cfg->config_desc[3] << 8);
}

static uint8_t interface_count(const usbd *d) { return d->cfg->config_desc[4]; }

static bool get_string(usbd *d, uint8_t index) {
  uint8_t *r = d->reply;
  if (index == 0) {
    static const uint8_t english_us[4] = {4, USB_DESC_STRING, 0x09, 0x04};
    usbd_control_in(d, english_us, sizeof english_us);
    return true;
  }
  if (index > d->cfg->string_count) return false;
  const char *text = d->cfg->strings[index - 1];
  size_t n = strlen(text);
  if (n > USBD_STRING_MAX) n = USBD_STRING_MAX;
  r[0] = (uint8_t)(2u + 2u * n);
  r[1] = USB_DESC_STRING;
  for (size_t i = 0; i < n; i++) { /* ASCII to UTF-16LE */
    r[2 + 2 * i] = (uint8_t)text[i];
    r[3 + 2 * i] = 0;
  }
  usbd_control_in(d, r, r[0]);
  return true;
}

/* Device qualifier and other-speed requests stall: this is a full-speed-only device. */
static bool get_descriptor(usbd *d, const usb_setup *s) {
  uint8_t type = (uint8_t)(s->wValue >> 8), index = (uint8_t)s->wValue;
  switch (type) {
    case USB_DESC_DEVICE:
      usbd_control_in(d, d->cfg->device_desc, 18);
      return true;
    case USB_DESC_CONFIGURATION:
      if (index != 0) return false;
      usbd_control_in(d, d->cfg->config_desc, config_total_length(d));
      return true;
    case USB_DESC_STRING:
      return get_string(d, index);
    default:
      return false;
  }
}

/* Opens every endpoint the configuration descriptor lists. */
static void open_endpoints(usbd *d) {
  const uint8_t *p = d->cfg->config_desc, *end = p + config_total_length(d);
  d->open_eps = 0;
  while (p + 2 <= end && p[0] >= 2 && p + p[0] <= end) {
    if (p[1] == USB_DESC_ENDPOINT && p[0] >= 7) {
      usb_dcd_edpt_open(p[2], p[3] & 3u, (uint16_t)(p[4] | p[5] << 8));
      d->open_eps |= EP_BIT(p[2]);
    }
    p += p[0];
  }
}

static bool set_configuration(usbd *d, uint16_t value) {
  if (value > 1 || d->address == 0) return false;
  const usbd_class *cls = d->cfg->cls;
  if (d->configuration != 0 && cls) cls->reset(d->cfg->cls_ctx);
  d->configuration = (uint8_t)value;
  d->halted_eps = 0;
  if (value == 1) {
    open_endpoints(d);
    if (cls) cls->configured(d->cfg->cls_ctx);
  } else {
    d->open_eps = 0;
  }
  usbd_control_ack(d);
  return true;
}

static bool device_request(usbd *d, const usb_setup *s) {
  switch (s->bRequest) {
    case USB_REQ_GET_DESCRIPTOR:
      return get_descriptor(d, s);
    case USB_REQ_SET_ADDRESS:
      if (s->wValue > 127 || d->configuration != 0) return false;
      d->address = (uint8_t)s->wValue;
      usb_dcd_set_address(d->address);
      usbd_control_ack(d);
      return true;
    case USB_REQ_GET_CONFIGURATION:
      d->reply[0] = d->configuration;
      usbd_control_in(d, d->reply, 1);
      return true;
    case USB_REQ_SET_CONFIGURATION:
      return set_configuration(d, s->wValue);
    case USB_REQ_GET_STATUS:
      d->reply[0] = d->reply[1] = 0; /* bus-powered, no remote wakeup */
      usbd_control_in(d, d->reply, 2);
      return true;
    default:
      return false; /* SET/CLEAR_FEATURE: no remote wakeup or test modes */
  }
}

static bool interface_request(usbd *d, const usb_setup *s) {
  if (d->configuration == 0 || s->wIndex >= interface_count(d)) return false;
  switch (s->bRequest) {
    case USB_REQ_GET_STATUS:
      d->reply[0] = d->reply[1] = 0;
      usbd_control_in(d, d->reply, 2);
      return true;
    case USB_REQ_GET_INTERFACE:
      d->reply[0] = 0;
      usbd_control_in(d, d->reply, 1);
      return true;
    case USB_REQ_SET_INTERFACE:
      if (s->wValue != 0) return false;
      usbd_control_ack(d);
      return true;
    default:
      return false;
  }
}

static bool endpoint_request(usbd *d, const usb_setup *s) {
  uint8_t ep = (uint8_t)s->wIndex;
  uint32_t bit = EP_BIT(ep);
  if ((ep & 0x70u) != 0 || (USB_EP_NUM(ep) != 0 && !(d->open_eps & bit))) return false;
  switch (s->bRequest) {
    case USB_REQ_GET_STATUS:
      d->reply[0] = (d->halted_eps & bit) ? 1 : 0;
      d->reply[1] = 0;
      usbd_control_in(d, d->reply, 2);
      return true;
    case USB_REQ_SET_FEATURE:
    case USB_REQ_CLEAR_FEATURE:
      if (s->wValue != USB_FEATURE_ENDPOINT_HALT) return false;
      /* USB 2.0 9.4.5: the default control pipe need not implement halt; accept, ignore. */
      if (USB_EP_NUM(ep) != 0 && s->bRequest == USB_REQ_SET_FEATURE) {
        usb_dcd_edpt_stall(ep);
        d->halted_eps |= bit;
      } else if (USB_EP_NUM(ep) != 0) {
        usb_dcd_edpt_clear_stall(ep);
        d->halted_eps &= ~bit;
      }
      usbd_control_ack(d);
      return true;
    default:
      return false;
  }
}

/* GETs read, everything else writes nothing: any other shape is not a request we know. */
static bool shape_ok(const usb_setup *s) {
  bool in = (s->bmRequestType & USB_DIR_IN) != 0;
  switch (s->bRequest) {
    case USB_REQ_GET_STATUS:
    case USB_REQ_GET_DESCRIPTOR:
    case USB_REQ_GET_CONFIGURATION:
    case USB_REQ_GET_INTERFACE:
      return in;
    default:
      return !in && s->wLength == 0;
  }
}

bool usbd_standard_request(usbd *d, const usb_setup *s) {
  if (!shape_ok(s)) return false;
  switch (USB_REQ_RECIPIENT(s->bmRequestType)) {
    case USB_RCPT_DEVICE:
      return device_request(d, s);
    case USB_RCPT_INTERFACE:
      return interface_request(d, s);
    case USB_RCPT_ENDPOINT:
      return endpoint_request(d, s);
    default:
      return false;
  }
}
