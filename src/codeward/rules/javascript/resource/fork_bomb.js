const { spawn, execFile } = require('child_process');

while (true) {
  // ruleid: javascript.resource.fork_bomb
  spawn(process.argv[0], [__filename], { detached: true });
}

for (let i = 0; i < 4; i++) {
  // ok: javascript.resource.fork_bomb
  execFile('node', ['worker.js']);
}

while (true) {
  const job = queue.shift();
  if (!job) break;
  // ok: javascript.resource.fork_bomb
  execFile('convert', [job.input, job.output]);
}
