// The console's CSV import of people (docs/console.md "Import", SPEC §14) on both backends: a file
// with a BOM, `;` separators, a quoted newline, a bad phone and a missing name; the dry run writes
// nothing, apply writes, applying again changes nothing; a viewer is refused; bad files are 4xx.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startStaffSession } from '../../server/domain/callers/staff-sessions.js';
import { inviteStaff } from '../../server/domain/staff/staff.js';
import { transaction } from '../../server/storage/db.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

const FIXTURE = fs.readFileSync(new URL('../fixtures/people-import.csv', import.meta.url));
const CONSOLE_ORIGIN = 'http://127.0.0.1:8787';

/** A staff member signed in to the console: their cookie, and the console's Origin on every call. */
async function signedIn(h: Harness, email: string, role: 'viewer' | 'operator' | 'admin') {
  const ctx = h.keyway.ctx;
  const { staff } = await inviteStaff(ctx, { email, role }, 'system');
  const { token } = await transaction(ctx.store.db, (tx) => startStaffSession(ctx, tx, staff.id));
  return { id: staff.id, headers: { cookie: `__Host-keyway_console=${token}`, origin: CONSOLE_ORIGIN } };
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`the CSV import of people (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;
    let h: Harness;
    let operator: Awaited<ReturnType<typeof signedIn>>;
    let viewer: Awaited<ReturnType<typeof signedIn>>;
    let adaId: number;
    before(async () => {
      if (skip) return;
      h = await createHarness({ backend });
      operator = await signedIn(h, 'olive@example.com', 'operator');
      viewer = await signedIn(h, 'victor@example.com', 'viewer');
      // Ada is already in Keyway, without an external id: the file's row for her is an update.
      const ada = await h.request('POST', '/api/3/people', {
        token: h.sk,
        body: { person: { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' } },
      });
      adaId = ada.body.person.id;
    });
    after(() => h?.close());

    const importFile = (
      query: string,
      file: Buffer | string = FIXTURE,
      headers: Record<string, string> = operator.headers,
    ) =>
      h.keyway.app.request(`/api/3/people/import?${query}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'text/csv', 'x-forwarded-for': '10.9.0.1' },
        body: typeof file === 'string' ? file : new Uint8Array(file),
      });
    const json = async (res: Response) => ({ status: res.status, body: await res.json() });
    const written = async () => ({
      people: Number(
        (
          await h.store.db
            .selectFrom('people')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      events: Number(
        (
          await h.store.db
            .selectFrom('events')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    });
    const summary = (rows: { line: number; action: string; reason_code: string | null }[]) =>
      rows.map((r) => `${r.line} ${r.action}${r.reason_code ? ` ${r.reason_code}` : ''}`);
    const EXPECTED = [
      '2 create',
      '3 update',
      '4 create',
      '6 refused invalid_phone_number',
      '7 refused missing_name',
      '8 create',
      '9 create',
      '10 create',
    ];

    test('a dry run reads the BOM, `;` and the quoted newline, refuses exactly the bad rows, and writes nothing', {
      skip,
    }, async () => {
      const before = await written();
      const r = await json(await importFile('dry_run=true'));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.dry_run, true);
      assert.equal(r.body.encoding, 'utf-8');
      assert.equal(r.body.separator, ';');
      assert.deepEqual(r.body.columns, ['first_name', 'last_name', 'email', 'phone', 'external_id']);
      assert.deepEqual(r.body.ignored_columns, ['notes']);
      assert.equal(r.body.total_rows, 8);
      assert.deepEqual(summary(r.body.rows), EXPECTED);
      assert.deepEqual(r.body.counts, { create: 5, update: 1, unchanged: 0, refused: 2 });
      const ada = r.body.rows.find((x: { line: number }) => x.line === 3);
      assert.equal(ada.person_id, adaId);
      assert.deepEqual(ada.changes, ['external_id']);
      assert.equal(r.body.rows.find((x: { line: number }) => x.line === 9).first_name, 'ليلى');
      assert.deepEqual(await written(), before);
    });

    test('a viewer may not import, not even a dry run: 403 insufficient_scope', { skip }, async () => {
      for (const q of ['dry_run=true', 'dry_run=false']) {
        const r = await json(await importFile(q, FIXTURE, viewer.headers));
        assert.equal(r.status, 403);
        assert.equal(r.body.error.code, 'insufficient_scope');
      }
      const key = await json(
        await h.keyway.app.request('/api/3/people/import?dry_run=true', {
          method: 'POST',
          headers: { authorization: `Bearer ${h.skRead}`, 'content-type': 'text/csv' },
          body: new Uint8Array(FIXTURE),
        }),
      );
      assert.equal(key.status, 403);
    });

    test('apply writes the rows in ranges, as the staff member; applying again changes nothing', { skip }, async () => {
      // In two ranges, as the console applies with its progress bar.
      const first = await json(await importFile('dry_run=false&offset=0&limit=5'));
      const second = await json(await importFile('dry_run=false&offset=5&limit=5'));
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(summary([...first.body.rows, ...second.body.rows]), EXPECTED);

      const people = (await h.request('GET', '/api/3/people?limit=50', { token: h.sk })).body.people;
      const byExt = Object.fromEntries(people.map((p: { external_id: string }) => [p.external_id, p]));
      assert.equal(byExt['EMP-001'].phone, '+447400123456');
      assert.equal(byExt['EMP-002'].id, adaId);
      assert.equal(byExt['EMP-006'].last_name, 'Müller');
      assert.equal(byExt['EMP-004'], undefined);
      assert.equal(byExt['EMP-005'], undefined);
      assert.ok(people.some((p: { email: string }) => p.email === 'margaret@example.com'));

      const events = (await h.request('GET', `/api/3/events?limit=50&actor=staff:${operator.id}`, { token: h.sk })).body
        .events;
      assert.equal(events.filter((e: { type: string }) => e.type === 'person.created').length, 5);
      assert.equal(events.filter((e: { type: string }) => e.type === 'person.updated').length, 1);
      assert.equal(events.filter((e: { type: string }) => e.type === 'people.imported').length, 2);
      for (const e of events) assert.equal(e.actor, `staff:${operator.id}`);

      const before = await written();
      const again = await json(await importFile('dry_run=false'));
      assert.deepEqual(again.body.counts, { create: 0, update: 0, unchanged: 6, refused: 2 });
      const after = await written();
      assert.equal(after.people, before.people);
      assert.equal(after.events, before.events + 1, 'only the import’s own event');
    });

    test('a header without the name columns is 422 csv_invalid, saying what is missing', { skip }, async () => {
      const r = await json(await importFile('dry_run=true', 'Grace,Hopper,grace@example.com\n'));
      assert.equal(r.status, 422);
      assert.equal(r.body.error.code, 'csv_invalid');
      assert.match(r.body.error.message, /first_name and last_name are missing/);
      assert.deepEqual(r.body.error.details.missing, ['first_name', 'last_name']);
      const unclosed = await json(await importFile('dry_run=true', 'first_name,last_name\n"Grace,Hopper\n'));
      assert.equal(unclosed.status, 422);
      assert.equal(unclosed.body.error.code, 'csv_invalid');
    });

    test('a comma file in Windows-1252, with duplicates, no key and a card type', { skip }, async () => {
      const text = [
        'First Name,Last Name,Email,External ID,credential_type_id',
        'René,Dupont,rene@example.com,W-1,',
        'Renée,Dupont,rene@example.com,W-2,',
        'Nobody,Keyless,,,',
        'Carl,Card,carl@example.com,W-3,1',
        'Wanda,Wallet,wanda@example.com,W-4,9',
      ].join('\n');
      const r = await json(await importFile('dry_run=true', Buffer.from(text, 'latin1')));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.encoding, 'windows-1252');
      assert.equal(r.body.separator, ',');
      assert.equal(r.body.rows[0].first_name, 'René');
      // The same bytes under an Idempotency-Key (whose hash reads the body as text first) decode alike.
      const keyed = await json(
        await importFile('dry_run=true', Buffer.from(text, 'latin1'), {
          ...operator.headers,
          'idempotency-key': 'cp1252-dry-run',
        }),
      );
      assert.equal(keyed.status, 200, JSON.stringify(keyed.body));
      assert.equal(keyed.body.encoding, 'windows-1252');
      assert.equal(keyed.body.rows[0].first_name, 'René');
      assert.deepEqual(summary(r.body.rows), [
        '2 create',
        '3 refused duplicate_in_file',
        '4 refused no_key',
        '5 refused credential_needs_value',
        '6 create',
      ]);
      const applied = await json(await importFile('dry_run=false', Buffer.from(text, 'latin1')));
      const wanda = applied.body.rows[4];
      assert.match(wanda.credential_id, /^cred_/);
      const again = await json(await importFile('dry_run=true', Buffer.from(text, 'latin1')));
      assert.deepEqual(again.body.counts, { create: 0, update: 0, unchanged: 2, refused: 3 });
    });

    test('the same file applied twice at once makes each person once, and both answers are 200', { skip }, async () => {
      const text = [
        'first_name,last_name,external_id',
        ...Array.from({ length: 300 }, (_, i) => `Twin${i},Race,RACE-${i}`),
      ].join('\n');
      const [a, b] = await Promise.all([importFile('dry_run=false', text), importFile('dry_run=false', text)]);
      assert.equal(a.status, 200, await a.clone().text());
      assert.equal(b.status, 200, await b.clone().text());
      const [ca, cb] = [(await a.json()).counts, (await b.json()).counts];
      assert.equal(ca.create + cb.create, 300);
      assert.equal(ca.unchanged + cb.unchanged, 300);
      const n = await h.store.db
        .selectFrom('people')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('last_name', '=', 'Race')
        .executeTakeFirstOrThrow();
      assert.equal(Number(n.n), 300);
    });

    test('email-only rows asking for a wallet pass, applied twice at once: each email once, each person one pass', {
      skip,
    }, async () => {
      const rows = 60;
      const text = [
        'first_name,last_name,email,credential_type_id,delivery',
        ...Array.from({ length: rows }, (_, i) => `Mail${i},Twin,mail-twin-${i}@example.com,9,none`),
      ].join('\n');
      const answers = await Promise.all([importFile('dry_run=false', text), importFile('dry_run=false', text)]);
      for (const a of answers) assert.equal(a.status, 200, await a.clone().text());
      const people = await h.store.db
        .selectFrom('people')
        .select(['id', 'email'])
        .where('last_name', '=', 'Twin')
        .where('deleted_at', 'is', null)
        .execute();
      const emails = people.map((p) => p.email);
      assert.equal(new Set(emails).size, rows);
      assert.equal(people.length, rows, 'an email was made into two people');
      const creds = await h.store.db
        .selectFrom('credentials')
        .select(['person_id'])
        .where(
          'person_id',
          'in',
          people.map((p) => p.id),
        )
        .execute();
      assert.equal(creds.length, rows, `${creds.length} passes for ${rows} people`);
      // What the two answers say agrees with what was written: one pass issued per person in all.
      const issued = (await Promise.all(answers.map((a) => a.json()))).flatMap((b) =>
        b.rows.filter((r: { credential_id: string | null }) => r.credential_id),
      );
      assert.equal(issued.length, rows);
    });

    test('external_id through POST and PUT /api/3/people: set, found by the import, unique among the living, validated', {
      skip,
    }, async () => {
      const created = await h.request('POST', '/api/3/people', {
        token: h.sk,
        body: { person: { first_name: 'Emil', last_name: 'Extern', external_id: 'API-1' } },
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.person.external_id, 'API-1');
      const id = created.body.person.id;
      // The import finds the person by the id the API gave: the row is unchanged, not a second Emil.
      const found = await json(
        await importFile('dry_run=true', 'first_name,last_name,external_id\nEmil,Extern,API-1\n'),
      );
      assert.equal(found.body.rows[0].action, 'unchanged', JSON.stringify(found.body.rows[0]));
      assert.equal(found.body.rows[0].person_id, id);

      const twin = await h.request('POST', '/api/3/people', {
        token: h.sk,
        body: { person: { first_name: 'Other', last_name: 'Extern', external_id: 'API-1' } },
      });
      assert.equal(twin.status, 409, twin.text);
      assert.equal(twin.body.error.code, 'external_id_taken');
      const other = await h.request('POST', '/api/3/people', {
        token: h.sk,
        body: { first_name: 'Other', last_name: 'Extern' },
      });
      const taken = await h.request('PUT', `/api/3/people/${other.body.person.id}`, {
        token: h.sk,
        body: { person: { external_id: 'API-1' } },
      });
      assert.equal(taken.status, 409, taken.text);
      assert.equal(taken.body.error.code, 'external_id_taken');

      const renamed = await h.request('PUT', `/api/3/people/${id}`, {
        token: h.sk,
        body: { person: { external_id: 'API-2' } },
      });
      assert.equal(renamed.status, 200, renamed.text);
      assert.equal(renamed.body.person.external_id, 'API-2');
      const freed = await h.request('PUT', `/api/3/people/${other.body.person.id}`, {
        token: h.sk,
        body: { external_id: 'API-1' },
      });
      assert.equal(freed.status, 200, 'the old id is free again');
      // A deleted person's id may be given to someone living.
      assert.equal((await h.request('DELETE', `/api/3/people/${id}`, { token: h.sk })).status, 202);
      const reused = await h.request('POST', '/api/3/people', {
        token: h.sk,
        body: { first_name: 'New', last_name: 'Extern', external_id: 'API-2' },
      });
      assert.equal(reused.status, 201, reused.text);
      const cleared = await h.request('PUT', `/api/3/people/${reused.body.person.id}`, {
        token: h.sk,
        body: { external_id: null },
      });
      assert.equal(cleared.body.person.external_id, null);

      for (const bad of ['x'.repeat(201), 'two\nlines', '']) {
        const r = await h.request('POST', '/api/3/people', {
          token: h.sk,
          body: { first_name: 'Bad', last_name: 'Extern', external_id: bad },
        });
        assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.text}`);
        assert.equal(r.body.error.code, 'invalid_request');
        assert.ok(r.body.error.details.fields.external_id, r.text);
      }
      const viewer = await h.request('PUT', `/api/3/people/${reused.body.person.id}`, {
        token: h.skRead,
        body: { external_id: 'API-3' },
      });
      assert.equal(viewer.status, 403);
    });

    test('a file over 10 MB is 413 payload_too_large', { skip }, async () => {
      const big = `first_name,last_name,email\n${'x,y,z@example.com\n'.repeat(Math.ceil((10 * 1024 * 1024) / 18) + 10)}`;
      const r = await json(await importFile('dry_run=true', big));
      assert.equal(r.status, 413);
      assert.equal(r.body.error.code, 'payload_too_large');
      assert.match(r.body.error.message, /10 MB/);
    });
  });
}
