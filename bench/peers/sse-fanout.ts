// The status fan-out peer (issue 14): node:http and pg, nothing else. GET / holds a Server-Sent
// Events response and sends one event at once; POST / writes one event to every held response of
// this process and NOTIFYs the other peers on the database (DATABASE_URL), which write it to theirs.
// It is the floor for bench/status-fanout-instances.bench.ts: the same sockets, frames and LISTEN.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const CHANNEL = 'peer_fanout';
const me = crypto.randomBytes(6).toString('hex');
const held = new Set<http.ServerResponse>();
let seq = 0;
const fan = (data: string) => {
  const frame = `id: ${++seq}\nevent: status\ndata: ${data}\n\n`;
  for (const res of held) res.write(frame);
};

const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
await listener.connect();
await listener.query(`LISTEN ${CHANNEL}`);
listener.on('notification', (m) => {
  const [from, data] = [m.payload!.slice(0, 12), m.payload!.slice(13)];
  if (from !== me) fan(data);
});
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
pool.on('error', () => undefined);

const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write(`id: ${seq}\nevent: status\ndata: {"enabled":true}\n\n`);
    held.add(res);
    req.on('close', () => held.delete(res));
    return;
  }
  req.resume();
  req.on('end', () => {
    const data = JSON.stringify({ enabled: seq % 2 === 0, at: new Date().toISOString() });
    fan(data);
    pool.query('select pg_notify($1, $2)', [CHANNEL, `${me} ${data}`]).then(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
      () => res.writeHead(503).end(),
    );
  });
});
server.requestTimeout = 0;
server.listen(0, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => {
  for (const res of held) res.end();
  server.close(() => void Promise.all([pool.end(), listener.end()]).then(() => process.exit(0)));
});
