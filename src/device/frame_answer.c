/* The shared frame answer: one malloc'd block holding the reference count and the JSON text.
 * Base64 and an RFC 3339 timestamp need no JSON escaping, so the text is written directly. */
#include "device/frame_answer.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/reply.h"
#include "util/base64.h"
#include "util/timeutil.h"

struct device_frame {
	atomic_uint references;
	size_t length; /* of text, without NUL */
	char text[];
};

static const char PREFIX[] = "{\"image\":\"";
static const char MIDDLE[] = "\",\"timestamp\":\"";
static const char SUFFIX[] = "\"}";

struct device_frame *device_frame_new(const unsigned char *jpeg, size_t length, int64_t taken_at)
{
	char timestamp[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(taken_at, timestamp);
	size_t capacity =
	    sizeof(PREFIX) + base64_encoded_size(length) + sizeof(MIDDLE) + strlen(timestamp) + sizeof(SUFFIX);
	struct device_frame *frame = malloc(sizeof(*frame) + capacity);
	if (frame == NULL)
		return NULL;
	atomic_init(&frame->references, 1);
	char *out = frame->text;
	memcpy(out, PREFIX, sizeof(PREFIX) - 1);
	out += sizeof(PREFIX) - 1;
	out += base64_encode(jpeg, length, out);
	out += sprintf(out, "%s%s%s", MIDDLE, timestamp, SUFFIX);
	frame->length = (size_t)(out - frame->text);
	return frame;
}

struct device_frame *device_frame_ref(struct device_frame *frame)
{
	atomic_fetch_add_explicit(&frame->references, 1, memory_order_relaxed);
	return frame;
}

void device_frame_release(struct device_frame *frame)
{
	if (frame != NULL && atomic_fetch_sub_explicit(&frame->references, 1, memory_order_acq_rel) == 1)
		free(frame);
}

static void release_answer(void *context)
{
	device_frame_release(context);
}

enum MHD_Result device_frame_reply(struct http_request *request, struct device_frame *frame)
{
	return http_reply_shared(request, 200, "application/json", frame->text, frame->length, release_answer, frame);
}
