// Preloaded (`node --import`) into the relay process the benchmark spawns: if the benchmark dies
// without cleaning up (e.g. SIGKILL), the relay is re-parented and stops itself instead of lingering
// with thousands of sockets. One unref'd 1 s timer; no other effect on the relay.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), 5000).unref();
  }
}, 1000).unref();
