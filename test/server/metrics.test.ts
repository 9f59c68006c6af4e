import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { createMetrics, REQUEST_SECONDS_BUCKETS } from '../../server/metrics.js';
import { openStore } from '../../server/storage/db.js';
import { migrateToLatest } from '../../server/storage/migrations.js';
import { createHarness, TEST_SECRET } from '../helpers/harness.js';
import { startServerProcess } from '../helpers/process.js';

describe('GET /metrics', () => {
  test('development: requests by route template and status with a latency histogram, cache, streams, queues', async () => {
    const h = await createHarness();
    try {
      const person = await h.request('POST', '/api/3/people', {
        token: h.sk,
        body: { person: { first_name: 'Metric', last_name: 'Reader' } },
      });
      const cred = await h.request('POST', `/api/3/people/${person.body.person.id}/credentials`, {
        token: h.sk,
        body: { person_credential: { credential_type_id: 9 } },
      });
      const credPath = `/api/3/people/${person.body.person.id}/credentials/${cred.body.person_credential.id}`;
      for (let i = 0; i < 3; i++) assert.equal((await h.request('GET', credPath, { token: h.sk })).status, 200);
      assert.equal((await h.request('GET', '/api/3/people/999999', { token: h.sk })).status, 404);
      const res = await h.keyway.app.request('/metrics');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      assert.match(
        text,
        /keyway_http_requests_total\{method="GET",route="\/api\/3\/people\/:id\/credentials\/:cid",status="200"\} 3/,
      );
      assert.match(text, /keyway_http_requests_total\{method="GET",route="\/api\/3\/people\/:id",status="404"\} 1/);
      assert.match(
        text,
        /keyway_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/api\/3\/people\/:id\/credentials\/:cid"\} \d+/,
      );
      assert.ok(!text.includes(cred.body.person_credential.id), 'route templates, never ids');
      assert.match(
        text,
        /keyway_read_cache_lookups\{outcome="hit"\} [1-9]/,
        'repeated reads are served from the read cache on SQLite',
      );
      assert.match(text, /keyway_sse_subscribers 0/);
      assert.match(text, /keyway_queue_lag_seconds\{queue="outbox"\} [\d.]+/);
      assert.match(text, /keyway_db_pool_connections|keyway_webhook_attempts_total/);
      h.assertLogsClean();
    } finally {
      await h.close();
    }
  });

  test("the request series read exactly as prom-client's own Counter and Histogram would write them", async () => {
    // The request path records into plain maps (server/metrics.ts); a scraper must not see a difference.
    const ours = createMetrics();
    const reference = new Registry();
    const requests = new Counter({
      name: 'keyway_http_requests_total',
      help: 'Requests answered, by route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [reference],
    });
    const seconds = new Histogram({
      name: 'keyway_http_request_duration_seconds',
      help: 'Time to answer, by route template',
      labelNames: ['method', 'route'],
      buckets: [...REQUEST_SECONDS_BUCKETS],
      registers: [reference],
    });
    const observations: [string, string, number, number][] = [
      ['GET', '/api/3/people/:id', 200, 0.0004],
      ['GET', '/api/3/people/:id', 200, 0.001], // on a bound: counted in it (le is "less than or equal")
      ['GET', '/api/3/people/:id', 404, 0.03],
      ['POST', '/api/3/verifications', 202, 7.5], // over the largest bound: only +Inf
      ['GET', 'unmatched', 404, 0.2],
      ['GET', '/api/3/people/:id', 200, 0.0025],
    ];
    for (const [method, route, status, s] of observations) {
      ours.requests.record(method, route, status, s);
      requests.inc({ method, route, status });
      seconds.observe({ method, route }, s);
    }
    const section = (text: string, name: string) =>
      text
        .split('\n\n')
        .find((block) => block.includes(`# TYPE ${name} `))
        ?.trim();
    const mine = await ours.registry.metrics();
    const theirs = await reference.metrics();
    for (const name of ['keyway_http_requests_total', 'keyway_http_request_duration_seconds']) {
      assert.ok(section(theirs, name));
      assert.equal(section(mine, name), section(theirs, name), name);
    }
    assert.deepEqual(
      (await ours.registry.getMetricsAsJSON()).find((m) => m.name === 'keyway_http_requests_total')?.values,
      (await reference.getMetricsAsJSON()).find((m) => m.name === 'keyway_http_requests_total')?.values,
    );
  });

  describe('outside development', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-metrics-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const production = async (env: Record<string, string>) => {
      const config = loadConfig(
        {
          KEYWAY_ENV: 'production',
          KEYWAY_DATA_DIR: dir,
          DATABASE_URL: `sqlite:${path.join(dir, `${Math.random()}.db`)}`,
          KEYWAY_SECRET: TEST_SECRET,
          PUBLIC_URL: 'https://keyway.example',
          KEYWAY_PASSES: 'off',
          KEYWAY_SMS_PROVIDER: 'webhook',
          KEYWAY_SMS_WEBHOOK_URL: 'https://sms.example/send',
          KEYWAY_SMS_WEBHOOK_SECRET: `whsec_${'A'.repeat(43)}=`,
          ...env,
        },
        'production',
      );
      const store = openStore(config.databaseUrl);
      await migrateToLatest(store.db, store.dialect);
      return { keyway: createApp({ config, store, secret: TEST_SECRET, log: () => undefined }), store };
    };

    test('KEYWAY_METRICS_TOKEN unset → 404', async () => {
      const { keyway, store } = await production({});
      assert.equal((await keyway.app.request('/metrics')).status, 404);
      await store.close();
    });

    test('with a token: 401 without it or with another, 200 with it', async () => {
      const token = 'metrics-token-0123456789abcdef';
      const { keyway, store } = await production({ KEYWAY_METRICS_TOKEN: token });
      assert.equal((await keyway.app.request('/metrics')).status, 401);
      assert.equal(
        (await keyway.app.request('/metrics', { headers: { authorization: 'Bearer metrics-token-0123456789abcdeX' } }))
          .status,
        401,
      );
      const ok = await keyway.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /# TYPE keyway_http_requests_total counter/);
      await store.close();
    });

    test('keyway serve over HTTP: every answer goes through the request edge and is counted — a 413 before routing, a compressed one, plain ones', async () => {
      const token = 'metrics-token-0123456789abcdef';
      const server = await startServerProcess(
        {
          KEYWAY_DATA_DIR: fs.mkdtempSync(path.join(dir, 'serve-')),
          KEYWAY_SECRET: TEST_SECRET,
          PUBLIC_URL: 'https://keyway.example',
          KEYWAY_PASSES: 'off',
          KEYWAY_SMS_PROVIDER: 'webhook',
          KEYWAY_SMS_WEBHOOK_URL: 'https://sms.example/send',
          KEYWAY_SMS_WEBHOOK_SECRET: `whsec_${'A'.repeat(43)}=`,
          KEYWAY_METRICS_TOKEN: token,
        },
        'serve',
      );
      try {
        for (let i = 0; i < 3; i++) assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
        const tooBig = await fetch(`${server.url}/api/3/people`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: 'x'.repeat(64 * 1024 + 1),
        });
        assert.equal(tooBig.status, 413);
        assert.equal(tooBig.headers.get('connection'), 'close');
        assert.ok(tooBig.headers.get('x-request-id'), 'the refusal carries its request id');
        const doc = await fetch(`${server.url}/openapi.json`, { headers: { 'accept-encoding': 'br' } });
        assert.equal(doc.status, 200);
        assert.equal(doc.headers.get('content-encoding'), 'br');
        assert.ok((await doc.json()).paths, 'fetch decodes it');
        const text = await (
          await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
        ).text();
        assert.match(text, /keyway_http_requests_total\{method="GET",route="\/healthz",status="200"\} 3\n/);
        assert.match(text, /keyway_http_requests_total\{method="POST",route="unmatched",status="413"\} 1\n/);
        assert.match(text, /keyway_http_requests_total\{method="GET",route="\/openapi\.json",status="200"\} 1\n/);
        assert.match(text, /keyway_http_request_duration_seconds_count\{method="GET",route="\/healthz"\} 3\n/);
        assert.match(
          text,
          /keyway_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/healthz"\} 3\n/,
        );
      } finally {
        await server.stop();
      }
    });
  });
});
