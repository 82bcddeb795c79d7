#include "model/validate.h"

#include <string.h>
#include <strings.h>

static int is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_alnum(char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* One Marathon id segment of @n bytes at @s (labels separated by '.'). */
static int marathon_segment_ok(const char *s, size_t n)
{
    size_t i, label = 0;

    if (n == 0 || n > MODEL_NAME_SEGMENT_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (c == '.') {
            /* A label must not be empty nor end with '-'. */
            if (label == 0 || s[i - 1] == '-')
                return 0;
            label = 0;
            continue;
        }
        if (!is_lower_alnum(c) && c != '-')
            return 0;
        if (label == 0 && c == '-')
            return 0;
        label++;
    }
    return label > 0 && s[n - 1] != '-';
}

const char *model_check_service_name(const char *s)
{
    static const char expected[] =
        "expected a Marathon app id: '/'-separated segments of lowercase "
        "letters, digits, '-' and '.', each starting and ending with a "
        "letter or digit, at most 63 characters per segment";
    const char *p = s;

    if (*p == '/')
        p++;
    if (!*p)
        return expected;
    if (strlen(p) > MODEL_NAME_MAX)
        return "expected a Marathon app id of at most 200 characters";
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);

        if (!marathon_segment_ok(p, n))
            return expected;
        if (!slash)
            return NULL;
        p = slash + 1;
    }
}

static int uid_chars_ok(const char *s)
{
    size_t n = 0;

    for (; *s; s++, n++) {
        if (!is_alnum(*s) && *s != '-' && *s != '_' && *s != '@' &&
            *s != '.')
            return 0;
    }
    return n > 0 && n <= MODEL_UID_MAX;
}

const char *model_check_uid(const char *s)
{
    if (!uid_chars_ok(s))
        return "expected a string matching [a-zA-Z0-9-_@.]+ (at most 96 "
               "characters)";
    if (strcmp(s, "anonymous") == 0)
        return "expected a uid other than the reserved \"anonymous\"";
    return NULL;
}

const char *model_check_gid(const char *s)
{
    if (!uid_chars_ok(s))
        return "expected a group id matching [a-zA-Z0-9-_@.]+ (at most 96 "
               "characters)";
    return NULL;
}

const char *model_check_secret_path(const char *s)
{
    const char *p = s;

    if (!*s)
        return "expected a non-empty secret path";
    if (*s == '/')
        return "expected a path relative to the secret store, without a "
               "leading '/'";
    if (strlen(s) > MODEL_SECRET_PATH_MAX)
        return "expected a secret path of at most 512 characters";
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p), i;

        if (n == 0)
            return "expected a secret path without empty segments ('//' "
                   "or a trailing '/')";
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return "expected a secret path without '.' or '..' segments";
        for (i = 0; i < n; i++) {
            if (!is_alnum(p[i]) && p[i] != '-' && p[i] != '_' && p[i] != '.')
                return "expected a secret path of letters, digits, '-', '_' "
                       "and '.' in segments separated by '/'";
        }
        if (!slash)
            return NULL;
        p = slash + 1;
    }
}

const char *model_check_file_path(const char *s)
{
    size_t n = 0;

    if (s[0] != '/')
        return "expected an absolute file path";
    for (; s[n]; n++)
        if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
            return "expected an absolute file path without control "
                   "characters";
    if (n > 4096)
        return "expected an absolute file path of at most 4096 bytes";
    return NULL;
}

const char *model_check_env_name(const char *s)
{
    static const char expected[] =
        "expected an environment variable name matching "
        "[A-Za-z_][A-Za-z0-9_]*";

    if (!*s || (s[0] >= '0' && s[0] <= '9'))
        return expected;
    for (; *s; s++) {
        if (!is_alnum(*s) && *s != '_')
            return expected;
    }
    return NULL;
}

const char *model_check_endpoint(const char *s)
{
    static const char expected[] =
        "expected an endpoint name matching [A-Za-z0-9._-]+";

    if (!*s)
        return expected;
    for (; *s; s++) {
        if (!is_alnum(*s) && *s != '.' && *s != '_' && *s != '-')
            return expected;
    }
    return NULL;
}

const char *model_check_package_name(const char *s)
{
    static const char expected[] =
        "expected a package name matching [a-z0-9][a-z0-9-]*";

    if (!is_lower_alnum(*s))
        return expected;
    for (; *s; s++) {
        if (!is_lower_alnum(*s) && *s != '-')
            return expected;
    }
    return NULL;
}

/* Printable ASCII except space and the characters in @bad. */
static int printable_ok(const char *s, const char *bad)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s <= ' ' || *s > '~' || strchr(bad, *s))
            return 0;
    }
    return 1;
}

const char *model_check_package_version(const char *s)
{
    if (!printable_ok(s, "/"))
        return "expected a package version such as \"2.1.2-5.6.5-beta\" "
               "(printable ASCII, no spaces or '/')";
    return NULL;
}

const char *model_check_basic_user(const char *s)
{
    if (!printable_ok(s, ":"))
        return "expected a user name of printable ASCII without spaces or "
               "':'";
    return NULL;
}

const char *model_check_rid(const char *s)
{
    if (strncmp(s, "dcos:", 5) != 0 || !s[5] || !printable_ok(s, ""))
        return "expected a resource id starting with \"dcos:\" (printable "
               "ASCII, no spaces)";
    return NULL;
}

static const char *const top_keys[] = {"apiVersion", "kind",   "package",
                                       "options",    "access", "verify",
                                       "policies",   "suspend", NULL};
static const char *const package_keys[] = {"name", "version", NULL};
static const char *const access_keys[] = {"groups", "permissions", NULL};
static const char *const permission_keys[] = {"rid", "action", NULL};
static const char *const verify_keys[] = {"enabled", "endpoint", "user",
                                          "password", "health", NULL};
static const char *const password_keys[] = {"env", "file", "secret", NULL};
static const char *const policies_keys[] = {"keyLost",
                                            "restoreUpdateStrategy", NULL};
static const char *const sections[] = {"",       "package",  "access",
                                       "permission", "verify", "password",
                                       "policies", NULL};

const char *const *model_envelope_keys(const char *section)
{
    static const char *const *const lists[] = {
        top_keys,    package_keys,  access_keys,  permission_keys,
        verify_keys, password_keys, policies_keys};
    size_t i;

    for (i = 0; sections[i]; i++) {
        if (strcmp(sections[i], section) == 0)
            return lists[i];
    }
    return NULL;
}

const char *const *model_envelope_sections(void)
{
    return sections;
}

int model_key_in(const char *const *keys, const char *key)
{
    for (; *keys; keys++) {
        if (strcmp(*keys, key) == 0)
            return 1;
    }
    return 0;
}

static const char *const sensitive_words[] = {
    "password", "passwd", "pass", "pwd", "passphrase", "secret", "token",
    "key", "apikey", "credential", "credentials", NULL
};
static const char *const sensitive_suffixes[] = {
    "password", "passwd", "pass", "passphrase", "secret", "token", "key",
    "credential", "credentials", NULL
};

static int is_letter_or_digit(char c)
{
    return is_alnum(c);
}

/* @w (@n bytes) is one of @list, or ends with one (@suffix). */
static int word_in(const char *w, size_t n, const char *const *list,
                   int suffix)
{
    size_t i, k;

    for (i = 0; list[i]; i++) {
        k = strlen(list[i]);
        if (suffix ? k <= n && strncasecmp(w + n - k, list[i], k) == 0
                   : k == n && strncasecmp(w, list[i], k) == 0)
            return 1;
    }
    return 0;
}

int model_key_sensitive(const char *key)
{
    size_t i, start = 0, n = strlen(key), last = 0, last_len = 0;

    if (strcmp(key, "service_account_secret") == 0)
        return 0;
    for (i = 0; i + 8 <= n; i++)
        if (strncasecmp(key + i, "password", 8) == 0)
            return 1;
    for (i = 0; i <= n; i++) {
        int split = i == n || !is_letter_or_digit(key[i]) ||
                    (i > start && key[i] >= 'A' && key[i] <= 'Z' &&
                     key[i - 1] >= 'a' && key[i - 1] <= 'z');

        if (!split)
            continue;
        if (i > start) {
            if (word_in(key + start, i - start, sensitive_words, 0))
                return 1;
            last = start;
            last_len = i - start;
        }
        start = i < n && is_letter_or_digit(key[i]) ? i : i + 1;
    }
    return last_len && word_in(key + last, last_len, sensitive_suffixes, 1);
}
