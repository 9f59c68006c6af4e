// A local stand-in for Sign in with Google (OAuth 2.0 implicit flow for an ID token) and for
// Google's published ID-token keys: `/o/oauth2/v2/auth` (KEYWAY_GOOGLE_SIGN_IN_URL) shows a
// "Continue as …" page and redirects to the registered redirect URI with `#id_token=…&state=…`;
// "Cancel" redirects with `#error=access_denied&state=…`. Strict as Google is about the client id,
// the registered redirect URI, `response_type=id_token`, `scope` with openid and a nonce (else its
// 400 page, no redirect). The ID token is RS256 with the keys at `/oauth2/v3/certs`
// (KEYWAY_GOOGLE_ID_TOKEN_KEYS_URL); `forge` signs the next one with a key nobody published.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface GoogleSignInPeer {
  signInUrl: string;
  keysUrl: string;
  origin: string;
  /** The redirect URI Google would have registered for the client (set before the first sign-in). */
  redirectUri: string;
  /** Sign the next ID token with an unpublished key (a forgery the server must refuse). */
  forge: boolean;
  /** How many ID tokens it issued. */
  issued: number;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startGoogleSignIn(
  clientId: string,
  subject = '110169484474386276334',
): Promise<GoogleSignInPeer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const forger = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(publicKey)), kid: 'stand-in-1', alg: 'RS256', use: 'sig' };
  const peer: GoogleSignInPeer = {
    signInUrl: '',
    keysUrl: '',
    origin: '',
    redirectUri: '',
    forge: false,
    issued: 0,
    close: async () => {},
  };
  const page = (status: number, body: string, res: http.ServerResponse) =>
    res
      .writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in – Google (stand-in)</title></head><body>${body}</body></html>`,
      );
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const q = url.searchParams;
    if (url.pathname === '/oauth2/v3/certs') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    if (url.pathname === '/o/oauth2/v2/auth' || url.pathname === '/o/oauth2/v2/approve') {
      const problems = [
        q.get('client_id') !== clientId && 'client_id',
        q.get('redirect_uri') !== peer.redirectUri && 'redirect_uri_mismatch',
        q.get('response_type') !== 'id_token' && 'response_type',
        !(q.get('scope') ?? '').split(' ').includes('openid') && 'scope',
        !q.get('nonce') && 'nonce',
      ].filter(Boolean);
      if (problems.length)
        return page(400, `<h1>Error 400: invalid_request</h1><p>${esc(problems.join(', '))}</p>`, res);
      const state = q.get('state') ?? '';
      if (url.pathname === '/o/oauth2/v2/auth') {
        const approve = new URL(url.href.replace('/auth', '/approve'), peer.origin);
        const cancel = `${peer.redirectUri}#${new URLSearchParams({ error: 'access_denied', state })}`;
        return page(
          200,
          `<h1>Choose an account</h1><p><a href="${esc(approve.pathname + approve.search)}">Continue as Lea Brandt</a></p><p><a href="${esc(cancel)}">Cancel</a></p>`,
          res,
        );
      }
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({ email: 'lea@example.com', email_verified: true, nonce: q.get('nonce') })
        .setProtectedHeader({ alg: 'RS256', kid: 'stand-in-1', typ: 'JWT' })
        .setIssuer('https://accounts.google.com')
        .setAudience(clientId)
        .setSubject(subject)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(peer.forge ? forger : privateKey);
      peer.forge = false;
      peer.issued += 1;
      res
        .writeHead(302, { location: `${peer.redirectUri}#${new URLSearchParams({ id_token: idToken, state })}` })
        .end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  peer.signInUrl = `${peer.origin}/o/oauth2/v2/auth`;
  // The server fetches the keys: 127.0.0.1, as Node may resolve localhost to ::1 first.
  peer.keysUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/v3/certs`;
  peer.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return peer;
}
