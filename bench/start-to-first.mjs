// Quick probe: spawn the server, poll /rss.xml, report ms to first 200 and peak RSS (VmHWM).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
const [dataDir, port = '3999', ...nodeArgs] = process.argv.slice(2);
const started = performance.now();
const child = spawn(process.execPath, [...nodeArgs, 'dist/src/main.js'], { env: { ...process.env, DATA_DIR: dataDir, PORT: port, HOST: '127.0.0.1' }, stdio: ['ignore', 'inherit', 'inherit'] });
let exited = false;
child.on('exit', (code, signal) => { exited = true; console.log(`server exited ${code ?? signal}`); });
for (;;) {
  if (exited) process.exit(1);
  try {
    const res = await fetch(`http://127.0.0.1:${port}/rss.xml`);
    const body = await res.text();
    if (res.status === 200) { console.log(`first 200 after ${(performance.now() - started).toFixed(0)} ms (${body.length} chars)`); break; }
  } catch {}
  await new Promise((r) => setTimeout(r, 20));
}
console.log(readFileSync(`/proc/${child.pid}/status`, 'utf8').split('\n').filter((l) => /VmHWM|VmRSS/.test(l)).join('\n'));
child.kill('SIGTERM');
