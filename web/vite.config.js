// Vite build of the newsdb web UI: one hashed JS and CSS bundle under dist/assets, embedded
// into bin/newsdb by tools/embed_web.sh. No external URLs (works offline).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2020',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
