// docs/security.md "limits, order": narrowest bucket first, a refused request counts against no wider one,
// IPv6 clients counted per /64 — so one client can never use up a key's or the world's allowance.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ipBucketOf, networkBucketsOf } from '../../server/domain/rate-limits.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { skipWithoutPostgres } from '../helpers/pg.js';
import { freshPhone, latestSms, personWithPhone, startVerification } from '../helpers/sms.js';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`send limits on ${backend}: narrowest first, refusals count nowhere wider`, async () => {
    // PostgreSQL counts every bucket in one statement (server/domain/rate-limits.ts): the same rule, held here too.
    const reason = backend === 'postgres' ? await skipWithoutPostgres() : false;
    if (reason) {
      test(`${backend} suite`, { skip: reason }, () => undefined);
      return;
    }
    let h: Harness;
    before(async () => {
      // The key's allowance is a little above one IP's: before the fix one IP's refused attempts used it up.
      h = await createHarness({
        backend,
        env: {
          KEYWAY_LIMIT_SENDS_PER_IP_HOUR: '5',
          KEYWAY_LIMIT_SENDS_PER_KEY_HOUR: '8',
          KEYWAY_LIMIT_SENDS_GLOBAL_HOUR: '9',
        },
      });
    });
    after(async () => {
      h.assertLogsClean();
      await h.close();
    });

    test('one IP exhausting its own bucket leaves another IP served on the same publishable key', async () => {
      const attacker = '203.0.113.66';
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await startVerification(h, freshPhone(), { ip: attacker })).status);
      assert.deepEqual(statuses, [...Array(5).fill(202), ...Array(25).fill(429)], 'the IP bucket refuses after 5');
      const other = await startVerification(h, freshPhone(), { ip: '198.51.100.7' });
      assert.equal(other.status, 202, `another client is still served: ${other.text}`);
    });

    test('a send the key bucket refuses is counted in its narrower buckets and nowhere wider', async () => {
      // Carries on from the test above: 5 sends from the attacker's IP and 1 from the other were served.
      const before = await h.store.db.selectFrom('rate_counters').select(['bucket', 'count']).execute();
      const keyCount = Number(before.find((r) => r.bucket.startsWith('sends:key:'))?.count ?? 0);
      // These numbers are unknown: they count in the unknown numbers' own key and global buckets (point 1 below).
      const globalCount = Number(before.find((r) => r.bucket === 'sends:global:unknown')?.count ?? 0);
      assert.equal(keyCount, 6, "the key counted the 5 served sends and the other IP's one, none of the 25 refused");
      assert.equal(globalCount, 6, 'the world counted exactly what the key did');
      const fromNewIp = async (i: number) => (await startVerification(h, freshPhone(), { ip: `192.0.2.${i}` })).status;
      assert.deepEqual([await fromNewIp(1), await fromNewIp(2)], [202, 202], 'sends 7 and 8 of the key');
      const refused = await startVerification(h, freshPhone(), { ip: '192.0.2.3' });
      assert.equal(refused.status, 429, 'the 9th send of the key is refused by the key bucket');
      assert.ok(Number(refused.headers.get('retry-after')) > 0, 'with its Retry-After');
      const after = await h.store.db.selectFrom('rate_counters').select(['bucket', 'count']).execute();
      assert.equal(
        Number(after.find((r) => r.bucket === 'sends:global:unknown')?.count),
        8,
        'a request the key refused counts nowhere wider',
      );
      assert.equal(
        Number(after.find((r) => r.bucket === 'sends:ip:192.0.2.3')?.count),
        1,
        'but in its own narrower buckets',
      );
    });
  });
}

/** `total` calls with `width` always in flight. */
async function inFlight<T>(width: number, total: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < total) {
        const i = next++;
        out[i] = await call(i);
      }
    }),
  );
  return out;
}

// Review, round two, point 1: one /56 (a home's allocation) or ~50 IPv4 addresses filled the key's hourly
// allowance with unknown numbers, and every real person got 429 for the rest of the hour.
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`send limits per network on ${backend}: no network and no flood of unknown numbers drains the key`, async () => {
    const reason = backend === 'postgres' ? await skipWithoutPostgres() : false;
    if (reason) {
      test(`${backend} suite`, { skip: reason }, () => undefined);
      return;
    }
    let h: Harness;
    before(async () => {
      // The key's allowance is lowered (1000 → 300) so draining it takes a few hundred requests, not thousands.
      h = await createHarness({ backend, env: { KEYWAY_LIMIT_SENDS_PER_KEY_HOUR: '300' } });
    });
    after(async () => {
      h.assertLogsClean();
      await h.close();
    });
    const served = (statuses: number[]) => statuses.filter((s) => s === 202).length;

    test('a /56 of 256 addresses and 50 IPv4 addresses of one /24 try to drain the key; a known person still gets a code', async () => {
      // 256 /64s inside 2001:db8:4400::/56, two sends each: 20 per /64 would let all 512 through.
      const v6 = await inFlight(16, 512, async (i) => {
        const ip = `2001:db8:4400:${(i % 256).toString(16)}::${i + 1}`;
        return (await startVerification(h, freshPhone(), { ip })).status;
      });
      assert.equal(served(v6), 60, 'the /56 is served its own 60 an hour, then refused');
      const v4 = await inFlight(16, 250, async (i) => {
        const ip = `198.51.100.${(i % 50) + 1}`;
        return (await startVerification(h, freshPhone(), { ip })).status;
      });
      assert.equal(served(v4), 100, 'the /24 is served its own 100 an hour, then refused');
      const known = await personWithPhone(h);
      const started = await startVerification(h, known.phone, { ip: '203.0.113.9' });
      assert.equal(started.status, 202, `a real person is still served: ${started.text}`);
      const sms = await latestSms(h, known.phone);
      assert.match(sms.code, /^\d{6}$/);
    });

    test('unknown numbers from many networks count in a bucket of their own: the key still sends to known people', async () => {
      // 320 unknown numbers, each from its own IPv4 /24: past the key's 300 and past what remained of it.
      const flood = await inFlight(16, 320, async (i) => {
        const ip = `100.${64 + Math.floor(i / 250)}.${i % 250}.7`;
        return (await startVerification(h, freshPhone(), { ip })).status;
      });
      assert.ok(served(flood) <= 300, 'the unknown numbers have a key allowance of their own');
      const known = await personWithPhone(h);
      const started = await startVerification(h, known.phone, { ip: '192.0.2.200' });
      assert.equal(started.status, 202, `a real person is still served: ${started.text}`);
      await latestSms(h, known.phone);
    });
  });
}

describe('IPv6 send limits', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ env: { KEYWAY_LIMIT_SENDS_PER_IP_HOUR: '5' } });
  });
  after(async () => {
    await h.close();
  });

  test('IPv6 clients share one bucket per /64; another /64 has its own', async () => {
    const sameNet = (i: number) => `2001:db8:aa:bb::${(i + 1).toString(16)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await startVerification(h, freshPhone(), { ip: sameNet(i) })).status);
    assert.deepEqual(statuses.slice(0, 2), [202, 202]);
    assert.equal(statuses[5], 429, 'six addresses of one /64 are one client');
    assert.equal(
      (await startVerification(h, freshPhone(), { ip: '2001:db8:aa:bc::1' })).status,
      202,
      'the next /64 is another client',
    );
  });
});

test('ipBucketOf: IPv4 whole, IPv6 by its /64 in every notation', () => {
  assert.equal(ipBucketOf('198.51.100.7'), '198.51.100.7');
  assert.equal(ipBucketOf('2001:db8:aa:bb::1'), '2001:db8:aa:bb::/64');
  assert.equal(ipBucketOf('2001:0db8:00aa:00bb:ffff:1:2:3'), '2001:db8:aa:bb::/64');
  assert.equal(ipBucketOf('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(ipBucketOf('::1'), '0:0:0:0::/64');
});

test('networkBucketsOf: IPv4 address and /24, IPv6 /64, /56 and /48, narrowest first, each with its limit', () => {
  const l = { sendsPerIpHour: 20, sendsPerIpv4Net24Hour: 100, sendsPerIpv6Net56Hour: 60, sendsPerIpv6Net48Hour: 200 };
  assert.deepEqual(networkBucketsOf('198.51.100.7', l), [
    { bucket: '198.51.100.7', limit: 20 },
    { bucket: '198.51.100.0/24', limit: 100 },
  ]);
  assert.deepEqual(networkBucketsOf('2001:db8:aa:bbcc::1', l), [
    { bucket: '2001:db8:aa:bbcc::/64', limit: 20 },
    { bucket: '2001:db8:aa:bb00::/56', limit: 60 },
    { bucket: '2001:db8:aa::/48', limit: 200 },
  ]);
});

test('networkBucketsOf: a network is never allowed fewer sends than one address in it (KEYWAY_LIMIT_SENDS_PER_IP_HOUR raised past the network caps)', () => {
  const l = { sendsPerIpHour: 1000, sendsPerIpv4Net24Hour: 100, sendsPerIpv6Net56Hour: 60, sendsPerIpv6Net48Hour: 200 };
  assert.deepEqual(
    networkBucketsOf('198.51.100.7', l).map((b) => b.limit),
    [1000, 1000],
  );
  assert.deepEqual(
    networkBucketsOf('2001:db8:aa:bbcc::1', l).map((b) => b.limit),
    [1000, 1000, 1000],
  );
});
