/* WRITE_RECT format 3, LEVEL_RICE (docs/serial-protocol.md §5): the C twin of the bridge's
 * bridge/src/serial/protocol/level-rice.ts; both are tested on protocol/pixel-vectors.txt. */
#ifndef MB_LEVEL_RICE_H
#define MB_LEVEL_RICE_H
#include <stdbool.h>
#include <stdint.h>

/* The classes of values a panel of `depth` planes shows alike: class_value[k] is the smallest
 * value of class k (what the draw buffer holds for it), class_of[v] the class of value v.
 * Returns the number of classes. */
uint16_t mb_level_classes(uint8_t depth, uint8_t class_value[256], uint8_t class_of[256]);

/* Rows of the draw buffer above a rectangle that LEVEL_RICE models it from (fewer at y = 1). */
#define MB_LEVEL_RICE_PRIMED_ROWS 2u

/* Decodes a w x h rectangle into class indices (w*h*3 bytes at out). `above`: the classes of
 * the draw buffer's `above_rows` rows above the rectangle (min(y, MB_LEVEL_RICE_PRIMED_ROWS)
 * rows of w*3, top to bottom; NULL when 0), which the model runs over before the first coded
 * row. False, with `out` in any state, unless `data` codes exactly that many pixels with every
 * class below class_count. Reads no byte outside data[0..len). */
bool mb_level_rice_decode(const uint8_t *data, uint16_t len, uint8_t w, uint8_t h,
                          uint16_t class_count, const uint8_t *above, uint8_t above_rows,
                          uint8_t *out);

#endif
