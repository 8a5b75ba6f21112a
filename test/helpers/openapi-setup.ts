import { afterEach, expect } from 'vitest';
import { takeMismatches } from './openapi-mismatches.js';

/**
 * Set up for every test file (vitest.config.ts): a test in which an /api
 * answer did not match the OpenAPI document fails, naming the answer and
 * what did not match (see openapi-check.ts).
 */
afterEach(() => {
  expect(takeMismatches(), 'answers under /api that /api/openapi.json does not describe').toEqual([]);
});
