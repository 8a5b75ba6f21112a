import { promisify } from 'node:util';
import { brotliCompress, constants, crc32, deflateRaw, gzip } from 'node:zlib';
import { strongEtag } from './reply.js';

/** The content codings feeds are served in. */
export type ContentCoding = 'br' | 'gzip' | 'identity';

/** Preference among codings the client accepts with the same q-value: smallest first. */
const PREFERENCE: readonly ContentCoding[] = ['br', 'gzip', 'identity'];

const brotliAsync = promisify(brotliCompress);
const BROTLI_QUALITY = 5;
const GZIP_LEVEL = 6;
const gzipAsync = promisify(gzip);
const deflateRawAsync = promisify(deflateRaw);
/** Bodies from this size are gzipped in two halves at once (below it, splitting saves less than it costs). */
const GZIP_SPLIT_FROM = 128 * 1024;
/** Deflate's window: the second half starts with the first half's last 32 KB as its dictionary. */
const DEFLATE_WINDOW = 32 * 1024;
/** gzip member header (RFC 1952): deflate, no flags, no time, Unix: what zlib writes at level 6. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

/**
 * Compresses a feed body. Runs on libuv's thread pool (never blocks
 * serving) and happens once per feed version and coding: the feed cache
 * keeps the result. Not maximum settings: the first poller after a change
 * waits for this, and Brotli's top quality took ~0.6 s for a 250 KB feed
 * here against ~10 ms at quality 5, for a few per cent fewer bytes.
 */
export function compress(body: Buffer, coding: Exclude<ContentCoding, 'identity'>): Promise<Buffer> {
  if (coding === 'br') {
    return brotliAsync(body, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
  }
  return body.length < GZIP_SPLIT_FROM ? gzipAsync(body, { level: GZIP_LEVEL }) : gzipInHalves(body);
}

/**
 * gzip of a large body made as pigz makes it: each half deflated on its own
 * thread-pool thread, the second primed with the 32 KB before it (so it
 * still refers back across the cut and the output is within a fraction of
 * a per cent of one-piece gzip), the first ended with a sync flush so the
 * two raw streams join into one, then one header and the CRC of the whole.
 * A cold 360 KB feed is gzipped in about half the time on two cores, and
 * the bytes are the same on every replica. Any gzip reader decodes it: it is
 * one ordinary gzip member.
 */
async function gzipInHalves(body: Buffer): Promise<Buffer> {
  const half = body.length >>> 1;
  const [first, second] = await Promise.all([
    // An output buffer as big as the input: each half is one job on the pool, not a round trip per 16 KB.
    deflateRawAsync(body.subarray(0, half), { level: GZIP_LEVEL, finishFlush: constants.Z_SYNC_FLUSH, chunkSize: half + 1024 }),
    deflateRawAsync(body.subarray(half), { level: GZIP_LEVEL, dictionary: body.subarray(half - DEFLATE_WINDOW, half), chunkSize: body.length - half + 1024 }),
  ]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(body), 0);
  trailer.writeUInt32LE(body.length >>> 0, 4);
  return Buffer.concat([GZIP_HEADER, first, second, trailer]);
}

const Q_VALUE = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/i;

/**
 * Chooses the coding for a response from `Accept-Encoding` (RFC 9110
 * §12.5.3): the acceptable coding with the highest q-value, br before gzip
 * before identity at equal q. No header: identity. `identity` is
 * acceptable unless refused by `identity;q=0`, or by `*;q=0` without an
 * explicit identity entry. Undefined when nothing we have is acceptable
 * (the caller answers 406).
 */
export function negotiateEncoding(header: string | undefined): ContentCoding | undefined {
  return header === undefined ? 'identity' : negotiate(header);
}

/**
 * negotiateEncoding, remembered per distinct header: one per app (createApp
 * makes it), never shared. Parsing a header took ~1–2 µs and a remembered
 * answer ~10 ns; clients send few distinct headers, and the bound keeps odd
 * ones from growing it.
 */
export class NegotiationCache {
  private readonly chosen = new Map<string, ContentCoding | null>();

  constructor(private readonly maxHeaders = 256) {}

  /** negotiateEncoding(header), from memory when this header was seen before. */
  encodingFor(header: string | undefined): ContentCoding | undefined {
    if (header === undefined) return 'identity';
    const memo = this.chosen.get(header);
    if (memo !== undefined) return memo === null ? undefined : memo;
    const chosen = negotiate(header);
    if (this.chosen.size >= this.maxHeaders) this.chosen.clear();
    this.chosen.set(header, chosen ?? null);
    return chosen;
  }

  /** Distinct headers remembered (at most maxHeaders). */
  get size(): number {
    return this.chosen.size;
  }
}

function negotiate(header: string): ContentCoding | undefined {
  const q = new Map<string, number>();
  for (const element of header.split(',')) {
    const [rawName, ...params] = element.split(';').map((s) => s.trim());
    if (!rawName) continue;
    let name = rawName.toLowerCase();
    if (name === 'x-gzip') name = 'gzip';
    let weight = 1;
    let valid = true;
    for (const param of params) {
      if (param === '') continue;
      const match = Q_VALUE.exec(param.replace(/\s*=\s*/, '='));
      if (match) weight = Number(match[1]);
      else if (/^q\s*=/i.test(param)) valid = false;
    }
    // A malformed q-value makes the element meaningless; it is ignored rather than guessed.
    if (!valid) continue;
    // Repeated codings: the highest weight given wins, so a stray duplicate cannot refuse a coding.
    q.set(name, Math.max(weight, q.get(name) ?? 0));
  }
  const star = q.get('*');
  const weightOf = (coding: ContentCoding): number => {
    const explicit = q.get(coding);
    if (explicit !== undefined) return explicit;
    if (star !== undefined) return star;
    return coding === 'identity' ? 1 : 0;
  };
  let best: ContentCoding | undefined;
  let bestWeight = 0;
  for (const coding of PREFERENCE) {
    const weight = weightOf(coding);
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}

/** One coding of a feed document: its bytes and the headers that go with them, computed once. */
export interface Representation {
  readonly coding: ContentCoding;
  readonly bytes: Buffer;
  /** Strong ETag from these bytes: base64url of the first 16 bytes of their SHA-256, quoted. */
  readonly etag: string;
  /** Headers of a 200 (Cache-Control excepted: it depends on the time). */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers of a 304: the validators and Vary, no body headers. */
  readonly notModifiedHeaders: Readonly<Record<string, string>>;
}

/**
 * A rendered feed document and its compressed forms. Everything here
 * depends only on the bytes, so two renders with equal bytes share one
 * RenderedFeed (and its compressed forms) across data versions.
 */
export class RenderedFeed {
  readonly identity: Representation;
  /** Last-Modified in whole seconds, for If-Modified-Since. */
  readonly lastModifiedSeconds: number;
  private readonly encoded = new Map<ContentCoding, Representation>();
  private readonly pending = new Map<ContentCoding, Promise<Representation>>();

  constructor(
    body: Buffer,
    readonly contentType: string,
    /** The newest change among the feed's items. */
    readonly lastModified: Date,
    private readonly onCompressed: (feed: RenderedFeed, bytes: number, coding: ContentCoding, seconds: number) => void = () => undefined,
  ) {
    this.lastModifiedSeconds = Math.floor(lastModified.getTime() / 1000);
    this.identity = this.represent('identity', body);
    this.encoded.set('identity', this.identity);
  }

  /** Total bytes held (identity and every compressed form made so far). */
  get size(): number {
    let total = 0;
    for (const representation of this.encoded.values()) total += representation.bytes.length;
    return total;
  }

  /** The representation in `coding` if it is made already: the synchronous hot path. */
  ready(coding: ContentCoding): Representation | undefined {
    return this.encoded.get(coding);
  }

  /** The representation in `coding`, compressing on first use; concurrent first uses share one compression. */
  representation(coding: ContentCoding): Representation | Promise<Representation> {
    const ready = this.encoded.get(coding);
    if (ready) return ready;
    let pending = this.pending.get(coding);
    if (!pending) {
      const started = performance.now();
      pending = compress(this.identity.bytes, coding as Exclude<ContentCoding, 'identity'>).then((bytes) => {
        const representation = this.represent(coding, bytes);
        this.encoded.set(coding, representation);
        this.pending.delete(coding);
        this.onCompressed(this, bytes.length, coding, (performance.now() - started) / 1000);
        return representation;
      });
      pending.catch(() => this.pending.delete(coding));
      this.pending.set(coding, pending);
    }
    return pending;
  }

  private represent(coding: ContentCoding, bytes: Buffer): Representation {
    const etag = strongEtag(bytes);
    const lastModified = this.lastModified.toUTCString();
    return {
      coding,
      bytes,
      etag,
      headers: {
        'Content-Type': this.contentType,
        'Content-Length': String(bytes.length),
        ...(coding === 'identity' ? {} : { 'Content-Encoding': coding }),
        ETag: etag,
        'Last-Modified': lastModified,
        Vary: 'Accept-Encoding',
      },
      notModifiedHeaders: { ETag: etag, 'Last-Modified': lastModified, Vary: 'Accept-Encoding' },
    };
  }
}
