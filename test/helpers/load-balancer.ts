import http from 'node:http';

/**
 * An HTTP load balancer as a test needs one: round robin over the instances in rotation, an
 * instance taken out when its `/readyz` answers other than 200 (checked every `checkMs`, as a
 * health check does; no answer three times in a row counts too) and put back when it answers 200
 * (with none in rotation, all are tried); a request retried on another instance only when its connection
 * was refused — nginx's `proxy_next_upstream error` — never after it may have reached one. Anything
 * else (a reset, a half answer) is answered 502 and counted in `failures`.
 */
export interface LoadBalancer {
  url: string;
  /** Adds an instance (it enters rotation at its first good health check). */
  add(url: string): void;
  remove(url: string): void;
  /** The instances in rotation now. */
  inRotation(): string[];
  /** Requests that could not be answered by an instance: what a client of the balancer saw fail. */
  failures: string[];
  close(): Promise<void>;
}

export async function startLoadBalancer(opts: { checkMs?: number } = {}): Promise<LoadBalancer> {
  const checkMs = opts.checkMs ?? 250;
  const instances = new Map<string, { healthy: boolean; misses: number }>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const failures: string[] = [];
  let next = 0;

  const check = async (url: string) => {
    const state = instances.get(url);
    if (!state) return;
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      state.healthy = res.status === 200; // a 503 (draining, not ready) takes it out at once
      state.misses = 0;
    } catch {
      // No answer: out after three in a row (a loaded machine may miss some), as a health check's threshold does.
      if (++state.misses >= 3) state.healthy = false;
    }
  };
  const timer = setInterval(() => {
    for (const url of instances.keys()) void check(url);
  }, checkMs);

  const rotation = () => [...instances].filter(([, s]) => s.healthy).map(([u]) => u);

  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, tried: Set<string>) => {
    // None in rotation: every instance is tried, as nginx does when all its upstreams are marked down.
    const inRotation = rotation();
    const candidates = (inRotation.length ? inRotation : [...instances.keys()]).filter((u) => !tried.has(u));
    if (candidates.length === 0) {
      failures.push(`${req.method} ${req.url}: no instance in rotation`);
      res.writeHead(502).end();
      return;
    }
    const target = new URL(candidates[next++ % candidates.length]);
    tried.add(target.origin);
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host, connection: 'keep-alive' },
        agent,
      },
      (answer) => {
        const headers = { ...answer.headers };
        delete headers.connection; // the balancer's own connection to its client stays open
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
        answer.on('error', (err) => {
          failures.push(`${req.method} ${req.url}: ${err.message} mid-answer from ${target.origin}`);
          res.destroy();
        });
      },
    );
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' && !res.headersSent) return forward(req, body, res, tried);
      failures.push(`${req.method} ${req.url}: ${err.code ?? ''} ${err.message} from ${target.origin}`);
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, Buffer.concat(chunks), res, new Set()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    add(url) {
      instances.set(new URL(url).origin, { healthy: false, misses: 0 });
      void check(new URL(url).origin);
    },
    remove(url) {
      instances.delete(new URL(url).origin);
    },
    inRotation: rotation,
    failures,
    close: async () => {
      clearInterval(timer);
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
