import { invalidRequest } from './errors.js';

/**
 * The `next_cursor` of a list ordered by (created_at, id): the last row's pair, base64url JSON.
 * One encoder and one decoder, so every such list refuses a forged cursor the same way (400).
 */
export const timeIdCursor = (row: { created_at: string; id: string }): string =>
  Buffer.from(JSON.stringify([row.created_at, row.id])).toString('base64url');

export function readTimeIdCursor(cursor: string): { createdAt: string; id: string } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    v = null;
  }
  // PostgreSQL text holds no NUL: a cursor carrying one was never handed out.
  if (
    !Array.isArray(v) ||
    v.length !== 2 ||
    typeof v[0] !== 'string' ||
    typeof v[1] !== 'string' ||
    `${v[0]}${v[1]}`.includes('\u0000')
  ) {
    throw invalidRequest({ cursor: 'Use next_cursor from the previous page.' }, 'Unknown cursor.');
  }
  return { createdAt: v[0], id: v[1] };
}
