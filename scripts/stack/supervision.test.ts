import { describe, expect, it } from 'vitest';
import { parseAnnotationLine } from '../../packages/swarm/src/stats/annotations';
import {
  BACKOFF_RESET_MS,
  backoffMs,
  CONFIRM_DEAD_MS,
  describeSupervision,
  type ReplicaSupervision,
  renderMetrics,
  restartEvent,
  step,
} from './supervision';

const up = (at: number, pid = 10): ReplicaSupervision => ({
  state: 'up',
  restarts: 0,
  streak: 0,
  pid,
  upSince: at,
});
const dead = (pid: number, sinceMs = CONFIRM_DEAD_MS) => ({ kind: 'dead', pid, sinceMs }) as const;

describe('supervision', () => {
  it('backs off 0.5 s doubling to 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffMs)).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
  });

  it('restarts a dead replica after its back-off, counting the restart', () => {
    // Dead for less than the confirmation: maybe a stop on purpose whose pid file is about to go.
    expect(step(up(0), dead(10, CONFIRM_DEAD_MS - 1), 5000)).toEqual({ next: up(0), start: false });
    const died = step(up(0), dead(10), 5000);
    expect(died).toEqual({
      next: { ...up(0), state: 'backoff', streak: 1, lastExitAt: 5000, nextStartAt: 5500 },
      start: false,
    });
    expect(step(died.next, dead(10), 5499).start).toBe(false);
    const restarted = step(died.next, dead(10), 5500);
    expect(restarted).toEqual({ next: { ...died.next, restarts: 1, lastRestartAt: 5500 }, start: true });
    // The new process is seen: up again, the streak kept until it has stayed up long enough.
    const again = step(restarted.next, { kind: 'running', pid: 11 }, 5700);
    expect(again.next).toMatchObject({ state: 'up', pid: 11, upSince: 5700, streak: 1, restarts: 1 });
    expect(step(again.next, { kind: 'running', pid: 11 }, 5700 + BACKOFF_RESET_MS).next.streak).toBe(0);
  });

  it('doubles the back-off for a replica that keeps dying, and starts afresh after 30 s up', () => {
    let r: ReplicaSupervision = up(0);
    let now = 1000;
    const waits: number[] = [];
    for (let pid = 10; pid < 14; pid++) {
      r = step({ ...r, state: 'up', pid, upSince: now }, dead(pid), now + 100).next;
      waits.push(r.nextStartAt! - (now + 100));
      now = r.nextStartAt!;
      r = step(r, dead(pid), now).next;
    }
    expect(waits).toEqual([500, 1000, 2000, 4000]);
    expect(r.restarts).toBe(4);
    const later = step({ ...r, state: 'up', pid: 20, upSince: now }, dead(20), now + BACKOFF_RESET_MS).next;
    expect(later.streak).toBe(1);
  });

  it('leaves a replica without a pid file down (stopped on purpose), keeping its count', () => {
    const r = { ...up(0), restarts: 3, streak: 2 };
    expect(step(r, { kind: 'no-pid-file' }, 100)).toEqual({
      next: { state: 'stopped', restarts: 3, streak: 0 },
      start: false,
    });
  });

  it('serves restarts as a Prometheus counter per replica, and describes them in one line', () => {
    const s = {
      pid: 99,
      updatedAt: 0,
      replicas: {
        app10: { ...up(0), restarts: 0 },
        app2: { ...up(0), state: 'backoff' as const, restarts: 2, streak: 3 },
        app1: { state: 'stopped' as const, restarts: 1, streak: 0 },
      },
    };
    const text = renderMetrics(s);
    expect(text).toContain('# TYPE swarmgate_replica_restarts_total counter');
    expect(text.match(/^swarmgate_replica_restarts_total.*$/gm)).toEqual([
      'swarmgate_replica_restarts_total{replica="app1"} 1',
      'swarmgate_replica_restarts_total{replica="app2"} 2',
      'swarmgate_replica_restarts_total{replica="app10"} 0',
    ]);
    expect(text).toContain('swarmgate_replica_backoff_seconds{replica="app2"} 2');
    expect(text).toContain('swarmgate_replica_supervised_up{replica="app10"} 1');
    expect(describeSupervision(s, true)).toBe(
      'supervision: on (pid 99), restarts: app1 1 (stopped), app2 2 (dead, restarting), app10 0',
    );
    expect(describeSupervision(s, false)).toMatch(/^supervision: off/);
    expect(describeSupervision(undefined, false, true)).toMatch(
      /^supervision: DOWN: SUPERVISE=on but the supervisor/,
    );
  });

  it('serves the workers as their own family and lists them after the replicas', () => {
    const s = {
      pid: 99,
      updatedAt: 0,
      replicas: { app1: { ...up(0), restarts: 0 } },
      workers: {
        worker2: { ...up(0), restarts: 0 },
        worker1: { ...up(0), state: 'backoff' as const, restarts: 3, streak: 1 },
      },
    };
    const text = renderMetrics(s);
    expect(text.match(/^swarmgate_worker_restarts_total.*$/gm)).toEqual([
      'swarmgate_worker_restarts_total{worker="worker1"} 3',
      'swarmgate_worker_restarts_total{worker="worker2"} 0',
    ]);
    expect(text).toContain('swarmgate_worker_backoff_seconds{worker="worker1"} 0.5');
    expect(text).toContain('swarmgate_worker_supervised_up{worker="worker2"} 1');
    expect(text).not.toMatch(/replica="worker/);
    expect(describeSupervision(s, true)).toBe(
      'supervision: on (pid 99), restarts: app1 0, worker1 3 (dead, restarting), worker2 0',
    );
    // A state file without workers (an older supervisor's, or WORKERS=0): no worker family at all.
    expect(renderMetrics({ ...s, workers: undefined })).not.toContain('swarmgate_worker_');
  });

  it("marks a death and its restart as one window in Swarm's annotation format", () => {
    const r = { ...up(0), state: 'backoff' as const, pid: 7, lastExitAt: 1000 };
    const opened = parseAnnotationLine(JSON.stringify(restartEvent('app2', r)), () => undefined);
    expect(opened).toEqual({
      id: 'restart-app2-1000',
      at: 1000,
      label: 'app2 died (pid 7), restarting',
      kind: 'restart',
    });
    const closed = parseAnnotationLine(JSON.stringify(restartEvent('app2', r, 1800)), () => opened);
    expect(closed).toMatchObject({ id: 'restart-app2-1000', at: 1000, end: 1800 });
    expect(closed.label).toBe('app2 died (pid 7), restarted by the supervisor');
  });
});
