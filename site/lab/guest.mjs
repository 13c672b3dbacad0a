// One lab host: a v86 machine restored from the build's state image, its two virtio network cards
// (with the patch in site/v86-two-nics.json) and its serial console.

import { SerialConsole } from "./console.mjs";

// v86's wasm_fn: each machine gets its own instance of the one compiled module.
export const wasmFrom = (module) => async (imports) => (await WebAssembly.instantiate(module, imports)).exports;

const macBytes = (mac) => new Uint8Array(mac.split(":").map((part) => parseInt(part, 16)));

// The machine's settings. ``files`` holds the images as ArrayBuffers (a page fetches them, Node reads
// them), so that v86 never fetches on its own.
export function machineOptions({ files, memoryMb, wasm, cmdline, boot }) {
  const options = {
    wasm_fn: wasm,
    memory_size: memoryMb * 1024 * 1024,
    vga_memory_size: 2 * 1024 * 1024,
    bios: { buffer: files.bios },
    vga_bios: { buffer: files.vgabios },
    net_device: { type: "virtio", count: 2 },
    autostart: true,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
    acpi: false,
  };
  if (boot) {
    options.bzimage = { buffer: files.kernel };
    options.initrd = { buffer: files.initrd };
    options.cmdline = cmdline;
  } else {
    options.initial_state = { buffer: files.state };
  }
  return options;
}

export class Guest {
  // spec: {name, nics: [{name, mac}, {name, mac}]}; V86: the emulator's class; onFrame(nic, frame):
  // what the card sends (to the switch).
  constructor({ V86, spec, options, onFrame }) {
    this.name = spec.name;
    this.spec = spec;
    this.emulator = new V86(options);
    this.console = new SerialConsole(spec.name, (text) => this.emulator.serial0_send(text));
    this.transcript = [];
    this.console.onLine((line) => {
      this.transcript.push(line);
      if (this.transcript.length > 200) this.transcript.shift();
    });
    this.emulator.add_listener("serial0-output-byte", (byte) => this.console.feed(byte));
    this.started = new Promise((resolve) => this.emulator.add_listener("emulator-started", resolve));
    spec.nics.forEach((_, index) => {
      this.emulator.bus.register(`net${index}-send`, (frame) => onFrame(index, frame));
    });
  }

  card(index) {
    const devices = this.emulator.v86.cpu.devices;
    return index === 0 ? devices.virtio_net : devices.virtio_net2;
  }

  // Whether the card takes a frame now: its driver is bound (virtio DRIVER_OK) and has given it a
  // receive buffer; otherwise the frame has nowhere to go, as on a card whose driver is not loaded.
  driverReady(index) {
    const card = this.card(index);
    return Boolean(card && card.virtio.device_status & 4 && card.virtio.queues[0].has_request());
  }

  receive(index, frame) {
    this.emulator.bus.send(`net${index}-receive`, frame);
  }

  // The cable: the card's VIRTIO_NET_S_LINK_UP bit, and a configuration interrupt so that the
  // guest's driver reads it (it then reports carrier on or off, as for a pulled cable).
  setCarrier(index, up) {
    const card = this.card(index);
    card.status = up ? 1 : 0;
    card.virtio.notify_config_changes();
  }

  carrier(index) {
    return this.card(index).status & 1;
  }

  // After a restore: the cards get the tutorial's MAC addresses (v86 drew new ones), then the drivers
  // that the guest loaded before its state was saved bind them (virtio cards: PCI vendor 0x1af4, in
  // slot order), and the guest names them as the tutorial does (enp0s8, enp0s9). The bonding driver is
  // loaded already, with no bond of its own (as on a host whose bonds its tools make).
  async bringUp() {
    await this.started;
    this.spec.nics.forEach((nic, index) => {
      this.card(index).mac = macBytes(nic.mac);
    });
    const renames = this.spec.nics.map((nic, index) => `ip link set eth${index} name ${nic.name}`).join("; ");
    const script = [
      `hostname ${this.name}`,
      "echo 1 > /sys/bus/pci/drivers_autoprobe",
      "{ for card in /sys/bus/pci/devices/*; do read -r vendor < $card/vendor; " +
        "[ $vendor = 0x1af4 ] && echo ${card##*/} > /sys/bus/pci/drivers_probe; done; true; }",
      renames,
      ...this.spec.nics.map((nic) => `ip link set ${nic.name} up`),
    ].join(" && ");
    const result = await this.console.run(script, 30);
    if (result.status !== 0) {
      throw new Error(`${this.name}: the network cards did not come up: ${result.output.trim()}`);
    }
  }

  run(command, seconds) {
    return this.console.run(command, seconds);
  }

  stop() {
    return this.emulator.stop();
  }

  start() {
    return this.emulator.run();
  }

  destroy() {
    return this.emulator.destroy();
  }
}
