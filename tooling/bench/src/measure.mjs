// A tiny ops/s harness: warm up, then run batches until the time budget is spent; report the median of
// the per-batch rates so one GC pause does not decide the number.
import os from 'node:os';

export function measure(name, fn, { seconds = 1.5, batch = 200 } = {}) {
  for (let i = 0; i < batch; i++) fn(i);
  const rates = [];
  const end = performance.now() + seconds * 1000;
  let i = 0;
  while (performance.now() < end) {
    const t0 = performance.now();
    for (let j = 0; j < batch; j++) fn(i++);
    rates.push((batch * 1000) / (performance.now() - t0));
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)];
  console.log(`${name.padEnd(58)} ${Math.round(median).toLocaleString('en-US').padStart(12)} ops/s`);
  return { name, opsPerSec: median, samples: rates.length };
}

export function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

export const fmt = (n) => Math.round(n).toLocaleString('en-US');
