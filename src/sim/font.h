/* A small built-in 5x7 bitmap font (digits, capital letters and a little punctuation) for
 * writing a camera's name and the time into its frames. Lowercase letters are drawn as
 * capitals; any other character is drawn as '?'. */
#ifndef CAMFLEET_SIM_FONT_H
#define CAMFLEET_SIM_FONT_H

#include <stdint.h>

#include "sim/image.h"

#define FONT_GLYPH_WIDTH  5
#define FONT_GLYPH_HEIGHT 7
/* Horizontal advance of one character, in unscaled pixels (glyph plus one column of space). */
#define FONT_ADVANCE 6

/* The glyph of character c: FONT_GLYPH_HEIGHT rows, top first; bit 4 is the leftmost column. */
const uint8_t *font_glyph(char c);
/* Width in pixels of text drawn at scale (no trailing space after the last character). */
int font_text_width(const char *text, int scale);
/* Draws text with its top-left corner at (x, y), each font pixel a scale x scale square. */
void font_draw_text(struct sim_image *image, int x, int y, int scale, const char *text, struct sim_color color);

#endif
