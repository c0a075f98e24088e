/**
 * Proof of realism: third-party code talks to our simulated devices, and
 * our client talks to a third-party simulator.
 */
import { strict as assert } from 'assert';
import { Bulb, Client, Plug } from 'tplink-smarthome-api';
import { Device as PeerDevice } from 'tplink-smarthome-simulator';
import { connect, type Device } from '../../lib/device';
import { startDevice, type RunningDevice } from '../../lib/simulator/device-server';
import { MODEL_NAMES, resolveModel } from '../../lib/simulator/models';

type Reading = { power?: number; power_mw?: number };
type RuleList = { rule_list: unknown[] };

describe('simulator cross-tests', () => {
  describe('tplink-smarthome-api (v5) against our devices', () => {
    const client = new Client({ logLevel: 'silent', defaultSendOptions: { timeout: 3000, transport: 'tcp' } });
    const devices: RunningDevice[] = [];
    after(async () => {
      await Promise.all(devices.map((d) => d.close()));
    });

    for (const name of MODEL_NAMES) {
      const spec = resolveModel(name);
      it(`${name}: sysinfo, on/off${spec.emeter !== 'none' ? ', energy' : ''}, schedule`, async () => {
        const running = await startDevice({ model: name, seed: `cross-${name}`, alias: `Peer ${name}` });
        devices.push(running);
        const device = await client.getDevice({ host: running.host, port: running.port });
        assert.equal(device.alias, `Peer ${name}`);
        assert.equal(device.model, spec.model);
        assert.equal(device.deviceId, running.deviceId);
        assert.equal(device.deviceType, spec.light ? 'bulb' : 'plug');
        await device.getInfo();

        if (device instanceof Plug) {
          assert.equal(device.supportsEmeter, spec.emeter !== 'none');
          await device.setPowerState(false);
          assert.equal(await device.getPowerState(), false);
          await device.setPowerState(true);
          assert.equal(await device.getPowerState(), true);
          assert.equal(await device.getLedState(), true);
          await device.setLedState(false);
          assert.equal(await device.getLedState(), false);
          if (spec.kind === 'dimmer') {
            await device.dimmer.setBrightness(30);
            assert.equal((await device.getSysInfo() as { brightness?: number }).brightness, 30);
          }
          const id = (await device.schedule.addRule({ powerState: true, start: 600, daysOfWeek: [1, 3], name: 'peer', enable: true })).id;
          const rules = await device.schedule.getRules();
          assert.ok(rules.rule_list.some((r) => r.id === id));
          await device.schedule.deleteRule(id);
          await device.timer.addRule({ delay: 60, powerState: false, enable: true, deleteExisting: true });
          assert.equal(((await device.timer.getRules()) as RuleList).rule_list.length, 1);
          await device.away.addRule({ start: 600, end: 900, daysOfWeek: [0, 6], frequency: 5, enable: true });
          assert.equal((await device.away.getRules()).rule_list.length, 1);
        } else if (device instanceof Bulb) {
          await device.lighting.setLightState({ on_off: 1, brightness: 40 });
          const light = await device.lighting.getLightState();
          assert.equal(light.on_off, 1);
          // A light strip reports its LEDs in groups ([first, last, hue, saturation, brightness, K]); sysinfo has the plain form.
          const groups = (light as { groups?: number[][] }).groups;
          assert.equal(spec.kind === 'lightstrip' ? groups?.[0]?.[4] : light.brightness, 40);
          assert.equal(((await device.getSysInfo()) as { light_state: { brightness?: number } }).light_state.brightness, 40);
          await device.setPowerState(false);
          assert.equal(await device.getPowerState(), false);
          const id = (await device.schedule.addRule({ lightState: { on_off: 1 }, start: 600, daysOfWeek: [1], name: 'wake', enable: true })).id;
          assert.ok((await device.schedule.getRules()).rule_list.some((r) => r.id === id));
          await device.setPowerState(true);
        }

        if (spec.emeter !== 'none') {
          const realtime = (await device.emeter.getRealtime()) as Reading;
          assert.ok((realtime.power ?? 0) > 0, JSON.stringify(realtime));
          assert.ok(realtime.power_mw !== undefined && realtime.power !== undefined, 'both unit forms after normalising');
          if (spec.emeter !== 'bulb') {
            const now = new Date();
            const days = await device.emeter.getDayStats(now.getUTCFullYear(), now.getUTCMonth() + 1) as { day_list: unknown[] };
            assert.ok(Array.isArray(days.day_list));
            const months = await device.emeter.getMonthStats(now.getUTCFullYear()) as { month_list: unknown[] };
            assert.ok(Array.isArray(months.month_list));
          }
        }
        device.closeConnection();
      });
    }

    it('HS300 children: each outlet switches on its own, with its own meter', async () => {
      const running = await startDevice({ model: 'HS300', seed: 'cross-children', on: false });
      devices.push(running);
      const strip = await client.getDevice({ host: running.host, port: running.port });
      assert.ok(strip instanceof Plug);
      assert.equal(strip.children.size, 6);
      const childId = `${running.deviceId}02`;
      const outlet = await client.getDevice({ host: running.host, port: running.port, childId });
      assert.ok(outlet instanceof Plug);
      await outlet.setPowerState(true);
      assert.equal(await outlet.getPowerState(), true);
      const short = await client.getDevice({ host: running.host, port: running.port, childId: '03' });
      assert.equal(await short.getPowerState(), false);
      const onReading = (await outlet.emeter.getRealtime()) as Reading;
      assert.ok((onReading.power_mw ?? 0) > 0);
      assert.equal(((await (short as Plug).emeter.getRealtime()) as Reading).power_mw, 0);
      await outlet.setAlias('Television');
      const info = await strip.getSysInfo();
      const child = (info.children ?? []).find((c) => c.id === childId);
      assert.equal(child?.alias, 'Television');
      strip.closeConnection();
      outlet.closeConnection();
      short.closeConnection();
    });

    it('works over UDP too', async () => {
      const running = await startDevice({ model: 'HS110', seed: 'cross-udp' });
      devices.push(running);
      const udpClient = new Client({ logLevel: 'silent', defaultSendOptions: { timeout: 2000, transport: 'udp' } });
      const info = await udpClient.getSysInfo(running.host, running.port);
      assert.equal(info.deviceId, running.deviceId);
    });
  });

  describe('our device layer against tplink-smarthome-simulator (v5)', () => {
    const peers: PeerDevice[] = [];
    const devices: Device[] = [];
    after(async () => {
      await Promise.all(devices.map((d) => d.close()));
      await Promise.all(peers.map((p) => p.stop()));
    });

    /**
     * The peer binds a random UDP port, then TCP on the same number, which
     * another test may hold (EADDRINUSE): it then rejects, but keeps its UDP
     * socket and tries the TCP port again twice later on its own. That held
     * mocha open for good (a whole suite run hung). A peer that failed to
     * start has both unref'd, so neither can keep the process alive; every
     * peer is stopped in after(); a taken port means another try.
     */
    async function startPeer(model: string): Promise<PeerDevice> {
      for (let attempt = 1; ; attempt++) {
        const peerDevice = new PeerDevice({ model, port: 0, address: '127.0.0.1' });
        peers.push(peerDevice);
        try {
          await peerDevice.start();
          return peerDevice;
        } catch (error) {
          peerDevice.deviceNetworking.udpSocket?.unref();
          peerDevice.deviceNetworking.server?.unref();
          if (attempt === 3 || (error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
        }
      }
    }

    async function peer(model: string): Promise<{ peerDevice: PeerDevice; device: Device }> {
      const peerDevice = await startPeer(model);
      const device = await connect({ host: '127.0.0.1', port: peerDevice.port, transport: 'tcp', timeout: 3000 });
      devices.push(device);
      return { peerDevice, device };
    }

    const kinds: Record<string, string> = { hs100: 'plug', hs110: 'plug', hs300: 'strip', lb130: 'bulb' };
    for (const model of ['hs100', 'hs110', 'hs300', 'lb130']) {
      it(`${model}: a ${kinds[model]}, on/off${model === 'hs100' ? '' : ', energy'}`, async () => {
        const { device } = await peer(model);
        assert.equal(device.kind, kinds[model]);
        assert.equal(typeof device.state.alias, 'string');
        assert.ok(device.state.model.toUpperCase().startsWith(model.toUpperCase()));
        const option = model === 'hs300' ? { outlet: 0 } : {};
        await device.setPower(false, option);
        await device.refresh();
        assert.equal(device.isOn(option), false);
        await device.setPower(true, option);
        await device.refresh();
        assert.equal(device.isOn(option), true);
        if (model !== 'hs100') {
          const reading = await device.energy?.read(option);
          assert.equal(typeof reading?.power, 'number');
          assert.equal(typeof reading?.power_mw, 'number');
          assert.ok(Math.abs((reading?.power ?? 0) * 1000 - (reading?.power_mw ?? 0)) < 1);
        }
      });
    }
  });
});
