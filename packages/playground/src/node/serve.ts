/**
 * A small static file server for the built playground, on 127.0.0.1 only. `pnpm playground` builds the page and
 * runs this; `--port N` picks the port (default 8080, the next free one if that is taken; 0 for any).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_OUTDIR, buildPlayground, formatSizes } from './build.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** A server started by `serveFolder`. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the files under `root` (GET and HEAD; `/` is index.html) until `close()`. */
export function serveFolder(root: string, { port = 8080, host = '127.0.0.1' }: { port?: number; host?: string } = {}): Promise<RunningServer> {
  const base = resolve(root);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split(/[?#]/)[0]);
    const file = normalize(join(base, path === '/' ? 'index.html' : path));
    let size = -1;
    try {
      if (file.startsWith(base + sep)) size = statSync(file).isFile() ? statSync(file).size : -1;
    } catch {
      size = -1;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (size < 0) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Not found: ${path}\n`);
    } else {
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': size, 'Cache-Control': 'no-store' });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const { port: actual } = server.address() as AddressInfo;
      resolvePromise({
        url: `http://${host}:${actual}/`,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, 'no-build': { type: 'boolean' } }, strict: true });
  const requested = values.port === undefined ? undefined : Number(values.port);
  if (requested !== undefined && !(Number.isInteger(requested) && requested >= 0 && requested < 65536)) {
    throw new Error(`playground: --port must be an integer from 0 to 65535, got '${values.port}'`);
  }
  if (!values['no-build']) console.log(formatSizes(await buildPlayground()));
  let server: RunningServer;
  try {
    server = await serveFolder(DEFAULT_OUTDIR, { port: requested ?? 8080 });
  } catch (e) {
    // Without an explicit --port, a busy 8080 is not an error: any free port will do.
    if (requested !== undefined || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    server = await serveFolder(DEFAULT_OUTDIR, { port: 0 });
  }
  console.log(`\ntensorgrad playground: ${server.url}  (Ctrl+C to stop)`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
