/** The UDP 20002 discovery packet and the simulator's responder, on 127.0.0.1 only. */
import { strict as assert } from 'assert';
import * as dgram from 'dgram';
import {
  buildDiscovery20002Request,
  decodeTdpHeader,
  encodeDiscovery20002Reply,
  parseDiscovery20002Reply,
  parseDiscovery20002Request,
  tdpCrcValid,
} from '../../lib/discovery/tdp';
import { klapDiscoveryResult, startDiscovery20002Responder } from '../../lib/simulator/klap-server';

const TEST_PEM = '-----BEGIN PUBLIC KEY-----\nTEST\n-----END PUBLIC KEY-----\n';

describe('UDP 20002 discovery packet', () => {
  it('the bare probe matches the published 16 bytes, CRC included', () => {
    const probe = buildDiscovery20002Request({ rsaPublicKeyPem: null, serial: 0 });
    assert.equal(probe.toString('hex'), '020000010000000000000000463cb5d3');
    assert.ok(tdpCrcValid(probe));
  });

  it('a keyed probe carries {params:{rsa_key}} with its size, flags 17 and a valid CRC', () => {
    const probe = buildDiscovery20002Request({ rsaPublicKeyPem: TEST_PEM, serial: 0xdeadbeef });
    const header = decodeTdpHeader(probe);
    assert.deepEqual({ ...header, crc: 0 }, { version: 2, msgType: 0, opCode: 1, msgSize: probe.length - 16, flags: 17, serial: 0xdeadbeef, crc: 0 });
    assert.ok(tdpCrcValid(probe));
    assert.deepEqual(parseDiscovery20002Request(probe), { serial: 0xdeadbeef, rsaKey: TEST_PEM });
    probe[20] ^= 1;
    assert.equal(parseDiscovery20002Request(probe), undefined, 'a corrupted probe is ignored');
  });

  it('by default offers a real RSA public key', function () {
    this.timeout(10000); // key generation, once per process
    const parsed = parseDiscovery20002Request(buildDiscovery20002Request());
    assert.match(parsed?.rsaKey ?? '', /^-----BEGIN PUBLIC KEY-----/);
  });

  it('parses a reply into the fields discovery needs', () => {
    const result = klapDiscoveryResult({ deviceId: 'ABC', model: 'HS110(EU)', mac: 'AA-BB-CC-DD-EE-FF', ip: '127.0.0.1', httpPort: 8080, version: 2 });
    const reply = parseDiscovery20002Reply(encodeDiscovery20002Reply(result, 42));
    assert.ok(reply);
    assert.equal(reply.header.serial, 42);
    assert.equal(reply.crcValid, true);
    assert.deepEqual(
      { id: reply.deviceId, type: reply.deviceType, model: reply.deviceModel, ip: reply.ip, mac: reply.mac, enc: reply.encryptType, port: reply.httpPort, lv: reply.loginVersion },
      { id: 'ABC', type: 'IOT.SMARTPLUGSWITCH', model: 'HS110(EU)', ip: '127.0.0.1', mac: 'AA-BB-CC-DD-EE-FF', enc: 'KLAP', port: 8080, lv: 2 },
    );
  });

  it('rejects packets that are short, of another version, or without a result object', () => {
    assert.equal(parseDiscovery20002Reply(Buffer.alloc(10)), undefined);
    assert.equal(parseDiscovery20002Reply(Buffer.concat([Buffer.from('01000001000000000000000000000000', 'hex'), Buffer.from('{"result":{}}')])), undefined);
    assert.equal(parseDiscovery20002Reply(Buffer.concat([Buffer.alloc(16, 2), Buffer.from('{"result":[1]}')])), undefined);
    assert.equal(parseDiscovery20002Reply(Buffer.concat([Buffer.alloc(16, 2), Buffer.from('not json')])), undefined);
  });

  it('the simulator responder answers a probe and ignores garbage', async () => {
    const responder = await startDiscovery20002Responder({
      result: () => klapDiscoveryResult({ deviceId: 'D1', model: 'KP115(EU)', mac: '00-11-22-33-44-55', ip: '127.0.0.1', httpPort: 80, version: 1 }),
    });
    const socket = dgram.createSocket('udp4');
    try {
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      const received = new Promise<Buffer>((resolve) => socket.once('message', (msg) => resolve(msg)));
      socket.send(Buffer.from('garbage'), responder.port, '127.0.0.1');
      socket.send(buildDiscovery20002Request({ rsaPublicKeyPem: TEST_PEM, serial: 7 }), responder.port, '127.0.0.1');
      const reply = parseDiscovery20002Reply(await received);
      assert.equal(reply?.deviceModel, 'KP115(EU)');
      assert.equal(reply?.header.serial, 7);
      assert.equal(reply?.loginVersion, undefined, 'v1 plugs advertise no lv');
    } finally {
      socket.close();
      await responder.close();
    }
  });
});
