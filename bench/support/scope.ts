import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../scripts/lib/ports';
import type { Service } from '../../scripts/lib/process';

/** What one benchmark run started, and the scratch folder they share; `stopAll` undoes both. */
export interface BenchScope {
  /** A temporary folder (mode 755: Postgres and nginx workers drop root and must still reach it). */
  root: string;
  /** Remembers a started service, to be stopped by `stopAll`; returns it. */
  add(service: Service): Service;
  /** Stops every service, newest first, then removes `root`. Safe to call twice (a signal during a `finally`). */
  stopAll(): Promise<void>;
}

/**
 * A scope for one benchmark run, which also stops everything it holds on SIGINT or SIGTERM before exiting (130,
 * 143), so an interrupted benchmark leaves nothing running.
 *
 * @example const scope = benchScope('swarmgate-bench-'); try { ... } finally { await scope.stopAll(); }
 */
export function benchScope(prefix: string): BenchScope {
  const root = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(root, 0o755);
  const services: Service[] = [];
  const stopAll = async () => {
    for (const s of services.splice(0).reverse()) await s.stop('SIGTERM', 5000);
    rmSync(root, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stopAll().then(() => process.exit(signal === 'SIGINT' ? 130 : 143)));
  return {
    root,
    add(service) {
      services.push(service);
      return service;
    },
    stopAll,
  };
}

/** Waits until `url` answers 2xx; fails with the service's output if it exits first or never answers. */
export async function ready(service: Service, url: string, timeoutMs = 30_000) {
  const exited = () => service.child.exitCode !== null || service.child.signalCode !== null;
  try {
    await waitFor(service.name, async () => exited() || (await fetch(url)).ok, timeoutMs);
    if (exited()) throw new Error(`${service.name} exited`);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${service.name} said:\n${service.output()}`);
  }
}
