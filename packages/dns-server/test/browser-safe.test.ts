/** The `.` entry point must run in browsers: nothing it imports, transitively, may use `node:*`. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]!);
}

describe('browser safety', () => {
  it('src/index.ts reaches no node: module and nothing under server/ or node/', () => {
    const seen = new Set<string>();
    const stack = [resolve(srcDir, 'index.ts')];
    const offenders: string[] = [];
    while (stack.length > 0) {
      const file = stack.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of imports(file)) {
        if (spec.startsWith('node:')) offenders.push(`${file}: ${spec}`);
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        if (target.includes('/server/') || target.includes('/node/')) offenders.push(`${file}: ${spec}`);
        stack.push(target);
      }
    }
    expect(seen.size).toBeGreaterThan(15);
    expect(offenders).toEqual([]);
  });
});
