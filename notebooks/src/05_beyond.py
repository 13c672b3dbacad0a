# %% [markdown] lang="en"
# # 05 · Beyond the tutorial
#
# Three questions the tutorials raise without answering: why do `fail_over_mac` `none` and `follow` "not
# work well" on VirtualBox? What happens when a link fails without its carrier going down? And what do
# `miimon`, `updelay` and `downdelay` cost in lost pings? Each answer comes from runs on the lab.
#
# ## Objectives
#
# After this notebook you can
#
# - explain, from the data, why `none` and `follow` lose the connection on a VirtualBox host-only network
#   with promiscuous mode "Deny", and why `active` does not;
# - tell MII monitoring from ARP monitoring, and recognise the failure only ARP monitoring catches;
# - estimate the outage of a failover from `miimon`, `arp_interval`, `updelay` and `downdelay`.

# %% [markdown] lang="ko"
# # 05 · 튜토리얼 너머
#
# 튜토리얼이 던지기만 하고 답하지 않은 질문이 셋 있습니다. `fail_over_mac`의 `none`과 `follow`는 왜
# VirtualBox에서 "잘 안 될까요"? 캐리어가 내려가지 않은 채 링크가 죽으면 어떻게 될까요? 그리고 `miimon`,
# `updelay`, `downdelay`는 ping을 얼마나 잃게 할까요? 답은 모두 실습 환경에서 실행한 결과에서 나옵니다.
#
# ## 학습 목표
#
# 이 노트북을 마치면 다음을 할 수 있습니다.
#
# - 무작위 모드가 "거부"인 VirtualBox 호스트 전용 네트워크에서 `none`과 `follow`는 연결이 끊기고
#   `active`는 끊기지 않는 이유를 데이터로 설명할 수 있습니다.
# - MII 모니터링과 ARP 모니터링을 구별하고, ARP 모니터링만 잡아내는 장애를 알아볼 수 있습니다.
# - `miimon`, `arp_interval`, `updelay`, `downdelay`로 페일오버의 끊긴 시간을 어림할 수 있습니다.

# %%
from bondkit import notebook as nb
from bondkit import plot
from bondkit.failover.demo import demo_plans, recorded_for
from bondkit.failover.report import explanations, summary_frame
from bondkit.failover.store import load_runs, select

nb.setup()
runs = load_runs()

# %% [markdown] lang="en"
# ## 1. VirtualBox host-only networks
#
# A VirtualBox host-only adapter with promiscuous mode set to "Deny" (the default) hands a virtual NIC
# only the frames addressed to that NIC's own MAC address (and broadcasts). A real switch is more
# forgiving: it sends a frame to whichever port it last saw the address on. The lab has both: the switch
# profile `learning`, and `vbox-hostonly`, which delivers unicast to a port only when it is addressed to
# the MAC address its adapter was given.
#
# Notebook `04` showed all three policies keep the ping going on a learning switch. Predict before you
# look: on `vbox-hostonly`, with the tutorial's fault, which policies still get pings through?

# %% [markdown] lang="ko"
# ## 1. VirtualBox 호스트 전용 네트워크
#
# 무작위 모드를 "거부"(기본값)로 둔 VirtualBox 호스트 전용 어댑터는, 가상 NIC에 그 NIC 자신의 MAC
# 주소로 온 프레임(과 브로드캐스트)만 건네줍니다. 실제 스위치는 더 너그러워서, 어떤 주소든 마지막으로 본
# 포트로 프레임을 보냅니다. 실습 환경에는 둘 다 있습니다. 스위치 프로필 `learning`과, 어댑터에 처음 주어진
# MAC 주소로 온 유니캐스트만 그 포트로 넘겨주는 `vbox-hostonly`입니다.
#
# `04` 노트북에서 학습 스위치 위에서는 세 정책 모두 ping이 이어지는 것을 보았습니다. 보기 전에 예측해
# 보세요. `vbox-hostonly`에서 튜토리얼의 장애를 주면 어느 정책에서 ping이 계속 통할까요?

# %%
nb.ask("05_hostonly", answer=2)

# %%
hostonly = recorded_for(demo_plans(["vbox-hostonly"]))
summary_frame(hostonly)

# %% [markdown] lang="en"
# Why, in the data: at the end of the fault, compare the MAC address the client sends to (its ARP entry
# for the server) with the MAC address the switch port of the new active slave, enp0s9, lets through.

# %% [markdown] lang="ko"
# 데이터로 본 이유는 이렇습니다. 장애가 끝날 무렵 client가 보내는 대상 MAC 주소(client의 ARP 항목)와, 새
# 액티브 슬레이브 enp0s9의 스위치 포트가 통과시키는 MAC 주소를 비교해 보세요.

# %%
print("\n".join(explanations(hostonly)))

# %% [markdown] lang="en"
# With `none` and `follow`, enp0s9 takes over the bond's address, which is enp0s8's: the client keeps
# sending to that address, and the host-only network delivers it only to enp0s8's adapter, which is down.
# With `active`, the bond switches to enp0s9's own address and announces it; the client follows, and the
# network delivers. The figure shows it lane by lane (the port's accepted address is written on each
# slave's lane):

# %% [markdown] lang="ko"
# `none`과 `follow`에서는 enp0s9가 본딩 인터페이스의 주소, 곧 enp0s8의 주소를 넘겨받습니다. client는
# 계속 그 주소로 보내는데, 호스트 전용 네트워크는 그 주소로 온 프레임을 enp0s8의 어댑터에만 넘겨주고,
# 그 어댑터는 죽어 있습니다. `active`에서는 본딩 인터페이스가 enp0s9 자신의 주소로 바꾸고 그 사실을
# 알리므로, client가 따라오고 네트워크도 프레임을 넘겨줍니다. 그림에서 줄마다 확인할 수 있습니다(슬레이브
# 줄마다 그 포트가 받아들이는 주소가 적혀 있습니다).

# %%
plot.comparison_figure(hostonly)

# %% [markdown] lang="en"
# This is why the tutorial uses `fail_over_mac=1` (`active`). The kernel's documentation describes
# `active` as the policy for devices that cannot change their MAC address; here the NIC can, but the
# network behind it does not follow. The same holds for hypervisors that filter by MAC address and for
# clouds such as EC2, whose network delivers an interface's traffic only to the MAC address it assigned
# to that interface.
#
# Try it on the lab (`follow` on `vbox-hostonly`); without a lab, the recorded run is shown:

# %% [markdown] lang="ko"
# 튜토리얼이 `fail_over_mac=1`(`active`)을 쓰는 까닭이 이것입니다. 커널 문서는 `active`를 MAC 주소를
# 바꿀 수 없는 장치를 위한 정책으로 설명하는데, 여기서는 NIC은 주소를 바꿀 수 있어도 그 뒤의 네트워크가
# 따라 주지 않습니다. MAC 주소로 걸러 내는 하이퍼바이저나, 인터페이스에 정해 준 MAC 주소로만 트래픽을
# 넘겨주는 EC2 같은 클라우드도 마찬가지입니다.
#
# 실습 환경에서 직접 해 보세요(`vbox-hostonly`에서 `follow`). 실습 환경이 없으면 기록해 둔 실행을 보여 줍니다.

# %%
# NBVAL_IGNORE_OUTPUT
lab = nb.open_lab()
run = nb.run_or_recorded(lab, fail_over_mac="follow", fault="admin-down", switch="vbox-hostonly")
summary_frame([run])

# %% [markdown] lang="en"
# ## 2. The silent failure: MII monitoring against ARP monitoring
#
# `miimon` asks the driver every N milliseconds whether the NIC has carrier, that is, whether the cable
# is plugged into something alive. Many failures drop the carrier (`admin-down`, a pulled cable:
# `carrier-loss`). Some do not: a switch port that stops forwarding, a broken uplink further on, a
# misconfigured VLAN. The lab's `silent-drop` fault does this: the switch port drops everything while the
# carrier stays up.
#
# ARP monitoring (`arp_interval`, `arp_ip_target`) checks the path instead: every N milliseconds the bond
# sends an ARP request to the target addresses and counts the answers on each slave. Predict: with
# `miimon=100` only, what does the bond do when the active slave's port goes silent?

# %% [markdown] lang="ko"
# ## 2. 조용한 장애: MII 모니터링과 ARP 모니터링
#
# `miimon`은 N ms마다 드라이버에게 NIC에 캐리어가 있는지, 곧 케이블이 살아 있는 무언가에 꽂혀 있는지
# 묻습니다. 장애 가운데 상당수는 캐리어를 떨어뜨립니다(`admin-down`, 케이블을 뽑는 `carrier-loss`).
# 그렇지 않은 장애도 있습니다. 전달을 멈춘 스위치 포트, 더 멀리서 끊긴 업링크, 잘못 설정된 VLAN 같은
# 것입니다. 실습 환경의 `silent-drop` 장애가 바로 이것으로, 캐리어는 올라와 있는 채로 스위치 포트가 모든
# 프레임을 버립니다.
#
# ARP 모니터링(`arp_interval`, `arp_ip_target`)은 대신 경로를 확인합니다. N ms마다 대상 주소로 ARP 요청을
# 보내고 슬레이브마다 응답을 셉니다. 예측해 보세요. `miimon=100`만 쓸 때 액티브 슬레이브의 포트가 조용히
# 죽으면 본딩은 무엇을 할까요?

# %%
nb.ask("05_silent", answer=3)

# %%
silent = select(runs, fail_over_mac="active", fault="silent-drop", switch="learning")
silent_pair = [r for r in silent if r.params.arp_interval in (0, 100)]
summary_frame(silent_pair)

# %%
plot.comparison_figure(silent_pair)

# %% [markdown] lang="en"
# With `miimon` the bond never notices: the pings are lost until the fault ends. With `arp_interval=100`
# it fails over, but later than `miimon` would for a dead cable: a slave is declared down only after ARP
# answers have been missing for a couple of intervals. The recorded runs for several intervals:

# %% [markdown] lang="ko"
# `miimon`으로는 본딩이 끝내 알아채지 못해, 장애가 끝날 때까지 ping을 잃습니다. `arp_interval=100`이면
# 페일오버하지만, 케이블이 죽었을 때의 `miimon`보다는 늦습니다. ARP 응답이 두어 주기 동안 오지 않아야
# 슬레이브를 죽었다고 판단하기 때문입니다. 주기를 바꿔 가며 기록한 실행은 이렇습니다.

# %%
arp_sweep = sorted((r for r in silent if r.params.arp_interval), key=lambda r: r.params.arp_interval)
summary_frame(arp_sweep)

# %%
nb.ask("05_arp_detect", answer=2, evidence=summary_frame(arp_sweep))

# %% [markdown] lang="en"
# ARP monitoring has its own costs: it needs a target that answers (here the peer's bond address), it
# sends traffic of its own, and the kernel runs either it or `miimon`, not both (lint warns when a file
# sets both).
#
# ## 3. miimon, updelay, downdelay and the outage
#
# With a pulled cable (`carrier-loss`), the bond notices at its next MII check, so the time to detect is
# at most one `miimon` period, about half of one on average:

# %% [markdown] lang="ko"
# ARP 모니터링에도 대가가 있습니다. 응답해 줄 대상(여기서는 상대 호스트의 본딩 주소)이 있어야 하고,
# 자기 트래픽을 따로 보내며, 커널은 이것과 `miimon` 중 하나만 씁니다(파일에 둘 다 적으면 린트가
# 경고합니다).
#
# ## 3. miimon, updelay, downdelay와 끊긴 시간
#
# 케이블을 뽑으면(`carrier-loss`) 본딩은 다음 MII 확인 때 알아채므로, 감지까지 걸리는 시간은 길어야
# `miimon` 한 주기, 평균으로는 반 주기쯤입니다.

# %%
cable = select(runs, fail_over_mac="active", fault="carrier-loss", switch="learning", arp_interval=0,
               updelay=0, downdelay=0)
summary_frame(sorted(cable, key=lambda r: r.params.miimon))

# %%
nb.ask("05_miimon_500", choices=[50, 250, 500, 1000], answer=500,
       evidence=summary_frame(sorted(cable, key=lambda r: r.params.miimon)))

# %% [markdown] lang="en"
# `downdelay` makes the bond wait before it gives up a link that went down (a flapping link then does not
# cause a failover every time); `updelay` makes it wait before it uses a link that came back. Both are
# counted in `miimon` periods. With `downdelay=200`, what happens to the outage?

# %% [markdown] lang="ko"
# `downdelay`는 내려간 링크를 포기하기 전에 기다리게 하고(그러면 오락가락하는 링크 때문에 매번
# 페일오버하지 않습니다), `updelay`는 다시 올라온 링크를 쓰기 전에 기다리게 합니다. 둘 다 `miimon` 주기
# 단위로 셉니다. `downdelay=200`이면 끊긴 시간은 어떻게 될까요?

# %%
delays = select(runs, fail_over_mac="active", fault="carrier-loss", switch="learning", miimon=100,
                arp_interval=0)
nb.ask("05_downdelay", answer=2, evidence=summary_frame(delays))

# %%
summary_frame(delays).assign(run=[run.id for run in delays])

# %% [markdown] lang="en"
# The price of `downdelay` is paid in every real failover: it lengthens the outage by about its own
# value. Use it only where links flap, and write it as a multiple of `miimon` (notebook `02`: the kernel
# rounds it down).
#
# ## Summary
#
# - Where a NIC's MAC address cannot move (VirtualBox host-only with promiscuous mode "Deny", EC2),
#   use `fail_over_mac=active`: `none` and `follow` put the old NIC's address on the new one.
# - `miimon` sees carrier only; a port that goes silent with the carrier up needs ARP monitoring.
# - The outage is about the detection time (up to one `miimon` period, or a few `arp_interval`s) plus
#   `downdelay`.

# %% [markdown] lang="ko"
# `downdelay`의 대가는 실제 페일오버가 날 때마다 치릅니다. 끊긴 시간이 대략 그 값만큼 늘어납니다. 링크가
# 오락가락하는 곳에서만 쓰고, `miimon`의 배수로 적으세요(`02` 노트북: 커널이 내림합니다).
#
# ## 정리
#
# - NIC의 MAC 주소를 옮길 수 없는 곳(무작위 모드가 "거부"인 VirtualBox 호스트 전용 네트워크, EC2)에서는
#   `fail_over_mac=active`를 쓰세요. `none`과 `follow`는 이전 NIC의 주소를 새 NIC에 씌웁니다.
# - `miimon`은 캐리어만 봅니다. 캐리어는 살아 있는데 포트가 조용히 죽는 장애에는 ARP 모니터링이 필요합니다.
# - 끊긴 시간은 대략 감지 시간(`miimon` 한 주기 이내, 또는 `arp_interval` 몇 주기)에 `downdelay`를 더한
#   만큼입니다.

# %%
print(nb.finish(lab))
