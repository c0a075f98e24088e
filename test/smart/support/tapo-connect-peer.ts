/**
 * Runs the third-party client tp-link-tapo-connect against one simulated
 * device and prints what it saw as one JSON line. tapo-connect.test.ts
 * starts it in a child process with --security-revert=CVE-2023-46809,
 * because that client's AES login decrypts with PKCS#1 v1.5, which Node
 * refuses otherwise. The flag is for this peer only, never for our code.
 *
 *   node --security-revert=CVE-2023-46809 tapo-connect-peer.js SCENARIO EMAIL PASSWORD HOST:PORT [CHILD_ID]
 */
import { loginDeviceByIp } from 'tp-link-tapo-connect';

type Scenario = 'switch' | 'energy' | 'outlets' | 'login';

async function run(scenario: Scenario, email: string, password: string, address: string, childId: string | undefined): Promise<unknown> {
  const device = await loginDeviceByIp(email, password, address);
  switch (scenario) {
    case 'login':
      return 'logged in';
    case 'switch': {
      const before = (await device.getDeviceInfo()).device_on;
      await device.turnOff(childId);
      const off = (await device.getDeviceInfo()).device_on;
      await device.turnOn(childId);
      const info = await device.getDeviceInfo();
      return { before, off, on: info.device_on, nickname: info.nickname, model: info.model };
    }
    case 'energy':
      return device.getEnergyUsage();
    case 'outlets':
      if (childId) await device.turnOff(childId);
      return (await device.getChildDevicesInfo()).map((child) => ({ id: child.device_id, nickname: child.nickname, on: child.device_on }));
  }
}

const [scenario, email, password, address, childId] = process.argv.slice(2);
run(scenario as Scenario, email ?? '', password ?? '', address ?? '', childId).then(
  (result) => console.log(JSON.stringify({ ok: true, result })),
  (error: unknown) => console.log(JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) })),
);
