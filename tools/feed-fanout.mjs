#!/usr/bin/env node
// Delivery latency of one thread's feed to many subscribers under a steady post rate: SUBSCRIBERS event
// streams on one thread, POSTs sent open loop at RATE/s for SECONDS, and per (subscriber, message) the
// time from the POST's answer to the event's arrival (negative: the event came first — it is published
// once the write is durable, before the answer is written). Node standard library only.
// With --hold S it only opens the subscribers on --thread T, prints "ready", and drains them for S seconds
// (bytes counted, nothing parsed), as the load beside a separate post-throughput run.
// usage: tools/feed-fanout.mjs --port 8080 --backend-key KEY [--subscribers 100] [--rate 1000] [--seconds 10]
//        tools/feed-fanout.mjs --port 8080 --backend-key KEY --user OWNER --thread T --hold 15 [--subscribers 100]
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, v, i, a) => (v.startsWith('--') ? acc.concat([[v.slice(2), a[i + 1]]]) : acc), []));
const port = Number(args.port ?? 8080), key = args['backend-key'], subscribers = Number(args.subscribers ?? 100);
const rate = Number(args.rate ?? 1000), seconds = Number(args.seconds ?? 10);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const headers = { Authorization: `Bearer ${key}`, 'X-User-ID': args.user ?? 'fanout', 'Content-Type': 'application/json' };

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', method, path, headers, agent }, res => {
      let data = '';
      res.on('data', c => (data += c));
      res.on('end', () => (res.statusCode < 300 ? resolve(JSON.parse(data)) : reject(new Error(`${method} ${path}: ${res.statusCode} ${data}`))));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const hold = args.hold === undefined ? null : Number(args.hold);
const thread = args.thread ?? (await call('POST', '/v1/threads', { title: 'fanout' })).key;
const acked = new Map();      // message key -> time its POST was answered
const arrivedKeys = [], arrivedAt = [];   // per subscriber event: message key, arrival time
let ready = 0, drained = 0, ended = 0;
// Per chunk: the complete events in it (up to the last blank line), scanned for the message keys with
// indexOf only (no line splitting, no JSON parsing), so that the client is as cheap per event as it can be.
const KEY = '"data":{"key":"';
await new Promise(resolve => {
  for (let i = 0; i < subscribers; i++) {
    const req = http.request({ port, host: '127.0.0.1', path: `/v1/threads/${thread}/events`, headers: { ...headers, Accept: 'text/event-stream' } }, res => {
      let buf = '', started = false;
      res.on('end', () => ended++);
      res.on('data', chunk => {
        const now = performance.now();
        if (started && hold !== null) { drained += chunk.length; return; }
        buf += chunk.toString('latin1');
        const end = buf.lastIndexOf('\n\n');
        if (end < 0) return;
        const text = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (!started && text.includes('event: ready')) {
          started = true;
          if (++ready === subscribers) resolve();
        }
        for (let at = text.indexOf(KEY); at >= 0; at = text.indexOf(KEY, at)) {
          at += KEY.length;
          const q = text.indexOf('"', at);
          arrivedKeys.push(text.slice(at, q));
          arrivedAt.push(now);
          at = q;
        }
      });
    });
    req.end();
  }
});

if (hold !== null) {
  console.log('ready');
  await new Promise(r => setTimeout(r, hold * 1000));
  console.log(`subscribers ${subscribers} held ${hold} s on ${thread}: ${(drained / 1e6).toFixed(1)} MB drained, ${ended} streams ended early`);
  process.exit(0);
}

const total = rate * seconds, start = performance.now();
let sent = 0, failed = 0;
const ackLatency = [];
await new Promise(resolve => {
  const tick = () => {
    const due = Math.min(total, Math.floor((performance.now() - start) * rate / 1000));
    for (; sent < due; sent++) {
      const postedAt = performance.now();
      call('POST', `/v1/threads/${thread}/messages`, { body: { n: sent } })
        .then(r => { const now = performance.now(); acked.set(r.key, now); ackLatency.push(now - postedAt); }, () => failed++)
        .finally(() => { if (acked.size + failed === total) resolve(); });
    }
    if (sent < total) setTimeout(tick, 1);
  };
  tick();
});
const deadline = performance.now() + 10000;
while (arrivedKeys.length < acked.size * subscribers && performance.now() < deadline) await new Promise(r => setTimeout(r, 50));
const lat = [];
arrivedKeys.forEach((k, i) => { if (acked.has(k)) lat.push(arrivedAt[i] - acked.get(k)); });
lat.sort((a, b) => a - b);
ackLatency.sort((a, b) => a - b);
const at = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))].toFixed(2);
const pct = p => at(lat, p);
console.log(`subscribers ${subscribers}, posts ${acked.size}/${total} (failed ${failed}) at ${rate}/s offered; events ${lat.length}/${acked.size * subscribers}; ` +
  `ack->event ms p50 ${pct(0.5)} p99 ${pct(0.99)} p99.9 ${pct(0.999)} max ${lat[lat.length - 1].toFixed(2)}; ` +
  `POST send->ack ms p50 ${at(ackLatency, 0.5)} p99 ${at(ackLatency, 0.99)}`);
process.exit(0);
