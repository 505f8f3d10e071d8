import { MB } from './memory-guard';

/** Doubles per chunk: 512 KB, an array V8 keeps as packed doubles on its own heap (in the large-object space). */
const CHUNK_DOUBLES = 65_536;
export const CHUNK_BYTES = CHUNK_DOUBLES * 8;

/**
 * Keeps the event loop busy for `ms`, as a CPU-heavy handler (parsing, hashing, rendering) does: nothing else on
 * this replica runs meanwhile. Returns the time it took.
 */
export function burnCpu(ms: number): number {
  const start = performance.now();
  let x = 0;
  while (performance.now() - start < ms) {
    for (let i = 0; i < 1000; i++) x += Math.sqrt(i + x);
  }
  // Keeps `x` alive so the loop is not optimised away.
  if (x === -1) console.log(x);
  return performance.now() - start;
}

/**
 * Allocates `mb` MB on V8's heap and writes every element, so the memory counts against --max-old-space-size
 * (a Buffer would live outside the heap and never make V8 run out). The caller holds the chunks, then drops them.
 */
export function allocate(mb: number): number[][] {
  const chunks: number[][] = [];
  const count = Math.ceil((mb * MB) / CHUNK_BYTES);
  for (let i = 0; i < count; i++) chunks.push(new Array<number>(CHUNK_DOUBLES).fill(i + 0.5));
  return chunks;
}
