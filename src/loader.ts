/**
 * The CDN entry (`dist/cdn/keyway.js`): a small loader. Each Keyway tag is registered when it first
 * appears in the document, or when `define` asks for it, by loading that element's own chunk, so a
 * page pays only for the elements it shows: one inside a `hidden` element (or `hidden` itself)
 * loads when that attribute goes. Elements inside a shadow root are found with `discover`;
 * `seams()` loads the replaceable seams for page code.
 */

const chunks: Record<string, () => Promise<unknown>> = {
  'keyway-provider': () => import('./define/keyway-provider.js'),
  'invite-redeem': () => import('./define/invite-redeem.js'),
  'sms-otp-verify': () => import('./define/sms-otp-verify.js'),
  'add-to-wallet': () => import('./define/add-to-wallet.js'),
  'credential-status': () => import('./define/credential-status.js'),
};
const loading = new Map<string, Promise<unknown>>();

function load(tag: string): Promise<unknown> {
  let done = loading.get(tag);
  if (!done) {
    const chunk = chunks[tag];
    if (!chunk) return Promise.reject(new Error(`no Keyway element <${tag}>`));
    done = chunk().catch((error: unknown) => {
      loading.delete(tag); // fetched again when next asked for
      throw error;
    });
    loading.set(tag, done);
  }
  return done;
}

/** Loads and registers the named tags (all five without arguments); resolves once they are defined. */
export async function define(...tags: string[]): Promise<void> {
  await Promise.all((tags.length ? tags : Object.keys(chunks)).map(load));
}

/**
 * The seams page code may replace (`qrManager`, `phoneUtilManager`, `passNavigator`, `webOtp`: the
 * same objects the elements use), fetched on demand. The classes come from `customElements.get`.
 */
export const seams = (): Promise<typeof import('./seams/index.js')> => import('./seams/index.js');

/** Whether `root` is, or holds, a `tag` outside any `hidden` subtree. */
function shows(root: Element | Document | DocumentFragment, tag: string): boolean {
  const found = [...root.querySelectorAll(tag)];
  if ((root as Element).localName === tag) found.push(root as Element);
  return found.some((element) => !element.closest('[hidden]'));
}

/** Registers every Keyway tag shown in `root` or `root` itself, e.g. in a shadow root the document's observer cannot see. */
export async function discover(root: Element | Document | DocumentFragment): Promise<void> {
  await Promise.all(
    Object.keys(chunks)
      .filter((tag) => !loading.has(tag) && shows(root, tag))
      .map(load),
  );
}

new MutationObserver((records) => {
  for (const record of records) {
    if (record.type === 'attributes') void discover(record.target as Element);
    for (const node of record.addedNodes) if (node.nodeType === 1) void discover(node as Element);
  }
}).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden'] });
void discover(document);
