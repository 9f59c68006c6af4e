/**
 * Issue 28, "restarts that drop nothing": two instances on one PostgreSQL database behind a load
 * balancer that checks `/readyz` every 250 ms and retries only refused connections; under load, each
 * instance in turn gets SIGTERM, its replacement starts, and the next one goes once the replacement
 * is in rotation. Every request is answered, none reset, none 5xx: KEYWAY_SHUTDOWN_DELAY keeps an
 * instance accepting (with `/readyz` 503 and `Connection: close`) until the balancer has noticed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_SECRET } from '../helpers/harness.js';
import { type LoadBalancer, startLoadBalancer } from '../helpers/load-balancer.js';
import { freshSchema, skipWithoutPostgres } from '../helpers/pg.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';

const SK = 'sk_demo_rolling_0123456789abcdef';
const PK = 'pk_demo_rolling_0123456789abcdef';
const skip = await skipWithoutPostgres();

describe('a rolling restart of two instances behind a load balancer', { skip }, () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let lb: LoadBalancer;
  const running: ServerProcess[] = [];
  const start = async () => {
    const server = await startServerProcess({
      KEYWAY_ENV: 'development',
      DATABASE_URL: schema.url,
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DEMO_SECRET_KEY: SK,
      KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
      // Development's default is 0; what production does by default (5 s), shortened for the test.
      KEYWAY_SHUTDOWN_DELAY: process.env.ROLLING_SHUTDOWN_DELAY ?? '3',
      KEYWAY_SHUTDOWN_GRACE: '10',
    });
    running.push(server);
    return server;
  };
  const inRotation = async (url: string) => {
    const deadline = Date.now() + 30_000;
    while (!lb.inRotation().includes(url)) {
      assert.ok(Date.now() < deadline, `${url} never entered rotation`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const restart = async (old: ServerProcess) => {
    const exited = new Promise<number | null>((resolve) => old.child.once('exit', (code) => resolve(code)));
    old.child.kill('SIGTERM');
    assert.equal(await exited, 0, old.output().slice(-1500));
    lb.remove(old.url);
    const replacement = await start();
    lb.add(replacement.url);
    await inRotation(replacement.url);
    return replacement;
  };

  before(async () => {
    schema = await freshSchema();
    lb = await startLoadBalancer({ checkMs: 250 });
  });
  after(async () => {
    await Promise.all(running.map((s) => s.stop()));
    await lb?.close();
    await schema?.drop();
  });

  test('SIGTERM to one, wait for its replacement, then the other: every request answered, none failed', async () => {
    const a = await start(); // the first applies the migrations; the second finds them done
    const b = await start();
    lb.add(a.url);
    lb.add(b.url);
    await inRotation(a.url);
    await inRotation(b.url);
    const headers = { authorization: `Bearer ${SK}`, 'content-type': 'application/json' };
    const created = await fetch(`${lb.url}/api/3/people`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ person: { first_name: 'Roll', last_name: 'Ing' } }),
    });
    assert.equal(created.status, 201);
    const personId = ((await created.json()) as { person: { id: number } }).person.id;

    // 8 keep-alive clients through the balancer, writing and reading in turn.
    let loading = true;
    const outcomes: { status?: number; error?: string }[] = [];
    const clients = Array.from({ length: 8 }, async (_, c) => {
      for (let i = 0; loading; i++) {
        try {
          const res =
            (i + c) % 2 === 0
              ? await fetch(`${lb.url}/api/3/people`, {
                  method: 'POST',
                  headers,
                  body: JSON.stringify({ person: { first_name: 'Load', last_name: `Client ${c}` } }),
                })
              : await fetch(`${lb.url}/api/3/people/${personId}`, { headers });
          await res.arrayBuffer();
          outcomes.push({ status: res.status });
        } catch (err) {
          outcomes.push({ error: (err as Error).message });
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1000));
    await restart(a);
    await restart(b);
    await new Promise((r) => setTimeout(r, 1000));
    loading = false;
    await Promise.all(clients);

    const failed = outcomes.filter((o) => o.error !== undefined || o.status! >= 300);
    assert.ok(outcomes.length > 100, `load ran: ${outcomes.length} requests`);
    assert.deepEqual(lb.failures, [], 'the balancer saw no reset and no half answer');
    assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${outcomes.length} requests failed`);
    console.log(`rolling restart: ${outcomes.length} requests, ${failed.length} failed`);
  });
});
