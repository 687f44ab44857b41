/* Shared helpers for the Check unit tests: each test_*.c defines
 * unit_suite() and links this main. */
#ifndef UNIT_H
#define UNIT_H
#include <check.h>
#include <stdlib.h>

Suite *unit_suite(void);

int main(void)
{
	SRunner *sr = srunner_create(unit_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
#endif
