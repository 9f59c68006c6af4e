import type { Preview } from '@storybook/web-components-vite';
import { setCustomElementsManifest } from '@storybook/web-components-vite';
import { html } from 'lit';
import manifest from '../dist/custom-elements.json';
import { passNavigator, webOtp } from '../src/index.js';
import './preview.css';

type Member = { privacy?: string; static?: boolean };
type Manifest = { modules: { declarations?: { members?: Member[] }[] }[] };

/** The public API only: private and protected members are implementation, not controls. */
function publicApi(source: Manifest): Manifest {
  return {
    ...source,
    modules: source.modules.map((m) => ({
      ...m,
      declarations: m.declarations?.map((d) => ({
        ...d,
        members: d.members?.filter((x) => !x.privacy || x.privacy === 'public').filter((x) => !x.static),
      })),
    })),
  };
}

// Docs tables (attributes, properties, events, slots, parts, CSS properties) come from the JSDoc.
setCustomElementsManifest(publicApi(manifest as Manifest));

// A story never leaves the page or waits on the OS for an SMS.
passNavigator.assign = (url: string) => console.info('[story] would open', url);
webOtp.receive = async () => null;

const preview: Preview = {
  tags: ['autodocs'],
  globalTypes: {
    locale: {
      description: 'Language of the widgets',
      toolbar: {
        title: 'Locale',
        icon: 'globe',
        items: [
          { value: 'en', title: 'English' },
          { value: 'de', title: 'Deutsch' },
          { value: 'ar', title: 'العربية' },
        ],
        dynamicTitle: true,
      },
    },
    dir: {
      description: 'Text direction',
      toolbar: {
        title: 'Direction',
        icon: 'transfer',
        items: [
          { value: 'auto', title: 'From locale' },
          { value: 'ltr', title: 'LTR' },
          { value: 'rtl', title: 'RTL' },
        ],
        dynamicTitle: true,
      },
    },
    theme: {
      description: 'Colour theme',
      toolbar: {
        title: 'Theme',
        icon: 'paintbrush',
        items: [
          { value: 'light', title: 'Light' },
          { value: 'dark', title: 'Dark' },
          { value: 'brand', title: 'Custom brand' },
        ],
        dynamicTitle: true,
      },
    },
    motion: {
      description: 'prefers-reduced-motion',
      toolbar: {
        title: 'Motion',
        icon: 'lightning',
        items: [
          { value: 'full', title: 'Full motion' },
          { value: 'reduced', title: 'Reduced motion' },
        ],
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: { locale: 'en', dir: 'auto', theme: 'light', motion: 'full' },
  decorators: [
    (story, { globals }) => {
      const locale = String(globals.locale ?? 'en');
      const dir = globals.dir === 'ltr' || globals.dir === 'rtl' ? globals.dir : locale === 'ar' ? 'rtl' : 'ltr';
      // The whole canvas takes the theme's background, not only the phone-width column (issue 29 point 11).
      document.documentElement.dataset.keywayTheme = String(globals.theme ?? 'light');
      return html`<div class="keyway-story" data-theme=${globals.theme ?? 'light'} data-motion=${globals.motion ?? 'full'} lang=${locale} dir=${dir}>
        ${story()}
      </div>`;
    },
  ],
  parameters: {
    layout: 'fullscreen',
    controls: { expanded: true },
    // Violations fail the story's test, not just the panel.
    a11y: { test: 'error' },
    docs: { toc: true },
  },
};

export default preview;
