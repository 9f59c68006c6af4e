import { html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { announce } from './announcer.js';
import { api, ConsoleApiError } from './api.js';
import type { StaffMember } from './app.js';
import { t } from './strings.js';
import { consoleStyles } from './styles.js';

export interface Person {
  id: number;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  external_id?: string | null;
  enabled: boolean;
}

const STATUSES = ['invited', 'provisioning', 'active', 'suspended', 'revoking', 'revoked', 'expired'];

/** People: search, filter by credential status, paging; every state is in the address (shareable). */
export class ConsolePeople extends LitElement {
  static override styles = consoleStyles;
  @property({ attribute: false }) staff!: StaffMember;
  @property() search = '';
  @state() private people: Person[] = [];
  @state() private next: string | null = null;
  @state() private error = '';
  @state() private formError = '';

  private get params(): URLSearchParams {
    return new URLSearchParams(this.search);
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('search')) void this.load();
  }

  private async load(): Promise<void> {
    const p = this.params;
    const q = new URLSearchParams({ limit: '25' });
    for (const k of ['q', 'credential_status', 'cursor']) if (p.get(k)) q.set(k, p.get(k)!);
    try {
      const r = await api<{ people: Person[]; next_cursor: string | null }>('GET', `/api/3/people?${q}`);
      this.people = r.people;
      this.next = r.next_cursor;
      this.error = '';
      announce(t().people.count(r.people.length));
    } catch (err) {
      this.error = err instanceof ConsoleApiError ? err.message : t().errors.network;
    }
  }

  private go(params: URLSearchParams): void {
    const to = `/console/people${params.toString() ? `?${params}` : ''}`;
    history.pushState(null, '', to);
    this.search = location.search;
  }

  private onSearch(e: Event): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const p = new URLSearchParams();
    const q = String(f.get('q') ?? '').trim();
    const status = String(f.get('credential_status') ?? '');
    if (q) p.set('q', q);
    if (status) p.set('credential_status', status);
    this.go(p);
  }

  private async create(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const body: Record<string, string> = {};
    for (const k of ['first_name', 'last_name', 'email', 'phone']) {
      const v = String(f.get(k) ?? '').trim();
      if (v) body[k] = v;
    }
    try {
      const { person } = await api<{ person: Person }>('POST', '/api/3/people', { person: body });
      this.formError = '';
      form.reset();
      announce(t().people.created(`${person.first_name} ${person.last_name}`));
      history.pushState(null, '', `/console/people/${person.id}`);
      window.dispatchEvent(new PopStateEvent('popstate'));
    } catch (err) {
      this.formError = err instanceof ConsoleApiError ? err.message : t().errors.network;
    }
  }

  override render() {
    const s = t().people;
    const p = this.params;
    const canWrite = this.staff.role !== 'viewer';
    const nextParams = new URLSearchParams(p);
    if (this.next) nextParams.set('cursor', this.next);
    const firstParams = new URLSearchParams(p);
    firstParams.delete('cursor');
    return html`
      <h1 tabindex="-1">${s.heading}</h1>
      <form role="search" @submit=${this.onSearch} class="row">
        <label>${s.search}<input type="search" name="q" .value=${p.get('q') ?? ''}></label>
        <label>${s.status}
          <select name="credential_status">
            <option value="">${s.any}</option>
            ${STATUSES.map((st) => html`<option value=${st} ?selected=${p.get('credential_status') === st}>${t().status[st]}</option>`)}
          </select>
        </label>
        <button class="primary">${s.find}</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        this.people.length === 0
          ? html`<p>${s.none}</p>`
          : html`<table class="people">
              <thead><tr><th scope="col">${s.name}</th><th scope="col">${s.email}</th><th scope="col">${s.phone}</th><th scope="col">${s.enabled}</th></tr></thead>
              <tbody>
                ${this.people.map(
                  (x) => html`<tr>
                    <td><a href="/console/people/${x.id}" data-nav>${x.first_name} ${x.last_name}</a></td>
                    <td>${x.email ?? ''}</td>
                    <td><span class="ltr">${x.phone ?? ''}</span></td>
                    <td>${x.enabled ? s.enabled : s.disabled}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`
      }
      <div class="row">
        ${p.get('cursor') ? html`<a href="/console/people?${firstParams}" data-nav>${s.first}</a>` : nothing}
        ${this.next ? html`<a href="/console/people?${nextParams}" data-nav>${s.next}</a>` : nothing}
      </div>
      ${
        canWrite
          ? html`<form @submit=${this.create}>
              <fieldset>
                <legend><h2>${s.newPerson}</h2></legend>
                <label>${s.firstName}<input name="first_name" required autocomplete="off"></label>
                <label>${s.lastName}<input name="last_name" required autocomplete="off"></label>
                <label>${s.email}<input name="email" type="email" autocomplete="off"></label>
                <label>${s.phone}<input name="phone" type="tel" dir="ltr" autocomplete="off"></label>
                ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
                <div><button class="primary">${s.create}</button></div>
              </fieldset>
            </form>`
          : nothing
      }
    `;
  }
}
