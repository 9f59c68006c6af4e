import type { LitElement } from 'lit';
import { expect, waitFor } from 'storybook/test';

/** The element under test inside the story canvas (its shadow root holds the UI). */
export async function element<T extends LitElement = LitElement>(canvas: HTMLElement, tag: string): Promise<T> {
  const el = await waitFor(() => {
    const found = canvas.querySelector(tag) as T | null;
    if (!found?.shadowRoot) throw new Error(`<${tag}> not rendered yet`);
    return found;
  });
  await el.updateComplete;
  return el;
}

/** A part inside the element's shadow root, waited for. */
export function part(el: Element, name: string): Promise<HTMLElement> {
  return waitFor(() => {
    const found = el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
    if (!found) throw new Error(`part "${name}" not found`);
    return found;
  });
}

/** Types into a field as a person would end up with it: value set, `input` fired. */
export function type(input: HTMLElement, text: string): void {
  const field = input as HTMLInputElement;
  field.focus();
  field.value = text;
  field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: text }));
}

/** Waits until the element's shadow text contains `text`. */
export function sees(el: Element, text: string | RegExp): Promise<void> {
  return waitFor(() => {
    const content = el.shadowRoot!.textContent ?? '';
    const ok = typeof text === 'string' ? content.includes(text) : text.test(content);
    expect(ok, `expected "${String(text)}" in: ${content.replace(/\s+/g, ' ').trim().slice(0, 300)}`).toBe(true);
  });
}
