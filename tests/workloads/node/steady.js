// Twin of leak.js: the same ~128 KiB array every 100 ms, but the closure
// keeps only `c` (no inner function uses `a`) and nothing is retained.
'use strict';
const SIZE = 128 * 1024;
let tick = 0;
let last = null;

function fn() {
  // 16384 numbers: one 128 KiB backing store on the V8 heap, every slot
  // written (a repeated string would be a small tree of shared cons-strings).
  const a = new Array(SIZE / 8).fill(tick);
  const c = 'Hello, World!';
  if (a.length !== SIZE / 8) throw new Error('bad size');
  return function () { return c; };
}

setInterval(() => { tick++; last = fn(); }, 100);
process.on('SIGTERM', () => process.exit(0));
