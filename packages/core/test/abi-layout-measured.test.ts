import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ABIS, createDefaultAbiRegistry } from '@pagevisor/core';

/**
 * Every layout against offsets measured from Xen's own headers. The fixture holds
 * sizeof/offsetof of the paging ring entry at every release tag, compiled with gcc for x86-64 by
 * tools/xen-layouts/measure.sh (each entry names its tag and commit).
 */
interface Measured {
  readonly tag: string;
  readonly commit: string;
  readonly header: string;
  readonly layout: { entryBytes: number; ringSlots: number; fields: Record<string, [offset: number, size: number]> };
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/xen-layouts.json', import.meta.url), 'utf8')) as { origin: string; releases: Measured[] };

/** The ABI that speaks each release's ring (ages 2 and 3 are not upstream releases). */
const ABI_OF_RELEASE: Record<string, string> = {
  'RELEASE-4.0.0': 'mem_event/4.0',
  'RELEASE-4.1.0': 'mem_event/age1',
  'RELEASE-4.2.0': 'mem_event/4.2',
  'RELEASE-4.3.0': 'mem_event/4.2',
  'RELEASE-4.4.0': 'mem_event/4.2',
  'RELEASE-4.5.0': 'mem_event/4.5',
  'RELEASE-4.6.0': 'vm_event/v1',
  'RELEASE-4.7.0': 'vm_event/v1',
  'RELEASE-4.8.0': 'vm_event/v2',
  'RELEASE-4.9.0': 'vm_event/v2',
  'RELEASE-4.10.0': 'vm_event/v2',
  'RELEASE-4.11.0': 'vm_event/v3',
  'RELEASE-4.12.0': 'vm_event/v4',
  'RELEASE-4.13.0': 'vm_event/v5',
  'RELEASE-4.14.0': 'vm_event/v6',
};
const abiOf = (tag: string): string => ABI_OF_RELEASE[tag] ?? 'vm_event/v7';

describe('ABI layouts against Xen headers compiled at every release tag', () => {
  it('the fixture covers every release from 4.0 to 4.22', () => {
    expect(fixture.releases.map((r) => r.tag)).toEqual(Array.from({ length: 23 }, (_, i) => `RELEASE-4.${i}.0`));
  });

  for (const release of fixture.releases) {
    const id = abiOf(release.tag);
    it(`${release.tag} (${release.commit.slice(0, 10)}, ${release.header}): ${id} has its entry size, ring slots and field offsets`, () => {
      const registry = createDefaultAbiRegistry();
      expect(registry.has(id), `no ABI ${id} for ${release.tag}`).toBe(true);
      const abi = registry.get(id);
      expect(abi.entryBytes).toBe(release.layout.entryBytes);
      expect(abi.ringSlots).toBe(release.layout.ringSlots);
      for (const [name, [offset, size]] of Object.entries(release.layout.fields)) {
        expect(abi.layout.find((field) => field.name === name), `${id} ${name}`).toMatchObject({ offset, size });
      }
    });
  }

  it('every built-in ABI of an upstream release is measured', () => {
    const measured = new Set(fixture.releases.map((r) => abiOf(r.tag)));
    expect(BUILTIN_ABIS.map((abi) => abi.id).filter((id) => !measured.has(id))).toEqual(['mem_event/age2', 'mem_event/age3']);
  });
});
