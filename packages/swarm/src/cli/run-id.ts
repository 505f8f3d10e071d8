import { createHash } from 'node:crypto';
import type { RunOptions } from '../runner/run-options';

/** What the default run id of a command is made of. */
export interface RunIdInput {
  /** The run's settings; a `--segment` run's id is derived from them. */
  options: RunOptions;
  /** The scenario file's text. */
  scenarioText: string;
  now: Date;
  /** 0 ≤ x < 1; `Math.random` outside tests. */
  random: () => number;
}

/** The settings every segment of one run shares (not its own index, not where its reports go). */
function shared(o: RunOptions): unknown {
  return [
    o.classes.map((c) => c.name),
    o.host ?? null,
    o.users ?? null,
    o.spawnRate ?? null,
    o.rate ?? null,
    o.maxUsers ?? null,
    o.maxDelayS ?? null,
    o.runTimeS ?? null,
    o.stopTimeoutS ?? null,
    o.tags ?? [],
    o.excludeTags ?? [],
    o.segment?.count ?? 1,
  ];
}

/**
 * The run id of a command given neither `--run-id` nor `SWARM_RUN_ID` (pure apart from hashing).
 *
 * A `--segment i/n` run derives it from what its segments share — the scenario file's text and the settings that
 * shape the load (classes, host, users, rates, times, tags, n) — so segments started on several machines by the
 * same command agree without being told: `cfg-<12 hex digits>`. Two runs of one command then share it as well; to
 * tell them apart, give each run an id of its own (`--run-id`, or `SWARM_RUN_ID`, e.g. a Kubernetes Job's uid).
 * Any other run gets its start time and a random suffix: `20261201T213000Z-3f9a1c`.
 *
 * @example
 * defaultRunId({ options, scenarioText, now: new Date(), random: Math.random }); // 'cfg-5d41402abc4b'
 */
export function defaultRunId(input: RunIdInput): string {
  if (input.options.segment !== undefined) {
    const hash = createHash('sha256')
      .update(input.scenarioText)
      .update(JSON.stringify(shared(input.options)));
    return `cfg-${hash.digest('hex').slice(0, 12)}`;
  }
  const stamp = input.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(input.random() * 0x1000000)
    .toString(16)
    .padStart(6, '0');
  return `${stamp}-${suffix}`;
}
