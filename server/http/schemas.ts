import { z } from '@hono/zod-openapi';
import { STATUSES } from '../domain/credentials/lifecycle.js';
import { EXTERNAL_ID_MAX, EXTERNAL_ID_PATTERN } from '../domain/people/people.js';
import { normalizeOtp } from '../domain/verifications/verifications.js';

/** The zod schemas behind request validation and /openapi.json (one source for both). */

/** The largest integer id (PostgreSQL's `integer`/`serial` columns): a larger one names nothing. */
export const MAX_ID = 2_147_483_647;

const name = z.string().trim().min(1, 'Required.').max(200);
const country = z.string().regex(/^[A-Za-z]{2}$/, 'An ISO-3166 alpha-2 country code.');

export const PersonInput = z
  .object({
    first_name: name,
    last_name: name,
    email: z.email('Not an email address.').max(320).nullish(),
    phone: z
      .string()
      .max(40)
      .nullish()
      .openapi({ description: 'E.164, or national with the key’s or KEYWAY_DEFAULT_COUNTRY’s country' }),
    phone_number: z.string().max(40).nullish().openapi({
      description: 'An alias of `phone` (the seed documents use both); giving both with different values is 400',
    }),
    external_id: z
      .string()
      .trim()
      .min(1, 'Give null to remove an external_id.')
      .max(EXTERNAL_ID_MAX)
      .regex(EXTERNAL_ID_PATTERN, 'No line breaks.')
      .nullish()
      .openapi({
        description:
          'The operator’s own id for the person, what the CSV import finds them by: unique among living people (another’s → 409 `external_id_taken`); null removes it',
      }),
    enabled: z.boolean().optional(),
    group_ids: z.array(z.number().int().positive()).max(1000).optional(),
  })
  .openapi('PersonInput');
export const PersonUpdate = PersonInput.partial().openapi('PersonUpdate');

export const Person = z
  .object({
    id: z.number().int(),
    first_name: z.string(),
    last_name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    external_id: z
      .string()
      .nullable()
      .openapi({ description: 'The operator’s own id, set through the API or the CSV import' }),
    enabled: z.boolean(),
    group_ids: z.array(z.number()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Person');

export const CredentialInput = z
  .object({
    credential_type_id: z.number().int(),
    enabled: z.boolean().optional(),
    value: z.string().min(1).max(256).optional(),
    deliver: z.enum(['email', 'none']).optional(),
    value_mode: z.enum(['per_device', 'shared']).optional(),
    locale: z
      .enum(['en', 'de', 'ar'])
      .optional()
      .openapi({ description: 'Language of the invitation email (deliver: "email"); English by default' }),
  })
  .openapi('PersonCredentialInput');
export const CredentialUpdate = z.object({ enabled: z.boolean() }).openapi('PersonCredentialUpdate');

const Status = z.enum(STATUSES);
export const Device = z
  .object({
    id: z.string(),
    platform: z
      .enum(['apple', 'google', 'hid'])
      .openapi({ description: '`hid`: a phone holding an HID Mobile Access credential (type 8)' }),
    status: z.enum(['pending', 'active', 'revoked']),
    kind: z
      .enum(['iphone', 'watch', 'android'])
      .optional()
      .openapi({ description: 'HID wallet badges (type 10) only: the wallet device HID Origo reports' }),
    added_at: z.string(),
  })
  .openapi('Device');

export const PersonCredential = z
  .object({
    id: z.string().openapi({ example: 'cred_4kQ2…' }),
    credential_type_id: z.number().int(),
    person_id: z.number().int(),
    status: Status,
    enabled: z.boolean(),
    value: z.string().optional().openapi({ description: 'PIN values are always "******"' }),
    value_mode: z.enum(['per_device', 'shared']),
    invitation_code: z
      .string()
      .optional()
      .openapi({ description: 'Write scope only, while an unredeemed invitation exists' }),
    invitation_url: z.string().optional(),
    invitation_expires_at: z.string().optional(),
    devices: z.array(Device),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('PersonCredential');

export const CredentialType = z
  .object({ id: z.number(), name: z.string(), format: z.string(), description: z.string() })
  .openapi('CredentialType');

export const ClientSessionInput = z
  .object({
    person_id: z.number().int().positive().max(MAX_ID),
    origins: z.array(z.string().max(300)).max(50).optional(),
  })
  .openapi('ClientSessionInput');
export const SessionToken = z.object({ token: z.string(), expires_at: z.string() }).openapi('SessionToken');

export const RedeemInput = z.object({ invitation_code: z.string().min(1, 'Required.').max(64) }).openapi('RedeemInput');
export const ProvisioningGrant = z
  .object({
    provisioning_token: z.string(),
    expires_at: z.string(),
    credential: z.object({ id: z.string(), status: Status, credential_type_id: z.number() }),
    person: z.object({ first_name: z.string() }),
    wallets: z.array(z.enum(['apple', 'google'])),
  })
  .openapi('ProvisioningGrant');

export const CredentialStatusView = z
  .object({
    id: z.string(),
    credential_type_id: z
      .literal(8)
      .optional()
      .openapi({ description: 'Present only for HID Mobile Access (8), whose help differs' }),
    status: Status,
    enabled: z.boolean(),
    devices: z.array(Device),
    updated_at: z.string(),
    history: z.array(z.object({ status: Status, at: z.string() })),
  })
  .openapi('CredentialStatus');

export const PassRequest = z
  .object({
    platform: z.enum(['apple', 'google'], 'Either "apple" or "google".'),
    credential_id: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: 'Required with a cs_; with a ps_ it may only name its own credential' }),
    id_token: z.string().min(1).max(8192).optional().openapi({
      description: 'HID badges (type 10), Google: the ID token from Sign in with Google (verified by the server)',
    }),
  })
  .openapi('PassRequest');
export const PassPlatformsRequest = z
  .object({
    credential_id: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: 'Required with a cs_; with a ps_ it may only name its own credential' }),
  })
  .openapi('PassPlatformsRequest');
export const PassPlatforms = z
  .object({
    platforms: z
      .array(z.enum(['apple', 'google']))
      .openapi({ description: 'The wallets the badge’s HID pass template supports that this server offers' }),
  })
  .openapi('PassPlatforms');
export const BadgeAppleProvisioning = z
  .object({
    device_id: z.string(),
    apple_provisioning: z.object({
      window_url: z.string().openapi({ description: 'Apple’s provisioning window, opened as a pop-up from the press' }),
      partner_id: z.string().openapi({ description: 'HID’s partner id (HID is Apple’s Credential Manager for Seos)' }),
      card_type: z.literal('ACCESS_CORPORATE'),
      payload: z
        .union([
          z.string(),
          z.object({
            protected: z.string(),
            payload: z.string(),
            signature: z.string(),
            header: z.record(z.string(), z.unknown()).optional(),
          }),
        ])
        .openapi({
          description:
            'HID’s signed provisioning payload, the answer to the window’s `ready`, passed on unchanged: a JWS in its flattened JSON form (as HID’s web provisioning answers it) or compact text',
        }),
    }),
  })
  .openapi('BadgeAppleProvisioning');

export const PassLink = z
  .object({
    url: z
      .string()
      .openapi({ description: 'A one-time PUBLIC_URL/passes/<token>.pkpass (15 min) or a Google Wallet save URL' }),
    device_id: z.string(),
  })
  .openapi('PassLink');
export const PassAnswer = z.union([PassLink, BadgeAppleProvisioning]).openapi('PassAnswer');
export const HandoffInput = z.object({ credential_id: z.string().min(1).max(64).optional() }).openapi('HandoffInput');
export const HandoffLink = z
  .object({ url: z.string().openapi({ example: 'https://keyway.example/p#h=h_…' }), expires_at: z.string() })
  .openapi('HandoffLink');
export const HandoffRedeemInput = z
  .object({ handoff_token: z.string().min(1, 'Required.').max(200) })
  .openapi('HandoffRedeemInput');

export const AuditEvent = z
  .object({
    id: z.string(),
    type: z.string(),
    at: z.string(),
    actor: z.string(),
    subject: z.string(),
    data: z.record(z.string(), z.unknown()),
    hash: z.string().nullable().openapi({
      description:
        "SHA-256 (hex) of the previous event's hash and this event's canonical JSON (docs/operations.md); null until sealed, within seconds of the write",
    }),
  })
  .openapi('AuditEvent');

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export const PeopleQuery = ListQuery.extend({
  phone: z.string().max(40).optional(),
  email: z.string().max(320).optional(),
  q: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'Search: part of the name, email, phone or external id (the staff console’s search box)' }),
  credential_status: z
    .enum(STATUSES)
    .optional()
    .openapi({ description: 'Only people holding a credential in this status' }),
});
const instant = z.iso
  .datetime({ offset: true })
  .transform((v) => new Date(v).toISOString())
  .openapi({ example: '2026-11-23T10:00:00Z' });
export const EventsQuery = ListQuery.extend({
  type: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: 'An event type (`person.created`), or a prefix ending in `*` (`person.*`)' }),
  subject: z
    .string()
    .max(100)
    .optional()
    .openapi({ description: 'What the event is about: `person:12`, `credential:cred_…`, `staff:stf_…`' }),
  actor: z.string().max(100).optional().openapi({ description: 'Who did it: `staff:stf_…`, `key:…`, `system`' }),
  since: instant.optional().openapi({ description: 'Events at or after this instant (ISO 8601)' }),
  until: instant.optional().openapi({ description: 'Events before this instant (ISO 8601)' }),
});

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
export const ImportQuery = z.object({
  dry_run: bool
    .default(true)
    .openapi({ description: 'true (the default) classifies the rows and writes nothing; false applies them' }),
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(0)
    .openapi({ description: 'The first data row (0-based, the header not counted) of the range' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(10_000)
    .openapi({ description: 'How many rows from offset; apply a long file in ranges (the console uses 1,000)' }),
});
const ImportAction = z.enum(['create', 'update', 'unchanged', 'refused']);
export const ImportRow = z
  .object({
    index: z.number().int().openapi({ description: 'The data row (0-based)' }),
    line: z.number().int().openapi({ description: 'Where the row starts in the file; the header is line 1' }),
    action: ImportAction,
    person_id: z.number().int().nullable(),
    first_name: z.string(),
    last_name: z.string(),
    email: z.string().nullable(),
    external_id: z.string().nullable(),
    changes: z.array(z.string()).openapi({ description: 'Fields an update changes; `credential` when one is issued' }),
    reason_code: z.string().nullable().openapi({ description: 'Why a row is refused (docs/console.md lists them)' }),
    reason: z.string().nullable(),
    credential_id: z.string().nullable(),
  })
  .openapi('ImportRow');
export const ImportResult = z
  .object({
    dry_run: z.boolean(),
    encoding: z.string().openapi({ example: 'utf-8' }),
    separator: z.string().openapi({ example: ';' }),
    columns: z.array(z.string()),
    ignored_columns: z.array(z.string()),
    total_rows: z.number().int(),
    offset: z.number().int(),
    limit: z.number().int(),
    counts: z.object({
      create: z.number().int(),
      update: z.number().int(),
      unchanged: z.number().int(),
      refused: z.number().int(),
    }),
    rows: z.array(ImportRow),
  })
  .openapi('ImportResult');

export const VerificationInput = z
  .object({
    phone_number: z.string().trim().min(1, 'Required.').max(40).openapi({ example: '+44 7911 123456' }),
    country: country
      .optional()
      .openapi({ description: 'For a national number; else the key’s default_country, else KEYWAY_DEFAULT_COUNTRY' }),
  })
  .openapi('VerificationInput');
export const VerificationStarted = z
  .object({ verification_id: z.string(), expires_at: z.string(), resend_after: z.string() })
  .openapi('VerificationStarted');
export const VerificationCheckInput = z
  .object({
    code: z
      .string()
      .min(1, 'Required.')
      .max(32)
      // Checked with the body, so a keyed request with a malformed code writes no Idempotency-Key record.
      .refine((code) => normalizeOtp(code) !== null, 'Enter the 6 digits from the text message.')
      .openapi({ example: '123 456', description: '6 digits; spaces, dashes and Eastern-Arabic digits forgiven' }),
  })
  .openapi('VerificationCheckInput');
