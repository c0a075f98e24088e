/**
 * Codec bench: our cipher against tplink-smarthome-crypto on the same
 * inputs, encrypt and decrypt, for each realistic payload size; plus the
 * whole TCP frame (header + cipher) both ways.
 */
import * as legacy from 'tplink-smarthome-crypto';
import { decrypt, encrypt } from '../lib/classic/cipher';
import { encodeFrame, FrameDecoder } from '../lib/classic/framing';
import { compareSync, sink } from './measure';
import { PAYLOADS } from './payloads';
import type { Figure } from './report';

export interface CodecOptions {
  rounds: number;
  batchMs: number;
}

export function runCodecBench(options: CodecOptions): Figure[] {
  const figures: Figure[] = [];
  for (const { name, text } of PAYLOADS) {
    const plain = Buffer.from(text, 'utf8');
    const cipher = encrypt(plain);
    const frame = encodeFrame(plain);
    // One decoder per connection, as in the transport; each push completes one frame.
    const decoder = new FrameDecoder();
    if (!legacy.encrypt(plain).equals(cipher)) throw new Error(`codec bench: outputs differ for ${name}`);
    const bytes = plain.length;
    const cases: Array<[string, () => void, () => void]> = [
      ['encrypt', () => { sink.value ^= encrypt(plain)[bytes - 1]; }, () => { sink.value ^= legacy.encrypt(plain)[bytes - 1]; }],
      ['decrypt', () => { sink.value ^= decrypt(cipher)[bytes - 1]; }, () => { sink.value ^= legacy.decrypt(cipher)[bytes - 1]; }],
      ['encode frame', () => { sink.value ^= encodeFrame(text)[bytes]; }, () => { sink.value ^= legacy.encryptWithHeader(text)[bytes]; }],
      [
        'decode frame',
        () => { sink.value ^= decoder.push(frame).frames[0][bytes - 1]; },
        () => { sink.value ^= legacy.decryptWithHeader(frame)[bytes - 1]; },
      ],
    ];
    for (const [op, ours, baseline] of cases) {
      const result = compareSync(ours, baseline, options.rounds, options.batchMs);
      const mb = bytes / 1e6;
      figures.push({
        group: 'codec',
        name: `${op} ${name} (${bytes} B)`,
        unit: 'MB/s',
        ours: result.ours * mb,
        baseline: result.baseline * mb,
        baselineName: 'tplink-smarthome-crypto',
        ratio: result.ratio,
        better: 'higher',
        target: op === 'encrypt' || op === 'decrypt' ? { min: 1.5 } : undefined,
        detail: { rounds: result.rounds, payloadBytes: bytes },
      });
    }
  }
  return figures;
}
