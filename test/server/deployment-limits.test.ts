// Issue 25 point 7: the stream caps and the PassKit /log budget hold for the deployment, not per
// process — with KEYWAY_WORKERS=2 one token still gets 5 open streams, and /log still writes 30 lines
// a minute, whichever worker each connection lands on (node:cluster hands them out in turn).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TEST_SECRET } from '../helpers/harness.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';

const SK = 'sk_demo_limits_0123456789abcdefghij';
const PK = 'pk_demo_limits_0123456789abcdefghij';

describe('caps shared by two workers', () => {
  let server: ServerProcess;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-shared-limits-'));
  before(async () => {
    server = await startServerProcess(
      {
        KEYWAY_ENV: 'development',
        KEYWAY_SECRET: TEST_SECRET,
        KEYWAY_DATA_DIR: dir,
        KEYWAY_DEMO_SECRET_KEY: SK,
        KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
      },
      'start',
      ['--workers', '2'],
    );
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = async (token: string, route: string, body?: unknown) => {
    const res = await fetch(server.url + route, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', connection: 'close' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  test('one token, ten streams through both workers: five open, the rest 429; a closed one gives its place back', async () => {
    const person = await call(SK, '/api/3/people', { person: { first_name: 'Two', last_name: 'Workers' } });
    assert.equal(person.status, 201);
    const cred = await call(SK, `/api/3/people/${person.body.person.id}/credentials`, {
      person_credential: { credential_type_id: 9 },
    });
    assert.equal(cred.status, 201);
    const grant = await call(PK, '/api/3/invitations/redeem', {
      invitation_code: cred.body.person_credential.invitation_code,
    });
    assert.equal(grant.status, 200);
    const token = grant.body.provisioning_token as string;
    const id = cred.body.person_credential.id as string;
    const open = async () => {
      const ac = new AbortController();
      const res = await fetch(`${server.url}/api/3/credentials/${id}/status/stream`, {
        headers: { authorization: `Bearer ${token}` },
        signal: ac.signal,
      });
      return { res, close: () => ac.abort() };
    };
    const streams = [];
    for (let i = 0; i < 10; i++) streams.push(await open());
    const statuses = streams.map((s) => s.res.status);
    assert.equal(statuses.filter((s) => s === 200).length, 5, `statuses: ${statuses}`);
    assert.equal(statuses.filter((s) => s === 429).length, 5, `statuses: ${statuses}`);
    const refused = streams.find((s) => s.res.status === 429)!;
    assert.equal(((await refused.res.json()) as { error: { code: string } }).error.code, 'too_many_streams');

    streams.find((s) => s.res.status === 200)!.close();
    let again = await open();
    for (let i = 0; i < 20 && again.res.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100)); // the release travels to the primary
      again = await open();
    }
    assert.equal(again.res.status, 200, 'a closed stream gives its place back');
    streams.push(again);
    assert.equal((await open()).res.status, 429);
    for (const s of streams) s.close();
  });

  test('PassKit /log through both workers: 30 lines a minute for the deployment', async () => {
    const before = server.output().split('passkit log').length - 1;
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${server.url}/wallet/apple/v1/log`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ logs: Array.from({ length: 5 }, (_, j) => `line ${i}.${j}`) }),
      });
      assert.equal(res.status, 200);
    }
    await new Promise((r) => setTimeout(r, 500)); // the workers' output reaches the pipe
    const logged = server.output().split('passkit log').length - 1 - before;
    assert.equal(logged, 30, `lines logged: ${logged}`);
  });
});
