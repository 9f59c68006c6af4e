import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  directionFor,
  type Fmt,
  isLocaleLoaded,
  type LocaleCode,
  loadLocale,
  resolveLocale,
  type Translation,
  translationFor,
} from '../i18n/index.js';

type Host = ReactiveControllerHost & HTMLElement;

const connected = new Set<LocalizeController>();
let documentObserver: MutationObserver | undefined;

/** One observer for <html lang/dir>, shared by every element on the page. */
function watchDocument(): void {
  if (documentObserver || typeof MutationObserver === 'undefined') return;
  documentObserver = new MutationObserver(() => {
    for (const c of connected) c.host.requestUpdate();
  });
  documentObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['lang', 'dir'] });
}

/** Finds the nearest attribute up the composed tree (crossing shadow roots). */
function closestAttribute(start: Element, name: string): string | null {
  let node: Node | null = start;
  while (node) {
    if (node instanceof Element && node.hasAttribute(name)) return node.getAttribute(name);
    node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null);
  }
  return null;
}

/**
 * Follows `locale` (attribute or provider), else `lang` of the host or an ancestor or <html>,
 * and `dir` likewise; exposes the typed strings and Intl formatters.
 */
export class LocalizeController implements ReactiveController {
  constructor(
    readonly host: Host,
    private readonly explicitLocale: () => string | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    connected.add(this);
    watchDocument();
  }

  hostDisconnected(): void {
    connected.delete(this);
  }

  /** The BCP-47 tag used for Intl formatting. */
  get tag(): string {
    return (
      this.explicitLocale() ||
      closestAttribute(this.host, 'lang') ||
      (typeof navigator !== 'undefined' ? navigator.language : 'en') ||
      'en'
    );
  }

  get locale(): LocaleCode {
    return resolveLocale(this.tag);
  }

  get t(): Translation {
    const locale = this.locale;
    if (!isLocaleLoaded(locale)) void this.ready;
    return translationFor(locale);
  }

  /** Resolves once the current locale's strings are loaded (and the host asked to re-render). */
  get ready(): Promise<void> {
    const locale = this.locale;
    if (isLocaleLoaded(locale)) return Promise.resolve();
    return loadLocale(locale).then(
      () => this.host.requestUpdate(),
      () => undefined,
    );
  }

  get dir(): 'ltr' | 'rtl' {
    const explicit = closestAttribute(this.host, 'dir');
    if (explicit === 'rtl' || explicit === 'ltr') {
      // An explicit locale wins over an inherited page direction.
      if (!this.explicitLocale() || this.host.hasAttribute('dir')) return explicit;
    }
    return directionFor(this.locale);
  }

  /** The tag for Intl: Arabic keeps Latin digits, so a step never mixes them with its numbers and codes. */
  private get intlTag(): string {
    return this.locale === 'en' ? this.tag : this.locale === 'ar' ? 'ar-u-nu-latn' : this.locale;
  }

  get fmt(): Fmt {
    const tag = this.intlTag;
    const numbers = new Intl.NumberFormat(tag);
    const relative = new Intl.RelativeTimeFormat(tag, { numeric: 'auto' });
    return {
      n: (value) => numbers.format(value),
      // Seconds count up to the next whole second; minutes and hours round to the nearest, so a
      // 10-minute code measured as 600.9 s says "10 minutes" and a 61 s wait "1 minute".
      duration: (seconds) => {
        const s = Math.max(0, Math.ceil(seconds));
        if (s < 60) return relative.format(s, 'second');
        const minutes = Math.round(s / 60);
        if (minutes < 60) return relative.format(minutes, 'minute');
        return relative.format(Math.round(s / 3600), 'hour');
      },
    };
  }

  /** "5 minutes ago" for an instant in the past. */
  relativeTime(at: Date, now: number = Date.now()): string {
    const seconds = Math.round((at.getTime() - now) / 1000);
    if (Math.abs(seconds) < 45) return this.t.justNow;
    const rtf = new Intl.RelativeTimeFormat(this.intlTag, { numeric: 'auto' });
    const units: [Intl.RelativeTimeFormatUnit, number][] = [
      ['day', 86400],
      ['hour', 3600],
      ['minute', 60],
    ];
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
    }
    return rtf.format(seconds, 'second');
  }
}
