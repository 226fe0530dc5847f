import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledEstate } from '../../../../compile/types.ts';
import { parseSetElements, suggestFlows, suggestionsYaml } from './observed.ts';

const compiled = {
  networks: [
    { owner: 'app/web', cidr: '198.18.1.0/26' },
    { owner: 'app/api', cidr: '198.18.2.0/26' },
    { owner: 'db/main', cidr: '198.18.3.0/26' },
  ],
  infrastructure: [{ address: 'edge/par-1', cidr: '198.18.0.64/26' }],
  flows: [{ from: 'app/web', to: 'app/api', port: 8080, protocol: 'tcp' }],
} as unknown as CompiledEstate;

test('set elements are read with or without timeouts, protocols by name or number', () => {
  const json = JSON.stringify({
    nftables: [
      { metainfo: {} },
      { set: { name: 'observed', elem: [{ elem: { val: { concat: ['198.18.1.2', '198.18.2.2', 'tcp', 9999] }, timeout: 3600 } }, { concat: ['198.18.1.2', '198.18.3.2', 17, 53] }] } },
    ],
  });
  assert.deepEqual(parseSetElements(json), [
    { source: '198.18.1.2', destination: '198.18.2.2', protocol: 'tcp', port: 9999 },
    { source: '198.18.1.2', destination: '198.18.3.2', protocol: 'udp', port: 53 },
  ]);
});

test('suggestions skip declared flows and non-application sources, grouped per application', () => {
  const seen = [
    { zone: 'par-1', source: '198.18.1.2', destination: '198.18.2.2', port: 8080, protocol: 'tcp', sourceOwner: 'app/web', destinationOwner: 'app/api' },
    { zone: 'par-1', source: '198.18.1.2', destination: '198.18.2.2', port: 9999, protocol: 'tcp', sourceOwner: 'app/web', destinationOwner: 'app/api' },
    { zone: 'par-2', source: '198.18.1.3', destination: '198.18.2.3', port: 9999, protocol: 'tcp', sourceOwner: 'app/web', destinationOwner: 'app/api' },
    { zone: 'par-1', source: '198.18.1.2', destination: '198.18.3.2', port: 5432, protocol: 'tcp', sourceOwner: 'app/web', destinationOwner: 'db/main' },
    { zone: 'par-1', source: '198.18.1.2', destination: '198.18.2.2', port: 39917, protocol: 'udp', sourceOwner: 'app/web', destinationOwner: 'app/api' },
    { zone: 'par-1', source: '198.18.0.66', destination: '198.18.2.2', port: 22, protocol: 'tcp', sourceOwner: 'edge/par-1', destinationOwner: 'app/api' },
  ];
  const { suggestions, skipped } = suggestFlows(compiled, seen);
  assert.equal(skipped.length, 1);
  assert.equal(
    suggestionsYaml(suggestions),
    '# observed, not declared: add these under each application in the estate file\napplications:\n  web:\n    flows:\n      - { to: api, port: 9999 }\n      - { to: db/main, port: 5432 }\n',
  );
});
