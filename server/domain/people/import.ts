// The CSV import of people (docs/console.md "Import", SPEC §14): every row of a range is classified
// create / update / unchanged / refused; a dry run writes nothing, an apply writes the range in one
// transaction. A person is found again by external_id, else by email, so a file applied twice
// changes nothing the second time.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { nowIso } from '../../clock.js';
import { IMPORT_REFUSALS, type ImportRefusal } from '../../messages/import.js';
import type { Actor } from '../../storage/audit.js';
import { type ChangeEvent, recordChanges } from '../../storage/change-log.js';
import { isUniqueViolation, type Tx, transaction } from '../../storage/db.js';
import type { Ctx } from '../context.js';
import { CredentialHeld, NOT_HELD } from '../credentials/held.js';
import { createCredential } from '../credentials/issue.js';
import { CARD, credentialTypes, PIN } from '../credentials/types.js';
import { ApiError } from '../errors.js';
import { wantBadgeUpdatesTx } from '../hid/revocations.js';
import { type CsvRow, type ImportColumn, readPeopleCsv } from './csv.js';
import { EXTERNAL_ID_MAX, EXTERNAL_ID_PATTERN } from './people.js';
import { parsePhone } from './phone.js';

export type ImportAction = 'create' | 'update' | 'unchanged' | 'refused';

export interface ImportRowResult {
  index: number;
  line: number;
  action: ImportAction;
  person_id: number | null;
  first_name: string;
  last_name: string;
  email: string | null;
  external_id: string | null;
  /** The fields an update changes (`credential` when one is issued). */
  changes: string[];
  reason_code: ImportRefusal | null;
  reason: string | null;
  /** The credential issued for the row (apply only). */
  credential_id: string | null;
}

export interface ImportResult {
  dry_run: boolean;
  encoding: string;
  separator: string;
  columns: ImportColumn[];
  ignored_columns: string[];
  total_rows: number;
  offset: number;
  limit: number;
  counts: Record<ImportAction, number>;
  rows: ImportRowResult[];
}

/** What a row asks for, once its cells are valid. */
interface Wanted {
  row: CsvRow;
  result: ImportRowResult;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  external_id: string | null;
  credentialType: number | null;
  deliver: 'email' | 'none';
  /** False when a created person's credential was issued by another apply first. */
  issued?: boolean;
}

interface Existing {
  id: number;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  external_id: string | null;
}

/** What a row will do, decided against the people stored now. */
type Decision =
  | { kind: 'create'; wanted: Wanted }
  | { kind: 'update'; wanted: Wanted; person: Existing; set: Partial<Existing>; issue: boolean }
  | { kind: 'unchanged'; wanted: Wanted; person: Existing }
  | { kind: 'refused'; wanted: Wanted; code: ImportRefusal };

/** The largest file the import reads (docs/console.md): about 100,000 rows. */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;
/** The most rows one request classifies or applies; the console applies in smaller ranges for its progress bar. */
export const IMPORT_MAX_ROWS = 10_000;

const email = z.email();
const LOOKUP_BATCH = 500;
const INSERT_BATCH = 200;

/**
 * Reads the whole file (its duplicates are found across every row), then classifies rows
 * `offset … offset + limit − 1`; applies them unless `dryRun`.
 */
export async function importPeople(
  ctx: Ctx,
  bytes: Uint8Array,
  opts: { dryRun: boolean; offset: number; limit: number; actor: Actor },
): Promise<ImportResult> {
  const file = readPeopleCsv(bytes);
  const duplicates = duplicateRows(file.rows);
  const range = file.rows.slice(opts.offset, opts.offset + opts.limit);
  const refused: Decision[] = [];
  const wanted: Wanted[] = [];
  for (const row of range) {
    const w = readRow(ctx, row);
    const code = duplicates.has(row.index) ? 'duplicate_in_file' : w.code;
    if (code) refused.push({ kind: 'refused', wanted: w.wanted, code });
    else wanted.push(w.wanted);
  }

  let decisions: Decision[];
  if (opts.dryRun) decisions = await decide(ctx.store.db, wanted);
  else {
    const at = nowIso(ctx);
    const fileId = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    const apply = () =>
      transaction(ctx.store.db, async (tx) => {
        await takeImportTurn(ctx, tx);
        const decided = await decide(tx, wanted);
        await write(ctx, tx, at, decided, opts.actor);
        const counts = countOf([...decided, ...refused].map((d) => d.kind));
        await recordChanges(tx, at, [
          {
            type: 'people.imported',
            actor: opts.actor,
            subject: `import:${fileId}`,
            data: { offset: opts.offset, rows: range.length, ...counts },
          },
        ]);
        return decided;
      });
    // Ranges take turns (takeImportTurn); one that still meets another writer's person in the
    // external_id index (a person given that id meanwhile) is undone whole and decides again.
    for (let attempt = 1; ; attempt++) {
      try {
        decisions = await apply();
        break;
      } catch (err) {
        if (!isUniqueViolation(err) || attempt === 3) throw err;
        for (const w of wanted) w.result.person_id = null;
      }
    }
    decisions = await issueCredentials(ctx, decisions, opts.actor);
  }

  const all = [...decisions, ...refused].map(finish).sort((a, b) => a.index - b.index);
  return {
    dry_run: opts.dryRun,
    encoding: file.encoding,
    separator: file.separator,
    columns: file.columns,
    ignored_columns: file.ignored,
    total_rows: file.rows.length,
    offset: opts.offset,
    limit: opts.limit,
    counts: countOf(all.map((r) => r.action)),
    rows: all,
  };
}

function countOf(actions: ImportAction[]): Record<ImportAction, number> {
  const counts = { create: 0, update: 0, unchanged: 0, refused: 0 };
  for (const a of actions) counts[a]++;
  return counts;
}

/** Rows whose external_id or email an earlier row of the file already has (only the first is imported). */
function duplicateRows(rows: CsvRow[]): Set<number> {
  const seen = new Set<string>();
  const out = new Set<number>();
  for (const row of rows) {
    const keys = [
      row.cells.external_id && `x:${row.cells.external_id}`,
      row.cells.email && `e:${row.cells.email.toLowerCase()}`,
    ].filter((k): k is string => !!k);
    if (keys.some((k) => seen.has(k))) out.add(row.index);
    for (const k of keys) seen.add(k);
  }
  return out;
}

/** A row's cells checked one by one: the first problem is its reason. */
function readRow(ctx: Ctx, row: CsvRow): { wanted: Wanted; code: ImportRefusal | null } {
  const c = row.cells;
  const wanted: Wanted = {
    row,
    result: {
      index: row.index,
      line: row.line,
      action: 'refused',
      person_id: null,
      first_name: (c.first_name ?? '').slice(0, 200),
      last_name: (c.last_name ?? '').slice(0, 200),
      email: c.email?.toLowerCase().slice(0, 320) ?? null,
      external_id: c.external_id?.slice(0, 200) ?? null,
      changes: [],
      reason_code: null,
      reason: null,
      credential_id: null,
    },
    first_name: c.first_name ?? '',
    last_name: c.last_name ?? '',
    email: c.email?.toLowerCase() ?? null,
    phone: null,
    external_id: c.external_id ?? null,
    credentialType: null,
    deliver: ctx.config.deliverDefault,
  };
  const refuse = (code: ImportRefusal) => ({ wanted, code });
  if (!wanted.first_name || !wanted.last_name) return refuse('missing_name');
  if (wanted.first_name.length > 200 || wanted.last_name.length > 200) return refuse('name_too_long');
  // The rule PersonInput's external_id follows (POST and PUT /api/3/people).
  if (
    wanted.external_id !== null &&
    (wanted.external_id.length > EXTERNAL_ID_MAX || !EXTERNAL_ID_PATTERN.test(wanted.external_id))
  )
    return refuse('invalid_external_id');
  if (wanted.email !== null && (wanted.email.length > 320 || !email.safeParse(wanted.email).success))
    return refuse('invalid_email');
  if (c.phone) {
    try {
      wanted.phone = parsePhone(c.phone, ctx.config.defaultCountry).e164;
    } catch (err) {
      if (err instanceof ApiError) return refuse('invalid_phone_number');
      throw err;
    }
  }
  if (!wanted.external_id && !wanted.email) return refuse('no_key');
  if (c.credential_type_id) {
    const type = Number(c.credential_type_id);
    if (type === CARD || type === PIN) return refuse('credential_needs_value');
    if (!credentialTypes(ctx).some((t) => t.id === type)) return refuse('unknown_credential_type');
    wanted.credentialType = type;
    if (c.delivery) {
      const d = c.delivery.toLowerCase();
      if (d !== 'email' && d !== 'none') return refuse('unknown_delivery');
      wanted.deliver = d;
    }
    if (wanted.deliver === 'email' && ctx.config.emailProvider === 'none') return refuse('email_not_configured');
    if (wanted.deliver === 'email' && !wanted.email) return refuse('needs_email');
  }
  return { wanted, code: null };
}

/** Each valid row against the people stored now (in the apply's transaction, the rows it will write). */
async function decide(db: Tx, wanted: Wanted[]): Promise<Decision[]> {
  const ids = [...new Set(wanted.map((w) => w.external_id).filter((x): x is string => !!x))];
  const emails = [...new Set(wanted.map((w) => w.email).filter((x): x is string => !!x))];
  const found: Existing[] = [];
  for (const [column, values] of [
    ['external_id', ids],
    ['email', emails],
  ] as const) {
    for (let i = 0; i < values.length; i += LOOKUP_BATCH) {
      found.push(
        ...(await db
          .selectFrom('people')
          .select(['id', 'first_name', 'last_name', 'email', 'phone', 'external_id'])
          .where('deleted_at', 'is', null)
          .where(column, 'in', values.slice(i, i + LOOKUP_BATCH))
          .forUpdate()
          .execute()),
      );
    }
  }
  const byId = new Map<string, Existing>();
  const byEmail = new Map<string, Existing[]>();
  const seen = new Set<number>();
  for (const p of found) {
    if (seen.has(p.id)) continue;
    seen.add(p.id);
    if (p.external_id) byId.set(p.external_id, p);
    if (p.email) byEmail.set(p.email, [...(byEmail.get(p.email) ?? []), p]);
  }
  const holding = await credentialTypesHeld(db, wanted, byId, byEmail);

  return wanted.map((w): Decision => {
    const sameEmail = w.email ? (byEmail.get(w.email) ?? []) : [];
    let person = w.external_id ? byId.get(w.external_id) : undefined;
    if (!person && sameEmail.length) {
      // By email: one person only, and for a row with an external id, one not given another already.
      if (sameEmail.length > 1 || (w.external_id && sameEmail[0].external_id))
        return { kind: 'refused', wanted: w, code: 'email_taken' };
      person = sameEmail[0];
    }
    if (!person) return { kind: 'create', wanted: w };
    if (sameEmail.some((p) => p.id !== person.id)) return { kind: 'refused', wanted: w, code: 'email_taken' };
    // An empty cell leaves what is stored: the import never erases.
    const set: Partial<Existing> = {};
    if (w.first_name !== person.first_name) set.first_name = w.first_name;
    if (w.last_name !== person.last_name) set.last_name = w.last_name;
    if (w.email && w.email !== person.email) set.email = w.email;
    if (w.phone && w.phone !== person.phone) set.phone = w.phone;
    if (w.external_id && w.external_id !== person.external_id) set.external_id = w.external_id;
    const issue = w.credentialType !== null && !holding.get(person.id)?.has(w.credentialType);
    if (Object.keys(set).length === 0 && !issue) return { kind: 'unchanged', wanted: w, person };
    return { kind: 'update', wanted: w, person, set, issue };
  });
}

/** The credential types each matched person holds in a live status (a row asking for one they hold issues none). */
async function credentialTypesHeld(
  db: Tx,
  wanted: Wanted[],
  byId: Map<string, Existing>,
  byEmail: Map<string, Existing[]>,
): Promise<Map<number, Set<number>>> {
  const held = new Map<number, Set<number>>();
  if (!wanted.some((w) => w.credentialType !== null)) return held;
  const people = [...new Set([...byId.values(), ...[...byEmail.values()].flat()].map((p) => p.id))];
  for (let i = 0; i < people.length; i += LOOKUP_BATCH) {
    const rows = await db
      .selectFrom('credentials')
      .select(['person_id', 'credential_type_id'])
      .where('person_id', 'in', people.slice(i, i + LOOKUP_BATCH))
      .where('status', 'not in', NOT_HELD)
      .execute();
    for (const r of rows) held.set(r.person_id, (held.get(r.person_id) ?? new Set()).add(r.credential_type_id));
  }
  return held;
}

/** The range's writes: new people a few hundred an insert, each update its own, every event batched. */
async function write(ctx: Ctx, tx: Tx, at: string, decisions: Decision[], actor: Actor): Promise<void> {
  const events: ChangeEvent[] = [];
  const creates = decisions.filter((d): d is Extract<Decision, { kind: 'create' }> => d.kind === 'create');
  for (let i = 0; i < creates.length; i += INSERT_BATCH) {
    const batch = creates.slice(i, i + INSERT_BATCH);
    const inserted = await tx
      .insertInto('people')
      .values(
        batch.map(({ wanted: w }) => ({
          first_name: w.first_name,
          last_name: w.last_name,
          email: w.email,
          phone: w.phone,
          external_id: w.external_id,
          enabled: 1,
          group_ids: '[]',
          created_at: at,
          updated_at: at,
          deleted_at: null,
        })),
      )
      .returning(['id', 'external_id', 'email'])
      .execute();
    // Matched by key, not position (SQLite does not promise RETURNING's order); a row's key is unique in the file.
    const idOf = new Map(inserted.map((r) => [r.external_id ? `x:${r.external_id}` : `e:${r.email}`, r.id]));
    for (const d of batch) {
      const w = d.wanted;
      const id = idOf.get(w.external_id ? `x:${w.external_id}` : `e:${w.email}`)!;
      w.result.person_id = id;
      events.push({ type: 'person.created', actor, subject: `person:${id}`, data: { source: 'import' } });
    }
  }
  for (const d of decisions) {
    if (d.kind !== 'update' || Object.keys(d.set).length === 0) continue;
    await tx
      .updateTable('people')
      .set({ ...d.set, updated_at: at })
      .where('id', '=', d.person.id)
      .execute();
    // A badge in a wallet shows the name: HID Origo's post-provisioning update follows, as for PUT (docs/hid.md).
    if (d.set.first_name !== undefined || d.set.last_name !== undefined)
      await wantBadgeUpdatesTx(ctx, tx, d.person.id, at);
    events.push({
      type: 'person.updated',
      actor,
      subject: `person:${d.person.id}`,
      data: { fields: Object.keys(d.set), source: 'import' },
    });
  }
  await recordChanges(tx, at, events);
}

/**
 * One range's writes at a time in the whole deployment: without a unique email, two applies of one
 * file (two instances, or two requests) would each find no person with an email and make one. A
 * transaction-scoped advisory lock on PostgreSQL, per schema; SQLite's one writer already serialises.
 */
async function takeImportTurn(ctx: Ctx, tx: Tx): Promise<void> {
  if (ctx.store.dialect === 'postgres')
    await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.keyway_people_import'))`.execute(tx);
}

/**
 * After the people are committed: each credential a row asks for, issued as the console issues one
 * unless the person holds one of that type by then (another apply of the file issued it after its
 * range committed): that row then issues nothing, and an update left with no change is unchanged.
 */
async function issueCredentials(ctx: Ctx, decisions: Decision[], actor: Actor): Promise<Decision[]> {
  const out: Decision[] = [];
  for (const d of decisions) {
    out.push(d);
    const w = d.wanted;
    const wants = (d.kind === 'create' || (d.kind === 'update' && d.issue)) && w.credentialType !== null;
    if (!wants) continue;
    const personId = d.kind === 'create' ? w.result.person_id! : d.person.id;
    try {
      const credential = await createCredential(
        ctx,
        personId,
        { credential_type_id: w.credentialType!, deliver: w.deliver },
        { actor, showSecrets: false, unlessHeld: true },
      );
      w.result.credential_id = credential.id;
    } catch (err) {
      if (err instanceof CredentialHeld) {
        if (d.kind === 'create') w.issued = false;
        else
          out[out.length - 1] =
            Object.keys(d.set).length === 0
              ? { kind: 'unchanged', wanted: w, person: d.person }
              : { ...d, issue: false };
        continue;
      }
      if (!(err instanceof ApiError)) throw err;
      w.result.reason_code = 'credential_failed';
      w.result.reason = `${IMPORT_REFUSALS.credential_failed} ${err.message}`;
    }
  }
  return out;
}

function finish(d: Decision): ImportRowResult {
  const r = d.wanted.result;
  r.action = d.kind;
  if (d.kind === 'refused') {
    r.reason_code = d.code;
    r.reason = IMPORT_REFUSALS[d.code];
  } else if (d.kind !== 'create') {
    r.person_id = d.person.id;
    if (d.kind === 'update') r.changes = [...Object.keys(d.set), ...(d.issue ? ['credential'] : [])];
  } else if (d.wanted.credentialType !== null && d.wanted.issued !== false) r.changes = ['credential'];
  return r;
}
