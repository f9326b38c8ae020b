// Child process of the pagefile crash test: writes random pages to a pagefile forever and prints
// `ack <gfn> <version>` for every write a completed flush covered. The parent SIGKILLs it at random.
import { PagefileStore } from '@pagevisor/storage';

const [path, roundArg, seedArg] = process.argv.slice(2);
const round = Number(roundArg);
let seed = Number(seedArg) | 1;
const random = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x1_0000_0000;
};

const PAGES = 512;
const store = await PagefileStore.open({ path: path!, fsync: 'batch' }, PAGES);
let version = round * 1_000_000;
const encoder = new TextEncoder();
for (;;) {
  const count = 1 + Math.floor(random() * 16);
  const gfns = new Uint32Array(count);
  const pages = new Uint8Array(count * 4096);
  const written: string[] = [];
  for (let i = 0; i < count; i++) {
    const gfn = Math.floor(random() * PAGES);
    version++;
    gfns[i] = gfn;
    const page = pages.subarray(i * 4096, (i + 1) * 4096);
    page.fill(version & 0xff);
    page.set(encoder.encode(`pagevisor-stress gfn=${gfn} version=${version}\n`));
    written.push(`ack ${gfn} ${version}`);
  }
  await store.writeBatch(gfns, pages, count);
  await store.flush();
  process.stdout.write(written.join('\n') + '\n');
}
