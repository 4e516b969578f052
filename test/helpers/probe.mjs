// A test client run inside a namespace. Prints one JSON line.
//   node probe.mjs tcp HOST PORT TIMEOUT_MS   -> {"result":"connected","seen":"addr"} | refused | timeout
//   node probe.mjs udp HOST PORT TIMEOUT_MS   -> {"result":"reply","seen":"addr"} | timeout | refused
//   node probe.mjs hold HOST PORT TIMEOUT_MS  -> connects, prints {"result":"connected",...}, then for
//                                                 each stdin line prints {"echo":"line"} or {"echo":null}
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';

const [mode, host, portText, timeoutText] = process.argv.slice(2);
const port = Number(portText);
const timeout = Number(timeoutText);
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

if (mode === 'udp') {
  const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const timer = setTimeout(() => {
    say({ result: 'timeout' });
    process.exit(0);
  }, timeout);
  s.on('error', (e) => {
    clearTimeout(timer);
    say({ result: e.code === 'ECONNREFUSED' ? 'refused' : e.code });
    process.exit(0);
  });
  s.on('message', (m) => {
    clearTimeout(timer);
    say({ result: 'reply', seen: String(m).trim() });
    process.exit(0);
  });
  s.connect(port, host, () => s.send('probe\n'));
} else {
  const sock = connect({ host, port });
  const timer = setTimeout(() => {
    say({ result: 'timeout' });
    process.exit(0);
  }, timeout);
  sock.on('error', (e) => {
    clearTimeout(timer);
    say({ result: e.code === 'ECONNREFUSED' ? 'refused' : e.code });
    process.exit(0);
  });
  let buffer = '';
  let greeted = false;
  let waiting;
  sock.on('data', (d) => {
    buffer += String(d);
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!greeted) {
        greeted = true;
        clearTimeout(timer);
        say({ result: 'connected', seen: line });
        if (mode !== 'hold') process.exit(0);
      } else if (waiting) {
        clearTimeout(waiting);
        waiting = undefined;
        say({ echo: line });
      }
    }
  });
  if (mode === 'hold') {
    createInterface({ input: process.stdin }).on('line', (line) => {
      waiting = setTimeout(() => {
        waiting = undefined;
        say({ echo: null });
      }, timeout);
      sock.write(`${line}\n`);
    });
  }
}
