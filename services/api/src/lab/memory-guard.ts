import { getHeapStatistics } from 'node:v8';
import { serviceUnavailable } from '../errors';

export const MB = 1024 * 1024;

export interface MemoryGuardOptions {
  /** The heap (bytes used) an allocation may not take it past; 0: no guard. */
  limitBytes: number;
  /** The heap in use now, in bytes (V8's used_heap_size; tests pass their own). */
  heapUsed?: () => number;
}

/** The limit MEMORY_GUARD_MB or MEMORY_GUARD_HEAP_FRACTION (of V8's heap size limit) sets, in bytes; 0 when off. */
export function guardLimitBytes(
  guardMb: number,
  heapFraction: number,
  heapLimit = getHeapStatistics().heap_size_limit,
) {
  if (guardMb > 0) return guardMb * MB;
  if (heapFraction > 0) return Math.floor(heapFraction * heapLimit);
  return 0;
}

/**
 * Refuses an allocation that would take the heap past the limit, with 503 MEMORY_GUARD and `Retry-After`, instead
 * of letting V8 run out of heap and the process die with every request it holds. Garbage not yet collected counts
 * as used, so the guard errs on the side of refusing.
 */
export function createMemoryGuard({
  limitBytes,
  heapUsed = () => getHeapStatistics().used_heap_size,
}: MemoryGuardOptions) {
  return {
    limitBytes,
    /** Throws a 503 when `bytes` more would pass the limit; does nothing without a limit. */
    admit(bytes: number): void {
      if (limitBytes <= 0) return;
      const used = heapUsed();
      if (used + bytes > limitBytes) {
        throw serviceUnavailable(
          'MEMORY_GUARD',
          `refused: ${Math.round(bytes / MB)} MB more would take the heap from ${Math.round(used / MB)} MB past its guard of ${Math.round(limitBytes / MB)} MB`,
        );
      }
    },
  };
}

export type MemoryGuard = ReturnType<typeof createMemoryGuard>;
