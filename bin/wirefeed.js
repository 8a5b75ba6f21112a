#!/usr/bin/env node
// The `wirefeed` command. It runs the compiled sources in dist/, which `npm install` builds (the
// `prepare` script) in a fresh clone; this launcher is plain JavaScript checked in with its
// executable bit, so `npx wirefeed` works without a build step of its own.
const entry = new URL('../dist/src/cli/wirefeed.js', import.meta.url);
try {
  await import(entry.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('wirefeed.js')) throw error;
  process.stderr.write('wirefeed: not built yet; run `npm run build` (npm install does it) and try again\n');
  process.exitCode = 1;
}
