/* Result codes shared by every core module. */
#ifndef MB_STATUS_H
#define MB_STATUS_H

typedef enum {
  MB_OK = 0,
  MB_ERR_ARG,      /* caller passed something out of range */
  MB_ERR_SPACE,    /* output buffer too small */
  MB_ERR_COBS,     /* COBS code byte points past the end of the frame */
  MB_ERR_SHORT,    /* decoded packet shorter than header + CRC */
  MB_ERR_OVERSIZE, /* packet longer than MB_MAX_PACKET */
  MB_ERR_CRC,      /* CRC mismatch */
  MB_ERR_BODY,     /* message body shorter than its fixed fields */
  MB_ERR_TYPE      /* unknown message type */
} mb_status;

#endif
