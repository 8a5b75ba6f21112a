import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawRequest } from '../http/feed-client.js';
import { freePort } from './throwaway-cluster.js';

/** The shipped VCL's folder: tests run deploy/varnish/default.vcl itself, with origins of their own. */
export const VCL_DIR = join(import.meta.dirname, '..', '..', 'deploy', 'varnish');
const XKEY = '/usr/lib/x86_64-linux-gnu/varnish/vmods/libvmod_xkey.so';

function varnishFound(): boolean {
  try {
    execFileSync('varnishd', ['-V'], { stdio: 'ignore' });
    return existsSync(XKEY);
  } catch {
    return false;
  }
}

export const VARNISH_FOUND = varnishFound();
/** Set by .ci/run: a missing varnishd fails the suite instead of skipping it. */
export const VARNISH_REQUIRED = process.env.WIREFEED_REQUIRE_VARNISH === '1';
/** Skip only when Varnish is missing and CI did not ask for it. */
export const SKIP_VARNISH_TESTS = !VARNISH_FOUND && !VARNISH_REQUIRED;
if (!VARNISH_FOUND) {
  console.warn(
    VARNISH_REQUIRED
      ? 'Varnish tests FAIL: WIREFEED_REQUIRE_VARNISH=1 but varnishd or vmod_xkey is missing (apt-get install varnish varnish-modules).'
      : 'Varnish tests skipped: varnishd or vmod_xkey is not installed (apt-get install varnish varnish-modules to run them).',
  );
}

export interface RunningVarnish {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** What varnishd wrote so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * origins.vcl for loopback origins: one backend, or a round-robin director
 * over several (the replicas' file with loopback addresses); localhost may
 * purge.
 */
export function originsVcl(ports: readonly number[]): string {
  const backends = ports.map((port, i) => `backend origin_${i} {\n  .host = "127.0.0.1";\n  .port = "${port}";\n  .connect_timeout = 1s;\n  .first_byte_timeout = 5s;\n}\n`).join('\n');
  const director = `import directors;\nsub vcl_init {\n  new fleet = directors.round_robin();\n${ports.map((_, i) => `  fleet.add_backend(origin_${i});\n`).join('')}}\n`;
  return `${director}\n${backends}\nsub wirefeed_origin {\n  set req.backend_hint = fleet.backend();\n}\n\nacl wirefeed_purgers {\n  "127.0.0.1";\n}\n`;
}

/**
 * Starts varnishd in the foreground on a free loopback port with the
 * shipped default.vcl and an origins.vcl naming the given origin ports, in
 * a working folder of its own (-n), without a management port (-T none).
 * vcl_path looks in the test's folder first, so its origins.vcl is the one
 * included.
 */
export async function startVarnish(originPorts: readonly number[], options: { port?: number; extraArgs?: readonly string[] } = {}): Promise<RunningVarnish> {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-varnish-'));
  // varnishd drops to its own user for the worker and the compiler: they must read this folder.
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'origins.vcl'), originsVcl(originPorts));
  const port = options.port ?? (await freePort());
  const args = ['-F', '-n', join(dir, 'work'), '-a', `127.0.0.1:${port}`, '-T', 'none', '-s', 'malloc,64m', '-p', `vcl_path=${dir}:${VCL_DIR}`, '-f', join(VCL_DIR, 'default.vcl'), ...(options.extraArgs ?? [])];
  const child: ChildProcess = spawn('varnishd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`varnishd exited (${child.exitCode}): ${output}`);
    const answered = await rawRequest(`${url}/healthz`).then(
      () => true,
      () => false,
    );
    if (answered) break;
    if (Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`varnishd did not answer within 30 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PURGE through Varnish, as wirefeed's Varnish target sends it. */
export function purge(varnish: string, keys: readonly string[]): ReturnType<typeof rawRequest> {
  return rawRequest(`${varnish}/`, { 'xkey-purge': keys.join(' ') }, 'PURGE');
}
