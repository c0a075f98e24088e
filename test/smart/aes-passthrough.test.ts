/**
 * Reading a securePassthrough reply: the everyday reply is read without
 * parsing its envelope (plainSuccessResponse), so every reply here is also
 * read the long way (JSON.parse, then the response decrypted or taken as
 * plain JSON) and the two must agree, for replies that are exactly the
 * everyday form and for ones that differ from it by a character.
 */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { AesSessionCipher } from '../../lib/smart/aes/cipher';
import { passthroughBody, passthroughBytes, readPassthrough, type AesHandshake } from '../../lib/smart/aes/handshake';

const ADDRESS = { host: '127.0.0.1', port: 80 };
const HEAD = '{"error_code":0,"result":{"response":"';
const TAIL = '"}}';

/** The long way, as the reader did before it had a shortcut. */
function reference(body: string, cipher: AesSessionCipher): Buffer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const envelope = parsed as { error_code?: unknown; result?: { response?: unknown } } | null;
  const response = envelope?.result?.response;
  if (envelope?.error_code !== 0 || typeof response !== 'string') return undefined;
  return cipher.decrypt(response) ?? (response.trimStart().startsWith('{') ? Buffer.from(response, 'utf8') : undefined);
}

describe('securePassthrough reply', () => {
  it('reads every reply as the full parse would, the everyday form and every form near it', () => {
    const session: AesHandshake = { cipher: new AesSessionCipher(Buffer.alloc(32, 4)), cookie: undefined, expiresAt: Infinity };
    const edit = fc.record({ at: fc.nat(), text: fc.constantFrom('"', '\\', '\\"', '\u0001', ' ', '=', 'A', '{"a":1}', '\\u0041', '') });
    const body = fc.tuple(fc.uint8Array({ maxLength: 80 }), fc.array(edit, { maxLength: 2 }), fc.constantFrom(HEAD, '{"error_code":0, "result":{"response":"', '{"error_code":1,"result":{"response":"', ` ${HEAD.slice(1)}`), fc.constantFrom(TAIL, '"} }', '"}}\n', ' }}'))
      .map(([plain, edits, head, tail]) => {
        let middle = session.cipher.encrypt(Buffer.from(plain));
        for (const { at, text } of edits) middle = middle.slice(0, at % (middle.length + 1)) + text + middle.slice(at % (middle.length + 1));
        return head + middle + tail;
      });
    fc.assert(fc.property(body, (text) => {
      const outcome = readPassthrough({ status: 200, body: Buffer.from(text, 'utf8'), setCookie: [] }, session, ADDRESS);
      assert.deepEqual(outcome.ok ? outcome.plaintext : undefined, reference(text, session.cipher), text);
    }), { numRuns: 2000 });
  });

  it('takes plain JSON inside the envelope, and refuses what is neither', () => {
    const session: AesHandshake = { cipher: new AesSessionCipher(Buffer.alloc(32, 5)), cookie: undefined, expiresAt: Infinity };
    const read = (text: string, status = 200) => readPassthrough({ status, body: Buffer.from(text), setCookie: [] }, session, ADDRESS);
    const plain = read(`${HEAD}{\\"error_code\\":0}${TAIL}`);
    assert.ok(plain.ok && plain.plaintext.toString() === '{"error_code":0}');
    assert.equal(read(`${HEAD}QUJD${TAIL}`).ok, false);
    const valid = `${HEAD}${session.cipher.encrypt(Buffer.from('{}'))}${TAIL}`;
    assert.equal(read(valid).ok, true);
    assert.equal(read(valid, 500).ok, false);
  });
});

describe('securePassthrough request', () => {
  it('is written as bytes exactly as its text: the JSON envelope around the base64 of the encrypted request', () => {
    const session: AesHandshake = { cipher: new AesSessionCipher(Buffer.alloc(32, 6)), cookie: undefined, expiresAt: Infinity };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (plain) => {
      const request = Buffer.from(plain);
      const bytes = passthroughBytes(session, request);
      assert.deepEqual(bytes, Buffer.from(passthroughBody(session, request), 'utf8'));
      const sent = JSON.parse(bytes.toString('utf8')) as { method: string; params: { request: string } };
      assert.equal(sent.method, 'securePassthrough');
      assert.deepEqual(session.cipher.decrypt(sent.params.request), request);
    }), { numRuns: 300 });
  });
});
