// Local peers for the lifecycle tests: a webhook receiver (HTTP/1.1), an APNs stand-in (HTTP/2 h2c),
// a trickling destination and the Google Wallet REST API (objects with `hasUsers`).
import crypto from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request had fully arrived. */
  at: number;
  /** performance.now() when a held request's connection closed (its sender died or gave up). */
  closedAt?: number;
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** Answers the next requests with these statuses (then 200); headers for each, optional; `hold` never answers. */
  script: { status: number; headers?: Record<string, string>; hold?: boolean }[];
  /** Holds every answer this long (a slow endpoint), 0 by default. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const script: Receiver['script'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got: ReceivedWebhook = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      };
      received.push(got);
      const next = script.shift() ?? { status: 200 };
      if (next.hold) {
        res.on('close', () => (got.closedAt = performance.now()));
        return;
      }
      setTimeout(() => {
        res.writeHead(next.status, next.headers ?? {});
        res.end('ok');
      }, receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks/keyway`,
    received,
    script,
    delayMs: 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}

export interface ApnsPush {
  token: string;
  topic: string | undefined;
  body: string;
}

export interface ApnsPeer {
  url: string;
  /** Pushes answered. */
  pushes: ApnsPush[];
  /** Pushes received but left unanswered because `beforeAnswer` said `hold`. */
  held: ApnsPush[];
  /** Status for pushes to a token (default 200). */
  statusFor: Map<string, number>;
  /** Asked as each push arrives, before it is answered (a test kills its sender here, or answers once a promise settles). */
  beforeAnswer?: (push: ApnsPush) => 'answer' | 'hold' | Promise<'answer'>;
  close(): Promise<void>;
}

/** An h2c server that records APNs requests (`POST /3/device/<token>`). */
export async function startApnsPeer(): Promise<ApnsPeer> {
  const pushes: ApnsPush[] = [];
  const held: ApnsPush[] = [];
  const statusFor = new Map<string, number>();
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('error', () => undefined); // a sender killed mid-push resets its streams
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', async () => {
      const token = decodeURIComponent(String(headers[':path']).replace(/^\/3\/device\//, ''));
      const push = {
        token,
        topic: headers['apns-topic'] as string | undefined,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const decision = await peer.beforeAnswer?.(push);
      if (decision === 'hold') {
        held.push(push);
        return;
      }
      if (stream.closed) return; // its sender died while the answer waited
      pushes.push(push);
      const status = statusFor.get(token) ?? 200;
      stream.respond({ ':status': status, 'apns-id': 'test' });
      stream.end(
        status === 200 ? '' : JSON.stringify({ reason: status === 410 ? 'Unregistered' : 'InternalServerError' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('error', () => undefined); // …and its connection (ECONNRESET)
    s.on('close', () => sessions.delete(s));
  });
  const peer: ApnsPeer = {
    url: `http://127.0.0.1:${port}`,
    pushes,
    held,
    statusFor,
    close: () =>
      new Promise((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
  return peer;
}

export interface TricklingPeer {
  url: string;
  /** Requests whose head arrived (the raw request line and headers). */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A destination that is slow in the worst way (docs/security.md, "time limits"): it reads the
 * request, then sends its answer one byte every `intervalMs`, so an idle timeout never fires and
 * only a deadline for the whole exchange ends the call.
 */
export async function startTricklingPeer(intervalMs = 1000): Promise<TricklingPeer> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let head = '';
    let timer: NodeJS.Timeout | undefined;
    const answer = Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}');
    socket.on('data', (d) => {
      if (timer) return;
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      requests.push(head.slice(0, head.indexOf('\r\n\r\n')));
      let i = 0;
      timer = setInterval(() => {
        if (i < answer.length - 1) socket.write(answer.subarray(i, ++i)); // never the last byte
      }, intervalMs);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/slow`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface GoogleRestPeer {
  url: string;
  token: string;
  /** Requests as received (method, path, parsed body). */
  requests: { method: string; path: string; body: any }[];
  classes: Map<string, any>;
  /** Objects Google holds; `hasUsers` is false until someone saves (`save`). */
  objects: Map<string, any>;
  /** A person saves the pass: the object exists at Google (a JWT-carried one is created) and hasUsers turns true. */
  save(objectId: string, classId: string): void;
  close(): Promise<void>;
}

/**
 * The Wallet REST API as far as Keyway uses it, strictly: bearer token required, insert → 409 on
 * an existing id, GET/PATCH of an unknown object → 404, and GET answers `hasUsers` as Google does.
 */
export async function startGoogleRestPeer(): Promise<GoogleRestPeer> {
  const token = `at-${crypto.randomBytes(8).toString('hex')}`;
  const requests: GoogleRestPeer['requests'] = [];
  const classes = new Map<string, any>();
  const objects = new Map<string, any>();
  const json = (res: http.ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const path = req.url!;
      if (path === '/token' && req.method === 'POST')
        return json(res, 200, { access_token: token, expires_in: 3600, token_type: 'Bearer' });
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return json(res, 400, { error: { code: 400, message: 'Invalid JSON payload' } });
      }
      requests.push({ method: req.method!, path, body });
      if (req.headers.authorization !== `Bearer ${token}`)
        return json(res, 401, { error: { code: 401, status: 'UNAUTHENTICATED' } });
      const m = /^\/walletobjects\/v1\/(genericClass|genericObject)(?:\/([^/?]+))?$/.exec(path);
      if (!m) return json(res, 404, { error: { code: 404, status: 'NOT_FOUND' } });
      const store = m[1] === 'genericClass' ? classes : objects;
      const id = m[2] ? decodeURIComponent(m[2]) : undefined;
      if (req.method === 'POST' && !id) {
        if (typeof body?.id !== 'string') return json(res, 400, { error: { code: 400, message: 'id is required' } });
        if (store.has(body.id)) return json(res, 409, { error: { code: 409, status: 'ALREADY_EXISTS' } });
        const stored = m[1] === 'genericObject' ? { ...body, hasUsers: false } : body;
        store.set(body.id, stored);
        return json(res, 200, stored);
      }
      if (!id || !store.has(id)) return json(res, 404, { error: { code: 404, status: 'NOT_FOUND' } });
      if (req.method === 'GET') return json(res, 200, store.get(id));
      if (req.method === 'PATCH') {
        const { hasUsers: _ignored, ...patch } = body ?? {}; // output only: a client cannot set it
        store.set(id, { ...store.get(id), ...patch });
        return json(res, 200, store.get(id));
      }
      return json(res, 405, { error: { code: 405 } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    requests,
    classes,
    objects,
    save(objectId, classId) {
      objects.set(objectId, { id: objectId, classId, state: 'ACTIVE', ...objects.get(objectId), hasUsers: true });
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
