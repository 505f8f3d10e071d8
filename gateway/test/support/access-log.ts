import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../../scripts/lib/ports';

/** One line of the gateway's JSON access log (gateway/gateway.d/logging.conf). */
export interface AccessLine {
  request_id: string;
  remote_addr: string;
  method: string;
  uri: string;
  status: number;
  upstream_addr: string;
  upstream_status: string;
}

export const accessLogPath = (stackDir: string) => join(stackDir, 'logs', 'gateway-access.log');

/**
 * Waits until the access log holds a line for each of `requestIds` (nginx flushes its buffer at least once a
 * second) and returns those lines, parsed. A line that is not JSON fails the wait with its text.
 */
export async function waitForLogLines(
  stackDir: string,
  requestIds: string[],
  timeoutMs = 10_000,
): Promise<Map<string, AccessLine>> {
  const found = new Map<string, AccessLine>();
  await waitFor(
    `access log lines for ${requestIds.join(', ')}`,
    () => {
      const lines = readFileSync(accessLogPath(stackDir), 'utf8').split('\n');
      for (const id of requestIds) {
        const line = lines.find((l) => l.includes(`"request_id":"${id}"`));
        if (line !== undefined) found.set(id, JSON.parse(line) as AccessLine);
      }
      return found.size === requestIds.length;
    },
    timeoutMs,
  );
  return found;
}
