import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { loadProfiles, type Overrides, type Profiles, swarmArgs } from '../../scenarios/lib/mode-plan';
import { K8S_DIR, NAMESPACE } from './manifest-settings';

/**
 * Swarm as an Indexed Job (deploy/k8s/load/): the kustomizations `make k8s-load` applies for one run of a mode —
 * the segments (N pods, `swarm run <the mode's arguments> --segment i/N --start-at T`) and, once they have ended,
 * the merge. The mode's arguments are load_test.sh's own (scenarios/lib/mode-plan.ts `swarmArgs`), less the report
 * files (a segment writes its --json summary to the shared volume; the merge writes the reports of the whole run).
 */

/** One run of a mode on the cluster. */
export interface LoadPlan {
  mode: string;
  segments: number;
  /** Epoch seconds, computed once when the run is rendered: every segment starts its first user then. */
  startAt: number;
  /** The gateway as the pods reach it, e.g. http://gateway.swarmgate.svc.cluster.local. */
  host: string;
  /** The run's name: its Jobs' names, its folder on the volume (/results/<run>/) and its run id. */
  run: string;
  /** The Swarm image (packages/swarm/Dockerfile); default swarmgate/swarm:local, as loaded into minikube/kind. */
  image?: string;
  /** The results volume's storage class and access mode (a multi-node cluster needs ReadWriteMany). */
  storageClass?: string;
  accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
  /** load_test.sh's overrides (USERS, SPAWN_RATE, RUN_TIME, RATE), as for a run on one machine. */
  overrides?: Omit<Overrides, 'HOST'>;
}

export class LoadPlanError extends Error {}

/** Flags whose value is a report file or the run id: a segment's are set by the Job, the merge writes the reports. */
const DROPPED = new Set(['--json', '--csv', '--junit', '--html', '--capacity-json', '--run-id']);

/** A run's name for a mode and start: `basic-20261202-033600`, a DNS label as Job names must be. */
export function runName(mode: string, startAt: number): string {
  const stamp = new Date(startAt * 1000).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${mode.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}-${stamp}`.slice(0, 50);
}

/** Checks a plan against the profiles; a `LoadPlanError` names the setting. */
function checkPlan(profiles: Profiles, plan: LoadPlan): void {
  const p = profiles.modes[plan.mode];
  if (!p) {
    throw new LoadPlanError(
      `MODE: no mode "${plan.mode}" in scenarios/profiles.json; modes: ${Object.keys(profiles.modes).join(', ')}`,
    );
  }
  // These need the stack runner beside the load (faults, restarts with other settings, the gateway's quota).
  const needs = p.faults ? 'faults' : p.runs ? 'runs' : p.quotaRows ? 'quotaRows' : null;
  if (needs !== null) {
    throw new LoadPlanError(
      `MODE: ${plan.mode} has ${needs}, which need the stack runner on the stack's machine (./load_test.sh ` +
        `${plan.mode}); on a cluster run a plain mode: ${Object.entries(profiles.modes)
          .filter(([, m]) => !m.faults && !m.runs && !m.quotaRows)
          .map(([name]) => name)
          .join(', ')}`,
    );
  }
  if (!Number.isInteger(plan.segments) || plan.segments < 1 || plan.segments > 100) {
    throw new LoadPlanError(`SEGMENTS: must be a whole number from 1 to 100 (got ${plan.segments})`);
  }
  if (!/^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$/.test(plan.run)) {
    throw new LoadPlanError(`the run name "${plan.run}" is not a DNS label of at most 50 characters`);
  }
}

/**
 * The `swarm run` arguments of every segment (pure): the mode's, less the report files and run id, plus
 * `--start-at`. Each pod adds `--segment i/N --json /results/<run>/segment-i.json` (its index is only known there).
 *
 * @example
 * segmentArgs(loadProfiles(), { mode: 'basic', segments: 3, startAt: 1764646560, host, run: 'basic-1' });
 * // ['run', 'scenarios/swarmgate.ts', 'ScalingSystemUser', '--headless', '-H', host, '-u', '10', ..., '--start-at', '1764646560']
 */
export function segmentArgs(profiles: Profiles, plan: LoadPlan): string[] {
  checkPlan(profiles, plan);
  const all = swarmArgs(
    profiles,
    plan.mode,
    `/results/${plan.run}`,
    { ...plan.overrides, HOST: plan.host },
    [],
  );
  const kept: string[] = [];
  for (let i = 0; i < all.length; i++) {
    if (DROPPED.has(all[i]!)) i++;
    else kept.push(all[i]!);
  }
  return [...kept, '--start-at', String(plan.startAt)];
}

/** The `swarm merge` arguments (pure): every segment's file by name (a missing one is named), the reports, the criteria. */
export function mergeArgs(profiles: Profiles, plan: LoadPlan): string[] {
  const run = segmentArgs(profiles, plan);
  const thresholds = run.flatMap((a, i) => (a === '--threshold' ? ['--threshold', run[i + 1]!] : []));
  const dir = `/results/${plan.run}`;
  const files = Array.from({ length: plan.segments }, (_, i) => `${dir}/segment-${i + 1}.json`);
  return [
    'merge',
    ...files,
    '--json',
    `${dir}/summary.json`,
    '--csv',
    `${dir}/run`,
    '--junit',
    `${dir}/junit.xml`,
    '--html',
    `${dir}/report.html`,
    ...thresholds,
    // As load_test.sh's modes: the criteria say how many failed requests the mode allows.
    '--exit-code-on-error',
    '0',
  ];
}

const replace = (path: string, value: unknown) => ({ op: 'replace', path, value });
const patch = (kind: string, name: string, ops: object[]) => ({
  target: { kind, name },
  patch: stringify(ops),
});

function imagePatch(image: string | undefined) {
  if (image === undefined) return {};
  const at = image.lastIndexOf(':');
  const tagged = at > image.lastIndexOf('/');
  return {
    images: [
      {
        name: 'swarmgate/swarm',
        newName: tagged ? image.slice(0, at) : image,
        ...(tagged && { newTag: image.slice(at + 1) }),
      },
    ],
  };
}

/**
 * The two kustomizations of a run (pure), for directories `dir/segments` and `dir/merge` under `dir`: the segments'
 * Indexed Job (and the results volume) and the merge Job, over deploy/k8s/load/ and deploy/k8s/load/merge/.
 */
export function loadKustomizations(profiles: Profiles, plan: LoadPlan, dir: string) {
  const args = segmentArgs(profiles, plan);
  const header = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: NAMESPACE,
  };
  const volume =
    plan.storageClass !== undefined || plan.accessMode !== undefined
      ? [
          patch('PersistentVolumeClaim', 'swarm-results', [
            ...(plan.storageClass !== undefined
              ? [{ op: 'add', path: '/spec/storageClassName', value: plan.storageClass }]
              : []),
            ...(plan.accessMode !== undefined ? [replace('/spec/accessModes', [plan.accessMode])] : []),
          ]),
        ]
      : [];
  const segments = {
    ...header,
    resources: [relative(join(dir, 'segments'), join(K8S_DIR, 'load'))],
    ...imagePatch(plan.image),
    patches: [
      patch('Job', 'swarm-segments', [
        replace('/metadata/name', `swarm-${plan.run}`),
        replace('/spec/completions', plan.segments),
        replace('/spec/parallelism', plan.segments),
        replace('/spec/template/spec/containers/0/args', args),
        replace('/spec/template/spec/containers/0/env', [
          { name: 'SEGMENTS', value: String(plan.segments) },
          { name: 'SWARM_RUN_ID', value: plan.run },
          { name: 'SWARMGATE_MODE', value: plan.mode },
        ]),
      ]),
      ...volume,
    ],
  };
  const merge = {
    ...header,
    resources: [relative(join(dir, 'merge'), join(K8S_DIR, 'load', 'merge'))],
    ...imagePatch(plan.image),
    patches: [
      patch('Job', 'swarm-merge', [
        replace('/metadata/name', `swarm-merge-${plan.run}`),
        replace('/spec/template/spec/containers/0/args', mergeArgs(profiles, plan)),
      ]),
    ],
  };
  return { segments, merge };
}

/** Writes a run's kustomizations into `dir/segments/` and `dir/merge/` (`dir` emptied first). */
export function writeLoadKustomizations(profiles: Profiles, plan: LoadPlan, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  const k = loadKustomizations(profiles, plan, dir);
  for (const [name, kustomization] of Object.entries(k)) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(
      join(dir, name, 'kustomization.yaml'),
      `# Written by \`make k8s-load\` (scripts/k8s/load-job.ts) for MODE=${plan.mode} SEGMENTS=${plan.segments}, ` +
        `run ${plan.run}; do not edit.\n${stringify(kustomization)}`,
    );
  }
}

/**
 * The plan from `make k8s-load`'s variables: MODE (basic), SEGMENTS (3), START_AT (default now + LEAD_S, 90 s:
 * time to schedule the pods, pull the image and start Swarm), HOST (the gateway's Service), IMAGE,
 * K8S_LOAD_STORAGE_CLASS, K8S_LOAD_ACCESS_MODE, and load_test.sh's USERS, SPAWN_RATE, RUN_TIME, RATE.
 */
export function planFromEnv(env: Record<string, string | undefined>, nowMs: number): LoadPlan {
  const read = (k: string) => (env[k] === undefined || env[k] === '' ? undefined : env[k]);
  const number = (k: string, fallback: number) => {
    const text = read(k);
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(n) || n < 0)
      throw new LoadPlanError(`${k}: must be a number ≥ 0 (got ${JSON.stringify(text)})`);
    return n;
  };
  const mode = read('MODE') ?? 'basic';
  const startAt =
    read('START_AT') !== undefined ? number('START_AT', 0) : Math.ceil(nowMs / 1000 + number('LEAD_S', 90));
  const access = read('K8S_LOAD_ACCESS_MODE');
  if (access !== undefined && access !== 'ReadWriteOnce' && access !== 'ReadWriteMany') {
    throw new LoadPlanError(`K8S_LOAD_ACCESS_MODE: must be ReadWriteOnce or ReadWriteMany (got "${access}")`);
  }
  const domain = read('K8S_CLUSTER_DOMAIN') ?? 'cluster.local';
  return {
    mode,
    segments: number('SEGMENTS', 3),
    startAt,
    host: read('HOST') ?? `http://gateway.${NAMESPACE}.svc.${domain}`,
    run: read('RUN') ?? runName(mode, startAt),
    image: read('IMAGE'),
    storageClass: read('K8S_LOAD_STORAGE_CLASS'),
    accessMode: access as LoadPlan['accessMode'],
    overrides: {
      USERS: read('USERS'),
      SPAWN_RATE: read('SPAWN_RATE'),
      RUN_TIME: read('RUN_TIME'),
      RATE: read('RATE'),
    },
  };
}

// The thin CLI: `tsx scripts/k8s/load-job.ts OUT_DIR` writes the run's kustomizations under OUT_DIR/<run>/ and
// prints `run=…`, `dir=…`, `start_at=…` lines for deploy/k8s/load/k8s-load.sh. Exit 2 on a bad setting, named.
if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  try {
    if (out === undefined) throw new LoadPlanError('usage: tsx scripts/k8s/load-job.ts OUT_DIR');
    const profiles = loadProfiles();
    const plan = planFromEnv(process.env, Date.now());
    const dir = join(out, plan.run);
    writeLoadKustomizations(profiles, plan, dir);
    process.stdout.write(
      `run=${plan.run}\ndir=${dir}\nstart_at=${plan.startAt}\nsegments=${plan.segments}\n`,
    );
  } catch (err) {
    if (!(err instanceof LoadPlanError)) throw err;
    process.stderr.write(`k8s-load: ${err.message}\n`);
    process.exit(2);
  }
}
