/* Who is calling: the identity a verified access token stands for. */
#ifndef CAMFLEET_AUTH_PRINCIPAL_H
#define CAMFLEET_AUTH_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/role.h"
#include "util/uuid.h"

enum subject_kind { SUBJECT_USER, SUBJECT_CLIENT };

struct principal {
	enum role role;
	enum subject_kind kind;
	char subject[UUID_BUFFER_SIZE];         /* user id or client id */
	char organisation_id[UUID_BUFFER_SIZE]; /* "" for operators */
	int64_t expires_at;                     /* epoch seconds */
	int64_t issued_at;                      /* epoch seconds: when the token was issued (iat) */
	int64_t issued_ms;                      /* the same in milliseconds (claim iat_ms), for revocations */
	/* Device tokens only: the issue stamp of the device credentials the token was obtained with
	 * (claim "cred"); the device endpoints refuse it once the credentials are rotated or revoked.
	 * 0 for every other token. */
	int64_t credential_issued_ms;
};

#endif
