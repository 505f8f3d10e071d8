import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ServerQueries } from '../prometheus/server-queries';
import type { ScenarioLifecycle } from '../runner/lifecycle';
import { LoadShape } from '../runner/load-shape';
import type { RecoveryOptions } from '../stats/recovery';
import { isUserClass, type UserClass } from '../user/user';
import { showPlace, whereItFailed } from './scenario-error';
import { UsageError } from './usage-error';

/** The engine's own sources: a stack frame here is not where the user's scenario went wrong. */
const ENGINE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Settings a scenario file may export as `options`; command-line flags override them.
 *
 * @example
 * export const options: ScenarioOptions = { users: 50, spawnRate: 10, runTime: '1m', thresholds: ['p(95)<500'] };
 */
export interface ScenarioOptions {
  host?: string;
  users?: number;
  spawnRate?: number;
  runTime?: string | number;
  stopTimeout?: string | number;
  /** Open model: iterations per second. */
  rate?: number;
  maxUsers?: number;
  thresholds?: string[];
  shape?: LoadShape;
  instanceHeader?: string;
  /**
   * With `--prometheus URL`: queries added to (or, by name, replacing; `null` removes) the default server
   * queries, e.g. `{ db_queries_per_s: { query: 'sum(rate(db_queries_total[5s]))', unit: 'queries/s' } }`. A user
   * class may declare them too, as `static serverQueries`.
   */
  serverQueries?: ServerQueries;
  /**
   * Custom counters the scenario counts (`environment.metrics.add`) or its teardown returns, declared so that
   * they read 0 when nothing counted them: e.g. `['lost_writes', 'stale_reads']` makes `stale_reads==0` pass
   * rather than fail with "no metric named stale_reads".
   */
  metrics?: string[];
  /**
   * How recovery per fault window is judged (`summary.recovery`, `recovery_s`): `baselineS` (60) seconds before
   * the fault give the baseline p95, healthy is no failure and p95 ≤ `p95Factor` (1.5) × it, held `holdS` (10) s.
   */
  recovery?: RecoveryOptions;
}

export interface LoadedScenario extends ScenarioLifecycle {
  classes: UserClass[];
  options: ScenarioOptions;
  shape: LoadShape | undefined;
}

/**
 * Imports a scenario file and finds its user classes (exported subclasses of `User` that are not `abstract`),
 * its `options`, its load shape (`options.shape`, or an exported `LoadShape` instance or subclass) and its
 * `setup` / `teardown` functions.
 * `only` keeps the named classes, as `swarm run FILE UserA UserB` asks.
 */
export async function loadScenario(file: string, only: readonly string[]): Promise<LoadedScenario> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`scenario file not found: ${file}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    // The user's mistake, shown as a compiler would: the message, the place and the line, no stack trace.
    const { place, message } = whereItFailed(err, ENGINE_DIR);
    if (place === null) throw new UsageError(`cannot load ${file}: ${message}`);
    const shown = relative(process.cwd(), place.file);
    const at = shown.startsWith('..') ? place : { ...place, file: shown };
    throw new UsageError(`cannot load ${file}: ${message}\n${showPlace(at)}`);
  }
  const all = Object.values(mod).filter(isUserClass);
  if (all.length === 0)
    throw new UsageError(`${file} exports no user class (a class extending User or HttpUser)`);
  const unknown = only.filter((name) => !all.some((c) => c.name === name));
  if (unknown.length > 0) {
    throw new UsageError(
      `no user class ${unknown.join(', ')} in ${file}; it has ${all.map((c) => c.name).join(', ')}`,
    );
  }
  const classes = only.length === 0 ? all : all.filter((c) => only.includes(c.name));
  const options = (mod.options ?? {}) as ScenarioOptions;
  let shape = options.shape;
  if (shape === undefined) {
    for (const value of Object.values(mod)) {
      if (value instanceof LoadShape) shape = value;
      else if (typeof value === 'function' && value.prototype instanceof LoadShape) {
        shape = new (value as new () => LoadShape)();
      }
    }
  }
  for (const name of ['setup', 'teardown']) {
    if (mod[name] !== undefined && typeof mod[name] !== 'function') {
      throw new UsageError(`${file}: export ${name} must be a function`);
    }
  }
  const { setup, teardown } = mod as ScenarioLifecycle;
  return { classes, options, shape, setup, teardown };
}
