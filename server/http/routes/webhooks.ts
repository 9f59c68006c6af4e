import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { actorOf } from '../../domain/callers/callers.js';
import type { Ctx } from '../../domain/context.js';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  rotateWebhookSecret,
  testWebhook,
  WEBHOOK_EVENTS,
} from '../../domain/webhooks/endpoints.js';
import type { AppEnv } from '../context.js';
import { defineRoute } from '../route.js';
import { ListQuery } from '../schemas.js';

const WebhookInput = z
  .object({
    url: z.string().min(1, 'Required.').max(2000),
    events: z
      .array(z.enum(WEBHOOK_EVENTS, `One of: ${WEBHOOK_EVENTS.join(', ')}.`))
      .min(1, 'At least one event.')
      .max(WEBHOOK_EVENTS.length * 2),
  })
  .openapi('WebhookInput');
const Webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    failing_since: z.string().nullable().openapi({
      description:
        'When the first of the attempts that have failed in a row was made (the endpoint is failing: it gets one attempt at a time until one succeeds, and is disabled after 5 days); null while deliveries succeed',
    }),
    created_at: z.string(),
    updated_at: z.string(),
    secret: z
      .string()
      .optional()
      .openapi({ description: '`whsec_…`: only in the answers to create and rotate_secret' }),
  })
  .openapi('Webhook');
const Delivery = z
  .object({
    id: z.string().openapi({ description: 'The `webhook-id` header of every attempt' }),
    event: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    next_attempt_at: z.string().nullable(),
    last_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('WebhookDelivery');

/** Webhook endpoints (docs/api.md, docs/lifecycle.md), secret keys only. */
export function webhookRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/webhooks',
      summary: 'Subscribe an endpoint to events',
      tag: 'Webhooks',
      auth: 'admin',
      body: WebhookInput,
      wrap: 'webhook',
      status: 201,
      response: z.object({ webhook: Webhook }),
      errors: [403],
      description:
        'Deliveries carry Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and `X-Keyway-Signature`: the hex HMAC-SHA256 of the raw body keyed with the `whsec_…` secret as shown. The secret is shown only here and on rotation.',
    },
    async ({ caller, body }, c) => c.json({ webhook: await createWebhook(ctx, body, actorOf(caller)) }, 201),
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/webhooks',
      summary: 'List webhook endpoints',
      tag: 'Webhooks',
      auth: 'secret-read',
      query: ListQuery,
      status: 200,
      response: z.object({ webhooks: z.array(Webhook), next_cursor: z.string().nullable() }),
    },
    async ({ query }, c) => c.json(await listWebhooks(ctx, query)),
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/webhooks/{id}',
      summary: 'Read a webhook endpoint',
      tag: 'Webhooks',
      auth: 'secret-read',
      status: 200,
      response: z.object({ webhook: Webhook }),
      errors: [404],
    },
    async (_, c) => c.json({ webhook: await getWebhook(ctx, c.req.param('id')!) }),
  );

  defineRoute(
    app,
    {
      method: 'delete',
      path: '/api/3/webhooks/{id}',
      summary: 'Delete a webhook endpoint',
      tag: 'Webhooks',
      auth: 'admin',
      status: 204,
      errors: [403, 404],
    },
    async ({ caller }, c) => {
      await deleteWebhook(ctx, c.req.param('id')!, actorOf(caller));
      return c.body(null, 204);
    },
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/webhooks/{id}/rotate_secret',
      summary: 'Rotate the signing secret',
      tag: 'Webhooks',
      auth: 'admin',
      status: 200,
      response: z.object({ webhook: Webhook }),
      errors: [403, 404],
      description:
        'For 24 h both secrets sign: `webhook-signature` carries two space-separated signatures and `X-Keyway-Signature-Previous` the old hex one.',
    },
    async (_, c) => c.json({ webhook: await rotateWebhookSecret(ctx, c.req.param('id')!) }),
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/webhooks/{id}/test',
      summary: 'Send a webhook.test event',
      tag: 'Webhooks',
      auth: 'admin',
      status: 202,
      response: z.object({ delivery_id: z.string() }),
      errors: [403, 404, 409],
    },
    async (_, c) => c.json(await testWebhook(ctx, c.req.param('id')!), 202),
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/webhooks/{id}/deliveries',
      summary: 'Delivery history, newest first',
      tag: 'Webhooks',
      auth: 'secret-read',
      query: ListQuery,
      status: 200,
      response: z.object({ deliveries: z.array(Delivery), next_cursor: z.string().nullable() }),
      errors: [404],
    },
    async ({ query }, c) => c.json(await listDeliveries(ctx, c.req.param('id')!, query)),
  );
}
