# ---
# jupyter:
#   kernelspec:
#     display_name: Python (Pyodide)
#     language: python
#     name: python
# ---

# %% [markdown]
# # The bonding lab in this browser tab
#
# Two small virtual machines, `client` and `server`, now run inside this tab: Debian's own Linux
# kernel (6.1, 32-bit) with the real bonding driver, emulated by v86 in WebAssembly. Each has two
# network cards, `enp0s8` and `enp0s9`, plugged into one switch written in JavaScript. Nothing is
# installed and nothing leaves the tab.
#
# `start()` restores both machines from a state the site was built with (no boot: about a second)
# and brings their cards up with the tutorial's MAC addresses.
#
# In Chrome or Edge (137 or later) every call below waits by itself. In Firefox and Safari write
# `lab = await astart()` and `await lab["server"].arun(...)` instead.
# Avoid `time.sleep()` here: the machines run on the same thread as Python and would stop with it;
# let a guest wait instead (`lab["server"].run("sleep 1")`).

# %%
from bondkit.lab.browser import start

lab = start()
print(lab.hosts, f"ready {lab.ready_seconds:.1f} s after the first byte")

# %% [markdown]
# ## A bond in active-backup mode on both hosts
#
# The guests are tiny (busybox, no NetworkManager), so the bond is made through the bonding driver's
# own files in `/sys`, which is what `ifcfg` files and netplan do underneath: mode `active-backup`,
# link checked every 100 ms (`miimon`), both cards as slaves, the tutorial's addresses.

# %%
def bond_commands(address):
    bond = "/sys/class/net/bond0/bonding"
    return " && ".join([
        "echo +bond0 > /sys/class/net/bonding_masters",
        f"echo active-backup > {bond}/mode",
        f"echo 100 > {bond}/miimon",
        "ip link set enp0s8 down", "ip link set enp0s9 down",
        f"echo +enp0s8 > {bond}/slaves", f"echo +enp0s9 > {bond}/slaves",
        f"ip addr add {address}/24 dev bond0", "ip link set bond0 up",
    ])

for host, address in [("client", "192.168.99.101"), ("server", "192.168.99.102")]:
    lab[host].run(bond_commands(address), check=True)
lab["server"].run("sleep 1")
print(lab["server"].run("cat /proc/net/bonding/bond0").stdout)

# %%
print(lab["client"].run("ping -c 3 192.168.99.102").stdout)

# %% [markdown]
# ## Pull the cable of the active slave
#
# `carrier-loss` drops the link of the server's `enp0s8`, as unplugging it would: the guest's driver
# loses its carrier, `miimon` notices within 100 ms and the bond makes `enp0s9` its active slave: a failover.

# %%
lab.fault("server", "enp0s8", "carrier-loss")
lab["server"].run("sleep 1")
print(lab["server"].run("cat /proc/net/bonding/bond0").stdout)

# %%
print(lab["client"].run("ping -c 3 192.168.99.102").stdout)

# %% [markdown]
# The ping goes on through `enp0s9`. Plug the cable back in:

# %%
lab.fault("server", "enp0s8", "restore")
lab["server"].run("sleep 1")
print(lab["server"].run("grep -A1 'Slave Interface' /proc/net/bonding/bond0").stdout)
