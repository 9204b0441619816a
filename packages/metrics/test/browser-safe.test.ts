import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Every module reachable from `entry` through imports and re-exports, with its source. */
function moduleGraph(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const source = readFileSync(file, 'utf8');
    seen.set(file, source);
    for (const [, spec] of source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      if (spec === undefined) continue;
      if (!spec.startsWith('./')) throw new Error(`${file} imports non-relative ${spec}`);
      visit(normalize(join(dirname(file), spec.replace(/\.js$/, '.ts'))));
    }
  };
  visit(entry);
  return seen;
}

describe('the main entry works outside Node.js', () => {
  test('src/index.ts reaches only relative modules without Node globals', () => {
    const graph = moduleGraph(join(srcDir, 'index.ts'));
    expect(graph.size).toBeGreaterThan(5);
    expect([...graph.keys()].some((f) => f.endsWith('http.ts'))).toBe(false);
    for (const [file, source] of graph) {
      const code = source.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      expect(code, file).not.toMatch(/\b(require|process|Buffer|globalThis|__dirname)\b|node:|import\(/);
    }
  });

  test('the http helper is the only module importing node:', () => {
    const graph = moduleGraph(join(srcDir, 'index.ts'));
    const http = readFileSync(join(srcDir, 'http.ts'), 'utf8');
    expect(http).toMatch(/from 'node:http'/);
    expect([...graph.values()].some((s) => s.includes("from 'node:"))).toBe(false);
  });
});
