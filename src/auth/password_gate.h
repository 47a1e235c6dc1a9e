/* The argon2 gate: at most a configured number of argon2id computations run at once (by
 * default as many as there are CPU cores); a computation beyond that waits a bounded time for a
 * turn, then gives up (the caller answers 503), so a password flood cannot take every core. */
#ifndef CAMFLEET_AUTH_PASSWORD_GATE_H
#define CAMFLEET_AUTH_PASSWORD_GATE_H

#include <stdbool.h>

/* Sets the gate: capacity computations at once (0 = no gate, the default: the command line),
 * waiting at most wait_ms for a turn. Call once at start-up, before any computation. 0, or -1
 * when the condition variable cannot be made (the gate is then left off). */
int password_gate_configure(unsigned capacity, unsigned wait_ms) __attribute__((warn_unused_result));
/* Takes a turn; false when none came free in time (then do not call password_gate_leave). */
bool password_gate_enter(void) __attribute__((warn_unused_result));
/* Gives the turn back. */
void password_gate_leave(void);

#endif
