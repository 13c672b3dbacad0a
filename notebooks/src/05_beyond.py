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
# - explain, from the data, why `none` and `follow` lose the connection on a network that delivers
#   unicast only to the MAC address each adapter was given (the kit's model of a VirtualBox host-only
#   network), why `active` does not, and why none of the three gives failover on EC2;
# - tell MII monitoring from ARP monitoring, recognise the failure only ARP monitoring catches, and say
#   what `arp_validate` adds;
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
# - 어댑터마다 처음 받은 MAC 주소로 온 유니캐스트만 넘겨주는 네트워크(키트가 VirtualBox 호스트 전용
#   네트워크를 본떠 만든 모델)에서 `none`과 `follow`는 연결이 끊기고 `active`는 끊기지 않는 이유를
#   데이터로 설명하고, EC2에서는 셋 중 어느 것으로도 페일오버가 되지 않는 이유를 말할 수 있습니다.
# - MII 모니터링과 ARP 모니터링을 구별하고, ARP 모니터링만 잡아내는 장애를 알아보고, `arp_validate`가
#   무엇을 더하는지 말할 수 있습니다.
# - `miimon`, `arp_interval`, `updelay`, `downdelay`로 페일오버의 중단 시간을 어림할 수 있습니다.

# %%
from bondkit import lint
from bondkit import notebook as nb
from bondkit import plot
from bondkit.failover.demo import demo_plans, recorded_for
from bondkit.failover.report import explanations, summary_frame, sweep_frame
from bondkit.failover.store import load_runs, load_sweeps, select
from bondkit.formats import ifcfg

nb.setup()
runs = load_runs()

# %% [markdown] lang="en"
# ## 1. VirtualBox host-only networks
#
# The tutorial reports only what it saw: with `fail_over_mac=0` and `=2`, "active-backup does not work
# well on VirtualBox". It does not say why. Here is one explanation, and it is the kit's, not the
# tutorial author's: a VirtualBox adapter whose promiscuous-mode policy is "Deny" (the default; the
# policy is about whether the guest may receive frames not addressed to it) may hand the guest only the
# unicast frames addressed to the MAC address the adapter was given, so a NIC that takes over another
# NIC's address receives nothing addressed to it. A learning switch is more forgiving: it sends a frame
# to whichever port it last saw the address on. The lab has both: the switch profile `learning`, and
# `vbox-hostonly`, which delivers unicast to a port only when it is addressed to the MAC address its
# adapter was given. `vbox-hostonly` is a model built to test that explanation; it was not measured on
# VirtualBox.
#
# Notebook `04` showed all three policies keep the ping going on a learning switch. Predict before you
# look: on `vbox-hostonly`, with the tutorial's fault, which policies still get pings through?

# %% [markdown] lang="ko"
# ## 1. VirtualBox 호스트 전용 네트워크
#
# 튜토리얼은 본 것만 적었습니다. `fail_over_mac=0`과 `=2`로 하면 "VirtualBox에서는 액티브-백업이 잘
# 안 된다"는 것이고, 까닭은 말하지 않습니다. 아래 설명은 튜토리얼 저자가 아니라 키트가 내놓는 것입니다.
# 무작위 모드 정책이 "거부"(기본값. 게스트가 자기 앞으로 오지 않은 프레임까지 받아도 되는지를 정하는
# 정책)인 VirtualBox 어댑터는 어댑터에 처음 주어진 MAC 주소로 온 유니캐스트만 게스트에 넘겨줄 수 있고,
# 그렇다면 다른 NIC의 주소를 넘겨받은 NIC에는 그 주소로 오는 프레임이 하나도 닿지 않습니다. 학습 스위치는
# 더 너그러워서, 어떤 주소든 마지막으로 본 포트로 프레임을 보냅니다. 실습 환경에는 둘 다 있습니다. 스위치
# 프로필 `learning`과, 어댑터에 처음 주어진 MAC 주소로 온 유니캐스트만 그 포트로 넘겨주는
# `vbox-hostonly`입니다. `vbox-hostonly`는 이 설명을 확인해 보려고 만든 모델이며, VirtualBox에서 잰 것이
# 아닙니다.
#
# `04` 노트북에서 학습 스위치 위에서는 세 정책 모두 ping이 이어지는 것을 보았습니다. 보기 전에 예측해
# 보세요. `vbox-hostonly`에서 튜토리얼과 같은 장애를 일으키면 어느 정책에서 ping이 계속 통할까요?

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
# slave's lane). Look at the end of the `none` and `follow` panels: no reply comes back even after
# enp0s8 is restored. With no `primary` the bond stays on enp0s9, so fixing the link does not fix the
# service; their outage lasts to the end of the recorded window (the "+" after the number: the pinger
# stopped, not the outage).

# %% [markdown] lang="ko"
# `none`과 `follow`에서는 enp0s9가 본딩 인터페이스의 주소, 곧 enp0s8의 주소를 넘겨받습니다. client는
# 계속 그 주소로 보내는데, 호스트 전용 네트워크는 그 주소로 온 프레임을 enp0s8의 어댑터에만 넘겨주고,
# 그 어댑터는 죽어 있습니다. `active`에서는 본딩 인터페이스가 enp0s9 자신의 주소로 바꾸고 그 사실을
# 알리므로, client가 따라오고 네트워크도 프레임을 넘겨줍니다. 그림에서 줄마다 확인할 수 있습니다(슬레이브
# 줄마다 그 포트가 받아들이는 주소가 적혀 있습니다). `none`과 `follow` 그래프의 끝을 보세요. enp0s8을 복구한
# 뒤에도 응답이 하나도 오지 않습니다. `primary`가 없으니 본딩은 enp0s9에 머물고, 링크를 고쳐도 서비스는
# 돌아오지 않습니다. 그래서 중단 시간은 기록한 구간이 끝날 때까지 이어집니다(숫자 뒤의 "+"는 중단이 끝난 것이
# 아니라 ping을 그만 보낸 것입니다).

# %%
plot.comparison_figure(hostonly)

# %%
nb.ask("05_two_enis", answer=2)

# %% [markdown] lang="en"
# That fits what the tutorial saw: it settled on `fail_over_mac=1` (`active`). The kernel's
# documentation (`bonding.rst`, *fail_over_mac*) describes `active` as "useful for devices that cannot
# ever alter their MAC address"; here the NIC can, but the network behind it does not follow.
#
# **EC2 is a different case.** A VPC is not a layer-2 segment that learns addresses: each private IP
# address belongs to one network interface (ENI), and the instance's source/destination check drops
# traffic for addresses the interface does not own. No `fail_over_mac` policy moves an address from one
# ENI to another, so bonding two ENIs gives no failover there. High availability on EC2 moves the
# address through the EC2 API instead: a secondary private address with
# `aws ec2 assign-private-ip-addresses --network-interface-id ENI --private-ip-addresses ADDR
# --allow-reassignment` (EC2 API reference, *AssignPrivateIpAddresses*: "When you move a secondary
# private IP address to another network interface, any Elastic IP address that is associated with the
# IP address is also moved"), or an Elastic IP re-associated with `aws ec2 associate-address
# --allow-reassociation`.
#
# Try it on the lab (`follow` on `vbox-hostonly`); without a lab, the recorded run is shown:

# %% [markdown] lang="ko"
# 튜토리얼이 결국 `fail_over_mac=1`(`active`)을 쓴 것과도 맞아떨어집니다. 커널 문서(`bonding.rst`의
# *fail_over_mac* 항목)는 `active`를 MAC 주소를 바꿀 수 없는 장치에 쓸모 있는 정책으로 설명합니다.
# 여기서는 NIC이 주소를 바꿀 수는 있지만 그 뒤의 네트워크가 따라 주지 않습니다.
#
# **EC2는 경우가 다릅니다.** VPC는 주소를 배우는 2계층 세그먼트가 아닙니다. 사설 IP 주소는 저마다 네트워크
# 인터페이스(ENI) 하나에 속하고, 인스턴스의 출발지/대상 확인(source/destination check)이 그 인터페이스의
# 것이 아닌 주소의 트래픽을 버립니다. 어떤 `fail_over_mac` 정책도 주소를 다른 ENI로 옮기지 못하므로, ENI
# 두 개를 본딩해도 페일오버가 되지 않습니다. EC2에서 고가용성은 EC2 API로 주소를 옮겨서 얻습니다. 보조 사설
# 주소를 `aws ec2 assign-private-ip-addresses --network-interface-id ENI --private-ip-addresses 주소
# --allow-reassignment`로 다른 인터페이스에 다시 할당하거나(EC2 API 문서 *AssignPrivateIpAddresses*: 보조
# 사설 IP 주소를 다른 네트워크 인터페이스로 옮기면 그 주소에 연결된 탄력적 IP도 함께 옮겨 갑니다), 탄력적
# IP(Elastic IP)를 `aws ec2 associate-address --allow-reassociation`으로 다른 인스턴스에 다시 연결해 줍니다.
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
# ARP monitoring (`arp_interval`, `arp_ip_target`) checks the path instead. Every N milliseconds the bond
# sends an ARP request to the target addresses, and it checks whether each slave has sent or received
# traffic recently (`bonding.rst`, *arp_interval*); a slave that has received nothing for
# `arp_missed_max` intervals (default 2; a backup slave gets one more) is taken down. Any received frame
# counts, not only the answers to the bond's own requests: section 2b shows why that matters and what
# `arp_validate` changes. Predict: with `miimon=100` only, what does the bond do when the active slave's
# port goes silent?

# %% [markdown] lang="ko"
# ## 2. 사일런트 장애: MII 모니터링과 ARP 모니터링
#
# `miimon`은 N ms마다 드라이버에게 NIC에 캐리어가 있는지, 곧 케이블이 살아 있는 무언가에 꽂혀 있는지
# 묻습니다. 장애 가운데 상당수는 캐리어를 끊습니다(`admin-down`, 케이블을 뽑는 `carrier-loss`).
# 그렇지 않은 장애도 있습니다. 전달을 멈춘 스위치 포트, 더 멀리서 끊긴 업링크, 잘못 설정된 VLAN 같은
# 것입니다. 실습 환경의 `silent-drop` 장애가 바로 이것으로, 캐리어는 올라와 있는 채로 스위치 포트가 모든
# 프레임을 버립니다.
#
# ARP 모니터링(`arp_interval`, `arp_ip_target`)은 대신 경로를 확인합니다. N ms마다 대상 주소로 ARP 요청을
# 보내고, 슬레이브마다 최근에 트래픽을 보내거나 받았는지 확인합니다(`bonding.rst`의 *arp_interval* 항목).
# `arp_missed_max` 주기(기본값 2, 백업 슬레이브는 한 주기 더) 동안 아무것도 받지 못한 슬레이브는 내려간
# 것으로 칩니다. 본딩이 보낸 요청에 대한 응답만이 아니라 받은 프레임이면 무엇이든 셉니다. 그것이 왜
# 문제가 되는지, `arp_validate`가 무엇을 바꾸는지는 2b절에서 봅니다. 예측해 보세요. `miimon=100`만 쓸 때
# 액티브 슬레이브의 포트가 조용히 죽으면 본딩은 무엇을 할까요?

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
# it fails over, but later than `miimon` would for a dead cable: a slave is declared down only after it
# has received nothing for `arp_missed_max` (2) intervals, and the fault can fall anywhere inside an
# interval. The recorded runs for several intervals:

# %% [markdown] lang="ko"
# `miimon`으로는 본딩이 끝내 알아채지 못해, 장애가 끝날 때까지 ping을 잃습니다. `arp_interval=100`이면
# 페일오버하지만, 케이블이 죽었을 때의 `miimon`보다는 늦습니다. `arp_missed_max`(2) 주기 동안 아무것도
# 받지 못해야 슬레이브를 내려간 것으로 치고, 장애는 주기 안의 아무 때나 날 수 있기 때문입니다. 주기를 바꿔
# 가며 기록한 실행은 이렇습니다.

# %%
arp_sweep = sorted((r for r in silent if r.params.arp_interval), key=lambda r: r.params.arp_interval)
summary_frame(arp_sweep)

# %%
nb.ask("05_arp_detect", answer=2, evidence=summary_frame(arp_sweep))

# %%
nb.ask("05_arp_target_gone", answer=2)

# %% [markdown] lang="en"
# ARP monitoring has its own costs: it needs a target that answers (here the peer's bond address), it
# sends traffic of its own, and it should not be combined with `miimon` (`bonding.rst`: "ARP monitoring
# should not be used in conjunction with miimon"; lint warns when a file sets both).
#
# ### 2b. When the plain ARP monitor is fooled, and `arp_validate`
#
# Because a plain ARP monitor counts *any* received frame, a path that still delivers broadcasts (other
# hosts' ARP requests, another bond's probes) but no longer delivers the answers looks alive. The
# kernel's documentation gives this very case: several bonding hosts probing through one switch keep
# each other's slaves "up" after the link beyond the switch fails. `arp_validate` is the cure
# (`bonding.rst`, *arp_validate*): a validated slave counts as up only when it receives the ARP traffic
# that belongs to this bond's own probes (on the active slave, replies from an `arp_ip_target`; on a
# backup, the bond's own broadcast requests). `all` validates every slave, `active` only the active one,
# `backup` only the backups; `filter` counts any ARP but ignores other traffic. Exercise 2 at the end compares two silent failures with and without it.
#
# ## 3. miimon, updelay, downdelay and the outage
#
# With a pulled cable (`carrier-loss`), the bond notices at its next MII check, so the time to detect is
# at most one `miimon` period, about half of one on average. Read one recorded run with care: the fault
# instant is known only to within the time the fault command took (`fault_call_ms` in each `run.json`,
# 4 to 447 ms here: a few ms for a pulled cable, which the lab does from outside the guest, up to about
# a second for a fault the emulated guest runs itself) and the links are sampled every 30 ms or so, so a
# single run is one draw that can land anywhere between 0 and one period (the three recorded
# `miimon=500` runs show 294, 359 and 499 ms). The rule is about the worst case and the average over
# many runs, which 3a shows:

# %% [markdown] lang="ko"
# ARP 모니터링에도 대가가 있습니다. 응답해 줄 대상(여기서는 상대 호스트의 본딩 주소)이 있어야 하고,
# 자기 트래픽을 따로 보내며, `miimon`과 함께 쓰면 안 됩니다(`bonding.rst`: ARP 모니터링은 miimon과 함께
# 쓰지 말 것. 파일에 둘 다 적으면 린트가 경고합니다).
#
# ### 2b. 평범한 ARP 모니터링이 속을 때, 그리고 `arp_validate`
#
# 평범한 ARP 모니터링은 받은 프레임이면 *무엇이든* 세기 때문에, 응답은 더 오지 않는데 브로드캐스트(다른
# 호스트의 ARP 요청, 다른 본딩의 탐지 요청)는 여전히 들어오는 경로가 살아 있는 것처럼 보입니다. 커널 문서가
# 바로 이 경우를 듭니다. 본딩 호스트 여러 대가 스위치 하나를 거쳐 탐지 요청을 보내면, 스위치 너머의 링크가
# 끊겨도 서로의 슬레이브를 "살아 있게" 만들어 버립니다. 처방이 `arp_validate`입니다(`bonding.rst`의
# *arp_validate* 항목). 검증을 받는 슬레이브는 이 본딩이 보낸 요청에 딸린 ARP(액티브 슬레이브에서는
# `arp_ip_target`이 보낸 응답, 백업 슬레이브에서는 본딩 자신의 브로드캐스트 요청)를 받아야만 살아 있다고
# 칩니다. `all`은 모든 슬레이브를, `active`는 액티브 슬레이브만, `backup`은 백업 슬레이브만 검증하고,
# `filter`는 ARP라면 무엇이든 세고 다른 트래픽은 무시합니다. 마지막의 연습 문제 2에서
# 두 가지 사일런트 장애를 `arp_validate`가 있을 때와 없을 때로 비교합니다.
#
# ## 3. miimon, updelay, downdelay와 중단 시간
#
# 케이블을 뽑으면(`carrier-loss`) 본딩은 다음 MII 확인 때 알아채므로, 감지까지 걸리는 시간은 길어야
# `miimon` 한 주기, 평균으로는 반 주기쯤입니다. 기록해 둔 실행 하나는 조심해서 읽으세요. 장애를 일으킨 순간은
# 장애 명령이 걸린 시간(`run.json`마다 있는 `fault_call_ms`로, 여기서는 4~447 ms입니다. 실습 환경이 게스트 밖에서
# 하는 케이블 뽑기는 몇 ms, 에뮬레이션되는 게스트가 직접 실행하는 장애는 1초 가까이 걸립니다) 안에서만 알 수 있고, 링크는
# 30 ms쯤마다 샘플링하므로, 실행 하나는 0부터 한 주기 사이 어디에든 떨어질 수 있는 표본 하나입니다(기록해 둔
# `miimon=500` 실행 세 개는 294, 359, 499 ms입니다). 규칙은 최악의 경우와
# 여러 번 실행한 평균에 관한 것이고, 3a절에서 그것을 봅니다.

# %%
cable = select(runs, fail_over_mac="active", fault="carrier-loss", switch="learning", arp_interval=0,
               updelay=0, downdelay=0)
summary_frame(sorted(cable, key=lambda r: r.params.miimon))

# %%
nb.ask("05_miimon_500", choices=[125, 250, 500, 1000], answer=250,
       evidence=summary_frame(sorted(cable, key=lambda r: r.params.miimon)))

# %% [markdown] lang="en"
# `downdelay` makes the bond wait before it gives up a link that went down (a flapping link then does not
# cause a failover every time); `updelay` makes it wait before it uses a link that came back. Both are
# counted in `miimon` periods and work only with `miimon` (`bonding.rst`, *downdelay*, *updelay*). The
# recorded run shown after 3a sets both to 200; only `downdelay` acts on the failover itself (exercise 1 at the
# end sets `downdelay` alone). With `downdelay=200`, what happens to the outage?

# %% [markdown] lang="ko"
# `downdelay`는 내려간 링크를 포기하기 전에 기다리게 하고(그러면 링크가 오르내리기를 반복(플래핑)해도 매번
# 페일오버하지 않습니다), `updelay`는 다시 올라온 링크를 쓰기 전에 기다리게 합니다. 둘 다 `miimon` 주기
# 단위로 세며 `miimon`과 함께일 때만 동작합니다(`bonding.rst`의 *downdelay*, *updelay* 항목). 3a절 뒤에 나오는
# 기록해 둔 실행은 둘 다 200으로 두었는데, 페일오버 자체에 작용하는 것은 `downdelay`뿐입니다(마지막의 연습 문제
# 1에서 `downdelay`만 둡니다). `downdelay=200`이면 중단 시간은 어떻게 될까요?

# %%
delays = select(runs, fail_over_mac="active", fault="carrier-loss", switch="learning", miimon=100,
                arp_interval=0)
nb.ask("05_downdelay", answer=2,
       evidence=sweep_frame(load_sweeps().query("setting in ['miimon100', 'downdelay200']")))

# %% [markdown] lang="en"
# ### 3a. Ten runs of each setting
#
# One run is one draw, so the kit ran each setting ten times on the lab (`scripts/record_sweeps.py`,
# saved in `data/sweeps/`): every `miimon` on a pulled cable, `downdelay=200` alone, every `arp_interval`
# on a silent drop, and the Ubuntu file's `primary: enp0s8`. Each fault was stamped by the guest itself,
# and the guests' clocks were read before every run, so a time is known to about one link sample (the
# resolution is printed under each panel). One dot is one run; the bar is the median.
#
# What to look at: how far the dots of one setting spread (the cable is pulled at a random moment of the
# period, so a `miimon=500` run may detect at once or take almost half a second), how the medians grow
# with the period, what `downdelay` adds on top, and that the ARP monitor needs more than one interval
# before it gives a slave up.

# %% [markdown] lang="ko"
# ### 3a. 설정마다 열 번씩
#
# 실행 하나는 표본 하나일 뿐이라, 키트는 설정마다 실습 환경에서 열 번씩 실행했습니다
# (`scripts/record_sweeps.py`, `data/sweeps/`에 저장). 케이블을 뽑는 장애로 `miimon` 값마다, `downdelay=200`만
# 둔 경우, 사일런트 장애로 `arp_interval` 값마다, 그리고 Ubuntu 파일의 `primary: enp0s8`입니다. 장애를 일으킨
# 순간은 게스트가 직접 기록했고 실행마다 먼저 게스트의 시계를 읽었으므로, 시간은 링크 기록 한 번 간격쯤의
# 정확도로 압니다(그래프마다 아래에 해상도를 적었습니다). 점 하나가 실행 하나이고, 막대는 중앙값입니다.
#
# 볼 곳: 한 설정의 점들이 얼마나 넓게 흩어지는지(케이블을 뽑는 순간이 주기 안 어디든 될 수 있어서,
# `miimon=500`이면 곧바로 알아챌 수도, 반 초 가까이 걸릴 수도 있습니다), 중앙값이 주기와 함께 어떻게
# 커지는지, `downdelay`가 거기에 무엇을 더하는지, 그리고 ARP 모니터링은 슬레이브를 포기하기까지 한 주기보다
# 오래 걸린다는 점입니다.

# %%
sweeps = load_sweeps()
plot.sweep_figure(sweeps)

# %% [markdown] lang="en"
# Two things in the figure need a word. Some `miimon` dots lie above the period (`miimon=200`'s
# highest is 529 ms): *detect* ends when a link sample shows the new slave, samples come about every
# 30 ms, and an emulated guest busy with the failover sometimes takes its next sample a few hundred ms
# late; the kernel itself was within the period (the medians are). And with ARP monitoring the *outage* can be shorter than *detect* (look at `arp_interval=500`):
# the outage is measured on the pings, detection on the link samples, and the first ping gets through
# as soon as the bond has switched, before the sampler's next look. Read both to the nearest sample.
#
# The same runs as numbers. The last row is the tutorial's Ubuntu bond with `primary: enp0s8`: when
# enp0s8 comes back, the bond returns to it at once (`bonding.rst`, *primary*). That switch back has its
# own column: on this lab it usually costs one or two pings (a median of 20 ms over the ten runs); on
# real NICs it can cost more, because some NICs "assert link up prior to being able to actually transmit and receive"
# (`bonding.rst`, *updelay*), which is what `updelay` is for.

# %% [markdown] lang="ko"
# 그림에서 두 가지는 설명이 필요합니다. `miimon` 점 몇 개는 주기보다 위에 있습니다(`miimon=200`의 가장 높은
# 점은 529 ms). *감지*는 링크 상태 샘플에 새 슬레이브가 보일 때 끝나는데, 샘플은 30 ms쯤마다 찍히고, 페일오버로
# 바쁜 에뮬레이션 게스트는 다음 샘플을 몇백 ms 늦게 찍기도 합니다. 커널 자신은 주기 안에 알아챘습니다(중앙값이
# 그렇습니다). 그리고 ARP
# 모니터링에서는 *중단 시간*이 *감지*보다 짧을 수 있습니다(`arp_interval=500`을 보세요). 중단 시간은 ping으로,
# 감지는 링크 상태 샘플로 재는데, 본딩이 슬레이브를 바꾸자마자 첫 ping은 통하고 샘플은 그다음에야 찍히기
# 때문입니다. 두 값 모두 샘플 한 번 간격만큼의 오차로 읽으세요.
#
# 같은 실행을 숫자로 보면 다음과 같습니다. 마지막 줄은 튜토리얼의 Ubuntu 본딩처럼 `primary: enp0s8`을 둔
# 경우입니다. enp0s8이 돌아오면 본딩은 곧바로 그쪽으로 되돌아갑니다(`bonding.rst`의 *primary* 항목). 이
# 되돌아감은 따로 한 열에 적었습니다. 이 실습 환경에서는 보통 ping을 한두 개 잃습니다(열 번의 중앙값 20 ms). 실제 NIC에서는
# 더 길어질 수 있습니다. 어떤 NIC은 "실제로 주고받을 수 있기 전에 링크가 올라왔다고 알리기" 때문이며
# (`bonding.rst`의 *updelay* 항목), `updelay`가 바로 그럴 때 쓰는 옵션입니다.

# %%
sweep_frame(sweeps)

# %%
summary_frame(delays).assign(run=[run.id for run in delays])

# %%
nb.ask("05_downdelay_arp", answer=2)

# %% [markdown] lang="en"
# The price of `downdelay` is paid in every real failover: it lengthens the outage by about its own
# value. Use it only where links flap, and write it as a multiple of `miimon` (notebook `02`: the kernel
# rounds it down).
#
# ## Summary
#
# - Where the network delivers unicast only to the address each adapter was given (the kit's model of
#   the tutorial's VirtualBox trouble), use `fail_over_mac=active`: `none` and `follow` put the old NIC's
#   address on the new one.
# - On EC2 no `fail_over_mac` policy helps: move the address through the EC2 API instead
#   (`assign-private-ip-addresses --allow-reassignment`, or re-associate an Elastic IP).
# - `miimon` sees carrier only; a port that goes silent with the carrier up needs ARP monitoring, and
#   `arp_validate` keeps stray broadcasts from making a dead path look alive.
# - The outage is about the detection time (up to one `miimon` period, or a few `arp_interval`s) plus
#   `downdelay`.

# %% [markdown] lang="ko"
# `downdelay`의 대가는 실제 페일오버가 날 때마다 치릅니다. 중단 시간이 대략 그 값만큼 늘어납니다. 링크
# 플래핑(flapping)이 잦은 곳에서만 쓰고, `miimon`의 배수로 적으세요(`02` 노트북: 커널이 내림합니다).
#
# ## 정리
#
# - 어댑터마다 처음 받은 주소로 온 유니캐스트만 넘겨주는 네트워크(튜토리얼이 VirtualBox에서 겪은 문제를
#   키트가 본뜬 모델)에서는 `fail_over_mac=active`를 쓰세요. `none`과 `follow`는 이전 NIC의 주소를 새 NIC에
#   씌웁니다.
# - EC2에서는 어떤 `fail_over_mac` 정책도 도움이 되지 않습니다. 대신 EC2 API로 주소를 옮기세요
#   (`assign-private-ip-addresses --allow-reassignment`, 또는 탄력적 IP 다시 연결).
# - `miimon`은 캐리어만 봅니다. 캐리어는 살아 있는데 포트가 조용히 죽는 장애에는 ARP 모니터링이 필요하고,
#   `arp_validate`가 있어야 엉뚱한 브로드캐스트 때문에 죽은 경로가 살아 있는 것처럼 보이지 않습니다.
# - 중단 시간은 대략 감지 시간(`miimon` 한 주기 이내, 또는 `arp_interval` 몇 주기)에 `downdelay`를 더한
#   만큼입니다.

# %% [markdown] lang="en"
# ## Exercises
#
# The solutions are in `notebooks/teachers/solutions.en.md`; try first.
#
# ### Exercise 1 · `downdelay` alone: predict, then run
#
# The recorded run of section 3 set `updelay=200` and `downdelay=200` together. Set only `downdelay`
# (make `updelay` 0 in `my_delays`) and write down your prediction first: how long is the outage after a
# pulled cable, compared with the run without delays (about 134 ms) and with the run that had both? Then
# run the cell. On the lab it runs now; without the lab it reads the recorded run with these settings
# from `data/runs`, or, for a setting the kit repeated ten times (section 3a, `downdelay` alone among
# them), the first of those runs in `data/sweeps`, and its last line says which file it read.

# %% [markdown] lang="ko"
# ## 연습 문제
#
# 풀이는 `notebooks/teachers/solutions.ko.md`에 있습니다. 먼저 직접 해 보세요.
#
# ### 연습 문제 1 · `downdelay`만: 예측하고 실행하기
#
# 3절의 기록해 둔 실행은 `updelay=200`과 `downdelay=200`을 함께 두었습니다. `downdelay`만 두고(`my_delays`의
# `updelay`를 0으로) 먼저 예측을 적어 보세요. 케이블을 뽑은 뒤 중단 시간은 지연이 없는 실행(134 ms쯤)과,
# 둘 다 둔 실행과 비교해 어떨까요? 그런 다음 셀을 실행하세요. 실습 환경이 있으면 지금 실행합니다. 실습 환경이
# 없으면 `data/runs`에서 이 설정으로 기록해 둔 실행을 읽고, 키트가 열 번씩 반복해 기록한 설정(3a절, `downdelay`만
# 둔 설정도 그 가운데 하나)이라면 `data/sweeps`에 있는 그 첫 번째 실행을 읽습니다. 어느 파일을 읽었는지는 출력의
# 마지막 줄에 나옵니다.

# %%
# NBVAL_IGNORE_OUTPUT
my_delays = {"miimon": 100, "updelay": 200, "downdelay": 200}  # make updelay 0
summary_frame([nb.run_or_recorded(lab, fail_over_mac="active", fault="carrier-loss", **my_delays)])

# %% [markdown] lang="en"
# ### Exercise 2 · `arp_validate`: two silent failures
#
# Two faults keep the carrier up: `silent-drop` (the switch port drops everything) and `unicast-drop`
# (the port still delivers broadcasts, but no unicast, so the peer's ARP replies are lost). On a real
# network other hosts' broadcasts keep arriving all the time; here the client sends some. First write the
# bond: the cell below holds `BONDING_OPTS` for ARP monitoring
# of the peer, in place of the tutorial's `miimon=100`; add validation of every slave (`bonding.rst`,
# *arp_validate*), run it, and check that the option shows in the spec and that lint has nothing to say
# (lint names any value the kernel would refuse). Then predict, for each fault, with other hosts'
# broadcasts on the wire, with and without validation: does the bond fail over?
#
# > **Type it yourself** on the lab, with the tutorial's CentOS bonds applied (notebook `03`, or
# > `.venv/bin/bondkit apply --lab server data/seed/centos/server` and the same for the client). Switch
# > the server's bond to ARP monitoring of the client at run time, through sysfs; the client keeps
# > `miimon`. In terminal 2, the client sends broadcasts (20 a second for 8 s); in terminal 1, while they
# > run, break the port and look:
# >
# > ```sh
# > .venv/bin/bondkit lab ssh server -- sh -c 'cd /sys/class/net/bond0/bonding && echo 0 > miimon && echo +192.168.99.101 > arp_ip_target && echo 100 > arp_interval'
# > # terminal 2
# > .venv/bin/bondkit lab ssh client -- ping -b -n -q -i 0.05 -w 8 192.168.99.255
# > # terminal 1
# > .venv/bin/bondkit lab fault server enp0s8 unicast-drop
# > .venv/bin/bondkit lab ssh server -- grep "Currently Active" /proc/net/bonding/bond0
# > .venv/bin/bondkit lab fault server enp0s8 restore
# > .venv/bin/bondkit lab ssh server -- sh -c 'echo all > /sys/class/net/bond0/bonding/arp_validate'
# > ```
# >
# > Then run terminal 2 and terminal 1 again with validation on, and once more with `silent-drop`
# > instead of `unicast-drop`.

# %% [markdown] lang="ko"
# ### 연습 문제 2 · `arp_validate`: 사일런트 장애 두 가지
#
# 캐리어를 살려 둔 채 나는 장애가 둘 있습니다. `silent-drop`(스위치 포트가 모든 프레임을 버림)과
# `unicast-drop`(포트가 브로드캐스트는 넘겨주고 유니캐스트만 버림. 그래서 상대의 ARP 응답을 잃음)입니다. 실제
# 네트워크에서는 다른 호스트의 브로드캐스트가 늘 들어옵니다. 여기서는 client가 보냅니다. 먼저 본딩을 쓰세요. 아래 셀에는 상대 호스트를 ARP 모니터링하는 `BONDING_OPTS`가
# 튜토리얼의 `miimon=100` 대신 들어 있습니다. 모든 슬레이브를 검증하는 옵션(`bonding.rst`의 *arp_validate*
# 항목)을 더해 실행한 뒤, spec에 그 옵션이 나오는지, 린트의 지적 사항이 없는지 확인하세요(커널이 거부할 값이면
# 린트가 알려 줍니다). 그런 다음 다른 호스트의 브로드캐스트가 들어오는 가운데, 장애마다 검증이 있을 때와 없을 때
# 본딩이 페일오버할지 예측하세요.
#
# > **직접 입력해 보기.** 실습 환경에서, 튜토리얼의 CentOS 본딩을 적용한 상태로 합니다(`03` 노트북, 또는
# > `.venv/bin/bondkit apply --lab server data/seed/centos/server`와 client도 같은 방식으로). sysfs로 server의
# > 본딩을 실행 중에 client를 ARP 모니터링하도록 바꾸고, client는 `miimon`을 그대로 둡니다. 터미널 2에서는 client가
# > 브로드캐스트를 보내고(8초 동안 1초에 20개), 그동안 터미널 1에서 포트를 망가뜨린 뒤 살펴봅니다.
# >
# > ```sh
# > .venv/bin/bondkit lab ssh server -- sh -c 'cd /sys/class/net/bond0/bonding && echo 0 > miimon && echo +192.168.99.101 > arp_ip_target && echo 100 > arp_interval'
# > # 터미널 2
# > .venv/bin/bondkit lab ssh client -- ping -b -n -q -i 0.05 -w 8 192.168.99.255
# > # 터미널 1
# > .venv/bin/bondkit lab fault server enp0s8 unicast-drop
# > .venv/bin/bondkit lab ssh server -- grep "Currently Active" /proc/net/bonding/bond0
# > .venv/bin/bondkit lab fault server enp0s8 restore
# > .venv/bin/bondkit lab ssh server -- sh -c 'echo all > /sys/class/net/bond0/bonding/arp_validate'
# > ```
# >
# > 이어서 검증을 켠 채로 터미널 2와 터미널 1을 다시 해 보고, `unicast-drop` 대신 `silent-drop`으로도 한 번 더
# > 해 보세요.

# %%
my_opts = "mode=1 arp_interval=100 arp_ip_target=192.168.99.101 fail_over_mac=1"  # add the validation
server_files = {path.name: path.read_text() for path in sorted(nb.data_path("seed", "centos", "server").iterdir())}
server_files["ifcfg-bond0"] = server_files["ifcfg-bond0"].replace("mode=1 miimon=100 fail_over_mac=1", my_opts)
my_bond = ifcfg.parse(server_files)
print(my_bond[0].options)
nb.show_findings(lint.lint(my_bond))

# %% [markdown] lang="en"
# Written your prediction? These are the eight cases as the lab recorded them (`scripts/record_arp_validate.py`,
# the commands above, one run each): the server's active slave before the fault and two seconds after.

# %% [markdown] lang="ko"
# 예측을 적었나요? 실습 환경에서 기록한 여덟 가지 경우입니다(`scripts/record_arp_validate.py`, 위와 같은 명령,
# 경우마다 한 번씩). 장애 전과 장애 2초 뒤 server의 액티브 슬레이브입니다.

# %%
nb.show_files(nb.data_path("recorded", "lab", "arp-validate.csv"), numbered=False)

# %% [markdown] lang="en"
# ## Final challenge
#
# A server has two uplinks, enp0s8 to switch A and enp0s9 to switch B; behind the switches, the router
# `192.168.99.1` is the one address that must stay reachable. The links beyond the switches can fail
# without any carrier change, and other hosts' broadcasts keep arriving on both slaves. The server runs
# Ubuntu 18.04. Write its netplan file (`bond0`, `192.168.99.102/24`, default route via the router) so
# that
#
# 1. a silent failure beyond either switch is detected, and stray broadcasts cannot hide it;
# 2. enp0s8 is preferred, but once the bond has moved to enp0s9 it stays there while enp0s9 works;
# 3. netplan 0.99 accepts the file, lint has no warning, and `netplan generate` turns it into a
#    systemd-networkd bond with those options.
#
# Then predict the worst-case time to detect the failure, from the options you chose. The solutions
# give one answer, checked by the kit's tests.

# %% [markdown] lang="ko"
# ## 최종 도전 과제
#
# 업링크가 둘인 server가 있습니다. enp0s8은 스위치 A로, enp0s9는 스위치 B로 갑니다. 스위치 너머의 라우터
# `192.168.99.1`은 꼭 닿아야 하는 단 하나의 주소입니다. 스위치 너머의 링크는 캐리어 변화 없이 끊길 수 있고,
# 다른 호스트의 브로드캐스트는 두 슬레이브 모두에 계속 들어옵니다. server는 Ubuntu 18.04입니다. 다음을 모두
# 만족하도록 netplan 파일(`bond0`, `192.168.99.102/24`, 라우터를 거치는 기본 경로)을 쓰세요.
#
# 1. 어느 스위치 너머에서 사일런트 장애가 나도 알아채고, 엉뚱한 브로드캐스트가 그것을 가리지 못한다.
# 2. enp0s8을 먼저 쓰지만, 한번 enp0s9로 옮겨 가면 enp0s9가 동작하는 동안은 거기 머문다.
# 3. netplan 0.99가 받아들이고, 린트 경고가 없고, `netplan generate`가 그 옵션을 가진 systemd-networkd
#    본딩으로 바꿔 준다.
#
# 그런 다음 고른 옵션으로 장애를 알아채기까지 걸리는 최악의 시간을 예측하세요. 풀이에 키트의 테스트로
# 확인한 답이 하나 있습니다.

# %%
print(nb.finish(lab))
