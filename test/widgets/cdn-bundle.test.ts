// The built dist/cdn/keyway.js on a partner page with docs/elements.md's CSP, against the real server.
// test/run-widgets.sh builds it first when it is missing or older than src/.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { invitePerson } from './helpers/real-server.js';

/** issue 28: a partner page showing only <invite-redeem> fetches at most this much JavaScript, gzip. */
const REDEEM_ONLY_BUDGET = 16 * 1024;
const TAGS = ['keyway-provider', 'invite-redeem', 'sms-otp-verify', 'add-to-wallet', 'credential-status'];

interface CdnReport {
  violations: string[];
  failure?: string;
  defined: string[];
  prefilled: string;
  fragmentAtLoad: string;
  fragmentAfter: string;
  credentialId: string;
  errors: string[];
  qrSrc: string;
  scripts: string[];
  upgraded?: Record<string, boolean>;
}

async function openCdnPage(fragment: string, page = 'cdn'): Promise<CdnReport> {
  const frame = document.createElement('iframe');
  frame.title = 'Partner page with the CDN bundle';
  const report = new Promise<CdnReport>((resolve) => {
    window.addEventListener('message', function onMessage(event) {
      if (event.source !== frame.contentWindow || !event.data?.keywayCdn) return;
      window.removeEventListener('message', onMessage);
      resolve(event.data as CdnReport);
    });
  });
  frame.src = `/__keyway/${page}.html${fragment}`;
  document.body.append(frame);
  try {
    return await report;
  } finally {
    frame.remove();
  }
}

/** Each fetched file's gzip -9 size, as Keyway's /cdn sends it (web-test-runner.config.mjs). */
const gzipBytes = (files: string[]) =>
  executeServerCommand<number[], { files: string[] }>('keyway-cdn-gzip', { files });

describe('dist/cdn/keyway.js in a browser', () => {
  it('registers the five tags as they appear, redeems from #code=, loads its lazy chunks, and breaks no partner CSP rule', async function () {
    (this as { timeout(ms: number): void }).timeout(30_000);
    const invitation = await invitePerson();
    const result = await openCdnPage(`#code=${invitation.code}`);
    expect(result.failure, result.failure).to.equal(undefined);
    expect(result.defined).to.have.members([
      'keyway-provider',
      'invite-redeem',
      'sms-otp-verify',
      'add-to-wallet',
      'credential-status',
    ]);
    expect(result.violations).to.deep.equal([]);
    expect(result.errors).to.deep.equal([]);

    // code-param: read from the fragment, then removed from the address bar.
    expect(result.prefilled).to.equal(invitation.code);
    expect(result.fragmentAtLoad).to.equal(`#code=${invitation.code}`);
    expect(result.fragmentAfter).to.equal('');
    expect(result.credentialId).to.equal(invitation.credentialId);
    expect(result.qrSrc).to.match(/^data:image\/svg\+xml/);

    // Only built files were loaded, and the lazy ones came as their own chunks.
    const loaded = result.scripts.map((path) => path.replace('/dist/cdn/', ''));
    expect(loaded).to.include('keyway.js');
    for (const chunk of ['phone-', 'qr-', 'handoff-', 'troubleshooting-']) {
      expect(
        loaded.some((file) => file.startsWith(chunk)),
        `${chunk}*.js loaded lazily`,
      ).to.equal(true);
    }
  });

  it('a page with only <invite-redeem> fetches the loader, that element and the shared core: at most 16 KiB gzip', async function () {
    (this as { timeout(ms: number): void }).timeout(30_000);
    const result = await openCdnPage('', 'cdn-redeem');
    expect(result.failure, result.failure).to.equal(undefined);
    expect(result.violations).to.deep.equal([]);
    expect(result.defined).to.deep.equal(['invite-redeem']);
    const files = result.scripts.map((path) => path.replace('/dist/cdn/', ''));
    expect(files).to.include('keyway.js');
    expect(
      files.filter((file) => TAGS.some((tag) => file.startsWith(`${tag}-`))),
      'element chunks fetched',
    ).to.have.length(1);
    const sizes = await gzipBytes(files);
    const total = sizes.reduce((sum, bytes) => sum + bytes, 0);
    expect(total, `${files.map((f, i) => `${f} ${sizes[i]}`).join(', ')}: ${total} bytes gzip`).to.be.at.most(
      REDEEM_ONLY_BUDGET,
    );
  });

  it('upgrades each element added to the document after the loader ran, wherever and however it is added', async function () {
    (this as { timeout(ms: number): void }).timeout(30_000);
    const result = await openCdnPage('', 'cdn-late');
    expect(result.failure, result.failure).to.equal(undefined);
    expect(result.violations).to.deep.equal([]);
    expect(result.upgraded).to.deep.equal(Object.fromEntries(TAGS.map((tag) => [tag, true])));
  });

  it('define() loads a tag before it appears; discover() finds one in a shadow root; a hidden tag waits until shown', async function () {
    (this as { timeout(ms: number): void }).timeout(30_000);
    const result = await openCdnPage('?api', 'cdn-late');
    expect(result.failure, result.failure).to.equal(undefined);
    expect(result.upgraded).to.deep.equal({
      'sms-otp-verify': true,
      'credential-status before discover': false,
      'credential-status': true,
      'invite-redeem while hidden': false,
      'invite-redeem once shown': true,
    });
    expect(result.defined).to.have.members(['sms-otp-verify', 'credential-status', 'invite-redeem']);
  });
});
