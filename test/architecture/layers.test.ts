import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The import graph of src/, by top-level folder: what docs/architecture.md promises a reader. */
const SRC = resolve(import.meta.dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** "store" for src/store/files/x.ts, "main.ts" for src/main.ts. */
function layerOf(file: string): string {
  const [first = ''] = relative(SRC, file).split('/');
  return first;
}

const edges = new Map<string, Set<string>>();
const files = sourceFiles(SRC);
for (const file of files) {
  const from = layerOf(file);
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)) {
    const to = layerOf(resolve(dirname(file), spec as string));
    if (to === from) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from)?.add(to);
  }
}
const importsOf = (layer: string): string[] => [...(edges.get(layer) ?? [])].sort();

describe('layers', () => {
  it('model imports nothing outside model/, and config is a leaf', () => {
    expect(importsOf('model')).toEqual([]);
    expect(importsOf('config')).toEqual([]);
  });

  it('store/ imports only load/, model/ and config/', () => {
    for (const to of importsOf('store')) expect(['config', 'load', 'model']).toContain(to);
  });

  it('nothing imports http/ but the entry points: main.ts, cli/, the package entry (index.ts, create-wirefeed.ts) and what both assemble (assemble.ts)', () => {
    for (const [from, tos] of edges) if (tos.has('http')) expect(['main.ts', 'cli', 'index.ts', 'create-wirefeed.ts', 'assemble.ts']).toContain(from);
  });

  it('has no import cycle between folders', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const path: string[] = [];
    const visit = (layer: string): void => {
      if (state.get(layer) === 'done') return;
      if (state.get(layer) === 'visiting') throw new Error(`import cycle: ${[...path.slice(path.indexOf(layer)), layer].join(' → ')}`);
      state.set(layer, 'visiting');
      path.push(layer);
      for (const to of importsOf(layer)) visit(to);
      path.pop();
      state.set(layer, 'done');
    };
    for (const layer of edges.keys()) visit(layer);
  });
});
