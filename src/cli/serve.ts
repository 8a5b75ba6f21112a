import { ConfigError, loadConfig } from '../config/config.js';
import { readCommandLine, UsageError, withUsage, type CliIo } from './cli-io.js';

const SERVE_USAGE = `usage: wirefeed serve [--port N] [--host ADDRESS] [--data-dir DIR] [--site-url URL] [--log-level LEVEL]

Serves the feeds, pages and APIs. Each option sets the environment variable
of the same name (--data-dir: DATA_DIR) and wins over it; every other
setting is read from the environment (see the configuration table in README.md).`;

/** Options and the variables they set: one name for each setting, whether given as an option or in the environment. */
const SETTINGS = { port: 'PORT', host: 'HOST', 'data-dir': 'DATA_DIR', 'site-url': 'SITE_URL', 'log-level': 'LOG_LEVEL' } as const;

/** `wirefeed serve`: starts the server; the returned promise settles once it is starting, the process then lives on. */
export function runServe(argv: readonly string[], io: CliIo): Promise<number> {
  return withUsage('serve', SERVE_USAGE, io, async () => {
    const { values, positionals } = readCommandLine(argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'site-url': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(`${SERVE_USAGE}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const env: Record<string, string | undefined> = { ...io.env };
    const given = new Map<string, string>();
    for (const [option, variable] of Object.entries(SETTINGS)) {
      const value = values[option as keyof typeof SETTINGS];
      if (value !== undefined) {
        env[variable] = value;
        given.set(variable, option);
      }
    }
    // A bad option is a bad command line (exit 2); a bad variable is the server's fail-fast (a fatal log line, exit 1).
    try {
      loadConfig(env);
    } catch (error) {
      const option = error instanceof ConfigError ? given.get(error.variable) : undefined;
      if (option !== undefined) throw new UsageError(`--${option} ${(error as ConfigError).problem}`);
    }
    // Loaded only now: the other commands do not need the HTTP stack.
    const { startServer } = await import('../main.js');
    await startServer(env);
    return 0;
  });
}
