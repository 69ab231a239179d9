import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

// Three static pages; the local server (and `clickstream dashboard --stack`) serves dist/ as files.
// Relative asset URLs, so the pages work under any path prefix. Everything is bundled: no request
// leaves the machine (no CDN, no web fonts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: { index: page('index.html'), tail: page('tail.html'), queries: page('queries.html') },
    },
  },
});
