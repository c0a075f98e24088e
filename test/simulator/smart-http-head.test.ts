/**
 * The simulated SMART device's request-head parser walks the head's lines
 * in place instead of splitting it; for any head, well-formed or hostile,
 * it must give what the former split-based parser gave: the same method,
 * target, headers (lower-cased, cookies joined, first of other repeats),
 * closing, framing and 100-continue, or the same refusal. The oracle below
 * is that former parser.
 */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { parseHead, type FieldsMemo, type Head } from '../../lib/simulator/smart/http-request';

const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([^\s]+) HTTP\/1\.([01])$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function formerParseHead(text: string): Head | 400 | 413 {
  const lines = text.split('\r\n');
  const line = REQUEST_LINE.exec(lines[0] ?? '');
  if (!line || lines.length - 1 > 64) return 400;
  const headers = new Map<string, string>();
  let lengths: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const field = lines[i] as string;
    const colon = field.indexOf(':');
    if (colon <= 0) return 400;
    const name = field.slice(0, colon);
    if (!TOKEN.test(name)) return 400;
    const value = field.slice(colon + 1).trim();
    for (let j = 0; j < value.length; j++) {
      const code = value.charCodeAt(j);
      if ((code < 0x20 && code !== 0x09) || code === 0x7f) return 400;
    }
    const key = name.toLowerCase();
    if (key === 'content-length') {
      if (lengths !== undefined && lengths !== value) return 400;
      lengths = value;
    }
    const before = headers.get(key);
    if (before === undefined) headers.set(key, value);
    else if (key === 'cookie') headers.set(key, `${before}; ${value}`);
  }
  const version = line[3];
  const connection = (headers.get('connection') ?? '').toLowerCase();
  const close = /(?:^|,)\s*close\s*(?:,|$)/.test(connection) || (version === '0' && !/(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection));
  let framing: Head['framing'] | 400 | 413;
  const coding = headers.get('transfer-encoding');
  if (coding !== undefined) {
    framing = lengths !== undefined || !/(?:^|,)\s*chunked$/i.test(coding) ? 400 : { kind: 'chunked' };
  } else if (lengths === undefined) {
    framing = { kind: 'length', length: 0 };
  } else if (!/^\d{1,15}$/.test(lengths)) {
    framing = 400;
  } else {
    framing = Number(lengths) > 64 * 1024 ? 413 : { kind: 'length', length: Number(lengths) };
  }
  if (typeof framing === 'number') return framing;
  return {
    method: line[1] as string, target: line[2] as string, headers, close, framing,
    expectsContinue: version === '1' && (headers.get('expect') ?? '').toLowerCase() === '100-continue',
  };
}

/** Bits a hostile or sloppy client may put in a name or a value. */
const odd = fc.constantFrom('', ' ', '\t', '\x0b', '\xa0', '\x00', '\x7f', '\r', '\n', ':', ',', ';', 'é', '\u2028');
const word = fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{0,8}$/), fc.constantFrom('Content-Length', 'content-LENGTH', 'Transfer-Encoding',
  'Connection', 'Cookie', 'COOKIE', 'Expect', 'Host', 'X Y', '(bad)'));
const value = fc.oneof(fc.constantFrom('0', '5', '65536', '65537', '007', '-1', '1e3', ' 5 ', 'chunked', 'gzip, chunked', 'chunked, gzip',
  'close', 'keep-alive', 'Keep-Alive, close', '100-continue', 'TP_SESSIONID=AB', ''), fc.string({ maxLength: 12 }));
const headerLine = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(word, odd, value, odd).map(([name, before, text, after]) => `${name}:${before}${text}${after}`) },
  { weight: 1, arbitrary: fc.tuple(odd, word, value).map(([lead, name, text]) => `${lead}${name}: ${text}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);
const requestLine = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom('POST', 'GET', 'post', 'M-SEARCH'), fc.constantFrom('/app', '/app?token=AB', '/app/request?seq=-5'), fc.constantFrom('0', '1'))
    .map(([method, target, minor]) => `${method} ${target} HTTP/1.${minor}`) },
  { weight: 1, arbitrary: fc.constantFrom('', 'POST /app HTTP/2.0', 'POST  /app HTTP/1.1', 'POST /app HTTP/1.1 ', 'POST /a b HTTP/1.1') },
);
/** Around the cap of 64 header lines, all of them well-formed. */
const manyFields = fc.integer({ min: 62, max: 66 }).map((n) => Array.from({ length: n }, (_, i) => `X-Field-${i}: ${i}`));
const fieldLines = fc.oneof(fc.array(headerLine, { maxLength: 8 }), fc.array(headerLine, { minLength: 60, maxLength: 70 }), manyFields);
const head = fc.tuple(requestLine, fieldLines).map(([line, fields]) => [line, ...fields].join('\r\n'));
/** Heads one connection sends: a few request lines and a few blocks of header lines, combined again and again. */
const connectionHeads = fc.tuple(fc.array(requestLine, { minLength: 1, maxLength: 3 }), fc.array(fieldLines, { minLength: 1, maxLength: 3 }))
  .chain(([lines, blocks]) => fc.array(fc.tuple(fc.constantFrom(...lines), fc.constantFrom(...blocks)), { minLength: 1, maxLength: 8 }))
  .map((pairs) => pairs.map(([line, fields]) => [line, ...fields].join('\r\n')));

describe('simulated SMART device: request head parser', () => {
  it('gives what the former split-based parser gave, for any head', () => {
    fc.assert(fc.property(head, (text) => {
      assert.deepEqual(parseHead(text), formerParseHead(text));
    }), { numRuns: 5000 });
  });

  it('gives what the former parser gave for each head of a connection, the header lines it read last kept', () => {
    fc.assert(fc.property(connectionHeads, (heads) => {
      const memo: FieldsMemo = {};
      for (const text of heads) assert.deepEqual(parseHead(text, memo), formerParseHead(text));
    }), { numRuns: 2000 });
  });

  it('gives what the former parser gave for any text at all', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (text) => {
      assert.deepEqual(parseHead(text), formerParseHead(text));
    }), { numRuns: 2000 });
  });

  it('reads the heads real clients send', () => {
    const text = 'POST /app?token=1B HTTP/1.1\r\nHost: 127.0.0.1:80\r\nContent-Type: application/json\r\nContent-Length: 206\r\nCookie: TP_SESSIONID=CC';
    const parsed = parseHead(text);
    assert.deepEqual(parsed, formerParseHead(text));
    assert.notEqual(typeof parsed, 'number');
  });
});
