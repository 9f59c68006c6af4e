/**
 * The process's structured log: one JSON line per record on stdout. Records are gathered and
 * serialised and written together once per event-loop turn: stdout to a pipe is a synchronous
 * write on Linux, and formatting each line in the middle of its request cost several times what
 * the same work costs in one tight loop.
 */
/** Where structured records go (jsonLog in the server; tests pass a collector). */
export type Log = (record: Record<string, unknown>) => void;

let pending: { at: number; record: Record<string, unknown> }[] = [];
let scheduled = false;

/** Writes every gathered record now (the exit hook and start-up banners call it). */
export function flushLog(): void {
  scheduled = false;
  if (pending.length === 0) return;
  const batch = pending;
  pending = [];
  let text = '';
  let stampMs = 0;
  let stamp = '';
  for (const { at, record } of batch) {
    if (at !== stampMs) {
      stampMs = at;
      stamp = new Date(at).toISOString();
    }
    // Not `{ t, ...record }`: a spread object serialises several times slower.
    const body = JSON.stringify(record);
    text += body.length > 2 ? `{"t":"${stamp}",${body.slice(1)}\n` : `{"t":"${stamp}"}\n`;
  }
  process.stdout.write(text);
}

process.on('exit', flushLog);

/** Logs `record` (which must not change afterwards: it is serialised at the end of the turn). */
export const jsonLog: Log = (record) => {
  pending.push({ at: Date.now(), record });
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushLog);
  }
};

/**
 * Log redaction (docs/security.md): no code, token, key, full phone number, nor a path or query
 * segment carrying one ever reaches a log line.
 */
const SECRET_SEGMENT = /^(sk|pk|cs|ps|whsec|h)_|^[A-Za-z0-9_-]{20,}(\.pkpass)?$/;
const PHONE_LIKE = /^\+?[\d\s().-]{7,}$/;
const CODE_LIKE = /^[0-9A-Za-z]{3}-?[0-9A-Za-z]{3}-?[0-9A-Za-z]{3}-?[0-9A-Za-z]{3}$/;
/** Resource ids are not secrets and help debugging. */
const PUBLIC_ID = /^(cred|dev|key|evt|inv|person)_[A-Za-z0-9]{6,40}$/;
const SAFE_QUERY = new Set(['limit', 'type']);

/** Paths whose next segment is always a secret, whatever it looks like. */
const SECRET_AFTER = new Set(['v', 'passes', 'registrations']);

// Requests repeat their paths (a partner polling a credential, widgets polling a status): the
// redacted form is kept for the most recent ones. Held in memory only, like the request itself.
const recent = new Map<string, string>();

export function redactPath(pathAndQuery: string): string {
  let redacted = recent.get(pathAndQuery);
  if (redacted === undefined) {
    redacted = redactPathOnce(pathAndQuery);
    if (recent.size >= 1000) recent.clear();
    recent.set(pathAndQuery, redacted);
  }
  return redacted;
}

function redactPathOnce(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
  // Every request logs its path: walk the segments in place rather than split, map and join.
  let result = '';
  let previous = '';
  let start = 0;
  while (start <= path.length) {
    let end = path.indexOf('/', start);
    if (end < 0) end = path.length;
    const segment = path.slice(start, end);
    if (start > 0) result += '/';
    result += segment !== '' && (SECRET_AFTER.has(previous) || isSecretSegment(segment)) ? ':redacted' : segment;
    previous = segment;
    start = end + 1;
  }
  if (q >= 0) {
    const params = new URLSearchParams(pathAndQuery.slice(q + 1));
    const parts: string[] = [];
    for (const [k, v] of params)
      parts.push(`${encodeURIComponent(k)}=${SAFE_QUERY.has(k) && /^[\w.]{0,40}$/.test(v) ? v : ':redacted'}`);
    if (parts.length) result += `?${parts.join('&')}`;
  }
  return result;
}

function isSecretSegment(raw: string): boolean {
  let decoded = raw;
  if (raw.includes('%')) {
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      /* judge it raw */
    }
  }
  if (PUBLIC_ID.test(decoded)) return false;
  return SECRET_SEGMENT.test(decoded) || PHONE_LIKE.test(decoded) || CODE_LIKE.test(decoded);
}

/** Masks secrets inside free text (error messages that might quote input). */
export function redactText(text: string): string {
  return text
    .replace(/\b(sk|pk|cs|ps|whsec)_[A-Za-z0-9_+/=-]+/g, '$1_:redacted')
    .replace(/\+\d{7,15}/g, '+:redacted')
    .replace(/\b[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}\b/g, ':redacted');
}
