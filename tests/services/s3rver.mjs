// Starts an S3-compatible server (s3rver validates SigV4, including presigned URLs and expiry) for tests.
// Usage: node tests/services/s3rver.mjs [port]   (or S3RVER_PORT; default 4569; 0 = any free port)
// Prints "ready <endpoint>" once listening; credentials are S3RVER / S3RVER; bucket "teacherplatform".
// The package ships no CLI launcher, hence this script.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';

const port = Number(process.argv[2] ?? process.env.S3RVER_PORT ?? 4569);
const bucket = process.env.S3RVER_BUCKET ?? 'teacherplatform';
const directory = mkdtempSync(join(tmpdir(), 's3rver-'));

const server = new S3rver({
  port,
  address: '127.0.0.1',
  silent: true,
  directory,
  vhostBuckets: false,
  configureBuckets: [{ name: bucket }],
});

const cleanup = () => rmSync(directory, { recursive: true, force: true });

try {
  const { port: actualPort } = await server.run();
  console.log(`ready http://127.0.0.1:${actualPort}`);
} catch (err) {
  console.error(err);
  cleanup();
  process.exit(1);
}

const stop = async () => {
  try { await server.close(); } finally { cleanup(); process.exit(0); }
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// The test fixture owns this process through its stdin: when the parent dies, stdin closes and we exit.
process.stdin.on('end', stop);
process.stdin.resume();
