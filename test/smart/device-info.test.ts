/** Nicknames and SSIDs decoded from base64, through the bounded memo that spares decoding the same ones on every poll. */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { decodeBase64Text } from '../../lib/smart/device-info';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** What decoding gives without any memo. */
function reference(value: string): string {
  return BASE64.test(value) ? Buffer.from(value, 'base64').toString('utf8') : value;
}

describe('SMART device info texts', () => {
  it('decodes base64 of UTF-8 and leaves anything else as sent, the first time and every time after', () => {
    const texts = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }).map((t) => Buffer.from(t, 'utf8').toString('base64')), fc.string({ maxLength: 300 }));
    fc.assert(fc.property(fc.array(texts, { maxLength: 20 }), (values) => {
      for (const value of [...values, ...values]) assert.equal(decodeBase64Text(value), reference(value));
    }), { numRuns: 300 });
    assert.equal(decodeBase64Text('U2ltdWxhdGVkIFAxMTA='), 'Simulated P110');
    assert.equal(decodeBase64Text('Kitchen plug'), 'Kitchen plug');
    assert.equal(decodeBase64Text(undefined), undefined);
  });

  it('still decodes right after more distinct texts than it keeps', () => {
    const values = Array.from({ length: 700 }, (_, i) => Buffer.from(`plug ${i}`).toString('base64'));
    for (const value of values) decodeBase64Text(value);
    values.forEach((value, i) => assert.equal(decodeBase64Text(value), `plug ${i}`));
    const long = Buffer.from('x'.repeat(400)).toString('base64');
    assert.equal(decodeBase64Text(long), 'x'.repeat(400));
    assert.equal(decodeBase64Text(long), 'x'.repeat(400));
  });
});
