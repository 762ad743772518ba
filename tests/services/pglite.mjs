// Hands out fresh PostgreSQL + pgvector databases for tests: each one a separate PGlite instance (its own single
// session) served over the PostgreSQL wire protocol on its own loopback port.
// Usage: node tests/services/pglite.mjs   then, on stdin, one command per line:
//   new          -> "db <port>"      a fresh database (template copy: schema-less, `vector` extension created)
//   close <port> -> "closed <port>"
// Prints "ready" once the template is built. Exits when stdin closes, so it cannot outlive the test process.
import { createInterface } from 'node:readline';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketHandler, PGLiteSocketServer } from '@electric-sql/pglite-socket';

// PostgreSQL closes a cancel-request connection once it has read it, and clients wait for that close (Npgsql does,
// synchronously, inside the cancelled call). pglite-socket reads and ignores the request but keeps the socket open,
// which would hang every cancelled query: close it as PostgreSQL does. (The query itself runs to completion.)
const handleCancelRequest = PGLiteSocketHandler.prototype.handleCancelRequest;
PGLiteSocketHandler.prototype.handleCancelRequest = function () {
  const handled = handleCancelRequest.call(this);
  if (handled) setImmediate(() => this.socket?.destroy()); // emits close: the server forgets the handler as usual
  return handled;
};

// initdb takes seconds; a data-directory dump of a fresh database restores in well under one.
const template = await PGlite.create('memory://', { extensions: { vector } });
await template.exec('CREATE EXTENSION IF NOT EXISTS vector');
const dump = await template.dumpDataDir('none');
await template.close();

const open = new Map();

async function create() {
  const db = await PGlite.create('memory://', { extensions: { vector }, loadDataDir: dump });
  // One session (one backend) per database; a few sockets so that a reconnect is accepted while the
  // previous socket is still being closed, and Npgsql's cancel requests are received (PGlite ignores them).
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 4 });
  await server.start();
  open.set(server.port, { db, server });
  return server.port;
}

async function close(port) {
  const entry = open.get(port);
  if (!entry) return;
  open.delete(port);
  await entry.server.stop();
  await entry.db.close();
}

// Commands run one at a time, in order.
let chain = Promise.resolve();
const lines = createInterface({ input: process.stdin });
lines.on('line', line => {
  const [command, arg] = line.trim().split(/\s+/);
  chain = chain.then(async () => {
    try {
      if (command === 'new') console.log(`db ${await create()}`);
      else if (command === 'close') {
        // Answered at once, torn down in the background: stopping the socket server waits for its clients, and a client
        // that never hangs up (a test host that is still shutting down) once stalled this queue, and with it every
        // later `new`, for the rest of the run.
        close(Number(arg)).catch(err => console.error(`close ${arg}: ${err?.message ?? err}`));
        console.log(`closed ${arg}`);
      }
      else console.log(`error unknown command ${command}`);
    } catch (err) {
      console.log(`error ${String(err?.message ?? err).replace(/\s+/g, ' ')}`);
    }
  });
});
lines.on('close', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
console.log('ready');
