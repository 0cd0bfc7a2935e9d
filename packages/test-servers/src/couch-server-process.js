// Entry point of the child process behind startCouchServer(): `node couch-server-process.js [port]`.
// Prints {"port":N} on stdout once listening, so the parent never guesses a free port.
const { listenCouch } = require('./couch-app');

const port = Number(process.argv[2] || 0);

listenCouch(port, '127.0.0.1').then(
  (server) => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
  },
  (error) => {
    process.stderr.write(`couch server failed to listen: ${error.message}\n`);
    process.exit(1);
  },
);

// The parent holds our stdin open; when it dies (even by SIGKILL) stdin ends, and so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
