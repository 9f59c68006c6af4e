import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { STATUSES } from '../domain/credentials/lifecycle.js';
import { WEBHOOK_EVENTS, type WebhookEvent } from '../domain/webhooks/endpoints.js';

/**
 * The bodies Keyway POSTs to a webhook endpoint, one per event (docs/lifecycle.md), for the
 * `webhooks` of /openapi.json. Typed against WEBHOOK_EVENTS: an event without a schema does not compile.
 */
const Status = z.enum(STATUSES);
const Platform = z.enum(['apple', 'google', 'hid']);
const common = {
  credential_id: z.string(),
  person_id: z.number().int(),
  timestamp: z.string().openapi({ description: 'ISO-8601 UTC, to the second' }),
  sequence: z.number().int().openapi({ description: 'Increases per credential: order retried deliveries by it' }),
};

const PAYLOADS: Record<WebhookEvent, z.ZodObject> = {
  'certificate.expiring': z
    .object({
      event: z.literal('certificate.expiring'),
      certificate: z.enum(['pass', 'wwdr']).openapi({ description: 'The pass certificate or the WWDR intermediate' }),
      subject: z.string(),
      fingerprint: z.string().openapi({ description: 'The first 16 hex digits of its SHA-256 fingerprint' }),
      not_after: z.string(),
      days_left: z.number().int(),
      threshold_days: z
        .union([z.literal(30), z.literal(14), z.literal(7), z.literal(1)])
        .openapi({ description: 'Sent once at each of 30, 14, 7 and 1 days before expiry' }),
      timestamp: z.string().openapi({ description: 'ISO-8601 UTC, to the second' }),
    })
    .openapi({ description: 'No credential: a deployment-wide warning (docs/operations.md)' }),
  'credential.created': z.object({
    event: z.literal('credential.created'),
    ...common,
    status: Status,
    credential_type_id: z.number().int(),
  }),
  'credential.status_changed': z.object({
    event: z.literal('credential.status_changed'),
    ...common,
    old_status: Status,
    new_status: Status,
    given_up_devices: z
      .array(z.string())
      .optional()
      .openapi({ description: 'Devices a revocation stopped waiting for (never confirmed the voided pass)' }),
  }),
  'device.added': z.object({
    event: z.literal('device.added'),
    ...common,
    device_id: z.string(),
    platform: Platform,
    model: z.string().optional().openapi({ description: 'HID Mobile Access only: the phone model Origo reports' }),
    kind: z
      .enum(['iphone', 'watch', 'android'])
      .optional()
      .openapi({ description: 'HID wallet badges (type 10) only: the wallet device HID Origo reports' }),
  }),
  'device.revoked': z.object({
    event: z.literal('device.revoked'),
    ...common,
    device_id: z.string(),
    platform: Platform,
  }),
  'verification.succeeded': z.object({
    event: z.literal('verification.succeeded'),
    ...common,
    verification_id: z.string(),
    method: z.enum(['code', 'link']),
  }),
};

/** `POST …/webhooks/{id}/test` sends this one; no subscription needed. */
const TestPayload = z.object({
  event: z.literal('webhook.test'),
  webhook_id: z.string(),
  timestamp: z.string(),
  sequence: z.literal(0),
});

const schemaName = (event: string) =>
  'Webhook' +
  event
    .split(/[._]/)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

const DELIVERY_HEADERS = z.object({
  'webhook-id': z.string().openapi({ description: 'The delivery id, the same on every attempt: deduplicate by it' }),
  'webhook-timestamp': z.string().openapi({ description: 'Unix seconds of this attempt' }),
  'webhook-signature': z
    .string()
    .openapi({ description: 'Standard Webhooks `v1,<base64>` (two, space-separated, for 24 h after a rotation)' }),
  'x-keyway-signature': z
    .string()
    .openapi({ description: 'Hex HMAC-SHA256 of the raw body, keyed with the whsec_… secret as shown' }),
  'x-keyway-signature-previous': z
    .string()
    .optional()
    .openapi({ description: 'The same with the secret before a rotation, for 24 h' }),
});

/** One `webhooks` entry per event Keyway sends. */
export function registerWebhookEvents(registry: OpenAPIHono['openAPIRegistry']): void {
  for (const [event, schema] of [
    ...WEBHOOK_EVENTS.map((e) => [e, PAYLOADS[e]] as const),
    ['webhook.test', TestPayload] as const,
  ]) {
    registry.registerWebhook({
      method: 'post',
      path: event,
      operationId: `webhook_${event.replace(/\W/g, '_')}`,
      summary: event === 'webhook.test' ? 'A test delivery (POST …/webhooks/{id}/test)' : `The ${event} event`,
      tags: ['Webhooks'],
      security: [],
      request: {
        headers: DELIVERY_HEADERS,
        body: { required: true, content: { 'application/json': { schema: schema.openapi(schemaName(event)) } } },
      },
      responses: {
        '2XX': {
          description:
            'Delivered. Any other answer (or none within the timeout) is retried with backoff; 410 disables the endpoint',
        },
      },
    });
  }
}
