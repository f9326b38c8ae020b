/**
 * Writes packages/policies/test/fixtures/xenpaging-reference.json: long random sequences of choose /
 * paged out / paged in / dropped, and the victims xenpaging's own policy_default.c chooses for them
 * (built by build.sh from a Xen git directory). The operations follow Pagevisor's policy's choices, so
 * a divergence shows at its first victim.
 *
 *   npx tsx --tsconfig tsconfig.base.json --conditions=@pagevisor/source tools/xenpaging-reference/generate.ts XEN_GIT_DIR
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XenpagingPolicy } from '../../packages/policies/src/index.js';
import { SeededRandom } from '../../packages/testing/src/index.js';

const TAG = 'RELEASE-4.2.0';
const SCENARIOS = [
  { maxPages: 1000, mruSize: 16, ops: 6000, outShare: 0.5, seed: 1 },
  { maxPages: 777, mruSize: 8, ops: 6000, outShare: 0.95, seed: 2 }, // not a multiple of 64; passes fail
  { maxPages: 4096, mruSize: 64, ops: 6000, outShare: 0.8, seed: 3 },
  { maxPages: 256, mruSize: 32, ops: 6000, outShare: 0.99, seed: 4 }, // words all busy; the unconsumed set clears
];

const xen = process.argv[2];
if (xen === undefined) throw new Error('usage: generate.ts XEN_GIT_DIR');
const binary = execFileSync(fileURLToPath(new URL('build.sh', import.meta.url)), [xen, TAG], { encoding: 'utf8' }).trim();
const commit = execFileSync('git', ['-C', xen, 'rev-parse', `${TAG}^{commit}`], { encoding: 'utf8' }).trim();

const scenarios = SCENARIOS.map(({ maxPages, mruSize, ops, outShare, seed }) => {
  const neverEvict = new Uint8Array(maxPages);
  neverEvict[0] = 1; // policy_init: "Don't page out page 0"
  const policy = new XenpagingPolicy({ maxPages, neverEvict, seed }, { mruSize });
  const random = new SeededRandom(seed);
  const out: number[] = [];
  const lines: string[] = [];
  const victims: number[] = [];
  const one = new Uint32Array(1);
  while (lines.length < ops) {
    const r = random.float();
    if (out.length > 0 && (r < 0.3 || out.length > maxPages * outShare)) {
      const gfn = out.splice(random.int(out.length), 1)[0]!;
      if (random.float() < 0.2) {
        lines.push(`d ${gfn}`);
        policy.notifyDropped(gfn);
      } else {
        lines.push(`i ${gfn}`);
        policy.notifyPagedIn(gfn, true);
      }
      continue;
    }
    lines.push('c');
    const victim = policy.chooseVictims(1, one) === 1 ? one[0]! : -1;
    victims.push(victim);
    if (victim >= 0 && random.float() < 0.85) {
      lines.push(`o ${victim}`);
      policy.notifyPagedOut(victim);
      out.push(victim);
    } else if (victim >= 0) {
      policy.notifyNominationFailed(victim); // nominate refused: it stays tried
    }
  }
  const reference = execFileSync(binary, { input: `${maxPages} ${mruSize}\n${lines.join('\n')}\n`, encoding: 'utf8' }).trim().split('\n').map(Number);
  const first = reference.findIndex((v, i) => v !== victims[i]);
  console.log(`max_pages ${maxPages}, mru ${mruSize}: ${reference.length} choices, ${first < 0 ? 'all equal' : `first difference at choice ${first}: Xen ${reference[first]}, Pagevisor ${victims[first]}`}`);
  return { maxPages, mruSize, ops: lines.join(','), victims: reference };
});

const file = fileURLToPath(new URL('../../packages/policies/test/fixtures/xenpaging-reference.json', import.meta.url));
writeFileSync(file, JSON.stringify({ origin: `victims chosen by tools/xenpaging/policy_default.c of Xen ${TAG} (${commit}), compiled with tools/xenpaging-reference/driver.c`, scenarios }) + '\n');
console.log(`wrote ${file}`);
