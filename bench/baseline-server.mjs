// Baseline servers for the serving benchmark: the cheapest way to answer with
// the same precompressed bytes and the same headers wirefeed sends, so the only
// difference from wirefeed is wirefeed's own request path.
//   node bench/baseline-server.mjs express|raw PORT BODY_FILE ETAG CONTENT_TYPE [HEADERS_JSON_FILE]
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

let server;
if (kind === 'express') {
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
