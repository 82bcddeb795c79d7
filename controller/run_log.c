/* The event log of etls run (run_log.h). */
#include "controller/run_log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <jansson.h>

static FILE *log_out;
static enum run_log_format log_format;
static enum log_level log_min = LOG_INFO;

void run_log_setup(FILE *out, enum run_log_format f, enum log_level level)
{
    log_out = out;
    log_format = f;
    log_min = level;
}

int run_log_format_parse(enum run_log_format *out, const char *s)
{
    if (strcmp(s, "logfmt") == 0)
        *out = RUN_LOG_LOGFMT;
    else if (strcmp(s, "json") == 0)
        *out = RUN_LOG_JSON;
    else
        return -1;
    return 0;
}

static const char *level_name(enum log_level l)
{
    switch (l) {
    case LOG_DEBUG: return "debug";
    case LOG_INFO: return "info";
    case LOG_WARN: return "warn";
    default: break;
    }
    return "error";
}

/* A logfmt value: bare when it needs no quoting. */
static void put_value(FILE *f, const char *v)
{
    const char *p;
    bool bare = *v != '\0';

    for (p = v; *p && bare; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '=' ||
            *p == '\\' || (unsigned char)*p >= 0x7f)
            bare = false;
    if (bare) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (p = v; *p; p++) {
        unsigned char ch = (unsigned char)*p;

        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch < ' ' || ch == 0x7f)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

void run_log(enum log_level level, const char *event, ...)
{
    char ts[80];
    struct timeval tv;
    struct tm tm;
    const char *k, *v;
    json_t *j = NULL;
    va_list ap;

    if (!log_out || level < log_min)
        return;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (long)(tv.tv_usec / 1000));
    if (log_format == RUN_LOG_JSON) {
        j = json_object();
        if (!j)
            return;
        json_object_set_new(j, "ts", json_string(ts));
        json_object_set_new(j, "level", json_string(level_name(level)));
        json_object_set_new(j, "event", json_string(event));
    } else {
        fprintf(log_out, "ts=%s level=%s event=", ts, level_name(level));
        put_value(log_out, event);
    }
    va_start(ap, event);
    while ((k = va_arg(ap, const char *)) != NULL) {
        v = va_arg(ap, const char *);
        if (!v)
            continue;
        if (j) {
            json_object_set_new(j, k, json_string(v));
        } else {
            fprintf(log_out, " %s=", k);
            put_value(log_out, v);
        }
    }
    va_end(ap);
    if (j) {
        char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

        if (s)
            fprintf(log_out, "%s", s);
        free(s);
        json_decref(j);
    }
    fputc('\n', log_out);
    fflush(log_out);
}
