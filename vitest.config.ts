import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    // Vitest leaves one core idle by default; on the 2-core machines here that halves the speed.
    maxWorkers: 2,
    projects: [
      // Pure tier: the build step and the renderers, in Node.
      {
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      // HTTP tier: the Worker inside workerd, with the Cache API miniflare provides.
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: { name: 'worker', include: ['test/worker/**/*.test.ts'], testTimeout: 30_000 },
      },
    ],
  },
});
