/**
 * The package entry (`import { createWirefeed } from 'wirefeed'`): wirefeed
 * as a router to mount in an Express app, and the types its options and
 * errors use. The `wirefeed` command and `npm start` do not go through here.
 */
export { createWirefeed, type Wirefeed, type WirefeedRouter } from './create-wirefeed.js';
export { WirefeedOptionError, OPTION_VARIABLES, type WirefeedOptions } from './wirefeed-options.js';
export { ConfigError, LOG_LEVELS, type LogLevel } from './config/config.js';
export { SiteError } from './load/errors.js';
export { DatabaseStartError } from './store/postgres/postgres-store.js';
export { KeysFileError } from './http/api-keys.js';
export { PROBLEM_MEDIA_TYPE, type ProblemDetails, type RecordProblem } from './api-description/problem-details.js';
