// The instruments behind GET /metrics (docs/deploy.md), through prom-client; the gauges read at scrape time live with the route.
import { Counter, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  requestSeconds: Histogram<'method' | 'route'>;
  webhookAttempts: Counter<'result'>;
  sends: Counter<'channel' | 'result'>;
  passesBuilt: Counter<'platform'>;
}

/** The instruments one app records into; its own registry, so tests may run several apps in one process. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: 'keyway_http_requests_total', help: 'Requests answered, by route template and status', labelNames: ['method', 'route', 'status'], registers }),
    requestSeconds: new Histogram({
      name: 'keyway_http_request_duration_seconds',
      help: 'Time to answer, by route template',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    webhookAttempts: new Counter({ name: 'keyway_webhook_attempts_total', help: 'Webhook delivery attempts by result (delivered, failed, retry)', labelNames: ['result'], registers }),
    sends: new Counter({ name: 'keyway_message_sends_total', help: 'SMS and email sends by channel and result (sent, retry, failed)', labelNames: ['channel', 'result'], registers }),
    passesBuilt: new Counter({ name: 'keyway_passes_built_total', help: 'Wallet passes built, by platform', labelNames: ['platform'], registers }),
  };
}
