// The caps a deployment's processes share (docs/security.md, "streams" and "PassKit log"): open
// status streams per token and per client, and the unauthenticated PassKit /log budget. Counted in
// this process when it serves alone, and in the cluster primary when workers share the port
// (KEYWAY_WORKERS > 1), so two workers never each grant a token its 5 streams (issue 25 point 7).
// The per-process stream cap (KEYWAY_MAX_STREAMS) is about one process's memory and stays in it.
import cluster, { type Worker } from 'node:cluster';
import { ApiError } from '../domain/errors.js';

export const STREAMS_PER_TOKEN = 5;
export const STREAMS_PER_CLIENT = 100;
/** PassKit /log lines written per minute; the rest is dropped (Wallet repeats its errors). */
export const LOG_LINES_PER_MINUTE = 30;

/** The counting itself, in the one process that keeps it; `holder` is the worker a lease belongs to. */
export interface LimitCounts {
  /** A lease id, or null when the token or the client already holds its share. */
  acquireStream(holder: string, tokenHash: string, clientBucket: string): string | null;
  release(lease: string): void;
  /** Everything a worker held, when it exits. */
  releaseHolder(holder: string): void;
  takeLogLines(wanted: number, nowMs: number): number;
}

export function limitCounts(): LimitCounts {
  const byToken = new Map<string, number>();
  const byClient = new Map<string, number>();
  const leases = new Map<string, { holder: string; tokenHash: string; clientBucket: string }>();
  let nextLease = 0;
  let logWindowStart = 0;
  let logUsed = 0;
  const bump = (m: Map<string, number>, k: string, d: number) => {
    const v = (m.get(k) ?? 0) + d;
    if (v > 0) m.set(k, v);
    else m.delete(k);
  };
  const release = (lease: string) => {
    const held = leases.get(lease);
    if (!held) return;
    leases.delete(lease);
    bump(byToken, held.tokenHash, -1);
    bump(byClient, held.clientBucket, -1);
  };
  return {
    acquireStream(holder, tokenHash, clientBucket) {
      if ((byToken.get(tokenHash) ?? 0) >= STREAMS_PER_TOKEN) return null;
      if ((byClient.get(clientBucket) ?? 0) >= STREAMS_PER_CLIENT) return null;
      bump(byToken, tokenHash, 1);
      bump(byClient, clientBucket, 1);
      const lease = `${holder}:${++nextLease}`;
      leases.set(lease, { holder, tokenHash, clientBucket });
      return lease;
    },
    release,
    releaseHolder(holder) {
      for (const [lease, held] of leases) if (held.holder === holder) release(lease);
    },
    takeLogLines(wanted, nowMs) {
      if (nowMs - logWindowStart >= 60_000) [logWindowStart, logUsed] = [nowMs, 0];
      const granted = Math.max(0, Math.min(wanted, LOG_LINES_PER_MINUTE - logUsed));
      logUsed += granted;
      return granted;
    },
  };
}

/** What the routes ask: the same whether the counts are here or in the primary. */
export interface SharedLimits {
  /** The release of a stream's place; throws 429 too_many_streams when the token or client holds its share. */
  acquireStream(tokenHash: string, clientBucket: string): Promise<() => void>;
  /** How many of `wanted` /log lines may be written now. */
  takeLogLines(wanted: number): Promise<number>;
}

const tooMany = () =>
  new ApiError(
    'too_many_streams',
    `At most ${STREAMS_PER_TOKEN} open status streams per token and ${STREAMS_PER_CLIENT} per client.`,
    undefined,
    30,
  );

function releaseOnce(release: () => void): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    release();
  };
}

/** The counts kept in this process. */
export function localLimits(now: () => number, counts: LimitCounts = limitCounts()): SharedLimits {
  return {
    async acquireStream(tokenHash, clientBucket) {
      const lease = counts.acquireStream('self', tokenHash, clientBucket);
      if (lease === null) throw tooMany();
      return releaseOnce(() => counts.release(lease));
    },
    async takeLogLines(wanted) {
      return counts.takeLogLines(wanted, now());
    },
  };
}

// The IPC messages between a worker and its primary.
const ASK = 'keyway-limits?';
const ASK_TIMEOUT_MS = 2000;
const ANSWER = 'keyway-limits';
type Question =
  | { op: 'stream'; tokenHash: string; clientBucket: string }
  | { op: 'release'; lease: string }
  | { op: 'log'; wanted: number };
type Ask = Question & { type: typeof ASK; id: number };
type Answer = { type: typeof ANSWER; id: number; lease?: string | null; granted?: number };

/** A cluster worker's limits: each question goes to the primary (serveLimits) over the IPC channel. */
function primaryLimits(send: (message: Ask) => boolean): SharedLimits {
  const waiting = new Map<number, (answer: Answer) => void>();
  let nextId = 0;
  process.on('message', (message: Answer) => {
    if (message?.type !== ANSWER) return;
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  // A primary that does not answer within ASK_TIMEOUT_MS (it is stopping) never holds a request open.
  const ask = (question: Question) =>
    new Promise<Answer>((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the cluster primary did not answer'));
      }, ASK_TIMEOUT_MS);
      timer.unref();
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      try {
        send({ type: ASK, id, ...question });
      } catch (error) {
        clearTimeout(timer);
        waiting.delete(id);
        reject(error);
      }
    });
  return {
    async acquireStream(tokenHash, clientBucket) {
      const { lease } = await ask({ op: 'stream', tokenHash, clientBucket }).catch(() => {
        throw new ApiError('service_unavailable', 'The server is restarting; try again.', undefined, 5);
      });
      if (!lease) throw tooMany();
      return releaseOnce(() => void ask({ op: 'release', lease }).catch(() => undefined));
    },
    async takeLogLines(wanted) {
      return (await ask({ op: 'log', wanted }).catch(() => ({ granted: 0 }))).granted ?? 0;
    },
  };
}

/** This process's limits: asked of the primary in a cluster worker, kept here otherwise. */
export function sharedLimits(now: () => number): SharedLimits {
  if (cluster.isWorker && process.send) {
    const send = process.send.bind(process);
    return primaryLimits((message) => send(message));
  }
  return localLimits(now);
}

/** In the cluster primary: answers one worker's questions from the deployment's counts, and frees its places when it exits. */
export function serveLimits(worker: Worker, counts: LimitCounts, now: () => number = Date.now): void {
  const holder = String(worker.id);
  worker.on('message', (message: Ask) => {
    if (message?.type !== ASK) return;
    let answer: Answer;
    if (message.op === 'stream')
      answer = {
        type: ANSWER,
        id: message.id,
        lease: counts.acquireStream(holder, message.tokenHash, message.clientBucket),
      };
    else if (message.op === 'release') {
      counts.release(message.lease);
      answer = { type: ANSWER, id: message.id };
    } else answer = { type: ANSWER, id: message.id, granted: counts.takeLogLines(message.wanted, now()) };
    if (worker.isConnected()) worker.send(answer);
  });
  worker.on('exit', () => counts.releaseHolder(holder));
}
