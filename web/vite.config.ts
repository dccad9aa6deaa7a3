import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The backoffice: built into dist/web, which the API server serves at `/`. */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    // The output lies outside `root`: Vite only empties it when told to.
    emptyOutDir: true,
    // The privacy portal (issue 15) is its own entry: /portal serves portal.html.
    rollupOptions: { input: { main: fileURLToPath(new URL('index.html', import.meta.url)), portal: fileURLToPath(new URL('portal.html', import.meta.url)) } },
  },
  server: {
    // `vite --config web/vite.config.ts` beside `rempart serve` (default port 8080).
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' },
  },
});
