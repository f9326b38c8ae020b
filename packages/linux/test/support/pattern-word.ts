/** The word `k` of page `p` after `round` writes: differs for every (page, word, round). */
export const patternWord = (p: number, k: number, round: number): number => (Math.imul(p + 1, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b) ^ Math.imul(round, 0xc2b2ae35)) >>> 0;
