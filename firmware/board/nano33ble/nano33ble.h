/* Functions shared between this board's files. */
#ifndef NANO33BLE_H
#define NANO33BLE_H
#include "hub75_scan.h"

/* Configures the panel pins and TIMER2; mb_scan_start then runs the refresh. */
void nano_hub75_init(mb_scan *s);

#endif
