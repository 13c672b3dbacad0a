# %% [markdown] lang="en"
# # 02 · Bond configurations: ifcfg, netplan, and what they mean
#
# The bonding tutorial configures `bond0` twice: with CentOS 7 network-scripts (`ifcfg-*` files) and with
# Ubuntu 18.04's netplan. This notebook reads those very files, checks them for mistakes, and converts
# them from one format to another.
#
# ## Objectives
#
# After this notebook you can
#
# - read an `ifcfg-bond0` file, its slaves' files and a netplan `bonds:` section line by line;
# - explain `mode`, `miimon`, `fail_over_mac` and `primary`, and the numbers `mode=1` and
#   `fail_over_mac=1` stand for;
# - use `bondkit.formats` to parse any of these files into one model, a `BondSpec`, and compare the CentOS
#   and Ubuntu set-ups;
# - run `bondkit.lint` and find the two problems in the tutorial: a file saved under the wrong name and
#   netplan's deprecated `gateway4`;
# - convert a bond between ifcfg, netplan, nmcli and `ip` commands, and check that nothing is lost.

# %% [markdown] lang="ko"
# # 02 · 본딩 설정: ifcfg, netplan, 그리고 그 뜻
#
# 본딩 튜토리얼은 `bond0`을 두 번 설정합니다. 한 번은 CentOS 7의 network-scripts(`ifcfg-*` 파일)로,
# 또 한 번은 Ubuntu 18.04의 netplan으로 설정합니다. 이 노트북에서는 바로 그 파일들을 읽고, 실수가 없는지 점검하고,
# 한 형식에서 다른 형식으로 바꿔 봅니다.
#
# ## 학습 목표
#
# 이 노트북을 마치면 다음을 할 수 있습니다.
#
# - `ifcfg-bond0` 파일과 슬레이브 파일, netplan의 `bonds:` 부분을 한 줄씩 읽을 수 있습니다.
# - `mode`, `miimon`, `fail_over_mac`, `primary`가 무슨 뜻인지, `mode=1`과 `fail_over_mac=1`의 숫자가
#   무엇을 가리키는지 설명할 수 있습니다.
# - `bondkit.formats`로 이 파일들을 하나의 모델(`BondSpec`)로 파싱하고, CentOS와 Ubuntu 설정을 비교할
#   수 있습니다.
# - `bondkit.lint`를 돌려 튜토리얼의 문제 두 가지를 찾을 수 있습니다. 잘못된 이름으로 저장된 파일과
#   netplan에서 더는 권장하지 않는 `gateway4`입니다.
# - 본딩 설정을 ifcfg, netplan, nmcli, `ip` 명령 사이에서 변환하고, 빠진 것이 없는지 확인할 수
#   있습니다.

# %%
from bondkit import formats, lint
from bondkit import notebook as nb
from bondkit.formats import ifcfg, netplan

nb.setup()

# %% [markdown] lang="en"
# ## 1. The CentOS client's three files
#
# On CentOS 7 every interface has a file in `/etc/sysconfig/network-scripts/`. The tutorial writes three
# for the client: one for the bond and one for each slave. The kit keeps them, byte for byte, in
# `data/seed/centos/client/`.

# %% [markdown] lang="ko"
# ## 1. CentOS client의 파일 세 개
#
# CentOS 7에서는 인터페이스마다 `/etc/sysconfig/network-scripts/`에 파일이 하나씩 있습니다. 튜토리얼은
# client에 파일 세 개를 씁니다. 본딩 인터페이스용 하나와 슬레이브마다 하나씩입니다. 키트는 그 파일들을
# 한 글자도 바꾸지 않고 `data/seed/centos/client/`에 담아 두었습니다.

# %%
centos_client = nb.data_path("seed", "centos", "client")
nb.show_files(centos_client)

# %% [markdown] lang="en"
# What the lines say:
#
# | key | in `ifcfg-bond0` | in the slaves' files |
# |---|---|---|
# | `TYPE` | `Bond`: this interface is a bond | `Ethernet`: an ordinary NIC |
# | `NAME`, `DEVICE` | the connection's name and the kernel's interface name, both `bond0` | `enp0s8` / `enp0s9`. initscripts reads every `ifcfg-*` file and takes the interface from `DEVICE=`; naming the file `ifcfg-DEVICE` is the convention that keeps one file per interface (section 4 shows what breaking it costs) |
# | `BOOTPROTO` | `static`: the address is written here | `none`: a slave has no address of its own |
# | `IPADDR`, `PREFIX` | `192.168.99.101/24` | — |
# | `DEFROUTE=no` | the bond never becomes the default route (`enp0s3`, the NAT NIC, keeps it) | — |
# | `ONBOOT=yes` | bring it up at boot | same |
# | `BONDING_OPTS` | the driver's options, passed to the kernel as they are | — |
# | `MASTER`, `SLAVE` | — | `MASTER=bond0` and `SLAVE=yes` enslave the NIC to `bond0` |
#
# `BONDING_OPTS="mode=1 miimon=100 fail_over_mac=1"` holds the whole behaviour of the bond:
#
# - `mode=1` is **active-backup**: one slave carries all traffic, the other waits;
# - `miimon=100` checks each slave's carrier every 100 ms. With `miimon=0` and no ARP monitoring the
#   bond never notices a dead link. Leaving both out does not give you 100 in active-backup: the driver
#   forces `miimon=100` only in the modes that cannot use ARP monitoring (802.3ad, balance-tlb,
#   balance-alb; `bond_check_params` and `bond_option_mode_set` in `drivers/net/bonding/`). An
#   active-backup bond written without either starts with `miimon=0`: `/proc/net/bonding/bond0` shows
#   "MII Polling Interval (ms): 0", and a pulled cable never makes it fail over. `bonding.rst`
#   (*miimon*) says more than the code does ("The default value is 100 if arp_interval is not set"):
#   that sentence holds for those three modes only. Notebook `03` lets you see it on the lab in a minute;
# - `fail_over_mac=1` is `active`: the bond's MAC address is always that of the active slave
#   (notebook `04` compares the three policies).

# %% [markdown] lang="ko"
# 각 줄의 뜻은 이렇습니다.
#
# | 키 | `ifcfg-bond0`에서 | 슬레이브 파일에서 |
# |---|---|---|
# | `TYPE` | `Bond`: 이 인터페이스는 본딩 인터페이스 | `Ethernet`: 일반 NIC |
# | `NAME`, `DEVICE` | 연결 이름과 커널의 인터페이스 이름, 둘 다 `bond0` | `enp0s8` / `enp0s9`. initscripts는 `ifcfg-*` 파일을 모두 읽고 인터페이스는 `DEVICE=`에서 정합니다. 파일 이름을 `ifcfg-DEVICE`로 짓는 것은 인터페이스마다 파일 하나를 지키기 위한 관례입니다(어기면 어떻게 되는지 4절에서 봅니다) |
# | `BOOTPROTO` | `static`: 주소를 이 파일에 직접 적음 | `none`: 슬레이브는 자기 주소가 없음 |
# | `IPADDR`, `PREFIX` | `192.168.99.101/24` | — |
# | `DEFROUTE=no` | 본딩 인터페이스를 기본 경로로 쓰지 않음(기본 경로는 NAT용 `enp0s3`이 가짐) | — |
# | `ONBOOT=yes` | 부팅할 때 올림 | 같음 |
# | `BONDING_OPTS` | 본딩 드라이버 옵션. 그대로 커널에 전달됨 | — |
# | `MASTER`, `SLAVE` | — | `MASTER=bond0`과 `SLAVE=yes`로 이 NIC을 `bond0`의 슬레이브로 만듦 |
#
# 본딩의 동작은 모두 `BONDING_OPTS="mode=1 miimon=100 fail_over_mac=1"` 한 줄에 들어 있습니다.
#
# - `mode=1`은 **액티브-백업**입니다. 슬레이브 하나가 모든 트래픽을 나르고 다른 하나는 기다립니다.
# - `miimon=100`은 100 ms마다 각 슬레이브의 캐리어를 확인합니다. `miimon=0`이고 ARP 모니터링도 없으면
#   본딩은 링크가 죽어도 알아채지 못합니다. 둘 다 적지 않았다고 해서 액티브-백업에서 100이 되는 것은 아닙니다.
#   드라이버가 `miimon=100`을 강제로 넣는 것은 ARP 모니터링을 쓸 수 없는 모드(802.3ad, balance-tlb,
#   balance-alb)뿐입니다(`drivers/net/bonding/`의 `bond_check_params`와 `bond_option_mode_set`). 둘 다
#   적지 않은 액티브-백업 본딩은 `miimon=0`으로 시작하므로, `/proc/net/bonding/bond0`에
#   "MII Polling Interval (ms): 0"이 나오고 케이블을 뽑아도 페일오버하지 않습니다. `bonding.rst`의
#   *miimon* 항목("arp_interval을 정하지 않으면 기본값은 100")은 코드보다 넓게 말하는 셈이며, 그 문장은
#   이 세 모드에만 맞습니다. `03` 노트북에서 실습 환경으로 1분 만에 직접 확인할 수 있습니다.
# - `fail_over_mac=1`은 `active`입니다. 본딩 인터페이스의 MAC 주소가 늘 액티브 슬레이브의 MAC 주소를
#   따라갑니다(세 가지 정책은 `04` 노트북에서 비교합니다).

# %% [markdown] lang="en"
# ## 2. One model for every format
#
# `formats.load` reads a directory (or files), finds each file's format, and returns one `BondSpec` per
# bond. Options are stored under the kernel's own names and words, the ones
# `/sys/class/net/bond0/bonding/` and `/proc/net/bonding/bond0` use, so numbers become words.

# %% [markdown] lang="ko"
# ## 2. 모든 형식을 하나의 모델로
#
# `formats.load`는 디렉터리(또는 파일)를 읽어 파일마다 형식을 알아내고, 본딩마다 `BondSpec`을 하나씩
# 돌려줍니다. 옵션은 커널이 쓰는 이름과 값, 곧 `/sys/class/net/bond0/bonding/`과
# `/proc/net/bonding/bond0`에 나오는 말로 저장되므로, 숫자는 이름으로 바뀝니다.

# %%
client = formats.load(centos_client)[0]
client.to_dict()

# %%
nb.ask("02_alias", answer=2)

# %% [markdown] lang="en"
# ## 3. The Ubuntu client: netplan
#
# Ubuntu 18.04 describes the network in YAML under `/etc/netplan/` and applies it with
# `sudo netplan apply`. The members are listed under `ethernets:` with `dhcp4: false`, the bond under
# `bonds:`, and the driver's options under `parameters:` with netplan's own names
# (`mii-monitor-interval` is `miimon`, `fail-over-mac-policy` is `fail_over_mac`).

# %% [markdown] lang="ko"
# ## 3. Ubuntu client: netplan
#
# Ubuntu 18.04는 네트워크를 `/etc/netplan/` 아래의 YAML로 적고 `sudo netplan apply`로 적용합니다.
# 슬레이브는 `ethernets:` 아래에 `dhcp4: false`로, 본딩은 `bonds:` 아래에 적고, 드라이버 옵션은
# `parameters:` 아래에 netplan식 이름으로 씁니다(`mii-monitor-interval`은 `miimon`,
# `fail-over-mac-policy`는 `fail_over_mac`).

# %%
ubuntu_file = nb.data_path("seed", "ubuntu", "client", "50-cloud-init.yaml")
nb.show_files(ubuntu_file)

# %% [markdown] lang="en"
# Parsed, both clients are the same kind of object, so they can be put side by side:

# %% [markdown] lang="ko"
# 파싱하면 두 client가 같은 모양의 객체가 되므로 나란히 놓고 비교할 수 있습니다.

# %%
ubuntu = formats.load(ubuntu_file)[0]
{"CentOS": client.to_dict(), "Ubuntu": ubuntu.to_dict()}

# %%
nb.ask("02_ubuntu_extra", answer=1)

# %% [markdown] lang="en"
# The two halves of the tutorial are separate set-ups (`192.168.99.0/24` on CentOS, `192.168.225.0/24` on
# Ubuntu), so different addresses are expected. The real differences are `primary: enp0s8`, which makes
# enp0s8 the preferred slave whenever its link is up, and `gateway4`, which gives the bond a default
# route. On CentOS `DEFROUTE=no` keeps the default route on `enp0s3`; on Ubuntu the bond's gateway
# competes with the one `enp0s3` gets from DHCP, on a host-only network that usually leads nowhere.

# %% [markdown] lang="ko"
# 튜토리얼의 두 부분은 서로 다른 구성이므로(CentOS는 `192.168.99.0/24`, Ubuntu는 `192.168.225.0/24`)
# 주소가 다른 것은 당연합니다. 진짜 차이는 두 가지입니다. `primary: enp0s8`은 링크가 살아 있는 한
# enp0s8을 우선 슬레이브로 쓰게 하고, `gateway4`는 본딩 인터페이스에 기본 경로를 줍니다. CentOS에서는
# `DEFROUTE=no` 덕분에 기본 경로가 `enp0s3`에 남지만, Ubuntu에서는 본딩 인터페이스의 게이트웨이가
# `enp0s3`이 DHCP로 받은 기본 경로와 경쟁합니다. 호스트 전용 네트워크의 게이트웨이는 대개 어디로도
# 이어지지 않는데도 말입니다.

# %% [markdown] lang="en"
# ## 4. Lint: the mistakes a file can hide
#
# `lint.lint` reads files leniently and reports every problem with its file and line, a severity
# (`error`, `warning`, `info`) and a rule id. The command line does the same: `bondkit lint PATH...`.
# The CentOS files of the client and the (corrected) server are clean:
#
# > **Type it yourself**, in a terminal in the repository, then with the tutorial's slip (next section):
# >
# > ```sh
# > .venv/bin/bondkit lint data/seed/centos/client data/seed/centos/server
# > .venv/bin/bondkit lint data/seed/centos/server-as-published
# > .venv/bin/bondkit convert data/seed/centos/client --to netplan
# > ```

# %% [markdown] lang="ko"
# ## 4. 린트: 파일에 숨은 실수 찾기
#
# `lint.lint`는 형식이 조금 어긋난 파일도 끝까지 읽으면서 문제를 모두 찾아, 파일과 줄, 심각도(`error`, `warning`,
# `info`), 규칙 id와 함께 알려 줍니다. 명령줄에서는 `bondkit lint PATH...`가 같은 일을 합니다. client와
# (바로잡은) server의 CentOS 파일에는 지적 사항이 없습니다.
#
# > **직접 입력해 보기.** 저장소의 터미널에서 입력해 보고, 이어서 튜토리얼의 실수가 든 파일(다음 절)로도 해
# > 보세요.
# >
# > ```sh
# > .venv/bin/bondkit lint data/seed/centos/client data/seed/centos/server
# > .venv/bin/bondkit lint data/seed/centos/server-as-published
# > .venv/bin/bondkit convert data/seed/centos/client --to netplan
# > ```

# %%
nb.show_findings(lint.lint([centos_client, nb.data_path("seed", "centos", "server")]))

# %% [markdown] lang="en"
# ### The tutorial's slip
#
# For the server, the tutorial heads the enp0s8 block (`NAME=enp0s8`, `DEVICE=enp0s8`) with the path
# `/etc/sysconfig/network-scripts/ifcfg-enp0s9`. A student who saves each block under its heading gets the
# files in `data/seed/centos/server-as-published/` after the first two blocks:

# %% [markdown] lang="ko"
# ### 튜토리얼의 실수
#
# 튜토리얼은 server의 enp0s8 설정(`NAME=enp0s8`, `DEVICE=enp0s8`) 위에 파일 경로를
# `/etc/sysconfig/network-scripts/ifcfg-enp0s9`라고 적어 두었습니다. 적힌 경로대로 저장하면 처음 두
# 블록까지 저장했을 때 `data/seed/centos/server-as-published/`와 같은 파일이 생깁니다.

# %%
published = nb.data_path("seed", "centos", "server-as-published")
nb.show_findings(lint.lint(published))

# %% [markdown] lang="en"
# Lint names the file and the line (`DEVICE=enp0s8` in a file called `ifcfg-enp0s9`) and the consequence:
# a bond with one slave has nothing to fail over to. Now save the third block, enp0s9's, under its heading,
# `ifcfg-enp0s9`, as the tutorial says. Before you run the next cell: which slaves does `bond0` get?

# %% [markdown] lang="ko"
# 린트는 파일과 줄(`ifcfg-enp0s9`라는 파일 안의 `DEVICE=enp0s8`)과 그 결과를 함께 알려 줍니다. 슬레이브가
# 하나뿐인 본딩은 페일오버할 곳이 없습니다. 이제 세 번째 블록(enp0s9 설정)도 튜토리얼대로 `ifcfg-enp0s9`에
# 저장한다고 해 봅시다. 다음 셀을 실행하기 전에 생각해 보세요. `bond0`의 슬레이브는 무엇이 될까요?

# %%
nb.ask("02_overwritten", answer=3)

# %%
saved = {"ifcfg-bond0": (published / "ifcfg-bond0").read_text(),
         "ifcfg-enp0s9": (nb.data_path("seed", "centos", "server") / "ifcfg-enp0s9").read_text()}
server_as_saved = ifcfg.parse(saved)
server_as_saved[0].slave_names

# %%
nb.show_findings(lint.lint(server_as_saved))

# %%
nb.ask("02_ifcfg_name", answer=2)

# %% [markdown] lang="en"
# The third save overwrote the second: enp0s8 has no file, so it is never enslaved, and the server's bond
# runs on enp0s9 alone. The tutorial's test (take the active slave down, watch the ping go on) cannot
# work on such a server. Notebook `03` uses the corrected files in `data/seed/centos/server/`.
#
# ### netplan's `gateway4`
#
# The Ubuntu files have a warning of their own:

# %% [markdown] lang="ko"
# 세 번째 저장이 두 번째 파일을 덮어썼습니다. enp0s8에는 파일이 없으니 슬레이브가 되지 못하고, server의
# 본딩은 enp0s9 하나로만 돌아갑니다. 이런 server에서는 튜토리얼의 테스트(액티브 슬레이브를 내리고 ping이
# 계속 가는지 보기)이 성립하지 않습니다. `03` 노트북은 바로잡은 `data/seed/centos/server/`의 파일을
# 씁니다.
#
# ### netplan의 `gateway4`
#
# Ubuntu 파일에도 경고가 하나 있습니다.

# %%
nb.show_findings(lint.lint(nb.data_path("seed", "ubuntu")))

# %% [markdown] lang="en"
# netplan 0.103 deprecated `gateway4` in favour of default routes (netplan's changelog for 0.103), and
# newer versions warn about it. How to write the replacement depends on the netplan version:
#
# - netplan 0.103 and later: `routes: [{to: default, via: 192.168.225.1}]`;
# - older netplan, such as the version Ubuntu 18.04 was released with, does not know the word `default`
#   and rejects that line; there the same route is `routes: [{to: 0.0.0.0/0, via: 192.168.225.1}]`,
#   which every version accepts.
#
# Check the version on the host first (`netplan info` prints it on recent versions;
# `dpkg -l netplan.io` works everywhere on Ubuntu). Exercise 2 at the end writes the 18.04 form.
#
# ## 5. Converting between formats
#
# A conversion is a parse followed by a render: `formats.render(spec, fmt)` writes a `BondSpec` as the
# files of `ifcfg`, `netplan`, `nmcli` or `ip` (`bondkit convert PATH... --to FMT` on the command line).
# Here is the CentOS client as netplan YAML:

# %% [markdown] lang="ko"
# netplan은 0.103부터 `gateway4`를 권장하지 않고 기본 경로(`routes:`)로 적게 했으며(netplan 0.103의 변경
# 기록), 그 뒤 버전은 경고를 냅니다. 대신 쓰는 줄은 netplan 버전에 따라 다릅니다.
#
# - netplan 0.103 이후: `routes: [{to: default, via: 192.168.225.1}]`
# - 그보다 오래된 netplan(Ubuntu 18.04가 처음 나올 때의 버전 등)은 `default`라는 말을 몰라 이 줄을
#   거부합니다. 그곳에서는 같은 경로를 `routes: [{to: 0.0.0.0/0, via: 192.168.225.1}]`로 적으며, 이
#   형태는 모든 버전이 받아들입니다.
#
# 먼저 호스트의 버전을 확인하세요(최근 버전은 `netplan info`, Ubuntu라면 어디서나 `dpkg -l netplan.io`).
# 마지막의 연습 문제 2에서 18.04 형태로 직접 써 봅니다.
#
# ## 5. 형식 사이의 변환
#
# 변환은 파싱한 다음 렌더링하는 것입니다. `formats.render(spec, fmt)`는 `BondSpec`을 `ifcfg`, `netplan`,
# `nmcli`, `ip` 형식의 파일로 써냅니다(명령줄에서는 `bondkit convert PATH... --to FMT`). CentOS client를
# netplan YAML로 바꾸면 이렇습니다.

# %%
as_netplan = formats.render(client, "netplan")
nb.show_text(as_netplan)

# %% [markdown] lang="en"
# Does the conversion keep the meaning? Parse the YAML back and compare it with the original spec, then
# render it as ifcfg again and compare the files:

# %% [markdown] lang="ko"
# 변환해도 뜻이 그대로일까요? YAML을 다시 파싱해 원래 spec과 비교하고, 그것을 다시 ifcfg로 렌더링해
# 파일끼리도 비교해 봅시다.

# %%
back = formats.parse_text(as_netplan["bond0.yaml"], "bond0.yaml")[0]
back == client, formats.render(back, "ifcfg") == formats.render(client, "ifcfg")

# %% [markdown] lang="en"
# The same bond as NetworkManager commands (what `nmcli` users on RHEL 8 and later type) and as plain
# `ip` commands (what bondkit runs on the lab hosts, which have no distribution tooling). Note the order
# of the `ip` commands: each NIC is taken down before it is enslaved (older kernels refuse to enslave
# a NIC that is up).

# %% [markdown] lang="ko"
# 같은 본딩을 NetworkManager 명령(RHEL 8 이후에서 `nmcli`로 입력하는 것)과 순수 `ip` 명령(배포판 도구가
# 없는 실습 환경 호스트에서 bondkit이 실행하는 것)으로도 써 봅니다. `ip` 명령의 순서를 보세요. NIC을
# 슬레이브로 넣기 전에 먼저 내립니다(옛 커널은 올라와 있는 NIC을 슬레이브로 받지 않습니다).

# %%
nb.show_text({**formats.render(client, "nmcli"), **formats.render(client, "ip")})

# %% [markdown] lang="en"
# Going the other way, Ubuntu to CentOS, shows where netplan's `primary` and `gateway4` land in ifcfg
# terms. Guess first:

# %% [markdown] lang="ko"
# 반대 방향, Ubuntu에서 CentOS로 바꾸면 netplan의 `primary`와 `gateway4`가 ifcfg의 어디로 가는지 보입니다.
# 먼저 짐작해 보세요.

# %%
ubuntu_as_ifcfg = formats.render(ubuntu, "ifcfg")
nb.ask("02_primary_in_ifcfg", answer=1, evidence=nb.show_text({"ifcfg-bond0": ubuntu_as_ifcfg["ifcfg-bond0"]}))

# %% [markdown] lang="en"
# ## 6. The options, and where each format writes them
#
# | kernel option | meaning in active-backup | the tutorial |
# |---|---|---|
# | `mode` | `active-backup` (1): one slave at a time carries traffic | `mode=1` |
# | `miimon` | check each slave's carrier every N ms; 0 turns it off | `100` |
# | `updelay`, `downdelay` | wait this long (a multiple of `miimon`; only with `miimon`) before using a link that came up / giving up one that went down | — |
# | `fail_over_mac` | what happens to MAC addresses on failover: `none` (0), `active` (1), `follow` (2) | `1` (`active`) |
# | `primary` | the slave to prefer whenever its link is up | Ubuntu: `enp0s8` |
# | `primary_reselect` | when to go back to the primary: `always` (the default), `better`, `failure` | — |
# | `arp_interval`, `arp_ip_target` | instead of `miimon`: send ARP requests to these addresses every N ms and check that each slave has received traffic recently (notebook `05`) | — |
# | `arp_validate` | which received frames count for the ARP monitor: `none` (the default: any traffic), `active`, `backup`, `all` (only the ARP traffic of this bond's own probes), `filter` (any ARP) | — |
# | `num_grat_arp` | peer notifications sent after a failover: gratuitous ARPs, ARP messages nobody asked for that announce the bond's address (notebook `03`, section 0), so the switch and peers learn the new path; default 1 | — |
#
# Every row is an option of the kernel's bonding documentation, `bonding.rst` (section 2, "Bonding
# Driver Options"): read it there when a value surprises you. netplan spells the same options its own way; the kit keeps the table it translates with:

# %% [markdown] lang="ko"
# ## 6. 옵션, 그리고 형식마다 적는 자리
#
# | 커널 옵션 | 액티브-백업에서의 뜻 | 튜토리얼 |
# |---|---|---|
# | `mode` | `active-backup`(1): 한 번에 슬레이브 하나만 트래픽을 나름 | `mode=1` |
# | `miimon` | N ms마다 각 슬레이브의 캐리어를 확인. 0이면 끔 | `100` |
# | `updelay`, `downdelay` | 올라온 링크를 쓰기 전 / 내려간 링크를 포기하기 전에 이만큼 기다림(`miimon`의 배수) | — |
# | `fail_over_mac` | 페일오버 때 MAC 주소를 어떻게 할지: `none`(0), `active`(1), `follow`(2) | `1`(`active`) |
# | `primary` | 링크가 살아 있으면 늘 먼저 쓸 슬레이브 | Ubuntu: `enp0s8` |
# | `primary_reselect` | primary로 언제 돌아갈지: `always`(기본값), `better`, `failure` | — |
# | `arp_interval`, `arp_ip_target` | `miimon` 대신 N ms마다 이 주소들에 ARP 요청을 보내고, 슬레이브마다 최근에 트래픽을 받았는지 확인(`05` 노트북) | — |
# | `arp_validate` | ARP 모니터링이 어떤 프레임을 살아 있다는 증거로 칠지: `none`(기본값: 어떤 트래픽이든), `active`, `backup`, `all`(이 본딩이 보낸 요청에 딸린 ARP만), `filter`(ARP라면 무엇이든) | — |
# | `num_grat_arp` | 페일오버 뒤 보내는 상대 알림 수. 상대 알림은 아무도 묻지 않았는데 본딩 인터페이스의 주소를 알리는 ARP, 곧 gratuitous ARP입니다(`03` 노트북 0절). 스위치와 상대 호스트가 새 경로를 배우게 함. 기본값 1 | — |
#
# 표의 옵션은 모두 커널의 본딩 문서 `bonding.rst`(2장 "Bonding Driver Options")에 있습니다. 값이 뜻밖이면
# 그곳에서 찾아보세요. netplan은 같은 옵션을 자기 식으로 부릅니다. 키트가 변환에 쓰는 표는 이렇습니다.

# %%
netplan.KERNEL_TO_NETPLAN

# %%
nb.ask("02_netplan_099", answer=2)

# %% [markdown] lang="en"
# Two of these spellings are newer than the tutorial's Ubuntu: netplan 0.106 renamed `all-slaves-active`
# to `all-members-active` and `packets-per-slave` to `packets-per-member` (netplan's reference,
# *Properties for device type bonds*: "since 0.106"). netplan 0.106 still accepts the old names, and older
# netplan (the one Ubuntu 18.04 was released with, or the 0.99 of notebook `05`'s final challenge) knows
# only those. For a file that every version accepts, write the old names; the kit's tests check
# that the real `netplan generate` on this machine turns both spellings into the same systemd-networkd
# setting.

# %% [markdown] lang="ko"
# 이 가운데 두 이름은 튜토리얼의 Ubuntu보다 새것입니다. netplan 0.106에서 `all-slaves-active`는
# `all-members-active`로, `packets-per-slave`는 `packets-per-member`로 이름이 바뀌었습니다(netplan 문서
# *Properties for device type bonds*: "since 0.106"). netplan 0.106도 옛 이름을 받아들이지만, 그보다 오래된
# netplan(Ubuntu 18.04의 것)은 옛 이름만 압니다. 어느 버전에서나 통하는 파일을 쓰려면 옛 이름을 쓰세요. 이
# 머신의 진짜 `netplan generate`가 두 이름을 같은 systemd-networkd 설정으로 바꾸는지는 키트의 테스트가
# 확인합니다.

# %% [markdown] lang="en"
# Finally, a configuration with two mistakes that no parser refuses, because each value is valid on
# its own. Lint finds them from what the values mean together. It also adds a note (`info`): the file
# does not set `fail_over_mac`, so the bond uses the default, `none`; notebooks `04` and `05` show when
# that matters.

# %% [markdown] lang="ko"
# 마지막으로, 파서는 받아들이지만(값 하나하나는 올바르므로) 실수가 두 개 있는 설정입니다. 린트는 값들을
# 함께 놓고 그 뜻을 따져 찾아냅니다. 참고 사항(`info`)도 하나 덧붙입니다. 이 파일은 `fail_over_mac`을
# 적지 않았으므로 기본값 `none`이 쓰이는데, 그것이 언제 문제가 되는지는 `04`와 `05` 노트북에서 봅니다.

# %%
broken = """\
network:
  version: 2
  ethernets:
    enp0s8: {dhcp4: false}
    enp0s9: {dhcp4: false}
  bonds:
    bond0:
      interfaces: [enp0s8, enp0s9]
      addresses: [192.168.225.101/24]
      parameters:
        mode: active-backup
        mii-monitor-interval: 100
        up-delay: 150
        primary: enp0s10
"""
nb.ask("02_updelay", choices=[0, 100, 150, 200], answer=100)

# %%
nb.show_findings(lint.lint(formats.parse_text(broken, "broken.yaml")))

# %% [markdown] lang="en"
# ## Summary
#
# - One `BondSpec` stands for a bond whatever file it came from; conversions go through it.
# - `BONDING_OPTS` numbers are aliases: `mode=1` is `active-backup`, `fail_over_mac=1` is `active`.
# - Lint finds what a parser cannot: a file under another interface's name, deprecated keys, a primary
#   that is not a slave, delays the kernel will round.
#
# Nothing was started here. Next, `03_failover_test` applies these files to two lab hosts and breaks a
# link.

# %% [markdown] lang="ko"
# ## 정리
#
# - 어느 파일에서 왔든 본딩 하나는 `BondSpec` 하나로 나타내며, 변환도 이것을 거칩니다.
# - `BONDING_OPTS`의 숫자는 별칭입니다. `mode=1`은 `active-backup`, `fail_over_mac=1`은 `active`입니다.
# - 린트는 파서가 못 찾는 것을 찾습니다. 다른 인터페이스 이름으로 저장된 파일, 권장하지 않는 키, 슬레이브가
#   아닌 primary, 커널이 내림할 지연 값 같은 것들입니다.
#
# 이 노트북은 아무것도 띄우지 않았습니다. 다음 `03_failover_test`에서는 이 파일들을 실습 환경의 호스트
# 두 대에 적용하고 링크를 끊어 봅니다.

# %% [markdown] lang="en"
# ## Exercises
#
# Each exercise changes something and runs it again. Try before you look: the solutions are in
# `notebooks/teachers/solutions.en.md`.
#
# ### Exercise 1 · Fix the tutorial's slip, then lint again
#
# The cell below holds the server's files as a student saved them (`saved`, from section 4): the enp0s8
# block is lost. Add the enp0s8 block under the name it should have (its text is in
# `published / "ifcfg-enp0s9"`), run the cell again, and check two things: `bond0` gets both slaves, and
# lint has nothing left to say. Before you run it: which two findings should disappear?

# %% [markdown] lang="ko"
# ## 연습 문제
#
# 연습 문제마다 무언가를 바꾸고 다시 실행합니다. 답을 보기 전에 먼저 해 보세요. 풀이는
# `notebooks/teachers/solutions.ko.md`에 있습니다.
#
# ### 연습 문제 1 · 튜토리얼의 실수를 고치고 다시 린트하기
#
# 아래 셀에는 학생이 저장한 그대로의 server 파일(4절의 `saved`)이 들어 있고, enp0s8 블록은 사라졌습니다.
# enp0s8 블록(내용은 `published / "ifcfg-enp0s9"`에 있습니다)을 원래 있어야 할 이름으로 더한 뒤 셀을 다시
# 실행하고, 두 가지를 확인하세요. `bond0`의 슬레이브가 둘이 되는지, 린트의 지적 사항이 하나도 남지 않는지.
# 실행하기 전에 생각해 보세요. 어떤 지적 사항 두 개가 사라져야 할까요?

# %%
my_server = dict(saved)  # add the enp0s8 block here, under its right name
my_specs = ifcfg.parse(my_server)
print(my_specs[0].slave_names)
nb.show_findings(lint.lint(my_specs))

# %% [markdown] lang="en"
# ### Exercise 2 · The Ubuntu server's netplan, in the form Ubuntu 18.04 accepts
#
# The server's file still uses `gateway4`. Rewrite it so that lint has no warning left and netplan older
# than 0.103 would accept it too: replace the `gateway4:` line by a `routes:` entry with the same gateway
# (section 4 says which form). Keep everything else. Then run the cell: the parsed spec should still
# have the gateway (bondkit reads a default route as the bond's gateway), and lint should find nothing. If this machine has netplan, check your file with
# it as well: save it as `etc/netplan/50-cloud-init.yaml` under a scratch folder and run
# `netplan generate --root-dir FOLDER` (it writes systemd-networkd files and touches nothing else).

# %% [markdown] lang="ko"
# ### 연습 문제 2 · Ubuntu server의 netplan을 Ubuntu 18.04가 받아들이는 형태로
#
# server 파일은 아직 `gateway4`를 씁니다. 린트 경고가 남지 않고 0.103보다 오래된 netplan도 받아들이도록
# 고쳐 쓰세요. `gateway4:` 줄을 같은 게이트웨이로 가는 `routes:` 항목으로 바꾸면 됩니다(어떤 형태인지는
# 4절에 있습니다). 나머지는 그대로 둡니다. 셀을 실행하면 파싱한 spec에 게이트웨이가 그대로 있어야 하고
# (bondkit은 기본 경로를 본딩 인터페이스의 게이트웨이로 읽습니다), 린트의 지적 사항은 없어야 합니다. 이 머신에 netplan이 있다면 netplan으로도 확인해 보세요. 임시 폴더 아래
# `etc/netplan/50-cloud-init.yaml`로 저장하고 `netplan generate --root-dir 폴더`를 실행하면
# systemd-networkd 파일만 만들고 다른 것은 건드리지 않습니다.

# %%
my_netplan = nb.data_path("seed", "ubuntu", "server", "50-cloud-init.yaml").read_text()
# edit my_netplan here: my_netplan = my_netplan.replace("...", "...")
my_ubuntu = formats.parse_text(my_netplan, "50-cloud-init.yaml")
print(my_ubuntu[0].to_dict()["gateway"])
nb.show_findings(lint.lint(my_ubuntu))

# %% [markdown] lang="en"
# **Challenge.** Write one netplan file for the *client* that Ubuntu 18.04 would accept and that, converted
# with `formats.render(spec, "ifcfg")`, gives back the tutorial's CentOS `BONDING_OPTS` plus
# `primary=enp0s8`. Which netplan keys did you need, and which CentOS line has no netplan twin?

# %% [markdown] lang="ko"
# **도전 과제.** Ubuntu 18.04가 받아들이는 *client*용 netplan 파일을 하나 쓰세요. `formats.render(spec,
# "ifcfg")`로 변환했을 때 튜토리얼의 CentOS `BONDING_OPTS`에 `primary=enp0s8`을 더한 결과가 나와야 합니다.
# 어떤 netplan 키가 필요했나요? 그리고 CentOS 쪽 줄 가운데 netplan에 짝이 없는 것은 무엇인가요?
