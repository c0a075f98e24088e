/**
 * wireshark/tddp.lua under tshark: the v2 vectors of test/fixtures, v1
 * packets, digests that do not match, wrong credentials and odd lengths.
 */
import assert from 'assert';
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';
import { PcapWriter, type Endpoint } from './pcap';
import { dissect, REPO_ROOT, tsharkPerSuite, values, type Row } from './tshark';

interface Vectors {
  des_key: { username: string; password: string; key_hex: string };
  des_block: { key_hex: string; plaintext_ascii: string; plaintext_padded_hex: string; ciphertext_hex: string };
  packets: { name: string; hex: string; decrypted_ascii?: string }[];
}

interface DesCipher {
  update(data: ArrayLike<number>): number[];
  final(): number[];
}
// des.js ships no typings; Node's OpenSSL 3 has no single DES.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DES } = require('des.js') as {
  DES: { create(options: { type: 'encrypt' | 'decrypt'; key: ArrayLike<number>; padding?: boolean }): DesCipher };
};

const vectors = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'tddp-vectors.json'), 'utf8')) as Vectors;

const CLIENT: Endpoint = { ip: '127.0.0.1', port: 61000 };
const DEVICE: Endpoint = { ip: '127.0.0.2', port: 1040 };

const HEADER_FIELDS = ['version', 'type', 'code', 'status', 'length', 'id', 'subtype', 'reserved'].map((f) => `tddp.${f}`);
const ALL_FIELDS = [...HEADER_FIELDS, 'tddp.digest', 'tddp.digest.status', 'tddp.data', 'tddp.plaintext', 'tddp.text'];

function desKey(username: string, password: string): Buffer {
  return createHash('md5').update(username + password).digest().subarray(0, 8);
}

/** A v2 packet: header, digest over the zeroed-digest packet, DES-encrypted zero-padded data. */
function tddpV2(fields: { type: number; code: number; status: number; id: number; subtype: number }, plaintext: Buffer,
  key: Buffer = desKey('admin', 'admin'), lengthField: number = plaintext.length): Buffer {
  const padded = Buffer.alloc(Math.ceil(plaintext.length / 8) * 8);
  plaintext.copy(padded);
  const cipher = DES.create({ type: 'encrypt', key, padding: false });
  const data = padded.length > 0 ? Buffer.from([...cipher.update(padded), ...cipher.final()]) : Buffer.alloc(0);
  const header = Buffer.alloc(28);
  header.writeUInt8(2, 0);
  header.writeUInt8(fields.type, 1);
  header.writeUInt8(fields.code, 2);
  header.writeUInt8(fields.status, 3);
  header.writeUInt32BE(lengthField, 4);
  header.writeUInt16BE(fields.id, 8);
  header.writeUInt8(fields.subtype, 10);
  const packet = Buffer.concat([header, data]);
  createHash('md5').update(packet).digest().copy(packet, 12);
  return packet;
}

function tddpV1(fields: { type: number; code: number; status: number; id: number; subtype: number }, data: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt8(1, 0);
  header.writeUInt8(fields.type, 1);
  header.writeUInt8(fields.code, 2);
  header.writeUInt8(fields.status, 3);
  header.writeUInt32BE(data.length, 4);
  header.writeUInt16BE(fields.id, 8);
  header.writeUInt8(fields.subtype, 10);
  header.writeUInt8(0xaa, 11);
  return Buffer.concat([header, data]);
}

const textOf = (row: Row): string[] => row['tddp.text'];
/** Header values as numbers (tshark prints BASE_HEX fields as 0x..). */
const header = (row: Row): number[] => HEADER_FIELDS.map((f) => Number(row[f][0]));

describe('Wireshark TDDP dissector (tshark)', function () {
  this.timeout(60_000);
  const { file } = tsharkPerSuite('kasa-tddp-');

  function vectorsPcap(mutate: (packet: Buffer, index: number) => Buffer = (p) => p): string {
    const pcap = new PcapWriter();
    vectors.packets.forEach((vector, index) => {
      const packet = mutate(Buffer.from(vector.hex, 'hex'), index);
      // Requests go to the device's 1040, replies come back to 61000.
      if (packet[2] === 1) pcap.udp(CLIENT, DEVICE, packet);
      else pcap.udp(DEVICE, CLIENT, packet);
    });
    return pcap.write(file(`vectors-${Math.random().toString(36).slice(2)}.pcap`));
  }

  it('decodes every header field of the fixture packets and checks their digests', async () => {
    const rows = await dissect(vectorsPcap(), ALL_FIELDS);
    assert.strictEqual(rows.length, vectors.packets.length);
    rows.forEach((row, i) => {
      const packet = Buffer.from(vectors.packets[i].hex, 'hex');
      const expect = [packet[0], packet[1], packet[2], packet[3], packet.readUInt32BE(4), packet.readUInt16BE(8),
        packet[10], packet[11]];
      assert.deepStrictEqual(header(row), expect, vectors.packets[i].name);
      assert.strictEqual(row['tddp.digest'][0].replace(/:/g, ''), packet.subarray(12, 28).toString('hex'));
      assert.deepStrictEqual(row['tddp.digest.status'], ['1'], `${vectors.packets[i].name}: digest good`);
      assert.deepStrictEqual(row['_ws.expert.message'], [], vectors.packets[i].name);
    });
  });

  it('decrypts the fixture reply with the default admin/admin and shows only `length` bytes', async () => {
    const rows = await dissect(vectorsPcap(), ALL_FIELDS);
    const index = vectors.packets.findIndex((p) => p.decrypted_ascii !== undefined);
    const reply = rows[index];
    assert.deepStrictEqual(reply['tddp.data'].map((d) => d.replace(/:/g, '')), [vectors.des_block.ciphertext_hex]);
    assert.deepStrictEqual(reply['tddp.plaintext'].map((d) => d.replace(/:/g, '')), [vectors.des_block.plaintext_padded_hex]);
    assert.deepStrictEqual(textOf(reply), [vectors.packets[index].decrypted_ascii]);
    assert.deepStrictEqual(values(rows, 'tddp.text'), [vectors.packets[index].decrypted_ascii], 'no data, no text');
  });

  it('flags a digest that does not match, whichever byte changed', async () => {
    const rows = await dissect(vectorsPcap((packet, i) => {
      const copy = Buffer.from(packet);
      copy[i % 2 === 0 ? 13 : copy.length - 1] ^= 0x01; // the digest itself, or the last byte
      return copy;
    }), ALL_FIELDS);
    for (const row of rows) {
      assert.deepStrictEqual(row['tddp.digest.status'], ['0']);
      assert.ok(row['_ws.expert.message'].includes('MD5 digest does not match the packet'), row['_ws.expert.message'].join());
    }
  });

  it('says so when the data does not decrypt with the configured credentials', async () => {
    const pcapFile = vectorsPcap();
    const wrong = await dissect(pcapFile, ALL_FIELDS, { prefs: { 'tddp.username': 'admin', 'tddp.password': 'wrong' } });
    assert.deepStrictEqual(values(wrong, 'tddp.text'), []);
    assert.ok(values(wrong, '_ws.expert.message').includes('Data does not decrypt to text: wrong username or password?'));
    assert.deepStrictEqual(values(wrong, 'tddp.digest.status'), ['1', '1', '1', '1'], 'the digest needs no key');
    const off = await dissect(pcapFile, ALL_FIELDS, { prefs: { 'tddp.username': '', 'tddp.password': '' } });
    assert.deepStrictEqual(values(off, 'tddp.plaintext'), [], 'empty credentials: no decryption');
    assert.deepStrictEqual(values(off, '_ws.expert.message'), []);
  });

  it('decrypts with other credentials and multi-block data, trimmed to the length field', async () => {
    const text = 'deviceId 8006F9D3E8E4C4B0C9F3A1B2C3D4E5F6A7B8C9D0';
    const pcap = new PcapWriter();
    pcap.udp(DEVICE, CLIENT, tddpV2({ type: 3, code: 2, status: 0, id: 0x1234, subtype: 0x12 }, Buffer.from(text),
      desKey('root', 's3cret')));
    const rows = await dissect(pcap.write(file('creds.pcap')), ALL_FIELDS,
      { prefs: { 'tddp.username': 'root', 'tddp.password': 's3cret' } });
    assert.deepStrictEqual(rows[0]['tddp.length'], [String(text.length)]);
    assert.strictEqual(rows[0]['tddp.data'][0].replace(/:/g, '').length, 2 * 56, 'seven DES blocks on the wire');
    assert.strictEqual(rows[0]['tddp.plaintext'][0].replace(/:/g, ''), Buffer.from(text).toString('hex'));
    assert.deepStrictEqual(textOf(rows[0]), [text]);
    assert.strictEqual(Number(rows[0]['tddp.id'][0]), 0x1234);
    assert.deepStrictEqual(rows[0]['tddp.digest.status'], ['1']);
  });

  it('decodes version 1: 12-byte header, no digest, plain data', async () => {
    const pcap = new PcapWriter();
    pcap.udp(CLIENT, DEVICE, tddpV1({ type: 2, code: 1, status: 0, id: 7, subtype: 0 }, Buffer.alloc(0)));
    pcap.udp(DEVICE, CLIENT, tddpV1({ type: 2, code: 2, status: 9, id: 7, subtype: 0 }, Buffer.from('lan_ip 127.0.0.2')));
    const rows = await dissect(pcap.write(file('v1.pcap')), ALL_FIELDS);
    assert.deepStrictEqual(rows.map(header), [
      [1, 2, 1, 0, 0, 7, 0, 0xaa],
      [1, 2, 2, 9, 16, 7, 0, 0xaa],
    ]);
    assert.deepStrictEqual(values(rows, 'tddp.digest'), []);
    assert.deepStrictEqual(values(rows, 'tddp.plaintext'), []);
    assert.deepStrictEqual(values(rows, 'tddp.text'), ['lan_ip 127.0.0.2']);
    assert.deepStrictEqual(values(rows, '_ws.expert.message'), []);
  });

  it('flags a length field that does not fit the data', async () => {
    const pcap = new PcapWriter();
    pcap.udp(DEVICE, CLIENT, tddpV2({ type: 3, code: 2, status: 0, id: 1, subtype: 0x0a }, Buffer.from('ABCD0110'),
      desKey('admin', 'admin'), 40));
    const rows = await dissect(pcap.write(file('length.pcap')), ALL_FIELDS);
    assert.ok(values(rows, '_ws.expert.message').includes('Data length says 40 bytes, the packet carries 8'),
      values(rows, '_ws.expert.message').join('; '));
    assert.deepStrictEqual(values(rows, 'tddp.text'), ['ABCD0110']);
  });
});
