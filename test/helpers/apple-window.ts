// A local stand-in for Apple's web-provisioning window (SPEC §16, hid-origo-notes §8): served at
// `/navweb/static/index.html?partnerId=…&cardType=ACCESS_CORPORATE&id=…` on its own origin, it speaks
// the protocol of Apple's own script as HID's sample ships it — the window posts `{message:"ready"}`
// to its opener; the opener answers `{message:"jwtGenerationSuccessful", timestamp:<id>, jwt}` (or
// `jwtGenerationUnsuccessful`) to the window's origin; the window posts
// `{message:"deliverResult", result:{status, statusMessage}}`. Strict where the sample is: a wrong
// partner id or card type is result 400, a JWS answer without the window's id or jwt is ignored.
// The person's choice is the button the test presses in the window ("Add", "Cancel"), and the result
// the next "Add" delivers is `peer.result` (status "200" by default; "408", "400", "40101", …).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AppleWindowPeer {
  /** `KEYWAY_HID_APPLE_WINDOW_URL` for the server. */
  windowUrl: string;
  origin: string;
  /** The status the next "Add" in the window delivers. */
  result: string;
  /** The JWS payloads the window was given, in order (the element's answer to `ready`), each as JSON text. */
  received: string[];
  /** How many windows answered `ready` with `jwtGenerationUnsuccessful`. */
  unsuccessful: number;
  close(): Promise<void>;
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Add to Apple Wallet (stand-in)</title>
<script type="module" src="/navweb/static/window.js"></script></head>
<body><h1>Apple Wallet (local stand-in)</h1><p id="state" role="status">Waiting for the badge…</p>
<button id="add" type="button" hidden>Add</button> <button id="cancel" type="button" hidden>Cancel</button></body></html>`;

function script(partnerId: string): string {
  return `
const q = new URLSearchParams(location.search);
const state = document.getElementById('state');
const opener = window.opener;
const deliver = (status, statusMessage) =>
  opener.postMessage({ message: 'deliverResult', result: { status, statusMessage } }, '*');
if (!opener) state.textContent = 'No opener.';
else if (q.get('partnerId') !== ${JSON.stringify(partnerId)} || q.get('cardType') !== 'ACCESS_CORPORATE' || !q.get('id')) {
  state.textContent = 'Bad configuration.';
  deliver('400', 'Bad configuration');
} else {
  addEventListener('message', async (event) => {
    if (event.source !== opener) return;
    const d = event.data;
    if (d?.message === 'jwtGenerationUnsuccessful') {
      await fetch('/unsuccessful', { method: 'POST' });
      state.textContent = 'The partner could not make the badge.';
      return;
    }
    // HID's payload is a JWS: compact text, or (as HID's web provisioning answers it) the flattened object.
    const jws = d?.jwt;
    const isJws = typeof jws === 'string' ? jws.split('.').length === 3
      : !!jws && ['protected', 'payload', 'signature'].every((k) => typeof jws[k] === 'string' && jws[k]);
    if (d?.message !== 'jwtGenerationSuccessful' || String(d.timestamp) !== q.get('id') || !isJws) return;
    await fetch('/received', { method: 'POST', body: JSON.stringify(jws) });
    state.textContent = 'Ready to add the badge.';
    document.getElementById('add').hidden = false;
    document.getElementById('cancel').hidden = false;
  });
  document.getElementById('add').addEventListener('click', async () => {
    const { result } = await (await fetch('/result')).json();
    deliver(result, result === '200' ? 'Success' : 'Scripted result');
    if (result === '200') window.close();
  });
  // Apple's window reports a person's cancel as 444 and closes.
  document.getElementById('cancel').addEventListener('click', () => {
    deliver('444', 'User closed window');
    window.close();
  });
  opener.postMessage({ message: 'ready' }, '*');
}
`;
}

export async function startAppleWindow(partnerId: string): Promise<AppleWindowPeer> {
  const peer: AppleWindowPeer = {
    windowUrl: '',
    origin: '',
    result: '200',
    received: [],
    unsuccessful: 0,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.method === 'GET' && url.pathname === '/navweb/static/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      } else if (req.method === 'GET' && url.pathname === '/navweb/static/window.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(script(partnerId));
      } else if (req.method === 'GET' && url.pathname === '/result') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: peer.result }));
      } else if (req.method === 'POST' && url.pathname === '/received') {
        peer.received.push(body);
        res.writeHead(204).end();
      } else if (req.method === 'POST' && url.pathname === '/unsuccessful') {
        peer.unsuccessful += 1;
        res.writeHead(204).end();
      } else if (url.pathname === '/favicon.ico') {
        res.writeHead(204).end();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // localhost, not 127.0.0.1: a second origin beside the Keyway server's, as Apple's is.
  peer.origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  peer.windowUrl = `${peer.origin}/navweb/static/index.html`;
  peer.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return peer;
}
