// Load generator fallback when wrk is not installed: autocannon in its own process.
//   node bench/load-autocannon.mjs URL CONNECTIONS SECONDS HEADERS_JSON → prints {"rps":…, "non2xx":…}
import autocannon from 'autocannon';

const [url, connections, seconds, headers] = process.argv.slice(2);
const result = await autocannon({ url, connections: Number(connections), duration: Number(seconds), headers: JSON.parse(headers ?? '{}') });
console.log(JSON.stringify({ rps: result.requests.average, total: result.requests.total, non2xx: result.non2xx, errors: result.errors }));
