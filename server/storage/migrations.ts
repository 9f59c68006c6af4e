import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Dialect } from './db.js';

/**
 * Versioned migrations, in order. Never edit one that has shipped: add the next.
 * Written once for both backends; `dialect` picks the auto-increment column type.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  const serial = (db: Kysely<any>, table: string) =>
    dialect === 'postgres'
      ? db.schema.createTable(table).addColumn('seq', 'serial', (c) => c.primaryKey())
      : db.schema.createTable(table).addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
  const serialId = (db: Kysely<any>, table: string) =>
    dialect === 'postgres'
      ? db.schema.createTable(table).addColumn('id', 'serial', (c) => c.primaryKey())
      : db.schema.createTable(table).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  return {
    '0001_core': {
      async up(db) {
        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('key_hash', 'text', (c) => c.notNull().unique())
          .addColumn('key_hint', 'text', (c) => c.notNull())
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('origins', 'text', (c) => c.notNull())
          .addColumn('countries', 'text')
          .addColumn('default_country', 'text')
          .addColumn('built_in', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .addColumn('last_used_at', 'text')
          .execute();

        await serialId(db, 'people')
          .addColumn('first_name', 'text', (c) => c.notNull())
          .addColumn('last_name', 'text', (c) => c.notNull())
          .addColumn('email', 'text')
          .addColumn('phone', 'text')
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('group_ids', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('deleted_at', 'text')
          .execute();
        await db.schema.createIndex('people_phone').on('people').column('phone').execute();
        await db.schema.createIndex('people_email').on('people').column('email').execute();

        await db.schema
          .createTable('credentials')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id'))
          .addColumn('credential_type_id', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('value_enc', 'text')
          .addColumn('value_hash', 'text')
          .addColumn('value_mode', 'text', (c) => c.notNull())
          .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('revoking_at', 'text')
          .execute();
        await db.schema.createIndex('credentials_person').on('credentials').column('person_id').execute();
        await db.schema.createIndex('credentials_value').on('credentials').column('value_hash').execute();

        await serialId(db, 'credential_history')
          .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('credential_history_credential')
          .on('credential_history')
          .column('credential_id')
          .execute();

        await db.schema
          .createTable('invitations')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
          .addColumn('code_hash', 'text', (c) => c.notNull().unique())
          .addColumn('code_enc', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('redeemed_at', 'text')
          .addColumn('superseded_at', 'text')
          .addColumn('emailed_at', 'text')
          .execute();
        await db.schema.createIndex('invitations_credential').on('invitations').column('credential_id').execute();
        await db.schema.createIndex('invitations_expiry').on('invitations').column('expires_at').execute();

        await db.schema
          .createTable('devices')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
          .addColumn('platform', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('serial_number', 'text', (c) => c.notNull().unique())
          .addColumn('auth_token_hash', 'text', (c) => c.notNull())
          .addColumn('value_hash', 'text')
          .addColumn('value_enc', 'text')
          .addColumn('added_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('confirmed_at', 'text')
          .addColumn('revoked_at', 'text')
          .execute();
        await db.schema.createIndex('devices_credential').on('devices').column('credential_id').execute();
        await db.schema.createIndex('devices_value').on('devices').column('value_hash').execute();

        await db.schema
          .createTable('tokens')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('person_id', 'integer')
          .addColumn('credential_id', 'text')
          .addColumn('device_id', 'text')
          .addColumn('key_id', 'text')
          .addColumn('origins', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('used_at', 'text')
          .execute();
        await db.schema.createIndex('tokens_expiry').on('tokens').column('expires_at').execute();

        await serial(db, 'events')
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('events_subject').on('events').column('subject').execute();

        await serial(db, 'outbox')
          .addColumn('event_type', 'text', (c) => c.notNull())
          .addColumn('credential_id', 'text')
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('idempotency')
          .addColumn('record_key', 'text', (c) => c.primaryKey())
          .addColumn('request_hash', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('status', 'integer')
          .addColumn('body_enc', 'text')
          .addColumn('carries_secret', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('rate_counters')
          .addColumn('bucket', 'text', (c) => c.notNull())
          .addColumn('window_start', 'integer', (c) => c.notNull())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('rate_counters_pk', ['bucket', 'window_start'])
          .execute();

        await serialId(db, 'messages')
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('subject', 'text')
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('sent_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0002_passes': {
      async up(db) {
        // The PassKit web service must hand the device its token again when the pass is re-fetched.
        await db.schema.alterTable('devices').addColumn('auth_token_enc', 'text').execute();
        await db.schema.createIndex('devices_pending').on('devices').columns(['status', 'added_at']).execute();
      },
    },
    '0003_verifications': {
      async up(db) {
        // One row per SMS verification, known or not (docs/security.md conceal: a row that can never succeed).
        await db.schema
          .createTable('verifications')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('person_id', 'integer')
          .addColumn('credential_id', 'text')
          .addColumn('phone_hash', 'text', (c) => c.notNull())
          .addColumn('phone_enc', 'text', (c) => c.notNull())
          .addColumn('code_hash', 'text', (c) => c.notNull())
          .addColumn('link_hash', 'text', (c) => c.notNull().unique())
          .addColumn('sms_host', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('sends', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('resend_after', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('succeeded_at', 'text')
          .execute();
        await db.schema.createIndex('verifications_expiry').on('verifications').column('expires_at').execute();

        // Outgoing SMS and email, retried in the background; the payload (it carries codes) is encrypted.
        await serialId(db, 'message_queue')
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('purpose', 'text', (c) => c.notNull())
          .addColumn('ref', 'text')
          .addColumn('payload_enc', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_attempt_at', 'text', (c) => c.notNull())
          .addColumn('claimed_until', 'text')
          .addColumn('give_up_at', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('delivered_at', 'text')
          .addColumn('failed_at', 'text')
          .addColumn('last_error', 'text')
          .execute();
        await db.schema
          .createIndex('message_queue_due')
          .on('message_queue')
          .columns(['delivered_at', 'failed_at', 'next_attempt_at'])
          .execute();
      },
    },
    '0004_lifecycle': {
      async up(db) {
        // When the pass content last changed (suspend, resume, revoke): PassKit's tag and Last-Modified.
        await db.schema.alterTable('devices').addColumn('pass_updated_at', 'text').execute();
        // Outbox rows are fanned out to subscribed endpoints once; the column marks that step done.
        await db.schema.alterTable('outbox').addColumn('fanned_at', 'text').execute();
        await db.schema.createIndex('outbox_unfanned').on('outbox').columns(['fanned_at', 'seq']).execute();

        await db.schema
          .createTable('webhooks')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('events', 'text', (c) => c.notNull())
          .addColumn('secret_enc', 'text', (c) => c.notNull())
          .addColumn('previous_secret_enc', 'text')
          .addColumn('previous_until', 'text')
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('disabled_reason', 'text')
          .addColumn('failing_since', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('deleted_at', 'text')
          .execute();

        await db.schema
          .createTable('webhook_deliveries')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id'))
          .addColumn('outbox_seq', 'integer')
          .addColumn('event_type', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_attempt_at', 'text', (c) => c.notNull())
          .addColumn('claimed_until', 'text')
          .addColumn('last_status', 'integer')
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text')
          .execute();
        await db.schema
          .createIndex('webhook_deliveries_due')
          .on('webhook_deliveries')
          .columns(['status', 'next_attempt_at'])
          .execute();
        await db.schema
          .createIndex('webhook_deliveries_webhook')
          .on('webhook_deliveries')
          .columns(['webhook_id', 'created_at'])
          .execute();
        await db.schema
          .createIndex('webhook_deliveries_once')
          .on('webhook_deliveries')
          .columns(['webhook_id', 'outbox_seq'])
          .unique()
          .execute();

        // PassKit registrations: one per (Apple device, pass); kept after revocation (docs/lifecycle.md).
        await db.schema
          .createTable('apple_registrations')
          .addColumn('device_library_id', 'text', (c) => c.notNull())
          .addColumn('pass_type_id', 'text', (c) => c.notNull())
          .addColumn('serial_number', 'text', (c) => c.notNull())
          .addColumn('push_token_enc', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('apple_registrations_pk', ['device_library_id', 'pass_type_id', 'serial_number'])
          .execute();
        await db.schema
          .createIndex('apple_registrations_serial')
          .on('apple_registrations')
          .column('serial_number')
          .execute();

        // Wallet updates to send (APNs pushes, Google PATCHes), retried in the background.
        await serialId(db, 'wallet_pushes')
          .addColumn('device_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('target_enc', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_attempt_at', 'text', (c) => c.notNull())
          .addColumn('claimed_until', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('done_at', 'text')
          .addColumn('failed_at', 'text')
          .addColumn('last_error', 'text')
          .execute();
        await db.schema
          .createIndex('wallet_pushes_due')
          .on('wallet_pushes')
          .columns(['done_at', 'failed_at', 'next_attempt_at'])
          .execute();

        // Google save callbacks are deduplicated by their nonce.
        await db.schema
          .createTable('google_callback_nonces')
          .addColumn('nonce', 'text', (c) => c.primaryKey())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();

        // The one reminder a day before an emailed invitation expires.
        await db.schema.alterTable('invitations').addColumn('reminded_at', 'text').execute();
      },
    },
    '0005_email_locale': {
      async up(db) {
        // The language invitation emails go out in, kept so re-issues and reminders use it too.
        await db.schema.alterTable('credentials').addColumn('email_locale', 'text').execute();
      },
    },
    '0006_handoff_sessions': {
      async up(db) {
        // A ps_ minted by a hand-off may not mint another (docs/security.md): the session remembers how it began.
        await db.schema
          .alterTable('tokens')
          .addColumn('via_handoff', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    '0007_hid_origo': {
      async up(db) {
        // docs/hid.md: the HID Origo side of type-8 credentials. A person is one Origo user.
        await db.schema
          .createTable('hid_users')
          .addColumn('person_id', 'integer', (c) => c.primaryKey().references('people.id'))
          .addColumn('origo_user_id', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('hid_users_origo').on('hid_users').column('origo_user_id').execute();
        // When each type-8 credential is next read back from Origo (the claim is a compare-and-set).
        await db.schema
          .createTable('hid_syncs')
          .addColumn('credential_id', 'text', (c) => c.primaryKey().references('credentials.id'))
          .addColumn('origo_user_id', 'text', (c) => c.notNull())
          .addColumn('next_sync_at', 'text')
          .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_error', 'text')
          .execute();
        await db.schema.createIndex('hid_syncs_due').on('hid_syncs').column('next_sync_at').execute();
        // Origo invitations; `invitation_id` is Keyway's row holding the code (HMAC + AES-GCM).
        await db.schema
          .createTable('hid_invitations')
          .addColumn('origo_invitation_id', 'text', (c) => c.primaryKey())
          .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
          .addColumn('invitation_id', 'text', (c) => c.notNull())
          .addColumn('origo_credential_id', 'text')
          .addColumn('origo_status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('cancel_wanted_at', 'text')
          .addColumn('settled_at', 'text')
          .execute();
        await db.schema
          .createIndex('hid_invitations_credential')
          .on('hid_invitations')
          .column('credential_id')
          .execute();
        // A phone: one Origo credential in one container, with Keyway's device row beside it.
        await db.schema
          .createTable('hid_devices')
          .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id'))
          .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
          .addColumn('origo_credential_id', 'text', (c) => c.notNull().unique())
          .addColumn('origo_container_id', 'text', (c) => c.notNull())
          .addColumn('model', 'text')
          .addColumn('origo_status', 'text', (c) => c.notNull())
          .addColumn('revoke_wanted_at', 'text')
          .addColumn('revoke_accepted_at', 'text')
          .addColumn('revoked_at', 'text')
          .execute();
        await db.schema.createIndex('hid_devices_credential').on('hid_devices').column('credential_id').execute();
      },
    },
    '0009_hid_invitation_intents': {
      async up(db) {
        // docs/hid.md: an invitation create is written down before it is sent, so one whose answer
        // was lost (a timeout, a dropped connection) is found at Origo and cancelled later.
        await db.schema
          .createTable('hid_invitation_intents')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('origo_user_id', 'text', (c) => c.notNull())
          .addColumn('person_id', 'integer', (c) => c.notNull())
          .addColumn('credential_id', 'text')
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('claimed_at', 'text')
          .execute();
        await db.schema
          .createIndex('hid_invitation_intents_user')
          .on('hid_invitation_intents')
          .column('origo_user_id')
          .execute();
      },
    },
    '0010_readcache_notify': {
      async up(db) {
        // docs/deploy.md: every commit that writes a table cached reads come from tells every instance,
        // as `<schema>.<table>` on `keyway_writes` (delivered at commit; several Keyway schemas may share
        // a database). Statement-level: one notification per statement, and PostgreSQL folds repeats
        // within a transaction. A table a cachedQuery reads without this trigger is never answered
        // from memory on PostgreSQL (storage/connection.ts).
        if (dialect !== 'postgres') return;
        await sql`create or replace function keyway_readcache_notify() returns trigger language plpgsql as $$
          begin
            perform pg_notify('keyway_writes', tg_table_schema || '.' || tg_table_name);
            return null;
          end $$`.execute(db);
        for (const table of READ_CACHED_TABLES) {
          await sql`create trigger keyway_readcache_notify after insert or update or delete or truncate on ${sql.table(table)}
            for each statement execute function keyway_readcache_notify()`.execute(db);
        }
      },
    },
    '0013a_hid_invitation_cancel_sent': {
      async up(db) {
        // docs/hid.md: an Origo invitation is cancelled once, and only while PENDING; this records the cancel sent.
        await db.schema.alterTable('hid_invitations').addColumn('cancel_sent_at', 'text').execute();
      },
    },
    '0015_write_guard': {
      async up(db) {
        // storage/writes.ts: a change's compare-and-sets inside its one statement. Raising undoes the
        // statement, so a change whose decision no longer holds writes nothing (SQLSTATE KW409).
        if (dialect !== 'postgres') return;
        await sql`create or replace function keyway_expect_one(touched bigint) returns bigint language plpgsql as $$
          begin
            if touched <> 1 then
              raise exception 'keyway: a compare-and-set touched % rows', touched using errcode = 'KW409';
            end if;
            return touched;
          end $$`.execute(db);
      },
    },
    '0014_audit_chain': {
      async up(db) {
        // SPEC §15: the audit log as a hash chain, sealed after the write by one background sealer
        // (storage/audit-chain.ts); the write path still inserts the same five columns.
        await db.schema.alterTable('events').addColumn('hash', 'text').execute();
        await db.schema.alterTable('events').addColumn('prev_hash', 'text').execute();
        await db.schema
          .createTable('audit_seal')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('sealed_at', 'text')
          .execute();
        await db
          .insertInto('audit_seal')
          .values({ id: 1, seq: 0, hash: '0'.repeat(64), sealed_at: null })
          .execute();
        await serialId(db, 'audit_checkpoints')
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('kid', 'text', (c) => c.notNull())
          .addColumn('signature', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0011_staff': {
      async up(db) {
        // docs/console.md: the operator's staff, their passkeys, one-time enrolment links, console sessions.
        await db.schema
          .createTable('staff')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('last_sign_in_at', 'text')
          .addColumn('disabled_at', 'text')
          .execute();
        await db.schema
          .createTable('staff_passkeys')
          .addColumn('id', 'text', (c) => c.primaryKey()) // the WebAuthn credential id, base64url
          .addColumn('staff_id', 'text', (c) => c.notNull().references('staff.id'))
          .addColumn('public_key', 'text', (c) => c.notNull()) // COSE, base64url
          .addColumn('counter', 'bigint', (c) => c.notNull())
          .addColumn('transports', 'text', (c) => c.notNull()) // JSON string[]
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('last_used_at', 'text')
          .execute();
        await db.schema.createIndex('staff_passkeys_staff').on('staff_passkeys').column('staff_id').execute();
        // Enrolment links, challenges and sessions: only a SHA-256 of the secret part is stored.
        await db.schema
          .createTable('staff_tokens')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull()) // enrol | session | challenge
          .addColumn('staff_id', 'text')
          .addColumn('purpose', 'text') // a challenge's: signin | enrol:<enrol hash> | passkey
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('last_used_at', 'text')
          .addColumn('used_at', 'text')
          .execute();
        await db.schema.createIndex('staff_tokens_staff').on('staff_tokens').columns(['staff_id', 'kind']).execute();
      },
    },
    '0013b_hid_passes': {
      async up(db) {
        // SPEC §16: a type-10 credential's Origo Pass; its issuance token AES-GCM-encrypted and spent once.
        await db.schema
          .createTable('hid_passes')
          .addColumn('credential_id', 'text', (c) => c.primaryKey().references('credentials.id'))
          .addColumn('origo_user_id', 'text', (c) => c.notNull())
          .addColumn('origo_pass_id', 'text', (c) => c.notNull().unique())
          .addColumn('origo_status', 'text', (c) => c.notNull())
          .addColumn('issuance_token_enc', 'text')
          .addColumn('token_spent_at', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0022_hid_pass_lifecycle': {
      async up(db) {
        // SPEC §16 lifecycle: what Keyway asked of Origo for a badge (delete, the name update), the
        // wallets its template supports, and each
        // wallet device Origo reports for the Pass (iPhone, Watch, Android), its state kept as-is.
        await db.schema.alterTable('hid_passes').addColumn('delete_wanted_at', 'text').execute();
        await db.schema.alterTable('hid_passes').addColumn('delete_accepted_at', 'text').execute();
        await db.schema.alterTable('hid_passes').addColumn('update_wanted_at', 'text').execute();
        // The wallets the Pass's template supports (web provisioning's `platforms`), asked once: JSON.
        await db.schema.alterTable('hid_passes').addColumn('platforms', 'text').execute();
        await db.schema.alterTable('devices').addColumn('kind', 'text').execute();
        await db.schema
          .createTable('hid_pass_devices')
          .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id'))
          .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
          .addColumn('origo_device_id', 'text', (c) => c.notNull())
          .addColumn('origo_status', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('hid_pass_devices_origo')
          .on('hid_pass_devices')
          .columns(['credential_id', 'origo_device_id'])
          .unique()
          .execute();
        // Badges issued before this are read back from now on too.
        await sql`insert into hid_syncs (credential_id, origo_user_id, next_sync_at, failures, last_error)
          select credential_id, origo_user_id, updated_at, 0, null from hid_passes
          where credential_id not in (select credential_id from hid_syncs)`.execute(db);
      },
    },
    '0019_redeem_recovery': {
      async up(db) {
        // A redemption whose answer was lost can be recovered (docs/security.md): who redeemed (a MAC of
        // key and client bucket), the Idempotency-Key record it ran under (a MAC), and the SHA-256 of the
        // session it minted; never the token itself.
        await db.schema.alterTable('invitations').addColumn('redeemed_by', 'text').execute();
        await db.schema.alterTable('invitations').addColumn('redeemed_retry', 'text').execute();
        await db.schema.alterTable('invitations').addColumn('redeemed_session', 'text').execute();
      },
    },
    '0020_people_import': {
      async up(db) {
        // docs/console.md: the CSV import finds a person again by the operator's own id (external_id);
        // one living person per external id, so applying a file twice never makes two.
        await db.schema.alterTable('people').addColumn('external_id', 'text').execute();
        await sql`create unique index people_external_id on people (external_id)
          where external_id is not null and deleted_at is null`.execute(db);
      },
    },
    '0021_pass_resigns': {
      async up(db) {
        // SPEC §15, rolling a certificate: which signer is current (every instance and a restart read
        // it), and `keyway passes resign`'s per-pass progress, so a run killed half-way resumes.
        await db.schema
          .createTable('apple_signer')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('made_current_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('pass_resigns')
          .addColumn('signer', 'text', (c) => c.notNull())
          .addColumn('device_id', 'text', (c) => c.notNull())
          .addColumn('pushed', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('resigned_at', 'text')
          .addColumn('done_at', 'text')
          .addColumn('last_error', 'text')
          .addPrimaryKeyConstraint('pass_resigns_pk', ['signer', 'device_id'])
          .execute();
        // The signer is a cached read (domain/wallets/signer.ts): other instances hear of a change.
        if (dialect === 'postgres')
          await sql`create trigger keyway_readcache_notify after insert or update or delete or truncate on apple_signer
            for each statement execute function keyway_readcache_notify()`.execute(db);
      },
    },
    '0025_run_leases': {
      async up(db) {
        // One `keyway passes resign` at a time (storage/run-lease.ts): two at once would each push every pass.
        await db.schema
          .createTable('run_leases')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('holder', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
  };
}

/** The tables the read cache answers from (server/domain: credentials/views.ts, callers/callers.ts), notified on PostgreSQL. */
const READ_CACHED_TABLES = [
  'api_keys',
  'tokens',
  'credentials',
  'people',
  'devices',
  'invitations',
  'credential_history',
];

export const MIGRATION_TABLE = 'keyway_migrations';

/**
 * Kysely looks for its migration tables in every schema unless told one: with a second Keyway
 * schema in the database (staging beside production, a test beside another) it found that one's
 * tables and then failed to use them ("relation keyway_migrations_lock does not exist").
 */
async function migrator(db: Kysely<any>, dialect: Dialect): Promise<Migrator> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const schema =
    dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  return new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: `${MIGRATION_TABLE}_lock`,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

/** Applies every pending migration; concurrent starters are serialised by Kysely's lock table. */
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect): Promise<string[]> {
  const { error, results } = await (await migrator(db, dialect)).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every known migration has been applied (for /readyz). */
export async function migrationsApplied(db: Kysely<any>, dialect: Dialect): Promise<boolean> {
  const list = await (await migrator(db, dialect)).getMigrations();
  return list.every((m) => m.executedAt !== undefined);
}

export const ping = (db: Kysely<any>) => sql`select 1`.execute(db);
