/* `camfleet admin`: bootstrap without a token, straight on the database. create-client prints
 * the new client's id and secret (the secret is shown only here; the store keeps its keyed hash,
 * under the database's secret hash key, created here when the server has not yet);
 * rotate-signing-key puts a new token signing key in place. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/secret_keys.h"
#include "auth/signing_keys.h"
#include "auth/token_sync.h"
#include "cli/cli.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"

static void admin_usage(FILE *out)
{
	fputs("usage: camfleet admin <command> [options]\n"
	      "\n"
	      "commands:\n"
	      "  create-client --database URL --role ROLE --name NAME [--organisation ID]\n"
	      "        creates an API client and prints {\"clientId\": ..., \"clientSecret\": ...}\n"
	      "  create-user --database URL --role ROLE --email EMAIL --password PASSWORD [--organisation ID]\n"
	      "        creates a user who signs in with the OAuth password grant; prints {\"id\": ...}\n"
	      "  register-cameras --database URL --csv FILE\n"
	      "        registers the cameras of a CSV of cameraId,serialNumber (see register-cameras --help);\n"
	      "        prints a JSON summary; exit status 1 when any line failed\n"
	      "  rotate-signing-key --database URL\n"
	      "        makes a new token signing key (new kid) the one that signs; the previous keys keep\n"
	      "        verifying the tokens they signed until those expire; running servers switch within\n"
	      "        a few seconds; prints {\"kid\": ..., \"previousKid\": ...}\n"
	      "\n"
	      "ROLE is operator, admin or viewer; admin and viewer need --organisation (an existing id).\n"
	      "--database defaults to $CAMFLEET_DATABASE.\n",
	      out);
}

struct admin_options {
	const char *database;
	const char *role;
	const char *name;
	const char *email;
	const char *password;
	const char *organisation;
};

static int parse_admin_options(int argc, char **argv, struct admin_options *options)
{
	static const struct option long_options[] = {
	    {"database", required_argument, NULL, 'd'}, {"role", required_argument, NULL, 'r'},
	    {"name", required_argument, NULL, 'n'},     {"email", required_argument, NULL, 'e'},
	    {"password", required_argument, NULL, 'p'}, {"organisation", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	memset(options, 0, sizeof(*options));
	options->database = getenv("CAMFLEET_DATABASE");
	optind = 1;
	int option;
	while ((option = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (option) {
		case 'd': options->database = optarg; break;
		case 'r': options->role = optarg; break;
		case 'n': options->name = optarg; break;
		case 'e': options->email = optarg; break;
		case 'p': options->password = optarg; break;
		case 'o': options->organisation = optarg; break;
		case 'h': admin_usage(stdout); return 1;
		default: admin_usage(stderr); return -1;
		}
	}
	if (options->database == NULL) {
		fprintf(stderr, "camfleet admin: --database is required\n");
		return -1;
	}
	return 0;
}

/* Checks role and organisation; fills the normalised organisation id ("" for operators). */
static int resolve_role(struct store *store, const struct admin_options *options, enum role *role,
                        char organisation_id[UUID_BUFFER_SIZE], bool devices_allowed)
{
	*role = role_from_name(options->role);
	if (*role == ROLE_NONE || (*role == ROLE_DEVICE && !devices_allowed)) {
		fprintf(stderr, "camfleet admin: --role must be operator, admin or viewer\n");
		return -1;
	}
	organisation_id[0] = '\0';
	if (*role == ROLE_OPERATOR) {
		if (options->organisation != NULL) {
			fprintf(stderr, "camfleet admin: operators belong to no organisation; drop --organisation\n");
			return -1;
		}
		return 0;
	}
	if (options->organisation == NULL || !uuid_normalize(options->organisation, organisation_id)) {
		fprintf(stderr, "camfleet admin: role %s needs --organisation with an organisation id (UUID)\n",
		        options->role);
		return -1;
	}
	struct organisation organisation;
	if (store->ops->organisation_get(store, organisation_id, &organisation) != STORE_OK) {
		fprintf(stderr, "camfleet admin: organisation %s not found\n", organisation_id);
		return -1;
	}
	return 0;
}

static int create_client(struct store *store, const struct admin_options *options)
{
	struct client client = {0};
	if (options->name == NULL || options->name[0] == '\0' || strlen(options->name) > ENTITY_NAME_MAX) {
		fprintf(stderr, "camfleet admin: --name is required (1 to %d bytes)\n", (int)ENTITY_NAME_MAX);
		return 2;
	}
	if (resolve_role(store, options, &client.role, client.organisation_id, false) != 0)
		return 2;
	char secret[CLIENT_SECRET_SIZE];
	struct secret_keys *keys = secret_keys_from_store(store);
	int made = keys != NULL && uuid_generate_text(client.id) == 0 && password_generate_secret(secret) == 0 &&
	                   secret_keys_hash(keys, secret, client.secret_hash) == 0
	               ? 0
	               : -1;
	secret_keys_free(keys);
	if (made != 0) {
		fprintf(stderr, "camfleet admin: cannot generate credentials\n");
		return 1;
	}
	snprintf(client.name, sizeof(client.name), "%s", options->name);
	client.created_at = time_now_seconds();
	if (store->ops->client_insert(store, &client) != STORE_OK) {
		fprintf(stderr, "camfleet admin: cannot store the client\n");
		return 1;
	}
	printf("{\"clientId\": \"%s\", \"clientSecret\": \"%s\"}\n", client.id, secret);
	return 0;
}

static int create_user(struct store *store, const struct admin_options *options)
{
	struct user user = {0};
	if (options->email == NULL || strchr(options->email, '@') == NULL || strlen(options->email) > EMAIL_MAX) {
		fprintf(stderr, "camfleet admin: --email must be an email address\n");
		return 2;
	}
	if (options->password == NULL || strlen(options->password) < 8 || strlen(options->password) > 200) {
		fprintf(stderr, "camfleet admin: --password must be 8 to 200 characters\n");
		return 2;
	}
	if (resolve_role(store, options, &user.role, user.organisation_id, false) != 0)
		return 2;
	if (uuid_generate_text(user.id) != 0 || password_hash(options->password, user.password_hash) != 0) {
		fprintf(stderr, "camfleet admin: cannot hash the password\n");
		return 1;
	}
	snprintf(user.email, sizeof(user.email), "%s", options->email);
	user.created_at = time_now_seconds();
	enum store_result result = store->ops->user_insert(store, &user);
	if (result == STORE_CONFLICT) {
		fprintf(stderr, "camfleet admin: a user with email %s already exists\n", options->email);
		return 1;
	}
	if (result != STORE_OK) {
		fprintf(stderr, "camfleet admin: cannot store the user\n");
		return 1;
	}
	printf("{\"id\": \"%s\", \"email\": \"%s\", \"role\": \"%s\"}\n", user.id, user.email, role_name(user.role));
	return 0;
}

/* Keys retired longer than the longest token lifetime (--token-ttl at most 7 days) verify nothing. */
#define RETIRED_KEY_KEPT_SECONDS (7 * 86400 + 3600)

static int rotate_signing_key(struct store *store)
{
	char kid[SIGNING_KEY_ID_SIZE], previous[SIGNING_KEY_ID_SIZE];
	int64_t now = time_now_seconds();
	enum store_result result = signing_keys_rotate(store, now, now - RETIRED_KEY_KEPT_SECONDS, kid, previous);
	if (result == STORE_CONFLICT) {
		fprintf(stderr, "camfleet admin: another rotation ran at the same moment; run it again if needed\n");
		return 1;
	}
	if (result != STORE_OK) {
		fprintf(stderr, "camfleet admin: cannot rotate the signing key\n");
		return 1;
	}
	if (store->messages->publish(store, TOKEN_SYNC_KEYS_MESSAGE) != STORE_OK)
		fprintf(stderr, "camfleet admin: cannot tell the running servers; they switch at their next poll\n");
	printf("{\"kid\": \"%s\", \"previousKid\": ", kid);
	printf(previous[0] != '\0' ? "\"%s\"}\n" : "null}\n", previous);
	return 0;
}

int cli_admin(int argc, char **argv)
{
	if (argc < 2) {
		admin_usage(stderr);
		return 2;
	}
	const char *command = argv[1];
	if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0) {
		admin_usage(stdout);
		return 0;
	}
	if (strcmp(command, "register-cameras") == 0)
		return cli_admin_register_cameras(argc - 1, argv + 1);
	bool is_client = strcmp(command, "create-client") == 0;
	bool is_rotate = strcmp(command, "rotate-signing-key") == 0;
	if (!is_client && !is_rotate && strcmp(command, "create-user") != 0) {
		fprintf(stderr, "camfleet admin: unknown command '%s'\n", command);
		admin_usage(stderr);
		return 2;
	}
	struct admin_options options;
	int parsed = parse_admin_options(argc - 1, argv + 1, &options);
	if (parsed != 0)
		return parsed > 0 ? 0 : 2;
	log_set_level(LOG_WARN);
	struct store *store = store_open(options.database, 1, STORE_USER_TOOL);
	if (store == NULL)
		return 1;
	int status = is_rotate   ? rotate_signing_key(store)
	             : is_client ? create_client(store, &options)
	                         : create_user(store, &options);
	store_close(store);
	return status;
}
