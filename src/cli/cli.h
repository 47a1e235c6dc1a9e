/* The subcommands of the camfleet binary. Each takes the arguments after its name and
 * returns the process exit status. */
#ifndef CAMFLEET_CLI_CLI_H
#define CAMFLEET_CLI_CLI_H

int cli_serve(int argc, char **argv);
int cli_admin(int argc, char **argv);
/* `camfleet admin register-cameras` (cli/admin_register.c); argv[0] is "register-cameras". */
int cli_admin_register_cameras(int argc, char **argv);
int cli_sim(int argc, char **argv);
int cli_routes(int argc, char **argv);

#endif
