import type { z } from 'zod';
import { ApiError } from '../domain/errors.js';
import type { AppContext } from './context.js';

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
    throw new ApiError('invalid_request', 'The body must be a JSON object.', { fields: { body: 'Expected a JSON object.' } });
  }
  if (wrapKey && wrapKey in raw) {
    const inner = (raw as Record<string, unknown>)[wrapKey];
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
      throw new ApiError('invalid_request', `"${wrapKey}" must be an object.`, { fields: { [wrapKey]: 'Expected an object.' } });
    }
    raw = inner;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ApiError('invalid_request', 'Some fields are not valid.', { fields: fieldsOf(parsed.error) });
  return parsed.data;
}

export function parseQuery<S extends z.ZodType>(c: AppContext, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw new ApiError('invalid_request', 'Some query parameters are not valid.', { fields: fieldsOf(parsed.error) });
  return parsed.data;
}

export function pathInt(c: AppContext, name: string): number {
  const v = c.req.param(name) ?? '';
  if (!/^\d{1,15}$/.test(v)) throw new ApiError('not_found', `No such ${name.replace(/_id$|Id$/, '')}.`);
  return Number(v);
}
