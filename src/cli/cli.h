/* The subcommands of the camfleet binary. Each takes the arguments after its name and
 * returns the process exit status. */
#ifndef CAMFLEET_CLI_CLI_H
#define CAMFLEET_CLI_CLI_H

#include <stdbool.h>

/* The database of `camfleet serve` and `camfleet admin` when neither --database nor
 * CAMFLEET_DATABASE names one. */
#define CLI_DEFAULT_DATABASE "sqlite:camfleet.db"

struct store;

int cli_serve(int argc, char **argv);
int cli_admin(int argc, char **argv);
/* `camfleet admin register-cameras` (cli/admin_register.c); argv[0] is "register-cameras". */
int cli_admin_register_cameras(int argc, char **argv);
/* The database `camfleet admin` works on: --database, else $CAMFLEET_DATABASE, else
 * CLI_DEFAULT_DATABASE. */
const char *cli_admin_default_database(void);
/* Opens database for an admin command. Unless create, a database without camfleet's schema (a
 * missing SQLite file: a typo) is refused with a message on stderr, before anything is created.
 * NULL on failure (reported); close with store_close(). */
struct store *cli_admin_store_open(const char *database, bool create);
int cli_sim(int argc, char **argv);
int cli_routes(int argc, char **argv);

#endif
