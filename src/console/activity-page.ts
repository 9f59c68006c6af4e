import { html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { announce } from './announcer.js';
import { api, ConsoleApiError, type StaffMember } from './api.js';
import { downloadCsv } from './csv-file.js';
import { formatTime, t } from './strings.js';
import { consoleStyles } from './styles.js';

interface AuditEvent {
  id: string;
  type: string;
  at: string;
  actor: string;
  subject: string;
  data: Record<string, unknown>;
}

/** How often the first page asks for newer events (the audit log has no stream of its own). */
const POLL_MS = 5000;
/** The most events one export collects (200 a request). */
const EXPORT_MAX = 10_000;
const FILTERS = ['type', 'actor', 'person', 'since', 'until'] as const;

/**
 * Activity (docs/console.md): the audit log, newest first, filtered by type, actor, person and time;
 * every filter in the address; on the first page newer events arrive at the top; CSV export.
 */
export class ConsoleActivity extends LitElement {
  static override styles = consoleStyles;
  @property({ attribute: false }) staff!: StaffMember;
  @property() search = '';
  @state() private events: AuditEvent[] = [];
  @state() private next: string | null = null;
  @state() private error = '';
  @state() private exporting = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private loads = 0;

  private get params(): URLSearchParams {
    return new URLSearchParams(this.search);
  }

  /** The API's query for the filters in the address (`person` → `subject=person:<id>`; local times → instants). */
  private apiQuery(limit: number, cursor?: string | null): URLSearchParams {
    const p = this.params;
    const q = new URLSearchParams({ limit: String(limit) });
    if (p.get('type')) q.set('type', p.get('type')!);
    if (p.get('actor')) q.set('actor', p.get('actor')!);
    if (p.get('person')) q.set('subject', `person:${p.get('person')}`);
    for (const k of ['since', 'until'] as const) {
      const v = p.get(k);
      if (v && !Number.isNaN(Date.parse(v))) q.set(k, new Date(v).toISOString());
    }
    if (cursor) q.set('cursor', cursor);
    return q;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('search')) void this.load();
  }

  private async load(): Promise<void> {
    const asked = ++this.loads;
    try {
      const r = await api<{ events: AuditEvent[]; next_cursor: string | null }>(
        'GET',
        `/api/3/events?${this.apiQuery(50, this.params.get('cursor'))}`,
      );
      if (asked !== this.loads) return; // a later filter's answer is the one to show
      this.events = r.events;
      this.next = r.next_cursor;
      this.error = '';
      announce(t().activity.count(r.events.length));
    } catch (err) {
      this.error = err instanceof ConsoleApiError ? err.message : t().errors.network;
    }
  }

  /** Live at the top: on the first page, events newer than the newest shown are added above it. */
  private async poll(): Promise<void> {
    if (this.params.get('cursor') || document.hidden) return;
    const newest = seqOf(this.events[0]);
    const asked = this.loads;
    try {
      const r = await api<{ events: AuditEvent[] }>('GET', `/api/3/events?${this.apiQuery(50)}`);
      if (asked !== this.loads) return;
      const fresh = r.events.filter((e) => seqOf(e) > newest);
      if (!fresh.length) return;
      this.events = [...fresh, ...this.events].slice(0, 200);
      announce(t().activity.newEvents(fresh.length));
    } catch {
      // The next poll tries again; the page keeps what it shows.
    }
  }

  private go(params: URLSearchParams): void {
    history.pushState(null, '', `/console/activity${params.toString() ? `?${params}` : ''}`);
    this.search = location.search;
  }

  private onFilter(e: Event): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const p = new URLSearchParams();
    for (const k of FILTERS) {
      const v = String(f.get(k) ?? '').trim();
      if (v) p.set(k, v);
    }
    this.go(p);
  }

  private async exportCsv(): Promise<void> {
    this.exporting = true;
    const s = t().activity;
    announce(s.exporting);
    try {
      const all: AuditEvent[] = [];
      let cursor: string | null = null;
      do {
        const r: { events: AuditEvent[]; next_cursor: string | null } = await api(
          'GET',
          `/api/3/events?${this.apiQuery(200, cursor)}`,
        );
        all.push(...r.events);
        cursor = r.next_cursor;
      } while (cursor && all.length < EXPORT_MAX);
      downloadCsv(
        `activity-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`,
        ['id', 'at', 'type', 'actor', 'subject', 'data'],
        all.map((e) => [e.id, e.at, e.type, e.actor, e.subject, JSON.stringify(e.data)]),
      );
      announce(s.exported(all.length));
    } catch (err) {
      this.error = err instanceof ConsoleApiError ? err.message : t().errors.network;
    } finally {
      this.exporting = false;
    }
  }

  override render() {
    const s = t().activity;
    const p = this.params;
    const nextParams = new URLSearchParams(p);
    if (this.next) nextParams.set('cursor', this.next);
    const firstParams = new URLSearchParams(p);
    firstParams.delete('cursor');
    return html`
      <h1 tabindex="-1">${s.heading}</h1>
      <form role="search" aria-label=${s.filters} @submit=${this.onFilter} class="row">
        <label>${s.type}<input name="type" .value=${p.get('type') ?? ''} autocomplete="off" dir="ltr"></label>
        <label>${s.actor}<input name="actor" .value=${p.get('actor') ?? ''} autocomplete="off" dir="ltr"></label>
        <label>${s.person}<input name="person" type="number" min="1" inputmode="numeric" .value=${p.get('person') ?? ''}></label>
        <label>${s.since}<input name="since" type="datetime-local" .value=${p.get('since') ?? ''}></label>
        <label>${s.until}<input name="until" type="datetime-local" .value=${p.get('until') ?? ''}></label>
        <button class="primary">${s.apply}</button>
        ${[...p.keys()].length ? html`<a href="/console/activity" data-nav>${s.clear}</a>` : nothing}
      </form>
      <div class="row">
        <button @click=${this.exportCsv} ?disabled=${this.exporting}>${this.exporting ? s.exporting : s.export}</button>
      </div>
      ${p.get('cursor') ? nothing : html`<p class="muted">${s.live}</p>`}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        this.events.length === 0
          ? html`<p>${s.none}</p>`
          : html`<table class="people activity">
              <thead><tr><th scope="col">${s.time}</th><th scope="col">${s.event}</th><th scope="col">${s.who}</th><th scope="col">${s.subject}</th><th scope="col">${s.details}</th></tr></thead>
              <tbody>
                ${this.events.map(
                  (e) => html`<tr data-event=${e.id}>
                    <td><time datetime=${e.at}>${formatTime(e.at)}</time></td>
                    <td><code>${e.type}</code></td>
                    <td><span class="ltr">${e.actor}</span></td>
                    <td>${subjectOf(e.subject)}</td>
                    <td><span class="ltr muted">${summary(e.data)}</span></td>
                  </tr>`,
                )}
              </tbody>
            </table>`
      }
      <div class="row">
        ${p.get('cursor') ? html`<a href="/console/activity?${firstParams}" data-nav>${s.newest}</a>` : nothing}
        ${this.next ? html`<a href="/console/activity?${nextParams}" data-nav>${s.older}</a>` : nothing}
      </div>
    `;
  }
}

const seqOf = (e?: AuditEvent): number => (e ? Number(e.id.replace(/^evt_/, '')) : 0);

function subjectOf(subject: string) {
  const m = /^person:(\d+)$/.exec(subject);
  return m
    ? html`<a href="/console/people/${m[1]}" data-nav class="ltr">${subject}</a>`
    : html`<span class="ltr">${subject}</span>`;
}

/** A line of the event's data (`fields: first_name`, `source: import`), cut short. */
function summary(data: Record<string, unknown>): string {
  const text = Object.entries(data)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('; ');
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
