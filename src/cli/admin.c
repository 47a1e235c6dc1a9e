/* `camfleet admin`: bootstrap without a token, straight on the database. create-client prints
 * the new client's id and secret (the secret is shown only here; the store keeps its keyed hash,
 * under the database's secret hash key, created here when the server has not yet); create-user
 * takes the password from standard input (or, with a warning, from --password);
 * rotate-signing-key puts a new token signing key in place. A database without camfleet's
 * schema is created only with --create (a typo in --database must not make a new one). */
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

#define PASSWORD_MIN 8
#define PASSWORD_MAX 200

static void admin_usage(FILE *out)
{
	fputs("usage: camfleet admin <command> [--database URL] [--create] [options]\n"
	      "\n"
	      "commands:\n"
	      "  create-client --role ROLE --name NAME [--organisation ID]\n"
	      "        creates an API client and prints {\"clientId\": ..., \"clientSecret\": ...}\n"
	      "  create-user --role ROLE --email EMAIL --password-stdin [--organisation ID]\n"
	      "        creates a user who signs in with the OAuth password grant, with the password read\n"
	      "        from the first line of standard input; prints {\"id\": ...}. --password PASSWORD\n"
	      "        instead takes it from the command line (seen in the process list and the shell's\n"
	      "        history: a warning is printed)\n"
	      "  register-cameras --csv FILE\n"
	      "        registers the cameras of a CSV of cameraId,serialNumber (see register-cameras --help);\n"
	      "        prints a JSON summary; exit status 1 when any line failed\n"
	      "  rotate-signing-key\n"
	      "        makes a new token signing key (new kid) the one that signs; the previous keys keep\n"
	      "        verifying the tokens they signed until those expire; running servers switch within\n"
	      "        a few seconds; prints {\"kid\": ..., \"previousKid\": ...}\n"
	      "\n"
	      "ROLE is operator, admin or viewer; admin and viewer need --organisation (an existing id).\n"
	      "--database defaults to $CAMFLEET_DATABASE, else " CLI_DEFAULT_DATABASE " (as camfleet serve).\n"
	      "--create: a database that does not hold camfleet's tables yet (a new SQLite file, an empty\n"
	      "        PostgreSQL database) is created and set up; without it such a database is refused.\n",
	      out);
}

struct admin_options {
	const char *database;
	const char *role;
	const char *name;
	const char *email;
	const char *password; /* --password; NULL with --password-stdin */
	bool password_stdin;
	bool create;
	const char *organisation;
};

const char *cli_admin_default_database(void)
{
	const char *database = getenv("CAMFLEET_DATABASE");
	return database != NULL && database[0] != '\0' ? database : CLI_DEFAULT_DATABASE;
}

struct store *cli_admin_store_open(const char *database, bool create)
{
	log_set_level(LOG_WARN);
	if (!create) {
		bool exists = false;
		if (store_schema_exists(database, &exists) != STORE_OK)
			return NULL;
		if (!exists) {
			char shown[512];
			store_url_redacted(database, shown, sizeof(shown));
			fprintf(
			    stderr,
			    "camfleet admin: %s holds no camfleet database; check --database (or $CAMFLEET_DATABASE),"
			    " or pass --create to create a new one there\n",
			    shown);
			return NULL;
		}
	}
	return store_open(database, 1, STORE_USER_TOOL);
}

static int parse_admin_options(int argc, char **argv, struct admin_options *options)
{
	static const struct option long_options[] = {
	    {"database", required_argument, NULL, 'd'}, {"role", required_argument, NULL, 'r'},
	    {"name", required_argument, NULL, 'n'},     {"email", required_argument, NULL, 'e'},
	    {"password", required_argument, NULL, 'p'}, {"password-stdin", no_argument, NULL, 'P'},
	    {"create", no_argument, NULL, 'c'},         {"organisation", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	memset(options, 0, sizeof(*options));
	options->database = cli_admin_default_database();
	optind = 1;
	int option;
	while ((option = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (option) {
		case 'd': options->database = optarg; break;
		case 'r': options->role = optarg; break;
		case 'n': options->name = optarg; break;
		case 'e': options->email = optarg; break;
		case 'p': options->password = optarg; break;
		case 'P': options->password_stdin = true; break;
		case 'c': options->create = true; break;
		case 'o': options->organisation = optarg; break;
		case 'h': admin_usage(stdout); return 1;
		default: admin_usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "camfleet admin: unexpected argument '%s'\n", argv[optind]);
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

/* The new user's password: the first line of standard input (--password-stdin), or --password
 * with a warning on stderr; 0 with it in password, 2 after a message on stderr. */
static int read_user_password(const struct admin_options *options, char password[PASSWORD_MAX + 1])
{
	if (options->password_stdin == (options->password != NULL)) {
		fprintf(stderr, "camfleet admin: create-user needs the password: pipe it in with --password-stdin"
		                " (or, seen in the process list, --password PASSWORD)\n");
		return 2;
	}
	size_t length;
	if (options->password != NULL) {
		fprintf(stderr,
		        "camfleet admin: warning: --password shows the password in the process list and the shell's"
		        " history; prefer --password-stdin\n");
		length = strlen(options->password);
		if (length >= PASSWORD_MIN && length <= PASSWORD_MAX)
			memcpy(password, options->password, length + 1);
	} else {
		char line[PASSWORD_MAX + 3]; /* the password, "\r\n" and the NUL */
		if (fgets(line, sizeof(line), stdin) == NULL)
			line[0] = '\0';
		length = strcspn(line, "\r\n");
		bool whole_line = line[length] != '\0' || feof(stdin);
		line[length] = '\0';
		if (!whole_line)
			length = PASSWORD_MAX + 1;
		else if (length >= PASSWORD_MIN && length <= PASSWORD_MAX)
			memcpy(password, line, length + 1);
		explicit_bzero(line, sizeof(line));
	}
	if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
		fprintf(stderr, "camfleet admin: the password must be %d to %d characters\n", PASSWORD_MIN,
		        PASSWORD_MAX);
		return 2;
	}
	return 0;
}

/* Checks what create-user is given before any database is opened: 0, or 2 after a message. */
static int check_user_options(const struct admin_options *options, char password[PASSWORD_MAX + 1])
{
	if (options->email == NULL || strchr(options->email, '@') == NULL || strlen(options->email) > EMAIL_MAX) {
		fprintf(stderr, "camfleet admin: --email must be an email address\n");
		return 2;
	}
	return read_user_password(options, password);
}

static int create_user(struct store *store, const struct admin_options *options, const char *password)
{
	struct user user = {0};
	if (resolve_role(store, options, &user.role, user.organisation_id, false) != 0)
		return 2;
	if (uuid_generate_text(user.id) != 0 || password_hash(password, user.password_hash) != 0) {
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
	bool is_user = !is_client && !is_rotate;
	char password[PASSWORD_MAX + 1] = "";
	if (is_user && check_user_options(&options, password) != 0)
		return 2;
	if (is_client && (options.name == NULL || options.name[0] == '\0' || strlen(options.name) > ENTITY_NAME_MAX)) {
		fprintf(stderr, "camfleet admin: --name is required (1 to %d bytes)\n", (int)ENTITY_NAME_MAX);
		return 2;
	}
	enum role role = role_from_name(options.role);
	if (!is_rotate && (role == ROLE_NONE || role == ROLE_DEVICE)) { /* before any database is created */
		fprintf(stderr, "camfleet admin: --role must be operator, admin or viewer\n");
		return 2;
	}
	struct store *store = cli_admin_store_open(options.database, options.create);
	int status = 1;
	if (store != NULL) {
		status = is_rotate   ? rotate_signing_key(store)
		         : is_client ? create_client(store, &options)
		                     : create_user(store, &options, password);
		store_close(store);
	}
	explicit_bzero(password, sizeof(password));
	return status;
}
