import { z } from 'zod';

/**
 * The service's settings, read from the environment in this one place.
 *
 * `loadEnv()` returns typed settings or throws an `EnvError` whose message names every bad setting and what it
 * accepts; `index.ts` prints it and exits 1. Defaults: PG_POOL_MAX 10, PG_POOL_TIMEOUT_MS 2000,
 * PG_STATEMENT_TIMEOUT_MS 5000, CACHE_TTL_S 300, LOG_LEVEL info, HOST 127.0.0.1,
 * KEEP_ALIVE_TIMEOUT_MS 65000 (above nginx's 60 s upstream idle timeout, so nginx always closes first),
 * PG_TRANSACTION_POOLING off (on: DATABASE_URL is a pooler in transaction mode, PgBouncer; see db/pool.ts).
 * The overload lab (lab/, README "Overload lab"): LAB_ENDPOINTS off, DOWNSTREAM_URL unset; SHED_LAG_MS 0 (no load
 * shedding), SHED_COSTLY_MS 2 (routes holding the loop this long are shed first), MEMORY_GUARD_MB 0 and MEMORY_GUARD_HEAP_FRACTION 0 (no memory guard; set at most one);
 * DOWNSTREAM_PROTECTION on, DOWNSTREAM_TIMEOUT_MS 1000, DOWNSTREAM_BREAKER_FAILURES 5,
 * DOWNSTREAM_BREAKER_HALF_OPEN_MS 5000, DOWNSTREAM_BULKHEAD_LIMIT 10, DOWNSTREAM_BULKHEAD_QUEUE 10.
 * The ingest path (events/, README "Events"): INGEST_STREAM events, INGEST_GROUP ingest, INGEST_BACKLOG_LIMIT
 * 100000 (undelivered events past which POST /api/events answers 503), EVENT_PAYLOAD_MAX_BYTES 8192.
 */
/** A whole number from min to max (from a variable's text). Shared with the worker's env.ts. */
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A URL with one of `protocols` (e.g. `['redis:', 'rediss:']`). Shared with the worker's env.ts. */
export const urlWithProtocols = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

const envShape = {
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(1, 65535),
  INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'must be 1-63 letters, digits, "-", "_" or "." (e.g. app1)'),
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:']),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:']),
  PG_POOL_MAX: int(1, 1000).default(10),
  PG_POOL_TIMEOUT_MS: int(1, 600_000).default(2000),
  PG_STATEMENT_TIMEOUT_MS: int(1, 600_000).default(5000),
  PG_TRANSACTION_POOLING: z.enum(['on', 'off']).default('off'),
  REDIS_COMMAND_TIMEOUT_MS: int(1, 60_000).default(250),
  READY_TIMEOUT_MS: int(1, 60_000).default(1000),
  CACHE_TTL_S: int(1, 30 * 24 * 3600).default(300),
  CACHE_SETTLE_MS: int(0, 600_000).default(2000),
  REQUEST_DEADLINE_MS: int(100, 600_000).default(10_000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  KEEP_ALIVE_TIMEOUT_MS: int(1000, 3_600_000).default(65_000),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  LAB_ENDPOINTS: z.enum(['on', 'off']).default('off'),
  DOWNSTREAM_URL: urlWithProtocols(['http:', 'https:']).optional(),
  SHED_LAG_MS: int(0, 60_000).default(0),
  SHED_COSTLY_MS: z.coerce.number().min(0).max(60_000).default(2),
  MEMORY_GUARD_MB: int(0, 1_000_000).default(0),
  MEMORY_GUARD_HEAP_FRACTION: z.coerce.number().min(0).max(1).default(0),
  DOWNSTREAM_PROTECTION: z.enum(['on', 'off']).default('on'),
  DOWNSTREAM_TIMEOUT_MS: int(1, 600_000).default(1000),
  DOWNSTREAM_BREAKER_FAILURES: int(1, 10_000).default(5),
  DOWNSTREAM_BREAKER_HALF_OPEN_MS: int(100, 3_600_000).default(5000),
  DOWNSTREAM_BULKHEAD_LIMIT: int(1, 10_000).default(10),
  DOWNSTREAM_BULKHEAD_QUEUE: int(0, 100_000).default(10),
  INGEST_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'must be 1-100 letters, digits, "-", "_", "." or ":"')
    .default('events'),
  INGEST_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'must be 1-100 letters, digits, "-", "_", "." or ":"')
    .default('ingest'),
  INGEST_BACKLOG_LIMIT: int(1, 1_000_000_000).default(100_000),
  EVENT_PAYLOAD_MAX_BYTES: int(2, 1024 * 1024).default(8192),
};

const envSchema = z.object(envShape).superRefine((env, ctx) => {
  // A write's transaction may idle for one Redis command before it commits; a new Redis incarnation must take no
  // fills until every write that locked the old one has committed or rolled back (README, "Why no read is stale").
  const least = env.REDIS_COMMAND_TIMEOUT_MS + 1000;
  if (env.CACHE_SETTLE_MS < least) {
    ctx.addIssue({
      code: 'custom',
      path: ['CACHE_SETTLE_MS'],
      message: `must be at least REDIS_COMMAND_TIMEOUT_MS + 1000 (${least})`,
    });
  }
  if (env.MEMORY_GUARD_MB > 0 && env.MEMORY_GUARD_HEAP_FRACTION > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['MEMORY_GUARD_HEAP_FRACTION'],
      message: 'set MEMORY_GUARD_MB or MEMORY_GUARD_HEAP_FRACTION, not both',
    });
  }
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

type Source = Record<string, string | undefined>;

export function loadEnv(source: Source = process.env): Env {
  return parseEnv(envSchema, source);
}

/** `db:migrate` needs the database alone, not a replica's whole environment. */
export function loadMigrateEnv(source: Source = process.env): Pick<Env, 'DATABASE_URL'> {
  return parseEnv(z.object({ DATABASE_URL: envShape.DATABASE_URL }), source);
}

/**
 * Parses a process's environment with `schema` (the API's, the migrator's, the worker's): an empty variable is
 * unset; every problem named at once, with what was given, in one EnvError.
 */
export function parseEnv<T>(schema: z.ZodType<T>, source: Source): T {
  // An empty variable means "not set", so `PG_POOL_MAX=` falls back to the default instead of failing as 0.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  throw new EnvError(
    parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const value = present[key];
      const shown = value === undefined ? 'not set' : `got ${JSON.stringify(value)}`;
      return `${key}: ${issue.message} (${shown})`;
    }),
  );
}
