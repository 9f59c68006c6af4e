import net from 'node:net';

export interface TcpProxy {
  /** The port clients connect to (loopback). */
  port: number;
  /** A PostgreSQL URL like `target` but through this proxy. */
  url(target: string): string;
  /** The outage: every open connection destroyed, new ones refused until restore(). */
  cut(): void;
  /**
   * A partial outage: every connection whose client has sent `text` (such as `LISTEN`) destroyed,
   * now and as soon as one sends it, until restore(); the others keep working.
   */
  cutSending(text: string): void;
  /**
   * A lost answer: every connection from now on reaches the server whole, but when the server
   * starts answering the client's connection is reset and the answer thrown away, until restore().
   */
  dropAnswers(): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy to `host:port` that a test can cut and restore — a database outage without touching
 * the machine's PostgreSQL. While cut it still listens but resets each new connection at once, as
 * a failed-over address does, so clients see errors rather than a listener that went away.
 */
export async function startTcpProxy(target: { host: string; port: number }, listenPort = 0): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  /** What each client sent so far (its first 64 KiB), for cutSending. */
  const sent = new Map<net.Socket, string>();
  let down = false;
  let cutting: string | undefined;
  let dropping = false;
  const server = net.createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    sent.set(client, '');
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      sent.delete(client);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (chunk: Buffer) => {
      const seen = (sent.get(client) ?? '') + chunk.toString('latin1');
      if (cutting && seen.includes(cutting)) {
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      if (seen.length < 65_536) sent.set(client, seen);
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    const dropThis = dropping;
    if (dropThis) upstream.on('data', end);
    else upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: (t) => {
      const u = new URL(t);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut() {
      down = true;
      for (const s of open) s.resetAndDestroy();
      open.clear();
    },
    cutSending(text) {
      cutting = text;
      for (const [client, seen] of sent) if (seen.includes(text)) client.resetAndDestroy();
    },
    dropAnswers() {
      dropping = true;
    },
    restore() {
      down = false;
      cutting = undefined;
      dropping = false;
    },
    close() {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
