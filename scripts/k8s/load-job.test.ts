import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseRunArgs } from '../../packages/swarm/src/cli/run-args';
import { loadProfiles, swarmArgs } from '../../scenarios/lib/mode-plan';
import { kustomize } from './kustomization';
import {
  type LoadPlan,
  LoadPlanError,
  mergeArgs,
  planFromEnv,
  runName,
  segmentArgs,
  writeLoadKustomizations,
} from './load-job';
import { type K8sObject, referenceProblems } from './references';
import { schemaProblems } from './schemas';
import { ROOT } from './test-support';

const profiles = loadProfiles();
const HOST = 'http://gateway.swarmgate.svc.cluster.local';
const NOW = Date.parse('2026-12-02T03:40:00Z');
const plan: LoadPlan = planFromEnv({ MODE: 'basic', SEGMENTS: '3' }, NOW);

let dir = '';
let segments: K8sObject[] = [];
let merge: K8sObject[] = [];
const parse = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'swarm-k8s-load-'));
  writeLoadKustomizations(profiles, plan, dir);
  segments = parse(kustomize(join(dir, 'segments')));
  merge = parse(kustomize(join(dir, 'merge')));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const job = (objects: K8sObject[]) => objects.find((o) => o.kind === 'Job')!;
const container = (o: K8sObject) => o.spec.template.spec.containers[0];

describe('the plan', () => {
  it('computes START_AT once, LEAD_S ahead of now, and names the run after the mode and that instant', () => {
    expect(plan).toMatchObject({ mode: 'basic', segments: 3, startAt: NOW / 1000 + 90, host: HOST });
    expect(plan.run).toBe('basic-20261202-034130');
    expect(runName('Spike', 1764646560)).toMatch(/^spike-\d{8}-\d{6}$/);
    expect(planFromEnv({ START_AT: '1764646560.5', LEAD_S: '5' }, NOW).startAt).toBe(1764646560.5);
  });

  it('refuses bad settings by name: SEGMENTS, a mode that does not exist or needs the stack runner', () => {
    expect(() => segmentArgs(profiles, { ...plan, segments: 0 })).toThrow(
      /^SEGMENTS: must be a whole number/,
    );
    expect(() => segmentArgs(profiles, { ...plan, mode: 'nope' })).toThrow(/^MODE: no mode "nope"/);
    expect(() => segmentArgs(profiles, { ...plan, mode: 'failover' })).toThrow(
      /^MODE: failover has faults, which need the stack runner.*plain mode: .*basic/,
    );
    expect(() => planFromEnv({ K8S_LOAD_ACCESS_MODE: 'RWX' }, NOW)).toThrow(LoadPlanError);
    expect(() => planFromEnv({ LEAD_S: 'soon' }, NOW)).toThrow(/^LEAD_S: must be a number/);
  });
});

describe('the segments’ arguments', () => {
  it('are the mode’s own (mode-plan.ts), less the report files and run id, plus --start-at', () => {
    const mine = segmentArgs(profiles, plan);
    const own = swarmArgs(profiles, 'basic', '/x', { HOST }, []);
    const kept = own.filter(
      (a, i) =>
        !/^--(json|csv|junit|html|run-id)$/.test(own[i - 1] ?? '') &&
        !/^--(json|csv|junit|html|run-id)$/.test(a),
    );
    expect(mine).toEqual([...kept, '--start-at', String(plan.startAt)]);
  });

  it('parse with Swarm’s own parser for every pod, all at one instant, each its own segment', () => {
    const args = container(job(segments)).args as string[];
    const parsed = [1, 2, 3].map((i) =>
      parseRunArgs(
        [...args.slice(1), '--segment', `${i}/3`, '--json', `/results/${plan.run}/segment-${i}.json`],
        {
          SWARM_RUN_ID: plan.run,
        },
      ),
    );
    expect(new Set(parsed.map((p) => p.startAt))).toEqual(new Set([plan.startAt * 1000]));
    expect(parsed.map((p) => p.segment)).toEqual([0, 1, 2].map((index) => ({ index, count: 3 })));
    expect(parsed[0]).toMatchObject({
      file: 'scenarios/swarmgate.ts',
      userClasses: ['ScalingSystemUser'],
      host: HOST,
      users: 10,
      headless: true,
      runId: plan.run,
    });
  });
});

describe('the rendered Jobs', () => {
  it('validate against the Kubernetes API schema, and every claim they mount exists', () => {
    const all = [...segments, ...merge];
    expect(all.filter((o) => o.kind === 'Job').flatMap(schemaProblems)).toEqual([]);
    const pvc = segments.find((o) => o.kind === 'PersistentVolumeClaim')!;
    expect(() => new PersistentVolumeClaim(pvc as never).validate()).not.toThrow();
    expect(referenceProblems(all)).toEqual([]);
    expect(all.every((o) => o.metadata.namespace === 'swarmgate')).toBe(true);
  });

  it('the segments: Indexed, completions = parallelism = N, no retry, the run’s name and environment', () => {
    const j = job(segments);
    expect(j.metadata.name).toBe(`swarm-${plan.run}`);
    expect(j.spec).toMatchObject({
      completionMode: 'Indexed',
      completions: 3,
      parallelism: 3,
      backoffLimit: 0,
    });
    expect(j.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container(j).env).toEqual([
      { name: 'SEGMENTS', value: '3' },
      { name: 'SWARM_RUN_ID', value: plan.run },
      { name: 'SWARMGATE_MODE', value: 'basic' },
    ]);
    expect(container(j).image).toBe('swarmgate/swarm:local');
    const other = mkdtempSync(join(tmpdir(), 'swarm-k8s-load-'));
    try {
      writeLoadKustomizations(
        profiles,
        { ...plan, segments: 5, image: 'registry.example.com/swarm:1.2' },
        other,
      );
      const five = job(parse(kustomize(join(other, 'segments'))));
      expect([five.spec.completions, five.spec.parallelism]).toEqual([5, 5]);
      expect(container(five).image).toBe('registry.example.com/swarm:1.2');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('the merge: every segment’s file by name, the whole run’s reports, the mode’s criteria', () => {
    const j = job(merge);
    expect(j.metadata.name).toBe(`swarm-merge-${plan.run}`);
    const args = container(j).args as string[];
    expect(args).toEqual(mergeArgs(profiles, plan));
    const d = `/results/${plan.run}`;
    expect(args.slice(0, 4)).toEqual([
      'merge',
      `${d}/segment-1.json`,
      `${d}/segment-2.json`,
      `${d}/segment-3.json`,
    ]);
    for (const f of ['--json', '--csv', '--junit', '--html']) expect(args).toContain(f);
    expect(args.filter((_a, i) => args[i - 1] === '--threshold')).toEqual(profiles.modes.basic!.thresholds);
  });
});

describe('the segment pod’s shell', () => {
  /** Runs the container's command with a stand-in `node` that records its arguments and exits with `code`. */
  function runPod(index: number, code: number) {
    const j = job(segments);
    const [sh, flag, script, name] = container(j).command as string[];
    const box = mkdtempSync(join(tmpdir(), 'swarm-pod-'));
    try {
      mkdirSync(join(box, 'bin'));
      writeFileSync(
        join(box, 'bin', 'node'),
        `#!/bin/sh\nshift\nprintf '%s\\n' "$@" > "${box}/argv"\nexit ${code}\n`,
      );
      chmodSync(join(box, 'bin', 'node'), 0o755);
      const env = Object.fromEntries(
        container(j).env.map((e: { name: string; value: string }) => [e.name, e.value]),
      );
      const r = spawnSync(
        sh!,
        [flag!, script!.replaceAll('/results', join(box, 'results')), name!, ...container(j).args],
        {
          env: { PATH: `${join(box, 'bin')}:/usr/bin:/bin`, JOB_COMPLETION_INDEX: String(index), ...env },
          timeout: 10_000,
        },
      );
      return { status: r.status, argv: readFileSync(join(box, 'argv'), 'utf8').trim().split('\n'), box };
    } finally {
      rmSync(box, { recursive: true, force: true });
    }
  }

  it('runs segment JOB_COMPLETION_INDEX+1 of N into its own file, and passes that command to Swarm’s parser', () => {
    const { status, argv, box } = runPod(1, 0);
    expect(status).toBe(0);
    expect(argv.slice(-4)).toEqual([
      '--segment',
      '2/3',
      '--json',
      join(box, 'results', plan.run, 'segment-2.json'),
    ]);
    expect(parseRunArgs(argv.slice(1), { SWARM_RUN_ID: plan.run }).segment).toEqual({ index: 1, count: 3 });
  });

  it('passes SIGTERM on to Swarm and waits for it to write its summary', async () => {
    const j = job(segments);
    const [sh, flag, script, name] = container(j).command as string[];
    const box = mkdtempSync(join(tmpdir(), 'swarm-pod-'));
    try {
      mkdirSync(join(box, 'bin'));
      // A stand-in Swarm that, on SIGTERM, takes a moment to "write its summary" and exits 0.
      writeFileSync(
        join(box, 'bin', 'node'),
        `#!/bin/sh\ntrap 'sleep 0.3; echo written > "${box}/summary"; exit 0' TERM\n` +
          `echo started > "${box}/started"\nwhile :; do sleep 0.1; done\n`,
      );
      chmodSync(join(box, 'bin', 'node'), 0o755);
      const env = Object.fromEntries(
        container(j).env.map((e: { name: string; value: string }) => [e.name, e.value]),
      );
      const child = spawn(
        sh!,
        [flag!, script!.replaceAll('/results', join(box, 'results')), name!, ...container(j).args],
        {
          env: { PATH: `${join(box, 'bin')}:/usr/bin:/bin`, JOB_COMPLETION_INDEX: '0', ...env },
        },
      );
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 10_000;
      while (!existsSync(join(box, 'started'))) {
        if (Date.now() > deadline) throw new Error('the stand-in Swarm did not start');
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(readFileSync(join(box, 'summary'), 'utf8')).toBe('written\n');
    } finally {
      rmSync(box, { recursive: true, force: true });
    }
  });

  it('completes on 0 and on 1 (the segment’s own verdict: the merge judges the run), fails on 2', () => {
    expect(runPod(0, 1).status).toBe(0);
    expect(runPod(0, 2).status).toBe(2);
    expect(runPod(0, 143).status).toBe(143);
  });
});

/** deploy/k8s/load/k8s-load.sh, what `make k8s-load` runs (make itself exits 2 on any failure: its own convention). */
function k8sLoadScript(env: Record<string, string>) {
  return spawnSync('sh', ['deploy/k8s/load/k8s-load.sh'], {
    cwd: ROOT,
    env: { ...process.env, MODE: 'basic', SEGMENTS: '3', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('make k8s-load without a cluster', () => {
  it('fails fast with exit 2 and says why: no cluster configured, or one that does not answer', () => {
    const box = mkdtempSync(join(tmpdir(), 'swarm-kube-'));
    try {
      const none = k8sLoadScript({ KUBECONFIG: join(box, 'none'), STACK_DIR: box });
      expect(none.status).toBe(2);
      expect(none.stderr).toMatch(/^k8s-load: kubectl has no cluster configured/);
      writeFileSync(
        join(box, 'dead'),
        'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n' +
          'contexts:\n- name: dead\n  context:\n    cluster: c\ncurrent-context: dead\n',
      );
      const dead = k8sLoadScript({ KUBECONFIG: join(box, 'dead'), STACK_DIR: box });
      expect(dead.status).toBe(2);
      expect(dead.stderr).toMatch(/^k8s-load: kubectl cannot reach the cluster of context dead/);
      // Through make, as a user types it: the same message, make's exit 2.
      const make = spawnSync('make', ['--no-print-directory', 'k8s-load', 'MODE=basic', 'SEGMENTS=3'], {
        cwd: ROOT,
        env: { ...process.env, KUBECONFIG: join(box, 'none'), STACK_DIR: box },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(make.status).toBe(2);
      expect(make.stderr).toMatch(/k8s-load: kubectl has no cluster configured/);
    } finally {
      rmSync(box, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('make k8s-load with a cluster (kubectl stood in for)', () => {
  /**
   * A stand-in kubectl that answers what deploy/k8s/load/k8s-load.sh asks, records every call, and ends the merge
   * Job as `merge` says (with exit code `mergeCode`); `kubectl cp` writes a summary.json where it is told.
   */
  function stubKubectl(box: string, merge: 'Complete' | 'Failed', mergeCode: number): string {
    const file = join(box, 'kubectl');
    writeFileSync(
      file,
      `#!/bin/sh
echo "$*" >> "${box}/calls"
case "$*" in
  "config current-context") echo stub ;;
  version*|"get namespace"*|*" apply "*|apply*|*" run "*|*" wait "*|*" delete "*) ;;
  *"get job swarm-merge-"*) printf '${merge} ' ;;
  *"get job swarm-"*) printf 'Complete ' ;;
  *" logs "*) echo "the merge's console report" ;;
  *"get pods"*) printf '${mergeCode}' ;;
  *" cp "*) mkdir -p "$5" && echo '{}' > "$5/summary.json" ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac
`,
    );
    chmodSync(file, 0o755);
    return file;
  }

  function k8sLoad(merge: 'Complete' | 'Failed', mergeCode: number) {
    const box = mkdtempSync(join(tmpdir(), 'swarm-k8s-run-'));
    const r = k8sLoadScript({
      SEGMENTS: '2',
      KUBECTL: stubKubectl(box, merge, mergeCode),
      STACK_DIR: box,
      REPORTS_DIR: join(box, 'reports'),
    });
    const calls = readFileSync(join(box, 'calls'), 'utf8').trim().split('\n');
    return { r, calls, box };
  }

  it('applies the segments, waits, applies the merge, collects the reports and exits 0 on a pass', () => {
    const { r, calls, box } = k8sLoad('Complete', 0);
    try {
      expect(r.status, r.stderr).toBe(0);
      const run = /run (basic-\d{8}-\d{6}): 2 segments/.exec(r.stderr)![1]!;
      const applies = calls.filter((c) => c.startsWith('apply -k'));
      expect(applies).toEqual([
        `apply -k ${join(box, 'k8s', 'load', run, 'segments')}`,
        `apply -k ${join(box, 'k8s', 'load', run, 'merge')}`,
      ]);
      expect(r.stdout).toContain("the merge's console report");
      expect(r.stderr).toMatch(new RegExp(`reports: .*k8s-${run}/`));
      expect(readFileSync(join(box, 'reports', `k8s-${run}`, 'summary.json'), 'utf8')).toBe('{}\n');
      expect(r.stderr).toMatch(/PASS/);
    } finally {
      rmSync(box, { recursive: true, force: true });
    }
  }, 60_000);

  it('exits with the merge’s code when it fails: 2 for a missing or cut-short segment, 1 for the criteria', () => {
    for (const code of [2, 1]) {
      const { r, box } = k8sLoad('Failed', code);
      rmSync(box, { recursive: true, force: true });
      expect(r.status, r.stderr).toBe(code);
      expect(r.stderr).toMatch(new RegExp(`FAIL \\(run .*\\): swarm merge exited ${code}`));
    }
  }, 120_000);
});
