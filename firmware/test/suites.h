#ifndef MB_SUITES_H
#define MB_SUITES_H
void suite_codec(void);
void suite_vectors(const char *path);
void suite_framebuffer(void);
void suite_scan(void);
void suite_scan_model(const char *readme_path);
void suite_button(void);
void suite_link(void);
void suite_device(void);
void suite_usb(void);
void suite_usb_cdc(void);
void suite_nrf_usbd(void);
void suite_fault(void);
void suite_startup(void);
void suite_nrf_hub75(void);
void suite_level_rice(const char *vectors_path);
void suite_fuzz(long packets);
#endif
