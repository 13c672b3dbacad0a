// Boots one lab guest from its kernel and initramfs in Node, headless, waits for its console loop
// and saves the machine's state: what every page then restores instead of booting (a cold boot takes
// 11-13 s per guest; a restore well under one). The state is taken before any NIC driver binds (see
// site/guest/init). Usage: node make-state.mjs LAB_FOLDER STATE_FILE
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { Guest, machineOptions, wasmFrom } from "../lab/guest.mjs";

const [folder, out] = process.argv.slice(2);
const read = async (name) => {
  const data = await readFile(path.join(folder, name));
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
};
const manifest = JSON.parse(await readFile(path.join(folder, "lab.json"), "utf8"));
const { V86 } = await import(path.resolve(folder, manifest.files.emulator));
const names = manifest.files;
const files = {
  bios: await read(names.bios),
  vgabios: await read(names.vgabios),
  kernel: await read(names.kernel),
  initrd: await read(names.initrd),
};
const module = await WebAssembly.compile(await read(names.wasm));
const options = machineOptions({
  files, memoryMb: manifest.memory_mb, wasm: wasmFrom(module), cmdline: manifest.cmdline, boot: true,
});
const begun = performance.now();
const guest = new Guest({ V86, spec: { name: "lab", nics: [] }, options, onFrame: () => {} });
const limit = setTimeout(() => {
  console.error(`make-state: no console after 120 s; last lines:\n${guest.transcript.slice(-15).join("\n")}`);
  process.exit(1);
}, 120000);
await new Promise((resolve) => guest.console.onLine((line) => line.includes("console ready") && resolve()));
const booted = (performance.now() - begun) / 1000;
// The modules are loaded and no card has a driver (see site/guest/init).
const check = await guest.run("uname -r; ls -1 /sys/class/net; ls -1 /sys/module | grep -x -e bonding -e virtio_net", 20);
if (check.status !== 0 || check.output.split("\n").slice(1, -1).join(" ") !== "bonding_masters lo bonding virtio_net") {
  throw new Error(`make-state: the guest is not as the lab expects:\n${check.output}\n${guest.transcript.join("\n")}`);
}
const state = await guest.emulator.save_state();
clearTimeout(limit);
await writeFile(out, new Uint8Array(state));
console.log(JSON.stringify({ booted_s: Number(booted.toFixed(2)), kernel: check.output.split("\n")[0],
                             state_bytes: state.byteLength }));
await guest.destroy();
process.exit(0);
