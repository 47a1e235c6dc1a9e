/* Every route of the joined table says who may call it: a public route admits no role (no token
 * is read), every other route at least one, and only the roles that exist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/routes.h"
#include "auth/policy.h"

#define ALL_ROLES (ROLES_READERS | ROLE_BIT(ROLE_DEVICE))

static const struct route *find(const struct route *routes, size_t count, const char *method, const char *pattern)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(routes[i].method, method) == 0 && strcmp(routes[i].pattern, pattern) == 0)
			return &routes[i];
	fail_msg("no route %s %s", method, pattern);
	return NULL;
}

static void test_every_route_names_its_roles_unless_public(void **state)
{
	size_t count = 0;
	struct route *routes = api_routes_build(&count);
	assert_non_null(routes);
	assert_true(count > 40);
	for (size_t i = 0; i < count; i++) {
		if (routes[i].flags & ROUTE_PUBLIC) {
			assert_int_equal(routes[i].roles, 0);
			continue;
		}
		if (routes[i].roles == 0 || (routes[i].roles & ~ALL_ROLES) != 0)
			fail_msg("%s %s: roles 0x%x", routes[i].method, routes[i].pattern, routes[i].roles);
	}
	free(routes);
}

static void test_metrics_is_for_operators_and_device_routes_for_devices(void **state)
{
	size_t count = 0;
	struct route *routes = api_routes_build(&count);
	assert_non_null(routes);
	assert_int_equal(find(routes, count, "GET", "/metrics")->roles, ROLES_OPERATOR);
	assert_int_equal(find(routes, count, "GET", "/metrics")->flags & ROUTE_PUBLIC, 0);
	assert_int_equal(find(routes, count, "POST", "/device/frames")->roles, ROLE_BIT(ROLE_DEVICE));
	assert_int_equal(find(routes, count, "GET", "/cameras/{cameraId}")->roles, ROLES_READERS);
	assert_int_equal(find(routes, count, "POST", "/cameras")->roles, ROLES_WRITERS);
	assert_int_equal(find(routes, count, "POST", "/register-camera-requests")->roles, ROLES_OPERATOR);
	assert_true(find(routes, count, "POST", "/oauth/token")->flags & ROUTE_PUBLIC);
	free(routes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_route_names_its_roles_unless_public),
	    cmocka_unit_test(test_metrics_is_for_operators_and_device_routes_for_devices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
