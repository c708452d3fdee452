#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "suites.h"

int check_failures;
static int passed, failed;

void run_test(const char *name, void (*fn)(void)) {
  int before = check_failures;
  fn();
  if (check_failures == before) {
    passed++;
  } else {
    failed++;
    fprintf(stderr, "FAIL %s\n", name);
  }
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s path/to/vectors.txt [fuzz-packets]\n", argv[0]);
    return 2;
  }
  suite_codec();
  suite_vectors(argv[1]);
  suite_framebuffer();
  suite_level_rice("protocol/pixel-vectors.txt"); /* make test runs in firmware/ */
  suite_scan();
  suite_scan_model("README.md"); /* make test runs in firmware/ */
  suite_button();
  suite_link();
  suite_device();
  suite_usb();
  suite_usb_cdc();
  suite_nrf_usbd();
  suite_fault();
  suite_startup();
  suite_nrf_hub75();
  suite_fuzz(argc == 3 ? atol(argv[2]) : 1000000);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
