/**
 * Swarmgate's scenarios: three user classes against the gateway, with a setup that checks the deployment once
 * (the contract pass) and seeds a hot set, and a teardown that puts the servers' own counts beside the client's.
 *
 *   npx swarm run scenarios/swarmgate.ts ScalingSystemUser --headless -u 10 -r 2 -t 60s -H http://127.0.0.1:8080
 *   npx swarm run scenarios/swarmgate.ts -H http://127.0.0.1:8080      (the web UI on http://127.0.0.1:8089)
 *   ./load_test.sh basic            (the modes of scenarios/profiles.json, with their criteria)
 *
 * REPLICAS (default 3) and REDIS_URL (default the native stack's, redis://127.0.0.1:56379) say where the
 * server-side counts come from.
 */
import {
  type ScenarioOptions,
  type SetupContext,
  stages,
  type TeardownContext,
  type TeardownResult,
} from 'swarmgate-swarm';
import { compareWithServers } from './lib/compare';
import { contractPass, seedHotSet } from './lib/contract';
import { rampHoldStages, targetVusFrom } from './lib/ingest-plan';
import { INGEST_METRICS, ingestTeardown } from './lib/ingest-teardown';
import { makeLabDir, removeLabDir } from './lib/lab-ledger-file';
import { labTeardown } from './lib/lab-teardown';
import { loadProfiles } from './lib/mode-plan';
import type { SeedData } from './lib/seed-data';
import { newEmail } from './lib/seed-data';
import { type ServerCounts, serverCounts } from './lib/server-side';
import { LAB_SHARED_IDS, type LabSetupData } from './users/fault-lab-user';

export { AdminUser } from './users/admin-user';
export { CascadeUser } from './users/cascade-user';
export { CheapReadUser, CpuHeavyUser, HealthPollUser } from './users/cpu-users';
export { FaultLabUser } from './users/fault-lab-user';
export { HighVolumeUser } from './users/high-volume-user';
export { IngestUser } from './users/ingest-user';
export { MemoryUser } from './users/memory-user';
export { QuotaEagerUser, QuotaPoliteUser } from './users/quota-user';
export { ScalingSystemUser } from './users/scaling-system-user';

const HOT_SET_SIZE = 100;
const REPLICAS = Number(process.env.REPLICAS ?? 3);
const REDIS_URL = process.env.REDIS_URL ?? `redis://127.0.0.1:${process.env.STACK_REDIS_PORT ?? 56379}`;

// load_test.sh names the mode; a mode with stages (the spike) runs them as one load shape, one run, one report.
// Every mode (and the web UI) lets a stopped user finish its current task, so that the replicas' own counts
// equal the client's; --stop-timeout on the command line overrides it.
const profiles = loadProfiles();
const mode = process.env.SWARMGATE_MODE ? profiles.modes[process.env.SWARMGATE_MODE] : undefined;
// The ingest mode's shape is the reference's: a ramp to TARGET_VUS over the first fifth of RUN_TIME, a hold, a ramp
// down (lib/ingest-plan.ts).
const ramp = mode?.ramp;
const modeStages =
  mode?.stages ??
  (ramp &&
    rampHoldStages(
      targetVusFrom(process.env, ramp.targetVus),
      process.env.RUN_TIME || mode?.runTime || '60s',
    ));
const ingesting = mode?.userClasses.includes('IngestUser') ?? false;
// The failure lab's criteria judge these two counters: declared in its modes, so they read 0 when nothing was lost
// or stale instead of warning at the start; a teardown that could not reach Postgres fails a check of its own.
const labMetrics = mode?.userClasses.includes('FaultLabUser')
  ? ['lost_writes', 'stale_reads']
  : ingesting
    ? [...INGEST_METRICS]
    : undefined;
export const options: ScenarioOptions = {
  stopTimeout: profiles.stopTimeout,
  ...(modeStages && { shape: stages(modeStages) }),
  ...(labMetrics && { metrics: labMetrics }),
};

interface RunData extends LabSetupData {
  before: ServerCounts;
  /** The ingest mode's ledgers of 202s (lib/ingest-ledger.ts), one file per process. */
  ingestDir: string;
}

export async function setup({ host }: SetupContext): Promise<RunData> {
  if (!host) throw new Error('the scenarios need --host (the gateway, e.g. http://127.0.0.1:8080)');
  const runId = `${new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}-${Math.random().toString(36).slice(2, 8)}`;
  const seed: SeedData = { runId, hotIds: [], replicas: REPLICAS };
  await contractPass(host, REPLICAS, () => newEmail(seed, 'contract'));
  seed.hotIds = await seedHotSet(host, HOT_SET_SIZE, () => newEmail(seed, 'hot'));
  // The lab's shared rows are its own: its updates would turn other classes' second reads into misses.
  const labIds = await seedHotSet(host, LAB_SHARED_IDS, () => newEmail(seed, 'lab-shared'));
  // Taken last, so seeding and the contract pass are not part of what the servers are compared on.
  return {
    ...seed,
    labIds,
    labDir: makeLabDir(),
    ingestDir: makeLabDir(),
    before: await serverCounts(host, REPLICAS, REDIS_URL),
  };
}

/**
 * The servers' counts beside the client's; with FaultLabUser in the run, also the lab's: the custom metrics
 * lost_writes (acknowledged writes against Postgres) and stale_reads, and their examples (lib/lab-verdict.ts).
 */
export async function teardown({ host, data, summary }: TeardownContext<RunData>): Promise<TeardownResult> {
  let lab: TeardownResult | undefined;
  if (summary.config.userClasses.includes('FaultLabUser')) lab = await labTeardown(data.labDir, summary);
  else removeLabDir(data.labDir);
  // The ingest mode: the drain and the count of the run's rows (what `lab` is for the failure lab).
  if (summary.config.userClasses.includes('IngestUser'))
    lab = await ingestTeardown({
      dir: data.ingestDir,
      runId: data.runId,
      redisUrl: REDIS_URL,
      drainLimitS: Number(process.env.INGEST_DRAIN_LIMIT_S || 60),
    });
  else removeLabDir(data.ingestDir);
  const servers = compareWithServers(data.before, await serverCounts(host!, REPLICAS, REDIS_URL), summary);
  if (lab === undefined) return servers;
  return {
    checks: [...(lab.checks ?? []), ...(servers.checks ?? [])],
    sections: [...(lab.sections ?? []), ...(servers.sections ?? [])],
    metrics: lab.metrics ?? {},
  };
}
