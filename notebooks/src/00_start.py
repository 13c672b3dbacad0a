# %% [markdown] lang="en"
# # 00 · Start here
#
# **bondkit** turns three hands-on tutorials into notebooks you can run on any Linux machine, with no AWS
# account and no virtual machines:
#
# 1. creating, listing, reaching and deleting an EC2 instance with the AWS CLI (and the same steps in boto3);
# 2. bonding two NICs in **active-backup** mode on CentOS (ifcfg files) and Ubuntu (netplan), then pulling
#    the active link while a ping keeps running;
# 3. the `fail_over_mac` option (`none`, `active`, `follow`) and what it does to MAC addresses.
#
# ## Objectives
#
# After this notebook you can
#
# - say what each of the six notebooks teaches and in which order to take them;
# - start JupyterLab in English or Korean and choose where the kit runs (embedded lab, recorded data, or
#   your own hosts);
# - check that this machine has everything the notebooks need, and fix what is missing;
# - read one recorded `ip link show` output as a table.

# %% [markdown] lang="ko"
# # 00 · 시작하기
#
# **bondkit**은 실습 튜토리얼 세 편을 노트북으로 옮긴 교육용 키트입니다. AWS 계정도 가상 머신도 없이,
# 리눅스 머신 한 대에서 모두 직접 실행해 볼 수 있습니다.
#
# 1. AWS CLI로 EC2 인스턴스를 만들고, 목록을 보고, 접속하고, 지웁니다(boto3로도 같은 단계를 밟습니다).
# 2. CentOS(ifcfg 파일)와 Ubuntu(netplan)에서 NIC 두 개를 **액티브-백업** 모드로 본딩한 뒤, ping을
#    보내는 도중에 액티브 링크를 끊어 봅니다.
# 3. `fail_over_mac` 옵션(`none`, `active`, `follow`)이 MAC 주소를 어떻게 바꾸는지 살펴봅니다.
#
# ## 학습 목표
#
# 이 노트북을 마치면 다음을 할 수 있습니다.
#
# - 여섯 노트북이 각각 무엇을 다루는지, 어떤 순서로 보면 되는지 말할 수 있습니다.
# - JupyterLab을 한국어나 영어로 띄우고, 키트를 어디서 돌릴지(내장 실습 환경, 기록해 둔 데이터, 내 호스트)
#   고를 수 있습니다.
# - 이 머신에 노트북에 필요한 것이 다 있는지 확인하고, 빠진 것을 채울 수 있습니다.
# - 기록해 둔 `ip link show` 출력 하나를 표로 읽을 수 있습니다.

# %% [markdown] lang="en"
# ## The six notebooks
#
# | notebook | what you do |
# |---|---|
# | `00_start` | this page: how the kit runs, the environment check |
# | `01_ec2_cli_and_boto3` | the EC2 tutorial, each step as an `aws` command and as a boto3 call, on an EC2 endpoint embedded in the kit; ends with SSH into the instance and cleanup |
# | `02_bond_configs` | the tutorial's CentOS ifcfg files and Ubuntu netplan file: parse, lint (the tutorial has a file-name slip), convert between formats, what each option means |
# | `03_failover_test` | the tutorial's test on the lab: configure client and server, read `/proc/net/bonding/bond0`, ping, take the active slave down, watch the ping go on |
# | `04_fail_over_mac` | `none`, `active` and `follow` side by side: MAC timelines, ping latency, `ip link show` before and after, and an explorer widget |
# | `05_beyond` | why `none` and `follow` can fail on a network that delivers by MAC address (the kit's model of a VirtualBox host-only network), what to do on EC2 instead, miimon versus ARP monitoring and `arp_validate`, and how miimon, updelay and downdelay shape the outage |
#
# Take them in order the first time; `02` to `05` build on each other, `01` stands alone.

# %% [markdown] lang="ko"
# ## 노트북 여섯 개
#
# | 노트북 | 하는 일 |
# |---|---|
# | `00_start` | 지금 이 페이지: 키트가 돌아가는 방식, 환경 점검 |
# | `01_ec2_cli_and_boto3` | EC2 튜토리얼의 각 단계를 `aws` 명령과 boto3 호출로 나란히 실행합니다. 키트에 내장된 EC2 엔드포인트를 쓰며, 인스턴스에 SSH로 접속하고 정리하는 데서 끝납니다 |
# | `02_bond_configs` | 튜토리얼의 CentOS ifcfg 파일과 Ubuntu netplan 파일을 파싱하고, 린트로 점검하고(튜토리얼에 파일 이름 실수가 하나 있습니다), 형식 사이에서 변환하고, 옵션마다 뜻을 알아봅니다 |
# | `03_failover_test` | 튜토리얼의 테스트를 실습 환경에서 그대로: client와 server를 설정하고, `/proc/net/bonding/bond0`을 읽고, ping을 보내며 액티브 슬레이브를 내려도 ping이 계속 가는지 봅니다 |
# | `04_fail_over_mac` | `none`, `active`, `follow`를 나란히: MAC 주소 타임라인, ping 지연, 장애 전후의 `ip link show`, 탐색 위젯 |
# | `05_beyond` | MAC 주소로 프레임을 걸러 내는 네트워크(키트가 VirtualBox 호스트 전용 네트워크를 본떠 만든 모델)에서 `none`과 `follow`가 실패할 수 있는 이유, EC2에서는 대신 무엇을 하는지, miimon과 ARP 모니터링, `arp_validate`, miimon·updelay·downdelay가 중단 시간을 어떻게 바꾸는지 |
#
# 처음에는 순서대로 보세요. `02`부터 `05`까지는 앞의 내용을 이어받고, `01`은 따로 봐도 됩니다.

# %% [markdown] lang="en"
# ## How the kit runs
#
# Everything you see is produced by real software, not by slides:
#
# - **The embedded lab.** Two small Linux hosts, `client` and `server`, each with `enp0s3` (management)
#   and `enp0s8`, `enp0s9` (data) on a switch called `vboxnet0`: the tutorial's VirtualBox set-up, rebuilt
#   as QEMU virtual machines. They run the real kernel bonding driver and you reach them over SSH.
#   It needs Linux and a few packages (`qemu-system-x86` and the VDE switch); it runs as an ordinary
#   user, without root and without hardware virtualisation.
# - **The embedded EC2 endpoint.** An EC2 API server on `127.0.0.1` (moto) that both the real `aws`
#   command and boto3 talk to. Nothing reaches AWS unless you ask for it explicitly.
# - **Recorded data.** Every lab experiment was also run on the lab and saved under `data/`. When the lab
#   cannot run on your machine, the notebooks say so and show the recorded results instead; you lose the
#   live runs, not the lesson.
# - **Your own hosts (optional).** The same code applies configurations to real CentOS or Ubuntu machines
#   over SSH (`bondkit apply ... --ssh USER@ADDR --key FILE`), and runs the EC2 walkthrough on a real AWS
#   account (`bondkit ec2 walkthrough --real`, which asks for confirmation and costs money).
#
# To open the notebooks, run `make lab` in the repository: it sets everything up and starts JupyterLab on
# `notebooks/`. The English notebooks are in `notebooks/en/`, the Korean ones in `notebooks/ko/`; their code
# cells are identical. To switch JupyterLab's own menus to Korean, choose
# *Settings → Language → Korean (South Korea)* (the language pack is installed with the kit).

# %% [markdown] lang="ko"
# ## 키트가 돌아가는 방식
#
# 노트북에서 보는 모든 결과는 슬라이드가 아니라 실제 소프트웨어가 만들어 냅니다.
#
# - **내장 실습 환경.** `client`와 `server`라는 작은 리눅스 호스트 두 대입니다. 각각 관리용
#   `enp0s3`과 데이터용 `enp0s8`, `enp0s9`를 가지며, 데이터 NIC은 `vboxnet0`이라는 스위치에 연결됩니다.
#   튜토리얼의 VirtualBox 구성을 QEMU 가상 머신으로 다시 만든 것으로, 실제 커널 본딩 드라이버로
#   동작하고 SSH로 접속합니다. 리눅스와 몇 가지 패키지(`qemu-system-x86`, VDE 스위치)가 필요하며, root
#   권한이나 하드웨어 가상화 기능 없이 보통 사용자 계정으로 실행됩니다.
# - **내장 EC2 엔드포인트.** `127.0.0.1`에서 실행되는 EC2 API 서버(moto)로, 진짜 `aws` 명령과 boto3가
#   모두 여기에 요청을 보냅니다. 명시적으로 요청하지 않는 한 AWS에는 아무것도 보내지 않습니다.
# - **기록해 둔 데이터.** 실습 환경의 모든 실험은 실제로 실행해 그 결과를 `data/`에 저장해 두었습니다.
#   이 머신에서 실습 환경을 띄울 수 없으면 노트북이 그 사실을 알리고 기록해 둔 결과를 대신 보여 줍니다.
#   직접 돌려 보는 재미는 줄지만 배울 내용은 그대로입니다.
# - **내 호스트(선택).** 같은 코드로 실제 CentOS나 Ubuntu 머신에 SSH로 설정을 적용할 수 있고
#   (`bondkit apply ... --ssh USER@ADDR --key FILE`), 실제 AWS 계정에서 EC2 실습을 돌릴 수도 있습니다
#   (`bondkit ec2 walkthrough --real`: 확인을 받은 뒤 실행하며 비용이 듭니다).
#
# 노트북을 열려면 저장소에서 `make lab`을 실행하세요. 필요한 것을 모두 설치하고 `notebooks/`에서
# JupyterLab을 띄웁니다. 영어 노트북은 `notebooks/en/`, 한국어 노트북은 `notebooks/ko/`에 있으며 두
# 노트북의 코드 셀은 똑같습니다. JupyterLab 메뉴까지 한국어로 바꾸려면 *Settings → Language →
# Korean (South Korea)*를 고르세요(한국어 언어 팩은 키트와 함께 설치됩니다).

# %% [markdown] lang="en"
# ## Setting up a notebook
#
# Every notebook starts with the same cell. `nb.setup()` finds the notebook's language from the folder it
# sits in (`en` or `ko`), so that every message, table heading and figure label of bondkit speaks it.

# %% [markdown] lang="ko"
# ## 노트북 준비
#
# 모든 노트북은 같은 셀로 시작합니다. `nb.setup()`은 노트북이 들어 있는 폴더(`en` 또는 `ko`)를 보고
# 언어를 정합니다. 그 뒤로 bondkit이 내는 메시지, 표 제목, 그림의 글자가 모두 그 언어로 나옵니다.

# %%
from bondkit import notebook as nb
from bondkit import observe

nb.setup()

# %% [markdown] lang="en"
# ## Is everything here?
#
# The next cell checks the Python packages, the `aws` command, a font that can draw Korean, the kit's
# data folder, and whether the embedded lab can run on this machine. Its output depends on your machine,
# so it will not look exactly like the one stored in this notebook.
#
# - A ✘ means something required is missing: the *what to do* column says how to get it (usually
#   `make setup`), then run the cell again.
# - A – next to the lab means the lab cannot run here. That is fine: notebooks `03` to `05` will tell you
#   and use recorded data. To get the lab, install what the row names (installing packages needs root
#   once, for example `sudo apt-get install qemu-system-x86`), then run the cell again: the lab itself
#   runs as you.

# %% [markdown] lang="ko"
# ## 필요한 것이 다 있나요?
#
# 다음 셀은 Python 패키지, `aws` 명령, 한글을 그릴 수 있는 글꼴, 키트의 데이터 폴더, 그리고 이 머신에서
# 내장 실습 환경을 띄울 수 있는지를 확인합니다. 결과는 머신마다 달라서 이 노트북에 저장된 출력과 꼭 같지는
# 않습니다.
#
# - ✘는 꼭 필요한 것이 빠졌다는 뜻입니다. *해결 방법* 칸대로(대개 `make setup`) 설치한 뒤 셀을 다시
#   실행하세요.
# - 실습 환경 줄의 –는 이 머신에서 실습 환경을 띄울 수 없다는 뜻입니다. 그래도 괜찮습니다. `03`~`05`
#   노트북이 그 사실을 알리고 기록해 둔 데이터를 씁니다. 실습 환경을 쓰려면 그 줄에 적힌 것을 설치하고
#   (패키지 설치에만 한 번 root가 필요합니다. 예: `sudo apt-get install qemu-system-x86`), 셀을 다시
#   실행하세요. 실습 환경 자체는 내 계정으로 실행됩니다.

# %%
# NBVAL_IGNORE_OUTPUT
report = nb.check_environment()
report

# %% [markdown] lang="en"
# ## A first look at real output
#
# The fail_over_mac tutorial recorded `ip link show` on its CentOS client with `fail_over_mac=0` (`none`).
# The kit keeps that output in `data/seed/ip-link/` and reads it into a table with `bondkit.observe`.
# One row per interface: its name, MAC address, state, flags, and the bond it belongs to (`master`).

# %% [markdown] lang="ko"
# ## 실제 출력 먼저 보기
#
# fail_over_mac 튜토리얼은 CentOS client에서 `fail_over_mac=0`(`none`)으로 `ip link show`를 기록해
# 두었습니다. 키트는 그 출력을 `data/seed/ip-link/`에 담아 두고 `bondkit.observe`로 읽어 표로 만듭니다.
# 인터페이스마다 한 줄이며, 이름, MAC 주소, 상태, 플래그, 속한 본딩(`master`)이 나옵니다.

# %%
kind, parsed = observe.parse_file(nb.data_path("seed", "ip-link", "none-before.txt"))
links = observe.to_frame(parsed)
links[["ifname", "mac", "state", "flags", "master"]].fillna("")

# %% [markdown] lang="en"
# Look at the `mac` column before you answer. Pick an answer to get feedback at once; the button shows the
# answer together with the rows it comes from.

# %% [markdown] lang="ko"
# 답하기 전에 `mac` 칸을 보세요. 답을 고르면 바로 채점되고, 버튼을 누르면 정답과 그 근거가 된 줄이
# 함께 나옵니다.

# %%
nb.ask("00_shared_mac", answer=3, evidence=links[links["mac"] == "08:00:27:e8:26:58"][["ifname", "mac"]])

# %% [markdown] lang="en"
# That is `fail_over_mac=none` at work: the bond and both slaves share one address (the kernel's
# bonding documentation, `bonding.rst`, option *fail_over_mac*: "set all slaves of an active-backup bond
# to the same MAC address at enslavement time"). Notebook `04` compares it with the other two policies,
# and notebook `05` shows a network where sharing one address breaks the failover.
#
# One more question about how the kit behaves:

# %% [markdown] lang="ko"
# 이것이 `fail_over_mac=none`의 동작입니다. 본딩 인터페이스와 두 슬레이브가 주소 하나를 함께 씁니다(커널의
# 본딩 문서 `bonding.rst`의 *fail_over_mac* 항목: 슬레이브로 넣을 때 액티브-백업 본딩의 모든 슬레이브에 같은
# MAC 주소를 준다). `04` 노트북에서 나머지 두 정책과 비교하고, `05` 노트북에서 주소 하나를 함께 쓰면
# 페일오버(failover: 액티브 슬레이브가 바뀌는 일)가 깨지는 네트워크를 봅니다.
#
# 키트의 동작에 관한 문제를 하나 더 풀어 봅시다.

# %%
nb.ask("00_without_lab", answer=2)

# %% [markdown] lang="en"
# ## Where next
#
# - `01_ec2_cli_and_boto3` if you came for EC2 and the AWS CLI;
# - `02_bond_configs` if you came for bonding.
#
# Nothing was started in this notebook, so there is nothing to clean up. Notebooks that start the lab or
# the EC2 endpoint stop them in their last cell.

# %% [markdown] lang="ko"
# ## 다음 단계
#
# - EC2와 AWS CLI를 배우려면 `01_ec2_cli_and_boto3`로 가세요.
# - 본딩을 배우려면 `02_bond_configs`로 가세요.
#
# 이 노트북은 아무것도 띄우지 않았으므로 정리할 것이 없습니다. 실습 환경이나 EC2 엔드포인트를 띄우는
# 노트북은 마지막 셀에서 그것을 멈춥니다.
