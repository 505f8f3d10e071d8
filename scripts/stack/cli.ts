import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  compose,
  composeEnv,
  dockerAvailable,
  dockerDown,
  dockerLogs,
  dockerStatus,
  dockerUp,
} from './docker';
import {
  composeFaultCommands,
  degradeProblem,
  FaultError,
  type FaultRecord,
  type FaultRequest,
  parseFaultArgs,
  undoOf,
} from './fault-plan';
import { backlogRow, collectHealth, workerRow } from './health';
import { allHealthy, renderHealthTable, renderTargetsTable } from './health-table';
import { scrapeTargets } from './monitoring-config';
import { applyNativeFault } from './native/faults';
import { MONITORING_PARTS } from './native/monitoring';
import { nativeContext, nativeDown, nativeRestart, nativeStatus, nativeUp } from './native/stack';
import { supervisorRunning } from './native/supervise';
import { stackPaths } from './paths';
import { StackError } from './preflight';
import { loadSettings, SettingsError, type StackSettings } from './settings';
import { describeSupervision, readSupervision } from './supervision';
import { COMPOSE_REPLICAS, composeTopology, nativeTopology } from './topology';

/**
 * `tsx scripts/stack/cli.ts <command>`: the stack runner behind `make up|down|status|logs|health`.
 *
 *   up                 start what is missing and wait until the gateway and every replica are healthy (and, with
 *                      MONITOR=on, until Prometheus scrapes every target but the load generator)
 *   down               stop what `up` started (by pid) and wait until it is gone
 *   status             each part: pid, running, port; each worker's events processed and the ingest backlog;
 *                      then Prometheus's scrape targets
 *   logs [part] [-f]   the last lines of each log (or one part's); -f follows
 *   health [--json]    one table: gateway, replicas (status, instance, uptime, ready), Postgres, Redis, Prometheus
 *                      and the exporters; then one row per scrape target
 *   restart <part>     stop one part (e.g. app2) and bring the stack back up
 *   fault <do> <part> [--for D] [--timeout D] [--check] [--json]
 *                      apply a fault to one part, by its pid file: kill (SIGKILL to its process group), stop (its
 *                      own stop signal, as down), start (as up, until ready, within --timeout, 30 s), restart,
 *                      freeze / thaw (SIGSTOP / SIGCONT to its process group); --for D undoes kill, stop and freeze
 *                      after D. --check applies nothing: exit 0 when it could be applied now, else 2 with why (the
 *                      same failures exit 2 before anything is touched without it). --json prints one line
 *                      {"do","part","pid","at","end"} (epoch ms). Under docker compose: kill, stop, up --wait,
 *                      restart, pause, unpause of the service of the same name (fault-plan.ts).
 *                      degrade downstream [--latency-ms N] [--jitter-ms N] [--error-rate R] sets the lab's
 *                      downstream service's behaviour (its admin endpoint; --for undoes it), heal downstream puts
 *                      back the one it started with.
 *
 * Settings come from the environment (see settings.ts). Exit 0 on success, 1 when the stack fails, 2 on usage.
 */
const USAGE =
  'usage: stack <up|down|status|logs [part] [-f]|health [--json]|restart <part>|fault <do> <part> [--for D] [--check] [--json]>';

type Kind = 'native' | 'docker';

interface RecordedState {
  kind?: Kind;
  replicas?: number;
  workers?: number;
  monitor?: 'on' | 'off';
  pgbouncer?: 'on' | 'off';
  supervise?: 'on' | 'off';
}

/** What the last `up` recorded in state.json (kind, replica count, monitoring), or nothing. */
function recordedState(settings: StackSettings): RecordedState {
  const state = stackPaths(settings.dir).state;
  if (!existsSync(state)) return {};
  try {
    return JSON.parse(readFileSync(state, 'utf8')) as RecordedState;
  } catch {
    return {}; // An unreadable state file says nothing.
  }
}

/** STACK when set; else the kind recorded by the last `up`; else docker when an engine answers, native otherwise. */
function resolveKind(settings: StackSettings, recorded: RecordedState): Kind {
  if (settings.stack !== 'auto') return settings.stack;
  return recorded.kind ?? (dockerAvailable() ? 'docker' : 'native');
}

function printLogs(settings: StackSettings, part: string | undefined, follow: boolean) {
  const { logs } = stackPaths(settings.dir);
  const files = existsSync(logs)
    ? readdirSync(logs)
        .filter((f) => f.endsWith('.log') && (!part || f === `${part}.log`))
        .map((f) => join(logs, f))
    : [];
  if (files.length === 0)
    throw new StackError(part ?? 'logs', `no logs${part ? ` for ${part}` : ''} in ${logs}`);
  spawnSync('tail', ['-n', '30', ...(follow ? ['-F'] : []), ...files], { stdio: 'inherit' });
}

async function run(command: string | undefined, args: string[]): Promise<number> {
  const recorded = recordedState(loadSettings());
  // `make up REPLICAS=5 MONITOR=off` then `make health`: without REPLICAS or MONITOR, the other commands see what
  // `up` started.
  const settings = loadSettings({
    ...process.env,
    ...(!process.env.REPLICAS && recorded.replicas ? { REPLICAS: String(recorded.replicas) } : {}),
    ...(!process.env.WORKERS && recorded.workers !== undefined ? { WORKERS: String(recorded.workers) } : {}),
    ...(!process.env.MONITOR && recorded.monitor ? { MONITOR: recorded.monitor } : {}),
    ...(!process.env.PGBOUNCER && recorded.pgbouncer ? { PGBOUNCER: recorded.pgbouncer } : {}),
    // A later `make up` (to start what died) keeps the supervisor the first one started.
    ...(!process.env.SUPERVISE && recorded.supervise ? { SUPERVISE: recorded.supervise } : {}),
  });
  const kind = resolveKind(settings, recorded);
  const paths = stackPaths(settings.dir);
  // The compose file runs three replicas, always monitored; the native stack runs REPLICAS, monitored by MONITOR.
  const docker = kind === 'docker';
  const published = nativeTopology(docker ? { ...settings, replicas: COMPOSE_REPLICAS } : settings);
  const expectedTargets =
    docker || settings.monitor === 'on'
      ? scrapeTargets(docker ? composeTopology(settings) : published)
      : undefined;
  switch (command) {
    case 'up':
      console.log(
        `up: ${kind} stack, ${docker ? COMPOSE_REPLICAS : settings.replicas} replicas, ${settings.workers} workers, ` +
          `monitoring ${docker ? 'on' : settings.monitor}`,
      );
      if (kind === 'docker') {
        dockerUp(settings);
        mkdirSync(paths.root, { recursive: true });
        const state = {
          kind: 'docker',
          replicas: COMPOSE_REPLICAS,
          workers: settings.workers,
          monitor: 'on',
          pgbouncer: settings.pgbouncer,
        };
        writeFileSync(paths.state, `${JSON.stringify(state, null, 2)}\n`);
      } else await nativeUp(settings);
      return 0;
    case 'down':
      if (kind === 'docker') {
        dockerDown();
        rmSync(paths.state, { force: true });
      } else await nativeDown(settings);
      return 0;
    case 'status':
      if (kind === 'docker') dockerStatus();
      else {
        for (const p of await nativeStatus(settings)) {
          const state = p.frozen ? `frozen (pid ${p.pid})` : p.running ? `running (pid ${p.pid})` : 'stopped';
          const port = p.port ? `127.0.0.1:${p.port}${p.listening ? '' : ' (not listening)'}` : '';
          console.log(`${p.name.padEnd(18)} ${state.padEnd(22)} ${port}`);
        }
        // The ingest workers' progress and the stream's backlog (from Redis: known with WORKERS=0 too).
        const workers = await Promise.all(published.workers.map(workerRow));
        console.log('');
        for (const w of [...workers, await backlogRow(published)])
          console.log(`${w.part.padEnd(18)} ${w.status.padEnd(22)} ${w.detail ?? ''}`);
        const running = supervisorRunning(paths);
        console.log(
          `\n${describeSupervision(readSupervision(settings.dir), running, settings.supervise === 'on')}`,
        );
        if (expectedTargets) {
          const { targets } = await collectHealth(published, expectedTargets);
          console.log(
            targets.length > 0
              ? `\n${renderTargetsTable(targets)}`
              : '\nscrape targets: Prometheus does not answer',
          );
        }
      }
      return 0;
    case 'logs': {
      const follow = args.includes('-f') || args.includes('--follow');
      const part = args.find((a) => !a.startsWith('-'));
      if (kind === 'docker') dockerLogs(follow);
      else printLogs(settings, part, follow);
      return 0;
    }
    case 'health': {
      const health = await collectHealth(published, expectedTargets);
      // Natively, the supervisor's restart counts (SUPERVISE=on); compose restarts by its own policy.
      const supervised = !docker && supervisorRunning(paths);
      const supervision = supervised ? readSupervision(settings.dir) : undefined;
      // Up with SUPERVISE=on and no supervisor: replicas that die stay dead, which health must not hide.
      const supervisorLost = !docker && settings.supervise === 'on' && !supervised;
      if (args.includes('--json')) console.log(JSON.stringify({ ...health, supervision }, null, 2));
      else {
        console.log(renderHealthTable(health.parts));
        if (!docker)
          console.log(`\n${describeSupervision(supervision, supervised, settings.supervise === 'on')}`);
        if (health.targets.length > 0) console.log(`\n${renderTargetsTable(health.targets)}`);
      }
      return allHealthy(health.parts, health.targets) && !supervisorLost ? 0 : 1;
    }
    case 'restart': {
      const part = args[0];
      if (!part) throw new SettingsError(['restart needs the part to restart, e.g. `restart app2`']);
      if (kind === 'docker')
        throw new StackError('restart', 'under docker: docker compose restart <service>');
      await nativeRestart(settings, part);
      return 0;
    }
    case 'fault': {
      const request = parseFaultArgs(args);
      if (docker) return dockerFault(settings, request);
      const outcome = await applyNativeFault(nativeContext(settings), request);
      if (outcome) printFault(request, outcome.record);
      if (outcome?.interrupted) {
        console.error(`stack: fault interrupted: ${request.part} was restored before --for ran out`);
        return 1;
      }
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

function printFault(request: FaultRequest, record: FaultRecord) {
  if (request.json) console.log(JSON.stringify(record));
  else {
    const took = ((record.end - record.at) / 1000).toFixed(1);
    console.log(`fault: ${record.do} ${record.part} (pid ${record.pid ?? '-'}) done in ${took} s`);
  }
}

/**
 * A fault under docker compose: the part must be one of the compose file's services (its running state is
 * compose's to judge: a stop of a stopped service is no error there); `--for` runs the undo after the wait.
 */
async function dockerFault(settings: StackSettings, request: FaultRequest): Promise<number> {
  const topology = composeTopology(settings);
  const services = [
    'postgres',
    'redis',
    ...(topology.pgbouncer ? ['pgbouncer'] : []),
    'downstream',
    ...topology.replicas.map((r) => r.name),
    // Every container of the scaled `worker` service at once (compose gives them no names of their own).
    ...(settings.workers > 0 ? ['worker'] : []),
    'gateway',
    ...MONITORING_PARTS,
  ];
  if (!services.includes(request.part)) {
    throw new FaultError(
      `unknown part ${JSON.stringify(request.part)}: the parts are ${services.join(', ')}`,
    );
  }
  const degrade = degradeProblem(request);
  if (degrade) throw new FaultError(degrade);
  if (request.check) return 0;
  // The same interpolation as `up`, or `up --wait` would recreate a replica with another DATABASE_URL.
  const env = { ...process.env, ...composeEnv(settings) };
  const at = Date.now();
  const commands = composeFaultCommands(request.action, request.part, request.timeoutMs, request.degradation);
  for (const args of commands) compose(args, env);
  const undo = undoOf(request.action);
  if (request.forMs !== undefined && undo) {
    await delay(request.forMs);
    for (const args of composeFaultCommands(undo, request.part, request.timeoutMs)) compose(args, env);
  }
  printFault(request, { do: request.action, part: request.part, pid: null, at, end: Date.now() });
  return 0;
}

// `make status | head -3`: a reader that stops early is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const [command, ...args] = process.argv.slice(2);
try {
  process.exitCode = await run(command, args);
} catch (err) {
  if (err instanceof FaultError) {
    console.error(`stack: fault: ${err.message}`);
    process.exitCode = 2;
  } else if (err instanceof SettingsError) {
    console.error(`stack: ${err.message}`);
    process.exitCode = 2;
  } else if (err instanceof StackError) {
    console.error(`stack: ${command} failed at ${err.part}: ${err.message}`);
    if (err.logTail) console.error(`--- last lines of ${err.part}'s log ---\n${err.logTail}`);
    if (command === 'up' && err.part !== 'docker')
      console.error('stack: what did start is still running: `make logs`, `make status`, `make down`');
    process.exitCode = 1;
  } else throw err;
}
