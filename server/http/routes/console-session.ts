// The console's own sign-in endpoints (docs/console.md): passkey enrolment from a one-time link,
// sign-in, sign-out and a member's own passkeys. Browser-only (they set the session cookie), so
// they live beside the console under /console/auth, not in the partner API.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import {
  CONSOLE_COOKIE,
  consoleOrigins,
  endStaffSession,
  resolveStaffSession,
  SESSION_ABSOLUTE_SECONDS,
  type StaffCaller,
} from '../../domain/callers/staff-sessions.js';
import type { Ctx } from '../../domain/context.js';
import { ApiError } from '../../domain/errors.js';
import {
  addPasskey,
  addPasskeyOptions,
  completeEnrolment,
  completeSignIn,
  enrolmentOptions,
  removePasskey,
  signInOptions,
} from '../../domain/staff/passkeys.js';
import { getStaff } from '../../domain/staff/staff.js';
import { readBody } from '../body.js';
import type { AppContext, AppEnv } from '../context.js';
import { errorAnswer } from '../errors.js';

const WebAuthnResponse = z.looseObject({
  id: z.string().min(1).max(1024),
  rawId: z.string().max(1024),
  type: z.literal('public-key'),
  response: z.looseObject({ clientDataJSON: z.string().max(8192) }),
});
const EnrolToken = z.object({ token: z.string().min(1).max(200) });
const EnrolInput = EnrolToken.extend({ response: WebAuthnResponse, name: z.string().max(60).optional() });
const SignInInput = z.object({ response: WebAuthnResponse });
const AddPasskeyInput = z.object({ response: WebAuthnResponse, name: z.string().max(60).optional() });

/** Every console answer: never cached, never framed (docs/console.md). */
export const CONSOLE_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * An unsafe method needs `Origin` equal to the console's: sign-in and enrolment too, so no other
 * site can sign a browser in or out behind its back.
 */
export function consoleOriginOnly(ctx: Ctx): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    for (const [k, v] of Object.entries(CONSOLE_HEADERS)) c.header(k, v);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const origin = c.req.header('origin');
      if (!origin || !consoleOrigins(ctx).includes(origin))
        return errorAnswer(c, new ApiError('origin_not_allowed', 'Console requests must come from the console.'));
    }
    await next();
  };
}

function setSessionCookie(c: AppContext, token: string): void {
  setCookie(c, CONSOLE_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    path: '/',
    maxAge: SESSION_ABSOLUTE_SECONDS,
  });
}

async function sessionOf(ctx: Ctx, c: AppContext): Promise<StaffCaller> {
  const token = getCookie(c, CONSOLE_COOKIE);
  const caller = token ? await resolveStaffSession(ctx, token) : null;
  if (!caller) throw new ApiError('unauthorized', 'Sign in to the console.');
  return caller;
}

export function consoleSessionRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  app.use('/console/auth/*', consoleOriginOnly(ctx));

  // Who is signed in, or `staff: null` (the console asks on every load; not signed in is no error).
  app.get('/console/auth/session', async (c) => {
    const token = getCookie(c, CONSOLE_COOKIE);
    const caller = token ? await resolveStaffSession(ctx, token) : null;
    if (!caller) return c.json({ staff: null, expires_at: null });
    return c.json({ staff: await getStaff(ctx, caller.staffId), expires_at: caller.expiresAt });
  });

  app.post('/console/auth/enrol/options', async (c) => {
    const { token } = await readBody(c, EnrolToken);
    return c.json({ options: await enrolmentOptions(ctx, token) });
  });

  app.post('/console/auth/enrol', async (c) => {
    const body = await readBody(c, EnrolInput);
    const done = await completeEnrolment(
      ctx,
      body.token,
      body.response as unknown as RegistrationResponseJSON,
      body.name,
    );
    setSessionCookie(c, done.token);
    return c.json({ staff: done.staff, expires_at: done.expires_at });
  });

  app.post('/console/auth/signin/options', async (c) => c.json({ options: await signInOptions(ctx, c.get('ip')) }));

  app.post('/console/auth/signin', async (c) => {
    const body = await readBody(c, SignInInput);
    const done = await completeSignIn(ctx, body.response as unknown as AuthenticationResponseJSON, c.get('ip'));
    setSessionCookie(c, done.token);
    return c.json({ staff: done.staff, expires_at: done.expires_at });
  });

  app.post('/console/auth/signout', async (c) => {
    const token = getCookie(c, CONSOLE_COOKIE);
    const caller = token ? await resolveStaffSession(ctx, token) : null;
    if (caller) await endStaffSession(ctx, caller, `staff:${caller.staffId}`);
    deleteCookie(c, CONSOLE_COOKIE, { path: '/', secure: true });
    return c.body(null, 204);
  });

  app.post('/console/auth/passkeys/options', async (c) => {
    const caller = await sessionOf(ctx, c);
    return c.json({ options: await addPasskeyOptions(ctx, caller.staffId) });
  });

  app.post('/console/auth/passkeys', async (c) => {
    const caller = await sessionOf(ctx, c);
    const body = await readBody(c, AddPasskeyInput);
    return c.json(
      { staff: await addPasskey(ctx, caller.staffId, body.response as unknown as RegistrationResponseJSON, body.name) },
      201,
    );
  });

  app.delete('/console/auth/passkeys/:id', async (c) => {
    const caller = await sessionOf(ctx, c);
    return c.json({
      staff: await removePasskey(ctx, caller.staffId, c.req.param('id'), `staff:${caller.staffId}`),
    });
  });
}
