/* argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), each computation
 * inside the argon2 gate. */
#include "auth/password.h"

#include <argon2.h>
#include <openssl/rand.h>
#include <string.h>

#include "auth/password_gate.h"
#include "util/base64.h"
#include "util/log.h"

#define ARGON2_TIME_COST  2
#define ARGON2_MEMORY_KIB 19456
#define ARGON2_LANES      1
#define ARGON2_SALT_BYTES 16
#define ARGON2_HASH_BYTES 32

int password_hash(const char *secret, char out[PASSWORD_HASH_SIZE])
{
	unsigned char salt[ARGON2_SALT_BYTES];
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	if (!password_gate_enter())
		return PASSWORD_BUSY;
	int rc = argon2id_hash_encoded(ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_LANES, secret, strlen(secret), salt,
	                               sizeof(salt), ARGON2_HASH_BYTES, out, PASSWORD_HASH_SIZE);
	password_gate_leave();
	return rc == ARGON2_OK ? 0 : -1;
}

enum password_check password_check(const char *encoded_hash, const char *secret)
{
	if (!password_gate_enter())
		return PASSWORD_CHECK_BUSY;
	int rc = argon2id_verify(encoded_hash, secret, strlen(secret));
	password_gate_leave();
	if (rc == ARGON2_OK)
		return PASSWORD_MATCH;
	if (rc == ARGON2_VERIFY_MISMATCH)
		return PASSWORD_MISMATCH;
	/* Not a wrong password: answering one would count a failed sign-in against the user. */
	log_error("password: argon2id cannot check a password (%s)", argon2_error_message(rc));
	return PASSWORD_CHECK_FAILED;
}

int password_generate_secret(char out[CLIENT_SECRET_SIZE])
{
	unsigned char bytes[32];
	if (RAND_bytes(bytes, sizeof(bytes)) != 1)
		return -1;
	base64url_encode(bytes, sizeof(bytes), out);
	return 0;
}
