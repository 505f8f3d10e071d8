import type { RunConfigSummary } from '../stats/summary-types';
import { HttpUser } from '../user/http-user';
import { planTasks, type TaskPlan } from '../user/task-plan';
import type { UserClass } from '../user/user';
import type { RunOptions } from './run-options';
import { formatSegment, WHOLE } from './segment';
import { segmentUserCount } from './spawn-plan';
import type { UserKinds } from './user-pool';

/**
 * A run that cannot start as configured — no user class, a class without a host, tags that match no task. The
 * message says what to change; the CLI prints it without a stack trace and exits 2.
 */
export class RunConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunConfigError';
  }
}

/** What a run is, before it starts: the classes with their resolved tasks, and its settings as this process runs them. */
export interface RunPlan {
  kinds: UserKinds;
  config: RunConfigSummary;
}

/** Every tag on a class's tasks, nested sets included. */
function tagsIn(plans: readonly TaskPlan[], into: Set<string>): Set<string> {
  for (const p of plans) {
    for (const t of p.tags) into.add(t);
    if (p.set) tagsIn(p.set.tasks, into);
  }
  return into;
}

const listed = (names: Iterable<string>) => [...names].sort().join(', ');

/**
 * Resolves the tasks of every class once (a class left without tasks by the tag filters is not spawned), checking
 * that there is a class and that every tag names a task. Throws a `RunConfigError` naming the tags there are.
 *
 * @example
 * resolveKinds({ classes: [Reader], tags: ['read'] }).classes; // [Reader]
 */
export function resolveKinds(options: Pick<RunOptions, 'classes' | 'tags' | 'excludeTags'>): UserKinds {
  if (options.classes.length === 0) throw new RunConfigError('no user classes to run');
  const tags = options.tags ?? [];
  const excludeTags = options.excludeTags ?? [];
  const known = new Set<string>();
  for (const cls of options.classes) tagsIn(planTasks(cls), known);
  const unknown = [...tags, ...excludeTags].filter((t) => !known.has(t));
  if (unknown.length > 0) {
    const flag = tags.some((t) => unknown.includes(t)) ? '--tags' : '--exclude-tags';
    const names = options.classes.map((c) => c.name).join(', ');
    throw new RunConfigError(
      `${flag}: no task is tagged ${listed(new Set(unknown))}; ` +
        (known.size === 0 ? `no task of ${names} has a tag` : `the tags are ${listed(known)}`),
    );
  }
  const plans = new Map<UserClass, TaskPlan[]>();
  for (const cls of options.classes) {
    const plan = planTasks(cls, { tags, excludeTags });
    if (plan.length > 0) plans.set(cls, plan);
  }
  const classes = options.classes.filter((c) => plans.has(c));
  if (classes.length === 0) {
    throw new RunConfigError(
      `no task left to run: --exclude-tags ${excludeTags.join(',')} leaves every task out; the tags are ${listed(known)}`,
    );
  }
  return { classes, plans };
}

/**
 * Checks that a run can start and resolves what it runs: `resolveKinds`, then a host for every HTTP class
 * (`--host` or its `static host`). Throws a `RunConfigError` that says what to change.
 *
 * @example
 * planRun({ classes: [Reader], host: 'http://127.0.0.1:8080', users: 10, tags: ['read'] }).config.users; // 10
 */
export function planRun(options: RunOptions): RunPlan {
  const kinds = resolveKinds(options);
  for (const cls of kinds.classes) {
    if (!options.host && !cls.host && cls.prototype instanceof HttpUser) {
      throw new RunConfigError(
        `${cls.name} has no host: pass -H/--host URL (e.g. -H http://127.0.0.1:8080) or set static host on the class`,
      );
    }
  }
  return { kinds, config: configOf(options, kinds) };
}

/** The run's settings as this process runs them: a segment reports its own share, so merges add up. */
function configOf(options: RunOptions, kinds: UserKinds): RunConfigSummary {
  const open = options.rate !== undefined;
  const segment = options.segment ?? WHOLE;
  const users = options.users ?? 1;
  return {
    host: options.host ?? kinds.classes.map((c) => c.host).find((h) => h) ?? '',
    users: open ? null : segmentUserCount(kinds.classes, segment, users),
    spawnRate: open ? null : (options.spawnRate ?? users) / segment.count,
    rate: options.rate === undefined ? null : options.rate / segment.count,
    runTimeS: options.runTimeS ?? null,
    processes: 1,
    segment: options.segment ? formatSegment(options.segment) : null,
    instanceHeader: options.instanceHeader ?? 'x-instance',
    userClasses: kinds.classes.map((c) => c.name),
    ...(options.startAt !== undefined && { startAt: options.startAt }),
    ...(options.localAddress !== undefined && { sourceAddresses: [options.localAddress] }),
  };
}
