import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by the broker's HTTP port (startBroker({ consoleDir: 'apps/console/dist' })).
// `npm run dev -w @orders/console` proxies the API to a broker on :9080 (SPS_HTTP_URL to change it).
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: { '/api': { target: process.env.SPS_HTTP_URL ?? 'http://127.0.0.1:9080', changeOrigin: true } },
  },
});
