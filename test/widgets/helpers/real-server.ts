// The real Keyway server started by web-test-runner.config.mjs; the admin API and the dev outbox
// are reached through the WTR dev server (node), so the secret key never enters the page.

export interface KeywayServer {
  apiBase: string;
  publishableKey: string;
}

let server: Promise<KeywayServer> | undefined;

export function keywayServer(): Promise<KeywayServer> {
  server ??= fetch('/__keyway/server').then(async (r) => {
    if (!r.ok) throw new Error(`real Keyway server unavailable: ${r.status} ${await r.text()}`);
    return r.json() as Promise<KeywayServer>;
  });
  return server;
}

/** Calls the admin API with the demo operator's secret key; throws on a non-2xx answer. */
export async function admin<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/__keyway/admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

let phoneSerial = Math.floor(Math.random() * 9000);

/** A fresh valid German mobile number per call (E.164), so send limits per phone never bite. */
export function freshPhone(): { e164: string; national: string } {
  phoneSerial += 1;
  const subscriber = String(10_000_000 + phoneSerial).slice(-8);
  return { e164: `+49151${subscriber}`, national: `0151${subscriber}` };
}

export interface Invitation {
  personId: number;
  credentialId: string;
  code: string;
}

/** A person with a wallet-pass credential, `invited`, as a partner backend would make them (flow A). */
export async function invitePerson(person: { phone?: string } = {}): Promise<Invitation> {
  const created = await admin<{ person: { id: number } }>('POST', '/api/3/people', {
    person: { first_name: 'Ada', last_name: 'Lovelace', ...person },
  });
  const { person_credential } = await admin<{ person_credential: { id: string; invitation_code: string } }>(
    'POST',
    `/api/3/people/${created.person.id}/credentials`,
    { person_credential: { credential_type_id: 9 } },
  );
  return { personId: created.person.id, credentialId: person_credential.id, code: person_credential.invitation_code };
}

/** Redeems an invitation the way a page would (publishable key, from this origin). */
export async function redeem(
  code: string,
): Promise<{ provisioning_token: string; expires_at: string; credential: { id: string } }> {
  const { apiBase, publishableKey } = await keywayServer();
  const response = await fetch(`${apiBase}/api/3/invitations/redeem`, {
    method: 'POST',
    headers: { authorization: `Bearer ${publishableKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ invitation_code: code }),
  });
  if (!response.ok) throw new Error(`redeem → ${response.status} ${await response.text()}`);
  return response.json();
}

export interface OutboxMessage {
  id: string;
  channel: 'sms' | 'email';
  to: string;
  body: string;
  sent_at: string;
}

/** Waits for the newest SMS to `to` in the dev outbox (the dev sender records it within 1 s). */
export async function nextSms(to: string, after: Set<string> = new Set(), timeout = 5000): Promise<OutboxMessage> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const response = await fetch(`/__keyway/outbox?to=${encodeURIComponent(to)}`);
    const { messages } = (await response.json()) as { messages: OutboxMessage[] };
    const fresh = messages.find((m) => m.channel === 'sms' && !after.has(m.id));
    if (fresh) return fresh;
    if (Date.now() > deadline) throw new Error(`no SMS to ${to} within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
