import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createHarness, type Harness, issueWalletPass, TEST_SECRET } from '../helpers/harness.js';
import { freshSchema, skipWithoutPostgres } from '../helpers/pg.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

// Issue 25 point 9: a redemption whose answer was lost can be recovered (docs/security.md).

const SK = 'sk_demo_recovery_0123456789abcdef';
const PK = 'pk_demo_recovery_0123456789abcdef';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`redemption recovery (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;

    describe('in process', { skip }, () => {
      let h: Harness;
      before(async () => {
        h = await createHarness({ backend });
      });
      after(async () => {
        h?.assertLogsClean();
        await h?.close();
      });
      const redeem = (code: string, ip: string, key?: string) =>
        h.request('POST', '/api/3/invitations/redeem', {
          token: h.pk,
          body: { invitation_code: code },
          headers: key ? { 'idempotency-key': key } : {},
          ip,
        });

      test('the server died between the commit and the answer: the retry with the same key gets the same session', async () => {
        const { code } = await issueWalletPass(h);
        const first = await redeem(code, '198.51.100.7', 'crash-1');
        assert.equal(first.status, 200, first.text);
        // As a kill -9 after the redemption committed leaves it: the record still `running`, no answer stored.
        await sql`update idempotency set state = 'running', status = null, body_enc = null`.execute(h.store.db);
        h.clock.advance(61); // the record is stale: a retry takes it over and runs again
        const retry = await redeem(code, '198.51.100.7', 'crash-1');
        assert.equal(retry.status, 200, retry.text);
        assert.equal(retry.body.provisioning_token, first.body.provisioning_token);
        assert.equal(retry.body.expires_at, first.body.expires_at);
        h.clock.advance(16 * 60);
        await sql`update idempotency set state = 'running', status = null, body_enc = null`.execute(h.store.db);
        h.clock.advance(61);
        const late = await redeem(code, '198.51.100.7', 'crash-1');
        assert.equal(late.status, 409, 'not after the 15 minutes a token is replayed for');
        assert.equal(late.body.error.code, 'invitation_used');
      });

      test('the same code from the same client within a minute gets the same session; another client or later, invitation_used', async () => {
        const { code } = await issueWalletPass(h);
        const first = await redeem(code, '198.51.100.8');
        assert.equal(first.status, 200, first.text);
        h.clock.advance(30);
        const again = await redeem(code, '198.51.100.8');
        assert.equal(again.status, 200, again.text);
        assert.deepEqual(again.body, first.body);
        // Under an Idempotency-Key the first did not carry: another tab or phone behind the same address.
        const otherKey = await redeem(code, '198.51.100.8', 'another-key');
        assert.equal(otherKey.status, 409, otherKey.text);
        assert.equal(otherKey.body.error.code, 'invitation_used');
        const other = await redeem(code, '198.51.100.9');
        assert.equal(other.status, 409);
        assert.equal(other.body.error.code, 'invitation_used');
        const rows = await h.store.db.selectFrom('invitations').selectAll().execute();
        assert.ok(!JSON.stringify(rows).includes(first.body.provisioning_token), 'the token is never stored');
        const secretPart = first.body.provisioning_token.split('_').at(-1);
        assert.ok(!JSON.stringify(rows).includes(secretPart));
        h.clock.advance(31);
        const late = await redeem(code, '198.51.100.8');
        assert.equal(late.status, 409);
        assert.equal(late.body.error.code, 'invitation_used');
        const events = await h.request('GET', '/api/3/events?limit=100', { token: h.sk });
        const redeemed = events.body.events.filter(
          (e: { type: string; subject: string }) => e.type === 'invitation.redeemed',
        );
        assert.equal(redeemed.length, 2, 'one redemption per code: a recovery writes nothing');
      });
    });

    describe('over the network', { skip }, () => {
      let server: ServerProcess;
      let proxy: TcpProxy;
      let drop: (() => Promise<void>) | undefined;
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-recovery-'));
      before(async () => {
        let databaseUrl = `sqlite:${path.join(dataDir, 'keyway.db')}`;
        if (backend === 'postgres') {
          const s = await freshSchema();
          databaseUrl = s.url;
          drop = s.drop;
        }
        server = await startServerProcess({
          KEYWAY_ENV: 'development',
          KEYWAY_SECRET: TEST_SECRET,
          KEYWAY_DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl,
          KEYWAY_DEMO_SECRET_KEY: SK,
          KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
          KEYWAY_DEMO_ORIGINS: 'https://partner.example',
        });
        proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
      });
      after(async () => {
        await proxy?.close();
        await server?.stop();
        await drop?.();
        fs.rmSync(dataDir, { recursive: true, force: true });
      });
      const call = async (base: string, token: string, p: string, body?: unknown, key?: string) => {
        const res = await fetch(base + p, {
          method: body ? 'POST' : 'GET',
          headers: {
            authorization: `Bearer ${token}`,
            origin: 'https://partner.example',
            ...(body ? { 'content-type': 'application/json' } : {}),
            ...(key ? { 'idempotency-key': key } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
      };

      test('a redemption answer dropped by a proxy, retried as it was sent: the same session; sent otherwise: used', async () => {
        const newCode = async () => {
          const person = await call(server.url, SK, '/api/3/people', {
            person: { first_name: 'Lost', last_name: 'Answer' },
          });
          assert.equal(person.status, 201, person.text);
          const cred = await call(server.url, SK, `/api/3/people/${person.body.person.id}/credentials`, {
            person_credential: { credential_type_id: 9, enabled: true },
          });
          assert.equal(cred.status, 201, cred.text);
          return cred.body.person_credential.invitation_code as string;
        };
        const proxied = `http://127.0.0.1:${proxy.port}`;
        const redeem = (code: string, key?: string) =>
          call(proxied, PK, '/api/3/invitations/redeem', { invitation_code: code }, key);

        // Under a key (as <invite-redeem> sends it): its retry gets the session back; the same code
        // without that key is another tab or phone behind the same address.
        const keyedCode = await newCode();
        const plainCode = await newCode();
        proxy.dropAnswers();
        await assert.rejects(redeem(keyedCode, 'lost-1'));
        await assert.rejects(redeem(plainCode));
        proxy.restore();
        const keyed = await redeem(keyedCode, 'lost-1');
        assert.equal(keyed.status, 200, keyed.text);
        assert.match(keyed.body.provisioning_token, /^ps_/);
        const bare = await redeem(keyedCode);
        assert.equal(bare.status, 409, bare.text);
        assert.equal(bare.body.error.code, 'invitation_used');
        const other = await redeem(keyedCode, 'another-tab');
        assert.equal(other.status, 409, other.text);

        // Without a key: the same client's repeat within a minute gets the session; a keyed one does not.
        const plain = await redeem(plainCode);
        assert.equal(plain.status, 200, plain.text);
        const again = await redeem(plainCode);
        assert.equal(again.body.provisioning_token, plain.body.provisioning_token);
        assert.equal((await redeem(plainCode, 'late-key')).status, 409);

        const events = await call(server.url, SK, '/api/3/events?limit=100');
        assert.equal(
          events.body.events.filter((e: { type: string }) => e.type === 'invitation.redeemed').length,
          2,
          'each code redeemed once',
        );
      });
    });
  });
}
