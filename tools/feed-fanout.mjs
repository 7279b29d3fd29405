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
const arrivals = [];          // [key, time] per subscriber event
let ready = 0, drained = 0, ended = 0;
await new Promise(resolve => {
  for (let i = 0; i < subscribers; i++) {
    const req = http.request({ port, host: '127.0.0.1', path: `/v1/threads/${thread}/events`, headers: { ...headers, Accept: 'text/event-stream' } }, res => {
      let buf = '', event = null;
      res.on('end', () => ended++);
      res.on('data', chunk => {
        const now = performance.now();
        if (hold !== null && buf === null) { drained += chunk.length; return; }
        buf += chunk.toString('utf8');
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ') && event === 'ready') {
            if (hold !== null) buf = null;
            if (++ready === subscribers) resolve();
            if (buf === null) return;
          }
          else if (line.startsWith('data: ') && event === 'message.created') {
            const at = line.indexOf('"data":{"key":"') + 15;  // the message key, without parsing the whole event
            arrivals.push([line.slice(at, line.indexOf('"', at)), now]);
          }
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
await new Promise(resolve => {
  const tick = () => {
    const due = Math.min(total, Math.floor((performance.now() - start) * rate / 1000));
    for (; sent < due; sent++) {
      call('POST', `/v1/threads/${thread}/messages`, { body: { n: sent } })
        .then(r => acked.set(r.key, performance.now()), () => failed++)
        .finally(() => { if (acked.size + failed === total) resolve(); });
    }
    if (sent < total) setTimeout(tick, 1);
  };
  tick();
});
const deadline = performance.now() + 10000;
while (arrivals.length < acked.size * subscribers && performance.now() < deadline) await new Promise(r => setTimeout(r, 50));
const lat = arrivals.filter(([k]) => acked.has(k)).map(([k, t]) => t - acked.get(k)).sort((a, b) => a - b);
const pct = p => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))].toFixed(2);
const achieved = acked.size / ((performance.now() - start) / 1000);
console.log(`subscribers ${subscribers}, posts ${acked.size}/${total} (failed ${failed}) at ${rate}/s offered; events ${lat.length}/${acked.size * subscribers}; ` +
  `ack->event ms p50 ${pct(0.5)} p99 ${pct(0.99)} p99.9 ${pct(0.999)} max ${lat[lat.length - 1].toFixed(2)}`);
process.exit(0);
