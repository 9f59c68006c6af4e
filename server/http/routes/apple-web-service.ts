import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Ctx } from '../../domain/context.js';
import {
  type AuthenticatedPass,
  authenticatePass,
  latestPass,
  registerPass,
  unregisterPass,
  updatedSerials,
} from '../../domain/wallets/apple-web-service.js';
import { redactText } from '../../log.js';
import type { AppEnv } from '../context.js';
import { type Authenticator, defineRoute } from '../route.js';
import type { SharedLimits } from '../shared-limits.js';

const BASE = '/wallet/apple/v1';
const Registration = z.object({ pushToken: z.string().min(1, 'Required.').max(512) }).openapi('PassKitRegistration');
const LogBody = z.object({ logs: z.array(z.string().max(2000)).max(100) }).openapi('PassKitLog');
const DLI = /^[A-Za-z0-9._-]{1,128}$/;

/** Apple's PassKit web service at PUBLIC_URL/wallet/apple (the pass's webServiceURL, docs/api.md). */
export function appleWebServiceRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx, limits: SharedLimits): void {
  const regPath = `${BASE}/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}`;
  const params = (c: { req: { param(name: string): string | undefined } }) => ({
    dli: c.req.param('deviceLibraryIdentifier') ?? '',
    ptid: c.req.param('passTypeIdentifier') ?? '',
  });

  // The pass's own authenticationToken, checked against the serial number in the path.
  const applePass: Authenticator<AuthenticatedPass> = {
    scheme: 'ApplePass',
    resolve: (c) =>
      authenticatePass(
        ctx,
        c.req.param('passTypeIdentifier') ?? '',
        c.req.param('serialNumber') ?? '',
        c.req.header('authorization'),
      ),
  };

  defineRoute(
    app,
    {
      method: 'post',
      path: regPath,
      summary: 'Register a phone for a pass’s updates',
      tag: 'PassKit web service',
      auth: applePass,
      body: Registration,
      status: 201,
      answers: { 200: { description: 'Already registered: the push token is updated' } },
      description:
        '`Authorization: ApplePass <authenticationToken>`. 201 when new, 200 when already registered. The first registration makes the device and its credential active.',
    },
    async ({ caller: device, body }, c) => {
      const p = params(c);
      if (!DLI.test(p.dli))
        return c.json({ error: { code: 'invalid_request', message: 'Bad device library identifier.' } }, 400);
      const result = await registerPass(ctx, {
        deviceLibraryId: p.dli,
        ptid: p.ptid,
        device,
        pushToken: body.pushToken,
      });
      return c.body(null, result === 'created' ? 201 : 200);
    },
  );

  defineRoute(
    app,
    {
      method: 'delete',
      path: regPath,
      summary: 'Unregister a phone',
      tag: 'PassKit web service',
      auth: applePass,
      status: 200,
    },
    async ({ caller: device }, c) => {
      const p = params(c);
      await unregisterPass(ctx, { deviceLibraryId: p.dli, ptid: p.ptid, device });
      return c.body(null, 200);
    },
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: `${BASE}/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}`,
      summary: 'Serial numbers of this phone’s passes updated since a tag',
      tag: 'PassKit web service',
      auth: 'none',
      query: z.object({ passesUpdatedSince: z.string().max(64).optional() }),
      status: 200,
      response: z
        .object({ serialNumbers: z.array(z.string()), lastUpdated: z.string() })
        .openapi('PassKitSerialNumbers'),
      answers: { 204: { description: 'No pass of this phone changed since the tag (or none is registered)' } },
      description: 'No authentication (Apple sends none): it names serial numbers only.',
    },
    async ({ query }, c) => {
      const result = await updatedSerials(
        ctx,
        c.req.param('deviceLibraryIdentifier') ?? '',
        c.req.param('passTypeIdentifier') ?? '',
        query.passesUpdatedSince || undefined,
      );
      return result ? c.json(result) : c.body(null, 204);
    },
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: `${BASE}/passes/{passTypeIdentifier}/{serialNumber}`,
      summary: 'The latest version of a pass',
      tag: 'PassKit web service',
      auth: applePass,
      status: 200,
      mediaType: 'application/vnd.apple.pkpass',
      response: z.string().openapi({ format: 'binary' }),
      headers: ['Last-Modified'],
      answers: { 304: { description: 'Not changed since If-Modified-Since', headers: ['Last-Modified'] } },
      description: 'Honours If-Modified-Since (304); answers Last-Modified. Voided after a revoke.',
    },
    async ({ caller: device }, c) => {
      const result = await latestPass(ctx, device, c.req.header('if-modified-since'));
      const headers = { 'last-modified': result.lastModified.toUTCString(), 'cache-control': 'no-store' };
      if (result.notModified) return c.body(null, 304, headers);
      return c.body(new Uint8Array(result.pkpass), 200, { ...headers, 'content-type': 'application/vnd.apple.pkpass' });
    },
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: `${BASE}/log`,
      summary: 'Wallet’s error log for this web service',
      tag: 'PassKit web service',
      auth: 'none',
      body: LogBody,
      status: 200,
    },
    async ({ body }, c) => {
      // At most 5 lines a request and LOG_LINES_PER_MINUTE a minute for the deployment; the rest is dropped.
      for (const line of body.logs.slice(0, await limits.takeLogLines(Math.min(body.logs.length, 5)))) {
        ctx.log({
          level: 'warn',
          msg: 'passkit log',
          text: redactText(line)
            .replace(/[A-Za-z0-9_-]{20,}/g, ':redacted')
            .slice(0, 500),
        });
      }
      return c.body(null, 200);
    },
  );
}
