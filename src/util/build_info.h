/* What this binary is: its version and the commit it was built from (generated at build time by
 * cmake/build_info.cmake), for `camfleet --version` and camfleet_build_info of /metrics. */
#ifndef CAMFLEET_UTIL_BUILD_INFO_H
#define CAMFLEET_UTIL_BUILD_INFO_H

extern const char build_info_version[]; /* "0.1.0" */
extern const char build_info_commit[];  /* git's short commit id, "+dirty" when changed; or "unknown" */

#endif
