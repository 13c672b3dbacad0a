// The browser lab: the tutorial's two hosts (client, server), each with two data NICs on one switch,
// and the faults the native lab has (bondkit/lab/lab.py), acting where a real one would:
//   admin-down    ``ip link set DEV down`` in the guest;
//   carrier-loss  the card's link bit drops (the guest's driver loses its carrier);
//   silent-drop   the switch port passes nothing while the link stays up;
//   unicast-drop  the switch port passes only broadcast and multicast;
//   restore       every fault of that NIC undone.
// Everything here runs wherever v86 runs: a page, a web worker (the Pyodide kernel's), or Node.

import { Guest, machineOptions, wasmFrom } from "./guest.mjs";
import { Switch } from "./switch.mjs";

export const FAULTS = ["admin-down", "carrier-loss", "silent-drop", "unicast-drop", "restore"];
const PORT_FAULTS = { "silent-drop": "blocked", "unicast-drop": "unicast-blocked" };

export class Lab {
  constructor({ V86, manifest, files, wasm }) {
    this.manifest = manifest;
    this.switch = new Switch(manifest.switch || "learning");
    this.guests = new Map();
    this.ports = new Map(); // "host/nic" -> switch port
    this.faults = new Map(); // "host/nic" -> fault kind
    this.paused = false;
    const options = machineOptions({ files, memoryMb: manifest.memory_mb, wasm, boot: false });
    for (const spec of manifest.hosts) {
      const portOf = [];
      const guest = new Guest({
        V86,
        spec,
        options,
        onFrame: (index, frame) => this.switch.receive(portOf[index], frame),
      });
      spec.nics.forEach((nic, index) => {
        portOf[index] = this.switch.addPort({
          name: `${spec.name}/${nic.name}`,
          adapterMac: nic.mac,
          deliver: (frame) => guest.receive(index, frame),
          ready: () => guest.driverReady(index) && guest.carrier(index) === 1,
        });
        this.ports.set(`${spec.name}/${nic.name}`, portOf[index]);
      });
      this.guests.set(spec.name, guest);
    }
  }

  get hosts() {
    return Array.from(this.guests.keys());
  }

  guest(host) {
    const guest = this.guests.get(host);
    if (!guest) throw new Error(`no lab host ${host} (hosts: ${this.hosts.join(", ")})`);
    return guest;
  }

  nicIndex(host, nic) {
    const spec = this.guest(host).spec;
    const index = spec.nics.findIndex((n) => n.name === nic);
    if (index < 0) {
      throw new Error(`${host} has no data NIC ${nic} (NICs: ${spec.nics.map((n) => n.name).join(", ")})`);
    }
    return index;
  }

  // Every guest restored and its cards up; resolves with the seconds it took.
  async up() {
    const begun = performance.now();
    await Promise.all(Array.from(this.guests.values(), (guest) => guest.bringUp()));
    return (performance.now() - begun) / 1000;
  }

  // {output, status} of ``command`` run by sh on ``host``, bounded by ``seconds``.
  run(host, command, seconds = 30) {
    return this.guest(host).run(command, seconds);
  }

  async fault(host, nic, kind) {
    if (!FAULTS.includes(kind)) throw new Error(`unknown fault ${kind} (known: ${FAULTS.join(", ")})`);
    const index = this.nicIndex(host, nic);
    const guest = this.guest(host);
    const key = `${host}/${nic}`;
    const restoring = kind === "restore";
    if (kind === "carrier-loss" || restoring) guest.setCarrier(index, restoring);
    if (kind in PORT_FAULTS || restoring) {
      this.switch.setPortState(this.ports.get(key), PORT_FAULTS[kind] || "forwarding");
    }
    if (kind === "admin-down" || (restoring && this.faults.get(key) === "admin-down")) {
      const result = await guest.run(`ip link set dev ${nic} ${restoring ? "up" : "down"}`, 10);
      if (result.status !== 0) throw new Error(`${host}: ${result.output.trim()}`);
    }
    if (restoring) this.faults.delete(key);
    else this.faults.set(key, kind);
  }

  setSwitch(profile) {
    this.switch.setProfile(profile);
  }

  // The guests stop running (a hidden tab): no CPU at all until resume().
  async pause() {
    if (this.paused) return;
    this.paused = true;
    await Promise.all(Array.from(this.guests.values(), (guest) => guest.stop()));
  }

  async resume() {
    if (!this.paused) return;
    this.paused = false;
    await Promise.all(Array.from(this.guests.values(), (guest) => guest.start()));
  }

  async destroy() {
    await Promise.all(Array.from(this.guests.values(), (guest) => guest.destroy()));
  }
}

// The lab from the site's files: ``load(name)`` gives a file of the lab's folder as an ArrayBuffer
// (fetch in a page or worker, a file read in Node); ``V86`` is the (patched) emulator's class.
export async function openLab(load, V86) {
  const manifest = JSON.parse(new TextDecoder().decode(await load("lab.json")));
  const names = manifest.files;
  const [state, bios, vgabios, wasmBytes] = await Promise.all(
    [names.state, names.bios, names.vgabios, names.wasm].map((name) => load(name)),
  );
  const module = await WebAssembly.compile(wasmBytes);
  return new Lab({ V86, manifest, files: { state, bios, vgabios }, wasm: wasmFrom(module) });
}
