import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The web console, built into dist/console and served by the API under /console/. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // The CSP allows no inline script: no polyfill snippet, every script a file of its own.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: 'es2022',
    rollupOptions: {
      // zod's own comments put `@__PURE__` where Rollup cannot use it: it drops them and says so at every build.
      // That warning about a dependency's comments tells an operator nothing; any other, ours included, still shows.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/')) return;
        warn(warning);
      },
    },
  },
});
