import { waitUntil } from '@open-wc/testing';

type A11yElement = Element & { computedRole?: string | null; computedName?: string | null };

/** Every element in a shadow tree, nested shadow roots included. */
function* deepElements(root: ParentNode): Generator<Element> {
  for (const el of Array.from(root.querySelectorAll('*'))) {
    yield el;
    if (el.shadowRoot) yield* deepElements(el.shadowRoot);
  }
}

function matches(name: string | null | undefined, expected: string | RegExp): boolean {
  const actual = (name ?? '').trim();
  return typeof expected === 'string' ? actual === expected : expected.test(actual);
}

/** Finds by ARIA role and accessible name, as computed by Chromium itself. */
export function queryByRole<T extends Element = HTMLElement>(
  host: Element,
  role: string,
  name?: string | RegExp,
): T | null {
  const root = host.shadowRoot ?? host;
  for (const el of deepElements(root)) {
    const a11y = el as A11yElement;
    if (a11y.computedRole !== role) continue;
    if (name === undefined || matches(a11y.computedName, name)) return el as unknown as T;
  }
  return null;
}

export function getByRole<T extends Element = HTMLElement>(host: Element, role: string, name?: string | RegExp): T {
  const found = queryByRole<T>(host, role, name);
  if (!found) {
    const seen = [...deepElements(host.shadowRoot ?? host)]
      .map((el) => el as A11yElement)
      .filter((el) => el.computedRole && el.computedRole !== 'generic' && el.computedRole !== 'none')
      .map((el) => `${el.computedRole} "${el.computedName ?? ''}"`);
    throw new Error(`No ${role} named ${String(name)}; found: ${seen.join(', ')}`);
  }
  return found;
}

export function byPart<T extends Element = HTMLElement>(host: Element, part: string): T | null {
  return (host.shadowRoot ?? host).querySelector<T>(`[part~="${part}"]`);
}

/** The text a person sees in a part, whitespace collapsed. */
export function textOf(el: Element | null): string {
  return (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** Records events of one type with their detail. */
export function spyEvents<D = unknown>(target: EventTarget, type: string) {
  const events: CustomEvent<D>[] = [];
  target.addEventListener(type, (e) => events.push(e as CustomEvent<D>));
  return {
    events,
    get details(): D[] {
      return events.map((e) => e.detail);
    },
    get count(): number {
      return events.length;
    },
  };
}

export async function until(predicate: () => unknown, message: string, timeout = 3000): Promise<void> {
  await waitUntil(predicate, message, { timeout });
}
