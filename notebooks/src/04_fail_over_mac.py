# %% [markdown] lang="en"
# # 04 · fail_over_mac: none, active, follow
#
# When the active slave fails, the bond moves its traffic to another NIC. Which MAC address does that
# NIC use from then on? The `fail_over_mac` option decides, and the fail_over_mac tutorial shows it with
# `ip link show` before and after `ip link set dev enp0s8 down`. This notebook reads those outputs, then
# the same experiment on the lab, measured, for all three policies.
#
# ## Objectives
#
# After this notebook you can
#
# - state what `none` (0), `active` (1) and `follow` (2) do to the MAC addresses of the bond and its
#   slaves, before and after a failover;
# - predict `ip link show` after a failover for each policy, and check your prediction against the data;
# - read a MAC timeline and say what the peer (the client) must learn after the failover;
# - explore the recorded runs with a widget, and run a new one on the lab.

# %% [markdown] lang="ko"
# # 04 · fail_over_mac: none, active, follow
#
# 액티브 슬레이브가 죽으면 본딩은 트래픽을 다른 NIC으로 옮깁니다. 그러면 그 NIC은 그때부터 어떤 MAC 주소를
# 쓸까요? 이것을 정하는 것이 `fail_over_mac` 옵션이고, fail_over_mac 튜토리얼은 `ip link set dev enp0s8
# down` 전후의 `ip link show`로 그 차이를 보여 줍니다. 이 노트북에서는 그 출력을 읽은 다음, 같은 실험을
# 실습 환경에서 세 가지 정책 모두에 대해 측정해 봅니다.
#
# ## 학습 목표
#
# 이 노트북을 마치면 다음을 할 수 있습니다.
#
# - `none`(0), `active`(1), `follow`(2)가 페일오버 전후에 본딩 인터페이스와 슬레이브의 MAC 주소를
#   어떻게 다루는지 말할 수 있습니다.
# - 정책마다 페일오버 뒤의 `ip link show`를 예측하고, 데이터로 그 예측을 확인할 수 있습니다.
# - MAC 주소 타임라인을 읽고, 페일오버 뒤에 상대 호스트(client)가 무엇을 새로 배워야 하는지 말할 수
#   있습니다.
# - 위젯으로 기록해 둔 실행을 살펴보고, 실습 환경에서 새로 실행해 볼 수 있습니다.

# %%
from bondkit import notebook as nb
from bondkit import plot, widgets
from bondkit.failover.demo import demo_plans, recorded_for
from bondkit.failover.report import summary_frame
from bondkit.notebook.evidence import active_changes

nb.setup()
lab = nb.open_lab()  # section 5, the live-run button and exercise 2 use it; shown in section 5

# %% [markdown] lang="en"
# ## 1. The three policies
#
# | `fail_over_mac` | bond0's MAC | the slaves' MACs | at a failover |
# |---|---|---|---|
# | `none` (0, the default) | the first slave's | all set to the bond's, so every slave has the same one | nothing changes: the new active slave already carries the bond's address |
# | `active` (1) | always the active slave's own | each keeps its own | bond0 takes the new active slave's address; peers must learn it (the bond sends a gratuitous ARP) |
# | `follow` (2) | the first slave's, and it stays | the active slave is given the bond's; the others keep their own | the new active slave takes the bond's address, and the old one gets the new one's former address |
#
# `none` is the simplest, but it makes two NICs use one address. `active` never makes a NIC use
# another's address, at the price of a new MAC for the bond. `follow` keeps the bond's address and swaps
# the two slaves' addresses at a failover, in two successive writes (`bond_do_fail_over_mac` in
# `drivers/net/bonding/bond_main.c`): first the new active slave is given the bond's address, then the
# old one the new one's former address. Between the two writes both slaves carry the same address, for
# a moment; the swap is not atomic. The kernel's documentation
# (`bonding.rst`, *fail_over_mac*) adds two details: `none` is the default unless the first slave cannot
# change its MAC address, in which case the kernel picks `active`; and with `active` every device on the
# network must learn the new address from the gratuitous ARP, so "if the gratuitous ARP is lost,
# communication may be disrupted".

# %% [markdown] lang="ko"
# ## 1. 세 가지 정책
#
# | `fail_over_mac` | bond0의 MAC 주소 | 슬레이브의 MAC 주소 | 페일오버 때 |
# |---|---|---|---|
# | `none`(0, 기본값) | 첫 번째 슬레이브의 주소 | 모두 본딩 인터페이스의 주소로 바뀌어 모든 슬레이브가 같은 주소를 가짐 | 바뀌는 것 없음: 새 액티브 슬레이브가 이미 본딩 인터페이스의 주소를 가짐 |
# | `active`(1) | 늘 액티브 슬레이브의 원래 주소 | 저마다 자기 주소 | bond0이 새 액티브 슬레이브의 주소를 가져감. 상대 호스트가 새 주소를 배워야 함(본딩이 gratuitous ARP를 보냄) |
# | `follow`(2) | 첫 번째 슬레이브의 주소, 그대로 유지 | 액티브 슬레이브만 본딩 인터페이스의 주소를 받고 나머지는 자기 주소 | 새 액티브 슬레이브가 본딩 인터페이스의 주소를 받고, 이전 액티브 슬레이브는 새 액티브 슬레이브가 쓰던 주소를 받음 |
#
# `none`이 가장 단순하지만 NIC 두 개가 주소 하나를 함께 씁니다. `active`는 어느 NIC도 남의 주소를 쓰게
# 하지 않는 대신 본딩 인터페이스의 MAC 주소가 바뀝니다. `follow`는 본딩 인터페이스의 주소를 지키고, 페일오버 때
# 두 슬레이브의 주소를 맞바꿉니다. 맞바꾸기는 두 번에 나눠 씁니다(`drivers/net/bonding/bond_main.c`의
# `bond_do_fail_over_mac`). 먼저 새 액티브 슬레이브에 본딩 인터페이스의 주소를 주고, 이어서 이전 액티브
# 슬레이브에 새 액티브 슬레이브가 쓰던 주소를 줍니다. 두 번 쓰는 사이에는 잠깐 두 슬레이브가 같은 주소를 가지므로,
# 한 번에 일어나는 교환은 아닙니다. 커널 문서(`bonding.rst`의 *fail_over_mac* 항목)는
# 두 가지를 덧붙입니다. 첫 번째 슬레이브가 MAC 주소를 바꿀 수 없으면 기본값이 `none` 대신 `active`가 되고,
# `active`에서는 네트워크의 모든 장치가 gratuitous ARP로 새 주소를 배워야 하므로 그 ARP를 잃으면 통신이 끊길 수
# 있습니다.

# %% [markdown] lang="en"
# ## 2. The tutorial's `ip link show`, as tables
#
# The tutorial recorded `ip link show` on its CentOS client (VirtualBox NICs): enp0s8's own address is
# `08:00:27:e8:26:58`, enp0s9's is `08:00:27:27:a9:2d`. Here are the MAC addresses before the failover,
# for each policy:

# %% [markdown] lang="ko"
# ## 2. 튜토리얼의 `ip link show`를 표로
#
# 튜토리얼은 CentOS client(VirtualBox NIC)에서 `ip link show`를 기록했습니다. enp0s8의 원래 주소는
# `08:00:27:e8:26:58`, enp0s9의 원래 주소는 `08:00:27:27:a9:2d`입니다. 페일오버 전의 정책별 MAC
# 주소는 이렇습니다.

# %%
seed = nb.data_path("seed", "ip-link")
nb.mac_table({"none": seed / "none-before.txt", "active": seed / "active-before.txt",
              "follow": seed / "follow-before.txt"})

# %% [markdown] lang="en"
# Then the tutorial runs `ip link set dev enp0s8 down`. Predict before you look: in `follow` mode, what
# is bond0's MAC address afterwards? The answer comes from the tutorial's recorded output.
#
# > **Type it yourself** on the lab (`.venv/bin/bondkit lab up` first; the lab's server has the
# > tutorial's bond once notebook `03` or `bondkit apply --lab server data/seed/centos/server` set it up):
# >
# > ```sh
# > .venv/bin/bondkit lab ssh server -- ip link show
# > .venv/bin/bondkit lab ssh server -- ip link set dev enp0s8 down
# > .venv/bin/bondkit lab ssh server -- ip link show
# > .venv/bin/bondkit lab ssh server -- ip link set dev enp0s8 up
# > ```

# %% [markdown] lang="ko"
# 이어서 튜토리얼은 `ip link set dev enp0s8 down`을 실행합니다. 보기 전에 예측해 보세요. `follow`
# 모드에서 그 뒤 bond0의 MAC 주소는 무엇일까요? 정답은 튜토리얼이 기록한 출력에서 가져옵니다.
#
# > **직접 입력해 보기.** 실습 환경에서 해 보세요(먼저 `.venv/bin/bondkit lab up`. `03` 노트북이나
# > `bondkit apply --lab server data/seed/centos/server`로 server에 튜토리얼의 본딩을 설정해 두어야 합니다).
# >
# > ```sh
# > .venv/bin/bondkit lab ssh server -- ip link show
# > .venv/bin/bondkit lab ssh server -- ip link set dev enp0s8 down
# > .venv/bin/bondkit lab ssh server -- ip link show
# > .venv/bin/bondkit lab ssh server -- ip link set dev enp0s8 up
# > ```

# %%
after = nb.mac_table({"active": seed / "active-after.txt", "follow": seed / "follow-after.txt"})
nb.ask("04_follow_bond", choices=["08:00:27:e8:26:58", "08:00:27:27:a9:2d"],
       answer=after.loc["bond0", "follow"], evidence=after)

# %%
nb.ask("04_follow_enp0s8", choices=["08:00:27:e8:26:58", "08:00:27:27:a9:2d"],
       answer=after.loc["enp0s8", "follow"], evidence=after)

# %% [markdown] lang="en"
# All the tutorial's outputs side by side (it did not record `none` after the failover):

# %% [markdown] lang="ko"
# 튜토리얼의 출력을 모두 나란히 놓으면 이렇습니다(튜토리얼은 `none`의 페일오버 뒤 출력은 기록하지
# 않았습니다).

# %%
nb.mac_table({"none before": seed / "none-before.txt",
              "active before": seed / "active-before.txt", "active after": seed / "active-after.txt",
              "follow before": seed / "follow-before.txt", "follow after": seed / "follow-after.txt"})

# %% [markdown] lang="en"
# ## 3. The same on the lab, `none` included
#
# The lab's server has its own VirtualBox-style addresses: enp0s8 `08:00:27:ad:1b:ac`, enp0s9
# `08:00:27:99:81:8a`. These outputs were recorded on it with the tutorial's bond and fault, for each
# policy, before and after:

# %% [markdown] lang="ko"
# ## 3. 실습 환경에서 같은 실험, `none`까지
#
# 실습 환경의 server는 VirtualBox식 주소를 따로 가집니다. enp0s8은 `08:00:27:ad:1b:ac`, enp0s9는
# `08:00:27:99:81:8a`입니다. 아래 출력은 튜토리얼과 같은 본딩과 장애로, 정책마다 페일오버 전후에
# 실습 환경에서 기록한 것입니다.

# %%
lab_files = nb.data_path("recorded", "lab")
nb.mac_table({f"{mode} {moment}": lab_files / f"{mode}-{moment}.ip-link.txt"
              for mode in ("none", "active", "follow") for moment in ("before", "after")})

# %%
nb.ask("04_which_changes", answer=2)

# %% [markdown] lang="en"
# ## 4. Measured: the MAC timeline of each policy
#
# `bondkit.failover` ran the tutorial's scenario (ping every 10 ms from the client, `ip link set dev
# enp0s8 down` on the server, `miimon=100`) once per policy on the lab, on an ordinary learning switch.
# One figure per policy, side by side: the ping's round-trip time above, the MAC address of each
# interface below (one colour per address, the active slave outlined), then the address the client
# sends its pings to, and at the bottom the frames each slave of the server sent (a star: the
# gratuitous ARP).

# %% [markdown] lang="ko"
# ## 4. 측정: 정책별 MAC 주소 타임라인
#
# `bondkit.failover`로 튜토리얼의 시나리오(client에서 10 ms마다 ping, server에서 `ip link set dev enp0s8
# down`, `miimon=100`)를 일반 학습 스위치(learning switch)에서 정책마다 한 번씩 실행했습니다.
# 정책마다 그림 하나씩 나란히 놓았습니다. 위는 ping의 왕복 시간, 아래는 인터페이스별 MAC 주소(주소마다
# 색 하나, 액티브 슬레이브는 테두리)이고, 그 아래 줄은 client가 ping을 보내는 대상 주소, 맨 아래 두 줄은
# server의 슬레이브마다 보낸 프레임입니다(별 모양이 gratuitous ARP).

# %%
modes = recorded_for(demo_plans(["learning"]))
summary_frame(modes)

# %%
plot.comparison_figure(modes, zoom=plot.ZOOM)

# %% [markdown] lang="en"
# Read the lanes under the slaves: with `active`, the client's ARP entry for the server changes from enp0s8's to
# enp0s9's address shortly after the failover, because the bond announced its new address with a
# gratuitous ARP. With `none` and `follow` the address the client sends to never changes; only the NIC
# that carries it does, and the switch learns the new port from the same gratuitous ARP.

# %% [markdown] lang="ko"
# 슬레이브 아래 줄들을 읽어 보세요. `active`에서는 페일오버 직후 client의 ARP 항목이 enp0s8의 주소에서 enp0s9의
# 주소로 바뀝니다. 본딩이 gratuitous ARP로 새 주소를 알렸기 때문입니다. `none`과 `follow`에서는 client가
# 보내는 대상 주소가 바뀌지 않고, 그 주소를 나르는 NIC만 바뀝니다. 스위치는 같은 gratuitous ARP를 보고
# 새 포트를 배웁니다.

# %% [markdown] lang="en"
# The lab read its switch's table in each of these runs, just before the fault and just before the
# restore. Follow the row of the bond's address: with `none` and `follow` it moves from port 3 (enp0s8)
# to port 4 (enp0s9), and "sent by" says the bond, because enp0s9 now sends with enp0s8's address. With
# `active` the bond's new address is enp0s9's own and comes in as a new row on port 4, while enp0s8's
# address stays on port 3, where nothing answers any more, until the switch forgets it.

# %% [markdown] lang="ko"
# 실습 환경은 이 실행마다 장애 직전과 복구 직전에 스위치의 테이블을 읽어 두었습니다. 본딩 주소의 행을
# 따라가 보세요. `none`과 `follow`에서는 그 주소가 포트 3(enp0s8)에서 포트 4(enp0s9)로 옮겨 가고, "보낸
# 쪽"에는 본딩이라고 나옵니다. 이제 enp0s9가 enp0s8의 주소로 보내기 때문입니다. `active`에서는 본딩의 새
# 주소가 enp0s9 자신의 주소이므로 포트 4에 새 행으로 들어오고, enp0s8의 주소는 이제 아무도 답하지 않는
# 포트 3에 스위치가 잊을 때까지 남아 있습니다.

# %%
nb.switch_tables(modes)

# %% [markdown] lang="en"
# What taught the switch is the first frames the new active slave sent. Under every policy one of them
# is the bond's one gratuitous ARP, and its source MAC is the bond's address after the failover.

# %% [markdown] lang="ko"
# 스위치에게 이것을 알려 준 것은 새 액티브 슬레이브가 처음 보낸 프레임들입니다. 어느 정책에서든 그중
# 하나는 본딩이 보내는 단 하나의 gratuitous ARP이고, 그 출발지 MAC 주소는 페일오버 뒤 본딩의 주소입니다.

# %%
nb.sent_at_failover(modes, count=2)

# %%
nb.ask("04_learning_switch", answer=1, evidence=summary_frame(modes))

# %%
nb.ask("04_primary_follow", answer=1)

# %% [markdown] lang="en"
# ## 5. Run it yourself
#
# The next cell runs one policy on the lab now (here `follow`), or shows the recorded run without a lab.
# Its numbers change a little from run to run.

# %% [markdown] lang="ko"
# ## 5. 직접 실행하기
#
# 다음 셀은 정책 하나(여기서는 `follow`)를 지금 실습 환경에서 실행하고, 실습 환경이 없으면 기록해 둔
# 실행을 보여 줍니다. 숫자는 실행할 때마다 조금씩 달라집니다.

# %%
# NBVAL_IGNORE_OUTPUT
print(lab)
run = nb.run_or_recorded(lab, fail_over_mac="follow", fault="admin-down")
summary_frame([run])

# %% [markdown] lang="en"
# ## 6. The explorer
#
# The explorer draws any recorded run: choose the policy (or all three side by side), the fault, the
# switch and the link monitor, and the time window. The control below it runs a new experiment on the
# lab with a progress bar and adds it to the explorer. (Widgets work only while the notebook's Jupyter
# kernel runs: run the cells yourself.)

# %% [markdown] lang="ko"
# ## 6. 탐색 위젯
#
# 탐색 위젯은 기록해 둔 실행을 무엇이든 그려 줍니다. 정책(또는 셋을 나란히), 장애 종류, 스위치, 링크
# 모니터링 방식, 시간 구간을 고르세요. 그 아래 컨트롤은 실습 환경에서 새 실험을 실행해 진행 막대를 보여 주고,
# 결과를 탐색 위젯에 더합니다. (위젯은 Jupyter 커널이 실행 중일 때만 동작하므로 셀을 직접 실행하세요.)

# %%
explorer = widgets.Explorer()
explorer

# %%
widgets.LiveRun(explorer, lab)

# %% [markdown] lang="en"
# ## Summary
#
# - `none`: one address for the bond and every slave; nothing changes at a failover.
# - `active`: the bond takes the active slave's own address; the peers learn the new address.
# - `follow`: the bond keeps its address and hands it to whichever slave is active; the slaves swap.
# - On an ordinary switch all three keep the ping going. Notebook `05` shows a network where they do
#   not, and why.
#
# When you are done with the widgets and the exercises, run the last cell: it stops the lab if this
# notebook started it (the live-run button needs the lab, the explorer does not).
#
# ## Exercises
#
# The solutions are in `notebooks/teachers/solutions.en.md`; try first.
#
# ### Exercise 1 · After the restore: who has which address?
#
# The runs go on for half a second after enp0s8 comes back (`ip link set dev enp0s8 up`). With no
# `primary`, the bond stays on enp0s9. Predict, for `follow`: which MAC address does enp0s8 have once it
# is back, and which does enp0s9 keep? Then change `moment` below from `"after the fault"` to
# `"after the restore"` and run the cell. Do the same for `active` and `none` (change `policy`).

# %% [markdown] lang="ko"
# ## 정리
#
# - `none`: 본딩 인터페이스와 모든 슬레이브가 주소 하나를 씁니다. 페일오버 때 바뀌는 것이 없습니다.
# - `active`: 본딩 인터페이스가 액티브 슬레이브의 원래 주소를 가져갑니다. 상대 호스트가 새 주소를 배웁니다.
# - `follow`: 본딩 인터페이스는 주소를 지키며 그때그때 액티브인 슬레이브에게 넘겨줍니다. 슬레이브끼리는
#   주소를 맞바꿉니다.
# - 일반 스위치에서는 셋 다 ping이 이어집니다. `05` 노트북에서 그렇지 않은 네트워크와 그 이유를 봅니다.
#
# 위젯과 연습 문제를 다 마친 뒤에 마지막 셀을 실행하세요. 이 노트북이 띄운 실습 환경을 멈춥니다(실행
# 버튼에는 실습 환경이 필요하고, 탐색 위젯에는 필요 없습니다).
#
# ## 연습 문제
#
# 풀이는 `notebooks/teachers/solutions.ko.md`에 있습니다. 먼저 직접 해 보세요.
#
# ### 연습 문제 1 · 복구한 뒤에는 어느 인터페이스가 어떤 주소를 가질까?
#
# 기록해 둔 실행은 enp0s8이 돌아온 뒤(`ip link set dev enp0s8 up`)에도 0.5초 동안 이어집니다. `primary`가
# 없으므로 본딩은 enp0s9에 머뭅니다. `follow`에서 돌아온 enp0s8은 어떤 MAC 주소를 갖고, enp0s9는 어떤
# 주소를 지킬지 예측해 보세요. 그런 다음 아래 `moment`를 `"after the fault"`에서 `"after the restore"`로 바꾸고
# 셀을 실행하세요. `active`와 `none`으로도 해 보세요(`policy`를 바꿉니다).

# %%
policy, moment = "follow", "after the fault"  # change to "after the restore"
chosen = next(r for r in modes if r.params.fail_over_mac == policy)
at = chosen.meta["restore_t"] + 0.3 if moment == "after the restore" else 0.5
lanes = chosen.lanes()
lanes[lanes["t"] <= at].sort_values("t").groupby("ifname").last()[["mac", "is_active"]]

# %% [markdown] lang="en"
# ### Exercise 2 · The same failover on the network that filters
#
# Section 4 ran all three policies on the learning switch. Predict which of them still get pings
# through on the `vbox-hostonly` switch profile (notebook `05` explains it; predict first), then change
# `switch` below to `"vbox-hostonly"` and run the cell. The table gives the
# answer (the outage column, and the last column: do the pings reach the server again?). On the lab the run is made now; without it, the recorded run is shown.

# %% [markdown] lang="ko"
# ### 연습 문제 2 · MAC 주소로 걸러 내는 네트워크에서 같은 페일오버
#
# 4절에서는 세 정책을 모두 학습 스위치에서 실행했습니다. 스위치 프로필을 `vbox-hostonly`로 바꾸면 어느 정책에서
# ping이 계속 통할지 예측해 보세요(이유는 `05` 노트북에서 다룹니다. 먼저 예측하세요). 그런 다음 아래
# `switch`를 `"vbox-hostonly"`로 바꾸고 셀을 실행하세요. 중단 시간 칸과 마지막 칸(ping이 다시 server에 닿는지)에 답이 있습니다. 실습
# 환경이 있으면 지금 실행하고, 없으면 기록해 둔 실행을 보여 줍니다.

# %%
# NBVAL_IGNORE_OUTPUT
switch = "learning"  # change to "vbox-hostonly"
tried = [nb.run_or_recorded(lab, fail_over_mac=mode, fault="admin-down", switch=switch)
         for mode in ("none", "active", "follow")]
summary_frame(tried)

# %% [markdown] lang="en"
# **Challenge.** Without running anything: a switch port that accepts *only the first* MAC address it
# sees and drops frames from any other source (port security with one address). Which policies survive
# the tutorial's failover there, and which lane of the figure would show it first? Write your answer,
# then check it against the solutions.

# %% [markdown] lang="ko"
# **도전 과제.** 아무것도 실행하지 말고 답해 보세요. 처음 본 MAC 주소 *하나만* 받아들이고 다른 출발지 주소의
# 프레임은 버리는 스위치 포트(MAC 주소를 하나만 허용하는 포트 보안(port security))가 있습니다. 그곳에서 튜토리얼의 페일오버를 견디는 정책은
# 무엇이고, 그림의 어느 줄이 그것을 가장 먼저 보여 줄까요? 답을 적은 뒤 풀이와 맞춰 보세요.

# %%
print(nb.finish(lab))
