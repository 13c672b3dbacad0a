# ---
# jupyter:
#   kernelspec:
#     display_name: Python (Pyodide)
#     language: python
#     name: python
# ---

# %% [markdown] lang="en"
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

# %% [markdown] lang="ko"
# # 브라우저 탭 안의 본딩 실습
#
# 지금 이 탭 안에서 작은 가상 머신 두 대, `client`와 `server`가 돌아갑니다. WebAssembly로 만든 에뮬레이터 v86이
# Debian의 리눅스 커널(6.1, 32비트)과 실제 본딩 드라이버를 실행합니다. 머신마다 네트워크 카드 `enp0s8`과
# `enp0s9`가 있고, 둘 다 JavaScript로 만든 스위치 하나에 꽂혀 있습니다. 설치하는 것도 없고 탭 밖으로 나가는
# 것도 없습니다.
#
# `start()`는 사이트를 만들 때 저장해 둔 상태에서 두 머신을 되살리고(부팅하지 않으므로 1초 남짓 걸립니다),
# 튜토리얼과 같은 MAC 주소로 네트워크 카드를 올립니다.
#
# Chrome이나 Edge(137 이상)에서는 아래 호출이 모두 알아서 기다립니다. Firefox와 Safari에서는 대신
# `lab = await astart()`, `await lab["server"].arun(...)`처럼 쓰세요.
# 여기서는 `time.sleep()`을 쓰지 마세요. 가상 머신이 파이썬과 같은 스레드에서 돌기 때문에 함께 멈춥니다.
# 기다려야 할 때는 게스트가 기다리게 하세요(`lab["server"].run("sleep 1")`).

# %%
from bondkit.lab.browser import start

lab = start()
print(lab)


# %% [markdown] lang="en"
# ## A bond in active-backup mode on both hosts
#
# The guests are tiny (busybox, no NetworkManager), so the bond is made through the bonding driver's
# own files in `/sys`, which is what `ifcfg` files and netplan do underneath: mode `active-backup`,
# link checked every 100 ms (`miimon`), both cards as slaves, the tutorial's addresses.

# %% [markdown] lang="ko"
# ## 두 호스트에 액티브-백업 모드 본딩 인터페이스 만들기
#
# 게스트는 아주 작은 시스템이라(busybox만 있고 NetworkManager는 없습니다) 본딩 드라이버가 `/sys`에 두는 파일로
# `bond0`을 만듭니다. `ifcfg` 파일과 netplan도 내부적으로는 같은 일을 합니다. 모드는 액티브-백업(`active-backup`), 링크는
# 100ms마다 확인하고(`miimon`), 두 카드를 슬레이브로 넣고, 튜토리얼의 주소를 줍니다.

# %%
from bondkit.lab.browser import bond_commands

print(bond_commands("192.168.99.102").replace(" && ", "\n"))
for host, address in [("client", "192.168.99.101"), ("server", "192.168.99.102")]:
    lab[host].run(bond_commands(address), check=True)
lab["server"].run("sleep 1")
print(lab["server"].run("cat /proc/net/bonding/bond0").stdout)

# %%
print(lab["client"].run("ping -c 3 192.168.99.102").stdout)

# %% [markdown] lang="en"
# ## Pull the cable of the active slave
#
# `carrier-loss` drops the link of the server's `enp0s8`, as unplugging it would: the guest's driver
# loses its carrier, `miimon` notices within 100 ms and the bond makes `enp0s9` its active slave: a failover.

# %% [markdown] lang="ko"
# ## 액티브 슬레이브의 케이블 뽑기
#
# `carrier-loss`는 server의 `enp0s8` 링크를 케이블을 뽑은 것처럼 끊습니다. 게스트의 드라이버가 캐리어를 잃고,
# `miimon`이 100ms 안에 알아채고, `bond0`은 `enp0s9`를 액티브 슬레이브로 바꿉니다. 이것이 페일오버입니다.

# %%
lab.fault("server", "enp0s8", "carrier-loss")
lab["server"].run("sleep 1")
print(lab["server"].run("cat /proc/net/bonding/bond0").stdout)

# %%
print(lab["client"].run("ping -c 3 192.168.99.102").stdout)

# %% [markdown] lang="en"
# The ping goes on through `enp0s9`. Plug the cable back in:

# %% [markdown] lang="ko"
# ping은 `enp0s9`를 거쳐 계속 오갑니다. 케이블을 다시 꽂아 봅시다.

# %%
lab.fault("server", "enp0s8", "restore")
lab["server"].run("sleep 1")
print(lab["server"].run("grep -A1 'Slave Interface' /proc/net/bonding/bond0").stdout)

# %% [markdown] lang="en"
# ## What `fail_over_mac` does to the MAC addresses
#
# `fail_over_mac` decides which MAC address the bond and its slaves carry after a failover
# (bonding.rst):
#
# - `none` (the default): every slave takes the bond's address, which never changes; the switch learns
#   it on the new port from the gratuitous ARP the bond sends;
# - `active`: the bond takes the address of whichever slave is active; the client must learn the new
#   address (the same gratuitous ARP tells it);
# - `follow`: the bond keeps its address; the new active slave takes it, and the old one gets the new
#   one's previous address, so that once the swap is done no two slaves share an address (the driver
#   makes the swap as two changes, one after the other).
#
# The next cell makes the server's bond three times, once per mode, pulls the active card's cable each
# time and prints, per mode, the active slave and the address of `bond0`, `enp0s8` and `enp0s9` before
# `->` after, then how many of three pings came back. Compare the lines with what notebook 04 shows of
# the same runs on a native lab: the addresses are the tutorial's in both.

# %% [markdown] lang="ko"
# ## `fail_over_mac`에 따라 달라지는 MAC 주소
#
# `fail_over_mac`은 페일오버가 일어난 뒤 본딩 인터페이스와 슬레이브가 어떤 MAC 주소를 쓸지 정합니다(bonding.rst).
#
# - `none`(기본값): 모든 슬레이브가 본딩 인터페이스의 주소를 쓰고, 이 주소는 바뀌지 않습니다. 스위치는 본딩
#   인터페이스가 보내는 gratuitous ARP를 보고 이 주소의 새 포트를 배웁니다.
# - `active`: 본딩 인터페이스가 그때그때 액티브 슬레이브의 주소를 씁니다. 그래서 client가 새 주소를 배워야
#   하는데, 이것도 같은 gratuitous ARP가 알려 줍니다.
# - `follow`: 본딩 인터페이스의 주소는 그대로입니다. 새 액티브 슬레이브가 그 주소를 넘겨받고, 이전 액티브
#   슬레이브는 새 액티브 슬레이브가 쓰던 주소를 받습니다. 이렇게 하면 교환이 끝난 뒤에는 같은 주소를 쓰는 슬레이브가
#   없습니다(드라이버는 주소를 한 번에 맞바꾸지 않고 차례로 두 번 바꿉니다).
#
# 다음 셀은 server의 본딩 인터페이스를 모드마다 한 번씩, 모두 세 번 만들고, 그때마다 액티브 슬레이브의 케이블을
# 뽑습니다. 모드마다 액티브 슬레이브와 `bond0`, `enp0s8`, `enp0s9`의 주소를 `->` 왼쪽에 뽑기 전, 오른쪽에 뽑은 뒤
# 주소로 보여 주고, ping 세 번 중 몇 번 응답이 왔는지도 보여 줍니다. 이 출력을 `04` 노트북이 보여 주는, 네이티브
# 실습 환경에서 같은 실행을 기록한 결과와 비교해 보세요. 두 곳 모두 튜토리얼의 주소를 씁니다.

# %%
from bondkit.lab.browser import mac_story

for mode in ("none", "active", "follow"):
    print(mac_story(lab, mode))
