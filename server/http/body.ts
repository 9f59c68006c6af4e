import type { z } from 'zod';
import { ApiError } from '../domain/errors.js';
import type { AppContext } from './context.js';
import { MAX_ID } from './schemas.js';

/** PostgreSQL text cannot hold U+0000, so no input may carry one (SQLite would store it): 400, or 404 in a path. */
const NUL = '\u0000';
const NUL_MESSAGE = 'Text may not contain the NUL character (U+0000).';

/** The path (`person.first_name`, `events.0`) of the first string holding a NUL, if any; walked with a stack of its own, not the call stack. */
function nulAt(root: unknown): string | undefined {
  const pending: [unknown, string][] = [[root, '']];
  while (pending.length) {
    const [value, path] = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return path;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const entries = Object.entries(value);
    // Pushed last first, so the first field is looked at first, as before.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, v] = entries[i];
      const at = path ? `${path}.${k}` : k;
      if (k.includes(NUL)) return at;
      pending.push([v, at]);
    }
  }
  return undefined;
}

/** Deepest nesting of arrays and objects a body may have; no request of the API nests past a handful. */
export const MAX_JSON_DEPTH = 64;

/** Whether `text` nests arrays and objects deeper than `max`: one pass over the text, before anything is parsed. */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // a backslash escapes the next character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > max) return true;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return false;
}

/** JSON.parse with nesting bounded first, so no later walk over the value can run out of stack: `400 invalid_json`. */
export function parseJsonBody(text: string): unknown {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw new ApiError('invalid_json');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('invalid_json');
  }
}

/** A body larger than the rest (the CSV import's file): its own limit and words for the 413. */
export interface LargeBodyLimit {
  maxBytes: number;
  message: string;
}

/**
 * Reads a large body whole, counting as it goes: `413 payload_too_large` past `limit.maxBytes`.
 * A route calls it only once the caller may send such a body (docs/security.md "bodies": the edge
 * refused a declared length over the limit already, and reads nothing of these bodies itself).
 * The request then holds the bytes read, so later readings (the idempotency hash, the handler) see them.
 */
export async function readLargeBody(c: AppContext, limit: LargeBodyLimit): Promise<Uint8Array> {
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit.maxBytes) {
      void reader.cancel().catch(() => undefined);
      throw new ApiError('payload_too_large', limit.message);
    }
    chunks.push(value);
  }
  c.req.raw = new Request(c.req.raw, { body: new Uint8Array(Buffer.concat(chunks, size)) });
  // Cached as bytes first: a later reading as text (the idempotency hash) must not decide the bytes.
  return new Uint8Array(await c.req.arrayBuffer());
}

/** Field → message, for `details.fields` (docs/api.md). */
export function fieldsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : 'body';
    fields[key] ??= issue.message;
  }
  return fields;
}

/**
 * Reads and validates a JSON body. Bodies are accepted wrapped (`{"person":{…}}`) or bare
 * (`{…}`), as the seed docs use both.
 */
export async function readBody<S extends z.ZodType>(c: AppContext, schema: S, wrapKey?: string): Promise<z.infer<S>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== '') raw = parseJsonBody(text);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ApiError('invalid_request', 'The body must be a JSON object.', {
      fields: { body: 'Expected a JSON object.' },
    });
  }
  const nul = text.includes('\\u0000') ? nulAt(raw) : undefined;
  if (nul) throw new ApiError('invalid_request', NUL_MESSAGE, { fields: { [nul.replaceAll(NUL, '')]: NUL_MESSAGE } });
  if (wrapKey && wrapKey in raw) {
    const inner = (raw as Record<string, unknown>)[wrapKey];
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
      throw new ApiError('invalid_request', `"${wrapKey}" must be an object.`, {
        fields: { [wrapKey]: 'Expected an object.' },
      });
    }
    raw = inner;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new ApiError('invalid_request', 'Some fields are not valid.', { fields: fieldsOf(parsed.error) });
  return parsed.data;
}

export function parseQuery<S extends z.ZodType>(c: AppContext, schema: S): z.infer<S> {
  const query = c.req.query();
  for (const [name, value] of Object.entries(query)) {
    if (value.includes(NUL) || name.includes(NUL))
      throw new ApiError('invalid_request', NUL_MESSAGE, { fields: { [name.replaceAll(NUL, '')]: NUL_MESSAGE } });
  }
  const parsed = schema.safeParse(query);
  if (!parsed.success)
    throw new ApiError('invalid_request', 'Some query parameters are not valid.', { fields: fieldsOf(parsed.error) });
  return parsed.data;
}

export function pathInt(c: AppContext, name: string): number {
  const v = c.req.param(name) ?? '';
  if (!/^\d{1,10}$/.test(v) || Number(v) > MAX_ID)
    throw new ApiError('not_found', `No such ${name.replace(/_id$|Id$/, '')}.`);
  return Number(v);
}

/** A text path parameter (a credential or webhook id); one holding a NUL names nothing. */
export function refuseNulParams(c: AppContext, names: readonly string[]): void {
  for (const name of names)
    if (c.req.param(name)?.includes(NUL)) throw new ApiError('not_found', `No such ${name.replace(/_id$|Id$/, '')}.`);
}
