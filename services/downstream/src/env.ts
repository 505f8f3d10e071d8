import { z } from 'zod';

/**
 * The downstream service's settings, read from the environment in this one place.
 *
 * `loadEnv()` returns typed settings or throws an `EnvError` whose message names every bad setting and what it
 * accepts; `index.ts` prints it and exits 1. Defaults: HOST 127.0.0.1, INSTANCE_ID downstream, LOG_LEVEL info,
 * LATENCY_MS 10, JITTER_MS 5, ERROR_RATE 0 (the behaviour it starts with, and goes back to on
 * `DELETE /admin/behaviour`).
 */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** The longest latency the service may be told to add (a minute: a client's timeout is the point, not a hang). */
export const MAX_LATENCY_MS = 60_000;

const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(1, 65535),
  INSTANCE_ID: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/,
      'must be 1-63 letters, digits, "-", "_" or "." (e.g. downstream)',
    )
    .default('downstream'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  LATENCY_MS: int(0, MAX_LATENCY_MS).default(10),
  JITTER_MS: int(0, MAX_LATENCY_MS).default(5),
  ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(5000),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty variable means "not set", so `LATENCY_MS=` falls back to the default instead of failing.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
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
