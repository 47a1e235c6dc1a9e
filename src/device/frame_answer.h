/* The answer to a frame request, `{"image": "<base64 JPEG>", "timestamp": "<RFC 3339>"}`, built
 * once per uploaded frame and shared, by reference count, by every request that waited for it:
 * a thousand waiters of one camera cost one copy of the image, not a thousand. */
#ifndef CAMFLEET_DEVICE_FRAME_ANSWER_H
#define CAMFLEET_DEVICE_FRAME_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "http/request.h"

struct device_frame;

/* The answer for length bytes of jpeg taken at taken_at (epoch seconds), with one reference
 * held by the caller; NULL when memory is exhausted. */
struct device_frame *device_frame_new(const unsigned char *jpeg, size_t length, int64_t taken_at);
/* Takes one more reference; returns frame. Safe from any thread. */
struct device_frame *device_frame_ref(struct device_frame *frame);
/* Drops one reference, freeing the answer with the last one. NULL is ignored. */
void device_frame_release(struct device_frame *frame);
/* Answers request 200 with the frame, taking over one reference (released once sent). */
enum MHD_Result device_frame_reply(struct http_request *request, struct device_frame *frame);

#endif
