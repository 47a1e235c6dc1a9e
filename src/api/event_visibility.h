/* What a viewer user may see of an event: a camera.moved event names the site the camera came
 * from only when that site is granted to the viewer as well; otherwise its "fromSiteId" reads
 * null, so that a viewer learns nothing of sites it cannot read. Used by GET /events and by
 * /events/stream (webhooks belong to admins and the operator, who see every site). The viewer's
 * grants are read before the events are (no store call while the store hands out event rows). */
#ifndef CAMFLEET_API_EVENT_VISIBILITY_H
#define CAMFLEET_API_EVENT_VISIBILITY_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/event.h"
#include "store/store.h"

/* The sites granted to a viewer user (malloc'd ids; viewer_sites_free gives them back). */
struct viewer_sites {
	char (*ids)[UUID_BUFFER_SIZE];
	size_t count, capacity;
	bool failed; /* memory ran out while loading */
};

/* Reads the user's granted sites into *sites (zeroed first); a store failure otherwise (the set
 * must still be freed). */
enum store_result viewer_sites_load(struct store *store, const char *viewer_id, struct viewer_sites *sites);
void viewer_sites_free(struct viewer_sites *sites);

/* The event as a viewer with these granted sites may see it. Usually *shown is event itself; for
 * a camera.moved event from a site not granted, *shown is *copy with its data rewritten (the text
 * malloc'd into *copy_data, which the caller frees; NULL otherwise). False when the stored data
 * is not JSON or memory ran out (nothing to free then). */
bool event_as_viewer_sees_it(const struct viewer_sites *sites, const struct event_record *event,
                             struct event_record *copy, char **copy_data, const struct event_record **shown);

#endif
