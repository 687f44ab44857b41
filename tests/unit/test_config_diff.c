/* Reload diff (config_diff.c): the field table covers struct config, each
 * field changes its own part and only it, positions and leftovers change
 * nothing, and two parsed files differ where their text does. */
#include <stdio.h>
#include <string.h>

#include "config_diff.h"
#include "unit.h"

static struct config a, b;

static size_t
align_up(size_t n, size_t align)
{
	return (n + align - 1) / align * align;
}

/* A field added to struct config without a row here moves the fields
 * after it (or the end): the rows must tile the struct exactly, each at
 * the first place its alignment allows after the one before. C gives no
 * list of a struct's fields, so one small enough to sit in a padding hole
 * (today 2 bytes before mode and before metrics_listen, 3 before
 * ha_listen, 4 before notify_line, 7 before nno_inspect) moves nothing
 * and is not seen. */
START_TEST(table_covers_struct)
{
	size_t end = 0;

	ck_assert_uint_gt(config_diff_nfields, 0);
	for (size_t i = 0; i < config_diff_nfields; i++) {
		const struct config_diff_field *f = &config_diff_fields[i];

		ck_assert_msg(f->offset == align_up(end, f->align),
		    "struct config field %s at offset %zu, expected %zu: a field "
		    "before it has no row in config_diff_fields", f->name,
		    f->offset, align_up(end, f->align));
		end = f->offset + f->size;
	}
	ck_assert_msg(align_up(end, _Alignof(struct config)) == sizeof(struct config),
	    "struct config ends at %zu, the last row at %zu: a field after %s "
	    "has no row in config_diff_fields", sizeof(struct config), end,
	    config_diff_fields[config_diff_nfields - 1].name);
}
END_TEST

START_TEST(every_part_named_and_used)
{
	unsigned used = 0;
	char buf[256];

	for (size_t i = 0; i < config_diff_nfields; i++)
		used |= config_diff_fields[i].part;
	ck_assert_uint_eq(used, CONFIG_PART_ALL);
	for (unsigned i = 0; i < CONFIG_PART_COUNT; i++)
		ck_assert_ptr_nonnull(config_diff_part_name(1u << i));
	ck_assert_ptr_null(config_diff_part_name(0));
	ck_assert_ptr_null(config_diff_part_name(CONFIG_PART_TLS | CONFIG_PART_LOG));
	ck_assert_str_eq(config_diff_format(CONFIG_PART_HEALTH | CONFIG_PART_TLS,
	    buf, sizeof(buf)), "health-check, tls");
	ck_assert_str_eq(config_diff_format(0, buf, sizeof(buf)), "");
	/* Cut short, still a string. */
	ck_assert_str_eq(config_diff_format(CONFIG_PART_ALL, buf, 8), "selecti");
}
END_TEST

/* Change field f of b in a way its kind notices. */
static void
mutate(const struct config_diff_field *f, struct config *c)
{
	char *p = (char *)c + f->offset;
	size_t one = 1;

	switch (f->kind) {
	case CONFIG_DIFF_BYTES:
	case CONFIG_DIFF_ENDPOINT:
		p[0] ^= 1;
		break;
	case CONFIG_DIFF_STR:
		p[0] = p[0] == 'x' ? 'y' : 'x';
		p[1] = '\0';
		break;
	default:
		/* A first entry both lists hold, different in b. */
		memcpy((char *)&a + f->count, &one, sizeof(one));
		memcpy((char *)c + f->count, &one, sizeof(one));
		if (f->kind == CONFIG_DIFF_STRS) {
			p[0] = p[0] == 'x' ? 'y' : 'x';
			p[1] = '\0';
		} else
			p[f->kind == CONFIG_DIFF_PROXIES || f->kind == CONFIG_DIFF_IFACES ?
			    0 : 1] ^= 1;
	}
}

START_TEST(each_field_its_own_part)
{
	for (size_t i = 0; i < config_diff_nfields; i++) {
		const struct config_diff_field *f = &config_diff_fields[i];

		config_defaults(&a);
		config_defaults(&b);
		mutate(f, &b);
		ck_assert_msg(config_diff(&a, &b) == f->part,
		    "field %s: diff %#x, expected %#x", f->name,
		    config_diff(&a, &b), f->part);
		ck_assert_uint_eq(config_diff(&b, &a), f->part);
	}
}
END_TEST

/* What does not reach the daemon's behaviour is not a change: bytes after
 * a string's NUL, entries beyond a list's count, endpoint padding. */
START_TEST(leftovers_are_no_change)
{
	config_defaults(&a);
	config_defaults(&b);
	ck_assert_uint_eq(config_diff(&a, &b), 0);
	snprintf(a.ca_cert, sizeof(a.ca_cert), "/c");
	snprintf(b.ca_cert, sizeof(b.ca_cert), "/c");
	a.ca_cert[5] = 'j';
	snprintf(b.intercept_if[3], IFNAMSIZ, "eth9");
	b.http_port[4] = 8080;
	b.proxy[2].addr.port = 1;
	b.iface[1].dhcp_v4 = true;
	memset((char *)&b.ha_listen + offsetof(struct cfg_endpoint, port) +
	    sizeof(uint16_t), 0x5a, sizeof(struct cfg_endpoint) -
	    offsetof(struct cfg_endpoint, port) - sizeof(uint16_t));
	b.notify_line = 7;
	b.auth_col = 3;
	ck_assert_uint_eq(config_diff(&a, &b), 0);
	b.nhttp_port = 5;
	ck_assert_uint_eq(config_diff(&a, &b), CONFIG_PART_INTERCEPT);
}
END_TEST

static void
parse(const char *yaml, struct config *c)
{
	struct cfg_errors err;

	ck_assert_msg(config_parse("t.yaml", yaml, strlen(yaml), c, &err),
	    "%s", err.n ? err.msg[0] : "");
}

#define MPX "mgmt-proxy:\n"

START_TEST(parsed_files)
{
	parse(MPX "  health-check: {interval: 60, timeout: 3}\n"
	    "  upstream:\n    auth: {type: basic, credentials-file: /c}\n", &a);
	/* The same settings two lines lower: only positions differ. */
	parse("# moved\n# down\n" MPX "  health-check: {interval: 60, timeout: 3}\n"
	    "  upstream:\n    auth: {type: basic, credentials-file: /c}\n", &b);
	ck_assert_uint_ne(a.auth_line, b.auth_line);
	ck_assert_uint_eq(config_diff(&a, &b), 0);
	parse(MPX "  health-check: {interval: 2, timeout: 1}\n"
	    "  upstream:\n    auth: {type: basic, credentials-file: /c}\n", &b);
	ck_assert_uint_eq(config_diff(&a, &b), CONFIG_PART_HEALTH);
	parse(MPX "  health-check: {interval: 60, timeout: 3, fall: 2}\n"
	    "  tls: {inspect: false}\n  metrics: {listen: \"127.0.0.1:9100\"}\n", &b);
	ck_assert_uint_eq(config_diff(&a, &b), CONFIG_PART_FALL_RISE |
	    CONFIG_PART_TLS | CONFIG_PART_METRICS | CONFIG_PART_UPSTREAM_AUTH);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		table_covers_struct, every_part_named_and_used,
		each_field_its_own_part, leftovers_are_no_change,
		parsed_files, NULL,
	};

	return unit_suite_of("config_diff", NULL, NULL, tests);
}
