// The PostgreSQL peer (issue 14): Hono + pg, a pool of 10, one prepared statement per request.
// GET /items/:id is one indexed SELECT; POST /items/:id is one UPDATE … RETURNING on that row;
// POST /floor/:id the same number of round trips as a Keyway write (below).
// DATABASE_URL selects the database (and schema, through search_path); the table is made here.

import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';

const ROWS = Number(process.env.PEER_ROWS ?? 20_000);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => undefined);
await pool.query(
  'create table if not exists peer_items (id text primary key, name text not null, status text not null, uses integer not null default 0, updated_at text not null)',
);
await pool.query(
  `insert into peer_items (id, name, status, updated_at) select 'item_' || g, 'Item ' || g, 'active', now()::text from generate_series(1, ${ROWS}) g on conflict do nothing`,
);

const app = new Hono();
app.get('/items/:id', async (c) => {
  const { rows } = await pool.query({
    name: 'peer_read',
    text: 'select id, name, status, uses, updated_at from peer_items where id = $1',
    values: [c.req.param('id')],
  });
  return rows[0] ? c.json({ item: rows[0] }) : c.json({ error: 'not_found' }, 404);
});
app.post('/items/:id', async (c) => {
  const { rows } = await pool.query({
    name: 'peer_write',
    text: 'update peer_items set uses = uses + 1, updated_at = $2 where id = $1 returning id, uses',
    values: [c.req.param('id'), new Date().toISOString()],
  });
  return rows[0] ? c.json({ item: rows[0] }) : c.json({ error: 'not_found' }, 404);
});
// The round-trip floor of a write shaped like Keyway's: POST /floor/:id?autocommit=A&inTx=T runs A
// autocommitted UPDATEs, then BEGIN, T UPDATEs and COMMIT on that row (no transaction when T is 0),
// and nothing else — what A + T + 2 (or A) sequential statements cost through Hono + pg with no application logic at all.
app.post('/floor/:id', async (c) => {
  const id = c.req.param('id');
  const autocommit = Number(c.req.query('autocommit') ?? 1);
  const inTx = Number(c.req.query('inTx') ?? 7);
  const update = {
    name: 'peer_write',
    text: 'update peer_items set uses = uses + 1, updated_at = $2 where id = $1 returning id, uses',
    values: [id, new Date().toISOString()],
  };
  let last: unknown[] = [];
  for (let i = 0; i < autocommit; i++) ({ rows: last } = await pool.query(update));
  if (inTx === 0) return c.json({ item: last[0] });
  const client = await pool.connect();
  try {
    await client.query('begin');
    let rows: unknown[] = [];
    for (let i = 0; i < inTx; i++) ({ rows } = await client.query(update));
    await client.query('commit');
    return c.json({ item: rows[0] });
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
  console.log(`listening on 127.0.0.1:${info.port}`),
);
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
