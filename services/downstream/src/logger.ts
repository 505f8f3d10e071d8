import type { LOG_LEVELS } from './env';

type Level = (typeof LOG_LEVELS)[number];
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** One JSON object per line on stdout (level, time, instance, message), as the API logs. */
export function createLogger(
  level: Level,
  instance: string,
  write = (line: string) => process.stdout.write(line),
): Logger {
  const min = RANK[level];
  const log = (lvl: 'info' | 'warn' | 'error') => {
    if (RANK[lvl] < min) return () => {};
    return (msg: string, fields?: Record<string, unknown>) => {
      write(`${JSON.stringify({ level: lvl, time: new Date().toISOString(), instance, msg, ...fields })}\n`);
    };
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
