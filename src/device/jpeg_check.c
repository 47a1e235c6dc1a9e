/* JPEG header check on libjpeg-turbo: jpeg_mem_src + jpeg_read_header, with error_exit turned
 * into a longjmp back to jpeg_check_header and warnings silenced. */
#include "device/jpeg_check.h"

#include <setjmp.h>
#include <stdio.h>

#include <jpeglib.h>

struct check_error {
	struct jpeg_error_mgr base; /* first member: libjpeg hands back a pointer to it */
	jmp_buf escape;
};

static void on_error(j_common_ptr info)
{
	struct check_error *error = (struct check_error *)info->err;
	longjmp(error->escape, 1);
}

static void on_message(j_common_ptr info)
{
	(void)info; /* corrupt-data warnings are not ours to print */
}

bool jpeg_check_header(const unsigned char *data, size_t length, unsigned *width, unsigned *height)
{
	if (data == NULL || length < 4 || length > (size_t)(unsigned long)-1)
		return false;
	struct jpeg_decompress_struct info;
	struct check_error error;
	info.err = jpeg_std_error(&error.base);
	error.base.error_exit = on_error;
	error.base.output_message = on_message;
	if (setjmp(error.escape) != 0) {
		jpeg_destroy_decompress(&info);
		return false;
	}
	jpeg_create_decompress(&info);
	jpeg_mem_src(&info, data, (unsigned long)length);
	bool valid = jpeg_read_header(&info, TRUE) == JPEG_HEADER_OK && info.image_width > 0 && info.image_height > 0;
	if (valid) {
		*width = info.image_width;
		*height = info.image_height;
	}
	jpeg_destroy_decompress(&info);
	return valid;
}
