#ifndef ETLS_COMMON_LOG_H
#define ETLS_COMMON_LOG_H

/*
 * Structured logging: one line per event on stderr,
 *   ts=2026-11-28T12:00:00.123Z level=info component=engine msg="..."
 * followed by the caller's key=value fields.  The level check happens before
 * anything is formatted.  Values are quoted and control characters escaped.
 * Never pass a secret: secrets have their own type with no print path.
 */
enum log_level {
    LOG_DEBUG = 0,
    LOG_INFO = 1,
    LOG_WARN = 2,
    LOG_ERROR = 3,
    LOG_OFF = 4
};

/*
 * Set the threshold: events below @level are not written; LOG_OFF writes
 * nothing.  The default is LOG_INFO.
 */
void log_set_level(enum log_level level);

/* Parse "debug", "info", "warn", "error", "off"; -1 when unknown. */
int log_level_parse(const char *s);

/* 1 when @level would be written. */
int log_enabled(enum log_level level);

/*
 * Write one event.  @fmt formats the message; extra fields can be appended by
 * writing them into the message as ` key=value` pairs via log_kv().
 */
void log_msg(enum log_level level, const char *component, const char *fmt,
             ...) __attribute__((format(printf, 3, 4)));

#define LOG(level, comp, ...)                                                 \
    do {                                                                      \
        if (log_enabled(level))                                               \
            log_msg(level, comp, __VA_ARGS__);                                \
    } while (0)

#endif
