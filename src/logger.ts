// Log lines with levels, written to a stream, with every secret value redacted before it is
// written: a token must never reach a log, even inside an error message.
import type { Writable } from 'node:stream';
import type { Logger } from './core/ports.ts';

const ORDER = { debug: 0, info: 1, warn: 2, error: 3 } as const;
export type LogLevel = keyof typeof ORDER;

/** The password in a URL's userinfo ("postgres://user:PASSWORD@host/db"), wherever a URL is written. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s/@]+@/gi;

/** The text with every secret value, and every password written in a URL, replaced by "[redacted]". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(URL_PASSWORD, '$1[redacted]@');
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out;
}

export function createLogger(opts: { level: LogLevel; secrets: readonly string[]; out: Writable; now?: () => Date }): Logger {
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[opts.level]) return;
    const at = (opts.now?.() ?? new Date()).toISOString();
    const extra = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
    opts.out.write(redact(`${at} ${level.toUpperCase()} ${msg}${extra}\n`, opts.secrets));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** A logger that sends each line to several loggers (a file, and stderr for warnings). */
export function teeLogger(...loggers: Logger[]): Logger {
  return {
    debug: (m, f) => loggers.forEach((l) => l.debug(m, f)),
    info: (m, f) => loggers.forEach((l) => l.info(m, f)),
    warn: (m, f) => loggers.forEach((l) => l.warn(m, f)),
    error: (m, f) => loggers.forEach((l) => l.error(m, f)),
  };
}
