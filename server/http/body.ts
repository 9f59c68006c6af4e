import type { z } from 'zod';
import { ApiError } from '../domain/errors.js';
import type { AppContext } from './context.js';
import { MAX_ID } from './schemas.js';

/** PostgreSQL text cannot hold U+0000, so no input may carry one (SQLite would store it): 400, or 404 in a path. */
const NUL = '\u0000';
const NUL_MESSAGE = 'Text may not contain the NUL character (U+0000).';

/** The path (`person.first_name`, `events.0`) of the first string holding a NUL, if any. */
function nulAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes(NUL)) return path ? `${path}.${k}` : k;
    const found = nulAt(v, path ? `${path}.${k}` : k);
    if (found) return found;
  }
  return undefined;
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
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ApiError('invalid_json');
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ApiError('invalid_request', 'The body must be a JSON object.', {
      fields: { body: 'Expected a JSON object.' },
    });
  }
  const nul = text.includes('\\u0000') ? nulAt(raw, '') : undefined;
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
