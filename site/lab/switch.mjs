// The lab's data switch (VirtualBox's host-only network vboxnet0 in the tutorial), in JavaScript:
// every guest NIC is a port; frames pass between ports as on a real switch, so that the guests' bond,
// ARP and ping see what they would see on one.
//
// Profiles (as the native lab's switch, see bondkit/lab/guestfs/wire.sh):
//   learning       an ordinary learning switch: unicast to the port that last sent from that MAC,
//                  else flooded; broadcast and multicast flooded;
//   vbox-hostonly  as VirtualBox's host-only adapter with promiscuous mode "Deny": a port delivers
//                  unicast only when it is addressed to the MAC the adapter was given at start,
//                  whatever MAC the guest has set since; broadcast and multicast always pass.
// Port states (faults at the switch port, the carrier stays up):
//   forwarding       frames pass both ways;
//   blocked          nothing passes either way (silent-drop);
//   unicast-blocked  only broadcast and multicast pass, both ways (unicast-drop).

export const PROFILES = ["learning", "vbox-hostonly"];
export const PORT_STATES = ["forwarding", "blocked", "unicast-blocked"];

const isGroup = (frame) => (frame[0] & 1) === 1;
const macOf = (frame, offset) =>
  Array.from(frame.subarray(offset, offset + 6), (b) => b.toString(16).padStart(2, "0")).join(":");

export class Switch {
  constructor(profile = "learning") {
    this.setProfile(profile);
    this.ports = [];
    this.table = new Map(); // MAC -> port index, learnt from the frames' sources
    this.counts = { frames: 0, delivered: 0, dropped: 0 };
  }

  setProfile(profile) {
    if (!PROFILES.includes(profile)) {
      throw new Error(`unknown switch profile ${profile} (known: ${PROFILES.join(", ")})`);
    }
    this.profile = profile;
  }

  // deliver(frame) hands a frame to the port's NIC; ready() says whether its driver takes frames now
  // (a frame for a card whose driver is not bound yet has nowhere to go); adapterMac is the MAC the
  // card was given, which vbox-hostonly filters on.
  addPort({ name, adapterMac, deliver, ready }) {
    const port = { name, adapterMac: adapterMac.toLowerCase(), deliver, ready, state: "forwarding" };
    this.ports.push(port);
    return this.ports.length - 1;
  }

  setPortState(index, state) {
    if (!PORT_STATES.includes(state)) {
      throw new Error(`unknown port state ${state} (known: ${PORT_STATES.join(", ")})`);
    }
    this.ports[index].state = state;
  }

  passes(port, frame) {
    if (port.state === "blocked") return false;
    if (port.state === "unicast-blocked") return isGroup(frame);
    return true;
  }

  // A frame the NIC of port ``from`` sent.
  receive(from, frame) {
    this.counts.frames += 1;
    const source = this.ports[from];
    if (!this.passes(source, frame)) {
      this.counts.dropped += 1;
      return;
    }
    if (!isGroup(frame.subarray(6))) this.table.set(macOf(frame, 6), from);
    let targets;
    if (isGroup(frame)) {
      targets = this.ports.map((_, i) => i).filter((i) => i !== from);
    } else {
      const known = this.table.get(macOf(frame, 0));
      targets = known === undefined ? this.ports.map((_, i) => i).filter((i) => i !== from) : [known];
    }
    for (const index of targets) {
      if (index === from) continue;
      const port = this.ports[index];
      if (!this.passes(port, frame) || !port.ready()) {
        this.counts.dropped += 1;
        continue;
      }
      if (this.profile === "vbox-hostonly" && !isGroup(frame) && macOf(frame, 0) !== port.adapterMac) {
        this.counts.dropped += 1;
        continue;
      }
      this.counts.delivered += 1;
      port.deliver(frame);
    }
  }

  // The forwarding table, as a switch's "show mac address-table": [{mac, port}].
  fdb() {
    return Array.from(this.table, ([mac, index]) => ({ mac, port: this.ports[index].name }));
  }
}
