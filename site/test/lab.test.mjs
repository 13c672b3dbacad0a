// The browser lab in Node: two guests restored from the build's state image, a bond on the server,
// carrier pulled from its active NIC. Needs `make site` (build/site/bondlab); run: node --test site/test
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const folder = path.resolve(process.env.BONDKIT_SITE_LAB || path.join(here, "../../build/site/bondlab"));
const built = existsSync(path.join(folder, "state.bin.zst"));

const bond = (address) => [
  "echo +bond0 > /sys/class/net/bonding_masters",
  "echo active-backup > /sys/class/net/bond0/bonding/mode",
  "echo 100 > /sys/class/net/bond0/bonding/miimon",
  "ip link set enp0s8 down", "ip link set enp0s9 down",
  "echo +enp0s8 > /sys/class/net/bond0/bonding/slaves",
  "echo +enp0s9 > /sys/class/net/bond0/bonding/slaves",
  `ip addr add ${address}/24 dev bond0`, "ip link set bond0 up",
].join(" && ");
const active = async (lab, host) =>
  (await lab.run(host, "cat /sys/class/net/bond0/bonding/active_slave")).output.trim();

const skip = !built && "build/site/bondlab is not built (make site)";
test("bond fails over on carrier loss and the ping survives", { skip, timeout: 240000 }, async () => {
  const read = async (name) => {
    const data = await readFile(path.join(folder, name));
    return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  };
  const { openLab } = await import(pathToFileURL(path.join(folder, "lab.mjs")).href);
  const { V86 } = await import(pathToFileURL(path.join(folder, "libv86.mjs")).href);
  const lab = await openLab(read, V86);
  after(() => lab.destroy());
  await lab.up();
  const macs = await lab.run("server", "cat /sys/class/net/enp0s8/address /sys/class/net/enp0s9/address");
  assert.equal(macs.output.trim().split("\n").join(" "),
               lab.manifest.hosts[1].nics.map((nic) => nic.mac).join(" "));
  for (const [host, address] of [["client", "192.168.99.101"], ["server", "192.168.99.102"]]) {
    const result = await lab.run(host, bond(address));
    assert.equal(result.status, 0, result.output);
  }
  // miimon needs a moment to see the slaves' links up.
  await lab.run("server", "sleep 1");
  const before = await active(lab, "server");
  assert.equal(before, "enp0s8");
  const ping = await lab.run("client", "ping -c 3 -W 5 192.168.99.102", 60);
  assert.equal(ping.status, 0, ping.output);
  await lab.fault("server", before, "carrier-loss");
  const carrier = await lab.run("server", `cat /sys/class/net/${before}/carrier`);
  assert.equal(carrier.output.trim(), "0");
  await lab.run("server", "sleep 1");
  assert.equal(await active(lab, "server"), "enp0s9");
  const after_ = await lab.run("client", "ping -c 3 -W 5 192.168.99.102", 60);
  assert.equal(after_.status, 0, after_.output);
  const timeout = await lab.run("client", "sleep 30", 1).then(() => null, (error) => error);
  assert.equal(timeout?.name, "CommandTimeout");
  const still = await lab.run("client", "echo alive");
  assert.equal(still.output, "alive\n");
});
