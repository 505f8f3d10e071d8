/**
 * Keyset pagination cursors: opaque to clients, the last id of a page inside. Opaque so the format can change
 * (say, to sort by another key) without breaking clients that follow `nextCursor`.
 */
export function encodeCursor(lastId: number): string {
  return Buffer.from(`id:${lastId}`).toString('base64url');
}

/** The id after which the next page starts, or null when the cursor is not one this service wrote. */
export function decodeCursor(cursor: string): number | null {
  const match = /^id:([0-9]{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return null;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) ? id : null;
}
