import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by the broker's HTTP port (startBroker({ consoleDir: 'apps/console/dist' })).
// `npm run dev -w @orders/console` proxies the API to a broker on :9080 (SPS_HTTP_URL to change it).
const target = process.env.SPS_HTTP_URL ?? 'http://127.0.0.1:9080';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/api': {
        target,
        changeOrigin: true,
        // The broker takes writes only from its own origin (libs/http-guard). The dev server's own page
        // stands in for it; any other page's Origin is passed on unchanged, and refused there.
        configure: (proxy) =>
          proxy.on('proxyReq', (proxyReq, req) => {
            const origin = req.headers.origin;
            if (!origin || origin === 'null') return;
            try {
              if (new URL(origin).host === req.headers.host)
                proxyReq.setHeader('origin', new URL(target).origin);
            } catch {
              // not a URL: leave it for the broker to refuse
            }
          }),
      },
    },
  },
});
