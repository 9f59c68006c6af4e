// The part of autocannon's API the benchmarks use (no @types package is installed).
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      setupRequest?: (req: Request, context: Record<string, unknown>) => Request;
    }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      amount?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      requests?: Request[];
    }
    interface Histogram {
      average: number;
      mean: number;
      p50: number;
      p99: number;
      total: number;
    }
    interface Result {
      requests: Histogram;
      latency: Histogram;
      /** Elapsed seconds of the run, in whole seconds for a fixed-count run (it ends on a one-second tick). */
      duration: number;
      non2xx: number;
      errors: number;
      timeouts: number;
    }
  }
  /** With a callback: the running instance, which emits `response` for every answer. */
  function autocannon(
    opts: autocannon.Options,
    cb: (err: Error | null, result: autocannon.Result) => void,
  ): import('node:events').EventEmitter;
  function autocannon(opts: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}
