/*
 * The command line of etls (cli.h): getopt_long() over the option table of
 * the command (cli_table.c), then the environment.  Usage errors suggest
 * the closest command or option.
 */
#include "controller/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/util.h"
#include "controller/credentials.h"
#include "model/suggest.h"

/* At most this many options per command (their groups together). */
#define CLI_MAX_OPTS 64
/* getopt_long value of option i of a command: CLI_VAL0 + i. */
#define CLI_VAL0 1000
/* Longest option name echoed in an error. */
#define CLI_NAME_MAX 63

int cli_parse_duration(double *out, const char *s)
{
    char num[32];
    size_t n = strlen(s);
    double mult = 1, v;

    if (n == 0 || n >= sizeof(num))
        return ERR_INVALID;
    memcpy(num, s, n + 1);
    switch (num[n - 1]) {
    case 's': mult = 1; num[n - 1] = '\0'; break;
    case 'm': mult = 60; num[n - 1] = '\0'; break;
    case 'h': mult = 3600; num[n - 1] = '\0'; break;
    default: break;
    }
    if (util_parse_double(&v, num, 0.001, 1e7) != 0)
        return ERR_INVALID;
    *out = v * mult;
    return 0;
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "etls: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (cmd && cmd->id != CLI_CMD_HELP)
        fprintf(stderr, "\nRun 'etls help %s' for usage.\n", cmd->name);
    else
        fprintf(stderr, "\nRun 'etls help' for usage.\n");
    return ERR_INVALID;
}

int cli_set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    return *dst ? 0 : ERR_NOMEM;
}

/* Read credential file @path of option --@name into *@dst. */
static int read_secret(struct cli *c, struct secret **dst, const char *path,
                       const char *name)
{
    char flag[80], why[512];
    int r;

    secret_free(*dst);
    *dst = NULL;
    snprintf(flag, sizeof(flag), "--%s", name);
    r = cred_file_read(dst, path, flag, why, sizeof(why));
    if (r == ERR_INVALID)
        return cli_usage_error(c->cmd, "%s", why);
    return r;
}

/* --private-key @path: a credential JSON (settings.c reads it) or a PEM
 * key, checked now so that a wrong key fails before any request. */
static int read_private_key(struct cli *c, const char *path)
{
    char where[600], why[900];
    int r = read_secret(c, &c->private_key, path, "private-key");

    if (r || cred_is_json(c->private_key))
        return r;
    snprintf(where, sizeof(where), "--private-key %s", path);
    r = cred_key_check(c->private_key, where, why, sizeof(why));
    if (r == ERR_INVALID)
        return cli_usage_error(c->cmd, "%s", why);
    return r;
}

static int set_duration(struct cli *c, double *dst, const char *name,
                        const char *v, const char *example)
{
    if (cli_parse_duration(dst, v) == 0)
        return 0;
    return cli_usage_error(c->cmd, "--%s: expected a duration such as %s, "
                                   "got '%s'",
                           name, example, v);
}

int cli_set_common(struct cli *c, const struct cli_option *o, const char *v)
{
    long n;

    switch (o->id) {
    case CLI_OPT_HELP: c->want_help = true; return 0;
    case CLI_OPT_FILE: c->file = v; return 0;
    case CLI_OPT_OUTPUT:
        if (strcmp(v, "text") == 0)
            c->output = CLI_OUTPUT_TEXT;
        else if (strcmp(v, "json") == 0)
            c->output = CLI_OUTPUT_JSON;
        else if (strcmp(v, "markdown") == 0 || strcmp(v, "md") == 0)
            c->output = CLI_OUTPUT_MARKDOWN;
        else
            return cli_usage_error(c->cmd, "--output must be text, json or "
                                           "markdown, not '%s'",
                                   v);
        return 0;
    case CLI_OPT_DETAILED_EXITCODE: c->detailed_exitcode = true; return 0;
    case CLI_OPT_OUT: c->out_file = v; return 0;
    case CLI_OPT_AUTO_APPROVE: c->auto_approve = true; return 0;
    case CLI_OPT_CLUSTER:
        free(c->origin.url);
        c->origin.url = strdup("--cluster");
        return cli_set_str(&c->cluster_url, v);
    case CLI_OPT_CA_CERT:
        c->trust_from_flags = true;
        return cli_set_str(&c->ca_cert, v);
    case CLI_OPT_INSECURE:
        c->trust_from_flags = true;
        c->insecure = true;
        return 0;
    case CLI_OPT_SIM: return cli_set_str(&c->sim_dir, v);
    case CLI_OPT_TOKEN_FILE:
        c->creds_from_flags = true;
        return read_secret(c, &c->token, v, o->name);
    case CLI_OPT_UID:
        c->creds_from_flags = true;
        return cli_set_str(&c->uid, v);
    case CLI_OPT_PASSWORD_FILE:
        c->creds_from_flags = true;
        return read_secret(c, &c->password, v, o->name);
    case CLI_OPT_PRIVATE_KEY:
        c->creds_from_flags = true;
        return read_private_key(c, v);
    case CLI_OPT_TIMEOUT:
        return set_duration(c, &c->timeout, o->name, v,
                            "900, 90s, 15m or 1h");
    case CLI_OPT_LOCK_TIMEOUT:
        if (strcmp(v, "0") == 0) {
            c->lock_timeout = 0;
            return 0;
        }
        return set_duration(c, &c->lock_timeout, o->name, v,
                            "0, 30s or 5m");
    case CLI_OPT_LOCK_TTL:
        if (cli_parse_duration(&c->lock_ttl, v) || c->lock_ttl < 5)
            return cli_usage_error(c->cmd, "--lock-ttl: expected a duration "
                                           "of at least 5s, got '%s'",
                                   v);
        return 0;
    case CLI_OPT_REQUEST_TIMEOUT:
        return set_duration(c, &c->request_timeout, o->name, v, "30s");
    case CLI_OPT_MAX_CONNECTIONS:
        if (util_parse_long(&n, v, 1, 64))
            return cli_usage_error(c->cmd, "--max-connections: expected "
                                           "1..64, got '%s'",
                                   v);
        c->max_connections = (int)n;
        return 0;
    case CLI_OPT_NO_COLOR: c->color = false; return 0;
    case CLI_OPT_LOG_LEVEL:
        c->log_level_given = true;
        c->log_level = log_level_parse(v);
        if (c->log_level < 0)
            return cli_usage_error(c->cmd, "--log-level: expected debug, "
                                           "info, warn or error, got '%s'",
                                   v);
        return 0;
    case CLI_OPT_TRACE: c->trace = true; return 0;
    default: return ERR_INTERNAL;
    }
}

/* The options of one command, flattened (struct opts). */
struct opts {
    const struct cli_option *opt[CLI_MAX_OPTS];
    const struct cli_option_group *group[CLI_MAX_OPTS];
    const char *names[CLI_MAX_OPTS + 1]; /* long names, for suggestions */
    struct option longopts[CLI_MAX_OPTS + 1];
    char shortopts[2 * CLI_MAX_OPTS + 2];
    size_t n;
};

static void opts_build(struct opts *t, const struct cli_command *cmd)
{
    size_t g, i, s = 0;

    memset(t, 0, sizeof(*t));
    t->shortopts[s++] = ':';
    for (g = 0; cmd->groups[g]; g++)
        for (i = 0; cmd->groups[g]->options[i].name; i++) {
            const struct cli_option *o = &cmd->groups[g]->options[i];

            if (t->n == CLI_MAX_OPTS)
                return;
            t->opt[t->n] = o;
            t->group[t->n] = cmd->groups[g];
            t->names[t->n] = o->name;
            t->longopts[t->n].name = o->name;
            t->longopts[t->n].has_arg = o->arg ? required_argument
                                               : no_argument;
            t->longopts[t->n].val = CLI_VAL0 + (int)t->n;
            if (o->short_name) {
                t->shortopts[s++] = o->short_name;
                if (o->arg)
                    t->shortopts[s++] = ':';
            }
            t->n++;
        }
}

/* Index of the option getopt_long returned as @val, or -1. */
static int opts_index(const struct opts *t, int val)
{
    size_t i;

    if (val >= CLI_VAL0 && val < CLI_VAL0 + (int)t->n)
        return val - CLI_VAL0;
    for (i = 0; i < t->n; i++)
        if (t->opt[i]->short_name && t->opt[i]->short_name == val)
            return (int)i;
    return -1;
}

/* The commands other than @cmd that accept option --@name, or NULL. */
static const struct cli_command *other_command_with(
    const struct cli_command *cmd, const char *name, char short_name)
{
    size_t k, g, i;

    for (k = 0; cli_commands[k].name; k++) {
        const struct cli_command *o = &cli_commands[k];

        if (o == cmd)
            continue;
        for (g = 0; o->groups[g]; g++)
            for (i = 0; o->groups[g]->options[i].name; i++) {
                const struct cli_option *x = &o->groups[g]->options[i];

                if ((name && strcmp(x->name, name) == 0) ||
                    (short_name && x->short_name == short_name))
                    return o;
            }
    }
    return NULL;
}

/* Report the unknown or ambiguous option @arg (as typed, "=value" cut). */
static int bad_option(const struct cli *c, const struct opts *t,
                      const char *arg, int optopt_val)
{
    const struct cli_command *other;
    char name[CLI_NAME_MAX + 1];
    const char *p = arg, *near;
    size_t len, i, prefixed = 0;

    if (optopt_val > 0 && optopt_val < 256) {
        char sn = (char)optopt_val;

        other = other_command_with(c->cmd, NULL, sn);
        if (other)
            return cli_usage_error(c->cmd, "-%c is an option of %s, not of "
                                           "%s",
                                   sn, other->name, c->cmd->name);
        return cli_usage_error(c->cmd, "unknown option '-%c'", sn);
    }
    while (*p == '-')
        p++;
    len = strcspn(p, "=");
    if (len > CLI_NAME_MAX)
        return cli_usage_error(c->cmd, "unknown option (name longer than %d "
                                       "characters)",
                               CLI_NAME_MAX);
    memcpy(name, p, len);
    name[len] = '\0';
    for (i = 0; i < t->n; i++)
        prefixed += len && strncmp(t->names[i], name, len) == 0;
    if (prefixed > 1)
        return cli_usage_error(c->cmd, "option '--%s' is ambiguous; spell "
                                       "it out",
                               name);
    other = other_command_with(c->cmd, name, 0);
    if (other)
        return cli_usage_error(c->cmd, "--%s is an option of %s, not of %s",
                               name, other->name, c->cmd->name);
    near = suggest_word(t->names, name);
    if (near)
        return cli_usage_error(c->cmd, "unknown option '%.*s%s'; did you "
                                       "mean '--%s'?",
                               (int)(p - arg), arg, name, near);
    return cli_usage_error(c->cmd, "unknown option '%.*s%s'", (int)(p - arg),
                           arg, name);
}

/* What `-out` is handed to getopt_long as (compared by address). */
static char out_alias[] = "--out";

/*
 * The arguments after the command, for getopt_long (@args: room for
 * 2 * @argc), with Terraform's `-out FILE` / `-out=FILE` spelled `--out
 * FILE`; a single-dash spelling of any other long option is refused
 * (getopt would read it as short options).  Values keep pointing into
 * @argv.  Returns the number of arguments in @args, or a negative err.
 */
static int prepare_args(struct cli *c, char **args, int argc, char **argv)
{
    int i, n = 1;

    args[0] = argv[0];
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        char name[CLI_NAME_MAX + 1];
        size_t len;

        if (strcmp(a, "--") == 0) {
            for (; i < argc; i++)
                args[n++] = argv[i];
            break;
        }
        if (a[0] != '-' || a[1] == '-' || a[1] == '\0' || a[2] == '\0') {
            args[n++] = argv[i];
            continue;
        }
        len = strcspn(a + 1, "=");
        if (len > CLI_NAME_MAX) {
            args[n++] = argv[i];
            continue;
        }
        memcpy(name, a + 1, len);
        name[len] = '\0';
        if (strcmp(name, "out") == 0) {
            args[n++] = out_alias;
            if (a[1 + len] == '=')
                args[n++] = argv[i] + 1 + len + 1;
            continue;
        }
        if (len > 1 && other_command_with(NULL, name, 0))
            return cli_usage_error(c->cmd, "unknown option '-%s'; did you "
                                           "mean '--%s'?",
                                   name, name);
        args[n++] = argv[i];
    }
    args[n] = NULL;
    return n;
}

/* Position in @argv of the argument @a (a pointer into it). */
static int position_of(char **argv, int argc, const char *a)
{
    int i;

    for (i = 0; i < argc; i++)
        if (argv[i] == a)
            return i;
    return -1;
}

static int take_positional(struct cli *c, const char *a, int pos)
{
    const char **slot = NULL;

    switch (c->cmd->id) {
    case CLI_CMD_HELP: slot = &c->help_topic; break;
    case CLI_CMD_APPLY: slot = &c->plan_file; break;
    case CLI_CMD_FORCE_UNLOCK: slot = &c->service; break;
    default: break;
    }
    if (slot && !*slot) {
        *slot = a;
        return 0;
    }
    /* Not echoed: a stray argument may be a misplaced secret. */
    return cli_usage_error(c->cmd, "unexpected argument at position %d "
                                   "(options start with '-')",
                           pos);
}

/* getopt_long over the @n @args; values stored by the groups' set(). */
static int parse_options(struct cli *c, int argc, char **argv, char **args,
                         int n)
{
    struct opts t;
    int ch, idx, r;

    opts_build(&t, c->cmd);
    optind = 0; /* glibc: start over (cli_parse may run several times) */
    opterr = 0;
    while ((ch = getopt_long(n, args, t.shortopts, t.longopts, &idx)) != -1) {
        const char *typed = args[optind - 1];
        const char *v = optarg;
        int i;

        if (ch == ':')
            return cli_usage_error(c->cmd, "option %s needs a value",
                                   typed == out_alias ? "-out" : typed);
        if (ch == '?') {
            i = opts_index(&t, optopt);
            if (i >= 0 && optopt >= CLI_VAL0)
                return cli_usage_error(c->cmd, "option --%s takes no value",
                                       t.opt[i]->name);
            return bad_option(c, &t, optopt ? "-" : typed, optopt);
        }
        i = opts_index(&t, ch);
        if (i < 0)
            return ERR_INTERNAL;
        /*
         * The option's own element: before its value when that is a
         * separate argument.  A long option must be spelled out: an
         * abbreviation (--token for --token-file) may be a secret's flag
         * misremembered, and a script must not change meaning when an
         * option is added.
         */
        if (v && v == args[optind - 1] && optind >= 2)
            typed = args[optind - 2];
        if (typed[0] == '-' && typed[1] == '-' && typed != out_alias &&
            (strncmp(typed + 2, t.opt[i]->name, strlen(t.opt[i]->name)) != 0 ||
             (typed[2 + strlen(t.opt[i]->name)] != '\0' &&
              typed[2 + strlen(t.opt[i]->name)] != '=')))
            return bad_option(c, &t, typed, 0);
        /* `-f=x` (accepted before getopt): the value is x. */
        if (v && v == typed + 2 && typed[1] != '-' && v[0] == '=')
            v++;
        r = t.group[i]->set(c, t.opt[i], v);
        if (r)
            return r;
    }
    for (; optind < n; optind++) {
        r = take_positional(c, args[optind],
                            position_of(argv, argc, args[optind]));
        if (r)
            return r;
    }
    return 0;
}

/* Find the command argv[1] names; suggest one when it is mistyped. */
static int find_command(struct cli *c, const char *name)
{
    const char *names[32];
    const char *near;
    size_t i;

    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0)
        name = "help";
    else if (strcmp(name, "--version") == 0 || strcmp(name, "-v") == 0)
        name = "version";
    c->cmd = cli_command_find(name);
    if (c->cmd) {
        c->command = c->cmd->name;
        return 0;
    }
    c->command = "help";
    c->cmd = cli_command_find("help");
    if (name[0] == '-')
        return cli_usage_error(NULL, "the command comes first: etls COMMAND "
                                     "[options], e.g. etls plan -f "
                                     "desired.json");
    for (i = 0; cli_commands[i].name && i < 31; i++)
        names[i] = cli_commands[i].name;
    names[i] = NULL;
    near = suggest_word(names, name);
    if (near)
        return cli_usage_error(NULL, "unknown command '%s'; did you mean "
                                     "'%s'?",
                               name, near);
    return cli_usage_error(NULL, "unknown command '%s'", name);
}

/* The rules between options, once all are read. */
static int check_options(struct cli *c)
{
    if (c->plan_file && c->file)
        return cli_usage_error(c->cmd, "give either -f PATH or a saved plan "
                                       "FILE, not both");
    if (c->out_file && c->file && strcmp(c->file, "-") == 0)
        return cli_usage_error(c->cmd, "-out needs documents etls can read "
                                       "again at apply time: give -f PATH, "
                                       "not -f -");
    if (c->help_topic && !cli_command_find(c->help_topic)) {
        const struct cli_command *h = c->cmd;

        c->cmd = NULL;
        find_command(c, c->help_topic);
        c->cmd = h;
        c->command = h->name;
        return ERR_INVALID;
    }
    return cli_check_credentials(c);
}

int cli_parse(struct cli *out, int argc, char **argv)
{
    char **args;
    int r, n;

    memset(out, 0, sizeof(*out));
    out->color = true;
    out->timeout = 900;
    out->lock_ttl = 60;
    out->request_timeout = 30;
    out->max_connections = (int)ENGINE_MAX_CONNECTIONS;
    out->log_level = LOG_WARN;

    if (argc < 2) {
        out->cmd = cli_command_find("help");
        out->command = out->cmd->name;
        return 0;
    }
    r = find_command(out, argv[1]);
    if (r)
        return r;
    /* --help anywhere before `--` wins, even over a bad option. */
    for (n = 2; n < argc && strcmp(argv[n], "--") != 0; n++)
        if (strcmp(argv[n], "-h") == 0 || strcmp(argv[n], "--help") == 0) {
            out->want_help = true;
            return 0;
        }
    args = calloc(2 * (size_t)argc + 1, sizeof(*args));
    if (!args)
        return ERR_NOMEM;
    n = prepare_args(out, args, argc, argv);
    r = n < 0 ? n : parse_options(out, argc, argv, args, n);
    free(args);
    if (r || out->want_help)
        return r;
    r = cli_read_env(out);
    if (r == 0)
        r = check_options(out);
    return r;
}

void cli_engine_options(struct engine_options *out, const struct cli *c,
                        const struct report_sink *report)
{
    memset(out, 0, sizeof(*out));
    out->cluster_url = c->cluster_url;
    out->ca_file = c->ca_cert;
    out->insecure = c->insecure;
    out->token = c->token;
    out->uid = c->uid;
    out->password = c->password;
    out->private_key = c->private_key;
    out->request_timeout = c->request_timeout;
    out->max_connections = (unsigned)c->max_connections;
    out->trace = c->trace ? stderr : NULL;
    out->rollout_timeout = c->timeout;
    out->lock_timeout = c->lock_timeout;
    out->lock_ttl = c->lock_ttl;
    out->command = c->command;
    /* Only what applies makes key pairs ahead: a plan generates none. */
    out->speculate_keys = c->command && (strcmp(c->command, "apply") == 0 ||
                                         strcmp(c->command, "run") == 0);
    if (report)
        out->report = *report;
}

void cli_free(struct cli *c)
{
    free(c->cluster_url);
    free(c->ca_cert);
    free(c->sim_dir);
    free(c->uid);
    free(c->origin.url);
    free(c->origin.trust);
    free(c->origin.credentials);
    free(c->origin.dcos_config);
    free(c->ssl_verify_env);
    secret_free(c->token);
    secret_free(c->password);
    secret_free(c->private_key);
    secret_free(c->git_credentials);
    memset(c, 0, sizeof(*c));
}
