import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TEST_SECRET } from '../helpers/harness.js';
import { type Receiver, startReceiver } from '../helpers/peers.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';
import { sseReader } from '../helpers/sse.js';

const SK = 'sk_demo_shutdown_0123456789abcdef';
const PK = 'pk_demo_shutdown_0123456789abcdef';

async function call(base: string, method: string, p: string, body?: unknown) {
  const res = await fetch(base + p, {
    method,
    headers: { authorization: `Bearer ${SK}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

/** One request on its own connection (no keep-alive): refused = never accepted, anything else must be a whole answer. */
function oneShot(
  base: string,
  p: string,
  body: unknown,
): Promise<{ status?: number; text?: string; refused?: boolean; error?: string }> {
  const u = new URL(base + p);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${SK}`, 'content-type': 'application/json', connection: 'close' },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
        res.on('error', (err) => resolve({ error: `${err.message} after the status line` }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'ECONNREFUSED' ? { refused: true } : { error: `${err.code} ${err.message}` }),
    );
    req.end(JSON.stringify(body));
  });
}

describe('SIGTERM under load', () => {
  let server: ServerProcess;
  let receiver: Receiver;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-shutdown-'));
  before(async () => {
    receiver = await startReceiver();
    server = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DATA_DIR: dataDir,
      KEYWAY_DEMO_SECRET_KEY: SK,
      KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
      KEYWAY_SHUTDOWN_GRACE: '10',
    });
  });
  after(async () => {
    await server?.stop();
    await receiver?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('every accepted request is answered, streams end with a retry: hint, a claimed webhook attempt is finished, exit 0 within the grace', async () => {
    const hook = await call(server.url, 'POST', '/api/3/webhooks', {
      webhook: { url: receiver.url, events: ['credential.status_changed'] },
    });
    assert.equal(hook.status, 201, hook.text);
    const person = await call(server.url, 'POST', '/api/3/people', {
      person: { first_name: 'Shut', last_name: 'Down' },
    });
    const cred = await call(server.url, 'POST', `/api/3/people/${person.body.person.id}/credentials`, {
      person_credential: { credential_type_id: 9 },
    });
    const cid = cred.body.person_credential.id;
    const session = await call(server.url, 'POST', '/api/3/client_sessions', { person_id: person.body.person.id });
    const stream = sseReader(
      (await fetch(`${server.url}/api/3/credentials/${cid}/status/stream?token=${session.body.token}`)).body!,
    );
    assert.equal((await stream.next()).data.new_status, 'invited');

    // A slow webhook endpoint: the attempt for this change is claimed and in flight when SIGTERM comes.
    receiver.delayMs = 1500;
    assert.equal(
      (await call(server.url, 'DELETE', `/api/3/people/${person.body.person.id}/credentials/${cid}`)).status,
      202,
    );
    const deadline = Date.now() + 5000;
    while (receiver.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(receiver.received.length, 1, 'the attempt reached the endpoint before the signal');

    // 16 clients writing in a loop, each request on its own connection.
    let loading = true;
    const outcomes: Awaited<ReturnType<typeof oneShot>>[] = [];
    const clients = Array.from({ length: 16 }, async () => {
      while (loading) {
        const r = await oneShot(server.url, '/api/3/people', { person: { first_name: 'Load', last_name: 'Shutdown' } });
        outcomes.push(r);
        if (r.refused) break;
      }
    });
    await new Promise((r) => setTimeout(r, 1000));
    const signalled = performance.now();
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    const { frames, ended } = await stream.rest(10_000);
    const code = await exited;
    const took = performance.now() - signalled;
    loading = false;
    await Promise.all(clients);

    assert.equal(code, 0, server.output().slice(-1500));
    assert.ok(took < 10_000, `exited ${Math.round(took)} ms after SIGTERM (grace 10 s)`);
    assert.ok(ended, 'the stream ended');
    assert.ok(
      frames.some((f) => f.retry !== undefined && f.retry <= 1000),
      `a short retry: hint before the end: ${JSON.stringify(frames)}`,
    );
    const answered = outcomes.filter((o) => o.status !== undefined);
    assert.ok(answered.length > 16, `load ran: ${answered.length} answered`);
    assert.deepEqual(
      answered.filter((o) => o.status !== 201),
      [],
      'every answered request succeeded',
    );
    // Connections the kernel queued but the process never took are reset when it stops listening
    // (the client cannot tell them from a refusal); a request the server took must have its answer:
    // every person the server logged as created, the client heard of.
    const created = server
      .output()
      .split('\n')
      .filter((l) => l.includes('"method":"POST","path":"/api/3/people","status":201')).length;
    assert.equal(
      created - 1,
      answered.length,
      `answers the server sent (${created - 1}) = answers the clients got (${answered.length}); resets: ${outcomes.filter((o) => o.error).length}`,
    );
    // The claimed attempt was finished, not abandoned: the log of the exit says the webhook got its 200.
    assert.equal(receiver.received.length, 1);
    assert.match(server.output(), /"msg":"stopped"/);
  });
});
