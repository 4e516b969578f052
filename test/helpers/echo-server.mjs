// A test server run inside a namespace: `node echo-server.mjs tcp:80,81 udp:5000`.
// TCP: sends the client's address as seen here, then echoes every line.
// UDP: answers each datagram with the sender's address. Prints "ready" when listening.
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

const servers = [];
let pending = 0;
const ready = () => {
  if (--pending === 0) process.stdout.write('ready\n');
};
for (const spec of process.argv.slice(2)) {
  const [proto, list] = spec.split(':');
  for (const port of list.split(',').map(Number)) {
    pending += 2;
    for (const host of ['0.0.0.0', '::']) {
      if (proto === 'tcp') {
        const s = createServer((sock) => {
          sock.on('error', () => {});
          sock.write(`${sock.remoteAddress.replace(/^::ffff:/, '')}\n`);
          sock.pipe(sock);
        });
        s.listen({ port, host, ipv6Only: host === '::' }, ready);
        servers.push(s);
      } else {
        const s = createSocket(host === '::' ? { type: 'udp6', ipv6Only: true } : { type: 'udp4' });
        s.on('message', (_msg, rinfo) => s.send(`${rinfo.address}\n`, rinfo.port, rinfo.address));
        s.bind(port, host, ready);
        servers.push(s);
      }
    }
  }
}
process.on('SIGTERM', () => process.exit(0));
