import type { Store } from '../storage/db.js';
import type { AppContext } from './context.js';

/**
 * `c.json` for a frozen view a cached read hands out to many requests (a credential polled by a
 * partner, a status polled by widgets): serialised once per view, not once per request. The body
 * is kept in the store's one read cache beside the view it renders (`memo`), so a write to the
 * view's tables makes a new view and with it a new body; nothing else keeps it.
 * `wrap` names the object the view comes in (`{"person_credential":…}`), or null for none.
 */
export function sharedJson(c: AppContext, store: Store, wrap: string | null, view: object): Response {
  const body = store.readCache.memo(view, wrap === null ? 'json' : `json:${wrap}`, () =>
    JSON.stringify(wrap === null ? view : { [wrap]: view }),
  );
  return c.body(body, 200, { 'content-type': 'application/json' });
}
