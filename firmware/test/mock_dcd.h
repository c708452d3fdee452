/* A USB controller driver for host tests (usb_dcd.h), in the spirit of TinyUSB's mock_dcd:
 * every call the stack makes is recorded, and the test plays the controller's interrupt by
 * injecting events. It also models the controller's view of each endpoint: one transfer may
 * be armed at a time (arming a busy endpoint is a test failure), a SETUP cancels EP0
 * transfers, and a bus reset cancels them all. */
#ifndef MB_MOCK_DCD_H
#define MB_MOCK_DCD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../core/usb/usb_dcd.h"

typedef enum {
  MOCK_INIT,
  MOCK_CONNECT,
  MOCK_SET_ADDRESS,
  MOCK_EDPT_OPEN,
  MOCK_EDPT_XFER,
  MOCK_EDPT_STALL,
  MOCK_EDPT_CLEAR_STALL,
} mock_call_kind;

typedef struct {
  mock_call_kind kind;
  uint8_t ep;
  uint16_t len;   /* xfer: length; open: max packet */
  uint32_t value; /* connect: on; set_address: address; open: transfer type */
} mock_call;

typedef struct {
  bool armed;
  uint8_t *buf;
  uint16_t len;
} mock_xfer;

/* A real controller driver the mock passes every call on to after recording it. */
typedef struct {
  void (*init)(void);
  void (*connect)(bool on);
  void (*set_address)(uint8_t address);
  void (*edpt_open)(uint8_t ep, uint8_t xfer_type, uint16_t max_packet);
  void (*edpt_xfer)(uint8_t ep, uint8_t *buf, uint16_t len);
  void (*edpt_stall)(uint8_t ep);
  void (*edpt_clear_stall)(uint8_t ep);
} mock_forward_ops;
extern const mock_forward_ops *mock_forward; /* NULL: the mock alone */

#define MOCK_MAX_CALLS 4096u
extern mock_call mock_calls[MOCK_MAX_CALLS];
extern size_t mock_call_count;
extern bool mock_ep0_stalled; /* since the last injected SETUP */

void mock_dcd_reset(void);
size_t mock_count(mock_call_kind kind, uint8_t ep);
/* The most recent call of a kind, or NULL. */
const mock_call *mock_last(mock_call_kind kind);
mock_xfer *mock_pending(uint8_t ep);

/* Interrupt side: what the controller would report. */
void mock_bus_reset(void);
void mock_signal(usb_event_id id);
void mock_setup(uint8_t bm, uint8_t request, uint16_t value, uint16_t index, uint16_t length);
/* The host takes the armed IN packet of ep (copied to out, may be NULL); false if none. */
bool mock_take_in(uint8_t ep, uint8_t *out, uint16_t *len);
/* The host sends one OUT packet into the armed transfer of ep; false if none or too long. */
bool mock_give_out(uint8_t ep, const uint8_t *data, uint16_t len);

#endif
