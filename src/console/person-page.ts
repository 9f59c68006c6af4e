import { html, LitElement, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { announce } from './announcer.js';
import { api, ConsoleApiError, followStatus, type StatusEvent } from './api.js';
import type { StaffMember } from './app.js';
import type { Person } from './people-page.js';
import { formatTime, t } from './strings.js';
import { consoleStyles } from './styles.js';

interface Device {
  id: string;
  platform: string;
  status: string;
  added_at: string;
}
interface Credential {
  id: string;
  credential_type_id: number;
  status: string;
  enabled: boolean;
  invitation_code?: string;
  invitation_url?: string;
  devices: Device[];
  created_at: string;
}
interface CredentialType {
  id: number;
  name: string;
}
interface AuditEvent {
  id: string;
  type: string;
  at: string;
  actor: string;
}

/** Types staff issue here (docs/console.md): card, PIN, HID (when the server offers it), wallet pass. */
const ISSUABLE = [1, 6, 8, 9];

/** One person: details, credentials with live status, devices, history, and what staff may do to them. */
export class ConsolePerson extends LitElement {
  static override styles = consoleStyles;
  @property({ attribute: false }) personId = 0;
  @property({ attribute: false }) staff!: StaffMember;
  @state() private person: Person | null = null;
  @state() private credentials: Credential[] = [];
  @state() private types: CredentialType[] = [];
  @state() private events: AuditEvent[] = [];
  @state() private error = '';
  @state() private handover: { code: string; url: string; qr: string } | null = null;
  @state() private confirming: { message: string; run: () => Promise<void> } | null = null;
  @query('dialog') private dialog?: HTMLDialogElement;
  private streams = new Map<string, AbortController>();

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const s of this.streams.values()) s.abort();
    this.streams.clear();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('personId')) void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [p, c, types, ev] = await Promise.all([
        api<{ person: Person }>('GET', `/api/3/people/${this.personId}`),
        api<{ person_credentials: Credential[] }>('GET', `/api/3/people/${this.personId}/credentials?limit=200`),
        api<{ credential_types: CredentialType[] }>('GET', '/api/3/credential_types'),
        api<{ events: AuditEvent[] }>('GET', `/api/3/events?subject=person:${this.personId}&limit=20`),
      ]);
      this.person = p.person;
      this.credentials = c.person_credentials;
      this.types = types.credential_types.filter((x) => ISSUABLE.includes(x.id));
      this.events = ev.events;
      this.follow();
    } catch (err) {
      this.error = err instanceof ConsoleApiError ? err.message : t().errors.network;
    }
  }

  /** Each credential's status stream: a change shows (and is announced) as it happens. */
  private follow(): void {
    for (const cred of this.credentials) {
      if (this.streams.has(cred.id)) continue;
      const ctl = new AbortController();
      this.streams.set(cred.id, ctl);
      void followStatus(cred.id, (e: StatusEvent) => this.onStatus(e), ctl.signal);
    }
  }

  private onStatus(e: StatusEvent): void {
    this.credentials = this.credentials.map((c) =>
      c.id === e.credential_id ? { ...c, status: e.new_status, enabled: e.enabled, devices: e.devices } : c,
    );
    if (e.old_status !== null && e.old_status !== e.new_status)
      announce(t().person.statusNow(e.credential_id, t().status[e.new_status] ?? e.new_status));
  }

  private async act(run: () => Promise<unknown>, done?: string): Promise<void> {
    try {
      await run();
      this.error = '';
      if (done) announce(done);
      await this.load();
    } catch (err) {
      this.error =
        err instanceof ConsoleApiError
          ? err.code === 'insufficient_scope'
            ? t().errors.forbidden
            : err.message
          : t().errors.network;
      announce(this.error);
    }
  }

  private confirm(message: string, run: () => Promise<void>): void {
    this.confirming = { message, run };
    void this.updateComplete.then(() => this.dialog?.showModal());
  }

  private async confirmed(): Promise<void> {
    const c = this.confirming;
    this.dialog?.close();
    this.confirming = null;
    if (c) await c.run();
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const person: Record<string, string | null> = {};
    for (const k of ['first_name', 'last_name', 'email', 'phone']) {
      const v = String(f.get(k) ?? '').trim();
      person[k] = v || (k === 'email' || k === 'phone' ? null : v);
    }
    await this.act(() => api('PUT', `/api/3/people/${this.personId}`, { person }), t().person.saved);
  }

  private async issue(e: Event): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const type = Number(f.get('type'));
    const how = String(f.get('deliver'));
    this.handover = null;
    await this.act(async () => {
      const { person_credential: c } = await api<{ person_credential: Credential }>(
        'POST',
        `/api/3/people/${this.personId}/credentials`,
        { person_credential: { credential_type_id: type, deliver: how === 'email' ? 'email' : 'none' } },
      );
      if (how === 'show' && c.invitation_code && c.invitation_url) {
        const QR = await import('qrcode');
        this.handover = {
          code: c.invitation_code,
          url: c.invitation_url,
          qr: await QR.toDataURL(c.invitation_url, { margin: 1, width: 180 }),
        };
      }
    }, t().person.issued);
  }

  override render() {
    const s = t().person;
    const p = this.person;
    const canWrite = this.staff.role !== 'viewer';
    return html`
      <a href="/console/people" data-nav>${s.back}</a>
      <h1 tabindex="-1">${p ? `${p.first_name} ${p.last_name}` : '…'}</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${p ? this.details(p, canWrite) : nothing}
      <section aria-labelledby="creds" class="card">
        <h2 id="creds">${s.credentials}</h2>
        ${this.credentials.length === 0 ? html`<p>${s.noCredentials}</p>` : nothing}
        ${this.credentials.map((c) => this.credential(c, canWrite))}
      </section>
      ${canWrite ? this.issueForm() : nothing}
      <section aria-labelledby="hist" class="card">
        <h2 id="hist">${s.history}</h2>
        <ul>
          ${this.events.map((e) => html`<li><time datetime=${e.at}>${formatTime(e.at)}</time> — ${e.type} <span class="muted ltr">${e.actor}</span></li>`)}
        </ul>
      </section>
      <dialog aria-labelledby="confirm-text">
        <p id="confirm-text">${this.confirming?.message ?? ''}</p>
        <div class="row">
          <button type="button" class="danger" @click=${this.confirmed}>${s.confirm}</button>
          <button type="button" @click=${() => {
            this.dialog?.close();
            this.confirming = null;
          }}>${s.cancel}</button>
        </div>
      </dialog>
    `;
  }

  private details(p: Person, canWrite: boolean) {
    const s = t().person;
    const l = t().people;
    return html`<form class="card" @submit=${this.save}>
      <h2>${s.details}</h2>
      <label>${l.firstName}<input name="first_name" .value=${p.first_name} ?readonly=${!canWrite} required></label>
      <label>${l.lastName}<input name="last_name" .value=${p.last_name} ?readonly=${!canWrite} required></label>
      <label>${l.email}<input name="email" type="email" .value=${p.email ?? ''} ?readonly=${!canWrite}></label>
      <label>${l.phone}<input name="phone" type="tel" dir="ltr" .value=${p.phone ?? ''} ?readonly=${!canWrite}></label>
      ${p.external_id ? html`<p>${l.externalId}: <span class="ltr">${p.external_id}</span></p>` : nothing}
      <p>${p.enabled ? l.enabled : l.disabled}</p>
      ${
        canWrite
          ? html`<div class="row">
              <button class="primary">${s.save}</button>
              <button type="button" @click=${() => this.act(() => api('PUT', `/api/3/people/${p.id}`, { person: { enabled: !p.enabled } }), s.saved)}>
                ${p.enabled ? s.disable : s.enable}
              </button>
            </div>`
          : nothing
      }
    </form>`;
  }

  private credential(c: Credential, canWrite: boolean) {
    const s = t().person;
    const type = this.types.find((x) => x.id === c.credential_type_id)?.name ?? `#${c.credential_type_id}`;
    const terminal = c.status === 'revoking' || c.status === 'revoked';
    const base = `/api/3/people/${this.personId}/credentials/${c.id}`;
    return html`<article class="card" aria-label="${type} ${c.id}" data-credential=${c.id}>
      <h3>${type} <span class="muted ltr">${c.id}</span></h3>
      <p>Status: <span class="status" data-status=${c.status}>${t().status[c.status] ?? c.status}</span></p>
      ${c.invitation_code ? html`<p>${s.code}: <code class="ltr">${c.invitation_code}</code></p>` : nothing}
      <h4>${s.devices}</h4>
      ${
        c.devices.length === 0
          ? html`<p class="muted">${s.noDevices}</p>`
          : html`<ul>
              ${c.devices.map(
                (
                  d,
                ) => html`<li>${d.platform} · ${t().status[d.status] ?? d.status} · <time datetime=${d.added_at}>${formatTime(d.added_at)}</time>
                  ${
                    canWrite && d.status !== 'revoked' && !terminal
                      ? html`<button type="button" class="danger" @click=${() =>
                          this.confirm(s.confirmDevice, () =>
                            this.act(() => api('DELETE', `${base}/devices/${d.id}`)),
                          )}>${s.revokeDevice}</button>`
                      : nothing
                  }</li>`,
              )}
            </ul>`
      }
      ${
        canWrite && !terminal
          ? html`<div class="row">
              ${
                c.enabled
                  ? html`<button type="button" @click=${() => this.act(() => api('PUT', base, { person_credential: { enabled: false } }))}>${s.suspend}</button>`
                  : html`<button type="button" @click=${() => this.act(() => api('PUT', base, { person_credential: { enabled: true } }))}>${s.resume}</button>`
              }
              ${c.credential_type_id === 9 || c.credential_type_id === 8 ? html`<button type="button" @click=${() => this.act(() => api('POST', `${base}/invitation`))}>${s.reissue}</button>` : nothing}
              <button type="button" class="danger" @click=${() => this.confirm(s.confirmRevoke, () => this.act(() => api('DELETE', base)))}>${s.revoke}</button>
            </div>`
          : nothing
      }
    </article>`;
  }

  private issueForm() {
    const s = t().person;
    return html`<form class="card" @submit=${this.issue}>
      <h2>${s.issue}</h2>
      <label>${s.type}
        <select name="type">${this.types.map((x) => html`<option value=${x.id} ?selected=${x.id === 9}>${x.name}</option>`)}</select>
      </label>
      <fieldset>
        <legend>${s.deliver}</legend>
        <label class="row"><input type="radio" name="deliver" value="email" ?disabled=${!this.person?.email}> ${s.deliverEmail}</label>
        <label class="row"><input type="radio" name="deliver" value="show" checked> ${s.deliverShow}</label>
        <label class="row"><input type="radio" name="deliver" value="none"> ${s.deliverNone}</label>
      </fieldset>
      <div><button class="primary">${s.issueButton}</button></div>
      ${
        this.handover
          ? html`<div class="card" role="group" aria-label=${s.link}>
              <p>${s.code}: <code class="ltr">${this.handover.code}</code></p>
              <p>${s.link}: <a class="ltr" href=${this.handover.url}>${this.handover.url}</a></p>
              <img class="qr" src=${this.handover.qr} alt=${s.qr}>
            </div>`
          : nothing
      }
    </form>`;
  }
}
