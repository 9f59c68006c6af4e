// The PostgreSQL peer (issue 14): Hono + pg, a pool of 10, one prepared statement per request.
// GET /items/:id is one indexed SELECT; POST /items/:id is one UPDATE … RETURNING on that row.
// DATABASE_URL selects the database (and schema, through search_path); the table is made here.
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import pg from 'pg';

const ROWS = Number(process.env.PEER_ROWS ?? 20_000);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => undefined);
await pool.query('create table if not exists peer_items (id text primary key, name text not null, status text not null, uses integer not null default 0, updated_at text not null)');
await pool.query(`insert into peer_items (id, name, status, updated_at) select 'item_' || g, 'Item ' || g, 'active', now()::text from generate_series(1, ${ROWS}) g on conflict do nothing`);

const app = new Hono();
app.get('/items/:id', async (c) => {
  const { rows } = await pool.query({ name: 'peer_read', text: 'select id, name, status, uses, updated_at from peer_items where id = $1', values: [c.req.param('id')] });
  return rows[0] ? c.json({ item: rows[0] }) : c.json({ error: 'not_found' }, 404);
});
app.post('/items/:id', async (c) => {
  const { rows } = await pool.query({ name: 'peer_write', text: 'update peer_items set uses = uses + 1, updated_at = $2 where id = $1 returning id, uses', values: [c.req.param('id'), new Date().toISOString()] });
  return rows[0] ? c.json({ item: rows[0] }) : c.json({ error: 'not_found' }, 404);
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`listening on 127.0.0.1:${info.port}`));
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
