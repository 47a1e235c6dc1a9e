/* Glue for src/api/oauth.c: the whole POST /oauth/token handler (form body, Basic credentials,
 * grant dispatch) on a request of a real libmicrohttpd connection. */
#include "api/oauth.c"

#include "../support/fuzz_request.h"
#include "glue.h"

void glue_oauth_post_token(struct fuzz_request *fuzz)
{
	post_token(&fuzz->request);
}
