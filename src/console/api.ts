// The console's calls: same-origin fetch, so the session cookie rides along; no token ever in the page.

/** Who is signed in to the console (GET /console/auth/session). */
export interface StaffMember {
  id: string;
  email: string;
  display_name: string;
  role: 'viewer' | 'operator' | 'admin';
}

export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ConsoleApiError(0, 'network', 'network');
  }
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) {
    const e = json?.error ?? {};
    throw new ConsoleApiError(res.status, e.code ?? 'error', e.message ?? res.statusText, e.details);
  }
  return json as T;
}

export interface StatusEvent {
  credential_id: string;
  old_status: string | null;
  new_status: string;
  enabled: boolean;
  devices: { id: string; platform: string; status: string; added_at: string }[];
}

/** Reads a credential's status stream (the one `<credential-status>` uses) until `signal` aborts. */
export async function followStatus(
  credentialId: string,
  onEvent: (e: StatusEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const res = await fetch(`/api/3/credentials/${encodeURIComponent(credentialId)}/status/stream`, {
        credentials: 'same-origin',
        signal,
      });
      if (!res.ok || !res.body) throw new Error(String(res.status));
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          if (data) onEvent(JSON.parse(data) as StatusEvent);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
