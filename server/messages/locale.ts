// The server's locales, and how a request picks one. Every user-facing text in server/messages/ is
// keyed by these.

export type Locale = 'en' | 'de' | 'ar';
export const LOCALES: readonly Locale[] = ['en', 'de', 'ar'];

/** The best of our locales for an Accept-Language header or a `locale` value; English otherwise. */
export function pickLocale(...prefs: (string | null | undefined)[]): Locale {
  for (const pref of prefs) {
    if (!pref) continue;
    const ranked = pref
      .split(',')
      .map((part) => {
        const [tag, ...params] = part.trim().split(';');
        const q = Number(
          params
            .find((p) => p.trim().startsWith('q='))
            ?.trim()
            .slice(2) ?? 1,
        );
        return { lang: tag.trim().toLowerCase().split('-')[0], q: Number.isFinite(q) ? q : 0 };
      })
      .filter((x) => x.q > 0)
      .sort((a, b) => b.q - a.q);
    const hit = ranked.find((x) => (LOCALES as readonly string[]).includes(x.lang));
    if (hit) return hit.lang as Locale;
  }
  return 'en';
}
