import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { createLogger, escapeControls, lineLogger } from '../../src/observe/logger.js';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write: (chunk: Buffer, _e, done) => void ((text += chunk.toString()), done()) }), text: () => text };
}

describe('the process logger', () => {
  it('writes JSON lines with level name, ISO time and message, at and above LOG_LEVEL', () => {
    const out = sink();
    const log = lineLogger(createLogger({ level: 'warn', pretty: false, destination: out.stream }));
    log('reload: 3 file(s) changed');
    log('rejected: data/articles/x.json: field "id" is required', 'warn');
    log('reload failed: boom', 'error');
    const lines = out.text().trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { level: 'warn', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), msg: 'rejected: data/articles/x.json: field "id" is required' },
      { level: 'error', time: expect.any(String), msg: 'reload failed: boom' },
    ]);
  });

  it('keeps a message with newlines and a forged JSON record inside one line', () => {
    const out = sink();
    createLogger({ level: 'info', pretty: false, destination: out.stream }).info('rejected: a.json\n{"level":"fatal","msg":"forged"}');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'info', msg: 'rejected: a.json\n{"level":"fatal","msg":"forged"}' });
  });

  it('shows readable single lines on a terminal, control characters escaped', () => {
    const out = sink();
    createLogger({ level: 'info', pretty: true, destination: out.stream }).warn({ path: '/a\nb' }, 'line one\nline two \u001b[31mred\u2028');
    const text = out.text();
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: line one\\u000aline two \\u001b\[31mred\\u2028 \{"path":"\/a\\nb"\}\n$/);
    expect(escapeControls('a\tb\u0085')).toBe('a\\u0009b\\u0085');
  });
});

describe('logging and metrics configuration', () => {
  it('has defaults: info, metrics off', () => {
    const config = loadConfig({});
    expect(config.logLevel).toBe('info');
    expect(config.metrics).toBe(false);
    expect(config.metricsPort).toBeUndefined();
  });

  it('reads LOG_LEVEL, METRICS and METRICS_PORT', () => {
    expect(loadConfig({ LOG_LEVEL: 'Debug' }).logLevel).toBe('debug');
    expect(loadConfig({ METRICS: 'true', METRICS_PORT: '9464' })).toMatchObject({ metrics: true, metricsPort: 9464 });
  });

  it.each([
    [{ LOG_LEVEL: 'verbose' }, 'environment variable LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"'],
    [{ METRICS: 'maybe' }, 'environment variable METRICS must be true or false, got "maybe"'],
    [{ METRICS_PORT: '9464' }, 'environment variable METRICS_PORT is set but METRICS is not true; set METRICS=true to serve metrics'],
    [{ METRICS: 'true', METRICS_PORT: '0' }, 'environment variable METRICS_PORT must be a whole number from 1 to 65535, got "0"'],
    [{ METRICS: 'true', METRICS_PORT: '3000' }, 'environment variable METRICS_PORT must differ from PORT (3000)'],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
