// Baseline servers for the serving benchmark, answering with the same precompressed bytes
// wirefeed sends:
//   - raw: a bare node:http server writing wirefeed's exact header list with writeHead (the cheapest
//     way a Node process can answer: the ceiling);
//   - express: a bare Express 5 route as Express's guide writes one: the headers set with res.set and
//     the bytes sent with res.send, Express's defaults on (it makes its own ETag from the bytes and
//     answers If-None-Match itself, with req.fresh);
//   - express-head: an Express 5 route that skips Express's response helpers and writes the same
//     head as raw (Express's router and request setup only), printed for reference.
//   node bench/baseline-server.mjs raw|express|express-head PORT BODY_FILE ETAG CONTENT_TYPE [HEADERS_JSON_FILE]
// HEADERS_JSON_FILE: { "200": [name, value, …], "304": [name, value, …] }, wirefeed's own
// headers as it sent them (Date and connection headers aside, which node adds itself);
// without it, the five headers a feed cannot do without.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import express from 'express';

const [kind, port, bodyFile, etag, contentType, headersFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const sent = headersFile
  ? JSON.parse(readFileSync(headersFile, 'utf8'))
  : {
      200: ['Content-Type', contentType, 'Content-Encoding', 'gzip', 'Content-Length', String(body.length), 'ETag', etag, 'Vary', 'Accept-Encoding'],
      304: ['ETag', etag, 'Vary', 'Accept-Encoding'],
    };

function answer(req, res) {
  // Header arrays: node's fastest way to write a head (no object walked, nothing set before).
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, sent[304]);
    res.end();
    return;
  }
  res.writeHead(200, sent[200]);
  res.end(body);
}

/** wirefeed's headers but its validators (Express makes its own ETag) and Content-Length (res.send sets it). */
const SET_BY_EXPRESS = new Set(['etag', 'content-length', 'last-modified', 'x-request-id']);
const expressHeaders = {};
for (let i = 0; i < sent[200].length; i += 2) if (!SET_BY_EXPRESS.has(sent[200][i].toLowerCase())) expressHeaders[sent[200][i]] = sent[200][i + 1];

let server;
if (kind === 'express') {
  const app = express();
  app.get('/rss.xml', (_req, res) => {
    res.set(expressHeaders);
    res.send(body);
  });
  server = app.listen(Number(port), '127.0.0.1');
} else if (kind === 'express-head') {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/rss.xml', answer);
  server = app.listen(Number(port), '127.0.0.1');
} else if (kind === 'raw') {
  server = createServer(answer).listen(Number(port), '127.0.0.1');
} else {
  console.error(`unknown baseline ${kind}`);
  process.exit(2);
}
server.on('listening', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
