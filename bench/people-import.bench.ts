// The console's CSV import (docs/console.md "Import") at 10,000 rows, as the console drives it: one
// dry run, then apply in ranges of 1,000, then the same file applied again (every row unchanged).
// SQLite and PostgreSQL; figures beside the budget (a minute) and an earlier implementation's.
import { startStaffSession } from '../server/domain/callers/staff-sessions.js';
import { inviteStaff } from '../server/domain/staff/staff.js';
import { transaction } from '../server/storage/db.js';
import { createHarness } from '../test/helpers/harness.js';
import { postgresAvailable } from '../test/helpers/pg.js';

const ROWS = Number(process.env.ROWS ?? 10_000);
const CHUNK = 1_000;
/** Measured by an earlier implementation of the import on this kind of machine (2 cores), SQLite. */
const EARLIER = { dry: 1.3, apply: 6.8 };

function file(): Uint8Array<ArrayBuffer> {
  const lines = ['\ufefffirst_name;last_name;email;phone;external_id'];
  for (let i = 0; i < ROWS; i++) {
    const phone = `+447400${String(100000 + i).padStart(6, '0')}`;
    lines.push(`Person${i};"Surname; ${i}";p${i}@example.com;${phone};EMP-${i}`);
  }
  return new TextEncoder().encode(lines.join('\r\n'));
}

async function measure(backend: 'sqlite' | 'postgres') {
  const h = await createHarness({ backend });
  const ctx = h.keyway.ctx;
  const { staff } = await inviteStaff(ctx, { email: 'bench@example.com', role: 'operator' }, 'system');
  const { token } = await transaction(ctx.store.db, (tx) => startStaffSession(ctx, tx, staff.id));
  const body = file();
  const call = async (query: string) => {
    const res = await h.keyway.app.request(`/api/3/people/import?${query}`, {
      method: 'POST',
      headers: {
        cookie: `__Host-keyway_console=${token}`,
        origin: 'http://127.0.0.1:8787',
        'content-type': 'text/csv',
      },
      body,
    });
    if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
    return (await res.json()) as { counts: Record<string, number> };
  };
  const inRanges = async (dry: boolean) => {
    const counts: Record<string, number> = { create: 0, update: 0, unchanged: 0, refused: 0 };
    for (let offset = 0; offset < ROWS; offset += CHUNK) {
      const r = await call(`dry_run=${dry}&offset=${offset}&limit=${CHUNK}`);
      for (const [k, v] of Object.entries(r.counts)) counts[k] += v;
    }
    return counts;
  };
  let t = performance.now();
  const dry = await call(`dry_run=true&limit=${ROWS}`);
  const dryS = (performance.now() - t) / 1000;
  t = performance.now();
  const applied = await inRanges(false);
  const applyS = (performance.now() - t) / 1000;
  t = performance.now();
  const again = await inRanges(false);
  const againS = (performance.now() - t) / 1000;
  await h.close();
  if (applied.create !== ROWS || again.unchanged !== ROWS)
    throw new Error(`unexpected counts ${JSON.stringify({ dry: dry.counts, applied, again })}`);
  console.log(
    `${backend}: ${ROWS} rows — dry run ${dryS.toFixed(2)} s (earlier ${EARLIER.dry} s, ${(dryS / EARLIER.dry).toFixed(2)}x), ` +
      `apply ${applyS.toFixed(2)} s in ranges of ${CHUNK} (earlier ${EARLIER.apply} s, ${(applyS / EARLIER.apply).toFixed(2)}x), ` +
      `apply again ${againS.toFixed(2)} s, all unchanged; budget 60 s`,
  );
}

await measure('sqlite');
if (await postgresAvailable()) await measure('postgres');
