import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { html, LitElement, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { Announcer, announce } from './announcer.js';
import { api, ConsoleApiError, type StaffMember } from './api.js';
import { loadStrings, t } from './strings.js';
import { consoleStyles } from './styles.js';

export type { StaffMember } from './api.js';

/** The console's sections, each its own address (and its own nav link). */
const SECTIONS = ['/console/people', '/console/import', '/console/activity'];

/** Import and activity load as chunks of their own the first time they are opened. */
function definePage(tag: string, load: () => Promise<CustomElementConstructor>): void {
  if (customElements.get(tag)) return;
  void load().then((element) => customElements.get(tag) || customElements.define(tag, element));
}

/** Moves to another console address without reloading (every page has its own URL). */
export function navigate(to: string): void {
  history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/**
 * `<keyway-console>`: the staff console (docs/console.md). Signs in with a passkey, then routes by
 * address: /console/people, /console/people/<id>, /console/import, /console/activity;
 * /console/enrol#<token> enrols a new passkey.
 */
export class KeywayConsole extends LitElement {
  static override styles = consoleStyles;
  @property() brand = 'Keyway';
  @state() private path = location.pathname;
  @state() private staff: StaffMember | null | undefined = undefined;
  @state() private busy = false;
  @state() private error = '';
  @state() private ready = false;
  @query('h1') private heading?: HTMLElement;
  private readonly announcer = new Announcer(this);

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    document.body.style.margin = '0';
    await loadStrings();
    window.addEventListener('popstate', () => {
      this.path = location.pathname;
      this.error = '';
      void this.updateComplete.then(() => this.heading?.focus());
    });
    this.addEventListener('click', (e) => {
      const a = e.composedPath().find((n) => n instanceof HTMLAnchorElement) as HTMLAnchorElement | undefined;
      if (a?.dataset.nav !== undefined && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
        e.preventDefault();
        navigate(a.getAttribute('href')!);
      }
    });
    try {
      this.staff = (await api<{ staff: StaffMember | null }>('GET', '/console/auth/session')).staff;
    } catch {
      this.staff = null;
    }
    this.ready = true;
    if (this.staff && !SECTIONS.some((p) => this.path.startsWith(p)) && !this.path.startsWith('/console/enrol'))
      navigate('/console/people');
  }

  private get onIpAddress(): boolean {
    return /^\d+\.\d+\.\d+\.\d+$|^\[/.test(location.hostname);
  }

  private async signIn(): Promise<void> {
    this.busy = true;
    this.error = '';
    announce(t().signIn.working);
    try {
      const { options } = await api<{ options: Parameters<typeof startAuthentication>[0]['optionsJSON'] }>(
        'POST',
        '/console/auth/signin/options',
        {},
      );
      const response = await startAuthentication({ optionsJSON: options });
      this.staff = (await api<{ staff: StaffMember }>('POST', '/console/auth/signin', { response })).staff;
      navigate('/console/people');
    } catch (err) {
      this.error = err instanceof ConsoleApiError && err.code === 'rate_limited' ? err.message : t().signIn.failed;
      announce(this.error);
    } finally {
      this.busy = false;
    }
  }

  private async enrol(e: Event): Promise<void> {
    e.preventDefault();
    const token = location.hash.slice(1);
    const name = (new FormData(e.target as HTMLFormElement).get('name') as string) || undefined;
    this.busy = true;
    this.error = '';
    try {
      const { options } = await api<{ options: Parameters<typeof startRegistration>[0]['optionsJSON'] }>(
        'POST',
        '/console/auth/enrol/options',
        { token },
      );
      const response = await startRegistration({ optionsJSON: options });
      this.staff = (await api<{ staff: StaffMember }>('POST', '/console/auth/enrol', { token, response, name })).staff;
      history.replaceState(null, '', '/console/enrol'); // the link is spent: off the address bar
      announce(t().enrol.done);
      navigate('/console/people');
    } catch (err) {
      this.error =
        err instanceof ConsoleApiError && err.code === 'link_expired' ? t().enrol.expired : t().signIn.failed;
      announce(this.error);
    } finally {
      this.busy = false;
    }
  }

  private async signOut(): Promise<void> {
    await api('POST', '/console/auth/signout', {}).catch(() => undefined);
    this.staff = null;
    navigate('/console');
    announce(t().signIn.signedOut);
  }

  override render() {
    if (!this.ready) return html`${this.announcer.render()}`;
    const s = t();
    const localhostUrl = `${location.protocol}//localhost${location.port ? `:${location.port}` : ''}${location.pathname}${location.hash}`;
    return html`
      <header>
        <span class="brand">${this.brand} · ${s.title}</span>
        ${
          this.staff
            ? html`<nav aria-label=${s.nav.menu}>
                <ul>
                  ${SECTIONS.filter((p) => p !== '/console/import' || this.staff?.role !== 'viewer').map(
                    (p) =>
                      html`<li><a href=${p} data-nav aria-current=${this.path.startsWith(p) ? 'page' : 'false'}>${s.nav[p.slice(9) as 'people' | 'import' | 'activity']}</a></li>`,
                  )}
                </ul>
              </nav>
              <span class="muted">${this.staff.display_name} (${this.staff.role})</span>
              <button type="button" @click=${this.signOut}>${s.nav.signOut}</button>`
            : nothing
        }
      </header>
      <main id="main">
        ${this.onIpAddress ? html`<p role="alert" class="error">${s.signIn.useLocalhost(localhostUrl)}</p>` : nothing}
        ${this.page()}
      </main>
      ${this.announcer.render()}
    `;
  }

  private page() {
    const s = t();
    if (this.path.startsWith('/console/enrol'))
      return html`<h1 tabindex="-1">${s.enrol.heading}</h1>
        <p>${s.enrol.intro}</p>
        <form @submit=${this.enrol}>
          <label>${s.enrol.name}<input name="name" autocomplete="off" maxlength="60"></label>
          <div><button class="primary" ?disabled=${this.busy || this.onIpAddress}>${s.enrol.button}</button></div>
        </form>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}`;
    if (!this.staff)
      return html`<h1 tabindex="-1">${s.signIn.heading}</h1>
        <p>${s.signIn.intro}</p>
        <div><button class="primary" ?disabled=${this.busy || this.onIpAddress} @click=${this.signIn}>${s.signIn.button}</button></div>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}`;
    if (this.path.startsWith('/console/import')) {
      definePage('console-import', () => import('./import-page.js').then((m) => m.ConsoleImport));
      return html`<console-import .staff=${this.staff}></console-import>`;
    }
    if (this.path.startsWith('/console/activity')) {
      definePage('console-activity', () => import('./activity-page.js').then((m) => m.ConsoleActivity));
      return html`<console-activity .staff=${this.staff} .search=${location.search}></console-activity>`;
    }
    const m = /^\/console\/people\/(\d+)$/.exec(this.path);
    if (m) return html`<console-person .personId=${Number(m[1])} .staff=${this.staff}></console-person>`;
    return html`<console-people .staff=${this.staff} .search=${location.search}></console-people>`;
  }
}
