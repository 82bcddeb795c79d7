/*
 * The one JSON scanner (common/jsonscan.c): positions and failure points,
 * string decoding through a sink, depth limits, the writer, and the
 * secret-safe member readers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "common/jsonscan.h"

static void init(struct jsonscan *s, const char *text, unsigned flags)
{
    jsonscan_init(s, text, strlen(text), flags);
}

/* Decode the string at the start of @text; returns the scan result. */
static int decode(const char *text, unsigned flags, struct buf *out,
                  size_t *pos_out)
{
    struct jsonscan s;
    int r;

    init(&s, text, flags);
    r = jsonscan_string(&s, jsonscan_put_buf, out);
    *pos_out = s.pos;
    return r;
}

static void test_string_decoding(void **state)
{
    struct buf b;
    size_t pos;

    (void)state;
    buf_init(&b, 1024);
    assert_int_equal(decode("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\" tail", 0, &b,
                            &pos),
                     0);
    assert_int_equal(b.len, 12);
    assert_memory_equal(b.data, "a\"b\\c/d\b\f\n\r\t", 12);
    assert_int_equal(pos, 22);
    buf_reset(&b);
    /* UTF-8 of one, two, three and four bytes; a surrogate pair. */
    assert_int_equal(decode("\"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"", 0, &b,
                            &pos),
                     0);
    assert_string_equal(buf_str(&b), "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    buf_reset(&b);
    /* \u0000 decodes unless JSONSCAN_NO_NUL refuses it. */
    assert_int_equal(decode("\"a\\u0000b\"", 0, &b, &pos), 0);
    assert_int_equal(b.len, 3);
    assert_int_equal(b.data[1], '\0');
    buf_reset(&b);
    assert_int_equal(decode("\"a\\u0000b\"", JSONSCAN_NO_NUL, &b, &pos),
                     ERR_INVALID);
    buf_free(&b);
}

/* The scanner stops at the offending byte, as jsonpos reports it. */
static void test_string_failures(void **state)
{
    static const struct {
        const char *text;
        size_t pos;
    } bad[] = {
        { "\"abc", 4 },           /* end of text */
        { "\"a\nb\"", 2 },        /* raw control character */
        { "\"\\x\"", 2 },         /* unknown escape */
        { "\"\\u12g4\"", 5 },     /* not hex */
        { "\"\\udc00\"", 7 },     /* lone low surrogate */
        { "\"\\ud800x\"", 7 },    /* high surrogate alone */
        { "\"\\ud800\\u0041\"", 13 }, /* high then not low */
        { "x", 0 },               /* not a string */
    };
    size_t i, pos;
    struct buf b;

    (void)state;
    buf_init(&b, 64);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = decode(bad[i].text, 0, &b, &pos);

        if (r != ERR_INVALID || pos != bad[i].pos)
            fail_msg("%s: got %d at %zu, want ERR_INVALID at %zu",
                     bad[i].text, r, pos, bad[i].pos);
        buf_reset(&b);
    }
    buf_free(&b);
}

static int refuse(const char *p, size_t n, void *payload)
{
    (void)p;
    (void)n;
    (void)payload;
    return ERR_NOMEM;
}

static void test_sink_error_stops_the_scan(void **state)
{
    struct jsonscan s;

    (void)state;
    init(&s, "\"abc\"", 0);
    assert_int_equal(jsonscan_string(&s, refuse, NULL), ERR_NOMEM);
}

static void test_scalars(void **state)
{
    static const struct {
        const char *text;
        int r;
        size_t pos;
    } cases[] = {
        { "0", 0, 1 },        { "-0.5e+3,", 0, 7 }, { "12E-2]", 0, 5 },
        { "01", 0, 1 },       { "-", ERR_INVALID, 1 },
        { "1.", ERR_INVALID, 2 }, { "1e", ERR_INVALID, 2 },
        { "true", 0, 4 },     { "tru", ERR_INVALID, 3 },
        { "nul!", ERR_INVALID, 3 }, { "false ", 0, 5 },
        { "\"s\"", 0, 3 },    { "+1", ERR_INVALID, 0 },
    };
    struct jsonscan s;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int r;

        init(&s, cases[i].text, 0);
        r = jsonscan_scalar(&s);
        if (r != cases[i].r || s.pos != cases[i].pos)
            fail_msg("%s: got %d at %zu, want %d at %zu", cases[i].text, r,
                     s.pos, cases[i].r, cases[i].pos);
    }
}

static void test_lines_and_columns(void **state)
{
    struct jsonscan s;

    (void)state;
    /* A column counts code points; only LF ends a line. */
    init(&s, " \"\xc3\xa9\xe2\x82\xac\"\r\n\t x", 0);
    jsonscan_skip_ws(&s);
    assert_int_equal(jsonscan_column(&s), 2);
    assert_int_equal(jsonscan_string(&s, NULL, NULL), 0);
    assert_int_equal(s.line, 1);
    assert_int_equal(jsonscan_column(&s), 6);
    jsonscan_skip_ws(&s);
    assert_int_equal(s.line, 2);
    assert_int_equal(jsonscan_column(&s), 3);
    assert_int_equal(jsonscan_peek(&s), 'x');
    assert_int_equal(jsonscan_type_next(&s), JSONSCAN_NONE);
}

static void test_depth(void **state)
{
    struct jsonscan s;

    (void)state;
    init(&s, "[1]", 0);
    assert_int_equal(jsonscan_value(&s, 0), ERR_INVALID);
    init(&s, "[1]", 0);
    assert_int_equal(jsonscan_value(&s, 1), 0);
    init(&s, "[[1]]", 0);
    assert_int_equal(jsonscan_value(&s, 1), ERR_INVALID);
    init(&s, "{\"a\":[{}],\"b\":null}", 0);
    assert_int_equal(jsonscan_value(&s, 3), 0);
    assert_int_equal(s.pos, s.len);
    init(&s, "{\"a\" 1}", 0);
    assert_int_equal(jsonscan_value(&s, 3), ERR_INVALID);
    assert_int_equal(s.pos, 5);
    init(&s, "[1,]", 0);
    assert_int_equal(jsonscan_value(&s, 3), ERR_INVALID);
    assert_int_equal(s.pos, 3);
}

struct seen {
    struct buf keys;
    size_t members;
    size_t key_pos[4];
    int key_col[4];
};

static int seen_key(const char *p, size_t n, void *payload)
{
    struct seen *x = payload;

    return buf_append(&x->keys, p, n);
}

static int seen_value(struct jsonscan *s, const struct jsonscan_key *key,
                      void *payload)
{
    struct seen *x = payload;

    assert_non_null(key);
    if (x->members < 4) {
        x->key_pos[x->members] = key->pos;
        x->key_col[x->members] = key->column;
    }
    x->members++;
    buf_puts(&x->keys, "|");
    return jsonscan_value(s, 8);
}

static void test_object_walk(void **state)
{
    struct jsonscan s;
    struct seen x;

    (void)state;
    memset(&x, 0, sizeof(x));
    buf_init(&x.keys, 256);
    init(&s, "{ \"a\":1, \"b\\u00e9\" : [true], \"\":{}}", 0);
    assert_int_equal(jsonscan_object(&s, seen_key, seen_value, &x), 0);
    assert_int_equal(x.members, 3);
    assert_string_equal(buf_str(&x.keys), "a|b\xc3\xa9||");
    assert_int_equal(x.key_pos[0], 2);
    assert_int_equal(x.key_pos[1], 9);
    assert_int_equal(x.key_col[1], 10);
    assert_int_equal(s.pos, s.len);
    buf_free(&x.keys);
}

static void test_put_string(void **state)
{
    static const char raw[] = "q\"b\\n\nt\tc\x01\x7f\xc3\xa9";
    struct secret *back = NULL;
    struct buf b, doc;

    (void)state;
    buf_init(&b, 256);
    assert_int_equal(jsonscan_put_string(&b, raw, sizeof(raw) - 1), 0);
    assert_string_equal(buf_str(&b), "\"q\\\"b\\\\n\\nt\\tc\\u0001\\u007f"
                                     "\xc3\xa9\"");
    /* What the writer writes, the reader reads back. */
    buf_init(&doc, 512);
    assert_int_equal(buf_printf(&doc, "{\"v\":%s}", buf_str(&b)), 0);
    assert_int_equal(jsonscan_secret_member(&back, doc.data, doc.len, "v"),
                     0);
    assert_int_equal(back->len, sizeof(raw) - 1);
    assert_memory_equal(back->buf, raw, back->len);
    secret_free(back);
    buf_free(&doc);
    buf_free(&b);
    /* Over the cap. */
    buf_init(&b, 4);
    assert_int_equal(jsonscan_put_string(&b, "abcdef", 6), ERR_INVALID);
    buf_free(&b);
}

/* jsonscan_fields on a C string. */
static int fields(const char *text, struct jsonscan_field *f, size_t n)
{
    return jsonscan_fields(text, text ? strlen(text) : 0, f, n);
}

static void test_fields(void **state)
{
    struct buf v[3];
    struct jsonscan_field f[3] = { { "a", &v[0], 9 }, { "b", &v[1], 9 },
                                   { "c", &v[2], 9 } };
    size_t i;

    (void)state;
    for (i = 0; i < 3; i++)
        buf_init(&v[i], 64);
    assert_int_equal(fields("{\"x\":[1,{\"a\":\"no\"}],\"b\":2,\"a\":\"A\"}",
                            f, 3),
                     0);
    assert_int_equal(f[0].found, 1);
    assert_string_equal(buf_str(&v[0]), "A");
    assert_int_equal(f[1].found, -1);
    assert_int_equal(f[2].found, 0);
    for (i = 0; i < 3; i++)
        buf_reset(&v[i]);
    assert_int_equal(fields("{\"a\":\"1\",\"a\":\"2\"}", f, 3),
                     ERR_CONFLICT);
    /* Repeated keys that nobody asked for are not an error. */
    assert_int_equal(fields("{\"z\":1,\"z\":2}", f, 3), 0);
    assert_int_equal(fields("[\"a\"]", f, 3), ERR_INVALID);
    assert_int_equal(fields("{\"a\":\"1\"} x", f, 3),
                     ERR_INVALID);
    assert_int_equal(fields("{\"a\":\"\\u0000\"}", f, 3),
                     ERR_INVALID);
    assert_int_equal(fields(NULL, f, 3), ERR_INVALID);
    for (i = 0; i < 3; i++)
        buf_wipe_free(&v[i]);
}

static void test_secret_member(void **state)
{
    struct secret *s = NULL;
    const char *doc = " {\"n\":-1.5e3,\"value\":\"v\\n\"} ";

    (void)state;
    assert_int_equal(jsonscan_secret_member(&s, doc, strlen(doc), "value"),
                     0);
    assert_int_equal(s->len, 2);
    assert_string_equal(secret_str(s), "v\n");
    secret_free(s);
    s = NULL;
    assert_int_equal(jsonscan_secret_member(&s, doc, strlen(doc), "n"),
                     ERR_NOTFOUND);
    assert_int_equal(jsonscan_secret_member(&s, doc, strlen(doc), "x"),
                     ERR_NOTFOUND);
    doc = "{\"value\":\"a\",\"value\":\"b\"}";
    assert_int_equal(jsonscan_secret_member(&s, doc, strlen(doc), "value"),
                     ERR_INVALID);
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_decoding),
        cmocka_unit_test(test_string_failures),
        cmocka_unit_test(test_sink_error_stops_the_scan),
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_lines_and_columns),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_object_walk),
        cmocka_unit_test(test_put_string),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_secret_member),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
