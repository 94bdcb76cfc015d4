// The seed's leak (memwatch's README example, demo/memwatch_demo.cc in JS):
// every 100 ms fn() builds a ~128 KiB array `a` and returns a closure; the
// closure shares fn's context with inner(), which uses `a`, so V8 keeps `a`
// alive for as long as the closure lives -- and it is pushed on `leaks`.
'use strict';
const SIZE = 128 * 1024;
const leaks = [];
let tick = 0;

function fn() {
  // 16384 numbers: one 128 KiB backing store on the V8 heap, every slot
  // written (a repeated string would be a small tree of shared cons-strings).
  const a = new Array(SIZE / 8).fill(tick);
  const b = 'useless value';
  const c = 'Hello, World!';
  function inner() { return a.length + b.length; }  // captures `a`
  inner();
  return function () { return c; };
}

setInterval(() => { tick++; leaks.push(fn()); }, 100);
process.on('SIGTERM', () => process.exit(0));
