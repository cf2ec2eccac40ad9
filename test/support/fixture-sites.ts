// The fixture sites test/support/global-setup.ts builds, named once for the build, the vitest
// config (which gives each its own static assets) and the worker tier (which serves them).

/** Each builds into `test/generated/<name>.js`, with its settled documents in `<name>.assets/`. */
export const FIXTURE_SITES = [
  'hostile',
  'scheduled',
  'paged',
  'archived',
  'scheduled-pages',
] as const;

/** The name of a fixture site. */
export type FixtureSiteName = (typeof FIXTURE_SITES)[number];

/** The runner's binding to a fixture's static assets, e.g. `FIXTURE_ASSETS_SCHEDULED_PAGES`. */
export function assetsBindingOf(name: FixtureSiteName): string {
  return `FIXTURE_ASSETS_${name.toUpperCase().replaceAll('-', '_')}`;
}
