#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level g_level = LOG_INFO;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(enum log_level level)
{
    g_level = level;
}

int log_level_parse(const char *s)
{
    static const char *const names[] = {"debug", "info", "warn", "error",
                                        "off"};
    int i;

    for (i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int log_enabled(enum log_level level)
{
    return level >= g_level && g_level != LOG_OFF;
}

static const char *level_name(enum log_level l)
{
    switch (l) {
    case LOG_DEBUG: return "debug";
    case LOG_INFO: return "info";
    case LOG_WARN: return "warn";
    case LOG_ERROR: return "error";
    default: return "off";
    }
}

/* Escape quotes, backslashes and control characters into @out. */
static void escape(char *out, size_t outlen, const char *in)
{
    size_t o = 0;

    for (; *in && o + 5 < outlen; in++) {
        unsigned char c = (unsigned char)*in;

        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

void log_msg(enum log_level level, const char *component, const char *fmt,
             ...)
{
    char msg[1024], esc[2048], ts[32];
    struct timespec now;
    struct tm tm;
    va_list ap;

    if (!log_enabled(level))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    pthread_mutex_lock(&g_lock);
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    escape(esc, sizeof(esc), msg);
    fprintf(stderr, "ts=%s.%03ldZ level=%s component=%s msg=\"%s\"\n", ts,
            now.tv_nsec / 1000000L, level_name(level), component, esc);
    fflush(stderr);
    pthread_mutex_unlock(&g_lock);
}
