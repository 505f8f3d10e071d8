import { Hono } from 'hono';
import { badRequest, serviceUnavailable } from '../errors';
import { MB } from './memory-guard';
import type { Protection } from './protection';
import { allocate, burnCpu } from './work';

/** The bounds of the lab's inputs: a lab request may hurt a replica, never take it down unbounded. */
export const LAB_LIMITS = {
  cpuMs: { min: 1, max: 2000 },
  memoryMb: { min: 1, max: 512 },
  holdMs: { min: 0, max: 60_000, default: 1000 },
} as const;

/** A whole number in [min, max] from the query, or a 400 VALIDATION_FAILED naming the parameter and its range. */
function intParam(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback?: number,
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max)) {
    throw badRequest('VALIDATION_FAILED', `${name} must be a whole number from ${min} to ${max}`, [
      { path: name, message: `${value === undefined ? 'missing' : `got ${JSON.stringify(value)}`}` },
    ]);
  }
  return n;
}

/**
 * The overload lab's endpoints, mounted at `/api/lab` only with LAB_ENDPOINTS=on:
 * - `GET /cpu?ms=N` burns the event loop for N ms (1..2000), as a CPU-heavy handler does;
 * - `GET /memory?mb=N&holdMs=M` allocates N MB (1..512) on the heap, writes it, holds it M ms (0..60000, default
 *   1000), then lets it go; refused with 503 MEMORY_GUARD when the guard is on and the heap would pass it;
 * - `GET /downstream` calls the downstream service (through the protection when DOWNSTREAM_PROTECTION=on).
 */
export function labRoutes(protection: Protection) {
  const app = new Hono();
  const { guard, metrics } = protection;

  app.get('/cpu', (c) => {
    const ms = intParam(c.req.query('ms'), 'ms', LAB_LIMITS.cpuMs.min, LAB_LIMITS.cpuMs.max);
    return c.json({ ms, burnedMs: Math.round(burnCpu(ms)) });
  });

  app.get('/memory', async (c) => {
    const { memoryMb, holdMs: hold } = LAB_LIMITS;
    const mb = intParam(c.req.query('mb'), 'mb', memoryMb.min, memoryMb.max);
    const holdMs = intParam(c.req.query('holdMs'), 'holdMs', hold.min, hold.max, hold.default);
    try {
      guard.admit(mb * MB);
    } catch (err) {
      metrics.memoryRefused();
      throw err;
    }
    let chunks: number[][] | undefined = allocate(mb);
    protection.held.bytes += mb * MB;
    try {
      if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
      return c.json({ mb, holdMs, chunks: chunks.length });
    } finally {
      chunks = undefined;
      protection.held.bytes -= mb * MB;
    }
  });

  app.get('/downstream', async (c) => {
    if (!protection.downstream) {
      throw serviceUnavailable('DOWNSTREAM_NOT_CONFIGURED', 'DOWNSTREAM_URL is not set on this replica', 60);
    }
    return c.json({ downstream: await protection.downstream.call() });
  });

  return app;
}
