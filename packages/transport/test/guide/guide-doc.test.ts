import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const FILES = ['kv-lite-codec.ts', 'kv-lite-server.ts', 'kv-lite.test.ts'];

describe('docs/custom-protocol.md', () => {
  it('shows exactly the guide files (type-checked and run here), in order, every code block one of them', () => {
    const doc = readFileSync(new URL('../../../../docs/custom-protocol.md', import.meta.url), 'utf8');
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```\n/g)].map((m) => m[1]!);
    const files = FILES.map((f) =>
      readFileSync(new URL(f, import.meta.url), 'utf8').replaceAll("'../../src/index.js'", "'@iocp/transport'"),
    );
    expect(blocks.length).toBeGreaterThanOrEqual(FILES.length);
    // A file may be shown in several consecutive blocks with prose between them.
    expect(blocks.join('')).toBe(files.join(''));
    // No other language's block slips in untested.
    expect([...doc.matchAll(/```(\w+)\n/g)].map((m) => m[1]).filter((l) => l !== 'ts')).toEqual([]);
  });
});
