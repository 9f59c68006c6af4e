import { html, LitElement, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { announce } from './announcer.js';
import type { StaffMember } from './api.js';
import { downloadCsv } from './csv-file.js';
import { t } from './strings.js';
import { consoleStyles } from './styles.js';

type Action = 'create' | 'update' | 'unchanged' | 'refused';

interface ImportRow {
  index: number;
  line: number;
  action: Action;
  person_id: number | null;
  first_name: string;
  last_name: string;
  email: string | null;
  external_id: string | null;
  changes: string[];
  reason_code: string | null;
  reason: string | null;
}

interface ImportResult {
  total_rows: number;
  counts: Record<Action, number>;
  rows: ImportRow[];
}

/** Rows a request applies: ten requests for 10,000 rows, so the bar moves and each range is one transaction. */
const RANGE = 1000;
/** Refused rows listed on the page; all of them are in the report. */
const SHOWN = 200;
const ACTIONS: Action[] = ['create', 'update', 'unchanged', 'refused'];

/**
 * The CSV import (docs/console.md "Import"): choose a file → a dry run listing what each row would
 * do → apply in ranges behind a progress bar → a report to download. The file goes to the server as
 * it is; the server reads it (csv-parse), so the page never parses a CSV itself.
 */
export class ConsoleImport extends LitElement {
  static override styles = consoleStyles;
  @property({ attribute: false }) staff!: StaffMember;
  @state() private file: File | null = null;
  @state() private checked: ImportResult | null = null;
  @state() private applied: ImportResult | null = null;
  @state() private busy = false;
  @state() private done = 0;
  @state() private error = '';
  @query('#outcome') private outcome?: HTMLElement;
  @query('#progress-text') private progressText?: HTMLElement;

  private async send(dryRun: boolean, offset: number, limit: number): Promise<ImportResult> {
    const res = await fetch(`/api/3/people/import?dry_run=${dryRun}&offset=${offset}&limit=${limit}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'text/csv' },
      body: this.file,
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(json?.error?.message ?? res.statusText);
    return json as ImportResult;
  }

  /** Every row of the file, in as many ranges as the server takes at once. */
  private async dryRun(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.file) return;
    this.busy = true;
    this.error = '';
    this.checked = null;
    this.applied = null;
    announce(t().import.checking);
    try {
      let all = await this.send(true, 0, 10_000);
      for (let offset = 10_000; offset < all.total_rows; offset += 10_000) {
        const more = await this.send(true, offset, 10_000);
        all = merge(all, more);
      }
      this.checked = all;
      announce(t().import.checked(all.total_rows));
      await this.focusOutcome();
    } catch (err) {
      this.error = err instanceof Error && err.message ? err.message : t().errors.network;
      announce(this.error);
    } finally {
      this.busy = false;
    }
  }

  private async apply(): Promise<void> {
    const total = this.checked?.total_rows ?? 0;
    this.busy = true;
    this.error = '';
    this.done = 0;
    this.applied = null;
    announce(t().import.applying);
    // The Apply button goes while the bar shows: focus moves to the bar's words, not to <body>.
    void this.updateComplete.then(() => this.progressText?.focus());
    let result: ImportResult | null = null;
    try {
      for (let offset = 0; offset < total; offset += RANGE) {
        const part = await this.send(false, offset, RANGE);
        result = result ? merge(result, part) : part;
        this.done = Math.min(total, offset + RANGE);
        announce(t().import.progressText(this.done, total));
      }
      this.applied = result;
      this.checked = null;
      announce(t().import.applied(total));
      await this.focusOutcome();
    } catch (err) {
      this.applied = result;
      this.error = `${err instanceof Error ? err.message : ''} ${t().import.stopped(this.done)}`.trim();
      announce(this.error);
    } finally {
      this.busy = false;
    }
  }

  private async focusOutcome(): Promise<void> {
    await this.updateComplete;
    this.outcome?.focus();
  }

  private report(): void {
    const rows = this.applied?.rows ?? this.checked?.rows ?? [];
    const reasons = t().import.reasons;
    downloadCsv(
      `import-report-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`,
      [
        'line',
        'action',
        'person_id',
        'first_name',
        'last_name',
        'email',
        'external_id',
        'changes',
        'reason_code',
        'reason',
      ],
      rows.map((r) => [
        r.line,
        r.action,
        r.person_id ?? '',
        r.first_name,
        r.last_name,
        r.email ?? '',
        r.external_id ?? '',
        r.changes.join(' '),
        r.reason_code ?? '',
        r.reason_code ? (reasons[r.reason_code] ?? r.reason ?? '') : '',
      ]),
    );
  }

  override render() {
    const s = t().import;
    if (this.staff.role === 'viewer')
      return html`<h1 tabindex="-1">${s.heading}</h1>
        <p>${s.readOnly}</p>`;
    const total = this.checked?.total_rows ?? 0;
    return html`
      <h1 tabindex="-1">${s.heading}</h1>
      <p>${s.intro}</p>
      <form @submit=${this.dryRun} class="row">
        <label>${s.file}
          <input type="file" name="file" accept=".csv,text/csv,text/plain" required ?disabled=${this.busy}
            @change=${(e: Event) => {
              this.file = (e.target as HTMLInputElement).files?.[0] ?? null;
              this.checked = null;
              this.applied = null;
            }}>
        </label>
        <button class="primary" ?disabled=${this.busy || !this.file}>${s.check}</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        this.busy && this.checked
          ? html`<div class="card">
              <progress max=${total} .value=${this.done} aria-label=${s.progress}
                aria-valuetext=${s.progressText(this.done, total)}></progress>
              <p class="muted" id="progress-text" tabindex="-1">${s.progressText(this.done, total)}</p>
            </div>`
          : nothing
      }
      ${this.checked && !this.busy ? this.outcomeOf(this.checked, s.dryRun) : nothing}
      ${this.applied && !this.busy ? this.outcomeOf(this.applied, s.result) : nothing}
    `;
  }

  private outcomeOf(r: ImportResult, heading: string) {
    const s = t().import;
    const refused = r.rows.filter((x) => x.action === 'refused');
    const dry = r === this.checked;
    const toApply = r.counts.create + r.counts.update;
    return html`
      <section class="card" aria-labelledby="outcome">
        <h2 id="outcome" tabindex="-1">${heading}</h2>
        <dl class="counts">
          ${ACTIONS.map((a) => html`<div data-action=${a}><dt>${s[a]}</dt><dd>${r.counts[a]}</dd></div>`)}
        </dl>
        ${
          refused.length
            ? html`<h3>${s.refusedRows}</h3>
              <table class="people">
                <thead><tr><th scope="col">${s.line}</th><th scope="col">${s.name}</th><th scope="col">${s.email}</th><th scope="col">${s.reason}</th></tr></thead>
                <tbody>
                  ${refused.slice(0, SHOWN).map(
                    (x) => html`<tr data-line=${x.line}>
                      <td>${x.line}</td>
                      <td>${`${x.first_name} ${x.last_name}`.trim()}</td>
                      <td>${x.email ?? ''}</td>
                      <td>${(x.reason_code && s.reasons[x.reason_code]) || x.reason}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
              ${refused.length > SHOWN ? html`<p class="muted">${s.moreRefused(refused.length - SHOWN)}</p>` : nothing}`
            : nothing
        }
        <div class="row">
          ${dry ? html`<button class="primary" @click=${this.apply}>${s.apply(toApply)}</button>` : nothing}
          <button @click=${this.report}>${s.report}</button>
        </div>
      </section>
    `;
  }
}

function merge(a: ImportResult, b: ImportResult): ImportResult {
  const counts = { ...a.counts };
  for (const k of ACTIONS) counts[k] += b.counts[k];
  return { total_rows: b.total_rows, counts, rows: [...a.rows, ...b.rows] };
}
