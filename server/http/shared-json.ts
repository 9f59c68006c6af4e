import type { AppContext } from './context.js';

// Serialised bodies of views shared between requests, one table per wrapper name.
const bodies = new Map<string, WeakMap<object, string>>();

/**
 * `c.json` for a frozen view a cached read hands out to many requests (a credential polled by a
 * partner, a status polled by widgets): serialised once per view, not once per request.
 * `wrap` names the object the view comes in (`{"person_credential":…}`), or null for none.
 */
export function sharedJson(c: AppContext, wrap: string | null, view: object): Response {
  const key = wrap ?? '';
  let table = bodies.get(key);
  if (!table) bodies.set(key, (table = new WeakMap()));
  let body = table.get(view);
  if (body === undefined) {
    body = JSON.stringify(wrap === null ? view : { [wrap]: view });
    table.set(view, body);
  }
  return c.body(body, 200, { 'content-type': 'application/json' });
}
