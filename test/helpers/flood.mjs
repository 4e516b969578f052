// A UDP sender run inside a namespace, for rate-limit and swap tests. Prints one JSON line.
//   node flood.mjs HOST PORT RATE SECONDS [FROM]  -> {"sent":N,"received":M}
// Sends RATE datagrams per second (evenly, catching up every 2 ms) for SECONDS from
// address FROM (any when absent) to an echo server, counting the replies; stops
// counting 300 ms after the last datagram.
import { Buffer } from 'node:buffer';
import { createSocket } from 'node:dgram';
import { setInterval, clearInterval } from 'node:timers';

const [host, portText, rateText, secondsText, from] = process.argv.slice(2);
const port = Number(portText);
const rate = Number(rateText);
const seconds = Number(secondsText);
const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
let sent = 0;
let received = 0;
socket.on('message', () => received++);
socket.on('error', () => {});
socket.bind({ address: from, port: 0 }, () => {
  const payload = Buffer.from('flood\n');
  const started = Date.now();
  const timer = setInterval(() => {
    const elapsed = Math.min(Date.now() - started, seconds * 1000);
    const due = Math.floor((elapsed * rate) / 1000);
    while (sent < due) {
      socket.send(payload, port, host);
      sent++;
    }
    if (elapsed >= seconds * 1000) {
      clearInterval(timer);
      setTimeout(() => {
        process.stdout.write(`${JSON.stringify({ sent, received })}\n`);
        process.exit(0);
      }, 300);
    }
  }, 2);
});
