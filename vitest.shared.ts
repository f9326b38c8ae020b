import { defaultServerConditions, defineConfig } from 'vite';

/**
 * Settings every package's vitest project shares: resolve workspace packages to their sources through
 * the `@pagevisor/source` export condition, so tests need no prior build.
 */
export const sharedProjectConfig = defineConfig({
  // CI runs every project in parallel on 2 cores: give ordinary tests room (heavy ones set their own).
  test: { testTimeout: 20_000 },
  resolve: { conditions: ['@pagevisor/source'] },
  ssr: { resolve: { conditions: ['@pagevisor/source', ...defaultServerConditions] } },
});
