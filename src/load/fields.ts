import { cleanLine, cleanText } from './text.js';
import { strictUri } from './uri.js';

/**
 * Typed readers for one record's fields. Each reports a problem through
 * `report(field, problem)` and returns undefined, so one pass over a record
 * collects every problem in it.
 */
export class FieldReader {
  constructor(
    private readonly record: Readonly<Record<string, unknown>>,
    private readonly report: (field: string, problem: string) => void,
  ) {}

  has(field: string): boolean {
    return this.record[field] !== undefined && this.record[field] !== null;
  }

  /** Single-line text, cleaned; `required` reports a missing or blank value. */
  line(field: string, required: boolean, maxLength = 1000): string | undefined {
    return readLine(this.record[field], field, required, maxLength, this.report);
  }

  /** Multi-line text, cleaned. */
  text(field: string, required: boolean, maxLength = 10_000_000): string | undefined {
    const value = this.record[field];
    if (value === undefined || value === null) {
      if (required) this.report(field, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') return this.wrongType(field, 'a string', value);
    if (value.length > maxLength) return void this.report(field, `must be at most ${maxLength} characters, got ${value.length}`);
    const text = cleanText(value);
    if (required && text === '') return void this.report(field, 'must not be empty');
    return text === '' ? undefined : text;
  }

  url(field: string, required: boolean): string | undefined {
    return readUrl(this.record[field], field, required, this.report);
  }

  integer(field: string, min: number, max: number): number | undefined {
    return readInteger(this.record[field], field, min, max, this.report);
  }

  array(field: string): readonly unknown[] | undefined {
    const value = this.record[field];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) return this.wrongType(field, 'an array', value);
    return value;
  }

  private wrongType(field: string, expected: string, value: unknown): undefined {
    this.report(field, `must be ${expected}, got ${describe(value)}`);
    return undefined;
  }
}

export function readLine(value: unknown, field: string, required: boolean, maxLength: number, report: (f: string, p: string) => void): string | undefined {
  if (value === undefined || value === null) {
    if (required) report(field, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') {
    report(field, `must be a string, got ${describe(value)}`);
    return undefined;
  }
  const text = cleanLine(value);
  if (text.length > maxLength) {
    report(field, `must be at most ${maxLength} characters, got ${text.length}`);
    return undefined;
  }
  if (text === '') {
    if (required) report(field, 'must not be empty');
    return undefined;
  }
  return text;
}

export function readUrl(value: unknown, field: string, required: boolean, report: (f: string, p: string) => void): string | undefined {
  const text = readLine(value, field, required, 4000, report);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    report(field, `must be an absolute http or https URL, got ${JSON.stringify(text)}`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    report(field, `must be an absolute http or https URL, got ${JSON.stringify(text)}`);
    return undefined;
  }
  return strictUri(url);
}

export function readInteger(value: unknown, field: string, min: number, max: number, report: (f: string, p: string) => void): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    report(field, `must be a whole number from ${min} to ${max}, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

/** A short, safe description of a JSON value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return `${typeof value} ${String(value)}`;
}
