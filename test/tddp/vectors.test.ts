import { strict as assert } from 'assert';
import vectors from '../fixtures/tddp-vectors.json';
import {
  computeDigest, decodePacket, decryptBlocks, decryptData, deriveKey, encodePacket, encryptData, TddpCode,
  TddpStatus, TddpType,
} from '../../lib/tddp';

describe('TDDP test vectors', () => {
  const key = deriveKey(vectors.des_key.username, vectors.des_key.password);

  it('derives the DES key from username + password', () => {
    assert.equal(key.toString('hex'), vectors.des_key.key_hex);
    assert.equal(key.length, 8);
  });

  it('encrypts a DES block with zero padding', () => {
    const blockKey = Buffer.from(vectors.des_block.key_hex, 'hex');
    assert.equal(encryptData(blockKey, vectors.des_block.plaintext_ascii).toString('hex'), vectors.des_block.ciphertext_hex);
  });

  it('decrypts a DES block, with and without its padding', () => {
    const blockKey = Buffer.from(vectors.des_block.key_hex, 'hex');
    const cipher = Buffer.from(vectors.des_block.ciphertext_hex, 'hex');
    assert.equal(decryptBlocks(blockKey, cipher).toString('hex'), vectors.des_block.plaintext_padded_hex);
    assert.equal(decryptData(blockKey, cipher).toString('latin1'), vectors.des_block.plaintext_ascii);
  });

  for (const vector of vectors.packets) {
    describe(vector.name, () => {
      const wire = Buffer.from(vector.hex, 'hex');

      it('decodes, digest verified', () => {
        const result = decodePacket(wire);
        assert.ok(result.ok, result.ok ? '' : result.error.message);
        const { header, data } = result.packet;
        assert.equal(header.version, 2);
        assert.equal(header.type, TddpType.SPECIAL_COMMAND);
        assert.equal(header.length, data.length);
        assert.equal(header.digest?.toString('hex'), vector.hex.slice(24, 56));
      });

      it('encodes bit-exactly from its decoded fields', () => {
        const result = decodePacket(wire);
        assert.ok(result.ok);
        const { header, data } = result.packet;
        const encoded = encodePacket({ ...header, data });
        assert.equal(encoded.toString('hex'), vector.hex);
      });

      it('has the MD5 digest of the packet with the digest field zeroed', () => {
        assert.equal(computeDigest(wire).toString('hex'), vector.hex.slice(24, 56));
      });

      it('fails digest verification when any byte outside the digest changes', () => {
        for (const offset of [0, 1, 2, 3, 7, 9, 10, 11, ...(wire.length > 28 ? [28, wire.length - 1] : [])]) {
          const damaged = Buffer.from(wire);
          damaged[offset] ^= offset === 0 ? 0x03 : 0x01; // keeps version 2 -> 1 valid only at offset 0
          const result = decodePacket(damaged);
          assert.equal(result.ok, false, `byte ${offset}`);
        }
      });
    });
  }

  it('decrypts the reply vector', () => {
    const vector = vectors.packets[2];
    const result = decodePacket(Buffer.from(vector.hex, 'hex'));
    assert.ok(result.ok);
    assert.equal(result.packet.header.code, TddpCode.REPLY);
    assert.equal(result.packet.header.length, 16);
    assert.equal(decryptData(key, result.packet.data).toString('latin1'), vector.decrypted_ascii);
  });

  it('encodes the request vectors from scratch', () => {
    assert.equal(encodePacket({ type: 3, id: 1, subtype: 0x0a }).toString('hex'), vectors.packets[0].hex);
    assert.equal(encodePacket({ type: 3, id: 1, subtype: 0x0e }).toString('hex'), vectors.packets[1].hex);
  });

  it('encodes the reply vector from plaintext', () => {
    const packet = encodePacket({
      type: 3, code: TddpCode.REPLY, id: 1, subtype: 0x0e, data: encryptData(key, 'wan_ph_link 1 0'),
    });
    assert.equal(packet.toString('hex'), vectors.packets[2].hex);
  });

  it('reads the real device reply: status 3 (unsupported), packet id 0', () => {
    const result = decodePacket(Buffer.from(vectors.packets[3].hex, 'hex'));
    assert.ok(result.ok);
    const { header } = result.packet;
    assert.deepEqual(
      [header.code, header.status, header.id, header.subtype, header.length],
      [TddpCode.REPLY, TddpStatus.UNSUPPORTED, 0, 0x17, 0],
    );
  });
});
