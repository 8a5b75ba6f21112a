/**
 * /api answers that did not match the OpenAPI document, since the last
 * `takeMismatches`: openapi-check.ts records them, openapi-setup.ts fails the
 * test with them. Apart from openapi-check.ts so that the setup file, run for
 * every test file, loads neither Ajv nor the document.
 */
const mismatches: string[] = [];

export function recordMismatches(found: readonly string[]): void {
  mismatches.push(...found);
}

export function takeMismatches(): string[] {
  return mismatches.splice(0);
}
