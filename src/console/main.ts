// The staff console's entry (dist/console/console.js, served at /console): its own build, nothing
// from @keyway/elements' CDN entry. Registration happens here, as define.ts does for the elements.
import { KeywayConsole } from './app.js';
import { ConsolePeople } from './people-page.js';
import { ConsolePerson } from './person-page.js';

const tags: [string, CustomElementConstructor][] = [
  ['console-people', ConsolePeople],
  ['console-person', ConsolePerson],
  ['keyway-console', KeywayConsole],
];
for (const [tag, element] of tags) if (!customElements.get(tag)) customElements.define(tag, element);
