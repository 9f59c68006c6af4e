import { VERSION } from './version.js';

/**
 * Which Keyway version defined each tag, shared by every copy of Keyway on the page (the CDN file
 * and a bundled npm copy each have their own module, but one global symbol registry).
 */
const holders: Map<string, string> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('keyway.elements.versions')
] ??= new Map<string, string>()) as Map<string, string>;
const warned = new Set<string>();

/**
 * Registers `tag` unless it is taken. The same class, or another copy of this version (the CDN
 * file beside a bundled import), is skipped quietly; another version or another library holding
 * the tag keeps it, with one console warning per tag, as Shoelace's `define` does.
 */
export function defineElement(tag: string, element: CustomElementConstructor): void {
  const existing = customElements.get(tag);
  if (!existing) {
    customElements.define(tag, element);
    holders.set(tag, VERSION);
    return;
  }
  const holder = holders.get(tag);
  if (existing === element || holder === VERSION || warned.has(tag)) return;
  warned.add(tag);
  console.warn(
    `<${tag}>: Keyway ${VERSION} was not registered because ${holder ? `Keyway ${holder}` : 'another definition'} already holds the tag; the page keeps that one.`,
  );
}
