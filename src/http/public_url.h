/* The server's public base URL (--public-url): what every absolute URL the API hands out is
 * built from, never the client's Host header. */
#ifndef CAMFLEET_HTTP_PUBLIC_URL_H
#define CAMFLEET_HTTP_PUBLIC_URL_H

#include <stddef.h>

/* Checks text as a public base URL — scheme http or https, a host, an optional path, no
 * userinfo, query, fragment, space or control character — and writes it into out (out_size
 * bytes) with the scheme in lowercase and trailing slashes removed. 0, or -1 with the reason
 * (static text) in *error. */
int public_url_normalize(const char *text, char *out, size_t out_size, const char **error)
    __attribute__((warn_unused_result));

/* The default public URL of a listen address: "http://HOST:PORT", an IPv6 host in brackets,
 * "localhost" for an empty host. 0, or -1 when out (out_size bytes) is too small. */
int public_url_from_listen(const char *host, unsigned port, char *out, size_t out_size)
    __attribute__((warn_unused_result));

/* The path part of a normalised public URL ("" when it has none, else "/..." without a trailing
 * slash): the prefix of every root-relative URL the API hands out (Location), so that they
 * stay right behind a proxy that serves camfleet under a path. Points into url. */
const char *public_url_path(const char *url);

#endif
