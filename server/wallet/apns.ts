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
  push(pushToken: string): Promise<ApnsResult>;
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
  timeoutMs?: number;
}

/** One HTTP/2 session, reopened when it closes; NODE_EXTRA_CA_CERTS is in Node's default trust store. */
export function createApnsClient(options: ApnsOptions): ApnsClient {
  let session: http2.ClientHttp2Session | undefined;
  const timeoutMs = options.timeoutMs ?? 15_000;

  function connect(): http2.ClientHttp2Session {
    if (session && !session.closed && !session.destroyed) return session;
    const s = options.url.startsWith('https:') ? http2.connect(options.url, { cert: options.cert, key: options.key }) : http2.connect(options.url);
    s.on('error', () => s.destroy());
    s.on('close', () => {
      if (session === s) session = undefined;
    });
    // An idle session must not keep the process (or a test) alive.
    s.unref();
    session = s;
    return s;
  }

  function push(pushToken: string): Promise<ApnsResult> {
    return new Promise((resolve, reject) => {
      let s: http2.ClientHttp2Session;
      try {
        s = connect();
      } catch (err) {
        reject(err);
        return;
      }
      const req = s.request({
        ':method': 'POST',
        ':path': `/3/device/${encodeURIComponent(pushToken)}`,
        'apns-topic': options.topic,
        'content-type': 'application/json',
      });
      req.setTimeout(timeoutMs, () => req.close(http2.constants.NGHTTP2_CANCEL));
      let status = 0;
      let retryAfter: number | undefined;
      const chunks: Buffer[] = [];
      req.on('response', (headers) => {
        status = Number(headers[':status']);
        const ra = Number(headers['retry-after']);
        if (Number.isFinite(ra) && ra > 0) retryAfter = ra;
      });
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (!status) return reject(new Error('APNs closed the stream without a status'));
        let reason: string | undefined;
        try {
          reason = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { reason?: string }).reason : undefined;
        } catch {
          reason = undefined;
        }
        resolve({ status, ...(reason ? { reason } : {}), ...(retryAfter ? { retryAfter } : {}) });
      });
      req.on('error', reject);
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
