# %% [markdown] lang="en"
# # 03 · The failover test
#
# The bonding tutorial ends with a test: ping the server's bond from the client, take the server's active
# slave down with `ip link set dev enp0s8 down`, and check that the ping goes on while the active slave
# changes from enp0s8 to enp0s9. Here you run that test on the embedded lab, step by step, and then
# measure it.
#
# ## Objectives
#
# After this notebook you can
#
# - apply the tutorial's CentOS files to two hosts with `bondkit.apply` and read its verification;
# - read `/proc/net/bonding/bond0` and `ip link show` and say which slave is active and which MAC
#   address each interface has;
# - break the active link the tutorial's way and explain what the bond did;
# - read a measured failover: when the fault came, when the bond noticed, how many pings were lost.

# %% [markdown] lang="ko"
# # 03 · 페일오버 테스트
#
# 본딩 튜토리얼은 테스트 하나로 끝납니다. client에서 server의 본딩 주소로 ping을 보내고,
# `ip link set dev enp0s8 down`으로 server의 액티브 슬레이브를 내린 뒤, 액티브 슬레이브가 enp0s8에서
# enp0s9로 바뀌는 동안에도 ping이 계속 가는지 확인합니다. 이 노트북에서는 그 테스트를 내장 실습 환경에서
# 한 단계씩 해 보고, 이어서 측정까지 합니다.
#
# ## 학습 목표
#
# 이 노트북을 마치면 다음을 할 수 있습니다.
#
# - 튜토리얼의 CentOS 파일을 `bondkit.apply`로 호스트 두 대에 적용하고, 그 검증 결과를 읽을 수 있습니다.
# - `/proc/net/bonding/bond0`과 `ip link show`를 읽고, 어느 슬레이브가 액티브인지, 인터페이스마다 MAC
#   주소가 무엇인지 말할 수 있습니다.
# - 튜토리얼의 방식으로 액티브 링크를 끊고, 본딩이 무엇을 했는지 설명할 수 있습니다.
# - 측정된 페일오버를 읽을 수 있습니다. 장애가 언제 났고, 본딩이 언제 알아챘고, ping을 몇 개 잃었는지.

# %% [markdown] lang="en"
# ## 0. Five words first: ARP, the ARP cache, gratuitous ARP, the switch's MAC table, carrier
#
# Every failure in this notebook and the next two turns on these. The lab has two hosts on one switch:
# the client `192.168.99.101` and the server `192.168.99.102`, whose bond0 sits on enp0s8 and enp0s9.
#
# | word | what it is | where you see it |
# |---|---|---|
# | ARP | to send to `192.168.99.102` the client needs the server's MAC address: it broadcasts "who has 192.168.99.102?" and the server answers with its MAC | before the first ping to a new address |
# | ARP cache | the answers a host keeps for a while (IP address → MAC address) | `ip neigh` on the client |
# | gratuitous ARP | an ARP message nobody asked for: a host announces its own IP and MAC. The bond sends one after a failover (`num_grat_arp`), so that peers fix their caches and switches see the MAC on its new port | the figures' bottom lanes in `03` and `04` (a star) |
# | the switch's MAC table | a learning switch notes the source MAC of each frame and the port it came in on, and sends frames for that MAC out of that port only | the lab's switch |
# | carrier | whether the link is physically alive; `ip link show` says `NO-CARRIER` when the cable is out | `ip link show`, `/proc/net/bonding/bond0` ("MII Status") |
#
# > **Type it yourself** (the lab up: `.venv/bin/bondkit lab up`): the client's ARP cache, now and again
# > after the failover of section 4. Which line changes, and to what?
# >
# > ```sh
# > .venv/bin/bondkit lab ssh client -- ip neigh show 192.168.99.102
# > ```

# %% [markdown] lang="ko"
# ## 0. 먼저 다섯 가지: ARP, ARP 캐시, gratuitous ARP, 스위치의 MAC 주소 테이블, 캐리어
#
# 이 노트북과 다음 두 노트북의 장애는 모두 이 다섯 가지로 설명됩니다. 실습 환경에는 스위치 하나에 호스트 두 대가
# 있습니다. client `192.168.99.101`과 server `192.168.99.102`이고, server의 bond0은 enp0s8과 enp0s9 위에 있습니다.
#
# | 용어 | 무엇인가 | 어디서 보는가 |
# |---|---|---|
# | ARP | client가 `192.168.99.102`로 보내려면 server의 MAC 주소가 있어야 합니다. 그래서 "192.168.99.102는 누구인가요?"라고 브로드캐스트로 묻고, server가 자기 MAC 주소로 답합니다 | 새 주소로 보내는 첫 ping 전에 |
# | ARP 캐시 | 호스트가 한동안 간직하는 답(IP 주소 → MAC 주소) | client에서 `ip neigh` |
# | gratuitous ARP | 아무도 묻지 않았는데 보내는 ARP 알림. 호스트가 자기 IP 주소와 MAC 주소를 알립니다. 본딩은 페일오버 뒤에 이것을 보내(`num_grat_arp`) 상대 호스트가 캐시를 고치고 스위치가 그 MAC 주소의 새 포트를 배우게 합니다 | `03`, `04` 노트북 그림의 맨 아래 줄(별 모양) |
# | 스위치의 MAC 주소 테이블 | 학습 스위치는 프레임마다 출발지 MAC 주소와 그 프레임이 들어온 포트를 적어 두고, 그 MAC 주소로 가는 프레임은 그 포트로만 내보냅니다 | 실습 환경의 스위치 |
# | 캐리어 | 링크가 물리적으로 살아 있는지. 케이블이 빠지면 `ip link show`에 `NO-CARRIER`가 나옵니다 | `ip link show`, `/proc/net/bonding/bond0`("MII Status") |
#
# > **직접 입력해 보기** (실습 환경을 띄운 뒤: `.venv/bin/bondkit lab up`): client의 ARP 캐시를 지금 한 번, 4절의
# > 페일오버 뒤에 한 번 더 보세요. 어느 줄이 무엇으로 바뀌나요?
# >
# > ```sh
# > .venv/bin/bondkit lab ssh client -- ip neigh show 192.168.99.102
# > ```

# %%
from bondkit import notebook as nb
from bondkit import plot
from bondkit.failover import Run
from bondkit.failover.report import summary_frame
from bondkit.notebook.demos import no_monitor
from bondkit.notebook.evidence import active_changes, ping_gap, ping_gap_text

nb.setup()

# %% [markdown] lang="en"
# ## 1. The lab
#
# The lab has the tutorial's two hosts, `client` and `server`, each with `enp0s3` for management and
# `enp0s8`, `enp0s9` on the switch `vboxnet0`. The next cell starts it, or uses the one you started with
# `bondkit lab up`. Where the lab cannot run, it says so, and every lab cell below shows the output that
# was recorded on the lab with the same commands; each output ends with a line saying which it is.

# %% [markdown] lang="ko"
# ## 1. 실습 환경
#
# 실습 환경에는 튜토리얼과 같은 호스트 두 대, `client`와 `server`가 있습니다. 각 호스트는 관리용
# `enp0s3`과, 스위치 `vboxnet0`에 연결된 `enp0s8`, `enp0s9`를 가집니다. 다음 셀은 실습 환경을 띄우거나,
# `bondkit lab up`으로 이미 띄워 둔 것을 씁니다. 실습 환경을 띄울 수 없는 머신에서는 그렇다고 알리고,
# 아래의 실습 셀은 모두 실습 환경에서 같은 명령으로 기록해 둔 출력을 보여 줍니다. 출력 맨 끝 줄에 어느
# 쪽인지 적혀 있습니다.

# %%
# NBVAL_IGNORE_OUTPUT
lab = nb.open_lab()
lab

# %% [markdown] lang="en"
# ## 2. Apply the tutorial's configuration
#
# `bondkit.apply` does what the tutorial does by hand, plus what it leaves to luck: it lints the files,
# finds out what kind of host it talks to, backs up the current state, arms a timer that restores the
# backup if bondkit loses the host, uploads the files, brings the bond up, and checks the result against
# the files (*intended* against *observed*). The lab hosts have no CentOS network scripts, so bondkit
# runs the `ip` commands that `ifup` would run, and says so. The server's report in full:

# %% [markdown] lang="ko"
# ## 2. 튜토리얼 설정 적용
#
# `bondkit.apply`는 튜토리얼이 손으로 하는 일에 더해, 튜토리얼이 운에 맡기는 일까지 합니다. 파일을
# 린트로 점검하고, 어떤 종류의 호스트인지 알아내고, 현재 상태를 백업하고, bondkit이 호스트와 연결이
# 끊기면 백업을 되살리는 타이머를 걸어 두고, 파일을 올리고, 본딩을 올린 다음, 결과를 파일 내용과
# 비교합니다(*의도*와 *관찰*). 실습 환경의 호스트에는 CentOS의 네트워크 스크립트가 없으므로 bondkit이
# `ifup`이 실행했을 `ip` 명령을 대신 실행하고, 그렇다고 알려 줍니다. server의 보고서 전체는 이렇습니다.

# %%
# NBVAL_IGNORE_OUTPUT
centos = nb.data_path("seed", "centos")
nb.apply_configs(lab, {"client": centos / "client", "server": centos / "server"}, detail="server")

# %% [markdown] lang="en"
# ## 3. Which slave is active?
#
# The tutorial's first check: `cat /proc/net/bonding/bond0` on each host. It shows the mode and the
# `fail_over_mac` policy, the *currently active slave*, the MII polling interval (`miimon`), and, for
# each slave, its link status, how often its link failed, and its permanent (factory) MAC address.
#
# > **Type it yourself.** In a terminal, in the repository (the lab must be up: `.venv/bin/bondkit lab up`):
# >
# > ```sh
# > .venv/bin/bondkit lab ssh server -- cat /proc/net/bonding/bond0
# > ```
# >
# > or log in with `.venv/bin/bondkit lab ssh server` and type `cat /proc/net/bonding/bond0` at the
# > prompt (`exit` leaves). On your own CentOS VM it is the same command, as root.

# %% [markdown] lang="ko"
# ## 3. 어느 슬레이브가 액티브인가?
#
# 튜토리얼의 첫 확인은 각 호스트에서 `cat /proc/net/bonding/bond0`을 보는 것입니다. 모드와
# `fail_over_mac` 정책, *현재 액티브 슬레이브*, MII 확인 주기(`miimon`), 그리고 슬레이브마다 링크 상태,
# 링크가 끊긴 횟수, 고유(공장 출하) MAC 주소가 나옵니다.
#
# > **직접 입력해 보기.** 저장소의 터미널에서(실습 환경이 떠 있어야 합니다: `.venv/bin/bondkit lab up`):
# >
# > ```sh
# > .venv/bin/bondkit lab ssh server -- cat /proc/net/bonding/bond0
# > ```
# >
# > 또는 `.venv/bin/bondkit lab ssh server`로 로그인해 프롬프트에서 `cat /proc/net/bonding/bond0`을
# > 입력하세요(`exit`로 나옵니다). 내 CentOS VM이라면 root로 같은 명령을 입력하면 됩니다.

# %%
recorded = nb.data_path("recorded", "lab")
nb.sh(lab, "server", "cat /proc/net/bonding/bond0", recorded=recorded / "active-before.proc-bonding.txt")

# %% [markdown] lang="en"
# `ip link show` gives the other half: the MAC address each interface uses right now. With
# `fail_over_mac=active` the bond uses its active slave's own address.

# %% [markdown] lang="ko"
# 나머지 절반은 `ip link show`가 알려 줍니다. 인터페이스마다 지금 쓰고 있는 MAC 주소입니다.
# `fail_over_mac=active`에서는 본딩 인터페이스가 액티브 슬레이브의 주소를 그대로 씁니다.

# %%
nb.sh(lab, "server", "ip link show", recorded=recorded / "active-before.ip-link.txt",
      table=["ifname", "mac", "master"], rows=["enp0s8", "enp0s9", "bond0"])

# %% [markdown] lang="en"
# The client reaches the server's bond address, `192.168.99.102`: 20 pings, 50 ms apart (`-D` stamps
# each line with the time, `-O` prints a line for every ping that got no answer).
#
# > **Type it yourself.** In a terminal, in the repository (the lab must be up: `.venv/bin/bondkit lab up`):
# >
# > ```sh
# > .venv/bin/bondkit lab ssh client -- ping -D -O -c 20 -i 0.05 192.168.99.102
# > ```

# %% [markdown] lang="ko"
# client에서 server의 본딩 주소 `192.168.99.102`로 ping이 갑니다. 50 ms 간격으로 20개를 보냅니다(`-D`는
# 줄마다 시각을 찍고, `-O`는 응답이 없는 ping마다 줄을 하나씩 찍습니다).
#
# > **직접 입력해 보기.** 저장소의 터미널에서(실습 환경이 떠 있어야 합니다: `.venv/bin/bondkit lab up`):
# >
# > ```sh
# > .venv/bin/bondkit lab ssh client -- ping -D -O -c 20 -i 0.05 192.168.99.102
# > ```

# %%
ping = nb.sh(lab, "client", "ping -D -O -c 20 -i 0.05 192.168.99.102",
             recorded=recorded / "ping-client-to-server.txt")
{"sent": len(ping.frame()), "lost": int(ping.frame()["lost"].sum())}

# %% [markdown] lang="en"
# ## 4. Take the active slave down
#
# Now the tutorial's fault, on the server: `ip link set dev enp0s8 down`. With `miimon=100` the bond
# looks at its slaves' links every 100 ms, so it notices within that time and makes enp0s9 active.
#
# > **Type it yourself**, in two terminals, as the tutorial does: start the ping in the first, take the
# > link down in the second while the ping runs, and watch the first.
# >
# > ```sh
# > # terminal 1: 600 pings, 10 ms apart (6 s)
# > .venv/bin/bondkit lab ssh client -- ping -D -O -c 600 -i 0.01 192.168.99.102
# > # terminal 2, while terminal 1 runs
# > .venv/bin/bondkit lab ssh server -- ip link set dev enp0s8 down
# > .venv/bin/bondkit lab ssh server -- cat /proc/net/bonding/bond0
# > ```
# >
# > In terminal 1, look for the `no answer yet for icmp_seq=...` lines: that is the gap. Section 5
# > shows one such gap, measured.

# %% [markdown] lang="ko"
# ## 4. 액티브 슬레이브 내리기
#
# 이제 server에서 튜토리얼과 같은 장애를 일으킵니다. `ip link set dev enp0s8 down`입니다. `miimon=100`이면 본딩은
# 100 ms마다 슬레이브의 링크를 살피므로, 그 안에 장애를 알아채고 enp0s9를 액티브로 바꿉니다.
#
# > **직접 입력해 보기.** 튜토리얼처럼 터미널 두 개를 씁니다. 첫 번째 터미널에서 ping을 시작하고, ping이 실행되는
# > 동안 두 번째 터미널에서 링크를 내린 뒤, 첫 번째 터미널을 지켜보세요.
# >
# > ```sh
# > # 터미널 1: 10 ms 간격으로 ping 600개(6초)
# > .venv/bin/bondkit lab ssh client -- ping -D -O -c 600 -i 0.01 192.168.99.102
# > # 터미널 2: 터미널 1의 ping이 실행되는 동안
# > .venv/bin/bondkit lab ssh server -- ip link set dev enp0s8 down
# > .venv/bin/bondkit lab ssh server -- cat /proc/net/bonding/bond0
# > ```
# >
# > 터미널 1에서 `no answer yet for icmp_seq=...` 줄을 찾아보세요. 그것이 끊긴 구간입니다. 5절에서 이런
# > 구간 하나를 측정해 봅니다.

# %%
nb.fault(lab, "server", "enp0s8", "admin-down")

# %% [markdown] lang="en"
# Before you look: which slave is active now? The answer is read from the server's
# `/proc/net/bonding/bond0`.

# %% [markdown] lang="ko"
# 보기 전에 맞혀 보세요. 지금 액티브 슬레이브는 무엇일까요? 정답은 server의 `/proc/net/bonding/bond0`에서
# 읽어 옵니다.

# %%
after = nb.sh(lab, "server", "cat /proc/net/bonding/bond0", recorded=recorded / "active-after.proc-bonding.txt")
nb.ask("03_active_after", choices=["enp0s8", "enp0s9", "bond0"], answer=after.parsed()["active_slave"],
       evidence=after)

# %% [markdown] lang="en"
# In `/proc/net/bonding/bond0`, enp0s8 now has `MII Status: down` and `Link Failure Count: 1`. And the
# MAC addresses:

# %% [markdown] lang="ko"
# `/proc/net/bonding/bond0`을 보면 이제 enp0s8은 `MII Status: down`, `Link Failure Count: 1`입니다. MAC
# 주소는 어떻게 되었을까요?

# %%
nb.sh(lab, "server", "ip link show", recorded=recorded / "active-after.ip-link.txt",
      table=["ifname", "mac", "state", "master"], rows=["enp0s8", "enp0s9", "bond0"])

# %%
nb.ask("03_bond_mac", answer=1)

# %%
nb.ask("03_client_fault", answer=2)

# %% [markdown] lang="en"
# And the ping that ran all the while, in terminal 1? Here is what it printed when the two-terminal test
# of section 4 was recorded on the lab (`scripts/record_ping_gap.py`): the lines around the moment
# enp0s8 went down. `-O` makes ping print `no answer yet for icmp_seq=N` when a probe's answer is
# overdue; the probes named there never got one, and the ping went on with the next icmp_seq. Your own
# run in two terminals gives a gap of the same kind, a few pings long.

# %% [markdown] lang="ko"
# 그동안 내내 돌던 터미널 1의 ping은 어땠을까요? 4절의 터미널 두 개로 하는 테스트를 실습 환경에서 기록했을 때
# (`scripts/record_ping_gap.py`) ping이 출력한 줄 가운데 enp0s8이 내려간 순간 앞뒤 부분입니다. `-O`를 주면 ping은
# 응답이 늦은 요청마다 `no answer yet for icmp_seq=N`을 찍습니다. 여기 나온 요청은 끝내 응답을 받지 못했고,
# ping은 다음 icmp_seq로 계속 갔습니다. 터미널 두 개로 직접 해 보면 ping 몇 개가 빠진 비슷한 구간이 보입니다.

# %%
ping_gap_text(recorded / "ping-during-fault.txt")

# %% [markdown] lang="en"
# Bring enp0s8 back (`ip link set dev enp0s8 up`; type it yourself with
# `.venv/bin/bondkit lab ssh server -- ip link set dev enp0s8 up`). With no `primary` set, the bond stays
# on enp0s9: in active-backup "a different slave becomes active if, and only if, the active slave fails"
# (`bonding.rst`, *mode*). Exercise 1 at the end sets a `primary` and watches the bond go back. Then `bondkit.apply.restore` undoes the configuration on both
# hosts, from the backups taken before the change.

# %% [markdown] lang="ko"
# enp0s8을 다시 올립니다(`ip link set dev enp0s8 up`. 직접 입력하려면
# `.venv/bin/bondkit lab ssh server -- ip link set dev enp0s8 up`). `primary`를 정하지 않았으므로 본딩은
# enp0s9에 그대로 머뭅니다. 액티브-백업에서는 액티브 슬레이브가 죽었을 때, 그리고 그때만 다른 슬레이브가
# 액티브가 됩니다(`bonding.rst`의 *mode* 항목). 마지막의 연습 문제 1에서 `primary`를 정하고 본딩이 돌아가는
# 것을 봅니다. 이어서 `bondkit.apply.restore`가 변경 전에
# 만들어 둔 백업으로 두 호스트의 설정을 되돌립니다.

# %%
nb.fault(lab, "server", "enp0s8", "restore")

# %%
# NBVAL_IGNORE_OUTPUT
nb.restore_configs(lab, ["client", "server"])

# %% [markdown] lang="en"
# ### The one-minute surprise: a bond with no monitor
#
# The tutorial writes `miimon=100`. What if a file leaves out both `miimon` and `arp_interval`?
# `bonding.rst` (*miimon*) says "The default value is 100 if arp_interval is not set". Predict, then run
# the cell: it makes an active-backup bond on the server with neither option, pulls the cable of its
# active slave, and asks the kernel again a second later.
#
# > **Type it yourself** (the same, by hand):
# >
# > ```sh
# > .venv/bin/bondkit lab ssh server -- sh -c 'ip link add bond0 type bond mode active-backup && ip link set enp0s8 master bond0 && ip link set enp0s9 master bond0 && ip link set bond0 up'
# > .venv/bin/bondkit lab ssh server -- grep "MII Polling" /proc/net/bonding/bond0
# > .venv/bin/bondkit lab fault server enp0s8 carrier-loss
# > .venv/bin/bondkit lab ssh server -- grep "Currently Active" /proc/net/bonding/bond0
# > .venv/bin/bondkit lab fault server enp0s8 restore
# > .venv/bin/bondkit lab ssh server -- ip link del bond0
# > ```

# %% [markdown] lang="ko"
# ### 1분 실험: 모니터링이 없는 본딩
#
# 튜토리얼은 `miimon=100`을 적습니다. 파일에 `miimon`도 `arp_interval`도 없으면 어떻게 될까요?
# `bonding.rst`의 *miimon* 항목에는 "arp_interval을 정하지 않으면 기본값은 100"이라고 적혀 있습니다. 예측한
# 다음 셀을 실행하세요. server에 두 옵션이 모두 없는 액티브-백업 본딩을 만들고, 액티브 슬레이브의 케이블을
# 뽑은 뒤, 1초 뒤에 커널에 다시 물어봅니다.
#
# > **직접 입력해 보기** (같은 일을 손으로):
# >
# > ```sh
# > .venv/bin/bondkit lab ssh server -- sh -c 'ip link add bond0 type bond mode active-backup && ip link set enp0s8 master bond0 && ip link set enp0s9 master bond0 && ip link set bond0 up'
# > .venv/bin/bondkit lab ssh server -- grep "MII Polling" /proc/net/bonding/bond0
# > .venv/bin/bondkit lab fault server enp0s8 carrier-loss
# > .venv/bin/bondkit lab ssh server -- grep "Currently Active" /proc/net/bonding/bond0
# > .venv/bin/bondkit lab fault server enp0s8 restore
# > .venv/bin/bondkit lab ssh server -- ip link del bond0
# > ```

# %%
no_monitor(lab)

# %%
nb.ask("03_lacp_miimon", answer=2)

# %% [markdown] lang="en"
# The polling interval is 0: nothing watches the links, and the bond stays on a slave without carrier.
# The driver sets `miimon=100` by itself only in the modes that cannot use ARP monitoring (802.3ad,
# balance-tlb, balance-alb: `bond_check_params` and `bond_option_mode_set` in `drivers/net/bonding/`);
# `bonding.rst`'s sentence is wider than the code. In active-backup, always write a monitor:
# `bondkit lint` warns when a file has none.

# %% [markdown] lang="ko"
# 확인 주기가 0입니다. 아무것도 링크를 살피지 않으므로 본딩은 캐리어가 없는 슬레이브에 그대로 머뭅니다.
# 드라이버가 스스로 `miimon=100`을 넣는 것은 ARP 모니터링을 쓸 수 없는 모드(802.3ad, balance-tlb,
# balance-alb)뿐입니다(`drivers/net/bonding/`의 `bond_check_params`와 `bond_option_mode_set`).
# `bonding.rst`의 문장이 코드보다 넓게 말하는 것입니다. 액티브-백업에서는 모니터링 옵션을 꼭 적으세요.
# 파일에 하나도 없으면 `bondkit lint`가 경고합니다.

# %% [markdown] lang="en"
# ## 5. Measuring the failover
#
# "The ping goes on" hides a detail: a few pings are lost between the moment enp0s8 goes down and the
# moment the bond has moved to enp0s9. `bondkit.failover.run_failover` measures it: it configures both
# bonds, pings every 10 ms, samples the server's links about every 25 ms, injects the fault, restores it,
# and returns a `Run` of tidy tables. Its time resolution is what those two periods allow, and the fault
# instant itself is known only to within the time the fault command took (`fault_call_ms` in the run's
# `run.json`, some tens of ms): read its numbers to the nearest few tens of ms. On the lab it runs now (a
# few seconds, and its numbers differ a little each time); without the lab you get the recorded run with
# the same settings.

# %% [markdown] lang="ko"
# ## 5. 페일오버 측정
#
# "ping이 계속 간다"는 말에는 작은 사실 하나가 숨어 있습니다. enp0s8이 내려간 순간부터 본딩이 enp0s9로
# 옮겨 갈 때까지 ping 몇 개를 잃는다는 것입니다. `bondkit.failover.run_failover`가 그것을 잽니다. 두
# 호스트에 본딩을 설정하고, 10 ms마다 ping을 보내고, server의 링크를 25 ms쯤마다 기록하면서 장애를 일으키고,
# 다시 되돌린 다음, 정리된 표(tidy table)로 된 `Run`을 돌려줍니다. 시간 해상도는 이 두 주기만큼이고, 장애를 일으킨 순간도
# 장애 명령이 걸린 시간(실행의 `run.json`에 있는 `fault_call_ms`, 수십 ms) 안에서만 알 수 있습니다. 그러니
# 숫자는 수십 ms 단위로 읽으세요. 실습 환경에서는 지금 실행하며(몇 초 걸리고, 할 때마다 숫자가 조금씩
# 다릅니다), 실습 환경이 없으면 같은 설정으로 기록해 둔 실행을 보여 줍니다.

# %%
# NBVAL_IGNORE_OUTPUT
run = nb.run_or_recorded(lab, fail_over_mac="active", fault="admin-down")
summary_frame([run])

# %% [markdown] lang="en"
# The rest of this notebook reads the run recorded on the lab with the same settings, so that the
# numbers in the text match what you see.

# %% [markdown] lang="ko"
# 이 노트북의 나머지는 같은 설정으로 실습 환경에서 기록해 둔 실행을 읽습니다. 그래야 본문의 숫자와 화면의
# 숫자가 맞습니다.

# %%
recorded_run = Run.load(nb.data_path("runs", "active_admin-down_learning_mii100"))
summary_frame([recorded_run])

# %% [markdown] lang="en"
# - *detect*: milliseconds from the fault until a link sample shows enp0s9 active;
# - *outage*: from the first lost ping to the last (plus one ping interval);
# - *lost*: pings with no answer; *MAC changes*: address changes on bond0 and its slaves.
#
# The ping ran all through the fault: here are its lines around the gap, one ping every 10 ms. The
# icmp_seq numbers jump over the lost ones; `t_ms` is when each ping was sent, in milliseconds from the
# fault. (On the lab, a run made just now shows the lines of its pinger, fping, instead.)

# %% [markdown] lang="ko"
# - *감지*: 장애 시점부터 링크 상태 샘플에서 enp0s9가 액티브로 보일 때까지 걸린 시간(ms)
# - *중단 시간*: 처음 잃은 ping부터 마지막 잃은 ping까지(ping 간격 하나를 더해서)
# - *손실*: 답이 오지 않은 ping 수, *MAC 변경*: bond0과 슬레이브의 MAC 주소가 바뀐 횟수
#
# ping은 장애가 나는 동안에도 내내 돌았습니다. 아래는 끊긴 구간 앞뒤의 줄로, ping은 10 ms마다 하나씩
# 보냈습니다. 잃은 ping만큼 icmp_seq에 빈 곳이 생깁니다. `t_ms`는 장애 시점을 0으로 놓고 잰 각 ping의 송신
# 시각(ms)입니다. (실습
# 환경에서 방금 실행한 경우에는 ping을 보낸 fping이 출력한 줄이 그대로 나옵니다.)

# %%
ping_gap(recorded_run)

# %%
nb.ask("03_outage", answer=2, evidence=summary_frame([recorded_run]))

# %% [markdown] lang="en"
# The figure puts it together: above, the round-trip time of every ping, lost ones marked, with the fault
# and the failover as vertical lines; below, one lane per interface of the server, coloured by the MAC
# address it had, with the active slave outlined, one lane for the address the client sends to, and at the bottom
# the frames each slave sent (read just below).

# %% [markdown] lang="ko"
# 그림 하나에 모두 담았습니다. 위쪽은 각 ping의 왕복 시간이고, 잃은 ping을 표시하고 장애와 페일오버를
# 세로선으로 그렸습니다. 아래쪽은 server의 인터페이스마다 한 줄씩, 그때 가진 MAC 주소의 색으로 칠하고
# 액티브 슬레이브에 테두리를 둘렀습니다. 그 아래 줄은 client가 보내는 대상 주소이고, 맨 아래 두 줄은
# 슬레이브마다 보낸 프레임입니다(바로 아래에서 자세히 봅니다).

# %%
plot.run_figure(recorded_run)

# %% [markdown] lang="en"
# ### What the wire and the switch saw
#
# The two lanes at the bottom of the figure are the frames each of the server's slaves sent, drawn in
# the colour of the source MAC they carried (the ping replies spaced out, so that each stays visible).
# Look for the star: a gratuitous ARP, an ARP request for the sender's own address (sender IP = target
# IP) that nobody answers and everybody hears. After the failover the bond sends one gratuitous ARP from
# its new active slave, whatever `fail_over_mac` says (`bonding.rst`, `num_grat_arp`: one peer
# notification by default). Here it carries enp0s9's own address, the bond's new one: the client puts it
# in its ARP entry, and the learning switch notes that this address now lives on enp0s9's port. These
# are the first frames enp0s9 sent from the fault on:

# %% [markdown] lang="ko"
# ### 링크 위의 프레임과 스위치가 본 것
#
# 그림 맨 아래 두 줄은 server의 두 슬레이브가 보낸 프레임입니다. 프레임마다 출발지 MAC 주소의 색으로
# 그렸고, ping 응답은 하나하나 보이도록 간격을 두고 표시했습니다. 별 모양을 찾아보세요. 별은 gratuitous ARP,
# 곧 보낸 쪽이 자기 주소를 묻는 ARP 요청(보낸 IP = 대상 IP)입니다. 아무도 답하지 않지만 모두가 받습니다.
# 페일오버 뒤 본딩은 `fail_over_mac` 값과 관계없이 새 액티브 슬레이브에서 gratuitous ARP를 하나
# 보냅니다(`bonding.rst`의 `num_grat_arp`: 기본값은 상대 호스트에 한 번 알림). 여기서는 본딩의 새 주소인 enp0s9
# 자신의 주소를 싣고 나갑니다. client는 이 주소로 ARP 항목을 고치고, 학습 스위치는 이 주소가 이제
# enp0s9의 포트에 있다고 적어 둡니다. 아래는 장애 뒤 enp0s9가 처음으로 보낸 프레임들입니다.

# %%
nb.sent_at_failover(recorded_run)

# %% [markdown] lang="en"
# Each run also keeps every frame exactly as it was captured on the lab's wires: the `capture/` folder
# of a saved run (for the recorded ones, `data/runs/<run>/capture/`) holds one pcap file per host, NIC
# and direction, gzipped, such as `server-enp0s9-out.pcap.gz`. Open one in Wireshark as it is, or read
# it in a terminal with `zcat data/runs/active_admin-down_learning_mii100/capture/server-enp0s9-out.pcap.gz
# | tcpdump -e -n -r -` (`-e` prints the MAC addresses). The time stamps in these files are QEMU's own, a little off this
# machine's clock; the figure puts the frames on the run's time line by matching the pings they carry.

# %% [markdown] lang="ko"
# 실행마다 실습 환경의 링크에서 캡처한 프레임도 캡처한 그대로 남겨 둡니다. 저장된 실행의 `capture/` 폴더(기록된
# 실행은 `data/runs/<실행>/capture/`)에 호스트, NIC, 방향마다 pcap 파일이 하나씩 있습니다(예:
# `server-enp0s9-out.pcap.gz`, gzip으로 압축). Wireshark로 그대로 열어 보거나, 터미널에서 다음 명령으로 읽어
# 보세요(`-e`는 MAC 주소를 보여 줍니다): `zcat data/runs/active_admin-down_learning_mii100/capture/server-enp0s9-out.pcap.gz
# | tcpdump -e -n -r -`. 파일 안의 시각은 QEMU가 찍은 것이라 이 컴퓨터의 시계와 조금
# 어긋납니다. 그림에서는 프레임에 담긴 ping을 맞춰 보아 프레임을 실행의 시간축에 옮겨 그렸습니다.

# %% [markdown] lang="en"
# The switch's own table, read from the lab's switch just before the fault and just before the restore
# of the run in section 5: which port it sends each MAC address to. With `active`, the bond's new
# address appears on enp0s9's port. enp0s8's address stays where the switch saw it last: on enp0s8's
# port, where nothing answers any more, until the switch forgets it (after 100 s without a frame from
# it, on the lab's switch), or on enp0s9's port if a frame with it left enp0s9 in the moment between
# the bond's change of slave and its change of address. Type it yourself: `.venv/bin/bondkit lab switch`.

# %% [markdown] lang="ko"
# 다음은 스위치 자신의 테이블입니다. 5절의 실행에서 장애 직전과 복구 직전에 실습 환경의 스위치에서
# 읽었습니다. 스위치가 MAC 주소마다 어느 포트로 보내는지 보여 줍니다. `active`에서는 본딩의 새 주소가
# enp0s9의 포트에 나타납니다. enp0s8의 주소는 스위치가 마지막으로 본 곳에 남습니다. 이제 아무도
# 답하지 않는 enp0s8의 포트에 스위치가 잊을 때까지 남아 있거나(실습 환경의 스위치는 그 주소에서
# 프레임이 100초 동안 오지 않으면 잊습니다), 본딩이 슬레이브를 바꾼 뒤 주소를 바꾸기 전의 짧은 순간에 그
# 주소를 단 프레임이 enp0s9에서 나갔다면 enp0s9의 포트에 남습니다. 직접 입력해 보세요:
# `.venv/bin/bondkit lab switch`.

# %%
# NBVAL_IGNORE_OUTPUT
nb.switch_tables(run)

# %% [markdown] lang="en"
# ## Summary
#
# - `/proc/net/bonding/bond0` tells which slave is active; `ip link show` tells which MAC each interface
#   uses.
# - Taking the active slave down moves the bond to the other slave within about one `miimon` period;
#   a few pings are lost, then the ping goes on, as the tutorial says.
# - With `fail_over_mac=active` the bond's MAC address follows the active slave. Notebook `04` compares
#   this with `none` and `follow`.

# %% [markdown] lang="ko"
# ## 정리
#
# - `/proc/net/bonding/bond0`은 어느 슬레이브가 액티브인지, `ip link show`는 인터페이스마다 어떤 MAC
#   주소를 쓰는지 알려 줍니다.
# - 액티브 슬레이브를 내리면 본딩은 대략 `miimon` 주기 하나 안에 다른 슬레이브로 옮겨 갑니다. ping 몇
#   개를 잃은 뒤 튜토리얼 말대로 ping은 계속 갑니다.
# - `fail_over_mac=active`에서는 본딩 인터페이스의 MAC 주소가 액티브 슬레이브를 따라갑니다. `04`
#   노트북에서 이것을 `none`, `follow`와 비교합니다.

# %% [markdown] lang="en"
# ## Exercises
#
# The solutions are in `notebooks/teachers/solutions.en.md`; try first.
#
# ### Exercise 1 · The Ubuntu half: `primary: enp0s8` and the failback
#
# The tutorial's Ubuntu files add one option the CentOS files do not have: `primary: enp0s8`. Predict
# what happens when enp0s8 comes back after the fault: does the bond stay on enp0s9, as in section 4, or
# go back? Does going back cost pings too? Then set `my_primary` to `"enp0s8"` and run
# the cell: it runs the tutorial's test with the Ubuntu bond's options (`active-backup`, `miimon` 100,
# `fail_over_mac` `active`, `primary` `enp0s8`) on the lab, or shows the recorded run. The table lists
# every change of the active slave, with the time from the fault and, after the restore, from the
# restore (`primary_reselect` is `always` by default: `bonding.rst`, *primary_reselect*).
#
# > **Type it yourself**, with the Ubuntu option on the running bond (sysfs takes bond options at run
# > time; on your own Ubuntu VM, `sudo netplan apply` does it from the file):
# >
# > ```sh
# > .venv/bin/bondkit lab ssh server -- sh -c 'echo enp0s8 > /sys/class/net/bond0/bonding/primary'
# > .venv/bin/bondkit lab ssh server -- ip link set dev enp0s8 down
# > .venv/bin/bondkit lab ssh server -- ip link set dev enp0s8 up
# > .venv/bin/bondkit lab ssh server -- grep "Currently Active" /proc/net/bonding/bond0
# > ```

# %% [markdown] lang="ko"
# ## 연습 문제
#
# 풀이는 `notebooks/teachers/solutions.ko.md`에 있습니다. 먼저 직접 해 보세요.
#
# ### 연습 문제 1 · Ubuntu 쪽: `primary: enp0s8`과 페일백(failback)
#
# 튜토리얼의 Ubuntu 파일에는 CentOS 파일에 없는 옵션이 하나 있습니다. `primary: enp0s8`입니다. 장애가 끝나
# enp0s8이 돌아오면 어떻게 될지 예측해 보세요. 4절처럼 본딩이 enp0s9에 머물까요, 아니면 돌아갈까요? ping이
# 되돌아갈 때도 ping을 잃을까요? 그런 다음 `my_primary`를 `"enp0s8"`로 바꾸고 셀을 실행하세요. Ubuntu
# 본딩의 옵션(`active-backup`, `miimon` 100, `fail_over_mac` `active`, `primary` `enp0s8`)으로 튜토리얼의
# 테스트를 실습 환경에서 실행하거나, 기록해 둔 실행을 보여 줍니다. 표에는 액티브 슬레이브가 바뀐 때가 모두
# 나오며, 장애로부터 잰 시간과, 되돌린 뒤라면 되돌린 때로부터 잰 시간이 함께 나옵니다(`primary_reselect`의
# 기본값은 `always`: `bonding.rst`의 *primary_reselect* 항목).
#
# > **직접 입력해 보기.** 실행 중인 본딩에 Ubuntu의 옵션을 줍니다(sysfs로는 본딩 옵션을 실행 중에 바꿀 수
# > 있습니다. 내 Ubuntu VM이라면 파일을 고친 뒤 `sudo netplan apply`로 합니다).
# >
# > ```sh
# > .venv/bin/bondkit lab ssh server -- sh -c 'echo enp0s8 > /sys/class/net/bond0/bonding/primary'
# > .venv/bin/bondkit lab ssh server -- ip link set dev enp0s8 down
# > .venv/bin/bondkit lab ssh server -- ip link set dev enp0s8 up
# > .venv/bin/bondkit lab ssh server -- grep "Currently Active" /proc/net/bonding/bond0
# > ```

# %%
# NBVAL_IGNORE_OUTPUT
my_primary = None  # the Ubuntu files' option: change to "enp0s8"
failback = nb.run_or_recorded(lab, fail_over_mac="active", fault="admin-down", primary=my_primary)
active_changes(failback)

# %% [markdown] lang="en"
# ### Exercise 2 · Pull the cable instead
#
# The tutorial takes the link down with `ip link set dev enp0s8 down` (`admin-down`). Pulling the cable
# (`carrier-loss`) looks different from inside the server: `ip link show` says `NO-CARRIER`, and the
# interface stays administratively `UP`. Predict: does the bond notice it as fast, and do you lose about
# as many pings? Change `my_fault` to `"carrier-loss"`, run the cell (it reads the run recorded on the lab
# with that fault), and compare the row with section 5. Then make a run of your own with the commands
# below, and keep in mind that one run is one draw: the next one will differ by some tens of ms.
#
# > **Type it yourself:** `.venv/bin/bondkit lab fault server enp0s8 carrier-loss`, then
# > `.venv/bin/bondkit lab ssh server -- ip link show enp0s8` (look for `NO-CARRIER`), and
# > `.venv/bin/bondkit lab fault server enp0s8 restore`.

# %% [markdown] lang="ko"
# ### 연습 문제 2 · 대신 케이블을 뽑으면
#
# 튜토리얼은 `ip link set dev enp0s8 down`(`admin-down`)으로 링크를 내립니다. 케이블을 뽑으면
# (`carrier-loss`) server 안에서 보는 모습이 다릅니다. `ip link show`에 `NO-CARRIER`가 나오고, 인터페이스는
# 관리상 `UP` 그대로입니다. 예측해 보세요. 본딩이 그만큼 빨리 알아챌까요? 잃는 ping 수도 비슷할까요?
# `my_fault`를 `"carrier-loss"`로 바꾸고 셀을 실행한 뒤(그 장애로 실습 환경에서 기록해 둔 실행을 읽습니다),
# 5절의 줄과 비교해 보세요. 이어서 아래 명령으로 직접 실행해 보되, 실행 하나는 표본 하나라는 것을 잊지
# 마세요. 다음 실행은 수십 ms쯤 다르게 나옵니다.
#
# > **직접 입력해 보기:** `.venv/bin/bondkit lab fault server enp0s8 carrier-loss`, 이어서
# > `.venv/bin/bondkit lab ssh server -- ip link show enp0s8`(`NO-CARRIER`를 찾아보세요), 그리고
# > `.venv/bin/bondkit lab fault server enp0s8 restore`.

# %%
my_fault = "admin-down"  # change to "carrier-loss"
summary_frame([Run.load(nb.data_path("runs", f"active_{my_fault}_learning_mii100"))])

# %% [markdown] lang="en"
# **Challenge.** With `primary: enp0s8`, the bond in exercise 1 changes slaves a second time. On this lab
# that failback usually costs one or two pings (a median of 20 ms over the ten runs of 05 §3a); on real NICs it can cost
# more, because some "assert link up prior to being able to actually transmit and receive" (`bonding.rst`,
# *updelay*). Which `primary_reselect` value avoids going back while enp0s9 works, and which `updelay`
# would you add so that a link that flaps does not pull the bond back and forth? Write the netplan
# `parameters:` lines.

# %% [markdown] lang="ko"
# **도전 과제.** `primary: enp0s8`이면 연습 문제 1의 본딩은 슬레이브를 한 번 더 바꿉니다. 이 실습 환경에서 그
# 페일백은 보통 ping을 한두 개 잃게 합니다(05 3a절의 열 번의 중앙값 20 ms). 실제 NIC에서는 더 길어질 수 있습니다. 어떤
# NIC은 "실제로 주고받을 수 있기 전에 링크가 올라왔다고 알리기" 때문입니다(`bonding.rst`의 *updelay* 항목).
# enp0s9가 잘 동작하는 동안 되돌아가지 않게 하는 `primary_reselect` 값은 무엇일까요? 링크가 오르내리기를
# 반복(플래핑)해도 본딩이 매번 슬레이브를 바꾸지 않게 하려면 `updelay`를 얼마나 두겠습니까? netplan의
# `parameters:` 줄로 써 보세요.

# %%
print(nb.finish(lab))
