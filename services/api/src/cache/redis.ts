import { Redis } from 'ioredis';
import type { Env } from '../env';
import type { Logger } from '../observability/logger';

/**
 * The replica's Redis connection, set up so an outage costs nothing but cache hits: with the offline queue off a
 * command fails at once while disconnected instead of waiting, `commandTimeout` bounds a Redis that hangs, and
 * the retry strategy reconnects forever (at most every 2 s), so the cache comes back by itself.
 */
export function createRedis(env: Pick<Env, 'REDIS_URL' | 'REDIS_COMMAND_TIMEOUT_MS'>, log: Logger) {
  const redis = new Redis(env.REDIS_URL, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: env.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
    lazyConnect: false,
    // Commands issued in the same tick go out in one write: under load, one syscall for many cache reads.
    enableAutoPipelining: true,
  });
  let up = false;
  redis.on('ready', () => {
    if (!up) log.info('redis connected');
    up = true;
  });
  redis.on('error', (err) => {
    if (up) log.warn('redis unavailable; reads bypass the cache until it returns', { err: err.message });
    up = false;
  });
  redis.on('close', () => {
    up = false;
  });
  return redis;
}

/** What went wrong with a Redis command, as a short label (the replica's redis_client_command_errors_total). */
export type RedisErrorKind = 'oom' | 'readonly' | 'misconf' | 'loading' | 'auth' | 'timeout' | 'unreachable';

export function redisErrorKind(err: unknown): RedisErrorKind {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('OOM')) return 'oom';
  if (message.startsWith('READONLY')) return 'readonly';
  if (message.startsWith('MISCONF')) return 'misconf';
  if (message.startsWith('LOADING')) return 'loading';
  if (message.startsWith('NOAUTH') || message.startsWith('WRONGPASS')) return 'auth';
  if (message === 'Command timed out') return 'timeout';
  return 'unreachable';
}

const DESCRIPTIONS: Record<RedisErrorKind, string> = {
  oom: 'Redis is full and refuses writes',
  readonly: 'Redis is read-only and refuses writes',
  misconf: 'Redis refuses writes because it cannot save to disk',
  loading: 'Redis is still loading its data',
  auth: 'Redis refused the credentials',
  timeout: 'Redis did not answer in time',
  unreachable: 'Redis is unreachable',
};

/**
 * A Redis failure in the API's own words, for /ready and error messages: what is wrong with Redis, never the
 * driver's text (which names addresses and internals).
 */
export const describeRedisError = (err: unknown): string => DESCRIPTIONS[redisErrorKind(err)];

export type { Redis };
