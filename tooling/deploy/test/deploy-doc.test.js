// docs/deploy.md shows only load-balancer configs the tests run: its haproxy and nginx blocks must
// be exactly what lib/configs.js renders for the guide's example addresses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DOC_EXAMPLE, haproxyConfig, nginxStreamConfig } from '../lib/configs.js';

const guide = readFileSync(new URL('../../../docs/deploy.md', import.meta.url), 'utf8');

/** The fenced blocks of `guide` tagged `lang`, each with its final newline. */
function blocks(lang) {
  return [...guide.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]);
}

describe('docs/deploy.md', () => {
  it('shows the HAProxy config the tests run (rendered for the example addresses)', () => {
    assert.deepEqual(blocks('haproxy'), [haproxyConfig({ ...DOC_EXAMPLE, proxyVersion: 2 })]);
  });

  it('shows the nginx stream config the tests run (rendered for the example addresses)', () => {
    assert.deepEqual(blocks('nginx'), [nginxStreamConfig(DOC_EXAMPLE)]);
  });

  it('names the server flags the apps have', () => {
    for (const flag of ['--proxy-protocol', '--trusted-proxy', '--workers', '--metrics', '--drain-timeout', '--reconnect']) {
      assert.ok(guide.includes(flag), flag);
    }
  });
});
