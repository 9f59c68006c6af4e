// The instruments behind GET /metrics (docs/deploy.md), through prom-client; the gauges read at scrape time live with the route.
import { Counter, Gauge, type Metric, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** keyway_http_requests_total and keyway_http_request_duration_seconds. */
  requests: RequestMetrics;
  webhookAttempts: Counter<'result'>;
  sends: Counter<'channel' | 'result'>;
  passesBuilt: Counter<'platform'>;
  /** SPEC §15: audit events chained, and the age of the oldest event the sealer's last pass chained. */
  auditSealed: Counter;
  auditSealLag: Gauge;
}

/** The instruments one app records into; its own registry, so tests may run several apps in one process. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    requests: new RequestMetrics(registry),
    webhookAttempts: new Counter({
      name: 'keyway_webhook_attempts_total',
      help: 'Webhook delivery attempts by result (delivered, failed, retry)',
      labelNames: ['result'],
      registers,
    }),
    sends: new Counter({
      name: 'keyway_message_sends_total',
      help: 'SMS and email sends by channel and result (sent, retry, failed)',
      labelNames: ['channel', 'result'],
      registers,
    }),
    passesBuilt: new Counter({
      name: 'keyway_passes_built_total',
      help: 'Wallet passes built, by platform',
      labelNames: ['platform'],
      registers,
    }),
    auditSealed: new Counter({
      name: 'keyway_audit_events_sealed_total',
      help: 'Audit events chained into the hash chain by this instance',
      registers,
    }),
    auditSealLag: new Gauge({
      name: 'keyway_audit_seal_lag_seconds',
      help: 'Seconds between the oldest event of the last sealing pass being written and its sealing',
      registers,
    }),
  };
}

/** Upper bounds of the latency histogram's buckets, in seconds. */
export const REQUEST_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

/** What prom-client's registry reads from a metric when it writes the text format. */
interface Line {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}
interface Exported {
  name: string;
  help: string;
  type: string;
  aggregator: 'sum';
  values: Line[];
}
interface Count {
  labels: { method: string; route: string; status: number };
  value: number;
}
interface RouteSeries {
  latency: Latency;
  byStatus: Map<number, Count>;
}
interface Latency {
  labels: { method: string; route: string };
  /** Observations per bucket (not cumulative); the last slot is over the largest bound. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Requests by route template and status, and their latency by route template: the two series every
 * request records. They are kept in plain maps and written out in prom-client's format when scraped:
 * prom-client's own Counter and Histogram hash a label object on every call, which cost ~10 µs of
 * CPU a request, a sixth of a health check's (the server's CPU per request under load, with and without them).
 */
export class RequestMetrics {
  /** method → route template → its series. */
  private readonly series = new Map<string, Map<string, RouteSeries>>();
  /** The same series in the order first seen, as prom-client writes them. */
  private counts: Count[] = [];
  private latencies: Latency[] = [];

  constructor(registry: Registry) {
    // The registry asks a metric only for its name, type, get() and reset(); these two give exactly that.
    const register = (name: string, help: string, type: 'counter' | 'histogram', values: () => Line[]) => {
      const get = async (): Promise<Exported> => ({ name, help, type, aggregator: 'sum', values: values() });
      registry.registerMetric({
        name,
        help,
        type,
        aggregator: 'sum',
        get,
        reset: () => this.reset(),
      } as unknown as Metric);
    };
    register('keyway_http_requests_total', 'Requests answered, by route template and status', 'counter', () =>
      this.counts.map((c) => ({ labels: { ...c.labels }, value: c.value })),
    );
    const histogram = 'keyway_http_request_duration_seconds';
    register(histogram, 'Time to answer, by route template', 'histogram', () =>
      this.latencies.flatMap((l) => this.histogramLines(histogram, l)),
    );
  }

  /** One answered request: `route` is the template (never the path), `seconds` its time to answer. */
  record(method: string, route: string, status: number, seconds: number): void {
    // Looked up by method, route and status in turn: no key string built per request.
    let byRoute = this.series.get(method);
    if (!byRoute) this.series.set(method, (byRoute = new Map()));
    let s = byRoute.get(route);
    if (!s) {
      s = {
        latency: {
          labels: { method, route },
          buckets: new Array<number>(REQUEST_SECONDS_BUCKETS.length + 1).fill(0),
          sum: 0,
          count: 0,
        },
        byStatus: new Map(),
      };
      byRoute.set(route, s);
      this.latencies.push(s.latency);
    }
    const count = s.byStatus.get(status);
    if (count) count.value++;
    else {
      const first = { labels: { method, route, status }, value: 1 };
      s.byStatus.set(status, first);
      this.counts.push(first);
    }
    const l = s.latency;
    let i = 0;
    while (i < REQUEST_SECONDS_BUCKETS.length && seconds > REQUEST_SECONDS_BUCKETS[i]) i++;
    l.buckets[i]++;
    l.sum += seconds;
    l.count++;
  }

  private reset(): void {
    this.series.clear();
    this.counts = [];
    this.latencies = [];
  }

  /** Cumulative `_bucket` lines (le first, as prom-client writes them), then `_sum` and `_count`. */
  private histogramLines(name: string, l: Latency): Line[] {
    const lines: Line[] = [];
    let cumulative = 0;
    REQUEST_SECONDS_BUCKETS.forEach((bound, i) => {
      cumulative += l.buckets[i];
      lines.push({ metricName: `${name}_bucket`, labels: { le: bound, ...l.labels }, value: cumulative });
    });
    lines.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...l.labels }, value: l.count });
    lines.push({ metricName: `${name}_sum`, labels: { ...l.labels }, value: l.sum });
    lines.push({ metricName: `${name}_count`, labels: { ...l.labels }, value: l.count });
    return lines;
  }
}
