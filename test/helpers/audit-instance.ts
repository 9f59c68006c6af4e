// One "instance" for the audit chain's concurrency test: writes events on its own connection while
// its own sealer runs, then prints how many events its sealer chained. Run as a separate process
// (two SQLite stores in one process would block each other's thread).
import { loadConfig } from '../../server/config.js';
import { auditSealer } from '../../server/domain/audit/chain.js';
import { createContext } from '../../server/domain/context.js';
import { recordEvent } from '../../server/storage/audit.js';
import { openStore } from '../../server/storage/db.js';

const [url, secret, name, count] = process.argv.slice(2);
const store = openStore(url, {});
const config = loadConfig({ KEYWAY_ENV: 'development', DATABASE_URL: url, KEYWAY_SECRET: secret }, 'development');
const ctx = createContext({ config, store, secret });
const sealer = auditSealer(ctx);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let sealed = 0;
let writing = true;
const sealing = (async () => {
  while (writing) {
    const n = (await sealer.seal()).sealed;
    sealed += n;
    await sleep(3);
  }
})();
for (let i = 0; i < Number(count); i++) {
  await store.db.transaction().execute(async (tx) => {
    await recordEvent(tx, new Date().toISOString(), {
      type: 'person.updated',
      actor: 'system',
      subject: `${name}:${i}`,
    });
    // Some hold their transaction open after taking a sequence value, so a later value commits first.
    if (store.dialect === 'postgres' && i % 5 === 0) await sleep(40);
  });
}
writing = false;
await sealing;
sealed += (await sealer.seal()).sealed;
process.stdout.write(`${JSON.stringify({ sealed })}\n`);
await store.close();
