/** UDP 20002/20004 discovery of SMART devices: the keyed probe, full reply parsing, encrypt_info, against the simulator. */
import { strict as assert } from 'assert';
import { createPublicKey, generateKeyPairSync } from 'crypto';
import * as dgram from 'dgram';
import {
  buildDiscovery20002Request, decodeTdpHeader, defaultDiscoveryKeyPair, encodeDiscovery20002Reply, parseDiscovery20002Request, tdpCrcValid,
} from '../../lib/discovery/tdp';
import { encodeEncryptInfo, readSmartDiscoveryReply, type SmartDiscoveryReply } from '../../lib/discovery/smart-reply';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import { eventually } from '../klap/support';

/** Sends probes from one socket and resolves with the first reply whose serial is `serial`. */
async function probe(port: number, serial: number, packets: Buffer[] = [buildDiscovery20002Request({ serial })]): Promise<Buffer> {
  const socket = dgram.createSocket('udp4');
  try {
    const reply = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply within 3 s')), 3000);
      socket.on('message', (message) => {
        if (decodeTdpHeader(message)?.serial !== serial) return;
        clearTimeout(timer);
        resolve(message);
      });
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    for (const packet of packets) socket.send(packet, port, '127.0.0.1');
    return await reply;
  } finally {
    socket.close();
  }
}

function parsed(packet: Buffer, withKey = true): SmartDiscoveryReply {
  const result = readSmartDiscoveryReply(packet, withKey ? defaultDiscoveryKeyPair().privateKey : undefined);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.reply;
}

describe('SMART discovery on UDP 20002/20004', () => {
  let running: RunningSmartDevice | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('the probe offers a 2048-bit RSA public key as PEM, under a valid header and CRC', () => {
    const packet = buildDiscovery20002Request({ serial: 99 });
    const header = decodeTdpHeader(packet);
    assert.deepEqual([header?.version, header?.opCode, header?.flags, header?.serial, header?.msgSize], [2, 1, 17, 99, packet.length - 16]);
    assert.ok(tdpCrcValid(packet));
    const { rsaKey } = parseDiscovery20002Request(packet) ?? {};
    assert.match(rsaKey ?? '', /^-----BEGIN PUBLIC KEY-----\n/);
    assert.equal(createPublicKey(rsaKey as string).asymmetricKeyDetails?.modulusLength, 2048);
  });

  it('reads a KLAP plug\'s reply in full', async () => {
    running = await startSmartDevice({ model: 'P110', seed: 's', username: 'owner@example.com', password: 'x', discovery20002: 0 });
    const reply = parsed(await probe(running.discoveryPort as number, 1));
    assert.deepEqual(
      [reply.deviceType, reply.deviceModel, reply.ip, reply.mac, reply.encryptType, reply.httpPort, reply.loginVersion, reply.supportsHttps, reply.crcValid],
      ['SMART.TAPOPLUG', 'P110(EU)', '127.0.0.1', running.device.mac, 'KLAP', running.port, 2, false, true],
    );
    assert.match(reply.deviceId, /^[0-9A-F]{32}$/);
    assert.match(reply.owner ?? '', /^[0-9A-F]{32}$/);
    assert.equal(reply.decrypted, undefined);
  });

  it('an early AES plug advertises no login version; a strip and a Kasa plug their own type and model', async () => {
    running = await startSmartDevice({ model: 'P100', discovery20002: 0 });
    const p100 = parsed(await probe(running.discoveryPort as number, 2));
    assert.deepEqual([p100.encryptType, p100.loginVersion, p100.deviceModel], ['AES', undefined, 'P100(US)']);
    await running.close();
    running = await startSmartDevice({ model: 'KP125M', discovery20002: 0 });
    const kasa = parsed(await probe(running.discoveryPort as number, 3));
    assert.deepEqual([kasa.deviceType, kasa.encryptType, kasa.loginVersion], ['SMART.KASAPLUG', 'AES', 2]);
  });

  it('decrypts encrypt_info with the private half of the key the probe offered', async () => {
    running = await startSmartDevice({ model: 'L530', seed: 'e', discovery20002: 0, discoveryEncryptInfo: true });
    const reply = parsed(await probe(running.discoveryPort as number, 4));
    assert.equal(reply.decryptError, undefined);
    assert.equal(reply.decrypted?.device_id, running.device.deviceId);
    assert.equal(reply.decrypted?.http_port, running.port);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const wrong = readSmartDiscoveryReply(await probe(running.discoveryPort as number, 5), other);
    assert.ok(wrong.ok && wrong.reply.decrypted === undefined && /does not decrypt/.test(wrong.reply.decryptError ?? ''));
  });

  it('answers the same probe on another port such as 20004', async () => {
    running = await startSmartDevice({ model: 'P300', discovery20002: 0 });
    const reply = parsed(await probe(running.discoveryPort as number, 20004));
    assert.equal(reply.deviceModel, 'P300(EU)');
  });

  it('stays silent under the udp-drop fault and answers once it clears', async () => {
    running = await startSmartDevice({ model: 'P110', discovery20002: 0, fault: { kind: 'udp-drop' } });
    const port = running.discoveryPort as number;
    const dropped = buildDiscovery20002Request({ serial: 6 });
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const answered: number[] = [];
    socket.on('message', (m) => answered.push(decodeTdpHeader(m)?.serial ?? -1));
    socket.send(dropped, port, '127.0.0.1');
    const device = running;
    await eventually(() => device.discoveryProbes === 1);
    await running.clearFault();
    // The dropped probe was handled before the fault cleared; a reply to it would have been sent before this one's.
    await probe(port, 7);
    socket.close();
    assert.deepEqual(answered, []);
  });

  it('says what is wrong with a reply instead of throwing', () => {
    const header = (json: string): Buffer => Buffer.concat([encodeDiscovery20002Reply({}, 1).subarray(0, 16), Buffer.from(json)]);
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.alloc(8), /16-byte header/],
      [header('not json'), /not JSON/],
      [header('{"error_code":-1,"result":{}}'), /error_code -1/],
      [header('{"result":{"device_type":"SMART.TAPOPLUG","device_model":"P110"}}'), /device_id/],
      [header('{"result":{"device_id":"D","device_type":"T","device_model":"M","mgt_encrypt_schm":{"http_port":70000}}}'), /http_port/],
    ];
    for (const [packet, reason] of cases) {
      const result = readSmartDiscoveryReply(packet);
      assert.ok(!result.ok && reason.test(result.reason), result.ok ? 'parsed' : result.reason);
    }
    const camera = readSmartDiscoveryReply(header('{"result":{"device_id":"D","device_type":"SMART.IPCAMERA","device_model":"C100","encrypt_type":["1","2"],"ip":5}}'));
    assert.ok(camera.ok && camera.reply.loginVersion === 2 && camera.reply.ip === undefined);
  });

  it('encrypt_info made for one key does not open with a key that is not RSA-OAEP of 32 bytes', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const info = encodeEncryptInfo({ a: 1 }, pem);
    const result = { device_id: 'D', device_type: 'T', device_model: 'M', encrypt_info: { ...info, data: info.data.slice(4) } };
    const read = readSmartDiscoveryReply(encodeDiscovery20002Reply(result, 1), pair.privateKey);
    assert.ok(read.ok && read.reply.decryptError !== undefined);
  });
});
