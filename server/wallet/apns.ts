// APNs over HTTP/2: the empty-payload push that tells Wallet to fetch a pass again (docs/wallet.md).
import http2 from 'node:http2';

export const APNS_PRODUCTION_URL = 'https://api.push.apple.com';

export interface ApnsResult {
  status: number;
  /** Apple's `reason` (e.g. `BadDeviceToken`, `Unregistered`) when the push was refused. */
  reason?: string;
  retryAfter?: number;
}

export interface ApnsClient {
  /** One push; rejects when its deadline passes (the whole exchange) or `signal` aborts it. */
  push(pushToken: string, opts?: { signal?: AbortSignal }): Promise<ApnsResult>;
  close(): void;
}

export interface ApnsOptions {
  /** KEYWAY_APNS_URL; `http://` speaks h2c to a local peer (tests), `https://` uses TLS. */
  url: string;
  /** The pass certificate and key, as TLS client certificate (PEM). */
  cert: string;
  key: string;
  /** The pass type identifier: `apns-topic`. */
  topic: string;
  /** The deadline for one push, connect to the answer's last byte (KEYWAY_APNS_TIMEOUT, 10 s). */
  timeoutMs?: number;
}

export const APNS_TIMEOUT_MS = 10_000;

/** One HTTP/2 session, reopened when it closes; NODE_EXTRA_CA_CERTS is in Node's default trust store. */
export function createApnsClient(options: ApnsOptions): ApnsClient {
  let session: http2.ClientHttp2Session | undefined;
  // Sessions that have answered at least once: a timeout on one that never did drops it.
  const answered = new WeakSet<http2.ClientHttp2Session>();
  const timeoutMs = options.timeoutMs ?? APNS_TIMEOUT_MS;

  function connect(): http2.ClientHttp2Session {
    if (session && !session.closed && !session.destroyed) return session;
    const s = options.url.startsWith('https:')
      ? http2.connect(options.url, { cert: options.cert, key: options.key })
      : http2.connect(options.url);
    s.on('error', () => s.destroy());
    s.on('close', () => {
      if (session === s) session = undefined;
    });
    // An idle session must not keep the process (or a test) alive.
    s.unref();
    session = s;
    return s;
  }

  function push(pushToken: string, { signal }: { signal?: AbortSignal } = {}): Promise<ApnsResult> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let s: http2.ClientHttp2Session;
      try {
        s = connect();
      } catch (err) {
        reject(err);
        return;
      }
      let req: http2.ClientHttp2Stream | undefined;
      let settled = false;
      const settle = (done: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        done();
      };
      const giveUp = (err: Error) =>
        settle(() => {
          req?.close(http2.constants.NGHTTP2_CANCEL);
          // A session that never finished connecting would hold every later push too.
          if (!answered.has(s)) s.destroy();
          reject(err);
        });
      // One timer for the whole exchange: connecting, the request, the answer's head and body.
      const timer = setTimeout(
        () => giveUp(new Error(`APNs gave no complete answer within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      const onAbort = () => giveUp(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        req = s.request({
          ':method': 'POST',
          ':path': `/3/device/${encodeURIComponent(pushToken)}`,
          'apns-topic': options.topic,
          'content-type': 'application/json',
        });
      } catch (err) {
        settle(() => reject(err));
        return;
      }
      let status = 0;
      let retryAfter: number | undefined;
      const chunks: Buffer[] = [];
      req.on('response', (headers) => {
        answered.add(s);
        status = Number(headers[':status']);
        const ra = Number(headers['retry-after']);
        if (Number.isFinite(ra) && ra > 0) retryAfter = ra;
      });
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        settle(() => {
          if (!status) return reject(new Error('APNs closed the stream without a status'));
          let reason: string | undefined;
          try {
            reason = chunks.length
              ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { reason?: string }).reason
              : undefined;
          } catch {
            reason = undefined;
          }
          resolve({ status, ...(reason ? { reason } : {}), ...(retryAfter ? { retryAfter } : {}) });
        }),
      );
      req.on('error', (err) => settle(() => reject(err)));
      req.end('{}');
    });
  }

  return {
    push,
    close() {
      session?.close();
      session = undefined;
    },
  };
}
